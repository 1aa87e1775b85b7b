"""The officer's pages: the queue, one complaint with its actions, attachments, templates."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from lapor_bridge.domain.errors import DomainError
from lapor_bridge.domain.transitions import Action
from lapor_bridge.services import templates as template_service
from lapor_bridge.services import triage, workflow
from lapor_bridge.services.alerts import alerts_for
from lapor_bridge.services.casework import attachment_file, case_view
from lapor_bridge.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor_bridge.services.queue import agency_queue
from lapor_bridge.services.uploads import UploadedFile
from lapor_bridge.web import service_context
from lapor_bridge.web.auth import roles_required, safe_next
from lapor_bridge.web.i18n import error_text, translated, translated_errors

bp = Blueprint("officer", __name__, url_prefix="/petugas")

STAFF = ("officer", "regional_admin", "coordinator", "sysadmin")
WRITERS = ("officer", "regional_admin", "sysadmin")

# URL slug of each action (Bahasa Indonesia), as posted by the complaint page.
ACTION_SLUGS = {
    Action.CLAIM: "ambil",
    Action.RESPOND: "tindak-lanjut",
    Action.REQUEST_INFO: "minta-keterangan",
    Action.TRANSFER: "alihkan",
    Action.RESOLVE: "selesaikan",
    Action.REOPEN: "buka-kembali",
    Action.VERIFY: "verifikasi",
    Action.DISPOSE: "disposisi",
    Action.ARCHIVE: "arsipkan",
    Action.REJECT: "tolak",
}


def _photos() -> tuple[UploadedFile, ...]:
    return tuple(UploadedFile(upload.filename or "foto", upload.read())
                 for upload in request.files.getlist("photo") if upload and upload.filename)


# slug → the one service call it makes, given (context, principal, number, form, version).
HANDLERS: dict[str, Callable] = {
    "ambil": lambda c, u, n, f, v: workflow.claim(c, u, n, version=v),
    "tindak-lanjut": lambda c, u, n, f, v: workflow.respond(
        c, u, n, f.get("text", ""), version=v, photos=_photos()),
    "minta-keterangan": lambda c, u, n, f, v: workflow.request_info(
        c, u, n, f.get("question", ""), version=v),
    "alihkan": lambda c, u, n, f, v: workflow.transfer(
        c, u, n, f.get("agency", ""), f.get("reason", ""), version=v),
    "selesaikan": lambda c, u, n, f, v: workflow.resolve(c, u, n, f.get("note", ""), version=v),
    "buka-kembali": lambda c, u, n, f, v: workflow.reopen(
        c, u, n, f.get("reason", ""), version=v),
    "catatan": lambda c, u, n, f, v: workflow.add_note(c, u, n, f.get("note", "")),
    "kategori": lambda c, u, n, f, v: workflow.set_category(
        c, u, n, f.get("category", ""), version=v),
    "verifikasi": lambda c, u, n, f, v: triage.verify(c, u, n, version=v),
    "disposisi": lambda c, u, n, f, v: triage.dispose(
        c, u, n, f.get("agency", ""), category=f.get("category") or None, version=v),
    "arsipkan": lambda c, u, n, f, v: triage.archive(
        c, u, n, f.get("reason", ""), f.get("note", ""), version=v),
    "tolak": lambda c, u, n, f, v: triage.reject(c, u, n, f.get("reason", ""), version=v),
}


@bp.route("/")
@roles_required("officer", "regional_admin")
def queue():
    """The complaints of the officer's agency: open ones soonest-due first, or all."""
    context = service_context()
    page = request.args.get("halaman", 1, type=int)
    view = request.args.get("tampil", "aktif")
    return render_template("officer/queue.html", queue=agency_queue(context, g.user, page, view),
                           alerts=alerts_for(context, g.user))


@bp.route("/laporan/<tracking_number>")
@roles_required(*STAFF)
def case(tracking_number: str):
    """One complaint: text, place, photos, suggestions, clocks, history, the allowed actions."""
    return _render_case(tracking_number, {}, {})


@bp.route("/laporan/<tracking_number>/<slug>", methods=["POST"])
@roles_required(*WRITERS)
def act(tracking_number: str, slug: str):
    """Perform one action; on bad input show the page again with the entries kept."""
    handler = HANDLERS.get(slug)
    if handler is None:
        abort(404)
    form = request.form
    try:
        result = handler(service_context(), g.user, tracking_number, form,
                         form.get("version", type=int))
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        return _render_case(tracking_number, exc.errors, form, slug)
    except (Conflict, PermissionDenied, DomainError) as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("officer.case", tracking_number=tracking_number))
    flash(translated(result.message))
    return redirect(safe_next(form.get("next"))
                    or url_for("officer.case", tracking_number=result.tracking_number))


@bp.route("/lampiran/<int:attachment_id>")
@roles_required(*STAFF)
def attachment(attachment_id: int):
    """A photo or file of a complaint in the viewer's scope."""
    try:
        path, content_type, name = attachment_file(service_context(), g.user, attachment_id)
    except NotFound:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=content_type, download_name=name, max_age=0)


@bp.route("/templat", methods=["GET", "POST"])
@roles_required(*WRITERS)
def templates():
    """The agency's canned follow-ups: list, add, edit."""
    context = service_context()
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        try:
            template_service.save_template(
                context, g.user, agency_id=form.get("agency_id", type=int) or 0,
                title=form.get("title", ""), body=form.get("body", ""),
                active=form.get("active") == "1", template_id=form.get("template_id", type=int))
        except NotFound:
            abort(404)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(_("Templat disimpan."))
            return redirect(url_for("officer.templates"))
    return render_template(
        "officer/templates.html", rows=template_service.list_templates(context, g.user),
        agencies=template_service.editable_agencies(context, g.user),
        errors=translated_errors(errors),
        form=request.form,
    ), 422 if errors else 200


def _render_case(tracking_number: str, errors: dict, form, slug: str | None = None):
    """The complaint page; after a failed action (``slug``) with status 422, or 403 for a
    federation member's complaint, which is read-only here."""
    try:
        view = case_view(service_context(), g.user, tracking_number)
    except NotFound:
        abort(404)
    chosen = request.args.get("templat", type=int)
    template_text = next((t.body for t in view.templates if t.id == chosen), "")
    return render_template(
        "officer/case.html", view=view, errors=translated_errors(errors), form=form, failed=slug,
        slugs=ACTION_SLUGS, template_text=template_text, archive_reasons=triage.ARCHIVE_REASONS,
        Action=Action,
    ), 200 if slug is None else 403 if view.federated else 422
