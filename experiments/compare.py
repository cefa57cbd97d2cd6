"""Paired comparison of structures: statistics, tables, figure and output files.

Every scenario's replication ``k`` shares one seed (common random numbers), so the
difference of a KPI against the first scenario is taken pair by pair, replication by
replication, and its 95% confidence interval is a paired Student t interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from experiments.measurements import RunResult
from experiments.statistics import mean_ci
from sim.outputs import atomic_write, write_json, write_parquet

__all__ = [
    "SUMMARY_COLUMNS",
    "draw_figure",
    "kpi_names",
    "print_tables",
    "runs_frame",
    "summarise",
    "summary_json",
    "write_outputs",
]

SUMMARY_COLUMNS = (
    "kpi",
    "scenario",
    "n",
    "mean",
    "ci",
    "diff_n",
    "diff",
    "diff_ci",
    "significant",
)
OUTPUT_FILES = ("runs.parquet", "summary.parquet", "compare.png", "compare.json")


def kpi_names(results: Sequence[RunResult]) -> list[str]:
    """Every KPI name reported by any run, in first-seen order."""
    names: dict[str, None] = {}
    for result in results:
        names.update(dict.fromkeys(result.kpis))
    return list(names)


def _kpi_matrix(results: Sequence[RunResult], kpi: str, shape: tuple[int, int]) -> np.ndarray:
    """(scenario, replication) matrix of one KPI; NaN where absent."""
    matrix = np.full(shape, np.nan)
    for result in results:
        matrix[result.scenario_index, result.replication] = result.kpis.get(kpi, np.nan)
    return matrix


def summarise(results: Sequence[RunResult], names: Sequence[str]) -> pd.DataFrame:
    """One row per (KPI, scenario): mean, CI, and the paired difference to the first.

    Parameters
    ----------
    results
        Runs of every scenario; replication ``k`` of each shares one seed.
    names
        Scenario names, by scenario index; ``names[0]`` is the baseline.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`. ``n`` counts the replications where the KPI is
        finite; ``diff`` is the mean of (scenario − baseline) over the ``diff_n``
        replications where both are finite, ``diff_ci`` its 95% paired t half-width,
        ``significant`` whether that interval excludes 0.
    """
    replications = 1 + max((r.replication for r in results), default=-1)
    shape = (len(names), replications)
    rows = []
    for kpi in kpi_names(results):
        matrix = _kpi_matrix(results, kpi, shape)
        for index, name in enumerate(names):
            n, mean, ci = mean_ci(matrix[index])
            diff_n, diff, diff_ci = mean_ci(matrix[index] - matrix[0])
            significant = bool(np.isfinite(diff_ci) and abs(diff) > diff_ci)
            rows.append((kpi, name, n, mean, ci, diff_n, diff, diff_ci, significant))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def summary_json(summary: pd.DataFrame, names: Sequence[str], replications: int) -> dict:
    """``{"scenarios", "replications", "kpis": {kpi: {scenario: {mean, ci, diff,
    diff_ci}}}}``; NaN stays NaN here (``sim.outputs.jsonable`` makes it null)."""
    kpis: dict[str, dict[str, dict[str, float]]] = {}
    for row in summary.itertuples(index=False):
        kpis.setdefault(row.kpi, {})[row.scenario] = {
            "mean": float(row.mean),
            "ci": float(row.ci),
            "diff": float(row.diff),
            "diff_ci": float(row.diff_ci),
        }
    return {"scenarios": list(names), "replications": replications, "kpis": kpis}


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1 or size == 0:
        return f"{value:.2f}"
    if size >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2g}"


def _plus_minus(value: float, ci: float, signed: bool = False) -> str:
    """``value ± ci``, both rounded to the CI's second significant digit (at most 4
    decimals)."""
    if not np.isfinite(value):
        return "n/a"
    sign = "+" if signed else ""
    if np.isfinite(ci) and ci > 0:
        decimals = int(np.clip(1 - np.floor(np.log10(ci)), 0, 4))
        return f"{value:{sign},.{decimals}f} ± {ci:,.{decimals}f}"
    text = ("+" if signed and value > 0 else "") + _number(value)
    return f"{text} ± 0" if ci == 0 else text


def print_tables(console: Console, summary: pd.DataFrame, title: str | None = None) -> None:
    """Print one table, a section per KPI and a row per scenario.

    Each row shows the scenario's mean ± 95% CI and its paired difference to the
    first scenario ± 95% CI; a bold ``*`` marks a difference whose CI excludes 0.
    ``n`` counts the replications where the KPI is finite, then, if fewer, the pairs.
    """
    baseline = summary["scenario"].iloc[0] if len(summary) else ""
    table = Table(
        title=Text(title) if title else None,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption=f"mean ± 95% CI over replications; Δ paired against {baseline} "
        "(* its CI excludes 0); n: finite replications (pairs)",
    )
    table.add_column("KPI", overflow="fold")
    table.add_column("scenario", overflow="fold")
    table.add_column("mean ± CI", justify="right", no_wrap=True)
    table.add_column("Δ ± CI", justify="right", no_wrap=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    for kpi, rows in summary.groupby("kpi", sort=False):
        for position, row in enumerate(rows.itertuples(index=False)):
            if position == 0:
                delta, mark, count = Text("baseline", style="dim"), "", str(row.n)
            else:
                shown = _plus_minus(row.diff, row.diff_ci, signed=True)
                bold = "bold" if row.significant else ""
                delta, mark = Text(shown, style=bold), Text("*" if bold else "", style=bold)
                count = str(row.n) if row.diff_n == row.n else f"{row.n} ({row.diff_n})"
            table.add_row(  # (text objects: a scenario's name is shown as written)
                Text(str(kpi) if position == 0 else ""),
                Text(str(row.scenario)),
                _plus_minus(row.mean, row.ci),
                delta,
                mark,
                count,
            )
        table.add_section()
    console.print(table)


def runs_frame(
    results: Sequence[RunResult], names: Sequence[str], files: Sequence[str]
) -> pd.DataFrame:
    """One row per run: scenario, file, replication, seed, hours and every KPI."""
    kpis = kpi_names(results)
    rows = []
    for result in results:
        row: dict[str, Any] = {
            "scenario": names[result.scenario_index],
            "scenario_file": files[result.scenario_index],
            "scenario_index": result.scenario_index,
            "replication": result.replication,
            "seed_entropy": result.seed_entropy,
            "seed_spawn_key": ",".join(map(str, result.seed_spawn_key)),
            "hours": result.hours,
        }
        row.update({kpi: result.kpis.get(kpi, np.nan) for kpi in kpis})
        rows.append(row)
    return pd.DataFrame(rows)


def _not_available(ax: Any, what: str) -> None:
    ax.text(
        0.5,
        0.5,
        f"{what}:\nnot available",
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="grey",
    )


def _distribution(ax: Any, samples: list[np.ndarray], colors: list, title: str) -> None:
    ax.set_title(title)
    ax.set_xlabel("hours since the thread opened (log scale above 1 h)")
    ax.set_ylabel("share of threads (ECDF)")
    drawn = False
    for values, color in zip(samples, colors, strict=True):
        if values.size:
            ax.ecdf(values, color=color)
            drawn = True
    if drawn:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        ax.set_xlim(left=0)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    else:
        _not_available(ax, "Threads to measure")


def _band(results: Sequence[RunResult], column: str) -> tuple[np.ndarray, ...] | None:
    """Hours, mean, min and max of one series column over runs; ``None`` if no
    finite value. Hours where every run is NaN are left out."""
    runs = [r for r in results if column in r.series]
    if not runs:
        return None
    length = min(len(r.series[column]) for r in runs)
    values = np.vstack([r.series[column][:length] for r in runs])
    finite = np.isfinite(values)
    keep = finite.any(axis=0)
    if not keep.any():
        return None
    values, finite = values[:, keep], finite[:, keep]
    mean = np.where(finite, values, 0.0).sum(axis=0) / finite.sum(axis=0)
    low = np.where(finite, values, np.inf).min(axis=0)
    high = np.where(finite, values, -np.inf).max(axis=0)
    return runs[0].series["hours"][:length][keep], mean, low, high


def _over_time(
    ax: Any,
    results: Sequence[RunResult],
    n_scenarios: int,
    colors: list,
    column: str,
    title: str,
    ylabel: str,
) -> None:
    ax.set_title(title)
    ax.set_xlabel("simulated hours")
    ax.set_ylabel(ylabel)
    drawn = False
    for index in range(n_scenarios):
        band = _band([r for r in results if r.scenario_index == index], column)
        if band is None:
            continue
        hours, mean, low, high = band
        ax.plot(hours, mean, color=colors[index])
        ax.fill_between(hours, low, high, color=colors[index], alpha=0.2, linewidth=0)
        drawn = True
    if drawn:
        ax.grid(alpha=0.3)
    else:
        _not_available(ax, f"{title} ({column})")


def draw_figure(results: Sequence[RunResult], names: Sequence[str]) -> Figure:
    """The 2×2 comparison figure.

    First-response and resolution hours (ECDF pooled over replications), then
    credibility (``mean_trust``) and sentiment (``mean_sentiment``) over time: the
    mean of the replications, with their min–max band. A panel whose data the model
    does not produce says so instead of failing.
    """
    palette = [f"C{i % 10}" for i in range(len(names))]
    figure = Figure(figsize=(12, 8.5), layout="constrained")
    FigureCanvasAgg(figure)
    (response, resolution), (trust, sentiment) = figure.subplots(2, 2)

    def pooled(attribute: str, index: int) -> np.ndarray:
        parts = [getattr(r, attribute) for r in results if r.scenario_index == index]
        return np.concatenate(parts) if parts else np.empty(0)

    _distribution(
        response,
        [pooled("first_response_hours", i) for i in range(len(names))],
        palette,
        "First response (answered threads)",
    )
    _distribution(
        resolution,
        [pooled("resolution_hours", i) for i in range(len(names))],
        palette,
        "Resolution (resolved threads)",
    )
    _over_time(trust, results, len(names), palette, "mean_trust", "Credibility", "mean trust")
    _over_time(
        sentiment, results, len(names), palette, "mean_sentiment", "Sentiment", "mean sentiment"
    )
    replications = len({r.replication for r in results})
    handles = [Line2D([], [], color=c, lw=2) for c in palette]
    figure.legend(handles, list(names), loc="outside lower center", ncols=min(len(names), 4))
    figure.suptitle(
        f"{' vs '.join(names)}: {replications} paired replications (lines: mean, bands: min–max)"
    )
    return figure


def write_outputs(
    out_dir: str | Path,
    results: Sequence[RunResult],
    summary: pd.DataFrame,
    manifest: Mapping[str, Any],
) -> list[Path]:
    """Write ``runs.parquet``, ``summary.parquet``, ``compare.png``, then ``compare.json``.

    Every file is written atomically, and the manifest last: a directory without
    ``compare.json`` is not a finished comparison.

    Parameters
    ----------
    out_dir
        Directory (created if needed).
    results, summary
        The runs' :class:`~experiments.measurements.RunResult` and :func:`summarise`.
    manifest
        Written as ``compare.json``; its ``"scenarios"`` list of ``{"name", "file",
        ...}`` names the scenarios by index.

    Returns
    -------
    list of pathlib.Path
        The files written, in order.
    """
    out_dir = Path(out_dir)
    names = [s["name"] for s in manifest["scenarios"]]
    files = [s["file"] for s in manifest["scenarios"]]
    written = [
        write_parquet(out_dir / "runs.parquet", runs_frame(results, names, files)),
        write_parquet(out_dir / "summary.parquet", summary),
    ]
    figure = draw_figure(results, names)
    written.append(
        atomic_write(
            out_dir / "compare.png", lambda tmp: figure.savefig(tmp, format="png", dpi=110)
        )
    )
    written.append(write_json(out_dir / "compare.json", {**manifest, "files": list(OUTPUT_FILES)}))
    return written
