"""How long an author waits for an answer (MODEL.md 2, channels; 4.6 abandonment).

Each channel has a patience distribution: ``exponential`` with the channel's mean
``patience_hours``, ``fixed`` at it, or ``infinite``. Every thread's patience is drawn
here, whoever opens it (customers, the Poisson test bed or a crisis), from one uniform
per thread, so a thread's patience depends only on its channel and its uniform.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.scenario.schema import ChannelSpec

__all__ = ["PATIENCE_KINDS", "Patience"]

PATIENCE_KINDS = ("exponential", "fixed", "infinite")
"""The patience distributions, by code."""


class Patience:
    """Patience in ticks by channel.

    Parameters
    ----------
    channels
        The scenario's channels.
    tick_hours
        Length of a tick, in hours.

    Examples
    --------
    >>> from sim.scenario.schema import ChannelSpec
    >>> patience = Patience([ChannelSpec(name="a", share=1, patience_hours=2.0)], 0.5)
    >>> patience.ticks(np.array([0]), np.array([1 - np.exp(-1.0)])).round(6).tolist()
    [4.0]
    """

    def __init__(self, channels: Sequence[ChannelSpec], tick_hours: float) -> None:
        self.mode = np.array([PATIENCE_KINDS.index(c.patience) for c in channels])
        self.mean_ticks = np.array([c.patience_hours for c in channels]) / tick_hours
        self.all_exponential = bool((self.mode == 0).all())

    def ticks(self, channel: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Each thread's patience in ticks, from its channel and one uniform in [0, 1)
        (inverse transform: ``-log(1 - u) x mean`` for an exponential)."""
        mean = self.mean_ticks[channel]
        if self.all_exponential:
            return -np.log1p(-u) * mean
        mode = self.mode[channel]
        patience = np.where(mode == 0, -np.log1p(-u) * mean, mean)
        patience[mode == 2] = np.inf
        return patience
