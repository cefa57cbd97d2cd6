"""Random streams and duration draws of the reference implementation.

The reference keeps its own random streams, one :class:`random.Random` per mechanism,
seeded from the run's seed through a salted :class:`numpy.random.SeedSequence`, so it
never shares a random number with the fast core: docking is statistical (MODEL.md
6.5). Durations are continuous hours with the same distributions as the model's
(MODEL.md 4.4): ``fixed`` is the mean, ``exponential`` has that mean, ``lognormal``
has that mean and log-scale ``sigma``; a mean of 0 gives 0 hours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import DelayShape, ServiceTime

__all__ = ["EXPONENTIAL", "Streams", "delay_hours", "geometric", "service_hours"]

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


def _hours(spec: DelayShape, mean_hours: float, rnd: random.Random) -> float:
    if spec.distribution == "fixed":
        return mean_hours
    if spec.distribution == "exponential":
        draw = rnd.expovariate(1.0)
        return 0.0 if mean_hours <= 0 else draw * mean_hours
    sigma = spec.sigma
    z = rnd.gauss(0.0, 1.0)
    if mean_hours <= 0:
        return 0.0
    return math.exp(math.log(mean_hours) - 0.5 * sigma * sigma + sigma * z)


def service_hours(spec: ServiceTime, mean_hours: float, rnd: random.Random) -> float:
    """A service time in hours (it may be shorter than a tick)."""
    return _hours(spec, mean_hours, rnd)


def delay_hours(spec: DelayShape | None, mean_hours: float, rnd: random.Random) -> float:
    """A delay (transit, approval, follow-up) in hours. ``spec`` None means exponential."""
    return _hours(spec or EXPONENTIAL, mean_hours, rnd)
