"""Validation worlds and figures for MODEL.md 6.3 (word of mouth is Bass) and 6.4 (the
cascade threshold).

``python -m experiments.validation_figures [--out docs/figures]`` writes

- ``bass.png``: the fan share on the complete graph, with a band across replications,
  against the Bass (1969) closed form, for (p, q) = (0.03, 0.38) and (0.01, 0.6), and the
  ``q = 0`` control ``1 - e^{-pt}``;
- ``cascade_threshold.png``: the mean final reach of one seeded thread on Erdős–Rényi
  graphs against ``p <k>``, with the bond-percolation prediction (Callaway et al. 2000;
  Newman 2002) and the threshold ``p <k> = 1``.

The worlds and runners below are the ones ``tests/test_validation_bass.py`` and
``tests/test_validation_cascade.py`` assert on, and the figures use the tests' sizes and
seeds (Bass: n = 1,000, 12 replications, seeds 0-11; cascades: n = 20,000, 8 graphs,
seeds 0-7, 5,000 threads per graph up to ``p <k> = 1`` and 300 above), so the points the
tests check are the ones plotted; the cascade sweep adds 0.9, 1.1, 1.25 and 1.75.

References
----------
F. M. Bass (1969), "A new product growth for model consumer durables", *Management
Science* 15(5): 215-227.
D. S. Callaway, M. E. J. Newman, S. H. Strogatz and D. J. Watts (2000), "Network
robustness and fragility: percolation on random graphs", *Phys. Rev. Lett.* 85, 5468.
M. E. J. Newman (2002), "Spread of epidemic disease on networks", *Phys. Rev. E* 66,
016128; *Networks: An Introduction* (2010), ch. 12, 16 and 17.
B. Pittel (1990), "On tree census and the giant component in sparse random graphs",
*Random Structures & Algorithms* 1(3): 311-342.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import optimize, special

from experiments.runner import Job, jobs_on_seeds, run_jobs
from sim import OrgModel
from sim.outputs import atomic_write
from sim.scenario import Scenario, scenario_from_dict
from sim.theory import bass_adopters

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BASS_PAIRS",
    "PERIOD_HOURS",
    "CascadeSweep",
    "Cascades",
    "bass_chain",
    "bass_world",
    "cascade_world",
    "draw_bass",
    "draw_cascade",
    "expected_reach_fraction",
    "fan_share",
    "fan_share_curves",
    "giant_fraction",
    "giant_fraction_sd",
    "main",
    "seeded_cascades",
    "thread_reach",
]

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "figures"

# A bare organization: one comms silo of two people. Nothing is posted, so it only
# receives the seeded threads of the cascade worlds.
_BARE_ORGANIZATION = {
    "organization": {"n_employees": 2},
    "silos": [{"name": "comms", "share": 1.0, "topics": ["general"]}],
    "levels": [{"name": "staff", "span_of_control": 1000}],
    "posting": {"problem_rate": 0.0, "question_rate": 0.0, "praise_rate": 0.0},
    "broadcast": {"rate_per_hour": 0.0},
}

# ------------------------------------------------------------------ 6.3 Bass

PERIOD_HOURS = 168.0
"""The Bass period: the scenario default ``opinions.bass_period_hours`` (a week)."""
BASS_PAIRS = ((0.03, 0.38), (0.01, 0.6))
"""(p, q) per period: the default pair of MODEL.md 6.3 and a faster-imitating one."""


def bass_world(p: float, q: float, *, n: int = 1000, ticks_per_period: int = 50) -> Scenario:
    """Word of mouth alone on the complete graph of ``n`` customers.

    Everything else that moves sentiment is off: nobody posts (so no problems, threads,
    exposures or answers), the brand does not broadcast, every customer starts at
    sentiment 0 (sd 0) below the fan threshold 0.5 with a baseline equal to it (so
    relaxation toward the baseline, on ``memory_hours = 1e7``, does nothing), and no
    interventions. The tick is ``1 / ticks_per_period`` of the Bass period.
    """
    return scenario_from_dict(
        {
            **_BARE_ORGANIZATION,
            "time": {"tick_minutes": 60.0 * PERIOD_HOURS / ticks_per_period},
            "customers": {
                "n_customers": n,
                "sentiment_mean": 0.0,
                "sentiment_sd": 0.0,
                "fan_threshold": 0.5,
            },
            "graph": {"kind": "complete"},
            "opinions": {
                "memory_hours": 1e7,
                "p_innovation": p,
                "q_imitation": q,
                "bass_period_hours": PERIOD_HOURS,
            },
        }
    )


def fan_share_curves(
    p: float,
    q: float,
    *,
    n: int = 1000,
    ticks_per_period: int = 50,
    periods: int = 12,
    replications: int = 12,
    first_seed: int = 0,
    executor: Executor | None = None,
) -> np.ndarray:
    """Fan share after each tick, one row per replication (seeds ``first_seed + r``,
    :func:`experiments.runner.jobs_on_seeds`; ``executor`` as for
    :func:`experiments.runner.run_jobs`).

    Returns
    -------
    ndarray, shape (replications, periods * ticks_per_period)
        Column ``k`` is the fan share at ``t = (k + 1) / ticks_per_period`` periods.
    """
    scenario = bass_world(p, q, n=n, ticks_per_period=ticks_per_period)
    hours = periods * ticks_per_period * scenario.time.tick_hours
    seeds = range(first_seed, first_seed + replications)
    runs = run_jobs(jobs_on_seeds([scenario], seeds, hours), fan_share, executor)
    return np.vstack([run.measured for run in runs])


def fan_share(model: OrgModel, job: Job) -> np.ndarray:
    """The runner measurement of :func:`fan_share_curves`: the fan share after each
    tick."""
    return model.series()["fan_share"].to_numpy(float)


def bass_chain(n: int, p: float, q: float, ticks_per_period: int, ticks: int) -> np.ndarray:
    """Exact distribution of the number of fans after each tick (no sampling).

    The rule of :meth:`sim.public.opinions.Opinions.word_of_mouth` on the complete graph is a
    Markov chain on the number of fans ``k``: each of the ``n - k`` non-fans converts
    independently with probability ``1 - exp(-(p + q k / (n - 1)) / ticks_per_period)``
    (a non-fan's ``n - 1`` in-neighbours exclude itself and include all ``k`` fans), so
    the new fans are ``Binomial(n - k, .)``. Iterating the ``(n + 1) x (n + 1)``
    transition matrix from ``k = 0`` gives the exact law of the simulated fan count, so
    its mean and spread carry every finite-``n`` and finite-tick effect.

    Returns
    -------
    ndarray, shape (ticks, n + 1)
        Row ``i``: probabilities of ``0..n`` fans after ``i + 1`` ticks.
    """
    k = np.arange(n + 1)
    convert = -np.expm1(-(p + q * k / (n - 1)) / ticks_per_period)
    trials = (n - k)[:, None].astype(float)  # row: k fans now; column: k + j fans next
    j = (k[None, :] - k[:, None]).astype(float)
    possible = (j >= 0) & (j <= trials)
    j = np.where(possible, j, 0.0)
    log_pmf = (
        special.gammaln(trials + 1)
        - special.gammaln(j + 1)
        - special.gammaln(trials - j + 1)
        + special.xlogy(j, convert[:, None])
        + special.xlog1py(trials - j, -convert[:, None])
    )
    transition = np.where(possible, np.exp(log_pmf), 0.0)
    law = np.zeros(n + 1)
    law[0] = 1.0
    out = np.empty((ticks, n + 1))
    for i in range(ticks):
        law = law @ transition
        out[i] = law
    return out


# ------------------------------------------------------ 6.4 cascade threshold


def cascade_world(reshare: float, *, n: int = 20_000, mean_degree: float = 8.0) -> Scenario:
    """Independent cascades on an Erdős–Rényi graph with one constant edge probability.

    One channel whose first hop ``view_share x reach`` and ``reshare`` both equal
    ``reshare``; every kind, state and severity multiplier is 1 and nobody escalates;
    views come after exponential delays of half-life 1 h, on 15-minute ticks, and
    ``visible_hours`` is 100,000, so no view is lost to the window over the few
    hundred hours a cascade needs; nobody posts and the one triage takes 1,000 h, so no
    seeded thread is answered while it spreads. Each thread's reach is then the
    cluster of its author in bond percolation with occupation probability ``reshare``
    (Newman 2002), whatever the delays: the spread law, not the timing, decides.
    """
    return scenario_from_dict(
        {
            **_BARE_ORGANIZATION,
            "time": {"tick_minutes": 15.0},
            "channels": [
                {
                    "name": "only",
                    "share": 1.0,
                    "reach": 1.0,
                    "reshare": reshare,
                    "visible_hours": 100_000.0,
                    "half_life_hours": 1.0,
                    "patience": "infinite",
                }
            ],
            "customers": {"n_customers": n},
            "graph": {"kind": "erdos_renyi", "mean_degree": mean_degree},
            "service": {"triage": {"distribution": "fixed", "mean_hours": 1000.0}},
            "spread": {
                "view_share": reshare,
                "complaint": 1.0,
                "question": 1.0,
                "praise": 1.0,
                "unanswered_complaint": 1.0,
                "gaffe": 1.0,
                "answered": 1.0,
                "ignored_complaint": 1.0,
                "severity": 0.0,
                "escalation": 0.0,
            },
            "opinions": {"p_innovation": 0.0, "q_imitation": 0.0},
        }
    )


@dataclass(frozen=True)
class CascadeSweep:
    """Final reaches at one ``p <k>``.

    Attributes
    ----------
    mean_open_degree
        ``p <k>``.
    reach
        Final reach (distinct customers, author included) as a fraction of ``n``, one
        row per graph (model), one column per thread.
    ticks
        The most ticks any model needed until its frontier was empty.
    answered
        Threads answered during the runs (0 by design).
    edge_probabilities
        The distinct first-hop and per-tick edge probabilities the models used.
    """

    mean_open_degree: float
    reach: np.ndarray
    ticks: int
    answered: int
    edge_probabilities: tuple[float, ...]


def thread_reach(
    mean_open_degree: float,
    *,
    n: int = 20_000,
    mean_degree: float = 8.0,
    graphs: int = 8,
    threads: int = 300,
    first_seed: int = 0,
    executor: Executor | None = None,
) -> CascadeSweep:
    """Open ``threads`` questions at random authors in each of ``graphs`` models (seeds
    ``first_seed + g``, one graph each) and run until no cascade has a frontier.

    Threads share their model's graph but not their coins, so given the graph their
    reaches are independent bond-percolation clusters. Each graph is one runner job
    (:func:`seeded_cascades`); ``executor`` as for :func:`experiments.runner.run_jobs`.
    """
    reshare = mean_open_degree / mean_degree
    scenario = cascade_world(reshare, n=n, mean_degree=mean_degree)
    seeds = range(first_seed, first_seed + graphs)
    measure = partial(seeded_cascades, threads=threads)
    jobs = jobs_on_seeds([scenario], seeds, 0.0)
    runs = [run.measured for run in run_jobs(jobs, measure, executor)]
    return CascadeSweep(
        mean_open_degree,
        np.vstack([run.reach for run in runs]),
        max(run.ticks for run in runs),
        sum(run.answered for run in runs),
        tuple(sorted(set().union(*(run.edge_probabilities for run in runs)))),
    )


@dataclass(frozen=True, eq=False)
class Cascades:
    """What :func:`seeded_cascades` measures on one graph (fields as in
    :class:`CascadeSweep`, ``reach`` one row)."""

    reach: np.ndarray
    ticks: int
    answered: int
    edge_probabilities: frozenset[float]


def seeded_cascades(model: OrgModel, job: Job, *, threads: int) -> Cascades:
    """A runner measurement that drives its model: open ``threads`` questions at random
    authors (drawn from the model's own Generator), step until no cascade has a
    frontier, and read each thread's final reach.

    The edge probabilities are the first hop ``min(1, view_share x reach)`` and the
    per-tick ``reshare x kind factor`` of the channel the threads open on, as
    :class:`sim.public.Spread` computes them from the scenario.
    """
    n = model.size()["customers"]
    authors = model.rng.integers(0, n, size=threads)
    kind = "question"
    ids = model.open_threads(threads, topic="general", kind=kind, author=authors)
    spec, channel = model.scenario_spec.spread, model.scenario_spec.channels[0]
    probabilities = frozenset(
        {
            float(min(1.0, spec.view_share * channel.reach)),
            float(channel.reshare * getattr(spec, kind)),
        }
    )
    ticks = 0
    while True:
        model.step()
        ticks += 1
        if not model.is_spreading:
            break
    reach = model.threads()["reach"].to_numpy()[ids] / n
    return Cascades(reach, ticks, int(model.counters["answered"]), probabilities)


def giant_fraction(mean_open_degree: float) -> float:
    """S, the giant-component fraction of bond percolation on an Erdős–Rényi graph whose
    open edges have mean degree ``c = p <k>``: the root of ``S = 1 - exp(-c S)`` in
    (0, 1] (0 for ``c <= 1``). It is also the chance that a random author's thread
    takes off (Callaway et al. 2000; Newman 2010, ch. 12 and 16)."""
    c = float(mean_open_degree)
    if c <= 1.0:
        return 0.0
    return float(optimize.brentq(lambda s: s - 1.0 + math.exp(-c * s), 1e-12, 1.0))


def giant_fraction_sd(mean_open_degree: float, n: int) -> float:
    """Standard deviation of the giant component's fraction in ``G(n, c/n)``, ``c > 1``:
    ``sqrt(S (1 - S) / n) / (1 - c (1 - S))`` (the central limit theorem of Pittel 1990)."""
    c, s = float(mean_open_degree), giant_fraction(mean_open_degree)
    return math.sqrt(s * (1.0 - s) / n) / (1.0 - c * (1.0 - s))


def expected_reach_fraction(mean_open_degree: float, n: int) -> float:
    """Mean final reach fraction of a thread from a random author, large ``n``.

    ``S^2 + (1 - S) / (n (1 - c (1 - S)))``: with probability S the author is in the
    giant component and the thread reaches S n; otherwise it reaches a finite cluster of
    mean size ``1 / (1 - c (1 - S))`` (the subcritical dual). Below the threshold S = 0
    and this is the branching-process mean ``1 / (1 - c)`` over n. Infinite at c = 1.
    """
    c, s = float(mean_open_degree), giant_fraction(mean_open_degree)
    dual = 1.0 - c * (1.0 - s)
    return s * s + (1.0 - s) / (n * dual) if dual > 0 else math.inf


# ------------------------------------------------------------------- figures


def draw_bass(
    curves: dict[tuple[float, float], np.ndarray],
    control: np.ndarray,
    *,
    n: int,
    ticks_per_period: int,
    control_ticks_per_period: int,
    control_p: float,
) -> Figure:
    """One panel per (p, q): replications' min-max band and mean against the closed
    form; the first panel also shows the ``q = 0`` control against ``1 - e^{-pt}``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(curves), sharey=True)
    for index, (ax, ((p, q), runs)) in enumerate(zip(axes, curves.items(), strict=True)):
        t = np.arange(1, runs.shape[1] + 1) / ticks_per_period
        smooth = np.linspace(0.0, t[-1], 400)
        ax.fill_between(
            t,
            runs.min(axis=0),
            runs.max(axis=0),
            color="C0",
            alpha=0.25,
            lw=0,
            label=f"simulated, {runs.shape[0]} replications (min–max)",
        )
        ax.plot(t, runs.mean(axis=0), color="C0", lw=1.5, label="simulated mean")
        ax.plot(
            smooth,
            bass_adopters(smooth, p, q),
            "k--",
            lw=1.5,
            label="Bass (1969) closed form F(t)",
        )
        if index == 0:
            tc = np.arange(1, control.shape[1] + 1) / control_ticks_per_period
            ax.fill_between(tc, control.min(axis=0), control.max(axis=0), color="C1", alpha=0.3)
            ax.plot(tc, control.mean(axis=0), color="C1", lw=1.5, label="simulated, q = 0")
            ax.plot(
                smooth,
                -np.expm1(-control_p * smooth),
                ":",
                color="k",
                lw=1.5,
                label=r"q = 0: $1-e^{-pt}$",
            )
        ax.set_title(f"p = {p}, q = {q} per period")
        ax.set_xlabel(f"time t (periods of {PERIOD_HOURS:g} h)")
        ax.set_ylim(0.0, 1.0)
        ax.set_xlim(0.0, t[-1])
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=9)
    axes[0].set_ylabel("fan share F(t)")
    figure.suptitle(
        f"Word of mouth on the complete graph ({n:,} customers, all other effects off) "
        "follows the Bass (1969) curve"
    )
    return figure


def draw_cascade(sweeps: Sequence[CascadeSweep], n: int, mean_degree: float) -> Figure:
    """Mean final reach against ``p <k>`` (log y) with the percolation prediction, and
    the share of threads that take off against S."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 5), layout="constrained")
    FigureCanvasAgg(figure)
    reach_ax, share_ax = figure.subplots(1, 2)
    c = np.array([s.mean_open_degree for s in sweeps])
    mean = np.array([s.reach.mean() for s in sweeps])
    se = np.array([s.reach.std(ddof=1) / math.sqrt(s.reach.size) for s in sweeps])
    sizes = " or ".join(f"{k:,}" for k in sorted({s.reach.size for s in sweeps}, reverse=True))
    sizes = f"{sizes} threads per point"
    grid = np.linspace(0.05, 2.2, 600)
    grid = grid[np.abs(grid - 1.0) > 0.04]
    theory = np.array([expected_reach_fraction(x, n) for x in grid])
    for side in (grid < 1.0, grid > 1.0):
        reach_ax.plot(
            grid[side],
            theory[side],
            "k-",
            lw=1.5,
            label="percolation: $S^2 + (1-S)/(n(1-c(1-S)))$" if side[0] else None,
        )
    reach_ax.errorbar(
        c,
        mean,
        yerr=3 * se,
        fmt="o",
        color="C3",
        ms=6,
        capsize=3,
        label="simulated mean (± 3 SE)",
    )
    reach_ax.axvline(1.0, color="C7", ls="--", lw=1.2, label=r"threshold $p\langle k\rangle = 1$")
    reach_ax.set_yscale("log")
    reach_ax.set_xlabel(r"$p\langle k\rangle$ (reshare probability × mean degree)")
    reach_ax.set_ylabel("mean final reach / n")
    reach_ax.set_title(f"Mean final reach of one seeded thread ({sizes})")
    reach_ax.grid(alpha=0.3, which="both")
    reach_ax.legend(loc="lower right", fontsize=9)

    take_off = np.array([(s.reach > 0.05).mean() for s in sweeps])
    big = np.array(
        [s.reach[s.reach > 0.05].mean() if (s.reach > 0.05).any() else 0 for s in sweeps]
    )
    fine = np.linspace(0.0, 2.2, 400)
    share_ax.plot(
        fine, [giant_fraction(x) for x in fine], "k-", lw=1.5, label=r"S, root of $S = 1 - e^{-cS}$"
    )
    share_ax.plot(c, take_off, "o", color="C0", ms=6, label="share of threads that take off")
    share_ax.plot(c, big, "s", color="C2", ms=5, mfc="none", label="mean reach / n of those")
    share_ax.axvline(1.0, color="C7", ls="--", lw=1.2)
    share_ax.set_xlabel(r"$p\langle k\rangle$")
    share_ax.set_ylabel("fraction")
    share_ax.set_ylim(-0.02, 1.0)
    share_ax.set_title("Take-off (reach > 5 % of n) and the giant component S")
    share_ax.grid(alpha=0.3)
    share_ax.legend(loc="upper left", fontsize=9)
    figure.suptitle(
        f"Cascade threshold on Erdős–Rényi graphs (n = {n:,}, ⟨k⟩ = {mean_degree:g}): "
        "threads take off only above bond percolation's 1/⟨k⟩"
    )
    return figure


def _save(figure: Figure, path: Path) -> Path:
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=120))


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Regenerate ``bass.png`` and ``cascade_threshold.png``; returns their paths."""
    parser = argparse.ArgumentParser(prog="python -m experiments.validation_figures")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    out: Path = args.out
    curves = {(p, q): fan_share_curves(p, q) for p, q in BASS_PAIRS}
    control_p = BASS_PAIRS[0][0]
    control = fan_share_curves(control_p, 0.0, ticks_per_period=10)
    written = [
        _save(
            draw_bass(
                curves,
                control,
                n=1000,
                ticks_per_period=50,
                control_ticks_per_period=10,
                control_p=control_p,
            ),
            out / "bass.png",
        )
    ]
    sweep = (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)
    sweeps = [thread_reach(c, threads=5000 if c <= 1.0 else 300) for c in sweep]
    written.append(_save(draw_cascade(sweeps, 20_000, 8.0), out / "cascade_threshold.png"))
    for path in written:
        print(path)
    return written


if __name__ == "__main__":
    main()
