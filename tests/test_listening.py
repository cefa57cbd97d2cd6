"""Listening divides a fixed social effort (MODEL.md 4.8; essay 004) and analytics
under load (MODEL.md 4.3; essay 003).

The organization's social effort is capacity x social share, fixed by staffing.
Broadcasts take ``hours_per_broadcast`` each out of it; replying gets the rest. So
listening moves effort between the two and creates none, and with nothing to broadcast
it cannot speed replies.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import on_two_workers
from scipy import stats

from sim.model import OrgModel

SMALL = ["customers.n_customers=3000", "organization.n_employees=100"]


def _effort(model: OrgModel) -> float:
    org = model.core.org
    return float((org.capacity * org.social_share).sum())


@pytest.mark.parametrize("kind", ["switchboard", "direct_dial", "coached_direct_dial"])
@pytest.mark.parametrize("listening", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_social_effort_is_conserved_at_every_listening_level(kind: str, listening: float) -> None:
    """Reply capacity + broadcasting effort = social effort, and broadcasting takes
    rate x (1 - listening) x hours_per_broadcast work-hours an hour (exact arithmetic,
    float32 speeds: 1e-4 relative)."""
    model = OrgModel(
        f"scenarios/{kind}.toml", rng=0, overrides=[*SMALL, f"culture.listening={listening}"]
    )
    spec = model.scenario_spec.broadcast
    core = model.core
    wanted = spec.rate_per_hour * (1 - listening) * spec.hours_per_broadcast
    assert core.broadcast_effort == pytest.approx(wanted, rel=1e-9)
    replying = float(core.speed.astype(np.float64).sum())
    assert replying + core.broadcast_effort == pytest.approx(_effort(model), rel=1e-4)


def test_reply_capacity_falls_as_broadcasting_rises() -> None:
    """Listening 1 -> 0 moves rate x hours_per_broadcast work-hours an hour (1 at the
    defaults) from replying to broadcasting."""
    speeds = {
        lv: float(
            OrgModel(
                "scenarios/direct_dial.toml", rng=0, overrides=[*SMALL, f"culture.listening={lv}"]
            ).core.speed.sum()
        )
        for lv in (0.0, 1.0)
    }
    assert speeds[1.0] - speeds[0.0] == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("kind", ["switchboard", "direct_dial"])
def test_with_nothing_to_broadcast_listening_changes_nothing(kind: str) -> None:
    """``broadcast.rate_per_hour = 0``: listening 0.1 and 0.9 give the same reply
    capacity and, since nothing else reads it, the very same run (every KPI equal)."""
    runs = {}
    for listening in (0.1, 0.9):
        model = OrgModel(
            f"scenarios/{kind}.toml",
            rng=2,
            overrides=[*SMALL, "broadcast.rate_per_hour=0", f"culture.listening={listening}"],
        )
        model.run_hours(48)
        runs[listening] = (model.core.speed.copy(), model.kpis())
    np.testing.assert_array_equal(runs[0.1][0], runs[0.9][0])
    a, b = runs[0.1][1], runs[0.9][1]
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key] or (np.isnan(a[key]) and np.isnan(b[key])), key


def test_listening_moves_broadcasts_not_just_speed() -> None:
    """Listening 0.1 vs 0.9 at the default broadcast rate: far fewer broadcasts, and a
    reply capacity higher by 0.8 work-hours an hour only."""
    kpis, speed = {}, {}
    for listening in (0.1, 0.9):
        model = OrgModel(
            "scenarios/direct_dial.toml",
            rng=1,
            overrides=[*SMALL, f"culture.listening={listening}"],
        )
        model.run_hours(48)
        kpis[listening], speed[listening] = model.kpis(), float(model.core.speed.sum())
    assert speed[0.9] - speed[0.1] == pytest.approx(0.8, rel=1e-4)
    assert model.public.broadcasts < 48 * 2 * 0.1 * 3


LOADED = [
    "customers.n_customers=20000",
    "organization.onboard_share=0.05",
    "posting.problem_rate=0.003",
]


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue 14 target not met, and not decidable at a feasible number of seeds: in "
        "this design (feeds busy 97 %) analytics raises negative reach per 1,000 from "
        "401.1 to 417.1 over 40 paired pilot seeds (1000-1039; sd of the differences "
        "67, p = 0.93 for a fall); with 15 % on board (feeds busy 72 %) it lowers it "
        "from 393.7 to 383.2, sd 86, standardized effect 0.12, which needs 868 paired "
        "seeds for 90 % power at 1 %. Analytics does move influential authors ahead "
        "(test_analytics_answers_influential_authors_first_under_load); the rest wait "
        "longer, and a complaint's first hop comes before any answer can. Earlier "
        "8-seed runs of this design: 432.0 -> 364.4 "
        "(p = 0.002), 338.3 -> 337.6 (p = 0.49); today these seeds (0-7) give 415.6 -> "
        "404.8 (p = 0.33). Reported, not tuned."
    ),
)
def test_analytics_lowers_negative_reach_under_load() -> None:
    """Analytics on vs off in a congested direct dial, 8 paired seeds, 96 h: negative
    reach per 1,000 customers is lower with analytics (one-sided paired t-test, 1 %).

    5 % of staff on board at the shipped social share: the feeds' watchers are busy 97 %
    of the time (the ``utilization`` KPI, 0.18, also counts the off-board experts, who
    wait for claimants). Measured: see the xfail reason."""
    reach = {on: np.array([_negative_reach(seed, on) for seed in range(8)]) for on in (False, True)}
    assert stats.ttest_rel(reach[False], reach[True], alternative="greater").pvalue < 0.01


def _loaded(seed: int, analytics: bool) -> OrgModel:
    model = OrgModel(
        "scenarios/direct_dial.toml",
        rng=seed,
        overrides=[*LOADED, f"culture.analytics={str(analytics).lower()}"],
    )
    model.run_hours(96)
    return model


def _negative_reach(seed: int, analytics: bool) -> float:
    return _loaded(seed, analytics).kpis()["negative_reach_per_1k"]


def _answered_by_influence(seed: int, analytics: bool) -> tuple[float, float]:
    """Answered shares of the threads whose authors are among the most influential tenth
    of customers (followers; the same customers on both arms of a seed), and of the
    others. Module-level, so spawned workers can import it."""
    model = _loaded(seed, analytics)
    influence = model.public.customers.influence
    threads = model.threads()
    top = influence[np.asarray(threads["author"])] >= np.quantile(influence, 0.9)
    answered = np.isfinite(np.asarray(threads["first_response_hours"]))
    return float(answered[top].mean()), float(answered[~top].mean())


def test_analytics_answers_influential_authors_first_under_load() -> None:
    """Analytics is a priority, not capacity (essay 003: "which influencers to engage
    with"): in the congested direct dial of the test above, 12 paired seeds
    (2000-2011), the threads of the most influential tenth of customers are answered
    more often with analytics (one-sided paired t-test, 1 %), and the others are not
    answered more often on average (a check of the point estimate, no test: they lose
    what the influential gain, a few thousandths). Measured: 0.228 -> 0.280 (p = 4e-6), the
    others 0.224 -> 0.216."""
    seeds = range(2000, 2012)
    jobs = [(seed, on) for on in (False, True) for seed in seeds]
    shares = np.array(on_two_workers(_answered_by_influence, jobs)).reshape(2, len(seeds), 2)
    off, on = shares
    assert stats.ttest_rel(on[:, 0], off[:, 0], alternative="greater").pvalue < 0.01, shares
    assert (on[:, 1] - off[:, 1]).mean() <= 0.0, shares  # the others wait
