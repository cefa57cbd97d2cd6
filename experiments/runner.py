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

import contextlib
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.measurements import measure_kpis
from sim.model import OrgModel
from sim.scenario import Scenario

__all__ = [
    "RESTARTS",
    "FailedRun",
    "FinishedRun",
    "Job",
    "Key",
    "Measurement",
    "Pool",
    "Progress",
    "Tally",
    "dask_client",
    "iter_runs",
    "jobs_for",
    "jobs_on_seeds",
    "local_executor",
    "open_executor",
    "replication_seeds",
    "run_job",
    "run_job_or_failure",
    "run_jobs",
    "run_missing",
    "slurm_cluster",
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


@dataclass(frozen=True, eq=False)
class FailedRun:
    """A run that raised, as :func:`run_job_or_failure` sends it back.

    Attributes
    ----------
    key
        The job's ``(scenario_index, replication)``.
    error
        ``ExceptionType: message``, one line.
    traceback
        The formatted traceback, from the process that ran the job.
    """

    key: Key
    error: str
    traceback: str


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


def run_job_or_failure(job: Job, measure: Measurement = measure_kpis) -> FinishedRun | FailedRun:
    """:func:`run_job`, with an exception of the run sent back as a :class:`FailedRun`
    (so one bad run does not stop a batch that records failures)."""
    try:
        return run_job(job, measure)
    except Exception as error:
        text = " ".join(f"{type(error).__name__}: {error}".split())
        return FailedRun(job.key, text, traceback.format_exc())


def local_executor(workers: int) -> ProcessPoolExecutor | None:
    """A process pool of ``workers`` spawned processes, or ``None`` (in-process) for 1.

    The ``spawn`` context is passed to the pool; the global start method is untouched.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class Pool:
    """An open executor and how many runs it works on at once (see :func:`open_executor`).

    Attributes
    ----------
    executor
        ``None`` runs jobs in this process.
    workers
        Runs it works on at once (processes, or the dask workers' threads).
    where
        In words, for messages: ``"this process"``, ``"2 local processes"``,
        ``"dask scheduler tcp://..."``.
    """

    executor: Executor | None
    workers: int
    where: str


def dask_client(address: str) -> Any:
    """A ``dask.distributed.Client`` of the scheduler at ``address``; it waits
    ``ORGSIM_DASK_TIMEOUT`` (default ``20s``) for it.

    Raises
    ------
    OSError
        If no scheduler answers there in time.
    """
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - the [cluster] extra is missing
        raise RuntimeError(
            "--scheduler needs dask.distributed: pip install 'orgsim[cluster]'"
        ) from None
    import os

    return Client(address, timeout=os.environ.get("ORGSIM_DASK_TIMEOUT", "20s"))


def slurm_cluster(config: dict[str, Any]) -> Any:
    """A ``dask_jobqueue.SLURMCluster`` built from a configuration table, scaled.

    Parameters
    ----------
    config
        ``{"jobs": N, **SLURMCluster keyword arguments}`` (``cores``, ``memory``,
        ``queue``, ``account``, ``walltime``, ``job_extra_directives``...); ``jobs``
        is how many SLURM jobs of workers to ask for (default 1).

    Returns
    -------
    dask_jobqueue.SLURMCluster
        Scaled to ``jobs`` jobs; pass its ``scheduler_address`` to a client.
    """
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:  # pragma: no cover - the [cluster] extra is missing
        raise RuntimeError("--slurm needs dask-jobqueue: pip install 'orgsim[cluster]'") from None
    options = dict(config)
    jobs = int(options.pop("jobs", 1))
    cluster = SLURMCluster(**options)
    cluster.scale(jobs=jobs)
    return cluster


@contextlib.contextmanager
def open_executor(
    workers: int = 1,
    scheduler: str | None = None,
    slurm: dict[str, Any] | None = None,
) -> Iterator[Pool]:
    """The executor runs are sent to: local processes, a dask scheduler, or SLURM.

    Parameters
    ----------
    workers
        Local processes (1: this process) when neither ``scheduler`` nor ``slurm``
        is given.
    scheduler
        Address of a running ``dask.distributed`` scheduler (``tcp://HOST:PORT``);
        runs go to its workers through ``client.get_executor()``.
    slurm
        A :func:`slurm_cluster` configuration: a dask-jobqueue cluster is started on
        SLURM for the duration, and runs go to its workers.

    Yields
    ------
    Pool
        Closed (the pool shut down, the client and cluster closed) on exit.
    """
    if scheduler is None and slurm is None:
        executor = local_executor(workers)
        where = "this process" if executor is None else f"{workers} local processes"
        with executor or contextlib.nullcontext():
            yield Pool(executor, workers, where)
        return
    with contextlib.ExitStack() as stack:
        if slurm is not None:
            cluster = stack.enter_context(contextlib.closing(slurm_cluster(slurm)))
            scheduler = cluster.scheduler_address
            where = f"SLURM cluster {scheduler}"
        else:
            where = f"dask scheduler {scheduler}"
        client = stack.enter_context(contextlib.closing(dask_client(scheduler)))
        threads = sum(client.nthreads().values()) or 1
        yield Pool(client.get_executor(pure=False), threads, where)


def iter_runs(
    jobs: Iterable[Job],
    measure: Measurement = measure_kpis,
    executor: Executor | None = None,
    max_in_flight: int | None = None,
    keep_failures: bool = False,
) -> Iterator[FinishedRun | FailedRun]:
    """Run and measure jobs, yielding each run as it finishes (completion order).

    Jobs are taken from ``jobs`` lazily: at most ``max_in_flight`` are submitted and
    not yet finished at any time, so neither the jobs nor their results pile up in
    this process (a sweep's coordinator keeps flat memory).

    Parameters
    ----------
    jobs
        The runs, with distinct keys (any iterable, consumed lazily).
    measure
        As for :func:`run_jobs`.
    executor
        Any :class:`concurrent.futures.Executor`, or ``None`` for this process.
    max_in_flight
        Most jobs submitted and unfinished (default: unbounded, every job at once).
    keep_failures
        If true, a run that raises is yielded as a :class:`FailedRun` and the others go
        on; if false, the first failure is raised and the jobs not yet started are
        cancelled.

    Yields
    ------
    FinishedRun or FailedRun
        One per job.

    Raises
    ------
    ValueError
        If two jobs share a key.
    """
    run = run_job_or_failure if keep_failures else run_job
    seen: set[Key] = set()

    def checked(job: Job) -> Job:
        if job.key in seen:
            raise ValueError("jobs must have distinct (scenario_index, replication) keys")
        seen.add(job.key)
        return job

    if executor is None:
        for job in jobs:
            yield run(checked(job), measure)
        return
    limit = max_in_flight if max_in_flight is not None else float("inf")
    pending: set[Future] = set()
    queue = iter(jobs)
    exhausted = False
    try:
        while pending or not exhausted:
            while not exhausted and len(pending) < limit:
                job = next(queue, None)
                if job is None:
                    exhausted = True
                    break
                pending.add(executor.submit(run, checked(job), measure))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            # the finished runs first: a lost worker's error must not drop them
            for future in sorted(done, key=lambda f: f.exception() is not None):
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


RESTARTS = 3
"""How many times :func:`run_missing` replaces an executor that lost a worker."""


def _lost_worker(error: BaseException) -> bool:
    """A lost worker, not a failing run: a broken local pool, dask's KilledWorker."""
    return isinstance(error, BrokenExecutor) or type(error).__name__ == "KilledWorker"


@dataclass
class Tally:
    """What :func:`run_missing` did: runs finished and failed, executors replaced, and
    where the runs went (:class:`Pool`'s ``workers`` and ``where``)."""

    finished: int = 0
    failed: int = 0
    restarts: int = 0
    workers: int = 1
    where: str = "this process"


def run_missing(
    missing: Callable[[], Iterable[Job]],
    record: Callable[[FinishedRun | FailedRun], None],
    measure: Measurement = measure_kpis,
    workers: int = 1,
    scheduler: str | None = None,
    slurm: dict[str, Any] | None = None,
    keep_failures: bool = False,
    keep: Callable[[], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> Tally:
    """Run the jobs not yet finished, recording each as it comes: the one resume loop
    of ``orgsim compare`` and ``orgsim sweep``.

    ``missing()`` gives the jobs still to run; it is called again whenever the
    executor lost a worker (a local process killed, the pool broken), after ``keep()``
    has saved what finished, and a new executor runs the rest (up to
    :data:`RESTARTS` times). On dask a lost worker's runs are rescheduled by dask
    itself. ``keep()`` is also called before any other exception (Ctrl-C included)
    leaves, so that a rerun resumes from there.

    Parameters
    ----------
    missing
        The jobs not finished yet (made lazily: at most two per worker are in flight).
    record
        Called with each run as it finishes, in this thread: it must make
        ``missing()`` leave that run out from then on.
    measure
        As for :func:`run_jobs`.
    workers, scheduler, slurm
        Where runs go (:func:`open_executor`).
    keep_failures
        Record a run that raises as a :class:`FailedRun` and go on (else raise it).
    keep
        Saves what was recorded (a journal's or a store's flush).
    notice
        Told, in a line, when a worker was lost.

    Returns
    -------
    Tally
    """
    tally = Tally()
    while True:
        try:
            with open_executor(workers, scheduler, slurm) as pool:
                tally.workers, tally.where = pool.workers, pool.where
                for run in iter_runs(
                    missing(), measure, pool.executor, 2 * pool.workers + 2, keep_failures
                ):
                    record(run)
                    if isinstance(run, FailedRun):
                        tally.failed += 1
                    else:
                        tally.finished += 1
            return tally
        except BaseException as error:
            if keep is not None:
                keep()
            if not _lost_worker(error) or tally.restarts >= RESTARTS:
                raise
            tally.restarts += 1
            if notice is not None:
                notice(f"a worker was lost ({type(error).__name__}); sending its runs again")


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
    finished: list[FinishedRun] = []
    for run in iter_runs(jobs, measure, executor):
        assert isinstance(run, FinishedRun)
        finished.append(run)
        if on_finished is not None:
            on_finished(run)
        if progress is not None:
            progress(len(finished), len(jobs))
    return sorted(finished, key=lambda run: run.key)
