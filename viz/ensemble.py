"""Ensemble mode: R paired replications of panes A and B, as ``orgsim compare`` runs them.

The runs go through the project's replication runner (:mod:`experiments.runner`:
:func:`~experiments.runner.jobs_for`, :func:`~experiments.runner.run_jobs`) and are
summarised by :func:`experiments.compare.summarise`, so the numbers equal ``orgsim
compare A B -r R --seed S --hours H --set ...`` at the same arguments: replication
``k`` of both panes runs on ``SeedSequence(seed).spawn(R)[k]`` (note: not the single
run's ``rng=seed`` of the live panes).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from experiments.compare import has_series, series_values, summarise
from experiments.measurements import RunResult
from experiments.runner import jobs_for, run_jobs
from sim.scenario import Scenario
from viz.kpi_cards import CARDS, CardSpec, beside_text, format_delta, format_value
from viz.plots import COLORS
from viz.session import PANES, Settings, validate

__all__ = [
    "BAND",
    "EnsembleResult",
    "band",
    "draw_ensemble",
    "ensemble_rows",
    "run_ensemble",
]

BAND = 0.90
"""Central share of the replications a band covers (5th to 95th percentile)."""

SERIES = (
    ("open_threads", "Open threads", "threads awaiting an answer"),
    ("first_response_hours", "First response, as answers are posted", "hours to the first answer"),
    ("answered_within_1h_share", "Answered within 1 h, so far", "share of all threads so far"),
    ("mean_trust", "Trust (credibility)", "mean trust (0–1)"),
    ("mean_sentiment", "Sentiment", "mean sentiment (−1 to 1)"),
)
"""(series column, title, y label) of each panel; ``answered_within_1h_share`` is
``answered_within_1h / threads`` (:data:`experiments.compare.DERIVED`)."""
BESIDE_SERIES = {"first_response_hours": "answered_share"}
"""A series of times over answered threads -> the share its legend gives beside it."""


@dataclass(frozen=True)
class EnsembleResult:
    """Replicated runs of both panes and their paired summary.

    Attributes
    ----------
    settings
        The panes' settings (files, seed, overrides).
    replications, hours
        R and the simulated hours of each run.
    names
        Scenario names of panes A and B, as ``summarise`` labels them.
    results
        Every run (:class:`experiments.measurements.RunResult`), by (pane, replication).
    summary
        :func:`experiments.compare.summarise`: per KPI and pane the mean and its 95 %
        CI; for B the paired difference B − A and its 95 % CI.
    """

    settings: Settings
    replications: int
    hours: float
    names: list[str]
    results: list[RunResult]
    summary: pd.DataFrame


def _names(settings: Settings, scenarios: Sequence[Scenario]) -> list[str]:
    names = settings.pane_names([s.name for s in scenarios])
    if names[0] == names[1]:
        names = [f"{names[0]} (A)", f"{names[1]} (B)"]
    return names


def run_ensemble(
    settings: Settings,
    replications: int,
    hours: float,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EnsembleResult:
    """Run R paired replications of both panes.

    Parameters
    ----------
    settings
        Files, base seed and overrides (levers, common and per pane) of the panes.
    replications
        R (at least 2, for a confidence interval).
    hours
        Simulated hours per run.
    executor
        Any ``concurrent.futures`` executor, or ``None`` to run in this thread.
    progress
        ``progress(done, total)`` after each run; raising from it cancels the rest.

    Raises
    ------
    ScenarioError
        If a scenario with these overrides is invalid.
    """
    scenarios = validate(settings)  # with each pane's own overrides
    jobs = jobs_for(scenarios, replications, settings.seed, hours)
    results = [run.measured for run in run_jobs(jobs, executor=executor, progress=progress)]
    names = _names(settings, scenarios)
    return EnsembleResult(settings, replications, hours, names, results, summarise(results, names))


def band(
    results: Sequence[RunResult], scenario_index: int, column: str, share: float = BAND
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Hours, mean, low and high quantiles of one hourly series over the replications.

    Returns ``None`` when no run of that pane has the column. Hours where a run has no
    finite value are left out of that hour's statistics.
    """
    runs = [
        r for r in results if r.scenario_index == scenario_index and has_series(r.series, column)
    ]
    if not runs:
        return None
    length = min(len(r.series["hours"]) for r in runs)
    values = np.vstack([series_values(r.series, column)[:length] for r in runs])
    if not np.isfinite(values).any():
        return None
    tail = (1.0 - share) / 2.0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an hour no run measured: NaN
        mean = np.nanmean(values, axis=0)
        low, high = np.nanquantile(values, [tail, 1.0 - tail], axis=0)
    return runs[0].series["hours"][:length], mean, low, high


def ensemble_rows(result: EnsembleResult) -> list[dict[str, str]]:
    """One display row per KPI card: each pane's mean ± 95 % CI and B − A ± 95 % CI
    (paired), with whether that interval excludes 0."""
    summary = result.summary
    rows = []
    for spec in CARDS:
        part = summary[summary["kpi"] == spec.name]
        if len(part) < 2:
            continue
        a, b = part.iloc[0], part.iloc[1]

        def mean(row: pd.Series, spec: CardSpec = spec) -> str:
            never = int(row.get("n_infinite", 0))
            if row["n"] == 0 and never:  # every replication: a median never reached
                text = format_value(spec.unit, math.inf)
            else:
                text = format_value(spec.unit, float(row["mean"]))
                if np.isfinite(row["ci"]):
                    text += " ± " + format_delta(spec.unit, float(row["ci"])).lstrip("+±")
                if never:
                    text += f" ({never} of {result.replications} not reached)"
            if spec.beside:  # a time over answered threads: with the share
                own = summary[summary["scenario"] == row["scenario"]]
                means = dict(zip(own["kpi"], own["mean"], strict=True))
                text += f" ({beside_text(spec, means)})"
            return text

        diff = format_delta(spec.unit, float(b["diff"])) if np.isfinite(b["diff"]) else "n/a"
        if np.isfinite(b["diff_ci"]):
            diff += " ± " + format_delta(spec.unit, float(b["diff_ci"])).lstrip("+±")
        rows.append(
            {
                "kpi": spec.name,
                "label": spec.label,
                "unit": spec.unit_text,
                "A": mean(a),
                "B": mean(b),
                "B − A": diff,
                "significant": "yes" if bool(b["significant"]) else "",
                "n": f"{int(b['diff_n'])}",
            }
        )
    return rows


def _share(result: EnsembleResult, index: int, kpi: str) -> float:
    """The mean of one KPI of one pane over the replications (NaN if absent)."""
    summary = result.summary
    row = summary[(summary["kpi"] == kpi) & (summary["scenario"] == result.names[index])]
    return float(row["mean"].iloc[0]) if len(row) else math.nan


def draw_ensemble(result: EnsembleResult, width: float = 13.0) -> Figure:
    """Mean and 90 % band over the replications of both panes, per series.

    The first-response panel (times over the threads answered in each hour) gives
    each pane's mean answered share in its legend.
    """
    figure = Figure(figsize=(width, width * 0.5))
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 3).ravel()
    figure.subplots_adjust(left=0.06, right=0.99, top=0.86, bottom=0.08, wspace=0.28, hspace=0.35)
    for ax in axes[len(SERIES) :]:
        ax.set_axis_off()
    for ax, (column, title, ylabel) in zip(axes, SERIES, strict=False):
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.set_xlabel("simulated hours", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        for index, pane in enumerate(PANES):
            found = band(result.results, index, column)
            color = COLORS[pane]
            if found is not None:
                hours, mean, low, high = found
                ax.plot(hours, mean, color=color, lw=1.5, label=f"{pane}: {result.names[index]}")
                ax.fill_between(hours, low, high, color=color, alpha=0.18, linewidth=0)
            if column in BESIDE_SERIES:  # (also when nobody was answered: no band)
                share = _share(result, index, BESIDE_SERIES[column])
                text = f"{pane}: answered {100 * share:.1f} % of all threads"
                ax.plot([], [], color=color, marker="s", linestyle="none", label=text)
        if column in BESIDE_SERIES:
            ax.legend(fontsize=7, loc="best")
        if column == "answered_within_1h_share":
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        labels,
        loc="upper center",
        ncols=2,
        fontsize=9,
        frameon=False,
        title=f"{result.replications} paired replications: mean and {BAND:.0%} band",
        title_fontsize=9,
    )
    return figure
