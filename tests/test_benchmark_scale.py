"""Benchmarks at scale: graph setup, the whole tick and each of its parts, at 100,000
customers (run by default, so CI keeps the code working) and 1,000,000 customers
(marker ``large``: ``pytest --run-large tests/test_benchmark_scale.py --benchmark-only``).

The workload is ``scenarios/benchmark_1m.toml`` resized (mean out-degree 10, 10,000
employees in 8 silos and 5 levels). Reported, never asserted; docs/PERFORMANCE.md holds
the numbers and ``orgsim bench`` the ratio to one SpMV.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import OrgModel
from sim.public.graph_generators import power_law_cluster

SCENARIO = "scenarios/benchmark_1m.toml"
SIZES = [
    pytest.param(100_000, id="100k"),
    pytest.param(1_000_000, id="1M", marks=pytest.mark.large),
]


@pytest.fixture(scope="module", params=SIZES)
def warm(request: pytest.FixtureRequest) -> OrgModel:
    model = OrgModel(SCENARIO, rng=0, overrides=[f"customers.n_customers={request.param}"])
    model.run_hours(12)  # threads in flight, cascades spreading
    return model


@pytest.mark.parametrize("n", SIZES)
def test_benchmark_graph_setup(benchmark, n: int) -> None:
    graph = benchmark.pedantic(
        power_law_cluster, args=(n, 5, 0.1, np.random.default_rng(0)), rounds=3, iterations=1
    )
    assert graph.n_customers == n
    benchmark.extra_info["edges"] = graph.n_edges


def test_benchmark_tick(benchmark, warm: OrgModel) -> None:
    before = warm.tick
    benchmark.pedantic(warm.step, rounds=10, iterations=1, warmup_rounds=1)
    assert warm.tick > before
    benchmark.extra_info["customers"] = warm.customers.n


def test_benchmark_part_posting(benchmark, warm: OrgModel) -> None:
    core = warm.core

    def post() -> None:
        warm.public.posting.open(core.threads, core.tick, warm.levers.topic_quality, 0.7)

    before = core.threads.size
    benchmark.pedantic(post, rounds=10, iterations=1)
    assert core.threads.size > before


def test_benchmark_part_spread(benchmark, warm: OrgModel) -> None:
    no_new = np.zeros(0, dtype=np.int64)
    exposed = benchmark.pedantic(
        lambda: warm.public.spread.step(warm.tick, no_new), rounds=10, iterations=1
    )
    assert exposed.thread.size == exposed.customer.size


def test_benchmark_part_routing_and_work(benchmark, warm: OrgModel) -> None:
    core = warm.core

    def work() -> None:
        core.begin_tick()
        core.step()

    benchmark.pedantic(work, rounds=10, iterations=1)
    assert core.counters["answered"] > 0


def test_benchmark_part_opinions(benchmark, warm: OrgModel) -> None:
    """Relaxation plus word of mouth (the candidates' rows of the graph) with an empty
    event queue: the part whose cost grows with the customers."""
    before = warm.customers.sentiment.copy()
    benchmark.pedantic(warm.public.opinions.apply, rounds=10, iterations=1)
    assert not np.array_equal(before, warm.customers.sentiment)


def test_benchmark_part_collection(benchmark, warm: OrgModel) -> None:
    def collect() -> None:
        warm.recorder.record(0)
        warm.datacollector.collect(warm)

    rows = warm.recorder.size
    benchmark.pedantic(collect, rounds=10, iterations=1)
    assert warm.recorder.size > rows
