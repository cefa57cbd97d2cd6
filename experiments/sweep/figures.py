"""A sweep's figures: sensitivity bars per KPI, a scatter matrix of factors against
KPIs, and, for a load sweep, the crossover plot (MODEL.md 4.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.outputs import atomic_write

__all__ = ["draw_all", "draw_crossover", "draw_scatter", "draw_sensitivity"]

MAIN = {"sobol": ("ST", "S1"), "morris": ("mu_star", None), "src": ("SRC", None)}
LABEL = {"ST": "total Sobol index ST (S1 hatched)", "mu_star": "Morris μ*", "SRC": "SRC"}
MAX_PANELS = 9


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> Path:
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=110))


def draw_sensitivity(indices: pd.DataFrame, method: str, outcomes: list[str]) -> Figure:
    """One panel per KPI: each factor's main index (bars with 95 % CIs) per outcome."""
    main, first = MAIN[method]
    kpis = list(dict.fromkeys(indices["kpi"]))[:MAX_PANELS]
    factors = [f for f in dict.fromkeys(indices["factor"]) if f != "(model)"]
    ncols = min(3, max(1, len(kpis)))
    nrows = max(1, -(-len(kpis) // ncols))
    figure = _figure(5.2 * ncols, 0.5 + (0.32 * len(factors) * len(outcomes) ** 0.5 + 1.2) * nrows)
    axes = np.atleast_1d(figure.subplots(nrows, ncols, squeeze=False)).ravel()
    height = 0.8 / max(1, len(outcomes))
    for ax, kpi in zip(axes, kpis, strict=False):
        for o, outcome in enumerate(outcomes):
            part = indices[(indices["kpi"] == kpi) & (indices["structure"] == outcome)]
            values = part[part["index"] == main].set_index("factor").reindex(factors)
            y = np.arange(len(factors)) + (o - (len(outcomes) - 1) / 2) * height
            ax.barh(
                y,
                values["value"],
                height,
                xerr=values["ci"],
                color=f"C{o}",
                label=outcome,
                error_kw={"lw": 0.8},
                capsize=1.5,
            )
            if first is not None:
                s1 = part[part["index"] == first].set_index("factor").reindex(factors)
                ax.barh(y, s1["value"], height, fill=False, hatch="///", lw=0)
        ax.set_yticks(np.arange(len(factors)), factors, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(kpi, fontsize=10)
        ax.set_xlabel(LABEL[main], fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(4, len(outcomes)))
    return figure


def draw_scatter(
    runs: pd.DataFrame, factors: list[str], kpis: list[str], structures: list[str]
) -> Figure:
    """Factors (columns) against KPIs (rows), one dot per design point (replication
    mean), coloured by structure."""
    kpis, factors = kpis[:6], factors[:8]
    means = runs.groupby("point").agg(
        {**{f: "first" for f in [*factors, "structure"]}, **{k: "mean" for k in kpis}}
    )
    figure = _figure(2.3 * len(factors) + 1, 1.9 * len(kpis) + 0.8)
    axes = figure.subplots(len(kpis), len(factors), squeeze=False, sharex="col", sharey="row")
    for i, kpi in enumerate(kpis):
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            for s, structure in enumerate(structures):
                part = means[means["structure"] == structure]
                x = part[factor]
                x = x.astype(float) if x.dtype.kind in "biuf" else pd.factorize(x)[0]
                ax.scatter(x, part[kpi], s=6, alpha=0.6, color=f"C{s}", label=structure)
            if i == len(kpis) - 1:
                ax.set_xlabel(factor, fontsize=7)
            if j == 0:
                ax.set_ylabel(kpi, fontsize=7)
            ax.tick_params(labelsize=6)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(4, len(structures)))
    return figure


def draw_crossover(result: dict[str, Any], structures: list[str]) -> Figure:
    """The KPI of each structure over load, and their paired difference with the
    crossover marked."""
    figure = _figure(11, 4.2)
    left, right = figure.subplots(1, 2)
    levels = np.array(result["levels"])
    for s, structure in enumerate(structures):
        mean, ci = np.array(result[structure]["mean"]), np.array(result[structure]["ci"])
        left.errorbar(
            levels, mean, yerr=ci, color=f"C{s}", marker="o", ms=4, capsize=3, label=structure
        )
    if all(np.nanmin(np.array(result[s]["mean"], dtype=float)) > 0 for s in structures):
        left.set_yscale("log")  # the low-load side is small, the high-load side large
    left.set_xlabel(result["factor"])
    left.set_ylabel(result["kpi"])
    left.set_title("each structure (mean ± 95% CI over replications)")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    diff = result["difference"]
    right.errorbar(
        levels, diff["mean"], yerr=diff["ci"], color="black", marker="o", ms=4, capsize=3
    )
    right.axhline(0, color="grey", lw=0.8)
    right.set_yscale("symlog", linthresh=1.0)  # both signs, linear within ±1
    if result["crossover_at"] is not None:
        right.axvline(
            result["crossover_at"],
            color="C3",
            ls="--",
            label=f"crossover ≈ {result['crossover_at']:.2f}",
        )
        right.legend(fontsize=8)
    right.set_xlabel(result["factor"])
    right.set_ylabel(f"Δ {result['kpi']}")
    right.set_title(f"paired difference {diff['of']}")
    right.grid(alpha=0.3)
    return figure


def draw_all(
    out: Path,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    indices: pd.DataFrame,
    method: str,
    crossing: dict[str, Any] | None = None,
) -> list[Path]:
    """Write ``sensitivity.png``, ``sensitivity_differences.png`` (several structures),
    ``scatter.png`` and, given a crossover (:func:`experiments.sweep.analysis.crossover`),
    ``crossover.png``."""
    structures = [b["name"] for b in manifest["bases"]]
    factors = [f["path"] for f in manifest["factors"]]
    kpis = list(manifest["kpis"])
    written = []
    if not indices.empty:
        present = list(dict.fromkeys(indices["structure"]))
        plain = [s for s in present if s in structures]
        written.append(_save(draw_sensitivity(indices, method, plain), out / "sensitivity.png"))
        paired = [s for s in present if s not in structures]
        if paired:
            figure = draw_sensitivity(indices, method, paired)
            written.append(_save(figure, out / "sensitivity_differences.png"))
    if factors:
        written.append(_save(draw_scatter(runs, factors, kpis, structures), out / "scatter.png"))
    if crossing is not None:
        written.append(_save(draw_crossover(crossing, structures), out / "crossover.png"))
    return written
