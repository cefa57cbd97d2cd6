"""Trust is earned by answers and lost by silence (MODEL.md 4.7).

Scripted cases with exact answers on :class:`sim.public.opinions.Opinions` (the signals
of one tick, then the bounded update and the relaxation), and the four directional
properties of MODEL.md 4.7 over paired seeds, in the default world and in the claims'
small world, each a paired one-sided t test at the 1 % level:

1. answering nobody gives the lowest credibility, at the same answer content (the
   switchboard with no social time for its team against the shipped one);
2. more approval levels, which only delay answers, never raise it (depth 0, 1, 3);
3. a better product or service attitude (fewer problems) never lowers it, in a
   centralized and a decentralized structure;
4. an organization that answers sooner, with the same answer content, ends with more
   (every thread answered after 15 minutes against after 4 hours).

Seeds: 16 per level in the default world, 10 in the small one, from a pilot of 8 seeds
(``docs/VALIDATION.md`` gives the sizes): the weakest contrast, the shipped switchboard
against the one that answers nobody in the default world, had a mean of 0.84 of its
between-seed standard deviation, which 16 seeds decide at about p = 0.002. Since
issue 14 one contrast needs more: the switchboard against approval depth 3 in the
default world runs on 46 fresh paired seeds of its own (:data:`CONFIRMED`). Between
approval depths 0 and 1 the switchboard's credibility barely moves in the small world
(+0.00004, sd 0.001): "never raises" is tested as depth 3 against depths 0 and 1.
Property 4 at the same answer content is tested on an organization that answers every
thread after a fixed delay (:mod:`experiments.reach_timing`: the same experts, voices
and drafts; only when the answers come differs), after 15 minutes against after 4
hours. Direct dial with twice the staff on board was tried first and does not answer
measurably sooner (credibility p = 0.17 in the default world, 0.40 in the small
one), so it tests nothing about timing.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import on_two_workers
from scipy import stats

from experiments.reach_timing import level_overrides
from sim import OrgModel
from sim.public.customers import build_customers
from sim.public.opinions import Opinions
from sim.scenario import scenario_from_dict
from sim.threads import Kind, ThreadTable

ALPHA = 0.01
SEEDS = {"default": range(16), "small": range(10)}
HOURS = 336.0
SMALL_WORLD = (
    "customers.n_customers=3000",
    "organization.n_employees=100",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
)

# --------------------------------------------------------------- scripted signals


def opinions_world(n: int = 4) -> tuple[Opinions, ThreadTable]:
    """Four customers on a tiny graph, trust 0.5, 15-minute ticks, default opinions."""
    scenario = scenario_from_dict(
        {
            "customers": {"n_customers": n, "trust_initial": 0.5},
            "graph": {"kind": "complete"},
        }
    )
    people = build_customers(scenario, np.random.default_rng(0))
    return Opinions(scenario, people, np.random.default_rng(1)), ThreadTable()


def relaxed(trust: float, opinions: Opinions) -> float:
    """One tick's relaxation toward trust_initial = 0.5, in float32 as the model does."""
    t = np.float32(trust)
    return float(t + (np.float32(0.5) - t) * opinions._trust_relax32)


def complaint(threads: ThreadTable, author: int, severity: float = 0.5, **values) -> int:
    (thread,) = threads.append(
        1, kind=Kind.COMPLAINT, author=author, severity=severity, created_tick=0, **values
    )
    return int(thread)


def test_a_turn_never_answered_costs_its_expectation_whatever_the_patience() -> None:
    """A turn opened and not (yet) answered: -E, before any patience runs out, so an
    organization that never answers can never look better than one that answers late,
    even when nobody gives up."""
    opinions, threads = opinions_world()
    question = threads.append(1, kind=Kind.QUESTION, author=0, created_tick=0)
    opinions.expect(threads, np.array([complaint(threads, 1), *question]))
    opinions.apply()
    trust = opinions.people.trust
    assert trust[1] == pytest.approx(relaxed(0.5 - 0.2 * 1.0 * 0.5, opinions), abs=1e-6)
    assert trust[0] == pytest.approx(relaxed(0.5 - 0.2 * 0.5 * 0.5, opinions), abs=1e-6)


def test_an_answer_signals_credibility_times_lateness_minus_the_expectation() -> None:
    """Customer 0's complaint opened (expectation -1) and answered after 8 ticks (2 h) by
    a voice of credibility 0.6 x 0.5 = 0.3 in the same tick: S = 0.3 / (1 + 2 / 6) - 1 =
    -0.775, so trust falls by 0.2 x 0.775 x 0.5 (rate x |S| x trust), then relaxes one
    tick toward 0.5."""
    opinions, threads = opinions_world()
    t = complaint(threads, 0, authenticity=0.6, voice_weight=0.5, turn_tick=0)
    ids = np.array([t])
    opinions.expect(threads, ids)
    opinions.answered(threads, ids, 8, np.array([False]), np.array([False]))
    opinions.apply()
    signal = 0.3 / (1 + 2.0 / 6.0) - 1.0
    expected = 0.5 + 0.2 * signal * 0.5
    assert opinions.people.trust[0] == pytest.approx(relaxed(expected, opinions), abs=1e-6)


def test_silence_signals_less_than_any_answer() -> None:
    """Opened and abandoned at severity 0.5: S = -1 - 1 x 0.5. The worst answer
    (credibility 0, or a day late) signals more: the silence of customer 1 costs more
    than the worst answer to customer 0 and a late answer to customer 2."""
    opinions, threads = opinions_world()
    worst = complaint(threads, 0, authenticity=0.0, voice_weight=0.0, turn_tick=0)
    silent = complaint(threads, 1)
    late = complaint(threads, 2, authenticity=1.0, voice_weight=1.0, turn_tick=0)
    opinions.expect(threads, np.array([worst, silent, late]))
    opinions.answered(
        threads, np.array([worst, late]), 96, np.array([False, False]), np.array([False, False])
    )
    opinions.ignored(threads, np.array([silent]))
    opinions.apply()
    trust = opinions.people.trust
    assert trust[1] < trust[0] < trust[2] < 0.5
    assert trust[1] == pytest.approx(relaxed(0.5 - 0.2 * 1.5 * 0.5, opinions), abs=1e-6)


def test_a_gaffe_costs_its_author_and_penalizes_its_audience_once() -> None:
    """A gaffe answer to customer 0's complaint: the author gets -E (the turn opened)
    and -gaffe_trust (the gaffe) = -2;
    customer 1, in the audience, gets -trust_seen x gaffe_trust when it is posted. A
    later good answer on the same thread (the thread keeps its gaffe flag) is seen by
    customer 1 as a good answer, not as the gaffe again."""
    opinions, threads = opinions_world()
    t = complaint(threads, 0, authenticity=0.5, voice_weight=1.0, turn_tick=0)
    ids, audience = np.array([t]), np.array([1])
    threads.gaffe[t] = True
    opinions.expect(threads, ids)
    opinions.answered(threads, ids, 0, np.array([False]), np.array([True]))
    opinions.see_answers(threads, ids, audience, np.array([True]), 0)
    opinions.apply()
    trust = opinions.people.trust
    assert trust[0] == pytest.approx(relaxed(0.5 - 0.2 * 2.0 * 0.5, opinions), abs=1e-6)
    after_gaffe = float(trust[1])
    assert after_gaffe == pytest.approx(relaxed(0.5 - 0.2 * 0.1 * 1.0 * 0.5, opinions), abs=1e-6)
    threads.turn_tick[t] = 4
    opinions.see_answers(threads, ids, audience, np.array([False]), 4)  # a good answer
    opinions.apply()
    assert trust[1] > after_gaffe


def test_seeing_a_complaint_unanswered_is_a_weak_silence() -> None:
    """An exposure to an unanswered complaint: -trust_seen x E = -0.1."""
    opinions, threads = opinions_world()
    t = complaint(threads, 0)
    opinions.see(threads, np.array([t]), np.array([3]), np.array([False]), np.array([False]))
    opinions.apply()
    expected = 0.5 - 0.2 * 0.1 * 0.5
    assert opinions.people.trust[3] == pytest.approx(relaxed(expected, opinions), abs=1e-6)
    assert math.isclose(float(opinions.people.trust[2]), 0.5, abs_tol=1e-7)  # untouched


# ----------------------------------------------------------- the four properties

FIXED_FAST = tuple(level_overrides(0.25))
FIXED_SLOW = tuple(level_overrides(4.0))
LEVELS = {
    "silent": ("switchboard", ("organization.social_share_onboard=0",)),
    "switchboard": ("switchboard", ()),
    "approval_0": ("switchboard", ("structure.approval_depth=0",)),
    "approval_3": ("switchboard", ("structure.approval_depth=3",)),
    "better_product": ("switchboard", ("culture.product_quality=0.9",)),
    "direct_dial": ("direct_dial", ()),
    "dd_silent": ("direct_dial", ("organization.social_share_onboard=0",)),
    "dd_better_product": ("direct_dial", ("culture.product_quality=0.9",)),
    "dd_better_attitude": ("direct_dial", ("culture.service_attitude=0.9",)),
    "answers_after_15_minutes": ("expert_routing", FIXED_FAST),
    "answers_after_4_hours": ("expert_routing", FIXED_SLOW),
}
PROPERTIES = [  # (higher, lower): credibility of the first must exceed the second's
    ("switchboard", "silent"),  # 1. answering nobody is lowest
    ("direct_dial", "dd_silent"),
    ("approval_0", "approval_3"),  # 2. approval levels never raise it
    ("switchboard", "approval_3"),
    ("better_product", "switchboard"),  # 3. fewer problems never lower it
    ("dd_better_product", "direct_dial"),
    ("dd_better_attitude", "direct_dial"),
    # 4. answers sooner, same content: more (every thread answered after a fixed delay)
    ("answers_after_15_minutes", "answers_after_4_hours"),
]


def run_credibility(structure: str, overrides: tuple[str, ...], seed: int) -> float:
    """One run's credibility (module level: worker processes import it)."""
    model = OrgModel(f"scenarios/{structure}.toml", rng=seed, overrides=list(overrides))
    model.run_hours(HOURS)
    return model.kpis()["credibility"]


def credibility(world: tuple[str, ...], seeds: range) -> dict[str, np.ndarray]:
    """Every level on every seed, on two worker processes."""
    jobs = [(name, seed) for name in LEVELS for seed in seeds]
    args = [(LEVELS[n][0], (*world, *LEVELS[n][1]), seed) for n, seed in jobs]
    values = on_two_workers(run_credibility, args)
    out: dict[str, list[float]] = {}
    for (name, _), value in zip(jobs, values, strict=True):
        out.setdefault(name, []).append(value)
    return {name: np.array(v) for name, v in out.items()}


@pytest.fixture(scope="module", params=["default", "small"])
def world_credibility(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    world = () if request.param == "default" else SMALL_WORLD
    return credibility(world, SEEDS[request.param])


CONFIRMED: dict[tuple[str, str, str], range] = {
    ("default", "switchboard", "approval_3"): range(100, 146),
}
"""Contrasts that the worlds' seeds are too few to decide, each run on its own fresh
paired seeds, as many as :func:`experiments.claims.power.seeds_needed` asks (90 % power
at 1 %) from a pilot on the world's seeds. The switchboard against approval depth 3 in
the default world, after issue 14 (equal social capacity, continuous time in the
tick): pilot on seeds 0-15 +0.00063 (sd 0.00115, p = 0.022), 46 seeds needed; on seeds
100-145 +0.00062 (sd 0.00099, p = 5e-5)."""


@pytest.fixture(scope="module")
def confirmed_credibility() -> dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]:
    """The contrasts of :data:`CONFIRMED`: (higher, lower) credibility on their seeds."""
    out = {}
    for (world_name, higher, lower), seeds in CONFIRMED.items():
        world = () if world_name == "default" else SMALL_WORLD
        args = [
            (LEVELS[name][0], (*world, *LEVELS[name][1]), seed)
            for name in (higher, lower)
            for seed in seeds
        ]
        values = np.array(on_two_workers(run_credibility, args)).reshape(2, len(seeds))
        out[world_name, higher, lower] = (values[0], values[1])
    return out


@pytest.mark.parametrize(("higher", "lower"), PROPERTIES, ids=lambda x: x)
def test_credibility_property(
    world_credibility: dict, higher: str, lower: str, request: pytest.FixtureRequest
) -> None:
    key = (request.node.callspec.params["world_credibility"], higher, lower)
    if key in CONFIRMED:
        first, second = request.getfixturevalue("confirmed_credibility")[key]
    else:
        first, second = world_credibility[higher], world_credibility[lower]
    d = first - second
    p = stats.ttest_1samp(d, 0.0, alternative="greater").pvalue
    assert p < ALPHA, (higher, lower, d.round(5).tolist(), p)
