"""Bad input is a clear exit 2 before any work, outputs never mix two runs, and the
command behaves as a Unix tool (issue 15). The fuzzer is ``tests/test_fuzz.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

import sim.cli
from sim.cli import main, scenario_file_schema
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
DIRECT_DIAL = SCENARIOS / "direct_dial.toml"
ORGSIM = Path(sys.executable).parent / "orgsim"
TINY = [
    "--set", "customers.n_customers=1000", "--set", "organization.n_employees=20",
    "--set", "posting.problem_rate=0.05",
]  # fmt: skip


def cli(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def no_model(monkeypatch):
    """Any attempt to build a model fails the test: bad input must stop before work."""

    def refuse(*args, **kwargs):
        raise AssertionError("a model was built before the input was checked")

    monkeypatch.setattr("sim.model.OrgModel.__init__", refuse)


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------ size bounds


def test_a_tick_too_short_to_finish_is_refused_by_validate(tmp_path, capsys):
    path = write(tmp_path / "tiny.toml", "[time]\ntick_minutes = 1e-300\n")
    code, _, err = cli(capsys, "validate", path)
    assert code == 2
    assert "time.tick_minutes = 1e-300" in err and "ORGSIM_MAX_TICKS" in err


def test_run_hours_beyond_the_tick_bound_is_refused_before_work(capsys, no_model):
    code, _, err = cli(
        capsys, "run", DIRECT_DIAL, "--hours", "100000", "--set", "time.tick_minutes=1"
    )
    line = one_line_error(err)
    assert code == 2
    assert "--hours = 100000" in line and "at most 2,000,000" in line


def test_the_tick_bound_can_be_raised(tmp_path, monkeypatch):
    path = write(tmp_path / "long.toml", "[time]\ntick_minutes = 0.5\nhours = 50000\n")
    with pytest.raises(Exception, match="ORGSIM_MAX_TICKS"):
        load_scenario(path)
    monkeypatch.setenv("ORGSIM_MAX_TICKS", "10000000")
    assert load_scenario(path).time.hours == 50000


def test_too_many_expected_threads_are_refused(capsys, no_model):
    code, _, err = cli(
        capsys,
        "run",
        DIRECT_DIAL,
        "--set",
        "arrivals.mode=poisson",
        "--set",
        "arrivals.threads_per_hour=900000",
        "--hours",
        "100",
    )
    assert code == 2
    assert "ORGSIM_MAX_THREADS" in one_line_error(err)


# ------------------------------------------------------------- output directories


@pytest.mark.parametrize("out", ["/proc/orgsim-test", "/dev/null/x"])
def test_an_unwritable_out_is_found_before_any_work(capsys, no_model, out):
    code, _, err = cli(capsys, "run", DIRECT_DIAL, "--out", out)
    assert code == 2
    assert f"--out {out}" in one_line_error(err)


def test_out_refuses_a_directory_of_someone_elses_files(tmp_path, capsys, no_model):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = cli(capsys, "run", DIRECT_DIAL, "--out", tmp_path)
    assert code == 2
    assert "holds no finished run" in one_line_error(err)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def run_into(capsys, out: Path, seed: int) -> int:
    code, _, _ = cli(
        capsys, "run", DIRECT_DIAL, *TINY, "--hours", "2", "--seed", seed, "--out", out
    )
    return code


def finished_seed(out: Path) -> int:
    """The seed of the complete run in ``out``, after checking it is complete and one run."""
    manifest = json.loads((out / "run.json").read_text())
    series = pd.read_parquet(out / "series.parquet")
    threads = pd.read_parquet(out / "threads.parquet")
    assert manifest["ticks"] == len(series)
    assert manifest["kpis"]["answered_share"] == pytest.approx(
        threads["first_response_hours"].notna().mean(), nan_ok=True
    )
    return manifest["seed"]


@pytest.mark.parametrize("failing_write", [1, 2, 3])
def test_a_run_that_fails_between_writes_leaves_the_old_run_whole(
    tmp_path, capsys, monkeypatch, failing_write
):
    """Seed 1 into a directory; then seed 2 into it fails at its first, second or third
    file. The directory still holds seed 1's complete run, and nothing else."""
    out = tmp_path / "run"
    assert run_into(capsys, out, 1) == 0
    before = sorted(p.name for p in out.iterdir())
    calls = {"n": 0}
    real_parquet, real_json = pd.DataFrame.to_parquet, sim.cli.write_json

    def count() -> None:
        calls["n"] += 1
        if calls["n"] == failing_write:
            raise OSError("disk full (injected)")

    def parquet(frame, *args, **kwargs):
        count()
        return real_parquet(frame, *args, **kwargs)

    def manifest(*args, **kwargs):
        count()
        return real_json(*args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", parquet)
    monkeypatch.setattr(sim.cli, "write_json", manifest)
    assert run_into(capsys, out, 2) == 1
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == before
    assert finished_seed(out) == 1
    assert not [p for p in tmp_path.iterdir() if p.name != "run"]  # no partial left beside


def test_a_finished_run_replaces_the_previous_one_whole(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_into(capsys, out, 1) == 0
    assert run_into(capsys, out, 2) == 0
    assert finished_seed(out) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


# ------------------------------------------------------------ messages are text


@pytest.mark.parametrize("value", [":smile:", "[bold]x[/bold]"])
def test_values_are_printed_as_given(capsys, value):
    code, _, err = cli(capsys, "run", DIRECT_DIAL, "--set", f"structure.kind={value}")
    assert code == 2
    assert value in one_line_error(err)


def test_a_path_with_emoji_codes_is_printed_as_given(tmp_path, capsys):
    path = write(tmp_path / "x:fire:y.toml", "[culture]\nspin = 3\n")
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "x:fire:y.toml" in err


def test_a_failing_extends_names_the_file_that_refers_to_it(tmp_path, capsys):
    path = write(tmp_path / "child.toml", 'extends = "/etc/passwd"\n')
    code, _, err = cli(capsys, "validate", path)
    assert code == 2
    assert f"{path}: extends = '/etc/passwd': /etc/passwd: malformed TOML" in err


def test_an_error_in_a_set_value_names_the_set(capsys):
    code, _, err = cli(capsys, "run", DIRECT_DIAL, "--set", "culture.spin=2")
    assert code == 2
    assert "--set culture.spin=2: culture.spin = 2: must be <= 1" in one_line_error(err)


def test_a_short_run_length_in_the_file_is_blamed_on_the_file(tmp_path, capsys):
    path = write(tmp_path / "short.toml", "[time]\nhours = 0.1\n")
    code, _, err = cli(capsys, "run", path)
    assert code == 2
    assert f"{path}: time.hours 0.1: shorter than one tick" in one_line_error(err)


def test_an_edge_list_that_is_not_one_gives_the_line_number_not_its_text(tmp_path, capsys):
    secret = "root:x:0:0:root:/root:/bin/bash"
    edges = write(tmp_path / "edges.txt", f"0 1\n{secret}\n")
    path = write(
        tmp_path / "g.toml",
        f'[graph]\nkind = "edge_list"\npath = "{edges}"\n[customers]\nn_customers = 10\n',
    )
    code, _, err = cli(capsys, "run", path, "--hours", "1")
    assert code == 2
    line = one_line_error(err)
    assert "line 2" in line and secret not in line


@pytest.mark.parametrize("target", ["missing.txt", "."])
def test_an_edge_list_path_is_checked_by_validate(tmp_path, capsys, target):
    path = write(tmp_path / "g.toml", f'[graph]\nkind = "edge_list"\npath = "{target}"\n')
    code, _, err = cli(capsys, "validate", path)
    assert code == 2 and "graph.path" in err


# ------------------------------------------------------------------ as a Unix tool


def test_a_closed_pipe_is_not_an_error():
    """``orgsim run ... --json | head -c 50``: exit 0 and nothing on stderr."""
    command = f"'{ORGSIM}' run '{DIRECT_DIAL}' {' '.join(TINY)} --hours 2 --json | head -c 50"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("{")


def test_an_internal_error_is_one_line_with_a_hint_and_debug_shows_the_traceback(
    capsys, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sim.cli, "_validate", broken)
    monkeypatch.setitem(sim.cli.COMMANDS, "validate", broken)
    code, _, err = cli(capsys, "validate", DIRECT_DIAL)
    assert code == 1
    assert err.strip() == (
        "internal error: RuntimeError: boom "
        "(run with --debug, or ORGSIM_DEBUG=1, for the traceback)"
    )
    code, _, err = cli(capsys, "--debug", "validate", DIRECT_DIAL)
    assert code == 1 and "Traceback (most recent call last)" in err and "boom" in err
    monkeypatch.setenv("ORGSIM_DEBUG", "1")
    code, _, err = cli(capsys, "validate", DIRECT_DIAL)
    assert "Traceback" in err


def test_help_and_validate_load_neither_mesa_nor_pandas_nor_matplotlib():
    """What makes ``orgsim --help`` slow is importing the model's heavy libraries; the
    command line and ``validate`` must not need them (times: docs/PERFORMANCE.md)."""
    probe = (
        "import sys; from sim.cli import main; import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        f"    main(['validate', {str(DIRECT_DIAL)!r}])\n"
        "print(sorted(m for m in ('mesa', 'pandas', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------------ schema


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_is_valid_against_the_printed_schema(path):
    import tomllib

    document = tomllib.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, scenario_file_schema())


def test_the_printed_schema_refuses_what_the_loader_refuses():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"culture": {"spin": 2}}, scenario_file_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"culture": {"spinn": 0.1}}, scenario_file_schema())


def test_schema_command_prints_the_file_schema(capsys):
    code, out, _ = cli(capsys, "schema")
    assert code == 0
    assert json.loads(out)["properties"]["extends"]["type"] == "string"


def test_debug_variable_zero_means_off(monkeypatch, capsys):
    monkeypatch.setenv("ORGSIM_DEBUG", "0")
    monkeypatch.setitem(sim.cli.COMMANDS, "validate", lambda *a: 1 / 0)
    code, _, err = cli(capsys, "validate", DIRECT_DIAL)
    assert code == 1 and "Traceback" not in err
    assert os.environ["ORGSIM_DEBUG"] == "0"


def test_too_many_customers_are_refused_and_the_bound_can_be_raised(tmp_path, monkeypatch):
    path = write(tmp_path / "big.toml", "[customers]\nn_customers = 60000000\n")
    with pytest.raises(Exception, match="at most 50,000,000 \\(set ORGSIM_MAX_CUSTOMERS"):
        load_scenario(path)
    monkeypatch.setenv("ORGSIM_MAX_CUSTOMERS", "100000000")
    monkeypatch.setenv("ORGSIM_MAX_THREADS", "10000000000")
    assert load_scenario(path).customers.n_customers == 60_000_000
