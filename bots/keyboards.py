"""Inline and reply keyboards. Callback data is ``<prefix>:<value>`` (at most 64 bytes)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bots.texts import LANGUAGES, t

KECAMATAN = "kec"
KELURAHAN = "kel"
BACK = "kec-back"
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


def kecamatan(names: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """One button per kecamatan, two a row, and Cancel."""
    buttons = [InlineKeyboardButton(name, callback_data=f"{KECAMATAN}:{name}") for name in names]
    return InlineKeyboardMarkup([*_grid(buttons, 2), [_cancel(lang)]])


def kelurahan(names: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """One button per kelurahan, two a row, then "another kecamatan" and Cancel."""
    buttons = [InlineKeyboardButton(name, callback_data=f"{KELURAHAN}:{name}") for name in names]
    back = InlineKeyboardButton(t(lang, "button_other_kecamatan"), callback_data=BACK)
    return InlineKeyboardMarkup([*_grid(buttons, 2), [back, _cancel(lang)]])


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


def _cancel(lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, "button_cancel"), callback_data=CANCEL)

