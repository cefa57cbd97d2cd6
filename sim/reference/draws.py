"""Random streams and duration draws of the reference implementation.

The reference keeps its own random streams, one :class:`random.Random` per mechanism,
seeded from the run's seed through a salted :class:`numpy.random.SeedSequence`, so it
never shares a random number with the fast core: docking is statistical (MODEL.md
6.5). Durations are whole ticks with the same distributions as the model's
(MODEL.md 4.4): ``fixed`` rounds the mean, ``exponential`` is geometric in ticks with
that mean (at least one tick), ``lognormal`` has that mean and log-scale ``sigma``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import DelayShape, ServiceTime

__all__ = ["EXPONENTIAL", "Streams", "delay_ticks", "geometric", "service_ticks"]

EXPONENTIAL = DelayShape(distribution="exponential")
"""Plain exponential delays (follow-ups, spin found out) where no stage spec applies."""

SALT = 0x0D0C_4E5F
"""Mixed into the seed so the reference's streams differ from the core's."""


@dataclass(frozen=True)
class Streams:
    """One generator per mechanism, spawned from one seed."""

    world: random.Random
    posting: random.Random
    spread: random.Random
    service: random.Random
    routing: random.Random
    answers: random.Random
    opinions: random.Random
    graph: np.random.Generator
    broadcasts: random.Random
    needs: random.Random

    @classmethod
    def from_seed(cls, seed: int | None) -> Streams:
        """Streams from a non-negative int seed, or from fresh OS entropy for None."""
        if seed is None:
            seed = np.random.SeedSequence().entropy
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        children = np.random.SeedSequence([SALT, int(seed)]).spawn(10)
        scalar = [
            random.Random(int(c.generate_state(2, np.uint64)[0]))
            for c in (*children[:7], *children[8:])  # child 7 is the graph's Generator
        ]
        return cls(
            *scalar[:7],
            graph=np.random.default_rng(children[7]),
            broadcasts=scalar[7],
            needs=scalar[8],
        )


def geometric(p: float, rnd: random.Random) -> int:
    """Trials until the first success, each succeeding with probability ``p``."""
    if p >= 1.0:
        return 1
    return 1 + int(math.log(1.0 - rnd.random()) / math.log(1.0 - p))


def _ticks(spec: DelayShape, mean_hours: float, dt: float, rnd: random.Random) -> int:
    mean = mean_hours / dt
    if spec.distribution == "fixed":
        return round(mean)
    if spec.distribution == "exponential":
        return 0 if mean <= 0 else geometric(1.0 / max(mean, 1.0), rnd)
    sigma = spec.sigma
    mu = math.log(max(mean, 1e-9)) - 0.5 * sigma * sigma
    return round(rnd.lognormvariate(mu, sigma))


def service_ticks(spec: ServiceTime, mean_hours: float, dt: float, rnd: random.Random) -> int:
    """A service time: at least one tick (a server finishes one task per tick)."""
    return max(1, _ticks(spec, mean_hours, dt, rnd))


def delay_ticks(spec: DelayShape | None, mean_hours: float, dt: float, rnd: random.Random) -> int:
    """A delay (transit, approval, follow-up): zero ticks only when its mean is zero.
    ``spec`` None means exponential."""
    return max(0, _ticks(spec or EXPONENTIAL, mean_hours, dt, rnd))
