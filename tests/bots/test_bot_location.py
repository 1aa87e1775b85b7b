"""A shared location picks the kelurahan: one confirm, "pilih lain" falls back to the lists,
a point outside the service area is refused by name; through the fake Bot API."""

import pytest
from sqlalchemy import select, update

from lapor_bridge.db.models import Complaint, District, Village
from lapor_bridge.services.intake.submit import ComplaintInput, submit_complaint
from lapor_bridge.services.places.demo import load_demo_boundaries
from tests.bots.test_bot_category import CATEGORY_MODEL, DRAIN
from tests.bots.test_bot_conversation import POTHOLE, _answer_category_if_asked
from tests.places.conftest import neighbours, places  # noqa: F401 - fixtures

PEKAUMAN = (-6.8694385, 109.131063)     # inside Kelurahan Pekauman, Tegal Barat
SLAWI = (-6.9895205, 109.1452832)       # Slawi Wetan, Kabupaten Tegal: another region
CONFIRM = "Kelurahan Pekauman, Tegal Barat — benar?"


@pytest.fixture
def boundaries(ctx):
    """The demo boundaries (wiped with the complaint data after every test)."""
    load_demo_boundaries(ctx)
    return ctx


@pytest.fixture
def neighbour_boundaries(neighbours):  # noqa: F811 - the imported fixture
    """The demo boundaries with Kabupaten Tegal's places known too (removed after)."""
    load_demo_boundaries(neighbours)
    return neighbours


def _ask_where(fake, chat) -> None:
    fake.send_text(chat, "/lapor")
    fake.wait_for(chat, "Ceritakan masalahnya")
    fake.send_text(chat, POTHOLE)
    _answer_category_if_asked(fake, chat)
    fake.wait_for(chat, "Di mana lokasinya?")
    fake.wait_for(chat, "Pilih kecamatan")


def _send(fake, chat) -> str:
    fake.wait_for(chat, "Ada foto?")
    fake.press(chat, "photos-done")
    fake.press(chat, "priv:public")
    summary = fake.wait_for(chat, "Periksa laporan Anda")
    fake.press(chat, "send")
    fake.wait_for(chat, "Nomor laporan Anda:")
    return summary["text"]


def _stored(ctx) -> list[tuple[str, str, float | None, float | None]]:
    with ctx.read() as session:
        return session.execute(
            select(District.name, Village.name, Complaint.lat, Complaint.lon)
            .join(Village, Village.id == Complaint.village_id)
            .join(District, District.id == Village.district_id)).all()


def _answered(fake, query_id, text):
    fake.wait_until(lambda: any(text in (answer.get("text") or "")
                                for answer in fake.answers(query_id)))


def test_a_shared_location_asks_one_confirm_and_files_its_kelurahan(
        boundaries, start_bot, fake_api, ctx):
    start_bot()
    chat = 5801
    _ask_where(fake_api, chat)
    fake_api.send_location(chat, *PEKAUMAN)
    question = fake_api.wait_for(chat, CONFIRM)
    assert fake_api.buttons(question) == [
        [("Ya, benar", "loc-yes"), ("Pilih kelurahan lain", "loc-other")]]
    fake_api.press(chat, "loc-yes")
    echo = fake_api.wait_for(chat, "Lokasi: Kelurahan Pekauman, Kecamatan Tegal Barat")
    assert echo["message_id"] == question["message_id"] and not fake_api.buttons(echo)
    # the same tap delivered again: answered as stale, nothing asked twice
    again = fake_api.press(chat, "loc-yes", message_id=question["message_id"])
    _answered(fake_api, again, "tidak berlaku")
    summary = _send(fake_api, chat)
    assert "Kelurahan Pekauman, Kecamatan Tegal Barat (titik peta terlampir)" in summary
    assert _stored(ctx) == [("Tegal Barat", "Pekauman", *PEKAUMAN)]
    assert sum("Ada foto?" in (m["text"] or "") for m in fake_api.outgoing(chat)) == 1


def test_another_kelurahan_falls_back_to_the_lists_and_keeps_the_point(
        boundaries, start_bot, fake_api, ctx):
    start_bot()
    chat = 5802
    _ask_where(fake_api, chat)
    fake_api.send_location(chat, *PEKAUMAN)
    question = fake_api.wait_for(chat, CONFIRM)
    fake_api.press(chat, "loc-other")
    lists = fake_api.wait_for(chat, "Pilih kecamatan")
    assert lists["message_id"] == question["message_id"]  # the question became the list
    assert ("Tegal Timur", "kec:Tegal Timur") in [b for row in fake_api.buttons(lists)
                                                   for b in row]
    fake_api.press(chat, "kec:Tegal Timur", message_id=lists["message_id"])
    fake_api.wait_for(chat, "Kecamatan Tegal Timur. Pilih kelurahan")
    fake_api.press(chat, "kel:Panggung")
    _send(fake_api, chat)
    assert _stored(ctx) == [("Tegal Timur", "Panggung", *PEKAUMAN)]


def test_a_point_in_another_region_is_refused_by_name_then_the_lists(
        neighbour_boundaries, start_bot, fake_api, ctx):
    start_bot()
    chat = 5803
    _ask_where(fake_api, chat)
    fake_api.send_location(chat, *SLAWI)
    refused = fake_api.wait_for(chat, "Kabupaten Tegal")
    assert refused["text"].startswith("Titik ini berada di Kabupaten Tegal, bukan di wilayah")
    assert "pilih kecamatan dan kelurahan dari daftar" in refused["text"]
    fake_api.wait_for(chat, "Pilih kecamatan")
    fake_api.press(chat, "kec:Margadana")
    fake_api.press(chat, "kel:Krandon")
    _send(fake_api, chat)
    assert _stored(ctx) == [("Margadana", "Krandon", None, None)]  # that point is not kept


def test_a_point_far_away_names_the_nearest_region(boundaries, start_bot, fake_api):
    start_bot()
    chat = 5804
    _ask_where(fake_api, chat)
    fake_api.send_location(chat, -6.2, 106.8)  # Jakarta
    refused = fake_api.wait_for(chat, "di luar wilayah layanan")
    assert "Kota Tegal" in refused["text"]
    fake_api.wait_for(chat, "Pilih kecamatan")


def test_confirm_buttons_out_of_turn_are_answered_as_stale(boundaries, start_bot, fake_api):
    start_bot()
    chat = 5805
    _ask_where(fake_api, chat)
    where = fake_api.outgoing(chat)[-1]["message_id"]
    forged = fake_api.press(chat, "loc-yes", message_id=where)  # no question pending
    _answered(fake_api, forged, "tidak berlaku")
    fake_api.send_location(chat, *PEKAUMAN)
    first = fake_api.wait_for(chat, CONFIRM)
    fake_api.send_location(chat, *PEKAUMAN)  # shared again: a new question
    second = fake_api.wait_for(chat, CONFIRM)
    older = fake_api.press(chat, "loc-other", message_id=first["message_id"])
    _answered(fake_api, older, "tidak berlaku")
    fake_api.press(chat, "loc-yes", message_id=second["message_id"])
    fake_api.wait_for(chat, "Lokasi: Kelurahan Pekauman, Kecamatan Tegal Barat")


def test_an_open_complaint_of_the_same_category_close_by_is_offered(
        boundaries, start_bot, fake_api, ctx):
    earlier = submit_complaint(ctx, ComplaintInput(
        title="Got mampet di gang tujuh", description="Got mampet, air hitam menggenang "
        "sampai teras rumah warga gang tujuh.", kecamatan="Tegal Barat",
        kelurahan="Pekauman", lat=PEKAUMAN[0] + 0.0005, lon=PEKAUMAN[1], category="drainase"))
    with ctx.transaction() as session:  # whatever the test model routed it as
        session.execute(update(Complaint).values(category="drainase"))
    start_bot(classifier=CATEGORY_MODEL)
    chat = 5806
    fake_api.send_text(chat, "/lapor")
    fake_api.send_text(chat, DRAIN)
    fake_api.press(chat, "cat:drainase")
    fake_api.wait_for(chat, "Di mana lokasinya?")
    fake_api.send_location(chat, *PEKAUMAN)
    fake_api.wait_for(chat, CONFIRM)
    fake_api.press(chat, "loc-yes")
    fake_api.press(chat, "photos-done")
    fake_api.press(chat, "priv:public")
    offer = fake_api.wait_for(chat, f"Di dekat lokasi ini (±56 m) sudah ada laporan "
                                    f"{earlier.tracking_number}")
    assert "Got mampet di gang tujuh" in offer["text"]
    assert fake_api.buttons(offer)[0] == [(f"Ikuti {earlier.tracking_number}",
                                           f"follow:{earlier.tracking_number}")]
