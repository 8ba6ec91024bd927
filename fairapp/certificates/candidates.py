"""Who may receive a certificate, decided here and nowhere else, and what it will say about them:
- awardees: the results of a finalized category that reached an award level, in ranking order;
- exhibitors: applications checked in on the day (the organization, then each person named on the
  application), in booth-code order;
- judges: judges of the fair with at least one score;
- participants: names staff type in.
A candidate's `subject_key` names the subject: it has one current certificate (operations.plan).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..booths.models import Application, Booth
from ..core.thai import sort_key
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models import Assignment, JudgeProfile, Result, Rubric, Score
from ..nominations.models import Category, Nomination
from .errors import NotFinalized
from .labels import BOOTH_LINE, ROLE_LABELS, printed

_SEARCH_DROP = re.compile(r"[\s\u0e47-\u0e4e.,()\-_/'\"]+")


def search_norm(text: str) -> str:
    """What kiosk search compares: no spaces, tone marks, ็ ์ or punctuation; case folded (NFC first)."""
    return _SEARCH_DROP.sub("", unicodedata.normalize("NFC", text or "")).casefold()


def fill(text: str, values: dict[str, str]) -> str:
    """The template text with its [placeholders] filled in; unknown ones stay as typed."""
    for name, value in values.items():
        text = text.replace(f"[{name}]", value)
    return re.sub(r"\s{2,}", " ", text).strip()


@dataclass
class Candidate:
    """Someone a certificate may be issued to, with what it will say."""

    kind: str
    subject_key: str
    holder_name: str
    holder_org: str = ""
    role_th: str = ""
    values: dict = field(default_factory=dict)  # placeholder values for the reason
    category_id: int | None = None
    level_th: str | None = None
    stage_order: int = 0
    search_extra: str = ""  # other spellings to find it by (English names)

    def to_json(self) -> dict:
        return self.__dict__.copy()

    @classmethod
    def from_json(cls, data: dict) -> "Candidate":
        return cls(**data)


# ---- who ----

def awardee_candidates(category: Category) -> list[Candidate]:
    rubric = db.session.scalar(select(Rubric).where(Rubric.category_id == category.id))
    if rubric is None or not rubric.finalized:
        raise NotFinalized()
    results = db.session.scalars(
        select(Result).where(Result.rubric_id == rubric.id, Result.level_th.is_not(None))
        .order_by(Result.position)).all()
    nominations = {n.id: n for n in db.session.scalars(
        select(Nomination).where(Nomination.id.in_([r.nomination_id for r in results]))
        .options(selectinload(Nomination.nominee_org)))}
    fair = category.fair
    out = []
    for result in results:
        nomination = nominations[result.nomination_id]
        values = {"ระดับ": result.level_th, "ประเภทรางวัล": category.name_th, "งาน": fair.name_th,
                  "หน่วยงาน": fair.organizer_th, "องค์กร": nomination.nominee_name("th")}
        out.append(Candidate(
            kind="awardee", subject_key=f"award:{nomination.id}", holder_name=nomination.nominee_name("th"),
            holder_org=nomination.nominee_place("th"),
            role_th=printed(ROLE_LABELS["award"], level=result.level_th, category=category.name_th),
            values=values, category_id=category.id, level_th=result.level_th, stage_order=result.position,
            search_extra=nomination.nominee_name("en")))
    return out


def _booth_order(code: str) -> tuple:
    """A01 < A2 < A10 < B1: letters, then numbers as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", code))


def exhibitor_candidates(fair: Fair) -> list[Candidate]:
    rows = db.session.execute(
        select(Application, Booth.code).join(Booth, Booth.application_id == Application.id)
        .where(Application.fair_id == fair.id, Application.checked_in_at.is_not(None))
        .options(selectinload(Application.people), selectinload(Application.organization))).all()
    rows.sort(key=lambda row: _booth_order(row[1]))
    out, order = [], 0
    for application, code in rows:
        org_name = application.organization.name("th")
        values = {"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "บูธ": code, "องค์กร": org_name}
        order += 1
        out.append(Candidate(kind="exhibitor", subject_key=f"booth:{application.id}", holder_name=org_name,
                             holder_org=printed(BOOTH_LINE, code=code),
                             role_th=printed(ROLE_LABELS["booth"], code=code), values=values,
                             stage_order=order, search_extra=application.organization.name("en")))
        for person in application.people:
            order += 1
            out.append(Candidate(kind="exhibitor", subject_key=f"booth:{application.id}:person:{person.id}",
                                 holder_name=person.full_name, holder_org=org_name,
                                 role_th=printed(ROLE_LABELS["booth_person"], code=code), values=values,
                                 stage_order=order))
    return out


def judge_candidates(fair: Fair) -> list[Candidate]:
    judge_ids = db.session.scalars(
        select(Assignment.judge_id).join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.fair_id == fair.id).distinct()).all()
    # a judge erased at their request (PDPA s.33) gets no new certificate with a name
    users = db.session.scalars(select(User).where(User.id.in_(judge_ids), User.erased_at.is_(None))).all()
    profiles = {p.user_id: p for p in db.session.scalars(
        select(JudgeProfile).where(JudgeProfile.fair_id == fair.id, JudgeProfile.user_id.in_(judge_ids))
        .options(selectinload(JudgeProfile.affiliation)))}
    users.sort(key=lambda u: sort_key(u.first_name + " " + u.last_name))
    out = []
    for order, user in enumerate(users, start=1):
        profile = profiles.get(user.id)
        org = profile.affiliation.name("th") if profile and profile.affiliation else ""
        out.append(Candidate(kind="judge", subject_key=f"judge:{user.id}", holder_name=user.full_name,
                             holder_org=org, role_th=printed(ROLE_LABELS["judge"]),
                             values={"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org},
                             stage_order=order))
    return out


def _identity(text: str) -> str:
    """A name as an identity: NFC, spaces collapsed, case folded; marks kept (นำ and น้ำ are two people)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def participant_candidates(fair: Fair, lines: str) -> list[Candidate]:
    """One participant a line: "ชื่อ-สกุล" or "ชื่อ-สกุล | หน่วยงาน". The same name and organization twice
    is one person; the same name with another organization is another person."""
    out, seen = [], set()
    for raw in (lines or "").splitlines():
        name, _, org = raw.partition("|")
        name, org = " ".join(name.split()), " ".join(org.split())
        if not name:
            continue
        digest = hashlib.sha256(f"{_identity(name)}|{_identity(org)}".encode("utf-8")).hexdigest()[:24]
        if digest in seen:
            continue
        seen.add(digest)
        out.append(Candidate(kind="participant", subject_key=f"participant:{digest}", holder_name=name[:300],
                             holder_org=org[:300], role_th=printed(ROLE_LABELS["participant"]),
                             values={"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org},
                             stage_order=len(out) + 1))
    return out


def candidates_for(fair: Fair, kind: str, category: Category | None = None, lines: str = "") -> list[Candidate]:
    if kind == "awardee":
        return awardee_candidates(category)
    if kind == "exhibitor":
        return exhibitor_candidates(fair)
    if kind == "judge":
        return judge_candidates(fair)
    return participant_candidates(fair, lines)
