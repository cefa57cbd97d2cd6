"""Story mode's view-model (``viz/story.py``) without a browser: which panes a lesson
loads, which callout shows at each hour, and what leaves the script."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.lessons.runs import LESSONS_DIR, library
from sim.scenario import load_scenario
from viz.session import Comparison, Settings
from viz.story import WITHOUT_CHANGE, lesson_files, off_script, story_for


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_every_lesson_has_a_callout_per_chapter_and_intervention(path: Path) -> None:
    scenario = load_scenario(path)
    story = story_for(path)
    assert len(story.callouts) == len(scenario.lesson.chapters) + len(scenario.interventions)
    hours = [c.hours for c in story.callouts]
    assert hours == sorted(hours)
    assert story.current(0.0)[0].title == "Chapter 1: " + scenario.lesson.chapters[0].name
    for intervention in scenario.interventions:  # just past it, its callout shows
        shown = story.current(intervention.at_hours + 0.25)
        assert any(c.title == (intervention.label or "intervention") for c in shown)
        assert any("What changed:" in c.text and "Watch:" in c.text for c in shown)
    assert story.upcoming(scenario.time.hours) is None


def test_a_lesson_without_a_compare_shows_itself_without_the_change_in_pane_b() -> None:
    story = story_for(LESSONS_DIR / "tear_down_the_switchboard.toml")
    assert story.panes[0] == story.panes[1]
    assert story.b_sets == (WITHOUT_CHANGE,)
    settings = Settings(scenarios=story.panes, pane_sets=((), story.b_sets))
    comparison = Comparison(settings)
    assert len(comparison.models["A"].scenario_spec.interventions) == 1
    assert comparison.models["B"].scenario_spec.interventions == ()


def test_a_lesson_with_a_compare_loads_it_into_pane_b() -> None:
    story = story_for(LESSONS_DIR / "crisis_day.toml")
    assert Path(story.panes[1]).name == "crisis_day_switchboard.toml"
    assert story.b_sets == ()
    assert "crisis_day_switchboard, the compared scenario" in story.b_note
    crisis = story.current(48.25)
    assert any("a crisis, 150 complaints about defects over 6 h" in c.text for c in crisis)


def test_the_next_callout_and_the_boundaries_between() -> None:
    story = story_for(LESSONS_DIR / "empowerment_before_training.toml")
    assert [c.title for c in story.current(47.0)] == ["Chapter 1: switchboard"]
    assert story.upcoming(47.0).title == "Chapter 2: empowered, untrained"
    late = story.current(110.0)
    assert [c.title for c in late] == ["Chapter 3: training", "training programme"]
    assert "organization.training → 0.9 over 24 h" in late[1].text


def test_the_picker_offers_every_lesson_by_title() -> None:
    files = lesson_files()
    assert len(files) == len(library())
    assert files["Talk, talk, talk"].endswith("talk_talk_talk.toml")


def test_moving_any_lever_leaves_the_script() -> None:
    none = {"A": {}, "B": {}}
    assert off_script({}, {}, own=none) == []
    assert off_script({"culture.spin": 0.0}, {}, own=none) == ["culture.spin"]
    assert off_script({}, {"culture.spin": 0.0}, own=none) == ["culture.spin"]  # applied
    assert off_script({}, own={"A": {"structure.approval_depth": 3}, "B": {}}) == [
        "pane A's structure.approval_depth"
    ]
