/* The maps (public, officer queue, coordinator choropleth) over the vendored Leaflet.
   Everything comes from the #map element's data-* attributes; no inline script. The base
   map is the kelurahan boundaries (GeoJSON), with tiles underneath only when configured. */
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || !window.L) { return; }
  var data = box.dataset;
  var labels = JSON.parse(data.labels || "{}");
  var status = document.getElementById("map-status");
  var maxSpan = parseFloat(data.maxSpan || "1");
  var MAX_PAGES = 10;       // points and outlines in view
  var MAX_AREA_PAGES = 40;  // choropleth polygons: a province is ≈ 9 pages of 1,000
  var SLA_COLOURS = { on_time: "#2e7d32", due_soon: "#f9a825", overdue: "#c62828", none: "#607d8b" };

  var map = L.map(box, { preferCanvas: true });
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: "" }).addTo(map);
  }
  var lat = parseFloat(data.lat), lon = parseFloat(data.lon);
  map.setView(isFinite(lat) && isFinite(lon) ? [lat, lon] : [-6.87, 109.13], 14);

  function say(text) { if (status) { status.textContent = text || ""; } }

  /* Every page of a GeoJSON layer, following "next" links (at most maxPages). */
  function fetchAll(url, onPage, done, maxPages) {
    var pages = 0;
    maxPages = maxPages || MAX_PAGES;
    function step(next) {
      fetch(next, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (collection) {
        onPage(collection);
        pages += 1;
        if (collection.next && pages < maxPages) { step(collection.next); }
        else if (done) { done(Boolean(collection.next)); }
      }).catch(function () { if (done) { done(false); } });
    }
    step(url);
  }

  function bboxParam() {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map(function (n) { return n.toFixed(5); }).join(",");
  }

  function tooWide(span) {
    var b = map.getBounds();
    span = span || maxSpan;
    return b.getEast() - b.getWest() > span || b.getNorth() - b.getSouth() > span;
  }

  function withQuery(url, query) { return url + (url.indexOf("?") < 0 ? "?" : "&") + query; }

  function text(tag, content) {
    var element = document.createElement(tag);
    element.textContent = content;
    return element;
  }

  /* Base map: kelurahan outlines in view (not for the choropleth, which draws its own). */
  var outlines = L.geoJSON(null, {
    style: { color: "#5c6bc0", weight: 1, fillOpacity: 0.03 },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name + " · " + feature.properties.kecamatan);
    }
  }).addTo(map);
  var seenOutlines = {};

  var points = L.layerGroup().addTo(map);

  function pointPopup(properties) {
    var body = document.createElement("div");
    body.appendChild(text("strong", properties.category_label));
    body.appendChild(document.createElement("br"));
    body.appendChild(document.createTextNode(properties.status_label));
    if (properties.anonymous) {
      body.appendChild(document.createElement("br"));
      body.appendChild(text("em", labels.anonymous));
    }
    if (properties.tracking_number) {
      body.insertBefore(text("div", properties.tracking_number + " · " + properties.title),
                        body.firstChild);
      if (properties.due_wib) {
        body.appendChild(document.createElement("br"));
        body.appendChild(document.createTextNode(labels.due + ": " + properties.due_wib));
      }
      var link = text("a", labels.open);
      link.href = data.caseUrl.replace("NOMOR", encodeURIComponent(properties.tracking_number));
      body.appendChild(document.createElement("br"));
      body.appendChild(link);
    }
    return body;
  }

  function drawPoints(collection) {
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var colour = SLA_COLOURS[feature.properties.sla_state] || "#1565c0";
      L.circleMarker([c[1], c[0]], { radius: 6, color: colour, fillColor: colour, fillOpacity: 0.7 })
        .bindPopup(pointPopup(feature.properties)).addTo(points);
    });
  }

  function refresh() {
    if (tooWide()) { say(labels.too_wide); return; }
    say("");
    var bbox = "bbox=" + bboxParam();
    fetchAll(withQuery(data.boundaries, bbox), function (collection) {
      collection.features.forEach(function (feature) {
        if (!seenOutlines[feature.id]) { seenOutlines[feature.id] = true; outlines.addData(feature); }
      });
      outlines.bringToBack();  // under the points, which take the taps (one canvas)
    });
    if (data.points) {
      var fresh = L.layerGroup();
      var old = points;
      points = fresh;
      fetchAll(withQuery(data.points, bbox), drawPoints, function (more) {
        map.removeLayer(old);
        fresh.addTo(map);
        say(more ? labels.more : "");
      });
    }
  }

  /* Coordinator: the scope's kelurahan coloured by count or by overdue share. Polygons
     in view are loaded page by page (the whole scope when the view is wider than a
     province); every page carries the scope-wide scale, so colours agree across pages. */
  function choropleth() {
    var select = document.getElementById("map-measure");
    var legend = document.getElementById("map-legend");
    var steps = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];
    var scale = { count: 0, overdue_share: 0 }, seen = {};
    function key() { return select ? select.value : "count"; }
    function measure(properties) {
      return key() === "count" ? properties.count : (properties.overdue_share || 0);
    }
    function colour(value) {
      var top = scale[key()];
      if (!top || !value) { return steps[0]; }
      return steps[Math.min(steps.length - 1, 1 + Math.floor((value / top) * (steps.length - 1.001)))];
    }
    function style(feature) {
      return { color: "#37474f", weight: 1, fillOpacity: 0.75, fillColor: colour(measure(feature.properties)) };
    }
    var layer = L.geoJSON(null, {
      style: style,
      onEachFeature: function (f, l) {
        var p = f.properties;
        var share = p.overdue_share === null ? "–" : Math.round(p.overdue_share * 100) + "%";
        l.bindTooltip(p.name + " (" + p.kecamatan + "): " + p.count + " " + labels.reports +
                      ", " + share + " " + labels.overdue);
      }
    }).addTo(map);
    function drawLegend() {
      if (!legend) { return; }
      var top = scale[key()];
      legend.textContent = "";
      steps.forEach(function (fill, i) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = fill;
        item.appendChild(swatch);
        var low = i === 0 ? 0 : (top * (i - 1)) / (steps.length - 1);
        var shown = key() === "count" ? Math.round(low) : Math.round(low * 100) + "%";
        item.appendChild(document.createTextNode("≥ " + shown));
        legend.appendChild(item);
      });
    }
    function load() {
      var url = tooWide() ? data.choropleth : withQuery(data.choropleth, "bbox=" + bboxParam());
      fetchAll(withQuery(url, "limit=1000"), function (collection) {
        scale = collection.scale;
        collection.features.forEach(function (feature) {
          if (!seen[feature.id]) { seen[feature.id] = true; layer.addData(feature); }
        });
        layer.setStyle(style);
        drawLegend();
        say(collection.unmapped ? labels.unmapped.replace("{n}", collection.unmapped) : "");
      }, null, MAX_AREA_PAGES);
    }
    var extent = (data.extent || "").split(",").map(parseFloat);
    if (extent.length === 4 && extent.every(isFinite)) {
      map.fitBounds([[extent[1], extent[0]], [extent[3], extent[2]]]);
    }
    if (select) { select.addEventListener("change", function () { layer.setStyle(style); drawLegend(); }); }
    map.on("moveend", load);
    load();
  }

  if (data.kind === "coordinator") {
    map.removeLayer(outlines);
    choropleth();
  } else {
    map.on("moveend", refresh);
    refresh();
  }
})();
