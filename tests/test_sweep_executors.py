"""The executors of the one runner (issue 16): the SLURM code path builds a
dask-jobqueue cluster from its configuration (SLURM itself cannot run here), and an
unreachable scheduler is bad input."""

from __future__ import annotations

import typing

import pytest

from experiments import runner
from sim.cli import main
from tests.sweep_cases import write_sweep


class FakeCluster:
    made: typing.ClassVar[list[dict]] = []

    def __init__(self, **options):
        self.options = options
        self.jobs = 0
        self.closed = False
        FakeCluster.made.append(self.__dict__)

    def scale(self, jobs):
        self.jobs = jobs

    def close(self):
        self.closed = True


def test_the_slurm_configuration_builds_and_scales_a_jobqueue_cluster(monkeypatch):
    jobqueue = pytest.importorskip("dask_jobqueue")
    monkeypatch.setattr(jobqueue, "SLURMCluster", FakeCluster)
    config = {"jobs": 3, "cores": 4, "memory": "8GB", "queue": "normal", "walltime": "02:00:00"}
    cluster = runner.slurm_cluster(config)
    assert cluster.options == {
        "cores": 4,
        "memory": "8GB",
        "queue": "normal",
        "walltime": "02:00:00",
    }
    assert cluster.jobs == 3
    assert config["jobs"] == 3  # the caller's table is left alone


def test_sweep_with_slurm_connects_a_client_to_the_cluster(tmp_path, monkeypatch):
    jobqueue = pytest.importorskip("dask_jobqueue")
    FakeCluster.made.clear()

    class Scheduled(FakeCluster):
        scheduler_address = "tcp://127.0.0.1:1"

    monkeypatch.setattr(jobqueue, "SLURMCluster", Scheduled)
    addresses = []

    def no_client(address):
        addresses.append(address)
        raise OSError("no scheduler here")

    monkeypatch.setattr(runner, "dask_client", no_client)
    config = tmp_path / "slurm.toml"
    config.write_text('[slurm]\njobs = 2\ncores = 8\nmemory = "16GB"\n', encoding="utf-8")
    path = write_sweep(tmp_path)
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--slurm", str(config)])
    assert addresses == ["tcp://127.0.0.1:1"]
    assert FakeCluster.made[-1]["jobs"] == 2 and FakeCluster.made[-1]["closed"]
    assert code == 1  # (the fake cluster has no scheduler: an internal error, not bad input)


def test_an_unreachable_scheduler_is_bad_input(tmp_path, capsys, monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setenv("ORGSIM_DASK_TIMEOUT", "1s")
    path = write_sweep(tmp_path)
    code = main(
        ["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert code == 2
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # refused before any work


def test_run_missing_replaces_an_executor_that_lost_a_worker(monkeypatch):
    """The resume loop shared by compare and sweep: a broken pool is replaced and the
    runs not yet recorded are sent again, each recorded once."""
    import contextlib
    from concurrent.futures import Executor, Future
    from concurrent.futures.process import BrokenProcessPool

    from sim.scenario import load_scenario
    from tests.sweep_cases import SCENARIOS

    class Breaks(Executor):
        def __init__(self, after: int | None) -> None:
            self.after = after

        def submit(self, fn, *args, **kwargs):
            future: Future = Future()
            if self.after is not None and self.after <= 0:
                future.set_exception(BrokenProcessPool("a worker died"))
            else:
                future.set_result(fn(*args, **kwargs))
                self.after = None if self.after is None else self.after - 1
            return future

    opened = []

    @contextlib.contextmanager
    def fake(workers=1, scheduler=None, slurm=None):
        opened.append(workers)
        yield runner.Pool(Breaks(2 if len(opened) == 1 else None), 1, "fake")

    monkeypatch.setattr(runner, "open_executor", fake)
    scenario = load_scenario(SCENARIOS / "switchboard.toml", ["customers.n_customers=300"])
    jobs = runner.jobs_for([scenario], 5, seed=0, hours=1)
    recorded = {}
    notices = []
    tally = runner.run_missing(
        lambda: [job for job in jobs if job.key not in recorded],
        lambda run: recorded.__setitem__(run.key, run),
        measure=lambda model, job: job.key,
        notice=notices.append,
    )
    assert sorted(recorded) == [job.key for job in jobs]
    assert tally.restarts == 1 and tally.finished == 5 and len(opened) == 2
    assert notices and "a worker was lost" in notices[0]
