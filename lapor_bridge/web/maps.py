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
from werkzeug.exceptions import default_exceptions

from lapor_bridge.domain.dashboard import BadPeriod
from lapor_bridge.services.errors import NotFound, PermissionDenied
from lapor_bridge.services.places import choropleth as choropleth_data
from lapor_bridge.services.places import map_data
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.csp import admit_tiles
from lapor_bridge.web.dashboard import OVERSEERS, SCOPE_ARGS, _page, _period, _scope
from lapor_bridge.web.i18n import current_language, translated_errors

bp = Blueprint("maps", __name__)
QUEUE_ROLES = ("officer", "regional_admin")


@bp.errorhandler(map_data.BadMapQuery)
def _bad_query(exc):
    """A bbox, limit or cursor that cannot be used: 400 with the reason, as JSON."""
    return jsonify(error="bad_request", errors=translated_errors(exc.errors)), 400


@bp.errorhandler(NotFound)
@bp.errorhandler(PermissionDenied)
@bp.errorhandler(BadPeriod)
def _refused(exc):
    """As on the dashboards: out of reach 404, wrong role 403, bad period 400."""
    status = {NotFound: 404, PermissionDenied: 403}.get(type(exc), 400)
    return current_app.handle_user_exception(default_exceptions[status]())


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
    values = _map_values() | {"extent": ",".join(map(str, extent.as_list())) if extent else "",
                              "max_span": choropleth_data.MAX_SPAN}
    if extent is not None:
        values["center"] = ((extent.min_lat + extent.max_lat) / 2,
                            (extent.min_lon + extent.max_lon) / 2)
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


def _map_values() -> dict:
    settings = service_context().settings
    return {"boundaries_url": url_for("maps.boundaries_geojson"),
            "tile_url": getattr(settings.app, "map_tile_url", "") or "",
            "center": _center(), "max_span": map_data.MAX_SPAN}


def _center() -> tuple[float, float] | None:
    """``?lat=&lon=`` when both are numbers, else the middle of the boundaries."""
    lat, lon = request.args.get("lat", type=float), request.args.get("lon", type=float)
    if lat is not None and lon is not None:
        return lat, lon
    box = map_data.boundary_extent(service_context())
    return None if box is None else ((box.min_lat + box.max_lat) / 2,
                                     (box.min_lon + box.max_lon) / 2)


def _map_page(template: str, **values):
    response = current_app.make_response(render_template(template, **_map_values(), **values))
    return _with_tiles(response)


def _with_tiles(response):
    """Admit the configured tile server's images, on map pages only."""
    return admit_tiles(response, service_context().settings.app.map_tile_url)
