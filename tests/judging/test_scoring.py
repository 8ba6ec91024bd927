"""Weighted totals, spread, z-normalization, ranking with tie-breaks, award levels (pure, no database)."""
import random

import pytest

from fairapp.judging.scoring import (Criterion, Rule, TieData, award_level, panel_totals, rank, raw_means,
                                     spread, z_normalized_means)

# The government's 2/1/0 tool: three items weighted 50/30/20.
GOV = [Criterion(1, 50, 0, 2), Criterion(2, 30, 0, 2), Criterion(3, 20, 0, 2)]
# A 1-5 rubric weighted 40/60.
FIVE = [Criterion(1, 40, 1, 5), Criterion(2, 60, 1, 5)]


def test_totals_on_a_2_1_0_scale():
    totals = panel_totals({(1, 10): {1: 2, 2: 1, 3: 0}, (2, 10): {1: 2, 2: 2, 3: 2},
                           (3, 10): {1: 0, 2: 0, 3: 0}}, GOV)
    assert totals == {(1, 10): 65.0, (2, 10): 100.0, (3, 10): 0.0}  # 50 + 15 + 0


def test_totals_on_a_1_5_scale():
    totals = panel_totals({(1, 10): {1: 4, 2: 2}, (1, 11): {1: 5, 2: 5}, (1, 12): {1: 1, 2: 1}}, FIVE)
    assert totals == {(1, 10): 45.0, (1, 11): 100.0, (1, 12): 0.0}  # 40*3/4 + 60*1/4


def test_thirds_add_up_exactly():
    rubric = [Criterion(1, 40, 0, 3), Criterion(2, 60, 0, 3)]
    assert panel_totals({(1, 1): {1: 1, 2: 2}}, rubric) == {(1, 1): pytest.approx(53.333333333333336)}
    assert panel_totals({(1, 1): {1: 3, 2: 2}}, [Criterion(1, 40, 0, 3), Criterion(2, 60, 0, 3)]) \
        == {(1, 1): 80.0}  # exactly 80, so "judges above 80" counts it


def test_incomplete_totals_are_none_and_excluded():
    totals = panel_totals({(1, 10): {1: 2, 2: 1}, (2, 10): {1: 2, 2: 2, 3: None},
                           (3, 10): {1: 2, 2: 2, 3: 2}}, GOV)
    assert totals[(1, 10)] is None and totals[(2, 10)] is None
    assert raw_means(totals) == {10: 100.0}
    assert raw_means({(1, 5): None}) == {}
    assert z_normalized_means({(1, 5): None}) == {}


def test_score_outside_its_scale_refused():
    with pytest.raises(ValueError):
        panel_totals({(1, 10): {1: 3, 2: 1, 3: 0}}, GOV)
    with pytest.raises(ValueError):
        Criterion(1, 100, 5, 5)


def test_spread_per_nomination_and_per_judge():
    totals = {(1, 10): 60.0, (2, 10): 80.0, (1, 11): 40.0, (2, 11): 40.0, (3, 11): 70.0, (3, 10): None}
    result = spread(totals)
    n10 = result.nominations[10]
    assert n10.totals == [(1, 60.0), (2, 80.0)] and n10.mean == 70.0 and n10.sd == 10.0 and n10.range == 20.0
    assert result.nominations[11].mean == 50.0 and result.nominations[11].range == 30.0
    j1, j3 = result.judges[1], result.judges[3]
    assert (j1.count, j1.mean, j1.sd) == (2, 50.0, 10.0)
    assert j1.bias == pytest.approx(((60 - 70) + (40 - 50)) / 2)  # harsher than the panel
    assert (j3.count, j3.mean, j3.sd, j3.bias) == (1, 70.0, 0.0, 20.0)


def test_z_normalization_removes_harsh_and_lenient_habits():
    # A harsh judge sees 1, 2, 3; a lenient judge sees 4, 5, 6; the order within each set is the same.
    totals = {(1, 1): 30.0, (1, 2): 40.0, (1, 3): 50.0, (2, 4): 70.0, (2, 5): 80.0, (2, 6): 90.0}
    raw, z = raw_means(totals), z_normalized_means(totals)
    assert raw[2] == 40.0 and raw[5] == 80.0
    assert z[1] == pytest.approx(z[4]) and z[2] == pytest.approx(z[5]) and z[3] == pytest.approx(z[6])
    assert z[2] == pytest.approx(60.0)  # the overall mean: middle nominees sit in the middle
    assert z[1] < z[2] < z[3]


def test_z_normalization_single_total_or_flat_judge_gives_zero():
    totals = {(1, 1): 90.0, (2, 1): 50.0, (2, 2): 50.0, (3, 2): 20.0, (3, 3): 60.0}
    z = z_normalized_means(totals)
    # judge 1 (one total) and judge 2 (flat) give z = 0; judge 3 gives -1 (nomination 2) and +1 (3).
    values = list(totals.values())
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    assert z[1] == pytest.approx(mean)
    assert z[2] == pytest.approx(mean - sd / 2)
    assert z[3] == pytest.approx(mean + sd)


# Ranking: nominations 1..4, criteria 1 and 2 (1-5 scale), judges 1..3.
def _tie_data():
    scores = {
        (1, 1): {1: 5, 2: 1}, (2, 1): {1: 5, 2: 1},  # 1: criterion 1 mean 5
        (1, 2): {1: 4, 2: 2}, (2, 2): {1: 4, 2: 2},  # 2 and 3: criterion 1 mean 4
        (1, 3): {1: 4, 2: 2}, (2, 3): {1: 4, 2: 2},
        (1, 4): {1: 3, 2: 3}, (2, 4): {1: 3, 2: 3},
    }
    totals = {(1, 1): 90.0, (2, 1): 50.0,  # one judge above 80
              (1, 2): 85.0, (2, 2): 81.0,  # two judges above 80
              (1, 3): 85.0, (2, 3): 81.0,
              (1, 4): 70.0, (2, 4): 70.0,
              (3, 2): None}
    return TieData(scores=scores, totals=totals)


RULES = [Rule("criterion", 1), Rule("judges_above", 80), ("chair", {3: 1, 2: 2})]


def test_ties_broken_by_each_rule_in_order():
    final = {1: 70.0, 2: 70.004, 3: 69.996, 4: 75.0}  # 1, 2, 3 equal when rounded to 2 decimals
    rows = rank([1, 2, 3, 4], final, RULES, _tie_data())
    assert [(r.nomination, r.position, r.tie_note) for r in rows] == [
        (4, 1, None),
        (1, 2, ("criterion", 1)),  # criterion 1 puts 1 ahead of 2 and 3
        (3, 3, ("chair", None)),  # 2 and 3 equal on criterion 1 and judges above 80: the chair decides
        (2, 4, ("chair", None)),
    ]
    assert rows[2].score == 69.996


def test_judges_above_breaks_what_the_criterion_does_not():
    data = _tie_data()
    final = {1: 70.0, 4: 70.0}
    rows = rank([1, 4], final, [Rule("judges_above", 80), Rule("criterion", 1)], data)
    assert [(r.nomination, r.tie_note) for r in rows] == [(1, ("judges_above", 80)), (4, ("judges_above", 80))]
    rows = rank([1, 4], final, [Rule("criterion", 2), Rule("criterion", 1)], data)
    assert [(r.nomination, r.tie_note) for r in rows] == [(4, ("criterion", 2)), (1, ("criterion", 2))]


def test_no_rule_separates_then_id_and_distinct_positions():
    final = {7: 50.0, 3: 50.0, 5: 50.0}
    rows = rank([7, 3, 5], final, [Rule("judges_above", 80)], TieData(scores={}, totals={}))
    assert [(r.nomination, r.position, r.tie_note) for r in rows] == [
        (3, 1, ("id", None)), (5, 2, ("id", None)), (7, 3, ("id", None))]
    assert [r.position for r in rank([1, 2], {1: 1.0, 2: 1.0}, [], TieData({}, {}))] == [1, 2]


def test_chair_order_unlisted_come_after_and_unscored_last():
    rows = rank([1, 2, 3, 9], {1: 60.0, 2: 60.0, 3: 60.0}, [Rule("chair", {3: 1})], TieData({}, {}))
    assert [(r.nomination, r.position, r.tie_note) for r in rows] == [
        (3, 1, ("chair", None)), (1, 2, ("id", None)), (2, 3, ("id", None)), (9, None, None)]


def test_unknown_rule_refused():
    with pytest.raises(ValueError):
        rank([1, 2], {1: 1.0, 2: 1.0}, [("coin", None)], TieData({}, {}))


def test_ranking_is_deterministic_whatever_the_input_order():
    data = _tie_data()
    final = {1: 70.0, 2: 70.0, 3: 70.0, 4: 70.0, 5: 70.0, 6: 12.5}
    expected = rank(list(final), final, RULES, data)
    rng = random.Random(6)
    for _ in range(10):
        noms = list(final)
        rng.shuffle(noms)
        shuffled_final = dict(sorted(final.items(), key=lambda _: rng.random()))
        shuffled = TieData(scores=dict(sorted(data.scores.items(), key=lambda _: rng.random())),
                           totals=dict(sorted(data.totals.items(), key=lambda _: rng.random())))
        assert rank(noms, shuffled_final, RULES, shuffled) == expected


LEVELS = [(60, "good"), (80, "model"), (70, "very_good")]  # any order


@pytest.mark.parametrize("score, expected", [
    (100, "model"), (80, "model"), (79.996, "model"),  # 79.996 shows as 80.00
    (79.99, "very_good"), (70, "very_good"), (60.0, "good"), (59.99, None), (0, None), (None, None)])
def test_award_level_boundaries(score, expected):
    assert award_level(score, LEVELS) == expected
