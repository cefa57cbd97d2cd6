"""What a run reports by default: the KPI contract, the hourly series and the
per-thread response times (:func:`measure_kpis`, the runner's default measurement).

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

__all__ = ["RunResult", "hourly", "measure_kpis"]


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

    @property
    def key(self) -> Key:
        return self.scenario_index, self.replication


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
        ``model.kpis()``, every numeric series column at whole hours and the
        first-response and resolution hours of the threads answered (resolved).
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
    )
