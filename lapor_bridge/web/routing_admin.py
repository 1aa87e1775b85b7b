"""The routing-table page: which agency takes each service category in a region.

The regional admin edits their own region's table (the system admin picks a region,
a coordinator may look at those of their province); one "Simpan" saves every line
changed on the page, audited. Beside each category: how often residents kept the
model's first suggestion there (last 90 days).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from lapor_bridge.domain import categories
from lapor_bridge.services.errors import NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.services.intake.routing_table import (
    recent_changes,
    routing_table,
    set_rules,
    table_regions,
)
from lapor_bridge.services.intake.suggestion_quality import WINDOW, suggestion_quality
from lapor_bridge.translations import N_
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required
from lapor_bridge.web.i18n import translated_errors

bp = Blueprint("routing_admin", __name__, url_prefix="/admin")

VIEWERS = ("sysadmin", "regional_admin", "coordinator")
EDITORS = frozenset({"sysadmin", "regional_admin"})
# Form fields per category: the agency chosen, and the one the page showed (only lines
# whose choice differs from what was shown are saved, so two admins editing at once
# do not undo each other's other lines).
CHOSEN, SHOWN = "agency.", "was."
SOURCE_LABELS = {"page": N_("halaman ini"), "csv": N_("berkas CSV")}
# Changes people made are listed; the table's automatic start (seed, upgrade) is one line.
PEOPLE_SOURCES = frozenset(SOURCE_LABELS)
SHOWN_CHANGES = 20


@bp.route("/rute", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def table():
    """Show a region's routing table (GET); save the lines changed on it (POST)."""
    ctx = service_context()
    regions = table_regions(ctx, g.user)
    region_code = _chosen_region(regions)
    editable = g.user.role in EDITORS
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            abort(403)
        try:
            changed = set_rules(ctx, g.user, region_code, changed_lines(request.form),
                                source="page")
        except PermissionDenied:
            abort(403)
        except NotFound:
            abort(404)
        except ValidationFailed as exc:
            errors = translated_errors(exc.errors)
        else:
            flash(_("%(count)d baris diubah.", count=changed))
            return redirect(url_for(".table", wilayah=region_code))
    page = routing_table(ctx, region_code)
    changes = recent_changes(ctx, region_code)
    filled = next((change.created_at for change in changes
                   if change.source not in PEOPLE_SOURCES), None)
    return render_template(
        "admin/routing.html", page=page, regions=regions, editable=editable,
        groups=categories.grouped(), rows={row.category.code: row for row in page.rows},
        agency_names=dict(page.agencies), filled_at=filled,
        changes=[change for change in changes if change.source in PEOPLE_SOURCES][:SHOWN_CHANGES],
        quality=suggestion_quality(ctx, region_code, ctx.clock() - WINDOW),
        window_days=WINDOW.days, source_labels=SOURCE_LABELS, category_label=categories.label,
        errors=errors,
        form=request.form if errors else {},
    ), 422 if errors else 200


def changed_lines(form) -> dict[str, str | None]:
    """category → agency code ("" or None: triage) of the lines whose choice differs
    from what the page showed; fields of unknown categories are left to the service."""
    wanted: dict[str, str | None] = {}
    for name, value in form.items():
        if not name.startswith(CHOSEN):
            continue
        category = name.removeprefix(CHOSEN)
        chosen = value.strip() or None
        if chosen != (form.get(SHOWN + category, "").strip() or None):
            wanted[category] = chosen
    return wanted


def _chosen_region(regions: list[tuple[str, str]]) -> str:
    """The region asked for (``?wilayah=``), else the deployment's own region when in
    reach, else the first; a region out of reach is not found."""
    codes = [code for code, _name in regions]
    if not codes:
        abort(403)
    wanted = request.args.get("wilayah", "").strip()
    if wanted:
        if wanted not in codes:
            abort(404)
        return wanted
    own = current_app.config["LAPOR_SETTINGS"].app.region_code
    return own if own in codes else codes[0]
