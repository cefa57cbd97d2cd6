"""Samplers: named functions from a sweep's factors to a table of design points.

Each sampler draws *unit* coordinates in [0, 1] per factor (SALib for Sobol and Morris,
``scipy.stats.qmc`` for the Latin hypercube, a grid for the factorial design), then
:meth:`Factor.from_unit` maps them to values: a real factor linearly onto its range, an
integer or a listed value by equal shares of the unit interval. The design is crossed
with the base scenarios (the structure is a categorical factor): point
``base * n_samples + sample``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.sweep.spec import MAX_RUNS, Factor, SweepSpec
from sim.scenario import ScenarioError

__all__ = ["design_table", "salib_problem", "sample_count", "unit_samples"]

UNIT_PREFIX = "u:"
"""Columns of the design table holding a factor's unit coordinate (``u:<path>``)."""


def salib_problem(factors: Sequence[Factor]) -> dict:
    """SALib's problem over the unit cube (values are mapped by the factors)."""
    return {
        "num_vars": len(factors),
        "names": [f.path for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }


def sample_count(sampler: str, size: int, n_factors: int) -> int:
    """How many samples a sampler draws (before crossing with the bases).

    Examples
    --------
    >>> sample_count("sobol", 64, 3), sample_count("morris", 10, 3)
    (320, 40)
    """
    return {
        "sobol": size * (n_factors + 2),
        "morris": size * (n_factors + 1),
        "latin_hypercube": size,
    }[sampler]


def _factorial(factors: Sequence[Factor], levels: int) -> np.ndarray:
    """Every combination of the factors' levels, as unit coordinates (each level at
    the middle of its share, so :meth:`Factor.from_unit` gives it back exactly for
    integer and listed factors)."""
    axes = []
    for factor in factors:
        if factor.kind == "real":
            axes.append(np.linspace(0.0, 1.0, levels) if levels > 1 else np.array([0.5]))
        else:
            values = factor.levels(levels)
            if factor.kind == "integer":
                count = int(factor.high - factor.low) + 1
                axes.append((np.array(values) - factor.low + 0.5) / count)
            else:
                axes.append((np.arange(len(values)) + 0.5) / len(values))
    if not axes:
        return np.zeros((1, 0))
    return np.array(list(itertools.product(*axes)), dtype=float)


def unit_samples(spec: SweepSpec) -> np.ndarray:
    """The sampler's unit coordinates, one row per sample, one column per factor.

    Deterministic given ``[design] seed``.
    """
    design, factors = spec.design, spec.factors
    d = len(factors)
    if design.sampler == "factorial":
        count = math.prod(len(f.levels(design.size)) for f in factors)
    else:
        count = sample_count(design.sampler, design.size, d)
    runs = count * len(spec.bases) * design.replications
    if runs > MAX_RUNS:
        raise ScenarioError(
            f"{spec.source}: design.size = {design.size}: the design has {runs:,} runs "
            f"({count:,} samples x {len(spec.bases)} base(s) x {design.replications} "
            f"replication(s)); at most {MAX_RUNS:,}"
        )
    if design.sampler == "factorial":
        return _factorial(factors, design.size)
    if design.sampler == "latin_hypercube":
        from scipy.stats import qmc

        if d == 0:
            return np.zeros((design.size, 0))
        return qmc.LatinHypercube(d=d, seed=np.random.default_rng(design.seed)).random(design.size)
    problem = salib_problem(factors)
    if design.sampler == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, design.size, calc_second_order=False, seed=design.seed)
    from SALib.sample import morris

    return morris.sample(problem, design.size, num_levels=4, seed=design.seed)


def design_table(spec: SweepSpec) -> pd.DataFrame:
    """Every design point: the samples crossed with the base scenarios.

    Returns
    -------
    pandas.DataFrame
        One row per point, by ``point``: ``point``, ``base`` (index into the bases),
        ``structure`` (the base's name), ``sample`` (row of the sampler), each factor's
        value under its path, and its unit coordinate under ``u:<path>``.
    """
    units = unit_samples(spec)
    n = units.shape[0]
    columns: dict[str, object] = {
        "point": np.arange(n * len(spec.bases), dtype=np.int64),
        "base": np.repeat(np.arange(len(spec.bases), dtype=np.int64), n),
        "structure": np.repeat(np.array(spec.base_names, dtype=object), n),
        "sample": np.tile(np.arange(n, dtype=np.int64), len(spec.bases)),
    }
    for j, factor in enumerate(spec.factors):
        values = [factor.from_unit(u) for u in units[:, j]]
        columns[factor.path] = np.tile(np.array(values, dtype=object), len(spec.bases))
    for j, factor in enumerate(spec.factors):
        columns[f"{UNIT_PREFIX}{factor.path}"] = np.tile(units[:, j], len(spec.bases))
    table = pd.DataFrame(columns)
    for factor in spec.factors:
        dtype = {"real": float, "integer": np.int64, "boolean": bool}.get(factor.kind)
        if dtype is None:
            kinds = {type(v) for v in factor.values}
            dtype = {frozenset({str}): str, frozenset({int}): np.int64}.get(frozenset(kinds), float)
        table[factor.path] = table[factor.path].astype(dtype)
    return table
