"""Status, field and time mapping between lapor-bridge and LAPOR! (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from lapor_bridge.config import ConfigError, LaporSettings
from lapor_bridge.domain.status import Status
from lapor_bridge.lapor import ComplaintDraft, LaporLog, parse_retry_after
from lapor_bridge.lapor.mapping import (
    LAPOR_NAME,
    UnknownLaporStatus,
    draft_to_payload,
    lapor_category_id,
    parse_lapor_datetime,
    status_from_lapor,
    status_from_report,
    status_rank,
    supersedes,
)
from lapor_bridge.lapor.marker import key_from_tags, marker_tag

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def log(status_new: str, minutes: int, log_id: int = 1) -> LaporLog:
    return LaporLog(
        id=log_id,
        institution_from=None,
        institution_to=None,
        status_old=None,
        status_new=status_new,
        note="",
        created_at=T0 + timedelta(minutes=minutes),
    )


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("Belum Terverifikasi", Status.SUBMITTED),
        ("Terverifikasi", Status.VERIFIED),
        ("Dalam Proses", Status.IN_PROGRESS),
        ("Selesai", Status.RESOLVED),
        ("Diarsipkan", Status.ARCHIVED),
        ("Ditolak", Status.REJECTED),
        ("Terdisposisi ke Dinas Lingkungan Hidup Kota Tegal", Status.DISPOSED),
        ("Ditindaklanjuti oleh Instansi", Status.RESPONDED),
        ("Ditanggapi oleh Pelapor", Status.IN_PROGRESS),
        ("Selesai otomatis dalam 10 hari", Status.AUTO_CLOSED),
        ("  dalam   PROSES ", Status.IN_PROGRESS),
    ],
)
def test_lapor_names_map_to_our_statuses(name, status):
    assert status_from_lapor(name) is status


def test_unknown_status_name_is_refused():
    with pytest.raises(UnknownLaporStatus):
        status_from_lapor("Ditunda")


def test_every_status_has_a_lapor_name_that_maps_back_into_its_family():
    for status in Status:
        coarse = status_from_lapor(LAPOR_NAME[status])
        assert LAPOR_NAME[coarse] == LAPOR_NAME[status]


@pytest.mark.parametrize(
    ("status_name", "logs", "expected"),
    [
        ("Dalam Proses", [], Status.IN_PROGRESS),
        ("Dalam Proses", [log("Terdisposisi ke Dinas Sosial Kota Tegal", 1)], Status.DISPOSED),
        (
            "Dalam Proses",
            [log("Ditindaklanjuti oleh Instansi", 5, 2), log("Terdisposisi ke X", 1, 1)],
            Status.RESPONDED,
        ),
        (
            "Dalam Proses",
            [log("Ditindaklanjuti oleh Instansi", 1, 1), log("Ditanggapi oleh Pelapor", 5, 2)],
            Status.IN_PROGRESS,
        ),
        ("Selesai", [log("Selesai otomatis dalam 10 hari", 9)], Status.AUTO_CLOSED),
        ("Selesai", [log("Ditindaklanjuti oleh Instansi", 9)], Status.RESOLVED),
        ("Diarsipkan", [log("Terdisposisi ke X", 9)], Status.ARCHIVED),
        ("Dalam Proses", [log("Tidak dikenal", 9)], Status.IN_PROGRESS),
    ],
)
def test_newest_log_refines_the_coarse_status(status_name, logs, expected):
    assert status_from_report(status_name, logs) is expected


def test_refinement_uses_id_when_times_tie_and_ignores_list_order():
    logs = [log("Ditanggapi oleh Pelapor", 0, 8), log("Ditindaklanjuti oleh Instansi", 0, 9)]
    assert status_from_report("Dalam Proses", logs) is Status.RESPONDED
    assert status_from_report("Dalam Proses", logs[::-1]) is Status.RESPONDED


def test_rank_follows_the_lifecycle_and_closed_states_share_the_top():
    order = [
        Status.SUBMITTED,
        Status.VERIFIED,
        Status.DISPOSED,
        Status.IN_PROGRESS,
        Status.RESPONDED,
    ]
    ranks = [status_rank(status) for status in order]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    closed = {status_rank(status) for status in Status if status.is_closed}
    assert closed == {max(status_rank(status) for status in Status)}


def test_older_update_never_overwrites_a_newer_state():
    later = T0 + timedelta(hours=1)
    assert not supersedes(Status.RESOLVED, T0, Status.IN_PROGRESS, later)
    assert supersedes(Status.IN_PROGRESS, later, Status.RESPONDED, T0)  # a real reopening
    assert not supersedes(Status.VERIFIED, None, Status.DISPOSED, T0)
    assert supersedes(Status.DISPOSED, T0, Status.VERIFIED, T0)
    assert not supersedes(Status.ARCHIVED, T0, Status.RESOLVED, T0)
    assert not supersedes(Status.DISPOSED, later, Status.DISPOSED, T0)
    assert supersedes(Status.SUBMITTED, None, None, None)


def test_lapor_datetime_is_jakarta_local_time_turned_to_utc():
    parsed = parse_lapor_datetime("01-02-2025 07:30:05")
    assert parsed == datetime(2025, 2, 1, 0, 30, 5, tzinfo=UTC)
    assert parsed.tzinfo is UTC
    with pytest.raises(ValueError):
        parse_lapor_datetime("2025-02-01 07:30:05")


def test_payload_carries_marker_and_deployment_defaults():
    settings = LaporSettings(channel_id=4, user_id=77, classification_id=3, location_id=3376)
    draft = ComplaintDraft(
        title="Sampah",
        content="Tumpukan sampah",
        disposition_id=1003,
        category_id=12,
        date_of_incident=date(2025, 5, 17),
        is_anonymous=True,
        attachment_ids=(5, 6),
        tags=("banjir",),
    )
    payload = draft_to_payload(draft, settings, "outbox-42")
    assert payload["tags_raw"] == "banjir,lapor-bridge:outbox-42"
    assert (payload["channel"], payload["user_id"]) == (4, 77)
    assert (payload["classification_id"], payload["category_id"]) == (3, 12)
    assert payload["location_id"] == 3376
    assert payload["date_of_incident"] == "2025-05-17"
    assert (payload["is_anonymous"], payload["is_secret"]) == (1, 0)
    assert payload["attachments"] == [5, 6]


def test_a_service_category_files_the_report_under_its_configured_lapor_category():
    settings = LaporSettings(category_id=1, category_ids=(
        "Perhubungan=14", "Pekerjaan Umum dan Penataan Ruang=9"))
    draft = ComplaintDraft(title="Lampu", content="Lampu jalan mati", disposition_id=1006)
    assert lapor_category_id(settings, "parkir") == 14
    assert draft_to_payload(replace(draft, service_category="jalan"), settings, "k")[
        "category_id"] == 9
    for unmapped in (None, "lainnya", "sampah"):  # no LAPOR! category, or none configured
        assert draft_to_payload(replace(draft, service_category=unmapped), settings, "k")[
            "category_id"] == 1
    assert draft_to_payload(replace(draft, service_category="jalan", category_id=3),
                            settings, "k")["category_id"] == 3
    with pytest.raises(ConfigError):
        lapor_category_id(LaporSettings(category_ids=("Perhubungan",)), "parkir")


def test_marker_round_trip_and_unusable_keys():
    assert key_from_tags(["banjir", marker_tag("abc-1")]) == "abc-1"
    assert key_from_tags(["banjir"]) is None
    for bad in ("", "a,b", " padded"):
        with pytest.raises(ValueError):
            marker_tag(bad)


def test_retry_after_parses_seconds_and_http_dates():
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
