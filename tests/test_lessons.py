"""Every lesson's promises as directional tests (issue 18).

Each lesson of ``scenarios/lessons/`` runs :data:`REPLICATIONS` times on paired seeds
(base seed :data:`SEED`, through the project's replication runner), with its compare
scenario and its counterfactual (the same file without its interventions). Each
promise of its ``[lesson]`` table must hold: the one-sided paired t test rejects "the
change is at most the stated margin in the promised direction" at 1 %
(:mod:`experiments.lessons.evidence`). A promise between two chapters is measured net
of time (minus the same change in the counterfactual).

A promise the current model does not bear out is not tuned away: it is marked
``xfail(strict=True)`` with its measured numbers (:data:`NOT_SHOWN`), so the day the
model bears it out the test fails and the mark must go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from experiments.lessons.evidence import SIGNIFICANCE, check_promise
from experiments.lessons.runs import LessonResult, library, run_lesson
from experiments.runner import local_executor
from sim.scenario import load_scenario
from sim.scenario.lesson import ESSAYS

REPLICATIONS = 16
"""Paired replications per lesson (as the essay claims use)."""
SEED = 18
"""Base seed of the tests (not the demo's default 0, on which the lessons were written)."""

NOT_SHOWN: dict[str, str] = {
    "conversation_not_followers/1": (
        "NOT SHOWN: credibility stops sliding after hour 72 as the story says (+0.0105 a day "
        "steeper, 95% CI +/-0.0007), but nearly all of it is trust settling with time: the "
        "same runs without the change settle as much, and net of time the gain is +0.00046 "
        "a day (95% CI -0.000006 to +0.00093; 16 paired seeds, base seed 18), below the "
        "0.002 margin. Listening moves effort from broadcasts to replies, and replies "
        "earn little trust in this model yet (issue 13 reworks trust from silence)."
    ),
    "silo_walls_come_down/0": (
        "NOT SHOWN: the median first response of answered threads falls by 6.9 h after "
        "the walls come down, but by 4.8 h in the same runs with the walls kept, so net of "
        "time it falls 2.1 h (95% CI -4.3 to +0.02; 16 paired seeds, base seed 18), not "
        "surely more than the 1 h margin. A median over answered threads is censored by "
        "the run's end (late threads count only if answered fast); the answered share of "
        "the same lesson does show the walls (promise 1)."
    ),
    "spin_replaced_by_honesty/0": (
        "NOT SHOWN AT THE MARGIN: after spin is replaced by honesty credibility slides "
        "0.0050 a day less than before, but 0.0040 of that is trust settling with time; "
        "net of time the gain is +0.00107 a day (95% CI +0.00096 to +0.00117; 16 paired "
        "seeds, base seed 18): real and in the promised direction, but half the stated "
        "0.002 margin. Spin found out (opinions.spin_found_probability) barely matters: "
        "with it at 0 the gain is the same."
    ),
}
"""``lesson/promise index`` -> why the current model does not bear that promise out."""


@pytest.fixture(scope="module")
def results() -> Iterator[Callable[[Path], LessonResult]]:
    """Each lesson's replications, made once for the module on one pool of two worker
    processes."""
    executor = local_executor(2)
    made: dict[Path, LessonResult] = {}

    def result(path: Path) -> LessonResult:
        if path not in made:
            made[path] = run_lesson(path, REPLICATIONS, SEED, executor=executor)
        return made[path]

    try:
        yield result
    finally:
        if executor is not None:
            executor.shutdown()


def _cases() -> list:
    cases = []
    for path in library():
        lesson = load_scenario(path).lesson
        assert lesson is not None
        for index, promise in enumerate(lesson.promises):
            key = f"{path.stem}/{index}"
            marks = []
            if key in NOT_SHOWN:
                marks = [pytest.mark.xfail(strict=True, reason=NOT_SHOWN[key])]
            label = f"{key}-{promise.kpi}-{promise.direction}"
            cases.append(pytest.param(path, index, id=label, marks=marks))
    return cases


@pytest.mark.parametrize(("path", "index"), _cases())
def test_lesson_promise(results, path: Path, index: int) -> None:
    result = results(path)
    check = check_promise(result, result.lesson.promises[index])
    sign = 1.0 if check.promise.direction == "up" else -1.0
    assert sign * check.change.mean > check.promise.margin, check.describe()
    assert check.p_value < SIGNIFICANCE, check.describe()


def test_every_essay_has_a_lesson() -> None:
    lessons = [load_scenario(path).lesson for path in library()]
    assert len(lessons) >= 8
    assert {lesson.essay.number for lesson in lessons if lesson} == set(ESSAYS)
