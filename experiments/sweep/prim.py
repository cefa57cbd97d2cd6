"""PRIM, the patient rule induction method (Friedman and Fisher 1999), for scenario
discovery: the boxes of the factor space where a condition on the KPIs holds.

A small implementation of the peeling phase as EMA Workbench describes it (Kwakkel
2017): starting from the box of all points, repeatedly remove the ``alpha`` share of
points at the low or high end of one factor (for a listed factor, one value) that
raises the box's density the most, until the box holds less than ``min_mass`` of the
points. The trajectory of boxes trades coverage (share of all cases of interest inside
the box) against density (share of the box's points that are cases); the box chosen is
the densest one whose coverage is at least ``min_coverage``. EMA Workbench itself is
not a dependency: its ``prim`` pulls scikit-learn, statsmodels and seaborn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Box", "parse_condition", "prim"]

OPERATORS = {
    "<=": np.less_equal,
    ">=": np.greater_equal,
    "<": np.less,
    ">": np.greater,
}


def parse_condition(text: str, columns: list[str]) -> list[tuple[str, str, float]]:
    """``"kpi < 1 and other >= 0.6"`` -> ``[("kpi", "<", 1.0), ("other", ">=", 0.6)]``.

    Raises
    ------
    ValueError
        Naming the clause that is not ``NAME OP NUMBER`` or a name not among
        ``columns``.

    Examples
    --------
    >>> parse_condition("credibility > 0.6 and gaffes <= 2", ["credibility", "gaffes"])
    [('credibility', '>', 0.6), ('gaffes', '<=', 2.0)]
    """
    clauses = []
    for clause in text.split(" and "):
        parts = clause.split()
        if len(parts) != 3 or parts[1] not in OPERATORS:
            raise ValueError(
                f"{clause.strip()!r}: expected NAME OP NUMBER with OP one of <, <=, >, >= "
                "(clauses joined by ' and ')"
            )
        name, op, number = parts
        if name not in columns:
            raise ValueError(f"{name!r}: not a KPI of this sweep ({', '.join(columns)})")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"{clause.strip()!r}: {number!r} is not a number") from None
        clauses.append((name, op, value))
    return clauses


def evaluate(frame: pd.DataFrame, clauses: list[tuple[str, str, float]]) -> np.ndarray:
    """Where every clause holds (NaN never holds)."""
    holds = np.ones(len(frame), dtype=bool)
    for name, op, value in clauses:
        holds &= OPERATORS[op](frame[name].to_numpy(dtype=float), value)
    return holds


@dataclass(frozen=True)
class Box:
    """One box of a peeling trajectory.

    Attributes
    ----------
    limits
        Factor -> (low, high) for a numeric factor, or the tuple of values kept.
    coverage, density, mass
        Cases inside / all cases; cases inside / points inside; points inside / all.
    """

    limits: dict[str, tuple]
    coverage: float
    density: float
    mass: float


def _inside(x: pd.DataFrame, limits: dict[str, tuple], numeric: dict[str, bool]) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for name, limit in limits.items():
        column = x[name].to_numpy()
        if numeric[name]:
            mask &= (column >= limit[0]) & (column <= limit[1])
        else:
            mask &= np.isin(column, list(limit))
    return mask


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> tuple[Box, list[Box]]:
    """Peel boxes around the points where ``y`` holds.

    Parameters
    ----------
    x
        One row per point, one column per factor (numbers, booleans or text).
    y
        Whether the condition holds at each point.
    alpha
        Share of the box's points removed by one peel.
    min_mass
        Peeling stops before the box holds less than this share of the points.
    min_coverage
        The chosen box is the densest with at least this coverage.

    Returns
    -------
    (Box, list of Box)
        The chosen box and the whole trajectory (the first box holds every point).
    """
    y = np.asarray(y, dtype=bool)
    n, cases = len(y), int(y.sum())
    numeric = {c: x[c].dtype.kind in "iuf" for c in x.columns}
    limits: dict[str, tuple] = {
        c: (float(x[c].min()), float(x[c].max())) if numeric[c] else tuple(pd.unique(x[c]))
        for c in x.columns
    }

    def box_of(lim: dict[str, tuple]) -> Box:
        inside = _inside(x, lim, numeric)
        count = int(inside.sum())
        hits = int(y[inside].sum())
        return Box(
            dict(lim),
            hits / cases if cases else np.nan,
            hits / count if count else np.nan,
            count / n if n else np.nan,
        )

    trajectory = [box_of(limits)]
    if cases == 0:
        return trajectory[0], trajectory
    while True:
        inside = _inside(x, limits, numeric)
        best: tuple[float, dict[str, tuple]] | None = None
        for name in x.columns:
            column = x[name].to_numpy()[inside]
            candidates = []
            if numeric[name]:
                values = column.astype(float)
                low, high = np.quantile(values, [alpha, 1 - alpha])
                if low > limits[name][0]:
                    candidates.append((low, limits[name][1]))
                if high < limits[name][1]:
                    candidates.append((limits[name][0], high))
            elif len(limits[name]) > 1:
                candidates = [tuple(v for v in limits[name] if v != drop) for drop in limits[name]]
            for candidate in candidates:
                trial = {**limits, name: candidate}
                kept = _inside(x, trial, numeric)
                if kept.sum() < min_mass * n or kept.sum() == inside.sum():
                    continue
                density = float(y[kept].mean())
                if best is None or density > best[0]:
                    best = (density, trial)
        if best is None:
            break
        limits = best[1]
        trajectory.append(box_of(limits))
    eligible = [b for b in trajectory if b.coverage >= min_coverage] or trajectory[:1]
    chosen = max(eligible, key=lambda b: (b.density, b.coverage))
    return chosen, trajectory
