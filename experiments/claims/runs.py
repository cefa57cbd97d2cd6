"""The runs behind the claims: planning the runs a batch of claims and sweeps needs
(shared runs once), running them through :mod:`experiments.runner` with
:func:`~experiments.claims.metrics.measure_claim_metrics`, and judging the batch."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from experiments.claims.catalogue import CLAIMS, SWEEPS
from experiments.claims.crossover import Crossover, find_crossover
from experiments.claims.design import BASE_SEED, Claim, Sweep
from experiments.claims.evaluation import ClaimOutcome, evaluate
from experiments.claims.metrics import measure_claim_metrics
from experiments.measurements import RunResult
from experiments.runner import Job, Progress, jobs_for, run_jobs
from sim.scenario import Scenario

RunKey = tuple[str, float, int]
"""(scenario digest, hours, replication): runs with equal keys are the same run."""


def _digest(scenario: Scenario) -> str:
    return hashlib.sha1(scenario.model_dump_json().encode()).hexdigest()[:16]


@dataclass
class Runs:
    """Every run of a batch of claims and sweeps, by :data:`RunKey`.

    A run that several claims share (same scenario, hours and seed) is made once.
    """

    jobs: dict[RunKey, Job] = field(default_factory=dict)
    results: dict[RunKey, RunResult] = field(default_factory=dict)
    seconds: float = 0.0
    _index: dict[tuple[str, float], int] = field(default_factory=dict)

    def add(self, scenarios: Sequence[Scenario], hours: float, seeds: int) -> list[list[RunKey]]:
        """Plan ``seeds`` replications of each scenario; returns ``keys[level][seed]``.

        Replication ``k`` of every scenario gets the runner's seed ``k``
        (:func:`experiments.runner.jobs_for` with :data:`BASE_SEED`).
        """
        keys = []
        for scenario in scenarios:
            digest = _digest(scenario)
            index = self._index.setdefault((digest, float(hours)), len(self._index))
            row = []
            for job in jobs_for([scenario], seeds, BASE_SEED, hours):
                key = (digest, float(hours), job.replication)
                if key not in self.jobs:
                    self.jobs[key] = Job(
                        index,
                        scenario,
                        job.replication,
                        job.hours,
                        job.seed_entropy,
                        job.seed_spawn_key,
                    )
                row.append(key)
            keys.append(row)
        return keys

    def values(self, keys: list[list[RunKey]], kpi: str) -> np.ndarray:
        """The (level, seed) matrix of one metric."""
        return np.array([[self.results[k].kpis.get(kpi, np.nan) for k in row] for row in keys])

    @property
    def simulated_hours(self) -> float:
        return float(sum(job.hours for job in self.jobs.values()))


def _cost(job: Job) -> float:
    """A rough relative cost, to start the longest runs first."""
    scenario = job.scenario
    if scenario.arrivals.mode == "customers":
        return job.hours
    return job.hours * 0.1 * (1.0 + scenario.arrivals.threads_per_hour / 10.0)


def run_all(
    runs: Runs,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Runs:
    """Run every planned job not yet run, longest first.

    Parameters
    ----------
    runs
        The plan; results are added to it.
    executor
        Any :class:`concurrent.futures.Executor` (as :func:`experiments.runner.run_jobs`
        takes; e.g. :func:`experiments.runner.local_executor`), or ``None`` to run in
        this process. Results depend only on the jobs, never on the executor.
    progress
        Called as ``progress(done, total)`` after each run.
    """
    todo = sorted(
        (key for key in runs.jobs if key not in runs.results),
        key=lambda key: -_cost(runs.jobs[key]),
    )
    started = time.perf_counter()
    planned = {runs.jobs[key].key: key for key in todo}
    finished = run_jobs([runs.jobs[key] for key in todo], measure_claim_metrics, executor, progress)
    for run in finished:
        runs.results[planned[run.key]] = run.measured
    runs.seconds += time.perf_counter() - started
    return runs


@dataclass
class Measured:
    """Outcomes of a batch of claims and sweeps, with the runs behind them."""

    runs: Runs
    claims: dict[str, ClaimOutcome]
    crossovers: dict[str, Crossover]
    series: dict[str, list[list[RunResult]]]
    """Per claim id: results[level][seed] (for figures of trajectories)."""


def measure_all(
    claims: Sequence[Claim] = CLAIMS,
    sweeps: Sequence[Sweep] = SWEEPS,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Measured:
    """Plan every run of ``claims`` and ``sweeps`` (shared runs once), run them and
    judge each claim and sweep.

    Parameters
    ----------
    claims, sweeps
        What to measure (ids must be unique).
    executor
        Any :class:`concurrent.futures.Executor`, or ``None`` for this process.
    progress
        Called as ``progress(done, total)`` after each run.

    Returns
    -------
    Measured
        Every claim's :class:`ClaimOutcome` and every sweep's :class:`Crossover`, by id.
    """
    ids = [c.id for c in claims] + [s.id for s in sweeps]
    if len(set(ids)) != len(ids):
        raise ValueError("claim and sweep ids must be unique")
    runs = Runs()
    claim_keys = {c.id: runs.add(c.scenarios(), c.hours, c.seeds) for c in claims}
    sweep_keys = {
        s.id: [runs.add(s.scenarios(load), s.hours, s.seeds) for load in s.loads] for s in sweeps
    }
    run_all(runs, executor, progress)
    outcomes = {c.id: evaluate(c, runs.values(claim_keys[c.id], c.kpi)) for c in claims}
    crossovers = {}
    for s in sweeps:
        matrices = [runs.values(keys, s.kpi) for keys in sweep_keys[s.id]]
        central = np.array([m[0] for m in matrices])
        distributed = np.array([m[1] for m in matrices])
        crossovers[s.id] = find_crossover(s, central, distributed)
    series = {c.id: [[runs.results[k] for k in row] for row in claim_keys[c.id]] for c in claims}
    return Measured(runs, outcomes, crossovers, series)
