"""The core-only pilot that fixes the docking test's equivalence margins.

Runs the vectorized core alone on the docking world (``tests/test_docking.py``:
``WORLD``, ``HOURS``, every docked structure) for seeds 1000-1029 (n = 30), and prints,
per structure and KPI, ``margin = 0.8 x between-seed SD``, rounded up to two significant
digits, as a share of the pilot's mean for "rel" KPIs and in the KPI's own units for
"abs" ones (the kinds of ``test_docking.MARGINS``). Only finite values count (a KPI
that is NaN or infinite in some runs). Run it once, before any docking comparison:

    .venv/bin/python tests/docking_pilot.py

It never runs the reference: margins fixed after seeing a docking result would not be
an equivalence test.
"""

from __future__ import annotations

import math
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_docking import MARGINS, STRUCTURES, run_kpis

PILOT_SEEDS = range(1000, 1030)
FACTOR = 0.8


def round_up(x: float, digits: int = 2) -> float:
    """``x`` rounded up to ``digits`` significant digits (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return x
    exponent = math.floor(math.log10(abs(x))) - digits + 1
    scale = 10.0**exponent
    return math.ceil(round(x / scale, 9)) * scale


def margin(kind: str, values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    if values.size < 2:
        return math.nan
    sd = float(values.std(ddof=1))
    if kind == "rel":
        mean = abs(float(values.mean()))
        return round_up(FACTOR * sd / mean) if mean else 0.0
    return round_up(FACTOR * sd)


def main() -> None:
    jobs = [(s, seed) for s in STRUCTURES for seed in PILOT_SEEDS]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(
            pool.map(run_kpis, ["core"] * len(jobs), *zip(*jobs, strict=True), chunksize=4)
        )
    columns: dict[str, dict[str, list[float]]] = {}
    for (structure, _), kpis in zip(jobs, results, strict=True):
        for name, value in kpis.items():
            columns.setdefault(structure, {}).setdefault(name, []).append(value)
    print(f"{'KPI':32s} {'kind':4s} " + " ".join(f"{s:>15s}" for s in STRUCTURES))
    for name, (kind, _) in MARGINS.items():
        cells = []
        for structure in STRUCTURES:
            values = np.array(columns[structure][name], dtype=float)
            m = margin(kind, values)
            n = int(np.isfinite(values).sum())
            cells.append(f"{m:.2g}" + ("" if n == values.size else f" (n={n})"))
        print(f"{name:32s} {kind:4s} " + " ".join(f"{c:>15s}" for c in cells))


if __name__ == "__main__":
    main()
