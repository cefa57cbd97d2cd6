"""Docking (MODEL.md 6.5): the vectorized core (:class:`sim.OrgModel`) and the plain
Mesa reference (:class:`sim.reference.ReferenceModel`, one object per agent, no shared
stepping code, no shared random numbers) give statistically indistinguishable KPI
distributions.

World
-----
The shipped structure scenarios with ``WORLD``: 2,000 customers, 60 employees (comms
share 0.1, so the switchboard team has two people), posting rates ten times the
default (about 345 threads a run), and faster learning, word of mouth and spin
discovery than the defaults so that those mechanisms move the KPIs within the run.
Each run lasts 48 hours (192 ticks). Seeds 0-49, for each implementation and each
of the four structures: 400 runs on two spawned worker processes, once per module.

Tests, per structure and per KPI of MODEL.md section 5
------------------------------------------------------
1. Mann-Whitney U (two-sided) between the 50 core and the 50 reference values, at the
   1% level with a Holm-Bonferroni correction over the structure's 26 KPIs.
2. The difference of the means lies within the equivalence margin of the table below.

KPIs that are NaN in some runs (``resolution_hours_*`` when nothing was resolved,
``interactivity`` before anything was said) are compared on their finite values; at
least ten finite values per side are required (``first_response_hours_km_median`` is
infinite in a run where fewer than half the threads are known to be answered). KPIs
constant and equal in both samples, up to float32 rounding (a relative 1e-6:
``social_capacity`` is fixed by the staffing in switchboard and expert routing, and the
core sums it in float32) count as p = 1 and a difference of 0.

Equivalence margins
-------------------
Re-derived on 2026-12-01 after the organization-side merge of issue 14 (second silos,
intranet, severity priority, listening effort, exact staffing quotas), which moved
the core's results (the golden fingerprints were regenerated) and gave expert routing
hops (consults of a second silo) where its hop and crossing margins had been 0: every
column comes from one run of ``tests/docking_pilot.py`` (core only), made before the
docking test was run again (but after diagnostic comparisons of credibility, which the
pilot does not read; no margin was chosen by hand). The merge narrowed many of direct
dial's and coached direct dial's margins (abandoned share 12 % -> 3.5 %, hops 49 % ->
11 %). Before that, re-derived when time within the tick became continuous (service,
transits, approvals and patience at their own times; issue 14), with the same pilot
before any comparison. Before that, re-derived on 2026-12-01, when the continuous-time
spread, escalations, signed trust signals and brand following came in (which changed
the between-seed spread of trust, sentiment, reach and more), with
``tests/docking_pilot.py`` run on the core alone before any comparison with the
reference; the new KPIs got margins the same way. Run a second
time the same day, after fixing a core bug the first docking run exposed (an escalated
turn counted as a hop: expert routing's ``hops_mean`` margin had come from the bug), and
after the expectation of a turn moved to when it opens. Fixed before the docking runs,
from a core-only pilot (seeds 1000-1029, n = 30, same world): margin = 0.8 x the pilot's
between-seed standard deviation, rounded up to two significant digits, as a share of the
pooled mean of both samples ("rel": times, shares, hops, utilization, depth, reach) or
in the KPI's own units ("abs": gaffes, quality, trust, sentiment and the fan/detractor
shares). With 50 runs a side the standard error of a difference of means is 0.2 SD, so
an honest dock exceeds 0.8 SD with probability about 6e-5 per KPI, while a bias of a
whole SD fails. Sentiment, fan and detractor shares vary between seeds mostly through
the random initial sentiments (SD of a mean of 2,000 draws: 0.0067), so their margins
are about one such SD.

==============================  ====  ===========  ===========  ==============  =======
KPI                             kind  switchboard  direct_dial  expert_routing  coached
==============================  ====  ===========  ===========  ==============  =======
first_response_hours_median     rel         9.9 %         17 %            17 %     13 %
first_response_hours_p90        rel         7.6 %         13 %            11 %     15 %
first_response_hours_mean       rel         7.3 %         13 %            12 %     13 %
first_response_hours_km_median  rel         9.5 %        9.9 %           9.7 %     15 %
answered_within_1h_share        rel         200 %         34 %            38 %     34 %
answered_within_24h_share       rel          15 %        7.9 %           8.6 %     11 %
resolution_hours_median         rel          21 %         23 %            29 %     20 %
resolution_hours_p90            rel          20 %         18 %            16 %     16 %
resolution_hours_mean           rel          16 %         16 %            18 %     15 %
answered_share                  rel          14 %        7.9 %           8.6 %     10 %
resolved_share                  rel          22 %         16 %            15 %     15 %
abandoned_share                 rel         2.4 %        3.5 %           3.1 %    3.6 %
hops_mean                       rel          11 %         11 %            16 %     11 %
silo_crossings_mean             rel          11 %         11 %            16 %     11 %
utilization                     rel         5.6 %        8.1 %           5.5 %    4.4 %
social_capacity                 rel             0        2.4 %               0    2.5 %
gaffes                          abs          0.59          2.9               2      2.3
interactivity                   rel          11 %        4.1 %           5.1 %    3.9 %
conversation_depth              rel          13 %        8.1 %            11 %     11 %
quality_final                   abs       0.00091       0.0023          0.0023   0.0026
credibility                     abs        0.0016       0.0016          0.0015   0.0015
sentiment                       abs        0.0061       0.0067          0.0065    0.006
fan_share                       abs        0.0055       0.0061          0.0061   0.0062
detractor_share                 abs        0.0032       0.0027           0.003   0.0031
net_sentiment                   abs        0.0064       0.0068          0.0074   0.0071
negative_reach_per_1k           rel          16 %         17 %            15 %     15 %
==============================  ====  ===========  ===========  ==============  =======

Rules checked in isolation
--------------------------
Two scripted worlds test single rules on both implementations. Both found bugs in
the core, since fixed:

- an exposure made in step 3 of the tick a thread is answered was judged as an
  exposure to an unanswered complaint *and* to the answer, and its customer then saw
  the answer again as a member of the audience (exposures now carry the thread's state
  when seen, ``sim.public.spread.Exposed``);
- two spun answers on one thread, both found out, cost its audience one spin penalty,
  not two (each spun answer is now its own pending event).

Finally: the reference's KPI names are the core's, an employee's inbox can be opened,
and the reference imports none of the core's stepping modules.
"""

from __future__ import annotations

import ast
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim import OrgModel
from sim.organization import structure_names
from sim.reference import ReferenceModel
from sim.reference.agents import Phase, Thread
from sim.reference.structures import ReferenceStructure
from sim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
STRUCTURES = tuple(k for k in structure_names() if k in ReferenceStructure.registry)
"""Every registered structure that has a one-object-per-agent reference to dock with."""
UNDOCKED = tuple(k for k in structure_names() if k not in ReferenceStructure.registry)
IMPLEMENTATIONS = ("core", "reference")
WORLD = (
    "customers.n_customers=2000",
    "organization.n_employees=60",
    "silos.comms.share=0.1",
    "posting.problem_rate=0.02",
    "posting.question_rate=0.002",
    "posting.praise_rate=0.002",
    "learning.rate=0.02",
    "opinions.p_innovation=0.05",
    "opinions.q_imitation=1.0",
    "opinions.spin_found_hours=12.0",
)
HOURS = 48.0
SEEDS = range(50)
ALPHA = 0.01
MIN_FINITE = 10
FLOAT32_TOLERANCE = 1e-6
"""Relative difference below which two KPI values count as equal (the core keeps some
sums in float32)."""

MARGINS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    # KPI: (kind, margins for switchboard, direct_dial, expert_routing, coached);
    # re-derived on 2026-12-01 (after issue 14's organization-side merge) by
    # tests/docking_pilot.py
    "first_response_hours_median": ("rel", (0.099, 0.17, 0.17, 0.13)),
    "first_response_hours_p90": ("rel", (0.076, 0.13, 0.11, 0.15)),
    "first_response_hours_mean": ("rel", (0.073, 0.13, 0.12, 0.13)),
    "first_response_hours_km_median": ("rel", (0.095, 0.099, 0.097, 0.15)),
    "answered_within_1h_share": ("rel", (2, 0.34, 0.38, 0.34)),
    "answered_within_24h_share": ("rel", (0.15, 0.079, 0.086, 0.11)),
    "resolution_hours_median": ("rel", (0.21, 0.23, 0.29, 0.2)),
    "resolution_hours_p90": ("rel", (0.2, 0.18, 0.16, 0.16)),
    "resolution_hours_mean": ("rel", (0.16, 0.16, 0.18, 0.15)),
    "answered_share": ("rel", (0.14, 0.079, 0.086, 0.1)),
    "resolved_share": ("rel", (0.22, 0.16, 0.15, 0.15)),
    "abandoned_share": ("rel", (0.024, 0.035, 0.031, 0.036)),
    "hops_mean": ("rel", (0.11, 0.11, 0.16, 0.11)),
    "silo_crossings_mean": ("rel", (0.11, 0.11, 0.16, 0.11)),
    "utilization": ("rel", (0.056, 0.081, 0.055, 0.044)),
    "social_capacity": ("rel", (0, 0.024, 0, 0.025)),
    "gaffes": ("abs", (0.59, 2.9, 2, 2.3)),
    "interactivity": ("rel", (0.11, 0.041, 0.051, 0.039)),
    "conversation_depth": ("rel", (0.13, 0.081, 0.11, 0.11)),
    "quality_final": ("abs", (0.00091, 0.0023, 0.0023, 0.0026)),
    "credibility": ("abs", (0.0016, 0.0016, 0.0015, 0.0015)),
    "sentiment": ("abs", (0.0061, 0.0067, 0.0065, 0.006)),
    "fan_share": ("abs", (0.0055, 0.0061, 0.0061, 0.0062)),
    "detractor_share": ("abs", (0.0032, 0.0027, 0.003, 0.0031)),
    "net_sentiment": ("abs", (0.0064, 0.0068, 0.0074, 0.0071)),
    "negative_reach_per_1k": ("rel", (0.16, 0.17, 0.15, 0.15)),
}

Samples = dict[tuple[str, str], dict[str, np.ndarray]]


# ------------------------------------------------------------------ the runs


def run_kpis(implementation: str, structure: str, seed: int) -> dict[str, float]:
    """One run of the docking world; its KPIs. Module-level, so spawned workers can
    import it."""
    model_class = OrgModel if implementation == "core" else ReferenceModel
    model = model_class(SCENARIOS / f"{structure}.toml", rng=seed, overrides=WORLD)
    model.run_hours(HOURS)
    return {name: float(value) for name, value in model.kpis().items()}


@pytest.fixture(scope="module")
def samples() -> Samples:
    """Every (implementation, structure, seed) run once, on two spawned workers."""
    jobs = [(i, s, seed) for seed in SEEDS for s in STRUCTURES for i in IMPLEMENTATIONS]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        results = list(pool.map(run_kpis, *zip(*jobs, strict=True), chunksize=4))
    out: Samples = {}
    for (implementation, structure, _), kpis in zip(jobs, results, strict=True):
        columns = out.setdefault((implementation, structure), {})
        for name, value in kpis.items():
            columns.setdefault(name, []).append(value)
    return {key: {k: np.array(v) for k, v in cols.items()} for key, cols in out.items()}


# --------------------------------------------------------------- statistics


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone)."""
    m = len(p_values)
    order = np.argsort(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted.tolist()


def compare(samples: Samples, structure: str) -> list[dict[str, float | str | bool]]:
    """One row per KPI: finite counts, means, Mann-Whitney p (raw and Holm-adjusted),
    the difference of means and the margin it must stay within."""
    column = STRUCTURES.index(structure)
    core, reference = samples["core", structure], samples["reference", structure]
    rows = []
    for name, (kind, margins) in MARGINS.items():
        x, y = core[name], reference[name]
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        if x.size < MIN_FINITE or y.size < MIN_FINITE:
            rows.append({"kpi": name, "n_core": x.size, "n_reference": y.size, "p": math.nan})
            continue
        both = np.concatenate([x, y])
        constant = np.allclose(both, both[0], rtol=FLOAT32_TOLERANCE, atol=0.0)
        # constant and equal (up to float32 rounding): nothing to tell apart
        p = 1.0 if constant else float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
        difference = 0.0 if constant else float(y.mean() - x.mean())
        pooled_mean = float(np.concatenate([x, y]).mean())
        allowed = margins[column] * (abs(pooled_mean) if kind == "rel" else 1.0)
        rows.append(
            {
                "kpi": name,
                "n_core": x.size,
                "n_reference": y.size,
                "core": float(x.mean()),
                "reference": float(y.mean()),
                "p": p,
                "difference": difference,
                "allowed": allowed,
                "within": abs(difference) <= allowed + 1e-12,
            }
        )
    tested = [row for row in rows if not math.isnan(row["p"])]
    for row, adjusted in zip(tested, holm([row["p"] for row in tested]), strict=True):
        row["p_holm"] = adjusted
    return rows


def report(rows: list[dict[str, float | str | bool]]) -> str:
    lines = [
        f"{'kpi':30s} {'n':>7s} {'core':>10s} {'reference':>10s} {'p':>8s} {'p_holm':>8s} "
        f"{'diff':>10s} {'margin':>9s}"
    ]
    for r in rows:
        if math.isnan(r["p"]):
            counts = f"({r['n_core']}, {r['n_reference']})"
            lines.append(f"{r['kpi']:30s} too few finite values {counts}")
            continue
        flag = "" if r["within"] and r["p_holm"] >= ALPHA else "  <-- does not dock"
        lines.append(
            f"{r['kpi']:30s} {r['n_core']:3d}/{r['n_reference']:3d} {r['core']:10.4g} "
            f"{r['reference']:10.4g} {r['p']:8.3g} {r['p_holm']:8.3g} {r['difference']:+10.3g} "
            f"{r['allowed']:9.3g}{flag}"
        )
    return "\n".join(lines)


# -------------------------------------------------------------------- docking


NOT_DOCKING: dict[tuple[str, str], str] = {
    ("distributions", "switchboard"): (
        "issue 14, after merging the organization-side branches: credibility differs on "
        "seeds 0-49, core 0.4773 against reference 0.4759 (Holm p = 0.0099); every other KPI "
        "docks. No rule difference found: on seeds 0-399 the means are 0.47677 and 0.47667 "
        "(difference -0.00010 +- 0.00014, Mann-Whitney p = 0.29), see docs/VALIDATION.md 6.5"
    ),
    ("distributions", "expert_routing"): (
        "issue 14, after merging the organization-side branches: credibility differs on "
        "seeds 0-49, core 0.4793 against reference 0.4781 (Holm p = 0.0029); every other KPI "
        "docks. No rule difference found: on seeds 0-399 the means are 0.47885 and 0.47876 "
        "(difference -0.00009 +- 0.00013, Mann-Whitney p = 0.45), see docs/VALIDATION.md 6.5"
    ),
}
"""Known failures to dock, with their numbers, as strict xfails (issue 14 stays open).

Both are the one draw of seeds 0-49: the reference's credibility is lower on those seeds
in all four structures (direct dial -0.00095, raw p = 0.008; coached -0.00082, raw
p = 0.02), which run on the same worlds within each implementation, and not on seeds
50-399 taken together (+0.00008 +- 0.00014 in both structures), although one block of
them, seeds 150-199, is lower again (about -0.0007, raw p 0.01-0.03, in the three
structures run there): the same shared-world effect, by chance. The seeds are not changed to
make the test pass."""


def _docking_params(test: str) -> list:
    return [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=NOT_DOCKING[test, s]))
        if (test, s) in NOT_DOCKING
        else s
        for s in STRUCTURES
    ]


@pytest.mark.parametrize("structure", _docking_params("distributions"))
def test_kpi_distributions_dock(samples: Samples, structure: str) -> None:
    """No KPI's distribution differs (Mann-Whitney U, Holm-Bonferroni, 1%)."""
    rows = compare(samples, structure)
    assert all(not math.isnan(r["p"]) for r in rows), report(rows)
    assert min(r["p_holm"] for r in rows) >= ALPHA, report(rows)


@pytest.mark.parametrize("structure", _docking_params("margins"))
def test_kpi_means_within_margins(samples: Samples, structure: str) -> None:
    """Every KPI's difference of means lies within its equivalence margin."""
    rows = compare(samples, structure)
    assert all(r.get("within", False) for r in rows), report(rows)


def test_reference_reports_the_core_kpis(samples: Samples) -> None:
    for structure in STRUCTURES:
        core, reference = samples["core", structure], samples["reference", structure]
        assert set(reference) == set(core) == set(MARGINS)


# ------------------------------------------------------ rules in isolation


def _scripted_world(graph: Path, reshare: float, **sections: dict) -> dict:
    """No posting, broadcasts, brand following, escalations, severity or word of mouth; one
    channel that shows a post to every follower at once (a half-life of 1e-9 h, so a
    chain of views completes within the tick it starts), visible for the whole run,
    with no patience limit; an expert-routed organization whose empowered experts draft
    in exactly one hour; memory (sentiment and trust) that lasts."""
    document = {
        "structure": {"kind": "expert_routing", "approval_depth": 0},
        "organization": {"n_employees": 10, "onboard_share": 0.0, "social_share_offboard": 1.0},
        "customers": {"n_customers": 10, "brand_follower_share": 0.0},
        "graph": {"kind": "edge_list", "path": str(graph)},
        "posting": {"problem_rate": 0.0, "question_rate": 0.0, "praise_rate": 0.0},
        "channels": [
            {
                "name": "only",
                "share": 1.0,
                "reshare": reshare,
                "visible_hours": 100_000.0,
                "half_life_hours": 1e-9,
                "patience": "infinite",
            }
        ],
        # severity 0: scripted threads' severity does not scale their reshare (the core
        # opens them with severity 0, the reference with 0.5)
        "spread": {"view_share": 1.0, "escalation": 0.0, "severity": 0.0},
        "service": {"draft": {"distribution": "fixed", "mean_hours": 1.0}},
        "conversation": {"gaffe_base": 0.0},
        "opinions": {
            "memory_hours": 1e7,
            "trust_memory_hours": 1e7,
            "p_innovation": 0.0,
            "q_imitation": 0.0,
        },
        "broadcast": {"rate_per_hour": 0.0, "follow_rate": 0.0},
    }
    for name, values in sections.items():
        document[name] = {**document.get(name, {}), **values}
    return document


def _sentiment(model: OrgModel | ReferenceModel) -> list[float]:
    if isinstance(model, OrgModel):
        return model.customers.sentiment.astype(float).tolist()
    return [c.sentiment for c in model.customers]


def _trust(model: OrgModel | ReferenceModel) -> list[float]:
    if isinstance(model, OrgModel):
        return model.customers.trust.astype(float).tolist()
    return [c.trust for c in model.customers]


@pytest.mark.parametrize(
    "model_class",
    [
        OrgModel,
        ReferenceModel,
    ],
    ids=["core", "reference"],
)
def test_a_customer_sees_an_answer_once(tmp_path: Path, model_class: type) -> None:
    """A complaint by customer 0 spreads along a path 0 -> 1 -> ... -> 9 (reshare 1,
    no delay) within its first tick, and is answered (and resolved) in that same tick:
    drafting takes no time. So every exposure is made in step 3 of the tick the thread
    is answered, before the answer. Customers 1-9 each saw the unanswered complaint
    once and the answer once, so their sentiment is ``-seen_complaint + seen_answer x
    authenticity x voice``, and their trust moved once by the sum of their two signals,
    ``trust_seen x (-E) + trust_seen x c x L`` (an honest answer, no wait: ``c =
    authenticity x voice + admit_bonus = 0.9``, ``L = 1``); the author's trust by
    ``c x L - E``."""
    graph = tmp_path / "path.csv"
    graph.write_text("source,target\n" + "".join(f"{i},{i + 1}\n" for i in range(9)))
    document = _scripted_world(
        graph,
        reshare=1.0,
        culture={"product_quality": 1.0, "service_attitude": 1.0, "honesty": 1.0},
        organization={"offboard_engagement": 1.0, "expertise_own": 1.0, "training": 1.0},
        customers={"sentiment_mean": 0.0, "sentiment_sd": 0.0},
        spread={"unanswered_complaint": 1.0, "answered": 1.0},
        service={"draft": {"distribution": "fixed", "mean_hours": 0.0}},
        conversation={"followup_probability": 0.0},
    )
    model = model_class(scenario_from_dict(document), rng=0)
    model.open_threads(1, topic="defects", kind="complaint", author=0)
    model.run_hours(3)
    sentiment = _sentiment(model)
    expected = -0.01 + 0.02 * 1.0 * 0.8 * 1.0  # authenticity 0.8, expert voice 1 x level 1
    assert sentiment[1:] == pytest.approx([expected] * 9, abs=1e-6)
    c = 0.8 + 0.1  # authenticity x voice + admit_bonus; expect_complaint 1, no wait
    rate, seen = 0.2, 0.1  # trust_rate, trust_seen; trust starts at 0.5: S < 0 moves S x 0.5
    trust = _trust(model)
    assert trust[0] == pytest.approx(0.5 + rate * (c - 1.0) * 0.5, abs=1e-6)
    assert trust[1:] == pytest.approx([0.5 + rate * seen * (c - 1.0) * 0.5] * 9, abs=1e-6)


@pytest.mark.parametrize(
    "model_class",
    [
        OrgModel,
        ReferenceModel,
    ],
    ids=["core", "reference"],
)
def test_every_spin_found_out_costs_a_penalty(tmp_path: Path, model_class: type) -> None:
    """A complaint by customer 0, seen by its three followers, is answered twice
    (never resolved: product quality 0; the author always replies once). Honesty 0:
    both answers spin; both are found out (probability 1, after about 20 h, long
    after the second answer). Every other trust signal is 0 (voice 0 and no spin
    boost, so an answer is worth ``c = 0``; nothing expected of a complaint), and a
    trust signal moves trust fully (``trust_rate`` and ``trust_seen`` 1), so each spin
    found out multiplies everyone's trust by ``1 - spin_penalty``: 0.5 x 0.85^2 after
    both (the two are found out in different ticks with seed 0)."""
    graph = tmp_path / "star.csv"
    graph.write_text("source,target\n0,1\n0,2\n0,3\n")
    document = _scripted_world(
        graph,
        reshare=0.0,
        culture={"honesty": 0.0, "product_quality": 0.0},
        customers={"n_customers": 4},
        conversation={"followup_probability": 1.0, "followup_hours": 1.0, "max_turns": 2},
        voice={"expert": 0.0, "generalist": 0.0, "brand": 0.0, "executive": 0.0},
        opinions={
            "trust_rate": 1.0,
            "trust_seen": 1.0,
            "expect_complaint": 0.0,
            "spin_boost": 0.0,
            "spin_found_probability": 1.0,
            "spin_found_hours": 20.0,
        },
    )
    model = model_class(scenario_from_dict(document), rng=0)
    model.open_threads(1, topic="defects", kind="complaint", author=0)
    model.run_hours(300)
    assert _trust(model) == pytest.approx([0.5 * 0.85**2] * 4, abs=1e-5)


# ------------------------------------------------------------ the reference


def test_open_a_comms_employees_inbox() -> None:
    """After a few ticks of a small switchboard world, the comms team's inboxes list
    the threads they hold, with readable fields."""
    model = ReferenceModel(
        SCENARIOS / "switchboard.toml",
        rng=3,
        overrides=[
            "customers.n_customers=500",
            "organization.n_employees=40",
            "posting.problem_rate=0.05",
            "posting.question_rate=0.02",
        ],
    )
    model.run_hours(2)
    team = [e for e in model.employees if e.silo_name == "comms" and e.level == 0]
    assert team and all(e.pool is model.org.pools[0] for e in team)
    busy = [e for e in team if e.inbox]
    assert busy, "no comms team member holds a thread after 2 hours"
    for employee in busy:
        inbox = employee.inbox
        assert all(isinstance(thread, Thread) for thread in inbox)
        assert [t.id for t in inbox] == sorted(t.id for t in inbox)
        assert all(thread.holder is employee for thread in inbox)
        assert employee.serving is None or employee.serving in inbox
        for thread in inbox:
            row = thread.as_dict(model.dt_hours)
            assert row["holder"] == employee.index
            assert row["kind"] in ("complaint", "question", "praise")
            assert row["state"] in ("triage", "drafting", "forwarded", "polishing")
            assert row["created_hours"] <= model.hours
            assert thread.phase in (Phase.WAITING, Phase.SERVICE, Phase.DELAY)
            assert repr(thread).startswith(f"Thread({thread.id}, ")
    waiting = list(model.org.pools[0].queue.values())
    assert all(thread.holder is None and thread.pool is model.org.pools[0] for thread in waiting)


def test_reference_imports_no_stepping_code_of_the_core() -> None:
    """MODEL.md 6.5: the reference shares parameters and KPI definitions, nothing of
    the core's stepping code (initial worlds may use sim.public.graph and sim.organization.org)."""
    forbidden = {
        "sim.organization.core",
        "sim.organization.dispatch",
        "sim.organization.structures",
        "sim.organization.answers",
        "sim.public.posting",
        "sim.public.spread",
        "sim.public.cascade",
        "sim.public.opinions",
        "sim.public.broadcast",
        "sim.organization.learning",
        "sim.recorder",
        "sim.organization.service",
        "sim.interventions",
        "sim.public.arrivals",
        "sim.threads",
        "sim.model",
        "sim.public.customers",
    }
    for path in (ROOT / "sim" / "reference").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names = {a.name for a in node.names}
            else:
                continue
            assert not names & forbidden, f"{path.name} imports {names & forbidden}"


@pytest.mark.parametrize("structure", UNDOCKED or ["(none)"])
def test_every_structure_has_a_reference(structure: str) -> None:
    """A structure without a one-object-per-agent twin in sim/reference/structures.py
    is not docked (MODEL.md 6.5): say so rather than pass quietly."""
    if UNDOCKED:
        pytest.skip(f"{structure}: no reference implementation, so no docking test")
