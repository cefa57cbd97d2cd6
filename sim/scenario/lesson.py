"""The ``[lesson]`` table: a trainer's narrative carried by a scenario file (issue 18).

A lesson is a scenario with an intervention timeline (MODEL.md 4.10) and, in the same
file, what a trainer says about it: a title, a two-sentence summary, the essay it
argues with a short quote, what to notice, things to try, and named chapters (time
spans of the run, each with a sentence). Its ``promises`` are the before/after changes
the narrative claims; the lessons' directional tests check each of them over paired
seeds (``tests/test_lessons.py``), and ``orgsim demo`` prints them.

The table is validated with the rest of the scenario (:class:`LessonField` is the type
of ``Scenario.lesson``): a chapter outside the run's hours (``time.hours``), a promise
naming a chapter that does not exist, or a missing title is an error naming the key
path, as every scenario error does.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.base import Hours, Section

__all__ = [
    "ESSAYS",
    "WINDOW_KPIS",
    "ChapterSpec",
    "EssaySpec",
    "LessonField",
    "LessonSpec",
    "PromiseSpec",
    "TrySpec",
]

ESSAYS = {
    "000": "What We're Missing re: Social Media",
    "001": "Social media can't do everything",
    "002": "Social Media is About Conversation",
    "003": 'From "social switchboard" to "direct dial"',
    "004": "Stop talking (most companies are really bad listeners)",
}
"""The five essays of ``MODEL.md`` (its ``seeds/``), by number."""

WINDOW_KPIS = (
    "threads_per_day",
    "answered_share",
    "answered_within_1h_share",
    "answered_within_24h_share",
    "first_response_hours_median",
    "resolved_share",
    "abandoned_share",
    "gaffes_per_100",
    "negative_reach_per_1k_per_day",
    "interactivity",
    "broadcasts_per_day",
    "credibility",
    "credibility_per_day",
    "sentiment",
    "sentiment_per_day",
    "fan_share",
    "fan_share_per_day",
    "detractor_share",
    "net_sentiment",
    "quality",
)
"""KPIs measured in one chapter's window (computed by :mod:`experiments.lessons.windows`,
defined there): thread KPIs over the threads opened in the window, opinion KPIs at
its end (and their change per day within it), counts per day within it."""

_OVERRIDE = re.compile(r"^[a-z_]+(\.[A-Za-z0-9_]+)+\s*=\s*\S.*$")


def _invalid(
    loc: tuple[str | int, ...], value: object, message: str, kind: str = "lesson"
) -> ValidationError:
    """A validation error at ``loc`` (relative to the model being validated), so the
    loader names the key and its value, not the whole table (``kind = "missing"``: a
    key that must be given, shown without a value)."""
    error = PydanticCustomError(kind, message)
    return ValidationError.from_exception_data(
        "LessonSpec", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


class EssaySpec(Section):
    """Which essay the lesson argues, in the essay's own words."""

    number: Literal["000", "001", "002", "003", "004"]
    """The essay's number in ``MODEL.md``'s seeds (``000`` to ``004``)."""
    quote: Annotated[str, Field(min_length=1, max_length=400)]
    """A short quote of its words, as written."""


class ChapterSpec(Section):
    """A named span of the run, with one sentence for the trainer to say."""

    name: Annotated[str, Field(min_length=1, max_length=40)]
    """Short name ("before", "the change", "after"); unique within the lesson."""
    start_hours: Hours
    """Where the chapter starts, in hours from the start of the run."""
    end_hours: Annotated[float, Field(gt=0.0, le=100_000.0)]
    """Where it ends, in hours; within the run (``time.hours``) and after the start."""
    text: Annotated[str, Field(min_length=1, max_length=600)]
    """What happens in it, in one sentence."""

    @model_validator(mode="after")
    def _ordered(self) -> ChapterSpec:
        if self.end_hours <= self.start_hours:
            message = f"must be after start_hours = {self.start_hours:g}"
            raise _invalid(("end_hours",), self.end_hours, message)
        return self


class TrySpec(Section):
    """A lever change for the trainer to try, and what to expect from it."""

    set: Annotated[tuple[str, ...], Field(min_length=1, max_length=8)]
    """``section.key=value`` overrides, as ``--set`` takes them (``orgsim demo LESSON --set
    ...`` runs them)."""
    expect: Annotated[str, Field(min_length=1, max_length=600)]
    """What the trainer should expect to see."""

    @model_validator(mode="after")
    def _overrides(self) -> TrySpec:
        for j, text in enumerate(self.set):
            if not _OVERRIDE.match(text):
                raise _invalid(("set", j), text, "expected section.key=value, as --set takes it")
        return self


class PromiseSpec(Section):
    """A change the narrative promises: ``kpi`` moves ``direction`` by more than
    ``margin`` from chapter ``against`` to chapter ``window`` of the same run, or,
    without ``against``, from the compared scenario (``lesson.compare``) to this one in
    the same window. Checked by the directional tests at 1 % significance."""

    kpi: Literal[WINDOW_KPIS]  # type: ignore[valid-type]
    """A KPI measured in the window (defined in ``experiments/lessons/windows.py``)."""
    window: Annotated[str, Field(min_length=1)]
    """The chapter where the change shows."""
    against: str | None = None
    """The chapter it is measured against (omitted: the same window of the compared scenario,
    which is then the baseline)."""
    direction: Literal["up", "down"]
    """Whether the KPI rises or falls."""
    margin: Annotated[float, Field(ge=0.0)] = 0.0
    """How much more than no change is promised, in the KPI's own unit."""


class LessonSpec(Section):
    """A teaching scenario's narrative (issue 18)."""

    title: Annotated[str, Field(min_length=1, max_length=120)]
    """The lesson's title."""
    summary: Annotated[str, Field(min_length=1, max_length=800)]
    """Two sentences: what the lesson shows."""
    essay: EssaySpec
    """The essay it argues, with a short quote."""
    what_to_notice: Annotated[str, Field(min_length=1, max_length=800)]
    """The curve or KPI to watch, and when."""
    things_to_try: Annotated[tuple[TrySpec, ...], Field(min_length=1, max_length=5)]
    """Two or three lever changes, each with what to expect."""
    chapters: Annotated[tuple[ChapterSpec, ...], Field(min_length=1, max_length=12)]
    """Named spans of the run, in order, not overlapping."""
    promises: Annotated[tuple[PromiseSpec, ...], Field(min_length=1, max_length=8)]
    """The changes the narrative promises (the directional tests check them)."""
    compare: str | None = None
    """Another scenario file (relative to this one) run on the same seeds beside this one:
    the dashboard's pane B, and the baseline of promises without ``against``."""

    @model_validator(mode="after")
    def _consistent(self) -> LessonSpec:
        names = [c.name for c in self.chapters]
        for i, chapter in enumerate(self.chapters):
            if names.index(chapter.name) != i:
                raise _invalid(("chapters", i, "name"), chapter.name, "names must be unique")
            if i and chapter.start_hours < self.chapters[i - 1].end_hours:
                message = (
                    "chapters must follow one another without overlap (the previous ends at "
                    f"{self.chapters[i - 1].end_hours:g})"
                )
                raise _invalid(("chapters", i, "start_hours"), chapter.start_hours, message)
        for i, promise in enumerate(self.promises):
            for key in ("window", "against"):
                name = getattr(promise, key)
                if name is not None and name not in names:
                    message = f"not a chapter; chapters are {names}"
                    raise _invalid(("promises", i, key), name, message)
            if promise.against is None and self.compare is None:
                message = "needed unless the lesson has a compare scenario (lesson.compare)"
                raise _invalid(("promises", i, "against"), None, message, "missing")
        return self

    def chapter(self, name: str) -> ChapterSpec:
        """The chapter called ``name``."""
        return next(c for c in self.chapters if c.name == name)


def _within_run(lesson: LessonSpec | None, info: ValidationInfo) -> LessonSpec | None:
    """Check the validated table's chapters against the run's hours (``time.hours``,
    validated before ``lesson``)."""
    time = info.data.get("time")
    if lesson is None or time is None:
        return lesson
    for i, chapter in enumerate(lesson.chapters):
        if chapter.end_hours > time.hours:
            message = f"outside the run: chapters must end by time.hours = {time.hours:g}"
            raise _invalid(("chapters", i, "end_hours"), chapter.end_hours, message)
    return lesson


LessonField = Annotated[LessonSpec | None, AfterValidator(_within_run)]
"""The type of ``Scenario.lesson``: an optional lesson, checked against ``time.hours``."""
