"""Jinja filters and globals: B.E. dates, Thai numerals, phone format, language, current path."""
from __future__ import annotations

import re

from flask import g, request
from flask_babel import get_locale
from markupsafe import Markup, escape

from .forms import format_thai_phone
from .thai import format_date, mask_id, thai_digits


def _digits_on(digits: bool | None = None) -> bool:
    wanted = g.get("thai_digits", False) if digits is None else digits
    return bool(wanted) and str(get_locale()) == "th"


def thaidate(value, style: str = "long", digits: bool | None = None) -> str:
    """The one way a date is shown: Buddhist Era, in the page's language, Thai numerals if the fair asks.

    `digits` is the fair's Thai-numerals choice where a page lists several fairs; by default the
    page's fair (set by the view with use_thai_digits) decides.
    """
    return format_date(value, style=style, locale=str(get_locale() or "th"), digits=_digits_on(digits))


def num(value, digits: bool | None = None) -> str:
    """A number, in Thai numerals when the fair asks for them."""
    return thai_digits(value) if _digits_on(digits) else str(value)


_THAI = re.compile("[\u0e00-\u0e7f]")


def thai_attr(text) -> Markup:
    """` lang="th"` for Thai user data (a name, a text typed in Thai) on a page in another language, so a
    screen reader reads it with a Thai voice (WCAG 3.1.2); nothing otherwise: `<td{{ name|thai_attr }}>`."""
    if text and str(get_locale() or "th") != "th" and _THAI.search(str(text)):
        return Markup(' lang="th"')
    return Markup("")


def thai(text) -> Markup:
    """The text, inside `<span lang="th">` when thai_attr says so: `{{ name|thai }}` where the text sits
    among other words (escaped like any other value)."""
    if thai_attr(text):
        return Markup('<span lang="th">%s</span>') % text
    return escape(text if text is not None else "")


def register(app) -> None:
    app.add_template_filter(thai, "thai")
    app.add_template_filter(thai_attr, "thai_attr")
    app.add_template_filter(thaidate, "thaidate")
    app.add_template_filter(num, "num")
    app.add_template_filter(format_thai_phone, "phone")
    app.add_template_filter(mask_id, "mask_id")

    @app.context_processor
    def inject():
        lang = str(get_locale() or "th")
        return {"lang": lang, "other_lang": "en" if lang == "th" else "th",
                "current_path": request.full_path.rstrip("?") if request else "/"}
