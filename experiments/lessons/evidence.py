"""What a lesson's replications show: each chapter's KPIs, the change from the
previous chapter, and whether each promise of the narrative holds.

Changes are paired: chapter ``b`` minus chapter ``a`` of the same run (or the lesson
minus its compare scenario on the same seed), then a 95 % Student t interval over the
replications (:func:`experiments.statistics.mean_ci`).

A promise between two chapters is tested *net of time*: the change between them in the
lesson minus the same change in its counterfactual (the lesson without its
interventions, on the same seed), so that what time alone does (queues filling from
empty, trust settling towards its level) is not credited to the intervention. A
promise against the compare scenario is the paired difference in its window. It holds
when the one-sided paired t test rejects "the change is at most ``margin`` in the
promised direction" at 1 % significance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from experiments.lessons.runs import COMPARE, LESSON, WITHOUT_CHANGE, LessonResult
from experiments.statistics import MeanCI, mean_ci
from sim.scenario.lesson import WINDOW_KPIS, PromiseSpec

__all__ = [
    "SIGNIFICANCE",
    "ChapterRow",
    "PromiseCheck",
    "chapter_rows",
    "check_promise",
    "promise_changes",
]

SIGNIFICANCE = 0.01
"""Significance of the directional tests of the lessons' promises."""


@dataclass(frozen=True)
class ChapterRow:
    """One KPI in one chapter of one scenario.

    Attributes
    ----------
    kpi, chapter, scenario_index
        What and where.
    value
        Its mean and 95 % CI over the replications.
    change
        The paired change from the previous chapter (``None`` in the first).
    net_change
        That change minus the same change without the lesson's interventions (``None``
        in the first chapter, or without a counterfactual).
    versus_compare
        The paired difference lesson − compare scenario in this chapter (``None``
        without a compare scenario, and in the compare scenario's own rows).
    """

    kpi: str
    chapter: str
    scenario_index: int
    value: MeanCI
    change: MeanCI | None
    net_change: MeanCI | None
    versus_compare: MeanCI | None


def _step(result: LessonResult, index: int, kpi: str, a: str, b: str) -> np.ndarray:
    """Chapter ``b`` minus chapter ``a`` of scenario ``index``, run by run."""
    return result.values(index, b, kpi) - result.values(index, a, kpi)


def chapter_rows(
    result: LessonResult,
    kpis: tuple[str, ...] = WINDOW_KPIS,
    roles: tuple[str, ...] = (LESSON, COMPARE),
) -> list[ChapterRow]:
    """Every (scenario, chapter, KPI) row of the scenarios in these roles (default:
    the lesson and its compare scenario), chapters in order."""
    names = [c.name for c in result.lesson.chapters]
    compare, without = result.index(COMPARE), result.index(WITHOUT_CHANGE)
    rows = []
    for index in (i for i, role in enumerate(result.roles) if role in roles):
        mine = result.roles[index] == LESSON
        for position, chapter in enumerate(names):
            for kpi in kpis:
                here = result.values(index, chapter, kpi)
                change = net = versus = None
                if position:
                    step = _step(result, index, kpi, names[position - 1], chapter)
                    change = mean_ci(step)
                    if mine and without is not None:
                        net = mean_ci(
                            step - _step(result, without, kpi, names[position - 1], chapter)
                        )
                if mine and compare is not None:
                    versus = mean_ci(here - result.values(compare, chapter, kpi))
                rows.append(ChapterRow(kpi, chapter, index, mean_ci(here), change, net, versus))
    return rows


@dataclass(frozen=True)
class PromiseCheck:
    """A promise against the replications.

    Attributes
    ----------
    promise
        What the narrative promises.
    change
        The paired change tested, with its 95 % CI: (window − against) in the lesson
        net of the same in its counterfactual, or lesson − compare in the window.
    seen
        What a trainer sees in one run: window − against in the lesson (``None`` for
        a promise against the compare scenario).
    p_value
        One-sided paired t test of "the change exceeds ``margin`` in the promised
        direction" (NaN with fewer than two finite pairs, or no spread).
    """

    promise: PromiseSpec
    change: MeanCI
    p_value: float
    seen: MeanCI | None = None

    @property
    def holds(self) -> bool:
        """Whether the test rejects the opposite at :data:`SIGNIFICANCE`."""
        return bool(self.p_value < SIGNIFICANCE)

    def describe(self) -> str:
        """One line: the promise, the measured change and the verdict."""
        p = self.promise
        against = f"'{p.against}'" if p.against else "the compared scenario"
        verdict = "holds" if self.holds else "NOT shown"
        seen = ""
        if self.seen is not None:
            seen = f"seen {self.seen.mean:+.4g} ± {self.seen.half_width:.2g}, net of time "
        return (
            f"{p.kpi} {'rises' if p.direction == 'up' else 'falls'} by more than "
            f"{p.margin:g} from {against} to '{p.window}': {seen}"
            f"{self.change.mean:+.4g} ± {self.change.half_width:.2g} (95 % CI, "
            f"n = {self.change.n}), one-sided p = {self.p_value:.2g}: {verdict} at "
            f"{SIGNIFICANCE:g}"
        )


def promise_changes(result: LessonResult, promise: PromiseSpec) -> tuple[np.ndarray, ...]:
    """The promised change replication by replication: (tested, seen), where seen is
    the lesson's own window − against (empty for a promise against the compare
    scenario)."""
    kpi, window, against = promise.kpi, promise.window, promise.against
    if against is None:
        here = result.values(0, window, kpi)
        compare = result.index(COMPARE)
        assert compare is not None
        return here - result.values(compare, window, kpi), np.empty(0)
    seen = _step(result, 0, kpi, against, window)
    without = result.index(WITHOUT_CHANGE)
    assert without is not None
    return seen - _step(result, without, kpi, against, window), seen


def check_promise(result: LessonResult, promise: PromiseSpec) -> PromiseCheck:
    """Test one promise over the paired replications (:class:`PromiseCheck`)."""
    changes, seen = promise_changes(result, promise)
    changes = changes[np.isfinite(changes)]
    sign = 1.0 if promise.direction == "up" else -1.0
    shifted = sign * changes - promise.margin
    if shifted.size < 2 or np.ptp(shifted) == 0:
        p_value = 0.0 if shifted.size >= 2 and shifted[0] > 0 else float("nan")
    else:
        p_value = float(stats.ttest_1samp(shifted, 0.0, alternative="greater").pvalue)
    return PromiseCheck(promise, mean_ci(changes), p_value, mean_ci(seen) if seen.size else None)
