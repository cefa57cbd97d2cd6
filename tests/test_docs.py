"""The documentation keeps up with the code.

- ``docs/ODD.md`` has the seven ODD element titles (Grimm et al. 2020) as its ``##``
  headings, in order;
- every parameter of the scenario schema is documented there, and the generated
  parameter tables are the ones ``python -m sim.scenario.parameter_tables`` renders now (a new
  parameter without a docstring, unit and source fails here);
- every shipped scenario file starts with a ``#`` header comment;
- the README's two fresh-machine commands exist verbatim, and CI runs the test one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario import Scenario
from sim.scenario import parameter_tables as parameters

ROOT = Path(__file__).resolve().parent.parent
STRUCTURE_MARKERS = (parameters.STRUCTURES_BEGIN, parameters.STRUCTURES_END)
ODD = ROOT / "docs" / "ODD.md"
ODD_ELEMENTS = [
    "Purpose and patterns",
    "Entities, state variables, and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]
SETUP_AND_COMPARE = "bash .ci/setup && .venv/bin/orgsim compare --out compare-out"
SETUP_AND_TEST = "bash .ci/setup test && .venv/bin/python -m pytest"


def level_two_headings(markdown: str) -> list[str]:
    """The ``##`` headings of a Markdown text, outside fenced code blocks."""
    headings, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"^## (?!#)", line):
            headings.append(line[3:].strip())
    return headings


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


def test_odd_has_the_seven_element_titles_in_order(odd: str) -> None:
    assert level_two_headings(odd) == ODD_ELEMENTS


def test_every_schema_parameter_is_documented_in_the_odd(odd: str) -> None:
    paths = parameters.parameter_paths()
    assert len(paths) > 100  # the walk found the schema, not an empty model
    assert "silos[].handoff_hours" in paths
    assert "interventions[].crisis.topic" in paths
    missing = [path for path in paths if f"`{path}`" not in odd]
    assert not missing, f"parameters missing from docs/ODD.md: {missing}"


def test_every_top_level_section_has_a_table(odd: str) -> None:
    for section in Scenario.model_fields:
        field = Scenario.model_fields[section]
        if field.annotation in (str,):
            continue
        assert f"`[{section}]`" in odd or f"`[[{section}]]`" in odd, section


def test_generated_parameter_tables_are_up_to_date(odd: str) -> None:
    fresh = parameters.splice(odd, parameters.render())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = parameters.render_structures()
    assert parameters.splice(readme, block, *STRUCTURE_MARKERS) == readme, (
        "README.md's structures table is stale: run `python -m sim.scenario.parameter_tables`"
    )
    assert fresh == odd, "docs/ODD.md is stale: run `python -m sim.scenario.parameter_tables`"


def test_every_parameter_has_a_docstring_unit_and_source() -> None:
    rows = parameters.parameters()
    assert [r.path for r in rows] == parameters.parameter_paths()
    for row in rows:
        assert row.meaning and row.unit and row.source and row.allowed, row.path


def test_the_generator_names_a_parameter_without_a_source(monkeypatch) -> None:
    trimmed = dict(parameters.PARAMETERS)
    del trimmed["culture.spin"]
    trimmed["culture.no_such_lever"] = ("share", "nowhere")
    monkeypatch.setattr(parameters, "PARAMETERS", trimmed)
    with pytest.raises(SystemExit) as info:
        parameters.render()
    assert "culture.spin" in str(info.value)
    assert "culture.no_such_lever" in str(info.value)


def test_a_parameter_with_an_exact_and_a_wildcard_entry_is_refused(monkeypatch) -> None:
    doubled = dict(parameters.PARAMETERS)
    doubled["service.draft.sigma"] = ("1", "a second source")  # also matched by service.*.sigma
    monkeypatch.setattr(parameters, "PARAMETERS", doubled)
    with pytest.raises(SystemExit, match=r"more than one entry.*service\.draft\.sigma"):
        parameters.render()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["culture.spin"]\nunit = "share"\n', r'\["culture\.spin"\] \(has `unit`\)'),
        ('["culture.spin"]\nunit = ""\nsource = "x"\n', r"empty or non-text"),
        ("[culture.spin]\nunit = 'share'\nsource = 'x'\n", r'quote dotted paths, as \["culture'),
        ('["culture.spin"\nunit = 1\n', r"sources\.toml: "),
    ],
)
def test_a_malformed_sources_file_names_the_file_and_the_entry(
    tmp_path, text: str, expected: str
) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit, match=expected) as info:
        parameters.load_sources(path)
    assert str(path) in str(info.value)


def test_the_generator_rewrites_only_the_marked_block(tmp_path) -> None:
    document = tmp_path / "ODD.md"
    document.write_text(
        f"# title\n\nbefore\n\n{parameters.BEGIN}\nSTALE TABLE\n{parameters.END}\n\nafter\n",
        encoding="utf-8",
    )
    assert parameters.main([str(document)]) == 0
    text = document.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n\n")
    assert text.endswith("\n\nafter\n")
    assert "STALE TABLE" not in text
    assert "| `time.tick_minutes` |" in text


@pytest.mark.parametrize(
    "scenario", sorted(p.name for p in (ROOT / "scenarios").glob("*.toml")), ids=str
)
def test_shipped_scenario_starts_with_a_header_comment(scenario: str) -> None:
    first = (ROOT / "scenarios" / scenario).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#"), f"scenarios/{scenario} must start with a '#' header comment"


def test_readme_has_the_two_fresh_machine_commands_verbatim() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SETUP_AND_COMPARE in readme
    assert SETUP_AND_TEST in readme


def test_ci_runs_the_readme_test_command() -> None:
    assert SETUP_AND_TEST in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
