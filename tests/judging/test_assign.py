"""Automatic assignment: coverage, conflicts, balance, existing pairs, determinism (pure, no database)."""
import random

import pytest

from fairapp.judging.assign import assign


def _instance(seed, n_noms=60, n_judges=9, density=0.05):
    rng = random.Random(seed)
    noms = rng.sample(range(1, 10_000), n_noms)
    judges = rng.sample(range(1, 1_000), n_judges)
    conflicts = {(j, n) for j in judges for n in noms if rng.random() < density}
    return noms, judges, conflicts


def _check_valid(result, noms, judges, k, conflicts, existing=frozenset()):
    new = set(result.pairs)
    assert len(new) == len(result.pairs), "a pair assigned twice"
    assert not new & conflicts, "a conflicted pair was assigned"
    assert not new & set(existing), "an existing pair was assigned again"
    for n in noms:
        on_n = {j for j, m in new | set(existing) if m == n and (j, m) not in conflicts}
        free = {j for j in judges if (j, n) not in conflicts}
        kept = sum(1 for j, m in existing if m == n and (j, m) not in conflicts)
        assert len(on_n) == max(kept, min(k, len(free | on_n)))  # k, or all that are possible


def _max_flow(noms, judges, need, conflicts, cap):
    """How many of the needed (judge, nomination) pairs fit with each judge taking at most cap[j]?
    (Simple augmenting paths on the bipartite graph; fine for small instances.)"""
    assigned = {n: set() for n in noms}
    load = {j: 0 for j in judges}

    def augment(n, seen):
        for j in judges:
            if (j, n) in conflicts or j in assigned[n] or j in seen:
                continue
            seen.add(j)
            if load[j] < cap[j]:
                assigned[n].add(j)
                load[j] += 1
                return True
            for m in noms:  # j could give up m if m finds another judge
                if j in assigned[m] and m != n:
                    assigned[m].discard(j)
                    if augment(m, seen):
                        assigned[n].add(j)
                        return True
                    assigned[m].add(j)
        return False

    total = 0
    for n in noms:
        for _ in range(need[n]):
            total += augment(n, set())
    return total


@pytest.mark.parametrize("seed", range(20))
def test_random_sparse_conflicts_balanced_within_one(seed):
    rng = random.Random(1000 + seed)
    noms, judges, conflicts = _instance(seed, n_noms=rng.randint(20, 200), n_judges=rng.randint(4, 30))
    k = rng.choice([1, 2, 3])
    result = assign(noms, judges, k, conflicts)
    _check_valid(result, noms, judges, k, conflicts)
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert sum(result.loads.values()) == len(result.pairs)
    assert result.uncovered == {}


def test_large_instance_balanced():
    noms, judges, conflicts = _instance(7, n_noms=500, n_judges=50, density=0.03)
    result = assign(noms, judges, 3, conflicts)
    _check_valid(result, noms, judges, 3, conflicts)
    assert len(result.pairs) == 1500
    assert set(result.loads.values()) == {30}


@pytest.mark.parametrize("seed", range(60))
def test_dense_conflicts_as_balanced_as_possible(seed):
    # Heavy conflicts: within one may be impossible; the max load must still be the smallest possible and
    # the min load the largest possible (checked against a max-flow computation).
    rng = random.Random(seed)
    noms, judges, conflicts = _instance(seed, n_noms=rng.randint(2, 9), n_judges=rng.randint(2, 6),
                                        density=0.4)
    k = rng.choice([1, 2, 3])
    result = assign(noms, judges, k, conflicts)
    _check_valid(result, noms, judges, k, conflicts)
    need = {n: min(k, sum((j, n) not in conflicts for j in judges)) for n in noms}
    best_max = next(h for h in range(len(noms) + 1)
                    if _max_flow(noms, judges, need, conflicts, {j: h for j in judges}) == sum(need.values()))
    best_min = max(low for low in range(len(noms) + 1)
                   if _max_flow(noms, judges, need, conflicts, {j: low for j in judges}) == low * len(judges))
    assert max(result.loads.values()) == best_max
    assert min(result.loads.values()) == best_min


def test_repair_pass_balances_what_the_greedy_pass_leaves_uneven():
    # Found by search: the greedy pass alone ends with loads 4/3/3/2/3 here.
    judges, noms = [1, 2, 3, 4, 5], list(range(1, 9))
    conflicts = {(1, 2), (1, 3), (1, 4), (2, 1), (2, 3), (2, 7), (2, 8), (3, 7), (4, 3), (4, 6), (4, 7),
                 (4, 8), (5, 2), (5, 3), (5, 5), (5, 8)}
    result = assign(noms, judges, 2, conflicts)
    _check_valid(result, noms, judges, 2, conflicts)
    assert result.loads == {1: 3, 2: 3, 3: 3, 4: 3, 5: 3}


def test_uncovered_exactly_when_too_few_free_judges():
    judges = [1, 2, 3, 4]
    noms = [10, 11, 12, 13]
    conflicts = {(1, 10), (2, 10), (3, 10),  # 10: only judge 4 is free
                 (1, 11), (2, 11),  # 11: judges 3 and 4
                 (1, 12)}  # 12: three free judges, enough for k=3
    result = assign(noms, judges, 3, conflicts)
    assert result.uncovered == {10: (3, 1), 11: (3, 2)}
    pairs = set(result.pairs)
    assert {j for j, n in pairs if n == 10} == {4}  # whatever is possible is still assigned
    assert {j for j, n in pairs if n == 11} == {3, 4}
    assert {j for j, n in pairs if n == 12} == {2, 3, 4}
    _check_valid(result, noms, judges, 3, conflicts)


def test_no_judges_or_everything_conflicted():
    assert assign([1, 2], [], 2, set()).uncovered == {1: (2, 0), 2: (2, 0)}
    result = assign([1], [5, 6], 1, {(5, 1), (6, 1)})
    assert result.pairs == [] and result.uncovered == {1: (1, 0)} and result.loads == {5: 0, 6: 0}
    assert assign([1, 2], [5], 0, set()).pairs == []


def test_existing_pairs_kept_and_counted():
    noms, judges, conflicts = _instance(3, n_noms=40, n_judges=8)
    rng = random.Random(3)
    existing = set()
    for n in noms[:15]:  # some nominations already have one or two judges, a few have more than k
        free = [j for j in judges if (j, n) not in conflicts]
        existing |= {(j, n) for j in rng.sample(free, rng.choice([1, 2, 4]))}
    k = 3
    result = assign(noms, judges, k, conflicts, existing=existing)
    _check_valid(result, noms, judges, k, conflicts, existing)
    for j in judges:
        assert result.loads[j] == sum(1 for p in existing | set(result.pairs) if p[0] == j)
    assert not set(result.pairs) & existing
    over = [n for n in noms if sum(1 for _, m in existing if m == n) > k]
    assert over and not [p for p in result.pairs if p[1] in over]  # nothing added, nothing removed


def test_conflicted_existing_pair_not_counted_and_reported():
    result = assign([1], [7, 8, 9], 2, {(7, 1)}, existing={(7, 1), (8, 1)})
    assert result.conflicted_existing == [(7, 1)]
    assert result.pairs == [(9, 1)]
    assert result.loads == {7: 0, 8: 1, 9: 1}


def test_existing_for_other_nominations_ignored_and_current_load_counted():
    result = assign([1, 2, 3, 4], [1, 2], 1, set(), existing={(1, 99)}, current_load={1: 4})
    assert result.pairs == [(2, 1), (2, 2), (2, 3), (2, 4)]
    assert result.loads == {1: 4, 2: 4}


def test_deterministic_whatever_the_input_order():
    noms, judges, conflicts = _instance(11, n_noms=120, n_judges=13, density=0.1)
    existing = {(judges[0], noms[0]), (judges[1], noms[1])} - conflicts
    first = assign(noms, judges, 3, conflicts, existing)
    rng = random.Random(5)
    for _ in range(5):
        shuffled_noms, shuffled_judges = noms[:], judges[:]
        rng.shuffle(shuffled_noms)
        rng.shuffle(shuffled_judges)
        again = assign(shuffled_noms, shuffled_judges, 3, set(conflicts), set(existing))
        assert again == first


def test_negative_k_refused():
    with pytest.raises(ValueError):
        assign([1], [1], -1, set())
