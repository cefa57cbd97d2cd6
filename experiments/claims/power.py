"""How many paired seeds a claim needs to be decided (issue 14: "re-run the essay-003
contrasts with enough seeds to decide them, say how many and why").

A claim is tested by a one-sided paired t-test at ``ALPHA`` over its seeds' contrasts.
From a pilot's contrasts the standardized effect d = mean / sd gives, through the
noncentral t distribution, the power of that test at n seeds (Cohen 1988, ch. 2); the
seeds a claim needs are the fewest with the power asked for. A pilot whose mean points
the wrong way, or is zero, needs no number of seeds: it is reported as undecidable in
that direction.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["paired_power", "seeds_needed"]


def paired_power(effect: float, n: int, alpha: float = 0.01) -> float:
    """Power of the one-sided paired t-test at ``alpha`` with ``n`` pairs, for a
    standardized effect ``effect`` (mean / sd of the differences, in the tested
    direction).

    >>> round(paired_power(0.5, 30), 2)
    0.61
    >>> round(paired_power(0.0, 30), 3)
    0.01
    """
    if n < 2:
        return float("nan")
    df = n - 1
    critical = stats.t.ppf(1.0 - alpha, df)
    return float(stats.nct.sf(critical, df, effect * math.sqrt(n)))


def seeds_needed(
    differences: np.ndarray,
    expected: str = "greater",
    *,
    alpha: float = 0.01,
    power: float = 0.9,
    most: int = 1024,
) -> int | None:
    """The fewest paired seeds for which a claim whose pilot gave these paired
    ``differences`` reaches ``power`` (``None`` when the pilot's mean points away from
    ``expected``, or more than ``most`` seeds would be needed).

    >>> seeds_needed(np.array([0.2, 0.5, -0.1, 0.4, 0.3, 0.0, 0.6, 0.1]))
    16
    >>> seeds_needed(np.array([0.2, 0.5, -0.1, 0.4]), "less") is None
    True
    """
    differences = np.asarray(differences, dtype=float)
    sign = 1.0 if expected == "greater" else -1.0
    sd = differences.std(ddof=1)
    mean = sign * differences.mean()
    if not np.isfinite(sd) or mean <= 0:
        return None
    if sd == 0:
        return 2
    effect = mean / sd
    for n in range(2, most + 1):
        if paired_power(effect, n, alpha) >= power:
            return n
    return None
