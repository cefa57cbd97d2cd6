"""The contract every routing structure inherits (STYLE.md, after Axelrod's strategy
tests): conservation, reproducibility, non-negative counters, no lost threads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import STRUCTURES

from sim import OrgModel
from sim.organization import Structure, structure_names
from sim.threads import Phase, State

HOURS = 36
WORLD_OVERRIDES = [
    "organization.onboard_share=0.3",
    "customers.n_customers=3000",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
]


def world(kind: str, seed: int | np.random.SeedSequence) -> OrgModel:
    return OrgModel(
        "scenarios/world.toml",
        rng=seed,
        overrides=[f"structure.kind={kind}", *WORLD_OVERRIDES],
    )


def check_invariants(model: OrgModel) -> None:
    core = model.core
    th = core.threads
    state = th.column("state")
    phase = th.column("phase")
    # exactly one state per thread, from the lifecycle
    assert state.min(initial=0) >= 0 and state.max(initial=0) <= State.ABANDONED
    assert th.count_by_state().size == len(State)  # (a code past the last state lengthens it)
    # terminal states are idle; idle threads are terminal or done talking
    terminal = (state == State.RESOLVED) | (state == State.ABANDONED)
    assert np.all(phase[terminal] == Phase.IDLE)
    assert np.all(state[phase == Phase.IDLE] >= State.ANSWERED)
    # no thread lost: the live index is exactly the non-idle threads
    assert np.array_equal(np.sort(th.live), np.flatnonzero(phase != Phase.IDLE))
    # a thread in service is served by its holder, and each server serves one thread
    in_service = np.flatnonzero(phase == Phase.SERVICE)
    assert np.array_equal(core.serving[th.holder[in_service]], in_service)
    assert np.count_nonzero(core.serving >= 0) == in_service.size
    # a waiting thread sits in exactly one queue
    waiting = np.flatnonzero(phase == Phase.WAITING)
    assert np.all((th.holder[waiting] >= 0) ^ (th.pool[waiting] >= 0))
    # counters are never negative; times are ordered
    for column in ("hops", "silo_crossings", "approvals_waited", "turns", "service_ticks"):
        assert th.column(column).min(initial=0) >= 0, column
    created = th.column("created_tick")
    first = th.column("first_response_tick")
    resolved = th.column("resolution_tick")
    assert np.all(first[first >= 0] >= created[first >= 0])
    assert np.all((resolved < 0) | ((first >= 0) & (resolved >= first)))
    assert all(v >= 0 for v in core.counters.values())


@pytest.fixture(params=STRUCTURES)
def kind(request: pytest.FixtureRequest) -> str:
    """Every registered structure, found by the registry (a new one is tested too)."""
    return request.param


class TestStructureContract:
    """What every structure must do, run for each one in the registry."""

    def test_invariants_hold_at_every_tick(self, kind: str) -> None:
        model = world(kind, seed=3)
        for _ in range(round(HOURS / model.dt_hours)):
            model.step()
            check_invariants(model)
        assert model.counters["answered"] > 0

    def test_same_seed_gives_identical_tables(self, kind: str) -> None:
        a, b = world(kind, seed=5), world(kind, seed=5)
        a.run_hours(HOURS)
        b.run_hours(HOURS)
        pd.testing.assert_frame_equal(a.threads(), b.threads())
        pd.testing.assert_frame_equal(a.series(), b.series())
        assert a.kpis() == pytest.approx(b.kpis(), nan_ok=True)

    def test_different_seeds_differ(self, kind: str) -> None:
        a, b = world(kind, seed=5), world(kind, seed=6)
        a.run_hours(12)
        b.run_hours(12)
        assert not a.threads().equals(b.threads())

    def test_series_counters_never_negative_and_monotone(self, kind: str) -> None:
        model = world(kind, seed=7)
        model.run_hours(HOURS)
        series = model.series()
        # (first_response_hours is NaN in a tick without a first answer)
        assert (series.drop(columns=["hours"]).fillna(0) >= 0).all().all()
        for cumulative in ("answered", "resolved", "abandoned"):
            assert series[cumulative].is_monotonic_increasing
        assert ((series["busy_share"] >= 0) & (series["busy_share"] <= 1)).all()

    def test_every_thread_accounted_for(self, kind: str) -> None:
        """Created = resolved + abandoned + answered-and-done + still in progress, and
        the counters and KPI shares say the same (the abandonment counter also counts
        the abandonments that an escalation reopened)."""
        model = world(kind, seed=11)
        model.run_hours(HOURS)
        table = model.threads()
        n = len(table)
        state = table["state"].value_counts()
        resolved, abandoned = int(state["resolved"]), int(state["abandoned"])
        phase = model.core.threads.column("phase")
        done_talking = int(((phase == Phase.IDLE) & (table["state"] == "answered")).sum())
        in_progress = int(np.count_nonzero(phase != Phase.IDLE))
        assert n == resolved + abandoned + done_talking + in_progress
        assert in_progress == model.core.threads.live.size
        # an escalation (MODEL.md 4.2) reopens an abandoned thread, at most once each
        escalations = int(model.core.threads.column("escalations").sum())
        assert model.core.threads.column("escalations").max(initial=0) <= 1
        assert resolved == model.counters["resolved"]
        assert abandoned + escalations == model.counters["abandoned"]
        kpis = model.kpis()
        assert kpis["resolved_share"] == resolved / n
        assert kpis["abandoned_share"] == abandoned / n
        assert kpis["answered_share"] == table["first_response_hours"].notna().sum() / n
        assert 0 < resolved + abandoned < n

    def test_switching_into_it_mid_run_keeps_every_invariant(self, kind: str) -> None:
        """Another structure runs until hour 12, then this one: the invariants hold at
        every tick after the switch, no thread is lost, and this structure answers."""
        start = STRUCTURES[(STRUCTURES.index(kind) + 1) % len(STRUCTURES)]  # from another
        model = OrgModel(
            "scenarios/world.toml",
            rng=13,
            overrides=[
                *WORLD_OVERRIDES,
                f"structure.kind={start}",
                f'interventions=[{{at_hours=12, set={{"structure.kind"="{kind}"}}}}]',
            ],
        )
        model.run_hours(12)
        before = model.core.threads.size
        answered = model.counters["answered"]
        for _ in range(round(HOURS / model.dt_hours)):
            model.step()
            check_invariants(model)
        assert model.scenario_spec.structure.kind == start
        assert model.core.structure.name == kind
        assert model.core.threads.size >= before
        assert model.counters["answered"] > answered


def test_the_contract_runs_for_every_structure_module() -> None:
    """Every module in sim/organization/structures/ registers a structure, and the
    contract's parametrization holds them all: nothing is imported by hand."""
    folder = Path(__file__).resolve().parents[1] / "sim" / "organization" / "structures"
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    defined = {cls.__module__.rpartition(".")[2] for cls in Structure.registry.values()}
    assert modules <= defined
    assert set(STRUCTURES) == set(Structure.registry) == set(structure_names())


def run_all_structures(overrides: list[str], hours: float, seed: int = 21) -> list[OrgModel]:
    models = []
    for kind in STRUCTURES:
        model = OrgModel(
            "scenarios/world.toml",
            rng=seed,
            overrides=[f"structure.kind={kind}", "customers.n_customers=3000", *overrides],
        )
        model.run_hours(hours)
        models.append(model)
    return models


def test_common_random_numbers_poisson_threads_identical_across_structures() -> None:
    """MODEL.md 7, queueing mode: every structure sees the same threads, to the bit."""
    columns = ["kind", "topic", "channel", "severity", "created_hours"]
    models = run_all_structures(["arrivals.mode=poisson"], hours=48)
    reference = models[0].threads()[columns]
    for model in models[1:]:
        pd.testing.assert_frame_equal(model.threads()[columns], reference)
        assert np.array_equal(
            model.core.threads.column("patience_ticks"),
            models[0].core.threads.column("patience_ticks"),
        )


def test_common_random_numbers_same_customers_graph_and_posts() -> None:
    """MODEL.md 7, customers mode: replication k of every structure sees the same
    customers and graph, and the same candidate posts with the same uniforms
    (:mod:`sim.public.posting` thins them). With the feedback from the organization into
    posting switched off (posting does not depend on sentiment, quality does not
    learn, praise does not depend on fans), the posts are identical to the bit, even
    though the structures leave the public in different states."""
    no_feedback = ["posting.post_negativity=0", "learning.rate=0", "posting.praise_rate=0"]
    models = run_all_structures(no_feedback, hours=96)
    columns = ["kind", "topic", "channel", "author", "severity", "created_hours"]
    reference = models[0]
    for model in models[1:]:
        pd.testing.assert_frame_equal(model.threads()[columns], reference.threads()[columns])
        graph, ref_graph = model.customers.graph, reference.customers.graph
        assert np.array_equal(graph.indptr, ref_graph.indptr)
        assert np.array_equal(graph.indices, ref_graph.indices)
        assert np.array_equal(model.customers.activity, reference.customers.activity)
    sentiments = [m.kpis()["sentiment"] for m in models]
    assert len(set(sentiments)) == len(models)  # the public did end up in different states


def test_common_random_numbers_posts_differ_only_through_feedback() -> None:
    """With feedback on, the structures' posts share their candidate stream for the
    whole run: a post that both runs made carries the very same draws (channel,
    severity), and most posts are shared even after four days, because every
    candidate consumes the same uniforms whether or not it is posted."""
    models = run_all_structures([], hours=96)
    columns = ["author", "created_hours", "kind", "topic", "channel", "severity"]
    tables = [m.threads()[columns] for m in models]
    key = ["author", "created_hours", "kind", "topic"]
    for other in tables[1:]:
        both = tables[0].merge(other, on=key, suffixes=("", "_other"))
        assert (both["channel"] == both["channel_other"]).all()
        assert (both["severity"] == both["severity_other"]).all()
        late = both[both["created_hours"] > 72]
        late_total = max(
            (tables[0]["created_hours"] > 72).sum(), (other["created_hours"] > 72).sum()
        )
        assert len(late) / late_total > 0.8


def test_a_seed_sequence_can_seed_several_runs() -> None:
    """Spawning mutates a SeedSequence; OrgModel must copy it so that handing one
    sequence to two runs gives the same streams (found by the compare runner)."""
    sequence = np.random.SeedSequence(7).spawn(3)[1]
    first = world("direct_dial", seed=sequence)
    second = world("direct_dial", seed=sequence)
    first.run_hours(12)
    second.run_hours(12)
    pd.testing.assert_frame_equal(first.threads(), second.threads())
    assert first.spawn_key == (1,)
