"""How each public KPI depends on run length (MODEL.md 6.9).

``python -m experiments.run_length [--out DIR] [--seeds N] [--weeks W]`` runs the four
essay structures in the default world for ``W`` weeks (default 6) on ``N`` paired seeds
(default 3), reads the KPI contract at the end of every week (``OrgModel.kpis()`` can be
read mid-run) and the per-tick series, and writes ``run_length.json`` (the KPIs by week,
mean over seeds) and ``run_length.png`` (each public KPI's path, one line per structure).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np

from experiments.claims.design import ESSAY_STRUCTURES, SCENARIOS
from experiments.runner import Job, jobs_on_seeds, local_executor, run_jobs
from sim.model import OrgModel
from sim.outputs import atomic_write, write_json
from sim.scenario import load_scenario

PUBLIC = (
    "credibility",
    "sentiment",
    "net_sentiment",
    "negative_reach_per_1k",
    "interactivity",
    "answered_within_24h_share",
)
SERIES = ("mean_trust", "mean_sentiment", "fan_share", "detractor_share", "brand_followers")


def weekly(model: OrgModel, job: Job, *, weeks: int) -> dict:
    """A runner measurement that drives its model: the KPIs at the end of each week,
    and the per-tick series of the public."""
    by_week = []
    for _ in range(weeks):
        model.run_hours(168.0)
        by_week.append(model.kpis())
    series = model.series()
    return {
        "kpis": by_week,
        "hours": series["hours"].to_numpy(),
        **{name: series[name].to_numpy() for name in SERIES},
    }


def measure(seeds: int, weeks: int, workers: int) -> dict[str, list[dict]]:
    scenarios = [load_scenario(SCENARIOS / f"{kind}.toml") for kind in ESSAY_STRUCTURES]
    jobs = jobs_on_seeds(scenarios, range(seeds), 0.0)
    executor = local_executor(workers)
    try:
        runs = run_jobs(jobs, partial(weekly, weeks=weeks), executor)
    finally:
        if executor is not None:
            executor.shutdown()
    out: dict[str, list[dict]] = {kind: [] for kind in ESSAY_STRUCTURES}
    for run in runs:
        out[ESSAY_STRUCTURES[run.key[0]]].append(run.measured)
    return out


def summarise(measured: dict[str, list[dict]], weeks: int) -> dict:
    table = {}
    for kind, runs in measured.items():
        table[kind] = {
            name: [float(np.mean([r["kpis"][w][name] for r in runs])) for w in range(weeks)]
            for name in PUBLIC
        }
    return table


def draw(measured: dict[str, list[dict]], table: dict, weeks: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5))
    week_axis = np.arange(1, weeks + 1)
    for kind in measured:
        runs = measured[kind]
        hours = runs[0]["hours"] / 24.0
        for ax, name in zip(
            axes[0], ("mean_trust", "mean_sentiment", "fan_share", "brand_followers"), strict=True
        ):
            ax.plot(hours, np.mean([r[name] for r in runs], axis=0), label=kind.replace("_", " "))
            ax.set_title(name.replace("_", " ") + " (per tick)")
            ax.set_xlabel("days")
        for ax, name in zip(
            axes[1],
            ("credibility", "net_sentiment", "negative_reach_per_1k", "answered_within_24h_share"),
            strict=True,
        ):
            ax.plot(week_axis, table[kind][name], marker="o", label=kind.replace("_", " "))
            ax.set_title(name.replace("_", " ") + " (KPI at run end)")
            ax.set_xlabel("run length, weeks")
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Public KPIs against run length (default world, mean of paired seeds)")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.run_length", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("run-length-out"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not 1 <= args.seeds <= 100 or not 1 <= args.weeks <= 52:
        parser.error("--seeds: 1 to 100; --weeks: 1 to 52")
    measured = measure(args.seeds, args.weeks, args.workers)
    table = summarise(measured, args.weeks)
    write_json(
        args.out / "run_length.json", {"weeks": args.weeks, "seeds": args.seeds, "kpis": table}
    )
    draw(measured, table, args.weeks, args.out / "run_length.png")
    for kind, kpis in table.items():
        print(kind, {k: [round(v, 4) for v in vals] for k, vals in kpis.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
