"""MODEL.md 6.6: the "typical brand, 2016" scenario lands near what was observed.

Targets (sources in scenarios/typical_brand_2016.toml and docs/VALIDATION.md):
- average brand first response about 10 hours, +-20 % (Sprout Social Index, 2016);
- share of threads never answered about 85-90 % (Sprout Social Index, 2016);
- about 70 % of complaining customers expect an answer within an hour (Lithium /
  Millward Brown, 2013), which sets patience.

Six seeds of two simulated weeks; the 99 % confidence interval of the mean (Student t
over seeds) must lie inside each target band.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.statistics import mean_ci
from sim import OrgModel
from sim.scenario import load_scenario

SCENARIO = "scenarios/typical_brand_2016.toml"
SEEDS = range(6)


@pytest.fixture(scope="module")
def runs() -> list[OrgModel]:
    models = []
    for seed in SEEDS:
        model = OrgModel(SCENARIO, rng=seed)
        model.run_hours(model.scenario_spec.time.hours)
        models.append(model)
    return models


def interval(values: list[float]) -> tuple[float, float]:
    return mean_ci(values, confidence=0.99).interval


def test_average_first_response_is_about_ten_hours(runs: list[OrgModel]) -> None:
    low, high = interval([m.kpis()["first_response_hours_mean"] for m in runs])
    assert low >= 8.0 and high <= 12.0, (low, high)


def test_most_threads_are_never_answered(runs: list[OrgModel]) -> None:
    low, high = interval([1.0 - m.kpis()["answered_share"] for m in runs])
    assert low >= 0.85 and high <= 0.90, (low, high)


def test_patience_says_seventy_percent_expect_an_answer_within_the_hour(
    runs: list[OrgModel],
) -> None:
    """The file's channels give P(patience <= 1 h) = 0.70 in closed form, and the drawn
    patience of the complaints opened in the runs agrees within 3 binomial SE."""
    scenario = load_scenario(SCENARIO)
    total = sum(c.share for c in scenario.channels)
    closed_form = sum(
        c.share / total * (1 - math.exp(-1.0 / c.patience_hours)) for c in scenario.channels
    )
    assert closed_form == pytest.approx(0.70, abs=0.005)
    within = []
    for model in runs:
        th = model.core.threads
        complaint = th.column("kind") == 0
        within.append(th.column("patience_ticks")[complaint] * model.dt_hours <= 1.0)
    within = np.concatenate(within)
    se = math.sqrt(closed_form * (1 - closed_form) / within.size)
    assert abs(within.mean() - closed_form) < 3 * se
