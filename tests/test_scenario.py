"""Tests for sim.scenario: shipped files, ``extends``, ``--set`` overrides, error messages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import STRUCTURES
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_override,
    scenario_from_dict,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.toml"))
WORLD = SCENARIOS / "world.toml"
SECTIONS = (
    "name",
    "description",
    "time",
    "structure",
    "culture",
    "organization",
    "silos",
    "levels",
    "channels",
    "arrivals",
    "service",
    "conversation",
    "voice",
)

TWO_SILOS = """
[[silos]]
name = "comms"
share = 0.5
topics = ["general"]

[[silos]]
name = "product"
share = 0.5
topics = ["defects"]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | None, overrides: list[str] | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides or [])
    return str(info.value)


# ----------------------------------------------------------------------------- shipped files
def test_there_are_shipped_scenarios():
    assert {p.stem for p in SHIPPED} == {*STRUCTURES, "world", "typical_brand_2016", "benchmark_1m"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path):
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == path.stem


@pytest.mark.parametrize("kind", STRUCTURES)
def test_structure_files_declare_their_own_kind(kind):
    assert load_scenario(SCENARIOS / f"{kind}.toml").structure.kind == kind


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_starts_with_a_header_comment(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#")
    assert len(first.lstrip("# ").strip()) > 10, "header comment should say what the file shows"


def test_structure_files_inherit_the_shared_world():
    world = load_scenario(WORLD)
    for kind in STRUCTURES:
        scenario = load_scenario(SCENARIOS / f"{kind}.toml")
        assert scenario.silos == world.silos
        assert scenario.channels == world.channels
        assert scenario.arrivals == world.arrivals


def test_defaults_without_a_file_are_valid():
    scenario = load_scenario(None)
    assert scenario == Scenario()
    assert "comms" in [s.name for s in scenario.silos]


# ----------------------------------------------------------------------------- extends
def test_child_overriding_one_key_keeps_parents_other_keys(tmp_path):
    write(
        tmp_path / "parent.toml",
        'name = "parent"\n'
        "[culture]\nspin = 0.2\nhonesty = 0.9\n"
        "[organization]\nn_employees = 60\n"
        '[service]\ntriage = { distribution = "fixed", mean_hours = 0.3 }\n' + TWO_SILOS,
    )
    child = write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\nname = "child"\n'
        "[culture]\nspin = 0.1\n"
        "[service.triage]\nmean_hours = 0.7\n",
    )
    scenario = load_scenario(child)
    assert scenario.name == "child"
    assert scenario.culture.spin == 0.1
    assert scenario.culture.honesty == 0.9  # sibling key in the same table survives
    assert scenario.organization.n_employees == 60  # untouched table survives
    assert scenario.service.triage.distribution == "fixed"  # nested table merges deeply
    assert scenario.service.triage.mean_hours == 0.7
    assert [s.name for s in scenario.silos] == ["comms", "product"]


def test_arrays_of_tables_are_replaced_whole(tmp_path):
    write(tmp_path / "parent.toml", TWO_SILOS)
    child = write(
        tmp_path / "child.toml",
        'extends = "parent.toml"\n[[silos]]\nname = "comms"\nshare = 1.0\ntopics = ["only"]\n',
    )
    scenario = load_scenario(child)
    assert [s.name for s in scenario.silos] == ["comms"]
    assert scenario.silos[0].topics == ("only",)
    assert scenario.silos[0].share == 1.0


def test_extends_chain_of_three(tmp_path):
    write(tmp_path / "a.toml", "[culture]\nspin = 0.11\nhonesty = 0.12\nlistening = 0.13\n")
    write(tmp_path / "b.toml", 'extends = "a.toml"\n[culture]\nhonesty = 0.22\n')
    c = write(tmp_path / "c.toml", 'extends = "b.toml"\n[culture]\nlistening = 0.33\n')
    culture = load_scenario(c).culture
    assert (culture.spin, culture.honesty, culture.listening) == (0.11, 0.22, 0.33)


def test_relative_extends_resolves_against_the_childs_directory(tmp_path, monkeypatch):
    write(tmp_path / "conf" / "base" / "parent.toml", "[culture]\nspin = 0.25\n")
    child = write(tmp_path / "conf" / "leaf" / "child.toml", 'extends = "../base/parent.toml"\n')
    # A decoy that would be found if the path were resolved against the working directory.
    write(tmp_path / "base" / "parent.toml", "[culture]\nspin = 0.75\n")
    write(tmp_path / "work" / "parent.toml", "[culture]\nspin = 0.75\n")
    monkeypatch.chdir(tmp_path / "work")
    assert load_scenario(child).culture.spin == 0.25
    assert load_scenario(Path("../conf/leaf/child.toml")).culture.spin == 0.25


def test_extends_cycle_is_an_error(tmp_path):
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    message = error_of(a)
    assert "cycle" in message
    assert "a.toml" in message and "b.toml" in message


def test_extends_itself_is_a_cycle(tmp_path):
    a = write(tmp_path / "a.toml", 'extends = "a.toml"\n')
    assert "cycle" in error_of(a)


def test_missing_parent_names_the_missing_file(tmp_path):
    child = write(tmp_path / "child.toml", 'extends = "nothere.toml"\n')
    message = error_of(child)
    assert "nothere.toml" in message
    assert "child.toml" in message


def test_extends_must_be_a_string(tmp_path):
    child = write(tmp_path / "child.toml", "extends = 3\n")
    message = error_of(child)
    assert "extends" in message and "child.toml" in message


# ----------------------------------------------------------------------------- overrides
@pytest.mark.parametrize(
    ("assignment", "path", "value", "kind"),
    [
        ("culture.spin=0.1", ["culture", "spin"], 0.1, float),
        ("organization.n_employees=40", ["organization", "n_employees"], 40, int),
        ("culture.analytics=true", ["culture", "analytics"], True, bool),
        ('name="a b"', ["name"], "a b", str),
        ("structure.kind=direct_dial", ["structure", "kind"], "direct_dial", str),
        ('silos.0.topics=["x", "y"]', ["silos", "0", "topics"], ["x", "y"], list),
        (" culture.spin = 0.5 ", ["culture", "spin"], 0.5, float),
    ],
)
def test_parse_override_types(assignment, path, value, kind):
    parsed_path, parsed_value = parse_override(assignment)
    assert parsed_path == path
    assert parsed_value == value
    assert type(parsed_value) is kind


def test_typed_overrides_reach_the_scenario():
    scenario = load_scenario(
        WORLD,
        [
            "culture.spin=0.1",
            "organization.n_employees=40",
            "culture.analytics=true",
            'description="from the command line"',
            "structure.kind=direct_dial",
            "time.tick_minutes=30",
        ],
    )
    assert scenario.culture.spin == 0.1
    assert scenario.organization.n_employees == 40
    assert isinstance(scenario.organization.n_employees, int)
    assert scenario.culture.analytics is True
    assert scenario.description == "from the command line"
    assert scenario.structure.kind == "direct_dial"
    assert scenario.time.tick_minutes == 30.0
    # untouched values come from the file
    assert scenario.culture.honesty == load_scenario(WORLD).culture.honesty


def test_later_override_wins():
    scenario = load_scenario(WORLD, ["culture.spin=0.1", "culture.spin=0.9"])
    assert scenario.culture.spin == 0.9


def test_override_applies_after_extends():
    scenario = load_scenario(SCENARIOS / "expert_routing.toml", ["structure.kind=switchboard"])
    assert scenario.structure.kind == "switchboard"
    assert scenario.name == "expert_routing"


def test_each_structure_takes_only_its_own_parameters():
    """A switchboard cannot be given a direct-dial or coaching knob; the error says
    which structures take it (issue 12: a discriminated union on kind)."""
    with pytest.raises(ScenarioError) as error:
        load_scenario(SCENARIOS / "direct_dial.toml", ["structure.kind=switchboard"])
    assert "structure.cross_claim: switchboard takes no cross_claim; it is a parameter of " in (
        str(error.value)
    )
    with pytest.raises(ScenarioError, match=r"it is a parameter of coached_direct_dial$"):
        load_scenario(WORLD, ["structure.coaching_per_week=0.5"])
    coached = load_scenario(
        WORLD, ["structure.kind=coached_direct_dial", "structure.coaching_per_week=0.5"]
    )
    assert coached.structure.coaching_per_week == 0.5
    with pytest.raises(
        ScenarioError, match=r"structure.kind = \"star\": must be one of 'switchboard'"
    ):
        load_scenario(WORLD, ["structure.kind=star"])
    with pytest.raises(
        ScenarioError, match="unknown key for switchboard; did you mean 'approval_depth'"
    ):
        load_scenario(WORLD, ["structure.aproval_depth=2"])


def test_an_intervention_may_set_only_the_parameters_of_the_structure_then_in_force():
    switch = (
        'interventions=[{at_hours=1, set={"structure.kind"="direct_dial",'
        ' "structure.cross_claim"=0.9}}]'
    )
    assert load_scenario(WORLD, [switch]).interventions[0].set["structure.cross_claim"] == 0.9
    wrong = 'interventions=[{at_hours=1, set={"structure.cross_claim"=0.9}}]'
    with pytest.raises(
        ScenarioError, match=r"interventions.0.set.structure.cross_claim: switchboard takes no"
    ):
        load_scenario(WORLD, [wrong])


def test_override_creates_a_section_the_file_lacks(tmp_path):
    path = write(tmp_path / "empty.toml", "")
    assert load_scenario(path, ["voice.brand=0.1"]).voice.brand == 0.1


@pytest.mark.parametrize("address", ["silos.billing.share=0.3", "silos.2.share=0.3"])
def test_arrays_of_tables_by_name_and_by_index(address):
    scenario = load_scenario(WORLD, [address])
    billing = [s for s in scenario.silos if s.name == "billing"]
    assert scenario.silos[2].name == "billing"
    assert billing[0].share == 0.3
    others = {s.name: s.share for s in scenario.silos if s.name != "billing"}
    assert others == {s.name: s.share for s in load_scenario(WORLD).silos if s.name != "billing"}


def test_channels_and_levels_by_name():
    scenario = load_scenario(
        WORLD, ["channels.blog.patience_hours=99", "levels.manager.approval_hours=7"]
    )
    assert {c.name: c.patience_hours for c in scenario.channels}["blog"] == 99.0
    assert {lv.name: lv.approval_hours for lv in scenario.levels}["manager"] == 7.0


def test_override_into_default_list_when_file_has_none(tmp_path):
    path = write(tmp_path / "bare.toml", 'name = "bare"\n')
    scenario = load_scenario(path, ["silos.billing.share=0.3", "channels.0.share=0.9"])
    defaults = Scenario()
    assert [s.name for s in scenario.silos] == [s.name for s in defaults.silos]
    assert {s.name: s.share for s in scenario.silos}["billing"] == 0.3
    assert scenario.silos[0] == defaults.silos[0]
    assert scenario.channels[0].share == 0.9
    assert scenario.channels[1:] == defaults.channels[1:]


def test_override_into_default_list_without_a_file():
    scenario = load_scenario(None, ["silos.it.share=0.5"])
    assert {s.name: s.share for s in scenario.silos}["it"] == 0.5


def test_bad_array_address_lists_the_names():
    message = error_of(WORLD, ["silos.nosuch.share=1"])
    assert "nosuch" in message
    assert "silos.nosuch" in message
    for name in ("comms", "product", "billing", "logistics", "it"):
        assert repr(name) in message


def test_index_out_of_range_is_an_error():
    message = error_of(WORLD, ["silos.5.share=0.3"])
    assert "'5'" in message and "0..4" in message


@pytest.mark.parametrize("assignment", ["culture.spin", "=0.1", "culture..spin=0.1", "", "."])
def test_malformed_set_is_an_error(assignment):
    message = error_of(WORLD, [assignment])
    assert "--set" in message
    assert "section.key=value" in message


def test_override_into_a_scalar_is_an_error():
    message = error_of(WORLD, ["culture.spin.x=1"])
    assert "culture.spin.x" in message


def test_override_two_levels_into_a_scalar_is_a_scenario_error():
    message = error_of(WORLD, ["culture.spin.x.y=1"])
    assert "culture.spin" in message


def test_overrides_may_be_any_iterable():
    scenario = load_scenario(WORLD, (o for o in ["culture.spin=0.1"]))
    assert scenario.culture.spin == 0.1


def test_override_with_wrong_type_names_key():
    message = error_of(WORLD, ["organization.n_employees=many"])
    assert "organization.n_employees" in message
    assert '"many"' in message
    assert "world.toml" in message


def test_unknown_override_key_suggests_the_near_miss():
    message = error_of(WORLD, ["culture.spn=0.1"])
    assert "culture.spn" in message
    assert "did you mean 'spin'" in message


@pytest.mark.parametrize("stage", ["approve", "handoff"])
def test_a_delay_mean_set_where_it_has_no_effect_says_where_it_lives(stage: str) -> None:
    """Approval and handoff means come from the levels, silos and structure; setting
    ``service.<stage>.mean_hours`` used to be accepted and silently ignored."""
    message = error_of(WORLD, [f"service.{stage}.mean_hours=3"])
    assert f"service.{stage}.mean_hours" in message
    assert "levels[].approval_hours" in message and "silos[].handoff_hours" in message
    assert "known keys: distribution, sigma" in message
    shaped = load_scenario(WORLD, [f"service.{stage}.sigma=0.9"]).service
    assert getattr(shaped, stage).sigma == 0.9 and shaped.draft.mean_hours == 0.5


# ----------------------------------------------------------------------------- errors
def test_malformed_toml_names_the_file(tmp_path):
    path = write(tmp_path / "broken.toml", "[culture\nspin = 0.1\n")
    message = error_of(path)
    assert "broken.toml" in message
    assert "malformed TOML" in message


def test_malformed_parent_names_the_parent(tmp_path):
    write(tmp_path / "parent.toml", "spin = = 1\n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n')
    message = error_of(child)
    assert "parent.toml" in message and "malformed TOML" in message


def test_unreadable_path_is_an_error(tmp_path):
    (tmp_path / "adir.toml").mkdir()
    assert "adir.toml" in error_of(tmp_path / "adir.toml")


def test_missing_file_is_an_error(tmp_path):
    message = error_of(tmp_path / "absent.toml")
    assert "absent.toml" in message and "no such scenario file" in message


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path / "typo.toml", "[cultur]\nspin = 0.1\n")
    message = error_of(path)
    assert "typo.toml" in message
    assert "cultur" in message
    assert "unknown key" in message
    assert "did you mean 'culture'" in message


def test_unknown_nested_key_suggests_the_near_miss(tmp_path):
    path = write(tmp_path / "typo.toml", "[culture]\nspn = 0.1\n")
    message = error_of(path)
    assert "typo.toml" in message
    assert "culture.spn" in message
    assert "did you mean 'spin'" in message
    assert "honesty" in message  # lists the known keys


def test_unknown_key_inside_an_array_of_tables(tmp_path):
    path = write(tmp_path / "typo.toml", TWO_SILOS + "topic_wieght = 2\n")
    message = error_of(path)
    assert "silos.1.topic_wieght" in message
    assert "did you mean 'topic_weight'" in message


def test_unknown_key_without_near_miss_has_no_suggestion(tmp_path):
    path = write(tmp_path / "typo.toml", "[culture]\nzzzzzz = 1\n")
    message = error_of(path)
    assert "culture.zzzzzz" in message
    assert "did you mean" not in message


def test_wrong_type_names_file_key_and_value(tmp_path):
    path = write(tmp_path / "typed.toml", '[organization]\nn_employees = "many"\n')
    message = error_of(path)
    assert "typed.toml" in message
    assert "organization.n_employees" in message
    assert '"many"' in message
    assert "must be a whole number" in message


def test_out_of_range_names_key_value_and_bound(tmp_path):
    path = write(tmp_path / "range.toml", "[culture]\nspin = 1.5\n")
    message = error_of(path)
    assert "range.toml" in message
    assert "culture.spin" in message
    assert "1.5" in message
    assert "<= 1" in message


def test_below_range_names_lower_bound(tmp_path):
    path = write(tmp_path / "range.toml", "[organization]\nn_employees = 1\n")
    message = error_of(path)
    assert "organization.n_employees" in message and ">= 2" in message


def test_unknown_structure_kind_lists_the_allowed_kinds(tmp_path):
    path = write(tmp_path / "kind.toml", '[structure]\nkind = "matrix"\n')
    message = error_of(path)
    assert "structure.kind" in message and '"matrix"' in message
    for kind in STRUCTURES:
        assert kind in message


def test_silos_without_comms(tmp_path):
    path = write(
        tmp_path / "nocomms.toml",
        '[[silos]]\nname = "product"\nshare = 1.0\ntopics = ["defects"]\n',
    )
    message = error_of(path)
    assert "nocomms.toml" in message
    assert "comms" in message and "silos" in message


def test_topic_owned_by_two_silos(tmp_path):
    path = write(tmp_path / "dup.toml", TWO_SILOS.replace('["defects"]', '["general"]'))
    message = error_of(path)
    assert "dup.toml" in message
    assert "topic" in message and "exactly one silo" in message


def test_duplicate_silo_names(tmp_path):
    path = write(tmp_path / "dup.toml", TWO_SILOS.replace('"product"', '"comms"'))
    assert "unique" in error_of(path)


def test_too_few_employees_for_the_silos():
    message = error_of(WORLD, ["organization.n_employees=9"])
    assert "organization.n_employees" in message and "5 silos" in message


def test_several_problems_are_counted(tmp_path):
    path = write(tmp_path / "many.toml", "[culture]\nspin = 2.0\nhonesty = 3.0\n")
    assert "(and 1 more problem(s))" in error_of(path)


def test_scenario_error_is_one_line(tmp_path):
    path = write(tmp_path / "typo.toml", "[culture]\nspn = 0.1\n")
    assert "\n" not in error_of(path)


def test_scenario_from_dict_uses_origin():
    with pytest.raises(ScenarioError, match=r"^here: culture\.spin = 7"):
        scenario_from_dict({"culture": {"spin": 7}}, origin="here")


# ----------------------------------------------------------------------------- the model
def test_scenarios_are_immutable():
    scenario = load_scenario(WORLD)
    with pytest.raises((ValidationError, TypeError)):
        scenario.name = "other"
    with pytest.raises((ValidationError, TypeError)):
        scenario.culture.spin = 0.9
    with pytest.raises((ValidationError, TypeError)):
        scenario.silos[0].share = 0.9
    assert scenario.name == "world"
    assert scenario.culture.spin == 0.3


def test_scenario_lists_cannot_be_mutated_in_place():
    scenario = load_scenario(WORLD)
    with pytest.raises((ValidationError, TypeError, AttributeError)):
        scenario.silos.append(scenario.silos[0])


def test_loading_twice_gives_equal_but_independent_scenarios():
    a, b = load_scenario(WORLD), load_scenario(WORLD, ["culture.spin=0.9"])
    assert a != b
    assert a == load_scenario(WORLD)
    assert a.culture.spin == 0.3


def test_json_schema_covers_every_section():
    schema = Scenario.model_json_schema()
    assert isinstance(schema, dict)
    properties = schema["properties"]
    assert set(SECTIONS) <= set(properties)
    assert set(properties) == set(Scenario.model_fields)


def test_model_dump_round_trips():
    scenario = load_scenario(SCENARIOS / "coached_direct_dial.toml")
    assert scenario_from_dict(scenario.model_dump(mode="json")) == scenario


# ----------------------------------------------------------------------------- properties
SHARE_KEYS = ("culture.spin", "culture.honesty", "culture.product_quality")


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(SHARE_KEYS), value=st.floats(min_value=0.0, max_value=1.0))
def test_share_override_round_trips_exactly(key, value):
    scenario = load_scenario(WORLD, [f"{key}={value!r}"])
    section, field = key.split(".")
    got = getattr(getattr(scenario, section), field)
    assert got == value
    assert math.copysign(1.0, got) == math.copysign(1.0, value)


@settings(max_examples=60, deadline=None)
@given(
    key=st.sampled_from(SHARE_KEYS),
    value=st.floats(max_value=-math.ulp(0.0), allow_nan=False)
    | st.floats(min_value=math.nextafter(1.0, 2.0), allow_nan=False),
)
def test_share_override_out_of_range_is_rejected(key, value):
    with pytest.raises(ScenarioError) as info:
        load_scenario(WORLD, [f"{key}={value!r}"])
    message = str(info.value)
    assert key in message
    if math.isinf(value):
        assert "must be a finite number" in message
    else:
        assert ("<= 1" in message) if value > 1 else (">= 0" in message)
