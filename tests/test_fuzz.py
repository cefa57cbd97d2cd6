"""A fuzzer for bad input (issue 15): hypothesis mutates the shipped scenarios, as
files and as ``--set`` lines, and every case must end in one of two ways:

- exit 0, and the scenario runs (one tick) within the run-size bounds; or
- exit 2 with one line that names a key path or a file, never a traceback and never an
  internal error (exit 1).

Mutations: wrong types (text, booleans, lists, tables where numbers are), out-of-range
and non-finite numbers, unknown and misspelt keys at every depth, broken ``extends``
chains (missing, a directory, itself, not text), huge sizes, and odd encodings (Latin-1,
a byte-order mark, binary junk). The default budget is about a minute; run it longer
with ``ORGSIM_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
--hypothesis-show-statistics``.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
TIMELINE = {  # interventions that fire at once, so that a short run applies them
    "extends": str(ROOT / "scenarios" / "direct_dial.toml"),
    "customers": {"n_customers": 2000},
    "interventions": [
        {"at_hours": 0, "set": {"structure.cross_claim": 0.5, "culture.spin": 0.2}},
        {
            "at_hours": 0,
            "ramp_hours": 1,
            "set": {"structure.kind": "coached_direct_dial", "structure.coaching_per_week": 0.5},
        },
        {"at_hours": 0, "crisis": {"topic": "defects", "threads": 20, "hours": 1}},
        {"at_hours": 0.25, "set": {"organization.training": 0.9, "structure.kind": "switchboard"}},
    ],
}
"""A base with a timeline (no shipped scenario has one)."""
EXAMPLES = int(os.environ.get("ORGSIM_FUZZ_EXAMPLES", "1000"))
RUNNABLE = {"customers": 30_000, "employees": 2_000}
"""Above these sizes a valid case is validated but not run (a build would take long)."""


def leaves(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a parsed scenario (list entries by index)."""
    if isinstance(document, dict):
        return [p for k, v in document.items() for p in leaves(v, (*prefix, k))] or [prefix]
    if isinstance(document, list) and document and isinstance(document[0], dict):
        return [p for i, v in enumerate(document) for p in leaves(v, (*prefix, i))]
    return [prefix]


def tables(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a table (where an unknown key may be added)."""
    found = [prefix] if isinstance(document, dict) else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += tables(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found += tables(value, (*prefix, i))
    return found


def set_at(document: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


def toml_value(value: Any) -> str:
    """A value in TOML (inline tables and arrays; non-finite floats as TOML writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(value)


def toml_document(document: dict) -> str:
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in document.items())


BAD_VALUES = st.one_of(
    st.text(max_size=8),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "mean_hours", "name"]), st.integers(), max_size=2),
    st.sampled_from([10**9, 10**15, -1, 0, 1e-300, 1e300, "1e3", "true", ":smile:", "[bold]"]),
)


def misspelt(name: str, data: st.DataObject) -> str:
    if len(name) > 2 and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(name) - 2))
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return data.draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))


def mutate(document: dict, data: st.DataObject) -> dict:
    """One mutation of a parsed scenario (the scenario's ``extends`` made absolute)."""
    kind = data.draw(
        st.sampled_from(["value", "value", "key", "extends", "size", "drop", "kind"]), "mutation"
    )
    if kind == "value":
        path = data.draw(st.sampled_from(leaves(document)), "leaf")
        if path:
            set_at(document, path, data.draw(BAD_VALUES, "value"))
    elif kind == "key":
        path = data.draw(st.sampled_from(tables(document)), "table")
        table = document
        for part in path:
            table = table[part]
        keys = [k for k in table if isinstance(k, str)] or ["x"]
        table[misspelt(data.draw(st.sampled_from(keys)), data)] = data.draw(BAD_VALUES)
    elif kind == "extends":
        document["extends"] = data.draw(
            st.sampled_from(["missing.toml", ".", "/etc/passwd", "", 7, ["a"], "/dev/null"])
        )
    elif kind == "size":
        key = data.draw(
            st.sampled_from(
                [
                    ("customers", "n_customers"),
                    ("organization", "n_employees"),
                    ("time", "hours"),
                    ("time", "tick_minutes"),
                    ("arrivals", "threads_per_hour"),
                ]
            )
        )
        document.setdefault(key[0], {})[key[1]] = data.draw(
            st.sampled_from([10**7, 49_999_999, 10**9, 1e-6, 99_999.0, 1e6])
        )
    elif kind == "drop":
        path = data.draw(st.sampled_from(leaves(document)))
        if len(path) > 1:
            parent = document
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
    else:
        document.setdefault("structure", {})["kind"] = data.draw(
            st.sampled_from(["direct_dial", "switchboard", "coached_direct_dial", "nope", 3])
        )
    return document


def check(code: int, out: str, err: str, case: str, source: str) -> None:
    """Exit 0, or exit 2 with one line naming the case's ``source`` (its file, or
    ``--set``) or the ``extends`` that led astray."""
    assert code in (0, 2), f"{case}: exit {code}: {err}"
    assert "Traceback" not in err and "internal error" not in err, f"{case}: {err}"
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(("error: ", "invalid ")), f"{case}: {err}"
        assert source in lines[0] or "extends" in lines[0], f"{case}: names no source: {err}"


def runnable(path: Path) -> bool:
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    return (
        scenario.customers.n_customers <= RUNNABLE["customers"]
        and scenario.organization.n_employees <= RUNNABLE["employees"]
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=st.sampled_from([*SHIPPED, "timeline"]), data=st.data())
def test_mutated_scenario_files_exit_0_or_2(tmp_path, capsys, source, data):
    if source == "timeline":
        document = json.loads(json.dumps(TIMELINE))
    else:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
        if isinstance(document.get("extends"), str):
            document["extends"] = str(source.parent / document["extends"])
    for _ in range(data.draw(st.integers(0, 3), "mutations")):
        document = mutate(document, data)
    text = toml_document(document)
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "junk"]))
    path = tmp_path / "case.toml"
    if encoding == "junk":
        path.write_bytes(b"\xff\xfe\x00junk\x80" + text.encode())
    else:
        path.write_bytes(("# é café\n" + text).encode(encoding, errors="replace"))
    code, out, err = run(capsys, "validate", path)
    check(code, out, err, f"validate {text!r}", str(path))
    event(f"validate: exit {code}")
    if code == 0 and runnable(path):
        code, out, err = run(capsys, "run", path, "--hours", "0.5", "--json")
        check(code, out, err, f"run {text!r}", str(path))
        if code == 0:
            share = json.loads(out)["answered_share"]
            assert share is None or 0 <= share <= 1
        event(f"run: exit {code}")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_set_lines_exit_0_or_2(capsys, data):
    document = tomllib.loads((ROOT / "scenarios" / "world.toml").read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(leaves(document)), "leaf")
    key = ".".join(str(p) for p in path)
    if data.draw(st.booleans()):
        key = key.rpartition(".")[0] + "." + misspelt(key.rpartition(".")[2], data)
    raw = data.draw(st.one_of(BAD_VALUES.map(toml_value), st.text(max_size=10)), "value")
    assignment = data.draw(st.sampled_from([f"{key}={raw}", key, f"={raw}", f"{key}=="]))
    args = ["--set", assignment, "--set", "customers.n_customers=300", "--hours", "0.25"]
    code, out, err = run(capsys, "run", ROOT / "scenarios" / "world.toml", *args, "--json")
    check(code, out, err, f"--set {assignment!r}", "--set")
    event(f"run: exit {code}")


def run(capsys: pytest.CaptureFixture, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
