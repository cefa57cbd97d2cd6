"""The replication runner: many (scenario, replication) runs on any executor.

Replication ``k`` of every scenario is seeded with the same child of the base seed
(:func:`replication_seeds`), so each structure faces the same customers, graph,
problems and posts (common random numbers, MODEL.md 7) and differences can be paired.
A run depends only on its :class:`Job`, so results are bit-identical whatever the
executor or worker count.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model import OrgModel
from sim.scenario import Scenario

__all__ = [
    "Job",
    "RunResult",
    "hourly",
    "jobs_for",
    "local_executor",
    "replication_seeds",
    "run_job",
    "run_jobs",
]

Progress = Callable[[int, int], None]


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
    """

    scenario_index: int
    scenario: Scenario
    replication: int
    hours: float
    seed_entropy: int
    seed_spawn_key: tuple[int, ...]

    def seed_sequence(self) -> np.random.SeedSequence:
        """A fresh copy of this run's SeedSequence (nothing spawned from it yet)."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.seed_spawn_key)


@dataclass(frozen=True, eq=False)
class RunResult:
    """What one run sends back: small, picklable, free of timing in its data.

    Attributes
    ----------
    kpis
        ``model.kpis()``, by contract name.
    series
        The per-tick series downsampled to whole hours: column name -> 1-D array, with
        ``hours`` always present.
    first_response_hours, resolution_hours
        Per thread, over the threads answered (resolved); NaNs dropped.
    seconds
        Wall time of the run. Diagnostics only: never part of the KPI tables.
    """

    scenario_index: int
    replication: int
    seed_entropy: int
    seed_spawn_key: tuple[int, ...]
    hours: float
    kpis: dict[str, float]
    series: dict[str, np.ndarray]
    first_response_hours: np.ndarray
    resolution_hours: np.ndarray
    seconds: float = 0.0

    @property
    def key(self) -> tuple[int, int]:
        return self.scenario_index, self.replication


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
    """
    if hours is None:
        per_scenario = [s.time.hours for s in scenarios]
    elif isinstance(hours, (int, float)):
        per_scenario = [float(hours)] * len(scenarios)
    else:
        per_scenario = [float(h) for h in hours]
    seeds = replication_seeds(seed, replications)
    return [
        Job(i, scenario, k, per_scenario[i], int(seeds[k].entropy), tuple(seeds[k].spawn_key))
        for i, scenario in enumerate(scenarios)
        for k in range(replications)
    ]


def hourly(series: pd.DataFrame, dt_hours: float) -> dict[str, np.ndarray]:
    """The rows of a per-tick series at whole hours (every row if ticks are >= 1 h).

    Keeps every numeric column; row ``h`` is the last tick ending at or before hour
    ``h``.
    """
    hours = series["hours"].to_numpy(dtype=float)
    if dt_hours >= 1.0 or hours.size == 0:
        rows = np.arange(hours.size)
    else:
        marks = np.arange(1, int(np.floor(hours[-1] + 1e-9)) + 1, dtype=float)
        rows = np.searchsorted(hours, marks + 1e-9, side="right") - 1
    columns = {}
    for name in series.columns:
        values = series[name].to_numpy()
        if values.dtype.kind in "biuf":
            columns[str(name)] = values[rows].astype(float)
    return columns


def run_job(job: Job) -> RunResult:
    """Run one job to completion in this process.

    Parameters
    ----------
    job
        What to run.

    Returns
    -------
    RunResult
        KPIs, the hourly series and per-thread response and resolution hours.
    """
    started = time.perf_counter()
    model = OrgModel(job.scenario, rng=job.seed_sequence())
    model.run_hours(job.hours)
    threads = model.threads()
    first = threads["first_response_hours"].to_numpy(dtype=float)
    resolved = threads["resolution_hours"].to_numpy(dtype=float)
    return RunResult(
        scenario_index=job.scenario_index,
        replication=job.replication,
        seed_entropy=job.seed_entropy,
        seed_spawn_key=job.seed_spawn_key,
        hours=job.hours,
        kpis={name: float(value) for name, value in model.kpis().items()},
        series=hourly(model.series(), model.dt_hours),
        first_response_hours=first[~np.isnan(first)],
        resolution_hours=resolved[~np.isnan(resolved)],
        seconds=time.perf_counter() - started,
    )


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
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> list[RunResult]:
    """Run every job and return the results ordered by (scenario, replication).

    Parameters
    ----------
    jobs
        The runs.
    executor
        Any :class:`concurrent.futures.Executor` (a local process pool, dask's
        ``client.get_executor()``...). ``None`` runs the jobs one after another in
        this process.
    progress
        Called as ``progress(done, total)`` after each finished run, in the caller's
        thread.

    Returns
    -------
    list of RunResult
        Sorted by ``(scenario_index, replication)`` whatever the completion order.

    Raises
    ------
    Exception
        The first failure of a run; the runs not yet started are cancelled.
    """
    jobs = list(jobs)
    total = len(jobs)
    results: list[RunResult] = []
    if executor is None:
        for job in jobs:
            results.append(run_job(job))
            if progress is not None:
                progress(len(results), total)
    else:
        futures: list[Future[RunResult]] = [executor.submit(run_job, job) for job in jobs]
        try:
            for future in as_completed(futures):
                results.append(future.result())
                if progress is not None:
                    progress(len(results), total)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return sorted(results, key=lambda result: result.key)
