"""Later matching rounds on a front (sim.organization.front): exactly the whole backlog's result.

A round that matches a large pooled backlog marks each pool's front; the tick's later
rounds match only the front and the newcomers, unless the front cannot decide. These
tests check that the shortcut never changes who is served, by whom, or what is drawn:
on random queues against matching the whole backlog (hypothesis), on a scripted case,
and on whole runs with fronts forced on every round against the stored fingerprints.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from golden import CONFIGURATIONS, fingerprint
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.organization.core as core
import sim.organization.dispatch as dispatch
from sim.organization.dispatch import PoolFront

STORED = json.loads((Path(__file__).parent / "data" / "golden_hashes.json").read_text())


def _match(pool, priority, servers, server_pool, n_pools, seed, **kwargs):
    rng = np.random.default_rng(seed)
    return dispatch.match_pools(
        np.arange(pool.size), pool, priority, servers, server_pool, n_pools, rng, **kwargs
    ), rng.random()  # (the generator's state after: the same draws were made)


@st.composite
def two_rounds(draw: st.DrawFn) -> dict:
    """A backlog matched once (marking fronts), then a later round: some threads gone
    (served ones, from the fronts), newcomers appended, a few servers free."""
    n_pools = draw(st.integers(1, 3))
    n = draw(st.integers(20, 400))
    pool = np.array(draw(st.lists(st.integers(0, n_pools - 1), min_size=n, max_size=n)))
    whole = draw(st.booleans())  # turn ticks, or analytics' continuous priorities
    base = np.array(draw(st.lists(st.integers(0, 30), min_size=n, max_size=n)), float)
    if not whole:
        base -= np.array(draw(st.lists(st.floats(0, 3), min_size=n, max_size=n)))
    n_new = draw(st.integers(0, 10))
    new_pool = np.array(
        draw(st.lists(st.integers(0, n_pools - 1), min_size=n_new, max_size=n_new)), int
    )
    new_priority = np.array(draw(st.lists(st.floats(-2, 40), min_size=n_new, max_size=n_new)))
    n_servers = draw(st.integers(1, 4))
    server_pool = np.sort(
        np.array(
            draw(st.lists(st.integers(0, n_pools - 1), min_size=n_servers, max_size=n_servers))
        )
    )
    return {
        "pool": pool,
        "priority": base,
        "n_pools": n_pools,
        "size": draw(st.integers(1, 12)),
        "first_servers": draw(st.integers(1, 3)),
        "new_pool": new_pool,
        "new_priority": new_priority,
        "servers": np.arange(n_servers) * 2,
        "server_pool": server_pool,
        "seed": draw(st.integers(0, 2**31)),
    }


@settings(max_examples=400, deadline=None)
@given(two_rounds())
def test_a_front_that_decides_serves_what_the_whole_backlog_serves(case: dict) -> None:
    pool, priority, n_pools = case["pool"], case["priority"], case["n_pools"]
    k = case["first_servers"]  # one per pool in the first round, k times over
    first = np.repeat(np.arange(n_pools), k)
    marked = PoolFront(size=case["size"])
    (served, _), _ = _match(pool, priority, first + 100, first, n_pools, 0, front=marked)
    if marked.near is None:  # (a small backlog: no histogram, no front)
        return
    left = np.ones(pool.size, bool)
    left[served] = False
    # the later round: the whole backlog, and the front (what is left of it) + newcomers
    whole_pool = np.concatenate([pool[left], case["new_pool"]])
    whole_priority = np.concatenate([priority[left], case["new_priority"]])
    near = marked.near & left
    front_pool = np.concatenate([pool[near], case["new_pool"]])
    front_priority = np.concatenate([priority[near], case["new_priority"]])
    ids_whole = np.concatenate([np.flatnonzero(left), pool.size + np.arange(case["new_pool"].size)])
    ids_front = np.concatenate([np.flatnonzero(near), pool.size + np.arange(case["new_pool"].size)])
    args = (case["servers"], case["server_pool"], n_pools, case["seed"])
    on_front, after_front = _match(front_pool, front_priority, *args, rest=marked)
    if on_front is None:  # the front could not decide: the round goes to the whole backlog
        return
    (t_whole, s_whole), after_whole = _match(whole_pool, whole_priority, *args)
    t_front, s_front = on_front
    np.testing.assert_array_equal(ids_front[t_front], ids_whole[t_whole])
    np.testing.assert_array_equal(s_front, s_whole)
    assert after_front == after_whole


def test_the_front_decides_when_its_pools_have_enough_ahead() -> None:
    """Scripted: one pool of 100 threads, 20 each at turn ticks 0-4; 1 free server in
    the first round. A front of 10 takes the whole first level (the 20 at tick 0),
    threads off it are at tick 1 or later. After the first round served one thread,
    two free servers take two of the 19 left at tick 0, in queue order."""
    priority = np.repeat(np.arange(5.0), 20)
    pool = np.zeros(100, dtype=np.int64)
    marked = PoolFront(size=10)
    (served, _), _ = _match(pool, priority, np.array([7]), np.zeros(1, int), 1, 0, front=marked)
    assert served.tolist() == [0]
    assert marked.near.tolist() == [True] * 20 + [False] * 80
    assert marked.last.tolist() == [0.0]
    ids = np.arange(1, 20)  # the front, less the thread served
    later, _ = _match(
        pool[ids], priority[ids], np.array([3, 5]), np.zeros(2, int), 1, 1, rest=marked
    )
    assert ids[later[0]].tolist() == [1, 2]
    # one thread left on the front cannot serve two: the whole backlog must decide
    short = _match(pool[:1], priority[:1], np.array([3, 5]), np.zeros(2, int), 1, 1, rest=marked)
    assert short[0] is None


@pytest.mark.parametrize(("per_pool", "seed"), [(1, 0), (3, 1)])
def test_whole_runs_with_fronts_on_every_round_are_bit_identical(
    monkeypatch: pytest.MonkeyPatch, per_pool: int, seed: int
) -> None:
    """Every golden configuration, with a front marked on every round (however small
    the backlog) and fronts of 1 or 3 threads a pool, so that later rounds often run
    short and fall back: the same fingerprints as without fronts."""
    monkeypatch.setattr(core, "FRONT_MIN_POOLED", 0)
    monkeypatch.setattr(core, "FRONT_PER_POOL", per_pool)
    differ = [
        name
        for name in sorted(CONFIGURATIONS)
        if fingerprint(name, seed) != STORED[f"{name}@{seed}"]
    ]
    assert differ == []


# Crises on closed silos: a backlog large enough for the pools' fronts, late arrivals
# within ticks, and cross-silo claims (the overflow) taking threads off the fronts.
CRISES = {
    "analytics_direct_dial": [
        "structure.kind=direct_dial",
        "culture.silo_permeability=0.02",
        "culture.analytics=true",
    ],
    "coached_direct_dial": ["structure.kind=coached_direct_dial", "culture.silo_permeability=0.02"],
}
CRISIS = 'interventions=[{at_hours=12, crisis={topic="defects", threads=3000, hours=6}}]'


@pytest.mark.parametrize("name", sorted(CRISES))
def test_a_crisis_on_fronts_is_the_crisis_on_the_whole_backlog(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A crisis of 3,000 threads on closed silos, fronts of 3 threads a pool marked on
    every round against no fronts: the same fingerprint. Every front kept knows the
    highest priority of its rest exactly, also after the overflow took rest threads
    (the fronts are marked, and the overflow does take rest threads, in these runs)."""
    import golden

    monkeypatch.setitem(
        golden.CONFIGURATIONS,
        "crisis_case",
        (golden.WORLD, [*golden.SMALL, *CRISES[name], CRISIS], 48),
    )
    seen = {"kept": 0, "overflow took rest": 0}
    finish = core.OrgCore._finish_front

    def checked(self, front, offered_all, overflowed):  # type: ignore[no-untyped-def]
        if front is not None and overflowed.size:
            rest = front.backlog[front.rest]
            seen["overflow took rest"] += int(np.isin(overflowed, rest).any())
        kept = finish(self, front, offered_all, overflowed)
        if kept is not None:
            seen["kept"] += 1
            waiting = self.threads.phase[kept.backlog] == core.Phase.WAITING
            rest = kept.backlog[kept.rest & waiting]
            truth = float(self.priority(rest).max()) if rest.size else -np.inf
            assert kept.rest_max == truth
        return kept

    monkeypatch.setattr(core, "FRONT_MIN_POOLED", 0)
    monkeypatch.setattr(core, "FRONT_PER_POOL", 3)
    monkeypatch.setattr(core.OrgCore, "_finish_front", checked)
    on_fronts = fingerprint("crisis_case", 0)
    monkeypatch.setattr(core, "FRONT_PER_POOL", 0)
    assert fingerprint("crisis_case", 0) == on_fronts
    assert seen["kept"] > 10 and seen["overflow took rest"] > 0


@pytest.mark.parametrize("name", sorted(CRISES))
def test_the_overflow_is_handed_each_threads_own_priority(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The priorities the overflow is handed come from the pooled ranking, with late
    arrivals' computed again (:meth:`OrgCore._base_priority`): in the crises above,
    at every call, exactly ``priority(left)``, late arrivals among them."""
    import golden

    seen = {"calls": 0, "with late arrivals": 0}
    base_priority = core.OrgCore._base_priority

    def checked(self, priority, unoffered, left):  # type: ignore[no-untyped-def]
        base = base_priority(self, priority, unoffered, left)
        seen["calls"] += 1
        seen["with late arrivals"] += bool(
            (self.threads.ready_at[left] > self.tick * self.dt).any()
        )
        assert np.array_equal(base, self.priority(left))
        return base

    monkeypatch.setattr(core.OrgCore, "_base_priority", checked)
    monkeypatch.setitem(
        golden.CONFIGURATIONS,
        "crisis_case",
        (golden.WORLD, [*golden.SMALL, *CRISES[name], CRISIS], 48),
    )
    fingerprint("crisis_case", 0)
    assert seen["calls"] > 50 and seen["with late arrivals"] > 0
