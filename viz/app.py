"""The executives' dashboard page (Solara), run by ``orgsim dashboard``.

One :class:`viz.session.Comparison` per browser session (built in the page component
with ``solara.use_memo``, never at module level: a module-level model would be shared
by every session). Playing and stepping run in a background thread
(:class:`viz.session.Player`), which publishes immutable snapshots a few times a
second; the page draws only snapshots.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import solara
import solara.lab

from sim.cli import MAX_SEED
from sim.organization import structure_names
from sim.scenario import ScenarioError, load_scenario
from viz.config import AppConfig, read_config
from viz.ensemble import EnsembleResult, draw_ensemble, ensemble_rows, run_ensemble
from viz.export import export_zip
from viz.fragments import STYLE, cards_html, clock_text, flows_html, grid_html
from viz.kpi_cards import format_value, kpi_cards
from viz.levers import (
    LEVERS,
    Lever,
    LeverValue,
    after_intervention,
    lever,
    lever_error,
    overrides_for,
    parse_typed,
    parse_value,
    scenario_values,
)
from viz.plots import draw_panels, plot_panels
from viz.session import (
    PANES,
    Comparison,
    LeverError,
    PaneError,
    Player,
    Settings,
    Snapshot,
    validate,
)
from viz.story import Story, StoryPanel, off_script
from viz.thread_view import most_recent, most_spread, outcome_text, path_html, table_html

SPEEDS: dict[str, float] = {
    "1 hour / s": 1.0,
    "6 hours / s": 6.0,
    "1 day / s": 24.0,
    "1 week / s": 168.0,
    "as fast as possible": math.inf,
}
AFTER = "A after an intervention"
"""Pane B's third choice: pane A's scenario, switching structure mid-run."""
REDRAW_SECONDS = 0.3
"""At most about three redraws a second while playing."""

_CONFIG: AppConfig | None = None


def config() -> AppConfig:
    """The command's settings (read once per server process; no model in here)."""
    global _CONFIG
    if _CONFIG is None:
        _CONFIG = read_config()
    return _CONFIG


def file_values(paths: tuple[str, str], base: tuple[str, ...]) -> dict[str, dict[str, LeverValue]]:
    """Each lever's value in pane A's and pane B's file (with the command's ``--set``),
    before any lever of the sidebar."""
    return {
        pane: scenario_values(load_scenario(path, base))
        for pane, path in zip(PANES, paths, strict=True)
    }


def _label(path: str, options: tuple[str, ...]) -> str:
    stem = Path(path).stem
    same = [p for p in options if Path(p).stem == stem]
    return stem if len(same) == 1 else f"{stem} ({Path(path).parent.name})"


@dataclass
class SessionState:
    """The per-session objects the page keeps across renders."""

    comparison: Comparison
    player: Player | None = None
    on_publish: Callable[[Snapshot, bool], None] | None = None
    extra: dict = field(default_factory=dict)


@solara.component
def LeverControl(
    item: Lever,
    values: dict[str, dict[str, LeverValue]],
    staged: solara.Reactive[dict],
    errors: solara.Reactive[dict],
    texts: solara.Reactive[dict],
    scenarios: tuple[str, str],
    base: tuple[str, ...],
):
    """One lever: a slider, switch or typed field, the schema's tooltip and message."""
    a, b = values["A"][item.path], values["B"][item.path]
    changed = item.path in staged.value
    current = staged.value.get(item.path, a)

    def stage(value: LeverValue) -> None:
        message = None
        for scenario in scenarios:
            message = message or lever_error(scenario, item.path, value, base)
        if message != errors.value.get(item.path):
            others = {k: v for k, v in errors.value.items() if k != item.path}
            errors.value = others | ({item.path: message} if message else {})
        if value == current and (changed or value == a):
            return  # a control echoing its own value (e.g. on mount) changes nothing
        if value == a and value == b:  # back at both files' value: nothing to override
            staged.value = {k: v for k, v in staged.value.items() if k != item.path}
        else:
            staged.value = {**staged.value, item.path: value}

    def typed(text: str | None) -> None:
        texts.value = {**texts.value, item.path: text or ""}
        try:
            value = parse_typed(item.path, text or "")
        except ScenarioError as error:
            errors.value = {**errors.value, item.path: str(error)}
            return
        stage(value)

    def revert() -> None:
        staged.value = {k: v for k, v in staged.value.items() if k != item.path}
        texts.value = {k: v for k, v in texts.value.items() if k != item.path}
        errors.value = {k: v for k, v in errors.value.items() if k != item.path}

    def show(value: LeverValue) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        return f"{value:,.10g}" if isinstance(value, int) else f"{value:.3g}"

    file_text = f"file: A {show(a)}" + (f" · B {show(b)}" if a != b else "")
    note = f"set to {show(current)} for both panes" if changed else file_text
    message = errors.value.get(item.path)
    tooltip = f"{item.path} ({item.range_text}): {item.description}"
    with solara.Column(gap="0px", style={"margin-bottom": "6px"}):
        with solara.Tooltip(tooltip), solara.Column(gap="0px"):
            if item.control == "slider":
                solara.SliderFloat(
                    item.label,
                    value=float(current),
                    min=float(item.minimum or 0.0),
                    max=float(item.maximum or 1.0),
                    step=item.step,
                    on_value=stage,
                )
            elif item.control == "switch":
                solara.Switch(label=item.label, value=bool(current), on_value=stage)
            else:
                text = texts.value.get(item.path, show(current).replace(",", ""))
                with solara.Column(style={"padding-top": "14px"}, gap="0px"):
                    solara.InputText(
                        f"{item.label} [{item.range_text}]",
                        value=text,
                        on_value=typed,
                        error=message or False,
                        dense=True,
                    )
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.Text(note, style={"font-size": "11px", "color": "#555"})
            if changed:
                solara.Button("file value", on_click=revert, text=True, x_small=True)
        if message and item.control != "typed":
            solara.Text(message, style={"font-size": "11px", "color": "#b3261e"})


def parse_hour(text: str) -> tuple[float | None, str]:
    """The switch hour typed in: ``(hours, "")``, or ``(None, message)``.

    Examples
    --------
    >>> parse_hour("12"), parse_hour("0")
    ((12.0, ''), (None, "switch hour '0': must be a number > 0"))
    """
    try:
        hours = float(text.strip().replace(",", ""))
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and hours > 0):
        return None, f"switch hour {text.strip()!r}: must be a number > 0"
    return hours, ""


@solara.component
def PaneOverrides(
    pane: str,
    scenario: str,
    common: tuple[str, ...],
    own: solara.Reactive[dict],
    applied: tuple[str, ...],
):
    """A pane's own lever values: pick a lever, type a value, apply it to this pane
    only (on Reset, like the sidebar), see the list, clear it."""
    labels = {item.label: item.path for item in LEVERS}
    chosen = solara.use_reactive(lever("structure.approval_depth").label)
    text = solara.use_reactive("")
    message = solara.use_reactive("")
    mine = own.value.get(pane, {})

    def apply() -> None:
        path = labels[chosen.value]
        try:
            value = parse_value(path, text.value)
        except ScenarioError as error:
            message.value = str(error)
            return
        others = {k: v for k, v in mine.items() if k != path}
        problem = lever_error(scenario, path, value, [*common, *overrides_for(others)])
        if problem is not None:
            message.value = problem
            return
        message.value = ""
        own.value = {**own.value, pane: {**mine, path: value}}

    def clear() -> None:
        message.value = ""
        own.value = {**own.value, pane: {}}

    item = lever(labels[chosen.value])
    with solara.Column(gap="0px", classes=[f"pane-overrides-{pane}"]):
        solara.Text(
            f"Pane {pane} only (applies on Reset):", style={"font-size": "11px", "color": "#555"}
        )
        with solara.Row(gap="4px", style={"align-items": "center", "padding-top": "12px"}):
            with solara.Column(style={"width": "185px"}, gap="0px"):
                solara.Select(f"{pane}'s own lever", values=list(labels), value=chosen, dense=True)
            with solara.Column(style={"width": "88px"}, gap="0px"):
                solara.InputText(
                    f"Value ({pane})",
                    value=text,
                    error=bool(message.value),
                    dense=True,
                    continuous_update=False,
                )
            solara.Button(f"Set for {pane}", on_click=apply, small=True)
        hint = f"{item.path} [{item.range_text}]"
        solara.Text(hint, style={"font-size": "10px", "color": "#777"})
        if message.value:
            solara.Text(message.value, style={"font-size": "11px", "color": "#b3261e"})
        if mine or applied:
            with solara.Row(gap="4px", style={"align-items": "center", "flex-wrap": "wrap"}):
                listed = ", ".join(f"{p.split('.')[-1]}={v}" for p, v in mine.items()) or "none"
                when = "applied" if tuple(overrides_for(mine)) == applied else "on Reset"
                solara.Text(
                    f"own values ({when}): {listed}",
                    style={"font-size": "11px", "color": "#555"},
                    classes=[f"pane-overrides-list-{pane}"],
                )
                if mine:
                    solara.Button("clear", on_click=clear, text=True, x_small=True)


@solara.component
def Page():
    cfg = config()
    settings0 = Settings(scenarios=cfg.initial, seed=cfg.seed, base=cfg.base)
    state: SessionState = solara.use_memo(lambda: SessionState(Comparison(settings0)), [])
    comparison = state.comparison
    snapshot = solara.use_reactive(solara.use_memo(comparison.snapshot, []))
    playing = solara.use_reactive(False)
    run_error = solara.use_reactive("")
    staged = solara.use_reactive({})
    lever_errors = solara.use_reactive({})
    typed_texts = solara.use_reactive({})
    seed_text = solara.use_reactive(str(cfg.seed))
    seed_error = solara.use_reactive("")
    reset_error = solara.use_reactive("")
    speed = solara.use_reactive("1 day / s")
    panes = solara.use_reactive(cfg.initial)
    building = solara.use_reactive(False)
    own = solara.use_reactive({"A": {}, "B": {}})  # each pane's own levers (staged)
    after = solara.use_reactive(None)  # (kind, hours) while pane B is AFTER
    after_hours = solara.use_reactive("12")
    after_error = solara.use_reactive("")
    pane_error = solara.use_reactive({})
    story = solara.use_reactive(None)  # the lesson being played (viz/story.py)

    def publish(snap: Snapshot, still_playing: bool) -> None:
        if not still_playing:  # first: the buttons come back before the plots redraw
            playing.value = False
            player = state.player
            if player is not None and player.error is not None:
                error = player.error
                run_error.value = f"the run stopped: {type(error).__name__}: {error}"
        snapshot.value = snap

    state.on_publish = publish
    if state.player is None:
        state.player = Player(
            comparison, lambda snap, on: state.on_publish(snap, on), min_interval=REDRAW_SECONDS
        )
    player = state.player

    def stop_on_close():
        return lambda: player.pause(wait=False)

    solara.use_effect(stop_on_close, [])

    def start(limit: float | None, hours_per_second: float) -> None:
        if playing.value:
            return
        run_error.value = ""
        player.hours_per_second = hours_per_second
        playing.value = True
        player.play(limit)

    def play_pause() -> None:
        if playing.value:
            player.pause(wait=False)
        else:
            start(None, SPEEDS[speed.value])

    def step(hours: float) -> None:
        start(comparison.hours + hours, math.inf)

    def set_speed(name: str) -> None:
        speed.value = name
        player.hours_per_second = SPEEDS[name]

    def pane_sets() -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Each pane's own ``--set`` strings: its levers, then B's switch if AFTER."""
        sets = [tuple(overrides_for(own.value.get(pane, {}))) for pane in PANES]
        if after.value is not None:
            sets[1] = (*sets[1], after_intervention(*after.value))
        if story.value is not None:  # a lesson's pane B: its compare, or no change
            sets[1] = (*sets[1], *story.value.b_sets)
        return sets[0], sets[1]

    def rebuild(paths: tuple[str, str]) -> None:
        """Reset both panes with the staged levers and seed (all or nothing)."""
        player.pause(wait=True)
        try:
            seed = int(seed_text.value.strip())
            if not 0 <= seed <= MAX_SEED:
                raise ValueError
        except ValueError:
            seed_error.value = (
                f"seed {seed_text.value.strip()!r}: must be a whole number in [0, {MAX_SEED}]"
            )
            reset_error.value = "not reset: fix the seed"
            return
        seed_error.value = ""
        if after.value is not None:  # pane B is pane A's file with a switch
            paths = (paths[0], paths[0])
        settings = Settings(
            scenarios=paths,
            seed=seed,
            base=cfg.base,
            changed=dict(staged.value),
            pane_sets=pane_sets(),
        )
        try:
            scenarios = validate(settings)  # fast: the files and the schema
        except PaneError as error:
            pane_error.value = {error.pane: str(error)}
            reset_error.value = f"not reset: pane {error.pane}'s own override is not allowed"
            return
        except LeverError as error:
            lever_errors.value = {**lever_errors.value, error.path: str(error)}
            reset_error.value = "not reset: a lever's value is not allowed (see the sidebar)"
            return
        except ScenarioError as error:
            reset_error.value = f"not reset: {error}"
            return
        if lever_errors.value:
            lever_errors.value = {}
        pane_error.value = {}
        reset_error.value = ""
        run_error.value = ""
        previous = panes.value
        panes.value = paths  # the pickers show the choice while it is built
        building.value = True

        def build() -> None:  # a big world takes seconds: not in the click's handler
            try:
                comparison.reset(settings, scenarios)
            except Exception as error:  # shown, not raised into the page
                reset_error.value = f"not reset: {type(error).__name__}: {error}"
                panes.value = previous
            else:
                snapshot.value = comparison.snapshot()
            finally:
                building.value = False

        threading.Thread(target=build, daemon=True).start()

    def reset() -> None:
        rebuild(panes.value)

    def load_story(chosen: Story) -> None:
        """Story mode: the lesson's panes, on its script (no lever moved)."""
        staged.value, typed_texts.value, lever_errors.value = {}, {}, {}
        own.value, after.value = {"A": {}, "B": {}}, None
        story.value = chosen
        rebuild(chosen.panes)

    snap = snapshot.value
    applied = snap.settings
    options = (*cfg.scenarios, *(p for p in dict.fromkeys(panes.value) if p not in cfg.scenarios))
    labels = [_label(p, options) for p in options]
    by_label = dict(zip(labels, options, strict=True))
    values = solara.use_memo(lambda: file_values(panes.value, cfg.base), [panes.value])
    staged_sets = [tuple(overrides_for(own.value.get(pane, {}))) for pane in PANES]
    applied_own = [
        tuple(t for t in applied.pane_sets[i] if not t.startswith("interventions="))
        for i in range(2)
    ]
    pending = (
        dict(staged.value) != dict(applied.changed)
        or seed_text.value.strip() != str(applied.seed)
        or staged_sets != applied_own
    )

    solara.Title("orgsim dashboard")
    with solara.AppBar():
        solara.AppBarTitle("orgsim — how the organization answers the public")

    with solara.Sidebar():
        solara.HTML(
            tag="div",
            unsafe_innerHTML="<b>Levers</b> — they apply to both panes on <b>Reset</b>",
        )
        with solara.Column(style={"padding-top": "14px"}, gap="0px"):
            solara.InputText(
                "Seed (both panes)",
                value=seed_text,
                error=seed_error.value or False,
                dense=True,
            )
        for item in LEVERS:
            LeverControl(
                item,
                values,
                staged,
                lever_errors,
                typed_texts,
                panes.value,
                cfg.base,
            )
        if cfg.base:
            solara.Text(
                "--set: " + ", ".join(cfg.base), style={"font-size": "11px", "color": "#555"}
            )

    with solara.Column(style={"padding": "8px 14px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
            solara.Button(
                "Pause" if playing.value else "Play",
                icon_name="mdi-pause" if playing.value else "mdi-play",
                on_click=play_pause,
                color="primary",
                disabled=building.value,
            )
            busy = playing.value or building.value
            solara.Button("Step 1 hour", on_click=lambda: step(1.0), disabled=busy)
            solara.Button("Step 1 day", on_click=lambda: step(24.0), disabled=busy)
            solara.Button("Reset", icon_name="mdi-restore", on_click=reset, disabled=building.value)
            with solara.Column(style={"width": "170px"}, gap="0px"):
                solara.Select(
                    "Speed", values=list(SPEEDS), value=speed.value, on_value=set_speed, dense=True
                )
            solara.HTML(
                tag="span",
                unsafe_innerHTML=(
                    f'<span id="sim-clock" data-hours="{snap.hours!r}" style="font-size:16px;'
                    f'font-variant-numeric:tabular-nums">{clock_text(snap.hours)}</span>'
                    f'<span style="color:#666;font-size:12px"> · seed {applied.seed}</span>'
                ),
            )
        if building.value:
            solara.Info("Building both panes at hour 0…", dense=True)
        elif pending:
            solara.Info(
                "Changed levers or seed are not applied yet (nor a pane's own values): "
                "press Reset.",
                dense=True,
            )
        if reset_error.value:
            solara.Error(reset_error.value, dense=True)
        if run_error.value:
            solara.Error(run_error.value, dense=True)

        StoryPanel(
            story,
            load_story,
            snap.hours,
            off_script(staged.value, applied.changed, own=own.value),
            building.value,
        )

        kinds = structure_names()

        def switch_to(kind: str | None = None, hours_text: str | None = None) -> None:
            """Pane B runs pane A's file and switches to ``kind`` at the typed hour."""
            if hours_text is not None:
                after_hours.value = hours_text
            hours, problem = parse_hour(after_hours.value)
            after_error.value = problem
            if hours is None:
                return
            if kind is None:
                kind = after.value[0] if after.value is not None else None
            if kind is None:  # first choice: a structure other than pane A's
                own_kind = load_scenario(panes.value[0], cfg.base).structure.kind
                kind = next((k for k in kinds if k != own_kind), kinds[0])
            if after.value == (kind, hours) and applied.pane_sets[1][-1:] == (
                after_intervention(kind, hours),
            ):
                return  # a control echoing its value: nothing to rebuild
            after.value = (kind, hours)
            rebuild((panes.value[0], panes.value[0]))

        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            for pane, index in (("A", 0), ("B", 1)):

                def pick(label: str, index: int = index) -> None:
                    story.value = None  # a pane picked by hand ends story mode
                    if index == 1 and label == AFTER:
                        switch_to()
                        return
                    if index == 1:
                        after.value = None
                    paths = list(panes.value)
                    paths[index] = by_label[label]
                    rebuild((paths[0], paths[1]))

                choices = [*labels, AFTER] if index == 1 else labels
                shown = (
                    AFTER
                    if index == 1 and after.value is not None
                    else _label(panes.value[index], options)
                )
                with solara.Column(style={"width": "340px"}, gap="2px"):
                    solara.Select(
                        f"Pane {pane}: structure / scenario",
                        values=choices,
                        value=shown,
                        on_value=pick,
                        dense=True,
                        disabled=building.value,
                    )
                    if index == 1 and after.value is not None:
                        with solara.Row(gap="4px", style={"align-items": "center"}):
                            with solara.Column(style={"width": "170px"}, gap="0px"):
                                solara.Select(
                                    "Switch B to",
                                    values=list(kinds),
                                    value=after.value[0],
                                    on_value=lambda kind: switch_to(kind=kind),
                                    dense=True,
                                    disabled=building.value,
                                )
                            with solara.Column(style={"width": "110px"}, gap="0px"):
                                solara.InputText(
                                    "at hour (> 0)",
                                    value=after_hours.value,
                                    on_value=lambda text: switch_to(hours_text=text),
                                    error=after_error.value or False,
                                    dense=True,
                                    continuous_update=False,
                                )
                        solara.Text(
                            "B runs A's scenario and switches structure at that hour "
                            "(rebuilds at once); this replaces A's own interventions in B.",
                            style={"font-size": "11px", "color": "#555"},
                        )
                    PaneOverrides(
                        pane,
                        panes.value[0] if after.value is not None else panes.value[index],
                        (*cfg.base, *overrides_for(staged.value)),
                        own,
                        applied_own[index],
                    )
                    if pane_error.value.get(pane):
                        solara.Text(
                            pane_error.value[pane], style={"font-size": "11px", "color": "#b3261e"}
                        )
            solara.Text(
                "Both panes run on the same seed (common random numbers); choosing a "
                "structure restarts both at hour 0. The sidebar's levers apply to both "
                "panes; a pane's own value applies after them, to that pane only.",
                style={"font-size": "12px", "color": "#555", "max-width": "260px"},
            )

        with solara.lab.Tabs(lazy=True):
            with solara.lab.Tab("Overview"):
                Overview(snap)
            with solara.lab.Tab("Organization"):
                Organization(snap)
            with solara.lab.Tab("Threads"):
                Threads(comparison, snap)
            with solara.lab.Tab("Ensemble"):
                Ensemble(state, snap)
            with solara.lab.Tab("Export"):
                Export(state, snap)


@solara.component
def Overview(snap: Snapshot):
    """KPI cards of both panes, then the plots over simulated hours."""
    names = {pane: f"{pane}: {snap.names[pane]}" for pane in PANES}
    cards = kpi_cards(snap.kpis["A"], snap.kpis["B"])
    solara.HTML(tag="div", unsafe_innerHTML=cards_html(cards, snap.names, snap.kpis, snap.hours))

    def figure():
        return draw_panels(plot_panels(snap.series, snap.kpis), names, snap.markers, snap.hours)

    fig = solara.use_memo(figure, [snap.plot_version])
    solara.FigureMatplotlib(fig, dependencies=[snap.plot_version], format="png")
    if snap.markers:
        items = "".join(
            f'<li data-pane="{mk.pane}" data-hours="{mk.hours!r}">{mk.pane}: '
            f"{escape(mk.label)} at {mk.hours:g} h"
            f"{'' if mk.hours <= snap.hours else ' (ahead)'}</li>"
            for mk in snap.markers
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                '<div id="markers" style="font-size:12px;color:#444">Interventions '
                f'(vertical lines on the plots):<ul style="margin:2px 0">{items}</ul></div>'
            ),
        )


@solara.component
def Organization(snap: Snapshot):
    """Silos x levels of each pane, and the moves between silos in the last day."""
    solara.HTML(tag="div", unsafe_innerHTML=STYLE)
    with solara.Row(gap="24px", style={"flex-wrap": "wrap"}):
        for pane in PANES:
            grid = snap.grids[pane]
            kpis = snap.kpis[pane]
            with solara.Column(gap="6px"):
                solara.HTML(tag="div", unsafe_innerHTML=grid_html(grid, pane, snap.names[pane]))
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=(
                        '<div class="note">per thread so far: '
                        f"{format_value('index', kpis.get('hops_mean'))} hops "
                        "(<code>hops_mean</code>), "
                        f"{format_value('index', kpis.get('silo_crossings_mean'))} silo crossings "
                        "(<code>silo_crossings_mean</code>); utilization of social capacity "
                        f"{format_value('share', kpis.get('utilization'))} "
                        "(<code>utilization</code>)</div>"
                    ),
                )
                solara.HTML(
                    tag="div", unsafe_innerHTML=flows_html(snap.flows[pane], grid.silos, pane)
                )


def parse_thread(text: str) -> tuple[int | None, str]:
    """A typed thread number: ``(number, "")``, or ``(None, message)``; blank is
    ``(None, "")``."""
    text = text.strip()
    if not text:
        return None, ""
    if text.lstrip("#").isdigit():
        return int(text.lstrip("#")), ""
    return None, f"thread {text!r}: must be a whole number >= 0"


@solara.component
def Threads(comparison: Comparison, snap: Snapshot):
    """Most recent and most spread threads of each pane; a thread's path on request
    (click its number, or type one)."""
    selected = solara.use_reactive("")
    tables = solara.use_memo(
        lambda: {pane: comparison.threads(pane) for pane in PANES}, [snap.version]
    )
    thread, problem = parse_thread(selected.value)
    solara.HTML(tag="div", unsafe_innerHTML=STYLE)
    with solara.Column(style={"width": "300px"}, gap="0px"):
        solara.InputText(
            "Path of thread number (both panes)",
            value=selected,
            error=problem or False,
            dense=True,
        )
    if thread is not None:
        parts = []
        for pane in PANES:
            rows = tables[pane]
            row = rows[rows["thread"] == thread]
            outcome = outcome_text(row.iloc[0]) if len(row) else ""
            parts.append(path_html(thread, comparison.path(pane, thread), pane, outcome))
        solara.HTML(tag="div", unsafe_innerHTML="".join(parts))
    with solara.Row(gap="24px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
        for pane in PANES:
            threads = tables[pane]
            recent, spread = most_recent(threads), most_spread(threads)
            with solara.Column(gap="4px", style={"min-width": "600px"}):
                name = snap.names[pane]
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=table_html(
                        recent, pane, f"{pane}: {name}: most recent threads"
                    )
                    + table_html(
                        spread,
                        pane,
                        f"{pane}: {name}: most spread threads (reach: customers who saw it)",
                    ),
                )
                ids = list(dict.fromkeys([*spread["thread"].tolist(), *recent["thread"].tolist()]))
                with solara.Row(gap="2px", style={"flex-wrap": "wrap", "align-items": "center"}):
                    solara.Text("path of:", style={"font-size": "12px", "color": "#555"})
                    for number in ids:
                        solara.Button(
                            f"#{number}",
                            text=True,
                            small=True,
                            on_click=lambda number=number: selected.set(str(number)),
                        )


@solara.component
def Ensemble(state: SessionState, snap: Snapshot):
    """R paired replications of both panes in the background, as ``orgsim compare``."""
    replications = solara.use_reactive("10")
    hours = solara.use_reactive("168")
    workers = solara.use_reactive("2")
    progress = solara.use_reactive((0, 0))
    running = solara.use_reactive(False)
    message = solara.use_reactive("")
    result = solara.use_reactive(state.extra.get("ensemble"))
    cancel = solara.use_memo(lambda: {"flag": False}, [])

    def run() -> None:
        try:
            r = int(replications.value)
            h = float(hours.value)
            w = int(workers.value)
            if not 2 <= r <= 200:
                raise ValueError("replications: must be a whole number in [2, 200]")
            if not 0 < h <= 100_000:
                raise ValueError("hours: must be > 0 and <= 100000")
            if not 1 <= w <= 8:
                raise ValueError("workers: must be a whole number in [1, 8]")
        except ValueError as error:
            text = str(error)
            message.value = (
                text if ":" in text else "replications, hours and workers must be numbers"
            )
            return
        settings = snap.settings
        message.value = ""
        running.value = True
        progress.value = (0, 2 * r)
        cancel["flag"] = False

        def tick(done: int, total: int) -> None:
            progress.value = (done, total)
            if cancel["flag"]:
                raise InterruptedError("cancelled")

        def work() -> None:
            from experiments.runner import local_executor

            executor = local_executor(min(w, 2 * r))
            try:
                outcome = run_ensemble(settings, r, h, executor, tick)
            except InterruptedError:
                message.value = "cancelled"
            except Exception as error:  # shown, not raised into the page
                message.value = f"the ensemble stopped: {type(error).__name__}: {error}"
            else:
                state.extra["ensemble"] = outcome
                result.value = outcome
            finally:
                if executor is not None:
                    executor.shutdown(wait=False, cancel_futures=True)
                running.value = False

        threading.Thread(target=work, daemon=True).start()

    solara.Text(
        "Replication k of both panes runs on the k-th child of the seed (as orgsim compare "
        "does), with the levers applied now; the table gives each mean ± 95 % CI and the "
        "paired difference B − A ± 95 % CI.",
        style={"font-size": "12px", "color": "#555"},
    )
    with solara.Row(gap="8px", style={"align-items": "center"}):
        for label, value in (
            ("Replications R", replications),
            ("Hours per run", hours),
            ("Worker processes", workers),
        ):
            with solara.Column(style={"width": "150px"}, gap="0px"):
                solara.InputText(label, value=value, dense=True, disabled=running.value)
        solara.Button("Run ensemble", on_click=run, disabled=running.value, color="primary")
        if running.value:
            solara.Button("Cancel", on_click=lambda: cancel.update(flag=True))
    done, total = progress.value
    if running.value:
        solara.ProgressLinear(100 * done / total if total else True)
        solara.Text(f"{done} of {total} runs done")
    if message.value:
        solara.Error(message.value, dense=True)
    outcome = result.value
    if outcome is None:
        return
    rows = ensemble_rows(outcome)
    head = "".join(
        f"<th>{k}</th>"
        for k in ("KPI", "unit", "A", "B", "B − A (paired)", "CI excludes 0", "pairs")
    )
    body = "".join(
        f'<tr data-kpi="{row["kpi"]}"><th>{row["label"]}</th><td>{row["unit"]}</td>'
        f"<td>{row['A']}</td><td>{row['B']}</td><td>{row['B − A']}</td>"
        f"<td>{row['significant']}</td><td>{row['n']}</td></tr>"
        for row in rows
    )
    title = (
        f"<b>A: {escape(outcome.names[0])} vs B: {escape(outcome.names[1])}</b> — "
        f"{outcome.replications} paired replications of {outcome.hours:g} h, "
        f"base seed {outcome.settings.seed}"
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"{STYLE}<div style='margin-top:8px'>{title}</div>"
            f"<table class='org' id='ensemble-table'><tr>{head}</tr>{body}</table>"
        ),
    )
    EnsembleFigure(outcome)


@solara.component
def EnsembleFigure(outcome: EnsembleResult):
    """Mean and 90 % band of both panes over the replications."""
    figure = solara.use_memo(lambda: draw_ensemble(outcome), [id(outcome)])
    solara.FigureMatplotlib(figure, dependencies=[id(outcome)], format="png")


@solara.component
def Export(state: SessionState, snap: Snapshot):
    """One zip of what the session shows: Parquet tables, JSON manifest, figures."""
    solara.Text(
        "A zip of both panes now: series and threads (Parquet), KPIs, settings and "
        "scenarios (dashboard.json), the plots (PNG), and the last ensemble if one ran.",
        style={"font-size": "12px", "color": "#555"},
    )

    def data() -> bytes:
        return export_zip(state.comparison, state.extra.get("ensemble"))

    slug = {
        pane: "".join(c if c.isalnum() or c in "_-" else "_" for c in n)
        for pane, n in snap.names.items()
    }
    name = f"orgsim-dashboard-{slug['A']}-vs-{slug['B']}-{snap.hours:g}h.zip"
    solara.FileDownload(data, filename=name, label="Download zip", mime_type="application/zip")
