"""Photos from Telegram: refuse oversized or unreadable files, download the rest."""

from __future__ import annotations

import asyncio

from telegram import Bot

from lapor_bridge.services.uploads import UploadedFile, check_photo

MEGABYTE = 1_048_576


class PhotoRefused(Exception):
    """A photo the bot does not accept; carries the text key and values to explain why."""

    def __init__(self, text_key: str, **values: object) -> None:
        super().__init__(text_key)
        self.text_key = text_key
        self.values = values


async def download(bot: Bot, file_id: str, name: str) -> UploadedFile:
    """Fetch a file by id through getFile and the Bot API file endpoint."""
    telegram_file = await bot.get_file(file_id)
    return UploadedFile(name, bytes(await telegram_file.download_as_bytearray()))


async def check_telegram_photo(
    bot: Bot, file_id: str, size: int | None, name: str, max_megabytes: int
) -> None:
    """Raise PhotoRefused unless the file is a readable JPEG/PNG/WebP within the limit.

    The size Telegram announces is checked before anything is downloaded.
    """
    limit = max_megabytes * MEGABYTE
    if size is not None and size > limit:
        raise PhotoRefused("photo_too_big", size=size / MEGABYTE, megabytes=max_megabytes)
    upload = await download(bot, file_id, name)
    if len(upload.content) > limit:
        raise PhotoRefused("photo_too_big", size=len(upload.content) / MEGABYTE,
                           megabytes=max_megabytes)
    try:
        await asyncio.to_thread(check_photo, upload, limit)
    except ValueError as exc:
        raise PhotoRefused("photo_unreadable") from exc
