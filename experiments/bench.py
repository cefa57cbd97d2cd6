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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from experiments.cli import shipped_scenario
from sim.cli import Handler, parse_seed, whole_number
from sim.organization import structure_names
from sim.outputs import atomic_write, jsonable, write_json
from sim.scenario import load_scenario
from sim.stopwatch import PARTS

__all__ = ["BENCHMARK_SCENARIO", "measure", "register", "scaling_exponent"]

BENCHMARK_SCENARIO = "scenarios/benchmark_1m.toml"
DEFAULT_STRUCTURES = ("coached_direct_dial", "switchboard")
SCALING_SIZES = (10_000, 100_000, 1_000_000)
SPMV_REPEATS = 20


def spmv_seconds(model: Any) -> float:  # model: an OrgModel
    """Median seconds of one SpMV over the model's follower graph (float32 data)."""
    matrix = model.customers.in_neighbours_matrix()
    x = np.ones(matrix.shape[1], dtype=np.float32)
    times = []
    for _ in range(SPMV_REPEATS):
        started = time.perf_counter()
        matrix @ x
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def measure(scenario_file: str, overrides: list[str], ticks: int, seed: int) -> dict[str, Any]:
    """Build and run one model; return its timings. Meant to run in a fresh process
    so that ``peak_rss_mb`` is this run's own."""
    from sim.model import OrgModel

    started = time.perf_counter()
    model = OrgModel(scenario_file, rng=seed, overrides=overrides)
    setup = time.perf_counter() - started
    model.stopwatch.enabled = True
    ticks_seconds = []
    run_started = time.perf_counter()
    for _ in range(ticks):
        tick_started = time.perf_counter()
        model.step()
        ticks_seconds.append(time.perf_counter() - tick_started)
    run = time.perf_counter() - run_started
    spmv = spmv_seconds(model)
    median_tick = float(np.median(ticks_seconds))
    return {
        "structure": model.scenario_spec.structure.kind,
        "customers": model.customers.n,
        "edges": model.customers.graph.n_edges,
        "employees": model.core.org.n_employees,
        "ticks": ticks,
        "graph_setup_seconds": model.customers.graph_seconds,
        "setup_seconds": setup,
        "run_seconds": run,
        "wall_seconds": setup + run,
        "median_tick_ms": 1e3 * median_tick,
        "spmv_ms": 1e3 * spmv,
        "tick_over_spmv": median_tick / spmv,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "parts_ms": {part: 1e3 * v for part, v in model.stopwatch.medians().items()},
        "threads": model.core.threads.size,
    }


def reference_tick(
    implementation: str, scenario_file: str, overrides: list[str], warm_hours: float, ticks: int
) -> dict[str, Any]:
    """Median tick of the vectorized core or of the docking reference (one object per
    agent, :mod:`sim.reference`) on the same world, after a warm-up."""
    if implementation == "reference":
        from sim.reference import ReferenceModel as Model
    else:
        from sim.model import OrgModel as Model
    model = Model(scenario_file, rng=0, overrides=overrides)
    model.run_hours(warm_hours)
    times = []
    for _ in range(ticks):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return {"implementation": implementation, "median_tick_ms": 1e3 * float(np.median(times))}


def scaling_exponent(customers: list[int], tick_ms: list[float]) -> float:
    """Least-squares slope of log(tick time) against log(customers)."""
    slope, _ = np.polyfit(np.log(customers), np.log(tick_ms), 1)
    return float(slope)


def _run_fresh(
    jobs: list[tuple], task: Callable[..., dict[str, Any]] = measure
) -> list[dict[str, Any]]:
    """Each job in its own spawned process, one at a time (timings stay clean)."""
    results = []
    context = multiprocessing.get_context("spawn")
    for job in jobs:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            results.append(pool.submit(task, *job).result())
    return results


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
    ticks = args.ticks or round(base.time.hours * 60 / base.time.tick_minutes)
    structures = args.structure or list(DEFAULT_STRUCTURES)
    sizes = [args.customers or base.customers.n_customers]
    overrides_for = [f"customers.n_customers={sizes[0]}"]
    jobs = [
        (scenario_file, [*overrides_for, f"structure.kind={s}"], ticks, args.seed)
        for s in structures
    ]
    err.print(f"running {len(jobs)} benchmark run(s) of {ticks} ticks ...", highlight=False)
    results = _run_fresh(jobs)
    report: dict[str, Any] = {"scenario": scenario_file, "runs": results}
    if args.scaling:
        kind = structures[0]
        scaling_ticks = args.scaling_ticks
        scaling_jobs = [
            (
                scenario_file,
                [f"customers.n_customers={n}", f"structure.kind={kind}"],
                scaling_ticks,
                args.seed,
            )
            for n in SCALING_SIZES
        ]
        err.print(f"scaling: {SCALING_SIZES} customers, {scaling_ticks} ticks each ...")
        rows = _run_fresh(scaling_jobs)
        exponent = scaling_exponent(
            [r["customers"] for r in rows], [r["median_tick_ms"] for r in rows]
        )
        report["scaling"] = {"runs": rows, "exponent": exponent}
    if args.reference:
        speedups = []
        for n in args.reference:
            world = [f"customers.n_customers={n}", f"structure.kind={structures[0]}"]
            err.print(f"speed-up against the docking reference at {n:,} customers ...")
            core, reference = _run_fresh(
                [(impl, scenario_file, world, 12.0, 20) for impl in ("core", "reference")],
                task=reference_tick,
            )
            speedups.append(
                {
                    "customers": n,
                    "core_tick_ms": core["median_tick_ms"],
                    "reference_tick_ms": reference["median_tick_ms"],
                    "speedup": reference["median_tick_ms"] / core["median_tick_ms"],
                }
            )
        report["reference"] = speedups
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
