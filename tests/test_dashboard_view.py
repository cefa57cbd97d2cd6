"""The dashboard's view-model code, without a browser: levers, KPI cards, plots,
organization grid, flows, sessions and the player (issue 17)."""

from __future__ import annotations

import math
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim import OrgModel
from sim.kpis import KPIS
from sim.scenario import Scenario, ScenarioError, load_scenario
from viz import fragments
from viz.config import environment, read_config
from viz.kpi_cards import CARDS, format_value, kpi_cards
from viz.levers import (
    LEVERS,
    after_intervention,
    check_levers,
    lever,
    lever_error,
    override_text,
    overrides_for,
    parse_typed,
    parse_value,
    scenario_values,
)
from viz.model_access import FlowTracker, org_grid, thread_places
from viz.plots import PANELS, QUEUES, draw_panels, markers_for, plot_panels
from viz.session import Comparison, LeverError, PaneError, Player, Settings, ticks_due, validate

ROOT = Path(__file__).resolve().parent.parent
SWITCHBOARD = str(ROOT / "scenarios/switchboard.toml")
DIRECT_DIAL = str(ROOT / "scenarios/direct_dial.toml")
SMALL = ("customers.n_customers=2000",)


@pytest.fixture(scope="module")
def week() -> dict[str, OrgModel]:
    """Switchboard and direct dial, one simulated week on one seed, a small world."""
    models = {}
    for pane, path in (("A", SWITCHBOARD), ("B", DIRECT_DIAL)):
        model = OrgModel(path, rng=3, overrides=SMALL)
        model.run_hours(168)
        models[pane] = model
    return models


@pytest.fixture(scope="module")
def silent() -> OrgModel:
    """A switchboard whose staff gives no time to social media: nobody is answered."""
    model = OrgModel(SWITCHBOARD, rng=3, overrides=(*SMALL, "organization.social_share_onboard=0"))
    model.run_hours(24)
    return model


# ------------------------------------------------------------------ levers


def test_levers_take_their_bounds_and_texts_from_the_schema():
    fields = {"culture": Scenario.model_fields["culture"].annotation}
    permeability = lever("culture.silo_permeability")
    assert (permeability.minimum, permeability.maximum) == (0.01, 1.0)
    assert permeability.description == " ".join(
        fields["culture"].model_fields["silo_permeability"].description.replace("``", "").split()
    )
    assert (
        lever("structure.approval_depth").minimum,
        lever("structure.approval_depth").maximum,
    ) == (0, 20)
    # the field's own bound (the graph's int32 ids); the 50 million run limit is a
    # check across the scenario (ORGSIM_MAX_CUSTOMERS raises it), not the field's
    assert lever("customers.n_customers").maximum == 2**31 - 1
    assert lever("culture.analytics").kind == "bool"
    for item in LEVERS:
        assert item.description, item.path
        if item.control == "slider":
            assert item.minimum is not None and item.maximum is not None, item.path


def test_every_lever_named_in_the_issue_is_in_the_sidebar():
    paths = {item.path for item in LEVERS}
    assert {
        "culture.silo_permeability",
        "structure.approval_depth",
        "organization.training",
        "culture.honesty",
        "culture.spin",
        "culture.listening",
        "broadcast.rate_per_hour",
        "culture.product_quality",
        "culture.service_attitude",
        "culture.leadership_integrity",
        "culture.social_intranet",
        "culture.analytics",
        "organization.onboard_share",
        "organization.empowered_share",
        "customers.n_customers",
    } <= paths


def test_lever_values_are_read_from_each_scenario():
    values = scenario_values(load_scenario(SWITCHBOARD))
    assert values["organization.onboard_share"] == 0.0
    assert scenario_values(load_scenario(DIRECT_DIAL))["organization.onboard_share"] == 0.3


def test_the_sidebar_notes_each_files_value_not_the_applied_levers():
    from viz.app import file_values

    values = file_values((SWITCHBOARD, DIRECT_DIAL), SMALL)
    assert values["A"]["organization.onboard_share"] == 0.0
    assert values["B"]["organization.onboard_share"] == 0.3
    assert values["A"]["customers.n_customers"] == 2000


def test_a_typed_thread_number_is_parsed_or_explained():
    from viz.app import parse_thread

    assert parse_thread(" 17 ") == (17, "")
    assert parse_thread("#3") == (3, "")
    assert parse_thread("") == (None, "")
    assert parse_thread("x1") == (None, "thread 'x1': must be a whole number >= 0")


def test_override_text_round_trips_through_the_loader():
    changed = {"culture.analytics": True, "structure.approval_depth": 4, "culture.spin": 0.15}
    scenario = load_scenario(SWITCHBOARD, overrides_for(changed))
    assert scenario.culture.analytics is True
    assert scenario.structure.approval_depth == 4
    assert scenario.culture.spin == 0.15
    assert override_text("culture.social_intranet", False) == "culture.social_intranet=false"


def test_typed_values_are_parsed_or_rejected_with_the_key_named():
    assert parse_typed("customers.n_customers", "20,000") == 20000
    assert parse_typed("broadcast.rate_per_hour", "1.5") == 1.5
    with pytest.raises(ScenarioError, match=r"customers.n_customers = '2.5': must be a whole"):
        parse_typed("customers.n_customers", "2.5")
    with pytest.raises(ScenarioError, match="must be a number"):
        parse_typed("broadcast.rate_per_hour", "fast")


def test_an_out_of_range_lever_gets_the_schemas_message():
    assert lever_error(SWITCHBOARD, "structure.approval_depth", 25) == (
        "structure.approval_depth = 25: must be <= 20"
    )
    assert lever_error(SWITCHBOARD, "customers.n_customers", 1).startswith(
        "customers.n_customers = 1: must be >= 2"
    )
    assert lever_error(SWITCHBOARD, "structure.approval_depth", 4) is None


def test_a_cross_field_error_is_pinned_on_the_lever_that_caused_it():
    # 4 customers are valid alone, but the graph's m = 5 must stay below n_customers
    scenarios, per_lever, general = check_levers(
        [SWITCHBOARD, DIRECT_DIAL], (), {"customers.n_customers": 4}
    )
    assert scenarios == [] and general is None
    assert "customers.n_customers" in per_lever
    assert "graph.m" in per_lever["customers.n_customers"]


# ------------------------------------------------------------------ cards


def test_first_response_is_never_shown_without_the_answered_share():
    cards = {
        c.name: c
        for c in kpi_cards(
            {"first_response_hours_median": 9.0, "answered_share": 0.25},
            {"first_response_hours_median": 0.5, "answered_share": 0.8},
        )
    }
    card = cards["first_response_hours_median"]
    assert card.a == "9.00 h" and card.beside_a == "answered 25.0 %"
    assert card.b == "0.50 h" and card.beside_b == "answered 80.0 %"
    assert card.delta == "−8.50 h" and card.verdict == "better"
    assert cards["answered_share"].delta == "+55.0 pp"


def test_cards_follow_the_kpi_contract_with_every_kpi_the_issue_names(week):
    a, b = week["A"].kpis(), week["B"].kpis()
    cards = kpi_cards(a, b)
    names = [card.name for card in cards]
    assert names == [spec.name for spec in CARDS]
    assert set(names) <= set(KPIS)  # the contract's names, nothing computed here
    assert {
        "answered_share",
        "answered_within_1h_share",
        "answered_within_24h_share",
        "first_response_hours_km_median",
        "first_response_hours_median",
        "resolved_share",
        "abandoned_share",
        "credibility",
        "sentiment",
        "net_sentiment",
        "negative_reach_per_1k",
        "interactivity",
        "gaffes",
        "social_capacity",
    } == set(names)
    for card in cards:
        assert card.a == format_value(card.spec.unit, a[card.name]), card.name
        assert card.b == format_value(card.spec.unit, b[card.name]), card.name
    # the Kaplan–Meier median sits next to the answered-only one
    km = names.index("first_response_hours_km_median")
    assert names[km + 1] == "first_response_hours_median"


def test_the_kaplan_meier_card_shows_the_answered_only_median_and_the_share_beside_it():
    a = {
        "first_response_hours_km_median": 14.9,
        "first_response_hours_median": 11.8,
        "answered_share": 0.2,
    }
    b = {
        "first_response_hours_km_median": 1.9,
        "first_response_hours_median": 1.05,
        "answered_share": 0.6,
    }
    card = next(c for c in kpi_cards(a, b) if c.name == "first_response_hours_km_median")
    assert (card.a, card.b) == ("14.90 h", "1.90 h")
    assert card.beside_a == "over answered threads 11.80 h · answered 20.0 %"
    assert card.beside_b == "over answered threads 1.05 h · answered 60.0 %"
    assert card.delta == "−13.00 h" and card.verdict == "better"
    for share in ("answered_within_1h_share", "answered_within_24h_share"):
        shown = next(c for c in kpi_cards({share: 0.0016}, {share: 0.33}) if c.name == share)
        assert (shown.a, shown.b, shown.delta) == ("0.2 %", "33.0 %", "+32.8 pp")
        assert "of all threads" in shown.spec.unit_text


def test_an_infinite_kaplan_meier_median_reads_not_reached():
    never = {"first_response_hours_km_median": math.inf, "answered_share": 0.2}
    reached = {"first_response_hours_km_median": 2.0, "answered_share": 0.7}
    card = next(c for c in kpi_cards(never, reached) if c.name == "first_response_hours_km_median")
    assert card.a == "not reached (< half answered)"
    assert "inf" not in card.a
    assert card.b == "2.00 h"
    assert (card.delta, card.verdict) == ("A not reached", "better")
    card = next(c for c in kpi_cards(reached, never) if c.name == "first_response_hours_km_median")
    assert (card.delta, card.verdict) == ("B not reached", "worse")
    card = next(c for c in kpi_cards(never, never) if c.name == "first_response_hours_km_median")
    assert (card.b, card.delta, card.verdict) == ("not reached (< half answered)", "", "same")
    text = fragments.cards_html([card], {"A": "x", "B": "y"}, {"A": never, "B": never})
    assert "not reached (&lt; half answered)" in text and ">inf" not in text


def test_a_switchboard_that_answers_nobody_shows_not_reached_and_no_speed(silent):
    kpis = silent.kpis()
    assert kpis["answered_share"] == 0.0
    cards = {c.name: c for c in kpi_cards(kpis, kpis)}
    assert cards["first_response_hours_km_median"].a == "not reached (< half answered)"
    assert cards["first_response_hours_km_median"].beside_a == (
        "over answered threads n/a · answered 0.0 %"
    )
    assert cards["first_response_hours_median"].a == "n/a"
    assert cards["answered_within_1h_share"].a == "0.0 %"


def test_cards_html_carries_each_raw_value():
    kpis = {"A": {"answered_share": 0.25}, "B": {"answered_share": 0.75}}
    text = fragments.cards_html(kpi_cards(kpis["A"], kpis["B"]), {"A": "x", "B": "y"}, kpis)
    assert 'data-kpi="answered_share"' in text
    assert 'data-pane="A" data-value="0.25"' in text
    assert 'data-pane="B" data-value="0.75"' in text
    assert "B − A: +50.0 pp (better)" in text


def test_clock_text():
    assert fragments.clock_text(0.0) == "hour 0 · day 1, 00:00"
    assert fragments.clock_text(24.0) == "hour 24 · day 2, 00:00"


# ------------------------------------------------------------------ plots


def test_both_panes_are_drawn_on_every_panel(week):
    series = {pane: model.series() for pane, model in week.items()}
    panels = plot_panels(series)
    assert [p.spec.key for p in panels] == [s.key for s in PANELS]
    for panel in panels:
        panes = {line[0] for line in panel.lines}
        assert panes == {"A", "B"}, panel.spec.key
        for _, _, hours, values, _, _ in panel.lines:
            assert hours.shape == values.shape == (672,)
    waiting = next(p for p in panels if p.spec.key == "waiting").lines[0]
    expected = series[waiting[0]][list(QUEUES)].to_numpy().sum(axis=1)
    np.testing.assert_array_equal(waiting[3], expected)


def test_no_tick_yet_gives_empty_panels_not_an_error():
    model = OrgModel(SWITCHBOARD, rng=0, overrides=SMALL)
    panels = plot_panels({"A": model.series()}, {"A": model.kpis()})
    assert all(not p.lines for p in panels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. no legend asked for without lines
        figure = draw_panels(panels, {"A": "A: switchboard"})
    assert len(figure.axes) == len(PANELS) == 8


def test_first_response_over_time_is_the_series_with_the_answered_share_beside(week):
    series = {pane: model.series() for pane, model in week.items()}
    kpis = {pane: model.kpis() for pane, model in week.items()}
    panel = next(p for p in plot_panels(series, kpis) if p.spec.key == "first_response")
    assert {line[0] for line in panel.lines} == {"A", "B"}
    for pane, column, hours, values, _, style in panel.lines:
        assert column == "first_response_hours" and style == "."
        np.testing.assert_array_equal(hours, series[pane]["hours"])
        np.testing.assert_array_equal(values, series[pane]["first_response_hours"])
    assert panel.shares == {pane: kpis[pane]["answered_share"] for pane in ("A", "B")}
    slow, fast = (np.nanmean(panel.lines[i][3]) for i in (0, 1))  # A: switchboard
    assert slow > fast
    figure = draw_panels([panel], {"A": "A: switchboard", "B": "B: direct_dial"})
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    share = kpis["A"]["answered_share"]
    assert legend[0] == f"A: switchboard (answered {100 * share:.1f} % of all threads)"


def test_the_share_answered_within_1h_over_time_is_a_share_of_all_threads(week, silent):
    series = {pane: model.series() for pane, model in week.items()}
    panel = next(p for p in plot_panels(series) if p.spec.key == "within_1h")
    for pane, _, _, values, _, _ in panel.lines:
        frame = series[pane]
        opened = frame["threads"].to_numpy(float)
        expected = np.where(opened > 0, frame["answered_within_1h"] / np.maximum(opened, 1), np.nan)
        np.testing.assert_allclose(values, expected)
        assert values[-1] == pytest.approx(week[pane].kpis()["answered_within_1h_share"])
    nobody = plot_panels({"A": silent.series()})
    line = next(p for p in nobody if p.spec.key == "within_1h").lines[0]
    finite = line[3][np.isfinite(line[3])]
    assert finite.size and (finite == 0).all()  # answers nobody: at 0, not hidden


def test_interventions_are_labelled_vertical_lines(tmp_path):
    assert markers_for("A", load_scenario(SWITCHBOARD)) == []
    toml = tmp_path / "timeline.toml"
    toml.write_text(
        f'extends = "{SWITCHBOARD}"\n'
        '[[interventions]]\nat_hours = 12\nlabel = "tear down the switchboard"\n'
        'set = { "structure.kind" = "direct_dial" }\n'
        "[[interventions]]\nat_hours = 30\n"
        'crisis = { topic = "defects", threads = 5, hours = 2 }\n',
        encoding="utf-8",
    )
    markers = markers_for("B", load_scenario(toml))
    assert [(m.pane, m.hours, m.label) for m in markers] == [
        ("B", 12.0, "tear down the switchboard"),
        ("B", 30.0, "crisis on defects"),
    ]
    figure = draw_panels(plot_panels({}), {"B": "B"}, markers, hours=48)
    for ax in figure.axes:  # every plot, the first response one included
        texts = [t.get_text() for t in ax.texts]
        assert " B: tear down the switchboard" in texts and " B: crisis on defects" in texts


# ------------------------------------------------------------------ organization


def test_org_grid_counts_people_and_work_from_the_arrays(week):
    for model in week.values():
        grid = org_grid(model)
        org, core = model.core.org, model.core
        assert grid.employees.shape == (org.n_silos, org.n_levels)
        assert grid.employees.sum() == org.n_employees
        assert grid.on_board.sum() == org.on_board.sum()
        assert grid.busy.sum() == (core.serving >= 0).sum()
        ids, silo, _holder = thread_places(model)
        state = model.core.threads.state[ids]
        phase = model.core.threads.phase[ids]
        waiting = (phase == 0) & (state < 6)
        assert grid.queued.sum() + grid.pooled.sum() == (waiting & (silo >= 0)).sum()
    comms = grid.silos.index("comms")
    assert (grid.on_board[comms] == grid.employees[comms]).all()  # comms is always on board


def test_switchboard_threads_cross_silos_more_than_direct_dial_threads():
    flows = {}
    for pane, path in (("A", SWITCHBOARD), ("B", DIRECT_DIAL)):
        model = OrgModel(path, rng=3, overrides=SMALL)
        tracker = FlowTracker(model)
        for _ in range(96):
            model.step()
            tracker.observe()
        flows[pane] = tracker.flows(24.0)
        crossings = model.threads()["silo_crossings"].sum()
        assert flows[pane].sum() <= crossings  # moves within a tick are merged
        assert np.trace(flows[pane]) == 0
        if pane == "A":
            comms = model.core.org.silo_names.index("comms")
            assert flows[pane][comms].sum() > 0  # comms forwards to the silos
            moved = int(np.flatnonzero(model.threads()["silo_crossings"].to_numpy() > 0)[0])
            path = tracker.path(moved)
            # every switchboard thread starts in comms; triage (0.1 h) may end within the
            # first tick, so the first sighting is comms or a liaison (a manager)
            assert path and (path[0][1] == "comms" or path[0][3] == "manager")
            assert [p[0] for p in path] == sorted(p[0] for p in path)
            assert path[0][3] in [level.name for level in model.scenario_spec.levels]
    # direct dial crosses silos only to consult a second silo (MODEL.md 4.3): far less
    assert flows["B"].sum() < flows["A"].sum()


# ------------------------------------------------------------------ sessions


def test_both_panes_share_one_seed_so_the_same_scenario_gives_the_same_run():
    comparison = Comparison(Settings((DIRECT_DIAL, DIRECT_DIAL), seed=5, base=SMALL))
    comparison.step_hours(24)
    snap = comparison.snapshot()
    assert snap.kpis["A"] == snap.kpis["B"]
    assert snap.hours == 24.0 and snap.tick == 96


def test_after_a_week_the_switchboard_answers_slower_than_direct_dial():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    comparison.step_hours(168)
    kpis = comparison.snapshot().kpis
    assert kpis["A"]["first_response_hours_median"] > kpis["B"]["first_response_hours_median"]
    assert kpis["A"]["answered_share"] < kpis["B"]["answered_share"]


def test_a_bad_lever_leaves_the_comparison_as_it_was():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    comparison.step_hours(1)
    before = comparison.models
    with pytest.raises(LeverError) as caught:
        comparison.reset(
            Settings((SWITCHBOARD, DIRECT_DIAL), 0, SMALL, {"structure.approval_depth": 25})
        )
    assert caught.value.path == "structure.approval_depth"
    assert str(caught.value) == "structure.approval_depth = 25: must be <= 20"
    assert comparison.models is before and comparison.hours == 1.0


def test_panes_of_different_tick_lengths_are_refused(tmp_path):
    coarse = tmp_path / "coarse.toml"
    coarse.write_text(f'extends = "{DIRECT_DIAL}"\n[time]\ntick_minutes = 30\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"one tick length .*A: 15, B: 30"):
        Comparison(Settings((SWITCHBOARD, str(coarse)), seed=0, base=SMALL))


def test_levers_apply_to_both_panes_on_reset():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    comparison.reset(
        Settings((SWITCHBOARD, DIRECT_DIAL), 0, SMALL, {"structure.approval_depth": 3})
    )
    assert {m.scenario_spec.structure.approval_depth for m in comparison.models.values()} == {3}
    assert comparison.models["A"].scenario_spec.customers.n_customers == 2000


def test_the_player_stops_at_its_limit_and_says_so():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    published: list[tuple[float, bool]] = []
    done = threading.Event()

    def publish(snap, playing):
        published.append((snap.hours, playing))
        if not playing:
            done.set()

    player = Player(comparison, publish, min_interval=0.05)
    player.hours_per_second = math.inf
    player.play(limit_hours=6.0)
    assert done.wait(60)
    assert published[-1] == (6.0, False)
    assert comparison.hours == 6.0
    assert all(h <= 6.0 for h, _ in published)


def test_a_step_asked_for_while_the_last_one_publishes_is_not_lost():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    finished = threading.Semaphore(0)
    player = Player(comparison, lambda snap, playing: None, min_interval=0.05)

    def publish(snap, playing):
        if not playing:  # the last publication of a step, still in the player's thread
            finished.release()
            threading.Event().wait(0.2)  # ... slow, like a page redrawing its plots

    player.publish = publish
    player.hours_per_second = math.inf
    player.play(limit_hours=2.0)
    assert finished.acquire(timeout=60)
    player.play(limit_hours=4.0)  # the next click, while the first is still publishing
    assert finished.acquire(timeout=60)
    assert comparison.hours == 4.0


def test_the_player_publishes_at_most_once_per_interval():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    published = []
    player = Player(comparison, lambda snap, playing: published.append(playing), 0.2)
    player.hours_per_second = math.inf
    started = time.perf_counter()
    player.play(limit_hours=48.0)
    player._thread.join(60)
    elapsed = time.perf_counter() - started
    assert comparison.hours == 48.0
    assert published[-1] is False
    assert len(published) - 1 <= elapsed / 0.2 + 1  # the last publication is extra


def test_the_playing_speed_is_kept_on_average_whatever_the_tick_length():
    for hours_per_second, dt in ((1.0, 0.25), (6.0, 0.25), (1.0, 1.0), (24.0, 0.5)):
        carry, total = 0.0, 0
        for _ in range(100):  # 100 intervals of 0.3 s: 30 seconds of playing
            ticks, carry = ticks_due(hours_per_second, 0.3, dt, carry)
            total += ticks
        assert 0 <= 30 * hours_per_second - total * dt <= dt + 1e-9, (hours_per_second, dt)
    assert ticks_due(math.inf, 0.3, 0.25)[0] > 10**6


def test_pausing_stops_the_player():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    player = Player(comparison, lambda snap, playing: None, min_interval=0.05)
    player.hours_per_second = 2.0
    player.play()
    player.pause(wait=True)
    assert not player.playing
    hours = comparison.hours
    threading.Event().wait(0.2)
    assert comparison.hours == hours


# ------------------------------------------------------------------ config


def test_the_command_hands_its_settings_to_the_app():
    env = environment([Path(SWITCHBOARD)], ["customers.n_customers=3000"], 7)
    config = read_config(env)
    assert config.initial == (SWITCHBOARD, SWITCHBOARD)
    assert config.base == ("customers.n_customers=3000",)
    assert config.seed == 7
    assert config.scenarios[0] == SWITCHBOARD
    assert len(config.scenarios) == 4  # the given file, then the other three structures


def test_by_default_the_panes_are_switchboard_and_direct_dial():
    config = read_config({})
    assert [Path(p).stem for p in config.initial] == ["switchboard", "direct_dial"]


# ------------------------------------------------------------------ per-pane overrides


def test_a_pane_override_changes_only_that_pane():
    plain = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=3, base=SMALL))
    depth = ("structure.approval_depth=4",)
    own = Comparison(
        Settings((SWITCHBOARD, DIRECT_DIAL), seed=3, base=SMALL, pane_sets=((), depth))
    )
    assert own.models["B"].scenario_spec.structure.approval_depth == 4
    assert own.models["A"].scenario_spec == plain.models["A"].scenario_spec
    for comparison in (plain, own):
        comparison.step_hours(48)
    assert own.threads("A").equals(plain.threads("A"))  # same seed: pane A untouched
    assert own.snapshot().kpis["A"] == plain.snapshot().kpis["A"]
    assert not own.threads("B").equals(plain.threads("B"))
    assert own.snapshot().kpis["B"] != plain.snapshot().kpis["B"]
    assert own.snapshot().names["B"] == "direct_dial + structure.approval_depth=4"


def test_a_pane_override_comes_after_the_common_levers():
    settings = Settings(
        (SWITCHBOARD, DIRECT_DIAL),
        base=SMALL,
        changed={"culture.honesty": 0.2},
        pane_sets=(("culture.honesty=0.9",), ()),
    )
    assert settings.pane_overrides(0)[-2:] == ["culture.honesty=0.2", "culture.honesty=0.9"]
    a, b = validate(settings)
    assert (a.culture.honesty, b.culture.honesty) == (0.9, 0.2)


def test_a_bad_pane_override_names_the_pane_with_the_schemas_message():
    comparison = Comparison(Settings((SWITCHBOARD, DIRECT_DIAL), seed=0, base=SMALL))
    before = comparison.models
    bad = Settings((SWITCHBOARD, DIRECT_DIAL), 0, SMALL, pane_sets=((), ("culture.honesty=3",)))
    with pytest.raises(PaneError) as caught:
        comparison.reset(bad)
    assert caught.value.pane == "B"
    assert str(caught.value) == "culture.honesty = 3: must be <= 1.0"
    assert comparison.models is before
    assert lever_error(SWITCHBOARD, "culture.honesty", 3.0, SMALL) == (
        "culture.honesty = 3.0: must be <= 1.0"
    )


def test_typed_values_of_any_lever_are_parsed():
    assert parse_value("culture.social_intranet", " off ") is False
    assert parse_value("structure.approval_depth", "4") == 4
    with pytest.raises(ScenarioError, match="must be on or off"):
        parse_value("culture.analytics", "maybe")


def test_a_after_an_intervention_is_a_until_the_switch_then_the_new_structure():
    switch = after_intervention("direct_dial", 12)
    comparison = Comparison(
        Settings((SWITCHBOARD, SWITCHBOARD), seed=4, base=SMALL, pane_sets=((), (switch,)))
    )
    b = comparison.models["B"]
    assert [i.label for i in b.scenario_spec.interventions] == ["switch to direct_dial"]
    comparison.step_hours(11.75)  # the last tick before the switch
    assert comparison.threads("A").equals(comparison.threads("B"))
    assert comparison.models["A"].core.structure.name == b.core.structure.name == "switchboard"
    comparison.step_hours(24.25)
    assert b.core.structure.name == "direct_dial" == b.levers.structure.kind
    assert comparison.models["A"].core.structure.name == "switchboard"
    assert not comparison.threads("A").equals(comparison.threads("B"))
    snap = comparison.snapshot()
    assert [(m.pane, m.hours, m.label) for m in snap.markers] == [
        ("B", 12.0, "switch to direct_dial")
    ]
    assert snap.names["B"] == "switchboard + switch to direct_dial at 12 h"
    assert snap.kpis["A"] != snap.kpis["B"]
