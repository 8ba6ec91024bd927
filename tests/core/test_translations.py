"""The English catalog: every Thai string in the source has an English translation, the
translations keep their placeholders, and the compiled catalog is what the pages use.

When a test here fails after you added or changed a Thai string, run
`scripts/update_translations.sh`, translate what it lists in
fairapp/translations/en/LC_MESSAGES/messages.po, and commit the .pot and .po.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "fairapp" / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
# The same keywords as `make extract` and scripts/update_translations.sh: -k _l -k _n:1,2.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "_n": (1, 2)}
HOW_TO_FIX = ("run scripts/update_translations.sh, then translate the listed msgids in "
              "fairapp/translations/en/LC_MESSAGES/messages.po")
# A printf placeholder: %(name)s, %(num)d, %s, %5.2f ... (but not a literal %%).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")


def _read_en_catalog():
    with EN_PO.open("rb") as f:
        return read_po(f, locale="en")


def _extract_source_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every msgid in the source tree (as `pybabel extract -F babel.cfg` finds them) with where."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        if isinstance(message, (list, tuple)):
            message = tuple(message)
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def _strings(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def _placeholders(text: str) -> set[str]:
    return {p for p in PLACEHOLDER.findall(text or "") if p != "%%"}


def test_every_source_string_has_an_english_translation():
    source = _extract_source_messages()
    assert source, "extraction found no messages: is babel.cfg still at the repository root?"
    catalog = _read_en_catalog()
    missing = []
    for msgid, where in sorted(source.items(), key=lambda item: item[1][0]):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        if entry is None:
            problem = "not in messages.po"
        elif isinstance(msgid, tuple) and not entry.pluralizable:
            problem = "plural in the source but singular in messages.po"
        elif not all(s and s.strip() for s in _strings(entry)):
            problem = "empty English translation"
        else:
            continue
        missing.append(f"  {key!r} ({problem}; {', '.join(where[:3])})")
    assert not missing, (
        f"{len(missing)} Thai string(s) lack an English translation; {HOW_TO_FIX}:\n"
        + "\n".join(missing))


def test_no_fuzzy_entries_and_placeholders_match():
    catalog = _read_en_catalog()
    problems = []
    if catalog.fuzzy:
        problems.append("  the catalog header is marked fuzzy")
    for message in catalog:
        if not message.id:
            continue
        ids = list(message.id) if message.pluralizable else [message.id]
        if message.fuzzy:
            problems.append(f"  {ids[0]!r}: marked fuzzy (check the translation, drop the flag)")
        expected = set().union(*(_placeholders(i) for i in ids))
        for index, string in enumerate(_strings(message)):
            if string and _placeholders(string) != expected:
                form = f"msgstr[{index}]" if message.pluralizable else "msgstr"
                problems.append(f"  {ids[0]!r}: {form} {string!r} has placeholders "
                                f"{sorted(_placeholders(string))}, the msgid has {sorted(expected)}")
    assert not problems, "English catalog problems in messages.po:\n" + "\n".join(problems)


@pytest.fixture
def compiled_catalog():
    """The .mo next to the .po, compiled now if missing or older (`make install` compiles it)."""
    if not EN_MO.exists() or EN_MO.stat().st_mtime < EN_PO.stat().st_mtime:
        catalog = _read_en_catalog()
        tmp = EN_MO.with_name(f".messages.mo.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, EN_MO)
        # Flask-Babel caches loaded catalogs per process; forget any loaded before this compile.
        from fairapp.extensions import babel
        babel.domain_instance.cache.clear()
    return EN_MO


def _english(msgid: str) -> str:
    return _read_en_catalog().get(msgid).string


def test_login_page_is_english_with_the_lang_cookie(client, compiled_catalog):
    client.set_cookie("lang", "en")
    html = client.get("/login").get_data(as_text=True)
    english = _english("เข้าสู่ระบบ")
    assert english and english != "เข้าสู่ระบบ"
    assert f"<h1>{english}</h1>" in html
    assert _english("ตลาดนัดคุณธรรม") in html
    assert "เข้าสู่ระบบ" not in html


def test_login_page_is_thai_without_the_cookie(client, compiled_catalog):
    html = client.get("/login").get_data(as_text=True)
    assert "<h1>เข้าสู่ระบบ</h1>" in html
    assert _english("เข้าสู่ระบบ") not in html


def test_plural_forms_follow_the_number(app, compiled_catalog):
    from flask_babel import force_locale, ngettext

    msgid = "กรุณาแก้ไข %(num)d ช่องด้านล่าง"
    singular, plural = _read_en_catalog().get(msgid).string
    with app.test_request_context(), force_locale("en"):
        assert ngettext(msgid, msgid, 1) == singular % {"num": 1}
        assert ngettext(msgid, msgid, 3) == plural % {"num": 3}
    with app.test_request_context(), force_locale("th"):
        assert ngettext(msgid, msgid, 3) == "กรุณาแก้ไข 3 ช่องด้านล่าง"
