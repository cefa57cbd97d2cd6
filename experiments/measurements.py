"""What a run reports by default: the KPI contract, the hourly series, the per-thread
response times and where every thread stands at the end (:func:`measure_kpis`, the
runner's default measurement).

Measurements read the model through its public accessors only (``kpis()``,
``series()``, ``threads()``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model import OrgModel

if TYPE_CHECKING:
    from experiments.runner import Job, Key

__all__ = ["OUTCOMES", "TICK_MEANS", "RunResult", "hourly", "measure_kpis", "thread_outcomes"]

OUTCOMES = ("resolved", "answered", "abandoned", "open")
"""Where a thread stands at the end of a run, one of four (they partition all threads):
answered and resolved; answered, not resolved; never answered and abandoned by its
author; never answered and still open (waiting for a first answer)."""


@dataclass(frozen=True, eq=False)
class RunResult:
    """KPIs and series of one run: small, picklable, free of timing.

    Attributes
    ----------
    scenario_index, replication
        The run's key in its batch.
    seed_entropy, seed_spawn_key
        Its seed (replays the run).
    hours
        Simulated hours.
    kpis
        Metric name -> value: ``model.kpis()`` by contract name (and whatever else the
        measurement adds).
    series
        The per-tick series downsampled to whole hours: column name -> 1-D array, with
        ``hours`` always present.
    first_response_hours, resolution_hours
        Per thread, over the threads answered (resolved); NaNs dropped.
    outcomes
        Threads by :data:`OUTCOMES` at the end (counts that sum to every thread
        opened), so a time over answered threads can be set against all threads;
        ``None`` when the measurement did not record them.
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
    outcomes: dict[str, int] | None = None

    @property
    def threads(self) -> int | None:
        """Threads opened in the run (``None`` without :attr:`outcomes`)."""
        return None if self.outcomes is None else sum(self.outcomes.values())

    @property
    def key(self) -> Key:
        return self.scenario_index, self.replication


TICK_MEANS = ("first_response_hours",)
"""Series that are a mean over what happened in each tick (NaN in a tick with nothing
to measure): :func:`hourly` averages them over the hour's ticks instead of keeping the
hour's last tick."""


def hourly(series: pd.DataFrame, dt_hours: float) -> dict[str, np.ndarray]:
    """The rows of a per-tick series at whole hours (every row if ticks are >= 1 h).

    Keeps every numeric column; row ``h`` is the last tick ending at or before hour
    ``h``, except for :data:`TICK_MEANS`, where it is the mean over the ticks ending in
    ``(h - 1, h]`` that have a value (each tick weighs the same; NaN if none has).
    """
    hours = series["hours"].to_numpy(dtype=float)
    if dt_hours >= 1.0 or hours.size == 0:
        rows = np.arange(hours.size)
    else:
        marks = np.arange(1, int(np.floor(hours[-1] + 1e-9)) + 1, dtype=float)
        rows = np.searchsorted(hours, marks + 1e-9, side="right") - 1
    starts = np.r_[0, rows[:-1] + 1]
    columns = {}
    for name in series.columns:
        values = series[name].to_numpy()
        if values.dtype.kind not in "biuf":
            continue
        values = values.astype(float)
        if name in TICK_MEANS and rows.size:
            measured = np.isfinite(values)
            sums = np.add.reduceat(np.where(measured, values, 0.0), starts)
            counts = np.add.reduceat(measured.astype(np.int64), starts)
            with np.errstate(invalid="ignore", divide="ignore"):
                columns[str(name)] = np.where(counts > 0, sums / counts, np.nan)
        else:
            columns[str(name)] = values[rows]
    return columns


def thread_outcomes(threads: pd.DataFrame) -> dict[str, int]:
    """Threads by :data:`OUTCOMES`, from ``model.threads()``.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "first_response_hours": [1.0, 2.0, np.nan, np.nan, np.nan],
    ...     "resolution_hours": [3.0, np.nan, np.nan, np.nan, np.nan],
    ...     "state": ["resolved", "abandoned", "abandoned", "open", "triage"]})
    >>> thread_outcomes(table)
    {'resolved': 1, 'answered': 1, 'abandoned': 1, 'open': 2}
    """
    answered = threads["first_response_hours"].notna().to_numpy()
    resolved = threads["resolution_hours"].notna().to_numpy()
    abandoned = (threads["state"].astype(str) == "abandoned").to_numpy()
    masks = (
        answered & resolved,
        answered & ~resolved,
        ~answered & abandoned,
        ~answered & ~abandoned,
    )
    return {name: int(np.count_nonzero(mask)) for name, mask in zip(OUTCOMES, masks, strict=True)}


def measure_kpis(model: OrgModel, job: Job) -> RunResult:
    """The runner's default measurement: KPIs, hourly series and response times.

    Parameters
    ----------
    model
        The run, after ``job.hours``.
    job
        The job it ran.

    Returns
    -------
    RunResult
        ``model.kpis()``, every numeric series column at whole hours, the
        first-response and resolution hours of the threads answered (resolved) and the
        threads by outcome.
    """
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
        outcomes=thread_outcomes(threads),
    )
