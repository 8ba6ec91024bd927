"""Judging rules: conflicts of interest, assignments, scores, finalizing and reopening a category.

Every change writes an audit entry (hash-chained) in the same transaction. Scores of a finalized category
never change: `record_score` refuses, and so does every other operation that would touch them.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..core.time import utcnow
from ..extensions import db
from ..nominations.models import Nomination, NominationStatus
from .models import Assignment, Conflict, Criterion, JudgeProfile, Rubric, Score


class CategoryFinalized(DomainError):
    message = _l("ประเภทรางวัลนี้สรุปผลแล้ว คะแนนเปลี่ยนไม่ได้ หากจำเป็นต้องแก้ ประธานต้องเปิดการตัดสินใหม่พร้อมเหตุผล")


class ConflictOfInterest(DomainError):
    message = _l("กรรมการมีส่วนได้เสียกับการเสนอชื่อนี้ จึงให้คะแนนไม่ได้")


class NotAssigned(DomainError):
    message = _l("การเสนอชื่อนี้ไม่ได้มอบหมายให้กรรมการท่านนี้")


class ScoreOutOfScale(DomainError):
    message = _l("คะแนนต้องอยู่ระหว่าง %(min)d ถึง %(max)d")


class CommentRequired(DomainError):
    message = _l("ให้คะแนนต่ำสุดของเกณฑ์ \"%(criterion)s\" ต้องเขียนเหตุผลประกอบ")


class ReasonRequired(DomainError):
    message = _l("กรุณาระบุเหตุผล")


class NotEligibleForJudging(DomainError):
    message = _l("ตัดสินได้เฉพาะการเสนอชื่อที่ผ่านการตรวจคุณสมบัติแล้ว")


def _record(action: str, obj, actor, fair_id: int, before=None, after=None, **kw) -> None:
    audit.record(f"judging.{action}", obj, actor=actor, fair_id=fair_id, before=before, after=after, **kw)


def rubric_for(nomination: Nomination) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.category_id == nomination.category_id))


def ensure_open(rubric: Rubric | None) -> None:
    """Raise CategoryFinalized when the category's results are frozen."""
    if rubric is not None and rubric.finalized:
        raise CategoryFinalized()


def conflicted(judge_id: int, nomination_id: int) -> bool:
    """A declared or confirmed conflict between the judge and the nomination."""
    return db.session.scalar(select(Conflict.id).where(
        Conflict.judge_id == judge_id, Conflict.nomination_id == nomination_id,
        Conflict.confirmed.is_(True))) is not None


def visible_nominations(judge: User, category_id: int | None = None):
    """The query of nominations a judge may see: assigned to them and not conflicted."""
    query = (select(Nomination).join(Assignment, Assignment.nomination_id == Nomination.id)
             .where(Assignment.judge_id == judge.id,
                    ~select(Conflict.id).where(Conflict.judge_id == judge.id,
                                               Conflict.nomination_id == Nomination.id,
                                               Conflict.confirmed.is_(True)).exists()))
    if category_id is not None:
        query = query.where(Nomination.category_id == category_id)
    return query


def detected_conflicts(fair_id: int) -> list[tuple[int, int, str]]:
    """(judge, nomination, why) where a judge's affiliation is the nominee or the nominator.

    Shown to the chair to confirm; nothing is recorded until they do.
    """
    profiles = db.session.scalars(select(JudgeProfile).where(
        JudgeProfile.fair_id == fair_id, JudgeProfile.affiliation_org_id.is_not(None))).all()
    if not profiles:
        return []
    nominations = db.session.scalars(select(Nomination).where(
        Nomination.fair_id == fair_id, Nomination.status == NominationStatus.eligible)).all()
    known = {(c.judge_id, c.nomination_id) for c in db.session.scalars(select(Conflict).join(Nomination).where(
        Nomination.fair_id == fair_id))}
    found = []
    for p in profiles:
        for n in nominations:
            if (p.user_id, n.id) in known:
                continue
            if n.nominee_org_id == p.affiliation_org_id:
                found.append((p.user_id, n.id, "nominee"))
            elif n.nominator_org_id == p.affiliation_org_id:
                found.append((p.user_id, n.id, "nominator"))
    return found


def declare_conflict(judge: User, nomination: Nomination, reason: str, actor: User, *,
                     source: str = "declared") -> Conflict:
    """Record a conflict (a judge's own declaration, or a detected one the chair confirms).

    The judge's assignment and scores for the nomination go: a conflicted judge neither sees it nor scores it.
    """
    ensure_open(rubric_for(nomination))
    if not (reason or "").strip():
        raise ReasonRequired()
    existing = db.session.scalar(select(Conflict).where(Conflict.judge_id == judge.id,
                                                        Conflict.nomination_id == nomination.id))
    if existing is not None:
        existing.confirmed = True
        conflict = existing
    else:
        conflict = Conflict(judge_id=judge.id, nomination_id=nomination.id, source=source,
                            reason=reason.strip(), confirmed=True)
        db.session.add(conflict)
    assignment = db.session.scalar(select(Assignment).where(Assignment.judge_id == judge.id,
                                                            Assignment.nomination_id == nomination.id))
    removed = None
    if assignment is not None:
        removed = {"assignment": assignment.id, "scores": {s.criterion_id: s.value for s in assignment.scores}}
        db.session.delete(assignment)
    db.session.flush()
    _record("conflict_recorded", conflict, actor, nomination.fair_id, before=removed,
            after={"judge": judge.id, "nomination": nomination.id, "source": source, "reason": conflict.reason})
    return conflict


def add_assignment(judge: User, nomination: Nomination, actor: User) -> Assignment:
    """Assign a judge to an eligible nomination by hand (never a conflicted pair)."""
    ensure_open(rubric_for(nomination))
    if nomination.status != NominationStatus.eligible:
        raise NotEligibleForJudging()
    if conflicted(judge.id, nomination.id):
        raise ConflictOfInterest()
    existing = db.session.scalar(select(Assignment).where(Assignment.judge_id == judge.id,
                                                          Assignment.nomination_id == nomination.id))
    if existing is not None:
        return existing
    assignment = Assignment(judge_id=judge.id, nomination_id=nomination.id, created_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    _record("assigned", assignment, actor, nomination.fair_id,
            after={"judge": judge.id, "nomination": nomination.id})
    return assignment


def remove_assignment(assignment: Assignment, actor: User) -> None:
    """Take a nomination away from a judge (their scores for it go too, and are in the audit entry)."""
    nomination = assignment.nomination
    ensure_open(rubric_for(nomination))
    _record("unassigned", assignment, actor, nomination.fair_id,
            before={"judge": assignment.judge_id, "nomination": nomination.id,
                    "scores": {s.criterion_id: s.value for s in assignment.scores}})
    db.session.delete(assignment)
    db.session.flush()


def record_score(assignment: Assignment, criterion: Criterion, value: int, comment: str, actor: User) -> Score:
    """Create or change one score; audited with before and after."""
    nomination = assignment.nomination
    rubric = criterion.rubric
    if rubric.category_id != nomination.category_id:
        raise NotAssigned()
    ensure_open(rubric)
    if actor.id != assignment.judge_id:
        raise NotAssigned()
    if conflicted(assignment.judge_id, nomination.id):
        raise ConflictOfInterest()
    if not isinstance(value, int) or not criterion.scale_min <= value <= criterion.scale_max:
        raise ScoreOutOfScale(min=criterion.scale_min, max=criterion.scale_max)
    comment = (comment or "").strip()
    if value == criterion.scale_min and not comment:
        raise CommentRequired(criterion=criterion.name_th)
    score = db.session.scalar(select(Score).where(Score.assignment_id == assignment.id,
                                                  Score.criterion_id == criterion.id))
    before = {"value": score.value, "comment": score.comment} if score else None
    if score is None:
        score = Score(assignment_id=assignment.id, criterion_id=criterion.id, value=value, comment=comment)
        db.session.add(score)
    else:
        score.value, score.comment = value, comment
        score.updated_at = utcnow()
    db.session.flush()
    _record("score_saved", score, actor, nomination.fair_id, before=before,
            after={"assignment": assignment.id, "criterion": criterion.id, "value": value, "comment": comment})
    return score


def open_scores(rubric: Rubric, actor: User) -> None:
    """Let the category's judges see each other's scores."""
    if not rubric.scores_open:
        rubric.scores_open = True
        _record("scores_opened", rubric, actor, rubric.category.fair_id, after={"scores_open": True})


def reopen(rubric: Rubric, reason: str, actor: User) -> None:
    """Unfreeze a finalized category; needs a reason, and is audited."""
    if not rubric.finalized:
        return
    if not (reason or "").strip():
        raise ReasonRequired()
    before = {"finalized_at": rubric.finalized_at, "finalized_by": rubric.finalized_by_id}
    rubric.finalized_at = None
    rubric.finalized_by_id = None
    _record("reopened", rubric, actor, rubric.category.fair_id, before=before, after={"reason": reason.strip()})


def auto_assign(rubric: Rubric, actor: User):
    """Give each eligible nomination of the category k judges of the fair, never a conflicted pair, with
    judges' loads (across the fair's categories) balanced to within one where conflicts allow.

    Returns the assignment Result: its `uncovered` says which nominations lack judges and why.
    """
    from ..fairs.models import FairRole
    from .assign import assign

    ensure_open(rubric)
    category = rubric.category
    nominations = db.session.scalars(select(Nomination.id).where(
        Nomination.category_id == category.id, Nomination.status == NominationStatus.eligible)
        .order_by(Nomination.id)).all()
    judges = db.session.scalars(select(FairRole.user_id).where(
        FairRole.fair_id == category.fair_id, FairRole.role == "judge").order_by(FairRole.user_id)).all()
    conflicts = set(db.session.execute(select(Conflict.judge_id, Conflict.nomination_id).join(
        Nomination, Nomination.id == Conflict.nomination_id).where(
        Nomination.category_id == category.id, Conflict.confirmed.is_(True))).all())
    rows = db.session.execute(select(Assignment.judge_id, Assignment.nomination_id, Nomination.category_id)
                              .join(Nomination, Nomination.id == Assignment.nomination_id)
                              .where(Nomination.fair_id == category.fair_id)).all()
    existing = {(j, n) for j, n, c in rows if c == category.id}
    elsewhere: dict[int, int] = {}
    for j, n, c in rows:
        if c != category.id:
            elsewhere[j] = elsewhere.get(j, 0) + 1
    result = assign(list(nominations), list(judges), rubric.judges_per_nomination, conflicts,
                    existing=existing, current_load=elsewhere)
    for judge_id, nomination_id in result.pairs:
        assignment = Assignment(judge_id=judge_id, nomination_id=nomination_id, created_by_id=actor.id)
        db.session.add(assignment)
        db.session.flush()
        _record("assigned", assignment, actor, category.fair_id,
                after={"judge": judge_id, "nomination": nomination_id, "automatic": True})
    return result


def _scoring_inputs(rubric: Rubric):
    from .scoring import Criterion as C

    criteria = [C(c.id, c.weight, c.scale_min, c.scale_max) for c in rubric.criteria]
    sheets: dict[tuple[int, int], dict[int, int]] = {}
    rows = db.session.execute(
        select(Assignment.judge_id, Assignment.nomination_id, Score.criterion_id, Score.value)
        .join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.category_id == rubric.category_id)).all()
    assigned = db.session.execute(select(Assignment.judge_id, Assignment.nomination_id)
                                  .join(Nomination, Nomination.id == Assignment.nomination_id)
                                  .where(Nomination.category_id == rubric.category_id)).all()
    for judge_id, nomination_id in assigned:
        sheets.setdefault((judge_id, nomination_id), {})
    for judge_id, nomination_id, criterion_id, value in rows:
        sheets[(judge_id, nomination_id)][criterion_id] = value
    return criteria, sheets


def ranking(rubric: Rubric):
    """The category's ranking from the scores as they are now (what finalizing would freeze).

    Returns (rows, raw means, z means): the same scores always give the same ranking.
    """
    from .scoring import Rule, TieData, panel_totals, rank, raw_means, z_normalized_means

    criteria, sheets = _scoring_inputs(rubric)
    totals = panel_totals(sheets, criteria)
    raw, z = raw_means(totals), z_normalized_means(totals)
    final = z if rubric.ranking == "z" else raw
    rules = []
    for rule in rubric.tie_rules:
        if rule.kind == "criterion":
            rules.append(Rule("criterion", rule.criterion_id))
        elif rule.kind == "judges_above":
            rules.append(Rule("judges_above", rule.threshold))
        else:
            rules.append(Rule("chair", {int(k): v for k, v in (rule.chair_order or {}).items()}))
    nominations = sorted({n for _, n in sheets})
    rows = rank(nominations, final, rules, TieData(scores=sheets, totals=totals))
    return rows, raw, z


def finalize(rubric: Rubric, actor: User) -> list:
    """Freeze the ranking, award levels and tie-break notes; scores can no longer change."""
    from .models import Result
    from .scoring import award_level

    ensure_open(rubric)
    if not rubric.weights_ok:
        raise DomainError(_l("น้ำหนักของเกณฑ์ต้องรวมกันได้ 100"))
    rows, raw, z = ranking(rubric)
    levels = [(level.min_score, level.name_th) for level in rubric.levels]
    for old in db.session.scalars(select(Result).where(Result.rubric_id == rubric.id)):
        db.session.delete(old)
    db.session.flush()
    results = []
    for row in rows:
        if row.position is None:
            continue
        result = Result(rubric_id=rubric.id, nomination_id=row.nomination, position=row.position,
                        score=round(row.score, 2), raw_mean=raw.get(row.nomination), z_mean=z.get(row.nomination),
                        level_th=award_level(row.score, levels),
                        tie_note=list(row.tie_note) if row.tie_note else None)
        db.session.add(result)
        results.append(result)
    rubric.finalized_at = utcnow()
    rubric.finalized_by_id = actor.id
    db.session.flush()
    _record("finalized", rubric, actor, rubric.category.fair_id,
            after={"ranking": [[r.nomination_id, r.position, r.score, r.level_th] for r in results]})
    return results
