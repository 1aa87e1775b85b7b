"""Photo checks (by content, not by name), metadata removal and storage under the upload folder."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from lapor_bridge.translations import Message

ALLOWED_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
                   "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 50_000_000
LOSSY_QUALITY = 90


@dataclass(frozen=True)
class UploadedFile:
    """A file as received from a channel, before any check."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed the checks, re-encoded without its metadata, ready to store."""

    original_name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def check_photo(upload: UploadedFile, max_bytes: int) -> CheckedPhoto:
    """Accept JPEG, PNG or WebP up to ``max_bytes``; raise ValueError with a reason.

    The reason (``exc.args[0]``) is a :class:`Message`, so channels can translate it.
    The accepted photo is re-encoded without metadata (:func:`without_metadata`).
    """
    if not upload.content:
        raise ValueError(Message("Berkas foto kosong."))
    if len(upload.content) > max_bytes:
        raise ValueError(Message(
            "Foto terlalu besar ({size:.1f} MB); maksimal {limit} MB.",
            size=len(upload.content) / 1_048_576, limit=max_bytes // 1_048_576,
        ))
    try:
        with Image.open(io.BytesIO(upload.content)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValueError(
            Message("Berkas bukan foto yang dapat dibaca (JPEG, PNG atau WebP).")) from exc
    if image_format not in ALLOWED_FORMATS:
        raise ValueError(Message("Jenis foto tidak didukung; kirim JPEG, PNG atau WebP."))
    if width * height > MAX_PIXELS:
        raise ValueError(Message("Resolusi foto terlalu besar."))
    content_type, extension = ALLOWED_FORMATS[image_format]
    name = Path(upload.filename or "foto").name[:200] or "foto"
    try:
        content = without_metadata(upload.content, image_format)
    except (OSError, ValueError) as exc:  # verify() passed, but the pixels do not decode
        raise ValueError(
            Message("Berkas bukan foto yang dapat dibaca (JPEG, PNG atau WebP).")) from exc
    return CheckedPhoto(name, content, content_type, extension,
                        hashlib.sha256(content).hexdigest())


def without_metadata(content: bytes, image_format: str) -> bytes:
    """The image re-encoded from its pixels alone: no EXIF (GPS position, camera, time),
    XMP, comments or text chunks, so a photo cannot reveal where or by whom it was taken.
    It is first turned upright as its EXIF orientation said."""
    with Image.open(io.BytesIO(content)) as image:
        upright = ImageOps.exif_transpose(image)
        # save() writes back some of ``info`` (XMP, ICC, comments): keep only transparency
        upright.info = {key: value for key, value in upright.info.items()
                        if key == "transparency"}
        output = io.BytesIO()
        lossy = {"quality": LOSSY_QUALITY} if image_format in ("JPEG", "WEBP") else {}
        upright.save(output, format=image_format, **lossy)
    return output.getvalue()


def store_photo(photo: CheckedPhoto, upload_dir: Path, now: datetime) -> str:
    """Write the photo under ``upload_dir/YYYY/MM/`` and return its stored name."""
    stored_name = f"{now:%Y/%m}/{uuid.uuid4().hex}.{photo.extension}"
    target = upload_dir / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(photo.content)
    return stored_name


def remove_stored(upload_dir: Path, stored_names: list[str]) -> None:
    """Delete files written for a transaction that did not commit."""
    for stored_name in stored_names:
        (upload_dir / stored_name).unlink(missing_ok=True)
