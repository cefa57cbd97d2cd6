"""``OrgModel``: the Mesa facade over the vectorized core.

It builds the world from a scenario, runs the tick of MODEL.md section 3 in order,
collects the per-tick series with a Mesa ``DataCollector`` and exposes the KPIs and
the thread table. Employees, silos and hierarchy levels are Mesa agents backed by the
arrays; customers are agents made on demand (:meth:`OrgModel.customer`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim.agents import Customer, Employee, HierarchyLevel, Silo
from sim.interventions import Timeline
from sim.kpis import organization_kpis, public_kpis
from sim.levers import Levers
from sim.organization import (
    OrgCore,
    SecondSilos,
    build_organization,
    learn,
    make_structure,
)
from sim.public import Customers, OrganizationActs, build_public
from sim.recorder import SERIES, Recorder
from sim.rng import MESA_CHILD, Streams, child_sequence, seed_sequence
from sim.scenario import KINDS, SPEAKERS, Scenario, load_scenario
from sim.stopwatch import Stopwatch
from sim.threads import State

__all__ = ["OrgModel"]


class OrgModel(mesa.Model):
    """An organization answering the public, one tick per ``step()``.

    Parameters
    ----------
    scenario
        A :class:`~sim.scenario.Scenario`, a path to a scenario file, or ``None`` for
        the defaults.
    rng
        The run's one seed (int or ``numpy.random.SeedSequence``). It is spawned into
        one stream per mechanism (MODEL.md 7); the same seed gives the same customers,
        graph and candidate posts whatever the structure.
    overrides
        ``section.key=value`` strings, as the CLI's ``--set``.

    Examples
    --------
    >>> model = OrgModel(rng=1, overrides=["customers.n_customers=2000"])
    >>> model.run_hours(24)
    >>> 0.0 <= model.kpis()["credibility"] <= 1.0
    True
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        rng: int | np.random.SeedSequence | None = None,
        overrides: Iterable[str] = (),
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, overrides)
        elif overrides:
            raise ValueError("overrides apply to scenario files; pass a path, not a Scenario")
        sequence = seed_sequence(rng)
        self.seed = sequence.entropy
        """The run's seed entropy; with :attr:`spawn_key` it replays the run."""
        self.spawn_key = tuple(sequence.spawn_key)
        # Mesa's own Generator: a child of its own, never a mechanism's (no overlap)
        super().__init__(rng=np.random.default_rng(child_sequence(sequence, MESA_CHILD)))
        self.scenario_spec = scenario
        self.dt_hours = scenario.time.tick_hours
        self.streams = Streams.from_seed(sequence)
        org = build_organization(scenario, self.streams.world)
        self.levers = Levers.from_scenario(scenario)
        """The levers in force (interventions change them mid-run)."""
        self.core = OrgCore(
            scenario, org, make_structure(scenario.structure.kind), self.streams, self.levers
        )
        self.public = build_public(scenario, self.streams, self.core.threads)
        """The public side (MODEL.md 4.1, 4.2, 4.7, 4.8): customers on their graph, or,
        in the Poisson mode, nobody but an arrival process."""
        self.timeline = Timeline(
            scenario.interventions, self.levers, self.core, self.dt_hours, self._open_crisis
        )
        self.second_silos = SecondSilos(scenario)
        """Draws which new threads need a second silo's knowledge (MODEL.md 2)."""
        self._scripted: list[np.ndarray] = []
        self._inspected: dict[int, Customer] = {}
        for index in range(org.n_employees):
            Employee(self, index)
        for index in range(org.n_silos):
            Silo(self, index)
        for index in range(org.n_levels):
            HierarchyLevel(self, index)
        self.recorder = Recorder(
            self.core, self.public.customers, self.levers, scenario.topic_shares
        )
        self.stopwatch = Stopwatch(enabled=False)
        """Set ``model.stopwatch.enabled = True`` to time each part of the tick."""
        reporters: dict[str, Callable[[OrgModel], float]] = {
            name: (lambda m, key=name: m.recorder.last[key]) for name in SERIES
        }
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    # ------------------------------------------------------------------- time

    @property
    def tick(self) -> int:
        """Ticks completed."""
        return self.core.tick

    @property
    def hours(self) -> float:
        return self.core.tick * self.dt_hours

    def step(self) -> None:
        """One tick, in the order of MODEL.md section 3."""
        core, public, levers, watch = self.core, self.public, self.levers, self.stopwatch
        t = core.tick
        watch.start()
        core.begin_tick()
        crisis = self.timeline.apply(t)  # 1. interventions
        new = public.post(t, levers)  # 2. posting
        if crisis.size:
            new = np.concatenate([new, crisis])
        watch.lap("posting")
        public.spread_step(t, self._opened_since_last_tick(new, crisis.size > 0))  # 3. spread
        watch.lap("spread")
        threads = core.threads
        threads.second_silo[new] = self.second_silos.assign(threads.topic[new], self.streams.needs)
        core.admit(new, spread=True)  # 4. routing (posts arrive within the tick)
        core.step()  # 5-6. work, answers, abandonment
        watch.lap("routing and work")
        acts = self._organization_acts()
        broadcasts = public.broadcast(levers.culture, core.counters["answered"])  # 7.
        core.escalate(public.react(t, acts))  # 8. opinion update (and escalations)
        learn(
            core.threads,
            acts.answered,
            core.org,
            levers.topic_quality,  # 9. learning
            self.scenario_spec.learning,
            levers.culture,
        )
        watch.lap("opinions")
        self.recorder.record(broadcasts)  # 10. data collection
        self.datacollector.collect(self)
        watch.lap("collection")

    def _opened_since_last_tick(self, new: np.ndarray, crisis: bool) -> np.ndarray:
        """This tick's new threads and those scripted since the last tick, in id order
        (scripted threads entered routing already, and spread from now on; crisis
        threads were appended before the posts)."""
        if not (self._scripted or crisis):  # this tick's posts alone: in order already
            return new
        opened = np.sort(np.concatenate([*self._scripted, new]))
        self._scripted = []
        return opened

    def _organization_acts(self) -> OrganizationActs:
        events = self.core.events
        answered, resolved, gaffe = events.answered_ids()
        return OrganizationActs(
            answered,
            resolved,
            gaffe,
            events.abandoned_ids(),
            self.core.take_opened_turns(),
            events.spin_found,
        )

    def _open_crisis(self, n: int, topic: int) -> np.ndarray:
        """Crisis complaints for the timeline, from the interventions' own stream."""
        return self.public.open_crisis(self.core.tick, n, topic, self.streams.interventions)

    def run_hours(self, hours: float, progress: Callable[[int, int], None] | None = None) -> None:
        """Run ``hours`` more simulated hours (rounded to whole ticks)."""
        n = round(hours / self.dt_hours)
        for i in range(n):
            self.step()
            if progress is not None:
                progress(i + 1, n)

    # ------------------------------------------------------------ threads in

    def open_threads(
        self,
        n: int,
        *,
        topic: str | int,
        kind: str = "complaint",
        channel: str | int = 0,
        patience_hours: float = float("inf"),
        influence: float = 1.0,
        author: int | np.ndarray = -1,
        severity: float = 0.5,
        second_silo: str | int | None = None,
    ) -> np.ndarray:
        """Open ``n`` threads now, on top of the arrival process (scripted cases).
        They enter routing at once; with an ``author`` they also spread from the next
        tick. ``severity`` (in [0, 1]) is the mean of the posted threads' by default.
        ``second_silo`` names the silo whose knowledge the answer also needs (none by
        default). Returns their ids."""
        org = self.core.org
        topic_index = org.topic_names.index(topic) if isinstance(topic, str) else int(topic)
        channels = [c.name for c in self.scenario_spec.channels]
        channel_index = channels.index(channel) if isinstance(channel, str) else int(channel)
        ids = self.core.threads.append(
            n,
            kind=KINDS.index(kind),
            topic=topic_index,
            channel=channel_index,
            influence=influence,
            author=author,
            severity=severity,
            second_silo=-1 if second_silo is None else self._silo_index(second_silo),
            created_tick=self.core.tick,
            patience_ticks=patience_hours / self.dt_hours,
        )
        self.core.admit(ids)
        self._scripted.append(ids)
        return ids

    def _silo_index(self, silo: str | int) -> int:
        names = self.core.org.silo_names
        index = names.index(silo) if isinstance(silo, str) else int(silo)
        if not 0 <= index < len(names) or names[index] == "comms":
            raise ValueError(f"second_silo: {silo!r} is not a silo other than comms")
        return index

    # ---------------------------------------------------------------- results

    def customer(self, index: int) -> Customer:
        """The Mesa agent of customer ``index``, made on first inspection."""
        if self.customers is None:
            raise ValueError("this scenario has no customers (arrivals.mode = 'poisson')")
        if not 0 <= index < self.customers.n:
            raise IndexError(f"customer {index}: there are {self.customers.n} customers")
        if index not in self._inspected:
            self._inspected[index] = Customer(self, index)
        return self._inspected[index]

    def sample_customers(self, k: int) -> list[Customer]:
        """``k`` distinct customers at random (from the model's own Generator)."""
        chosen = self.rng.choice(self.customers.n, size=k, replace=False) if self.customers else []
        return [self.customer(int(i)) for i in chosen]

    @property
    def counters(self) -> dict[str, int]:
        """Running totals of the organization: answers posted, threads resolved and
        abandoned, gaffe answers (a copy)."""
        return dict(self.core.counters)

    @property
    def customers(self) -> Customers | None:
        """The customers' arrays (``None`` in the Poisson mode)."""
        return self.public.customers

    @property
    def has_customers(self) -> bool:
        """Whether customers post (``arrivals.mode = "customers"``); the Poisson mode has
        none, and no public side."""
        return self.customers is not None

    @property
    def is_spreading(self) -> bool:
        """Whether some view of a thread is still to come (a cascade is under way)."""
        return self.public.is_spreading

    def brand_followers(self) -> int:
        """Customers following the brand's own account now (0 without customers)."""
        return int(np.count_nonzero(self.customers.follows_brand)) if self.customers else 0

    def size(self) -> dict[str, float]:
        """How big this world is: ``customers``, ``edges`` (follower arcs),
        ``employees``, ``threads`` (opened so far) and ``graph_setup_seconds`` (NaN
        without customers)."""
        people = self.customers
        return {
            "customers": people.n if people else 0,
            "edges": people.graph.n_edges if people else 0,
            "employees": self.core.org.n_employees,
            "threads": self.core.threads.size,
            "graph_setup_seconds": people.graph_seconds if people else float("nan"),
        }

    def follower_matrix(self):
        """The follower graph as a sparse ``(n, n)`` matrix of in-neighbours (row ``j``
        holds whom ``j`` follows): the one-SpMV yardstick of ``orgsim bench``."""
        if self.customers is None:
            raise ValueError("this scenario has no customers (arrivals.mode = 'poisson')")
        return self.customers.in_neighbours_matrix()

    def service_hours(self) -> np.ndarray:
        """Hours of service each thread has received so far (every stage it was served
        at, by every server), in thread order: with the thread table's times, it tells a
        queue's wait from its sojourn (MODEL.md 6.1, 6.2)."""
        return self.core.threads.column("service_ticks") * self.dt_hours

    def topic_silos(self) -> dict[str, str]:
        """The silo that owns each topic, by name."""
        org = self.core.org
        return {t: org.silo_names[org.topic_silo[i]] for i, t in enumerate(org.topic_names)}

    def org_chart(self) -> pd.DataFrame:
        """One row per employee: ``silo``, ``level``, ``manager``, ``on_board``,
        ``empowered``, ``training``, ``social_share`` and ``busy`` (serving a thread now),
        read from the arrays (copies)."""
        org = self.core.org
        return pd.DataFrame(
            {
                "silo": pd.Categorical.from_codes(org.silo, org.silo_names),
                "level": org.level.copy(),
                "manager": org.manager.copy(),
                "on_board": org.on_board.copy(),
                "empowered": org.empowered.copy(),
                "training": org.training.copy(),
                "social_share": org.social_share.copy(),
                "busy": self.core.serving >= 0,
            }
        )

    def kpis(self) -> dict[str, float]:
        """Every KPI of MODEL.md section 5, by its contract name."""
        core = self.core
        utilization = core.busy_work / core.capacity_work if core.capacity_work else 0.0
        kpis = organization_kpis(
            core.threads,
            self.dt_hours,
            utilization,
            now_tick=core.tick,
            social_capacity=core.capacity_work / core.tick if core.tick else 0.0,
            gaffes=core.counters["gaffes"],
        )
        kpis.update(
            public_kpis(
                self.public.customers,
                core.threads.column("turns"),
                core.counters["answered"],
                self.public.broadcasts,
                self.public.negative_exposures,
                self.recorder.quality(),
            )
        )
        return kpis

    def series(self) -> pd.DataFrame:
        """The per-tick series (MODEL.md 5), one row per tick, with ``hours``."""
        frame = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        frame.insert(0, "hours", (np.arange(len(frame)) + 1) * self.dt_hours)
        frame.insert(0, "tick", np.arange(len(frame)) + 1)
        return frame

    def threads(self) -> pd.DataFrame:
        """One row per thread, every field of MODEL.md section 2, times in hours."""
        th = self.core.threads
        org = self.core.org

        def hours_since_creation(column: str) -> np.ndarray:
            """Continuous hours from creation to the event of ``column`` (``*_at``)."""
            at = th.column(column)
            return np.where(at >= 0, at - th.column("created_at"), np.nan)

        ids = np.arange(th.size)
        reach = self.public.reach(ids)
        channel_names = [c.name for c in self.scenario_spec.channels]
        voice = th.column("voice")
        return pd.DataFrame(
            {
                "thread": ids,
                "kind": pd.Categorical.from_codes(th.column("kind"), KINDS),
                "topic": pd.Categorical.from_codes(th.column("topic"), org.topic_names),
                "second_silo": pd.Categorical.from_codes(th.column("second_silo"), org.silo_names),
                "channel": pd.Categorical.from_codes(th.column("channel"), channel_names),
                "author": th.column("author"),
                "severity": th.column("severity"),
                "created_hours": th.column("created_at"),
                "state": pd.Categorical.from_codes(
                    th.column("state"), [s.name.lower() for s in State]
                ),
                "holder": th.column("holder"),
                "hops": th.column("hops"),
                "silo_crossings": th.column("silo_crossings"),
                "approvals_waited": th.column("approvals_waited"),
                "reach": reach,
                "turns": th.column("turns"),
                "first_response_hours": hours_since_creation("first_response_at"),
                "resolution_hours": hours_since_creation("resolution_at"),
                "abandoned_hours": hours_since_creation("abandon_at"),
                "voice": pd.Categorical.from_codes(np.where(voice >= 0, voice, -1), SPEAKERS),
                "voice_weight": th.column("voice_weight"),
                "authenticity": th.column("authenticity"),
                "quality": th.column("quality"),
                "gaffe": th.column("gaffe"),
                "admitted": th.column("admitted"),
                "fidelity": th.column("fidelity"),
            }
        )
