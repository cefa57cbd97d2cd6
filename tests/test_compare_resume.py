"""``orgsim compare --out DIR`` survives a crash (issue 15): killed part way with
SIGKILL, a rerun runs only the missing runs, and its tables equal an uninterrupted
comparison's, row for row."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ORGSIM = Path(sys.executable).parent / "orgsim"
ARGS = [
    str(ROOT / "scenarios" / "switchboard.toml"),
    str(ROOT / "scenarios" / "direct_dial.toml"),
    "-r",
    "4",
    "--hours",
    "24",
    "--set",
    "customers.n_customers=2000",
    "--workers",
    "1",
]


def compare(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ORGSIM), "compare", *ARGS, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_killed_comparison_resumes_and_equals_an_uninterrupted_one(tmp_path):
    whole = tmp_path / "whole"
    assert compare(whole).returncode == 0

    out = tmp_path / "resumed"
    journal = tmp_path / ".resumed.runs"
    process = subprocess.Popen(
        [str(ORGSIM), "compare", *ARGS, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(journal.glob("run-*.pickle"))) < 3:
        assert process.poll() is None, "the comparison ended before it could be killed"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = len(list(journal.glob("run-*.pickle")))
    assert 3 <= kept < 8
    assert not (out / "compare.json").exists()  # nothing that looks finished

    again = compare(out)
    assert again.returncode == 0, again.stderr
    assert f"resuming: {kept} of 8 run(s) finished earlier" in again.stderr
    assert not journal.exists()
    for table in ("runs.parquet", "summary.parquet"):
        resumed, uninterrupted = pd.read_parquet(out / table), pd.read_parquet(whole / table)
        pd.testing.assert_frame_equal(resumed, uninterrupted, check_exact=True)
    runs = pd.read_parquet(out / "runs.parquet")
    assert not runs.duplicated(["scenario_index", "replication"]).any() and len(runs) == 8
    manifest = json.loads((out / "compare.json").read_text())
    assert manifest["runs_resumed"] == kept


def test_a_journal_of_another_comparison_is_discarded(tmp_path):
    out = tmp_path / "out"
    journal = tmp_path / ".out.runs"
    journal.mkdir()
    (journal / "plan.json").write_text(json.dumps({"digest": "something else"}))
    (journal / "run-0-0.pickle").write_bytes(b"not a run")
    done = compare(out)
    assert done.returncode == 0, done.stderr
    assert "discarded 1 run(s) of another comparison" in done.stderr
    assert "resuming" not in done.stderr
