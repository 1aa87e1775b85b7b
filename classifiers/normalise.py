"""Indonesian complaint text normalisation: one pure function, :func:`normalise`."""

from __future__ import annotations

import re

# Informal spellings and abbreviations common in complaints → standard form.
SLANG = {
    "yg": "yang",
    "yng": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dng": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "tdk": "tidak",
    "tak": "tidak",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "ndak": "tidak",
    "kagak": "tidak",
    "blm": "belum",
    "belom": "belum",
    "sdh": "sudah",
    "udah": "sudah",
    "udh": "sudah",
    "dah": "sudah",
    "jln": "jalan",
    "jl": "jalan",
    "jalanan": "jalan",
    "kel": "kelurahan",
    "kec": "kecamatan",
    "kab": "kabupaten",
    "dll": "dan lain lain",
    "dsb": "dan sebagainya",
    "krn": "karena",
    "karna": "karena",
    "tp": "tapi",
    "tpi": "tapi",
    "trs": "terus",
    "trus": "terus",
    "bgt": "banget",
    "bs": "bisa",
    "bsa": "bisa",
    "jg": "juga",
    "aja": "saja",
    "sy": "saya",
    "sya": "saya",
    "kalo": "kalau",
    "klo": "kalau",
    "pd": "pada",
    "dr": "dari",
    "dri": "dari",
    "sm": "sama",
    "org": "orang",
    "dlm": "dalam",
    "lg": "lagi",
    "bbrp": "beberapa",
    "hr": "hari",
    "bln": "bulan",
    "thn": "tahun",
    "tgl": "tanggal",
    "mhn": "mohon",
    "tlg": "tolong",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "knp": "kenapa",
    "kpn": "kapan",
    "skrg": "sekarang",
    "sampe": "sampai",
    "emg": "memang",
    "pdhl": "padahal",
    "bnyk": "banyak",
    "byk": "banyak",
    "msh": "masih",
    "sblm": "sebelum",
    "stlh": "setelah",
    "spt": "seperti",
    "ttg": "tentang",
    "bpk": "bapak",
    "kpd": "kepada",
    "tsb": "tersebut",
    "sbg": "sebagai",
    "makasih": "terima kasih",
    "trims": "terima kasih",
    "mksh": "terima kasih",
    "gg": "gang",
    "perum": "perumahan",
    "pju": "lampu jalan",
}
_ESCAPE = re.compile(r"\\[nrt]")  # a literal "\n" left by an export: not part of a word
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PLACEHOLDER = re.compile(r"\[(nik|nomor|telepon|email)\]")
_PHONE = re.compile(r"(?:\+62|\b0)8\d[\d -]{6,}\d")
_LONG_DIGITS = re.compile(r"\d{8,}")
_ANY_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_REDUPLICATED = re.compile(r"\b([a-z]+)2\b")
_STRETCHED = re.compile(r"([a-vx-z])\1\1+")  # not w: "www" stays
_WORD = re.compile(r"[a-z_]+")


def normalise(text: str) -> str:
    """Return ``text`` as space-separated normalised tokens (see :func:`tokens`)."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """Return the normalised tokens of ``text``.

    Lower-cases; replaces URLs, e-mail addresses, phone numbers, digit runs of
    eight or more and the ``[NIK]``-style placeholders by ``_url_``, ``_email_``,
    ``_telepon_``, ``_nik_``…; other numbers by ``_num_``; expands ``anak2`` to
    ``anak anak``; shortens a letter repeated three or more times to one;
    replaces informal spellings and abbreviations (:data:`SLANG`) by their
    standard form; drops punctuation and literal ``\\n``/``\\r``/``\\t`` escapes.
    """
    text = text.lower()
    # Each substitution is guarded by a cheap test: most texts have none of these.
    if "\\" in text:
        text = _ESCAPE.sub(" ", text)
    if "http" in text or "www." in text:
        text = _URL.sub(" _url_ ", text)
    if "@" in text:
        text = _EMAIL.sub(" _email_ ", text)
    if "[" in text:
        text = _PLACEHOLDER.sub(r" _\1_ ", text)
    if _ANY_DIGIT.search(text):
        if "08" in text or "+628" in text:
            text = _PHONE.sub(" _telepon_ ", text)
        text = _LONG_DIGITS.sub(" _nik_ ", text)
        if "2" in text:
            text = _REDUPLICATED.sub(r"\1 \1", text)
        text = _NUMBER.sub(" _num_ ", text)
    words = _WORD.findall(_STRETCHED.sub(r"\1", text))
    return " ".join(map(SLANG.get, words, words)).split()  # some expand to two words
