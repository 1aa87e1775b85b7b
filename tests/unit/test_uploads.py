"""Photos are checked by content, not by name, and refused with a reason."""

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
