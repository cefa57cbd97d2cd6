"""``orgsim sweep`` and ``orgsim analyze``, registered through the ``orgsim.commands``
entry point::

    orgsim sweep SWEEP.toml --out DIR [--workers N | --scheduler ADDRESS | --slurm FILE]
                 [--resume] [--part-rows N]
    orgsim analyze DIR [--out DIR] [--prim CONDITION] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tomllib
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

import sim
from sim.cli import Handler, UsageError, whole_number

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:
    """Add ``sweep`` and ``analyze`` to the ``orgsim`` subcommands."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a sweep file's design of experiments (levers x uncertainties x replications)",
        description="Run every point of a sweep file's design R times on common random "
        "numbers, streaming the KPIs into Parquet parts under DIR; --resume finishes an "
        "interrupted sweep with exactly the runs that are missing.",
    )
    parser.add_argument("sweep", type=Path, metavar="SWEEP.toml", help="the sweep file")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=whole_number("--workers", 1),
        metavar="N",
        help="local worker processes; 1 runs in this process (default: min(2, CPUs))",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running dask.distributed scheduler, e.g. tcp://10.0.0.5:8786",
    )
    where.add_argument(
        "--slurm",
        type=Path,
        metavar="FILE",
        help="a TOML file with a [slurm] table for dask-jobqueue's SLURMCluster",
    )
    parser.add_argument("--resume", action="store_true", help="finish a sweep started in DIR")
    parser.add_argument(
        "--part-rows",
        type=whole_number("--part-rows", 1),
        default=256,
        metavar="N",
        help="most runs per Parquet part (default 256)",
    )
    analyze = subparsers.add_parser(
        "analyze",
        help="sensitivity indices, paired effects, scenario discovery and figures of a sweep",
        description="Analyze a finished sweep: Sobol indices (Sobol design), Morris mu*/sigma "
        "(Morris design) or standardized regression coefficients (factorial, Latin "
        "hypercube); paired lever effects per structure; PRIM boxes; figures.",
    )
    analyze.add_argument("directory", type=Path, metavar="DIR", help="a sweep's output folder")
    analyze.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write (default: DIR/analysis)"
    )
    analyze.add_argument(
        "--prim",
        metavar="CONDITION",
        help="scenario discovery condition, e.g. "
        "'first_response_hours_median < 1 and credibility > 0.6'",
    )
    analyze.add_argument("--json", action="store_true", help="print one JSON object")
    return {"sweep": sweep, "analyze": analyze_command}


def _slurm_config(path: Path) -> dict:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"--slurm {path}: cannot read it as TOML: {error}") from None
    table = document.get("slurm")
    if not isinstance(table, dict):
        raise UsageError(f"--slurm {path}: slurm: needs a [slurm] table")
    return table


@contextlib.contextmanager
def _progress_bar(err: Console, total: int):
    """Runs done, failed, rate and ETA, on a terminal stderr only."""
    if not err.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("sweeping"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs, {task.fields[failed]} failed, {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("runs", total=total, failed=0, rate="")

    def update(done: int, failed: int, _total: int) -> None:
        elapsed = bar.tasks[0].elapsed or 0.0
        rate = f"{60 * done / elapsed:.0f} runs/min" if elapsed > 0 else ""
        bar.update(task, completed=done + failed, failed=failed, rate=rate)

    with bar:
        yield update


def sweep(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Handler of ``orgsim sweep``: 0 done, 1 if any run failed; bad input raises."""
    from experiments.sweep.designs import design_table
    from experiments.sweep.execution import run_sweep
    from experiments.sweep.spec import load_sweep
    from experiments.sweep.storage import SweepStore

    spec = load_sweep(args.sweep)
    design = design_table(spec)
    SweepStore.check(args.out, spec, args.resume)
    slurm = _slurm_config(args.slurm) if args.slurm is not None else None
    if args.scheduler is not None:  # reachable? (before anything is written)
        from experiments.runner import dask_client

        try:
            dask_client(args.scheduler).close()
        except OSError as error:
            raise UsageError(f"--scheduler {args.scheduler}: cannot connect: {error}") from None
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    total = len(design) * spec.design.replications
    err.print(
        f"{spec.name}: {len(design)} points x {spec.design.replications} replication(s) = "
        f"{total} runs ({spec.design.sampler})",
        highlight=False,
    )
    with _progress_bar(err, total) as progress:
        outcome = run_sweep(
            spec,
            design,
            args.out,
            sim.__version__,
            workers=workers,
            scheduler=args.scheduler,
            slurm=slurm,
            resume=args.resume,
            part_rows=args.part_rows,
            progress=progress,
            notice=lambda line: err.print(line, highlight=False),
        )
    per_run = outcome.compute_seconds / max(1, outcome.total - len(outcome.failures))
    out.print(
        f"{outcome.ran} run(s) in {outcome.wall_seconds:.1f} s on {outcome.where} "
        f"({outcome.resumed} resumed, {per_run:.2f} s per run); wrote {args.out}/runs.parquet",
        highlight=False,
        soft_wrap=True,
    )
    if outcome.failures:
        shown = ", ".join(
            f"point {f['point']} replication {f['replication']}: {f['error']}"
            for f in outcome.failures[:3]
        )
        more = f" and {len(outcome.failures) - 3} more" if len(outcome.failures) > 3 else ""
        err.print(
            f"error: {len(outcome.failures)} run(s) failed ({shown}{more}); see "
            f"{args.out}/manifest.json; --resume runs them again",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    return 0


def analyze_command(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Handler of ``orgsim analyze``."""
    from experiments.sweep.analysis import analyze_directory, print_summary
    from sim.outputs import jsonable

    report = analyze_directory(args.directory, args.out, prim=args.prim)
    if args.json:
        print(json.dumps(jsonable(report), allow_nan=False))
        return 0
    print_summary(out, report)
    return 0
