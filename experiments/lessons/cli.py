"""``orgsim demo``: the trainers' teaching library on the terminal.

Registered with ``orgsim`` through the ``orgsim.commands`` entry point::

    orgsim demo                       # list the lessons
    orgsim demo LESSON [--replications R] [--seed N] [--set KEY=VALUE]...
                       [--workers W] [--report FILE.html|FILE.pdf]
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli import Handler, UsageError, parse_seed, whole_number
from sim.scenario import load_scenario

__all__ = ["demo", "register"]

REPORT_KINDS = (".html", ".pdf")


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:
    """Add ``demo`` to the ``orgsim`` subcommands; return its handler by name."""
    parser = subparsers.add_parser(
        "demo",
        help="list the teaching lessons, or tell one chapter by chapter",
        description="Without LESSON, list the lessons of scenarios/lessons/. With one, run "
        "it R times on paired seeds and tell its story chapter by chapter: each chapter's "
        "KPIs with the paired change from the previous chapter and its 95% CI.",
    )
    parser.add_argument("lesson", nargs="?", help="a lesson's name or file")
    parser.add_argument(
        "-r",
        "--replications",
        type=whole_number("--replications", 2, " (a confidence interval needs two)"),
        default=10,
        metavar="R",
        help="paired replications (default 10)",
    )
    parser.add_argument("--seed", type=parse_seed, default=0, help="base seed (default 0)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value, e.g. one of the lesson's things to try (repeatable)",
    )
    parser.add_argument(
        "--workers",
        type=whole_number("--workers", 1),
        metavar="W",
        help="worker processes; 1 runs in this process (default: min(2, CPUs))",
    )
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="write the report: FILE.html or FILE.pdf"
    )
    return {"demo": demo}


def _list(out: Console) -> int:
    from experiments.lessons.runs import library

    table = Table(title="Lessons (orgsim demo LESSON)")
    for column in ("lesson", "title", "essay"):
        table.add_column(column)
    for path in library():
        lesson = load_scenario(path).lesson
        assert lesson is not None
        table.add_row(Text(path.stem), Text(lesson.title), lesson.essay.number)
    out.print(table)
    return 0


def _check_report(path: Path) -> None:
    """Refuse a report the command could not write, before any work."""
    from experiments.lessons.report import pdf_problem

    if path.suffix.lower() not in REPORT_KINDS:
        raise UsageError(f"--report {path}: must end in .html or .pdf")
    if path.is_dir():
        raise UsageError(f"--report {path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"--report {path}: {parent} is not a writable directory")
    if path.suffix.lower() == ".pdf" and (problem := pdf_problem()):
        raise UsageError(problem)


def demo(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Handler of ``orgsim demo`` (exit code 0; bad input raises)."""
    from experiments.cli import _progress_bar
    from experiments.lessons.report import write_report
    from experiments.lessons.runs import find_lesson, load_lesson, run_lesson
    from experiments.lessons.story import print_story
    from experiments.runner import local_executor

    if args.lesson is None:
        return _list(out)
    path = find_lesson(args.lesson)
    scenarios = load_lesson(path, args.overrides)  # bad input: before any work
    if args.report is not None:
        _check_report(args.report)
    workers = args.workers if args.workers is not None else min(2, os.cpu_count() or 1)
    total = args.replications * len(scenarios)
    executor = local_executor(max(1, min(workers, total)))
    bar = _progress_bar(err, total, "lesson runs")
    with executor or contextlib.nullcontext(), bar as progress:
        result = run_lesson(path, args.replications, args.seed, args.overrides, executor, progress)
    report = str(args.report) if args.report is not None else None
    print_story(out, result, report)
    if args.report is not None:
        write_report(result, args.report)
        out.print(Text(f"wrote {args.report}"), soft_wrap=True)
    return 0
