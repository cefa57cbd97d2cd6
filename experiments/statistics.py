"""The one confidence interval every experiment reports: a mean with its Student t
half-width over the finite values.

``orgsim compare`` tabulates it per KPI and per paired difference; the claims report it
per contrast and per load of a sweep.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = ["CONFIDENCE", "MeanCI", "mean_ci"]

CONFIDENCE = 0.95
"""Confidence of the reported intervals (two-sided Student t)."""


class MeanCI(NamedTuple):
    """A mean over ``n`` finite values and its confidence interval's half-width.

    ``mean`` is NaN when ``n == 0``; ``half_width`` when ``n < 2``.
    """

    n: int
    mean: float
    half_width: float

    @property
    def low(self) -> float:
        """``mean - half_width``."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """``mean + half_width``."""
        return self.mean + self.half_width

    @property
    def interval(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.low, self.high


def mean_ci(values: np.ndarray, confidence: float = CONFIDENCE) -> MeanCI:
    """Mean and Student t half-width over the finite values (NaN and inf are left out).

    Parameters
    ----------
    values
        Any array-like of numbers.
    confidence
        Two-sided confidence of the interval.

    Returns
    -------
    MeanCI
        ``(n, mean, half_width)``: ``n`` finite values, their mean and
        ``t_{(1 + confidence) / 2, n - 1} * sd / sqrt(n)`` (sample sd, ``ddof = 1``).

    Examples
    --------
    >>> estimate = mean_ci(np.array([1.0, 3.0, np.nan]))
    >>> estimate.n, estimate.mean, round(estimate.half_width, 4)
    (2, 2.0, 12.7062)
    >>> [round(end, 4) for end in estimate.interval]
    [-10.7062, 14.7062]
    >>> mean_ci([5.0])
    MeanCI(n=1, mean=5.0, half_width=nan)
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    n = int(finite.size)
    if n == 0:
        return MeanCI(0, float("nan"), float("nan"))
    mean = float(finite.mean())
    if n < 2:
        return MeanCI(n, mean, float("nan"))
    quantile = stats.t.ppf(0.5 + confidence / 2, n - 1)
    return MeanCI(n, mean, float(quantile * finite.std(ddof=1) / np.sqrt(n)))
