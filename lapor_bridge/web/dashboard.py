"""Coordinator dashboards (``/dasbor/``): overview, league tables, overdue list, sync health.

Each view parses the scope and period from the query string, calls one service and
renders; exports call the same services through ``dashboards.tables``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from werkzeug.exceptions import default_exceptions

from lapor_bridge.domain.dashboard import BadPeriod, Period, parse_period, period_choices
from lapor_bridge.services.dashboards.overdue import SORTS, overdue_page
from lapor_bridge.services.dashboards.overview import league, local_today, overview
from lapor_bridge.services.dashboards.scope import ScopeRequest
from lapor_bridge.services.dashboards.sync import sync_overview
from lapor_bridge.services.dashboards.tables import TABLES, export_table
from lapor_bridge.services.errors import NotFound, PermissionDenied
from lapor_bridge.services.exports import FORMATS, render
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.charts import league_charts, overview_charts

bp = Blueprint("dashboard", __name__, url_prefix="/dasbor")
EVERYONE = ("coordinator", "regional_admin", "sysadmin", "officer")
OVERSEERS = ("coordinator", "regional_admin", "sysadmin")
SCOPE_ARGS = ("provinsi", "wilayah", "instansi", "kategori", "periode")


def _refused(exc):
    """Out of reach: 404 (like a complaint out of scope); wrong role: 403; bad period: 400."""
    status = {NotFound: 404, PermissionDenied: 403}.get(type(exc), 400)
    return current_app.handle_user_exception(default_exceptions[status]())


def refuse_as_dashboards(blueprint: Blueprint) -> None:
    """Give ``blueprint`` the dashboards' answers to a scope out of reach, a wrong role
    and a bad period."""
    for error in (NotFound, PermissionDenied, BadPeriod):
        blueprint.register_error_handler(error, _refused)


refuse_as_dashboards(bp)


@bp.route("/")
@roles_required(*EVERYONE)
def index():
    """Overview: counts, response and resolution times, SLA compliance, trend, categories."""
    context = service_context()
    period = _period()
    view = overview(context, g.user, _scope(), period)
    return _page("dashboard/overview.html", "ringkasan", period, view=view,
                 charts=overview_charts(view))


@bp.route("/peringkat")
@roles_required(*OVERSEERS)
def ranking():
    """League tables of agencies and of kab/kota, against the previous period."""
    period = _period()
    view = league(service_context(), g.user, _scope(), period)
    return _page("dashboard/league.html", "peringkat", period, view=view,
                 charts=league_charts(view))


@bp.route("/terlambat")
@roles_required(*EVERYONE)
def overdue():
    """Overdue complaints with who holds each, sortable and paged."""
    sort = request.args.get("urut", "terlambat")
    page = request.args.get("halaman", 1, type=int)
    return _page("dashboard/overdue.html", "terlambat", _period(), sorts=SORTS,
                 view=overdue_page(service_context(), g.user, _scope(), sort, page))


@bp.route("/sinkronisasi")
@roles_required(*OVERSEERS)
def sync():
    """SP4N-LAPOR! sync health per kab/kota, and the federation members (at a province)."""
    return _page("dashboard/sync.html", "sinkronisasi", _period(),
                 view=sync_overview(service_context(), g.user, _scope()))


@bp.route("/ekspor/<name>.<file_format>")
@roles_required(*EVERYONE)
def export(name: str, file_format: str):
    """One table of the dashboards as CSV or XLSX, with the page's scope rules."""
    if file_format not in FORMATS or name not in TABLES:
        abort(404)
    table = export_table(service_context(), g.user, name, _scope(), _period(),
                         request.args.get("urut", "terlambat"))
    filename = f"{name}-{_period().code}.{file_format}"
    return Response(render(table, file_format), mimetype=FORMATS[file_format], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _scope() -> ScopeRequest:
    args = request.args
    return ScopeRequest(province=args.get("provinsi") or None, region=args.get("wilayah") or None,
                        agency=args.get("instansi", type=int), category=args.get("kategori"))


def _period() -> Period:
    return parse_period(request.args.get("periode"), local_today(service_context()))


def _page(template: str, tab: str, period: Period, **values):
    kept = {key: request.args[key] for key in SCOPE_ARGS if request.args.get(key)}
    return render_template(template, tab=tab, period=period, kept=kept,
                           periods=period_choices(local_today(service_context())), **values)
