"""Directional experiments for every claim of MODEL.md section 1, and the crossover of 4.3.

Each :class:`Claim` names the essay sentence it comes from, the lever (scenario paths)
and its levels, the scenario files, the KPI and the expected direction, the run length
and the number of seeds. Replication ``k`` of every level runs on the same seed, child
``k`` of :data:`BASE_SEED` (:func:`experiments.runner.replication_seeds`): common
random numbers (MODEL.md 7), so each claim is judged on paired differences.

A claim's per-seed *contrast* is a weighted sum of its levels' KPI values (for two
levels, ``level 1 − level 0``). The claim is reproduced when the mean contrast lies on
the expected side of its margin (0 unless stated) and a one-sided paired test rejects
the opposite at 1%: the paired t-test (``ttest_1samp`` of the contrast, the same as
``scipy.stats.ttest_rel`` for a plain difference), or the Wilcoxon signed-rank test
when a Shapiro-Wilk test finds the contrasts clearly non-normal (p < 0.01).

The :class:`Sweep` objects are the crossover of MODEL.md 4.3 (Arenas et al. 2008): the
mean first response of a switchboard and of direct dial over a range of loads (threads
per hour), and the load where their paired difference changes sign.

Run everything and write ``claims.json`` and the figures::

    python -m experiments.claims --out docs/figures [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy import stats

from experiments.runner import Job, RunResult, hourly, jobs_for, local_executor
from sim.model import OrgModel
from sim.outputs import atomic_write, write_json
from sim.scenario import Scenario, load_scenario

__all__ = [
    "ALPHA",
    "BASE_SEED",
    "CLAIMS",
    "EXTRA_SWEEPS",
    "SMALL_WORLD",
    "SWEEPS",
    "Claim",
    "ClaimOutcome",
    "Crossover",
    "Level",
    "Measured",
    "Runs",
    "Sweep",
    "evaluate",
    "find_crossover",
    "main",
    "measure",
    "measure_all",
    "run_all",
]

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASE_SEED = 0
ALPHA = 0.01
"""One-sided significance level of every claim test."""
CONFIDENCE = 0.95
"""Confidence of the reported intervals (two-sided, paired Student t)."""
NORMALITY_ALPHA = 0.01
"""Below this Shapiro-Wilk p-value the contrasts count as clearly non-normal."""
BOOTSTRAP = 2000

SMALL_WORLD: tuple[str, ...] = (
    "customers.n_customers=3000",
    "organization.n_employees=100",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
)
"""A small, busy public (as ``tests/conftest.py``): 3,000 customers, 100 employees and
about 13 threads an hour. The cost of a run is per tick, so run length is what counts:
a two-week run takes one to two seconds."""

UNSATURATED_COMMS: tuple[str, ...] = ("silos.comms.share=0.25",)
"""A comms team large enough (25 of 100 people) not to be a switchboard's bottleneck."""

WITHIN_HOURS = (1, 2, 4, 8, 12, 24)
"""The ``answered_within_{X}h_share`` metrics :func:`measure` computes."""
SERIES_COLUMNS = ("mean_trust", "mean_sentiment", "fan_share", "brand_followers")

SB, DD, ER, CDD = (
    "switchboard.toml",
    "direct_dial.toml",
    "expert_routing.toml",
    "coached_direct_dial.toml",
)
STRUCTURE_NAMES = {
    SB: "switchboard",
    DD: "direct dial",
    ER: "expert routing",
    CDD: "coached direct dial",
}


# ------------------------------------------------------------------ definitions


@dataclass(frozen=True)
class Level:
    """One level of a lever: a scenario file (in ``scenarios/``) and its overrides."""

    name: str
    scenario: str = DD
    overrides: tuple[str, ...] = ()

    def load(self, world: Sequence[str] = ()) -> Scenario:
        """The validated scenario: the file, then ``world``, then this level's overrides."""
        return load_scenario(SCENARIOS / self.scenario, [*world, *self.overrides])


@dataclass(frozen=True)
class Claim:
    """A directional experiment for one claim of MODEL.md section 1.

    Attributes
    ----------
    id
        Short name, e.g. ``"7c-little-credibility"``.
    essay
        The source essay, ``"000"`` to ``"004"``.
    sentence
        The claim as MODEL.md section 1 states it.
    quote
        The essay's own words.
    lever
        The scenario path(s) varied.
    levels
        Two or more levels; replication ``k`` of each runs on the same seed.
    kpi
        A run metric of :func:`measure` (every KPI of MODEL.md 5 and a few more).
    expected
        ``"greater"``: the mean contrast is expected above ``margin``; ``"less"``: below.
    contrast
        Weights of the levels in the per-seed contrast (default: level 1 − level 0).
    margin
        The value the contrast is tested against (0 unless a margin is stated).
    hours, seeds
        Run length and number of paired replications.
    world
        Overrides applied to every level before its own (the small world by default).
    gap
        ``(start, candidate, end)`` level indices: also report which share of the gap
        from ``start`` to ``end`` the ``candidate`` closes.
    note
        What the design isolates, and what else the reader should know.
    """

    id: str
    essay: str
    sentence: str
    quote: str
    lever: str
    levels: tuple[Level, ...]
    kpi: str
    expected: Literal["greater", "less"]
    contrast: tuple[float, ...] = (-1.0, 1.0)
    margin: float = 0.0
    hours: float = 120.0
    seeds: int = 8
    world: tuple[str, ...] = SMALL_WORLD
    gap: tuple[int, int, int] | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.levels) < 2 or len(self.contrast) != len(self.levels):
            raise ValueError(f"claim {self.id}: needs two or more levels and one weight each")

    def scenarios(self) -> list[Scenario]:
        return [level.load(self.world) for level in self.levels]

    def statement(self) -> str:
        """The tested hypothesis in words, e.g. ``mean[kpi: walled − open] < 0``."""
        terms = []
        weighted = zip(self.contrast, self.levels, strict=True)
        for weight, level in sorted(weighted, key=lambda pair: pair[0] < 0):
            if weight == 0:
                continue
            sign = "−" if weight < 0 else "+"
            size = "" if abs(weight) == 1 else f"{abs(weight):g}·"
            terms.append(f"{sign} {size}{level.name}")
        text = " ".join(terms).removeprefix("+ ")
        relation = ">" if self.expected == "greater" else "<"
        return f"mean[{self.kpi}: {text}] {relation} {self.margin:g}"


@dataclass(frozen=True)
class Sweep:
    """Mean first response of two structures over a range of loads (MODEL.md 4.3).

    Each load sets ``arrivals.threads_per_hour`` in the Poisson arrival mode (so the
    load is exactly the number of new threads per hour); ``central`` and
    ``distributed`` are the two structures, run on the same seeds.
    """

    id: str
    title: str
    central: Level
    distributed: Level
    loads: tuple[float, ...]
    world: tuple[str, ...]
    hours: float = 96.0
    seeds: int = 8
    kpi: str = "first_response_hours_mean"
    note: str = ""

    def scenarios(self, load: float) -> list[Scenario]:
        world = (*self.world, f"arrivals.threads_per_hour={load:g}")
        return [self.central.load(world), self.distributed.load(world)]


def _structures(*overrides: str) -> tuple[Level, ...]:
    """The four shipped structures as levels, each with the same overrides."""
    return tuple(Level(STRUCTURE_NAMES[s], s, overrides) for s in (SB, DD, ER, CDD))


def silo_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social interactions on the net are blind to internal silos. Companies
    that are using social media effectively aren't worried about a negative tweet
    arriving at the wrong department."

    Returns
    -------
    tuple of Claim
        ``1-switchboard``: in a switchboard (comms team unsaturated, see
        ``tests/test_directional.py``), walls (permeability 0.2 against 1.0) lower the
        share of cross-silo threads answered within 12 hours. ``1-direct-dial``: the
        same lever in direct dial, over all threads.
    """
    sentence = (
        "Silos slow answers to messages whose topic crosses departments; the public "
        "does not care who owns it."
    )
    quote = (
        "Social interactions on the net are blind to internal silos. [...] They "
        "recognize that the audience doesn't care that there's a complaints department "
        "for that."
    )
    return (
        Claim(
            id="1-switchboard",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.silo_permeability",
            levels=(
                Level("open (1.0)", SB, ("culture.silo_permeability=1.0",)),
                Level("walled (0.2)", SB, ("culture.silo_permeability=0.2",)),
            ),
            kpi="cross_answered_within_12h_share",
            expected="less",
            hours=48,
            world=(*SMALL_WORLD, *UNSATURATED_COMMS),
            note="Cross-silo threads are those on topics comms does not own: the switchboard "
            "hands them across a wall (mean handoff_hours / permeability each way). The "
            "comms team is unsaturated (25% of staff): with the shipped 5% team, "
            "abandoned cross-silo threads relieve it and confound the comparison "
            "(tests/test_directional.py). Own-silo topics are tested there.",
        ),
        Claim(
            id="1-direct-dial",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.silo_permeability",
            levels=(
                Level("open (1.0)", DD, ("culture.silo_permeability=1.0",)),
                Level("walled (0.2)", DD, ("culture.silo_permeability=0.2",)),
            ),
            kpi="answered_within_12h_share",
            expected="less",
            hours=48,
            note="In direct dial permeability only sets how often another silo claims a "
            "thread (permeability x cross_claim); the claimant then searches for an "
            "expert (intranet off: 8 h, found 30% of the time) or answers as a "
            "generalist. No delay grows as permeability falls.",
        ),
    )


def hierarchy_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social Media is indifferent to hierarchy." and "Is your organization
    ready to [...] Flatten the hierarchy?"

    Returns
    -------
    tuple of Claim
        ``2-<structure>``: one more approval level (``structure.approval_depth`` 1 → 2)
        raises the mean first response, in each of the four structures.
        ``2-<structure>-answered``: it lowers the share of threads ever answered (the
        mean first response covers answered threads only, and a thread whose answer
        waits too long is abandoned and leaves it).
    """
    claims = []
    for scenario, name in STRUCTURE_NAMES.items():
        for suffix, kpi, expected in (
            ("", "first_response_hours_mean", "greater"),
            ("-answered", "answered_share", "less"),
        ):
            claims.append(
                Claim(
                    id=f"2-{scenario.removesuffix('.toml')}{suffix}",
                    essay="000",
                    sentence="Hierarchy (approval chains) adds delay.",
                    quote="Social Media is indifferent to hierarchy.",
                    lever="structure.approval_depth",
                    levels=(
                        Level("shipped (depth 1)", scenario),
                        Level("depth 2", scenario, ("structure.approval_depth=2",)),
                    ),
                    kpi=kpi,
                    expected=expected,
                    hours=48,
                    note=f"{name}: the switchboard climbs the comms chain for every "
                    "answer; the others only for authors who are not empowered. The "
                    "switchboard and direct dial are also tested in the default world at "
                    "depths 0 and 2 in tests/test_directional.py.",
                )
            )
    return tuple(claims)


def voice_claims() -> tuple[Claim, ...]:
    """Essay 000: "Your title is completely irrelevant to the conversation if you don't
    have something authentic to say. You can go ahead and assume that your authority
    voice isn't going to work here. Also, your guy in the field who is out there
    tweeting about how things really are has a lot more credibility than you do."

    Returns
    -------
    tuple of Claim
        ``3-voice``: the same switchboard answers (same threads, routing and timing on
        each seed), posted once in the brand's authority voice (voice 0.5, comms
        authenticity 0.6, polished by spin 0.3) and once in a field expert's (voice 1.0
        as ``voice.expert``, authenticity 0.8 as staff, no polish): credibility is lower
        with the authority voice.
    """
    return (
        Claim(
            id="3-voice",
            essay="000",
            sentence="An authority voice with nothing authentic to say earns less "
            "credibility than a field expert.",
            quote="You can go ahead and assume that your authority voice isn't going to "
            "work here. Also, your guy in the field [...] has a lot more credibility "
            "than you do.",
            lever="voice.brand, organization.comms_authenticity, culture.spin",
            levels=(
                Level(
                    "field voice",
                    SB,
                    (
                        "voice.brand=1.0",
                        "organization.comms_authenticity=0.8",
                        "culture.spin=0.0",
                    ),
                ),
                Level("authority voice (shipped)", SB),
            ),
            kpi="credibility",
            expected="less",
            hours=48,
            note="A counterfactual on the voice alone: the levels differ only in how the "
            "answers sound, so speed and answered share are the same and the trust "
            "signal (authenticity x voice weight) is what moves credibility. The voice "
            "weights are parameters (MODEL.md 4.5, from trust surveys); the experiment "
            "shows what they do to credibility through the audience's exposures.",
        ),
    )


def honesty_claims() -> tuple[Claim, ...]:
    """Essay 000: "Social Media values authenticity and honesty. If you're glossing over
    the truth, you will be found out and discredited."

    Returns
    -------
    tuple of Claim
        ``4-credibility``: credibility after a week is lower at honesty 0.1 than 0.9.
        ``4-trajectory``: the gap grows: credibility rises less over the second half
        of the week at honesty 0.1 (gap at the end − gap at half time < 0).
    """
    sentence = "Spin is found out: low honesty loses credibility over time."
    quote = "If you're glossing over the truth, you will be found out and discredited."
    levels = (
        Level("honest (0.9)", DD, ("culture.honesty=0.9",)),
        Level("spin (0.1)", DD, ("culture.honesty=0.1",)),
    )
    return (
        Claim(
            id="4-credibility",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.honesty",
            levels=levels,
            kpi="credibility",
            expected="less",
            hours=168,
        ),
        Claim(
            id="4-trajectory",
            essay="000",
            sentence=sentence,
            quote=quote,
            lever="culture.honesty",
            levels=levels,
            kpi="trust_change_late",
            expected="less",
            hours=168,
            note="trust_change_late = credibility at 168 h − at 84 h, so the contrast is "
            "(gap at 168 h) − (gap at 84 h): negative when the gap keeps growing.",
        ),
    )


def quality_claims() -> tuple[Claim, ...]:
    """Essay 001: "If what an organization [...] sucks at what it does, no amount of
    social media will improve quality." and "social media can actually expose the
    disparity between what a leader says and what he or she actually does."

    Returns
    -------
    tuple of Claim
        ``5a-<structure>``: product quality 0.3 against the shipped 0.7 gives more
        complaint threads per hour in the second half of two days, in every
        structure. ``5b-integrity``: leadership integrity 0.2 against the shipped 0.7
        lowers credibility after five days.
    """
    sentence = (
        "Social media cannot fix a bad product, bad service attitude or weak leadership: "
        "low quality keeps complaints coming whatever the structure, and a say–do gap in "
        "leaders' broadcasts destroys credibility."
    )
    claims = [
        Claim(
            id=f"5a-{scenario.removesuffix('.toml')}",
            essay="001",
            sentence=sentence,
            quote="no amount of social media will improve quality.",
            lever="culture.product_quality",
            levels=(
                Level("shipped (0.7)", scenario),
                Level("bad product (0.3)", scenario, ("culture.product_quality=0.3",)),
            ),
            kpi="complaints_per_hour_late",
            expected="greater",
            hours=48,
            note=f"{name}; complaints per hour over hours 24-48, while learning (MODEL.md "
            "4.9) acts. tests/test_public.py checks 24-hour counts at 0.3 against 0.9.",
        )
        for scenario, name in STRUCTURE_NAMES.items()
    ]
    claims.append(
        Claim(
            id="5b-integrity",
            essay="001",
            sentence=sentence,
            quote="social media can actually expose the disparity between what a leader "
            "says and what he or she actually does. It can reveal a character gap.",
            lever="culture.leadership_integrity",
            levels=(
                Level("shipped (0.7)", DD),
                Level("say-do gap (0.2)", DD, ("culture.leadership_integrity=0.2",)),
            ),
            kpi="credibility",
            expected="less",
            note="Over five days in direct dial (tests/test_public.py: 36 h, switchboard).",
        )
    )
    return tuple(claims)


BASELINE = Level("shipped", DD)
LISTEN = Level("listening 0.9", DD, ("culture.listening=0.9",))
TALK = Level("listening 0.1", DD, ("culture.listening=0.1",))
FOLLOWERS = Level("3x followers (0.9)", DD, ("customers.brand_follower_share=0.9",))
REACH_MARGIN = 0.005
DIRECT_DIAL_SEEDS = 12


def _no_lift(level: Level) -> Level:
    """The level with broadcasts that do not lift followers' sentiment."""
    return Level(
        f"{level.name}, no broadcast lift",
        level.scenario,
        (
            *level.overrides,
            "broadcast.sentiment=0",
        ),
    )


def interactivity_claims() -> tuple[Claim, ...]:
    """Essay 002: "Too often social media tools are being used simply to accumulate the
    number of [followers / friends / contacts / readers] – this is an important metric,
    but it's not the key metric. What you should be striving for (and measuring) is the
    level of interactivity."

    Returns
    -------
    tuple of Claim
        ``6-interactivity``, ``6-credibility``, ``6-sentiment``: more listening (0.9
        against the shipped 0.5) raises interactivity, credibility and sentiment.
        ``6-reach-credibility``, ``6-reach-sentiment``: three times the brand's
        followers (0.9 of customers against 0.3) does not raise credibility (sentiment)
        by :data:`REACH_MARGIN` or more (non-superiority). The ``-no-broadcast-lift``
        variants are diagnostics: the same sentiment contrasts with
        ``broadcast.sentiment = 0``.
    """
    sentence = (
        "Value comes from interactivity (two-way conversation), not from reach or follower counts."
    )
    quote = "What you should be striving for (and measuring) is the level of interactivity."
    listening = {
        "lever": "culture.listening",
        "levels": (BASELINE, LISTEN),
        "expected": "greater",
    }
    reach = {
        "lever": "customers.brand_follower_share",
        "levels": (BASELINE, FOLLOWERS),
        "expected": "less",
        "margin": REACH_MARGIN,
    }
    return (
        Claim(
            id="6-interactivity",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="interactivity",
            **listening,
        ),
        Claim(
            id="6-credibility",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="credibility",
            **listening,
        ),
        Claim(
            id="6-sentiment",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            **listening,
            note="Listening also sets the broadcast rate, rate x (1 - listening), and "
            "each broadcast adds broadcast.sentiment x integrity to every follower.",
        ),
        Claim(
            id="6-reach-credibility",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="credibility",
            **reach,
            note="Non-superiority: more followers hear the broadcasts; the test is "
            f"that credibility does not rise by {REACH_MARGIN} or more.",
        ),
        Claim(
            id="6-reach-sentiment",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            **reach,
            note=f"Non-superiority margin {REACH_MARGIN}, as for credibility.",
        ),
        Claim(
            id="6-sentiment-no-broadcast-lift",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            lever="culture.listening (broadcast.sentiment = 0)",
            levels=(_no_lift(BASELINE), _no_lift(LISTEN)),
            expected="greater",
            note="Diagnostic of 6-sentiment: the same contrast with broadcasts that do not "
            "lift followers' sentiment (broadcast.sentiment = 0).",
        ),
        Claim(
            id="6-reach-sentiment-no-broadcast-lift",
            essay="002",
            sentence=sentence,
            quote=quote,
            kpi="sentiment",
            lever="customers.brand_follower_share (broadcast.sentiment = 0)",
            levels=(_no_lift(BASELINE), _no_lift(FOLLOWERS)),
            expected="less",
            margin=REACH_MARGIN,
            note="Diagnostic of 6-reach-sentiment, with broadcast.sentiment = 0.",
        ),
    )


def switchboard_claims() -> tuple[Claim, ...]:
    """Essay 003: "Replacing the old telephone switchboard with a social media filtering
    and forwarding team is no good. Automatically channeling them to identified experts
    who aren't on board is not much better (but a little)." and "Bypassing the
    switchboard without enabling the employees to handle direct dialing may result in
    substandard responses or maybe even in some major commercial or reputational
    hazards."

    All on the four shipped structures over two weeks (the small world).

    Returns
    -------
    tuple of Claim
        ``7a-*``: the switchboard is slower and less authentic than direct dial.
        ``7b-*``: untrained direct dial makes more gaffes per answer than trained
        direct dial and than coached direct dial. ``7c-*``: expert routing beats the
        switchboard, trails coached direct dial, and closes less than half the gap
        between them ("a little"). ``7d-*``: coached direct dial is best on credibility
        and sentiment (against plain direct dial over 12 seeds, as the difference is
        small) and within half an hour of direct dial's mean first response.
    """
    four = _structures()
    sb, dd, er, cdd = range(4)
    sentence_a = "A switchboard team between employees and the public slows and dilutes answers."
    sentence_b = "Direct dial without training and policy produces gaffes."
    sentence_c = "Automatic routing to experts who are not on board is only a little better."
    sentence_d = "Coaching, analytics and a social intranet make direct dial work."
    quote_a = (
        "Replacing the old telephone switchboard with a social media filtering and "
        "forwarding team is no good."
    )
    quote_b = (
        "Bypassing the switchboard without enabling the employees to handle direct "
        "dialing may result in substandard responses or maybe even in some major "
        "commercial or reputational hazards."
    )
    quote_c = (
        "Automatically channeling them to identified experts who aren't on board is not "
        "much better (but a little)."
    )
    quote_d = (
        "Communications professionals who coach the experts instead of insisting of "
        "themselves being the voice of the company [...] a social intranet where they can "
        "get backed up by shared knowledge and easy-to-reach experts is of great help too."
    )

    def pair(a: int, b: int) -> tuple[float, ...]:
        weights = [0.0] * 4
        weights[a], weights[b] = -1.0, 1.0
        return tuple(weights)

    def closure(candidate: int = er) -> tuple[float, ...]:
        weights = [0.0] * 4
        weights[sb], weights[candidate], weights[cdd] = -0.5, 1.0, -0.5
        return tuple(weights)

    common = {"levels": four, "lever": "structure (the four shipped files)", "hours": 336}
    claims = [
        Claim(
            id="7a-slower",
            essay="003",
            sentence=sentence_a,
            quote=quote_a,
            kpi="first_response_hours_mean",
            contrast=pair(dd, sb),
            expected="greater",
            **common,
        ),
        Claim(
            id="7a-diluted",
            essay="003",
            sentence=sentence_a,
            quote=quote_a,
            kpi="answer_authenticity_mean",
            contrast=pair(dd, sb),
            expected="less",
            **common,
        ),
        Claim(
            id="7b-vs-coached",
            essay="003",
            sentence=sentence_b,
            quote=quote_b,
            kpi="gaffe_rate",
            contrast=pair(cdd, dd),
            expected="greater",
            **common,
            note="Gaffes per answer posted; coaching raises the on-board staff's "
            "training from 0.2 by 0.3 x (1 - training) a week.",
        ),
        Claim(
            id="7b-vs-trained",
            essay="003",
            sentence=sentence_b,
            quote=quote_b,
            lever="organization.training",
            levels=(Level("trained (0.8)", DD, ("organization.training=0.8",)), BASELINE),
            kpi="gaffe_rate",
            expected="greater",
            note="Over five days, against the shipped direct dial (training 0.2).",
        ),
        Claim(
            id="7c-better-speed",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="first_response_hours_mean",
            contrast=pair(sb, er),
            expected="less",
            **common,
        ),
        Claim(
            id="7c-better-answered",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="answered_share",
            contrast=pair(sb, er),
            expected="greater",
            **common,
        ),
        Claim(
            id="7c-worse-answered",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="answered_share",
            contrast=pair(cdd, er),
            expected="less",
            **common,
        ),
        Claim(
            id="7c-worse-credibility",
            essay="003",
            sentence=sentence_c,
            quote=quote_c,
            kpi="credibility",
            contrast=pair(cdd, er),
            expected="less",
            **common,
        ),
    ]
    for kpi, lower_is_better in (
        ("first_response_hours_mean", True),
        ("answered_share", False),
        ("answered_within_4h_share", False),
        ("credibility", False),
        ("sentiment", False),
    ):
        claims.append(
            Claim(
                id=f"7c-little-{kpi.removesuffix('_mean').removesuffix('_share')}",
                essay="003",
                sentence=sentence_c,
                quote=quote_c,
                kpi=kpi,
                contrast=closure(),
                expected="greater" if lower_is_better else "less",
                gap=(sb, er, cdd),
                note="'A little' = expert routing closes less than half the gap from the "
                "switchboard to coached direct dial: it lies on the switchboard's side of "
                "their midpoint (contrast expert routing − (switchboard + coached)/2).",
                **common,
            )
        )
    # Against plain direct dial the differences are small (about 0.01 of credibility,
    # with a between-seed sd of the paired difference near 0.008): 12 seeds, of which
    # the first 8 are the runs shared with the other 7* claims.
    direct = {
        "levels": (four[dd], four[cdd]),
        "lever": common["lever"],
        "hours": 336,
        "seeds": DIRECT_DIAL_SEEDS,
    }
    for kpi in ("credibility", "sentiment"):
        for other in (sb, er):
            claims.append(
                Claim(
                    id=f"7d-{kpi}-vs-{four[other].scenario.removesuffix('.toml')}",
                    essay="003",
                    sentence=sentence_d,
                    quote=quote_d,
                    kpi=kpi,
                    contrast=pair(other, cdd),
                    expected="greater",
                    **common,
                )
            )
        claims.append(
            Claim(
                id=f"7d-{kpi}-vs-direct_dial",
                essay="003",
                sentence=sentence_d,
                quote=quote_d,
                kpi=kpi,
                expected="greater",
                **direct,
            )
        )
    claims.append(
        Claim(
            id="7d-speed-within-half-hour",
            essay="003",
            sentence=sentence_d,
            quote=quote_d,
            kpi="first_response_hours_mean",
            expected="less",
            margin=0.5,
            note="Non-inferiority: coached direct dial's mean first response is less than "
            "half an hour (two ticks) longer than plain direct dial's, the fastest.",
            **direct,
        )
    )
    return tuple(claims)


def word_of_mouth_claims() -> tuple[Claim, ...]:
    """Essay 003: "Rock bands play for their fans and leave it to them to communicate
    with non-fans to turn them into new fans."

    Returns
    -------
    tuple of Claim
        ``8-word-of-mouth``: with every other mechanism on, the fan share rises more
        over five days at ``opinions.q_imitation`` 0.8 than at the shipped 0.2.
    """
    return (
        Claim(
            id="8-word-of-mouth",
            essay="003",
            sentence="Fans convert non-fans (word of mouth).",
            quote="Rock bands play for their fans and leave it to them to communicate with "
            "non-fans to turn them into new fans.",
            lever="opinions.q_imitation",
            levels=(BASELINE, Level("q 0.8", DD, ("opinions.q_imitation=0.8",))),
            kpi="fan_share_rise",
            expected="greater",
            note="The full model (tests/test_public.py isolates word of mouth with posting "
            "and broadcasts off).",
        ),
    )


def listening_claims() -> tuple[Claim, ...]:
    """Essay 004: "Us, us, us. Talk, talk, talk. Noise, noise noise. Seriously, shut it
    already."

    Returns
    -------
    tuple of Claim
        ``9-followers``, ``9-credibility``: at listening 0.1 against the shipped 0.5 the
        brand keeps fewer followers and less credibility after five days.
    """
    sentence = "Broadcasting without listening (talk, talk, talk) loses the audience."
    quote = "Us, us, us. Talk, talk, talk. Noise, noise noise. Seriously, shut it already."
    common = {
        "essay": "004",
        "sentence": sentence,
        "quote": quote,
        "lever": "culture.listening",
        "levels": (BASELINE, TALK),
        "expected": "less",
    }
    return (
        Claim(id="9-followers", kpi="brand_followers_final", **common),
        Claim(id="9-credibility", kpi="credibility", **common),
    )


CLAIMS: tuple[Claim, ...] = (
    *silo_claims(),
    *hierarchy_claims(),
    *voice_claims(),
    *honesty_claims(),
    *quality_claims(),
    *interactivity_claims(),
    *switchboard_claims(),
    *word_of_mouth_claims(),
    *listening_claims(),
)
"""Every claim of MODEL.md section 1, as directional experiments."""

INFINITE_PATIENCE = tuple(
    f"channels.{name}.patience=infinite" for name in ("twitter", "linkedin", "blog")
)
CENTRAL_TEAM_REGIME: tuple[str, ...] = (
    "arrivals.mode=poisson",
    "structure.approval_depth=0",
    "culture.silo_permeability=1.0",
    *(f"silos.{silo}.topic_weight=0" for silo in ("product", "billing", "logistics", "it")),
)
"""The regime where a central team can win: every thread is on the topic the comms team
owns and answers itself, no approvals, no silo walls."""

CENTRAL_TEAM_LOADS = (1.0, 2.0, 3.0, 3.5, 4.0, 6.0, 8.0)

SWEEPS: tuple[Sweep, ...] = (
    Sweep(
        id="crossover-central-team",
        title="Switchboard vs coached direct dial, all traffic on the comms team's topic",
        central=Level("switchboard", SB),
        distributed=Level("coached direct dial", CDD),
        loads=CENTRAL_TEAM_LOADS,
        world=(*CENTRAL_TEAM_REGIME, *INFINITE_PATIENCE),
        note="Default world (200 employees) in the Poisson mode with every thread on "
        "'general', the topic comms owns, no approvals, permeability 1 and infinite "
        "patience (the mean covers every thread, as in the queueing tests). The "
        "switchboard's six front-line comms staff triage and draft everything as "
        "experts; in coached direct dial comms coaches and answers nothing, so the "
        "on-board staff of the other silos (about 57, half their time) answer as "
        "generalists (quality x 0.5, drafting 1.8 times slower). The central team wins "
        "while its queue is short and loses once it congests: the trade-off between "
        "search or expertise cost and congestion at the hub of Arenas et al. (2008).",
    ),
    Sweep(
        id="no-crossover-direct-dial-central-team",
        title="Switchboard vs direct dial, same regime",
        central=Level("switchboard", SB),
        distributed=Level("direct dial", DD),
        loads=(1.0, 3.0, 8.0),
        world=(*CENTRAL_TEAM_REGIME, *INFINITE_PATIENCE),
        note="Plain direct dial in the same regime: the whole comms silo (ten, managers "
        "included) watches its own topic's feed and answers without triage, and other "
        "silos claim only what waits while every comms watcher is busy. Its path is the "
        "switchboard's minus triage, so it is faster at every load.",
    ),
    Sweep(
        id="no-crossover-default-world",
        title="Switchboard vs direct dial, default world (Poisson arrivals)",
        central=Level("switchboard", SB),
        distributed=Level("direct dial", DD),
        loads=(1.0, 4.0, 16.0, 64.0),
        world=("arrivals.mode=poisson",),
        hours=48,
        seeds=8,
        note="The shipped switchboard and direct dial files in the default world, threads "
        "from a Poisson process, the shipped patience.",
    ),
)
"""The crossover sweeps the tests check."""

EXTRA_SWEEPS: tuple[Sweep, ...] = (
    Sweep(
        id="crossover-central-team-patience",
        title="Switchboard vs coached direct dial, central-team regime, shipped patience",
        central=Level("switchboard", SB),
        distributed=Level("coached direct dial", CDD),
        loads=CENTRAL_TEAM_LOADS,
        world=CENTRAL_TEAM_REGIME,
        hours=168,
        seeds=12,
        note="As crossover-central-team with the channels' patience (abandonment on): "
        "the mean covers answered threads only. Reported by the command, not tested.",
    ),
)
"""Sweeps only ``python -m experiments.claims`` runs."""


# ------------------------------------------------------------------- measuring


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def measure(job: Job) -> RunResult:
    """Run one job and measure every metric the claims use.

    The KPIs of MODEL.md 5 (``model.kpis()``) plus:

    - ``answered_within_{X}h_share`` for X in :data:`WITHIN_HOURS`: share of the threads
      opened at least X hours before the end whose first answer came within X hours;
      the same over ``cross_`` (topics owned by a silo other than comms, which a
      switchboard must hand across a silo wall) and ``own_`` topics (owned by comms);
      ``cross_answered_share`` and ``cross_first_response_hours_mean``;
    - ``answer_authenticity_mean``, ``answer_signal_mean``: mean authenticity, and
      authenticity × voice weight (the trust signal before honesty), of the answered
      threads' last answers; ``signal_{speaker}_mean`` by who spoke;
    - ``gaffe_rate``: gaffes per answer posted;
    - ``threads_per_hour``, ``complaints_per_hour`` and ``complaints_per_hour_late``
      (over the second half of the run);
    - with customers: ``trust_at_half``, ``trust_change_late`` (credibility at the end
      minus at half time), ``fan_share_rise`` (end minus the first tick),
      ``brand_followers_final`` and ``brand_followers_share``.

    Parameters
    ----------
    job
        The run (scenario, hours and seed), as :func:`experiments.runner.jobs_for` makes.

    Returns
    -------
    experiments.runner.RunResult
        With the metrics above in ``kpis`` and the hourly series of
        :data:`SERIES_COLUMNS`.
    """
    started = time.perf_counter()
    model = OrgModel(job.scenario, rng=job.seed_sequence())
    model.run_hours(job.hours)
    kpis = {name: float(value) for name, value in model.kpis().items()}
    table = model.threads()
    end = model.hours
    created = table["created_hours"].to_numpy(float)
    first = table["first_response_hours"].to_numpy(float)
    org = model.core.org
    cross = org.topic_silo[table["topic"].cat.codes.to_numpy()] != org.comms
    answered = ~np.isnan(first)
    for x in WITHIN_HOURS:
        eligible = created <= end - x
        fast = answered & (np.nan_to_num(first, nan=np.inf) <= x)
        kpis[f"answered_within_{x}h_share"] = _share(fast[eligible])
        kpis[f"cross_answered_within_{x}h_share"] = _share(fast[eligible & cross])
        kpis[f"own_answered_within_{x}h_share"] = _share(fast[eligible & ~cross])
    kpis["cross_answered_share"] = _share(answered[cross])
    cross_answered = first[answered & cross]
    kpis["cross_first_response_hours_mean"] = (
        float(cross_answered.mean()) if cross_answered.size else float("nan")
    )
    authenticity = table["authenticity"].to_numpy(float)[answered]
    signal = authenticity * table["voice_weight"].to_numpy(float)[answered]
    kpis["answer_authenticity_mean"] = float(authenticity.mean()) if answered.any() else np.nan
    kpis["answer_signal_mean"] = float(signal.mean()) if answered.any() else np.nan
    voice = table["voice"].to_numpy()[answered]
    for speaker in ("expert", "generalist", "brand", "executive"):
        mine = voice == speaker
        kpis[f"signal_{speaker}_mean"] = float(signal[mine].mean()) if mine.any() else np.nan
    answers = model.core.counters["answered"]
    kpis["gaffe_rate"] = model.core.counters["gaffes"] / answers if answers else np.nan
    complaint = (table["kind"] == "complaint").to_numpy()
    kpis["threads_per_hour"] = len(table) / end
    kpis["complaints_per_hour"] = float(complaint.sum()) / end
    kpis["complaints_per_hour_late"] = float((complaint & (created >= end / 2)).sum()) / (end / 2)
    per_tick = model.series()
    series = hourly(per_tick, model.dt_hours)
    if model.customers is not None:
        trust = series["mean_trust"]
        half = max(1, round(trust.size / 2)) - 1
        kpis["trust_at_half"] = float(trust[half])
        kpis["trust_change_late"] = float(trust[-1] - trust[half])
        fans = per_tick["fan_share"].to_numpy(float)
        kpis["fan_share_rise"] = float(fans[-1] - fans[0])
        followers = float(np.count_nonzero(model.customers.follows_brand))
        kpis["brand_followers_final"] = followers
        kpis["brand_followers_share"] = followers / model.customers.n
    return RunResult(
        scenario_index=job.scenario_index,
        replication=job.replication,
        seed_entropy=job.seed_entropy,
        seed_spawn_key=job.seed_spawn_key,
        hours=job.hours,
        kpis=kpis,
        series={k: v for k, v in series.items() if k in ("hours", *SERIES_COLUMNS)},
        first_response_hours=first[answered],
        resolution_hours=table["resolution_hours"].dropna().to_numpy(float),
        seconds=time.perf_counter() - started,
    )


RunKey = tuple[str, float, int]
"""(scenario digest, hours, replication): runs with equal keys are the same run."""


def _digest(scenario: Scenario) -> str:
    return hashlib.sha1(scenario.model_dump_json().encode()).hexdigest()[:16]


@dataclass
class Runs:
    """Every run of a batch of claims and sweeps, by :data:`RunKey`.

    A run that several claims share (same scenario, hours and seed) is made once.
    """

    jobs: dict[RunKey, Job] = field(default_factory=dict)
    results: dict[RunKey, RunResult] = field(default_factory=dict)
    seconds: float = 0.0
    _index: dict[tuple[str, float], int] = field(default_factory=dict)

    def add(self, scenarios: Sequence[Scenario], hours: float, seeds: int) -> list[list[RunKey]]:
        """Plan ``seeds`` replications of each scenario; returns ``keys[level][seed]``.

        Replication ``k`` of every scenario gets the runner's seed ``k``
        (:func:`experiments.runner.jobs_for` with :data:`BASE_SEED`).
        """
        keys = []
        for scenario in scenarios:
            digest = _digest(scenario)
            index = self._index.setdefault((digest, float(hours)), len(self._index))
            row = []
            for job in jobs_for([scenario], seeds, BASE_SEED, hours):
                key = (digest, float(hours), job.replication)
                if key not in self.jobs:
                    self.jobs[key] = Job(
                        index,
                        scenario,
                        job.replication,
                        job.hours,
                        job.seed_entropy,
                        job.seed_spawn_key,
                    )
                row.append(key)
            keys.append(row)
        return keys

    def values(self, keys: list[list[RunKey]], kpi: str) -> np.ndarray:
        """The (level, seed) matrix of one metric."""
        return np.array([[self.results[k].kpis.get(kpi, np.nan) for k in row] for row in keys])

    @property
    def simulated_hours(self) -> float:
        return float(sum(job.hours for job in self.jobs.values()))


def _cost(job: Job) -> float:
    """A rough relative cost, to start the longest runs first."""
    scenario = job.scenario
    if scenario.arrivals.mode == "customers":
        return job.hours
    return job.hours * 0.1 * (1.0 + scenario.arrivals.threads_per_hour / 10.0)


def run_all(
    runs: Runs,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Runs:
    """Run every planned job not yet run, longest first.

    Parameters
    ----------
    runs
        The plan; results are added to it.
    executor
        Any :class:`concurrent.futures.Executor` (as :func:`experiments.runner.run_jobs`
        takes; e.g. :func:`experiments.runner.local_executor`), or ``None`` to run in
        this process. Results depend only on the jobs, never on the executor.
    progress
        Called as ``progress(done, total)`` after each run.
    """
    todo = sorted(
        (key for key in runs.jobs if key not in runs.results),
        key=lambda key: -_cost(runs.jobs[key]),
    )
    started = time.perf_counter()
    if executor is None:
        for done, key in enumerate(todo, start=1):
            runs.results[key] = measure(runs.jobs[key])
            if progress is not None:
                progress(done, len(todo))
    else:
        futures: dict[Future[RunResult], RunKey] = {
            executor.submit(measure, runs.jobs[key]): key for key in todo
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                runs.results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(todo))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    runs.seconds += time.perf_counter() - started
    return runs


# ------------------------------------------------------------------ statistics


def mean_ci(values: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Mean and 95% Student t interval of the finite values."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), (float("nan"), float("nan"))
    mean = float(values.mean())
    if values.size < 2:
        return mean, (float("nan"), float("nan"))
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return mean, (mean - float(half), mean + float(half))


def paired_test(
    contrasts: np.ndarray, margin: float, expected: Literal["greater", "less"]
) -> tuple[float, str, float]:
    """One-sided test of paired contrasts against ``margin``.

    Parameters
    ----------
    contrasts
        Per-seed contrasts (for two levels, the paired differences).
    margin
        The null value.
    expected
        The alternative: the mean contrast is ``"greater"`` or ``"less"`` than margin.

    Returns
    -------
    (p, test, shapiro_p)
        The paired t-test's p-value, unless Shapiro-Wilk rejects normality of the
        contrasts at :data:`NORMALITY_ALPHA`: then the Wilcoxon signed-rank test's.
    """
    shifted = np.asarray(contrasts, float) - margin
    shifted = shifted[np.isfinite(shifted)]
    if shifted.size < 2 or np.all(shifted == 0):
        return 1.0, "paired t", float("nan")
    if np.ptp(shifted) == 0:  # constant non-zero differences: the sign is certain
        certain = (shifted[0] > 0) == (expected == "greater")
        return (0.0 if certain else 1.0), "paired t", float("nan")
    shapiro = float(stats.shapiro(shifted).pvalue) if shifted.size >= 3 else float("nan")
    if np.isfinite(shapiro) and shapiro < NORMALITY_ALPHA:
        p = stats.wilcoxon(shifted, alternative=expected).pvalue
        return float(p), "Wilcoxon signed-rank", shapiro
    p = stats.ttest_1samp(shifted, 0.0, alternative=expected).pvalue
    return float(p), "paired t", shapiro


@dataclass(frozen=True)
class ClaimOutcome:
    """What a claim's experiment measured.

    Attributes
    ----------
    claim
        The claim.
    values
        The (level, seed) matrix of the KPI (seeds with a missing value left out).
    contrasts
        The per-seed contrasts.
    mean, ci
        Their mean and 95% paired t interval.
    p_value, test, shapiro_p
        The one-sided p-value against the margin in the expected direction, which test
        gave it, and the Shapiro-Wilk p-value that chose the test.
    gap_closed, gap_closed_ci
        With ``claim.gap``: the share of the gap from its start level to its end level
        that the candidate closes (ratio of mean differences) and a bootstrap 95% CI
        over seeds.
    """

    claim: Claim
    values: np.ndarray
    contrasts: np.ndarray
    mean: float
    ci: tuple[float, float]
    p_value: float
    test: str
    shapiro_p: float
    gap_closed: float | None = None
    gap_closed_ci: tuple[float, float] | None = None

    @property
    def level_means(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.values.mean(axis=1))

    @property
    def direction_ok(self) -> bool:
        if self.claim.expected == "greater":
            return bool(self.mean > self.claim.margin)
        return bool(self.mean < self.claim.margin)

    @property
    def significant(self) -> bool:
        return bool(self.p_value < ALPHA)

    @property
    def reproduced(self) -> bool:
        return self.direction_ok and self.significant

    @property
    def effect_size(self) -> tuple[float, float, float]:
        """(d, low, high): the mean contrast's distance from the margin in the expected
        direction, over the contrasts' standard deviation (Cohen's d_z), with the 95% CI
        on the same scale. Positive: the expected direction."""
        sd = float(np.std(self.contrasts, ddof=1)) if self.contrasts.size > 1 else 0.0
        if not sd > 0:
            return float("nan"), float("nan"), float("nan")
        sign = 1.0 if self.claim.expected == "greater" else -1.0
        margin = self.claim.margin
        ends = sorted((c - margin) * sign / sd for c in self.ci)
        return (self.mean - margin) * sign / sd, ends[0], ends[1]

    def describe(self) -> str:
        """One line: the hypothesis, the mean contrast with its CI and the test."""
        low, high = self.ci
        verdict = "reproduced" if self.reproduced else "NOT reproduced"
        return (
            f"{self.claim.id}: {self.claim.statement()}; measured {self.mean:+.4g} "
            f"[95% CI {low:+.4g}, {high:+.4g}], {self.test} one-sided p = "
            f"{self.p_value:.2g} (n = {self.contrasts.size}): {verdict}"
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record of the claim and its outcome."""
        c = self.claim
        d, d_low, d_high = self.effect_size
        record = {
            "id": c.id,
            "essay": c.essay,
            "sentence": c.sentence,
            "quote": c.quote,
            "lever": c.lever,
            "levels": [
                {"name": level.name, "scenario": level.scenario, "overrides": list(level.overrides)}
                for level in c.levels
            ],
            "world": list(c.world),
            "kpi": c.kpi,
            "hypothesis": c.statement(),
            "expected": c.expected,
            "margin": c.margin,
            "hours": c.hours,
            "seeds": c.seeds,
            "n_pairs": int(self.contrasts.size),
            "level_means": dict(zip((lv.name for lv in c.levels), self.level_means, strict=True)),
            "contrast_mean": self.mean,
            "contrast_ci95": list(self.ci),
            "p_value": self.p_value,
            "test": self.test,
            "shapiro_p": self.shapiro_p,
            "effect_size_dz": d,
            "effect_size_ci95": [d_low, d_high],
            "reproduced": self.reproduced,
            "note": c.note,
        }
        if self.gap_closed is not None:
            record["gap_closed"] = self.gap_closed
            record["gap_closed_ci95"] = (
                None if self.gap_closed_ci is None else list(self.gap_closed_ci)
            )
        return record


def _gap_closed(
    values: np.ndarray, gap: tuple[int, int, int]
) -> tuple[float, tuple[float, float] | None]:
    """Share of the mean gap from level ``start`` to ``end`` that ``candidate`` closes,
    with a paired bootstrap 95% CI over seeds."""
    start, candidate, end = gap

    def ratio(v: np.ndarray) -> float:
        total = v[end].mean() - v[start].mean()
        return float((v[candidate].mean() - v[start].mean()) / total) if total else np.nan

    rng = np.random.default_rng(BASE_SEED)
    n = values.shape[1]
    samples = np.array([ratio(values[:, rng.integers(0, n, n)]) for _ in range(BOOTSTRAP)])
    samples = samples[np.isfinite(samples)]
    ci = (
        (float(np.percentile(samples, 2.5)), float(np.percentile(samples, 97.5)))
        if samples.size
        else None
    )
    return ratio(values), ci


def evaluate(claim: Claim, values: np.ndarray) -> ClaimOutcome:
    """Judge a claim from its (level, seed) matrix of KPI values.

    Seeds where a level's KPI is missing (nothing to measure) are left out.
    """
    values = np.asarray(values, float)
    values = values[:, np.all(np.isfinite(values), axis=0)]
    contrasts = np.asarray(claim.contrast, float) @ values
    mean, ci = mean_ci(contrasts)
    p, test, shapiro = paired_test(contrasts, claim.margin, claim.expected)
    gap, gap_ci = _gap_closed(values, claim.gap) if claim.gap else (None, None)
    return ClaimOutcome(claim, values, contrasts, mean, ci, p, test, shapiro, gap, gap_ci)


@dataclass(frozen=True)
class Crossover:
    """A sweep's outcome.

    Attributes
    ----------
    differences
        (load, seed) paired differences central − distributed of the KPI (negative:
        the central structure answers faster).
    mean_difference, ci
        Per load: their mean and 95% paired t interval (``ci`` is (load, 2)).
    p_central_faster, p_distributed_faster
        Per load: one-sided p-values of each direction (:func:`paired_test`).
    load_at_crossover, crossover_ci
        The load where the mean difference turns from negative to positive,
        interpolated linearly in log load (``None`` if it never does), and its
        bootstrap 95% CI over seeds (``None`` if no bootstrap sample crosses). The
        bootstrap keeps the linear interpolation, so it does not see the grid.
    bracket
        The grid's own interval: the highest load below the crossover whose 95% CI of
        the difference lies below 0, and the lowest above it whose CI lies above 0.
    bootstrap_without_crossing
        Share of bootstrap samples in which no crossing is found.
    """

    sweep: Sweep
    loads: np.ndarray
    central_means: np.ndarray
    distributed_means: np.ndarray
    central_ci: np.ndarray
    distributed_ci: np.ndarray
    differences: np.ndarray
    mean_difference: np.ndarray
    ci: np.ndarray
    p_central_faster: np.ndarray
    p_distributed_faster: np.ndarray
    load_at_crossover: float | None
    crossover_ci: tuple[float, float] | None
    bootstrap_without_crossing: float
    bracket: tuple[float, float] | None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready record of the sweep and its outcome."""
        s = self.sweep
        return {
            "id": s.id,
            "title": s.title,
            "kpi": s.kpi,
            "central": {"scenario": s.central.scenario, "overrides": list(s.central.overrides)},
            "distributed": {
                "scenario": s.distributed.scenario,
                "overrides": list(s.distributed.overrides),
            },
            "world": list(s.world),
            "hours": s.hours,
            "seeds": s.seeds,
            "loads_threads_per_hour": self.loads.tolist(),
            "central_mean": self.central_means.tolist(),
            "distributed_mean": self.distributed_means.tolist(),
            "difference_mean": self.mean_difference.tolist(),
            "difference_ci95": self.ci.tolist(),
            "p_central_faster": self.p_central_faster.tolist(),
            "p_distributed_faster": self.p_distributed_faster.tolist(),
            "crossover_threads_per_hour": self.load_at_crossover,
            "crossover_ci95": None if self.crossover_ci is None else list(self.crossover_ci),
            "bootstrap_share_without_crossing": self.bootstrap_without_crossing,
            "bracket_95": None if self.bracket is None else list(self.bracket),
            "note": s.note,
        }


def _crossing(loads: np.ndarray, mean_difference: np.ndarray) -> float | None:
    """The first load where the mean difference turns from <= 0 to > 0, interpolated
    linearly in log load; ``None`` when it never does."""
    x = np.log(loads)
    for i in range(loads.size - 1):
        a, b = mean_difference[i], mean_difference[i + 1]
        if a <= 0 < b:
            return float(np.exp(x[i] + (0 - a) / (b - a) * (x[i + 1] - x[i])))
    return None


def _row_means(matrix: np.ndarray) -> np.ndarray:
    """Mean of each row over its finite values (NaN for a row without any)."""
    finite = np.isfinite(matrix)
    counts = finite.sum(axis=1)
    sums = np.where(finite, matrix, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(counts.size, np.nan), where=counts > 0)


def find_crossover(sweep: Sweep, central: np.ndarray, distributed: np.ndarray) -> Crossover:
    """The crossover from (load, seed) matrices of the KPI for both structures.

    The CI of the crossover load resamples seeds with replacement (:data:`BOOTSTRAP`
    samples; a resampled seed brings its runs at every load, so the pairing is kept)
    and takes the 2.5 and 97.5 percentiles of the crossings found.
    """
    loads = np.asarray(sweep.loads, float)
    differences = central - distributed
    rows = [mean_ci(row) for row in differences]
    mean_difference = np.array([mean for mean, _ in rows])
    rng = np.random.default_rng(BASE_SEED)
    n = differences.shape[1]
    crossings = []
    for _ in range(BOOTSTRAP):
        sample = differences[:, rng.integers(0, n, n)]
        crossings.append(_crossing(loads, _row_means(sample)))
    found = np.array([c for c in crossings if c is not None])
    at = _crossing(loads, mean_difference)
    cis = np.array([ci for _, ci in rows])
    bracket = None
    if at is not None:
        sb_faster = loads[(loads < at) & (cis[:, 1] < 0)]
        dd_faster = loads[(loads > at) & (cis[:, 0] > 0)]
        if sb_faster.size and dd_faster.size:
            bracket = (float(sb_faster.max()), float(dd_faster.min()))
    ci = (
        (float(np.percentile(found, 2.5)), float(np.percentile(found, 97.5)))
        if found.size
        else None
    )
    return Crossover(
        sweep=sweep,
        loads=loads,
        central_means=_row_means(central),
        distributed_means=_row_means(distributed),
        central_ci=np.array([mean_ci(row)[1] for row in central]),
        distributed_ci=np.array([mean_ci(row)[1] for row in distributed]),
        differences=differences,
        mean_difference=mean_difference,
        ci=cis,
        p_central_faster=np.array([paired_test(row, 0.0, "less")[0] for row in differences]),
        p_distributed_faster=np.array([paired_test(row, 0.0, "greater")[0] for row in differences]),
        load_at_crossover=at,
        crossover_ci=ci,
        bootstrap_without_crossing=1.0 - found.size / len(crossings),
        bracket=bracket,
    )


@dataclass
class Measured:
    """Outcomes of a batch of claims and sweeps, with the runs behind them."""

    runs: Runs
    claims: dict[str, ClaimOutcome]
    crossovers: dict[str, Crossover]
    series: dict[str, list[list[RunResult]]]
    """Per claim id: results[level][seed] (for figures of trajectories)."""


def measure_all(
    claims: Sequence[Claim] = CLAIMS,
    sweeps: Sequence[Sweep] = SWEEPS,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Measured:
    """Plan every run of ``claims`` and ``sweeps`` (shared runs once), run them and
    judge each claim and sweep.

    Parameters
    ----------
    claims, sweeps
        What to measure (ids must be unique).
    executor
        Any :class:`concurrent.futures.Executor`, or ``None`` for this process.
    progress
        Called as ``progress(done, total)`` after each run.

    Returns
    -------
    Measured
        Every claim's :class:`ClaimOutcome` and every sweep's :class:`Crossover`, by id.
    """
    ids = [c.id for c in claims] + [s.id for s in sweeps]
    if len(set(ids)) != len(ids):
        raise ValueError("claim and sweep ids must be unique")
    runs = Runs()
    claim_keys = {c.id: runs.add(c.scenarios(), c.hours, c.seeds) for c in claims}
    sweep_keys = {
        s.id: [runs.add(s.scenarios(load), s.hours, s.seeds) for load in s.loads] for s in sweeps
    }
    run_all(runs, executor, progress)
    outcomes = {c.id: evaluate(c, runs.values(claim_keys[c.id], c.kpi)) for c in claims}
    crossovers = {}
    for s in sweeps:
        matrices = [runs.values(keys, s.kpi) for keys in sweep_keys[s.id]]
        central = np.array([m[0] for m in matrices])
        distributed = np.array([m[1] for m in matrices])
        crossovers[s.id] = find_crossover(s, central, distributed)
    series = {c.id: [[runs.results[k] for k in row] for row in claim_keys[c.id]] for c in claims}
    return Measured(runs, outcomes, crossovers, series)


# --------------------------------------------------------------------- outputs


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m experiments.claims [--out DIR] [--workers W]``.

    Runs :data:`CLAIMS`, :data:`SWEEPS` and :data:`EXTRA_SWEEPS` on a spawned process
    pool, prints each outcome and writes :func:`write_outputs` into ``--out``.

    Returns
    -------
    int
        The exit status (0).
    """
    parser = argparse.ArgumentParser(
        prog="python -m experiments.claims",
        description="Run the essay-claim experiments and the crossover sweeps; write "
        "claims.json and figures.",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    executor = local_executor(args.workers)
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"  {done}/{total} runs, {time.perf_counter() - started:.0f} s", flush=True)

    try:
        measured = measure_all(CLAIMS, (*SWEEPS, *EXTRA_SWEEPS), executor, progress)
    finally:
        if executor is not None:
            executor.shutdown()
    for outcome in measured.claims.values():
        print(outcome.describe())
    for crossover in measured.crossovers.values():
        at = crossover.load_at_crossover
        where = (
            "none"
            if at is None
            else f"{at:.2f} threads/h, bootstrap CI {crossover.crossover_ci}, "
            f"bracket {crossover.bracket}"
        )
        print(f"{crossover.sweep.id}: crossover {where}")
    for path in write_outputs(measured, args.out):
        print(f"wrote {path}")
    print(f"{len(measured.runs.jobs)} runs in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
