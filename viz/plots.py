"""The over-time plots: both panes on the same axes, interventions as labelled lines.

:func:`plot_panels` turns two per-tick series (``model.series()``) into the data of each
panel, without drawing; :func:`draw_panels` draws them with matplotlib's object API
(no pyplot state, safe in a server's threads). Matplotlib figures need no front-end
files, so the page stays usable offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from experiments.compare import has_series, marker_line, series_values
from sim.scenario import Scenario

__all__ = [
    "COLORS",
    "PANELS",
    "Marker",
    "Panel",
    "PanelSpec",
    "draw_panels",
    "markers_for",
    "plot_panels",
]

COLORS = {"A": "#1f77b4", "B": "#d62728"}
"""Pane colours, also used by the KPI cards."""

QUEUES = ("queue_triage", "queue_forward", "queue_draft", "queue_polish", "in_approval")


@dataclass(frozen=True)
class PanelSpec:
    """One plot: its title, y label and the series columns it draws (with line styles)."""

    key: str
    title: str
    ylabel: str
    lines: tuple[tuple[str, str, str], ...]
    """(column, legend text, line style); the column ``waiting`` is the sum of the
    queues, ``answered_within_1h_share`` the ratio ``answered_within_1h / threads``
    (:data:`experiments.compare.DERIVED`); the style ``"."`` draws dots, not a line."""
    share: str | None = None
    """A KPI of all threads the panel's legend gives for each pane (beside a time
    measured over answered threads only)."""
    percent: bool = False
    """Whether the y axis is a share from 0 to 100 %."""


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("open", "Open threads", "threads awaiting an answer", (("open_threads", "", "-"),)),
    PanelSpec(
        "answered",
        "Answers posted and threads abandoned",
        "cumulative count",
        (("answered", "answers posted", "-"), ("abandoned", "threads abandoned", "--")),
    ),
    PanelSpec(
        "first_response",
        "First response, as answers are posted",
        "hours to the first answer",
        (("first_response_hours", "", "."),),
        share="answered_share",
    ),
    PanelSpec(
        "within_1h",
        "Answered within 1 h, so far",
        "share of all threads opened so far",
        (("answered_within_1h_share", "", "-"),),
        percent=True,
    ),
    PanelSpec(
        "waiting",
        "Waiting in queues and approvals",
        "threads",
        (("waiting", "", "-"),),
    ),
    PanelSpec("sentiment", "Sentiment", "mean sentiment (−1 to 1)", (("mean_sentiment", "", "-"),)),
    PanelSpec("trust", "Trust (credibility)", "mean trust (0–1)", (("mean_trust", "", "-"),)),
    PanelSpec(
        "fans",
        "Fans and detractors",
        "share of customers",
        (("fan_share", "fans", "-"), ("detractor_share", "detractors", "--")),
    ),
)
"""Every panel, in figure order (row by row)."""


@dataclass(frozen=True)
class Marker:
    """An intervention of one pane's scenario, drawn as a vertical line."""

    pane: str
    hours: float
    label: str


@dataclass
class Panel:
    """The data of one panel.

    Attributes
    ----------
    spec
        Which panel.
    lines
        ``(pane, column, hours, values, legend, style)`` per drawn line.
    """

    spec: PanelSpec
    lines: list[tuple[str, str, np.ndarray, np.ndarray, str, str]] = field(default_factory=list)
    shares: dict[str, float] = field(default_factory=dict)
    """Pane -> the value of ``spec.share`` now (from ``kpis()``), for the legend."""


def _column(series: pd.DataFrame, column: str) -> np.ndarray:
    if column == "waiting":
        present = [name for name in QUEUES if name in series]
        if not present:
            return np.full(len(series), np.nan)
        return series[present].to_numpy(dtype=float).sum(axis=1)
    if not has_series(series, column):
        return np.full(len(series), np.nan)
    return series_values(series, column)


def plot_panels(
    series: dict[str, pd.DataFrame], kpis: dict[str, dict[str, float]] | None = None
) -> list[Panel]:
    """Each panel's lines for the panes given.

    Parameters
    ----------
    series
        Pane name (``"A"``, ``"B"``) to its ``model.series()``; an empty frame (no
        tick yet) gives no line.
    kpis
        Pane name to its ``model.kpis()`` now: the share a panel of times over answered
        threads gives beside them (:attr:`PanelSpec.share`).

    Returns
    -------
    list of Panel
        In :data:`PANELS` order; a column the series lacks is left out.
    """
    panels = []
    for spec in PANELS:
        panel = Panel(spec)
        if spec.share is not None:
            for pane, values in (kpis or {}).items():
                if spec.share in values:
                    panel.shares[pane] = float(values[spec.share])
        for pane, frame in series.items():
            if frame is None or len(frame) == 0:
                continue
            hours = frame["hours"].to_numpy(dtype=float)
            for column, legend, style in spec.lines:
                values = _column(frame, column)
                if np.isfinite(values).any():
                    panel.lines.append((pane, column, hours, values, legend, style))
        panels.append(panel)
    return panels


def markers_for(pane: str, scenario: Scenario) -> list[Marker]:
    """The interventions of a pane's scenario, with a label for each."""
    markers = []
    for intervention in scenario.interventions:
        label = intervention.label
        if not label:
            parts = [f"{k}={v}" for k, v in intervention.set.items()]
            if intervention.crisis is not None:
                parts.append(f"crisis on {intervention.crisis.topic}")
            label = ", ".join(parts) or "intervention"
        markers.append(Marker(pane, float(intervention.at_hours), label))
    return markers


def draw_panels(
    panels: Sequence[Panel],
    names: dict[str, str],
    markers: Sequence[Marker] = (),
    hours: float = 0.0,
    width: float = 13.0,
) -> Figure:
    """The figure of every panel, 2 rows of 4, panes A and B on the same axes.

    Parameters
    ----------
    panels
        From :func:`plot_panels`.
    names
        Pane to its legend name (e.g. ``{"A": "A: switchboard"}``).
    markers
        Interventions, drawn as vertical lines labelled at the top of each axis.
    hours
        The simulated time now: the x axis spans at least 0 to this (and a day).
    width
        Figure width in inches.
    """
    figure = Figure(figsize=(width, width * 0.46))  # a fixed layout: constrained costs 0.25 s
    FigureCanvasAgg(figure)
    columns = (len(PANELS) + 1) // 2
    axes = figure.subplots(2, columns, sharex=True).ravel()
    figure.subplots_adjust(left=0.05, right=0.99, top=0.9, bottom=0.08, wspace=0.3, hspace=0.24)
    right = max(24.0, hours, *(m.hours for m in markers if m.hours <= max(hours, 24.0)))
    for ax, panel in zip(axes, panels, strict=False):
        ax.set_title(panel.spec.title, fontsize=10)
        ax.set_ylabel(panel.spec.ylabel, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, right)
        for pane, _column_name, x, y, legend, style in panel.lines:
            text = names.get(pane, pane) + (f", {legend}" if legend else "")
            if pane in panel.shares:  # a time over answered threads: with the share
                text += f" (answered {100 * panel.shares[pane]:.1f} % of all threads)"
            color = COLORS.get(pane, "black")
            if style == ".":
                ax.plot(x, y, color=color, linestyle="none", marker=".", ms=3.5, label=text)
            else:
                ax.plot(x, y, color=color, linestyle=style, lw=1.4, label=text)
        if panel.spec.percent:
            ax.set_ylim(0, 1)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        if not panel.lines:
            ax.text(
                0.5,
                0.5,
                "no data yet",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="grey",
            )
        for marker in markers:
            if marker.hours > right:
                continue
            color = COLORS.get(marker.pane, "black")
            label = f" {marker.pane}: {marker.label}"
            marker_line(ax, marker.hours, label, color, lw=1.2, y=0.98, fontsize=7)
        if panel.lines and (panel.shares or any(legend for *_, legend, _style in panel.lines)):
            ax.legend(fontsize=7, loc="best")
    for ax in axes[columns:]:
        ax.set_xlabel("simulated hours", fontsize=8)
    handles = [axes[0].plot([], [], color=COLORS[p], lw=2)[0] for p in ("A", "B") if p in names]
    figure.legend(
        handles,
        [names[p] for p in ("A", "B") if p in names],
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=2,
        fontsize=9,
        frameon=False,
    )
    return figure
