"""The lesson told on the terminal, chapter by chapter (``orgsim demo LESSON``).

Each chapter prints its sentence, then a table of the window's KPIs (mean ± 95 % CI
over the replications) with the paired change from the previous chapter, and, for a
lesson with a compare scenario, the paired difference lesson − compare. The lesson's
promises follow with their verdicts, then what to notice, the things to try (each as
a command) and the command that reproduces the run.
"""

from __future__ import annotations

import shlex

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from experiments.lessons.evidence import ChapterRow, chapter_rows, check_promise
from experiments.lessons.runs import COMPARE, LESSONS_DIR, WITHOUT_CHANGE, LessonResult
from experiments.lessons.windows import KPI_TEXT
from experiments.statistics import MeanCI
from sim.scenario.lesson import ESSAYS

__all__ = [
    "SHOWN",
    "lesson_argument",
    "plus_minus",
    "print_story",
    "reproduce_command",
    "shown_kpis",
]

SHOWN = (
    "threads_per_day",
    "answered_share",
    "answered_within_24h_share",
    "first_response_hours_median",
    "abandoned_share",
    "gaffes_per_100",
    "negative_reach_per_1k_per_day",
    "interactivity",
    "credibility",
    "credibility_per_day",
    "fan_share",
    "net_sentiment",
)
"""The window KPIs every story shows (a lesson's promised KPIs are added)."""


def shown_kpis(result: LessonResult) -> tuple[str, ...]:
    """:data:`SHOWN`, then any promised KPI not among them, in window-KPI order."""
    promised = {p.kpi for p in result.lesson.promises}
    return (*SHOWN, *(k for k in KPI_TEXT if k in promised and k not in SHOWN))


def plus_minus(estimate: MeanCI | None, signed: bool = False) -> str:
    """``mean ± half-width`` with three significant digits (``n/a`` when not finite)."""
    if estimate is None or estimate.mean != estimate.mean:
        return "n/a"
    sign = "+" if signed else ""
    ci = estimate.half_width
    return f"{estimate.mean:{sign}.3g} ± {ci:.2g}" if ci == ci else f"{estimate.mean:{sign}.3g}"


def lesson_argument(result: LessonResult) -> str:
    """How ``orgsim demo`` names the lesson: by name if it is in the library."""
    path = result.path.resolve()
    return path.stem if path.parent == LESSONS_DIR else str(result.path)


def reproduce_command(result: LessonResult, report: str | None = None) -> str:
    """The ``orgsim demo`` command that reproduces this result."""
    parts = ["orgsim", "demo", lesson_argument(result)]
    parts += ["--replications", str(result.replications)]
    parts += ["--seed", str(result.seed)]
    for text in result.overrides:
        parts += ["--set", text]
    if report:
        parts += ["--report", report]
    return shlex.join(parts)


def _chapter_table(rows: list[ChapterRow], compare: bool, first: bool, net: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("KPI")
    table.add_column("mean ± 95% CI", justify="right", no_wrap=True)
    if not first:
        table.add_column("change from previous chapter", justify="right", no_wrap=True)
        if net:
            table.add_column("… net of time", justify="right", no_wrap=True)
    if compare:
        table.add_column("lesson − compare", justify="right", no_wrap=True)
    for row in rows:
        cells = [Text(KPI_TEXT[row.kpi]), plus_minus(row.value)]
        if not first:
            cells.append(plus_minus(row.change, signed=True))
            if net:
                cells.append(plus_minus(row.net_change, signed=True))
        if compare:
            cells.append(plus_minus(row.versus_compare, signed=True))
        table.add_row(*cells)
    return table


def print_story(console: Console, result: LessonResult, report: str | None = None) -> None:
    """Print the lesson's story, chapter by chapter, with its evidence."""
    lesson = result.lesson
    console.print(Text(lesson.title, style="bold"))
    console.print(Text(lesson.summary))
    console.print(
        Text(f'"{lesson.essay.quote}" (essay {lesson.essay.number}, {ESSAYS[lesson.essay.number]})')
    )
    compare, without = result.index(COMPARE), result.index(WITHOUT_CHANGE)
    runs = f"{result.replications} paired replications, base seed {result.seed}, {result.hours:g} h"
    if compare is not None:
        runs += f"; compared with {result.scenarios[compare].name} on the same seeds"
    if without is not None:
        runs += "; net of time: the change minus the same change without the interventions"
    console.print(Text(runs))
    rows = [r for r in chapter_rows(result, shown_kpis(result)) if r.scenario_index == 0]
    for position, chapter in enumerate(lesson.chapters):
        console.print()
        span = f"{chapter.start_hours:g}–{chapter.end_hours:g} h"
        header = f"Chapter {position + 1}: {chapter.name} ({span})"
        console.print(Text(header, style="bold"))
        console.print(Text(chapter.text))
        mine = [r for r in rows if r.chapter == chapter.name]
        table = _chapter_table(mine, compare is not None, position == 0, without is not None)
        console.print(table)
    console.print(Text("What the lesson promises (one-sided paired t test)", style="bold"))
    for promise in lesson.promises:
        console.print(Text(f"- {check_promise(result, promise).describe()}"))
    console.print(Text("What to notice", style="bold"))
    console.print(Text(lesson.what_to_notice))
    console.print(Text("Things to try", style="bold"))
    for item in lesson.things_to_try:
        command = shlex.join(
            [
                "orgsim",
                "demo",
                lesson_argument(result),
                *(a for s in item.set for a in ("--set", s)),
            ]
        )
        console.print(Text(f"- {command}\n  {item.expect}"))
    console.print(Text("Reproduce", style="bold"))
    console.print(Text(reproduce_command(result, report)), soft_wrap=True)
