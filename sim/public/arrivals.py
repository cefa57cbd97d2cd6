"""Poisson arrivals per topic and channel (MODEL.md 4.1, the queueing limit).

Each (topic, channel) cell is an independent Poisson process with rate
``threads_per_hour x topic share x channel share``; per tick the count is
Poisson(rate x dt). Kinds follow ``arrivals.complaint/question/praise``. Each thread's
patience is drawn here, from the channel (exponential with the channel's mean, fixed,
or infinite), so that every structure run on the same seed sees the same threads with
the same patience: common random numbers (MODEL.md 7).

This mode stays for good: it is how the queueing limits of MODEL.md 6.1-6.2 are checked.
"""

from __future__ import annotations

import numpy as np

from sim.public.patience import Patience
from sim.scenario.schema import Scenario
from sim.threads import ThreadTable

__all__ = ["PoissonArrivals"]


class PoissonArrivals:
    """Open new threads from a Poisson process per topic and channel."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.rng = rng
        self.dt = scenario.time.tick_hours
        spec = scenario.arrivals
        topic_w = scenario.topic_shares
        channel_w = np.array([c.share for c in scenario.channels], float)
        channel_w /= channel_w.sum()
        self.cell_rate = spec.threads_per_hour * np.outer(topic_w, channel_w) * self.dt
        kinds = np.array([spec.complaint, spec.question, spec.praise], float)
        self.kind_cdf = np.cumsum(kinds / kinds.sum())
        self.n_channels = channel_w.size
        self.patience = Patience(scenario.channels, self.dt)
        self.influence_sigma = spec.influence_sigma

    def open(self, threads: ThreadTable, tick: int) -> np.ndarray:
        """Append this tick's new threads to ``threads`` and return their ids."""
        counts = self.rng.poisson(self.cell_rate).ravel()
        n = int(counts.sum())
        cell = np.repeat(np.arange(counts.size), counts)
        topic, channel = np.divmod(cell, self.n_channels)
        u = self.rng.random((3, n))
        kind = np.searchsorted(self.kind_cdf, u[0], side="right").clip(max=2)
        patience = self.patience.ticks(channel, u[1])
        influence = np.exp(self.influence_sigma * self.rng.standard_normal(n))
        return threads.append(
            n,
            kind=kind,
            topic=topic,
            channel=channel,
            severity=u[2],
            influence=influence,
            created_tick=tick,
            patience_ticks=patience,
        )
