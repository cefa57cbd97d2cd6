"""Staffing: exact quotas per silo and order-independent interventions (MODEL.md 7, 4.10).

Who is on board, empowered or a liaison is not drawn person by person: each silo has
its exact quota, filled by each employee's kept draws, so the org chart adds no
between-seed noise and a rising share only adds people. An intervention's ``set``
acts as one, and a switch of structure restaffs from the shares in force.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from conftest import small

from sim.organization.org import quota

ORDER_KEYS = (
    ("structure.kind", '"direct_dial"'),
    ("organization.onboard_share", "0.4"),
    ("organization.empowered_share", "0.8"),
    ("structure.approval_depth", "2"),
)


def per_silo(org, flags: np.ndarray) -> np.ndarray:
    return np.bincount(org.silo[flags], minlength=org.n_silos)


@pytest.mark.parametrize("shares", [(0.3, 0.5), (0.0, 0.5), (0.17, 0.33), (1.0, 1.0)])
def test_every_silo_has_its_exact_quota_on_every_seed(shares: tuple[float, float]) -> None:
    onboard, empowered = shares
    counts = set()
    for seed in range(5):
        model = small(
            seed,
            f"organization.onboard_share={onboard}",
            f"organization.empowered_share={empowered}",
            kind="direct_dial",
        )
        org = model.core.org
        size = np.bincount(org.silo, minlength=org.n_silos)
        aboard = per_silo(org, org.on_board)
        wanted = quota(onboard, size)
        wanted[org.comms] = size[org.comms]  # comms is always on board
        assert aboard.tolist() == wanted.tolist()
        assert per_silo(org, org.empowered).tolist() == quota(empowered, aboard).tolist()
        assert not (org.empowered & ~org.on_board).any()
        counts.add((tuple(aboard), tuple(per_silo(org, org.empowered))))
    assert len(counts) == 1  # the same numbers of people, whatever the seed


def test_the_lowest_draws_fill_the_quota() -> None:
    org = small(3, "organization.onboard_share=0.3", kind="direct_dial").core.org
    for silo in range(org.n_silos):
        if silo == org.comms:
            continue
        members = org.members(silo)
        aboard = org.on_board[members]
        if aboard.any() and (~aboard).any():
            assert (
                org.onboard_draw[members][aboard].max() < org.onboard_draw[members][~aboard].min()
            )


def test_rising_shares_only_add_people() -> None:
    org = small(1, kind="direct_dial").core.org
    before_on, before_emp = org.staffed(0.2, 0.3)
    for onboard in (0.25, 0.5, 0.9):
        on_board, _ = org.staffed(onboard, 0.3)
        assert np.all(on_board[before_on])
    _, empowered = org.staffed(0.2, 0.7)
    assert np.all(empowered[before_emp])


def run_with_set(pairs: list[tuple[str, str]], kind: str = "switchboard") -> object:
    table = ", ".join(f'"{k}"={v}' for k, v in pairs)
    model = small(
        2,
        "organization.onboard_share=0.0",
        f"interventions=[{{at_hours=2, set={{{table}}}}}]",
        kind=kind,
    )
    model.run_hours(8)
    return model


def test_every_key_order_gives_the_same_run() -> None:
    """All 24 orders of {kind, onboard_share, empowered_share, approval_depth} in one
    intervention's set: bit-identical KPIs and thread table."""
    first = run_with_set(list(ORDER_KEYS))
    kpis, threads = first.kpis(), first.threads()
    assert first.levers.structure.kind == "direct_dial"
    for order in itertools.permutations(ORDER_KEYS):
        model = run_with_set(list(order))
        assert model.kpis() == pytest.approx(kpis, abs=0, rel=0, nan_ok=True), order
        pd.testing.assert_frame_equal(model.threads(), threads, check_exact=True)


def test_a_switch_away_from_the_switchboard_releases_its_liaisons() -> None:
    """A switch that sets only the kind staffs the new structure from the shares in
    force, not with the liaisons the switchboard forced on board."""
    model = run_with_set([("structure.kind", '"direct_dial"')])
    org = model.core.org
    assert org.on_board.tolist() == (org.silo == org.comms).tolist()


def test_a_switch_to_the_switchboard_forces_its_liaisons_and_back() -> None:
    model = run_with_set([("structure.kind", '"switchboard"')], kind="direct_dial")
    org = model.core.org
    liaisons = model.core.structure.liaisons
    assert org.on_board[liaisons].all()
    on_board, _ = org.staffed(0.0, 0.5)
    assert (org.on_board & ~on_board).sum() == (~on_board[liaisons]).sum()


def test_a_share_set_with_a_switch_to_the_switchboard_keeps_the_liaisons() -> None:
    """Whichever comes first in the table, onboard_share and the kind, the
    switchboard's liaisons end on board."""
    for order in itertools.permutations(
        [("structure.kind", '"switchboard"'), ("organization.onboard_share", "0.1")]
    ):
        model = run_with_set(list(order), kind="direct_dial")
        assert model.core.org.on_board[model.core.structure.liaisons].all()
