"""The crossover of MODEL.md 4.3: where, over load, the paired difference of two
structures' mean first response changes sign, with a bootstrap CI over seeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.claims.design import BASE_SEED, Sweep
from experiments.claims.evaluation import BOOTSTRAP, paired_test
from experiments.statistics import mean_ci


@dataclass(frozen=True)
class Crossover:
    """A sweep's outcome.

    Attributes
    ----------
    differences
        (load, seed) paired differences central − distributed of the KPI (negative:
        the central structure answers faster).
    mean_difference, ci
        Per load: their mean and 95% paired t interval (``ci`` is (load, 2)).
    p_central_faster, p_distributed_faster
        Per load: one-sided p-values of each direction (:func:`paired_test`).
    load_at_crossover, crossover_ci
        The load where the mean difference turns from negative to positive,
        interpolated linearly in log load (``None`` if it never does), and its
        bootstrap 95% CI over seeds (``None`` if no bootstrap sample crosses). The
        bootstrap keeps the linear interpolation, so it does not see the grid.
    bracket
        The grid's own interval: the highest load below the crossover whose 95% CI of
        the difference lies below 0, and the lowest above it whose CI lies above 0.
    bootstrap_without_crossing
        Share of bootstrap samples in which no crossing is found.
    """

    sweep: Sweep
    loads: np.ndarray
    central_means: np.ndarray
    distributed_means: np.ndarray
    central_ci: np.ndarray
    distributed_ci: np.ndarray
    differences: np.ndarray
    mean_difference: np.ndarray
    ci: np.ndarray
    p_central_faster: np.ndarray
    p_distributed_faster: np.ndarray
    load_at_crossover: float | None
    crossover_ci: tuple[float, float] | None
    bootstrap_without_crossing: float
    bracket: tuple[float, float] | None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record of the sweep and its outcome."""
        s = self.sweep
        return {
            "id": s.id,
            "title": s.title,
            "kpi": s.kpi,
            "central": {"scenario": s.central.scenario, "overrides": list(s.central.overrides)},
            "distributed": {
                "scenario": s.distributed.scenario,
                "overrides": list(s.distributed.overrides),
            },
            "world": list(s.world),
            "hours": s.hours,
            "seeds": s.seeds,
            "loads_threads_per_hour": self.loads.tolist(),
            "central_mean": self.central_means.tolist(),
            "distributed_mean": self.distributed_means.tolist(),
            "difference_mean": self.mean_difference.tolist(),
            "difference_ci95": self.ci.tolist(),
            "p_central_faster": self.p_central_faster.tolist(),
            "p_distributed_faster": self.p_distributed_faster.tolist(),
            "crossover_threads_per_hour": self.load_at_crossover,
            "crossover_ci95": None if self.crossover_ci is None else list(self.crossover_ci),
            "bootstrap_share_without_crossing": self.bootstrap_without_crossing,
            "bracket_95": None if self.bracket is None else list(self.bracket),
            "note": s.note,
        }


def _crossing(loads: np.ndarray, mean_difference: np.ndarray) -> float | None:
    """The first load where the mean difference turns from <= 0 to > 0, interpolated
    linearly in log load; ``None`` when it never does."""
    x = np.log(loads)
    for i in range(loads.size - 1):
        a, b = mean_difference[i], mean_difference[i + 1]
        if a <= 0 < b:
            return float(np.exp(x[i] + (0 - a) / (b - a) * (x[i + 1] - x[i])))
    return None


def _row_means(matrix: np.ndarray) -> np.ndarray:
    """Mean of each row over its finite values (NaN for a row without any)."""
    finite = np.isfinite(matrix)
    counts = finite.sum(axis=1)
    sums = np.where(finite, matrix, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(counts.size, np.nan), where=counts > 0)


def find_crossover(sweep: Sweep, central: np.ndarray, distributed: np.ndarray) -> Crossover:
    """The crossover from (load, seed) matrices of the KPI for both structures.

    The CI of the crossover load resamples seeds with replacement (:data:`BOOTSTRAP`
    samples; a resampled seed brings its runs at every load, so the pairing is kept)
    and takes the 2.5 and 97.5 percentiles of the crossings found.
    """
    loads = np.asarray(sweep.loads, float)
    differences = central - distributed
    rows = [mean_ci(row) for row in differences]
    mean_difference = np.array([row.mean for row in rows])
    rng = np.random.default_rng(BASE_SEED)
    n = differences.shape[1]
    crossings = []
    for _ in range(BOOTSTRAP):
        sample = differences[:, rng.integers(0, n, n)]
        crossings.append(_crossing(loads, _row_means(sample)))
    found = np.array([c for c in crossings if c is not None])
    at = _crossing(loads, mean_difference)
    cis = np.array([row.interval for row in rows])
    bracket = None
    if at is not None:
        sb_faster = loads[(loads < at) & (cis[:, 1] < 0)]
        dd_faster = loads[(loads > at) & (cis[:, 0] > 0)]
        if sb_faster.size and dd_faster.size:
            bracket = (float(sb_faster.max()), float(dd_faster.min()))
    ci = (
        (float(np.percentile(found, 2.5)), float(np.percentile(found, 97.5)))
        if found.size
        else None
    )
    return Crossover(
        sweep=sweep,
        loads=loads,
        central_means=_row_means(central),
        distributed_means=_row_means(distributed),
        central_ci=np.array([mean_ci(row).interval for row in central]),
        distributed_ci=np.array([mean_ci(row).interval for row in distributed]),
        differences=differences,
        mean_difference=mean_difference,
        ci=cis,
        p_central_faster=np.array([paired_test(row, 0.0, "less")[0] for row in differences]),
        p_distributed_faster=np.array([paired_test(row, 0.0, "greater")[0] for row in differences]),
        load_at_crossover=at,
        crossover_ci=ci,
        bootstrap_without_crossing=1.0 - found.size / len(crossings),
        bracket=bracket,
    )
