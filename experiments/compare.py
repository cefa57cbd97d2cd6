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
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from experiments.measurements import OUTCOMES, RunResult
from experiments.statistics import mean_ci
from sim.kpis import UNITS
from sim.outputs import atomic_write, write_json, write_parquet

__all__ = [
    "BESIDE",
    "DERIVED",
    "SUMMARY_COLUMNS",
    "draw_figure",
    "has_series",
    "kpi_names",
    "marker_line",
    "outcome_shares",
    "print_tables",
    "runs_frame",
    "series_values",
    "share_by_time",
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
    "n_infinite",
)
OUTPUT_FILES = ("runs.parquet", "summary.parquet", "compare.png", "compare.json")

BESIDE: dict[str, str] = {
    **dict.fromkeys(
        (
            "first_response_hours_median",
            "first_response_hours_p90",
            "first_response_hours_mean",
        ),
        "answered_share",
    ),
    **dict.fromkeys(
        ("resolution_hours_median", "resolution_hours_p90", "resolution_hours_mean"),
        "resolved_share",
    ),
}
"""A time measured over some threads only -> the share of all threads it covers
(MODEL.md 5): tables and figures never show the one without the other."""
_OVER = {"answered_share": "answered", "resolved_share": "resolved"}


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
        ``significant`` whether that interval excludes 0. ``n_infinite`` counts the
        replications where the KPI is +inf (a Kaplan–Meier median never reached), which
        the mean leaves out.
    """
    replications = 1 + max((r.replication for r in results), default=-1)
    shape = (len(names), replications)
    rows = []
    for kpi in kpi_names(results):
        matrix = _kpi_matrix(results, kpi, shape)
        for index, name in enumerate(names):
            n, mean, ci = mean_ci(matrix[index])
            with np.errstate(invalid="ignore"):  # (inf - inf: a median never reached)
                diff_n, diff, diff_ci = mean_ci(matrix[index] - matrix[0])
            significant = bool(np.isfinite(diff_ci) and abs(diff) > diff_ci)
            infinite = int(np.count_nonzero(np.isposinf(matrix[index])))
            rows.append((kpi, name, n, mean, ci, diff_n, diff, diff_ci, significant, infinite))
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


def _beside_text(summary: pd.DataFrame, kpi: str, scenario: str) -> str:
    """What a time KPI is measured over, with the share of all threads it covers."""
    if kpi == "first_response_hours_km_median":
        return "all (censored)"
    share = BESIDE.get(kpi)
    if share is None:
        return ""
    row = summary[(summary["kpi"] == share) & (summary["scenario"] == scenario)]
    value = _number(float(row["mean"].iloc[0])) if len(row) else "n/a"
    return f"{_OVER[share]} {value}"


def print_tables(console: Console, summary: pd.DataFrame, title: str | None = None) -> None:
    """Print one table, a section per KPI and a row per scenario.

    Each row shows the KPI's unit (:data:`sim.kpis.UNITS`), the scenario's mean ± 95%
    CI and its paired difference to the first scenario ± 95% CI; a bold ``*`` marks a
    difference whose CI excludes 0. ``n`` counts the replications where the KPI is
    finite, then, if fewer, the pairs; the mean says in how many replications it was
    never reached (an infinite Kaplan–Meier median). A time over answered (resolved)
    threads has the scenario's ``answered_share`` (``resolved_share``) in the same
    row. Under the table: each scenario's ``social_capacity``.
    """
    baseline = summary["scenario"].iloc[0] if len(summary) else ""
    table = Table(
        title=Text(title) if title else None,
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption=f"mean ± 95% CI over replications; Δ paired against {baseline} "
        "(* its CI excludes 0); n: finite replications (pairs); shares are of all "
        "threads; over threads: the share of all threads a time is measured over",
    )
    table.add_column("KPI", overflow="fold")
    table.add_column("unit", no_wrap=True)
    table.add_column("scenario", overflow="fold")
    table.add_column("mean ± CI", justify="right", no_wrap=True)
    table.add_column("Δ ± CI", justify="right", no_wrap=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("over threads", no_wrap=True)
    for kpi, rows in summary.groupby("kpi", sort=False):
        for position, row in enumerate(rows.itertuples(index=False)):
            never = int(getattr(row, "n_infinite", 0))
            mean = "not reached" if row.n == 0 and never else _plus_minus(row.mean, row.ci)
            if never and row.n:
                mean += f" ({never} not reached)"
            if position == 0:
                delta, mark, count = Text("baseline", style="dim"), "", str(row.n)
            else:
                shown = _plus_minus(row.diff, row.diff_ci, signed=True)
                bold = "bold" if row.significant else ""
                delta, mark = Text(shown, style=bold), Text("*" if bold else "", style=bold)
                count = str(row.n) if row.diff_n == row.n else f"{row.n} ({row.diff_n})"
            table.add_row(  # (text objects: a scenario's name is shown as written)
                Text(str(kpi) if position == 0 else ""),
                Text(UNITS.get(str(kpi), "") if position == 0 else ""),
                Text(str(row.scenario)),
                mean,
                delta,
                mark,
                count,
                Text(_beside_text(summary, str(kpi), str(row.scenario))),
            )
        table.add_section()
    console.print(table)
    capacity = summary[summary["kpi"] == "social_capacity"]
    if len(capacity):
        listed = ", ".join(
            f"{row.scenario} {_plus_minus(row.mean, row.ci)}"
            for row in capacity.itertuples(index=False)
        )
        console.print(
            Text(
                f"social capacity ({UNITS['social_capacity']}, work-hours per hour given to "
                f"social media): {listed}"
            ),
            soft_wrap=True,
        )


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


def _runs_of(results: Sequence[RunResult], index: int) -> list[RunResult]:
    """One scenario's runs that know their threads' outcomes (and opened any)."""
    return [r for r in results if r.scenario_index == index and r.threads]


def share_by_time(
    results: Sequence[RunResult], index: int, attribute: str = "first_response_hours"
) -> tuple[np.ndarray, np.ndarray] | None:
    """The share of **all** threads answered (resolved) within t, for one scenario.

    Each run's share is its threads with ``attribute`` (first-response or resolution
    hours) at most t, over every thread it opened; the curve is the mean of the
    runs' (so its end is the mean ``answered_share``, ``resolved_share``, and its value
    at 1 h the mean ``answered_within_1h_share``). The never answered keep it below 1.

    Returns
    -------
    (hours, share) or None
        The step curve's corners, from ``(0, share at 0)``: ``share[i]`` holds from
        ``hours[i]`` on. ``None`` when no run recorded its threads' outcomes.
    """
    runs = _runs_of(results, index)
    if not runs:
        return None
    times = np.concatenate([getattr(r, attribute) for r in runs])
    weights = np.concatenate(
        [np.full(getattr(r, attribute).size, 1.0 / (r.threads * len(runs))) for r in runs]
    )
    order = np.argsort(times, kind="stable")
    times, share = times[order], np.cumsum(weights[order])
    if times.size:
        last = np.r_[times[1:] != times[:-1], True]  # one corner per distinct time
        times, share = times[last], share[last]
    at_zero = share[0] if times.size and times[0] <= 0 else 0.0
    keep = times > 0
    return np.r_[0.0, times[keep]], np.r_[at_zero, share[keep]]


def outcome_shares(results: Sequence[RunResult], index: int) -> dict[str, float] | None:
    """Where every thread of one scenario stands at the end, as shares of all threads.

    The mean over the runs of each run's share of :data:`OUTCOMES` (resolved; answered,
    not resolved; abandoned, never answered; open, never answered): they sum to 1.
    ``None`` when no run recorded its threads' outcomes.
    """
    runs = _runs_of(results, index)
    if not runs:
        return None
    return {
        name: float(np.mean([r.outcomes.get(name, 0) / r.threads for r in runs]))
        for name in OUTCOMES
    }


def _mean_kpi(results: Sequence[RunResult], index: int, kpi: str) -> tuple[float, int]:
    """Mean of one KPI over a scenario's finite replications, and how many were +inf."""
    values = np.array([r.kpis.get(kpi, np.nan) for r in results if r.scenario_index == index])
    return mean_ci(values).mean, int(np.count_nonzero(np.isposinf(values)))


def _hours_text(value: float, never: int = 0) -> str:
    if never and not np.isfinite(value):
        return "not reached (< half answered)"
    text = "n/a" if not np.isfinite(value) else f"{_number(value)} h"
    return f"{text} ({never} runs not reached)" if never else text


def _response_label(results: Sequence[RunResult], index: int, name: str, resolution: bool) -> str:
    """A curve's legend: the share reached, the conditional median beside it."""
    if resolution:
        share, _ = _mean_kpi(results, index, "resolved_share")
        median, _ = _mean_kpi(results, index, "resolution_hours_median")
        return f"{name}: {_percent(share)} resolved, median {_hours_text(median)} of those"
    share, _ = _mean_kpi(results, index, "answered_share")
    median, _ = _mean_kpi(results, index, "first_response_hours_median")
    km, never = _mean_kpi(results, index, "first_response_hours_km_median")
    return (
        f"{name}: {_percent(share)} answered, median {_hours_text(median)} of those;\n"
        f"  median over all threads (Kaplan–Meier) {_hours_text(km, never)}"
    )


def _percent(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{100 * value:.1f} %"


def _response(
    ax: Any,
    results: Sequence[RunResult],
    names: Sequence[str],
    colors: list,
    attribute: str,
    title: str,
) -> None:
    """Share of all threads answered (resolved) within t, one step curve a scenario."""
    resolution = attribute == "resolution_hours"
    ax.set_title(title)
    ax.set_xlabel("hours since the thread opened (log scale above 1 h)")
    ax.set_ylabel("share of all threads")
    right = max((r.hours for r in results), default=1.0)
    drawn = False
    for index, name in enumerate(names):
        curve = share_by_time(results, index, attribute)
        if curve is None:
            continue
        hours, share = curve
        ax.step(
            np.r_[hours, right],
            np.r_[share, share[-1]],
            where="post",
            color=colors[index],
            lw=1.8,
            label=_response_label(results, index, name, resolution),
        )
        drawn = True
    if not drawn:
        _not_available(ax, "Threads by outcome")
        return
    if not resolution:
        for mark in (1.0, 24.0):
            if mark < right:
                marker_line(ax, mark, f"within {mark:g} h ", "grey", lw=1.0, y=0.5, fontsize=8)
    ax.set_xscale("symlog", linthresh=1.0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_xlim(0, right)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7.5, frameon=True, framealpha=0.9)
    ax.text(
        0.99,
        0.02,
        "the gap to 100 %: never " + ("resolved" if resolution else "answered"),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color="dimgrey",
    )


def marker_line(
    ax: Any, x: float, text: str, color: str, lw: float, y: float, fontsize: float
) -> None:
    """A dotted vertical line at ``x`` with ``text`` written up along it, its right end at
    height ``y`` (a share of the axis: 0.5 centres it, near 1 hangs it from the top)."""
    ax.axvline(x, color=color, linestyle=":", lw=lw)
    ax.text(
        x,
        y,
        text,
        transform=ax.get_xaxis_transform(),
        rotation=90,
        va="center" if y == 0.5 else "top",
        ha="right",
        fontsize=fontsize,
        color=color,
    )


OUTCOME_STYLE = {
    "resolved": ("answered, resolved", "#1b7f3b"),
    "answered": ("answered, not resolved", "#8fd19e"),
    "abandoned": ("never answered: abandoned", "#d62728"),
    "open": ("never answered: still open", "#bdbdbd"),
}
"""Legend text and colour of each of :data:`OUTCOMES`."""


def _outcomes(ax: Any, results: Sequence[RunResult], names: Sequence[str]) -> None:
    """One bar per scenario: its threads by outcome, as shares of all threads."""
    ax.set_title("Every thread at the end (share of all threads)")
    shares = [outcome_shares(results, index) for index in range(len(names))]
    if all(s is None for s in shares):
        _not_available(ax, "Threads by outcome")
        return
    rows = np.arange(len(names))[::-1]  # the first scenario on top
    for row, share in zip(rows, shares, strict=True):
        if share is None:
            ax.text(0.01, row, "not available", va="center", color="grey")
            continue
        left = 0.0
        for outcome in OUTCOMES:
            width = share[outcome]
            ax.barh(row, width, left=left, color=OUTCOME_STYLE[outcome][1], height=0.6)
            if width >= 0.06:
                ax.text(
                    left + width / 2,
                    row,
                    f"{100 * width:.0f} %",
                    ha="center",
                    va="center",
                    fontsize=8,
                )
            left += width
    ax.set_yticks(rows, [str(n) for n in names])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(
        [Patch(color=color) for _, color in OUTCOME_STYLE.values()],
        [label for label, _ in OUTCOME_STYLE.values()],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncols=2,
        fontsize=7.5,
        frameon=False,
    )


DERIVED = {"answered_within_1h_share": ("answered_within_1h", "threads")}
"""Series drawn as a ratio of two recorded ones: name -> (numerator, denominator)."""


def has_series(series: Mapping[str, Any], column: str) -> bool:
    """Whether ``series`` has ``column`` or the two columns it is the ratio of."""
    return all(name in series for name in DERIVED.get(column, (column,)))


def series_values(series: Mapping[str, Any], column: str) -> np.ndarray:
    """One series column, or a ratio of two (:data:`DERIVED`; NaN where 0 / 0).

    ``series`` maps column names to 1-D values: a run's hourly series or a
    ``model.series()`` frame.

    Examples
    --------
    >>> series_values({"answered_within_1h": [0, 1, 3], "threads": [0, 4, 6]},
    ...               "answered_within_1h_share")
    array([ nan, 0.25, 0.5 ])
    """
    if column not in DERIVED:
        return np.asarray(series[column], dtype=float)
    top, bottom = (np.asarray(series[name], dtype=float) for name in DERIVED[column])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)


def _band(results: Sequence[RunResult], column: str) -> tuple[np.ndarray, ...] | None:
    """Hours, mean, min and max of one series column over runs; ``None`` if no
    finite value. Hours where every run is NaN are left out."""
    runs = [r for r in results if has_series(r.series, column)]
    if not runs:
        return None
    length = min(len(r.series["hours"]) for r in runs)
    values = np.vstack([series_values(r.series, column)[:length] for r in runs])
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
    """The 2×3 comparison figure; every share is of **all** threads.

    Top: the share of all threads answered, then resolved, within t hours of opening
    (the mean of the replications; the never answered are the gap to 100 %, and each
    curve's legend gives the share reached with the median over those threads and the
    Kaplan–Meier median over all threads), then every thread's outcome at the end
    (resolved, answered, abandoned or still open without an answer). Bottom, over
    simulated time: credibility (``mean_trust``), sentiment (``mean_sentiment``) and
    the share of threads opened so far answered within 1 h (``answered_within_1h`` /
    ``threads``): the mean of the replications, with their min–max band. A panel whose
    data the model does not produce says so instead of failing.
    """
    palette = [f"C{i % 10}" for i in range(len(names))]
    figure = Figure(figsize=(17, 10), layout="constrained")
    FigureCanvasAgg(figure)
    (response, resolution, outcomes), (trust, sentiment, fast) = figure.subplots(2, 3)
    _response(
        response,
        results,
        names,
        palette,
        "first_response_hours",
        "Answered within t: share of all threads",
    )
    _response(
        resolution,
        results,
        names,
        palette,
        "resolution_hours",
        "Resolved within t: share of all threads",
    )
    _outcomes(outcomes, results, names)
    _over_time(trust, results, len(names), palette, "mean_trust", "Credibility", "mean trust")
    _over_time(
        sentiment, results, len(names), palette, "mean_sentiment", "Sentiment", "mean sentiment"
    )
    _over_time(
        fast,
        results,
        len(names),
        palette,
        "answered_within_1h_share",
        "Answered within 1 h, so far",
        "share of threads opened so far",
    )
    if fast.lines:
        fast.set_ylim(0, 1)
        fast.yaxis.set_major_formatter(PercentFormatter(1.0))
    replications = len({r.replication for r in results})
    handles = [Line2D([], [], color=c, lw=2) for c in palette]
    figure.legend(handles, list(names), loc="outside lower center", ncols=min(len(names), 4))
    figure.suptitle(
        f"{' vs '.join(names)}: {replications} paired replications "
        "(curves and lines: mean; bands: min–max)"
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
