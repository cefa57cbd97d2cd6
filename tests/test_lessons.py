"""Every lesson's promises as directional tests (issue 18).

Each lesson of ``scenarios/lessons/`` runs :data:`REPLICATIONS` times on paired seeds
(base seed :data:`SEED`, through the project's replication runner), with its compare
scenario and its counterfactual (the same file without its interventions). Each
promise of its ``[lesson]`` table must hold: the one-sided paired t test rejects "the
change is at most the stated margin in the promised direction" at 1 %
(:mod:`experiments.lessons.evidence`). A promise between two chapters is measured net
of time (minus the same change in the counterfactual).

A promise the current model does not bear out is not tuned away: the lesson is
rewritten (another KPI that tells its story honestly) or dropped (docs/LESSONS.md says
which, with the numbers). While that is being decided, the promise is marked
``xfail(strict=True)`` with its measured numbers in :data:`NOT_SHOWN` (empty today), so
the day the model bears it out the test fails and the mark must go.
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

NOT_SHOWN: dict[str, str] = {}
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
