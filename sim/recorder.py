"""Per-tick series (MODEL.md section 5), recorded into growable numpy arrays.

Each tick costs a fixed number of vectorized reductions and O(1) Python calls; the
arrays double when full, so recording never copies quadratically. The Mesa
``DataCollector`` reads the latest row of each series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.threads import Phase, Stage, State

if TYPE_CHECKING:
    from sim.model import OrgModel

__all__ = ["SERIES", "Recorder"]

SERIES = (
    "open_threads",
    "queue_triage",
    "queue_forward",
    "queue_draft",
    "queue_polish",
    "in_approval",
    "answered",
    "resolved",
    "abandoned",
    "busy_share",
    "mean_sentiment",
    "mean_trust",
    "fan_share",
    "detractor_share",
    "quality",
    "broadcasts",
    "replies",
    "brand_followers",
)


class Recorder:
    """Computes and stores one row of :data:`SERIES` per tick."""

    def __init__(self, model: OrgModel) -> None:
        self.model = model
        self.size = 0
        self._columns = {name: np.zeros(256, dtype=np.float64) for name in SERIES}
        self._broadcasts = 0
        weights = np.array(
            [s.topic_weight for s in model.scenario_spec.silos for _ in s.topics], float
        )
        self._topic_weight = weights / weights.sum() if weights.sum() else None

    def latest(self, name: str) -> float:
        return float(self._columns[name][self.size - 1])

    def column(self, name: str) -> np.ndarray:
        return self._columns[name][: self.size]

    def record(self, broadcasts: int) -> None:
        if self.size == self._columns[SERIES[0]].size:
            for name, values in self._columns.items():
                self._columns[name] = np.concatenate([values, np.zeros_like(values)])
        row = self._row(broadcasts)
        for name in SERIES:
            self._columns[name][self.size] = row[name]
        self.size += 1

    def quality(self) -> float:
        quality = self.model.core.topic_quality
        if self._topic_weight is None:
            return float(quality.mean())
        return float(quality @ self._topic_weight)

    def _row(self, broadcasts: int) -> dict[str, float]:
        core = self.model.core
        th = core.threads
        live = th.live
        state = th.state[live]
        waiting = th.phase[live] == Phase.WAITING
        stage_counts = np.bincount(th.stage[live][waiting], minlength=len(Stage))
        self._broadcasts += broadcasts
        row = {
            "open_threads": int((state < State.ANSWERED).sum()),
            "queue_triage": stage_counts[Stage.TRIAGE],
            "queue_forward": stage_counts[Stage.FORWARD],
            "queue_draft": stage_counts[Stage.DRAFT],
            "queue_polish": stage_counts[Stage.POLISH],
            "in_approval": int((state == State.APPROVAL).sum()),
            "answered": core.counters["answered"],
            "resolved": core.counters["resolved"],
            "abandoned": core.counters["abandoned"],
            "busy_share": core.busy_share,
            "quality": self.quality(),
            "broadcasts": self._broadcasts,
            "replies": core.counters["answered"],
        }
        people = self.model.customers
        if people is None:
            for name in ("mean_sentiment", "mean_trust", "fan_share", "detractor_share"):
                row[name] = np.nan
            row["brand_followers"] = np.nan
        else:
            row["mean_sentiment"] = float(people.sentiment.mean(dtype=np.float64))
            row["mean_trust"] = float(people.trust.mean(dtype=np.float64))
            row["fan_share"] = float(np.count_nonzero(people.fans())) / people.n
            row["detractor_share"] = float(np.count_nonzero(people.detractors())) / people.n
            row["brand_followers"] = float(np.count_nonzero(people.follows_brand))
        return row
