"""The structure x staffing factorial (experiments/staffing.py, docs/VALIDATION.md 6.11)."""

from __future__ import annotations

import pytest

from experiments.staffing import KPIS, run_factorial, split, staffings, tables


def test_the_shipped_structures_run_at_equal_social_capacity() -> None:
    """MODEL.md 4.3: each shipped structure at its own staffing gives social media
    about the same work-hours per hour (within 2 %) in the shipped world."""
    from experiments.claims.design import ESSAY_STRUCTURES, SCENARIOS
    from sim import OrgModel

    capacity = {}
    for kind in ESSAY_STRUCTURES:
        model = OrgModel(SCENARIOS / f"{kind}.toml", rng=0)
        model.run_hours(1)
        capacity[kind] = model.kpis()["social_capacity"]
    base = capacity["switchboard"]
    assert capacity == pytest.approx(dict.fromkeys(capacity, base), rel=0.02)


def test_the_split_adds_up_and_the_table_names_every_cell() -> None:
    cells = run_factorial(
        structures=("switchboard", "direct_dial"),
        staffing_names=("switchboard", "direct_dial"),
        seeds=1,
        hours=48,
    )
    assert set(cells) == {
        (s, t) for s in ("switchboard", "direct_dial") for t in ("switchboard", "direct_dial")
    }
    for kpi in KPIS[:3]:
        total, structure, people = split(cells, "direct_dial", "direct_dial", kpi)
        assert total == pytest.approx(structure + people)
    same = split(cells, "direct_dial", "switchboard", "answered_share")
    assert same[2] == pytest.approx(0.0)  # at the switchboard's staffing: all structure
    text = tables(cells)
    assert "direct_dial at direct_dial" in text and "social_capacity" in text


def test_the_staffings_differ_only_in_people() -> None:
    every = staffings()
    assert set(every) >= {"switchboard", "direct_dial", "direct_dial_before_14"}
    assert every["direct_dial_before_14"]["social_share_onboard"] == 0.5


def test_the_capacity_levels_keep_each_structures_staffing_and_double_it() -> None:
    from experiments.staffing import capacity_tables, run_capacity_levels, split_levels

    cells = run_capacity_levels(structures=("switchboard", "direct_dial"), seeds=1, hours=48)
    for kind in ("switchboard", "direct_dial"):
        low, high = cells[kind, "1x"].means, cells[kind, "2x"].means
        assert high["social_capacity"] == pytest.approx(2 * low["social_capacity"], rel=0.1)
    total, structure, capacity = split_levels(
        cells, "direct_dial", "2x", "1x", "answered_share", "switchboard"
    )
    assert total == pytest.approx(structure + capacity)
    assert "structure + capacity" in capacity_tables(cells)
