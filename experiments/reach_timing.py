"""How far a complaint goes against when it is answered (MODEL.md 4.2).

An organization that answers every thread after exactly ``d`` hours, whatever the
load: expert routing with every expert on board, all their time on social media, a
fixed draft of ``d`` hours, no approval, no follow-ups and infinite patience, and
4,000 employees so that nobody queues. ``d`` runs over 0.25, 1, 4, 24 hours and
"never" (a draft that outlasts the run), on the same seeds (common random numbers).
What changes between the levels is only when the answer comes.

``python -m experiments.reach_timing [--out DIR] [--seeds N]`` runs each level in the
default world for two weeks on ``N`` paired seeds (default 4) and writes
``reach_timing.json`` and ``reach_timing.png``: per level, the mean final reach of a
complaint (with its standard error over seeds), the negative exposures per complaint
(exposures while it was unanswered) and credibility.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from experiments.claims.design import SCENARIOS
from experiments.runner import Job, jobs_on_seeds, local_executor, run_jobs
from sim.model import OrgModel
from sim.outputs import atomic_write, write_json
from sim.scenario import load_scenario

HOURS = 336.0
DELAYS: tuple[float | None, ...] = (0.25, 1.0, 4.0, 24.0, None)
"""Hours from a thread's opening to its answer; ``None``: never answered."""
FIXED_DELAY = (
    "organization.n_employees=4000",
    "organization.social_share_offboard=1.0",
    "organization.offboard_engagement=1.0",
    "structure.approval_depth=0",
    "service.expertise_slowdown=0",
    "service.draft.distribution=fixed",
    "conversation.followup_probability=0",
    "channels.twitter.patience=infinite",
    "channels.linkedin.patience=infinite",
    "channels.blog.patience=infinite",
)


def level_overrides(delay: float | None, world: Sequence[str] = ()) -> list[str]:
    """The overrides of one level: answers after ``delay`` hours (``None``: never)."""
    hours = delay if delay is not None else 1e5
    return [*world, *FIXED_DELAY, f"service.draft.mean_hours={hours}"]


def label(delay: float | None) -> str:
    return "never" if delay is None else f"{delay:g} h"


def measure(model: OrgModel, job: Job) -> dict[str, float]:
    """A runner measurement: complaints' mean reach and negative exposures, and
    credibility, after ``HOURS``."""
    model.run_hours(HOURS)
    table = model.threads()
    complaints = table[table["kind"] == "complaint"]
    kpis = model.kpis()
    n = model.size()["customers"]
    return {
        "reach": float(complaints["reach"].mean()),
        "negative_per_complaint": kpis["negative_reach_per_1k"] * n / 1000 / len(complaints),
        "negative_reach_per_1k": kpis["negative_reach_per_1k"],
        "credibility": kpis["credibility"],
        "first_response_hours_median": kpis["first_response_hours_median"],
    }


def run(seeds: int, workers: int, world: Sequence[str] = ()) -> dict[str, dict[str, list]]:
    """Every level on ``seeds`` paired seeds: {level: {metric: [value per seed]}}."""
    base = SCENARIOS / "expert_routing.toml"
    scenarios = [load_scenario(base, level_overrides(d, world)) for d in DELAYS]
    executor = local_executor(workers)
    try:
        runs = run_jobs(jobs_on_seeds(scenarios, range(seeds), 0.0), measure, executor)
    finally:
        if executor is not None:
            executor.shutdown()
    out: dict[str, dict[str, list]] = {label(d): {} for d in DELAYS}
    for finished in runs:
        level = out[label(DELAYS[finished.key[0]])]
        for name, value in finished.measured.items():
            level.setdefault(name, []).append(value)
    return out


def draw(results: dict[str, dict[str, list]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    panels = (
        ("reach", "mean final reach of a complaint (customers)"),
        ("negative_per_complaint", "exposures while unanswered, per complaint"),
        ("credibility", "credibility at two weeks"),
    )
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    x = np.arange(len(names))
    for ax, (metric, title) in zip(axes, panels, strict=True):
        values = [np.array(results[n][metric]) for n in names]
        mean = [v.mean() for v in values]
        se = [v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else 0.0 for v in values]
        colors = ["tab:blue"] * (len(names) - 1) + ["crimson"]
        ax.bar(x, mean, yerr=se, color=colors, alpha=0.8, capsize=4)
        ax.set_xticks(x, names)
        ax.set_xlabel("every thread answered after")
        ax.set_title(title, fontsize=10)
        low = min(m - s for m, s in zip(mean, se, strict=True))
        high = max(m + s for m, s in zip(mean, se, strict=True))
        pad = (high - low) * 0.3 or 0.01
        ax.set_ylim(low - pad, high + pad)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(
        "When an answer comes (default world, two weeks, paired seeds; error bars: SE over seeds)"
    )
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.reach_timing", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reach-timing-out"))
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not 2 <= args.seeds <= 100:
        parser.error(f"--seeds {args.seeds}: allowed 2 to 100")
    results = run(args.seeds, args.workers)
    write_json(args.out / "reach_timing.json", {"hours": HOURS, "levels": results})
    draw(results, args.out / "reach_timing.png")
    for name, metrics in results.items():
        print(name, {k: round(float(np.mean(v)), 4) for k, v in metrics.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
