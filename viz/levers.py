"""The sidebar's levers: which scenario keys they set, with the schema's ranges and texts.

Every range, default and tooltip comes from the pydantic scenario model (the same source
as ``orgsim schema``), so the dashboard cannot drift from what the model accepts. A
lever's value is checked by loading the scenario with the lever as a ``--set`` override,
so the message shown next to a control is the model's own :class:`ScenarioError` line.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import annotated_types

from sim.scenario import Scenario, ScenarioError, StructureParams, load_scenario

__all__ = [
    "LEVERS",
    "Lever",
    "LeverValue",
    "after_intervention",
    "check_levers",
    "describe_set",
    "lever",
    "lever_error",
    "override_text",
    "overrides_for",
    "parse_typed",
    "parse_value",
    "scenario_values",
]

LeverValue = float | int | bool
Control = Literal["slider", "typed", "switch"]

# (path, label, control); order is the sidebar's
_LEVERS: tuple[tuple[str, str, Control], ...] = (
    ("culture.silo_permeability", "Silo permeability", "slider"),
    ("structure.approval_depth", "Approval depth (levels)", "typed"),
    ("organization.training", "Training (staff)", "slider"),
    ("culture.honesty", "Honesty", "slider"),
    ("culture.spin", "Spin", "slider"),
    ("culture.listening", "Listening", "slider"),
    ("broadcast.rate_per_hour", "Broadcast rate (per hour)", "typed"),
    ("culture.product_quality", "Product quality", "slider"),
    ("culture.service_attitude", "Service attitude", "slider"),
    ("culture.leadership_integrity", "Leadership integrity", "slider"),
    ("culture.social_intranet", "Social intranet", "switch"),
    ("culture.analytics", "Analytics", "switch"),
    ("organization.onboard_share", "On-board share", "slider"),
    ("organization.empowered_share", "Empowered share", "slider"),
    ("customers.n_customers", "Customers", "typed"),
)


@dataclass(frozen=True)
class Lever:
    """One sidebar control.

    Attributes
    ----------
    path
        The scenario key it sets, ``section.key`` (as ``--set``).
    label
        What the sidebar calls it.
    control
        ``slider`` (a bounded share), ``typed`` (a number typed in) or ``switch``.
    kind
        ``float``, ``int`` or ``bool``: the schema's type.
    minimum, maximum
        The schema's bounds (``None`` if it has none); a strict bound is kept as the
        closed one a slider can show, the check itself stays the schema's.
    description
        The schema's description of the key (the tooltip).
    """

    path: str
    label: str
    control: Control
    kind: Literal["float", "int", "bool"]
    minimum: float | None
    maximum: float | None
    description: str

    @property
    def step(self) -> float:
        """Slider step: 1 for ints, 0.01 for floats (shares land on round values)."""
        return 1 if self.kind == "int" else 0.01

    @property
    def range_text(self) -> str:
        """``"0–1"``-style text of the bounds, for labels."""
        if self.kind == "bool":
            return "on/off"
        low = "−∞" if self.minimum is None else f"{self.minimum:g}"
        high = "∞" if self.maximum is None else f"{self.maximum:,.10g}"
        return f"{low}–{high}"


def _field(path: str) -> Any:
    section, _, key = path.partition(".")
    if section == "structure":  # a union on kind: the knobs every structure takes
        return StructureParams.model_fields[key]
    return Scenario.model_fields[section].annotation.model_fields[key]


def _bounds(metadata: Iterable[Any]) -> tuple[float | None, float | None]:
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = item.gt
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = item.lt
    return low, high


def _make(path: str, label: str, control: Control) -> Lever:
    field = _field(path)
    kind = {bool: "bool", int: "int", float: "float"}[field.annotation]
    low, high = _bounds(field.metadata)
    description = " ".join((field.description or "").replace("``", "").split())
    return Lever(path, label, control, kind, low, high, description)


LEVERS: tuple[Lever, ...] = tuple(_make(*entry) for entry in _LEVERS)
"""Every sidebar lever, in sidebar order."""

_BY_PATH = {item.path: item for item in LEVERS}


def lever(path: str) -> Lever:
    """The lever that sets ``path`` (KeyError if there is none)."""
    return _BY_PATH[path]


def scenario_values(scenario: Scenario) -> dict[str, LeverValue]:
    """Each lever's value in a validated scenario."""
    values: dict[str, LeverValue] = {}
    for item in LEVERS:
        section, _, key = item.path.partition(".")
        values[item.path] = getattr(getattr(scenario, section), key)
    return values


def override_text(path: str, value: LeverValue) -> str:
    """``section.key=value`` with the value as a TOML literal (what ``--set`` takes).

    Examples
    --------
    >>> override_text("culture.analytics", True)
    'culture.analytics=true'
    >>> override_text("structure.approval_depth", 4)
    'structure.approval_depth=4'
    """
    if isinstance(value, bool):
        literal = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        literal = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    else:
        literal = repr(value)
    return f"{path}={literal}"


def overrides_for(changed: Mapping[str, LeverValue]) -> list[str]:
    """``--set`` strings of the levers changed in the sidebar, in sidebar order."""
    return [override_text(item.path, changed[item.path]) for item in LEVERS if item.path in changed]


def parse_typed(path: str, text: str) -> LeverValue:
    """A typed-in value as the lever's type.

    Raises
    ------
    ScenarioError
        When the text is not a number of the lever's kind; the message names the key
        and the value as the scenario loader's messages do.

    Examples
    --------
    >>> parse_typed("customers.n_customers", " 5,000 ")
    5000
    """
    item = lever(path)
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        if item.kind == "int":
            number = float(cleaned)
            if not number.is_integer():
                raise ValueError
            return int(number)
        return float(cleaned)
    except (ValueError, OverflowError):
        what = "a whole number" if item.kind == "int" else "a number"
        raise ScenarioError(f"{path} = {text.strip()!r}: must be {what}") from None


_TRUE = ("on", "true", "yes", "1")
_FALSE = ("off", "false", "no", "0")


def parse_value(path: str, text: str) -> LeverValue:
    """Any lever's value typed in: on/off (true/false) for a switch, else as
    :func:`parse_typed`.

    Raises
    ------
    ScenarioError
        When the text is not a value of the lever's kind.

    Examples
    --------
    >>> parse_value("culture.analytics", "On"), parse_value("culture.honesty", "0.5")
    (True, 0.5)
    """
    if lever(path).kind == "bool":
        word = text.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ScenarioError(f"{path} = {text.strip()!r}: must be on or off")
    return parse_typed(path, text)


def after_intervention(kind: str, hours: float) -> str:
    """The ``--set`` that makes a pane switch to structure ``kind`` at ``hours``.

    It sets the scenario's whole ``interventions`` list: the file's own interventions
    are replaced, not extended.

    Examples
    --------
    >>> print(after_intervention("direct_dial", 12))  # doctest: +NORMALIZE_WHITESPACE
    interventions=[{at_hours=12.0, label="switch to direct_dial",
    set={"structure.kind"="direct_dial"}}]
    """
    return (
        f'interventions=[{{at_hours={float(hours)!r}, label="switch to {kind}", '
        f'set={{"structure.kind"="{kind}"}}}}]'
    )


def describe_set(text: str) -> str:
    """A ``--set`` string in words: an intervention list by its labels and hours, any
    other override as it is.

    Examples
    --------
    >>> describe_set(after_intervention("direct_dial", 12))
    'switch to direct_dial at 12 h'
    >>> describe_set("culture.honesty=0.9")
    'culture.honesty=0.9'
    """
    if text.startswith("interventions="):
        try:
            items = tomllib.loads(text)["interventions"]
            parts = [f"{i.get('label') or 'intervention'} at {i['at_hours']:g} h" for i in items]
            return "; ".join(parts)
        except (tomllib.TOMLDecodeError, KeyError, TypeError):
            pass
    return text


def _strip_origin(message: str, origin: str) -> str:
    """The loader's message without the leading ``file: `` and ``--set ...: `` it names
    (the dashboard applies a lever as a ``--set``; next to the control that is noise)."""
    message = message.removeprefix(f"{origin}: ")
    if message.startswith("--set ") and ": " in message:
        message = message.split(": ", 1)[1]
    return message


def lever_error(
    scenario: str | Path, path: str, value: LeverValue, base: Iterable[str] = ()
) -> str | None:
    """The schema's one-line message if ``path = value`` is not allowed, else ``None``.

    Parameters
    ----------
    scenario
        The scenario file the lever applies to.
    path, value
        The lever and its new value.
    base
        ``--set`` overrides applied first (the dashboard's own ``--set``).
    """
    try:
        load_scenario(scenario, [*base, override_text(path, value)])
    except ScenarioError as error:
        return _strip_origin(str(error), str(scenario))
    return None


def check_levers(
    scenarios: Iterable[str | Path], base: Iterable[str], changed: Mapping[str, LeverValue]
) -> tuple[list[Scenario], dict[str, str], str | None]:
    """Validate every scenario with the base overrides and the changed levers.

    Returns
    -------
    (scenarios, per_lever, general)
        The validated scenarios (empty on any error); each failing lever's message by
        path; and a message that names no lever (``None`` if none).
    """
    scenarios, base = list(scenarios), list(base)
    per_lever: dict[str, str] = {}
    for path, value in changed.items():
        for scenario in scenarios:
            message = lever_error(scenario, path, value, base)
            if message is not None:
                per_lever.setdefault(path, message)
    if per_lever:
        return [], per_lever, None
    loaded = []
    for scenario in scenarios:
        try:
            loaded.append(load_scenario(scenario, [*base, *overrides_for(changed)]))
        except ScenarioError as error:
            message = _strip_origin(str(error), str(scenario))
            named = [p for p in changed if p in message]
            if named:
                per_lever[named[0]] = message
                return [], per_lever, None
            return [], {}, f"{scenario}: {message}"
    return loaded, {}, None
