"""Tests for the ``orgsim`` command line (sim.cli), mostly in-process via ``main``."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import KPI_CONTRACT, STRUCTURES

import sim
from sim.cli import main, scenario_file_schema
from sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
SWITCHBOARD = SCENARIOS / "switchboard.toml"
ORGSIM = Path(sys.executable).parent / "orgsim"
SMALL = ["--set", "organization.n_employees=40"]
KPIS = KPI_CONTRACT  # every KPI of MODEL.md section 5
SERIES_COLUMNS = (
    "tick",
    "hours",
    "open_threads",
    "answered",
    "resolved",
    "abandoned",
    "busy_share",
)


def cli(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run ``orgsim ARGS`` in-process; (exit code, stdout, stderr)."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def strict_json(text: str):
    """Parse JSON, refusing the NaN / Infinity tokens Python's json accepts by default."""

    def refuse(token: str):
        raise AssertionError(f"non-standard JSON token {token!r}")

    return json.loads(text, parse_constant=refuse)


def run_json(capsys, *args: str | Path) -> dict:
    code, out, err = cli(capsys, "run", *args, "--json")
    assert code == 0, err
    return strict_json(out)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- validate, schema
def test_validate_all_shipped_files(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # long checkout paths must not wrap the "ok" lines
    code, out, err = cli(capsys, "validate", *SHIPPED)
    assert code == 0, err
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == len(SHIPPED)
    for path in SHIPPED:
        assert any(line.startswith(f"ok {path}") for line in lines), path
    for kind in STRUCTURES:
        assert f"({kind})" in out


def test_validate_bad_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "bad.toml", "[culture]\nspin = 1.5\n")
    code, out, err = cli(capsys, "validate", "bad.toml")
    assert code == 2
    assert "bad.toml" in err
    assert "culture.spin" in err
    assert "invalid" in err
    assert "ok" not in out
    assert "Traceback" not in err


def test_validate_mix_reports_the_good_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "300")
    write(tmp_path / "bad.toml", "[culture]\nspn = 0.1\n")
    code, out, err = cli(capsys, "validate", SWITCHBOARD, "bad.toml", SCENARIOS / "world.toml")
    assert code == 2
    assert f"ok {SWITCHBOARD}" in out
    assert f"ok {SCENARIOS / 'world.toml'}" in out
    assert "bad.toml" in err and "culture.spn" in err
    assert "bad.toml" not in out


@pytest.mark.parametrize("silo_name", ["Billing", "a[/b]"])
def test_validate_prints_messages_verbatim(capsys, tmp_path, monkeypatch, silo_name):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "bad.toml",
        '[[silos]]\nname = "comms"\nshare = 0.5\ntopics = ["g"]\n'
        f'[[silos]]\nname = "{silo_name}"\nshare = 0.5\ntopics = ["b"]\n',
    )
    code, _, err = cli(capsys, "validate", "bad.toml")
    assert code == 2
    assert "^[a-z][a-z0-9_]*$" in err
    assert silo_name in err


def test_validate_reports_each_bad_file_on_one_line(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    write(tmp_path / "bad.toml", "[culture]\nspn = 0.1\n")
    code, _, err = cli(capsys, "validate", "bad.toml")
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err


def test_schema_prints_json_schema(capsys):
    code, out, err = cli(capsys, "schema")
    assert code == 0, err
    schema = strict_json(out)
    assert set(schema["properties"]) == {*Scenario.model_fields, "extends"}
    assert schema == json.loads(json.dumps(scenario_file_schema()))


# ----------------------------------------------------------------------------- run
def test_run_json_has_every_kpi(capsys):
    code, out, err = cli(capsys, "run", SWITCHBOARD, "--hours", "6", "--seed", "1", "--json")
    assert code == 0, err
    assert out.endswith("\n") and out.count("\n") == 1  # exactly one line: one object
    kpis = strict_json(out)
    assert isinstance(kpis, dict)
    assert set(KPIS) <= set(kpis)
    for name, value in kpis.items():
        assert value is None or (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ), (name, value)
    for share in ("answered_share", "resolved_share", "abandoned_share"):
        assert 0.0 <= kpis[share] <= 1.0
    assert kpis["resolved_share"] <= kpis["answered_share"]
    assert "NaN" not in out and "Infinity" not in out


def test_run_is_reproducible_and_seed_sensitive(capsys):
    args = (SWITCHBOARD, "--hours", "6", "--seed", "1", "--json")
    first = cli(capsys, "run", *args)
    second = cli(capsys, "run", *args)
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    other = cli(capsys, "run", SWITCHBOARD, "--hours", "6", "--seed", "2", "--json")
    assert other[0] == 0
    assert other[1] != first[1]


def test_run_without_seed_defaults_to_zero(capsys):
    default = run_json(capsys, SWITCHBOARD, "--hours", "6", *SMALL)
    zero = run_json(capsys, SWITCHBOARD, "--hours", "6", "--seed", "0", *SMALL)
    assert default == zero


def test_run_prints_a_table_without_json(capsys):
    code, out, err = cli(capsys, "run", SWITCHBOARD, "--hours", "6", "--seed", "1", *SMALL)
    assert code == 0, err
    for name in KPIS:
        assert name in out
    assert "switchboard" in out
    assert "seed 1" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_table_values_match_json(capsys):
    kpis = run_json(capsys, SWITCHBOARD, "--hours", "6", "--seed", "3", *SMALL)
    code, out, _ = cli(capsys, "run", SWITCHBOARD, "--hours", "6", "--seed", "3", *SMALL)
    assert code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in out.splitlines()
        if line.count("│") == 3
    }
    for name in KPIS:
        shown = "n/a" if kpis[name] is None else f"{kpis[name]:,.3f}"
        if name == "first_response_hours_km_median" and kpis[name] is None:
            # JSON has no infinity: the table says the median was never reached
            assert rows[name] in ("n/a", "not reached"), rows[name]
            continue
        assert rows[name] == shown, name


def test_set_from_the_cli_changes_the_run(capsys):
    args = (SWITCHBOARD, "--hours", "24", "--seed", "1")
    switchboard = run_json(capsys, *args)
    direct = run_json(capsys, *args, "--set", "structure.kind=direct_dial")
    assert direct["hops_mean"] < switchboard["hops_mean"]


def test_repeated_set_options_all_apply(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, _, err = cli(
        capsys, "run", SWITCHBOARD, "--hours", "1", *SMALL,
        "--set", "culture.spin=0.05", "--json", "--out", out_dir,
    )  # fmt: skip
    assert code == 0, err
    manifest = json.loads((out_dir / "run.json").read_text())
    assert manifest["scenario"]["organization"]["n_employees"] == 40
    assert manifest["scenario"]["culture"]["spin"] == 0.05
    assert manifest["overrides"] == ["organization.n_employees=40", "culture.spin=0.05"]


def test_hours_default_comes_from_the_file(capsys, tmp_path):
    scenario = write(tmp_path / "short.toml", f'extends = "{SWITCHBOARD}"\n[time]\nhours = 2\n')
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, "run", scenario, *SMALL, "--json", "--out", out_dir)
    assert code == 0, err
    manifest = json.loads((out_dir / "run.json").read_text())
    assert manifest["hours"] == 2
    assert manifest["ticks"] == 8
    assert len(pd.read_parquet(out_dir / "series.parquet")) == 8


# ----------------------------------------------------------------------------- --out
def test_out_writes_series_threads_and_manifest(capsys, tmp_path):
    out_dir = tmp_path / "results" / "run1"
    code, out, err = cli(
        capsys, "run", SWITCHBOARD, "--hours", "6", "--seed", "7", *SMALL,
        "--set", "structure.kind=expert_routing", "--json", "--out", out_dir,
    )  # fmt: skip
    assert code == 0, err
    printed = strict_json(out)
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "run.json",
        "series.parquet",
        "threads.parquet",
    ]
    assert list(out_dir.glob(".*.tmp")) == []

    manifest = strict_json((out_dir / "run.json").read_text())
    assert manifest["seed"] == 7
    assert manifest["hours"] == 6
    assert manifest["orgsim_version"] == sim.__version__
    assert isinstance(manifest["seconds"], int | float) and manifest["seconds"] >= 0
    assert manifest["kpis"] == printed
    assert manifest["scenario"]["structure"]["kind"] == "expert_routing"
    assert manifest["scenario"]["organization"]["n_employees"] == 40
    assert manifest["scenario"]["name"] == "switchboard"
    assert Scenario.model_validate(manifest["scenario"]).structure.kind == "expert_routing"

    series = pd.read_parquet(out_dir / "series.parquet")
    assert len(series) == round(6 / 0.25) == manifest["ticks"]
    assert set(SERIES_COLUMNS) <= set(series.columns)
    assert series["tick"].tolist() == list(range(1, 25))
    assert series["hours"].tolist() == pytest.approx([0.25 * t for t in range(1, 25)])
    assert series["busy_share"].between(0, 1).all()
    assert (series["answered"].diff().dropna() >= 0).all()  # cumulative counts

    threads = pd.read_parquet(out_dir / "threads.parquet")
    assert len(threads) > 0
    assert threads["thread"].tolist() == list(range(len(threads)))
    for column in ("first_response_hours", "resolution_hours", "abandoned_hours", "hops"):
        assert column in threads.columns
    answered = threads["first_response_hours"].notna()
    assert printed["answered_share"] == pytest.approx(answered.mean())
    assert printed["hops_mean"] == pytest.approx(threads["hops"].mean())
    assert series["answered"].iloc[-1] == answered.sum()
    # an abandoned complaint whose author escalates is open again (MODEL.md 4.2): the
    # running count of abandonments covers every thread abandoned now, and may exceed it
    assert series["abandoned"].iloc[-1] >= (threads["state"] == "abandoned").sum()
    assert (threads.loc[answered, "first_response_hours"] >= 0).all()


def test_out_table_mode_says_what_it_wrote(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", SWITCHBOARD, "--hours", "1", *SMALL, "--out", out_dir)
    assert code == 0, err
    assert "series.parquet" in out and "run.json" in out
    assert (out_dir / "run.json").is_file()


def test_out_that_is_a_file_is_bad_input(capsys, tmp_path):
    target = write(tmp_path / "taken", "keep me")
    code, out, err = cli(capsys, "run", SWITCHBOARD, "--hours", "1", *SMALL, "--out", target)
    assert code == 2
    assert "--out" in err and "not a directory" in err
    assert target.read_text() == "keep me"
    assert out == ""


def test_out_files_follow_the_umask(capsys, tmp_path):
    old = os.umask(0o022)
    try:
        code, _, err = cli(
            capsys, "run", SWITCHBOARD, "--hours", "1", *SMALL, "--out", tmp_path / "o"
        )
    finally:
        os.umask(old)
    assert code == 0, err
    for name in ("run.json", "series.parquet", "threads.parquet"):
        assert (tmp_path / "o" / name).stat().st_mode & 0o777 == 0o644, name


# ----------------------------------------------------------------------------- bad input
BAD_INPUT = {
    "malformed_toml": ("[culture\nspin = 0.1\n", [], "malformed TOML"),
    "unknown_key": ("[culture]\nspn = 0.1\n", [], "culture.spn"),
    "wrong_type": ('[organization]\nn_employees = "many"\n', [], "organization.n_employees"),
    "out_of_range": ("[culture]\nspin = 1.5\n", [], "culture.spin"),
    "bad_kind": ('[structure]\nkind = "matrix"\n', [], "structure.kind"),
    "hours_negative": ("", ["--hours", "-1"], "--hours"),
    "hours_zero": ("", ["--hours", "0"], "--hours"),
    "hours_text": ("", ["--hours", "abc"], "--hours"),
    "seed_negative": ("", ["--seed", "-3"], "--seed"),
    "seed_text": ("", ["--seed", "1.5"], "--seed"),
    "set_without_equals": ("", ["--set", "nonsense"], "nonsense"),
    "set_bad_address": ("", ["--set", "silos.nosuch.share=1"], "nosuch"),
    "set_out_of_range": ("", ["--set", "culture.spin=2"], "culture.spin"),
    "set_into_scalar": ("", ["--set", "culture.spin.x=1"], "culture.spin"),
}


@pytest.mark.parametrize(
    ("content", "extra", "expected"), list(BAD_INPUT.values()), ids=list(BAD_INPUT)
)
def test_bad_input_exits_2_and_writes_nothing(capsys, tmp_path, content, extra, expected):
    scenario = write(tmp_path / "scenario.toml", content)
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", scenario, *extra, "--json", "--out", out_dir)
    assert code == 2, err
    assert expected in err
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert out == ""
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_set_two_levels_into_a_scalar_exits_2(capsys, tmp_path):
    code, _, err = cli(
        capsys, "run", SWITCHBOARD, "--hours", "1", "--set", "culture.spin.x.y=1",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert code == 2, err
    assert "culture.spin" in err


def test_missing_scenario_file_exits_2(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", tmp_path / "nothere.toml", "--out", out_dir)
    assert code == 2
    assert "nothere.toml" in err and "no such scenario file" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and out == ""
    assert not out_dir.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate", "x"],
        [],
        ["run"],
        ["validate"],
        ["run", str(SWITCHBOARD), "--bogus"],
    ],
    ids=["unknown_subcommand", "no_subcommand", "run_no_file", "validate_no_file", "bad_option"],
)
def test_usage_errors_exit_2(capsys, tmp_path, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert err.startswith("error: orgsim")
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and out == ""


def test_unknown_subcommand_names_it(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, "frobnicate", SWITCHBOARD, "--out", out_dir)
    assert code == 2
    assert "frobnicate" in err and "invalid choice" in err
    assert not out_dir.exists()


# ----------------------------------------------------------------------------- internal errors
def test_internal_error_exits_1(capsys, monkeypatch, tmp_path):
    import sim.model

    def boom(self, hours, progress=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.model.OrgModel, "run_hours", boom)
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", SWITCHBOARD, *SMALL, "--hours", "1", "--out", out_dir)
    assert code == 1
    assert "internal error" in err and "boom" in err and "RuntimeError" in err
    assert "Traceback" not in err
    assert out == ""
    assert not out_dir.exists()


def test_failed_write_leaves_no_manifest_and_no_temporary_files(capsys, monkeypatch, tmp_path):
    original = pd.DataFrame.to_parquet
    calls: list[Path] = []

    def flaky(self, path, *args, **kwargs):
        calls.append(Path(path))
        if len(calls) == 2:
            Path(path).write_bytes(b"PAR1 half a file")  # fail midway through the write
            raise OSError("disk full")
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", flaky)
    out_dir = tmp_path / "out"
    code, out, err = cli(capsys, "run", SWITCHBOARD, "--hours", "1", *SMALL, "--out", out_dir)
    assert code == 1
    assert "internal error" in err and "disk full" in err
    assert out == ""
    assert "Traceback" not in err
    assert len(calls) == 2
    # the files went into a staging directory beside --out, which is gone with them
    assert all(p.parent.name.startswith(".out.partial.") for p in calls)
    assert not out_dir.exists()  # nothing that looks like a run, finished or not
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- console script
def test_console_script_exit_codes(tmp_path):
    bad = write(tmp_path / "bad.toml", "[culture]\nspin = 1.5\n")
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [str(ORGSIM), "run", str(bad), "--hours", "1", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "culture.spin" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

    result = subprocess.run(
        [str(ORGSIM), "validate", str(SWITCHBOARD)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
    assert "Traceback" not in result.stderr


def test_hours_shorter_than_a_tick_is_bad_input(capsys, tmp_path):
    out = tmp_path / "out"
    code, _, err = cli(capsys, "run", "scenarios/switchboard.toml", "--hours", "0.1", "--out", out)
    assert code == 2
    assert "--hours 0.1" in err and "one tick" in err
    assert not out.exists()
