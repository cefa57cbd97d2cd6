"""One browser session's comparison: panes A and B on one seed, stepped together.

A :class:`Comparison` holds two models built from two scenario files with the same
overrides and the same seed (common random numbers: both panes meet the same
customers, graph and candidate posts). It is built per browser session, never at
module level, and guarded by a lock so that a background player and the page never
read a model mid-tick. The page shows :class:`Snapshot` objects, immutable copies of
what the panels need, taken under that lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim import OrgModel
from sim.scenario import Scenario, ScenarioError, load_scenario
from viz.levers import LeverValue, _strip_origin, check_levers, describe_set, overrides_for
from viz.model_access import FlowTracker, OrgGrid, org_grid
from viz.plots import Marker, markers_for

__all__ = ["PANES", "Comparison", "PaneError", "Settings", "Snapshot"]

PANES = ("A", "B")


@dataclass(frozen=True)
class Settings:
    """What a comparison is built from.

    Attributes
    ----------
    scenarios
        Scenario file of pane A and of pane B.
    seed
        The one seed both panes run on.
    base
        ``--set`` overrides given to ``orgsim dashboard`` (both panes).
    changed
        Levers changed in the sidebar (both panes), by scenario key.
    pane_sets
        Per pane (A, B), ``--set`` strings applied to that pane only, after the
        common ones (a pane's own lever values, or "A after an intervention").
    """

    scenarios: tuple[str, str]
    seed: int = 0
    base: tuple[str, ...] = ()
    changed: Mapping[str, LeverValue] = field(default_factory=dict)
    pane_sets: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def overrides(self) -> list[str]:
        """Every ``--set`` string applied to both scenarios."""
        return [*self.base, *overrides_for(self.changed)]

    def pane_overrides(self, index: int) -> list[str]:
        """Every ``--set`` string of pane ``index`` (0: A, 1: B): the common ones, then
        the pane's own."""
        return [*self.overrides(), *self.pane_sets[index]]

    def pane_note(self, index: int) -> str:
        """The pane's own overrides in words (``""`` if it has none)."""
        return "; ".join(describe_set(text) for text in self.pane_sets[index])

    def pane_names(self, names: Sequence[str]) -> list[str]:
        """The panes' scenario names, each with its own overrides in words."""
        return [
            f"{name} + {note}" if (note := self.pane_note(i)) else name
            for i, name in enumerate(names)
        ]


@dataclass(frozen=True)
class Snapshot:
    """What the page shows of a comparison at one moment (no live model inside).

    Attributes
    ----------
    version
        Increases with every snapshot of the comparison.
    hours, tick
        Simulated time of both panes.
    names
        Pane to scenario name.
    kpis, series
        Pane to ``model.kpis()`` and ``model.series()``.
    markers
        The interventions of both panes.
    grids
        Pane to its :class:`~viz.model_access.OrgGrid`.
    flows
        Pane to the silo-to-silo moves of the last simulated day.
    settings
        What the comparison was built from.
    """

    version: int
    hours: float
    tick: int
    names: dict[str, str]
    kpis: dict[str, dict[str, float]]
    series: dict[str, pd.DataFrame]
    markers: list[Marker]
    grids: dict[str, OrgGrid]
    flows: dict[str, object]
    settings: Settings
    dt_hours: float = 0.25
    plot_version: int = 0
    """Changes only when the plots should be redrawn (at most about once a second
    while playing: a figure costs far more than the cards)."""


class Comparison:
    """Panes A and B, stepped tick by tick together.

    Parameters
    ----------
    settings
        Scenario files, seed and overrides.

    Raises
    ------
    ScenarioError
        If a scenario with these overrides is invalid (nothing is built).
    """

    def __init__(self, settings: Settings) -> None:
        self.lock = threading.RLock()
        self._version = 0
        self._plot_version = 0
        self.models: dict[str, OrgModel] = {}
        self.trackers: dict[str, FlowTracker] = {}
        self.settings = settings
        self.reset(settings)

    def reset(self, settings: Settings, scenarios: Sequence[Scenario] | None = None) -> None:
        """Rebuild both panes from ``settings`` (all or nothing).

        Parameters
        ----------
        settings
            Files, seed and overrides.
        scenarios
            The two scenarios :func:`validate` made of ``settings``, if already done.

        Raises
        ------
        ScenarioError
            With the schema's message, naming the lever when one is at fault.
        """
        scenarios = validate(settings) if scenarios is None else scenarios
        models = {
            pane: OrgModel(scenario, rng=settings.seed)
            for pane, scenario in zip(PANES, scenarios, strict=True)
        }
        with self.lock:
            self.models = models
            self.trackers = {pane: FlowTracker(model) for pane, model in models.items()}
            self.settings = settings

    @property
    def hours(self) -> float:
        return self.models["A"].hours

    @property
    def dt_hours(self) -> float:
        return self.models["A"].dt_hours

    def step_ticks(self, ticks: int, stop: threading.Event | None = None) -> int:
        """Advance both panes ``ticks`` ticks (A then B each tick); stop early if
        ``stop`` is set. Returns the ticks done."""
        done = 0
        for _ in range(ticks):
            if stop is not None and stop.is_set():
                break
            with self.lock:
                for pane in PANES:
                    self.models[pane].step()
                    self.trackers[pane].observe()
            done += 1
        return done

    def step_hours(self, hours: float, stop: threading.Event | None = None) -> int:
        """Advance both panes ``hours`` simulated hours (whole ticks)."""
        return self.step_ticks(round(hours / self.dt_hours), stop)

    def threads(self, pane: str) -> pd.DataFrame:
        """``model.threads()`` of one pane, read under the lock."""
        with self.lock:
            return self.models[pane].threads()

    def path(self, pane: str, thread: int) -> list[tuple[float, str, int]]:
        """One thread's observed path in one pane (:meth:`FlowTracker.path`)."""
        with self.lock:
            return self.trackers[pane].path(thread)

    def snapshot(self, redraw_plots: bool = True) -> Snapshot:
        """An immutable copy of what the page shows, taken under the lock.

        Parameters
        ----------
        redraw_plots
            Whether the plots should follow (else the page keeps its last figure).
        """
        with self.lock:
            self._version += 1
            self._plot_version += bool(redraw_plots)
            models = self.models
            names = self.settings.pane_names([models[pane].scenario_spec.name for pane in PANES])
            return Snapshot(
                version=self._version,
                hours=models["A"].hours,
                tick=models["A"].tick,
                names=dict(zip(PANES, names, strict=True)),
                kpis={pane: m.kpis() for pane, m in models.items()},
                series={pane: m.series() for pane, m in models.items()},
                markers=[
                    mk for pane, m in models.items() for mk in markers_for(pane, m.scenario_spec)
                ],
                grids={pane: org_grid(m) for pane, m in models.items()},
                flows={pane: self.trackers[pane].flows(24.0) for pane in models},
                settings=self.settings,
                dt_hours=models["A"].dt_hours,
                plot_version=self._plot_version,
            )


def validate(settings: Settings) -> list[Scenario]:
    """Both scenarios loaded with the settings' overrides (common, then each pane's).

    Raises
    ------
    ScenarioError
        ``"<lever path>: <message>"`` shaped: the first lever at fault is named by
        :func:`viz.levers.check_levers`; a :class:`PaneError` if a pane's own
        override is at fault.
    """
    scenarios, per_lever, general = check_levers(
        settings.scenarios, settings.base, settings.changed
    )
    if per_lever:
        path, message = next(iter(per_lever.items()))
        raise LeverError(path, message)
    if general is not None:
        raise ScenarioError(general)
    for index, path in enumerate(settings.scenarios):
        if settings.pane_sets[index]:
            try:
                scenarios[index] = load_scenario(path, settings.pane_overrides(index))
            except ScenarioError as error:
                raise PaneError(PANES[index], _strip_origin(str(error), str(path))) from None
    ticks = [scenario.time.tick_minutes for scenario in scenarios]
    if ticks[0] != ticks[1]:
        raise ScenarioError(
            f"time.tick_minutes: the panes must share one tick length to run side by side "
            f"(A: {ticks[0]:g}, B: {ticks[1]:g})"
        )
    return scenarios


class LeverError(ScenarioError):
    """A lever's value is not allowed; ``path`` names the lever."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class PaneError(ScenarioError):
    """A pane's own override is not allowed; ``pane`` names the pane."""

    def __init__(self, pane: str, message: str) -> None:
        super().__init__(message)
        self.pane = pane


class Player:
    """Plays a comparison in a background thread, publishing snapshots.

    Parameters
    ----------
    comparison
        What to step.
    publish
        Called as ``publish(snapshot, playing)`` at most ``1 / min_interval`` times a
        second, and once with ``playing=False`` when playing stops.
    min_interval
        Seconds between two publications (the cards redraw at most this often).
    plot_interval
        Seconds between two redraws of the plots while playing (and once at the end).
    """

    def __init__(
        self,
        comparison: Comparison,
        publish: Callable[[Snapshot, bool], None],
        min_interval: float = 0.3,
        plot_interval: float = 1.0,
    ) -> None:
        self.comparison = comparison
        self.publish = publish
        self.min_interval = min_interval
        self.plot_interval = plot_interval
        self._plotted = 0.0
        self.hours_per_second = 24.0
        """Playing speed in simulated hours per wall second (``inf``: as fast as it can)."""
        self.limit_hours: float | None = None
        """Stop playing at this simulated hour (``None``: play until paused)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self, limit_hours: float | None = None) -> None:
        """Start playing (no-op if already playing).

        A player that has stopped but is still publishing its last snapshot is waited
        for, so that a click right after a step is not lost."""
        if self.playing and not self._stop.is_set():
            return
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        self.limit_hours = limit_hours
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True)
        self._thread.start()

    def pause(self, wait: bool = True) -> None:
        """Stop playing; with ``wait``, return once the current tick is done."""
        self._stop.set()
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def _run(self, stop: threading.Event) -> None:
        comparison = self.comparison
        carry = 0.0
        try:
            while not stop.is_set():
                started = time.perf_counter()
                dt = comparison.dt_hours
                ticks, carry = ticks_due(self.hours_per_second, self.min_interval, dt, carry)
                if self.limit_hours is not None:
                    left = round((self.limit_hours - comparison.hours) / dt)
                    if left <= 0:
                        break
                    ticks = min(ticks, left)
                # fast speeds: step until the redraw is due, then publish
                deadline = started + self.min_interval
                done = 0
                while done < ticks and not stop.is_set():  # (none due: just wait)
                    done += comparison.step_ticks(1, stop)
                    if time.perf_counter() >= deadline and self.hours_per_second == float("inf"):
                        break
                now = time.perf_counter()
                redraw = now - self._plotted >= self.plot_interval
                if done:  # nothing new: nothing to redraw
                    if redraw:
                        self._plotted = now
                    self.publish(comparison.snapshot(redraw_plots=redraw), True)
                rest = self.min_interval - (time.perf_counter() - started)
                if rest > 0:
                    stop.wait(rest)
        except BaseException as error:  # shown on the page, not lost in a thread
            self.error = error
        finally:
            stop.set()
            self.publish(comparison.snapshot(), False)


def ticks_due(
    hours_per_second: float, interval: float, dt_hours: float, carry: float = 0.0
) -> tuple[int, float]:
    """Ticks to play in one interval at a speed, keeping the fraction of a tick left
    over for the next interval (so 1 simulated hour a second is exactly that, on
    average, whatever the tick length).

    Returns
    -------
    (ticks, carry)
        Whole ticks now (a huge number at infinite speed: play until the redraw is
        due) and the fraction carried over.

    Examples
    --------
    >>> ticks, carry = ticks_due(1.0, 0.3, 0.25)
    >>> ticks, round(carry, 6)
    (1, 0.2)
    """
    if hours_per_second == float("inf"):
        return 10**9, 0.0
    due = carry + hours_per_second * interval / dt_hours
    ticks = int(due)
    return ticks, due - ticks


def default_settings(scenarios: Sequence[str | Path], base: Sequence[str] = ()) -> Settings:
    """Settings for the first two scenarios given (the second defaults to the first)."""
    paths = [str(p) for p in scenarios] or []
    if not paths:
        raise ValueError("no scenario")
    b = paths[1] if len(paths) > 1 else paths[0]
    return Settings(scenarios=(paths[0], b), seed=0, base=tuple(base))
