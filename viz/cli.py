"""``orgsim dashboard``: the executives' dashboard in a browser.

Registered with the ``orgsim`` command through the ``orgsim.commands`` entry point::

    orgsim dashboard [SCENARIO ...] [--host 127.0.0.1] [--port 8765] [--open]
                     [--seed N] [--set KEY=VALUE]...

Every argument is checked before the server starts: a bad flag, scenario file or
``--set`` exits 2 with one line. Ctrl-C stops the server and exits 0.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import webbrowser
from pathlib import Path

from rich.console import Console

from sim.cli import Handler, UsageError, parse_seed, whole_number
from sim.scenario import load_scenario

__all__ = ["dashboard", "register"]

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> dict[str, Handler]:
    """Add ``dashboard`` to the ``orgsim`` subcommands; return its handler by name."""
    parser = subparsers.add_parser(
        "dashboard",
        help="open the executives' dashboard (two structures side by side) in a browser",
        description="Start a local web server with the dashboard: panes A and B, each a "
        "structure or scenario, run on the same seed, with levers, KPI cards, plots, the "
        "organization, threads, paired replications and an export.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        type=Path,
        metavar="SCENARIO",
        help="scenario files; the first two open in panes A and B (default: switchboard "
        "and direct dial); all are offered in the pickers beside the four structures",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port",
        type=whole_number("--port", 1),
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT})",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.add_argument(
        "--seed", type=parse_seed, default=0, help="the seed the page opens with (default 0)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a value in both panes, e.g. --set customers.n_customers=5000 (repeatable)",
    )
    return {"dashboard": dashboard}


def _check(args: argparse.Namespace) -> list[Path]:
    """Every argument, checked; raises UsageError or ScenarioError (exit 2)."""
    from experiments.cli import default_scenarios
    from viz.server import missing_assets, port_error

    if args.port > 65535:
        raise UsageError(f"--port {args.port}: must be <= 65535")
    paths = list(args.scenarios)
    for path in paths or default_scenarios()[:2]:
        load_scenario(path, args.overrides)  # ScenarioError names file, key and value
    problem = port_error(args.host, args.port)
    if problem:
        raise UsageError(problem)
    missing = missing_assets()
    if missing:
        raise UsageError(
            "the dashboard's front-end files are missing ("
            + ", ".join(missing)
            + "): install them with `bash .ci/setup` (pip install solara-assets)"
        )
    return paths


def dashboard(args: argparse.Namespace, out: Console, err: Console) -> int:
    """Handler of ``orgsim dashboard``: serve until Ctrl-C (exit 0) or the server dies."""
    from viz.config import environment
    from viz.server import start, wait_until_listening

    paths = _check(args)
    process = start(args.host, args.port, environment(paths, args.overrides, args.seed))
    try:
        if not wait_until_listening(args.host, args.port, process):
            code = process.poll()
            _stop(process)
            err.print(f"error: the dashboard server did not start (exit {code})", markup=False)
            return 1
        shown = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{shown}:{args.port}/"
        out.print(f"orgsim dashboard at {url}  (Ctrl-C stops it)", markup=False, highlight=False)
        if args.open:
            webbrowser.open(url)
        code = process.wait()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            err.print(f"error: the dashboard server stopped (exit {code})", markup=False)
            return 1
        return 0
    except KeyboardInterrupt:
        try:  # a terminal's Ctrl-C reaches the server too: let it finish on its own
            process.wait(timeout=3)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            _stop(process)
        out.print("dashboard stopped", markup=False, highlight=False)
        return 0
    finally:
        _stop(process)


def _stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop the server: SIGINT (as Ctrl-C would; it may have had one already), then
    SIGTERM, then SIGKILL, each after ``timeout`` seconds."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            process.send_signal(sig)
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return
