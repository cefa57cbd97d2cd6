"""``OrgModel``: the Mesa facade over the vectorized core.

It builds the world from a scenario, steps the core one tick per ``step()``, collects
the per-tick series with a Mesa ``DataCollector`` and exposes the KPIs and the thread
table. Employees, silos and hierarchy levels are Mesa agents backed by the arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

from sim.agents import Employee, HierarchyLevel, Silo
from sim.arrivals import PoissonArrivals
from sim.core import SERIES, OrgCore
from sim.kpis import organization_kpis
from sim.org import build_organization
from sim.rng import Streams, seed_sequence
from sim.scenario import KINDS, SPEAKERS, Scenario, load_scenario
from sim.structures import make_structure
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
        one stream per mechanism (MODEL.md 7); the same seed gives the same threads
        whatever the structure.
    overrides
        ``section.key=value`` strings, as the CLI's ``--set``.

    Examples
    --------
    >>> model = OrgModel(rng=1)
    >>> model.run_hours(24)
    >>> sorted(model.kpis())[:2]
    ['abandoned_share', 'answered_share']
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
        super().__init__(rng=np.random.default_rng(sequence.spawn(1)[0]))
        self.scenario_spec = scenario
        self.dt_hours = scenario.time.tick_minutes / 60.0
        self.streams = Streams.from_seed(sequence)
        org = build_organization(scenario, self.streams.world)
        self.core = OrgCore(scenario, org, make_structure(scenario.structure.kind), self.streams)
        self.arrivals = PoissonArrivals(scenario, self.streams.posting)
        for index in range(org.n_employees):
            Employee(self, index)
        for index in range(org.n_silos):
            Silo(self, index)
        for index in range(org.n_levels):
            HierarchyLevel(self, index)
        reporters: dict[str, Callable[[OrgModel], float]] = {
            name: (lambda m, key=name: m.core.series[key][-1]) for name in SERIES
        }
        self.datacollector = mesa.DataCollector(model_reporters=reporters)

    @property
    def tick(self) -> int:
        """Ticks completed."""
        return self.core.tick

    @property
    def hours(self) -> float:
        return self.core.tick * self.dt_hours

    def step(self) -> None:
        """One tick: arrivals, then the organization's tick, then data collection."""
        core = self.core
        core.admit(self.arrivals.open(core.threads, core.tick))
        core.step()
        self.datacollector.collect(self)

    def open_threads(
        self,
        n: int,
        *,
        topic: str | int,
        kind: str = "complaint",
        channel: str | int = 0,
        patience_hours: float = float("inf"),
        influence: float = 1.0,
    ) -> np.ndarray:
        """Open ``n`` threads now, on top of the arrival process (scripted cases,
        crisis bursts). Returns their ids."""
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
            created_tick=self.core.tick,
            patience_ticks=patience_hours / self.dt_hours,
        )
        self.core.admit(ids)
        return ids

    def run_hours(self, hours: float, progress: Callable[[int, int], None] | None = None) -> None:
        """Run ``hours`` more simulated hours (rounded to whole ticks)."""
        n = round(hours / self.dt_hours)
        for i in range(n):
            self.step()
            if progress is not None:
                progress(i + 1, n)

    def kpis(self) -> dict[str, float]:
        """The KPIs of MODEL.md section 5 that this model computes, by contract name."""
        utilization = (
            self.core.busy_work / self.core.capacity_work if self.core.capacity_work else 0.0
        )
        return organization_kpis(self.core.threads, self.dt_hours, utilization)

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
        dt = self.dt_hours
        created = th.column("created_tick")

        def hours_since_creation(column: str) -> np.ndarray:
            ticks = th.column(column)
            return np.where(ticks >= 0, (ticks - created) * dt, np.nan)

        holder = th.column("holder")
        channel_names = [c.name for c in self.scenario_spec.channels]
        voice = th.column("voice")
        return pd.DataFrame(
            {
                "thread": np.arange(th.size),
                "kind": pd.Categorical.from_codes(th.column("kind"), KINDS),
                "topic": pd.Categorical.from_codes(th.column("topic"), org.topic_names),
                "channel": pd.Categorical.from_codes(th.column("channel"), channel_names),
                "severity": th.column("severity"),
                "created_hours": created * dt,
                "state": pd.Categorical.from_codes(
                    th.column("state"), [s.name.lower() for s in State]
                ),
                "holder": holder,
                "hops": th.column("hops"),
                "silo_crossings": th.column("silo_crossings"),
                "approvals_waited": th.column("approvals_waited"),
                "turns": th.column("turns"),
                "first_response_hours": hours_since_creation("first_response_tick"),
                "resolution_hours": hours_since_creation("resolution_tick"),
                "abandoned_hours": hours_since_creation("abandon_tick"),
                "voice": pd.Categorical.from_codes(np.where(voice >= 0, voice, -1), SPEAKERS),
                "voice_weight": th.column("voice_weight"),
                "authenticity": th.column("authenticity"),
                "quality": th.column("quality"),
                "gaffe": th.column("gaffe"),
            }
        )
