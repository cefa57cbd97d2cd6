"""Read scenario files: TOML, ``extends`` inheritance, ``--set`` overrides, clear errors.

Every problem raises :class:`ScenarioError`, whose message names the file, the key
path, the offending value and what is allowed, so the CLI can print one line and
exit 2.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.schema import Scenario
from sim.scenario.structure import StructureParams, not_a_parameter

__all__ = ["ScenarioError", "load_scenario", "parse_override", "scenario_from_dict"]

MAX_EXTENDS_DEPTH = 16


class ScenarioError(ValueError):
    """A scenario file or override is invalid. ``str(err)`` is one readable line."""


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` into a copy of ``base``: tables merge, everything else
    (including arrays of tables) is replaced whole."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged


_Chain = tuple[tuple[Path, str], ...]
"""The files that led here: (file, the value of its ``extends``), outermost first."""


def _via(chain: _Chain) -> str:
    """``a.toml: extends = 'b.toml': b.toml: extends = 'c.toml': `` to start an error."""
    return "".join(f"{path}: extends = {value!r}: " for path, value in chain)


def _read_toml(path: Path, chain: _Chain = ()) -> dict[str, Any]:
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{_via(chain[:1])}chain deeper than {MAX_EXTENDS_DEPTH} files")
    if path in (p for p, _ in chain):
        cycle = " -> ".join(str(p) for p in (*(p for p, _ in chain), path))
        raise ScenarioError(f"{_via(chain[-1:])}cycle {cycle}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{_via(chain)}{path}: no such scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{_via(chain)}{path}: a directory, not a scenario file") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{_via(chain)}{path}: not UTF-8 text ({err.reason})") from None
    except OSError as err:
        raise ScenarioError(f"{_via(chain)}{path}: cannot read: {err.strerror}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{_via(chain)}{path}: malformed TOML: {err}") from None
    graph = document.get("graph")
    if isinstance(graph, dict) and isinstance(graph.get("path"), str):
        graph["path"] = str((path.parent / graph["path"]).resolve())  # relative to this file
    parent = document.pop("extends", None)
    if parent is None:
        return document
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(f"{path}: extends = {parent!r}: must be a file name (a string)")
    parent_doc = _read_toml((path.parent / parent).resolve(), (*chain, (path, parent)))
    return _merge(parent_doc, document)


def parse_override(assignment: str) -> tuple[list[str], Any]:
    """Split ``section.key=value`` into a key path and a TOML-typed value.

    The value is read as a TOML literal (``3``, ``0.5``, ``true``, ``"x"``,
    ``[1, 2]``); anything that is not valid TOML is taken as a plain string.

    Examples
    --------
    >>> parse_override("culture.spin=0.1")
    (['culture', 'spin'], 0.1)
    >>> parse_override("structure.kind=direct_dial")
    (['structure', 'kind'], 'direct_dial')
    """
    key, sep, raw = assignment.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ScenarioError(f"--set {assignment!r}: expected section.key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.split("."), value


def _apply_override(
    document: dict[str, Any], path: list[str], value: Any, origin: str
) -> list[str]:
    """Set ``path`` to ``value`` in ``document``; return the path as the validator will
    name it (an entry of an array of tables by its index)."""
    node: Any = document
    resolved = list(path)
    for depth, part in enumerate(path[:-1]):
        if isinstance(node, list):
            index = _list_index(node, part, path[: depth + 1], origin)
            resolved[depth] = str(index)
            node = node[index]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                f"{origin}: {'.'.join(path)}: {'.'.join(path[:depth])} is a value, not a table"
            )
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        node = child
    last = path[-1]
    if isinstance(node, list):
        index = _list_index(node, last, path, origin)
        resolved[-1] = str(index)
        node[index] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"{origin}: {'.'.join(path)}: {path[-2]} is not a table")
    return resolved


def _list_index(items: list[Any], part: str, path: list[str], origin: str) -> int:
    """An array of tables is addressed by position (``silos.1``) or by ``name``."""
    if part.isdigit() and int(part) < len(items):
        return int(part)
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if part in names:
        return names.index(part)
    raise ScenarioError(
        f"{origin}: {'.'.join(path)}: no entry {part!r}; use an index 0..{len(items) - 1} "
        f"or a name among {names}"
    )


def _materialise_lists(document: dict[str, Any], overrides: Iterable[list[str]]) -> None:
    """Make default arrays of tables explicit when an override addresses into them."""
    defaults = Scenario().model_dump(mode="json")
    for path in overrides:
        if len(path) > 1 and path[0] in ("silos", "levels", "channels") and path[0] not in document:
            document[path[0]] = defaults[path[0]]


def _as_written(value: Any) -> str:
    """A value as a scenario file writes it (``true``, ``"text"``, ``0.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _not_json(value: Any) -> str:
    """TOML dates and times have no JSON form: they reach the validator as text, which
    no numeric, boolean or choice field accepts."""
    return str(value)


def _overlap(loc: list[str], path: list[str]) -> bool:
    """Whether an error at ``loc`` is about the key ``path`` (one contains the other:
    ``structure`` for ``structure.kind``, ``culture.spin`` for ``culture``)."""
    n = min(len(loc), len(path))
    return n > 0 and loc[:n] == path[:n]


def _strip_tag(loc: list[str]) -> list[str]:
    """A key path without the structure union's tag (``structure.switchboard.x``)."""
    if len(loc) > 1 and loc[0] == "structure" and loc[1] in StructureParams.registry:
        return [loc[0], *loc[2:]]
    return loc


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    """(key path, what is allowed) for one pydantic error."""
    loc = [str(p) for p in error["loc"]]
    kind = error["type"]
    ctx = error.get("ctx", {})
    if loc[:1] == ["structure"]:
        if kind == "union_tag_invalid":
            return "structure.kind", f"must be one of {ctx['expected_tags']}"
        if len(loc) > 1 and loc[1] in StructureParams.registry:  # the union's tag
            structure = loc.pop(1)
            if kind == "extra_forbidden":
                return ".".join(loc), not_a_parameter(structure, loc[-1])
    if kind == "extra_forbidden":
        return ".".join(loc), _unknown_key_hint(loc)
    bounds = {
        "greater_than_equal": "must be >= {ge}",
        "greater_than": "must be > {gt}",
        "less_than_equal": "must be <= {le}",
        "less_than": "must be < {lt}",
        "too_short": "needs at least {min_length} item(s)",
        "too_long": "allows at most {max_length} item(s)",
        "literal_error": "must be one of {expected}",
        "string_pattern_mismatch": "must match {pattern}",
        "finite_number": "must be a finite number",
        "float_type": "must be a number",
        "int_type": "must be a whole number",
        "bool_type": "must be true or false",
        "string_type": "must be text (in quotes)",
    }
    if kind in bounds:
        return ".".join(loc), bounds[kind].format(**ctx)
    return ".".join(loc), error["msg"].removeprefix("Value error, ")


def _unknown_key_hint(loc: list[str]) -> str:
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if model is None or part.isdigit():
            continue
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    known = sorted(model.model_fields) if model else []
    elsewhere = getattr(model, "not_here", {}).get(loc[-1])
    close = difflib.get_close_matches(loc[-1], known, n=1)
    hint = f"; {elsewhere}" if elsewhere else f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key{hint} (known keys: {', '.join(known)})"


def scenario_from_dict(
    document: Mapping[str, Any],
    origin: str = "<scenario>",
    overridden: Iterable[tuple[list[str], str]] = (),
) -> Scenario:
    """Validate a plain mapping into a :class:`Scenario`, with readable errors.

    Types are strict, as a TOML file writes them: a boolean is ``true`` or ``false``, a
    number is a number (a whole number where a count is asked for), text is text;
    nothing is converted from text or from a boolean, and non-finite numbers are
    refused. ``overridden`` lists (key path, ``--set`` text) pairs: an error at one of
    those keys is blamed on its ``--set``, not on the file.
    """
    try:
        text = json.dumps(dict(document), default=_not_json)
        return Scenario.model_validate_json(text, strict=True)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        loc = _strip_tag([str(p) for p in first["loc"]])
        if loc:
            blamed = [raw for path, raw in overridden if _overlap(loc, path)]
        else:  # a check across keys: its message starts with, or names, its keys
            message = first["msg"].removeprefix("Value error, ")
            lead = message.split(" ")[0].rstrip(":").split(".")
            blamed = [
                raw for path, raw in overridden if _overlap(lead, path) or ".".join(path) in message
            ]
        if blamed:  # the last --set of that key is the one in force
            origin = f"{origin}: --set {blamed[-1]}"
        key, allowed = _describe(first)
        value = first["ctx"]["tag"] if first["type"] == "union_tag_invalid" else first.get("input")
        shown = (
            "" if first["type"] in ("extra_forbidden", "missing") else f" = {_as_written(value)}"
        )
        where = f"{key}{shown}: " if key else ""
        more = f" (and {err.error_count() - 1} more problem(s))" if err.error_count() > 1 else ""
        raise ScenarioError(f"{origin}: {where}{allowed}{more}") from None


def load_scenario(
    path: str | Path | None = None,
    overrides: Iterable[str] = (),
) -> Scenario:
    """Read, merge and validate a scenario.

    Parameters
    ----------
    path
        A TOML scenario file, or ``None`` for the built-in defaults.
    overrides
        ``section.key=value`` strings applied after ``extends`` is resolved, as the
        CLI's ``--set`` does.

    Raises
    ------
    ScenarioError
        With the file, key path, value and allowed range in its message.
    """
    origin = str(path) if path is not None else "<defaults>"
    overrides = list(overrides)
    document = _read_toml(Path(path).resolve()) if path is not None else {}
    parsed = [parse_override(o) for o in overrides]
    _materialise_lists(document, (p for p, _ in parsed))
    overridden = []
    for (key_path, value), raw in zip(parsed, overrides, strict=True):
        resolved = _apply_override(document, key_path, value, f"{origin}: --set {raw}")
        overridden.append((resolved, raw))
    return scenario_from_dict(document, origin, overridden)
