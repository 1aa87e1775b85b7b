"""Inline and reply keyboards. Callback data is ``<prefix>:<value>`` (at most 64 bytes)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bots.texts import LANGUAGES, t
from lapor_bridge.domain import categories

CATEGORY = "cat"
CATEGORY_GROUP = "catgrp"
CATEGORY_GROUPS = "cat-groups"
CATEGORY_TOP = "cat-top"
KECAMATAN = "kec"
KELURAHAN = "kel"
BACK = "kec-back"
LOCATION_YES = "loc-yes"
LOCATION_OTHER = "loc-other"
PHOTOS_DONE = "photos-done"
PRIVACY = "priv"
PRIVACY_CHOICES = {"public": (False, False), "anon": (True, False),
                   "secret": (False, True), "both": (True, True)}
SEND = "send"
FOLLOW = "follow"
CANCEL = "cancel"
REPLY = "reply"
LANGUAGE = "lang"


def _grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def share_location(lang: str) -> ReplyKeyboardMarkup:
    """A one-time keyboard with Telegram's "share my location" button."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t(lang, "button_share_location"), request_location=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )


def category_suggestions(codes: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """The suggested categories (best first, one a row), "Lainnya / tidak tahu", then
    "Kategori lain" (the whole list by group) and Cancel."""
    rows = [[_category(code, lang)] for code in codes if code != categories.OTHER]
    more = InlineKeyboardButton(t(lang, "button_other_category"), callback_data=CATEGORY_GROUPS)
    return InlineKeyboardMarkup([*rows, [_category(categories.OTHER, lang)],
                                 [more, _cancel(lang)]])


def category_groups(lang: str) -> InlineKeyboardMarkup:
    """One button per group of the category list, then « Back (to the suggestions)."""
    rows = [[InlineKeyboardButton(group_label(group, lang),
                                  callback_data=f"{CATEGORY_GROUP}:{group.code}")]
            for group, _ in categories.grouped()]
    back = InlineKeyboardButton(t(lang, "button_back"), callback_data=CATEGORY_TOP)
    return InlineKeyboardMarkup([*rows, [back, _cancel(lang)]])


def category_group(group_code: str, lang: str) -> InlineKeyboardMarkup:
    """The categories of one group, then « Back (to the groups)."""
    rows = [[_category(category.code, lang)] for category in categories.CATEGORIES
            if category.group == group_code]
    back = InlineKeyboardButton(t(lang, "button_back"), callback_data=CATEGORY_GROUPS)
    return InlineKeyboardMarkup([*rows, [back, _cancel(lang)]])


def group_label(group: categories.CategoryGroup, lang: str) -> str:
    """A group of the category list as shown (English with ``lang="en"``)."""
    return group.name_en if lang == "en" else group.name


def kecamatan(names: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """One button per kecamatan, two a row, and Cancel."""
    buttons = [InlineKeyboardButton(name, callback_data=f"{KECAMATAN}:{name}") for name in names]
    return InlineKeyboardMarkup([*_grid(buttons, 2), [_cancel(lang)]])


def kelurahan(names: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """One button per kelurahan, two a row, then "another kecamatan" and Cancel."""
    buttons = [InlineKeyboardButton(name, callback_data=f"{KELURAHAN}:{name}") for name in names]
    back = InlineKeyboardButton(t(lang, "button_other_kecamatan"), callback_data=BACK)
    return InlineKeyboardMarkup([*_grid(buttons, 2), [back, _cancel(lang)]])


def location_confirm(lang: str) -> InlineKeyboardMarkup:
    """The kelurahan found from a shared point: "Ya, benar" / "Pilih kelurahan lain"."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t(lang, "button_location_yes"), callback_data=LOCATION_YES),
        InlineKeyboardButton(t(lang, "button_location_other"), callback_data=LOCATION_OTHER),
    ]])


def photos(lang: str, have_photos: bool) -> InlineKeyboardMarkup:
    """Continue (without photos, or done adding them) and Cancel."""
    label = t(lang, "button_photos_done" if have_photos else "button_photos_skip")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=PHOTOS_DONE)], [_cancel(lang)]]
    )


def privacy(lang: str) -> InlineKeyboardMarkup:
    """The four identity choices and Cancel."""
    buttons = [InlineKeyboardButton(t(lang, f"privacy_{choice}"),
                                    callback_data=f"{PRIVACY}:{choice}")
               for choice in PRIVACY_CHOICES]
    return InlineKeyboardMarkup([*_grid(buttons, 2), [_cancel(lang)]])


def confirm(lang: str, similar_number: str | None) -> InlineKeyboardMarkup:
    """Send / Cancel, with "follow #N" first when a similar open complaint exists."""
    if similar_number is None:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(lang, "button_send"), callback_data=SEND)], [_cancel(lang)]]
        )
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t(lang, "button_follow", number=similar_number),
                              callback_data=f"{FOLLOW}:{similar_number}")],
        [InlineKeyboardButton(t(lang, "button_send_anyway"), callback_data=SEND)],
        [_cancel(lang)],
    ])


def reply_button(lang: str, tracking_number: str) -> InlineKeyboardMarkup:
    """The "Balas" button under a notification."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(lang, "button_reply"), callback_data=f"{REPLY}:{tracking_number}")]])


def languages() -> InlineKeyboardMarkup:
    """One button per supported language, each named in itself."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t(code, f"language_name_{code}"), callback_data=f"{LANGUAGE}:{code}")
        for code in LANGUAGES]])


def value(callback_data: str) -> str:
    """The part of ``prefix:value`` callback data after the prefix."""
    return callback_data.split(":", 1)[1] if ":" in callback_data else ""


def with_value(prefix: str) -> str:
    """The regex matching ``prefix:<value>`` callback data."""
    return rf"^{prefix}:"


def exactly(data: str) -> str:
    """The regex matching exactly this callback data."""
    return rf"^{data}$"


def _category(code: str, lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(categories.label(code, lang), callback_data=f"{CATEGORY}:{code}")


def _cancel(lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, "button_cancel"), callback_data=CANCEL)

