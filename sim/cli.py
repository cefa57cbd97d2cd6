"""The ``orgsim`` command line.

Exit codes: 0 done; 2 bad input (one clear line on stderr, no traceback, nothing
written); 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim import __version__
from sim.outputs import jsonable, write_json, write_parquet
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["COMMAND_GROUP", "Handler", "UsageError", "main"]

PROGRESS_AFTER_SECONDS = 2.0

COMMAND_GROUP = "orgsim.commands"
"""Entry-point group of extra subcommands: each entry point is a callable
``register(subparsers) -> dict[str, Handler]`` (e.g. ``compare`` from ``experiments``)."""


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


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
    table = Table(title=title)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for name, value in kpis.items():
        table.add_row(name, "n/a" if value != value else f"{value:,.3f}")
    return table


def _run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from sim.model import OrgModel

    scenario = load_scenario(args.scenario, args.overrides)
    hours = args.hours if args.hours is not None else scenario.time.hours
    tick_hours = scenario.time.tick_hours
    if hours < tick_hours:
        raise UsageError(f"--hours {hours:g}: shorter than one tick ({tick_hours:g} h)")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a directory")
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
        write_parquet(args.out / "series.parquet", model.series())
        write_parquet(args.out / "threads.parquet", model.threads())
        write_json(
            args.out / "run.json",
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


def _validate(args: argparse.Namespace, out: Console, err: Console) -> int:
    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            err.print(f"invalid {error}", markup=False, highlight=False, soft_wrap=True)
            failed += 1
        else:
            out.print(
                f"ok {path} ({scenario.structure.kind})",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    return 2 if failed else 0


def _schema(args: argparse.Namespace, out: Console, err: Console) -> int:
    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


COMMANDS = {"run": _run, "validate": _validate, "schema": _schema}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orgsim`` console script."""
    out = Console() if sys.stdout.isatty() else Console(width=120)  # files and pipes: wide
    err = Console(stderr=True)
    try:
        args = build_parser().parse_args(argv)
        handler = COMMANDS.get(args.command) or args.handler
        return handler(args, out, err)
    except (UsageError, ScenarioError) as error:
        err.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130
    except Exception as error:
        err.print(f"internal error: {type(error).__name__}: {error}", markup=False, soft_wrap=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
