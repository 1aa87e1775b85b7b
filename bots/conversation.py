"""The reporting conversation: describe → category → location → photos → identity →
summary → send.

A shared map point picks the kelurahan (``locate``) and asks one confirm; "Pilih
kelurahan lain", or a point outside the service area, falls back to the kecamatan and
kelurahan lists (the lists stay usable meanwhile).

One ``async def`` per step; each returns the next state. The category step offers the
model's likeliest service categories and is skipped when there is no category model.
The draft lives in ``user_data`` (persisted in the database), so a restart of the bot
loses nothing. On confirm the draft goes through the same ``submit_complaint`` as the
web form, with the category the resident tapped.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from datetime import timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bots import keyboards
from bots.context import BotContext
from bots.photos import PhotoRefused, check_telegram_photo, download
from lapor_bridge.config import TelegramSettings
from lapor_bridge.domain import categories
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.duplicates import find_similar_open
from lapor_bridge.services.errors import NotFound, ValidationFailed
from lapor_bridge.services.intake.routing import suggest_categories
from lapor_bridge.services.intake.submit import (
    DESCRIPTION_LIMITS,
    TITLE_LIMITS,
    ComplaintInput,
    ContactInput,
    submit_complaint,
)
from lapor_bridge.services.places.lookup import Located, LocationRefused, locate
from lapor_bridge.services.residents import follow_complaint
from lapor_bridge.services.routing_preview import predict_destination
from lapor_bridge.services.wilayah import kecamatan_map

NAME = "lapor"
DESCRIBE, CATEGORY, LOCATION, LOCATED, KELURAHAN, PHOTOS, PRIVACY, CONFIRM = (
    "describe", "category", "location", "located", "kelurahan", "photos", "privacy", "confirm"
)
DRAFT = "draft"
PLACE_FIELDS = {"kecamatan", "kelurahan", "region"}
SENTENCE_END = re.compile(r"[.!?\n]")


def build_report_conversation(settings: TelegramSettings) -> ConversationHandler:
    """The persistent reporting conversation with its idle timeout."""
    text = filters.TEXT & ~filters.COMMAND
    anything_else = filters.ALL & ~filters.COMMAND
    with warnings.catch_warnings():
        # PTB warns that callback queries are tracked per chat, not per message: intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            name=NAME,
            persistent=True,
            conversation_timeout=timedelta(seconds=settings.conversation_timeout_seconds),
            entry_points=[
                CommandHandler("lapor", start_report),
                MessageHandler(text & filters.ChatType.PRIVATE, start_with_text),
            ],
            states={
                DESCRIBE: [MessageHandler(text, got_description),
                           MessageHandler(anything_else, describe_expected)],
                CATEGORY: [
                    CallbackQueryHandler(picked_category,
                                         pattern=keyboards.with_value(keyboards.CATEGORY)),
                    CallbackQueryHandler(show_category_groups,
                                         pattern=keyboards.exactly(keyboards.CATEGORY_GROUPS)),
                    CallbackQueryHandler(show_category_group,
                                         pattern=keyboards.with_value(keyboards.CATEGORY_GROUP)),
                    CallbackQueryHandler(show_category_suggestions,
                                         pattern=keyboards.exactly(keyboards.CATEGORY_TOP)),
                    MessageHandler(anything_else, choice_expected),
                ],
                LOCATION: [
                    MessageHandler(filters.LOCATION, got_location),
                    CallbackQueryHandler(picked_kecamatan,
                                         pattern=keyboards.with_value(keyboards.KECAMATAN)),
                    MessageHandler(text, typed_place),
                    MessageHandler(anything_else, location_expected),
                ],
                LOCATED: [
                    CallbackQueryHandler(location_confirmed,
                                         pattern=keyboards.exactly(keyboards.LOCATION_YES)),
                    CallbackQueryHandler(location_other,
                                         pattern=keyboards.exactly(keyboards.LOCATION_OTHER)),
                    CallbackQueryHandler(picked_kecamatan,
                                         pattern=keyboards.with_value(keyboards.KECAMATAN)),
                    MessageHandler(filters.LOCATION, got_location),
                    MessageHandler(text, typed_place),
                    MessageHandler(anything_else, choice_expected),
                ],
                KELURAHAN: [
                    CallbackQueryHandler(picked_kelurahan,
                                         pattern=keyboards.with_value(keyboards.KELURAHAN)),
                    CallbackQueryHandler(other_kecamatan,
                                         pattern=keyboards.exactly(keyboards.BACK)),
                    MessageHandler(filters.LOCATION, got_location),
                    MessageHandler(text, typed_place),
                    MessageHandler(anything_else, location_expected),
                ],
                PHOTOS: [
                    MessageHandler(filters.PHOTO, got_photo),
                    MessageHandler(filters.Document.ALL, got_document),
                    CallbackQueryHandler(photos_done,
                                         pattern=keyboards.exactly(keyboards.PHOTOS_DONE)),
                    MessageHandler(anything_else, photos_expected),
                ],
                PRIVACY: [
                    CallbackQueryHandler(picked_privacy,
                                         pattern=keyboards.with_value(keyboards.PRIVACY)),
                    MessageHandler(anything_else, choice_expected),
                ],
                CONFIRM: [
                    CallbackQueryHandler(confirmed, pattern=keyboards.exactly(keyboards.SEND)),
                    CallbackQueryHandler(follow_instead,
                                         pattern=keyboards.with_value(keyboards.FOLLOW)),
                    MessageHandler(anything_else, choice_expected),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, expired)],
            },
            fallbacks=[
                CommandHandler("batal", cancel),
                CallbackQueryHandler(cancel, pattern=keyboards.exactly(keyboards.CANCEL)),
                CommandHandler("lapor", start_report),
            ],
        )


async def start_report(update: Update, context: BotContext) -> str:
    """/lapor: start a fresh draft and ask for the description."""
    context.user_data[DRAFT] = {}
    await update.effective_message.reply_text(
        context.text("ask_description"), reply_markup=ReplyKeyboardRemove())
    return DESCRIBE


async def start_with_text(update: Update, context: BotContext) -> str:
    """A text while idle: treat it as the description of a new report."""
    context.user_data[DRAFT] = {}
    return await got_description(update, context)


async def got_description(update: Update, context: BotContext) -> str:
    """Keep the description when its length is acceptable, then offer the model's
    likeliest categories (or, without a category model, ask where at once)."""
    description = update.message.text.strip()
    low, high = DESCRIPTION_LIMITS
    if len(description) < low:
        await update.message.reply_text(context.text("description_too_short", minimum=low))
        return DESCRIBE
    if len(description) > high:
        await update.message.reply_text(context.text("description_too_long", maximum=high))
        return DESCRIBE
    draft = _draft(context)
    draft["description"] = description
    suggested = await asyncio.to_thread(suggested_categories, context.services, description)
    if not suggested:
        return await _ask_location(update.message, context)
    draft["suggested"] = suggested
    question = await update.message.reply_text(
        context.text("ask_category"),
        reply_markup=keyboards.category_suggestions(suggested, context.lang))
    draft["category_message"] = question.message_id
    return CATEGORY


async def picked_category(update: Update, context: BotContext) -> str | None:
    """A category button: keep it, show it, and ask where."""
    query = await _category_question(update, context)
    if query is None:
        return None
    code = keyboards.value(query.data)
    if not categories.is_category(code):
        await query.answer(context.text("category_unknown"))
        return None
    await query.answer()
    _draft(context)["category"] = code
    await query.edit_message_text(
        context.text("category_chosen", category=categories.label(code, context.lang)))
    return await _ask_location(query.message, context)


async def show_category_groups(update: Update, context: BotContext) -> None:
    """Kategori lain: the groups of the whole list."""
    query = await _category_question(update, context)
    if query is None:
        return
    await query.answer()
    await _edit_question(query, context.text("pick_category_group"),
                         keyboards.category_groups(context.lang))


async def show_category_group(update: Update, context: BotContext) -> None:
    """A group button: its categories."""
    query = await _category_question(update, context)
    if query is None:
        return
    wanted = keyboards.value(query.data)
    group = next((group for group in categories.GROUPS if group.code == wanted), None)
    if group is None:
        await query.answer(context.text("category_unknown"))
        return
    await query.answer()
    await _edit_question(
        query, context.text("pick_category", group=keyboards.group_label(group, context.lang)),
        keyboards.category_group(group.code, context.lang))


async def show_category_suggestions(update: Update, context: BotContext) -> None:
    """« Kembali from the groups: the suggestions again."""
    query = await _category_question(update, context)
    if query is None:
        return
    await query.answer()
    await _edit_question(query, context.text("ask_category"), keyboards.category_suggestions(
        _draft(context).get("suggested", []), context.lang))


def suggested_categories(services: ServiceContext, description: str) -> list[str]:
    """The codes of the model's likeliest categories for a description, as intake will
    classify it (title and description); none without a category model."""
    try:
        found = suggest_categories(services, f"{title_from(description)}\n{description}")
    except ValidationFailed:
        return []
    return [suggestion.code for suggestion in found]


async def describe_expected(update: Update, context: BotContext) -> str:
    """Anything but text while waiting for the description."""
    await update.effective_message.reply_text(context.text("describe_expected"))
    return DESCRIBE


async def got_location(update: Update, context: BotContext) -> str:
    """A shared map point: find its kelurahan and ask to confirm it. Without boundaries
    the point is kept and the lists asked; a point outside the service area is refused
    (naming the region it lies in, when known) and the lists asked."""
    location = update.message.location
    draft = _draft(context)
    draft.pop("located", None)
    services = context.services
    try:
        place = await asyncio.to_thread(locate, services, location.latitude,
                                        location.longitude, services.settings.app.region_code)
    except LocationRefused as refused:
        if refused.reason == "no_boundaries":
            draft["lat"], draft["lon"] = location.latitude, location.longitude
            text = context.text("location_received")
        else:
            draft.pop("lat", None)
            draft.pop("lon", None)
            reason = context.localized(next(iter(refused.errors.values())))
            text = context.text("location_refused", reason=reason)
        await update.message.reply_text(text, reply_markup=ReplyKeyboardRemove())
        await _ask_kecamatan(update.message, context, "pick_kecamatan")
        return LOCATION
    draft["lat"], draft["lon"] = location.latitude, location.longitude
    draft["located"] = {"kecamatan": place.kecamatan, "kelurahan": place.kelurahan}
    question = await update.message.reply_text(
        _located_text(context, place), reply_markup=keyboards.location_confirm(context.lang))
    draft["location_message"] = question.message_id
    return LOCATED


async def location_confirmed(update: Update, context: BotContext) -> str | None:
    """Ya, benar: the kelurahan of the shared point is the place; ask for photos."""
    query = await _location_question(update, context)
    if query is None:
        return None
    await query.answer()
    draft = _draft(context)
    located = draft.pop("located")
    draft["kecamatan"], draft["kelurahan"] = located["kecamatan"], located["kelurahan"]
    await query.edit_message_text(context.text("place_chosen", **located))
    return await _ask_photos(query.message, context)


async def location_other(update: Update, context: BotContext) -> str | None:
    """Pilih kelurahan lain: the kecamatan list in place of the question (the point kept)."""
    query = await _location_question(update, context)
    if query is None:
        return None
    await query.answer()
    _draft(context).pop("located", None)
    places = await asyncio.to_thread(kecamatan_map, context.services)
    await query.edit_message_text(context.text("pick_kecamatan"),
                                  reply_markup=keyboards.kecamatan(list(places), context.lang))
    return LOCATION


async def picked_kecamatan(update: Update, context: BotContext) -> str:
    """A kecamatan button: show its kelurahan."""
    query = update.callback_query
    await query.answer()
    name = keyboards.value(query.data)
    places = await asyncio.to_thread(kecamatan_map, context.services)
    if name not in places:
        await query.edit_message_text(context.text("unknown_place", typed=name),
                                      reply_markup=keyboards.kecamatan(list(places), context.lang))
        return LOCATION
    _draft(context)["kecamatan"] = name
    await query.edit_message_text(context.text("pick_kelurahan", kecamatan=name),
                                  reply_markup=keyboards.kelurahan(places[name], context.lang))
    return KELURAHAN


async def other_kecamatan(update: Update, context: BotContext) -> str:
    """« Kecamatan lain: back to the kecamatan list."""
    query = update.callback_query
    await query.answer()
    places = await asyncio.to_thread(kecamatan_map, context.services)
    await query.edit_message_text(context.text("pick_kecamatan"),
                                  reply_markup=keyboards.kecamatan(list(places), context.lang))
    return LOCATION


async def picked_kelurahan(update: Update, context: BotContext) -> str:
    """A kelurahan button: the place is complete, ask for photos."""
    query = update.callback_query
    await query.answer()
    name = keyboards.value(query.data)
    draft = _draft(context)
    places = await asyncio.to_thread(kecamatan_map, context.services)
    if name not in places.get(draft.get("kecamatan"), ()):
        await query.edit_message_text(context.text("unknown_place", typed=name),
                                      reply_markup=keyboards.kecamatan(list(places), context.lang))
        return LOCATION
    draft["kelurahan"] = name
    await query.edit_message_text(
        context.text("place_chosen", kelurahan=name, kecamatan=draft["kecamatan"]))
    return await _ask_photos(query.message, context)


async def typed_place(update: Update, context: BotContext) -> str:
    """A typed kecamatan or kelurahan name, matched without regard to case."""
    typed = update.message.text.strip()
    draft = _draft(context)
    places = await asyncio.to_thread(kecamatan_map, context.services)
    match = match_place(places, typed, draft.get("kecamatan"))
    if match is None:
        await update.message.reply_text(
            context.text("unknown_place", typed=typed[:60]),
            reply_markup=keyboards.kecamatan(list(places), context.lang))
        return LOCATION
    kecamatan, kelurahan = match
    draft["kecamatan"] = kecamatan
    if kelurahan is None:
        await update.message.reply_text(
            context.text("pick_kelurahan", kecamatan=kecamatan),
            reply_markup=keyboards.kelurahan(places[kecamatan], context.lang))
        return KELURAHAN
    draft["kelurahan"] = kelurahan
    await update.message.reply_text(
        context.text("place_chosen", kelurahan=kelurahan, kecamatan=kecamatan),
        reply_markup=ReplyKeyboardRemove())
    return await _ask_photos(update.message, context)


async def location_expected(update: Update, context: BotContext) -> str:
    """Anything but a location, a name or a button while asking where."""
    await update.effective_message.reply_text(context.text("location_expected"))
    return KELURAHAN if _draft(context).get("kecamatan") else LOCATION


async def got_photo(update: Update, context: BotContext) -> str:
    """A photo: the largest size Telegram offers."""
    photo = update.message.photo[-1]
    return await _add_photo(update, context, photo.file_id, photo.file_size, "foto.jpg")


async def got_document(update: Update, context: BotContext) -> str:
    """A file sent as a document: accepted only when it is an image."""
    document = update.message.document
    if not (document.mime_type or "").startswith("image/"):
        await update.message.reply_text(context.text("photo_wrong_type"))
        return PHOTOS
    return await _add_photo(update, context, document.file_id, document.file_size,
                            document.file_name or "foto")


async def photos_done(update: Update, context: BotContext) -> str:
    """Continue (with or without photos)."""
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return await _ask_privacy(query.message, context)


async def photos_expected(update: Update, context: BotContext) -> str:
    """Anything but a photo or the button while collecting photos."""
    await update.effective_message.reply_text(
        context.text("photos_expected"),
        reply_markup=keyboards.photos(context.lang, bool(_draft(context).get("photos"))))
    return PHOTOS


async def picked_privacy(update: Update, context: BotContext) -> str:
    """An identity choice: show the summary with the predicted agency."""
    query = update.callback_query
    await query.answer()
    choice = keyboards.value(query.data)
    if choice not in keyboards.PRIVACY_CHOICES:
        return PRIVACY
    draft = _draft(context)
    draft["anonim"], draft["rahasia"] = keyboards.PRIVACY_CHOICES[choice]
    draft["privacy"] = choice
    await query.edit_message_text(
        context.text("privacy_chosen", choice=context.text(f"privacy_{choice}")))
    return await _show_summary(query.message, context)


async def choice_expected(update: Update, context: BotContext) -> str | None:
    """A message where a button press is expected."""
    await update.effective_message.reply_text(context.text("choice_expected"))
    return None


async def confirmed(update: Update, context: BotContext) -> str | int:
    """Send: submit through the intake service and give the tracking number."""
    query = update.callback_query
    await query.answer()
    draft = _draft(context)
    photos = [await download(context.bot, item["file_id"], item["name"])
              for item in draft.get("photos", [])]
    user = update.effective_user
    complaint = ComplaintInput(
        title=title_from(draft["description"]),
        description=draft["description"],
        kecamatan=draft["kecamatan"],
        kelurahan=draft["kelurahan"],
        channel="telegram",
        lat=draft.get("lat"),
        lon=draft.get("lon"),
        anonim=draft.get("anonim", False),
        rahasia=draft.get("rahasia", False),
        contact=ContactInput(
            name=None if draft.get("anonim") else (user.full_name or None),
            telegram_chat_id=update.effective_chat.id,
        ),
        photos=tuple(photos),
        category=draft.get("category"),
    )
    try:
        result = await asyncio.to_thread(submit_complaint, context.services, complaint)
    except ValidationFailed as exc:
        if "category" in exc.errors:  # a code no longer on the list: let the model decide
            draft.pop("category", None)
        await query.message.reply_text(
            context.text("submit_refused",
                         reasons="; ".join(map(context.localized, exc.errors.values()))))
        if PLACE_FIELDS & set(exc.errors):
            await _ask_kecamatan(query.message, context, "pick_kecamatan")
            return LOCATION
        return CONFIRM
    await query.edit_message_reply_markup(reply_markup=None)
    agency = context.text("submitted_triage") if result.to_triage else result.agency_name
    await query.message.reply_text(context.text(
        "submitted", number=result.tracking_number, agency=agency, key=result.reporter_key))
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


async def follow_instead(update: Update, context: BotContext) -> str | int:
    """Follow the similar open complaint instead of filing a new one."""
    query = update.callback_query
    await query.answer()
    number = keyboards.value(query.data)
    try:
        number = await asyncio.to_thread(
            follow_complaint, context.services, number, update.effective_chat.id)
    except NotFound:
        await query.message.reply_text(context.text("duplicate_gone", number=number))
        return await _show_summary(query.message, context, offer_similar=False)
    await query.edit_message_reply_markup(reply_markup=None)
    await query.message.reply_text(context.text("joined", number=number))
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/batal or the Cancel button, at any step."""
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(reply_markup=None)
    context.user_data.pop(DRAFT, None)
    await update.effective_message.reply_text(
        context.text("cancelled"), reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


async def expired(update: Update, context: BotContext) -> None:
    """The conversation sat idle too long: say so, and drop the draft."""
    context.user_data.pop(DRAFT, None)
    await context.bot.send_message(update.effective_chat.id, context.text("expired"),
                                   reply_markup=ReplyKeyboardRemove())


def title_from(description: str) -> str:
    """A title for a bot report: its first sentence, shortened at a word to fit."""
    low, high = TITLE_LIMITS
    first = SENTENCE_END.split(description.strip(), maxsplit=1)[0].strip()
    if len(first) < low:
        first = description.strip()
    if len(first) <= high:
        return first
    return first[: high - 1].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def match_place(
    places: dict[str, list[str]], typed: str, kecamatan: str | None = None
) -> tuple[str, str | None] | None:
    """(kecamatan, kelurahan or None) for a typed name; None when unknown or ambiguous.

    A kelurahan of the already chosen kecamatan wins; otherwise a kelurahan name that
    is unique in the region, or a kecamatan name (then the kelurahan is still open).
    """
    wanted = " ".join(typed.lower().removeprefix("kelurahan ").removeprefix("kecamatan ").split())
    if kecamatan in places:
        for name in places[kecamatan]:
            if name.lower() == wanted:
                return kecamatan, name
    found = [(district, name) for district, villages in places.items()
             for name in villages if name.lower() == wanted]
    if len(found) == 1:
        return found[0]
    for district in places:
        if district.lower() == wanted:
            return district, None
    return None


async def _add_photo(update: Update, context: BotContext, file_id: str,
                     size: int | None, name: str) -> str:
    app_settings = context.services.settings.app
    draft = _draft(context)
    photos = draft.setdefault("photos", [])
    if len(photos) >= app_settings.max_photos:
        await update.message.reply_text(
            context.text("photos_full", maximum=app_settings.max_photos))
        return await _ask_privacy(update.message, context)
    try:
        await check_telegram_photo(context.bot, file_id, size, name, app_settings.max_upload_mb)
    except PhotoRefused as refused:
        await update.message.reply_text(context.text(refused.text_key, **refused.values),
                                        reply_markup=keyboards.photos(context.lang, bool(photos)))
        return PHOTOS
    photos.append({"file_id": file_id, "name": name})
    await update.message.reply_text(
        context.text("photo_received", count=len(photos), maximum=app_settings.max_photos),
        reply_markup=None if len(photos) >= app_settings.max_photos
        else keyboards.photos(context.lang, True))
    if len(photos) >= app_settings.max_photos:
        return await _ask_privacy(update.message, context)
    return PHOTOS


async def _category_question(update: Update, context: BotContext) -> CallbackQuery | None:
    """The button press when it is on this report's category question; a button of an
    older message (another report) is answered as stale and changes nothing."""
    query = update.callback_query
    asked = _draft(context).get("category_message")
    if query.message is None or asked is None or query.message.message_id != asked:
        await query.answer(context.text("button_stale"))
        return None
    return query


async def _location_question(update: Update, context: BotContext) -> CallbackQuery | None:
    """The press when it is on the pending "Kelurahan …, benar?" question; any other
    (an older question, a forged press) is answered as stale and changes nothing."""
    query = update.callback_query
    draft = _draft(context)
    asked = draft.get("location_message")
    if (query.message is None or "located" not in draft
            or asked is None or query.message.message_id != asked):
        await query.answer(context.text("button_stale"))
        return None
    return query


def _located_text(context: BotContext, place: Located) -> str:
    return context.text("location_confirm", kelurahan=place.kelurahan, kecamatan=place.kecamatan)


async def _edit_question(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """Show another page of the category question in place (a repeated press that would
    change nothing is fine)."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _ask_location(message: Message, context: BotContext) -> str:
    await message.reply_text(
        context.text("ask_location"), reply_markup=keyboards.share_location(context.lang))
    await _ask_kecamatan(message, context, "pick_kecamatan")
    return LOCATION


async def _ask_kecamatan(message: Message, context: BotContext, text_key: str) -> None:
    places = await asyncio.to_thread(kecamatan_map, context.services)
    await message.reply_text(context.text(text_key),
                             reply_markup=keyboards.kecamatan(list(places), context.lang))


async def _ask_photos(message: Message, context: BotContext) -> str:
    app_settings = context.services.settings.app
    await message.reply_text(
        context.text("ask_photos", maximum=app_settings.max_photos,
                     megabytes=app_settings.max_upload_mb),
        reply_markup=keyboards.photos(context.lang, bool(_draft(context).get("photos"))))
    return PHOTOS


async def _ask_privacy(message: Message, context: BotContext) -> str:
    await message.reply_text(context.text("ask_privacy"),
                             reply_markup=keyboards.privacy(context.lang))
    return PRIVACY


async def _show_summary(message: Message, context: BotContext, *,
                        offer_similar: bool = True) -> str:
    draft = _draft(context)
    services = context.services
    title = title_from(draft["description"])
    destination = await asyncio.to_thread(
        predict_destination, services, title, draft["description"],
        category=draft.get("category"))
    similar = None
    if offer_similar:
        similar = await asyncio.to_thread(
            find_similar_open, services, draft["description"], draft["kecamatan"],
            draft["kelurahan"], category=_filed_category(draft), lat=draft.get("lat"),
            lon=draft.get("lon"))
    if destination is None or destination.to_triage:
        destination_text = context.text("summary_triage")
    else:
        destination_text = context.text("summary_destination", agency=destination.agency_name)
    if draft.get("category"):
        destination_text = context.text(
            "category_chosen", category=categories.label(draft["category"], context.lang),
        ) + "\n" + destination_text
    summary = context.text(
        "summary", description=draft["description"], kelurahan=draft["kelurahan"],
        kecamatan=draft["kecamatan"],
        point=context.text("summary_point") if draft.get("lat") is not None else "",
        photos=len(draft.get("photos", [])),
        privacy=context.text(f"privacy_{draft.get('privacy', 'public')}"),
        destination=destination_text,
    )
    if similar is not None:
        status = similar.status.label_en if context.lang == "en" else similar.status.label_id
        offer = {"number": similar.tracking_number, "status": status,
                 "date": context.local_time(similar.created_at), "title": similar.title}
        if similar.distance_m is None:
            summary += context.text("duplicate_offer", **offer)
        else:
            summary += context.text("duplicate_nearby_offer", metres=round(similar.distance_m),
                                    **offer)
    await message.reply_text(summary, reply_markup=keyboards.confirm(
        context.lang, similar.tracking_number if similar else None))
    return CONFIRM


def _filed_category(draft: dict) -> str | None:
    """The category the report will most likely be filed under: the resident's pick, or
    for "Lainnya / tidak tahu" the model's first suggestion (None when neither)."""
    picked = draft.get("category")
    if picked and picked != categories.OTHER:
        return picked
    suggested = [code for code in draft.get("suggested", []) if code != categories.OTHER]
    return suggested[0] if suggested else None


def _draft(context: BotContext) -> dict:
    return context.user_data.setdefault(DRAFT, {})
