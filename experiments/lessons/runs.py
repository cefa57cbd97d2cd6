"""Running a lesson: R paired replications through the project's replication runner.

A lesson's file, its ``compare`` scenario when it has one, and its counterfactual (the
same file without its interventions, when a promise compares chapters) become jobs of
:func:`experiments.runner.jobs_for`, so replication ``k`` of every scenario runs on
the same seed (common random numbers). The counterfactual tells what time alone does
between two chapters (queues filling, trust settling), so that a promised change is
measured net of it. Each run is measured by
:class:`ChapterMeasurement`: the KPIs of every chapter's window
(:func:`experiments.lessons.windows.window_kpis`) and the hourly series for the
curves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from experiments.lessons.windows import window_kpis
from experiments.measurements import hourly
from experiments.runner import Job, jobs_for, run_jobs
from sim.model import OrgModel
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.lesson import LessonSpec

__all__ = [
    "COMPARE",
    "LESSON",
    "LESSONS_DIR",
    "WITHOUT_CHANGE",
    "ChapterMeasurement",
    "LessonResult",
    "LessonRun",
    "find_lesson",
    "library",
    "load_lesson",
    "run_lesson",
]

LESSONS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "lessons"
"""The shipped teaching library."""

LESSON, COMPARE, WITHOUT_CHANGE = "lesson", "compare", "without the change"
"""The roles of a lesson's scenarios: the lesson itself, its compare scenario, and its
counterfactual (the lesson's file without its interventions)."""


@dataclass(frozen=True, eq=False)
class LessonRun:
    """What one run of a lesson sends back (small and picklable).

    Attributes
    ----------
    scenario_index, replication
        The run's key (0: the lesson, 1: its compare scenario).
    chapters
        Chapter name to its window KPIs.
    series
        The per-tick series at whole hours (:func:`experiments.measurements.hourly`).
    """

    scenario_index: int
    replication: int
    chapters: dict[str, dict[str, float]]
    series: dict[str, np.ndarray]


@dataclass(frozen=True)
class ChapterMeasurement:
    """The runner's measurement for lessons: every chapter's KPIs and the series.

    Attributes
    ----------
    chapters
        ``(name, start_hours, end_hours)`` of each chapter.
    """

    chapters: tuple[tuple[str, float, float], ...]

    def __call__(self, model: OrgModel, job: Job) -> LessonRun:
        threads, series = model.threads(), model.series()
        n = model.size()["customers"]
        return LessonRun(
            job.scenario_index,
            job.replication,
            {name: window_kpis(threads, series, n, a, b) for name, a, b in self.chapters},
            hourly(series, model.dt_hours),
        )


@dataclass(frozen=True)
class LessonResult:
    """R paired replications of a lesson (and of its compare scenario).

    Attributes
    ----------
    path
        The lesson's file.
    scenarios
        The lesson's scenario, then its compare scenario and its counterfactual, if it
        has them.
    roles
        Each scenario's role: :data:`LESSON`, :data:`COMPARE`, :data:`WITHOUT_CHANGE`.
    runs
        Every run, sorted by (scenario index, replication).
    replications, seed, hours, overrides
        How it was run.
    """

    path: Path
    scenarios: tuple[Scenario, ...]
    roles: tuple[str, ...]
    runs: tuple[LessonRun, ...]
    replications: int
    seed: int
    hours: float
    overrides: tuple[str, ...] = ()

    @property
    def lesson(self) -> LessonSpec:
        lesson = self.scenarios[0].lesson
        assert lesson is not None
        return lesson

    def index(self, role: str) -> int | None:
        """The scenario index of a role (``None`` if this lesson has none)."""
        return self.roles.index(role) if role in self.roles else None

    def values(self, scenario_index: int, chapter: str, kpi: str) -> np.ndarray:
        """One KPI in one chapter, replication by replication (paired across
        chapters and scenarios)."""
        runs = [r for r in self.runs if r.scenario_index == scenario_index]
        return np.array([r.chapters[chapter][kpi] for r in runs], dtype=float)


def library(directory: Path = LESSONS_DIR) -> list[Path]:
    """Every lesson file of the library (a scenario with a ``[lesson]`` table), by
    name; files without one (shared worlds, compare scenarios) are left out."""
    found = []
    for path in sorted(directory.glob("*.toml")):
        if "[lesson]" in path.read_text(encoding="utf-8"):
            found.append(path)
    return found


def find_lesson(name: str, directory: Path = LESSONS_DIR) -> Path:
    """A lesson by file, or by name in the library (``tear_down_the_switchboard``).

    Raises
    ------
    ScenarioError
        If it is neither a file nor a lesson of the library.
    """
    path = Path(name)
    if path.suffix == ".toml" or path.exists():
        return path
    candidate = directory / f"{name}.toml"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in library(directory))
    raise ScenarioError(f"lesson {name!r}: not a file nor a lesson; lessons are {known}")


def load_lesson(
    path: Path, overrides: Sequence[str] = ()
) -> tuple[tuple[Scenario, ...], tuple[str, ...]]:
    """The lesson's scenarios (same overrides) and their roles: the lesson, its
    compare scenario if any, and its counterfactual if a promise compares chapters.

    Raises
    ------
    ScenarioError
        If one is invalid, or the file has no ``[lesson]`` table.
    """
    scenario = load_scenario(path, overrides)
    lesson = scenario.lesson
    if lesson is None:
        raise ScenarioError(f"{path}: lesson: no [lesson] table; this is not a lesson")
    scenarios, roles = [scenario], [LESSON]
    if lesson.compare is not None:
        scenarios.append(load_scenario(Path(path).parent / lesson.compare, overrides))
        roles.append(COMPARE)
    if any(p.against is not None for p in lesson.promises):
        without = load_scenario(path, [*overrides, "interventions=[]"])
        scenarios.append(without.model_copy(update={"name": f"{scenario.name}, no change"}))
        roles.append(WITHOUT_CHANGE)
    return tuple(scenarios), tuple(roles)


def run_lesson(
    path: Path,
    replications: int,
    seed: int = 0,
    overrides: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LessonResult:
    """Run a lesson R times on paired seeds (:func:`experiments.runner.jobs_for`).

    Parameters
    ----------
    path
        The lesson's file.
    replications
        Paired replications.
    seed
        Base seed: replication ``k`` runs on ``SeedSequence(seed).spawn(R)[k]``.
    overrides
        ``--set`` strings for every scenario of the lesson.
    executor, progress
        As :func:`experiments.runner.run_jobs` takes them.
    """
    scenarios, roles = load_lesson(path, overrides)
    lesson = scenarios[0].lesson
    assert lesson is not None
    hours = scenarios[0].time.hours
    chapters = tuple((c.name, c.start_hours, c.end_hours) for c in lesson.chapters)
    jobs = jobs_for(scenarios, replications, seed, hours)
    finished = run_jobs(jobs, ChapterMeasurement(chapters), executor=executor, progress=progress)
    return LessonResult(
        Path(path),
        scenarios,
        roles,
        tuple(run.measured for run in finished),
        replications,
        seed,
        hours,
        tuple(overrides),
    )
