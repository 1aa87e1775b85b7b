// The complaint form's place picker: "Gunakan lokasi saya" and a map with a pin.
// Either puts the point in the hidden lat/lon fields, asks the server which kelurahan
// it is (POST /lokasi/cari) and selects kecamatan and kelurahan, which the resident
// can still change. The base map is the region's kelurahan boundaries (no tile server
// unless [app] map_tile_url is set). Without JavaScript (or Leaflet) the picker stays
// hidden and the selects work as before.
(function () {
  "use strict";
  var box = document.getElementById("location-picker");
  if (!box || !window.L || !window.fetch || !window.JSON) { return; }
  var form = document.getElementById("complaint-form");
  var kecamatan = document.getElementById("kecamatan");
  var kelurahan = document.getElementById("kelurahan");
  var latField = document.getElementById("lat");
  var lonField = document.getElementById("lon");
  var status = document.getElementById("location-status");
  var button = document.getElementById("use-location");
  var csrf = form.querySelector('input[name="csrf_token"]').value;
  var text = box.dataset;
  var marker = null;
  var asked = 0;  // only the answer to the latest point counts

  box.hidden = false;
  var mapBox = document.getElementById("location-map");
  mapBox.style.height = "18rem";
  mapBox.style.margin = "0.75rem 0";
  var map = L.map(mapBox, { scrollWheelZoom: false }).setView([-6.87, 109.12], 13);
  if (text.tileUrl) {
    L.tileLayer(text.tileUrl, { maxZoom: 19 }).addTo(map);
  }

  function say(message) { status.textContent = message; }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return values[name] || ""; });
  }

  function choose(found) {
    kecamatan.value = found.kecamatan;
    kecamatan.dispatchEvent(new Event("change"));  // form.js narrows the kelurahan list
    kelurahan.value = found.kelurahan;
    say(fill(text.msgFound, found));
  }

  function lookUp(latlng) {
    var ask = ++asked;
    say(text.msgLooking);
    fetch(text.lookupUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ lat: latlng.lat, lon: latlng.lng })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      if (ask !== asked) { return; }
      if (answer.ok) {
        choose(answer.body);
      } else {
        // a point outside the region is not kept; the resident picks the place
        latField.value = "";
        lonField.value = "";
        say(answer.body.error.message + " " + text.msgPickBelow);
      }
    }).catch(function () {
      if (ask === asked) { say(text.msgError); }
    });
  }

  function pin(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { draggable: true, autoPan: true }).addTo(map);
      marker.on("dragend", function () { setPoint(marker.getLatLng()); });
    }
  }

  function setPoint(latlng) {
    pin(latlng);
    latField.value = latlng.lat.toFixed(6);
    lonField.value = latlng.lng.toFixed(6);
    lookUp(latlng);
  }

  map.on("click", function (event) { setPoint(event.latlng); });

  fetch(text.boundariesUrl, { credentials: "same-origin" }).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (collection) {
    if (!collection || !collection.features.length) { return; }
    var layer = L.geoJSON(collection, {
      style: { color: "#1f6f43", weight: 1, fillColor: "#1f6f43", fillOpacity: 0.06 },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(feature.properties.kelurahan, { sticky: true });
      }
    }).addTo(map);
    if (!marker) { map.fitBounds(layer.getBounds()); }
  }).catch(function () { /* the map without boundaries still takes a pin */ });

  // a form shown again after an error keeps its point
  if (latField.value && lonField.value) {
    var kept = L.latLng(parseFloat(latField.value), parseFloat(lonField.value));
    pin(kept);
    map.setView(kept, 16);
  }

  if (!navigator.geolocation) {
    button.hidden = true;
  }
  button.addEventListener("click", function () {
    say(text.msgAsking);
    navigator.geolocation.getCurrentPosition(function (position) {
      var here = L.latLng(position.coords.latitude, position.coords.longitude);
      map.setView(here, 16);
      setPoint(here);
    }, function () {
      say(text.msgNoGeolocation);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
