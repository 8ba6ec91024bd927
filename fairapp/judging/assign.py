"""Balanced automatic assignment of judges to nominations (pure: ints in, a Result out).

Each nomination gets k distinct judges in total (existing assignments count), never a conflicted
(judge, nomination) pair, and the judges' total loads end up as even as the conflicts allow
(within one whenever that is possible).

How: nominations with the fewest eligible judges are served first, each by the least-loaded eligible
judges (ties by judge id). A repair pass then moves new assignments from heavily loaded judges to lightly
loaded ones, also along chains (judge A hands a nomination to B, B hands another to C), until no move can
narrow the gap. A load profile with no such chain is as balanced as the conflict structure allows.
Only new pairs are ever moved; existing ones are kept. Everything iterates in sorted order, so the same
input always gives the same output.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

Pair = tuple[int, int]  # (judge, nomination)


@dataclass
class Result:
    """The outcome of assign().

    pairs:      new (judge, nomination) pairs to add, sorted.
    loads:      each judge's total load: current_load + kept existing pairs + new pairs.
    uncovered:  nomination -> (needed, available): k judges were needed but only `available` judges are
                free of conflict with it (the caller words and translates the explanation).
    conflicted_existing: existing pairs that are now conflicted; they are not counted toward coverage
                or load, and the caller should remove them.
    """

    pairs: list[Pair] = field(default_factory=list)
    loads: dict[int, int] = field(default_factory=dict)
    uncovered: dict[int, tuple[int, int]] = field(default_factory=dict)
    conflicted_existing: list[Pair] = field(default_factory=list)


def assign(nominations: list[int], judges: list[int], k: int, conflicts: set[Pair],
           existing: set[Pair] = frozenset(), current_load: dict[int, int] | None = None) -> Result:
    """Give each nomination k judges in total, balancing the judges' loads; see the module docstring.

    nominations, judges: ids (duplicates are ignored).
    conflicts: (judge, nomination) pairs that must never be assigned.
    existing:  (judge, nomination) pairs already assigned; those whose nomination is in `nominations` are
               kept and count toward coverage (and, for listed judges, toward load). Pairs for other
               nominations are ignored: put them in current_load if they should weigh on the balance.
    current_load: assignments each judge already carries outside this call (e.g. other categories).
    """
    if k < 0:
        raise ValueError("k must not be negative")
    noms = sorted(set(nominations))
    judge_ids = sorted(set(judges))
    judge_set = set(judge_ids)
    nom_set = set(noms)
    base = current_load or {}
    loads = {j: int(base.get(j, 0)) for j in judge_ids}

    # Existing pairs: kept unless conflicted.
    assigned: dict[int, set[int]] = {n: set() for n in noms}
    conflicted_existing = []
    for j, n in sorted(existing):
        if n not in nom_set:
            continue
        if (j, n) in conflicts:
            conflicted_existing.append((j, n))
            continue
        assigned[n].add(j)
        if j in judge_set:
            loads[j] += 1

    # Eligible judges per nomination (listed, free of conflict, not already on it).
    eligible: dict[int, list[int]] = {}
    uncovered: dict[int, tuple[int, int]] = {}
    for n in noms:
        free = [j for j in judge_ids if (j, n) not in conflicts]
        eligible[n] = [j for j in free if j not in assigned[n]]
        available = len(assigned[n] | set(free))
        if available < k:
            uncovered[n] = (k, available)

    # Greedy: most constrained nominations first, each to the least-loaded eligible judges.
    new: dict[int, set[int]] = {j: set() for j in judge_ids}  # judge -> nominations newly assigned
    for n in sorted(noms, key=lambda n: (len(eligible[n]), n)):
        need = k - len(assigned[n])
        if need <= 0:
            continue
        for j in sorted(eligible[n], key=lambda j: (loads[j], j))[:need]:
            assigned[n].add(j)
            new[j].add(n)
            loads[j] += 1

    _repair(judge_ids, loads, new, assigned, eligible)

    pairs = sorted((j, n) for j in judge_ids for n in new[j])
    return Result(pairs=pairs, loads=loads, uncovered=uncovered,
                  conflicted_existing=conflicted_existing)


def _repair(judge_ids: list[int], loads: dict[int, int], new: dict[int, set[int]],
            assigned: dict[int, set[int]], eligible: dict[int, list[int]]) -> None:
    """Move new assignments along chains from heavy to light judges until no chain narrows the gap.

    A chain from judge a to judge t (load[t] <= load[a] - 2) shifts one nomination per step: a's load
    drops by one, t's rises by one, the judges in between keep theirs. When no such chain exists from any
    judge the loads are as balanced as the conflicts allow.
    """
    if not judge_ids:
        return
    while True:
        low = min(loads.values())
        dead: set[int] = set()  # judges proven unable to shed load in this pass
        moved = False
        for a in sorted(judge_ids, key=lambda j: (-loads[j], j)):
            if loads[a] - low < 2:
                break
            if a in dead:
                continue
            path, reached = _find_chain(a, loads, new, assigned, eligible)
            if path:
                for giver, taker, n in path:
                    new[giver].discard(n)
                    assigned[n].discard(giver)
                    new[taker].add(n)
                    assigned[n].add(taker)
                loads[a] -= 1
                loads[path[-1][1]] += 1
                moved = True
                break
            # Every judge a can reach has load >= loads[a] - 1, so none with load <= loads[a] can shed
            # load either: skip them for the rest of this pass.
            dead.update(j for j in reached if loads[j] <= loads[a])
        if not moved:
            return


def _find_chain(a: int, loads: dict[int, int], new: dict[int, set[int]],
                assigned: dict[int, set[int]], eligible: dict[int, list[int]]
                ) -> tuple[list[tuple[int, int, int]], set[int]]:
    """Breadth-first search for the shortest chain of moves from judge a to a judge with load <= a's - 2.

    Returns (moves, reached): moves as (giver, taker, nomination) in order (empty if none), and the set
    of judges reached.
    """
    target_load = loads[a] - 2
    parent: dict[int, tuple[int, int]] = {}  # taker -> (giver, nomination)
    reached = {a}
    queue = deque([a])
    while queue:
        giver = queue.popleft()
        for n in sorted(new[giver]):
            for taker in eligible[n]:
                if taker in reached or taker in assigned[n]:
                    continue
                reached.add(taker)
                parent[taker] = (giver, n)
                if loads[taker] <= target_load:
                    moves = []
                    node = taker
                    while node != a:
                        g, nom = parent[node]
                        moves.append((g, node, nom))
                        node = g
                    return moves[::-1], reached
                queue.append(taker)
    return [], reached
