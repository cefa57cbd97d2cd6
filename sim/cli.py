"""The ``orgsim`` command line.

Exit codes: 0 done (also when the reader of the output goes away: a closed pipe is not
an error); 2 bad input (one clear line on stderr, no traceback, checked before any
work, nothing written); 1 internal error (one line and a hint; ``--debug`` or
``ORGSIM_DEBUG=1`` shows the traceback). Nothing that came from the user is read as
markup or emoji codes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sim import __version__
from sim.outputs import OutputError, RunDirectory, check_output_directory, jsonable, write_json
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["BAD_INPUT", "COMMAND_GROUP", "Handler", "UsageError", "console", "main"]

PROGRESS_AFTER_SECONDS = 2.0

COMMAND_GROUP = "orgsim.commands"
"""Entry-point group of extra subcommands: each entry point is a callable
``register(subparsers) -> dict[str, Handler]`` (e.g. ``compare`` from ``experiments``)."""


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


BAD_INPUT = (UsageError, ScenarioError, OutputError)
"""What a command may raise for input it cannot use: exit 2 with the message."""

RUN_MANIFEST = "run.json"


class _TextConsole(Console):
    """Rich's console, printing text as given, and leaving a closed pipe to
    :func:`main` (rich itself would exit 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def console(stderr: bool = False) -> Console:
    """A console that prints text as given: no markup, no emoji codes, no
    highlighting of what came from the user (files, keys, values). Wide when it is a
    file or a pipe."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 120
    return _TextConsole(stderr=stderr, width=width, markup=False, emoji=False, highlight=False)


Handler = Callable[[argparse.Namespace, Console, Console], int]
"""A subcommand: (parsed arguments, stdout console, stderr console) -> exit code."""

MAX_HOURS = 100_000
MAX_SEED = 2**63 - 1  # seeds are kept as int64 in Parquet outputs


def whole_number(option: str, minimum: int, why: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``, with a message naming the option."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{option} {text!r}: must be a whole number >= {minimum}{why}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{option} {text}: must be >= {minimum}{why}")
        return value

    return parse


def parse_seed(text: str) -> int:
    """``--seed``: a whole number in [0, 2**63 - 1]."""
    value = whole_number("--seed", 0)(text)
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"--seed {text}: must be <= {MAX_SEED}")
    return value


def parse_hours(text: str) -> float:
    """``--hours``: simulated hours, > 0 and at most 100,000."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hours {text!r}: must be a number of hours") from None
    if not 0 < value <= MAX_HOURS:
        raise argparse.ArgumentTypeError(f"--hours {text}: must be > 0 and <= {MAX_HOURS}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="orgsim", description="How organizations answer the public.")
    parser.add_argument("--version", action="version", version=f"orgsim {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run one scenario and print its KPIs")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--seed", type=parse_seed, default=0, help="the run's one seed (default 0)")
    run.add_argument("--hours", type=parse_hours, help="simulated hours (default: the file's)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value, e.g. --set culture.spin=0.1 (repeatable)",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object of KPIs")
    run.add_argument("--out", type=Path, help="write series, threads and run.json here")

    validate = commands.add_parser("validate", help="check scenario files")
    validate.add_argument("files", type=Path, nargs="+")

    commands.add_parser("schema", help="print the scenario JSON Schema")
    for name, handler in _extra_commands(commands).items():
        commands.choices[name].set_defaults(handler=handler)
    return parser


def _extra_commands(commands: argparse._SubParsersAction) -> dict[str, Handler]:
    """Subcommands registered by other packages under :data:`COMMAND_GROUP`.

    ``sim`` never imports them by name, so data keeps flowing one way.
    """
    handlers: dict[str, Handler] = {}
    for entry in sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name):
        try:
            added = entry.load()(commands)
        except Exception as error:
            raise RuntimeError(
                f"{COMMAND_GROUP} entry point {entry.name!r} ({entry.value}): "
                f"{type(error).__name__}: {error}"
            ) from error
        handlers.update(added)
    return handlers


def _progress(console: Console) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback that shows a bar only once a run has lasted a few seconds."""
    started = time.perf_counter()
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if time.perf_counter() - started < PROGRESS_AFTER_SECONDS or done >= total:
                return
            bar = Progress(
                TextColumn("simulating"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} ticks"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("run", total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done)  # type: ignore[union-attr]

    def close() -> None:
        if "bar" in state:
            state["bar"].stop()  # type: ignore[union-attr]

    return update, close


def kpi_table(title: str, kpis: dict[str, float]) -> Table:
    table = Table(title=Text(title))  # (a scenario's name is shown as written)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for name, value in kpis.items():
        if value != value:
            shown = "n/a"
        elif value == float("inf"):  # a Kaplan-Meier median never reached
            shown = "not reached"
        else:
            shown = f"{value:,.3f}"
        table.add_row(name, shown)
    return table


def _run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from sim.model import OrgModel

    scenario = load_scenario(args.scenario, args.overrides)
    hours = _run_hours(args, scenario)
    if args.out is not None:
        check_output_directory(args.out, "--out", RUN_MANIFEST)
    started = time.perf_counter()
    model = OrgModel(scenario, rng=args.seed)
    update, close = _progress(err)
    try:
        model.run_hours(hours, progress=update)
    finally:
        close()
    elapsed = time.perf_counter() - started
    kpis = model.kpis()
    if args.out is not None:
        with RunDirectory(args.out) as run_dir:
            staging = run_dir.staging
            model.series().to_parquet(staging / "series.parquet", index=False)
            model.threads().to_parquet(staging / "threads.parquet", index=False)
            write_json(
                staging / RUN_MANIFEST,
                {
                    "orgsim_version": __version__,
                    "scenario_file": str(args.scenario),
                    "overrides": args.overrides,
                    "seed": args.seed,
                    "hours": hours,
                    "ticks": model.tick,
                    "seconds": round(elapsed, 3),
                    "kpis": kpis,
                    "scenario": scenario.model_dump(mode="json"),
                },
            )
    if args.json:
        print(json.dumps(jsonable(kpis), allow_nan=False))
    else:
        title = f"{scenario.name} ({scenario.structure.kind}), seed {args.seed}, {hours:g} h"
        out.print(kpi_table(title, kpis))
        if args.out is not None:
            out.print(f"wrote {args.out}/series.parquet, threads.parquet, run.json")
    return 0


def _run_hours(args: argparse.Namespace, scenario: Scenario) -> float:
    """The run's length, checked against one tick and the run-size bounds before any
    work; an error names who set it (``--hours`` or the file's ``time.hours``)."""
    if args.hours is not None:  # (the file too: its tick length or rates may be the cause)
        hours, source = args.hours, f"{args.scenario}: --hours"
    else:
        hours, source = scenario.time.hours, f"{args.scenario}: time.hours"
        given = [o for o in args.overrides if o.partition("=")[0].strip() == "time.hours"]
        if given:
            source = f"--set {given[-1]}: time.hours"
    tick_hours = scenario.time.tick_hours
    if hours < tick_hours:
        raise UsageError(f"{source} {hours:g}: shorter than one tick ({tick_hours:g} h)")
    try:
        scenario.check_size(hours, source)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return hours


def _validate(args: argparse.Namespace, out: Console, err: Console) -> int:
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            err.print(f"invalid {printable(str(error))}", soft_wrap=True)
            failed += 1
        else:
            out.print(printable(f"ok {path} ({scenario.structure.kind})"), soft_wrap=True)
    return 2 if failed else 0


def scenario_file_schema() -> dict:
    """The JSON Schema of a scenario file as written: the scenario's, plus the
    top-level ``extends`` that names the file it builds on."""
    schema = Scenario.model_json_schema()
    schema["properties"] = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "Another scenario file this one builds on, relative to this "
            "file; its tables are merged, this file's values win.",
        },
        **schema["properties"],
    }
    return schema


def _schema(args: argparse.Namespace, out: Console, err: Console) -> int:
    print(json.dumps(scenario_file_schema(), indent=2))
    return 0


COMMANDS = {"run": _run, "validate": _validate, "schema": _schema}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orgsim`` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments or os.environ.get("ORGSIM_DEBUG", "") not in ("", "0")
    out, err = console(), console(stderr=True)
    try:
        args = build_parser().parse_args(arguments)
        handler = COMMANDS.get(args.command) or args.handler
        code = handler(args, out, err)
        sys.stdout.flush()
        return code
    except BAD_INPUT as error:
        err.print(f"error: {printable(str(error))}", soft_wrap=True)
        return 2
    except BrokenPipeError:  # the reader went away (| head): done, quietly
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as error:
        if debug:
            err.print(traceback.format_exc(), end="", soft_wrap=True)
        hint = "" if debug else " (run with --debug, or ORGSIM_DEBUG=1, for the traceback)"
        message = printable(f"{type(error).__name__}: {error}")
        err.print(f"internal error: {message}{hint}", soft_wrap=True)
        return 1


def printable(text: str) -> str:
    """``text`` on one line: control characters (line breaks included) that came from
    the user are shown escaped, as ``\\x85``, everything else as it is.

    >>> printable("a\\nb\\x85c é")
    'a\\\\nb\\\\x85c é'
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit finds no pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
