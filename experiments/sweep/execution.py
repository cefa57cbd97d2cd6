"""Running a sweep: its jobs (common random numbers), the shared runner, the store.

Replication ``k`` of every design point runs on ``SeedSequence(seed).spawn(R)[k]``, the
seeding of :func:`experiments.runner.jobs_for`, so every point meets the same
customers, graph and posts and lever effects can be paired. Jobs are made lazily and
at most a few per worker are in flight (:func:`experiments.runner.iter_runs`), and
finished runs go straight to the store's Parquet parts: the coordinator's memory does
not grow with the number of runs. A local worker that dies (its pool breaks) is
replaced and its runs sent again; dask reschedules a lost worker's runs itself.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner import FailedRun, FinishedRun, Job, replication_seeds, run_missing
from experiments.sweep.spec import SweepSpec
from experiments.sweep.storage import SweepStore, compute_seconds, sweep_plan
from sim.model import OrgModel

__all__ = ["KpiMeasurement", "SweepOutcome", "point_values", "run_sweep", "sweep_jobs"]


class KpiMeasurement:
    """A sweep's measurement: the named KPIs of ``model.kpis()`` (NaN if absent).

    Parameters
    ----------
    names
        KPI names of the contract (:data:`sim.kpis.KPIS`).
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = tuple(names)

    def __call__(self, model: OrgModel, job: Job) -> dict[str, float]:
        kpis = model.kpis()
        return {name: float(kpis.get(name, np.nan)) for name in self.names}


def point_values(spec: SweepSpec, row: Any) -> dict[str, Any]:
    """The factor values of one design point (a row of the design table), as plain
    Python values."""
    values = {}
    for factor in spec.factors:
        value = row[factor.path]
        values[factor.path] = value.item() if hasattr(value, "item") else value
    return values


def sweep_jobs(
    spec: SweepSpec, design: pd.DataFrame, skip: set[tuple[int, int]] = frozenset()
) -> Iterator[Job]:
    """Every (point, replication) job not in ``skip``, made lazily, point by point.

    Replication ``k`` of every point has the same seed (common random numbers).
    """
    seeds = replication_seeds(spec.design.seed, spec.design.replications)
    replications = range(spec.design.replications)
    for _, row in design.iterrows():
        point = int(row["point"])
        if all((point, k) in skip for k in replications):
            continue
        scenario = spec.scenario(int(row["base"]), point_values(spec, row))
        hours = spec.hours_of(scenario)
        for k in replications:
            if (point, k) not in skip:
                seed = seeds[k]
                yield Job(point, scenario, k, hours, int(seed.entropy), tuple(seed.spawn_key))


@dataclass
class SweepOutcome:
    """What a sweep did.

    Attributes
    ----------
    total
        Runs in the design (points × replications).
    resumed
        Runs found finished in ``DIR`` at the start.
    ran, failed
        Runs finished (failed) in this attempt.
    failures
        Every run that raised and never finished, with its error.
    wall_seconds, compute_seconds
        Wall time of this attempt; compute time of every finished run, summed.
    peak_rss_mb
        The coordinator's peak resident memory.
    workers, where
        How runs were spread.
    """

    total: int
    resumed: int
    ran: int
    failed: int
    failures: list[dict[str, Any]]
    wall_seconds: float
    compute_seconds: float
    peak_rss_mb: float
    workers: int
    where: str


def peak_rss_mb() -> float:
    """This process's peak resident set size, in MB.

    Linux's ``VmHWM`` (``/proc/self/status``) where there is one: ``getrusage``'s
    ``ru_maxrss`` keeps the high-water mark of the process this one was forked from
    across ``exec``, so it reports the parent's peak when that was larger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run_sweep(
    spec: SweepSpec,
    design: pd.DataFrame,
    out: Path,
    version: str,
    workers: int = 1,
    scheduler: str | None = None,
    slurm: dict[str, Any] | None = None,
    resume: bool = False,
    part_rows: int = 256,
    progress: Callable[[int, int, int], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> SweepOutcome:
    """Run every missing (point, replication) of a sweep into ``out``.

    Parameters
    ----------
    spec, design
        The sweep and its :func:`experiments.sweep.designs.design_table`.
    out
        ``DIR`` (see :mod:`experiments.sweep.storage`).
    version
        orgsim's version (part of the plan).
    workers, scheduler, slurm
        Where runs go (:func:`experiments.runner.open_executor`).
    resume
        Continue a sweep started in ``out`` (else a non-empty ``out`` is refused).
    part_rows
        Most runs per Parquet part.
    progress
        ``progress(done, failed, total)`` after each run.
    notice
        Called with a line for the user (resuming, a worker replaced).

    Raises
    ------
    sim.outputs.OutputError
        If ``out`` cannot take this sweep (checked before any run).
    """
    earlier = SweepStore.check(out, spec, resume)
    plan = sweep_plan(spec, design, version)
    total = len(design) * spec.design.replications
    measure = KpiMeasurement(spec.design.kpis)
    started = time.perf_counter()
    with SweepStore(out, plan, design, part_rows=part_rows) as store:
        done = store.start(earlier)
        resumed = len(done)
        if resumed and notice:
            notice(f"resuming: {resumed} of {total} run(s) finished earlier")
        if progress is not None:
            progress(resumed, 0, total)

        failed_now = 0

        def record(run: FinishedRun | FailedRun) -> None:
            nonlocal failed_now
            store.record(run)
            if isinstance(run, FailedRun):
                failed_now += 1
            else:
                done.add(run.key)
            if progress is not None:
                progress(len(done), failed_now, total)

        tally = run_missing(
            lambda: sweep_jobs(spec, design, done),
            record,
            measure,
            workers,
            scheduler,
            slurm,
            keep_failures=True,
            keep=store.flush,
            notice=notice,
        )
        ran, failed, where, used = tally.finished, tally.failed, tally.where, tally.workers
        store.flush()
        failures = store.failures()
        wall = time.perf_counter() - started
        outcome = SweepOutcome(
            total=total,
            resumed=resumed,
            ran=ran,
            failed=failed,
            failures=failures,
            wall_seconds=wall,
            compute_seconds=compute_seconds(store.parts),
            peak_rss_mb=peak_rss_mb(),
            workers=used,
            where=where,
        )
        store.finish(
            {
                "status": "failed" if failures else "complete",
                "runs": total,
                "finished": total - len(failures),
                "failures": [
                    {"point": f["point"], "replication": f["replication"], "error": f["error"]}
                    for f in failures
                ],
                "last_attempt": {
                    "resumed": resumed,
                    "ran": ran,
                    "failed": failed,
                    "wall_seconds": round(wall, 3),
                    "workers": used,
                    "where": where,
                    "coordinator_peak_rss_mb": round(outcome.peak_rss_mb, 1),
                },
                "compute_seconds": round(outcome.compute_seconds, 3),
                "files": ["manifest.json", "design.parquet", "runs.parquet", "parts/"],
            }
        )
    return outcome
