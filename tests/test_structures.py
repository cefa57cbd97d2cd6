"""Behaviour of each structure's own levers (MODEL.md 4.3): coaching, analytics,
the social intranet, engagement of experts not on board."""

from __future__ import annotations

import numpy as np
from conftest import two_silo_world

from sim import OrgModel
from sim.organization.structures import Structure, make_structure


def test_coaching_raises_training_of_on_board_staff_only() -> None:
    model = OrgModel("scenarios/coached_direct_dial.toml", rng=1)
    org = model.core.org
    trainees = org.on_board & (org.silo != org.comms)
    before = org.training.copy()
    model.run_hours(24 * 14)
    gained = org.training - before
    assert np.all(gained[trainees] > 0.05)
    assert np.all(gained[~trainees] == 0)
    assert np.all(org.training <= 1.0)


def test_plain_direct_dial_does_not_coach() -> None:
    model = OrgModel("scenarios/direct_dial.toml", rng=1)
    before = model.core.org.training.copy()
    model.run_hours(24 * 7)
    assert np.array_equal(model.core.org.training, before)


def test_analytics_serves_influential_authors_first() -> None:
    """One expert, ten threads opened in the same tick; the influential one (opened
    last) is answered first with analytics on and last without it."""
    answered_rank = {}
    for analytics in (False, True):
        model = OrgModel(two_silo_world("expert_routing", culture={"analytics": analytics}), rng=0)
        model.open_threads(9, topic="defects", kind="question")
        model.open_threads(1, topic="defects", kind="question", influence=1000.0)
        model.run_hours(12)
        order = model.threads().sort_values("first_response_hours")["thread"].tolist()
        answered_rank[analytics] = order.index(9)
    assert answered_rank == {False: 9, True: 0}


def test_experts_not_on_board_answer_slower_and_less_authentically() -> None:
    """Essay 003: experts "who aren't on board" give social work a small share of
    their time and answer less engaged."""
    results = {}
    for onboard in (0.0, 1.0):
        share = f"organization.onboard_share={onboard}"
        model = OrgModel("scenarios/expert_routing.toml", rng=4, overrides=[share])
        model.run_hours(48)
        answered = model.threads().dropna(subset=["first_response_hours"])
        speed = answered["first_response_hours"].mean()
        results[onboard] = (speed, answered["authenticity"].mean())
    assert results[0.0][0] > results[1.0][0]
    assert results[0.0][1] < results[1.0][1]


def test_structures_register_by_name_and_unknown_names_fail() -> None:
    for kind, cls in Structure.registry.items():
        assert type(make_structure(kind)) is cls
    try:
        make_structure("carrier_pigeon")
    except ValueError as error:
        assert "carrier_pigeon" in str(error) and "switchboard" in str(error)
    else:
        raise AssertionError("unknown structure accepted")
