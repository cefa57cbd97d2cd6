"""Sweep benchmarks (issue 16); they report and never assert a speed.

- The coordinator's peak RSS for sweeps of 100 and 1,000 small runs (target: the
  second within 10 % of the first): the runs go to 2 worker processes, so the
  coordinator's own memory is measured (``manifest.json``'s
  ``coordinator_peak_rss_mb``, from ``getrusage``).
- Throughput of the essay claims' small world with 1 and 2 workers (target: >= 1.8x)
  and the dispatch overhead per run: (wall time x workers - compute time) / compute
  time, where compute time is every run's own wall time, summed.

    .venv/bin/python -m pytest tests/test_sweep_benchmark.py --benchmark-only -s
"""

from __future__ import annotations

import json
import time

import pytest

from tests.sweep_cases import SCENARIOS, orgsim

TINY = (
    '"customers.n_customers=300", "organization.n_employees=20", '
    '"arrivals.mode=\\"poisson\\"", "arrivals.threads_per_hour=2.0"'
)
SMALL = (
    '"customers.n_customers=3000", "organization.n_employees=100", '
    '"posting.problem_rate=0.015", "posting.question_rate=0.003"'
)


def _sweep_file(folder, world: str, size: int, replications: int, hours: float):
    text = (
        f'base = ["{SCENARIOS / "direct_dial.toml"}"]\nset = [{world}]\n'
        '[levers]\n"culture.silo_permeability" = { range = [0.1, 1.0] }\n'
        f'[design]\nsampler = "latin_hypercube"\nsize = {size}\n'
        f"replications = {replications}\nhours = {hours}\n"
    )
    path = folder / f"sweep-{size}-{replications}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(path, out, workers: int) -> dict:
    done = orgsim("sweep", path, "--out", out, "--workers", str(workers))
    assert done.returncode == 0, done.stderr
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize("runs", [100, 1000])
def test_coordinator_peak_rss(benchmark, tmp_path, runs):
    path = _sweep_file(tmp_path, TINY, runs // 2, 2, 4)
    manifests = []
    benchmark.pedantic(
        lambda: manifests.append(_run(path, tmp_path / f"out{len(manifests)}", 2)),
        rounds=1,
        iterations=1,
    )
    attempt = manifests[-1]["last_attempt"]
    benchmark.extra_info["runs"] = runs
    benchmark.extra_info["coordinator_peak_rss_mb"] = attempt["coordinator_peak_rss_mb"]
    print(f"\n{runs} runs: coordinator peak RSS {attempt['coordinator_peak_rss_mb']} MB")


@pytest.mark.parametrize("workers", [1, 2])
def test_throughput_of_the_small_world(benchmark, tmp_path, workers):
    """Steady state: the pool is started and warmed (one run per worker) first, so
    the figure is the runner's, not the processes' start-up (about 2 s each)."""
    from experiments.runner import FinishedRun, iter_runs, open_executor
    from experiments.sweep.designs import design_table
    from experiments.sweep.execution import KpiMeasurement, sweep_jobs
    from experiments.sweep.spec import load_sweep

    spec = load_sweep(_sweep_file(tmp_path, SMALL, 12, 2, 72))
    jobs = list(sweep_jobs(spec, design_table(spec)))
    measure = KpiMeasurement(spec.design.kpis)
    with open_executor(workers) as pool:
        list(iter_runs(jobs[:workers], measure, pool.executor))  # warm every worker
        finished: list[FinishedRun] = []

        def sweep() -> None:
            finished.extend(iter_runs(jobs, measure, pool.executor, 2 * workers + 2))

        started = time.perf_counter()
        benchmark.pedantic(sweep, rounds=1, iterations=1)
        wall = time.perf_counter() - started
    compute = sum(run.seconds for run in finished)
    overhead = (wall * workers - compute) / compute
    per_minute = 60 * len(finished) / wall
    benchmark.extra_info.update(
        workers=workers, runs_per_minute=round(per_minute, 1), dispatch_overhead=round(overhead, 4)
    )
    print(
        f"\n{workers} worker(s): {per_minute:.1f} runs/min, overhead {overhead:.1%}, "
        f"{compute / len(finished):.3f} s per run"
    )
