"""Weighted totals, the chair's spread, z-score normalization, ranking with tie-breaks, award levels.

Pure: plain ids, numbers and dataclasses in, results out (no Flask, no database). Keys of score and total
mappings are (judge, nomination) pairs. Results are deterministic: every iteration is in sorted order.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

Pair = tuple[int, int]  # (judge, nomination)
PLACES = 2  # final scores are compared (ties) and shown rounded to this many decimals


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: its weight (the weights of a rubric sum to 100) and its scale."""

    id: int
    weight: int
    scale_min: int
    scale_max: int

    def __post_init__(self):
        if self.scale_max <= self.scale_min:
            raise ValueError(f"criterion {self.id}: scale_max must be above scale_min")


def _weighted(sheet: Mapping[int, float | None], criteria: Iterable[Criterion], *,
              partial: bool) -> Fraction | None:
    """sum of weight * (score - min) / (max - min) over the criteria, exactly (fractions).

    An unscored criterion makes the whole None, or (partial) counts nothing. A score outside its scale
    raises ValueError.
    """
    total = Fraction(0)
    for c in criteria:
        value = sheet.get(c.id)
        if value is None:
            if partial:
                continue
            return None
        if not c.scale_min <= value <= c.scale_max:
            raise ValueError(f"criterion {c.id}: score {value} outside {c.scale_min}..{c.scale_max}")
        total += Fraction(c.weight) * (Fraction(value) - c.scale_min) / (c.scale_max - c.scale_min)
    return total


def judge_total(sheet: Mapping[int, float | None], criteria: Iterable[Criterion]) -> float | None:
    """One judge's total for one nomination: sum of weight * (score - min) / (max - min), 0..100.

    None when any criterion is unscored (incomplete). Raises ValueError for a score outside its scale.
    Computed exactly (fractions) and rounded once, so e.g. 80 is exactly 80.0.
    """
    # The same exact sum as _weighted, in plain integers (a numerator over the product of the spans): no
    # Fraction object per term, and num / den is the correctly rounded float that float(Fraction) gives.
    num, den = 0, 1
    for c in criteria:
        value = sheet.get(c.id)
        if value is None:
            return None
        if not c.scale_min <= value <= c.scale_max:
            raise ValueError(f"criterion {c.id}: score {value} outside {c.scale_min}..{c.scale_max}")
        span = c.scale_max - c.scale_min
        num = num * span + c.weight * (value - c.scale_min) * den
        den *= span
    return num / den


def running_total(sheet: Mapping[int, float | None], criteria: Iterable[Criterion]) -> float:
    """The weighted total of what is scored so far (0..100), as the scoring page shows it: the exact sum
    rounded half up to 2 decimals (what JavaScript's toFixed(2) shows for the same sum).

    The one place the scoring page's total is computed; the page's live total in static/js/scoring.js
    repeats this formula and the autosave answer carries this figure so the two can be compared.
    """
    total = _weighted(sheet, criteria, partial=True)
    return float(Fraction(math.floor(total * 10**PLACES + Fraction(1, 2)), 10**PLACES))


def panel_totals(scores: Mapping[Pair, Mapping[int, float | None]],
                 criteria: Iterable[Criterion]) -> dict[Pair, float | None]:
    """Each (judge, nomination) score sheet's weighted total (None when incomplete)."""
    criteria = list(criteria)
    return {pair: judge_total(scores[pair], criteria) for pair in sorted(scores)}


def _complete(totals: Mapping[Pair, float | None]) -> list[tuple[int, int, float]]:
    """(judge, nomination, total) for the complete totals, sorted."""
    return [(j, n, t) for (j, n), t in sorted(totals.items()) if t is not None]


def _mean_sd(values: list[float]) -> tuple[float, float]:
    """Mean and population standard deviation."""
    mean = math.fsum(values) / len(values)
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


def _by_nomination(totals: Mapping[Pair, float | None]) -> dict[int, list[tuple[int, float]]]:
    grouped: dict[int, list[tuple[int, float]]] = {}
    for j, n, t in _complete(totals):
        grouped.setdefault(n, []).append((j, t))
    return dict(sorted(grouped.items()))


def _by_judge(totals: Mapping[Pair, float | None]) -> dict[int, list[tuple[int, float]]]:
    grouped: dict[int, list[tuple[int, float]]] = {}
    for j, n, t in _complete(totals):
        grouped.setdefault(j, []).append((n, t))
    return grouped


def raw_means(totals: Mapping[Pair, float | None]) -> dict[int, float]:
    """Per nomination, the plain mean of its complete judge totals (nominations without any are left out)."""
    return {n: _mean_sd([t for _, t in rows])[0] for n, rows in _by_nomination(totals).items()}


@dataclass(frozen=True)
class NominationSpread:
    """Per nomination: each judge's total (sorted by judge), their mean, population sd and max - min."""

    totals: list[tuple[int, float]]
    mean: float
    sd: float
    range: float


@dataclass(frozen=True)
class JudgeSpread:
    """Per judge: how many totals, their mean and sd, and bias = mean of (own total - panel mean) over
    the same nominations (positive: scores above the panel)."""

    count: int
    mean: float
    sd: float
    bias: float


@dataclass(frozen=True)
class Spread:
    """The chair's view of disagreement, per nomination and per judge (complete totals only)."""

    nominations: dict[int, NominationSpread]
    judges: dict[int, JudgeSpread]


def spread(totals: Mapping[Pair, float | None]) -> Spread:
    """Per nomination: judge totals, mean, sd, max - min. Per judge: mean, sd and bias against the panel."""
    noms = {}
    for n, rows in _by_nomination(totals).items():
        values = [t for _, t in rows]
        mean, sd = _mean_sd(values)
        noms[n] = NominationSpread(totals=rows, mean=mean, sd=sd, range=max(values) - min(values))
    judges = {}
    for j, rows in sorted(_by_judge(totals).items()):
        values = [t for _, t in rows]
        mean, sd = _mean_sd(values)
        bias = math.fsum(t - noms[n].mean for n, t in rows) / len(rows)
        judges[j] = JudgeSpread(count=len(rows), mean=mean, sd=sd, bias=bias)
    return Spread(nominations=noms, judges=judges)


def z_normalized_means(totals: Mapping[Pair, float | None]) -> dict[int, float]:
    """Per nomination, the mean of z-scores, shown on the raw 0..100 scale.

    What normalization does, in plain words: some judges score everything high and some everything low.
    Each judge's totals are re-expressed as "how far above or below this judge's own average, in units of
    this judge's own spread" (a z-score), which removes each judge's habit of scoring high or low and
    keeps only the order and distance they see between nominees. A nomination's z-scores are averaged
    over its judges, then mapped back as overall mean + average z * overall sd of all raw totals, so the
    numbers stay readable next to the raw means (they are not clipped, so in extreme cases they can fall
    slightly outside 0..100).

    A judge with a single total, or the same total everywhere, tells nothing about order: z = 0.
    Only complete totals count.
    """
    complete = _complete(totals)
    if not complete:
        return {}
    z: dict[int, list[float]] = {}
    for j, rows in sorted(_by_judge(totals).items()):
        mean, sd = _mean_sd([t for _, t in rows])
        for n, t in rows:
            z.setdefault(n, []).append(0.0 if len(rows) < 2 or sd == 0 else (t - mean) / sd)
    overall_mean, overall_sd = _mean_sd([t for _, _, t in complete])
    return {n: overall_mean + overall_sd * math.fsum(zs) / len(zs) for n, zs in sorted(z.items())}


class Rule(NamedTuple):
    """A tie-break rule: ("criterion", criterion_id): higher mean score on that criterion wins;
    ("judges_above", threshold): more judges whose total >= threshold wins;
    ("chair", {nomination: order}): the chair's recorded order, lower wins (unlisted come after)."""

    kind: str
    value: Any


@dataclass(frozen=True)
class TieData:
    """What the tie-break rules look at: the raw score sheets and their totals (incomplete sheets,
    total None, are ignored)."""

    scores: Mapping[Pair, Mapping[int, float | None]]
    totals: Mapping[Pair, float | None]


class RankedRow(NamedTuple):
    """One line of the ranking. position is 1.. (None, like score, for a nomination without a score).
    tie_note is (kind, value) of the rule that settled this row's place among nominations with the same
    rounded score: ("criterion", id), ("judges_above", threshold), ("chair", None) or ("id", None) when
    no rule separated them and the lower nomination id went first; None when it was not tied."""

    nomination: int
    score: float | None
    position: int | None
    tie_note: tuple[str, Any] | None


def _rule_key(rule: Rule, n: int, data: TieData) -> tuple:
    """Sort key of nomination n under one rule; a smaller key wins."""
    complete = [(pair, t) for pair, t in sorted(data.totals.items()) if pair[1] == n and t is not None]
    if rule.kind == "criterion":
        values = [v for pair, _ in complete if (v := data.scores[pair].get(rule.value)) is not None]
        if not values:
            return (1, 0)
        return (0, -sum(Fraction(v) for v in values) / len(values))  # exact mean
    if rule.kind == "judges_above":
        return (-sum(1 for _, t in complete if round(t, 9) >= rule.value),)
    if rule.kind == "chair":
        order = rule.value.get(n)
        return (1, 0) if order is None else (0, order)
    raise ValueError(f"unknown tie-break rule {rule.kind!r}")


def _break_ties(group: list[int], rules: list[Rule], data: TieData,
                notes: dict[int, tuple[str, Any]]) -> list[int]:
    """Order nominations with equal rounded scores by the rules in turn; record each one's deciding rule."""
    if len(group) == 1:
        return group
    if not rules:
        for n in group:
            notes[n] = ("id", None)
        return sorted(group)
    rule, rest = rules[0], rules[1:]
    keys = {n: _rule_key(rule, n, data) for n in group}
    distinct = sorted(set(keys.values()))
    if len(distinct) > 1:
        note = (rule.kind, None if rule.kind == "chair" else rule.value)
        for n in group:
            notes[n] = note
    ordered = []
    for key in distinct:
        ordered += _break_ties(sorted(n for n in group if keys[n] == key), rest, data, notes)
    return ordered


def rank(nominations: Iterable[int], final_score: Mapping[int, float], rules: Iterable[Rule | tuple],
         data: TieData) -> list[RankedRow]:
    """Rank nominations by final score (compared rounded to 2 decimals), highest first.

    Exact ties are broken by `rules` in order; when none separates them the lower nomination id goes first
    and tie_note says ("id", None). Every scored nomination gets a distinct position; nominations without
    a final score come last with score and position None. Input order never matters.
    """
    rules = [Rule(*r) for r in rules]
    nominations = sorted(set(nominations))
    scored = [n for n in nominations if final_score.get(n) is not None]
    groups: dict[float, list[int]] = {}
    for n in scored:
        groups.setdefault(round(final_score[n], PLACES), []).append(n)
    notes: dict[int, tuple[str, Any]] = {}
    rows = []
    for score in sorted(groups, reverse=True):
        for n in _break_ties(groups[score], rules, data, notes):
            rows.append(RankedRow(n, final_score[n], len(rows) + 1, notes.get(n)))
    rows += [RankedRow(n, None, None, None) for n in nominations if final_score.get(n) is None]
    return rows


def award_level(score: float | None, levels: Iterable[tuple[float, Any]]) -> Any | None:
    """The key of the highest level whose minimum is <= score (score rounded to 2 decimals, as shown);
    None when no level is reached or there is no score."""
    if score is None:
        return None
    shown = round(score, PLACES)
    best = None
    for minimum, key in levels:
        if shown >= minimum and (best is None or minimum > best[0]):
            best = (minimum, key)
    return None if best is None else best[1]
