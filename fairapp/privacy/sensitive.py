"""Sensitive data (PDPA s.26) the forms collect, and the explicit consent each needs.

A monastic title (พระ, พระครู, พระมหา, สามเณร, แม่ชี...) tells of a person's religion: sign-up, joining and
a booth's people keep one only with explicit consent given in the same form (users.religion_consent_at,
booth_applications.religion_consent_at); without it the form says so and keeps what was typed. The ramp
need (a disability) has its own consent (booths: access_consent_at)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.errors import DomainError

MONASTIC_PREFIXES = ("พระ", "สามเณร", "แม่ชี", "ภิกษุ", "ภิกษุณี")


def is_monastic(title: str | None) -> bool:
    """A title that says its holder is ordained (religious belief: s.26)."""
    return (title or "").strip().startswith(MONASTIC_PREFIXES)


class ReligionConsentNeeded(DomainError):
    """PDPA s.26: a monastic title tells of religious belief; kept only with explicit consent."""
    message = _l("คำนำหน้านี้บอกว่าเป็นพระสงฆ์หรือนักบวช ซึ่งเป็นข้อมูลความเชื่อทางศาสนา (ข้อมูลอ่อนไหว มาตรา 26) "
                 "กรุณาติ๊กให้ความยินยอมโดยชัดแจ้ง หรือใช้คำนำหน้าอื่น")
    status = 400
    field = "religion_consent"


CONSENT_LABEL = _l("ข้าพเจ้ายินยอมโดยชัดแจ้งให้เก็บสมณศักดิ์หรือคำนำหน้าของนักบวช ซึ่งบอกถึงความเชื่อทางศาสนา "
                   "(ข้อมูลอ่อนไหว มาตรา 26) เพื่อเรียกขานและพิมพ์ในเกียรติบัตร ติ๊กเฉพาะเมื่อคำนำหน้าเป็นของนักบวช")
BOOTH_CONSENT_LABEL = _l("ผู้ประจำบูธที่เป็นพระสงฆ์หรือนักบวชยินยอมโดยชัดแจ้งให้เก็บสมณศักดิ์ของตน "
                         "(ข้อมูลอ่อนไหว มาตรา 26) ติ๊กเฉพาะเมื่อมีผู้ประจำบูธเป็นนักบวช")


def _monastic(column):
    from sqlalchemy import or_
    return or_(*[column.startswith(prefix) for prefix in MONASTIC_PREFIXES])


def unconsented() -> dict[str, int]:
    """Sensitive data kept without a recorded explicit consent (from before the forms asked, migrations 0019
    and 0024): what the DPO's page flags. A booth's next edit asks; an account's holder is asked by the DPO."""
    from sqlalchemy import exists, func, select

    from ..accounts.models import User
    from ..booths.models import Application, BoothPerson
    from ..extensions import db

    count = lambda query: db.session.scalar(select(func.count()).select_from(query.subquery())) or 0  # noqa: E731
    return {
        "ramp": count(select(Application.id).where(Application.needs_wheelchair.is_(True),
                                                   Application.access_consent_at.is_(None))),
        "booth_titles": count(select(Application.id).where(
            Application.religion_consent_at.is_(None),
            exists().where(BoothPerson.application_id == Application.id, _monastic(BoothPerson.title)))),
        "account_titles": count(select(User.id).where(User.religion_consent_at.is_(None), User.erased_at.is_(None),
                                                      _monastic(User.title))),
    }
