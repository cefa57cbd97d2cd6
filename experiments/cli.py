"""``orgsim compare``: replicated, paired comparison of structures.

Registered with the ``orgsim`` command through the ``orgsim.commands`` entry point
(``sim`` never imports this package)::

    orgsim compare [SCENARIO...] [--replications R] [--workers W | --scheduler ADDRESS]
                   [--hours H] [--seed N] [--set KEY=VALUE]... [--out DIR] [--json]

Runs go through the one replication runner's resume loop
(:func:`experiments.runner.run_missing`: executors, jobs in flight, lost workers), as
``orgsim sweep``'s do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import sim
from sim.cli import Handler, UsageError, parse_hours, parse_seed, whole_number
from sim.organization import structure_names
from sim.outputs import RunDirectory, check_output_directory, jsonable
from sim.scenario import Scenario, load_scenario

__all__ = ["DEFAULT_SCENARIOS", "default_scenarios", "register"]

DEFAULT_SCENARIOS = tuple(f"scenarios/{name}.toml" for name in structure_names())
"""The shipped file of every registered structure, most central first."""


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:
    """Add ``compare`` to the ``orgsim`` subcommands; return its handler by name."""
    parser = subparsers.add_parser(
        "compare",
        help="compare structures over paired replications (same seeds for each)",
        description="Run every scenario R times, replication k of each with the same seed "
        "(common random numbers), and report each KPI's mean ± 95% CI and its paired "
        "difference against the first scenario.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        metavar="SCENARIO",
        help="scenario files; the first is the baseline (default: every structure's shipped file)",
    )
    parser.add_argument(
        "-r",
        "--replications",
        type=whole_number("--replications", 2, " (a confidence interval needs two)"),
        default=5,
        metavar="R",
        help="replications per scenario (default 5)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=whole_number("--workers", 1),
        metavar="W",
        help="worker processes; 1 runs in this process (default: min(2, CPUs))",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send runs to a running dask.distributed scheduler (tcp://HOST:PORT)",
    )
    parser.add_argument(
        "--hours", type=parse_hours, metavar="H", help="simulated hours (default: each file's)"
    )
    parser.add_argument("--seed", type=parse_seed, default=0, help="base seed (default 0)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value in every scenario (repeatable)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write runs.parquet, summary.parquet, compare.png and compare.json here",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return {"compare": compare}


def shipped_scenario(name: str, cwd: Path | None = None) -> Path:
    """A shipped scenario file (e.g. ``scenarios/switchboard.toml``), under ``cwd`` or
    else under the project root, so the commands work from a clone's root or anywhere.

    Raises
    ------
    UsageError
        If the file is in neither place.
    """
    cwd = Path.cwd() if cwd is None else cwd
    root = Path(sim.__file__).resolve().parent.parent
    for base in (cwd, root):
        if (base / name).is_file():
            return Path(name) if base == cwd else base / name
    raise UsageError(f"scenario {name} not found under {cwd} or {root}; name the file")


def default_scenarios(cwd: Path | None = None) -> list[Path]:
    """The shipped file of every registered structure (:data:`DEFAULT_SCENARIOS`,
    found by :func:`shipped_scenario`)."""
    return [shipped_scenario(name, cwd) for name in DEFAULT_SCENARIOS]


COMPARE_MANIFEST = "compare.json"
"""Written last into a comparison's ``--out``: a directory without it is not finished."""


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    names: list[str] = []
    for scenario in scenarios:
        name, count = scenario.name, 1
        while name in names:
            count += 1
            name = f"{scenario.name}-{count}"
        names.append(name)
    return names


@contextlib.contextmanager
def _progress_bar(err: Console, total: int, label: str = "comparing"):
    """A transient bar counting finished runs, on a terminal stderr only (also
    ``orgsim demo``'s)."""
    if not err.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("runs", total=total)
    with bar:
        yield lambda done, _total: bar.update(task, completed=done)


def compare(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Handler of ``orgsim compare`` (exit code 0; bad input raises)."""
    from experiments.compare import print_tables, summarise, summary_json, write_outputs
    from experiments.journal import RunJournal, plan_of
    from experiments.runner import FinishedRun, jobs_for, run_missing

    paths = list(args.scenarios) or default_scenarios()
    scenarios = [load_scenario(path, args.overrides) for path in paths]
    hours = [args.hours if args.hours is not None else s.time.hours for s in scenarios]
    for path, scenario, length in zip(paths, scenarios, hours, strict=True):
        tick_hours = scenario.time.tick_hours
        if length < tick_hours:
            raise UsageError(f"{path}: {length:g} h is shorter than one tick ({tick_hours:g} h)")
    for path, scenario, length in zip(paths, scenarios, hours, strict=True):
        try:
            scenario.check_size(
                length, "--hours" if args.hours is not None else f"{path}: time.hours"
            )
        except ValueError as error:
            raise UsageError(str(error)) from None
    if args.out is not None:
        check_output_directory(args.out, "--out", COMPARE_MANIFEST)
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    names = _unique_names(scenarios)

    jobs = jobs_for(scenarios, args.replications, args.seed, hours)
    journal, earlier = None, {}
    if args.out is not None:  # finished runs are kept beside --out until it is written
        journal = RunJournal(args.out, plan_of(jobs, "measure_kpis", sim.__version__))
        earlier = journal.load()
        if journal.discarded:
            err.print(f"discarded {journal.discarded} run(s) of another comparison into {args.out}")
        if earlier:
            err.print(f"resuming: {len(earlier)} of {len(jobs)} run(s) finished earlier")
    todo = [job for job in jobs if job.key not in earlier]
    started = time.perf_counter()
    scheduler = getattr(args, "scheduler", None)
    new: dict[tuple[int, int], FinishedRun] = {}
    try:
        with _progress_bar(err, len(todo)) as progress:

            def record(run: FinishedRun) -> None:
                new[run.key] = run
                if journal is not None:
                    journal.record(run)
                if progress is not None:
                    progress(len(new), len(todo))

            tally = run_missing(  # (a lost worker's runs are sent again)
                lambda: [job for job in todo if job.key not in new],
                record,
                workers=max(1, min(workers, len(todo))),
                scheduler=scheduler,
                notice=lambda line: err.print(line, highlight=False),
            )
    except OSError as error:
        if scheduler is None:
            raise
        raise UsageError(f"--scheduler {scheduler}: cannot connect: {error}") from None
    if scheduler is not None:
        workers = tally.workers
    finished = sorted([*earlier.values(), *new.values()], key=lambda run: run.key)
    wall = time.perf_counter() - started
    results = [run.measured for run in finished]
    run_seconds = [run.seconds for run in finished]
    summary = summarise(results, names)

    if args.out is not None:
        manifest = {
            "orgsim_version": sim.__version__,
            "scenarios": [
                {
                    "name": name,
                    "file": str(path),
                    "hours": length,
                    "scenario": scenario.model_dump(mode="json"),
                }
                for name, path, length, scenario in zip(names, paths, hours, scenarios, strict=True)
            ],
            "overrides": args.overrides,
            "replications": args.replications,
            "hours": hours,
            "seed": args.seed,
            "seeds": "replication k of every scenario: SeedSequence(seed).spawn(replications)[k]",
            "workers": workers,
            "runs": len(results),
            "runs_resumed": len(earlier),
            "wall_seconds": round(wall, 3),
            "run_seconds_mean": round(sum(run_seconds) / len(run_seconds), 3),
        }
        with RunDirectory(args.out) as run_dir:
            write_outputs(run_dir.staging, results, summary, manifest)
        journal.remove()
    if args.json:
        print(
            json.dumps(jsonable(summary_json(summary, names, args.replications)), allow_nan=False)
        )
        return 0
    lengths = ", ".join(sorted({f"{h:g} h" for h in hours}))
    print_tables(
        out,
        summary,
        title=f"{args.replications} paired replications, base seed {args.seed}, {lengths}",
    )
    per_run = sum(run_seconds) / len(run_seconds)
    out.print(
        f"{len(results)} runs in {wall:.1f} s on {min(workers, len(jobs))} worker(s), "
        f"{per_run:.2f} s per run",
        highlight=False,
    )
    if args.out is not None:
        out.print(
            f"wrote {args.out}/runs.parquet, summary.parquet, compare.png, compare.json",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return 0
