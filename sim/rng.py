"""Random streams per mechanism (MODEL.md section 7).

One seed per run is spawned with :class:`numpy.random.SeedSequence` into one
independent stream per mechanism. The order of :data:`MECHANISMS` is part of the
reproducibility contract: adding a mechanism appends to it, never inserts.

Because the arrival (posting) stream never depends on the structure, two runs with
the same seed and different structures see the same threads: common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MECHANISMS", "Streams", "seed_sequence"]

MECHANISMS = (
    "world",
    "posting",
    "spread",
    "service",
    "answers",
    "opinions",
    "routing",
    "customers",
    "interventions",
)


def seed_sequence(
    seed: int | np.random.SeedSequence | np.random.Generator | None,
) -> np.random.SeedSequence:
    """Normalise a user seed into a SeedSequence.

    A Generator is accepted (as Mesa accepts one) and consumed for one 64-bit draw.
    ``None`` draws fresh OS entropy; the resulting entropy is kept on the sequence so
    the run can be replayed.
    """
    if isinstance(seed, np.random.SeedSequence):
        # a copy: spawning mutates a sequence, and a caller may hand the same one to
        # several runs (each must get the same streams: common random numbers)
        return np.random.SeedSequence(
            seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
        )
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(seed)


@dataclass(frozen=True)
class Streams:
    """One numpy Generator per mechanism, spawned from one seed."""

    world: np.random.Generator
    posting: np.random.Generator
    spread: np.random.Generator
    service: np.random.Generator
    answers: np.random.Generator
    opinions: np.random.Generator
    routing: np.random.Generator
    customers: np.random.Generator
    interventions: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int | np.random.SeedSequence | np.random.Generator | None) -> Streams:
        children = seed_sequence(seed).spawn(len(MECHANISMS))
        return cls(*(np.random.default_rng(child) for child in children))
