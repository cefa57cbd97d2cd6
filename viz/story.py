"""Story mode: a trainer plays a lesson of ``scenarios/lessons/`` in the dashboard.

Choosing a lesson loads its scenario into pane A and, in pane B, its compare scenario
or else the same file without its interventions (the run as it would have gone without
the change, on the same seed). While it plays, a callout says what the chapter or
intervention just reached changed, and what to watch. Moving a lever, or a pane's own
value, leaves the script: the page says so, and offers the way back.

:class:`Story` and :func:`story_for` are the view-model (no browser needed);
:func:`StoryPanel` is the Solara component that ``viz/app.py`` places above the panes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import solara

from experiments.lessons.runs import library
from sim.scenario import load_scenario
from sim.scenario.lesson import ESSAYS

__all__ = ["Callout", "Story", "StoryPanel", "lesson_files", "off_script", "story_for"]

WITHOUT_CHANGE = "interventions=[]"
"""Pane B's own ``--set`` for a lesson without a compare scenario."""


@dataclass(frozen=True)
class Callout:
    """What the trainer reads at one boundary of the run.

    Attributes
    ----------
    hours
        Where it starts to show.
    title
        A chapter ("Chapter 2: the change") or an intervention's label.
    text
        What just changed, and what to watch.
    """

    hours: float
    title: str
    text: str


@dataclass(frozen=True)
class Story:
    """A lesson as the dashboard plays it.

    Attributes
    ----------
    path, b_path
        Pane A's file (the lesson) and pane B's.
    b_sets
        Pane B's own ``--set`` strings (:data:`WITHOUT_CHANGE` without a compare
        scenario).
    b_note
        What pane B shows, in words.
    title, summary, quote, essay, what_to_notice
        From the ``[lesson]`` table (``essay``: number and title).
    callouts
        Every chapter start and intervention, in time order.
    """

    path: str
    b_path: str
    b_sets: tuple[str, ...]
    b_note: str
    title: str
    summary: str
    quote: str
    essay: str
    what_to_notice: str
    callouts: tuple[Callout, ...]

    @property
    def panes(self) -> tuple[str, str]:
        return self.path, self.b_path

    def current(self, hours: float) -> list[Callout]:
        """The callouts of the last boundary reached at ``hours`` (the first one at
        the start)."""
        reached = [c for c in self.callouts if c.hours <= hours] or list(self.callouts[:1])
        last = reached[-1].hours
        return [c for c in reached if c.hours == last]

    def upcoming(self, hours: float) -> Callout | None:
        """The next callout after ``hours``, if any."""
        return next((c for c in self.callouts if c.hours > hours), None)


def _changes(values: Mapping[str, object]) -> str:
    """``path → value`` for each lever an intervention sets (switches as on / off)."""

    def shown(value: object) -> str:
        return ("on" if value else "off") if isinstance(value, bool) else str(value)

    return ", ".join(f"{path} → {shown(value)}" for path, value in values.items())


def story_for(path: str | Path) -> Story:
    """The story of one lesson file (its scenario validated as any other).

    Examples
    --------
    >>> story = story_for(lesson_files()["Tear down the switchboard"])
    >>> [c.title for c in story.current(0.0)]
    ['Chapter 1: switchboard']
    >>> [c.title for c in story.current(72.25)]
    ['Chapter 2: the change', 'tear down the switchboard']
    >>> story.b_sets
    ('interventions=[]',)
    """
    scenario = load_scenario(path)
    lesson = scenario.lesson
    if lesson is None:
        raise ValueError(f"{path}: not a lesson (no [lesson] table)")
    callouts = [
        Callout(c.start_hours, f"Chapter {i + 1}: {c.name}", c.text)
        for i, c in enumerate(lesson.chapters)
    ]
    for intervention in scenario.interventions:
        parts = []
        if intervention.set:
            ramp = f" over {intervention.ramp_hours:g} h" if intervention.ramp_hours else ""
            parts.append(f"What changed: {_changes(intervention.set)}{ramp}.")
        if intervention.crisis is not None:
            crisis = intervention.crisis
            parts.append(
                f"What changed: a crisis, {crisis.threads} complaints about {crisis.topic} "
                f"over {crisis.hours:g} h."
            )
        parts.append(f"Watch: {lesson.what_to_notice}")
        title = intervention.label or "intervention"
        callouts.append(Callout(intervention.at_hours, title, " ".join(parts)))
    callouts.sort(key=lambda c: c.hours)  # stable: a chapter before its intervention
    if lesson.compare is not None:
        b_path = str(Path(path).parent / lesson.compare)
        b_sets: tuple[str, ...] = ()
        b_note = f"B: {load_scenario(b_path).name}, the compared scenario, on the same seed"
    else:
        b_path, b_sets = str(path), (WITHOUT_CHANGE,)
        b_note = "B: the same lesson without its interventions, on the same seed"
    number = lesson.essay.number
    return Story(
        path=str(path),
        b_path=b_path,
        b_sets=b_sets,
        b_note=b_note,
        title=lesson.title,
        summary=lesson.summary,
        quote=lesson.essay.quote,
        essay=f"essay {number}, {ESSAYS[number]}",
        what_to_notice=lesson.what_to_notice,
        callouts=tuple(callouts),
    )


def lesson_files() -> dict[str, str]:
    """Each shipped lesson's title -> its file, in the library's order."""
    files = {}
    for path in library():
        lesson = load_scenario(path).lesson
        if lesson is not None:
            files[lesson.title] = str(path)
    return files


def off_script(
    *changed: Mapping[str, object], own: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """What takes the run off the lesson's script: levers moved in the sidebar (staged
    or applied: each mapping is lever path -> value) and a pane's own values. Empty
    when on script.

    Examples
    --------
    >>> off_script({"culture.spin": 0.1}, {"culture.spin": 0.1}, own={"A": {}, "B": {}})
    ['culture.spin']
    >>> off_script({}, own={"A": {}, "B": {"culture.honesty": 0.9}})
    ["pane B's culture.honesty"]
    """
    moved = list(dict.fromkeys(path for levers in changed for path in levers))
    for pane, values in own.items():
        moved += [f"pane {pane}'s {path}" for path in values]
    return moved


_BOX = (
    "border-left:4px solid {color};background:{background};padding:6px 10px;"
    "margin:4px 0;font-size:13px;max-width:1100px"
)


def _callouts_html(story: Story, hours: float) -> str:
    shown = story.current(hours)
    items = "".join(
        f"<div><b>{escape(c.title)}</b> (from {c.hours:g} h): {escape(c.text)}</div>" for c in shown
    )
    following = story.upcoming(hours)
    ahead = (
        f'<div style="color:#666;font-size:12px">next, at {following.hours:g} h: '
        f"{escape(following.title)}</div>"
        if following is not None
        else '<div style="color:#666;font-size:12px">the last chapter: play to the end</div>'
    )
    style = _BOX.format(color="#4a78a8", background="#eef3f9")
    return (
        f'<div id="story-callout" data-hours="{shown[0].hours!r}" style="{style}">'
        f"{items}{ahead}</div>"
    )


@solara.component
def StoryPanel(
    story: solara.Reactive[Story | None],
    load: Callable[[Story], None],
    hours: float,
    moved: list[str],
    busy: bool,
):
    """The "Lessons" picker, the lesson's summary and quote, the callout of the
    boundary just reached, and the "left the script" notice.

    Parameters
    ----------
    story
        The lesson being played (``None``: story mode is off).
    load
        Loads a story into the panes (on its script: no lever moved).
    hours
        Simulated time of the panes.
    moved
        What has left the script (:func:`off_script`).
    busy
        Whether the panes are being built (the picker waits).
    """
    files = solara.use_memo(lesson_files, [])
    message = solara.use_reactive("")
    none = "— choose a lesson —"
    current = story.value

    def pick(title: str) -> None:
        if title == none or title not in files:
            return
        try:
            load(story_for(files[title]))
        except Exception as error:  # a broken lesson file: said, not raised
            message.value = f"{type(error).__name__}: {error}"
        else:
            message.value = ""

    with solara.Column(gap="2px", classes=["story-mode"]):
        with solara.Row(gap="8px", style={"align-items": "center"}):
            with solara.Column(style={"width": "360px"}, gap="0px"):
                solara.Select(
                    "Lessons (story mode)",
                    values=[none, *files],
                    value=current.title if current is not None else none,
                    on_value=pick,
                    dense=True,
                    disabled=busy,
                )
            if current is not None:
                solara.Button(
                    "Back to the script" if moved else "Restart the lesson",
                    on_click=lambda: load(current),
                    small=True,
                    disabled=busy,
                )
        if message.value:
            solara.Error(message.value, dense=True)
        if current is None:
            return
        intro = (
            f'<div id="story-intro" style="font-size:13px;max-width:1100px">'
            f"<b>{escape(current.title)}</b> — {escape(current.summary)}"
            f'<blockquote style="margin:4px 0 4px 8px;font-style:italic;color:#333">'
            f"“{escape(current.quote)}” <span style='font-style:normal;color:#666'>"
            f"({escape(current.essay)})</span></blockquote>"
            f'<div style="color:#555;font-size:12px">A: the lesson · {escape(current.b_note)}. '
            f"Watch: {escape(current.what_to_notice)}</div></div>"
        )
        solara.HTML(tag="div", unsafe_innerHTML=intro)
        solara.HTML(tag="div", unsafe_innerHTML=_callouts_html(current, hours))
        if moved:
            style = _BOX.format(color="#b3261e", background="#fbeeee")
            notice = (
                f'<div id="story-off-script" style="{style}"><b>You have left the script.</b> '
                f"Changed: {escape(', '.join(moved))}. The callouts tell the lesson as "
                "written; what you see now is your own experiment (press Reset to apply "
                "it, or Back to the script).</div>"
            )
            solara.HTML(tag="div", unsafe_innerHTML=notice)
