"""Service-time and delay draws in ticks (MODEL.md 4.4).

``fixed`` rounds the mean to whole ticks; ``exponential`` is geometric in ticks with
success probability ``dt / mean`` so that its mean is exactly ``mean / dt`` ticks (the
discrete-time counterpart of exponential service: Geo/Geo/c queues tend to M/M/c as
the tick shrinks); ``lognormal`` has the given mean and log-scale ``sigma``.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import DelayShape

__all__ = ["EXPONENTIAL", "MAX_TICKS", "draw_ticks"]

MAX_TICKS = 1 << 30
"""Longest duration drawn, in ticks: ``tick + duration`` must fit the int32 columns."""

EXPONENTIAL = DelayShape(distribution="exponential")
"""Plain exponential delays (handoffs, follow-ups) where no stage spec applies."""


def draw_ticks(
    spec: DelayShape,
    mean_hours: np.ndarray | float,
    size: int,
    dt_hours: float,
    rng: np.random.Generator,
    minimum: int = 1,
) -> np.ndarray:
    """Draw ``size`` durations in whole ticks.

    Parameters
    ----------
    spec
        The distribution kind and ``sigma`` (a stage's ``mean_hours`` is not read here:
        the caller passes the mean already scaled by speed and expertise).
    mean_hours
        Mean duration per item, in hours (scalar or array of ``size``).
    dt_hours
        Tick length in hours.
    minimum
        Shortest duration in ticks. Service uses 1 (a server finishes at most one
        task per tick); a delay with mean 0 may use 0.

    Returns
    -------
    numpy.ndarray of int32
    """
    if size == 0:
        return np.zeros(0, dtype=np.int32)
    mean_ticks = np.broadcast_to(np.asarray(mean_hours, dtype=np.float64) / dt_hours, (size,))
    if spec.distribution == "fixed":
        ticks = np.rint(mean_ticks)
    elif spec.distribution == "exponential":
        p = 1.0 / np.maximum(mean_ticks, 1.0)
        ticks = rng.geometric(p).astype(np.float64)
        ticks[mean_ticks <= 0] = 0
    else:
        sigma = spec.sigma
        mu = np.log(np.maximum(mean_ticks, 1e-9)) - 0.5 * sigma * sigma
        ticks = np.rint(rng.lognormal(mu, sigma))
    # capped so that ``tick + duration`` stays inside int32 (2**30 ticks: 2,000 years
    # at 1-minute ticks); a heavy lognormal tail would otherwise wrap to negative
    return np.clip(ticks, minimum, MAX_TICKS).astype(np.int32)
