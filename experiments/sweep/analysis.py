"""What a sweep says: sensitivity indices, paired lever effects, scenario discovery.

- A Sobol design: first-order and total Sobol indices with 95 % CIs (SALib's
  ``sobol.analyze``, Saltelli 2010 / Jansen estimators, bootstrap CIs).
- A Morris design: μ* and σ of the elementary effects (SALib's ``morris.analyze``).
- A factorial or Latin hypercube design: standardized regression coefficients (SRC)
  with 95 % CIs from the regression's standard errors, and its R².

Indices are computed per structure (base scenario) on the replication mean of each
point, and also on the paired difference of each structure against the first at the
same sample (``"direct_dial − switchboard"``): which factors the *comparison* of
structures depends on. Paired lever effects: in each replication (common random
numbers), the least-squares change of a KPI over a numeric factor's whole range (or
from false to true), then its mean and 95 % t interval over replications.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from experiments.statistics import mean_ci
from experiments.sweep.prim import evaluate, parse_condition, prim
from sim.outputs import OutputError, write_json, write_parquet

__all__ = [
    "analyze_directory",
    "crossover",
    "lever_effects",
    "print_summary",
    "sensitivity",
    "src_indices",
]

INDEX_COLUMNS = ["kpi", "structure", "factor", "method", "index", "value", "ci"]


def _unit_matrix(design: pd.DataFrame, factors: list[str]) -> np.ndarray:
    return design[[f"u:{f}" for f in factors]].to_numpy(dtype=float)


def _numeric(design: pd.DataFrame, factors: list[str]) -> np.ndarray:
    """Factor values as numbers: booleans 0/1, text by the order listed."""
    columns = []
    for f in factors:
        column = design[f]
        if column.dtype.kind in "biuf":
            columns.append(column.to_numpy(dtype=float))
        else:
            columns.append(pd.factorize(column, sort=False)[0].astype(float))
    return np.column_stack(columns) if columns else np.zeros((len(design), 0))


def src_indices(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Standardized regression coefficients of ``y`` on the columns of ``x``.

    Returns
    -------
    (coefficients, ci, r2)
        The coefficients of the regression of standardized ``y`` on standardized ``x``
        (0 for a constant column), their 95 % half-widths (1.96 standard errors) and R².

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random((200, 2))
    >>> coef, ci, r2 = src_indices(x, 3 * x[:, 0] + 0.0 * x[:, 1])
    >>> round(float(coef[0]), 3), round(float(coef[1]), 3), round(r2, 3)
    (1.0, 0.0, 1.0)
    """
    n, d = x.shape
    sd = x.std(axis=0)
    varying = sd > 0
    coef, ci = np.zeros(d), np.zeros(d)
    if y.std() == 0 or not varying.any():
        return coef, ci, float("nan")
    z = (x[:, varying] - x[:, varying].mean(axis=0)) / sd[varying]
    t = (y - y.mean()) / y.std()
    design = np.column_stack([np.ones(n), z])
    beta, *_ = np.linalg.lstsq(design, t, rcond=None)
    residual = t - design @ beta
    r2 = float(1 - residual.var() / t.var())
    dof = max(n - design.shape[1], 1)
    sigma2 = float(residual @ residual) / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    coef[varying] = beta[1:]
    ci[varying] = 1.96 * np.sqrt(np.clip(np.diag(cov)[1:], 0, None))
    return coef, ci, r2


def _indices_one(
    method: str,
    factors: list[str],
    x_unit: np.ndarray,
    x_values: np.ndarray,
    y: np.ndarray,
    seed: int,
) -> list[tuple[str, str, float, float]]:
    """(factor, index, value, ci) of one outcome."""
    problem = {"num_vars": len(factors), "names": factors, "bounds": [[0.0, 1.0]] * len(factors)}
    rows: list[tuple[str, str, float, float]] = []
    if method == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        for j, f in enumerate(factors):
            rows.append((f, "S1", float(result["S1"][j]), float(result["S1_conf"][j])))
            rows.append((f, "ST", float(result["ST"][j]), float(result["ST_conf"][j])))
    elif method == "morris":
        from SALib.analyze import morris

        result = morris.analyze(problem, x_unit, y, num_levels=4, seed=seed)
        for j, f in enumerate(factors):
            rows.append(
                (f, "mu_star", float(result["mu_star"][j]), float(result["mu_star_conf"][j]))
            )
            rows.append((f, "sigma", float(result["sigma"][j]), float("nan")))
    else:
        coef, ci, r2 = src_indices(x_values, y)
        for j, f in enumerate(factors):
            rows.append((f, "SRC", float(coef[j]), float(ci[j])))
        rows.append(("(model)", "R2", r2, float("nan")))
    return rows


def _outcomes(
    design: pd.DataFrame, means: pd.DataFrame, kpi: str, structures: list[str]
) -> list[tuple[str, np.ndarray, pd.DataFrame]]:
    """(label, y by sample, the design rows of base 0) per structure, then each
    structure's paired difference against the first."""
    out = []
    merged = design.merge(means[[kpi]], left_on="point", right_index=True, how="left")
    by_base = {b: rows.sort_values("sample") for b, rows in merged.groupby("base", sort=True)}
    for b, rows in by_base.items():
        out.append((structures[b], rows[kpi].to_numpy(dtype=float), rows))
    if 0 in by_base:
        baseline = by_base[0][kpi].to_numpy(dtype=float)
        for b, rows in by_base.items():
            if b:
                label = f"{structures[b]} − {structures[0]}"
                out.append((label, rows[kpi].to_numpy(dtype=float) - baseline, rows))
    return out


def sensitivity(
    design: pd.DataFrame,
    means: pd.DataFrame,
    method: str,
    factors: list[str],
    kpis: list[str],
    structures: list[str],
    seed: int = 0,
) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices of every KPI, per structure and per paired difference.

    Parameters
    ----------
    design
        The design table (``point``, ``base``, ``sample``, factor values, ``u:`` columns).
    means
        KPI means over replications, indexed by point.
    method
        ``"sobol"``, ``"morris"``, or anything else for SRC.
    factors, kpis, structures
        Factor paths, KPI names, base names by index.
    seed
        Of SALib's bootstrap.

    Returns
    -------
    (pandas.DataFrame, list of str)
        Columns :data:`INDEX_COLUMNS`; notes on outcomes left out (NaN, constant).
    """
    rows, notes = [], []
    for kpi in kpis:
        for label, y, part in _outcomes(design, means, kpi, structures):
            if not np.all(np.isfinite(y)):
                notes.append(f"{kpi} / {label}: left out ({int((~np.isfinite(y)).sum())} NaN)")
                continue
            if np.ptp(y) == 0:
                notes.append(f"{kpi} / {label}: constant over the design")
                continue
            x_unit = _unit_matrix(part, factors)
            x_values = _numeric(part, factors)
            for factor, index, value, ci in _indices_one(
                method, factors, x_unit, x_values, y, seed
            ):
                rows.append((kpi, label, factor, method, index, value, ci))
    return pd.DataFrame(rows, columns=INDEX_COLUMNS), notes


def lever_effects(
    runs: pd.DataFrame, factors: list[str], kpis: list[str], ranges: dict[str, float]
) -> pd.DataFrame:
    """Paired effect of each factor on each KPI, per structure.

    In each replication, the KPI is regressed on every numeric (or boolean) factor over
    the structure's points; the coefficient times the factor's span (``ranges``) is the
    change over its whole range. Replications share seeds across points, so the
    effect is paired; its mean and 95 % t half-width over replications are reported
    (with one replication, 1.96 standard errors of the regression).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, structure, factor, effect, ci, n, significant``.
    """
    usable = [f for f in factors if runs[f].dtype.kind in "biuf"]
    rows = []
    for structure, part in runs.groupby("structure", sort=False):
        for kpi in kpis:
            per_rep = []
            last_se = np.full(len(usable), np.nan)
            for _, rep in part.groupby("replication", sort=True):
                y = rep[kpi].to_numpy(dtype=float)
                keep = np.isfinite(y)
                x = rep[usable].to_numpy(dtype=float)[keep]
                if keep.sum() <= len(usable) + 1:
                    continue
                design = np.column_stack([np.ones(int(keep.sum())), x])
                beta, *_ = np.linalg.lstsq(design, y[keep], rcond=None)
                residual = y[keep] - design @ beta
                dof = max(int(keep.sum()) - design.shape[1], 1)
                cov = float(residual @ residual) / dof * np.linalg.pinv(design.T @ design)
                last_se = np.sqrt(np.clip(np.diag(cov)[1:], 0, None))
                per_rep.append(beta[1:])
            if not per_rep:
                continue
            effects = np.array(per_rep)
            for j, factor in enumerate(usable):
                span = ranges.get(factor, 1.0)
                if len(effects) >= 2:
                    n, effect, ci = mean_ci(effects[:, j] * span)
                else:
                    n, effect, ci = 1, float(effects[0, j] * span), float(1.96 * last_se[j] * span)
                significant = bool(np.isfinite(ci) and abs(effect) > ci)
                rows.append((kpi, structure, factor, effect, ci, n, significant))
    columns = ["kpi", "structure", "factor", "effect", "ci", "n", "significant"]
    return pd.DataFrame(rows, columns=columns)


def _spans(manifest: dict[str, Any]) -> dict[str, float]:
    """Each factor's span: its range, the spread of its listed numbers, 1 for a switch."""
    spans = {}
    for f in manifest["factors"]:
        if "range" in f:
            spans[f["path"]] = float(f["range"][1] - f["range"][0])
        elif f["kind"] == "categorical" and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in f["values"]
        ):
            spans[f["path"]] = float(max(f["values"]) - min(f["values"]))
        else:
            spans[f["path"]] = 1.0
    return spans


def discovery(
    runs: pd.DataFrame, design: pd.DataFrame, factors: list[str], kpis: list[str], condition: str
) -> pd.DataFrame:
    """PRIM boxes per structure where ``condition`` holds on the replication means."""
    clauses = parse_condition(condition, kpis)
    means = runs.groupby("point")[kpis].mean()
    frame = design.merge(means, left_on="point", right_index=True)
    rows = []
    for structure, part in frame.groupby("structure", sort=False):
        holds = evaluate(part, clauses)
        box, _ = prim(part[factors].reset_index(drop=True), holds)
        limits = {k: list(v) for k, v in box.limits.items()}
        rows.append(
            {
                "structure": structure,
                "condition": condition,
                "cases": int(holds.sum()),
                "points": len(part),
                "coverage": box.coverage,
                "density": box.density,
                "mass": box.mass,
                "limits": json.dumps(limits, default=str),
            }
        )
    return pd.DataFrame(rows)


def crossover(runs: pd.DataFrame, factor: str, kpi: str, structures: list[str]) -> dict[str, Any]:
    """Per load level, each structure's mean KPI ± 95 % CI, the paired difference of
    the second structure minus the first, and where that difference changes sign
    (linear interpolation between levels; ``None`` if it never does)."""
    levels = np.sort(runs[factor].unique().astype(float))
    result: dict[str, Any] = {"factor": factor, "kpi": kpi, "levels": levels.tolist()}
    for s in structures:
        rows = [mean_ci(runs[(runs["structure"] == s) & (runs[factor] == v)][kpi]) for v in levels]
        result[s] = {"mean": [r[1] for r in rows], "ci": [r[2] for r in rows]}
    first, second = structures[0], structures[1] if len(structures) > 1 else structures[0]
    diffs = []
    for v in levels:
        a = runs[(runs["structure"] == first) & (runs[factor] == v)].set_index("replication")
        b = runs[(runs["structure"] == second) & (runs[factor] == v)].set_index("replication")
        diffs.append(mean_ci((b[kpi] - a[kpi]).to_numpy(dtype=float)))
    mean = np.array([d[1] for d in diffs])
    result["difference"] = {
        "of": f"{second} − {first}",
        "mean": mean.tolist(),
        "ci": [d[2] for d in diffs],
    }
    at = None
    for i in range(len(levels) - 1):
        if np.isfinite(mean[i]) and np.isfinite(mean[i + 1]) and mean[i] * mean[i + 1] < 0:
            t = mean[i] / (mean[i] - mean[i + 1])
            at = float(levels[i] + t * (levels[i + 1] - levels[i]))
            break
    result["crossover_at"] = at
    return result


def analyze_directory(
    directory: Path, out: Path | None = None, prim: str | None = None
) -> dict[str, Any]:
    """Analyze a finished sweep in ``directory``; write tables and figures to ``out``.

    Writes ``sensitivity.parquet``, ``effects.parquet``, ``prim.parquet`` (with a
    condition), ``analysis.json`` and the figures (:mod:`experiments.sweep.figures`).

    Returns
    -------
    dict
        The summary (also ``analysis.json``).

    Raises
    ------
    sim.outputs.OutputError
        If ``directory`` holds no finished sweep, or the condition is malformed.
    """
    from experiments.sweep.figures import draw_all

    directory = Path(directory)
    out = directory / "analysis" if out is None else Path(out)
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        runs = pd.read_parquet(directory / "runs.parquet")
        design = pd.read_parquet(directory / "design.parquet")
    except (OSError, ValueError) as error:
        raise OutputError(f"{directory}: not a finished sweep ({error})") from None
    factors = [f["path"] for f in manifest["factors"]]
    kpis = list(manifest["kpis"])
    structures = [b["name"] for b in manifest["bases"]]
    sampler = manifest["design"]["sampler"]
    method = sampler if sampler in ("sobol", "morris") else "src"
    means = runs.groupby("point")[kpis].mean()
    indices, notes = sensitivity(
        design, means, method, factors, kpis, structures, manifest["design"]["seed"]
    )
    effects = lever_effects(runs, factors, kpis, _spans(manifest))
    condition = prim or manifest.get("analysis", {}).get("prim")
    boxes = None
    if condition:
        try:
            boxes = discovery(runs, design, factors, kpis, condition)
        except ValueError as error:
            raise OutputError(f"--prim {condition!r}: {error}") from None
    written = [
        write_parquet(out / "sensitivity.parquet", indices),
        write_parquet(out / "effects.parquet", effects),
    ]
    if boxes is not None:
        written.append(write_parquet(out / "prim.parquet", boxes))
    options = manifest.get("analysis", {})
    crossing = None
    if options.get("crossover"):
        kpi = options.get("crossover_kpi", kpis[0])
        crossing = crossover(runs, options["crossover"], kpi, structures)
        written.append(write_json(out / "crossover.json", crossing))
    written += draw_all(out, manifest, runs, indices, method, crossing)
    report = {
        "sweep": manifest["name"],
        "sampler": sampler,
        "method": method,
        "runs": len(runs),
        "structures": structures,
        "factors": factors,
        "notes": notes,
        "ranking": ranking(indices, method),
        "sensitivity": indices.to_dict(orient="records"),
        "effects": effects.to_dict(orient="records"),
        "prim": None if boxes is None else boxes.to_dict(orient="records"),
        "crossover": crossing,
        "files": [str(p) for p in written],
    }
    write_json(out / "analysis.json", report)
    return report


MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "src": "SRC"}


def ranking(indices: pd.DataFrame, method: str) -> dict[str, dict[str, list[str]]]:
    """Factors by the size of their main index (ST, μ*, |SRC|), per KPI and outcome."""
    main = indices[indices["index"] == MAIN_INDEX[method]].copy()
    main["size"] = main["value"].abs()
    out: dict[str, dict[str, list[str]]] = {}
    for (kpi, structure), part in main.groupby(["kpi", "structure"], sort=False):
        ordered = part.sort_values("size", ascending=False, kind="stable")["factor"]
        out.setdefault(kpi, {})[structure] = ordered.tolist()
    return out


def print_summary(console: Console, report: dict[str, Any]) -> None:
    """The readable summary: per KPI and outcome, each factor's main index."""
    method = report["method"]
    index = MAIN_INDEX[method]
    frame = pd.DataFrame(report["sensitivity"])
    title = f"{report['sweep']}: {report['runs']} runs, {report['sampler']} design ({index})"
    table = Table(title=title)
    for column in ("KPI", "outcome", "factors, most influential first"):
        table.add_column(column, overflow="fold")
    if not frame.empty:
        main = frame[frame["index"] == index]
        for kpi, by_structure in report["ranking"].items():
            for structure, factors in by_structure.items():
                part = main[(main["kpi"] == kpi) & (main["structure"] == structure)]
                values = dict(
                    zip(part["factor"], zip(part["value"], part["ci"], strict=True), strict=True)
                )
                shown = ", ".join(f"{f} {values[f][0]:.2f}±{values[f][1]:.2f}" for f in factors[:4])
                table.add_row(kpi, structure, shown)
    console.print(table)
    for note in report["notes"]:
        console.print(f"note: {note}", highlight=False)
    if report["prim"]:
        for box in report["prim"]:
            console.print(
                f"PRIM {box['structure']}: {box['condition']}: coverage {box['coverage']:.2f}, "
                f"density {box['density']:.2f}, box {box['limits']}",
                highlight=False,
                soft_wrap=True,
            )
    crossing = report.get("crossover")
    if crossing is not None:
        at = crossing["crossover_at"]
        where = f"at {crossing['factor']} ≈ {at:.3g}" if at is not None else "nowhere in the range"
        console.print(
            f"crossover: {crossing['difference']['of']} of {crossing['kpi']} changes sign {where}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"wrote {', '.join(report['files'])}", highlight=False, soft_wrap=True)
