"""The parameter tables of ``docs/ODD.md``, generated from the scenario schema.

``python -m sim.scenario.parameter_tables`` rewrites the block between
``<!-- parameters:begin -->`` and ``<!-- parameters:end -->`` in ``docs/ODD.md``: one
table per section with each parameter's path, its default (from ``Scenario()``), its
unit, its allowed range (from the schema's constraints), its meaning (the attribute
docstring, which is also its description in ``orgsim schema``) and its source or
rationale.

Units and sources are data, kept next to this module in
``sim/scenario/parameter_sources.toml`` (:data:`SOURCES_FILE`, shipped as package data):
one table per parameter path with a ``unit`` and a ``source``, a ``*`` in a path standing
for any one name (``service.*.sigma``); its header comment describes the format. This
module reads it (:func:`load_sources`, into :data:`PARAMETERS`), checks it against the
schema and renders the tables.

Every parameter of the schema must have exactly one entry there; the script fails,
naming the file and listing them, when one is missing (a new parameter without
documentation) or doubled, or when an entry names a parameter the schema does not have.
``tests/test_docs.py`` checks that the block in ``docs/ODD.md`` is the one this module
renders.
"""

from __future__ import annotations

import difflib
import re
import sys
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.outputs import atomic_write
from sim.scenario import Scenario
from sim.scenario.structure import StructureParams, params_for, takers_of

__all__ = [
    "BEGIN",
    "END",
    "ODD",
    "PARAMETERS",
    "SOURCES_FILE",
    "Parameter",
    "load_sources",
    "main",
    "parameters",
    "render",
    "splice",
]

_WHO = "sim.scenario.parameter_tables"
"""Who speaks in error messages."""
ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
BEGIN = "<!-- parameters:begin -->"
END = "<!-- parameters:end -->"
README = ODD.parent.parent / "README.md"
SCENARIOS = ODD.parent.parent / "scenarios"
STRUCTURES_BEGIN = "<!-- structures:begin -->"
STRUCTURES_END = "<!-- structures:end -->"

#: Order of the tables; ``""`` is the scenario's own top-level keys.
SECTIONS = (
    "",
    "time",
    "structure",
    "culture",
    "organization",
    "silos",
    "levels",
    "channels",
    "arrivals",
    "customers",
    "graph",
    "posting",
    "spread",
    "opinions",
    "broadcast",
    "learning",
    "service",
    "conversation",
    "voice",
    "interventions",
    "lesson",
)

#: The unit and source of every parameter (see :func:`load_sources`).
SOURCES_FILE = Path(__file__).resolve().with_name("parameter_sources.toml")

#: What a ``*`` in an entry's path stands for: any one name.
_ANY_NAME = r"[^.\[\]]+"


def load_sources(path: Path = SOURCES_FILE) -> dict[str, tuple[str, str]]:
    """The entries of a sources file, checked for shape but not against the schema.

    Parameters
    ----------
    path : Path
        A TOML file with one table per parameter path (quoted, e.g.
        ``["silos[].handoff_hours"]``), each with exactly the text keys ``unit`` and
        ``source``; a ``*`` in a path stands for any one name. The file's header comment
        describes the format.

    Returns
    -------
    dict of str to (str, str)
        Path as written (``*`` included) -> (unit, source or rationale), in file order,
        each text with its line breaks and runs of spaces collapsed to one space.

    Raises
    ------
    SystemExit
        Naming the file and the offending entries, when the file cannot be read or parsed
        or an entry is not a table of a non-empty text ``unit`` and ``source``.
    """
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SystemExit(f"{_WHO}: {path}: {error}") from error
    entries: dict[str, tuple[str, str]] = {}
    malformed = []
    for key, entry in document.items():
        fields = entry if isinstance(entry, dict) else {}
        texts = [fields.get(name) for name in ("unit", "source")]
        if set(fields) == {"unit", "source"} and all(
            isinstance(text, str) and text.strip() for text in texts
        ):
            unit, source = (" ".join(text.split()) for text in texts)
            entries[key] = (unit, source)
        elif fields and all(isinstance(value, dict) for value in fields.values()):
            first = next(iter(fields))
            malformed.append(f'[{key}] holds tables: quote dotted paths, as ["{key}.{first}"]')
        elif set(fields) == {"unit", "source"}:
            malformed.append(f'["{key}"] (an empty or non-text `unit` or `source`)')
        else:
            found = ", ".join(f"`{name}`" for name in fields) or f"a {type(entry).__name__}"
            malformed.append(f'["{key}"] (has {found})')
    if malformed:
        raise SystemExit(
            f"{_WHO}: {path}: each entry must be a table with exactly a "
            "non-empty text `unit` and `source`; not so: " + "; ".join(malformed)
        )
    return entries


def _match(
    entries: dict[str, tuple[str, str]], paths: list[str]
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """(path -> (unit, source) for each schema path with one entry, the problems found).

    A problem is a path without an entry, a path with more than one entry (say an exact
    one and a ``*`` one) or an entry that matches no path; each names the file, the keys
    and what is allowed.
    """
    patterns = {key: re.compile(re.escape(key).replace(r"\*", _ANY_NAME)) for key in entries}
    matched: dict[str, list[str]] = {path: [] for path in paths}
    unknown = []
    for key, pattern in patterns.items():
        hits = [path for path in paths if pattern.fullmatch(path)]
        for path in hits:
            matched[path].append(key)
        if not hits:
            close = difflib.get_close_matches(key, paths, n=1)
            unknown.append(f'["{key}"]' + (f" (did you mean {close[0]}?)" if close else ""))
    missing = [path for path, keys in matched.items() if not keys]
    repeated = [f"{path} ({', '.join(keys)})" for path, keys in matched.items() if len(keys) > 1]
    problems = []
    if missing:
        problems.append(
            f"parameters without an entry (add a table with a `unit` and `source` to "
            f"{SOURCES_FILE}): " + ", ".join(missing)
        )
    if repeated:
        problems.append(
            f"parameters with more than one entry in {SOURCES_FILE} (keep one, the exact "
            "path or the `*` one): " + ", ".join(repeated)
        )
    if unknown:
        problems.append(
            f"entries in {SOURCES_FILE} for parameters the schema lacks: "
            + ", ".join(unknown)
            + " (allowed: the parameter paths of sim.scenario.Scenario, as in the tables of "
            "docs/ODD.md, with `*` for any one name)"
        )
    resolved = {path: entries[keys[0]] for path, keys in matched.items() if len(keys) == 1}
    return resolved, problems


#: Parameter path (``*`` for any one name) -> (unit, source or rationale), from
#: :data:`SOURCES_FILE`.
PARAMETERS: dict[str, tuple[str, str]] = load_sources()


@dataclass(frozen=True)
class Parameter:
    """One row of a parameter table."""

    path: str
    section: str
    default: str
    unit: str
    allowed: str
    meaning: str
    source: str


# ------------------------------------------------------------------ the schema


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the section model inside an annotation, whether it is an array of them)."""
    candidates = (annotation, *typing.get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, typing.get_origin(annotation) is tuple
    return None, False


def _structure_leaves() -> Iterator[tuple[str, FieldInfo, str]]:
    """The parameters of ``[structure]``: those every structure takes, then each
    registered structure's own, once each, marked with the structures that take them."""
    yield from ((f"structure.{n}", f, "") for n, f in StructureParams.model_fields.items())
    seen = set(StructureParams.model_fields)
    for kind in sorted(StructureParams.registry):
        for name, field in params_for(kind).model_fields.items():
            if name not in seen:
                seen.add(name)
                yield f"structure.{name}", field, f"{', '.join(takers_of(name))} only:"


def _leaves(
    model: type[BaseModel], prefix: str = "", context: str = ""
) -> Iterator[tuple[str, FieldInfo, str]]:
    """(path, field, the parent fields' descriptions) of every leaf parameter."""
    for name, field in model.model_fields.items():
        if model is Scenario and name == "structure":
            yield from _structure_leaves()
            continue
        inner, array = _model_of(field.annotation)
        if inner is None:
            yield prefix + name, field, context
            continue
        path = prefix + name + ("[]" if array else "")
        is_section = not prefix and not array
        note = "" if is_section or array else _clean(field.description or "")
        yield from _leaves(inner, path + ".", f"{context} {note}".strip())


def parameter_paths() -> list[str]:
    """Every leaf parameter path of the schema, e.g. ``silos[].handoff_hours``."""
    return [path for path, _, _ in _leaves(Scenario)]


# ------------------------------------------------------------------ formatting


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        return "none"
    return str(value)


def _clean(text: str) -> str:
    return " ".join(text.replace("``", "`").split()).replace("|", "\\|")


def _dig(document: Any, keys: list[str]) -> Any:
    for key in keys:
        document = document[key]
    return document


def _default(path: str, field: FieldInfo) -> str:
    """The default of ``Scenario()``; for arrays of tables, each default entry's value;
    for a structure's own parameter, the default of the first structure that takes it."""
    defaults = Scenario().model_dump(mode="python")
    section, _, key = path.partition(".")
    if section == "structure" and key not in StructureParams.model_fields:
        return f"`{_value(getattr(params_for(takers_of(key)[0])(), key))}`"
    if defaults.get(section, {}) is None:  # an optional table, absent by default
        given = "required" if field.is_required() else f"`{_value(field.default)}`"
        return f"no table; in one: {given}"
    head, _, rest = path.partition("[]")
    if not rest:
        return f"`{_value(_dig(defaults, path.split('.')))}`"
    entries = defaults[head]
    keys = rest.lstrip(".").split(".")
    if field.is_required():
        new_entry = ""
    else:
        new_entry = f"`{_value(field.get_default(call_default_factory=True))}`"
    if not entries:
        return f"no entries; in an entry: {new_entry or 'required'}"
    values = [_dig(entry, keys) for entry in entries]
    names = [entry.get("name", str(i)) for i, entry in enumerate(entries)]
    if keys == ["name"]:
        return ", ".join(f"`{v}`" for v in values)
    if all(v == values[0] for v in values):
        shown = f"`{_value(values[0])}` (all {len(values)})"
    else:
        shown = " · ".join(f"{n} `{_value(v)}`" for n, v in zip(names, values, strict=True))
    if new_entry and not all(v == field.get_default() for v in values):
        shown += f"; new entry {new_entry}"
    return shown


def _allowed(field: FieldInfo) -> str:
    """The allowed range, from the schema's constraints."""
    if field is StructureParams.model_fields["kind"]:
        return "one of " + ", ".join(f"`{kind}`" for kind in StructureParams.registry)
    annotation = field.annotation
    lower = upper = ""
    extra = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            lower = f"[{_number(item.ge)}"
        elif isinstance(item, annotated_types.Gt):
            lower = f"({_number(item.gt)}"
        elif isinstance(item, annotated_types.Le):
            upper = f"{_number(item.le)}]"
        elif isinstance(item, annotated_types.Lt):
            upper = f"{_number(item.lt)})"
        elif isinstance(item, annotated_types.MinLen):
            extra.append(f"at least {item.min_length}")
        elif isinstance(item, annotated_types.MaxLen):
            extra.append(f"at most {item.max_length}")
        elif getattr(item, "pattern", None):
            extra.append(f"pattern `{item.pattern}`")
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if annotation is bool:
        return "true, false"
    if lower or upper:
        kind = "integer " if annotation is int else ""
        return f"{kind}{lower or '(-inf'}, {upper or 'inf)'}"
    origin = typing.get_origin(annotation)
    if origin is tuple:
        what = "list of text"
    elif origin is dict:
        what = "table of lever paths"
    elif type(None) in typing.get_args(annotation):
        what = "text or none"
    else:
        what = "text"
    if extra:
        what += " (" + ", ".join(extra).replace("at least", "length at least", 1) + ")"
    return what


# ------------------------------------------------------------------ rendering


def parameters() -> list[Parameter]:
    """Every parameter of the schema with its documentation, in schema order.

    Returns
    -------
    list of Parameter
        One row per leaf parameter path of :class:`sim.scenario.Scenario`.

    Raises
    ------
    SystemExit
        Listing every problem at once: a parameter without an entry in
        :data:`PARAMETERS` (read from :data:`SOURCES_FILE`) or with more than one, an
        entry that names no parameter of the schema, or a parameter without an attribute
        docstring.
    """
    leaves = list(_leaves(Scenario))
    sources, problems = _match(PARAMETERS, [path for path, _, _ in leaves])
    undescribed = [path for path, field, _ in leaves if not field.description]
    if undescribed:
        problems.append("parameters without an attribute docstring: " + ", ".join(undescribed))
    if problems:
        raise SystemExit(f"{_WHO}: " + "; ".join(problems))
    rows = []
    for path, field, context in leaves:
        unit, source = sources[path]
        meaning = _clean(field.description or "")
        if context:
            meaning = f"{context} {meaning}"
        section = path.split("[]")[0].split(".")[0] if "." in path else ""
        rows.append(
            Parameter(
                path=path,
                section=section,
                default=_default(path, field),
                unit=unit,
                allowed=_allowed(field),
                meaning=meaning,
                source=_clean(source),
            )
        )
    return rows


def _section_heading(section: str) -> list[str]:
    if not section:
        return ["#### Top level", ""]
    field = Scenario.model_fields[section]
    _, array = _model_of(field.annotation)
    if section == "structure":
        array = False
    title = f"#### `[[{section}]]`" if array else f"#### `[{section}]`"
    lines = [title, ""]
    note = _clean(field.description or "")
    if array:
        bounds = {type(m): m for m in field.metadata}
        low = bounds.get(annotated_types.MinLen)
        high = bounds.get(annotated_types.MaxLen)
        sizes = ""
        if low is not None and high is not None:
            sizes = f" of {low.min_length} to {high.max_length} entries"
        note += f" An array of tables{sizes}; each entry has the keys below."
    lines += [note, ""]
    return lines


def render() -> str:
    """The generated block, markers included."""
    rows = parameters()
    by_section: dict[str, list[Parameter]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    unknown = set(by_section) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"{_WHO}: sections without a table: {sorted(unknown)}")
    lines = [
        BEGIN,
        "<!-- Generated by `python -m sim.scenario.parameter_tables`; edit the schema's",
        "     docstrings and sim/scenario/parameter_sources.toml, not this block. -->",
        "",
    ]
    for section in SECTIONS:
        lines += _section_heading(section)
        lines += [
            "| parameter | default | unit | allowed | meaning | source or rationale |",
            "|---|---|---|---|---|---|",
        ]
        for r in by_section.get(section, []):
            lines.append(
                f"| `{r.path}` | {r.default} | {r.unit} | {r.allowed} | {r.meaning} | {r.source} |"
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def splice(document: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    """``document`` with the text between the markers (inclusive) replaced by ``block``."""
    start, stop = document.find(begin), document.find(end)
    if start < 0 or stop < start:
        raise SystemExit(f"{_WHO}: the document lacks the markers {begin} ... {end}")
    return document[:start] + block + document[stop + len(end) :]


def render_structures() -> str:
    """The README's table of structure scenarios, markers included: one row per
    registered structure (most central first), from ``scenarios/<kind>.toml``'s
    ``description``."""
    from sim.scenario.loader import load_scenario

    lines = [
        STRUCTURES_BEGIN,
        "<!-- Generated by `python -m sim.scenario.parameter_tables` from the structure",
        "     registry and each scenario's `description`; edit those, not this block. -->",
        "",
        "| file | what it shows |",
        "|---|---|",
    ]
    for kind in StructureParams.registry:
        path = SCENARIOS / f"{kind}.toml"
        shown = _clean(load_scenario(path).description) if path.exists() else "(no scenario file)"
        lines.append(f"| `{path.name}` | {shown} |")
    lines.append(STRUCTURES_END)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Rewrite the parameter block of ``docs/ODD.md`` (or of the file given) and the
    structures table of ``README.md`` (atomically)."""
    path = Path(argv[0]) if argv else ODD
    text = splice(path.read_text(encoding="utf-8"), render())
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"{path}: {len(parameters())} parameters")
    if not argv:
        readme = README.read_text(encoding="utf-8")
        readme = splice(readme, render_structures(), STRUCTURES_BEGIN, STRUCTURES_END)
        atomic_write(README, lambda tmp: tmp.write_text(readme, encoding="utf-8"))
        print(f"{README}: {len(StructureParams.registry)} structures")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
