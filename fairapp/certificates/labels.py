"""What kinds, roles and batches are called, in the viewer's language.

A certificate is printed in Thai, and its role is stored as printed (`Certificate.role_th`, the
"award or role" of /verify's JSON). Pages never show that stored text to someone reading another
language: they name the role from the certificate's kind and subject, with the parameters (booth code,
award level) read back from the stored Thai wording, and translate it through the catalog. A batch's name
is likewise made from its kind and category when it is shown, never stored translated.
"""
from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..core.i18n import locale_code

KINDS = ("awardee", "exhibitor", "judge", "participant")
KIND_LABELS = {"awardee": _l("ผู้ได้รับรางวัล"), "exhibitor": _l("ผู้ออกบูธ"), "judge": _l("กรรมการ"),
               "participant": _l("ผู้เข้าร่วมงาน")}

# role -> how it reads in the viewer's language. Its Thai (the msgid, or ROLES_TH where the msgid must
# differ) is what the certificate prints and `role_th` stores.
ROLE_LABELS = {
    "award": _l("รางวัลระดับ%(level)s ประเภท%(category)s"),
    "booth": _l("ผู้ออกบูธ %(code)s"),
    "booth_person": _l("ผู้ประจำบูธ %(code)s"),
    "judge": _l("กรรมการพิจารณาตัดสินรางวัล"),
    "participant": _l("ผู้เข้าร่วมงานในฐานะบุคคล"),  # a person's role (the kind label is plural)
}
ROLES_TH = {"participant": "ผู้เข้าร่วมงาน"}


def thai(label) -> str:
    """A catalog label in Thai, whatever the viewer reads (what is printed and stored)."""
    with force_locale("th"):
        return str(label)


def _role_format_th(role: str) -> str:
    return ROLES_TH.get(role) or thai(ROLE_LABELS[role])


def role_of(kind: str, subject_key: str) -> str:
    if kind == "awardee":
        return "award"
    if kind == "exhibitor":
        return "booth_person" if ":person:" in (subject_key or "") else "booth"
    return kind


def role_th(role: str, **params: str) -> str:
    """The role as printed and stored, e.g. role_th("booth", code="A01") -> "ผู้ออกบูธ A01"."""
    return _role_format_th(role) % params


def _role_pattern(role: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", _role_format_th(role))
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{pattern}$", re.S)


def role_label(kind: str, subject_key: str, stored: str, category=None, lang: str | None = None) -> str:
    """The role in the viewer's language. Thai readers see it exactly as printed; others get the catalog's
    wording with the stored parameters (a booth code, an award level) and the category's own name in their
    language. A stored text that matches no known role is shown as it is (data)."""
    lang = lang or locale_code()
    if lang == "th":
        return stored
    role = role_of(kind, subject_key)
    match = _role_pattern(role).match(stored or "")
    if match is None:
        return stored
    params = match.groupdict()
    if role == "award" and category is not None:
        params["category"] = category.name(lang)
    return str(ROLE_LABELS[role]) % params if params else str(ROLE_LABELS[role])


def batch_label(kind: str, category=None, lang: str | None = None) -> str:
    """A batch's name in the viewer's language: its kind, and its award category when it has one."""
    lang = lang or locale_code()
    label = str(KIND_LABELS[kind])
    return f"{label} · {category.name(lang)}" if category is not None else label


def batch_title_th(kind: str, category=None) -> str:
    """A batch's name in Thai: the title of its merged PDF."""
    return f"{thai(KIND_LABELS[kind])} · {category.name_th}" if category is not None else thai(KIND_LABELS[kind])
