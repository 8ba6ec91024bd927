"""Judging rules: conflicts of interest, assignments, scores, judges' affiliations and reminders.

Every change writes an audit entry (hash-chained) in the same transaction; operations flush, never commit.
Scores of a finalized category never change: `record_score` refuses, and so does every other operation
that would touch them (`rules.ensure_open`). The rubric editor is in rubric_ops.py, ranking, finalizing and
reopening in finalizing.py; both are re-exported here, so `operations` is the one name views and other
features import.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Organization, User
from ..core.errors import DomainError
from ..core.mail import queue_mail
from ..core.time import utcnow
from ..extensions import db
from ..fairs.models import Fair, FairRole
from ..nominations.models import Category, Nomination, NominationStatus
from .finalizing import (Problem, finalize, finalize_problems, finalize_refusal, problem_text,  # noqa: F401
                         ranking, reopen)
from .models import Assignment, Conflict, Criterion, JudgeProfile, Rubric, Score
from .queries import (conflicted, detected_conflicts, scores_of, scoring_inputs,  # noqa: F401
                      visible_nominations)
from .rubric_ops import rubric_snapshot, save_rubric  # noqa: F401
from .rules import (CategoryFinalized, CommentRequired, ConflictOfInterest, FinalizeNeedsReason,  # noqa: F401
                    JudgingNotOpen, NotAJudge, NotAssigned, NotEligibleForJudging, ReasonRequired, ReasonTooLong,
                    ScoredCriterionRemoved, ScoredScaleChanged, ScoreOutOfScale, ScoresRefused,
                    UnknownOrganization, WeightsInvalid, clean_reason, ensure_open, insert_or_existing,
                    lock_rubric, record, rubric_for)
from .scoring import panel_totals

# Why a conflict was detected (the chair confirms it); kept in Thai as the conflict's reason.
WHY = {"nominee": _l("สังกัดของกรรมการคือผู้ถูกเสนอชื่อ"), "nominator": _l("สังกัดของกรรมการคือผู้เสนอชื่อ")}


class ConflictNotDetected(DomainError):
    message = _l("ไม่พบส่วนได้เสียนี้แล้ว อาจยืนยันไปแล้ว")


# ---- conflicts ----

def declare_conflict(judge: User, nomination: Nomination, reason: str, actor: User, *,
                     source: str = "declared") -> Conflict:
    """Record a conflict (a judge's own declaration, or a detected one the chair confirms).

    The judge's assignment and scores for the nomination go: a conflicted judge neither sees it nor scores it.
    """
    ensure_open(rubric_for(nomination))
    reason = clean_reason(reason)

    def existing() -> Conflict | None:
        return db.session.scalar(select(Conflict).where(Conflict.judge_id == judge.id,
                                                        Conflict.nomination_id == nomination.id))

    conflict = existing()
    if conflict is None:  # the judge and the chair may record it at the same moment
        conflict, _created = insert_or_existing(Conflict(judge_id=judge.id, nomination_id=nomination.id,
                                                         source=source, reason=reason, confirmed=True), existing)
    conflict.confirmed = True
    # Locked: a request removing the same assignment meanwhile has committed by the time this answers.
    assignment = db.session.scalar(select(Assignment).where(Assignment.judge_id == judge.id,
                                                            Assignment.nomination_id == nomination.id)
                                   .with_for_update().execution_options(populate_existing=True))
    removed = None
    if assignment is not None:
        removed = {"assignment": assignment.id, "scores": {s.criterion_id: s.value for s in assignment.scores}}
        db.session.delete(assignment)
    db.session.flush()
    record("conflict_recorded", conflict, actor, nomination.fair_id, before=removed,
           after={"judge": judge.id, "nomination": nomination.id, "source": source, "reason": conflict.reason})
    return conflict


def confirm_detected_conflict(judge: User, nomination: Nomination, actor: User) -> Conflict:
    """The chair confirms a conflict the judges' affiliations show; refused when it is no longer detected."""
    found = {(j, n): why for j, n, why in detected_conflicts(nomination.fair_id)}
    why = found.get((judge.id, nomination.id))
    if why is None:
        raise ConflictNotDetected()
    with force_locale("th"):
        reason = str(WHY[why])
    return declare_conflict(judge, nomination, reason, actor, source="detected")


# ---- assignments ----

def add_assignment(judge: User, nomination: Nomination, actor: User) -> Assignment:
    """Assign a judge to an eligible nomination by hand (never a conflicted pair, only a judge of the fair)."""
    ensure_open(rubric_for(nomination))
    if "judge" not in judge.roles_in(nomination.fair_id):
        raise NotAJudge()
    if nomination.status != NominationStatus.eligible:
        raise NotEligibleForJudging()
    if conflicted(judge.id, nomination.id):
        raise ConflictOfInterest()

    def existing() -> Assignment | None:
        return db.session.scalar(select(Assignment).where(Assignment.judge_id == judge.id,
                                                          Assignment.nomination_id == nomination.id))

    assignment = existing()
    if assignment is not None:
        return assignment
    assignment, created = insert_or_existing(
        Assignment(judge_id=judge.id, nomination_id=nomination.id, created_by_id=actor.id), existing)
    if not created:  # the same assignment, made by another request at the same moment
        return assignment
    record("assigned", assignment, actor, nomination.fair_id, after={"judge": judge.id, "nomination": nomination.id})
    return assignment


def remove_assignment(assignment: Assignment, actor: User) -> None:
    """Take a nomination away from a judge (their scores for it go too, and are in the audit entry)."""
    nomination = assignment.nomination
    ensure_open(rubric_for(nomination))
    assignment = db.session.scalars(select(Assignment).where(Assignment.id == assignment.id).with_for_update()
                                    .execution_options(populate_existing=True)).one_or_none()
    if assignment is None:  # removed (or taken away by a conflict) by another request meanwhile
        return
    record("unassigned", assignment, actor, nomination.fair_id,
           before={"judge": assignment.judge_id, "nomination": nomination.id,
                   "scores": {s.criterion_id: s.value for s in assignment.scores}})
    db.session.delete(assignment)
    db.session.flush()


def auto_assign(rubric: Rubric, actor: User):
    """Give each eligible nomination of the category k judges of the fair, never a conflicted pair, with
    judges' loads (across the fair's categories) balanced to within one where conflicts allow.

    Returns the assignment Result: its `uncovered` says which nominations lack judges and why.
    """
    from .assign import assign

    # The rubric's row lock, exclusive: two automatic assignments of the category never insert the same
    # pairs, and a hand-made assignment (which holds it shared) lands wholly before or after.
    if lock_rubric(rubric).finalized:
        raise CategoryFinalized()
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
        record("assigned", assignment, actor, category.fair_id,
               after={"judge": judge_id, "nomination": nomination_id, "automatic": True})
    return result


# ---- scores ----

def record_score(assignment: Assignment, criterion: Criterion, value: int, comment: str, actor: User) -> Score:
    """Create or change one score; audited with before and after. The same score sent again changes
    nothing and writes no audit entry (an offline queue resent after a network drop is harmless)."""
    nomination = assignment.nomination
    rubric = criterion.rubric
    if rubric.category_id != nomination.category_id:
        raise NotAssigned()
    ensure_open(rubric)
    if actor.id != assignment.judge_id:
        raise NotAssigned()
    if conflicted(assignment.judge_id, nomination.id):
        raise ConflictOfInterest()
    if isinstance(value, bool) or not isinstance(value, int) \
            or not criterion.scale_min <= value <= criterion.scale_max:
        raise ScoreOutOfScale(min=criterion.scale_min, max=criterion.scale_max)
    comment = (comment or "").strip()
    if value == criterion.scale_min and not comment:
        raise CommentRequired(criterion=criterion.name_th)

    def stored() -> Score | None:
        # Locked: a save of the same score that committed while we waited is seen, and compared with.
        return db.session.scalars(select(Score).where(Score.assignment_id == assignment.id,
                                                      Score.criterion_id == criterion.id)
                                  .with_for_update().execution_options(populate_existing=True)).one_or_none()

    score, created, before = stored(), False, None
    if score is None:  # the first save; the page's retry or a second tab may send it at the same moment
        score, created = insert_or_existing(
            Score(assignment_id=assignment.id, criterion_id=criterion.id, value=value, comment=comment), stored)
    if not created:
        if score.value == value and (score.comment or "") == comment:
            return score
        before = {"value": score.value, "comment": score.comment}
        score.value, score.comment = value, comment
        score.updated_at = utcnow()
        db.session.flush()
    record("score_saved", score, actor, nomination.fair_id, before=before,
           after={"assignment": assignment.id, "criterion": criterion.id, "value": value, "comment": comment})
    return score


def record_scores(assignment: Assignment, values: dict[int, dict], actor: User, *,
                  unreadable: dict[int, str] | None = None) -> int:
    """The plain scoring form: every criterion at once, all or nothing. `values`: criterion id ->
    {"value", "comment"} (value None: not scored); `unreadable`: criteria whose value was not a number.

    Raises ScoresRefused (with each criterion's message) when any is refused; a refusal of the whole
    sheet (finalized, conflict, not assigned) is raised as itself. Returns how many scores changed.
    """
    rubric = rubric_for(assignment.nomination)
    if rubric is None:
        raise CategoryFinalized()
    ensure_open(rubric)
    errors = dict(unreadable or {})
    existing = scores_of(assignment)
    changed = 0
    for criterion in rubric.criteria:
        entry = values.get(criterion.id) or {}
        value, comment = entry.get("value"), (entry.get("comment") or "").strip()
        if criterion.id in errors or value is None:
            continue
        old = existing.get(criterion.id)
        try:
            record_score(assignment, criterion, value, comment, actor)
        except (ScoreOutOfScale, CommentRequired) as error:
            errors[criterion.id] = str(error)
            continue
        changed += int(old is None or (old.value, old.comment or "") != (value, comment))
    if errors:
        raise ScoresRefused(errors)
    return changed


# ---- the chair's other actions ----

def open_scores(rubric: Rubric, actor: User) -> None:
    """Let the category's judges see each other's scores."""
    rubric = lock_rubric(rubric)
    if not rubric.scores_open:
        rubric.scores_open = True
        record("scores_opened", rubric, actor, rubric.category.fair_id, after={"scores_open": True})


def set_affiliations(fair: Fair, affiliations: dict[int, int | None], actor: User) -> int:
    """Set judges' affiliations (organization id or None) for institutional conflicts; each change is
    audited. Returns how many changed. Refuses a user who is not a judge of the fair or an unknown
    organization."""
    db.session.scalars(select(Fair.id).where(Fair.id == fair.id).with_for_update()).one()
    org_ids = {o for o in affiliations.values() if o is not None}
    known = set(db.session.scalars(select(Organization.id).where(Organization.id.in_(org_ids)))) if org_ids else set()
    if org_ids - known:
        raise UnknownOrganization()
    judges = set(db.session.scalars(select(FairRole.user_id).where(FairRole.fair_id == fair.id,
                                                                   FairRole.role == "judge")))
    if set(affiliations) - judges:
        raise NotAJudge()
    profiles = {p.user_id: p for p in db.session.scalars(select(JudgeProfile).where(JudgeProfile.fair_id == fair.id))}
    changed = 0
    for user_id, new in sorted(affiliations.items()):
        profile = profiles.get(user_id)
        old = profile.affiliation_org_id if profile else None
        if new == old:
            continue
        if profile is None:
            profile = JudgeProfile(fair_id=fair.id, user_id=user_id)
            db.session.add(profile)
        profile.affiliation_org_id = new
        db.session.flush()
        record("affiliation_changed", profile, actor, fair.id,
               before={"judge": user_id, "affiliation": old}, after={"judge": user_id, "affiliation": new})
        changed += 1
    return changed


def remind_judges(rubric: Rubric, actor: User | None, link: str, *, skip_when_none: bool = False) -> list[User]:
    """Queue a reminder to every judge of the category who has not finished scoring (sent after the
    commit); audited with who was reminded (actor None: the schedule, judging.jobs). `link` is the judges'
    dashboard. With skip_when_none, nobody behind writes no entry."""
    category: Category = rubric.category
    fair = category.fair
    criteria, sheets = scoring_inputs(rubric)
    done_assigned: dict[int, list[int]] = {}
    for pair, total in panel_totals(sheets, criteria).items():
        row = done_assigned.setdefault(pair[0], [0, 0])
        row[0] += int(total is not None)
        row[1] += 1
    behind = sorted(j for j, (done, assigned) in done_assigned.items() if done < assigned)
    users = db.session.scalars(select(User).where(User.id.in_(behind)).order_by(User.id)).all() if behind else []
    for user in users:
        done, assigned = done_assigned[user.id]
        queue_mail(user.email, _l("เตือน: ยังให้คะแนน %(category)s ไม่ครบ", category=category.name_th), "judging_reminder", locale=user.locale or "th", user=user, fair=fair,
                   category=category, done=done, assigned=assigned, link=link)
    if users or not skip_when_none:
        record("reminded", rubric, actor, fair.id, after={"judges": [u.id for u in users],
                                                          "automatic": actor is None})
    return users
