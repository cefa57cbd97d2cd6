"""The command ``python -m experiments.claims``: run every claim and sweep on a process
pool, print the outcomes and write the outputs."""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path

from experiments.claims.catalogue import CLAIMS, EXTRA_SWEEPS, SWEEPS
from experiments.claims.outputs import write_outputs
from experiments.claims.runs import measure_all
from experiments.runner import local_executor


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.claims [--out DIR] [--workers W]``.

    Runs :data:`CLAIMS`, :data:`SWEEPS` and :data:`EXTRA_SWEEPS` on a spawned process
    pool, prints each outcome and writes :func:`write_outputs` into ``--out``.

    Returns
    -------
    int
        The exit status (0).
    """
    parser = argparse.ArgumentParser(
        prog="python -m experiments.claims",
        description="Run the essay-claim experiments and the crossover sweeps; write "
        "claims.json and figures.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("claims-out"),
        help="where to write claims.json and the figures (default claims-out/; "
        "pass docs/figures to refresh the published ones)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--length-factor",
        type=float,
        default=1.0,
        help="run every claim this many times as long (MODEL.md 6.9: the claims must hold "
        "at more than one run length); with a factor other than 1 only the claims run, and "
        "their outcomes go to claims_x<F>.json",
    )
    args = parser.parse_args(argv)
    if not 0.1 <= args.length_factor <= 10:
        parser.error(f"--length-factor {args.length_factor}: allowed 0.1 to 10")
    if args.length_factor != 1.0:
        return _at_length(args.length_factor, args.out, args.workers)
    executor = local_executor(args.workers)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"  {done}/{total} runs, {time.perf_counter() - started:.0f} s", flush=True)

    try:
        measured = measure_all(CLAIMS, (*SWEEPS, *EXTRA_SWEEPS), executor, progress)
    finally:
        if executor is not None:
            executor.shutdown()
    for outcome in measured.claims.values():
        print(outcome.describe())
    for crossover in measured.crossovers.values():
        at = crossover.load_at_crossover
        where = (
            "none"
            if at is None
            else f"{at:.2f} threads/h, bootstrap CI {crossover.crossover_ci}, "
            f"bracket {crossover.bracket}"
        )
        print(f"{crossover.sweep.id}: crossover {where}")
    for path in write_outputs(measured, args.out):
        print(f"wrote {path}")
    print(f"{len(measured.runs.jobs)} runs in {time.perf_counter() - started:.0f} s")
    return 0


def _at_length(factor: float, out: Path, workers: int) -> int:
    """Every claim at ``factor`` times its run length; outcomes to ``claims_x<F>.json``."""
    from sim.outputs import write_json

    claims = [dataclasses.replace(c, hours=c.hours * factor) for c in CLAIMS]
    executor = local_executor(workers)
    started = time.perf_counter()
    try:
        measured = measure_all(claims, (), executor, None)
    finally:
        if executor is not None:
            executor.shutdown()
    for outcome in measured.claims.values():
        print(outcome.describe())
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"claims_x{factor:g}.json"
    payload = {
        "generated_by": f"python -m experiments.claims --length-factor {factor:g}",
        "length_factor": factor,
        "claims": [o.summary() for o in measured.claims.values()],
    }
    write_json(path, payload)
    print(f"wrote {path}; {len(measured.runs.jobs)} runs in {time.perf_counter() - started:.0f} s")
    return 0
