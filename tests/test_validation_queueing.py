"""MODEL.md 6.1 and 6.2: the organization core against queueing theory.

6.1. A single-stage switchboard (the comms team triages and answers in one step: the
drafting stage has mean 0; Poisson arrivals; exponential service; no forwarding, no
approvals, infinite patience) is an M/M/c queue: its mean wait and the share of
threads that wait match Erlang C.

6.2. A switchboard -> liaison -> expert chain behaves as a network of M/M/c queues:
the mean time through it is the sum of the stations' mean sojourns (Jackson 1957).
The comms team is visited twice (triage, then polish); with equal service means at
both visits its work-conserving, non-preemptive discipline has the FCFS mean wait
(Kleinrock's conservation law), so it contributes 2 x W(c, 2 lambda, mu).

Tolerance: each setting runs R independent replications (seeds) after a warm-up of
10 % of the run; the estimate is the mean of the replication means and the tolerance
is 3.5 standard errors of that mean (two-sided p ~ 0.0005 per check, so the eight
checks together false-alarm well under 1 % of the time). The tick is 1/20 of the mean
service time; at that ratio the discrete-time bias measured over 12 x 1000 h runs was
under one standard error (see docs/VALIDATION.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import OrgModel
from sim.scenario import Scenario, scenario_from_dict
from sim.theory import erlang_c, mmc_mean_wait, mmc_sojourn

Z = 3.5
TICKS_PER_SERVICE = 20


def single_stage(servers: int, arrivals: float, mean_service: float) -> Scenario:
    return scenario_from_dict(
        {
            "time": {"tick_minutes": 60 * mean_service / TICKS_PER_SERVICE},
            "structure": {"kind": "switchboard", "approval_depth": 0},
            "organization": {
                "n_employees": servers + 3,  # comms: c front line + a manager; other: 2
                "capacity": 1.0,
                "social_share_onboard": 1.0,
                "onboard_share": 0.0,
            },
            "silos": [
                {"name": "comms", "share": (servers + 1) / (servers + 3), "topics": ["general"]},
                {"name": "other", "share": 2 / (servers + 3), "topics": ["x"], "topic_weight": 0.0},
            ],
            "levels": [
                {"name": "staff", "span_of_control": 1000},
                {"name": "manager", "span_of_control": 1000},
            ],
            "channels": [{"name": "any", "share": 1.0, "patience": "infinite"}],
            "arrivals": {"mode": "poisson", "threads_per_hour": arrivals},
            "service": {
                "triage": {"distribution": "exponential", "mean_hours": mean_service},
                "draft": {"distribution": "fixed", "mean_hours": 0.0},
            },
            "conversation": {"followup_probability": 0.0},
        }
    )


def measured(model: OrgModel, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Waits and sojourns (hours) of the threads opened after the warm-up."""
    th, dt = model.core.threads, model.dt_hours
    created = th.column("created_tick")
    first = th.column("first_response_tick")
    keep = (created * dt >= 0.1 * hours) & (first >= 0)
    sojourn = (first[keep] - created[keep]) * dt
    wait = sojourn - th.column("service_ticks")[keep] * dt
    return wait, sojourn


def replicate(scenario: Scenario, hours: float, replications: int, *stats) -> list[tuple]:
    """(mean over replications, its standard error) for each statistic of the
    (waits, sojourns) of one run."""
    values = []
    for seed in range(replications):
        model = OrgModel(scenario, rng=seed)
        model.run_hours(hours)
        wait, sojourn = measured(model, hours)
        values.append([stat(wait, sojourn) for stat in stats])
    values = np.array(values)
    return list(
        zip(values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values)), strict=True)
    )


# (servers c, arrivals lambda per hour, mean service hours, run hours, replications)
SETTINGS = [
    pytest.param(1, 0.6, 1.0, 600, 8, id="M/M/1 rho=0.6"),
    pytest.param(3, 2.1, 1.0, 400, 8, id="M/M/3 rho=0.7"),
    pytest.param(10, 8.0, 1.0, 200, 8, id="M/M/10 rho=0.8"),
    pytest.param(5, 4.6, 1.0, 600, 8, id="M/M/5 rho=0.92"),
]


@pytest.mark.parametrize(("servers", "arrivals", "service", "hours", "reps"), SETTINGS)
def test_single_stage_switchboard_matches_erlang_c(servers, arrivals, service, hours, reps) -> None:
    scenario = single_stage(servers, arrivals, service)
    (mean_wait, se_wait), (p_wait, se_p) = replicate(
        scenario, hours, reps, lambda w, s: w.mean(), lambda w, s: (w > 0).mean()
    )
    theory_wait = mmc_mean_wait(arrivals, 1 / service, servers)
    theory_p = erlang_c(servers, arrivals * service)
    assert abs(mean_wait - theory_wait) < Z * se_wait, (mean_wait, se_wait, theory_wait)
    assert abs(p_wait - theory_p) < Z * se_p, (p_wait, se_p, theory_p)


def chain(arrivals: float, team: int) -> Scenario:
    """Comms team (pool of ``team``) -> one liaison -> one expert -> comms polish."""
    base = single_stage(team, arrivals, 0.25).model_dump()
    base["organization"].update(n_employees=team + 3, social_share_offboard=1.0)
    base["silos"] = [
        {
            "name": "comms",
            "share": (team + 1) / (team + 3),
            "topics": ["general"],
            "topic_weight": 0.0,
            "handoff_hours": 0.0,  # no transit: the network is the stations alone
        },
        {"name": "product", "share": 2 / (team + 3), "topics": ["defects"], "handoff_hours": 0.0},
    ]
    exponential = {"distribution": "exponential"}
    base["service"].update(
        triage={**exponential, "mean_hours": 0.25},
        forward={**exponential, "mean_hours": 0.2},
        draft={**exponential, "mean_hours": 0.3},
        polish={**exponential, "mean_hours": 0.25},
        handoff={"distribution": "fixed"},
    )
    base["service"]["expertise_slowdown"] = 0.0
    base["culture"]["silo_permeability"] = 1.0
    base["time"]["tick_minutes"] = 60 * 0.2 / TICKS_PER_SERVICE
    return scenario_from_dict(base)


def test_switchboard_liaison_expert_chain_adds_up_as_a_queueing_network() -> None:
    arrivals, team = 2.0, 2
    scenario = chain(arrivals, team)
    model = OrgModel(scenario, rng=0)
    org = model.core.org
    # the world is the intended one: a comms team of 2, one liaison, one expert
    assert (model.core.pool_of >= 0).sum() == team
    assert (org.silo == 1).sum() == 2
    expected = (
        2 * mmc_sojourn(2 * arrivals, 1 / 0.25, team)  # comms: triage and polish
        + mmc_sojourn(arrivals, 1 / 0.2, 1)  # liaison
        + mmc_sojourn(arrivals, 1 / 0.3, 1)  # expert
    )
    [(mean, se)] = replicate(scenario, 200, 8, lambda w, s: s.mean())
    assert abs(mean - expected) < Z * se, (mean, se, expected)
