"""The maps: public (``/peta``), the officer's queue (``/petugas/peta``) and the
coordinator's choropleth (``/dasbor/peta``), each a page plus its GeoJSON.

Pages hold only a Leaflet container whose ``data-*`` attributes name the GeoJSON URLs;
``static/maps.js`` draws them. The base map is the kelurahan boundaries themselves
(``/peta/batas.geojson``); when ``[app] map_tile_url`` is set, its tiles go underneath
and the page's CSP admits that origin (only on these pages).
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for

from lapor_bridge.services.places import choropleth as choropleth_data
from lapor_bridge.services.places import map_data
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.csp import admit_tiles
from lapor_bridge.web.dashboard import (
    OVERSEERS,
    SCOPE_ARGS,
    _page,
    _period,
    _scope,
    refuse_as_dashboards,
)
from lapor_bridge.web.i18n import current_language, translated_errors

bp = Blueprint("maps", __name__)
QUEUE_ROLES = ("officer", "regional_admin")


@bp.errorhandler(map_data.BadMapQuery)
def _bad_query(exc):
    """A bbox, limit or cursor that cannot be used: 400 with the reason, as JSON."""
    return jsonify(error="bad_request", errors=translated_errors(exc.errors)), 400


refuse_as_dashboards(bp)


@bp.route("/peta")
def public_map():
    """The public map around a point (``?lat=&lon=``; default: the boundaries' middle)."""
    return _map_page("maps/public.html", points=url_for("maps.public_geojson"))


@bp.route("/peta/laporan.geojson")
def public_geojson():
    """Public complaints in ``?bbox=`` (snapped positions, no rahasia), paged."""
    return _layer(lambda ctx, box, limit, after: map_data.public_points(
        ctx, box, limit, after, current_language()), "maps.public_geojson")


@bp.route("/peta/batas.geojson")
def boundaries_geojson():
    """Kelurahan/desa polygons in ``?bbox=`` (the base map), paged by village id."""
    return _layer(map_data.boundary_features, "maps.boundaries_geojson")


@bp.route("/petugas/peta")
@roles_required(*QUEUE_ROLES)
def officer_map():
    """The queue's open complaints on a map, coloured by SLA state."""
    return _map_page("maps/officer.html", points=url_for("maps.officer_geojson"),
                     case_url=url_for("officer.case", tracking_number="NOMOR"))


@bp.route("/petugas/peta/laporan.geojson")
@roles_required(*QUEUE_ROLES)
def officer_geojson():
    """The queue's open complaints in ``?bbox=``, exact positions, paged."""
    return _layer(lambda ctx, box, limit, after: map_data.officer_points(
        ctx, g.user, box, limit, after, current_language()), "maps.officer_geojson")


@bp.route("/dasbor/peta")
@roles_required(*OVERSEERS)
def coordinator_map():
    """Complaints and overdue share per kelurahan, filtered like the dashboards."""
    period = _period()
    scope, extent = choropleth_data.scope_extent(service_context(), g.user, _scope())
    kept = {key: request.args[key] for key in SCOPE_ARGS if request.args.get(key)}
    values = _map_values(extent.middle() if extent else None) | {
        "extent": ",".join(map(str, extent.as_list())) if extent else "",
        "max_span": choropleth_data.MAX_SPAN}
    response = current_app.make_response(_page(
        "maps/coordinator.html", "peta", period, view=_ScopeView(scope),
        choropleth_url=url_for("maps.coordinator_geojson", **kept), **values))
    return _with_tiles(response)


@bp.route("/dasbor/peta/kelurahan.geojson")
@roles_required(*OVERSEERS)
def coordinator_geojson():
    """The choropleth's polygons with their counts, for the same filters; paged, and
    within ``?bbox=`` when given (a province wide at most)."""
    text = request.args.get("bbox")
    box = None if text is None else map_data.parse_bbox(text, choropleth_data.MAX_SPAN)
    limit, after = map_data.parse_paging(request.args.get("limit"), request.args.get("after"))
    _, page = choropleth_data.choropleth(service_context(), g.user, _scope(), _period(), box,
                                         limit, after)
    next_url = None
    if page.next_after is not None:
        kept = {key: request.args[key] for key in (*SCOPE_ARGS, "bbox") if key in request.args}
        next_url = url_for("maps.coordinator_geojson", **kept, limit=limit,
                           after=page.next_after)
    return current_app.response_class(_json(page.collection(next_url)),
                                      mimetype="application/geo+json")


class _ScopeView:
    """What ``dashboard/_layout.html`` reads from ``view``."""

    def __init__(self, scope) -> None:
        self.scope = scope


def _layer(fetch, endpoint: str):
    box = map_data.parse_bbox(request.args.get("bbox"))
    limit, after = map_data.parse_paging(request.args.get("limit"), request.args.get("after"))
    page = fetch(service_context(), box, limit, after)
    next_url = None
    if page.next_after is not None:
        next_url = url_for(endpoint, bbox=request.args["bbox"], limit=limit,
                           after=page.next_after)
    return current_app.response_class(_json(page.collection(next_url)),
                                      mimetype="application/geo+json")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _map_values(center: tuple[float, float] | None) -> dict:
    """What ``maps/_map.html`` reads besides the layer URLs."""
    return {"boundaries_url": url_for("maps.boundaries_geojson"),
            "tile_url": service_context().settings.app.map_tile_url,
            "center": center, "max_span": map_data.MAX_SPAN}


def _map_page(template: str, **values):
    """A public or officer map, centred on ``?lat=&lon=`` when both are numbers, else on
    the middle of this instance's boundaries."""
    lat, lon = request.args.get("lat", type=float), request.args.get("lon", type=float)
    if lat is not None and lon is not None:
        center = (lat, lon)
    else:
        box = map_data.boundary_extent(service_context())
        center = box.middle() if box else None
    response = current_app.make_response(render_template(template, **_map_values(center),
                                                          **values))
    return _with_tiles(response)


def _with_tiles(response):
    """Admit the configured tile server's images, on map pages only."""
    return admit_tiles(response, service_context().settings.app.map_tile_url)
