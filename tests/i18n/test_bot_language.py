"""The bot reads its English from the one catalogue; service errors follow /bahasa too."""

from bots.texts import TEXTS, t
from lapor_bridge.translations import Message, localize_in


def test_bot_english_comes_from_the_catalogue():
    assert t("en", "language_set") == "Language set to English."
    assert t("id", "language_set") == TEXTS["language_set"]
    assert t("en", "photo_received", count=1, maximum=3) == "Photo 1 of 3 received."
    translated = [key for key in TEXTS if t("en", key) != TEXTS[key]]
    assert len(translated) > len(TEXTS) - 5  # only names and bare placeholders stay as they are


def test_a_service_error_is_shown_in_the_chosen_language():
    error = Message("Paling banyak {count} foto.", count=3)
    assert t("id", "submit_refused", reasons=localize_in(error, "id")).startswith(
        "Laporan belum dapat dikirim: Paling banyak 3 foto.")
    assert t("en", "submit_refused", reasons=localize_in(error, "en")).startswith(
        "The report could not be sent yet: At most 3 photos.")
