"""Tests for the independent-cascade kernel (sim.public.cascade): exact small-graph
behaviour, statistics of the sampler, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.public.cascade import (
    CascadeState,
    Exposures,
    bernoulli_positions,
    cascade_step,
    expand_frontier,
)


def csr(n: int, edges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """CSR (indptr int64, indices int32) of directed edges (u -> v: v follows u)."""
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    order = np.argsort(e[:, 0], kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(e[:, 0], minlength=n), out=indptr[1:])
    return indptr, e[order, 1].astype(np.int32)


def star(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Node 0 with followers 1..k."""
    return csr(k + 1, [(0, v) for v in range(1, k + 1)])


def path(n: int) -> tuple[np.ndarray, np.ndarray]:
    return csr(n, [(i, i + 1) for i in range(n - 1)])


def assert_binomial(successes: int, trials: int, p: float, z: float = 4.0) -> None:
    mean, sd = trials * p, np.sqrt(trials * p * (1 - p))
    assert abs(successes - mean) <= z * sd + 1e-9, (successes, mean, sd)


def assert_binomial_tails(counts: np.ndarray, trials: int, p: float, alpha: float = 1e-7) -> None:
    """Exact binomial tails for many small counts (the normal approximation is too skewed)."""
    assert np.all(stats.binom.sf(counts - 1, trials, p) > alpha), counts.max()
    assert np.all(stats.binom.cdf(counts, trials, p) > alpha), counts.min()


# ----------------------------------------------------------------------------- exact behaviour
def test_path_p1_reach_grows_by_one_per_tick_then_stops():
    indptr, indices = path(10)
    state = CascadeState(indptr, indices)
    state.seed(np.array([0]), np.array([0]))
    p = np.array([1.0])
    rng = np.random.default_rng(0)
    assert state.reach([0])[0] == 1
    for k in range(1, 13):
        t, v = state.step(p, rng)
        assert state.reach([0])[0] == min(k + 1, 10)
        if k <= 9:
            assert t.tolist() == [0] and v.tolist() == [k]
        else:
            assert t.size == 0 and v.size == 0
    assert state.frontier_thread.size == 0


def test_path_with_raw_api():
    indptr, indices = path(10)
    ex = Exposures(10)
    ex.seed(np.array([0]), np.array([0]))
    ft, fn = ex.take_seeds()
    assert ft.tolist() == [0] and fn.tolist() == [0]
    assert ex.take_seeds()[0].size == 0  # cleared
    rng = np.random.default_rng(1)
    for _ in range(9):
        ft, fn = cascade_step(indptr, indices, ex, ft, fn, np.array([1.0]), rng)
        assert ft.dtype == np.int64 and fn.dtype == np.int32
    assert ex.reach([0])[0] == 10 and ex.n_pairs == 10
    ft, fn = cascade_step(indptr, indices, ex, ft, fn, np.array([1.0]), rng)
    assert ft.size == 0


def test_p0_reach_stays_author_only():
    indptr, indices = star(50)
    state = CascadeState(indptr, indices)
    state.seed(np.array([0]), np.array([0]))
    rng = np.random.default_rng(0)
    for _ in range(5):
        state.step(np.array([0.0]), rng)
    assert state.reach([0])[0] == 1


def test_star_p1_one_tick_then_nothing():
    indptr, indices = star(5)
    state = CascadeState(indptr, indices)
    state.seed(np.array([0]), np.array([0]))
    rng = np.random.default_rng(0)
    t, v = state.step(np.array([1.0]), rng)
    assert sorted(v.tolist()) == [1, 2, 3, 4, 5] and state.reach([0])[0] == 6
    t, v = state.step(np.array([1.0]), rng)
    assert t.size == 0 and state.reach([0])[0] == 6


def test_two_threads_are_independent():
    # 0 -> {1, 2}, 3 -> {2, 4}; node 2 is reached by both threads.
    indptr, indices = csr(5, [(0, 1), (0, 2), (3, 2), (3, 4)])
    state = CascadeState(indptr, indices)
    state.seed(np.array([0, 1, 2]), np.array([0, 3, 0]))
    state.step(np.array([1.0, 1.0, 0.0]), np.random.default_rng(0))
    assert state.reach([0, 1, 2]).tolist() == [3, 3, 1]
    assert state.exposures.n_pairs == 7
    assert state.reach([7, -1]).tolist() == [0, 0]  # unknown thread ids


def test_dedupe_within_tick_and_against_history():
    # Diamond 0 -> {1, 2} -> 3, plus 3 -> 0 (back edge to the author).
    indptr, indices = csr(4, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 0)])
    state = CascadeState(indptr, indices)
    state.seed(np.array([0]), np.array([0]))
    p, rng = np.array([1.0]), np.random.default_rng(0)
    assert state.step(p, rng)[1].tolist() == [1, 2]
    _, v = state.step(p, rng)
    assert v.tolist() == [3] and state.reach([0])[0] == 4  # 3 reached twice, counted once
    assert state.step(p, rng)[1].size == 0  # 0 already exposed: never re-added
    assert state.reach([0])[0] == 4


def test_exposures_add_dedupes_and_sorts():
    ex = Exposures(100)
    t, v = ex.add([2, 1, 2, 1, 2], [5, 7, 5, 3, 1])
    assert t.tolist() == [1, 1, 2, 2] and v.tolist() == [3, 7, 1, 5]
    t, v = ex.add([1, 2, 3], [7, 9, 7])
    assert t.tolist() == [2, 3] and v.tolist() == [9, 7]
    assert ex.reach([1, 2, 3]).tolist() == [2, 3, 1] and ex.n_pairs == 6
    assert ex.add([], [])[0].size == 0
    with pytest.raises(ValueError):
        ex.add([0], [100])
    with pytest.raises(OverflowError):
        Exposures(10**7).add([10**13], [0])  # 10**13 * 10**7 > 2**63


def test_many_batches_match_python_set():
    """Exercise the multi-level merges (both merge paths) against a Python set."""
    rng = np.random.default_rng(5)
    ex, ref = Exposures(1000, capacity_threads=2, level_ratio=2), set()
    for size in [20_000] + [int(s) for s in rng.integers(1, 600, 60)]:
        t, v = rng.integers(0, 40, size), rng.integers(0, 1000, size)
        nt, nv = ex.add(t, v)
        new = set(zip(t.tolist(), v.tolist(), strict=True)) - ref
        got = list(zip(nt.tolist(), nv.tolist(), strict=True))
        assert got == sorted(new)
        ref |= new
    assert ex.n_pairs == len(ref)
    counts = np.bincount([a for a, _ in ref], minlength=40)
    assert np.array_equal(ex.reach(np.arange(40)), counts)


def test_forget_shrinks_pairs_keeps_reach_and_ignores_later_adds():
    rng = np.random.default_rng(3)
    ex = Exposures(10_000)
    ex.add(rng.integers(0, 10, 50_000), rng.integers(0, 10_000, 50_000))
    reach_before, pairs_before = ex.reach(np.arange(10)), ex.n_pairs
    ex.forget([3, 7])
    assert ex.n_pairs == pairs_before - reach_before[3] - reach_before[7]
    assert np.array_equal(ex.reach(np.arange(10)), reach_before)
    assert ex.add([3, 3], [1, 2])[0].size == 0  # forgotten thread: ignored
    ex.forget([3, 999])  # idempotent, unknown ids ignored
    ex.compact()
    assert ex.n_stored == ex.n_pairs == pairs_before - reach_before[3] - reach_before[7]
    fresh = np.arange(5)
    t, _ = ex.add(np.full(5, 4), fresh)  # live thread still dedupes after compaction
    assert ex.reach([4])[0] == reach_before[4] + t.size
    assert ex.add(np.full(5, 4), fresh)[0].size == 0


def test_forget_drops_frontier_in_cascade_state():
    indptr, indices = star(10)
    state = CascadeState(indptr, indices)
    state.seed(np.array([0, 1]), np.array([0, 0]))
    state.forget([0])
    t, _ = state.step(np.array([1.0, 1.0]), np.random.default_rng(0))
    assert set(t.tolist()) == {1} and state.reach([0, 1]).tolist() == [1, 11]


def test_invalid_inputs():
    indptr, indices = star(3)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        expand_frontier(indptr, indices, [0], [0], np.array([1.5]), rng)
    with pytest.raises(ValueError):
        expand_frontier(indptr, indices, [0], [0], np.array([np.nan]), rng)
    with pytest.raises(ValueError):
        expand_frontier(indptr, indices, [0], [-1], np.array([0.5]), rng)
    t, v = expand_frontier(indptr, indices, [], [], np.array([0.5]), rng)
    assert t.size == 0 and v.size == 0


# ----------------------------------------------------------------------------- statistics
@pytest.mark.parametrize(("p", "copies"), [(0.05, 1), (0.001, 200)])
def test_star_success_count_and_uniformity(p, copies):
    k = 20_000
    indptr, indices = star(k)
    hits = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        t, v = expand_frontier(
            indptr, indices, np.zeros(copies, int), np.zeros(copies, int), np.array([p]), rng
        )
        assert np.all(t == 0) and np.all((v >= 1) & (v <= k))
        hits.append(v)
    v = np.concatenate(hits)
    assert_binomial(v.size, 5 * copies * k, p)
    observed = np.bincount((v - 1) * 20 // k, minlength=20)
    assert stats.chisquare(observed).pvalue > 1e-4
    half = np.count_nonzero(v <= k // 2)
    assert_binomial(half, v.size, 0.5)


def test_mixed_p_in_one_call():
    # Several probabilities per bucket (0.035/0.045 share a binary exponent -> thinning path).
    p = np.array([0.0, 0.001, 0.035, 0.045, 0.2, 0.25, 0.3, 0.7, 1.0, 0.123456789])
    k, copies = 2_000, 40
    indptr, indices = star(k)
    thread = np.repeat(np.arange(p.size), copies)
    rng = np.random.default_rng(11)
    perm = rng.permutation(thread.size)  # interleave threads in the frontier
    t, v = expand_frontier(indptr, indices, thread[perm], np.zeros(thread.size, int), p, rng)
    counts = np.bincount(t, minlength=p.size)
    assert counts[0] == 0 and counts[8] == k * copies  # p = 0 and p = 1 are exact
    for i in range(p.size):
        assert_binomial(int(counts[i]), k * copies, float(p[i]))
        vi = v[t == i]
        if vi.size > 200:
            assert stats.chisquare(np.bincount((vi - 1) * 10 // k, minlength=10)).pvalue > 1e-4


@pytest.mark.parametrize("p", [0.02, 0.2, 0.6])
def test_single_edge_across_calls(p):
    """The first (and only) position of a call must be reachable: catches off-by-one skips."""
    indptr, indices = star(1)
    rng = np.random.default_rng(9)
    calls = 4_000
    hits = sum(
        expand_frontier(indptr, indices, [0], [0], np.array([p]), rng)[0].size for _ in range(calls)
    )
    assert_binomial(hits, calls, p)


@pytest.mark.parametrize("p", [0.02, 0.18, 0.6])
def test_every_edge_has_marginal_p(p):
    """Unique targets per edge so each target identifies one edge; various degrees incl. 0."""
    degs = [0, 1, 2, 3, 7, 0, 50]
    edges, nxt = [], len(degs)
    for u, d in enumerate(degs):
        edges += [(u, nxt + j) for j in range(d)]
        nxt += d
    indptr, indices = csr(nxt, edges)
    reps = 3_000
    node = np.tile(np.arange(len(degs)), reps)
    # Two threads with probabilities in the same bucket (p and 0.9 p) to cover thinning.
    thread = np.arange(node.size) % 2
    probs = np.array([p, 0.9 * p])
    t, v = expand_frontier(indptr, indices, thread, node, probs, np.random.default_rng(2))
    for th in (0, 1):
        counts = np.bincount(v[t == th], minlength=nxt)[len(degs) :]
        assert_binomial_tails(counts, reps // 2, float(probs[th]))
        assert_binomial(int(counts.sum()), counts.size * reps // 2, float(probs[th]))
        expected = np.full(counts.size, counts.mean())
        assert stats.chisquare(counts, expected).pvalue > 1e-4


def test_edges_are_independent_within_and_across_segments():
    # Node 0 -> {2, 3}, node 1 -> {4}; frontier (t, 0), (t, 1) for many threads t.
    indptr, indices = csr(5, [(0, 2), (0, 3), (1, 4)])
    n_t, p = 20_000, 0.2
    thread = np.repeat(np.arange(n_t), 2)
    node = np.tile([0, 1], n_t)
    t, v = expand_frontier(indptr, indices, thread, node, np.full(n_t, p), np.random.default_rng(4))
    hit = np.zeros((n_t, 5), dtype=bool)
    hit[t, v] = True
    assert_binomial(int(np.sum(hit[:, 2] & hit[:, 3])), n_t, p * p)  # same segment
    assert_binomial(int(np.sum(hit[:, 3] & hit[:, 4])), n_t, p * p)  # adjacent segments
    assert_binomial(int(np.sum(~hit[:, 2] & ~hit[:, 3])), n_t, (1 - p) ** 2)


# ----------------------------------------------------------------------------- properties
@st.composite
def graph_and_frontier(draw):
    n = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    n_threads = draw(st.integers(1, 4))
    p = draw(
        st.lists(
            st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)),
            min_size=n_threads,
            max_size=n_threads,
        )
    )
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n_threads - 1), st.integers(0, n - 1)), max_size=15)
    )
    seed = draw(st.integers(0, 2**32 - 1))
    return n, edges, np.array(p), pairs, seed


@settings(max_examples=150, deadline=None)
@given(graph_and_frontier())
def test_property_expand_and_exposures(case):
    n, edges, p, pairs, seed = case
    indptr, indices = csr(n, edges)
    followers = {u: [int(w) for w in indices[indptr[u] : indptr[u + 1]]] for u in range(n)}
    thread = np.array([a for a, _ in pairs], dtype=np.int64)
    node = np.array([b for _, b in pairs], dtype=np.int32)
    t, v = expand_frontier(indptr, indices, thread, node, p, np.random.default_rng(seed))
    allowed: dict[tuple[int, int], int] = {}
    for a, b in pairs:
        for w in followers[b]:
            allowed[(a, w)] = allowed.get((a, w), 0) + 1
    got: dict[tuple[int, int], int] = {}
    for a, w in zip(t.tolist(), v.tolist(), strict=True):
        got[(a, w)] = got.get((a, w), 0) + 1
    for key, c in got.items():
        assert c <= allowed.get(key, 0)  # only followers of that thread's frontier nodes
        assert p[key[0]] > 0
    for key, c in allowed.items():
        if p[key[0]] == 1.0:
            assert got.get(key, 0) == c  # p = 1 takes every edge exactly
    # Exposures: seed the frontier as authors, then add the transmissions.
    ex, ref = Exposures(n, capacity_threads=1), set(pairs)
    ex.seed(thread, node)
    nt, nv = ex.add(t, v)
    new = list(zip(nt.tolist(), nv.tolist(), strict=True))
    assert new == sorted(set(new)) and not set(new) & set(pairs)
    assert set(new) == set(got) - ref
    ref |= set(new)
    reach = ex.reach(np.arange(p.size))
    assert np.all(reach <= n)
    assert reach.tolist() == [sum(1 for a, _ in ref if a == i) for i in range(p.size)]
    assert ex.n_pairs == len(ref)


# ----------------------------------------------------------------------------- determinism
def random_graph(n: int, mean_deg: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    deg = rng.poisson(mean_deg, n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr[1:])
    return indptr, rng.integers(0, n, int(indptr[-1]), dtype=np.int32)


def run_cascade(seed: int) -> list[np.ndarray]:
    indptr, indices = random_graph(5_000, 8, 0)
    p = np.array([0.02, 0.1, 0.3, 1.0, 0.07])
    state = CascadeState(indptr, indices)
    state.seed(np.arange(5), np.array([1, 2, 3, 4, 5]))
    rng, out = np.random.default_rng(seed), []
    for _ in range(6):
        out += list(state.step(p, rng))
    return [*out, state.reach(np.arange(5))]


def test_same_seed_same_output():
    a, b, c = run_cascade(42), run_cascade(42), run_cascade(43)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert a[-1][3] > 1000  # the p = 1 thread spread over most of the graph


# ----------------------------------------------------------------------------- benchmark
@pytest.mark.benchmark
def test_benchmark_cascade_step_small(benchmark):
    indptr, indices = random_graph(100_000, 10, 1)
    rng = np.random.default_rng(0)
    p = rng.choice([0.01, 0.05, 0.1], 100)
    ft, fn = rng.integers(0, 100, 1_000), rng.integers(0, 100_000, 1_000).astype(np.int32)
    ex = Exposures(100_000)

    def step():
        return cascade_step(indptr, indices, ex, ft, fn, p, rng)

    benchmark.pedantic(step, rounds=20, iterations=1)
    assert ex.n_pairs > 0


def test_members_lists_each_threads_audience_across_levels() -> None:
    """Audiences are read back exactly, whichever storage level holds them."""
    exposures = Exposures(100, level_ratio=2)
    rng = np.random.default_rng(0)
    truth: dict[int, set[int]] = {0: set(), 1: set(), 2: set()}
    for _ in range(12):  # many small batches: several levels
        thread = rng.integers(0, 3, 20)
        node = rng.integers(0, 100, 20)
        exposures.add(thread, node)
        for t, v in zip(thread.tolist(), node.tolist(), strict=True):
            truth[t].add(v)
    owner, node = exposures.members(np.array([2, 0]))
    got = {t: set(node[owner == t].tolist()) for t in (0, 2)}
    assert got == {0: truth[0], 2: truth[2]}
    assert set(owner.tolist()) <= {0, 2}
    exposures.forget(np.array([0]))
    exposures.compact()
    owner, _ = exposures.members(np.array([0, 1]))
    assert set(owner.tolist()) == {1}


@pytest.mark.parametrize(("q", "expected"), [(0.0, []), (1.0, [0, 1, 2, 3, 4])])
def test_bernoulli_positions_at_certainty_draw_nothing(q: float, expected: list[int]) -> None:
    """q = 0 gives no position and q = 1 every one, without touching the stream (both
    used to raise: a division by zero and a math domain error)."""
    rng = np.random.default_rng(3)
    before = rng.bit_generator.state
    assert bernoulli_positions(5, q, rng).tolist() == expected
    assert rng.bit_generator.state == before
