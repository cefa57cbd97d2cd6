"""Scripted cases with exact expected values (MODEL.md 4.3, 4.4)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import fixed, two_silo_world

from sim import OrgModel
from sim.organization.org import level_sizes
from sim.organization.service import MAX_TICKS, draw_ticks
from sim.scenario import scenario_from_dict
from sim.scenario.schema import DelayShape


def test_one_server_fifo_answers_at_one_two_three_hours() -> None:
    """One expert, three threads at t=0, fixed 1-hour service: answers at 1, 2, 3 h."""
    model = OrgModel(two_silo_world("expert_routing"), rng=0)
    model.open_threads(3, topic="defects", kind="question")
    model.run_hours(4)
    table = model.threads()
    assert table["first_response_hours"].tolist() == [1.0, 2.0, 3.0]
    assert table["state"].tolist() == ["resolved"] * 3
    assert table["hops"].tolist() == [0, 0, 0]


def test_switchboard_forward_across_one_silo_has_exact_resolution_time() -> None:
    """triage 1 h + handoff in 2 h / permeability 0.5 = 4 h + liaison 0.5 h + draft 1 h
    + handoff back 1 h / 0.5 = 2 h + polish 0.5 h + one approval at 3 h = 12 h."""
    scenario = two_silo_world(
        "switchboard",
        structure={"approval_depth": 1},
        culture={"silo_permeability": 0.5},
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(1, topic="defects", kind="question")
    model.run_hours(14)
    row = model.threads().iloc[0]
    assert row["first_response_hours"] == 12.0
    assert row["resolution_hours"] == 12.0
    assert (row["hops"], row["silo_crossings"], row["approvals_waited"]) == (3, 2, 1)
    assert row["voice"] == "brand"
    # the expert drafted (authenticity 0.8); comms polished it with spin 0.3
    assert row["authenticity"] == pytest.approx(0.8 * (1 - 0.3))


def test_switchboard_answers_its_own_topic_without_crossing() -> None:
    """A comms topic: triage 1 h then the same person drafts 1 h; no hop."""
    model = OrgModel(two_silo_world("switchboard"), rng=0)
    model.open_threads(1, topic="general", kind="question")
    model.run_hours(3)
    row = model.threads().iloc[0]
    assert row["first_response_hours"] == 2.0
    assert (row["hops"], row["silo_crossings"]) == (0, 0)


def test_direct_dial_empowered_expert_answers_in_own_voice() -> None:
    scenario = two_silo_world(
        "direct_dial", organization={"onboard_share": 1.0}, structure={"cross_claim": 0.0}
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(1, topic="defects", kind="question")
    model.run_hours(2)
    row = model.threads().iloc[0]
    assert row["first_response_hours"] == 1.0
    assert row["voice"] in ("expert", "executive")
    assert row["hops"] == 0


def test_direct_dial_claim_crosses_silos_only_when_the_own_silo_is_busy() -> None:
    """Three product threads at t=0; product's two watchers take two (1 h each). The
    third waits, so a free comms watcher claims it (cross_claim 1 at permeability 1):
    0.5 h to look; the intranet shows no product expert free, so the claimant answers
    itself, backed by shared knowledge, as a generalist: drafting takes 1 h x (1 +
    expertise_slowdown x (1 - 0.2)) = 1.8 h: answered at 2.3 h, one hop and one crossing
    (the product feed to the comms claimant)."""
    scenario = two_silo_world(
        "direct_dial",
        structure={"cross_claim": 1.0, "intranet_find_hours": 0.25},
        culture={"social_intranet": True},
        organization={"onboard_share": 1.0},
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(3, topic="defects", kind="question")
    model.run_hours(3)
    table = model.threads()
    assert table["first_response_hours"].tolist() == pytest.approx([1.0, 1.0, 2.3])
    assert table["hops"].tolist() == [0, 0, 1]
    assert table["silo_crossings"].tolist() == [0, 0, 1]
    assert table["voice"].tolist()[2] == "generalist"


def test_direct_dial_silo_wall_keeps_other_silos_out() -> None:
    """The same three threads with permeability 0.01 and cross_claim 0: nobody from
    comms steps in; the third waits for product's own watchers (answered at 2 h)."""
    scenario = two_silo_world(
        "direct_dial",
        structure={"cross_claim": 0.0},
        organization={"onboard_share": 1.0},
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(3, topic="defects", kind="question")
    model.run_hours(3)
    table = model.threads()
    assert table["first_response_hours"].tolist() == [1.0, 1.0, 2.0]
    assert table["hops"].tolist() == [0, 0, 0]


def test_approval_chain_waits_each_level() -> None:
    """Not empowered: draft 1 h, then the manager's approval, 3 h: answer at 4 h."""
    scenario = two_silo_world(
        "expert_routing", structure={"approval_depth": 3}, organization={"empowered_share": 0.0}
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(1, topic="defects", kind="question")
    model.run_hours(6)
    row = model.threads().iloc[0]
    # the chain stops at the silo's head: only one level exists above the expert
    assert (row["first_response_hours"], row["approvals_waited"]) == (4.0, 1)


def test_patience_abandons_at_the_deadline_and_frees_the_server() -> None:
    """Fixed 1-hour service, patience 1.5 h: thread 1 answered at 1 h, thread 2 gives up
    at 1.5 h mid-service, thread 3 (patience infinite) is then served from 1.5 h."""
    model = OrgModel(two_silo_world("expert_routing"), rng=0)
    model.open_threads(1, topic="defects", kind="question", patience_hours=1.5)
    model.open_threads(1, topic="defects", kind="question", patience_hours=1.5)
    model.open_threads(1, topic="defects", kind="question")
    model.run_hours(4)
    table = model.threads()
    assert table["state"].tolist() == ["resolved", "abandoned", "resolved"]
    assert table["abandoned_hours"].iloc[1] == 1.5
    assert table["first_response_hours"].iloc[2] == 2.5


def test_followup_turn_returns_through_routing() -> None:
    """An unresolved answer (fixability 0: product quality 0) with follow-up
    probability 1 comes back after 1 h, for max_turns turns."""
    scenario = two_silo_world(
        "expert_routing",
        culture={"product_quality": 0.0},
        conversation={"followup_probability": 1.0, "followup_hours": 1.0, "max_turns": 3},
        service={"handoff": {"distribution": "fixed"}, "draft": fixed(1.0)},
    )
    model = OrgModel(scenario, rng=0)
    model.open_threads(1, topic="defects", kind="complaint")
    model.run_hours(12)
    row = model.threads().iloc[0]
    assert row["turns"] == 3
    assert row["state"] == "answered"
    assert row["first_response_hours"] == 1.0


def test_level_sizes_follow_spans_of_control() -> None:
    assert level_sizes(100, [8, 6, 5, 5]).tolist() == [86, 11, 2, 1]
    assert level_sizes(2, [8, 6]).tolist() == [1, 1]
    sizes = level_sizes(10_000, [10, 10, 10, 10])
    assert sizes.sum() == 10_000
    assert np.all(np.diff(sizes) < 0)


def test_zero_length_stage_takes_no_time() -> None:
    """Switchboard on a comms topic with drafting of mean 0: the answer is posted when
    triage ends (the single-stage switchboard of MODEL.md 6.1)."""
    model = OrgModel(two_silo_world("switchboard", service={"draft": fixed(0.0)}), rng=0)
    model.open_threads(2, topic="general", kind="question")
    model.run_hours(3)
    assert model.threads()["first_response_hours"].tolist() == [1.0, 2.0]


def test_zero_hour_approvals_up_a_tall_hierarchy_settle_in_one_tick() -> None:
    """Nineteen levels with zero-hour approvals and an approval depth of 18: an answer
    climbs the whole chain in the tick its draft ends. The settling loop stopped at 16
    rounds and raised."""
    levels = [
        {"name": f"level {i}", "approval_hours": 0.0, "span_of_control": 2} for i in range(19)
    ]
    scenario = two_silo_world(
        "expert_routing",
        structure={"approval_depth": 18},
        organization={"n_employees": 80, "empowered_share": 0.0},
    )
    scenario = scenario_from_dict({**scenario.model_dump(mode="json"), "levels": levels})
    model = OrgModel(scenario, rng=0)
    model.open_threads(1, topic="defects", kind="question")
    model.run_hours(3)
    row = model.threads().iloc[0]
    assert row["first_response_hours"] == 1.0
    assert row["approvals_waited"] >= 17


def test_durations_never_wrap_around() -> None:
    """A heavy lognormal tail (sigma 5, the schema's limit) at 6-second ticks draws
    more than 2**31 ticks, which wrapped to a negative int32 duration (an approval
    that ends before it starts)."""
    shape = DelayShape(distribution="lognormal", sigma=5.0)
    ticks = draw_ticks(shape, 24.0, 2_000_000, 0.1 / 60, np.random.default_rng(0), minimum=0)
    assert ticks.min() >= 0
    assert ticks.max() == MAX_TICKS  # the tail reaches the cap


def test_zero_hour_follow_ups_settle_within_the_tick() -> None:
    """Drafting takes no time, every answer is followed up at once and nothing is
    ever resolved: one complaint runs through all 100 turns of a conversation in its
    first tick. The settling cap, a fixed 128 rounds, raised at about two rounds a
    turn; it now grows with ``max_turns``."""
    document = two_silo_world("expert_routing", culture={"product_quality": 0.0}).model_dump(
        mode="json"
    )
    document["service"]["draft"] = fixed(0.0)
    document["conversation"].update(followup_probability=1.0, followup_hours=0.0, max_turns=100)
    model = OrgModel(scenario_from_dict(document), rng=0)
    ids = model.open_threads(1, topic="defects", kind="complaint")
    model.run_hours(1)
    assert int(model.core.threads.turns[ids[0]]) == 100
