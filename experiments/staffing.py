"""Structure x staffing: how much of a structure's advantage is structure, how much people.

Issue 14: direct dial's shipped scenario once gave 2.1x the switchboard's social
capacity, so "direct dial answers more" mixed the routing with the people given to it.
This experiment crosses every shipped structure with every shipped staffing (each
scenario's ``[organization]`` staffing keys, :data:`STAFFING_KEYS`), plus the direct
dial staffing shipped before issue 14 (:data:`BEFORE_ISSUE_14`), on common random
numbers: replication ``k`` of every cell runs on seed ``k``.

A structure ``S``'s advantage over the switchboard ``B``, each at its own staffing
(``s``, ``b``), splits into a structure part and a people part by the two-factor
Shapley split (the mean over both orders of changing one factor at a time)::

    structure = ((S, b) - (B, b) + (S, s) - (B, s)) / 2
    people    = ((B, s) - (B, b) + (S, s) - (S, b)) / 2

and the two add up to ``(S, s) - (B, b)``. A structure at another's staffing may not
work at all (direct dial with nobody on board answers next to nothing), so the same
split is also taken over two capacity levels that keep each structure's own staffing
(:func:`run_capacity_levels`): as shipped (equal social capacity) and with every
social share times :data:`CAPACITY_FACTOR` (direct dial's capacity before issue 14),
the people part then being what the extra capacity buys. ``python -m
experiments.staffing`` prints the cells and both splits as markdown tables
(docs/VALIDATION.md 6.11).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from experiments.claims.design import ESSAY_STRUCTURES, SCENARIOS, SMALL_WORLD
from sim import OrgModel, load_scenario

__all__ = [
    "BEFORE_ISSUE_14",
    "CAPACITY_FACTOR",
    "KPIS",
    "STAFFING_KEYS",
    "Cell",
    "capacity_tables",
    "run_capacity_levels",
    "run_factorial",
    "split",
    "split_levels",
    "tables",
]

STAFFING_KEYS = (
    "onboard_share",
    "empowered_share",
    "social_share_onboard",
    "social_share_offboard",
    "liaisons_per_silo",
    "training",
)
"""The ``[organization]`` keys that say who does social work and with how much time
(and how trained): the people, as opposed to the routing."""
BEFORE_ISSUE_14 = {"onboard_share": 0.3, "social_share_onboard": 0.5}
"""Direct dial's staffing before issue 14 (on top of the shipped direct dial's):
30 % on board, giving half their time, 2.1x the switchboard's social capacity."""
CAPACITY_FACTOR = 44.3 / 21.3
"""Direct dial's social capacity before issue 14 over the switchboard's (shipped world)."""
KPIS = ("first_response_hours_mean", "answered_share", "credibility", "social_capacity")


def staffing_of(kind: str) -> dict[str, float]:
    """The shipped scenario ``kind``'s staffing: its :data:`STAFFING_KEYS` values."""
    org = load_scenario(SCENARIOS / f"{kind}.toml").organization
    return {key: getattr(org, key) for key in STAFFING_KEYS}


def staffings() -> dict[str, dict[str, float]]:
    """Every shipped structure's staffing, then direct dial's before issue 14."""
    shipped = {kind: staffing_of(kind) for kind in ESSAY_STRUCTURES}
    return {**shipped, "direct_dial_before_14": {**shipped["direct_dial"], **BEFORE_ISSUE_14}}


@dataclass(frozen=True)
class Cell:
    """One structure at one staffing: each KPI's mean over the replications."""

    structure: str
    staffing: str
    means: dict[str, float]
    values: dict[str, np.ndarray]


def run_cell(
    kind: str, staffing: dict[str, float], seeds: int, hours: float, world: Sequence[str]
) -> dict[str, np.ndarray]:
    """Each KPI of :data:`KPIS` over replications ``0 .. seeds - 1``."""
    overrides = [*world, *(f"organization.{k}={v}" for k, v in staffing.items())]
    runs = []
    for seed in range(seeds):
        model = OrgModel(SCENARIOS / f"{kind}.toml", rng=seed, overrides=overrides)
        model.run_hours(hours)
        kpis = model.kpis()
        runs.append([kpis[k] for k in KPIS])
    values = np.array(runs, dtype=float)
    return {k: values[:, i] for i, k in enumerate(KPIS)}


def run_factorial(
    structures: Sequence[str] = ESSAY_STRUCTURES,
    staffing_names: Sequence[str] | None = None,
    seeds: int = 5,
    hours: float = 168.0,
    world: Sequence[str] = SMALL_WORLD,
) -> dict[tuple[str, str], Cell]:
    """Every (structure, staffing) cell, on the same seeds."""
    every = staffings()
    names = list(every) if staffing_names is None else list(staffing_names)
    cells = {}
    for kind in structures:
        for name in names:
            values = run_cell(kind, every[name], seeds, hours, world)
            means = {k: float(np.nanmean(v)) for k, v in values.items()}
            cells[kind, name] = Cell(kind, name, means, values)
    return cells


def run_capacity_levels(
    structures: Sequence[str] = ESSAY_STRUCTURES,
    factor: float = CAPACITY_FACTOR,
    seeds: int = 5,
    hours: float = 168.0,
    world: Sequence[str] = SMALL_WORLD,
) -> dict[tuple[str, str], Cell]:
    """Each structure at its own staffing as shipped (``"1x"``) and with both social
    shares times ``factor`` (at most 1; ``"2x"``), on the same seeds. Cells are keyed
    (structure, level) and, for :func:`split`, the switchboard's own level is ``"1x"``."""
    cells = {}
    for kind in structures:
        own = staffing_of(kind)
        more = {
            **own,
            **{
                k: min(1.0, own[k] * factor)
                for k in ("social_share_onboard", "social_share_offboard")
            },
        }
        for level, staffing in (("1x", own), ("2x", more)):
            values = run_cell(kind, staffing, seeds, hours, world)
            means = {k: float(np.nanmean(v)) for k, v in values.items()}
            cells[kind, level] = Cell(kind, level, means, values)
    return cells


def split(
    cells: dict[tuple[str, str], Cell], kind: str, own: str, kpi: str, base: str = "switchboard"
) -> tuple[float, float, float]:
    """(advantage, structure part, people part) of ``kind`` at staffing ``own`` over
    ``base`` at its own staffing, on ``kpi`` (module docstring)."""

    return split_levels(cells, kind, own, base, kpi, base)


def split_levels(
    cells: dict[tuple[str, str], Cell], kind: str, own: str, low: str, kpi: str, base: str
) -> tuple[float, float, float]:
    """(advantage, structure part, people part) of ``kind`` at ``own`` over ``base``
    at ``low``: the two-factor Shapley split of the module docstring."""

    def k(structure: str, staffing: str) -> float:
        return cells[structure, staffing].means[kpi]

    total = k(kind, own) - k(base, low)
    structure = (k(kind, low) - k(base, low) + k(kind, own) - k(base, own)) / 2
    return total, structure, total - structure


def tables(cells: dict[tuple[str, str], Cell], base: str = "switchboard") -> str:
    """The cells and the split, as markdown."""
    structures = list(dict.fromkeys(c.structure for c in cells.values()))
    names = list(dict.fromkeys(c.staffing for c in cells.values()))
    lines = []
    for kpi in KPIS:
        lines += [f"**{kpi}** (rows: structure; columns: staffing)", ""]
        lines.append("| structure | " + " | ".join(names) + " |")
        lines.append("|---" * (len(names) + 1) + "|")
        for kind in structures:
            row = [f"{cells[kind, name].means[kpi]:.3f}" for name in names]
            lines.append(f"| {kind} | " + " | ".join(row) + " |")
        lines.append("")
    if base in structures and base in names:
        lines += [f"**Advantage over the {base} at its own staffing: structure + people**", ""]
        lines.append("| structure at staffing | KPI | advantage | structure | people |")
        lines.append("|---|---|---|---|---|")
        for kind in structures:
            for own in names:
                if kind == base or not (own == kind or own.startswith(kind + "_before")):
                    continue
                for kpi in KPIS[:3]:
                    total, structure, people = split(cells, kind, own, kpi, base)
                    lines.append(
                        f"| {kind} at {own} | {kpi} | {total:+.3f} | {structure:+.3f} "
                        f"| {people:+.3f} |"
                    )
        lines.append("")
    return "\n".join(lines)


def capacity_tables(cells: dict[tuple[str, str], Cell], base: str = "switchboard") -> str:
    """The capacity-level cells and each structure's split over the base, as markdown."""
    structures = list(dict.fromkeys(c.structure for c in cells.values()))
    lines = ["| structure | level | " + " | ".join(KPIS) + " |", "|---" * (len(KPIS) + 2) + "|"]
    for (kind, level), cell in cells.items():
        lines.append(
            f"| {kind} | {level} | " + " | ".join(f"{cell.means[k]:.3f}" for k in KPIS) + " |"
        )
    lines += ["", f"**At 2x over the {base} at 1x: structure + capacity**", ""]
    lines += ["| structure | KPI | advantage | structure | capacity |", "|---|---|---|---|---|"]
    for kind in structures:
        if kind == base:
            continue
        for kpi in KPIS[:3]:
            total, structure, people = split_levels(cells, kind, "2x", "1x", kpi, base)
            lines.append(f"| {kind} | {kpi} | {total:+.3f} | {structure:+.3f} | {people:+.3f} |")
    return "\n".join([*lines, ""])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.staffing", description=__doc__)
    parser.add_argument("--seeds", type=int, default=5, help="replications per cell (5)")
    parser.add_argument("--hours", type=float, default=168.0, help="run length (168)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    cells = run_factorial(seeds=args.seeds, hours=args.hours)
    print(tables(cells))
    print(capacity_tables(run_capacity_levels(seeds=args.seeds, hours=args.hours)))
    print(
        f"{len(cells) + 2 * len(ESSAY_STRUCTURES)} cells x {args.seeds} seeds x "
        f"{args.hours:g} h in the claims' small world, {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
