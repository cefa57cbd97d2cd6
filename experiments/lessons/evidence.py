"""What a lesson's replications show: each chapter's KPIs, the change from the
previous chapter, and whether each promise of the narrative holds.

Changes are paired: chapter ``b`` minus chapter ``a`` of the same run (or the lesson
minus its compare scenario on the same seed), then a 95 % Student t interval over the
replications (:func:`experiments.statistics.mean_ci`). A promise holds when the
one-sided paired t test rejects "the change is at most ``margin`` in the promised
direction" at 1 % significance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from experiments.lessons.runs import LessonResult
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
    versus_compare
        The paired difference lesson − compare scenario in this chapter (``None``
        without a compare scenario, and in the compare scenario's own rows).
    """

    kpi: str
    chapter: str
    scenario_index: int
    value: MeanCI
    change: MeanCI | None
    versus_compare: MeanCI | None


def chapter_rows(result: LessonResult, kpis: tuple[str, ...] = WINDOW_KPIS) -> list[ChapterRow]:
    """Every (scenario, chapter, KPI) row, chapters in order."""
    names = [c.name for c in result.lesson.chapters]
    rows = []
    for index in range(len(result.scenarios)):
        for position, chapter in enumerate(names):
            for kpi in kpis:
                here = result.values(index, chapter, kpi)
                change = None
                if position:
                    change = mean_ci(here - result.values(index, names[position - 1], kpi))
                versus = None
                if index == 0 and len(result.scenarios) > 1:
                    versus = mean_ci(here - result.values(1, chapter, kpi))
                rows.append(ChapterRow(kpi, chapter, index, mean_ci(here), change, versus))
    return rows


@dataclass(frozen=True)
class PromiseCheck:
    """A promise against the replications.

    Attributes
    ----------
    promise
        What the narrative promises.
    change
        The paired change (window − against, or lesson − compare) and its 95 % CI.
    p_value
        One-sided paired t test of "the change exceeds ``margin`` in the promised
        direction" (NaN with fewer than two finite pairs, or no spread).
    """

    promise: PromiseSpec
    change: MeanCI
    p_value: float

    @property
    def holds(self) -> bool:
        """Whether the test rejects the opposite at :data:`SIGNIFICANCE`."""
        return bool(self.p_value < SIGNIFICANCE)

    def describe(self) -> str:
        """One line: the promise, the measured change and the verdict."""
        p = self.promise
        against = f"'{p.against}'" if p.against else "the compared scenario"
        verdict = "holds" if self.holds else "NOT shown"
        return (
            f"{p.kpi} {'rises' if p.direction == 'up' else 'falls'} by more than "
            f"{p.margin:g} from {against} to '{p.window}': change {self.change.mean:+.4g} "
            f"± {self.change.half_width:.2g} (95 % CI, n = {self.change.n}), "
            f"one-sided p = {self.p_value:.2g}: {verdict} at {SIGNIFICANCE:g}"
        )


def promise_changes(result: LessonResult, promise: PromiseSpec) -> np.ndarray:
    """The promised change replication by replication."""
    here = result.values(0, promise.window, promise.kpi)
    if promise.against is not None:
        return here - result.values(0, promise.against, promise.kpi)
    return here - result.values(1, promise.window, promise.kpi)


def check_promise(result: LessonResult, promise: PromiseSpec) -> PromiseCheck:
    """Test one promise over the paired replications (:class:`PromiseCheck`)."""
    changes = promise_changes(result, promise)
    changes = changes[np.isfinite(changes)]
    sign = 1.0 if promise.direction == "up" else -1.0
    shifted = sign * changes - promise.margin
    if shifted.size < 2 or np.ptp(shifted) == 0:
        p_value = 0.0 if shifted.size >= 2 and shifted[0] > 0 else float("nan")
    else:
        p_value = float(stats.ttest_1samp(shifted, 0.0, alternative="greater").pvalue)
    return PromiseCheck(promise, mean_ci(changes), p_value)
