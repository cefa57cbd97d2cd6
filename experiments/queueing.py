"""Queueing worlds for MODEL.md 6.1-6.2, shared by the tests and the figures.

A *single-stage switchboard* (the comms team triages and answers in one step; Poisson
arrivals, exponential service, no forwarding, no approvals, infinite patience) is an
M/M/c queue. A *chain* (comms team -> one liaison -> one expert -> comms polish) is a
network of M/M/c stations. The tick is 1/20 of the (shortest) mean service time by
default; ``tick_minutes`` sets another (MODEL.md 4.4: time within a tick is continuous,
so the queues match the theory at the default 15-minute tick too).

Run ``python -m experiments.queueing --out docs/figures`` for ``queueing.png``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from experiments.runner import Job, jobs_on_seeds, run_jobs
from sim.model import OrgModel
from sim.outputs import atomic_write, write_json
from sim.scenario import Scenario, scenario_from_dict
from sim.theory import erlang_c, mmc_mean_wait, mmc_sojourn

__all__ = [
    "CHAIN",
    "SETTINGS",
    "chain",
    "chain_expected_sojourn",
    "measured",
    "queue_times",
    "replicate",
    "single_stage",
]

TICKS_PER_SERVICE = 20

# (servers c, arrivals lambda per hour, mean service hours, run hours, replications)
SETTINGS = (
    (1, 0.6, 1.0, 600, 8),
    (3, 2.1, 1.0, 400, 8),
    (10, 8.0, 1.0, 200, 8),
    (5, 4.6, 1.0, 600, 8),
)
CHAIN = (2.0, 2, 200, 8)  # arrivals per hour, comms team size, run hours, replications


def single_stage(
    servers: int, arrivals: float, mean_service: float, tick_minutes: float | None = None
) -> Scenario:
    tick = 60 * mean_service / TICKS_PER_SERVICE if tick_minutes is None else tick_minutes
    return scenario_from_dict(
        {
            "time": {"tick_minutes": tick},
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


def _service_hours(model: OrgModel) -> np.ndarray:
    """Per thread, the service time drawn for it (hours)."""
    return model.service_hours()


def measured(model: OrgModel, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Waits and sojourns (hours) of the threads opened after the warm-up."""
    threads = model.threads()
    sojourns = threads["first_response_hours"].to_numpy(float)
    keep = (threads["created_hours"].to_numpy(float) >= 0.1 * hours) & ~np.isnan(sojourns)
    sojourn = sojourns[keep]
    wait = sojourn - _service_hours(model)[keep]
    # times are continuous: a thread served at once waits 0 up to rounding
    wait[np.abs(wait) < 1e-9 * np.maximum(sojourn, 1.0)] = 0.0
    return wait, sojourn


def queue_times(model: OrgModel, job: Job) -> tuple[np.ndarray, np.ndarray]:
    """The runner measurement of :func:`measured`: (waits, sojourns) after the warm-up."""
    return measured(model, job.hours)


def replicate(
    scenario: Scenario,
    hours: float,
    replications: int,
    *stats: Callable[[np.ndarray, np.ndarray], float],
    executor: Executor | None = None,
) -> list[tuple[float, float]]:
    """(mean over replications, its standard error) for each statistic of the
    (waits, sojourns) of one run.

    Replication ``r`` runs on seed ``r`` (:func:`experiments.runner.jobs_on_seeds`);
    ``executor`` as for :func:`experiments.runner.run_jobs`.
    """
    jobs = jobs_on_seeds([scenario], range(replications), hours)
    runs = run_jobs(jobs, queue_times, executor)
    values = np.array([[stat(*run.measured) for stat in stats] for run in runs])
    return list(
        zip(values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values)), strict=True)
    )


def chain(arrivals: float, team: int, tick_minutes: float | None = None) -> Scenario:
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
    tick = 60 * 0.2 / TICKS_PER_SERVICE if tick_minutes is None else tick_minutes
    base["time"]["tick_minutes"] = tick
    return scenario_from_dict(base)


def chain_expected_sojourn(arrivals: float, team: int) -> float:
    """Jackson-network prediction for :func:`chain`: the comms team is visited twice
    (triage, polish; equal means, so the FCFS mean wait holds by Kleinrock's
    conservation law), the liaison and the expert once each."""
    return (
        2 * mmc_sojourn(2 * arrivals, 1 / 0.25, team)
        + mmc_sojourn(arrivals, 1 / 0.2, 1)
        + mmc_sojourn(arrivals, 1 / 0.3, 1)
    )


def _figure(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, sim_w, se_w, th_w, sim_p, se_p, th_p = [], [], [], [], [], [], []
    for servers, arrivals, service, hours, reps in SETTINGS:
        scenario = single_stage(servers, arrivals, service)
        (w, sw), (p, sp) = replicate(
            scenario, hours, reps, lambda w, s: w.mean(), lambda w, s: (w > 0).mean()
        )
        labels.append(f"c={servers}\nrho={arrivals * service / servers:.2f}")
        sim_w.append(w), se_w.append(sw), sim_p.append(p), se_p.append(sp)
        th_w.append(mmc_mean_wait(arrivals, 1 / service, servers))
        th_p.append(erlang_c(servers, arrivals * service))
    arrivals, team, hours, reps = CHAIN
    [(sojourn, se_sojourn)] = replicate(chain(arrivals, team), hours, reps, lambda w, s: s.mean())
    x = np.arange(len(labels))
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, sim, se, theory, title in (
        (axes[0], sim_w, se_w, th_w, "Mean wait (hours)"),
        (axes[1], sim_p, se_p, th_p, "P(wait > 0)"),
    ):
        ax.errorbar(x, sim, yerr=3.5 * np.array(se), fmt="o", capsize=4, label="simulated (3.5 SE)")
        ax.plot(x, theory, "x", markersize=10, color="black", label="Erlang C")
        ax.set_xticks(x, labels)
        ax.set_title(f"M/M/c single-stage switchboard: {title}")
        ax.legend()
    axes[2].errorbar([0], [sojourn], yerr=[3.5 * se_sojourn], fmt="o", capsize=4, label="simulated")
    axes[2].plot(
        [0],
        [chain_expected_sojourn(arrivals, team)],
        "x",
        markersize=10,
        color="black",
        label="Jackson network",
    )
    axes[2].set_xticks([0], ["comms -> liaison\n-> expert -> comms"])
    axes[2].set_title("Chain: mean time through (hours)")
    axes[2].legend()
    fig.tight_layout()
    atomic_write(out / "queueing.png", lambda tmp: fig.savefig(tmp, format="png", dpi=110))
    plt.close(fig)
    rows = [
        {
            "setting": label.replace("\n", " "),
            "wait": w,
            "wait_se": sw,
            "wait_erlang_c": tw,
            "p_wait": p,
            "p_wait_se": sp,
            "p_wait_erlang_c": tp,
        }
        for label, w, sw, tw, p, sp, tp in zip(
            labels, sim_w, se_w, th_w, sim_p, se_p, th_p, strict=True
        )
    ]
    write_json(
        out / "queueing.json",
        {
            "single_stage": rows,
            "chain": {
                "sojourn": sojourn,
                "se": se_sojourn,
                "jackson": chain_expected_sojourn(arrivals, team),
            },
        },
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the queueing validation figure.")
    parser.add_argument("--out", type=Path, default=Path("docs/figures"))
    _figure(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
