"""Running sweeps (issue 16): common random numbers, byte-identical tables whatever
the executor, resume after SIGKILL, failures, a real dask cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

from experiments.runner import run_job
from experiments.sweep import execution
from experiments.sweep.designs import design_table
from experiments.sweep.spec import load_sweep
from sim.cli import main
from tests.sweep_cases import ROOT, orgsim, write_sweep

DESIGN = 'sampler = "latin_hypercube"\nsize = 4\nreplications = 2\nhours = 12'


def _sweep(tmp_path, design: str = DESIGN, **kwargs):
    return write_sweep(tmp_path, design=design, **kwargs)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted sweep in this process: (sweep file, its runs.parquet bytes)."""
    folder = tmp_path_factory.mktemp("reference")
    path = _sweep(folder)
    assert main(["sweep", str(path), "--out", str(folder / "out"), "--workers", "1"]) == 0
    return path, (folder / "out" / "runs.parquet").read_bytes()


def _posts_before_first_answer(model, job):
    threads = model.threads()
    first = np.nanmin(threads["first_response_hours"] + threads["created_hours"])
    early = threads[threads["created_hours"] < first]
    return early[["author", "kind", "topic", "created_hours"]].to_records(index=False).tolist()


def test_common_random_numbers_same_posts_before_the_org_answers(tmp_path):
    path = write_sweep(
        tmp_path,
        levers='"culture.honesty" = { range = [0.0, 1.0] }',
        design='sampler = "latin_hypercube"\nsize = 3\nreplications = 2\nhours = 12',
        bases=("switchboard",),
    )
    spec = load_sweep(path)
    jobs = list(execution.sweep_jobs(spec, design_table(spec)))
    assert len({job.scenario.culture.honesty for job in jobs}) == 3
    posts = {job.key: run_job(job, _posts_before_first_answer).measured for job in jobs}
    for k in (0, 1):
        same = [posts[(p, k)] for p in range(3)]
        assert same[0] and all(other == same[0] for other in same)
    assert posts[(0, 0)] != posts[(0, 1)]


def test_one_and_two_workers_give_byte_identical_tables(tmp_path, reference):
    path, expected = reference
    assert main(["sweep", str(path), "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    assert (tmp_path / "two" / "runs.parquet").read_bytes() == expected
    runs = pd.read_parquet(tmp_path / "two" / "runs.parquet")
    assert len(runs) == 16 and not runs.duplicated(["point", "replication"]).any()
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sweep_sha256"]
    assert len(manifest["seeds"]["replications"]) == 2 and manifest["design"]["points"] == 8
    assert manifest["bases"][0]["scenario"]["customers"]["n_customers"] == 3000


def test_resume_after_sigkill_equals_an_uninterrupted_sweep(tmp_path, reference):
    path, expected = reference
    out = tmp_path / "out"
    script = str(ROOT / ".venv" / "bin" / "orgsim")
    script = (
        script
        if os.path.exists(script)
        else os.path.join(os.path.dirname(sys.executable), "orgsim")
    )
    process = subprocess.Popen(
        [script, "sweep", str(path), "--out", str(out), "--workers", "1", "--part-rows", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("parts/part-*.parquet"))) < 2:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    parts = len(list(out.glob("parts/part-*.parquet")))
    assert 2 <= parts < 8, "killed before or after the parts it needed"
    assert not (out / "runs.parquet").exists()
    refused = orgsim("sweep", path, "--out", out)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = orgsim("sweep", path, "--out", out, "--resume", "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr
    assert (out / "runs.parquet").read_bytes() == expected
    runs = pd.read_parquet(out / "runs.parquet")
    assert not runs.duplicated(["point", "replication"]).any() and len(runs) == 16


def test_a_directory_of_another_sweep_file_is_refused(tmp_path, reference, capsys):
    path, _ = reference
    out = tmp_path / "out"
    other = _sweep(tmp_path, design=DESIGN.replace("size = 4", "size = 2"), name="other.toml")
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 2
    assert "made by another sweep file" in capsys.readouterr().err


def test_a_failing_run_is_recorded_and_the_sweep_exits_1(tmp_path, monkeypatch, capsys):
    original = execution.KpiMeasurement.__call__

    def failing(self, model, job):
        if job.key == (1, 0):
            raise RuntimeError("boom at point 1")
        return original(self, model, job)

    monkeypatch.setattr(execution.KpiMeasurement, "__call__", failing)
    path = _sweep(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 1
    assert "point 1 replication 0: RuntimeError: boom at point 1" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["failures"] == [
        {"point": 1, "replication": 0, "error": "RuntimeError: boom at point 1"}
    ]
    assert len(pd.read_parquet(out / "runs.parquet")) == 15
    monkeypatch.setattr(execution.KpiMeasurement, "__call__", original)
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1"]) == 0
    assert json.loads((out / "manifest.json").read_text())["failures"] == []
    assert len(pd.read_parquet(out / "runs.parquet")) == 16


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local, client


def test_a_dask_cluster_gives_the_local_table_byte_for_byte(tmp_path, reference, cluster):
    path, expected = reference
    local, _ = cluster
    out = tmp_path / "out"
    assert (
        main(["sweep", str(path), "--out", str(out), "--scheduler", local.scheduler_address]) == 0
    )
    assert (out / "runs.parquet").read_bytes() == expected
    assert (
        "dask scheduler" in json.loads((out / "manifest.json").read_text())["last_attempt"]["where"]
    )


@pytest.fixture(scope="module")
def longer(tmp_path_factory):
    """A sweep long enough to kill a worker in: (sweep file, its runs.parquet bytes)."""
    folder = tmp_path_factory.mktemp("longer")
    design = 'sampler = "latin_hypercube"\nsize = 8\nreplications = 2\nhours = 24'
    path = _sweep(folder, design=design)
    assert main(["sweep", str(path), "--out", str(folder / "out"), "--workers", "1"]) == 0
    return path, (folder / "out" / "runs.parquet").read_bytes()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the pool's processes in /proc")
def test_killing_a_local_worker_loses_nothing(tmp_path, longer):
    path, expected = longer
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "orgsim"),
            "sweep",
            str(path),
            "--out",
            str(out),
            "--workers",
            "2",
            "--part-rows",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("parts/part-*.parquet"))) < 3:
        time.sleep(0.02)
    workers = [p for p in _children(process.pid) if "spawn_main" in _cmdline(p)]
    assert workers, "no pool worker found"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "a worker was lost" in stderr
    assert (out / "runs.parquet").read_bytes() == expected


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def test_killing_a_dask_worker_loses_nothing(tmp_path, cluster, longer):
    local, client = cluster
    path, expected = longer
    out = tmp_path / "out"
    codes = []
    argv = [
        "sweep",
        str(path),
        "--out",
        str(out),
        "--scheduler",
        local.scheduler_address,
        "--part-rows",
        "1",
    ]
    worker = threading.Thread(target=lambda: codes.append(main(argv)))
    worker.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("parts/part-*.parquet"))) < 3:
        time.sleep(0.02)
    pids = client.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    worker.join(timeout=300)
    assert codes == [0]
    assert (out / "runs.parquet").read_bytes() == expected


def test_compare_through_a_dask_scheduler_equals_local(tmp_path, cluster):
    """``compare`` dispatches through the same runner and executors as ``sweep``."""
    local, _ = cluster
    common = [
        str(ROOT / "scenarios/switchboard.toml"),
        str(ROOT / "scenarios/direct_dial.toml"),
        "-r",
        "2",
        "--hours",
        "6",
        "--set",
        "customers.n_customers=3000",
    ]
    assert main(["compare", *common, "--workers", "1", "--out", str(tmp_path / "a")]) == 0
    assert (
        main(
            [
                "compare",
                *common,
                "--scheduler",
                local.scheduler_address,
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 0
    )
    a, b = (tmp_path / d / "runs.parquet" for d in "ab")
    assert a.read_bytes() == b.read_bytes()


def test_a_coordinator_killed_before_its_manifest_leaves_a_usable_directory(tmp_path, reference):
    path, expected = reference
    out = tmp_path / "out"
    (out / "parts").mkdir(parents=True)
    (out / ".lock").touch()
    (out / ".manifest.json.abc.tmp").write_text("{", encoding="utf-8")
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "1"]) == 0
    assert (out / "runs.parquet").read_bytes() == expected
    assert not list(out.glob(".*.tmp"))
