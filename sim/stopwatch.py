"""Per-part timing of the tick, for ``orgsim bench`` and the benchmarks.

The model calls :meth:`Stopwatch.lap` after each part of the tick (MODEL.md section 3);
when timing is off the laps are a no-op, so the tick pays one method call per part.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["PARTS", "Stopwatch"]

PARTS = ("posting", "spread", "routing and work", "opinions", "collection")
"""The parts of a tick that are timed, in order (interventions count with posting,
broadcasts and learning with opinions)."""


class Stopwatch:
    """Accumulates, per tick, the seconds spent in each part."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.laps: dict[str, list[float]] = {part: [] for part in PARTS}
        self._last = 0.0

    def start(self) -> None:
        if self.enabled:
            self._last = time.perf_counter()

    def lap(self, part: str) -> None:
        if self.enabled:
            now = time.perf_counter()
            self.laps[part].append(now - self._last)
            self._last = now

    def medians(self) -> dict[str, float]:
        """Median seconds per tick of each part (NaN before any tick)."""
        return {p: float(np.median(v)) if v else float("nan") for p, v in self.laps.items()}
