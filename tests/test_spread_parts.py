"""The spread's bookkeeping gives the same answers as the plain formulas it replaces
(docs/PERFORMANCE.md, "The spread's bookkeeping"): the visibility window kept as one
queue a channel, the reshare chance computed once a run of a thread's views, and the
calendar's runs merged every few filings. Each is compared, bit for bit, with the
straightforward per-thread or per-view computation on generated cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import OrgModel
from sim.public.spread import COMPLAINT, _Calendar, _Views
from sim.public.visibility import Visibility, window_ticks


@given(
    hours=st.floats(0.01, 500.0, allow_nan=False),
    dt=st.sampled_from([1 / 12, 0.1, 0.25, 1 / 3, 0.5, 1.0, 0.7]),
)
def test_the_window_is_the_first_age_that_reaches_the_visible_hours(hours: float, dt: float):
    k = window_ticks(hours, dt)
    age = np.arange(k + 3)
    expired = age * dt >= hours  # the age test, as the spread compared it every tick
    assert not expired[:k].any()
    assert expired[k:].all()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    hours=st.lists(st.floats(0.1, 20.0), min_size=1, max_size=4),
    dt=st.sampled_from([0.25, 0.5, 1.0]),
)
def test_threads_expire_exactly_when_their_age_reaches_the_window(seed, hours, dt) -> None:
    rng = np.random.default_rng(seed)
    vis = Visibility(hours, dt)
    channel_of: dict[int, int] = {}
    created_of: dict[int, int] = {}
    visible: set[int] = set()
    next_id = 0
    for tick in range(60):
        # the plain rule: expired at the start of a tick once (tick - created) x dt >= hours
        gone = {i for i in visible if (tick - created_of[i]) * dt >= hours[channel_of[i]]}
        assert set(vis.expire(tick).tolist()) == gone
        visible -= gone
        k = int(rng.integers(0, 6))
        ids = np.arange(next_id, next_id + k, dtype=np.int64)
        next_id += k + int(rng.integers(0, 3))  # some ids never enter (no author)
        channel = rng.integers(0, len(hours), k)
        vis.add(ids, channel, np.full(k, tick, dtype=np.int32))
        for i, c in zip(ids.tolist(), channel.tolist(), strict=True):
            channel_of[i], created_of[i] = c, tick
            visible.add(i)
        assert vis.size == len(visible)
        probe = np.arange(-3, next_id + 5, dtype=np.int64)  # (no id below 0 is visible)
        assert set(probe[vis.visible(probe)].tolist()) == visible
        assert vis.ids().tolist() == sorted(visible)


def test_threads_created_out_of_order_still_expire_in_time() -> None:
    vis = Visibility([2.0], 1.0)
    vis.add(np.array([5, 6]), np.array([0, 0]), np.array([4, 4], dtype=np.int32))
    vis.add(np.array([7]), np.array([0]), np.array([1], dtype=np.int32))  # created earlier
    assert vis.expire(3).tolist() == [7]
    assert vis.expire(6).tolist() == [5, 6]
    assert vis.size == 0


def _reshare_per_view(spread, ids: np.ndarray, time: np.ndarray) -> np.ndarray:
    """The chance as the spread computed it before, view by view."""
    th, spec = spread.threads, spread.spec
    kind = th.kind[ids]
    p = spread.reshare[th.channel[ids]] * spread.kind_factor[kind]
    complaint = kind == COMPLAINT
    answered = th.first_response_tick[ids] >= 0
    deadline = th.deadline_tick[ids]
    deadline = np.where(
        np.isfinite(deadline), deadline, th.created_tick[ids] + th.patience_ticks[ids]
    )
    ignored = complaint & ~answered & (time >= deadline * spread.dt)
    factor = np.where(complaint, spec.unanswered_complaint, 1.0)
    factor[ignored] = spec.ignored_complaint
    factor[answered] = spec.answered
    factor[th.gaffe[ids]] = spec.gaffe
    severity = 1.0 + spec.severity * (2.0 * th.severity[ids] - 1.0)
    factor *= np.where(complaint, severity, 1.0)
    p *= factor
    return p.clip(0.0, 1.0, out=p)


def test_the_reshare_chance_of_a_run_of_views_is_each_views_own() -> None:
    model = OrgModel(
        "scenarios/switchboard.toml",
        rng=3,
        overrides=["customers.n_customers=4000", "organization.n_employees=60"],
    )
    model.run_hours(30.0)
    spread = model.public.spread
    th = spread.threads
    th.gaffe[np.arange(0, th.size, 7)] = True  # some gaffes, on answered threads and not
    rng = np.random.default_rng(0)
    assert (th.first_response_tick[: th.size] >= 0).any()
    assert (th.kind[: th.size] == COMPLAINT).any()
    for _ in range(20):
        ids = np.sort(rng.integers(0, th.size, 500))
        deadline = np.where(
            np.isfinite(th.deadline_tick[ids]),
            th.deadline_tick[ids],
            th.created_tick[ids] + th.patience_ticks[ids],
        )
        # times around each deadline, some exactly on it
        time = deadline * spread.dt + rng.choice([-0.3, 0.0, 0.2], ids.size)
        time[rng.random(ids.size) < 0.2] = rng.random() * 40.0
        got = spread._reshare(ids, time)
        want = _reshare_per_view(spread, ids, time)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 4))
def test_the_calendar_gives_back_every_view_in_its_tick(seed: int, runs: int) -> None:
    rng = np.random.default_rng(seed)
    dt = 0.25
    cal = _Calendar(dt)
    cal.MAX_RUNS = runs
    pending: list[tuple[int, int, float]] = []
    for tick in range(40):
        taken = cal.take(tick)
        got = sorted(
            (t, c, x)
            for v in taken
            for t, c, x in zip(v.thread.tolist(), v.customer.tolist(), v.time.tolist(), strict=True)
        )
        want = sorted(v for v in pending if v[2] < (tick + 1) * dt)
        assert got == want
        pending = [v for v in pending if v[2] >= (tick + 1) * dt]
        k = int(rng.integers(0, 30))
        time = (tick + 1) * dt + rng.exponential(2.0, k)
        time[: k // 4] = (tick + 1 + rng.integers(0, 5, k // 4)) * dt  # on a tick's start
        thread = rng.integers(0, 50, k)
        customer = rng.integers(0, 100, k).astype(np.int32)
        cal.file(_Views(thread, customer, time))
        pending.extend(zip(thread.tolist(), customer.tolist(), time.tolist(), strict=True))
        assert cal.size == len(pending)
        for due, views in cal._runs:  # what was taken is freed: at most twice what is held
            for array in (due, views.thread, views.customer, views.time):
                held = array.size if array.base is None else array.base.size
                assert held <= 2 * array.size


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.sampled_from([0, 1, 50, 2047, 2048, 9000]))
def test_filter_bits_are_set_for_repeated_customers_too(seed: int, k: int) -> None:
    from sim.public.cascade import _set_bits

    rng = np.random.default_rng(seed)
    index = rng.integers(0, 300, k)  # many repeats
    bit = np.left_shift(np.uint64(1), rng.integers(0, 64, k).astype(np.uint64))
    got = rng.integers(0, 2**63, 300).astype(np.uint64)
    want = got.copy()
    np.bitwise_or.at(want, index, bit)
    _set_bits(got, index, bit)
    assert np.array_equal(got, want)
