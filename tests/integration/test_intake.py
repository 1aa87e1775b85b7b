"""submit_complaint on a real database (SQLite and PostgreSQL)."""

import hashlib
import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lapor_bridge.db.models import (
    Agency,
    Attachment,
    Complaint,
    ComplaintEvent,
    OutboxMessage,
    Region,
    ReporterContact,
)
from lapor_bridge.domain.routing import TRIAGE
from lapor_bridge.domain.status import Status
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.intake import submit as intake
from lapor_bridge.services.intake.submit import ComplaintInput, ContactInput, submit_complaint
from lapor_bridge.services.uploads import UploadedFile
from tests.fakes import FixedModel

POTHOLE = ComplaintInput(
    title="Jalan berlubang di Jl. Kapten Sudibyo",
    description="Jalan berlubang besar dan dalam di depan pasar, sudah dua motor jatuh minggu ini.",
    kecamatan="Tegal Selatan",
    kelurahan="Kalinyamat Wetan",
)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "gray").save(buffer, format="PNG")
    return buffer.getvalue()


def count(ctx, model) -> int:
    with ctx.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_confident_complaint_is_disposed_to_the_agency_in_one_transaction(ctx):
    ctx.classifier = FixedModel([("PUPR", 0.93), ("DLH", 0.04), ("DISHUB", 0.02)])
    result = submit_complaint(ctx, POTHOLE)
    assert result.agency_code == "PUPR" and not result.to_triage
    assert result.status is Status.DISPOSED
    with ctx.read() as session:
        complaint = session.scalar(
            select(Complaint).where(Complaint.tracking_number == result.tracking_number)
        )
        assert complaint.agency.code == "PUPR"
        assert complaint.predicted_agency.code == "PUPR"
        assert complaint.confidence == pytest.approx(0.93)
        assert complaint.model_version == "fixed"
        assert complaint.predictions == [["PUPR", 0.93], ["DLH", 0.04], ["DISHUB", 0.02]]
        assert complaint.created_at.tzinfo is not None
        assert (complaint.version, complaint.pauses, complaint.escalation_level) == (1, [], 0)
        assert complaint.disposed_at == complaint.first_disposed_at == complaint.created_at
        assert complaint.sla_stage and complaint.sla_due_at > complaint.created_at
        kinds = [(e.kind, e.from_status, e.to_status) for e in complaint.events]
        assert kinds == [("submitted", None, "submitted"), ("disposed", "submitted", "disposed")]
        outbox = session.scalars(select(OutboxMessage)).all()
        assert [(row.kind, row.state, row.complaint_id) for row in outbox] == [
            ("create", "pending", complaint.id)
        ]
        assert complaint.reporter_key_hash != result.reporter_key


def test_low_confidence_goes_to_triage(ctx):
    ctx.classifier = FixedModel([("DINSOS", 0.35), ("LAINNYA", 0.3)])
    result = submit_complaint(ctx, POTHOLE)
    assert result.to_triage and result.agency_code == "TRIAGE"
    assert result.status is Status.SUBMITTED
    with ctx.read() as session:
        complaint = session.scalar(select(Complaint))
        assert complaint.predicted_agency.code == "DINSOS"
        assert [e.kind for e in complaint.events] == ["submitted", "triage"]
        assert complaint.disposed_at is None and complaint.sla_due_at is not None


def test_no_model_still_accepts_the_complaint(ctx):
    ctx.classifier = None
    result = submit_complaint(ctx, POTHOLE)
    assert result.to_triage and result.confidence is None


def test_broken_model_routes_to_triage_and_loses_nothing(ctx):
    class Broken:
        version = "broken"

        def predict(self, texts, k=3):
            raise RuntimeError("model exploded")

    ctx.classifier = Broken()
    assert submit_complaint(ctx, POTHOLE).to_triage
    assert count(ctx, Complaint) == 1


def test_real_starter_model_routes_an_obvious_complaint(ctx):
    result = submit_complaint(ctx, replace(
        POTHOLE, title="Sampah menumpuk di TPS",
        description="Sampah di TPS dekat pasar tidak diangkut seminggu, bau dan banyak lalat.",
    ))
    with ctx.read() as session:
        complaint = session.scalar(select(Complaint))
        assert complaint.predicted_agency.code == "DLH"
        assert len(complaint.predictions) == 3
    assert result.confidence is not None


def test_contact_is_stored_apart_from_the_text(ctx):
    data = replace(POTHOLE, anonim=True, contact=ContactInput(name="Siti", phone="081234567890"))
    submit_complaint(ctx, data)
    with ctx.read() as session:
        contact = session.scalar(select(ReporterContact))
        complaint = session.scalar(select(Complaint))
        assert (contact.name, contact.phone) == ("Siti", "081234567890")
        assert complaint.is_anonymous
        assert "Siti" not in complaint.description and "0812" not in complaint.description


def test_photos_are_stored_on_disk_with_metadata(ctx, settings):
    data = replace(POTHOLE, photos=(UploadedFile("lubang.png", png()),))
    submit_complaint(ctx, data)
    with ctx.read() as session:
        attachment = session.scalar(select(Attachment))
    stored = settings.path(settings.app.upload_dir) / attachment.stored_name
    with Image.open(stored) as kept, Image.open(io.BytesIO(png())) as sent:
        assert kept.size == sent.size and kept.tobytes() == sent.convert(kept.mode).tobytes()
    assert attachment.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert attachment.content_type == "image/png" and attachment.original_name == "lubang.png"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 100_000}, "description"),
        ({"kecamatan": "Atlantis"}, "kecamatan"),
        ({"kelurahan": "Kraton"}, "kelurahan"),  # exists, but in Tegal Barat
        ({"lat": -6.87}, "lon"),
        ({"lat": 51.5, "lon": -0.12}, "lat"),
        ({"contact": ContactInput(phone="call me")}, "contact.phone"),
        ({"contact": ContactInput(email="not-an-email")}, "contact.email"),
        ({"photos": (UploadedFile("x.jpg", b"not an image at all"),)}, "photo"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(ctx, change, field):
    with pytest.raises(ValidationFailed) as failure:
        submit_complaint(ctx, replace(POTHOLE, **change))
    assert field in failure.value.errors
    assert count(ctx, Complaint) == 0 and count(ctx, OutboxMessage) == 0


def test_failed_transaction_removes_written_photos(ctx, settings, monkeypatch):
    def fail_after_files(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "insert_attachment", fail_after_files)
    with pytest.raises(RuntimeError):
        submit_complaint(ctx, replace(POTHOLE, photos=(UploadedFile("a.png", png()),)))
    upload_dir = settings.path(settings.app.upload_dir)
    assert not upload_dir.exists() or not any(p.is_file() for p in upload_dir.rglob("*"))
    assert count(ctx, Complaint) == 0


def test_tracking_number_collision_draws_again(ctx, monkeypatch):
    first = submit_complaint(ctx, POTHOLE)
    numbers = iter([first.tracking_number, "ZZZZ2222"])
    monkeypatch.setattr(intake, "new_tracking_number", lambda: next(numbers))
    second = submit_complaint(ctx, POTHOLE)
    assert second.tracking_number == "ZZZZ2222"
    assert count(ctx, Complaint) == 2


def test_events_carry_times_and_actors(ctx):
    submit_complaint(ctx, POTHOLE)
    with ctx.read() as session:
        events = session.scalars(select(ComplaintEvent).order_by(ComplaintEvent.id)).all()
    assert events[0].actor_type == "resident"
    assert events[1].actor_type == "system" and events[1].actor_label


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Jalan\x00rusak parah"}, "title"),
        ({"description": POTHOLE.description + "\x00"}, "description"),
        ({"kelurahan": "Kalinyamat\x00Wetan"}, "kelurahan"),
        ({"contact": ContactInput(name="Bu\x07di")}, "contact.name"),
        ({"description": POTHOLE.description + "\ud800"}, "description"),
    ],
)
def test_control_characters_are_refused_not_crashed_on(ctx, change, field):
    with pytest.raises(ValidationFailed) as failure:
        submit_complaint(ctx, replace(POTHOLE, **change))
    assert field in failure.value.errors


def test_combined_insert_refuses_to_drop_a_callable_column_default():
    """Callable defaults are not applied inside a CTE: leaving one out is a loud error."""
    from lapor_bridge.services.intake.store import _combined_insert

    with pytest.raises(ValueError, match="pauses"):
        _combined_insert(("tracking_number", "title", "created_at", "updated_at"), ())


def write_paths(ctx, monkeypatch, run) -> list[str]:
    """How each complaint INSERT of ``run()`` was sent: "alone" (one statement committing
    by itself, straight to the driver: see tests/integration/test_direct.py), or through
    SQLAlchemy "in a transaction" or "outside one"."""
    from sqlalchemy import event

    paths = []
    alone = intake.insert_complaint_alone
    monkeypatch.setattr(intake, "insert_complaint_alone",
                        lambda *args: paths.append("alone") or alone(*args))

    def seen(connection, cursor, statement, *_):
        if statement.lstrip().upper().startswith(("INSERT INTO COMPLAINTS", "WITH NEW_COMPLAINT")):
            paths.append("in a transaction" if connection.in_transaction() else "outside one")

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    return paths


def test_a_plain_complaint_is_one_statement_on_postgresql_else_a_transaction(ctx, monkeypatch):
    on_postgresql = ctx.engine.dialect.name == "postgresql"
    plain = write_paths(ctx, monkeypatch, lambda: submit_complaint(ctx, POTHOLE))
    with_contact = write_paths(ctx, monkeypatch, lambda: submit_complaint(
        ctx, replace(POTHOLE, contact=ContactInput(phone="081234567890"))))
    assert plain == ["alone" if on_postgresql else "in a transaction"]
    assert with_contact == ["in a transaction"]
    assert count(ctx, Complaint) == 2 and count(ctx, ReporterContact) == 1
    assert count(ctx, OutboxMessage) == 2 and count(ctx, ComplaintEvent) == 4


def test_a_failing_outbox_row_leaves_no_complaint_behind(ctx, monkeypatch):
    """Complaint, events and outbox row are written together or not at all."""
    submit_complaint(ctx, POTHOLE)
    with ctx.read() as session:
        taken = session.scalar(select(OutboxMessage.idempotency_key))
    monkeypatch.setattr(intake, "outbox_create_row", lambda number: {
        "kind": "create", "idempotency_key": taken, "payload": {"tracking_number": number}})
    with pytest.raises(IntegrityError):
        submit_complaint(ctx, POTHOLE)
    assert count(ctx, Complaint) == 1 and count(ctx, ComplaintEvent) == 2


def set_active(ctx, code: str, active: bool) -> None:
    region = select(Region.id).where(Region.code == ctx.settings.app.region_code)
    with ctx.transaction() as session:
        session.execute(update(Agency).where(Agency.code == code,
                                             Agency.region_id == region.scalar_subquery())
                        .values(active=active))


def test_an_agency_deactivated_after_its_place_was_remembered_gets_no_complaint(ctx):
    ctx.classifier = FixedModel([("PUPR", 0.93), ("DLH", 0.04), ("DISHUB", 0.02)])
    assert submit_complaint(ctx, POTHOLE).agency_code == "PUPR"  # the place is remembered
    set_active(ctx, "PUPR", False)
    try:
        again = submit_complaint(ctx, POTHOLE)
    finally:
        set_active(ctx, "PUPR", True)
    assert again.to_triage and again.agency_code == TRIAGE
    with ctx.read() as session:
        stored = session.scalar(select(Complaint).where(
            Complaint.tracking_number == again.tracking_number))
        assert session.get(Agency, stored.agency_id).code == TRIAGE
    assert count(ctx, Complaint) == 2 and count(ctx, OutboxMessage) == 2
