"""Tests for ``orgsim compare`` (experiments): the runner, the statistics and the outputs."""

from __future__ import annotations

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
from scipy import stats

import experiments.cli
from experiments.compare import summarise
from experiments.measurements import RunResult
from experiments.runner import jobs_for, run_job, run_jobs
from sim.cli import main
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
