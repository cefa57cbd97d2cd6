"""MODEL.md 6.3: fully mixed word of mouth is the Bass (1969) model.

On the complete graph with every other effect off (``bass_world`` in
:mod:`experiments.validation_figures`: no posting, no broadcasts, sentiment 0 with sd 0
below the fan threshold, baseline equal to it), a non-fan becomes a fan with hazard
``p + q x (fan share of its in-neighbours)`` per period, so the fan share must follow

    F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}),  t in periods,

for (p, q) = (0.03, 0.38) (the default pair of MODEL.md 6.3) and (0.01, 0.6). Setting:
n = 1,000 customers, a tick of 1/50 period, 12 periods, R = 12 replications (seeds 0-11).

Expected deviation from the closed form. ``bass_chain`` (same module) iterates the
exact law of the simulated fan count (a Markov chain on 0..n), so the expected deviation
b(t) = E F_sim(t) - F(t) is computed, not guessed. At t = 2, 5, 8, 12 it is -0.0004,
-0.0022, -0.0035, -0.0017 for (0.03, 0.38) and -0.0004, -0.0053, -0.0131, -0.0032 for
(0.01, 0.6). Three finite-size effects make it (values at t = 8):

- in-neighbour share: a non-fan's n - 1 in-neighbours exclude itself, so its share is
  k / (n - 1), not k / n: Bass with q n / (n - 1), +0.0005 / +0.0008 (negligible);
- the tick: the hazard is frozen over a tick (1 - exp(-h dt)): -0.0022 / -0.0050;
- fluctuations: dE[F]/dt = (1 - E F)(p + q E F) - q Var F, with Var F = O(1/n)
  inflated by imitation: -0.0019 / -0.0090.

The test asserts |b| < 0.015 and compares the simulated mean with F + b.

Tolerance. The standard error is the chain's exact sd of F_sim(t) over sqrt(R). That
sd is kappa = 1.2-2.2 (first pair) and 1.3-4.2 (second pair) times the binomial
sqrt(F(1 - F)/n) from t = 1 on, because imitation amplifies early chance (with q = 0,
kappa = 1: the count is exactly binomial). Means: z = 3.5, two-sided normal 4.7e-4;
the exact tail of the mean of 12 draws of the chain's law (by convolution) is at most
9.6e-4 per check, so the 8 checks together false-alarm under 0.5 %. Whole curves: every
replication at every tick from t = 1 to 12 must lie in the chain's exact central band of
probability 1 - alpha, alpha = 1e-3 / (R x 551 ticks), so the family false-alarms under
0.1 % (Bonferroni). The band comes from the exact law, not from kappa x binomial sd x z,
because the law is skewed with heavy tails (a late or early take-off shifts the whole
curve): a normal band at the Bonferroni z = 5.25 would have a false-alarm bound of 0.5
for (0.01, 0.6). As an absolute bound on the largest deviation of any curve from F, the
band gives 0.20 (13 binomial sd) and 0.41 (32 binomial sd), reached on the steep part.

q matters: with q = 0 the customers convert independently, the count is exactly
Binomial(n, 1 - e^{-pt}) at every tick, and the curve stays far below Bass's S-curve.

References
----------
F. M. Bass (1969), "A new product growth for model consumer durables", Management
Science 15(5): 215-227. N. G. van Kampen (1981), Stochastic Processes in Physics and
Chemistry (the fluctuation correction to the mean-field rate equation).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from scipy import stats

from experiments.validation_figures import (
    BASS_PAIRS,
    bass_chain,
    bass_world,
    fan_share_curves,
)
from sim import OrgModel
from sim.theory import bass_adopters

N = 1000
TICKS_PER_PERIOD = 50
PERIODS = 12
REPLICATIONS = 12
CHECKPOINTS = (2, 5, 8, 12)
Z = 3.5
FAMILY_ALPHA = 1e-3
MAX_EXPECTED_DEVIATION = 0.015


@cache
def simulated(p: float, q: float, ticks_per_period: int = TICKS_PER_PERIOD) -> np.ndarray:
    curves = fan_share_curves(
        p, q, n=N, ticks_per_period=ticks_per_period, periods=PERIODS, replications=REPLICATIONS
    )
    curves.setflags(write=False)
    return curves


@cache
def exact(p: float, q: float) -> np.ndarray:
    law = bass_chain(N, p, q, TICKS_PER_PERIOD, PERIODS * TICKS_PER_PERIOD)
    law.setflags(write=False)
    return law


def times(ticks_per_period: int = TICKS_PER_PERIOD) -> np.ndarray:
    return np.arange(1, PERIODS * ticks_per_period + 1) / ticks_per_period


def central_band(law: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``law`` (probabilities of 0..n), the smallest and largest count with
    at most ``alpha / 2`` probability below and above: the exact central band."""
    below = np.cumsum(law, axis=1)
    above = np.cumsum(law[:, ::-1], axis=1)[:, ::-1]
    low = (below < alpha / 2).sum(axis=1)
    high = law.shape[1] - 1 - (above < alpha / 2).sum(axis=1)
    return low, high


def test_nothing_but_word_of_mouth_moves_sentiment() -> None:
    """The isolation the comparison relies on: no threads, no broadcasts, and every
    customer is either untouched (sentiment and baseline 0) or a fan exactly at the
    threshold; nobody starts as a fan."""
    model = OrgModel(bass_world(*BASS_PAIRS[0], n=N, ticks_per_period=TICKS_PER_PERIOD), rng=0)
    people = model.customers
    assert not people.fans().any()
    for _ in range(3 * TICKS_PER_PERIOD):
        model.step()
    fans = people.fans()
    assert 0 < fans.mean() < 1
    assert model.core.threads.size == 0
    assert model.recorder.column("broadcasts")[-1] == 0
    assert np.all(people.sentiment[~fans] == 0.0)
    assert np.all(people.sentiment[fans] == np.float32(0.5))
    assert np.array_equal(people.baseline, people.sentiment)
    assert np.isclose(people.in_degree, N - 1).all()  # the complete graph, no self-loops


@pytest.mark.parametrize(("p", "q"), BASS_PAIRS, ids=[f"p={p},q={q}" for p, q in BASS_PAIRS])
def test_mean_fan_share_follows_the_bass_closed_form(p: float, q: float) -> None:
    curves, law = simulated(p, q), exact(p, q)
    count = np.arange(N + 1)
    mean = law @ count / N
    sd = np.sqrt(law @ count**2 / N**2 - mean**2)
    closed = bass_adopters(times(), p, q)
    for t in CHECKPOINTS:
        i = t * TICKS_PER_PERIOD - 1
        deviation = mean[i] - closed[i]  # the derived finite-n, finite-tick deviation
        assert abs(deviation) < MAX_EXPECTED_DEVIATION, (t, deviation)
        se = sd[i] / np.sqrt(REPLICATIONS)
        measured = curves[:, i].mean()
        assert abs(measured - (closed[i] + deviation)) < Z * se, (
            t,
            measured,
            closed[i],
            deviation,
            se,
        )


@pytest.mark.parametrize(("p", "q"), BASS_PAIRS, ids=[f"p={p},q={q}" for p, q in BASS_PAIRS])
def test_every_replication_stays_in_the_exact_band(p: float, q: float) -> None:
    curves, law = simulated(p, q), exact(p, q)
    first = TICKS_PER_PERIOD - 1  # from t = 1 period on
    alpha = FAMILY_ALPHA / (REPLICATIONS * (curves.shape[1] - first))
    low, high = central_band(law[first:], alpha)
    counts = np.rint(curves[:, first:] * N)
    outside = (counts < low) | (counts > high)
    assert not outside.any(), np.argwhere(outside)[:5]
    # the same bound as an absolute one on the curve's largest deviation
    closed = bass_adopters(times()[first:], p, q)
    bound = np.maximum(high / N - closed, closed - low / N).max()
    assert np.abs(curves[:, first:] - closed).max() <= bound


def test_without_imitation_fan_share_is_exponential() -> None:
    """q = 0: each customer converts on its own, so the fan count is exactly
    Binomial(n, 1 - e^{-pt}) at every tick whatever the tick length (1/10 period here).
    Pooled over R replications it is Binomial(nR, F): the mean is checked at z = 3.5
    and every replication's curve against the exact binomial band (Bonferroni over
    R x 111 ticks, family 1e-3). And q matters: at t = 12 imitation (q = 0.38) has
    made 0.91 of the customers fans, against 0.30 without."""
    p, ticks_per_period = BASS_PAIRS[0][0], 10
    curves = simulated(p, 0.0, ticks_per_period)
    t = times(ticks_per_period)
    share = -np.expm1(-p * t)
    for checkpoint in CHECKPOINTS:
        i = checkpoint * ticks_per_period - 1
        se = np.sqrt(share[i] * (1 - share[i]) / (N * REPLICATIONS))
        assert abs(curves[:, i].mean() - share[i]) < Z * se, (checkpoint, curves[:, i].mean())
    first = ticks_per_period - 1
    alpha = FAMILY_ALPHA / (REPLICATIONS * (t.size - first))
    counts = np.rint(curves[:, first:] * N)
    low = stats.binom.ppf(alpha / 2, N, share[first:])
    high = stats.binom.isf(alpha / 2, N, share[first:])
    assert ((counts >= low) & (counts <= high)).all()
    with_imitation = bass_adopters(PERIODS, p, BASS_PAIRS[0][1])
    assert curves[:, -1].max() < with_imitation / 2, (curves[:, -1].max(), with_imitation)
