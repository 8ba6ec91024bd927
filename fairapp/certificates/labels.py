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

from ..awardees.levels import level_text
from ..core.i18n import locale_code

KINDS = ("awardee", "exhibitor", "judge", "participant")
WITHHELD = _l("ไม่เปิดเผยชื่อตามคำขอของผู้ถือเกียรติบัตร")  # the name erased at the holder's request (PDPA s.33)
KIND_LABELS = {"awardee": _l("ผู้ได้รับรางวัล"), "exhibitor": _l("ผู้ออกบูธ"), "judge": _l("กรรมการ"),
               "participant": _l("ผู้เข้าร่วมงาน")}

# What the app writes on a certificate, by role: how it reads in the viewer's language. Its Thai (the msgid,
# or PRINTED_TH where the msgid must differ) is what the certificate prints and the row stores.
ROLE_LABELS = {
    "award": _l("รางวัลระดับ%(level)s ประเภท%(category)s"),
    "booth": _l("ผู้ออกบูธ %(code)s"),
    "booth_person": _l("ผู้ประจำบูธ %(code)s"),
    "judge": _l("กรรมการพิจารณาตัดสินรางวัล"),
    "participant": _l("ผู้เข้าร่วมงานในฐานะบุคคล"),  # a person's role (the kind label is plural)
}
# Why a certificate is no longer valid, as the public reads it on /verify (Certificate.revoked_public_reason,
# chosen from this list); the staff's own words (revoked_reason) are an internal note shown to staff only.
PUBLIC_REASONS = {
    "issued_in_error": _l("ออกเกียรติบัตรโดยคลาดเคลื่อน"),
    "details_corrected": _l("มีการแก้ไขรายละเอียดในเกียรติบัตร"),
    "award_withdrawn": _l("มีการเพิกถอนรางวัลหรือสถานะที่เกียรติบัตรรับรอง"),
    "holder_request": _l("ยกเลิกตามคำขอของผู้รับเกียรติบัตร"),
    "other": _l("เหตุผลอื่น (สอบถามได้ที่ผู้จัดงาน)"),
}
REISSUE_PUBLIC_REASON = "details_corrected"  # a reissue corrects the holder's name or organization
BOOTH_LINE = _l("บูธ %(code)s")  # the line under a booth's organization (Certificate.holder_org)
PRINTED_TH = [(ROLE_LABELS["participant"], "ผู้เข้าร่วมงาน")]


def thai(label) -> str:
    """A catalog label in Thai, whatever the viewer reads (what is printed and stored)."""
    with force_locale("th"):
        return str(label)


def _printed(label) -> str:
    for known, text in PRINTED_TH:
        if known is label:
            return text
    return thai(label)


def printed(label, **params: str) -> str:
    """The wording as printed and stored, e.g. printed(ROLE_LABELS["booth"], code="A01") -> "ผู้ออกบูธ A01"."""
    return _printed(label) % params if params else _printed(label)


def _read_back(label, stored: str) -> dict | None:
    """The parameters of a stored wording made by `printed(label, ...)`; None when it was not."""
    parts = re.split(r"%\((\w+)\)s", _printed(label))
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    match = re.fullmatch(pattern, stored or "", re.S)
    return match.groupdict() if match else None


def _in_viewers_language(label, stored: str, lang: str | None, **override) -> str:
    """Thai readers see the stored text exactly as printed; others the catalog's wording with the stored
    parameters. A stored text made otherwise is shown as it is (data)."""
    if (lang or locale_code()) == "th":
        return stored
    params = _read_back(label, stored)
    if params is None:
        return stored
    if "level" in params:  # an award level: the chair's Thai word, in the viewer's language when known
        params["level"] = level_text(params["level"], lang=lang or locale_code())
    params.update(override)
    return str(label) % params if params else str(label)


def role_of(kind: str, subject_key: str) -> str:
    if kind == "awardee":
        return "award"
    if kind == "exhibitor":
        return "booth_person" if ":person:" in (subject_key or "") else "booth"
    return kind


def role_label(kind: str, subject_key: str, stored: str, category=None, lang: str | None = None) -> str:
    """The role (Certificate.role_th) in the viewer's language; an award's category in its own name for
    that language."""
    role = role_of(kind, subject_key)
    override = {"category": category.name(lang or locale_code())} if role == "award" and category is not None else {}
    return _in_viewers_language(ROLE_LABELS[role], stored, lang, **override)


def holder_org_label(kind: str, subject_key: str, stored: str, lang: str | None = None) -> str:
    """The line under the holder's name in the viewer's language ("บูธ A01" for a booth's organization;
    anything else is data: an organization's or a place's own name)."""
    if role_of(kind, subject_key) == "booth":
        return _in_viewers_language(BOOTH_LINE, stored, lang)
    return stored


def public_reason_label(code: str | None, lang: str | None = None) -> str | None:
    """The public reason in the viewer's language (or `lang`); None when none was chosen (rows revoked
    before the list existed) or the code is not on the list."""
    label = PUBLIC_REASONS.get(code or "")
    if label is None:
        return None
    if lang is not None:
        with force_locale(lang):
            return str(label)
    return str(label)


def batch_label(kind: str, category=None, lang: str | None = None) -> str:
    """A batch's name in the viewer's language: its kind, and its award category when it has one."""
    lang = lang or locale_code()
    label = str(KIND_LABELS[kind])
    return f"{label} · {category.name(lang)}" if category is not None else label


def batch_title_th(kind: str, category=None) -> str:
    """A batch's name in Thai: the title of its merged PDF."""
    return f"{thai(KIND_LABELS[kind])} · {category.name_th}" if category is not None else thai(KIND_LABELS[kind])
