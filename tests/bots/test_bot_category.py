"""The category step of /lapor: the model's top 3 + "Lainnya / tidak tahu", one tap, routed."""

import pytest
from sqlalchemy import select

from lapor_bridge.db.models import Agency, Complaint
from lapor_bridge.domain.categories import GROUPS
from lapor_bridge.domain.routing import (
    LEGACY_AGENCY_MODEL,
    MODEL_CATEGORY,
    NO_MODEL,
    RESIDENT_CATEGORY,
)
from tests.fakes import FixedModel

DRAIN = ("Saluran air di depan SD Negeri 5 Panggung tersumbat sampah dan lumpur, tiap hujan "
         "airnya meluap ke jalan dan rumah warga.")
# A category model: drains first, roads and flooding behind (all three PUPR in the demo
# table), "lainnya" never suggested.
CATEGORY_MODEL = FixedModel([("drainase", 0.55), ("jalan", 0.30), ("banjir", 0.10),
                             ("lainnya", 0.03), ("sampah", 0.02)], target="category")
ASK = "Masalah ini termasuk kategori apa?"


def _ask_category(fake, chat, description=DRAIN) -> dict:
    fake.send_text(chat, "/lapor")
    fake.wait_for(chat, "Ceritakan masalahnya")
    fake.send_text(chat, description)
    return fake.wait_for(chat, ASK)


def _finish(fake, chat, kecamatan="Tegal Timur", kelurahan="Panggung") -> dict:
    """From the location question to the tracking number; returns the summary."""
    fake.wait_for(chat, "Di mana lokasinya?")
    fake.press(chat, f"kec:{kecamatan}")
    fake.press(chat, f"kel:{kelurahan}")
    fake.press(chat, "photos-done")
    fake.press(chat, "priv:public")
    summary = fake.wait_for(chat, "Periksa laporan Anda")
    fake.press(chat, "send")
    fake.wait_for(chat, "Nomor laporan Anda:")
    return summary


def _stored(ctx) -> list[tuple[Complaint, str]]:
    with ctx.read() as session:
        return session.execute(select(Complaint, Agency.code).join(
            Agency, Agency.id == Complaint.agency_id).order_by(Complaint.id)).all()


def _answered(fake, query_id, text):
    fake.wait_until(lambda: any(text in (answer.get("text") or "")
                                for answer in fake.answers(query_id)))


def test_top_three_and_not_sure_are_offered_and_a_tap_routes_by_it(start_bot, fake_api, ctx):
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5201
    question = _ask_category(fake_api, chat)
    assert fake_api.buttons(question) == [
        [("Saluran dan drainase", "cat:drainase")],
        [("Jalan rusak dan perbaikan jalan", "cat:jalan")],
        [("Banjir", "cat:banjir")],
        [("Lainnya / tidak tahu", "cat:lainnya")],
        [("Kategori lain", "cat-groups"), ("Batal", "cancel")],
    ]
    fake_api.press(chat, "cat:jalan")  # not the model's first choice
    # Telegram delivers the same tap again: answered as stale, nothing asked twice
    again = fake_api.press(chat, "cat:jalan", message_id=question["message_id"])
    echo = fake_api.wait_for(chat, "Kategori: Jalan rusak dan perbaikan jalan")
    assert echo["message_id"] == question["message_id"] and not fake_api.buttons(echo)
    _answered(fake_api, again, "tidak berlaku")
    summary = _finish(fake_api, chat)
    assert ("Kategori: Jalan rusak dan perbaikan jalan\n"
            "Akan diteruskan ke: Dinas Pekerjaan Umum dan Penataan Ruang Kota Tegal"
            in summary["text"])
    asked = [m for m in fake_api.outgoing(chat) if "Di mana lokasinya?" in (m["text"] or "")]
    assert len(asked) == 1

    [(complaint, agency)] = _stored(ctx)
    assert (complaint.resident_category, complaint.category) == ("jalan", "jalan")
    assert complaint.suggested_category == "drainase"
    assert (complaint.route_reason, agency) == (RESIDENT_CATEGORY, "PUPR")
    assert complaint.channel == "telegram" and complaint.description == DRAIN


def test_not_sure_leaves_the_category_to_the_model(start_bot, fake_api, ctx):
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5202
    _ask_category(fake_api, chat)
    fake_api.press(chat, "cat:lainnya")
    fake_api.wait_for(chat, "Kategori: Lainnya / tidak tahu")
    _finish(fake_api, chat)
    [(complaint, agency)] = _stored(ctx)
    assert complaint.resident_category == "lainnya"
    assert (complaint.category, complaint.route_reason, agency) == (
        "drainase", MODEL_CATEGORY, "PUPR")


def test_other_categories_are_listed_by_group(start_bot, fake_api, ctx):
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5203
    question = _ask_category(fake_api, chat)
    fake_api.press(chat, "cat-groups")
    groups = fake_api.wait_for(chat, "Pilih kelompok masalahnya")
    assert [row[0][1] for row in fake_api.buttons(groups)[:-1]] == [
        f"catgrp:{group.code}" for group in GROUPS]
    fake_api.press(chat, "cat-top")  # « Kembali: the suggestions again
    again = fake_api.wait_for(chat, ASK)
    assert fake_api.buttons(again) == fake_api.buttons(question)
    fake_api.press(chat, "cat-groups")
    fake_api.press(chat, "catgrp:prasarana")
    listed = fake_api.wait_for(chat, "Jalan, saluran dan prasarana. Pilih kategori:")
    assert ("Penerangan jalan umum (PJU)", "cat:pju") in [
        button for row in fake_api.buttons(listed) for button in row]
    assert listed["message_id"] == question["message_id"]  # one message, edited in place
    fake_api.press(chat, "cat:pju")
    fake_api.wait_for(chat, "Kategori: Penerangan jalan umum (PJU)")
    summary = _finish(fake_api, chat)
    assert "Akan diteruskan ke: Dinas Perhubungan Kota Tegal" in summary["text"]
    [(complaint, agency)] = _stored(ctx)
    assert (complaint.resident_category, complaint.category, agency) == ("pju", "pju", "DISHUB")


def test_category_names_follow_the_chat_language(start_bot, fake_api, ctx):
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5204
    fake_api.send_text(chat, "/bahasa en")
    fake_api.wait_for(chat, "Language set to English")
    fake_api.send_text(chat, DRAIN)

    def question():
        return next((m for m in fake_api.outgoing(chat)
                     if ("Other / not sure", "cat:lainnya") in sum(fake_api.buttons(m), [])),
                    None)

    fake_api.wait_until(lambda: question() is not None)
    labels = [label for row in fake_api.buttons(question()) for label, _ in row]
    assert labels[:4] == ["Drains and channels", "Damaged roads and road works", "Floods",
                          "Other / not sure"]


def test_forged_and_old_category_buttons_are_answered_and_lose_nothing(start_bot, fake_api,
                                                                       ctx):
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5205
    old = _ask_category(fake_api, chat)
    fake_api.send_text(chat, "/batal")
    fake_api.wait_for(chat, "Laporan dibatalkan")
    question = _ask_category(fake_api, chat)
    forged = fake_api.press(chat, "cat:kucing_hilang", message_id=question["message_id"])
    _answered(fake_api, forged, "Kategori ini tidak dikenal")
    forged_group = fake_api.press(chat, "catgrp:rahasia", message_id=question["message_id"])
    _answered(fake_api, forged_group, "Kategori ini tidak dikenal")
    stale = fake_api.press(chat, "cat:pju", message_id=old["message_id"])  # the cancelled report
    _answered(fake_api, stale, "tidak berlaku")
    fake_api.send_text(chat, "pju saja")
    fake_api.wait_for(chat, "Pilih salah satu tombol di atas")
    assert _stored(ctx) == []
    assert not any("Di mana lokasinya?" in (m["text"] or "") for m in fake_api.outgoing(chat))
    fake_api.press(chat, "cat:banjir", message_id=question["message_id"])
    fake_api.wait_for(chat, "Kategori: Banjir")
    _finish(fake_api, chat)
    [(complaint, _)] = _stored(ctx)
    assert complaint.resident_category == "banjir" and complaint.description == DRAIN


@pytest.mark.parametrize("model", [FixedModel.routing_to("DLH"), None],
                         ids=["legacy-agency-model", "no-model"])
def test_without_a_category_model_the_step_is_skipped(start_bot, fake_api, ctx, model):
    start_bot(classifier=model)
    chat = 5206
    fake_api.send_text(chat, "/lapor")
    fake_api.wait_for(chat, "Ceritakan masalahnya")
    fake_api.send_text(chat, DRAIN)
    summary = _finish(fake_api, chat)  # the location question comes at once
    texts = [m["text"] or "" for m in fake_api.outgoing(chat)]
    assert not any(ASK in text or "Kategori:" in text for text in texts)
    assert "Kategori" not in summary["text"]
    [(complaint, agency)] = _stored(ctx)
    assert complaint.resident_category is None
    if model is None:
        assert (complaint.route_reason, agency) == (NO_MODEL, "TRIAGE")
    else:
        assert (complaint.route_reason, agency) == (LEGACY_AGENCY_MODEL, "DLH")


def test_restart_at_the_category_question_keeps_it(start_bot, fake_api, ctx):
    first = start_bot(classifier=CATEGORY_MODEL)
    chat = 5207
    question = _ask_category(fake_api, chat)
    first.stop()
    start_bot(classifier=CATEGORY_MODEL)
    fake_api.press(chat, "cat:drainase", message_id=question["message_id"])
    fake_api.wait_for(chat, "Kategori: Saluran dan drainase")
    _finish(fake_api, chat)
    [(complaint, _)] = _stored(ctx)
    assert complaint.resident_category == "drainase" and complaint.description == DRAIN
