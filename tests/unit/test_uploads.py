"""Photos are checked by content, not by name, and refused with a reason."""

import hashlib
import io

import pytest
from PIL import Image

from lapor_bridge.services.uploads import UploadedFile, check_photo

MB = 1_048_576


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                                   ("WEBP", "image/webp")])
def test_accepts_real_images(fmt, content_type):
    photo = check_photo(UploadedFile("lubang.bin", image_bytes(fmt)), 5 * MB)
    assert photo.content_type == content_type
    assert len(photo.sha256) == 64


def test_refuses_text_named_as_jpeg():
    with pytest.raises(ValueError, match="bukan foto"):
        check_photo(UploadedFile("foto.jpg", b"#!/bin/sh\necho hacked\n" * 10), 5 * MB)


def test_refuses_other_image_formats():
    with pytest.raises(ValueError, match="tidak didukung"):
        check_photo(UploadedFile("a.gif", image_bytes("GIF")), 5 * MB)


def test_refuses_oversized_and_empty():
    with pytest.raises(ValueError, match="terlalu besar"):
        check_photo(UploadedFile("big.jpg", b"\xff" * (5 * MB + 1)), 5 * MB)
    with pytest.raises(ValueError, match="kosong"):
        check_photo(UploadedFile("empty.jpg", b""), 5 * MB)


def test_keeps_only_the_base_name():
    photo = check_photo(UploadedFile("../../etc/passwd.png", image_bytes("PNG")), 5 * MB)
    assert photo.original_name == "passwd.png"


GPS_IFD = 0x8825
ORIENTATION = 0x0112


def with_metadata(fmt: str) -> bytes:
    """A 40 × 20 photo stored sideways (orientation 6) with a GPS position and a comment."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "KameraMerek"  # make
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (6.0, 52.0, 10.0), 3: "E", 4: (109.0, 8.0, 5.0)})
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    extra = {"comment": b"rumah Pak Budi"} if fmt == "JPEG" else {}
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        extra["pnginfo"] = PngInfo()
        extra["pnginfo"].add_text("Author", "Budi Santoso")
    image.save(buffer, format=fmt, exif=exif, xmp=b"<x:xmpmeta>GPS -6.86 109.13</x:xmpmeta>",
               **extra)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_metadata_is_removed_and_the_photo_turned_upright(fmt):
    original = with_metadata(fmt)
    with Image.open(io.BytesIO(original)) as before:  # the fixture does carry the metadata
        assert before.getexif().get_ifd(GPS_IFD)
    photo = check_photo(UploadedFile("foto", original), 5 * MB)
    for secret in (b"Budi", b"KameraMerek", b"xmpmeta", b"GPS"):
        assert secret not in photo.content
    with Image.open(io.BytesIO(photo.content)) as after:
        assert not after.getexif() and after.format == fmt
        assert after.size == (20, 40)  # orientation 6 applied, then dropped
    assert photo.sha256 == hashlib.sha256(photo.content).hexdigest()


def test_png_transparency_survives():
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(buffer, format="PNG")
    photo = check_photo(UploadedFile("t.png", buffer.getvalue()), 5 * MB)
    with Image.open(io.BytesIO(photo.content)) as after:
        assert after.mode == "RGBA" and after.getpixel((0, 0))[3] == 0
