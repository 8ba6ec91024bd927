"""Every page, in both languages: no Thai left in English mode, no English word in Thai mode.

The pages are every GET of the authorization matrix that answers 200 with HTML, for every role, in the
matrix's own world. What a page shows of the data (names of organizations, fairs, booths, people; what
someone typed) may be in either language, so a run of Thai in English mode (or an English word in Thai
mode) is allowed only where it is part of a value stored in the database; UI words, enum labels, dates
and units must come from the catalog.
"""
from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from fairapp.extensions import db as _db
from tests.test_authz_matrix import EXPECTED, ROLES, _sign_in, world  # noqa: F401  (world is a fixture)

THAI = re.compile(r"[\u0E00-\u0E7F]+")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# Shown as they are in both languages: the language switch names each language in its own tongue;
# formats, acronyms and the product's name.
THAI_IN_ENGLISH_OK = {"ไทย", "ภาษาไทย"}
ENGLISH_IN_THAI_OK = {"English", "PDF", "CSV", "XLSX", "QR", "PNG", "JPEG", "JPG", "WebP", "ID", "fairapp",
                      "Ed25519", "SHA", "URL", "JSON", "LinkedIn", "Excel", "A4", "A5", "Letter", "ISO",
                      "km", "MB", "KB", "GPS", "JavaScript", "Ctrl", "Shift", "Tab", "Enter", "Esc", "z-score",
                      "instance", "Sarabun", "OFL", "MC64", "Open", "Badges", "ZIP"}
_DROP = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->", re.S | re.I)
_ATTRS = re.compile(r'\b(?:placeholder|title|alt|aria-label|aria-description|data-label[\w-]*)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_URLISH = re.compile(r"\S+@\S+|https?://\S+|/[\w./?=&%-]+|\b[\w-]+\.(?:pdf|png|jpg|csv|xlsx|eml)\b"
                     r"|\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b|\b\w*\d\w*\b", re.I)
_CONSTANT = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b")  # a setting's name (MAIL_SERVER) on the admin pages
# Pages that show stored documents as they are (mail, listed and read, in the language it was sent in).
DATA_PAGES = {"admin.mail_message", "admin.mail"}


def _visible_text(page: str) -> str:
    page = _DROP.sub(" ", page)
    attrs = " ".join(_ATTRS.findall(page))
    text = _TAG.sub(" ", page) + " " + attrs
    return _CONSTANT.sub(" ", _URLISH.sub(" ", html_lib.unescape(text)))


def _data_strings() -> str:
    """Every text value stored in the world's database, joined (what pages may show as it is)."""
    values = []
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if not columns:
            continue
        for row in _db.session.execute(select(*columns)):
            for value in row:
                if isinstance(value, str):
                    values.append(value)
                elif value is not None:
                    values.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(values)


def _pages(client, world, role):  # noqa: F811
    for endpoint, row in EXPECTED.items():
        if row.get is None or row.get.get(role) != "200" or endpoint in DATA_PAGES:
            continue
        url = row.url.format(**world.ids)
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            yield endpoint, url, response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_one_language(app, client, login_as, world, role):  # noqa: F811
    _sign_in(client, login_as, world, role)
    data = _data_strings()
    wrong = []
    client.set_cookie("lang", "en")
    for endpoint, url, page in _pages(client, world, role):
        runs = {r for r in THAI.findall(_visible_text(page)) if r not in THAI_IN_ENGLISH_OK and r not in data}
        if runs:
            wrong.append(f"  EN {endpoint} {url}: Thai {sorted(runs)[:6]}")
    client.set_cookie("lang", "th")
    for endpoint, url, page in _pages(client, world, role):
        words = {w for w in WORD.findall(_visible_text(page)) if w not in ENGLISH_IN_THAI_OK and w not in data}
        if words:
            wrong.append(f"  TH {endpoint} {url}: English {sorted(words)[:8]}")
    assert not wrong, f"{len(wrong)} page(s) mix languages for {role}:\n" + "\n".join(wrong)
