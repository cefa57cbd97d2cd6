"""A lesson's figures: the curves with the chapters shaded and the interventions
marked, and its promised KPIs chapter by chapter with their 95 % CIs.

Both are drawn on a bare :class:`matplotlib.figure.Figure` (no pyplot state) and
rendered to PNG bytes by :func:`png_bytes`, for the report to embed.
``python -m experiments.lessons.figures`` writes each lesson's curves into
``docs/figures/`` (:func:`write_library_figures`).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.lessons.evidence import chapter_rows
from experiments.lessons.runs import COMPARE, WITHOUT_CHANGE, LessonResult
from experiments.lessons.windows import KPI_TEXT
from sim.outputs import atomic_write

__all__ = ["CURVES", "DPI", "draw_curves", "draw_promises", "png_bytes", "write_library_figures"]

DPI = 100
"""Resolution of the PNGs (pixels per inch of the figure sizes below)."""

CURVES = (
    ("open_threads", "Open threads", "threads"),
    ("answered", "Answers per hour", "answers / hour"),
    ("mean_trust", "Credibility (mean trust)", "mean trust"),
    ("fan_share", "Fan share", "share of customers"),
)
"""The curves' panels: series column, title, y label (``answered`` as a rate)."""

_SHADES = ("#f2f2f2", "#dde8f3")


def _color(result: LessonResult, index: int) -> str:
    """Blue for the lesson, orange for its compare scenario, grey without the change."""
    return {WITHOUT_CHANGE: "#8a8a8a", COMPARE: "C1"}.get(result.roles[index], "C0")


def _curve(result: LessonResult, index: int, column: str) -> tuple[np.ndarray, ...] | None:
    runs = [r for r in result.runs if r.scenario_index == index and column in r.series]
    if not runs:
        return None
    length = min(len(r.series[column]) for r in runs)
    values = np.vstack([r.series[column][:length] for r in runs])
    hours = runs[0].series["hours"][:length]
    if column == "answered":  # cumulative count -> per hour
        values = np.diff(values, axis=1, prepend=0.0) / np.diff(hours, prepend=0.0)
        kernel = np.ones(6) / 6  # a six-hour moving average, per run
        values = np.vstack([np.convolve(v, kernel, mode="same") for v in values])
    return hours, values.mean(axis=0), values.min(axis=0), values.max(axis=0)


def draw_curves(result: LessonResult) -> Figure:
    """2 × 2 panels over simulated hours: mean of the replications and min–max band,
    chapters shaded and named, interventions as labelled dashed lines."""
    figure = Figure(figsize=(11, 7), layout="constrained", dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(2, 2, sharex=True).ravel()
    names = [s.name for s in result.scenarios]
    lesson = result.lesson
    for ax, (column, title, ylabel) in zip(axes, CURVES, strict=True):
        for i, chapter in enumerate(lesson.chapters):
            ax.axvspan(chapter.start_hours, chapter.end_hours, color=_SHADES[i % 2], zorder=0)
        for index in range(len(names)):
            curve = _curve(result, index, column)
            if curve is None:
                continue
            hours, mean, low, high = curve
            color = _color(result, index)
            ax.plot(hours, mean, color=color, label=names[index], lw=1.6)
            ax.fill_between(hours, low, high, color=color, alpha=0.18, lw=0)
        for intervention in result.scenarios[0].interventions:
            ax.axvline(intervention.at_hours, color="#b3261e", ls="--", lw=1)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, result.hours)
    for ax in axes[2:]:
        ax.set_xlabel("simulated hours")
    top = axes[0]
    for chapter in lesson.chapters:
        middle = (chapter.start_hours + chapter.end_hours) / 2
        top.annotate(
            chapter.name,
            (middle, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -12),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color="#333",
        )
    for intervention in result.scenarios[0].interventions:
        axes[1].annotate(
            intervention.label or "intervention",
            (intervention.at_hours, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize=8,
            color="#b3261e",
        )
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    figure.suptitle(
        f"{lesson.title}: {result.replications} paired replications "
        "(lines: mean, bands: min–max; shading: chapters; dashed: interventions)",
        fontsize=11,
    )
    return figure


def draw_promises(result: LessonResult) -> Figure:
    """One panel per promised KPI: its mean ± 95 % CI in every chapter, per scenario."""
    kpis = list(dict.fromkeys(p.kpi for p in result.lesson.promises))
    figure = Figure(figsize=(11, 3.4), layout="constrained", dpi=DPI)
    FigureCanvasAgg(figure)
    axes = np.atleast_1d(figure.subplots(1, len(kpis)))
    chapters = [c.name for c in result.lesson.chapters]
    rows = chapter_rows(result, tuple(kpis), result.roles)
    width = 0.8 / len(result.scenarios)
    for ax, kpi in zip(axes, kpis, strict=True):
        for index, scenario in enumerate(result.scenarios):
            mine = [r for r in rows if r.kpi == kpi and r.scenario_index == index]
            x = np.arange(len(chapters)) + (index - (len(result.scenarios) - 1) / 2) * width
            ax.bar(
                x,
                [r.value.mean for r in mine],
                width,
                yerr=[np.nan_to_num(r.value.half_width) for r in mine],
                color=_color(result, index),
                label=scenario.name,
                capsize=3,
            )
        ax.set_xticks(np.arange(len(chapters)), chapters, fontsize=8)
        ax.set_title(KPI_TEXT[kpi], fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return figure


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes, at :data:`DPI` (its size in inches times DPI pixels)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def write_library_figures(folder: Path, replications: int = 10, seed: int = 0) -> list[Path]:
    """Each lesson's curves (its report's main figure) as ``lesson_<name>.png`` in
    ``folder``: the screenshots of ``docs/LESSONS.md``."""
    from experiments.lessons.runs import library, run_lesson
    from experiments.runner import local_executor

    written = []
    executor = local_executor(2)
    try:
        for path in library():
            result = run_lesson(path, replications, seed, executor=executor)
            png = png_bytes(draw_curves(result))
            target = folder / f"lesson_{path.stem}.png"
            written.append(atomic_write(target, lambda tmp, png=png: tmp.write_bytes(png)))
    finally:
        if executor is not None:
            executor.shutdown()
    return written


if __name__ == "__main__":  # python -m experiments.lessons.figures [FOLDER]
    import sys

    for written in write_library_figures(
        Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures")
    ):
        print(written)
