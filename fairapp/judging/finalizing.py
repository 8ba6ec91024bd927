"""Ranking a category, finalizing it (with its safeguards) and reopening it.

Finalizing freezes the ranking, award levels and tie-break notes; afterwards scores never change. It is
refused outright before the fair's judging window opens, when the weights do not sum to 100, or when the
category is already finalized (`finalize_refusal`). What is missing (`finalize_problems`: nominations
without their required judges' complete scores, detected conflicts the chair has not decided) does not
block it, but then the chair must confirm with a written reason, which goes into the audit entry and the
signed minutes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from ..accounts.models import User
from ..core.errors import DomainError
from ..core.i18n import locale_code
from ..core.templating import thai
from ..core.thai import format_date
from ..core.time import today_local, utcnow
from ..extensions import db
from ..nominations.models import Nomination
from ..nominations.operations.common import notify_nominee
from .models import Result, Rubric
from .queries import (detected_conflicts, eligible_nomination_ids, judge_names, nominations_by_id,
                      scoring_inputs)
from .rules import (CategoryFinalized, FinalizeNeedsReason, JudgingNotOpen, WeightsInvalid, clean_reason,
                    lock_rubric, record)
from .scoring import Rule, TieData, award_level, panel_totals, rank, raw_means, z_normalized_means


def ranking(rubric: Rubric, inputs=None):
    """The category's ranking from the scores as they are now (what finalizing would freeze).

    Returns (rows, raw means, z means): the same scores always give the same ranking. `inputs`:
    (criteria, sheets, totals) when the caller has read and summed them already.
    """
    if inputs is None:
        criteria, sheets = scoring_inputs(rubric)
        totals = panel_totals(sheets, criteria)
    else:
        criteria, sheets, totals = inputs
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
    nominations = sorted({n for _j, n in sheets})
    rows = rank(nominations, final, rules, TieData(scores=sheets, totals=totals))
    return rows, raw, z


@dataclass(frozen=True)
class Problem:
    """Something missing when the chair finalizes: "missing_scores" (a nomination with fewer complete
    score sheets than the judges it needs) or "undecided_conflict" (a detected conflict not yet confirmed).
    Names are kept as they were, for the audit entry and the minutes."""

    kind: str
    nomination: int
    nominee: str
    scored: int = 0
    needed: int = 0
    judge: int | None = None
    judge_name: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def problem_text(problem: Problem | dict, mark=str) -> str:
    """The problem in words (the current language); `mark` is applied to the names in it."""
    p = problem.as_dict() if isinstance(problem, Problem) else problem
    if p.get("kind") == "undecided_conflict":
        return _("%(name)s (#%(id)s): ส่วนได้เสียของ %(judge)s ที่ระบบตรวจพบ ประธานยังไม่ได้ยืนยัน",
                 name=mark(p.get("nominee", "")), id=p.get("nomination"), judge=mark(p.get("judge_name", "")))
    return _("%(name)s (#%(id)s): มีคะแนนครบจากกรรมการ %(scored)s จาก %(needed)s ท่าน",
             name=mark(p.get("nominee", "")), id=p.get("nomination"), scored=p.get("scored"), needed=p.get("needed"))


def problem_html(problem: Problem | dict) -> Markup:
    """The problem for a page: the names escaped, and marked lang="th" on a page in another language."""
    return Markup(problem_text(problem, mark=thai))


def finalize_problems(rubric: Rubric, inputs=None, limit: int | None = None) -> list[Problem]:
    """What is missing before the category can be finalized without a reason, in nomination order.

    `inputs`: (criteria, sheets, totals) when the caller has them. With `limit`, only the first `limit`
    problems are named (their nominations loaded; finalize_problem_count says how many there are): the
    chair's page shows a window, not every nomination of a category where judging has just begun."""
    if inputs is None:
        criteria, sheets = scoring_inputs(rubric)
        totals = panel_totals(sheets, criteria)
    else:
        _criteria, sheets, totals = inputs
    complete = _complete_sheets(totals)
    eligible = eligible_nomination_ids(rubric.category_id)
    short = [n for n in eligible if complete.get(n, 0) < rubric.judges_per_nomination]
    return named_problems(rubric, short, complete, limit)


def _complete_sheets(totals) -> dict[int, int]:
    complete: dict[int, int] = {}
    for (_j, n), total in totals.items():
        complete[n] = complete.get(n, 0) + int(total is not None)
    return complete


def detected_problems(rubric: Rubric) -> list[tuple[int, int, str]]:
    """The category's detected, undecided conflicts on eligible nominations (detected_conflicts keeps to
    eligible nominations)."""
    return detected_conflicts(rubric.category.fair_id, rubric.category_id)


def named_problems(rubric: Rubric, short, complete: dict[int, int], limit: int | None = None,
                   detected=None) -> list[Problem]:
    """The problems of `short` (eligible nominations with too few complete sheets) and of the detected
    conflicts, the first `limit` of them named (their nominations and judges loaded)."""
    category = rubric.category
    needed = rubric.judges_per_nomination
    detected = detected_problems(rubric) if detected is None else detected
    wanted = sorted([(n, "missing_scores", 0) for n in short]
                    + [(n, "undecided_conflict", j) for j, n, _why in detected])
    if limit is not None:
        wanted = wanted[:limit]
    by_id = nominations_by_id(n for n, _k, _j in wanted)
    names = judge_names(category.fair_id, {j for _n, k, j in wanted if k == "undecided_conflict"}) if detected else {}
    problems = [Problem("missing_scores", n, by_id[n].nominee_name(), scored=complete.get(n, 0), needed=needed)
                if kind == "missing_scores" else
                Problem("undecided_conflict", n, by_id[n].nominee_name(), judge=j, judge_name=names.get(j, ""))
                for n, kind, j in wanted]
    return sorted(problems, key=lambda p: (p.nomination, p.kind, p.judge or 0))


def finalize_problem_count(rubric: Rubric, inputs) -> int:
    """How many problems finalize_problems finds (without naming them)."""
    _criteria, sheets, totals = inputs
    complete = _complete_sheets(totals)
    eligible = eligible_nomination_ids(rubric.category_id)
    missing = sum(1 for n in eligible if complete.get(n, 0) < rubric.judges_per_nomination)
    return missing + len(detected_problems(rubric))


def finalize_refusal(rubric: Rubric, today: date | None = None) -> DomainError | None:
    """Why finalizing is refused outright (already finalized, before the judging window, weights), or None."""
    if rubric.finalized:
        return CategoryFinalized()
    fair = rubric.category.fair
    if (today or today_local()) < fair.judging_opens:
        return JudgingNotOpen(date=format_date(fair.judging_opens, locale=locale_code()))
    total = sum(c.weight for c in rubric.criteria)
    if total != 100:
        return WeightsInvalid(total=total)
    return None


def finalize(rubric: Rubric, actor: User, *, reason: str | None = None, today: date | None = None) -> list[Result]:
    """Freeze the ranking, award levels and tie-break notes; scores can no longer change.

    Refused outright as `finalize_refusal` says. When `finalize_problems` finds something missing, the
    chair must give a reason (FinalizeNeedsReason otherwise); the reason and the problems go into the
    audit entry (and from there into the minutes).
    """
    rubric = lock_rubric(rubric)
    refusal = finalize_refusal(rubric, today)
    if refusal is not None:
        raise refusal
    reason = clean_reason(reason, required=False)
    problems = finalize_problems(rubric)
    if problems and not reason:
        raise FinalizeNeedsReason(n=len(problems))
    rows, raw, z = ranking(rubric)
    levels = [(level.min_score, level.name_th) for level in rubric.levels]
    before = {}
    for old in db.session.scalars(select(Result).where(Result.rubric_id == rubric.id)):
        before[old.nomination_id] = old.level_th
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
    for result in results:  # the nominated organization hears of its award (again only if it changed)
        if result.level_th and before.get(result.nomination_id) != result.level_th:
            notify_nominee(db.session.get(Nomination, result.nomination_id), "awarded", result.level_th)
    record("finalized", rubric, actor, rubric.category.fair_id,
           after={"ranking": [[r.nomination_id, r.position, r.score, r.level_th] for r in results],
                  "reason": reason or None, "problems": [p.as_dict() for p in problems]})
    return results


def reopen(rubric: Rubric, reason: str, actor: User) -> None:
    """Unfreeze a finalized category; needs a reason, and is audited."""
    rubric = lock_rubric(rubric)
    if not rubric.finalized:
        return
    reason = clean_reason(reason, message=_l("การเปิดการตัดสินใหม่ต้องระบุเหตุผล"))
    before = {"finalized_at": rubric.finalized_at, "finalized_by": rubric.finalized_by_id}
    rubric.finalized_at = None
    rubric.finalized_by_id = None
    record("reopened", rubric, actor, rubric.category.fair_id, before=before, after={"reason": reason})
