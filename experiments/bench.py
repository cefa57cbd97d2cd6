"""``orgsim bench``: the performance reference workload (docs/PERFORMANCE.md).

Runs ``scenarios/benchmark_1m.toml`` (or a smaller world with ``--customers``) for
each structure in a fresh process, and reports the physical yardstick measured in the
same process: one CSR sparse matrix-vector product over the same graph (the cost of
touching every edge once; word of mouth reads only its candidates' rows). Targets:
median tick / SpMV <= 3 (stretch 1.5), whole run <= 60 s, peak RSS <= 1.5 GB, graph
setup <= 10 s, scaling exponent <= 1.1.

Registered with ``orgsim`` through the ``orgsim.commands`` entry point.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from experiments.cli import shipped_scenario
from sim.cli import Handler, parse_seed, whole_number
from sim.organization import structure_names
from sim.outputs import atomic_write, check_output_directory, jsonable, write_json
from sim.scenario import load_scenario
from sim.stopwatch import PARTS

if TYPE_CHECKING:  # (imported when a benchmark runs: ``orgsim --help`` stays fast)
    from experiments.runner import FinishedRun, Job, Measurement
    from sim.model import OrgModel
    from sim.scenario import Scenario

__all__ = [
    "BENCHMARK_SCENARIO",
    "median_tick",
    "reference_tick",
    "register",
    "scaling_exponent",
    "spmv_seconds",
    "time_ticks",
]

BENCHMARK_SCENARIO = "scenarios/benchmark_1m.toml"
DEFAULT_STRUCTURES = ("coached_direct_dial", "switchboard")
SCALING_SIZES = (10_000, 100_000, 1_000_000)
SPMV_REPEATS = 20


def spmv_seconds(model: OrgModel) -> float:
    """Median seconds of one SpMV over the model's follower graph (float32 data)."""
    matrix = model.follower_matrix()
    x = np.ones(matrix.shape[1], dtype=np.float32)
    times = []
    for _ in range(SPMV_REPEATS):
        started = time.perf_counter()
        matrix @ x
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def _tick_seconds(model: Any, ticks: int) -> list[float]:  # an OrgModel or a ReferenceModel
    times = []
    for _ in range(ticks):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return times


def time_ticks(model: OrgModel, job: Job, *, ticks: int) -> dict[str, Any]:
    """The benchmark's runner measurement: time ``ticks`` ticks one by one (the
    stopwatch on), then one SpMV over the same graph. Meant to run in a fresh process
    so that ``peak_rss_mb`` is this run's own; :func:`_record` adds the setup time."""
    model.stopwatch.enabled = True
    run_started = time.perf_counter()
    ticks_seconds = _tick_seconds(model, ticks)
    run = time.perf_counter() - run_started
    spmv = spmv_seconds(model)
    median_tick = float(np.median(ticks_seconds))
    size = model.size()
    return {
        "structure": model.scenario_spec.structure.kind,
        "customers": size["customers"],
        "edges": size["edges"],
        "employees": size["employees"],
        "ticks": ticks,
        "graph_setup_seconds": size["graph_setup_seconds"],
        "run_seconds": run,
        "median_tick_ms": 1e3 * median_tick,
        "spmv_ms": 1e3 * spmv,
        "tick_over_spmv": median_tick / spmv,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "parts_ms": {part: 1e3 * v for part, v in model.stopwatch.medians().items()},
        "threads": size["threads"],
    }


RECORD = (
    "structure",
    "customers",
    "edges",
    "employees",
    "ticks",
    "graph_setup_seconds",
    "setup_seconds",
    "run_seconds",
    "wall_seconds",
    "median_tick_ms",
    "spmv_ms",
    "tick_over_spmv",
    "peak_rss_mb",
    "parts_ms",
    "threads",
)
"""The fields of one benchmark run in ``bench.json``, in order."""


def _record(run: FinishedRun) -> dict[str, Any]:
    """A benchmark run's row: :func:`time_ticks`'s timings and the model's setup."""
    row = dict(run.measured)
    row["setup_seconds"] = run.setup_seconds
    row["wall_seconds"] = run.setup_seconds + row["run_seconds"]
    return {key: row[key] for key in RECORD}


def median_tick(model: OrgModel, job: Job, *, ticks: int) -> float:
    """Runner measurement of the core's side of the docking comparison: the median
    milliseconds of ``ticks`` ticks after the job's warm-up hours."""
    return 1e3 * float(np.median(_tick_seconds(model, ticks)))


def reference_tick(scenario: Scenario, warm_hours: float, ticks: int, seed: int) -> float:
    """The docking reference's side (one object per agent, :mod:`sim.reference`): the
    median milliseconds of ``ticks`` ticks after ``warm_hours``. Not an ``OrgModel``,
    so not a runner job; the same world and seed as :func:`median_tick`'s job."""
    from sim.reference import ReferenceModel

    model = ReferenceModel(scenario, rng=seed)
    model.run_hours(warm_hours)
    return 1e3 * float(np.median(_tick_seconds(model, ticks)))


def scaling_exponent(customers: list[int], tick_ms: list[float]) -> float:
    """Least-squares slope of log(tick time) against log(customers)."""
    slope, _ = np.polyfit(np.log(customers), np.log(tick_ms), 1)
    return float(slope)


def _fresh_process() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _run_fresh(jobs: list[Job], measure: Measurement) -> list[FinishedRun]:
    """Each job in its own spawned process, one at a time (timings stay clean)."""
    from experiments.runner import run_jobs

    finished = []
    for job in jobs:
        with _fresh_process() as pool:
            finished.extend(run_jobs([job], measure, pool))
    return finished


def _speedup(scenario_file: str, customers: int, kind: str, err: Console) -> dict[str, Any]:
    """Median tick of the core and of the docking reference on one world, each in its
    own process, after a 12-hour warm-up (seed 0, 20 ticks)."""
    err.print(f"speed-up against the docking reference at {customers:,} customers ...")
    scenario = load_scenario(
        scenario_file, [f"customers.n_customers={customers}", f"structure.kind={kind}"]
    )
    from experiments.runner import jobs_on_seeds

    warm_hours, ticks, seed = 12.0, 20, 0
    (run,) = _run_fresh(
        jobs_on_seeds([scenario], [seed], warm_hours), partial(median_tick, ticks=ticks)
    )
    with _fresh_process() as pool:
        reference = pool.submit(reference_tick, scenario, warm_hours, ticks, seed).result()
    return {
        "customers": customers,
        "core_tick_ms": run.measured,
        "reference_tick_ms": reference,
        "speedup": reference / run.measured,
    }


def _benchmark(
    scenario_file: str, worlds: list[list[str]], ticks: int, seed: int
) -> list[dict[str, Any]]:
    """One benchmark run of ``ticks`` ticks per world (a list of overrides)."""
    from experiments.runner import jobs_on_seeds

    scenarios = [load_scenario(scenario_file, world) for world in worlds]
    jobs = jobs_on_seeds(scenarios, [seed], 0.0)
    return [_record(run) for run in _run_fresh(jobs, partial(time_ticks, ticks=ticks))]


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="orgsim bench")
    table.add_column("structure")
    for column in ("customers", "edges", "setup s", "graph s", "SpMV ms", "tick ms", "ratio"):
        table.add_column(column, justify="right")
    table.add_column("wall s", justify="right")
    table.add_column("peak RSS MB", justify="right")
    for r in results:
        table.add_row(
            r["structure"],
            f"{r['customers']:,}",
            f"{r['edges']:,}",
            f"{r['setup_seconds']:.2f}",
            f"{r['graph_setup_seconds']:.2f}",
            f"{r['spmv_ms']:.2f}",
            f"{r['median_tick_ms']:.2f}",
            f"{r['tick_over_spmv']:.2f}",
            f"{r['wall_seconds']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
    return table


def _parts_table(results: list[dict[str, Any]]) -> Table:
    table = Table(title="median ms per tick, by part")
    table.add_column("structure")
    for part in PARTS:
        table.add_column(part, justify="right")
    for r in results:
        table.add_row(r["structure"], *(f"{r['parts_ms'][p]:.2f}" for p in PARTS))
    return table


def _scaling_figure(
    path: Path, rows: list[dict[str, Any]], exponent: float, reference: list[dict[str, Any]]
) -> None:
    """Tick time against world size, with the SpMV yardstick and, when it was timed,
    the docking reference (one object per agent) labelled with the speed-up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([r["customers"] for r in rows], float)
    tick = np.array([r["median_tick_ms"] for r in rows])
    spmv = np.array([r["spmv_ms"] for r in rows])
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.loglog(n, tick, "o-", label=f"median tick (slope {exponent:.2f})")
    ax.loglog(n, spmv, "s--", label="one SpMV over the same graph")
    ax.loglog(n, tick[0] * n / n[0], ":", color="grey", label="linear in customers")
    if reference:  # the comparison runs: warmed up, median of 20 ticks, each in its process
        ref_n = np.array([r["customers"] for r in reference], float)
        ref_tick = np.array([r["reference_tick_ms"] for r in reference])
        core_tick = np.array([r["core_tick_ms"] for r in reference])
        ax.loglog(ref_n, ref_tick, "^-.", label="docking reference, one object per agent")
        ax.loglog(ref_n, core_tick, "x", color="C0", label="core in the same comparison")
        for n_customers, top, bottom in zip(ref_n, ref_tick, core_tick, strict=True):
            ax.annotate(
                f"{top / bottom:.0f}x",
                (n_customers, top),
                textcoords="offset points",
                xytext=(6, -12),
            )
    ax.set_xlabel("customers (mean out-degree 10)")
    ax.set_ylabel("milliseconds")
    ax.set_title(f"Tick time against world size ({rows[0]['structure']})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=120))
    plt.close(fig)


def _bench(args: argparse.Namespace, out: Console, err: Console) -> int:
    scenario_file = str(args.scenario or shipped_scenario(BENCHMARK_SCENARIO))
    base = load_scenario(scenario_file)  # bad file or key: exit 2 before any work
    if args.out:
        check_output_directory(args.out, "--out")  # (files are replaced one by one)
    ticks = args.ticks or round(base.time.hours / base.time.tick_hours)
    structures = args.structure or list(DEFAULT_STRUCTURES)
    customers = args.customers or base.customers.n_customers
    worlds = [[f"customers.n_customers={customers}", f"structure.kind={s}"] for s in structures]
    err.print(f"running {len(worlds)} benchmark run(s) of {ticks} ticks ...", highlight=False)
    results = _benchmark(scenario_file, worlds, ticks, args.seed)
    report: dict[str, Any] = {"scenario": scenario_file, "runs": results}
    if args.scaling:
        kind = structures[0]
        scaling_worlds = [
            [f"customers.n_customers={n}", f"structure.kind={kind}"] for n in SCALING_SIZES
        ]
        err.print(f"scaling: {SCALING_SIZES} customers, {args.scaling_ticks} ticks each ...")
        rows = _benchmark(scenario_file, scaling_worlds, args.scaling_ticks, args.seed)
        exponent = scaling_exponent(
            [r["customers"] for r in rows], [r["median_tick_ms"] for r in rows]
        )
        report["scaling"] = {"runs": rows, "exponent": exponent}
    if args.reference:
        report["reference"] = [
            _speedup(scenario_file, n, structures[0], err) for n in args.reference
        ]
    if args.out:
        write_json(args.out / "bench.json", report)
        if args.scaling:
            scaling = report["scaling"]
            _scaling_figure(
                args.out / "scaling.png",
                scaling["runs"],
                scaling["exponent"],
                report.get("reference", []),
            )
    if args.json:
        print(json.dumps(jsonable(report), allow_nan=False))
        return 0
    out.print(_table(results))
    out.print(_parts_table(results))
    if args.scaling:
        out.print(_table(report["scaling"]["runs"]))
        out.print(f"scaling exponent (tick time vs customers): {report['scaling']['exponent']:.2f}")
    for row in report.get("reference", []):
        out.print(
            f"{row['customers']:,} customers: core {row['core_tick_ms']:.2f} ms/tick, "
            f"reference {row['reference_tick_ms']:.2f} ms/tick, speed-up {row['speedup']:.1f}x"
        )
    return 0


def register(commands: argparse._SubParsersAction) -> dict[str, Handler]:
    """Add ``orgsim bench`` to the ``orgsim`` command."""
    parser = commands.add_parser(
        "bench",
        help="run the performance reference workload",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument(
        "--customers",
        type=whole_number("--customers", 100),
        help="world size (default: the file's, 1,000,000)",
    )
    parser.add_argument(
        "--ticks",
        type=whole_number("--ticks", 1),
        help="ticks per run (default: the file's, 1,000)",
    )
    parser.add_argument(
        "--structure",
        action="append",
        choices=structure_names(),
        help="repeatable (default: coached_direct_dial and switchboard)",
    )
    parser.add_argument("--scenario", help=f"scenario file (default {BENCHMARK_SCENARIO})")
    parser.add_argument("--seed", type=parse_seed, default=0)
    parser.add_argument(
        "--scaling", action="store_true", help="also time 10k, 100k and 1M customers"
    )
    parser.add_argument("--scaling-ticks", type=whole_number("--scaling-ticks", 10), default=200)
    parser.add_argument(
        "--reference",
        type=whole_number("--reference", 100),
        action="append",
        metavar="N",
        help=(
            "also time the docking reference against the core at N customers (repeatable; "
            "the reference at 1,000,000 takes about 3 minutes and 4 GB)"
        ),
    )
    parser.add_argument("--out", type=Path, help="write bench.json (and scaling.png) here")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return {"bench": _bench}
