"""Dashboard benchmarks (pytest-benchmark): a simulated week of both panes at the
default world's 20,000 customers, and the browser's time to the first full render.

    .venv/bin/python -m pytest tests/test_dashboard_benchmark.py --benchmark-only

The medians are reported in docs/PERFORMANCE.md ("Dashboard").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_browser import (
    Server,
    chromium_problem,
    dashboard_server,
    launch_browser,
    open_page,
)

from viz.plots import draw_panels, plot_panels
from viz.session import Comparison, Settings

ROOT = Path(__file__).resolve().parent.parent
PANES = (str(ROOT / "scenarios/switchboard.toml"), str(ROOT / "scenarios/direct_dial.toml"))


def test_benchmark_a_week_of_both_panes_at_20k_customers(benchmark):
    """Build both panes, play 168 simulated hours, take the page's snapshot and draw
    its plots once (what the page does at the end of a week's playback)."""

    def setup():
        return (Comparison(Settings(PANES, seed=0)),), {}

    def play(comparison: Comparison):
        comparison.step_hours(168)
        snapshot = comparison.snapshot()
        draw_panels(plot_panels(snapshot.series), snapshot.names, snapshot.markers, 168.0)
        return snapshot

    snapshot = benchmark.pedantic(play, setup=setup, rounds=3, iterations=1)
    assert snapshot.hours == 168.0
    assert snapshot.kpis["A"]["answered_share"] < snapshot.kpis["B"]["answered_share"]
    assert snapshot.series["A"].shape[0] == 672


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    problem = chromium_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser benchmark cannot run on CI: {problem}")
        pytest.skip(f"browser benchmark skipped: {problem}")
    log = tmp_path_factory.mktemp("dashboard-bench") / "server.log"
    with dashboard_server(log, args=["--seed", "0"]) as running:  # the default 20k world
        yield running


def test_benchmark_time_to_first_render(benchmark, server, tmp_path):
    """A new session (browser context): from navigation to the Step button, the KPI
    cards and the plot image all shown."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright, server, tmp_path)

        def render():
            page = open_page(browser, server.url, blocked)
            page.locator('[data-kpi="first_response_hours_median"]').wait_for()
            page.locator("img").first.wait_for(timeout=60_000)
            page.context.close()

        benchmark.pedantic(render, rounds=3, iterations=1, warmup_rounds=1)
        browser.close()
    assert blocked == []
