"""What a batch of claims leaves behind: ``claims.json`` and the figures (effect sizes,
crossover panels, trajectories)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from experiments.claims.crossover import Crossover
from experiments.claims.design import BASE_SEED, ROOT
from experiments.claims.evaluation import ALPHA, ClaimOutcome
from experiments.claims.runs import Measured
from experiments.statistics import CONFIDENCE
from sim.outputs import atomic_write, write_json

EFFECT_LIMITS = (-20.0, 200.0)


def _forest(figure: Figure, outcomes: Sequence[ClaimOutcome]) -> None:
    ax = figure.add_subplot(1, 1, 1)
    y = np.arange(len(outcomes))[::-1]
    low_limit, high_limit = EFFECT_LIMITS
    for row, outcome in zip(y, outcomes, strict=True):
        d, low, high = outcome.effect_size
        color = "tab:green" if outcome.reproduced else "tab:red"
        shown = np.clip([d, low, high], low_limit, high_limit)
        ax.plot([shown[1], shown[2]], [row, row], color=color, lw=2)
        ax.plot(shown[0], row, "o", color=color, ms=5)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{o.claim.id} ({o.claim.kpi})" for o in outcomes], fontsize=7)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(low_limit, high_limit)
    ax.set_xticks([-10, -1, 0, 1, 10, 100])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.set_xlabel(
        "effect in the claimed direction beyond the margin, in SDs of the paired contrasts\n"
        "(Cohen's d_z with 95% CI, symmetric log scale; positive = as the essay claims)"
    )
    ax.set_title(
        "Essay claims (MODEL.md 1): green reproduced (one-sided p < 0.01), red not",
        fontsize=10,
    )
    ax.grid(axis="x", alpha=0.3)


def _crossover_panel(ax: Any, crossover: Crossover) -> None:
    sweep, loads = crossover.sweep, crossover.loads
    for means, ci, label, color in (
        (crossover.central_means, crossover.central_ci, sweep.central.name, "tab:orange"),
        (
            crossover.distributed_means,
            crossover.distributed_ci,
            sweep.distributed.name,
            "tab:blue",
        ),
    ):
        ax.plot(loads, means, "o-", color=color, label=label)
        ax.fill_between(loads, ci[:, 0], ci[:, 1], color=color, alpha=0.2)
    if crossover.load_at_crossover is not None:
        ax.axvline(
            crossover.load_at_crossover,
            color="black",
            ls="--",
            lw=1,
            label=f"crossover {crossover.load_at_crossover:.2f}/h",
        )
        if crossover.bracket is not None:
            ax.axvspan(*crossover.bracket, color="grey", alpha=0.15, label="bracket (95%)")
    ax.set_xscale("log")
    ax.set_xticks(loads)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda x, _: ""))
    ax.set_xlabel("load (new threads per hour)")
    ax.set_ylabel("mean first response (hours; 95% CI)")
    ax.set_title(sweep.title, fontsize=8)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)


def _trajectory(
    ax: Any, measured: Measured, claim_id: str, column: str, title: str, ylabel: str
) -> None:
    claim = measured.claims[claim_id].claim
    for level, results in zip(claim.levels, measured.series[claim_id], strict=True):
        hours = results[0].series["hours"]
        values = np.array([r.series[column] for r in results])
        ax.plot(hours, values.mean(axis=0), label=level.name)
        ax.fill_between(hours, values.min(axis=0), values.max(axis=0), alpha=0.15)
    ax.set_title(f"{title} (mean; band: min-max over seeds)", fontsize=9)
    ax.set_xlabel("hours")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)


def _save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=110))


def _revision() -> str | None:
    """The git commit of the working tree (``+dirty`` if ``sim/`` or ``scenarios/``
    have changes), or ``None`` outside a repository."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sim", "scenarios"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def write_outputs(measured: Measured, out: Path) -> list[Path]:
    """Write the measured numbers and the figures.

    Parameters
    ----------
    measured
        What :func:`measure_all` returned.
    out
        Directory (created if missing).

    Returns
    -------
    list of Path
        ``claims.json`` (every claim and sweep, for docs/VALIDATION.md), ``claims.png``
        (effect size with CI per claim), ``crossover.png`` and ``trajectories.png``.
    """
    out.mkdir(parents=True, exist_ok=True)
    outcomes = list(measured.claims.values())
    payload = {
        "generated_by": "python -m experiments.claims",
        "revision": _revision(),
        "base_seed": BASE_SEED,
        "alpha_one_sided": ALPHA,
        "confidence": CONFIDENCE,
        "tests": "paired t-test of the per-seed contrast (scipy ttest_1samp, the same as "
        "ttest_rel for a difference); Wilcoxon signed-rank when Shapiro-Wilk p < 0.01",
        "runs": len(measured.runs.jobs),
        "simulated_hours": measured.runs.simulated_hours,
        "claims": [o.summary() for o in outcomes],
        "not_reproduced": [o.claim.id for o in outcomes if not o.reproduced],
        "crossovers": [c.summary() for c in measured.crossovers.values()],
    }
    paths = [write_json(out / "claims.json", payload)]

    figure = Figure(figsize=(10, 0.22 * len(outcomes) + 1.5), layout="constrained")
    _forest(figure, outcomes)
    paths.append(out / "claims.png")
    _save(figure, paths[-1])

    crossovers = list(measured.crossovers.values())
    columns = 2
    rows = -(-len(crossovers) // columns)
    figure = Figure(figsize=(11, 4 * rows), layout="constrained")
    for i, crossover in enumerate(crossovers):
        _crossover_panel(figure.add_subplot(rows, columns, i + 1), crossover)
    paths.append(out / "crossover.png")
    _save(figure, paths[-1])

    figure = Figure(figsize=(11, 7.5), layout="constrained")
    axes = figure.subplots(2, 2)
    panels = (
        ("4-credibility", "mean_trust", "Essay 000: spin is found out", "credibility"),
        ("9-followers", "brand_followers", "Essay 004: talk, talk, talk", "brand followers"),
        ("8-word-of-mouth", "fan_share", "Essay 003: fans convert non-fans", "fan share"),
        (
            "7d-credibility-vs-switchboard",
            "mean_trust",
            "Essay 003: the four structures",
            "credibility",
        ),
    )
    for ax, (claim_id, column, title, ylabel) in zip(axes.flat, panels, strict=True):
        if claim_id in measured.series:
            _trajectory(ax, measured, claim_id, column, title, ylabel)
    paths.append(out / "trajectories.png")
    _save(figure, paths[-1])
    return paths
