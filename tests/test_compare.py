"""Tests for ``orgsim compare`` (experiments): the runner, the statistics and the outputs."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import threading
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import STRUCTURES
from rich.console import Console
from scipy import stats

import experiments.cli
from experiments.compare import (
    draw_figure,
    outcome_shares,
    print_tables,
    share_by_time,
    summarise,
)
from experiments.measurements import OUTCOMES, RunResult
from experiments.runner import jobs_for, run_job, run_jobs
from sim.cli import main
from sim.kpis import KPIS, UNITS
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SWITCHBOARD = SCENARIOS / "switchboard.toml"
DIRECT_DIAL = SCENARIOS / "direct_dial.toml"
SMALL = ["--set", "organization.n_employees=60", "--hours", "12"]
OUTPUTS = ("runs.parquet", "summary.parquet", "compare.png", "compare.json")


def compare(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run ``orgsim compare ARGS`` in-process; (exit code, stdout, stderr)."""
    code = main(["compare", *(str(a) for a in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def strict_json(text: str):
    def refuse(token: str):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def small_scenarios(*paths: Path):
    return [load_scenario(p, ["organization.n_employees=60"]) for p in paths]


def result(scenario: int, replication: int, **kpis: float) -> RunResult:
    empty = np.empty(0)
    return RunResult(scenario, replication, 0, (replication,), 1.0, kpis, {}, empty, empty)


# --- the runner -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory) -> tuple[Path, Path]:
    """Every registered structure's file (the default), R=2, run with --workers 1 and
    --workers 2."""
    base = tmp_path_factory.mktemp("compare")
    for workers in ("1", "2"):
        args = [*SMALL, "--replications", "2", "--workers", workers, "--out", base / workers]
        assert main(["compare", *map(str, args)]) == 0
    return base / "1", base / "2"


def test_worker_count_does_not_change_results(serial_and_parallel):
    serial, parallel = serial_and_parallel
    runs = pd.read_parquet(serial / "runs.parquet")
    assert len(runs) == 2 * len(STRUCTURES)
    pd.testing.assert_frame_equal(runs, pd.read_parquet(parallel / "runs.parquet"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(serial / "summary.parquet"), pd.read_parquet(parallel / "summary.parquet")
    )
    assert json.loads((parallel / "compare.json").read_text())["workers"] == 2


def test_replication_k_of_every_structure_shares_one_seed(serial_and_parallel):
    runs = pd.read_parquet(serial_and_parallel[0] / "runs.parquet")
    assert runs["scenario"].unique().tolist() == list(STRUCTURES)  # most central first
    assert (runs["seed_entropy"] == 0).all()
    assert (runs["seed_spawn_key"] == runs["replication"].astype(str)).all()
    # the replications themselves differ
    first = runs[runs["scenario"] == "direct_dial"]
    assert first["answered_share"].nunique() == 2


def test_outputs_are_complete_and_atomic(serial_and_parallel):
    for directory in serial_and_parallel:
        assert sorted(p.name for p in directory.iterdir()) == sorted(OUTPUTS)
        assert (directory / "compare.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        manifest = json.loads((directory / "compare.json").read_text())
        assert manifest["replications"] == 2
        assert manifest["seed"] == 0
        assert manifest["hours"] == [12.0] * len(STRUCTURES)
        assert [Path(s["file"]).name for s in manifest["scenarios"]] == [
            Path(name).name for name in experiments.cli.DEFAULT_SCENARIOS
        ]
        assert manifest["scenarios"][0]["scenario"]["organization"]["n_employees"] == 60
        assert manifest["wall_seconds"] > 0


def test_same_scenario_twice_gives_zero_paired_differences(capsys, tmp_path):
    code, _, err = compare(
        capsys, DIRECT_DIAL, DIRECT_DIAL, *SMALL, "--replications", "3", "--workers", "1",
        "--out", tmp_path,
    )  # fmt: skip
    assert code == 0, err
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    first, second = (runs[runs["scenario_index"] == i].reset_index(drop=True) for i in (0, 1))
    assert first["scenario"].iloc[0] == "direct_dial"
    assert second["scenario"].iloc[0] == "direct_dial-2"
    kpis = [c for c in runs.columns if c.endswith(("_share", "_mean", "_median", "gaffes"))]
    pd.testing.assert_frame_equal(first[kpis], second[kpis])
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    paired = summary[summary["scenario"] == "direct_dial-2"]
    measured = paired[paired["diff_n"] >= 2]
    assert len(measured) >= 10
    assert (measured["diff"] == 0).all()
    assert (measured["diff_ci"] == 0).all()
    assert not paired["significant"].any()


def test_a_job_run_twice_gives_the_same_result():
    (job,) = jobs_for(small_scenarios(DIRECT_DIAL), replications=2, seed=5, hours=12)[1:]
    a, b = run_job(job).measured, run_job(job).measured
    pd.testing.assert_series_equal(pd.Series(a.kpis), pd.Series(b.kpis))
    np.testing.assert_array_equal(a.first_response_hours, b.first_response_hours)
    assert a.series["hours"].tolist() == list(range(1, 13))  # hourly rows of 15-min ticks


class ReverseExecutor(Executor):
    """Runs nothing until all ``expected`` jobs are submitted, then completes them from a
    thread in reverse submission order."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.calls: list[tuple[Future, object, tuple]] = []
        self.completed: list[object] = []

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        self.calls.append((future, fn, args))
        if len(self.calls) == self.expected:
            threading.Thread(target=self._finish).start()
        return future

    def _finish(self) -> None:
        for future, fn, args in reversed(self.calls):
            outcome = fn(*args)
            self.completed.append(outcome.key)
            future.set_result(outcome)
            time.sleep(0.005)


def test_run_jobs_orders_results_whatever_the_completion_order():
    jobs = jobs_for(small_scenarios(SWITCHBOARD, DIRECT_DIAL), replications=3, seed=1, hours=6)
    executor = ReverseExecutor(len(jobs))
    ticks: list[tuple[int, int]] = []
    finished = run_jobs(
        jobs, executor=executor, progress=lambda done, total: ticks.append((done, total))
    )
    keys = [(i, k) for i in range(2) for k in range(3)]
    assert executor.completed == keys[::-1]
    assert [run.key for run in finished] == keys
    assert [run.measured.key for run in finished] == keys
    assert ticks == [(n, 6) for n in range(1, 7)]
    serial = run_jobs(jobs)
    pd.testing.assert_frame_equal(
        pd.DataFrame([run.measured.kpis for run in finished]),
        pd.DataFrame([run.measured.kpis for run in serial]),
    )


# --- the statistics ---------------------------------------------------------------------


def test_summary_statistics_on_a_hand_made_set():
    a, b = [1.0, 2.0, 4.0], [2.0, 4.0, 9.0]
    results = [result(0, k, x=a[k], y=[1.0, math.nan, 3.0][k]) for k in range(3)]
    results += [result(1, k, x=b[k], y=[2.0, 5.0, 7.0][k]) for k in range(3)]
    summary = summarise(results, ["a", "b"]).set_index(["kpi", "scenario"])
    q2 = stats.t.ppf(0.975, 2)
    x_b = summary.loc[("x", "b")]
    assert x_b["n"] == 3
    assert x_b["mean"] == pytest.approx(5.0)
    assert x_b["ci"] == pytest.approx(q2 * np.std(b, ddof=1) / np.sqrt(3))
    assert x_b["diff"] == pytest.approx(8 / 3)
    assert x_b["diff_ci"] == pytest.approx(q2 * np.std([1.0, 2.0, 5.0], ddof=1) / np.sqrt(3))
    assert x_b["diff_n"] == 3
    assert summary.loc[("x", "a")]["mean"] == pytest.approx(7 / 3)
    assert summary.loc[("x", "a")]["diff"] == 0
    # NaN-safe: y is missing in replication 1 of a; pairs use replications 0 and 2
    y_a, y_b = summary.loc[("y", "a")], summary.loc[("y", "b")]
    assert y_a["n"] == 2 and y_a["mean"] == pytest.approx(2.0)
    assert y_a["ci"] == pytest.approx(stats.t.ppf(0.975, 1) * np.std([1, 3], ddof=1) / np.sqrt(2))
    assert y_b["n"] == 3 and y_b["diff_n"] == 2
    assert y_b["diff"] == pytest.approx(2.5)
    assert y_b["diff_ci"] == pytest.approx(stats.t.ppf(0.975, 1) * np.std([1, 4], ddof=1) / 2**0.5)
    assert not y_b["significant"]


def test_significance_marks_intervals_that_exclude_zero():
    results = [result(0, k, x=float(k)) for k in range(4)]
    results += [result(1, k, x=k + 10.0 + 0.1 * (-1) ** k) for k in range(4)]
    summary = summarise(results, ["a", "b"]).set_index(["kpi", "scenario"])
    assert summary.loc[("x", "b")]["significant"]
    assert not summary.loc[("x", "a")]["significant"]


# --- the command ------------------------------------------------------------------------


def test_json_output_has_the_documented_shape(capsys):
    code, out, err = compare(
        capsys, SWITCHBOARD, DIRECT_DIAL, *SMALL, "--replications", "2", "--workers", "1", "--json"
    )
    assert code == 0, err
    payload = strict_json(out)
    assert set(payload) == {"scenarios", "replications", "kpis"}
    assert payload["scenarios"] == ["switchboard", "direct_dial"]
    assert payload["replications"] == 2
    assert "answered_share" in payload["kpis"]
    for by_scenario in payload["kpis"].values():
        assert list(by_scenario) == ["switchboard", "direct_dial"]
        for stats_ in by_scenario.values():
            assert set(stats_) == {"mean", "ci", "diff", "diff_ci"}
            assert all(v is None or isinstance(v, float) for v in stats_.values())
    baseline = payload["kpis"]["answered_share"]["switchboard"]
    assert baseline["diff"] == 0.0


def test_tables_name_every_scenario_and_the_files_written(capsys, tmp_path):
    code, out, _ = compare(
        capsys, SWITCHBOARD, DIRECT_DIAL, *SMALL, "--replications", "2", "--workers", "1",
        "--out", tmp_path / "run",
    )  # fmt: skip
    assert code == 0
    assert "answered_share" in out and "direct_dial" in out and "baseline" in out
    assert "compare.json" in out


def test_no_manifest_when_the_figure_fails(capsys, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken)
    code, _, err = compare(
        capsys, SWITCHBOARD, *SMALL, "--replications", "2", "--workers", "1", "--out", tmp_path
    )
    assert code == 1
    assert "disk full" in err
    assert list(tmp_path.iterdir()) == []  # no half comparison, no staging left beside


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--replications", "1"], "--replications"),
        (["--workers", "0"], "--workers"),
        (["--hours", "0"], "--hours"),
        (["--hours", "0.1"], "shorter than one tick"),
        (["--seed", "-1"], "--seed"),
        (["--set", "culture.no_such_lever=1"], "no_such_lever"),
        (["--set", "organization.n_employees=-5"], "n_employees"),
        ([str(SCENARIOS / "missing.toml")], "missing.toml"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(capsys, tmp_path, args, needle):
    out_dir = tmp_path / "out"
    code, out, err = compare(capsys, *args, "--workers", "1", "--out", out_dir)
    assert code == 2
    assert out == ""
    assert err.startswith("error:") and err.count("\n") == 1, err
    assert needle in err
    assert not out_dir.exists()


def test_default_scenarios_are_found_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = experiments.cli.default_scenarios()
    assert [p.name for p in paths] == [Path(s).name for s in experiments.cli.DEFAULT_SCENARIOS]
    assert all(p.is_file() for p in paths)
    monkeypatch.chdir(ROOT)
    assert experiments.cli.default_scenarios()[0] == Path("scenarios/switchboard.toml")


def test_missing_default_scenarios_are_a_usage_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(experiments.cli.sim, "__file__", str(tmp_path / "sim" / "__init__.py"))
    code, _, err = compare(capsys, "--workers", "1")
    assert code == 2
    assert "switchboard.toml not found" in err


# --- units, shares beside conditional times, the figure ----------------------------------


def test_every_kpi_of_the_contract_has_a_unit():
    assert set(KPIS) <= set(UNITS)
    assert all(UNITS[name] for name in KPIS)
    assert UNITS["first_response_hours_km_median"] == "h"
    assert UNITS["answered_within_1h_share"] == UNITS["answered_within_24h_share"] == "share"


def table_lines(summary: pd.DataFrame) -> list[str]:
    console = Console(width=220, record=True, file=io.StringIO())
    print_tables(console, summary)
    return console.export_text().splitlines()


def test_the_table_shows_units_and_the_share_beside_every_conditional_time():
    kpis = [
        {
            "first_response_hours_median": 12.0 + k,
            "first_response_hours_km_median": math.inf,
            "resolution_hours_mean": 20.0,
            "answered_share": 0.2,
            "resolved_share": 0.1,
            "social_capacity": 21.3,
        }
        for k in range(2)
    ]
    fast = [{**row, "first_response_hours_median": 1.0, "answered_share": 0.6} for row in kpis]
    fast[1]["first_response_hours_km_median"] = 2.0
    results = [result(0, k, **kpis[k]) for k in range(2)] + [
        result(1, k, **fast[k]) for k in range(2)
    ]
    lines = table_lines(summarise(results, ["switchboard", "direct_dial"]))
    header = next(line for line in lines if "KPI" in line)
    assert "unit" in header and "over threads" in header

    def row(kpi: str, scenario: str) -> str:
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(kpi))
        return next(line for line in lines[start:] if scenario in line)

    first = row("first_response_hours_median", "switchboard")
    assert " h " in first and "answered 0.200" in first
    assert "answered 0.600" in row("first_response_hours_median", "direct_dial")
    assert "resolved 0.100" in row("resolution_hours_mean", "direct_dial")
    assert "share" in row("answered_share", "switchboard")
    km = row("first_response_hours_km_median", "switchboard")
    assert "not reached" in km and "all (censored)" in km and "inf" not in km
    assert "(1 not reached)" in row("first_response_hours_km_median", "direct_dial")
    assert "work-h/h" in row("social_capacity", "switchboard")
    assert any(
        line.startswith("social capacity (work-h/h") and "direct_dial 21.3" in line
        for line in lines
    )


def test_the_command_prints_the_new_kpis_with_their_units(capsys):
    code, out, err = compare(
        capsys, SWITCHBOARD, DIRECT_DIAL, *SMALL, "--replications", "2", "--workers", "1"
    )
    assert code == 0, err
    for kpi in (
        "first_response_hours_km_median",
        "answered_within_1h_share",
        "answered_within_24h_share",
        "social_capacity",
        "gaffes",
    ):
        assert kpi[:12] in out, kpi
    assert "work-h/h" in out and "answered " in out and "social capacity (" in out


def with_outcomes(scenario: int, replication: int, waits: list[float], **outcomes: int):
    base = result(scenario, replication, answered_share=len(waits) / sum(outcomes.values()))
    return dataclasses.replace(
        base,
        first_response_hours=np.array(waits),
        outcomes={name: outcomes.get(name, 0) for name in OUTCOMES},
    )


def test_the_figures_curve_is_a_share_of_all_threads():
    results = [
        with_outcomes(0, 0, [], abandoned=3, open=1),  # answers nobody
        with_outcomes(0, 1, [], abandoned=2),
        with_outcomes(1, 0, [0.5, 2.0, 30.0], resolved=1, answered=2, abandoned=1),
        with_outcomes(1, 1, [0.0, 3.0], resolved=2, open=2),
    ]
    nobody = share_by_time(results, 0)
    assert nobody is not None and (nobody[1] == 0).all()
    hours, share = share_by_time(results, 1)
    # mean of each run's share of all its threads: (3/4 + 2/4) / 2 at the end
    assert share[-1] == pytest.approx((3 / 4 + 2 / 4) / 2)
    assert share[np.searchsorted(hours, 1.0, side="right") - 1] == pytest.approx(
        (1 / 4 + 1 / 4) / 2
    )
    assert hours[0] == 0 and share[0] == pytest.approx(1 / 8)  # answered at once
    assert (np.diff(share) >= 0).all() and share[-1] < 1
    for index in (0, 1):
        assert sum(outcome_shares(results, index).values()) == pytest.approx(1.0)
    shares = outcome_shares(results, 0)
    assert shares["resolved"] == shares["answered"] == 0.0
    assert (shares["abandoned"], shares["open"]) == (pytest.approx(0.875), pytest.approx(0.125))
    figure = draw_figure(results, ["nobody", "some"])
    response, _, bars = figure.axes[:3]
    first, second = response.get_lines()[:2]
    assert (np.asarray(first.get_ydata()) == 0).all()
    assert max(second.get_ydata()) == pytest.approx(0.625)
    assert "0.0 % answered" in first.get_label() and "not reached" not in second.get_label()
    widths: dict[float, float] = {}
    for patch in bars.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    assert sorted(widths.values()) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_runs_without_outcomes_leave_the_curve_out_rather_than_guess():
    results = [result(0, 0, answered_share=0.5)]
    assert share_by_time(results, 0) is None and outcome_shares(results, 0) is None
    figure = draw_figure(results, ["old"])
    assert figure.axes[0].get_lines() == []
    assert "not available" in " ".join(t.get_text() for t in figure.axes[0].texts)


def test_a_run_reports_every_threads_outcome_and_a_silent_switchboard_answers_nobody():
    silent = ["organization.n_employees=60", "organization.social_share_onboard=0"]
    scenarios = [*small_scenarios(DIRECT_DIAL), load_scenario(SWITCHBOARD, silent)]
    results = [run_job(job).measured for job in jobs_for(scenarios, 2, seed=3, hours=12)]
    for run in results:
        assert run.threads == run.series["threads"][-1]  # every thread opened
        answered = run.outcomes["resolved"] + run.outcomes["answered"]
        assert answered == run.first_response_hours.size
        assert answered / run.threads == pytest.approx(run.kpis["answered_share"])
        assert run.outcomes["resolved"] / run.threads == pytest.approx(run.kpis["resolved_share"])
    assert all(r.kpis["answered_share"] == 0 for r in results if r.scenario_index == 1)
    assert (share_by_time(results, 1)[1] == 0).all()
    shares = outcome_shares(results, 1)
    assert shares["resolved"] == shares["answered"] == 0
    assert shares["abandoned"] + shares["open"] == pytest.approx(1.0)
    hours, share = share_by_time(results, 0)
    within = [r.kpis["answered_within_1h_share"] for r in results if r.scenario_index == 0]
    assert share[np.searchsorted(hours, 1.0, side="right") - 1] == pytest.approx(np.mean(within))
