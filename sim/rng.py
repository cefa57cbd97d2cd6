"""Random streams per mechanism (MODEL.md section 7).

One seed per run is spawned with :class:`numpy.random.SeedSequence` into one
independent stream per mechanism. The order of :data:`MECHANISMS` is part of the
reproducibility contract: adding a mechanism appends to it, never inserts. Child
:data:`MESA_CHILD` of the seed belongs to Mesa's own ``model.rng``; it was the first
child after the nine original mechanisms and stays there, so a mechanism appended
later takes the next free child instead (:func:`child_sequence`).

Because the arrival (posting) stream never depends on the structure, two runs with
the same seed and different structures see the same threads: common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MECHANISMS", "MESA_CHILD", "Streams", "child_sequence", "seed_sequence"]

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
    "broadcasts",
    "needs",
)

MESA_CHILD = 9
"""The child of the run's seed that seeds Mesa's ``model.rng`` (used only by
``sample_customers``): fixed, so that appending a mechanism keeps it."""


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
    broadcasts: np.random.Generator
    needs: np.random.Generator
    """Which threads need a second silo's knowledge, and which silo (a property of the
    message: the same for every structure)."""

    @classmethod
    def from_seed(cls, seed: int | np.random.SeedSequence | np.random.Generator | None) -> Streams:
        sequence = seed_sequence(seed)
        children = (
            child_sequence(sequence, k if k < MESA_CHILD else k + 1) for k in range(len(MECHANISMS))
        )
        return cls(*(np.random.default_rng(child) for child in children))


def child_sequence(sequence: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """Child ``k`` of ``sequence``, as ``sequence.spawn`` would give it on a fresh
    sequence, without spawning (which would change ``sequence``)."""
    return np.random.SeedSequence(
        sequence.entropy, spawn_key=(*sequence.spawn_key, k), pool_size=sequence.pool_size
    )
