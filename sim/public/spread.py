"""Threads spread over the customer graph, in continuous time (MODEL.md 4.2).

Every thread is an independent cascade (Kempe, Kleinberg and Tardos 2003) whose hops
take time. When a thread opens, each of its author's followers will see it with
probability ``view_share x channel reach``, after a delay drawn from the channel's
attention decay: exponential with the channel's ``half_life_hours`` (a tweet draws half
its engagement within about 24 minutes, Wiselytics 2014; a LinkedIn post within about a
day, Graffius 2018). A customer who sees the thread passes it on to each of their
followers with probability

    p = channel reshare x kind multiplier x state multiplier x severity factor

judged by the thread's state when they see it. The state multiplier is the negativity
bias: ``unanswered_complaint`` for a complaint nobody has answered,
``ignored_complaint`` once it was abandoned unanswered, ``gaffe`` once a gaffe was
posted in it, ``answered`` once answered (it cools down), 1 otherwise; the severity
factor ``1 + severity x (2 s - 1)`` scales complaints by their severity ``s``. Each
follower passed to sees it after a fresh delay. A view that would come after the
thread's ``visible_hours`` never comes.

Views are events in continuous time, so a tick only decides *when they are
processed*: every view due within a tick is processed in that tick, generation after
generation, against the state the thread had at the start of the tick; views due
later wait in a calendar filed by the tick each is due (:class:`_Calendar`: a few runs
sorted by that tick, merged every few ticks; no Python loop over ticks or views). Which
threads are still visible is :class:`sim.public.visibility.Visibility`. Reach and its
distribution therefore do not depend on the tick length, up to when an answer becomes
visible (MODEL.md 6.8). Reach counts distinct customers. Every step is vectorized over
all threads at once, with geometric skipping (:mod:`sim.public.cascade`).

An author whose complaint was ignored may **escalate** (:meth:`Spread.escalate`): the
repost reaches their followers anew, with the first-hop chance times
``escalation_reach``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.public.cascade import Exposures, expand_frontier
from sim.public.customers import Customers
from sim.public.visibility import Visibility
from sim.scenario.schema import Scenario
from sim.threads import Kind, ThreadTable, names

__all__ = ["Exposed", "Spread"]

COMPLAINT = Kind.COMPLAINT
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_NODES = np.zeros(0, dtype=np.int32)
#: Generations processed within one tick before the rest waits for the next tick (a
#: chain of this many hops inside one tick has a vanishing probability).
MAX_ROUNDS = 64


@dataclass
class Exposed:
    """This tick's new exposures: (thread, customer) pairs, and what each thread was
    when it was seen -- answered yet, carrying a gaffe -- so that an answer posted
    later in the same tick is not seen twice."""

    thread: np.ndarray
    customer: np.ndarray
    answered: np.ndarray
    gaffe: np.ndarray
    negative: np.ndarray
    """Exposure to an unanswered complaint or a gaffe (the negative reach of MODEL.md 5)."""


@dataclass
class _Views:
    """Views to come: who will see which thread, and when (in hours)."""

    thread: np.ndarray
    customer: np.ndarray
    time: np.ndarray

    @staticmethod
    def join(parts: list[_Views]) -> _Views:
        if len(parts) == 1:
            return parts[0]
        return _Views(
            np.concatenate([v.thread for v in parts]),
            np.concatenate([v.customer for v in parts]),
            np.concatenate([v.time for v in parts]),
        )


class _Calendar:
    """Views to come, filed by the tick in which each is due: a few runs, each sorted by
    that tick. Each filing adds a run (a radix sort of its due ticks); when more than
    :attr:`MAX_RUNS` are held, they are merged into one (timsort finds the sorted runs
    and merges them, O(pending log runs)), so the calendar is copied once every few
    ticks, not at every filing. Taking a tick's views is one binary search a run; a run
    half taken is copied, so that what was taken is freed (the calendar's arrays hold at
    most twice its views).
    Which views a tick takes is all that matters, not their order: the spread keeps, of
    each (thread, customer), the earliest time, in (thread, customer) order.
    """

    MAX_RUNS = 8
    """Runs held before they are merged into one (about one run is filed a tick)."""

    def __init__(self, dt: float) -> None:
        self.dt = dt
        self._runs: list[tuple[np.ndarray, _Views]] = []  # (due tick, views), sorted by tick
        self.size = 0
        """Views held."""

    def due_ticks(self, time: np.ndarray) -> np.ndarray:
        """The tick in which a view at ``time`` (hours, >= 0) is due: the first ``T``
        with ``time < (T + 1) x dt``, exactly as the step compares it (the floor of
        ``time / dt``, corrected where division rounded across a tick's end)."""
        dt = self.dt
        tick = np.floor(time / dt).astype(np.int64)
        up = time >= (tick + 1) * dt
        down = time < tick * dt
        tick += up
        tick -= down
        return tick

    def file(self, views: _Views) -> None:
        """Keep ``views`` until their ticks come."""
        if views.thread.size == 0:
            return
        due = self.due_ticks(views.time)
        order = _order(due)
        runs = self._runs
        runs.append((due[order], _take(views, order)))
        self.size += order.size
        if len(runs) > self.MAX_RUNS:
            due = np.concatenate([run[0] for run in runs])
            order = due.argsort(kind="stable")  # sorted runs: timsort merges them
            self._runs = [(due[order], _take(_Views.join([run[1] for run in runs]), order))]

    def take(self, tick: int) -> list[_Views]:
        """Remove, and return, every view due in ``tick`` or before."""
        out = []
        runs = self._runs
        for i, (due, views) in enumerate(runs):
            k = int(due.searchsorted(tick, side="right"))
            if k == 0:
                continue
            out.append(_Views(views.thread[:k], views.customer[:k], views.time[:k]))
            rest = (due[k:], _Views(views.thread[k:], views.customer[k:], views.time[k:]))
            held = due.size if due.base is None else due.base.size  # (a run is a slice)
            if 0 < 2 * rest[0].size <= held:  # half taken: copy the rest, the arrays go
                v = rest[1]
                rest = (rest[0].copy(), _Views(v.thread.copy(), v.customer.copy(), v.time.copy()))
            runs[i] = rest
            self.size -= k
        if out:
            self._runs = [run for run in runs if run[0].size]
        return out


def _order(key: np.ndarray) -> np.ndarray:
    """The stable permutation that sorts the int64 ``key``: a least-significant-digit
    radix sort of ``key - key.min()`` in 16-bit digits (NumPy's stable sort of 16-bit
    integers is a radix sort), one O(n) pass a digit, faster than a comparison sort of
    int64 for the sizes of a tick (one pass for due ticks, three for view keys)."""
    if key.size < 2:
        return np.zeros(key.size, dtype=np.intp)
    low = int(key.min())
    span = int(key.max()) - low
    offset = key - low
    perm = offset.astype(np.uint16).argsort(kind="stable")  # (the low 16 bits)
    shift = 16
    while span >> shift:
        digit = (offset[perm] >> shift).astype(np.uint16)
        perm = perm[digit.argsort(kind="stable")]
        shift += 16
    return perm


def _take(views: _Views, order: np.ndarray) -> _Views:
    return _Views(views.thread[order], views.customer[order], views.time[order])


class Spread:
    """All live cascades: the exposure sets, the calendar of views to come, the
    visibility window."""

    def __init__(
        self,
        scenario: Scenario,
        customers: Customers,
        threads: ThreadTable,
        rng: np.random.Generator,
    ) -> None:
        self.rng = rng
        self.threads = threads
        self.graph = customers.graph
        self.exposures = Exposures(customers.n)
        spec = scenario.spread
        self.dt = scenario.time.tick_hours
        self.first_hop = np.array([min(1.0, spec.view_share * c.reach) for c in scenario.channels])
        self.escalation_hop = np.minimum(1.0, self.first_hop * spec.escalation_reach)
        self.reshare = np.array([c.reshare for c in scenario.channels])
        self.visible_hours = np.array([c.visible_hours for c in scenario.channels])
        self.mean_delay = np.array([c.half_life_hours / math.log(2.0) for c in scenario.channels])
        self.kind_factor = np.array([getattr(spec, k) for k in names(Kind)])
        self.spec = spec
        self.visibility = Visibility([c.visible_hours for c in scenario.channels], self.dt)
        """The threads still visible, by channel (their cascades go on)."""
        self._last_entered = -1
        self.calendar = _Calendar(self.dt)
        """Views to come, by the tick they are due."""
        self._filed: list[_Views] = []
        """Views filed this tick, merged into :attr:`calendar` at the end of the step."""
        self.negative_exposures = 0

    def reach(self, ids: np.ndarray) -> np.ndarray:
        return self.exposures.reach(ids)

    def audience(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Everyone who has seen each of these threads so far (while visible)."""
        return self.exposures.members(ids[self.visibility.visible(ids)])

    @property
    def spreading(self) -> np.ndarray:
        """The visible threads' ids, sorted (their cascades go on)."""
        return self.visibility.ids()

    @property
    def has_views_to_come(self) -> bool:
        """Whether some view is still to come (a cascade is still under way)."""
        return self.calendar.size > 0 or bool(self._filed)

    def step(self, tick: int, new: np.ndarray) -> Exposed:
        """Open the cascades of ``new`` threads and process every view due this tick."""
        th = self.threads
        start, end = tick * self.dt, (tick + 1) * self.dt
        self._expire(tick)
        due = self.calendar.take(tick)
        new = new[th.author[new] >= 0]  # threads opened without an author do not spread
        if new.size:
            authors = th.author[new]
            self.exposures.add(new, authors)  # authors have seen their own post (validated)
            if new[0] <= self._last_entered:
                raise ValueError("threads must enter the cascade in id order")
            self._last_entered = int(new[-1])
            self.visibility.add(new, th.channel[new], th.created_tick[new])
            first = self._pass_on(
                new, authors, np.full(new.size, start), self.first_hop[th.channel[new]], end
            )
            due.extend(first)
        parts_t, parts_c = [], []
        for _ in range(MAX_ROUNDS):
            if not due:
                break
            views = self._first_views(_Views.join(due))
            due = []
            if views.thread.size == 0:
                break
            parts_t.append(views.thread)
            parts_c.append(views.customer)
            due = self._pass_on(
                views.thread,
                views.customer,
                views.time,
                self._reshare(views.thread, views.time),
                end,
            )
        else:  # the rest of a long chain waits for the next tick
            self._filed.extend(due)
        self._merge_filed()
        if len(parts_t) == 1:
            thread, customer = parts_t[0], parts_c[0]
        elif parts_t:
            thread, customer = np.concatenate(parts_t), np.concatenate(parts_c)
        else:
            thread, customer = _NO_IDS, _NO_NODES
        answered = th.first_response_tick[thread] >= 0
        gaffe = th.gaffe[thread]
        negative = ((th.kind[thread] == COMPLAINT) & ~answered) | gaffe
        self.negative_exposures += int(np.count_nonzero(negative))
        return Exposed(thread, customer, answered, gaffe, negative)

    def escalate(self, tick: int, ids: np.ndarray) -> None:
        """The authors of ``ids`` post again, louder, at the end of ``tick``: their
        followers see the thread anew (those who saw it already are not counted twice)."""
        th = self.threads
        ids = ids[th.author[ids] >= 0]
        if ids.size == 0:
            return
        ids = ids[self.visibility.visible(ids)]  # only a visible thread can be reposted
        if ids.size == 0:
            return
        at = (tick + 1) * self.dt
        views = self._pass_on(
            ids, th.author[ids], np.full(ids.size, at), self.escalation_hop[th.channel[ids]], at
        )
        self._filed.extend(views)  # (nothing is due before ``at``)
        self._merge_filed()

    # ------------------------------------------------------------------ parts

    def _expire(self, tick: int) -> None:
        """Forget the threads whose visibility ended by the start of ``tick``."""
        gone = self.visibility.expire(tick)
        if gone.size:
            self.exposures.forget(gone)

    def _reshare(self, ids: np.ndarray, time: np.ndarray) -> np.ndarray:
        """The chance that a viewer of each thread in ``ids`` at ``time`` (hours)
        passes it on to each follower, judged by the thread's state then: answered and
        gaffes as of the start of this tick, ignored from the moment its turn's
        patience ran out (a time within the tick, whatever the tick's length).

        The views of a thread come in runs (they are in (thread, customer) order), so
        the chance is computed once a run, both before and after the thread's
        deadline, and each view takes one of the two by its time."""
        n = ids.size
        if n == 0:
            return np.zeros(0)
        start = np.empty(n, dtype=bool)
        start[0] = True
        np.not_equal(ids[1:], ids[:-1], out=start[1:])
        first = start.nonzero()[0]
        length = np.empty(first.size, dtype=np.intp)
        np.subtract(first[1:], first[:-1], out=length[:-1])
        length[-1] = n - first[-1]
        before, after, deadline = self._reshare_of(ids[first])
        late = time >= deadline.repeat(length)
        return np.where(late, after.repeat(length), before.repeat(length))

    def _reshare_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each thread's reshare chance before and after its deadline, and the deadline
        (hours; ``inf`` until its turn opens, step 4)."""
        th, spec = self.threads, self.spec
        kind = th.kind[ids]
        p = self.reshare[th.channel[ids]] * self.kind_factor[kind]
        complaint = kind == COMPLAINT
        answered = th.first_response_tick[ids] >= 0
        deadline = th.deadline_tick[ids]
        deadline = np.where(
            np.isfinite(deadline), deadline, th.created_tick[ids] + th.patience_ticks[ids]
        )
        gaffe = th.gaffe[ids]
        factor = np.where(complaint, spec.unanswered_complaint, 1.0)
        factor[answered] = spec.answered
        factor[gaffe] = spec.gaffe
        # past the deadline an unanswered complaint is ignored (a gaffe still counts as one)
        late = np.where(complaint & ~answered & ~gaffe, spec.ignored_complaint, factor)
        severity = np.where(complaint, 1.0 + spec.severity * (2.0 * th.severity[ids] - 1.0), 1.0)
        factor *= severity
        late *= severity
        before, after = p * factor, p * late
        before.clip(0.0, 1.0, out=before)
        after.clip(0.0, 1.0, out=after)
        return before, after, deadline * self.dt

    def _pass_on(
        self, thread: np.ndarray, sharer: np.ndarray, time: np.ndarray, p: np.ndarray, end: float
    ) -> list[_Views]:
        """The followers each ``sharer`` passes its ``thread`` to (each with chance
        ``p``), and when each will see it: ``time`` plus an attention delay. The views
        due from ``end`` on are filed in the calendar; those due before it (still to be
        processed this tick) are returned."""
        g, th = self.graph, self.threads
        pair, follower = expand_frontier(  # one "thread" per pair: a hit names its pair
            g.indptr, g.indices, np.arange(thread.size), sharer, p, self.rng, validate=False
        )
        if pair.size == 0:
            return []
        ids = thread[pair]
        channel = th.channel[ids]
        when = time[pair] + self.rng.standard_exponential(pair.size) * self.mean_delay[channel]
        visible_until = th.created_tick[ids] * self.dt + self.visible_hours[channel]
        seen = when < visible_until  # a view after the window never comes
        now = when < end
        later = seen & ~now
        if later.any():
            self._file(_Views(ids[later], follower[later], when[later]))
        now &= seen
        if now.any():
            return [_Views(ids[now], follower[now], when[now])]
        return []

    def _file(self, views: _Views) -> None:
        """Keep views to come until the end of the step (:meth:`_merge_filed`)."""
        self._filed.append(views)

    def _merge_filed(self) -> None:
        """File the views kept this step in the calendar, in one batch."""
        if self._filed:
            views = _Views.join(self._filed)
            self._filed = []
            self.calendar.file(views)

    def _first_views(self, views: _Views) -> _Views:
        """The views that expose a customer to a thread for the first time, each at the
        earliest of its duplicates' times, in (thread, customer) order."""
        n = self.exposures.n_customers
        key = views.thread * n + views.customer
        order = _order(key)
        key, time = key[order], views.time[order]
        first = np.empty(key.size, dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        if not first.all():  # the earliest time of each repeated pair
            start = first.nonzero()[0]
            key, time = key[start], np.minimum.reduceat(time, start)
        new = self.exposures.add_keys(key)
        if new is not None:
            key, time = key[new], time[new]
        thread, customer = np.divmod(key, n)
        return _Views(thread, customer.astype(np.int32), time)
