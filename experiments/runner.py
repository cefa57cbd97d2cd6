"""The replication runner: many (scenario, replication) runs on any executor, each
measured by a pluggable measurement.

A :class:`Job` is one run: a scenario, a replication number, the hours to simulate and
the seed. :func:`run_job` builds the model from the job, simulates ``job.hours`` and
hands the model to a *measurement*, ``measure(model, job) -> anything picklable`` (by
default :func:`experiments.measurements.measure_kpis`: the KPI contract and the
series). A measurement must be picklable when an executor runs the jobs in other
processes: a top-level function, a :func:`functools.partial` of one, or an instance of
a top-level class with ``__call__``. A measurement that drives the model itself (steps
it, opens threads, times ticks) gets jobs of ``hours = 0``.

Replication ``k`` of every scenario is seeded with the same child of the base seed
(:func:`replication_seeds`), so each structure faces the same customers, graph,
problems and posts (common random numbers, MODEL.md 7) and differences can be paired.
A run depends only on its job and its measurement, so results are bit-identical
whatever the executor or worker count; :func:`run_jobs` returns them keyed by
``(scenario_index, replication)`` and sorted by that key.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.measurements import measure_kpis
from sim.model import OrgModel
from sim.scenario import Scenario

__all__ = [
    "FinishedRun",
    "Job",
    "Key",
    "Measurement",
    "Progress",
    "jobs_for",
    "jobs_on_seeds",
    "local_executor",
    "replication_seeds",
    "run_job",
    "run_jobs",
]

Key = tuple[int, int]
"""``(scenario_index, replication)``: names one run of a batch."""
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished run."""
Measurement = Callable[[OrgModel, "Job"], Any]
"""``measure(model, job)``: what a run sends back, read from the model after
``job.hours`` simulated hours through its public accessors."""


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One SeedSequence per replication, shared by every scenario.

    Parameters
    ----------
    seed
        The experiment's base seed (>= 0).
    replications
        How many replications.

    Returns
    -------
    list of numpy.random.SeedSequence
        ``SeedSequence(seed).spawn(replications)``: child ``k`` has entropy ``seed`` and
        spawn key ``(k,)``.

    Examples
    --------
    >>> [s.spawn_key for s in replication_seeds(7, 3)]
    [(0,), (1,), (2,)]
    """
    return np.random.SeedSequence(seed).spawn(replications)


@dataclass(frozen=True)
class Job:
    """One run: replication ``replication`` of scenario number ``scenario_index``.

    The seed is kept as its entropy and spawn key, not as a live SeedSequence:
    ``OrgModel`` spawns children from the sequence it is given, which changes it, so
    each run rebuilds a fresh one (:meth:`seed_sequence`).

    Attributes
    ----------
    scenario_index, replication
        The run's :attr:`key` in its batch.
    scenario
        The validated scenario.
    hours
        Simulated by the runner before the measurement (0: the measurement drives the
        model itself).
    seed_entropy, seed_spawn_key
        The run's SeedSequence.
    """

    scenario_index: int
    scenario: Scenario
    replication: int
    hours: float
    seed_entropy: int
    seed_spawn_key: tuple[int, ...]

    @property
    def key(self) -> Key:
        return self.scenario_index, self.replication

    def seed_sequence(self) -> np.random.SeedSequence:
        """A fresh copy of this run's SeedSequence (nothing spawned from it yet)."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.seed_spawn_key)

    def build(self) -> OrgModel:
        """The model of this run, at tick 0."""
        return OrgModel(self.scenario, rng=self.seed_sequence())


@dataclass(frozen=True, eq=False)
class FinishedRun[R]:
    """What :func:`run_job` sends back: the measurement and the run's wall times.

    Attributes
    ----------
    key
        The job's ``(scenario_index, replication)``.
    measured
        The measurement's return value.
    setup_seconds
        Wall time of building the model (diagnostics, never part of a result's data).
    seconds
        Wall time of the whole run: building, simulating and measuring.
    """

    key: Key
    measured: R
    setup_seconds: float
    seconds: float


def _per_scenario_hours(
    scenarios: Sequence[Scenario], hours: float | Sequence[float] | None
) -> list[float]:
    if hours is None:
        return [s.time.hours for s in scenarios]
    if isinstance(hours, (int, float)):
        return [float(hours)] * len(scenarios)
    return [float(h) for h in hours]


def jobs_for(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    hours: float | Sequence[float] | None = None,
) -> list[Job]:
    """Every (scenario, replication) job, replication ``k`` seeded alike for all.

    Parameters
    ----------
    scenarios
        Validated scenarios; the first is the baseline of paired comparisons.
    replications
        Replications per scenario.
    seed
        Base seed, see :func:`replication_seeds`.
    hours
        Simulated hours: one value for all, one per scenario, or ``None`` for each
        scenario's ``time.hours``.

    Returns
    -------
    list of Job
        By scenario, then replication.
    """
    per_scenario = _per_scenario_hours(scenarios, hours)
    seeds = replication_seeds(seed, replications)
    return [
        Job(i, scenario, k, per_scenario[i], int(seeds[k].entropy), tuple(seeds[k].spawn_key))
        for i, scenario in enumerate(scenarios)
        for k in range(replications)
    ]


def jobs_on_seeds(
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    hours: float | Sequence[float] | None = None,
) -> list[Job]:
    """Every (scenario, replication) job, replication ``k`` on the whole-number seed
    ``seeds[k]``: the run ``OrgModel(scenario, rng=seeds[k])``.

    For the validation worlds and the benchmark, whose documented numbers were made
    on whole-number seeds; comparisons use :func:`jobs_for`.

    Parameters
    ----------
    scenarios
        Validated scenarios.
    seeds
        One non-negative seed per replication.
    hours
        As for :func:`jobs_for`.

    Examples
    --------
    >>> from sim.scenario import scenario_from_dict
    >>> [job.seed_sequence().entropy for job in jobs_on_seeds([scenario_from_dict({})], [4, 5])]
    [4, 5]
    """
    per_scenario = _per_scenario_hours(scenarios, hours)
    return [
        Job(i, scenario, k, per_scenario[i], int(seed), ())
        for i, scenario in enumerate(scenarios)
        for k, seed in enumerate(seeds)
    ]


def run_job(job: Job, measure: Measurement = measure_kpis) -> FinishedRun:
    """Build the job's model, simulate ``job.hours`` and measure it, in this process.

    Parameters
    ----------
    job
        What to run.
    measure
        ``measure(model, job)``, see :data:`Measurement`.

    Returns
    -------
    FinishedRun
        The job's key, the measurement and the wall times.
    """
    started = time.perf_counter()
    model = job.build()
    built = time.perf_counter()
    model.run_hours(job.hours)
    measured = measure(model, job)
    return FinishedRun(job.key, measured, built - started, time.perf_counter() - started)


def local_executor(workers: int) -> ProcessPoolExecutor | None:
    """A process pool of ``workers`` spawned processes, or ``None`` (in-process) for 1.

    The ``spawn`` context is passed to the pool; the global start method is untouched.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def run_jobs(
    jobs: Iterable[Job],
    measure: Measurement = measure_kpis,
    executor: Executor | None = None,
    progress: Progress | None = None,
    on_finished: Callable[[FinishedRun], None] | None = None,
) -> list[FinishedRun]:
    """Run and measure every job; return the finished runs sorted by key.

    Parameters
    ----------
    jobs
        The runs, with distinct keys; they are started in this order.
    measure
        ``measure(model, job)`` (:data:`Measurement`), picklable if ``executor`` runs
        jobs in other processes.
    executor
        Any :class:`concurrent.futures.Executor` (a local process pool, dask's
        ``client.get_executor()``...). ``None`` runs the jobs one after another in
        this process.
    progress
        Called as ``progress(done, total)`` after each finished run, in the caller's
        thread.
    on_finished
        Called with each finished run as it comes, in the caller's thread (to keep it
        somewhere safe: :class:`experiments.journal.RunJournal`).

    Returns
    -------
    list of FinishedRun
        Sorted by ``(scenario_index, replication)`` whatever the completion order.

    Raises
    ------
    ValueError
        If two jobs share a key.
    Exception
        The first failure of a run; the runs not yet started are cancelled.
    """
    jobs = list(jobs)
    if len({job.key for job in jobs}) != len(jobs):
        raise ValueError("jobs must have distinct (scenario_index, replication) keys")
    total = len(jobs)
    finished: list[FinishedRun] = []
    if executor is None:
        for job in jobs:
            finished.append(run_job(job, measure))
            if on_finished is not None:
                on_finished(finished[-1])
            if progress is not None:
                progress(len(finished), total)
    else:
        futures: list[Future[FinishedRun]] = [
            executor.submit(run_job, job, measure) for job in jobs
        ]
        try:
            for future in as_completed(futures):
                finished.append(future.result())
                if on_finished is not None:
                    on_finished(finished[-1])
                if progress is not None:
                    progress(len(finished), total)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return sorted(finished, key=lambda run: run.key)
