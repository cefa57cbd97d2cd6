"""Interventions: a timeline that sets or ramps levers inside one run (MODEL.md 4.10).

Trainers use it to show culture change as a before/after: switch structure, start a
training programme, remove a silo wall, flatten approvals, launch a product fix, or
trigger a crisis (a burst of complaints on one topic). Each entry of a scenario's
``[[interventions]]`` fires at ``at_hours``; numeric levers move linearly from their
value at that hour to the target over ``ramp_hours``; others switch at once.

Levers live in ``culture``, ``structure`` and ``organization``. Setting
``culture.product_quality`` sets every topic's quality (a product fix); setting
``organization.training`` sets the training of everyone outside comms (a programme);
``organization.onboard_share`` and ``empowered_share`` bring people on board or
empower them (exact quotas per silo filled by each employee's kept draws, so a rising
share only adds people); ``structure.kind`` rewires the organization and restaffs it
from the shares in force, so a switch away from the switchboard releases the liaisons
it forced on board.

An intervention's ``set`` acts as one (MODEL.md 7): every lever is written first,
then the organization is rewired or restaffed once, so the order of its keys never
matters. Ramps that move on the same tick likewise restaff once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.levers import Levers
from sim.organization import OrgCore, make_structure
from sim.scenario.structure import StructureParams, params_for
from sim.scenario.timeline import InterventionSpec

__all__ = ["Timeline"]

_PER_ITEM = ("culture.product_quality", "organization.training")
"""Levers that set many items at once; a ramp moves each item from where it stands."""


def switched_params(kind: str, known: dict[str, Any]) -> StructureParams:
    """Structure ``kind``'s parameters after a switch: each knob it takes has the last
    value it was given in this run (``known``: by the scenario, a ``--set`` or an
    intervention, under any structure), or else its default."""
    new = params_for(kind)
    given = {k: v for k, v in known.items() if k in new.model_fields}
    return new.model_validate({**given, "kind": kind})


def _numeric(value: Any) -> bool:
    """Whether a lever's value is a number (and so ramps)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class _Ramp:
    path: str
    start: float
    target: float
    first_tick: int
    ticks: int
    start_each: np.ndarray | None = None
    """Where each topic's quality (a product fix) or each employee's training (a
    programme) stood when the ramp began; each moves from there to the target."""
    written: np.ndarray | None = None
    """What the ramp wrote last, and ``gained``, what learning or coaching added
    since the ramp began: it is kept on top of the ramp, not overwritten."""
    gained: np.ndarray | None = None


class Timeline:
    """The scenario's interventions, applied tick by tick."""

    def __init__(
        self,
        interventions: tuple[InterventionSpec, ...],
        levers: Levers,
        core: OrgCore,
        tick_hours: float,
        open_crisis: Callable[[int, int], np.ndarray],
    ) -> None:
        self.levers = levers
        self.core = core
        self.open_crisis = open_crisis
        """``open_crisis(n, topic)`` opens ``n`` crisis complaints now (the public's)."""
        self.dt = tick_hours
        self.pending = sorted(interventions, key=lambda i: i.at_hours)
        self.ramps: list[_Ramp] = []
        self.crises: list[tuple[int, int, int, int]] = []  # topic, first tick, ticks, threads
        self.fired: list[tuple[float, str]] = []
        self._flags = self._quota_flags()
        """(on board, empowered) as the quotas gave them last: compared with these, not
        with the flags, which a structure may have forced (the switchboard's liaisons)."""
        self._switch_due = self._staff_due = self._speed_due = False
        """What the levers written since the last :meth:`_commit` ask for."""
        self._knobs: dict[str, Any] = levers.structure.model_dump()
        """Every structure knob's last value in this run, kept across switches."""

    def apply(self, tick: int) -> np.ndarray:
        """Fire what is due at ``tick``; return the crisis threads opened now."""
        while self.pending and round(self.pending[0].at_hours / self.dt) <= tick:
            self._fire(self.pending.pop(0), tick)
        for ramp in list(self.ramps):
            done = min(1.0, (tick - ramp.first_tick + 1) / ramp.ticks)
            value = ramp.start + (ramp.target - ramp.start) * done
            if ramp.start_each is None:
                self._set(ramp.path, value)
            else:  # the lever's nominal value, then each item's step
                self._set(ramp.path, value, items=False)
                levels, who = self._levels(ramp.path)
                ramp.gained += levels[who] - ramp.written
                planned = ramp.start_each + (ramp.target - ramp.start_each) * done
                ramp.written = np.clip(planned.astype(levels.dtype) + ramp.gained, 0.0, 1.0)
                levels[who] = ramp.written
            if done >= 1.0:
                self.ramps.remove(ramp)
        self._commit()
        return self._crisis_threads(tick)

    def _fire(self, spec: InterventionSpec, tick: int) -> None:
        self.fired.append((tick * self.dt, spec.label or ", ".join(spec.set) or "crisis"))
        ramp_ticks = max(1, round(spec.ramp_hours / self.dt))
        # all of one intervention's changes act as one (MODEL.md 7): the levers are
        # written (the structure first, built with the knobs set alongside: a
        # structure reads some at setup), then _commit rewires or restaffs once
        changes = sorted(spec.set.items(), key=lambda item: item[0] != "structure.kind")
        if "structure.kind" in spec.set:
            for path, value in changes[1:]:
                section, _, key = path.partition(".")
                if section == "structure" and not (spec.ramp_hours > 0 and _numeric(value)):
                    self._knobs[key] = value
        for path, value in changes:
            self.ramps = [r for r in self.ramps if r.path != path]  # the newer one rules
            current = self._get(path)
            if _numeric(value) and spec.ramp_hours > 0 and isinstance(current, (int, float)):
                ramp = _Ramp(path, float(current), float(value), tick, ramp_ticks)
                if path in _PER_ITEM:
                    levels, who = self._levels(path)
                    ramp.written = levels[who]
                    ramp.start_each = ramp.written.astype(np.float64)
                    ramp.gained = np.zeros_like(ramp.written)
                self.ramps.append(ramp)
            else:
                self._set(path, value)
        self._commit()
        if spec.crisis is not None:
            topic = self.core.org.topic_names.index(spec.crisis.topic)
            ticks = max(1, round(spec.crisis.hours / self.dt))
            self.crises.append((topic, tick, ticks, spec.crisis.threads))

    def _levels(self, path: str) -> tuple[np.ndarray, np.ndarray]:
        """The per-item array a lever sets, and which items it sets."""
        org = self.core.org
        if path == "culture.product_quality":
            quality = self.levers.topic_quality
            return quality, np.ones(quality.size, dtype=bool)
        return org.training, org.silo != org.comms  # organization.training

    def _get(self, path: str) -> Any:
        section, key = path.split(".", 1)
        levers = self.levers
        source = {"culture": levers.culture, "structure": levers.structure}.get(section)
        if source is not None:
            return getattr(source, key)
        return levers.organization[key]  # as last set, in the scenario or by a timeline

    def _set(self, path: str, value: Any, items: bool = True) -> None:
        """Set a lever; ``items=False`` sets only the nominal value of a per-item lever
        (product quality, training), whose items a ramp moves itself."""
        section, key = path.split(".", 1)
        org, levers = self.core.org, self.levers
        if section == "culture":
            if isinstance(getattr(levers.culture, key), int) and not isinstance(value, bool):
                value = type(getattr(levers.culture, key))(value)
            levers.culture = levers.culture.model_copy(update={key: value})
            if key == "product_quality" and items:
                levers.topic_quality[:] = value
            self._speed_due = True  # listening sets speeds
        elif section == "structure":
            if key == "approval_depth":
                value = round(value)
            if key == "kind":
                levers.structure = switched_params(value, self._knobs)
                self._switch_due = True
                taken = type(levers.structure).model_fields  # a knob's ramp ends with it
                self.ramps = [
                    r
                    for r in self.ramps
                    if not r.path.startswith("structure.") or r.path.partition(".")[2] in taken
                ]
            else:
                levers.structure = levers.structure.model_copy(update={key: value})
                self._knobs[key] = value
        elif key == "training":
            levers.organization[key] = value
            if items:
                org.training[org.silo != org.comms] = value
        else:  # onboard_share, empowered_share (the schema admits no other)
            levers.organization[key] = value
            self._staff_due = True

    def _quota_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """(on board, empowered) as the quotas give them at the shares in force."""
        shares = self.levers.organization
        return self.core.org.staffed(shares["onboard_share"], shares["empowered_share"])

    def _commit(self) -> None:
        """Act once on what the levers written since the last commit changed: rewire
        (a switch), else restaff (the quotas give other people), else refresh speeds
        (listening). A switch restaffs from the quotas at the shares in force, so the
        people a structure forced on board (the switchboard's liaisons) are released
        and the new structure forces its own."""
        if not (self._switch_due or self._staff_due or self._speed_due):
            return
        core, org = self.core, self.core.org
        before_on, before_emp = self._flags
        if self._switch_due or self._staff_due:
            self._flags = self._quota_flags()
        on_board, empowered = self._flags
        if self._switch_due:
            org.on_board[:] = on_board
            org.empowered[:] = empowered
            core.switch_structure(make_structure(self.levers.structure.kind))
        elif (on_board != before_on).any() or (empowered != before_emp).any():
            org.on_board[:] = on_board
            org.empowered[:] = empowered
            core.restaff()
        elif self._speed_due:
            core.refresh_speed()
        self._switch_due = self._staff_due = self._speed_due = False

    def _crisis_threads(self, tick: int) -> np.ndarray:
        if not self.crises:
            return np.zeros(0, np.int64)
        opened = []
        for topic, first, ticks, total in self.crises:
            if first <= tick < first + ticks:
                n = total * (tick - first + 1) // ticks - total * (tick - first) // ticks
                opened.append(self.open_crisis(n, topic))
        self.crises = [c for c in self.crises if tick < c[1] + c[2] - 1]
        return np.concatenate(opened) if opened else np.zeros(0, np.int64)
