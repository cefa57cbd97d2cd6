"""The dashboard's ensemble mode, export and thread view, without a browser; and the
``orgsim dashboard`` command's checks before it starts a server."""

from __future__ import annotations

import io
import json
import socket
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import OrgModel
from sim.cli import main
from sim.outputs import jsonable
from viz.ensemble import SERIES, band, draw_ensemble, ensemble_rows, run_ensemble
from viz.export import export_zip
from viz.session import Comparison, Settings
from viz.thread_view import most_recent, most_spread, outcome_text, path_html, table_html

ROOT = Path(__file__).resolve().parent.parent
SWITCHBOARD = str(ROOT / "scenarios/switchboard.toml")
DIRECT_DIAL = str(ROOT / "scenarios/direct_dial.toml")
SMALL = ("customers.n_customers=2000",)


@pytest.fixture(scope="module")
def ensemble():
    settings = Settings(
        (SWITCHBOARD, DIRECT_DIAL), seed=5, base=SMALL, changed={"culture.spin": 0.1}
    )
    return run_ensemble(settings, replications=3, hours=12.0)


# ------------------------------------------------------------------ ensemble


def test_the_ensemble_equals_orgsim_compare_at_the_same_seed_and_replications(ensemble, capsys):
    code = main(
        [
            "compare",
            SWITCHBOARD,
            DIRECT_DIAL,
            "--replications",
            "3",
            "--seed",
            "5",
            "--hours",
            "12",
            "--workers",
            "1",
            "--set",
            SMALL[0],
            "--set",
            "culture.spin=0.1",
            "--json",
        ]
    )
    assert code == 0
    compare = json.loads(capsys.readouterr().out)["kpis"]
    summary = ensemble.summary
    assert set(summary["kpi"]) == set(compare)
    checked = 0
    for row in summary.itertuples(index=False):
        expected = compare[row.kpi][row.scenario]
        for field in ("mean", "ci", "diff", "diff_ci"):
            mine = getattr(row, field)
            if expected[field] is None:
                assert not np.isfinite(mine), (row.kpi, field)
            else:
                assert mine == expected[field], (row.kpi, row.scenario, field)
                checked += 1
    assert checked > 50


def test_the_ensemble_table_gives_means_and_paired_differences_with_cis(ensemble):
    rows = {row["kpi"]: row for row in ensemble_rows(ensemble)}
    answered = ensemble.summary.query("kpi == 'answered_share'")
    assert rows["answered_share"]["A"].startswith(f"{100 * answered['mean'].iloc[0]:.1f} %")
    assert " ± " in rows["answered_share"]["B − A"]
    assert rows["answered_share"]["n"] == "3"
    first = rows["first_response_hours_median"]
    assert "(answered " in first["A"] and "(answered " in first["B"]


def test_a_band_spans_the_replications(ensemble):
    hours, mean, low, high = band(ensemble.results, 0, "mean_trust")
    values = np.vstack([r.series["mean_trust"] for r in ensemble.results if r.scenario_index == 0])
    assert hours.tolist() == list(range(1, 13))
    np.testing.assert_allclose(mean, values.mean(axis=0))
    assert (low >= values.min(axis=0) - 1e-12).all() and (high <= values.max(axis=0) + 1e-12).all()
    assert (low <= mean).all() and (mean <= high).all()
    assert band(ensemble.results, 0, "no_such_series") is None
    titles = [ax.get_title() for ax in draw_ensemble(ensemble).axes if ax.get_title()]
    assert titles == [title for _, title, _ in SERIES]


def test_the_ensemble_bands_first_response_and_the_share_answered_within_1h(ensemble):
    assert {"first_response_hours", "answered_within_1h_share"} <= {c for c, _, _ in SERIES}
    for index in (0, 1):
        runs = [r for r in ensemble.results if r.scenario_index == index]
        _, mean, low, high = band(ensemble.results, index, "answered_within_1h_share")
        with np.errstate(invalid="ignore"):  # 0 / 0 before the first thread: NaN
            shares = np.vstack([r.series["answered_within_1h"] / r.series["threads"] for r in runs])
        np.testing.assert_allclose(mean, np.nanmean(shares, axis=0))
        assert ((low >= 0) & (high <= 1)).all()
        response = band(ensemble.results, index, "first_response_hours")
        if all(r.first_response_hours.size == 0 for r in runs):
            assert response is None  # nobody answered yet: nothing to draw, not a 0
        else:
            waits = np.vstack([r.series["first_response_hours"] for r in runs])
            measured = np.isfinite(waits).any(axis=0)
            np.testing.assert_allclose(response[1][measured], np.nanmean(waits[:, measured], 0))
    assert band(ensemble.results, 1, "first_response_hours") is not None  # direct dial
    figure = draw_ensemble(ensemble)
    response = next(ax for ax in figure.axes if ax.get_title().startswith("First response"))
    legend = [t.get_text() for t in response.get_legend().get_texts()]
    share = ensemble.summary.query("kpi == 'answered_share'")["mean"].tolist()
    assert f"A: answered {100 * share[0]:.1f} % of all threads" in legend
    assert f"B: answered {100 * share[1]:.1f} % of all threads" in legend


def test_the_ensemble_table_carries_the_answered_only_median_beside_the_kaplan_meier(ensemble):
    rows = {row["kpi"]: row for row in ensemble_rows(ensemble)}
    km = rows["first_response_hours_km_median"]
    assert "(over answered threads " in km["A"] and "· answered " in km["A"]
    never = ensemble.summary.query("kpi == 'first_response_hours_km_median'")
    for pane, row in zip(("A", "B"), never.itertuples(index=False), strict=True):
        if row.n == 0 and row.n_infinite:
            assert km[pane].startswith("not reached (< half answered)")
        elif row.n_infinite:
            assert f"({row.n_infinite} of 3 not reached)" in km[pane]


def test_raising_from_progress_cancels_the_ensemble():
    calls = []

    def progress(done, total):
        calls.append((done, total))
        raise InterruptedError("cancelled")

    settings = Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL)
    with pytest.raises(InterruptedError):
        run_ensemble(settings, replications=2, hours=2.0, progress=progress)
    assert calls == [(1, 4)]


# ------------------------------------------------------------------ export


def test_the_export_holds_both_panes_tables_settings_and_figures(ensemble):
    comparison = Comparison(
        Settings((SWITCHBOARD, DIRECT_DIAL), seed=2, base=SMALL, changed={"culture.spin": 0.1})
    )
    comparison.step_hours(6)
    data = export_zip(comparison, ensemble)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {
            "dashboard.json",
            "A/series.parquet",
            "A/threads.parquet",
            "B/series.parquet",
            "B/threads.parquet",
            "plots.png",
            "ensemble/summary.parquet",
            "ensemble/runs.parquet",
            "ensemble.png",
        } <= names
        manifest = json.loads(archive.read("dashboard.json"))
        series = pd.read_parquet(io.BytesIO(archive.read("A/series.parquet")))
        threads = pd.read_parquet(io.BytesIO(archive.read("B/threads.parquet")))
        assert archive.read("plots.png").startswith(b"\x89PNG")
    assert manifest["seed"] == 2 and manifest["hours"] == 6.0
    assert manifest["overrides"] == [*SMALL, "culture.spin=0.1"]
    assert manifest["panes"]["A"]["name"] == "switchboard"
    assert manifest["panes"]["B"]["kpis"] == jsonable(comparison.models["B"].kpis())
    assert len(series) == 24
    assert len(threads) == comparison.models["B"].threads().shape[0]
    assert manifest["ensemble"]["replications"] == 3


# ------------------------------------------------------------------ threads


@pytest.fixture(scope="module")
def threads() -> pd.DataFrame:
    model = OrgModel(DIRECT_DIAL, rng=1, overrides=SMALL)
    model.run_hours(24)
    return model.threads()


def test_most_recent_and_most_spread_threads(threads):
    recent = most_recent(threads, 5)
    assert (
        recent["created_hours"].tolist()
        == sorted(threads["created_hours"].tolist(), reverse=True)[:5]
    )
    spread = most_spread(threads, 5)
    assert spread["reach"].tolist() == sorted(threads["reach"].tolist(), reverse=True)[:5]
    text = table_html(spread, "B", "most spread")
    for thread in spread["thread"]:
        assert f'data-thread="{thread}"' in text


def test_an_empty_table_and_an_unseen_path_say_so(threads):
    assert "no thread yet" in table_html(most_recent(threads.iloc[:0]), "A", "x")
    assert "no path observed" in path_html(7, [], "A")
    text = path_html(7, [(0.25, "comms", 3, "front line"), (1.0, "public", -1, "")], "A", "done")
    assert "hour 0.25: <b>comms</b> (employee 3, front line)" in text
    assert "hour 1: <b>public</b> (with the public" in text and "<div>done</div>" in text


def test_a_threads_outcome_says_where_it_stands(threads):
    answered = threads[threads["first_response_hours"].notna()].iloc[0]
    text = outcome_text(answered)
    assert text.startswith(f"opened at hour {answered['created_hours']:g}; first answer after")
    waiting = threads[threads["first_response_hours"].isna()].iloc[0]
    assert "not answered yet" in outcome_text(waiting)


# ------------------------------------------------------------------ the command


def _exit(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dashboard", "nope.toml"], "no such scenario file"),
        (["dashboard", "--port", "x"], "--port 'x': must be a whole number"),
        (["dashboard", "--port", "70000"], "--port 70000: must be <= 65535"),
        (["dashboard", "--set", "culture.spin=3"], "culture.spin = 3: must be <= 1.0"),
        (["dashboard", "--seed", "-1"], "--seed"),
        (["dashboard", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line_before_any_server(argv, message, capsys):
    code, err = _exit(argv, capsys)
    assert code == 2
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_port_in_use_exits_2_naming_it(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = _exit(["dashboard", "--port", str(port)], capsys)
    assert code == 2
    assert f"--port {port}: cannot listen on 127.0.0.1:{port}" in err


def test_the_server_runs_offline_switches_and_a_project_solara_home(monkeypatch, tmp_path):
    from viz.server import command, missing_assets, server_environment

    monkeypatch.setenv("ORGSIM_DASHBOARD_HOME", str(tmp_path / "home"))
    env = server_environment({"X": "1"})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_HOME"] == str(tmp_path / "home") and (tmp_path / "home").is_dir()
    assert env["X"] == "1"
    words = command("127.0.0.1", 8765)
    assert {"--production", "--no-check-version"} <= set(words)
    assert words[words.index("--host") + 1] == "127.0.0.1"
    assert missing_assets() == []  # solara-assets ships what this solara's page asks for


def test_the_ensemble_runs_pane_b_with_its_own_override_as_orgsim_compare_would(tmp_path, capsys):
    """Pane B's own ``approval_depth=4`` equals ``orgsim compare`` of A and a file that
    sets it (same seed and replications); pane A is as without the override."""
    own = Settings(
        (SWITCHBOARD, DIRECT_DIAL),
        seed=5,
        base=SMALL,
        pane_sets=((), ("structure.approval_depth=4",)),
    )
    result = run_ensemble(own, replications=2, hours=12.0)
    assert result.names == ["switchboard", "direct_dial + structure.approval_depth=4"]
    deeper = tmp_path / "deeper.toml"
    deeper.write_text(
        f'extends = "{DIRECT_DIAL}"\n[structure]\napproval_depth = 4\n', encoding="utf-8"
    )
    argv = ["compare", SWITCHBOARD, str(deeper), "-r", "2", "--seed", "5", "--hours", "12"]
    assert main([*argv, "--workers", "1", "--set", SMALL[0], "--json"]) == 0
    compare = json.loads(capsys.readouterr().out)["kpis"]
    checked = 0
    for row in result.summary.itertuples(index=False):
        expected = list(compare[row.kpi].values())[result.names.index(row.scenario)]
        for field in ("mean", "diff"):
            if expected[field] is not None:
                assert getattr(row, field) == expected[field], (row.kpi, row.scenario, field)
                checked += 1
    assert checked > 30
    plain = run_ensemble(Settings((SWITCHBOARD, DIRECT_DIAL), 5, SMALL), 2, 12.0)
    pick = {r.kpi: r.mean for r in plain.summary.itertuples() if r.scenario == "switchboard"}
    assert {r.kpi: r.mean for r in result.summary.itertuples() if r.scenario == "switchboard"} == (
        pytest.approx(pick, nan_ok=True)
    )
    b = {r.kpi: r.mean for r in result.summary.itertuples() if r.scenario != "switchboard"}
    p = {r.kpi: r.mean for r in plain.summary.itertuples() if r.scenario != "switchboard"}
    assert any(b[k] != p[k] for k in b if np.isfinite(b[k]) and np.isfinite(p[k]))


def test_the_export_lists_each_panes_own_overrides():
    switch = 'interventions=[{at_hours=2.0, label="switch", set={"structure.kind"="direct_dial"}}]'
    settings = Settings((SWITCHBOARD, SWITCHBOARD), 1, SMALL, pane_sets=((), (switch,)))
    comparison = Comparison(settings)
    comparison.step_hours(3)
    with zipfile.ZipFile(io.BytesIO(export_zip(comparison))) as archive:
        manifest = json.loads(archive.read("dashboard.json"))
    assert manifest["panes"]["A"]["pane_overrides"] == []
    assert manifest["panes"]["B"]["pane_overrides"] == [switch]
    assert manifest["panes"]["B"]["scenario"]["interventions"][0]["label"] == "switch"
    assert manifest["panes"]["A"]["scenario"]["interventions"] == []
