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
    from sim.levers import Levers
    from sim.organization import OrgCore
    from sim.public import Customers

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
    "threads",
    "first_response_hours",
    "answered_within_1h",
)
_ROW = {name: row for row, name in enumerate(SERIES)}
_N_STATES, _N_STAGES = len(State), len(Stage)


class Recorder:
    """Computes and stores one row of :data:`SERIES` per tick.

    The series are the rows of one float64 table (one column per tick), so a tick's
    values are written with one assignment; :attr:`last` holds them as Python floats,
    for the Mesa ``DataCollector``'s reporters.
    """

    def __init__(
        self, core: OrgCore, customers: Customers | None, levers: Levers, topic_shares: np.ndarray
    ) -> None:
        self.core = core
        self.customers = customers
        self.levers = levers
        self.size = 0
        self._table = np.zeros((len(SERIES), 256), dtype=np.float64)
        self.last: dict[str, float] = dict.fromkeys(SERIES, 0.0)
        """The latest value of each series (0 before the first tick, as the table's)."""
        self._broadcasts = 0
        self._first = (0, 0)  # (first answers, their ticks waited) up to the last tick
        self._topic_shares = topic_shares

    def column(self, name: str) -> np.ndarray:
        return self._table[_ROW[name], : self.size]

    def record(self, broadcasts: int) -> None:
        if self.size == self._table.shape[1]:
            self._table = np.concatenate([self._table, np.zeros_like(self._table)], axis=1)
        row = self._row(broadcasts)
        values = self._table[:, self.size]
        values[:] = [row[name] for name in SERIES]
        self.last.update(zip(SERIES, values.tolist(), strict=True))
        self.size += 1

    def quality(self) -> float:
        return float(self.levers.topic_quality @ self._topic_shares)

    def _first_response_hours(self) -> float:
        """Mean wait, in hours, of the first answers posted this tick (NaN if none)."""
        counters = self.core.counters
        now = (counters["first_answers"], counters["first_response_ticks"])
        answers, ticks = now[0] - self._first[0], now[1] - self._first[1]
        self._first = now
        return ticks * self.core.dt / answers if answers else float("nan")

    def _row(self, broadcasts: int) -> dict[str, float]:
        core = self.core
        th = core.threads
        live = th.live
        state_counts = np.bincount(th.state[live], minlength=_N_STATES)
        waiting = th.phase[live] == Phase.WAITING
        stage_counts = np.bincount(th.stage[live][waiting], minlength=_N_STAGES)
        self._broadcasts += broadcasts
        row = {
            "open_threads": int(state_counts[: State.ANSWERED].sum()),
            "queue_triage": stage_counts[Stage.TRIAGE],
            "queue_forward": stage_counts[Stage.FORWARD],
            "queue_draft": stage_counts[Stage.DRAFT],
            "queue_polish": stage_counts[Stage.POLISH],
            "in_approval": state_counts[State.APPROVAL],
            "answered": core.counters["answered"],
            "resolved": core.counters["resolved"],
            "abandoned": core.counters["abandoned"],
            "busy_share": core.busy_share,
            "quality": self.quality(),
            "broadcasts": self._broadcasts,
            "replies": core.counters["answered"],
            "threads": th.size,
            "first_response_hours": self._first_response_hours(),
            "answered_within_1h": core.counters["answered_within_1h"],
        }
        people = self.customers
        if people is None:
            for name in ("mean_sentiment", "mean_trust", "fan_share", "detractor_share"):
                row[name] = np.nan
            row["brand_followers"] = np.nan
        else:
            n = people.sentiment.size
            # the sums and the division of ndarray.mean(dtype=np.float64), without its wrapper
            row["mean_sentiment"] = float(people.sentiment.sum(dtype=np.float64) / n)
            row["mean_trust"] = float(people.trust.sum(dtype=np.float64) / n)
            row["fan_share"] = float(np.count_nonzero(people.fans())) / n
            row["detractor_share"] = float(np.count_nonzero(people.detractors())) / n
            row["brand_followers"] = float(np.count_nonzero(people.follows_brand))
        return row
