"""The sweep file: a TOML document naming base scenarios, levers, uncertainties and a
design, validated like a scenario file (issue 16).

Every problem raises :class:`sim.scenario.ScenarioError` with one line naming the sweep
file, the key path, the value as given and what is allowed, before any run starts.
A factor's path and range are checked against the scenario schema by loading every
base scenario with each end of the range (or each listed value) as a ``--set``
override, so the schema's own rules and "did you mean" hints apply.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.kpis import KPIS
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "SAMPLERS",
    "Design",
    "Factor",
    "SweepSpec",
    "as_toml",
    "load_sweep",
    "sweep_from_dict",
]

SAMPLERS = ("factorial", "latin_hypercube", "sobol", "morris")
"""The named samplers of ``[design] sampler``."""
TOP_KEYS = ("name", "description", "base", "set", "levers", "uncertainties", "design", "analysis")
DESIGN_KEYS = ("sampler", "size", "replications", "hours", "seed", "kpis", "levels")
ANALYSIS_KEYS = ("prim", "crossover", "crossover_kpi")
FACTOR_KEYS = ("range", "values")
MAX_RUNS = 10_000_000
MAX_SEED = 2**63 - 1


def as_toml(value: Any) -> str:
    """A value as a TOML literal, for a ``--set`` override.

    Examples
    --------
    >>> as_toml(True), as_toml(3), as_toml(0.25), as_toml("direct_dial")
    ('true', '3', '0.25', '"direct_dial"')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(float(value))
    return json.dumps(str(value))


@dataclass(frozen=True)
class Factor:
    """One lever or uncertainty: a scenario key path and the values it may take.

    Attributes
    ----------
    path
        Scenario key path, e.g. ``culture.silo_permeability``.
    group
        ``"levers"`` (what the organization chooses) or ``"uncertainties"`` (what the
        world does).
    kind
        ``"real"``, ``"integer"``, ``"categorical"`` or ``"boolean"``.
    low, high
        The range of a real or integer factor.
    values
        The values of a categorical or boolean factor, as listed.
    """

    path: str
    group: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    values: tuple[Any, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.kind in ("real", "integer")

    def from_unit(self, u: float) -> Any:
        """The factor's value at a point ``u`` of [0, 1] (an integer or a listed value
        takes equal shares of the unit interval).

        Examples
        --------
        >>> Factor("x", "levers", "integer", 0, 3).from_unit(0.99)
        3
        >>> Factor("x", "levers", "boolean", values=(False, True)).from_unit(0.2)
        False
        """
        u = min(max(float(u), 0.0), 1.0)
        if self.kind == "real":
            return float(self.low + u * (self.high - self.low))
        if self.kind == "integer":
            count = int(self.high - self.low) + 1
            return int(self.low) + min(math.floor(u * count), count - 1)
        return self.values[min(math.floor(u * len(self.values)), len(self.values) - 1)]

    def levels(self, count: int) -> list[Any]:
        """The factorial levels: ``count`` evenly spaced values of a range (every
        integer if there are fewer), or every listed value."""
        if self.kind == "real":
            if count == 1:
                return [float((self.low + self.high) / 2)]
            step = (self.high - self.low) / (count - 1)
            return [float(self.low + i * step) for i in range(count)]
        if self.kind == "integer":
            span = int(self.high - self.low) + 1
            if span <= count:
                return list(range(int(self.low), int(self.high) + 1))
            picks = sorted({round(self.low + i * (span - 1) / (count - 1)) for i in range(count)})
            return [int(v) for v in picks]
        return list(self.values)

    def record(self) -> dict[str, Any]:
        """A JSON-ready description (for the manifest)."""
        if self.numeric:
            return {
                "path": self.path,
                "group": self.group,
                "kind": self.kind,
                "range": [self.low, self.high],
            }
        return {
            "path": self.path,
            "group": self.group,
            "kind": self.kind,
            "values": list(self.values),
        }


@dataclass(frozen=True)
class Design:
    """``[design]``: the sampler, its size, replications, run length, seed, KPIs."""

    sampler: str
    size: int
    replications: int
    hours: float | None
    seed: int
    kpis: tuple[str, ...]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file.

    Attributes
    ----------
    source
        Where it came from (for messages).
    name
        The sweep's name (default: the file's stem).
    bases
        The base scenario files, resolved against the sweep file's folder.
    base_names
        Their scenarios' unique names.
    overrides
        ``set``: ``KEY=VALUE`` overrides applied to every base before the factors.
    factors
        Levers, then uncertainties, in file order.
    design
        ``[design]``.
    analysis
        ``[analysis]`` options (``prim``, ``crossover``, ``crossover_kpi``).
    digest
        SHA-256 of the sweep file's bytes.
    text
        The sweep file as written.
    """

    source: str
    name: str
    bases: tuple[Path, ...]
    base_names: tuple[str, ...]
    overrides: tuple[str, ...]
    factors: tuple[Factor, ...]
    design: Design
    analysis: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    text: str = ""

    def scenario(self, base: int, values: dict[str, Any] | None = None) -> Scenario:
        """Base ``base`` with the sweep's ``set`` and the factors at ``values``."""
        assignments = [f"{path}={as_toml(value)}" for path, value in (values or {}).items()]
        return load_scenario(self.bases[base], [*self.overrides, *assignments])

    def hours_of(self, scenario: Scenario) -> float:
        """The run length: ``[design] hours`` or the scenario's ``time.hours``."""
        return self.design.hours if self.design.hours is not None else scenario.time.hours


def _unknown(source: str, where: str, key: str, known: tuple[str, ...]) -> ScenarioError:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ScenarioError(
        f"{source}: {where}{key}: unknown key{hint} (known keys: {', '.join(known)})"
    )


def _check_keys(source: str, table: dict, known: tuple[str, ...], where: str = "") -> None:
    for key in table:
        if key not in known:
            raise _unknown(source, where, key, known)


def _whole(source: str, key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(f"{source}: {key} = {value!r}: must be a whole number")
    if not low <= value <= high:
        raise ScenarioError(f"{source}: {key} = {value}: must be >= {low} and <= {high:,}")
    return value


def _factor_like(key: str) -> bool:
    """``range``, ``values`` or a misspelling of them (a factor's table, not a section)."""
    return bool(difflib.get_close_matches(key, FACTOR_KEYS, n=1, cutoff=0.75))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{culture: {spin: {range: ...}}}`` (unquoted dotted keys) -> ``{"culture.spin":
    {range: ...}}``: a table holding ``range`` or ``values`` is one factor."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not any(_factor_like(k) for k in value):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _factor(source: str, group: str, path: str, entry: Any) -> Factor:
    where = f"{source}: {group}.{path}"
    if isinstance(entry, list):  # the short form: a list of values
        entry = {"values": entry}
    if not isinstance(entry, dict):
        raise ScenarioError(
            f"{where} = {entry!r}: must be a table {{ range = [low, high] }} or "
            "{ values = [...] }"
        )
    _check_keys(source, entry, FACTOR_KEYS, f"{group}.{path}.")
    if ("range" in entry) == ("values" in entry):
        raise ScenarioError(f"{where}: give either range = [low, high] or values = [...]")
    if "range" in entry:
        bounds = entry["range"]
        numbers = isinstance(bounds, list) and all(
            isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds
        )
        if not numbers or len(bounds) != 2 or not all(math.isfinite(b) for b in bounds):
            raise ScenarioError(f"{where}.range = {bounds!r}: must be [low, high], two numbers")
        low, high = bounds
        if not low < high:
            raise ScenarioError(f"{where}.range = {bounds!r}: low must be below high")
        kind = "integer" if all(isinstance(b, int) for b in bounds) else "real"
        return Factor(path, group, kind, low, high)
    values = entry["values"]
    if not isinstance(values, list) or not values:
        raise ScenarioError(f"{where}.values = {values!r}: must be a non-empty list")
    kinds = {type(v) for v in values}
    if len(kinds) != 1 or not kinds <= {bool, int, float, str}:
        raise ScenarioError(
            f"{where}.values = {values!r}: must be values of one kind "
            "(all numbers, all true/false or all text)"
        )
    if len(set(values)) != len(values):
        raise ScenarioError(f"{where}.values = {values!r}: lists a value twice")
    kind = "boolean" if kinds == {bool} else "categorical"
    return Factor(path, group, kind, values=tuple(values))


def _check_against_schema(spec: SweepSpec) -> None:
    """Load every base with each end of every range and each listed value."""
    for factor in spec.factors:
        probes = [factor.low, factor.high] if factor.numeric else list(factor.values)
        shown = f"range = [{factor.low}, {factor.high}]" if factor.numeric else "values"
        for value in probes:
            for base in range(len(spec.bases)):
                assignment = f"{factor.path}={as_toml(value)}"
                try:
                    scenario = spec.scenario(base, {factor.path: value})
                    scenario.check_size(spec.hours_of(scenario), "design.hours")
                except (ScenarioError, ValueError) as error:
                    text = str(error)
                    prefix = f"{spec.bases[base]}: --set {assignment}: "
                    text = text.removeprefix(prefix)
                    if "must be a whole number" in text and factor.kind == "real":
                        text += " (an integer range is written with whole numbers: [0, 3])"
                    raise ScenarioError(
                        f"{spec.source}: {factor.group}.{factor.path}: {shown}: "
                        f"{as_toml(value)} in base {spec.bases[base].name}: {text}"
                    ) from None


def _design(source: str, table: Any, n_factors: int) -> Design:
    if not isinstance(table, dict):
        raise ScenarioError(f"{source}: design = {table!r}: must be a table [design]")
    _check_keys(source, table, DESIGN_KEYS, "design.")
    sampler = table.get("sampler", "latin_hypercube")
    if sampler not in SAMPLERS:
        close = difflib.get_close_matches(str(sampler), SAMPLERS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(
            f"{source}: design.sampler = {sampler!r}: must be one of {list(SAMPLERS)}{hint}"
        )
    size = _whole(
        source, "design.size", table.get("size", 2 if sampler == "factorial" else 16), 1, MAX_RUNS
    )
    if sampler == "sobol" and size & (size - 1):
        raise ScenarioError(
            f"{source}: design.size = {size}: a Sobol design needs a power of two (e.g. 64)"
        )
    if sampler in ("sobol", "morris") and n_factors == 0:
        raise ScenarioError(f"{source}: design.sampler = {sampler!r}: needs at least one factor")
    replications = _whole(source, "design.replications", table.get("replications", 1), 1, 100_000)
    hours = table.get("hours")
    if hours is not None:
        ok = isinstance(hours, (int, float)) and not isinstance(hours, bool)
        if not ok or not 0 < hours <= 100_000:
            raise ScenarioError(f"{source}: design.hours = {hours!r}: must be > 0 and <= 100000")
        hours = float(hours)
    seed = _whole(source, "design.seed", table.get("seed", 0), 0, MAX_SEED)
    kpis = table.get("kpis", list(KPIS))
    if not isinstance(kpis, list) or not kpis or not all(isinstance(k, str) for k in kpis):
        raise ScenarioError(f"{source}: design.kpis = {kpis!r}: must be a list of KPI names")
    for name in kpis:
        if name not in KPIS:
            close = difflib.get_close_matches(name, KPIS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(
                f"{source}: design.kpis: {name!r}: not a KPI{hint} (KPIs: {', '.join(KPIS)})"
            )
    return Design(sampler, size, replications, hours, seed, tuple(dict.fromkeys(kpis)))


def _unique(names: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        candidate, count = name, 1
        while candidate in out:
            count += 1
            candidate = f"{name}-{count}"
        out.append(candidate)
    return tuple(out)


def sweep_from_dict(
    document: dict[str, Any], source: str = "<sweep>", folder: Path | None = None
) -> SweepSpec:
    """Validate a parsed sweep file.

    Parameters
    ----------
    document
        The TOML document.
    source
        Its name in messages.
    folder
        Base scenario files are relative to it (default: the current directory).

    Raises
    ------
    ScenarioError
        Naming ``source``, the key path, the value and what is allowed.
    """
    folder = Path.cwd() if folder is None else folder
    _check_keys(source, document, TOP_KEYS)
    bases = document.get("base")
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not bases or not all(isinstance(b, str) for b in bases):
        raise ScenarioError(f"{source}: base = {bases!r}: must be one or more scenario files")
    paths = tuple(folder / b for b in bases)
    for given, path in zip(bases, paths, strict=True):
        if not path.is_file():
            raise ScenarioError(f"{source}: base: {given!r}: no such scenario file ({path})")
    overrides = document.get("set", [])
    if isinstance(overrides, dict):
        overrides = [f"{k}={as_toml(v)}" for k, v in _flatten(overrides).items()]
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise ScenarioError(f'{source}: set = {overrides!r}: must be a list of "KEY=VALUE"')
    scenarios = []
    for given, path in zip(bases, paths, strict=True):
        try:
            scenarios.append(load_scenario(path, overrides))
        except ScenarioError as error:
            raise ScenarioError(f"{source}: base {given!r}: {error}") from None
    factors: list[Factor] = []
    for group in ("levers", "uncertainties"):
        table = document.get(group, {})
        if not isinstance(table, dict):
            raise ScenarioError(f"{source}: {group} = {table!r}: must be a table [{group}]")
        for path, entry in _flatten(table).items():
            if any(f.path == path for f in factors):
                raise ScenarioError(f"{source}: {group}.{path}: names a factor twice")
            factors.append(_factor(source, group, path, entry))
    design = _design(source, document.get("design", {}), len(factors))
    analysis = document.get("analysis", {})
    if not isinstance(analysis, dict):
        raise ScenarioError(f"{source}: analysis = {analysis!r}: must be a table [analysis]")
    _check_keys(source, analysis, ANALYSIS_KEYS, "analysis.")
    for key in ANALYSIS_KEYS:
        if key in analysis and not isinstance(analysis[key], str):
            raise ScenarioError(f"{source}: analysis.{key} = {analysis[key]!r}: must be text")
    if "crossover" in analysis and analysis["crossover"] not in [f.path for f in factors]:
        raise ScenarioError(
            f"{source}: analysis.crossover = {analysis['crossover']!r}: must be one of the "
            f"factors ({', '.join(f.path for f in factors)})"
        )
    name = document.get("name", Path(source).stem)
    spec = SweepSpec(
        source=source,
        name=str(name),
        bases=paths,
        base_names=_unique([s.name for s in scenarios]),
        overrides=tuple(overrides),
        factors=tuple(factors),
        design=design,
        analysis=dict(analysis),
    )
    for given, scenario in zip(bases, scenarios, strict=True):
        try:
            scenario.check_size(spec.hours_of(scenario), "design.hours")
        except ValueError as error:
            raise ScenarioError(f"{source}: base {given!r}: {error}") from None
    _check_against_schema(spec)
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (see :func:`sweep_from_dict`).

    Raises
    ------
    ScenarioError
        If the file is missing, not TOML, or invalid.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        document = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such sweep file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: a directory, not a sweep file") from None
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: malformed TOML: {error}") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None
    spec = sweep_from_dict(document, str(path), path.resolve().parent)
    return SweepSpec(
        **{**spec.__dict__, "digest": hashlib.sha256(data).hexdigest(), "text": data.decode()}
    )
