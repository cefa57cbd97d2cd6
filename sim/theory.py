"""Closed forms the model is validated against (MODEL.md section 6).

These are the textbook results, kept apart from the simulation so tests and docs can
quote them. None of the model's code uses them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["bass_adopters", "erlang_c", "mmc_mean_wait", "mmc_sojourn"]


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    Parameters
    ----------
    servers
        c, the number of servers.
    offered_load
        a = lambda / mu, in Erlangs; must be below ``servers``.

    References
    ----------
    A. K. Erlang (1917); e.g. Kleinrock, *Queueing Systems* vol. 1 (1975), eq. 3.40.
    """
    c, a = int(servers), float(offered_load)
    if not 0 <= a < c:
        raise ValueError(f"offered load {a} must be in [0, {c}) for a stable queue")
    # sum_{k<c} a^k/k! and a^c/c! via a stable running term
    term, below = 1.0, 0.0
    for k in range(c):
        below += term
        term *= a / (k + 1)
    top = term * c / (c - a)
    return top / (below + top)


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in queue, W_q = C(c, a) / (c mu - lambda), in the rates' time unit."""
    c = int(servers)
    return erlang_c(c, arrival_rate / service_rate) / (c * service_rate - arrival_rate)


def mmc_sojourn(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean time in system, W = W_q + 1 / mu."""
    return mmc_mean_wait(arrival_rate, service_rate, servers) + 1.0 / service_rate


def bass_adopters(t: np.ndarray | float, p: float, q: float) -> np.ndarray:
    """Bass (1969) cumulative adoption F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}),
    t in periods, starting from no adopters.

    References
    ----------
    F. M. Bass (1969), "A new product growth for model consumer durables",
    Management Science 15(5): 215-227.
    """
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - decay) / (1.0 + (q / p) * decay) if p > 0 else np.zeros_like(decay)


assert math.isclose(erlang_c(1, 0.5), 0.5)  # M/M/1: P(wait) = rho
