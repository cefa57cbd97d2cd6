"""Tests for the one runner (experiments.runner), its default measurement, the one
``mean_ci`` (experiments.statistics), and that experiments read the model through its
public accessors only."""

from __future__ import annotations

import ast
import doctest
import math
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from conftest import SMALL_WORLD
from scipy import stats

import experiments.runner
import experiments.statistics
from experiments.measurements import RunResult, measure_kpis
from experiments.runner import (
    Job,
    jobs_for,
    jobs_on_seeds,
    local_executor,
    replication_seeds,
    run_job,
    run_jobs,
)
from experiments.statistics import MeanCI, mean_ci
from sim import OrgModel
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOURS = 12.0


def small(name: str):
    return load_scenario(ROOT / "scenarios" / f"{name}.toml", SMALL_WORLD)


def public_side(model: OrgModel, job: Job, *, reach_top: int = 5) -> dict:
    """A measurement of its own, as a sweep would plug in: counters, followers, the
    widest threads' reach and the last credibility."""
    reach = np.sort(model.threads()["reach"].to_numpy())[::-1][:reach_top]
    return {
        "key": job.key,
        "tick": model.tick,
        "counters": model.counters,
        "followers": model.brand_followers(),
        "reach": reach.tolist(),
        "trust": float(model.series()["mean_trust"].iloc[-1]),
    }


def tick_count(model: OrgModel, job: Job) -> int:
    return model.tick


# --- the runner -------------------------------------------------------------------------


def test_a_pluggable_measurement_gives_identical_results_on_one_and_two_workers():
    scenarios = [small("switchboard"), small("direct_dial")]
    jobs = jobs_for(scenarios, replications=2, seed=3, hours=HOURS)
    measure = partial(public_side, reach_top=3)
    serial = run_jobs(jobs, measure)
    executor = local_executor(2)
    with executor:
        parallel = run_jobs(jobs, measure, executor)
    assert [run.key for run in serial] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [run.measured for run in parallel] == [run.measured for run in serial]
    assert [run.measured["key"] for run in serial] == [run.key for run in serial]
    # the measurement sees the run after job.hours, and the runs differ
    ticks_per_hour = 60 / scenarios[0].time.tick_minutes
    assert {run.measured["tick"] for run in serial} == {round(HOURS * ticks_per_hour)}
    assert serial[0].measured != serial[1].measured


def test_results_come_back_sorted_by_key_whatever_the_order_of_the_jobs():
    jobs = jobs_for([small("direct_dial"), small("switchboard")], replications=2, seed=0)
    shuffled = [jobs[3], jobs[0], jobs[2], jobs[1]]
    finished = run_jobs(shuffled, tick_count)
    assert [run.key for run in finished] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_jobs_with_the_same_key_are_refused():
    (job,) = jobs_for([small("direct_dial")], replications=1, seed=0, hours=1)
    with pytest.raises(ValueError, match="distinct"):
        run_jobs([job, job], tick_count)


def test_a_measurement_that_drives_the_model_gets_it_at_tick_zero():
    (job,) = jobs_on_seeds([small("direct_dial")], [0], hours=0.0)
    assert run_job(job, tick_count).measured == 0


def test_replication_k_of_every_scenario_runs_on_seed_child_k():
    jobs = jobs_for([small("switchboard"), small("direct_dial")], replications=3, seed=9)
    children = replication_seeds(9, 3)
    for job in jobs:
        child = children[job.replication]
        assert (job.seed_entropy, job.seed_spawn_key) == (child.entropy, child.spawn_key)
        assert job.hours == job.scenario.time.hours
    model = jobs[4].build()
    assert (model.seed, model.spawn_key) == (9, (1,))


def test_a_job_on_a_whole_number_seed_is_the_model_on_that_seed():
    scenario = small("expert_routing")
    (job,) = jobs_on_seeds([scenario], [11], hours=HOURS)
    direct = OrgModel(scenario, rng=11)
    direct.run_hours(HOURS)
    assert run_job(job, public_side).measured == public_side(direct, job)


def test_the_default_measurement_reports_the_kpi_contract_and_hourly_series():
    (job,) = jobs_for([small("direct_dial")], replications=1, seed=2, hours=HOURS)
    run = run_job(job)
    result = run.measured
    assert isinstance(result, RunResult) and result.key == run.key == (0, 0)
    model = job.build()
    model.run_hours(HOURS)
    np.testing.assert_equal(result.kpis, model.kpis())
    assert result.series["hours"].tolist() == [float(h) for h in range(1, 13)]
    again = measure_kpis(model, job)
    np.testing.assert_equal(again.kpis, result.kpis)
    np.testing.assert_equal(again.first_response_hours, result.first_response_hours)


def test_the_runner_and_the_statistics_doctests_pass():
    for module in (experiments.runner, experiments.statistics):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


# --- mean_ci ----------------------------------------------------------------------------


def test_mean_ci_is_the_student_t_interval_of_the_finite_values():
    values = np.array([1.0, 4.0, np.nan, 2.5, np.inf, 7.0])
    finite = values[np.isfinite(values)]
    estimate = mean_ci(values)
    low, high = stats.t.interval(0.95, finite.size - 1, finite.mean(), stats.sem(finite))
    assert estimate.n == 4
    assert estimate.mean == pytest.approx(finite.mean())
    assert estimate.interval == pytest.approx((low, high))
    assert (estimate.low, estimate.high) == estimate.interval
    wider = mean_ci(values, confidence=0.99)
    assert wider.mean == estimate.mean and wider.half_width > estimate.half_width


@pytest.mark.parametrize(("values", "n"), [([], 0), ([np.nan, np.inf], 0), ([3.0], 1)])
def test_mean_ci_without_two_finite_values_has_no_interval(values, n):
    estimate = mean_ci(np.array(values))
    assert isinstance(estimate, MeanCI) and estimate.n == n
    assert math.isnan(estimate.half_width) and all(map(math.isnan, estimate.interval))
    assert (n == 1) == (estimate.mean == 3.0)


# --- public accessors only --------------------------------------------------------------

INTERNALS = {"core", "public", "customers", "recorder", "streams"}


def internal_reads(path: Path) -> list[tuple[int, str]]:
    """(line, enclosing function) of every ``model.<internal>`` in a source file."""
    found: list[tuple[int, str]] = []

    class Reads(ast.NodeVisitor):
        def __init__(self) -> None:
            self.functions = ["<module>"]

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            self.functions.append(node.name)
            self.generic_visit(node)
            self.functions.pop()

        def visit_Attribute(self, node: ast.Attribute) -> None:
            value = node.value
            if node.attr in INTERNALS and isinstance(value, ast.Name) and value.id == "model":
                found.append((node.lineno, self.functions[-1]))
            self.generic_visit(node)

    Reads().visit(ast.parse(path.read_text(), filename=str(path)))
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "experiments").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_experiments_read_the_model_through_its_public_accessors(path: Path):
    relative = str(path.relative_to(ROOT))
    unexpected = internal_reads(path)
    assert not unexpected, f"{relative}: model internals read at {unexpected}"


def test_the_internals_check_sees_a_violation(tmp_path: Path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f(model):\n    return model.core.threads\n")
    assert internal_reads(probe) == [(2, "f")]
