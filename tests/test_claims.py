"""Every claim of MODEL.md section 1 as a directional experiment, and the crossover of
MODEL.md 4.3 (definitions in :mod:`experiments.claims`).

All runs are made once, in a module-scoped fixture, on a spawn-based pool of two worker
processes (:func:`experiments.runner.local_executor`); a run several claims share is
made once. Replication ``k`` of every level runs on the runner's seed ``k`` (common
random numbers), and each claim asserts both the direction of the mean paired contrast
and a one-sided paired test at 1% (the paired t-test, or the Wilcoxon signed-rank test
when Shapiro-Wilk finds the contrasts clearly non-normal; ``ClaimOutcome.test`` says
which).

A claim the model does not reproduce is not tuned away: it is marked
``xfail(strict=True)`` with the measured numbers (:data:`NOT_REPRODUCED`), so the day
the model starts reproducing it the test fails and the mark must go.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.claims import (
    ALPHA,
    CLAIMS,
    SMALL_WORLD,
    SWEEPS,
    Claim,
    Level,
    Measured,
    Runs,
    Sweep,
    find_crossover,
    local_executor,
    measure_all,
    paired_test,
)
from experiments.runner import replication_seeds

NOT_REPRODUCED: dict[str, str] = {
    "6-credibility": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): "
        "listening 0.9 against the shipped 0.5 raises credibility by +0.0009 (95% CI +0.0001 to "
        "+0.0018, p = 0.018; 16 paired seeds), short of 1 %. Listening no longer creates reply "
        "capacity; it only moves broadcast effort (1 work-hour an hour at most) to replies."
    ),
    "6-sentiment": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): "
        "listening 0.9 against 0.5 changes mean sentiment by -0.0014 (95% CI -0.0042 to +0.0013, p"
        " = 0.86; 16 paired seeds): fewer broadcasts lift followers less, and listening adds "
        "almost no reply capacity now."
    ),
    "6-sentiment-no-broadcast-lift": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): "
        "without the broadcasts' sentiment lift, listening 0.9 against 0.5 raises sentiment by "
        "+0.0021 (95% CI -0.0004 to +0.0046, p = 0.047; 16 paired seeds), short of 1 %."
    ),
    "7c-little-answered": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): at "
        "equal social capacity expert routing answers more than the midpoint of the switchboard "
        "and coached direct dial (+0.059, 95% CI +0.053 to +0.065; 16 paired seeds): it is much "
        "better than the switchboard, not 'a little'."
    ),
    "7c-little-answered_within_4h": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): expert"
        " routing's share answered within 4 h lies above the switchboard-coached midpoint (+0.019,"
        " 95% CI +0.012 to +0.026; 16 paired seeds)."
    ),
    "7c-little-credibility": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): expert"
        " routing's credibility is at the switchboard-coached midpoint (+0.0006, 95% CI -0.0005 to"
        " +0.0017, p = 0.88; 16 paired seeds), not on the switchboard's side."
    ),
    "7c-little-sentiment": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): expert"
        " routing's sentiment lies above the switchboard-coached midpoint (+0.010, 95% CI +0.006 "
        "to +0.015; 16 paired seeds)."
    ),
    "9-credibility": (
        "NOT REPRODUCED since the organization-side change (issue 14: equal social capacity, "
        "second silos, continuous time in the tick, listening that divides a fixed effort): "
        "listening 0.1 against 0.5 changes credibility by -0.0001 (95% CI -0.0010 to +0.0008, p = "
        "0.41; 16 paired seeds): broadcasting more costs trust only through the say-do gap, and "
        "takes at most 0.4 work-hours an hour from replies."
    ),
    "5b-integrity": (
        "NOT REPRODUCED since the public-side change (issue 13): a say-do gap (leadership "
        "integrity 0.2 against 0.7) lowers credibility by only -0.0005 (95% CI -0.0011 to "
        "+0.0001, p = 0.055; 16 paired seeds; before: -0.026). A broadcast that contradicts "
        "experience is now a trust signal in the unit of every other one, weighted as a "
        "thing seen (opinions.trust_seen = 0.1), where before it subtracted 0.01 of trust "
        "per broadcast directly and drove unhappy followers' trust to 0 within two weeks. At "
        "twice the length (240 h) it reproduces: -0.0019, p = 8e-4."
    ),
    "6-reach-sentiment": (
        "NOT REPRODUCED: three times the brand followers (0.9 of customers against 0.3) "
        "raises mean sentiment a little, 0.094 -> 0.102 (+0.009, 95% CI +0.006 to +0.011), "
        "above the 0.005 margin: each broadcast lifts every follower's sentiment slightly "
        "(broadcast.sentiment x integrity). Reach does not buy credibility: it costs it "
        "a little (6-reach-credibility: -0.0004)."
    ),
    "7c-little-first_response_hours": (
        "NOT REPRODUCED: on mean first response expert routing (6.7 h) closes about 80% of "
        "the gap from the switchboard (25.4 h) to coached direct dial (2.3 h): -7.2 h from "
        "their midpoint (95% CI -7.5 to -6.8). The mean covers answered threads only; on "
        "answered share, answers within 4 h, credibility and sentiment it closes less than "
        "half (the other 7c-little claims)."
    ),
}


def _params(prefix: str) -> list:
    params = []
    for claim in CLAIMS:
        if claim.id.startswith(prefix):
            marks = ()
            if claim.id in NOT_REPRODUCED:
                marks = pytest.mark.xfail(strict=True, reason=NOT_REPRODUCED[claim.id])
            params.append(pytest.param(claim.id, id=claim.id, marks=marks))
    return params


@pytest.fixture(scope="module")
def measured() -> Measured:
    """Every claim and sweep, run once on two spawned worker processes."""
    executor = local_executor(2)
    try:
        return measure_all(CLAIMS, SWEEPS, executor)
    finally:
        executor.shutdown()


def check(measured: Measured, claim_id: str) -> None:
    """Direction of the mean paired contrast, then its one-sided test at 1%."""
    outcome = measured.claims[claim_id]
    assert outcome.contrasts.size >= 8, outcome.describe()
    assert outcome.direction_ok, outcome.describe()
    assert outcome.p_value < ALPHA, outcome.describe()


# ------------------------------------------------------------------- essay 000


@pytest.mark.parametrize("claim_id", _params("1-"))
def test_silos_slow_cross_silo_answers(measured: Measured, claim_id: str) -> None:
    """Essay 000: "Social interactions on the net are blind to internal silos. [...] They
    recognize that the audience doesn't care that there's a complaints department for
    that." Walls (permeability 0.2 against 1.0) lower the share of cross-silo threads a
    switchboard answers within 12 hours; in direct dial they do not (xfail)."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("2-"))
def test_approval_chains_add_delay(measured: Measured, claim_id: str) -> None:
    """Essay 000: "Social Media is indifferent to hierarchy." One more approval level
    lowers the share of threads answered and raises the mean first response of those
    answered, in every structure."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("3-"))
def test_authority_voice_earns_less_credibility(measured: Measured, claim_id: str) -> None:
    """Essay 000: "You can go ahead and assume that your authority voice isn't going to
    work here. Also, your guy in the field who is out there tweeting about how things
    really are has a lot more credibility than you do." The same switchboard answers in
    the brand's polished voice leave credibility lower than in a field expert's."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("4-"))
def test_spin_is_found_out(measured: Measured, claim_id: str) -> None:
    """Essay 000: "If you're glossing over the truth, you will be found out and
    discredited." Low honesty ends the week with less credibility, and the gap is still
    growing in its second half."""
    check(measured, claim_id)


# ------------------------------------------------------------------- essay 001


@pytest.mark.parametrize("claim_id", _params("5a-"))
def test_bad_product_keeps_complaints_coming(measured: Measured, claim_id: str) -> None:
    """Essay 001: "no amount of social media will improve quality." A bad product (0.3)
    gives more complaints per hour in every structure."""
    check(measured, claim_id)


def test_no_structure_makes_up_for_a_bad_product(measured: Measured) -> None:
    """Essay 001, "whatever the structure": on every seed, the structure with the fewest
    complaints at product quality 0.3 still has more than the one with the most at the
    shipped 0.7 (complaints per hour over hours 24-48)."""
    outcomes = [measured.claims[c.id] for c in CLAIMS if c.id.startswith("5a-")]
    assert len(outcomes) == 4
    shipped = np.array([o.values[0] for o in outcomes])  # (structure, seed)
    bad = np.array([o.values[1] for o in outcomes])
    assert np.all(bad.min(axis=0) > shipped.max(axis=0)), (bad, shipped)


@pytest.mark.parametrize("claim_id", _params("5b-"))
def test_say_do_gap_destroys_credibility(measured: Measured, claim_id: str) -> None:
    """Essay 001: "social media can actually expose the disparity between what a leader
    says and what he or she actually does." Leadership integrity 0.2 lowers credibility."""
    check(measured, claim_id)


# ------------------------------------------------------------------- essay 002


@pytest.mark.parametrize("claim_id", _params("6-"))
def test_value_comes_from_interactivity_not_reach(measured: Measured, claim_id: str) -> None:
    """Essay 002: "What you should be striving for (and measuring) is the level of
    interactivity." More listening raises interactivity, credibility and
    sentiment; three times the followers does not raise credibility (non-superiority,
    margin 0.005) nor (xfail) sentiment. The diagnostic shows the sentiment failure
    comes from broadcasts lifting followers' sentiment, however little."""
    check(measured, claim_id)


# ------------------------------------------------------------------- essay 003


@pytest.mark.parametrize("claim_id", _params("7a-"))
def test_switchboard_slows_and_dilutes(measured: Measured, claim_id: str) -> None:
    """Essay 003: "Replacing the old telephone switchboard with a social media filtering
    and forwarding team is no good." Slower first response, less authentic answers than
    direct dial."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("7b-"))
def test_untrained_direct_dial_makes_gaffes(measured: Measured, claim_id: str) -> None:
    """Essay 003: "Bypassing the switchboard without enabling the employees to handle
    direct dialing may result in substandard responses or maybe even in some major
    commercial or reputational hazards." More gaffes per answer than trained or coached
    direct dial."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("7c-"))
def test_expert_routing_is_only_a_little_better(measured: Measured, claim_id: str) -> None:
    """Essay 003: "Automatically channeling them to identified experts who aren't on board
    is not much better (but a little)." Better than the switchboard, worse than coached
    direct dial, and closing less than half the gap between them ("a little")."""
    check(measured, claim_id)


def test_gap_closed_by_expert_routing_is_reported(measured: Measured) -> None:
    """The "a little" claims carry the share of the gap closed, with a bootstrap CI that
    contains it; expert routing is between the switchboard and coached direct dial on
    every KPI."""
    for claim in CLAIMS:
        if not claim.id.startswith("7c-little-"):
            continue
        outcome = measured.claims[claim.id]
        assert outcome.gap_closed is not None and outcome.gap_closed_ci is not None
        low, high = outcome.gap_closed_ci
        assert 0.0 < low <= outcome.gap_closed <= high < 1.0, (claim.id, outcome.gap_closed)


@pytest.mark.parametrize("claim_id", _params("7d-"))
def test_coached_direct_dial_works_best(measured: Measured, claim_id: str) -> None:
    """Essay 003: "Communications professionals who coach the experts instead of
    insisting of themselves being the voice of the company [...] a social intranet where
    they can get backed up by shared knowledge and easy-to-reach experts is of great help
    too." Over two weeks coached direct dial has the highest credibility of the four
    structures and beats the switchboard and expert routing on sentiment, but only ties
    plain direct dial on sentiment (xfail); its mean first response is within half an
    hour of direct dial's."""
    check(measured, claim_id)


@pytest.mark.parametrize("claim_id", _params("8-"))
def test_fans_convert_non_fans(measured: Measured, claim_id: str) -> None:
    """Essay 003: "Rock bands play for their fans and leave it to them to communicate
    with non-fans to turn them into new fans." Stronger imitation grows the fan share
    faster, with every other mechanism on."""
    check(measured, claim_id)


# ------------------------------------------------------------------- essay 004


@pytest.mark.parametrize("claim_id", _params("9-"))
def test_talk_talk_talk_loses_the_audience(measured: Measured, claim_id: str) -> None:
    """Essay 004: "Us, us, us. Talk, talk, talk. Noise, noise noise. Seriously, shut it
    already." Listening 0.1 keeps fewer brand followers and less credibility."""
    check(measured, claim_id)


# ----------------------------------------------------------- MODEL.md 4.3 crossover


def test_central_team_wins_at_low_load_direct_dial_at_high_load(measured: Measured) -> None:
    """MODEL.md 4.3 (Arenas et al. 2008): "At low load a small central team can win, and
    at high load the decentralized structure wins." With every thread on the topic the
    comms team owns (approval depth 0, permeability 1, infinite patience), a switchboard
    against coached direct dial, whose comms staff coach and leave the answers to
    generalists: the paired difference switchboard − coached direct dial of the mean
    first response is negative at every load below the crossover and positive at every
    load above it; every load where one structure is faster at 1% (one-sided, paired)
    lies on that structure's side, with at least two such loads on each side. (Loads
    next to the crossover may be significant neither way.)"""
    crossover = measured.crossovers["crossover-central-team"]
    at = crossover.load_at_crossover
    assert at is not None and crossover.crossover_ci is not None
    assert crossover.bootstrap_without_crossing < 0.01
    assert crossover.crossover_ci[0] <= at <= crossover.crossover_ci[1]
    loads, difference = crossover.loads, crossover.mean_difference
    assert np.all(difference[loads < at] < 0) and np.all(difference[loads > at] > 0)
    central_faster = crossover.p_central_faster < ALPHA
    distributed_faster = crossover.p_distributed_faster < ALPHA
    assert np.all(loads[central_faster] < at), (loads, crossover.p_central_faster)
    assert np.all(loads[distributed_faster] > at), (loads, crossover.p_distributed_faster)
    assert central_faster.sum() >= 2 and distributed_faster.sum() >= 2
    assert crossover.bracket is not None
    assert crossover.bracket[0] < at < crossover.bracket[1]


CENTRAL_TEAM_CROSSOVER = (
    "NOT REPRODUCED since the organization-side change (issue 14): at equal social capacity "
    "plain direct dial and the switchboard cross in the central-team regime, at 3.83 "
    "threads an hour (95% CI 3.75 to 3.89): below it the switchboard is faster."
)


@pytest.mark.parametrize(
    "sweep_id",
    [
        pytest.param(
            "no-crossover-direct-dial-central-team",
            marks=pytest.mark.xfail(strict=True, reason=CENTRAL_TEAM_CROSSOVER),
        ),
        "no-crossover-default-world",
    ],
)
def test_plain_direct_dial_is_faster_at_every_load(measured: Measured, sweep_id: str) -> None:
    """Plain direct dial against a switchboard has no crossover, in the default world
    (handoffs, approvals and off-board experts dominate the switchboard at every load)
    nor in the central-team regime (direct dial's path is the switchboard's minus
    triage, and other silos claim only overflow): direct dial is faster at every load
    (one-sided, 1%)."""
    crossover = measured.crossovers[sweep_id]
    assert crossover.load_at_crossover is None
    assert np.all(crossover.mean_difference > 0)
    assert np.all(crossover.p_distributed_faster < ALPHA), crossover.p_distributed_faster


# ------------------------------------------------------------ the machinery itself


def test_every_claim_is_defined_with_enough_seeds_and_unique_ids() -> None:
    ids = [c.id for c in CLAIMS] + [s.id for s in SWEEPS]
    assert len(ids) == len(set(ids))
    essays = {c.essay for c in CLAIMS}
    assert essays == {"000", "001", "002", "003", "004"}
    for claim in CLAIMS:
        assert claim.seeds >= 8 and len(claim.levels) >= 2, claim.id
        assert claim.sentence and claim.quote and claim.lever, claim.id


def test_shared_runs_are_planned_once_with_the_runners_seeds() -> None:
    """Two claims on the same scenario, hours and seeds plan each run once; replication
    ``k`` of every level carries the runner's seed ``k``."""
    levels = (Level("a", overrides=("culture.honesty=0.1",)), Level("b"))
    first = Claim("x", "000", "s", "q", "l", levels, "credibility", "less", hours=2, seeds=3)
    second = Claim("y", "000", "s", "q", "l", levels[::-1], "sentiment", "less", hours=2, seeds=3)
    runs = Runs()
    keys_first = runs.add(first.scenarios(), first.hours, first.seeds)
    keys_second = runs.add(second.scenarios(), second.hours, second.seeds)
    assert len(runs.jobs) == 6
    assert keys_second == keys_first[::-1]
    seeds = replication_seeds(0, 3)
    for row in keys_first:
        for k, key in enumerate(row):
            job = runs.jobs[key]
            assert job.replication == k
            assert (job.seed_entropy, job.seed_spawn_key) == (seeds[k].entropy, (k,))
    assert first.world == SMALL_WORLD


def test_paired_test_uses_wilcoxon_only_for_clearly_non_normal_contrasts() -> None:
    rng = np.random.default_rng(3)
    normal = rng.normal(1.0, 1.0, 12)
    p, test, _ = paired_test(normal, 0.0, "greater")
    assert test == "paired t"
    assert p == pytest.approx(stats.ttest_1samp(normal, 0.0, alternative="greater").pvalue)
    skewed = np.array([0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.2, 0.15, 0.1, 0.25, 0.2, 50.0])
    p, test, shapiro = paired_test(skewed, 0.0, "greater")
    assert shapiro < 0.01 and test == "Wilcoxon signed-rank"
    assert p == pytest.approx(stats.wilcoxon(skewed, alternative="greater").pvalue)
    assert paired_test(np.full(8, 2.0), 0.5, "greater")[0] == 0.0


def test_crossover_is_interpolated_in_log_load() -> None:
    """Differences -1 at load 1 and +1 at load 4 cross at load 2 (midway in log load);
    a sweep whose differences never change sign has no crossover."""
    sweep = Sweep("s", "t", Level("a"), Level("b"), loads=(1.0, 4.0), world=(), seeds=4)
    central = np.array([[0.0, 0.1, -0.1, 0.0], [2.0, 2.1, 1.9, 2.0]])
    distributed = np.ones((2, 4))
    crossover = find_crossover(sweep, central, distributed)
    assert crossover.load_at_crossover == pytest.approx(2.0)
    never = find_crossover(sweep, central + 5.0, distributed)
    assert never.load_at_crossover is None and never.crossover_ci is None
