"""Benchmark: one full tick (posting, spread, routing and work, opinions, collection)
with 100,000 customers (about 1M follower edges) and 1,000 employees.

Reported, never asserted. ``pytest tests/test_benchmark_tick.py --benchmark-only``.
"""

from __future__ import annotations

import pytest

from sim import OrgModel

CUSTOMERS = 100_000
EMPLOYEES = 1_000


@pytest.fixture(scope="module", params=["switchboard", "coached_direct_dial"])
def warm_model(request: pytest.FixtureRequest) -> OrgModel:
    model = OrgModel(
        "scenarios/world.toml",
        rng=1,
        overrides=[
            f"structure.kind={request.param}",
            f"customers.n_customers={CUSTOMERS}",
            f"organization.n_employees={EMPLOYEES}",
        ],
    )
    model.run_hours(24)  # threads in flight, cascades spreading, opinions moving
    return model


def test_benchmark_full_tick(benchmark, warm_model: OrgModel) -> None:
    benchmark.extra_info["customers"] = warm_model.customers.n
    benchmark.extra_info["edges"] = warm_model.customers.graph.n_edges
    benchmark.extra_info["employees"] = warm_model.core.org.n_employees
    ticks_before = warm_model.tick
    benchmark.pedantic(warm_model.step, rounds=20, iterations=1, warmup_rounds=2)
    assert warm_model.tick > ticks_before  # 22 ticks when timed, 1 with --benchmark-disable
    assert warm_model.public.spread.spreading.size > 0
