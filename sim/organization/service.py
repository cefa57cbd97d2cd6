"""Service-time and delay draws: continuous hours (:func:`draw_hours`, what the core
uses, MODEL.md 4.4) and whole ticks (:func:`draw_ticks`, kept for callers that count
in ticks).

``fixed`` rounds the mean to whole ticks; ``exponential`` is geometric in ticks with
success probability ``dt / mean`` so that its mean is exactly ``mean / dt`` ticks (the
discrete-time counterpart of exponential service: Geo/Geo/c queues tend to M/M/c as
the tick shrinks); ``lognormal`` has the given mean and log-scale ``sigma``.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import DelayShape

__all__ = ["EXPONENTIAL", "MAX_TICKS", "draw_hours", "draw_ticks"]

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
        Mean duration per item, in hours (scalar or array of ``size``). A scalar mean of
        a ``fixed`` or ``exponential`` shape, or an ``exponential`` one whose items all
        have the same mean, takes a shorter path with the same draws: a scalar parameter
        draws the same numbers, in the same order, as an array of it.
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
    distribution = spec.distribution
    if isinstance(mean_hours, int | float) and distribution != "lognormal":
        return _draw_one_mean(distribution, mean_hours / dt_hours, size, rng, minimum)
    mean_ticks = np.asarray(mean_hours, dtype=np.float64) / dt_hours
    if distribution == "exponential":
        # one mean for all (one item, one speed, one approver level): the scalar mean's draws
        if mean_ticks.size == 1:
            return _draw_one_mean(distribution, mean_ticks.item(0), size, rng, minimum)
        lowest = mean_ticks.min()
        if lowest == mean_ticks.max():
            return _draw_one_mean(distribution, mean_ticks.item(0), size, rng, minimum)
    if mean_ticks.shape != (size,):
        mean_ticks = np.broadcast_to(mean_ticks, (size,))
    if distribution == "fixed":
        ticks = np.rint(mean_ticks)
    elif distribution == "exponential":
        ticks = rng.geometric(1.0 / np.maximum(mean_ticks, 1.0))
        if lowest > 0:
            return _geometric_ticks(ticks, minimum)
        ticks[mean_ticks <= 0] = 0
    else:
        sigma = spec.sigma
        mu = np.log(np.maximum(mean_ticks, 1e-9)) - 0.5 * sigma * sigma
        ticks = np.rint(rng.lognormal(mu, sigma))
    return _whole_ticks(ticks, minimum)


def _draw_one_mean(
    distribution: str, mean_ticks: float, size: int, rng: np.random.Generator, minimum: int
) -> np.ndarray:
    """:func:`draw_ticks` for one mean (in ticks) shared by all ``size`` items, of a
    ``fixed`` or ``exponential`` shape. An exponential with mean 0 still draws its
    ``size`` numbers (all 0 ticks), as the array path does."""
    if distribution == "fixed":
        value = np.rint(mean_ticks)
    else:
        ticks = rng.geometric(1.0 / max(mean_ticks, 1.0), size)
        if mean_ticks > 0:
            return _geometric_ticks(ticks, minimum)
        value = 0
    value = min(max(value, minimum), MAX_TICKS)
    if value == 0:  # (a delay of mean 0: np.zeros is much cheaper than np.full)
        return np.zeros(size, dtype=np.int32)
    return np.full(size, value, dtype=np.int32)


def _geometric_ticks(ticks: np.ndarray, minimum: int) -> np.ndarray:
    """:func:`_whole_ticks` of geometric draws, each at least 1 tick: with a
    ``minimum`` of at most 1, only the cap can bind."""
    if minimum <= 1:
        return np.minimum(ticks, MAX_TICKS).astype(np.int32)
    return _whole_ticks(ticks, minimum)


def _whole_ticks(ticks: np.ndarray, minimum: int) -> np.ndarray:
    """``ticks`` (whole numbers, int or float) clipped to ``[minimum, MAX_TICKS]``, as
    int32. The cap keeps ``tick + duration`` inside int32 (2**30 ticks: 2,000 years at
    1-minute ticks); a heavy lognormal tail would otherwise wrap to negative."""
    return np.minimum(np.maximum(ticks, minimum), MAX_TICKS).astype(np.int32)


def draw_hours(
    spec: DelayShape,
    mean_hours: np.ndarray | float,
    size: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw ``size`` continuous durations in hours (MODEL.md 4.4: time does not depend
    on the tick).

    ``fixed`` is the mean itself; ``exponential`` is ``mean x`` a standard exponential;
    ``lognormal`` is ``exp(mu + sigma z)`` with ``mu = log(mean) - sigma**2 / 2`` so its
    mean is the given one. Every shape but ``fixed`` draws exactly ``size`` numbers,
    whatever the means (a mean of 0 gives 0 hours), and a scalar mean draws the same
    numbers as an array of it.

    >>> rng = np.random.default_rng(0)
    >>> draw_hours(DelayShape(distribution="fixed"), 0.25, 2, rng).tolist()
    [0.25, 0.25]
    >>> a = draw_hours(EXPONENTIAL, 2.0, 3, np.random.default_rng(1))
    >>> b = draw_hours(EXPONENTIAL, np.full(3, 2.0), 3, np.random.default_rng(1))
    >>> bool((a == b).all())
    True
    """
    if size == 0:
        return np.zeros(0, dtype=np.float64)
    mean = np.asarray(mean_hours, dtype=np.float64)
    distribution = spec.distribution
    if distribution == "fixed":
        return np.broadcast_to(mean, (size,)).astype(np.float64)
    if distribution == "exponential":
        return rng.standard_exponential(size) * mean
    sigma = spec.sigma
    z = rng.standard_normal(size)
    with np.errstate(divide="ignore"):
        mu = np.log(mean) - 0.5 * sigma * sigma
    return np.where(mean > 0, np.exp(mu + sigma * z), 0.0)
