"""How far a complaint goes against when it was first answered (MODEL.md 4.2).

``python -m experiments.reach_timing [--out DIR] [--seeds N]`` runs the four essay
structures in the default world for two weeks on ``N`` paired seeds (default 3), takes
every complaint whose visibility window closed before the run ended, bins them by the
hours to their first answer (never answered is its own bin), and writes
``reach_timing.json`` and ``reach_timing.png``: the mean final reach of each bin with
its standard error, per channel. Answers within the hour cut a Twitter complaint's
reach; later answers still cool LinkedIn and blog threads, which spread over days.
The bins mix structures (each contributes the answers it gives), so the figure shows the
mechanism, not a ranking; the structures' own negative reach is the KPI
``negative_reach_per_1k``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.claims.design import ESSAY_STRUCTURES, SCENARIOS
from experiments.runner import Job, jobs_on_seeds, local_executor, run_jobs
from sim.model import OrgModel
from sim.outputs import atomic_write, write_json
from sim.scenario import load_scenario

HOURS = 336.0
BINS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 24.0, 72.0, np.inf)
LABELS = ("≤0.5", "0.5–1", "1–2", "2–4", "4–8", "8–24", "24–72", ">72", "never")


def complaints(model: OrgModel, job: Job) -> pd.DataFrame:
    """A runner measurement: the run's complaints whose window closed, with channel,
    hours to the first answer (NaN if never) and final reach."""
    model.run_hours(HOURS)
    table = model.threads()
    visible = {c.name: c.visible_hours for c in model.scenario_spec.channels}
    closed = table["created_hours"] + table["channel"].map(visible).astype(float) < HOURS
    table = table[(table["kind"] == "complaint") & closed]
    return table[["channel", "first_response_hours", "reach"]].reset_index(drop=True)


def binned(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean reach, its standard error and the count, per channel and response bin."""
    wait = frame["first_response_hours"]
    label = pd.cut(wait, BINS, labels=LABELS[:-1], include_lowest=True).astype(object)
    label[wait.isna()] = LABELS[-1]
    grouped = frame.assign(bin=label).groupby(["channel", "bin"], observed=True)["reach"]
    out = grouped.agg(["mean", "sem", "count"]).reset_index()
    out["bin"] = pd.Categorical(out["bin"], LABELS, ordered=True)
    return out.sort_values(["channel", "bin"])


def draw(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    channels = list(dict.fromkeys(table["channel"]))
    fig, axes = plt.subplots(1, len(channels), figsize=(5 * len(channels), 4.2), squeeze=False)
    for ax, channel in zip(axes[0], channels, strict=True):
        rows = table[(table["channel"] == channel) & (table["count"] >= 10)]
        x = np.array([LABELS.index(b) for b in rows["bin"]])
        answered = rows["bin"] != LABELS[-1]
        ax.errorbar(x[answered], rows["mean"][answered], yerr=rows["sem"][answered], marker="o")
        ax.errorbar(
            x[~answered],
            rows["mean"][~answered],
            yerr=rows["sem"][~answered],
            marker="s",
            color="crimson",
            linestyle="none",
            label="never answered",
        )
        ax.set_xticks(range(len(LABELS)), LABELS, rotation=30)
        ax.set_xlabel("hours to first answer")
        ax.set_ylabel("mean final reach (customers)")
        ax.set_title(f"complaints on {channel}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("When an answer comes changes how far a complaint goes (default world, 2 weeks)")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.reach_timing", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reach-timing-out"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not 1 <= args.seeds <= 100:
        parser.error(f"--seeds {args.seeds}: allowed 1 to 100")
    scenarios = [load_scenario(SCENARIOS / f"{kind}.toml") for kind in ESSAY_STRUCTURES]
    executor = local_executor(args.workers)
    try:
        runs = run_jobs(jobs_on_seeds(scenarios, range(args.seeds), 0.0), complaints, executor)
    finally:
        if executor is not None:
            executor.shutdown()
    table = binned(pd.concat([run.measured for run in runs], ignore_index=True))
    write_json(args.out / "reach_timing.json", table.astype({"bin": str}).to_dict("records"))
    draw(table, args.out / "reach_timing.png")
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
