"""The ``[lesson]`` table is validated with the scenario (issue 18): a bad lesson is exit
2 from ``orgsim validate`` with one line naming the file, the key path, the value and
what is allowed; every shipped lesson is valid, and its things to try apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.lessons.runs import LESSONS_DIR, library
from sim.cli import main
from sim.scenario import ScenarioError, load_scenario

LESSON = LESSONS_DIR / "silo_walls_come_down.toml"


def variant(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """The shipped lesson with one text replaced, next to it in spirit (``extends``
    made absolute)."""
    text = LESSON.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    text = text.replace(old, new, count).replace(
        'extends = "../', f'extends = "{LESSONS_DIR.parent}/'
    )
    path = tmp_path / "lesson.toml"
    path.write_text(text, encoding="utf-8")
    return path


def validate(capsys, path: Path) -> tuple[int, str]:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    return code, captured.err.strip()


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_every_shipped_lesson_validates(capsys, path: Path) -> None:
    code, err = validate(capsys, path)
    assert code == 0, err


def test_the_library_has_eight_lessons_or_more() -> None:
    assert len(library()) >= 8


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_every_thing_to_try_applies(path: Path) -> None:
    lesson = load_scenario(path).lesson
    assert lesson is not None and 1 <= len(lesson.things_to_try) <= 3
    for item in lesson.things_to_try:
        tried = load_scenario(path, item.set)  # a lever that does not exist raises
        assert tried != load_scenario(path), item.set


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'title = "Silo walls come down"\n',
            "",
            "lesson.title: Field required",
        ),
        (
            "end_hours = 168",
            "end_hours = 200",
            "lesson.chapters.1.end_hours = 200.0: outside the run: chapters must end by "
            "time.hours = 168",
        ),
        (
            'window = "walls down"',
            'window = "later"',
            "lesson.promises.0.window = \"later\": not a chapter; chapters are ['walls', "
            "'walls down']",
        ),
        (
            "start_hours = 72",
            "start_hours = 60",
            "lesson.chapters.1.start_hours = 60.0: chapters must follow one another without "
            "overlap (the previous ends at 72)",
        ),
        (
            'against = "walls"',
            "",
            "lesson.promises.0.against: needed unless the lesson has a compare scenario",
        ),
        (
            'number = "000"',
            'number = "005"',
            "lesson.essay.number = \"005\": must be one of '000', '001', '002', '003' or '004'",
        ),
        (
            'set = ["culture.silo_permeability=0.5"]',
            'set = ["permeability up"]',
            'lesson.things_to_try.0.set.0 = "permeability up": expected section.key=value',
        ),
        (
            'kpi = "answered_share"',
            'kpi = "happiness"',
            'lesson.promises.1.kpi = "happiness": must be one of',
        ),
        (
            "[lesson]\n",
            "[lesson]\nmood = 1\n",
            "lesson.mood: unknown key",
        ),
    ],
    ids=[
        "missing-title",
        "chapter-outside-run",
        "promise-names-no-chapter",
        "chapters-overlap",
        "promise-without-baseline",
        "unknown-essay",
        "malformed-try",
        "unknown-kpi",
        "unknown-key",
    ],
)
def test_a_bad_lesson_is_exit_2_naming_the_file_and_key(capsys, tmp_path, old, new, expected):
    path = variant(tmp_path, old, new)
    code, err = validate(capsys, path)
    assert code == 2
    assert err.startswith(f"invalid {path}: "), err
    assert expected in err, err
    assert "\n" not in err and "Traceback" not in err
    assert "{'title'" not in err  # the key's value, never the whole table


def test_a_chapter_past_an_overridden_run_length_is_named(tmp_path) -> None:
    with pytest.raises(ScenarioError, match=r"lesson\.chapters\.1\.end_hours = 168\.0"):
        load_scenario(LESSON, ["time.hours=100"])


def test_a_scenario_without_a_lesson_has_none() -> None:
    assert load_scenario(LESSONS_DIR.parent / "switchboard.toml").lesson is None
