"""MODEL.md 6.1 and 6.2: the organization core against queueing theory.

6.1. A single-stage switchboard (:func:`experiments.queueing.single_stage`) is an M/M/c
queue: its mean wait and the share of threads that wait match Erlang C.

6.2. A switchboard -> liaison -> expert chain (:func:`experiments.queueing.chain`)
behaves as a network of M/M/c queues: the mean time through it is the sum of the
stations' mean sojourns (Jackson 1957); the comms team is visited twice.

Tolerance: each setting runs R independent replications (seeds) after a warm-up of
10 % of the run; the estimate is the mean of the replication means and the tolerance
is 3.5 standard errors of that mean (two-sided p ~ 0.0005 per check, so the eighteen
checks together false-alarm about 1 % of the time). Each check runs twice: with a tick
of 1/20 of the mean service time, and at the default 15-minute tick, a quarter of the
single stage's mean service and longer than every stage of the chain (0.2-0.3 h). Time
within a tick is continuous (MODEL.md 4.4): servers finish several short items a tick
and start each at its own time, so the tick adds no bias of its own (see
docs/VALIDATION.md).
"""

from __future__ import annotations

import pytest

from experiments.queueing import (
    CHAIN,
    SETTINGS,
    chain,
    chain_expected_sojourn,
    replicate,
    single_stage,
)
from sim import OrgModel
from sim.theory import erlang_c, mmc_mean_wait

Z = 3.5


TICKS = (None, 15.0)
"""Tick lengths in minutes: None for 1/20 of the mean service time, then the default."""


@pytest.mark.parametrize("tick", TICKS, ids=["fine tick", "15-minute tick"])
@pytest.mark.parametrize(
    ("servers", "arrivals", "service", "hours", "reps"),
    [pytest.param(*s, id=f"M/M/{s[0]} rho={s[1] * s[2] / s[0]:.2f}") for s in SETTINGS],
)
def test_single_stage_switchboard_matches_erlang_c(
    servers, arrivals, service, hours, reps, tick
) -> None:
    scenario = single_stage(servers, arrivals, service, tick)
    (mean_wait, se_wait), (p_wait, se_p) = replicate(
        scenario, hours, reps, lambda w, s: w.mean(), lambda w, s: (w > 0).mean()
    )
    theory_wait = mmc_mean_wait(arrivals, 1 / service, servers)
    theory_p = erlang_c(servers, arrivals * service)
    assert abs(mean_wait - theory_wait) < Z * se_wait, (mean_wait, se_wait, theory_wait)
    assert abs(p_wait - theory_p) < Z * se_p, (p_wait, se_p, theory_p)


@pytest.mark.parametrize("tick", TICKS, ids=["fine tick", "15-minute tick"])
def test_switchboard_liaison_expert_chain_adds_up_as_a_queueing_network(tick) -> None:
    arrivals, team, hours, reps = CHAIN
    scenario = chain(arrivals, team, tick)
    model = OrgModel(scenario, rng=0)
    # the world is the intended one: a comms team of 2, one liaison, one expert
    assert (model.core.pool_of >= 0).sum() == team
    assert (model.core.org.silo == 1).sum() == 2
    [(mean, se)] = replicate(scenario, hours, reps, lambda w, s: s.mean())
    expected = chain_expected_sojourn(arrivals, team)
    assert abs(mean - expected) < Z * se, (mean, se, expected)
