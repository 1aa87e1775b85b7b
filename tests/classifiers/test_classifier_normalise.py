"""Unit tests of the Indonesian complaint normaliser."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifiers.normalise import normalise, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jalan RUSAK", "jalan rusak"),
        ("yg tdk gak blm sdh", "yang tidak tidak belum sudah"),
        ("jln Sipelem, jl. Ahmad Yani", "jalan sipelem jalan ahmad yani"),
        ("kel. Slerok kec. Tegal Timur", "kelurahan slerok kecamatan tegal timur"),
        ("sampah, plastik, dll.", "sampah plastik dan lain lain"),
        ("rusakkkk parahhh", "rusak parah"),
        ("anak2 sekolah", "anak anak sekolah"),
        ("cek https://lapor.go.id/x?y=1 dan www.tegalkota.go.id", "cek _url_ dan _url_"),
        ("kirim ke warga.tegal@mail.co.id ya", "kirim ke _email_ ya"),
        ("hubungi 0812-3456-7890", "hubungi _telepon_"),
        ("hubungi +6281234567890", "hubungi _telepon_"),
        (
            "NIK [NIK] telp [TELEPON] no [NOMOR] surel [EMAIL]",
            "nik _nik_ telp _telepon_ no _nomor_ surel _email_",
        ),
        ("nik 3376012345678901", "nik _nik_"),
        ("rt 03 rw 5, bayar 50.000", "rt _num_ rw _num_ bayar _num_"),
        ("rusak\\nmohon segera\\r\\ndiperbaiki", "rusak mohon segera diperbaiki"),
        ("!!! ??? ...", ""),
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_tokens_match_normalised_text():
    text = "Air PDAM keruh bgt di kel. Kejambon, sdh 3 hr!!"
    assert tokens(text) == normalise(text).split()
    assert tokens(text) == ["air", "pdam", "keruh", "banget", "di", "kelurahan", "kejambon"] + [
        "sudah",
        "_num_",
        "hari",
    ]


def test_expansions_into_two_words_are_two_tokens():
    # the model is trained on normalise()'s output split on spaces: tokens() must agree
    assert tokens("pju mati, sampah dll") == [
        "lampu",
        "jalan",
        "mati",
        "sampah",
        "dan",
        "lain",
        "lain",
    ]


def test_www_is_not_shortened_outside_urls():
    assert normalise("wwwkwk") == "wwwkwk"


@given(st.text(alphabet=st.sampled_from("abyg tdk2 .0183@[]:/wNIK-jl"), max_size=60))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(max_size=200))
def test_normalise_output_is_plain_tokens(text):
    result = normalise(text)
    assert result == result.strip()
    assert "  " not in result
    assert all(ch == " " or ch == "_" or "a" <= ch <= "z" for ch in result)
