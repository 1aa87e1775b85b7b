"""The one catalogue: the committed .mo matches the .po, and every msgid has its English."""

import gettext
import io
import re
import string
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lapor_bridge.translations import TRANSLATIONS_DIR, Message, localize_in

ROOT = Path(__file__).resolve().parents[2]
PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "Message": None}


def _english():
    with PO.open("rb") as po:
        return read_po(po, locale="en")


def _msgids_in_code() -> set[tuple[str, str | None]]:
    """Every (msgid, context) that ``make translations`` would extract."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)
    return {(message if isinstance(message, str) else message[0], context)
            for _file, _line, message, _comments, context in found}


def test_committed_mo_is_the_compiled_po():
    """Every translation matches; the header (which names the Babel version) is ignored."""
    compiled = io.BytesIO()
    write_mo(compiled, _english())
    compiled.seek(0)
    with MO.open("rb") as committed:
        assert _messages(committed) == _messages(compiled), "run `make translations`"


def _messages(mo) -> dict:
    catalog = dict(gettext.GNUTranslations(mo)._catalog)
    catalog.pop("", None)
    return catalog


def test_every_msgid_in_code_and_templates_has_english():
    english = _english()
    msgids = _msgids_in_code()
    assert len(msgids) > 200
    untranslated = sorted(msgid for msgid, context in msgids
                          if not (entry := english.get(msgid, context))
                          or not entry.string or entry.fuzzy)
    assert not untranslated, f"add English to {PO.relative_to(ROOT)}: {untranslated}"


def test_translations_keep_every_placeholder():
    def placeholders(text: str) -> set[str]:
        braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        return braces | set(re.findall(r"%\((\w+)\)s", text))

    for message in _english():
        if message.id:
            assert placeholders(message.id) == placeholders(message.string), message.id


def test_message_is_indonesian_text_that_translates():
    error = Message("{label} terlalu pendek (minimal {low} karakter).",
                    label=Message("Judul"), low=5)
    assert error == "Judul terlalu pendek (minimal 5 karakter)."
    assert localize_in(error, "id") == error
    assert localize_in(error, "en") == "Title is too short (at least 5 characters)."
    assert localize_in("teks tanpa terjemahan", "en") == "teks tanpa terjemahan"
