"""Pure pieces of the bot: titles, place matching, similarity, texts, flood guard."""

import asyncio
import string

import pytest
from telegram.ext import ApplicationHandlerStop

from bots import keyboards
from bots.conversation import match_place, title_from
from bots.ratelimit import FloodGuard
from bots.texts import TEXTS, t
from lapor_bridge.domain import categories
from lapor_bridge.services.duplicates import similarity

PLACES = {"Tegal Timur": ["Kejambon", "Panggung"], "Margadana": ["Krandon", "Margadana"]}


def test_title_is_the_first_sentence_cut_at_a_word():
    assert title_from("Lampu jalan mati. Sudah seminggu gelap.") == "Lampu jalan mati"
    long = "kata " * 60
    title = title_from(long)
    assert len(title) <= 150 and title.endswith("kata…")
    assert title_from("Ok. Jalan rusak parah sekali") == "Ok. Jalan rusak parah sekali"


@pytest.mark.parametrize(("typed", "chosen", "expected"), [
    ("panggung", None, ("Tegal Timur", "Panggung")),
    ("Kelurahan  KEJAMBON", None, ("Tegal Timur", "Kejambon")),
    ("margadana", None, ("Margadana", "Margadana")),  # the kelurahan, unique in the region
    ("Kecamatan Tegal Timur", None, ("Tegal Timur", None)),
    ("krandon", "Tegal Timur", ("Margadana", "Krandon")),
    ("Atlantis", None, None),
])
def test_typed_places_are_matched_without_case(typed, chosen, expected):
    assert match_place(PLACES, typed, chosen) == expected


def test_similarity_ignores_stopwords_and_order():
    a = "Jalan berlubang besar di depan pasar, sudah dua minggu"
    b = "Sudah dua minggu ada jalan berlubang besar depan pasar"
    assert similarity(a, b) == 1.0
    assert similarity(a, "Sampah menumpuk di TPS liar") == 0.0


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    def fields(template):
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}
    for key, indonesian in TEXTS.items():
        english = t("en", key)
        assert indonesian and english, key
        assert fields(indonesian) == fields(english), key
    assert t("en", "cancelled").startswith("Report cancelled")
    assert t(None, "cancelled").startswith("Laporan dibatalkan")


def test_category_keyboards_reach_every_category_within_telegrams_limits():
    def data(markup):
        return [button.callback_data for row in markup.inline_keyboard for button in row]

    reachable = []
    for lang in ("id", "en"):
        top = data(keyboards.category_suggestions(["pju", "jalan", "lainnya"], lang))
        assert top == ["cat:pju", "cat:jalan", "cat:lainnya", "cat-groups", "cancel"]
        groups = data(keyboards.category_groups(lang))
        assert groups == [f"catgrp:{g.code}" for g in categories.GROUPS] + ["cat-top", "cancel"]
        for group in categories.GROUPS:
            listed = data(keyboards.category_group(group.code, lang))
            assert listed[-2:] == ["cat-groups", "cancel"]
            reachable += listed[:-2]
    assert sorted(set(reachable)) == sorted(f"cat:{code}" for code in categories.CODES)
    assert max(len(item.encode()) for item in reachable + groups) <= 64


class _Update:
    def __init__(self, user_id):
        self.effective_user = type("U", (), {"id": user_id})()
        self.effective_chat = None
        self.callback_query = None


def test_flood_guard_drops_beyond_the_limit_per_user_and_forgives_later():
    now = [0.0]
    guard = FloodGuard(limit=2, window=10, clock=lambda: now[0])

    def passes(user_id):
        try:
            asyncio.run(guard(_Update(user_id), None))
            return True
        except ApplicationHandlerStop:
            return False

    assert [passes(1), passes(1), passes(1), passes(2)] == [True, True, False, True]
    now[0] = 10.5
    assert passes(1)
