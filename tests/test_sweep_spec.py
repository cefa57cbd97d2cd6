"""The sweep file and its designs (issue 16): bad inputs exit 2 naming the key path;
each sampler's design has the right size, covers the ranges and keeps integer and
listed factors to their allowed values."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.sweep.designs import design_table
from experiments.sweep.spec import load_sweep
from sim.cli import main
from sim.scenario import ScenarioError
from tests.sweep_cases import orgsim, write_sweep


@pytest.mark.parametrize(
    ("levers", "design", "bases", "expected"),
    [
        (
            '"culture.silo_permeabilty" = { range = [0.1, 1.0] }',
            "size = 4",
            ("switchboard",),
            "levers.culture.silo_permeabilty: range = [0.1, 1.0]",
        ),
        (
            '"culture.silo_permeability" = { range = [0.1, 1.5] }',
            "size = 4",
            ("switchboard",),
            "levers.culture.silo_permeability: range = [0.1, 1.5]: 1.5",
        ),
        (
            '"culture.spin" = { range = [0.0, 0.5] }',
            'sampler = "sobolx"',
            ("switchboard",),
            "design.sampler = 'sobolx'",
        ),
        (
            '"culture.spin" = { range = [0.0, 0.5] }',
            "size = 0",
            ("switchboard",),
            "design.size = 0",
        ),
        ('"culture.spin" = { range = [0.0, 0.5] }', "size = 4", ("no_such_structure",), "base: "),
        (
            '"culture.spin" = { ranges = [0.0, 0.5] }',
            "size = 4",
            ("switchboard",),
            "levers.culture.spin.ranges: unknown key; did you mean 'range'?",
        ),
        (
            '"culture.spin" = { range = [0.0, 0.5] }',
            'kpis = ["credibilty"]',
            ("switchboard",),
            "design.kpis: 'credibilty': not a KPI; did you mean 'credibility'?",
        ),
        (
            '"culture.spin" = { range = [0.0, 0.5] }',
            "sizes = 4",
            ("switchboard",),
            "design.sizes: unknown key; did you mean 'size'?",
        ),
        (
            '"structure.approval_depth" = { range = [0.0, 3.0] }',
            "size = 4",
            ("switchboard",),
            "levers.structure.approval_depth: range = [0.0, 3.0]",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_key_path(tmp_path, capsys, levers, design, bases, expected):
    path = write_sweep(tmp_path, levers=levers, design=design, bases=bases)
    with pytest.raises(ScenarioError, match=None) as raised:
        load_sweep(path)
    assert str(path) in str(raised.value) and expected in str(raised.value), raised.value
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    stderr = capsys.readouterr().err
    assert expected in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert not (tmp_path / "out").exists()


def test_a_design_too_big_or_runs_too_long_are_bad_input(tmp_path):
    levers = "\n".join(
        f'"culture.{n}" = {{ range = [0.0, 1.0] }}'
        for n in ("spin", "honesty", "listening", "service_attitude")
    )
    big = write_sweep(tmp_path, levers=levers, design='sampler = "factorial"\nsize = 100')
    with pytest.raises(ScenarioError, match=r"design\.size = 100: the design has 200,000,000 runs"):
        design_table(load_sweep(big))
    huge = '"customers.n_customers" = { range = [1000, 60000000] }'
    long = write_sweep(tmp_path, levers=huge, design="hours = 24", name="long.toml")
    with pytest.raises(ScenarioError, match=r"n_customers: .* 60000000 .*at most"):
        load_sweep(long)


def test_a_missing_sweep_file_is_bad_input(tmp_path):
    """(In a subprocess: the installed command.)"""
    done = orgsim("sweep", tmp_path / "nope.toml", "--out", tmp_path / "out")
    assert done.returncode == 2 and "no such sweep file" in done.stderr


LEVERS = (
    '"culture.silo_permeability" = { range = [0.1, 0.9] }\n'
    '"structure.approval_depth" = { range = [0, 3] }\n'
    '"culture.social_intranet" = [true, false]\n'
    '"culture.spin" = { values = [0.0, 0.25, 0.5] }'
)


@pytest.mark.parametrize(
    ("sampler", "size", "samples"),
    [
        ("factorial", 3, 3 * 3 * 2 * 3),
        ("latin_hypercube", 40, 40),
        ("sobol", 16, 16 * 6),
        ("morris", 10, 10 * 5),
    ],
)
def test_each_design_has_its_size_and_covers_the_ranges(tmp_path, sampler, size, samples):
    path = write_sweep(tmp_path, levers=LEVERS, design=f'sampler = "{sampler}"\nsize = {size}')
    spec = load_sweep(path)
    design = design_table(spec)
    assert len(design) == 2 * samples
    assert design["point"].tolist() == list(range(len(design)))
    assert set(design["structure"]) == {"switchboard", "direct_dial"}
    permeability = design["culture.silo_permeability"]
    assert permeability.between(0.1, 0.9).all()
    assert permeability.max() - permeability.min() > 0.6  # spread over the range
    depth = design["structure.approval_depth"]
    assert depth.dtype.kind == "i" and set(depth) <= {0, 1, 2, 3} and len(set(depth)) >= 2
    assert set(design["culture.social_intranet"]) <= {True, False}
    assert set(design["culture.spin"]) <= {0.0, 0.25, 0.5}
    if sampler == "factorial":
        assert set(depth) == {0, 1, 2, 3} or len(set(depth)) == 3
        assert set(design["culture.spin"]) == {0.0, 0.25, 0.5}
    # every point's scenario validates
    first = design.iloc[0]
    from experiments.sweep.execution import point_values

    scenario = spec.scenario(int(first["base"]), point_values(spec, first))
    assert np.isclose(scenario.culture.silo_permeability, first["culture.silo_permeability"])


def test_the_design_is_the_same_for_the_same_seed(tmp_path):
    path = write_sweep(tmp_path, levers=LEVERS, design='sampler = "sobol"\nsize = 8\nseed = 3')
    a, b = design_table(load_sweep(path)), design_table(load_sweep(path))
    assert a.equals(b)
