"""Award levels in the viewer's language. A category's levels are the chair's words (judging AwardLevel:
name_th, name_en when given; the results keep the Thai name, Result.level_th, as the certificates print
it). In English a level shows its name_en, else the English of a common Thai level name (below), else the
Thai name marked lang="th" (WCAG 3.1.2). Certificates stay Thai (they print level_th)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

# The level names chairs use (the demo's ต้นแบบ / เชิดชูเกียรติ among them): Thai msgids, English in the catalog.
KNOWN = {name: label for name, label in (
    ("ต้นแบบ", _l("ต้นแบบ")), ("เชิดชูเกียรติ", _l("เชิดชูเกียรติ")), ("ดีเด่น", _l("ดีเด่น")),
    ("ดีเยี่ยม", _l("ดีเยี่ยม")), ("ยอดเยี่ยม", _l("ยอดเยี่ยม")), ("ชมเชย", _l("ชมเชย")),
    ("รางวัลชมเชย", _l("รางวัลชมเชย")), ("เหรียญทอง", _l("เหรียญทอง")), ("เหรียญเงิน", _l("เหรียญเงิน")),
    ("เหรียญทองแดง", _l("เหรียญทองแดง")), ("ระดับทอง", _l("ระดับทอง")), ("ระดับเงิน", _l("ระดับเงิน")),
    ("ระดับทองแดง", _l("ระดับทองแดง")))}


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "th"


def level_text(level_th: str | None, name_en: str | None = None, lang: str | None = None) -> str:
    """The level's name in `lang` (the request's by default), as plain text ("" for none)."""
    if not level_th:
        return ""
    lang = lang or _lang()
    if lang == "th":
        return level_th
    if name_en:
        return name_en
    known = KNOWN.get(level_th.strip())
    return str(known) if known is not None else level_th


def level_label(level_th: str | None, name_en: str | None = None) -> Markup:
    """The level as HTML: its name in the request's language, or the Thai name in <span lang="th"> on a
    page in another language when it has no English."""
    text = level_text(level_th, name_en)
    if text and _lang() != "th" and text == level_th:
        return Markup('<span lang="th">%s</span>') % text
    return Markup(escape(text))
