"""MODEL.md 6.4: on Erdős–Rényi graphs threads take off only above 1/<k>.

Every thread is an independent cascade; with one constant edge probability p (the first
hop and every later one, all multipliers 1, no answers, hops delayed by the channel's
attention decay but none lost to the visibility window: ``cascade_world`` in
:mod:`experiments.validation_figures`) its final reach is the cluster of its author in bond
percolation with occupation probability p (Newman 2002). On an Erdős–Rényi graph of mean
degree <k> the open edges form an Erdős–Rényi graph of mean degree c = p <k>, so:

- c < 1: the reach is the total progeny of a Galton–Watson process with Poisson(c)
  offspring (Borel law): mean 1 / (1 - c), variance c / (1 - c)^3, a vanishing fraction
  of the graph;
- c > 1: with probability S the author is in the giant component and the thread
  reaches S n, where S = 1 - exp(-c S) (Callaway et al. 2000; Newman 2010).

Setting: n = 20,000, <k> = 8, c in {0.25, 0.5, 0.75, 1.0, 1.5, 2.0}; 8 graphs (seeds
0-7), each with 5,000 threads (c <= 1) or 300 threads (c > 1) at random authors, run
until no view of any cascade is still to come. A thread "takes off" when it reaches more than 5 % of
the graph: the finite clusters at c = 1.5 are those of the dual subcritical graph of
mean degree c (1 - S) = 0.63, of mean size 2.7 and a tail like exp(-0.094 s), so a
finite cluster of 1,000 nodes has probability about e^-94.

Tolerances, each z = 3.5 standard errors (two-sided 4.7e-4; 7 checks together under
0.4 %):

- below the threshold, the mean reach in customers against 1 / (1 - c); the standard
  error is the Borel sd sqrt(c / (1 - c)^3) over sqrt(40,000 threads). Depletion of the
  finite graph lowers the mean by O(E[s^2] / n), at most about 0.003 (c = 0.75), under
  0.1 SE;
- above, the share of threads that take off against S, with SE^2 = S (1 - S) / 2,400
  (binomial) + sigma^2 / (8 n), and the mean reach fraction of those against S, with
  SE = sigma / sqrt(8 n), where sigma^2 / n = S (1 - S) / (n (1 - c (1 - S))^2) is the
  variance of the giant component's fraction of G(n, c / n) (Pittel 1990). Counting it
  once per graph treats the threads of one graph as fully correlated: conservative.
  The size-biased pick of the giant component by a random author shifts the mean by
  sigma^2 / (n S), under 2e-4.

References
----------
D. S. Callaway, M. E. J. Newman, S. H. Strogatz and D. J. Watts (2000), Phys. Rev. Lett.
85, 5468. M. E. J. Newman (2002), "Spread of epidemic disease on networks", Phys. Rev. E
66, 016128; Networks: An Introduction (2010), ch. 12, 16 and 17. B. Pittel (1990), Random
Structures & Algorithms 1(3): 311-342.
"""

from __future__ import annotations

import math

import pytest

from experiments.validation_figures import (
    CascadeSweep,
    giant_fraction,
    giant_fraction_sd,
    thread_reach,
)

N = 20_000
MEAN_DEGREE = 8.0
SWEEP = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)  # c = p <k>
BELOW, ABOVE = (0.25, 0.5, 0.75), (1.5, 2.0)
GRAPHS = 8
THREADS_BELOW, THREADS_ABOVE = 5000, 300
TAKE_OFF = 0.05
Z = 3.5


@pytest.fixture(scope="module")
def sweep() -> dict[float, CascadeSweep]:
    return {
        c: thread_reach(
            c,
            n=N,
            mean_degree=MEAN_DEGREE,
            graphs=GRAPHS,
            threads=THREADS_BELOW if c <= 1.0 else THREADS_ABOVE,
        )
        for c in SWEEP
    }


def test_every_edge_transmits_with_exactly_p(sweep: dict[float, CascadeSweep]) -> None:
    """The setting is the one percolation describes: one edge probability p = c / <k>
    for the first hop and every later one, no view lost to the visibility window (the
    cascades ended long before it closes) and no answers."""
    visible_ticks = 100_000 * 4  # visible_hours / 15-minute ticks
    for c, result in sweep.items():
        assert result.edge_probabilities == (c / MEAN_DEGREE,), result.edge_probabilities
        assert 10 < result.ticks < visible_ticks / 100, result.ticks  # hops take time
        assert result.answered == 0


@pytest.mark.parametrize("c", BELOW)
def test_below_the_threshold_reach_is_the_subcritical_branching_mean(
    sweep: dict[float, CascadeSweep], c: float
) -> None:
    reach = sweep[c].reach.ravel() * N  # customers
    mean, expected = reach.mean(), 1.0 / (1.0 - c)
    se = math.sqrt(c / (1.0 - c) ** 3 / reach.size)
    assert abs(mean - expected) < Z * se, (mean, expected, se)
    assert (reach / N).max() < TAKE_OFF  # nothing takes off
    assert mean / N < 3e-4  # a vanishing fraction: at most 4 customers in 20,000


@pytest.mark.parametrize("c", ABOVE)
def test_above_the_threshold_threads_take_off_to_the_giant_component(
    sweep: dict[float, CascadeSweep], c: float
) -> None:
    reach = sweep[c].reach
    s, sigma = giant_fraction(c), giant_fraction_sd(c, N)
    graph_var = sigma**2 / GRAPHS
    took_off = reach > TAKE_OFF
    share = took_off.mean()
    se_share = math.sqrt(s * (1 - s) / reach.size + graph_var)
    assert abs(share - s) < Z * se_share, (share, s, se_share)
    size = reach[took_off].mean()
    assert abs(size - s) < Z * math.sqrt(graph_var), (size, s, math.sqrt(graph_var))
    # bimodal: a thread either dies out small or reaches about S n, nothing in between
    assert not ((reach > 0.01) & (reach < s / 2)).any()


def test_reach_jumps_by_orders_of_magnitude_across_the_threshold(
    sweep: dict[float, CascadeSweep],
) -> None:
    mean = {c: result.reach.mean() for c, result in sweep.items()}
    assert mean[1.5] > 1000 * mean[0.5], mean
    assert list(mean.values()) == sorted(mean.values()), mean  # grows with p
