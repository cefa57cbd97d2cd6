"""``ReferenceModel``: a plain Mesa implementation of the model, for docking
(MODEL.md 6.5).

One Mesa agent per customer and per employee, one object per thread, Python loops
everywhere. It reads the same scenario files as :class:`sim.OrgModel` and reports the
same KPIs with the same definitions, but shares no stepping code and no random numbers
with the vectorized core, so that agreement between the two is evidence that both
implement MODEL.md. It is written to be read, and to open an employee's inbox in a
small world (:attr:`Employee.inbox <sim.reference.agents.Employee.inbox>`).

The tick (MODEL.md 3): posting, spread, routing, work (with answers and abandonment),
broadcasts (and brand following), opinions (and escalations of ignored complaints,
which repost at the end of the tick and come back to the organization next tick),
learning, data collection. Interventions and the Poisson arrival mode are not
implemented here.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from sim.reference.agents import AWAITING_ANSWER, Customer, Employee, State, Thread
from sim.reference.draws import Streams
from sim.reference.opinions import Broadcasting, Opinions, interactivity, learn
from sim.reference.organization import Organization
from sim.reference.public import Exposure, Posting, Spread
from sim.reference.structures import make_structure
from sim.reference.world import build_customers, build_employees, follower_graph
from sim.scenario import Scenario, load_scenario

__all__ = ["ReferenceModel"]


class ReferenceModel(mesa.Model):
    """An organization answering the public, one object per agent.

    Parameters
    ----------
    scenario
        A :class:`~sim.scenario.Scenario`, a path to a scenario file, or ``None`` for
        the defaults.
    rng
        The run's seed (an int). The reference salts it, so it never reproduces the
        core's random numbers.
    overrides
        ``section.key=value`` strings, as the CLI's ``--set``.

    Examples
    --------
    >>> model = ReferenceModel(
    ...     "scenarios/switchboard.toml", rng=1, overrides=["customers.n_customers=500"]
    ... )
    >>> model.run_hours(4)
    >>> 0.0 <= model.kpis()["credibility"] <= 1.0
    True
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        rng: int | None = None,
        overrides: Iterable[str] = (),
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario, overrides)
        elif overrides:
            raise ValueError("overrides apply to scenario files; pass a path, not a Scenario")
        if scenario.interventions:
            raise ValueError("the reference model does not implement interventions")
        if scenario.arrivals.mode != "customers":
            raise ValueError("the reference model implements only arrivals.mode = 'customers'")
        self.streams = Streams.from_seed(rng)
        super().__init__(rng=self.streams.world.getrandbits(63))
        self.spec = scenario
        self.dt_hours = scenario.time.tick_hours
        self.fan_threshold = scenario.customers.fan_threshold
        self.detractor_threshold = scenario.customers.detractor_threshold
        self.tick = 0
        self.threads: list[Thread] = []
        self._scripted: list[Thread] = []
        self.employees: list[Employee] = build_employees(self, self.streams.world)
        self.org = Organization(self, self.employees, make_structure(scenario.structure.kind))
        graph = follower_graph(scenario, self.streams.graph)
        self.network = Network(graph, layout=None, random=self.random)
        self.customers: list[Customer] = build_customers(self, self.network, self.streams.world)
        self.posting = Posting(self)
        self.spread = Spread(self)
        self.opinions = Opinions(self)
        self.broadcasting = Broadcasting(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "open_threads": lambda m: sum(t.state in AWAITING_ANSWER for t in m.org.live),
                "answered": lambda m: m.org.counters["answered"],
                "resolved": lambda m: m.org.counters["resolved"],
                "abandoned": lambda m: m.org.counters["abandoned"],
                "busy_share": lambda m: m.org.busy_share,
                "broadcasts": lambda m: m.broadcasting.count,
                "quality": lambda m: m.quality(),
                "mean_sentiment": lambda m: statistics.fmean(c.sentiment for c in m.customers),
                "mean_trust": lambda m: statistics.fmean(c.trust for c in m.customers),
            }
        )

    # ------------------------------------------------------------------- time

    @property
    def hours(self) -> float:
        return self.tick * self.dt_hours

    def new_thread(self, **fields: object) -> Thread:
        """A thread opened now (ids in opening order)."""
        thread = Thread(id=len(self.threads), **fields)
        self.threads.append(thread)
        return thread

    def open_threads(
        self,
        n: int,
        *,
        topic: str,
        author: int,
        kind: str = "complaint",
        channel: str | None = None,
        patience_hours: float = math.inf,
    ) -> list[Thread]:
        """Open ``n`` threads by customer ``author`` now, on top of posting (scripted
        cases): they are routed and start spreading in the next :meth:`step`, as if
        posted in this tick."""
        if topic not in self.spec.topics:
            raise ValueError(f"unknown topic {topic!r}; topics are {self.spec.topics}")
        threads = [
            self.new_thread(
                kind=kind,
                topic=topic,
                channel=channel or self.spec.channels[0].name,
                severity=0.5,
                author=self.customers[author],
                created_tick=self.tick,
                patience_ticks=patience_hours / self.dt_hours,
            )
            for _ in range(n)
        ]
        self._scripted.extend(threads)
        return threads

    def _second_silo(self, topic: str) -> int | None:
        """Whether a new thread needs a second silo's knowledge, and which (MODEL.md 2):
        with ``cross_silo_share``, a silo other than the owner and comms, in proportion
        to its traffic."""
        rnd, spec = self.streams.needs, self.spec
        u, v = rnd.random(), rnd.random()
        owner = self.org.topic_silo[topic]
        traffic = [0.0] * len(spec.silos)
        for t, share in zip(spec.topics, spec.topic_shares, strict=True):
            traffic[self.org.topic_silo[t]] += share
        weights = [0.0 if i in (owner, self.org.comms) else w for i, w in enumerate(traffic)]
        total = sum(weights)
        if u >= spec.organization.cross_silo_share or total <= 0:
            return None
        running = 0.0
        for silo, w in enumerate(weights):
            running += w
            if w and running >= v * total:
                return silo
        return max(range(len(weights)), key=weights.__getitem__)

    def step(self) -> None:
        """One tick, in the order of MODEL.md section 3."""
        t = self.tick
        new, problems = self.posting.open(t)  # 2. posting
        scripted, self._scripted = self._scripted, []
        exposures = self.spread.step(t, [*scripted, *new])  # 3. spread
        for thread in scripted:  # 4. routing: scripted threads at the tick's start,
            self.org.admit(thread)
        for place, thread in enumerate(new):  # posts at their own time within it
            thread.second_silo = self._second_silo(thread.topic)
            self.org.admit(thread, place)
        self.org.step()  # 5-6. work, answers, abandonment
        answered = self.org.answered_now
        replies = self.org.counters["answered"]
        self.broadcasting.step(replies)  # 7. broadcasts
        self._react(problems, exposures, answered)  # 8. opinions
        learn(self, answered)  # 9. learning
        self.datacollector.collect(self)  # 10. data collection
        self.tick += 1

    def _react(
        self,
        problems: list[Customer],
        exposures: list[Exposure],
        answered: list[tuple[Thread, bool, bool]],
    ) -> None:
        """The public reacts to what it experienced and saw this tick (MODEL.md 4.7);
        then the authors of some ignored complaints escalate (MODEL.md 4.2)."""
        opinions, spec, t = self.opinions, self.spec.opinions, self.tick
        for customer in problems:
            opinions.feel(customer, -spec.problem)
        for thread in self.org.opened_now:  # each turn opened is an expectation
            if thread.author is not None:
                opinions.believe(thread.author, -opinions.expected(thread))
        self.org.opened_now = []
        for exposure in exposures:
            opinions.saw(exposure)
        seen: dict[int, tuple[Thread, bool]] = {}  # each thread's audience sees it once
        for thread, resolved, gaffe in answered:
            opinions.got_answer(thread, t, resolved, gaffe)
            before = seen.get(thread.id, (thread, False))[1]
            seen[thread.id] = (thread, before or gaffe)
        for thread, gaffe in seen.values():
            if thread.visible:
                for index in thread.audience:
                    if index != thread.author.index:
                        opinions.saw_answer(thread, self.customers[index], gaffe, t)
        escalating = []
        for thread in self.org.abandoned_now:
            opinions.ignored(thread)
            chance = self.spec.spread.escalation * 2.0 * thread.severity
            if (
                self.streams.spread.random() < chance
                and thread.kind == "complaint"
                and thread.escalations == 0
            ):
                escalating.append(thread)
        pending = []
        for due, thread in self.org.spin_found:  # spin found out: the audience distrusts
            if due > t:
                pending.append((due, thread))
            elif thread.visible:
                for index in thread.audience:
                    opinions.believe(self.customers[index], -spec.trust_seen * spec.spin_penalty)
        self.org.spin_found = pending
        opinions.apply(self.customers)
        for thread in escalating:
            self.spread.escalate(t, thread)
            self.org.escalate(thread)

    def run_hours(self, hours: float) -> None:
        """Run ``hours`` more simulated hours (rounded to whole ticks)."""
        for _ in range(round(hours / self.dt_hours)):
            self.step()

    # ---------------------------------------------------------------- results

    def quality(self) -> float:
        """Product quality, topics weighted by their traffic."""
        weights = {t: s.topic_weight for s in self.spec.silos for t in s.topics}
        total = sum(weights.values())
        if total == 0:
            return statistics.fmean(self.org.topic_quality.values())
        return sum(self.org.topic_quality[t] * w for t, w in weights.items()) / total

    def employee(self, index: int) -> Employee:
        return self.employees[index]

    def kpis(self) -> dict[str, float]:
        """Every KPI of MODEL.md section 5, by its contract name, computed from the
        objects with the definitions of :func:`sim.kpis.organization_kpis` and
        :func:`sim.kpis.public_kpis`."""
        threads, dt = self.threads, self.dt_hours
        n = len(threads)
        first = [t.first_response_at - t.created_at for t in threads if t.answered]
        resolved = [
            t.resolution_at - t.created_at for t in threads if t.resolution_tick is not None
        ]
        kpis = {**_summary(first, "first_response_hours"), **_summary(resolved, "resolution_hours")}
        share = (lambda count: count / n) if n else (lambda count: math.nan)
        survival = []  # (hours to the first answer or to censoring, whether answered)
        for t in threads:
            if t.answered:
                survival.append((t.first_response_at - t.created_at, True))
            else:
                end = t.abandon_at if t.state is State.ABANDONED else self.tick * dt
                survival.append((end - t.created_at, False))
        kpis["first_response_hours_km_median"] = _km_median(survival)
        kpis["answered_within_1h_share"] = share(sum(h <= 1.0 for h in first))
        kpis["answered_within_24h_share"] = share(sum(h <= 24.0 for h in first))
        kpis["answered_share"] = share(len(first))
        kpis["resolved_share"] = share(len(resolved))
        kpis["abandoned_share"] = share(sum(t.state is State.ABANDONED for t in threads))
        kpis["hops_mean"] = share(sum(t.hops for t in threads))
        kpis["silo_crossings_mean"] = share(sum(t.silo_crossings for t in threads))
        org = self.org
        kpis["utilization"] = org.busy_work / org.capacity_work if org.capacity_work else 0.0
        kpis["social_capacity"] = org.capacity_work / self.tick if self.tick else 0.0
        kpis["gaffes"] = float(org.counters["gaffes"])
        people = self.customers
        fans = sum(c.fan for c in people) / len(people)
        detractors = sum(c.detractor for c in people) / len(people)
        kpis.update(
            credibility=statistics.fmean(c.trust for c in people),
            sentiment=statistics.fmean(c.sentiment for c in people),
            fan_share=fans,
            detractor_share=detractors,
            net_sentiment=fans - detractors,
            interactivity=interactivity(org.counters["answered"], self.broadcasting.count),
            conversation_depth=share(sum(t.turns for t in threads)),
            negative_reach_per_1k=1000.0 * self.spread.negative_exposures / len(people),
            quality_final=self.quality(),
        )
        return kpis

    def thread_table(self) -> pd.DataFrame:
        """One row per thread, every field of MODEL.md section 2, times in hours."""
        return pd.DataFrame([thread.as_dict(self.dt_hours) for thread in self.threads])


def _summary(hours: list[float], prefix: str) -> dict[str, float]:
    if not hours:
        return {f"{prefix}_median": math.nan, f"{prefix}_p90": math.nan, f"{prefix}_mean": math.nan}
    return {
        f"{prefix}_median": statistics.median(hours),
        f"{prefix}_p90": float(np.percentile(hours, 90)),
        f"{prefix}_mean": statistics.fmean(hours),
    }


def _km_median(subjects: list[tuple[float, bool]]) -> float:
    """Kaplan-Meier median of (time, event) pairs, censored where ``event`` is False:
    the first event time at which the estimated survival is 0.5 or less (events at a
    time before censorings at it); inf if it never is, NaN without subjects."""
    if not subjects:
        return math.nan
    at_risk, survival = len(subjects), 1.0
    for time, event in sorted(subjects, key=lambda s: (s[0], not s[1])):
        if event:
            survival *= 1.0 - 1.0 / at_risk
            if survival <= 0.5:
                return time
        at_risk -= 1
    return math.inf
