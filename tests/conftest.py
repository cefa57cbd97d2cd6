"""Shared test helpers: tiny scripted worlds built from plain dicts."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from sim import OrgModel
from sim.organization import structure_names
from sim.scenario import Scenario, scenario_from_dict

STRUCTURES = structure_names()  # every registered structure, most central first
WORLD = "scenarios/world.toml"
KPI_CONTRACT = (  # MODEL.md section 5, written out (not imported from sim): a rename fails
    "first_response_hours_median",
    "first_response_hours_p90",
    "first_response_hours_mean",
    "first_response_hours_km_median",
    "answered_within_1h_share",
    "answered_within_24h_share",
    "resolution_hours_median",
    "resolution_hours_p90",
    "resolution_hours_mean",
    "answered_share",
    "resolved_share",
    "abandoned_share",
    "credibility",
    "sentiment",
    "fan_share",
    "detractor_share",
    "net_sentiment",
    "interactivity",
    "conversation_depth",
    "negative_reach_per_1k",
    "gaffes",
    "hops_mean",
    "silo_crossings_mean",
    "utilization",
    "social_capacity",
    "quality_final",
)

SMALL_WORLD = [  # a small, busy public: fast tests with enough threads to measure
    "customers.n_customers=3000",
    "organization.n_employees=100",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-large", action="store_true", help="run the 1M-customer benchmarks (marker 'large')"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-large"):
        return
    skip = pytest.mark.skip(reason="large benchmark: pass --run-large")
    for item in items:
        if "large" in item.keywords:
            item.add_marker(skip)


def fixed(hours: float) -> dict[str, Any]:
    return {"distribution": "fixed", "mean_hours": hours}


def two_silo_world(kind: str, /, **sections: dict[str, Any]) -> Scenario:
    """Four people: comms (one front-line member, one manager) and product (one expert,
    one manager/liaison). No random arrivals; every stage fixed; perfect answers."""
    document: dict[str, Any] = {
        "structure": {"kind": kind, "approval_depth": 0},
        "culture": {"silo_permeability": 1.0, "service_attitude": 1.0, "product_quality": 1.0},
        "organization": {
            "n_employees": 4,
            "onboard_share": 0.0,
            "empowered_share": 1.0,
            "social_share_onboard": 1.0,
            "social_share_offboard": 1.0,
            "offboard_engagement": 1.0,
            "training": 1.0,
            "comms_training": 1.0,
            "expertise_own": 1.0,
        },
        "silos": [
            {"name": "comms", "share": 0.5, "topics": ["general"], "handoff_hours": 1.0},
            {"name": "product", "share": 0.5, "topics": ["defects"], "handoff_hours": 2.0},
        ],
        "levels": [
            {"name": "front line", "approval_hours": 1.0, "span_of_control": 8},
            {"name": "manager", "approval_hours": 3.0, "span_of_control": 8},
        ],
        "arrivals": {"mode": "poisson", "threads_per_hour": 0.0},
        "service": {
            "triage": fixed(1.0),
            "forward": fixed(0.5),
            "draft": fixed(1.0),
            "polish": fixed(0.5),
            "approve": {"distribution": "fixed"},
            "handoff": {"distribution": "fixed"},
        },
        "conversation": {"gaffe_base": 0.0, "followup_probability": 0.0},
    }
    for name, values in sections.items():
        document[name] = {**document.get(name, {}), **values}
    return scenario_from_dict(document)


def small(seed: int, *overrides: str, kind: str = "switchboard") -> OrgModel:
    """A model of the small, busy world (``SMALL_WORLD``) for the given structure."""
    return OrgModel(WORLD, rng=seed, overrides=[*SMALL_WORLD, f"structure.kind={kind}", *overrides])


def run_small(seed: int, hours: float, *overrides: str, kind: str = "switchboard") -> OrgModel:
    """:func:`small`, run for ``hours``."""
    model = small(seed, *overrides, kind=kind)
    model.run_hours(hours)
    return model


def on_two_workers(function: Callable[..., Any], jobs: Sequence[tuple], chunksize: int = 2) -> list:
    """``function(*job)`` for every job, in order, on two spawned worker processes (the
    machine has two cores). ``function`` must be module-level so workers can import it;
    results do not depend on the worker count (one seed per run, MODEL.md 7)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return list(pool.map(function, *zip(*jobs, strict=True), chunksize=chunksize))
