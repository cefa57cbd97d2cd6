"""Sweep analysis (issue 16): a no-effect factor ranks below a strong one; Sobol
indices of the Ishigami function, through the same code path, match the analytic
values; PRIM finds the box it should."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.sweep.analysis import lever_effects, ranking, sensitivity
from experiments.sweep.designs import design_table
from experiments.sweep.prim import parse_condition, prim
from experiments.sweep.spec import load_sweep
from sim.cli import main
from tests.sweep_cases import write_sweep

TWO = '"culture.spin" = { range = [0.0, 1.0] }\n"culture.honesty" = { range = [0.0, 1.0] }'


def _design(tmp_path, sampler: str, size: int, levers: str = TWO, bases=("switchboard",)):
    path = write_sweep(
        tmp_path, levers=levers, design=f'sampler = "{sampler}"\nsize = {size}', bases=bases
    )
    return design_table(load_sweep(path))


@pytest.mark.parametrize(
    ("sampler", "size"),
    [("sobol", 256), ("morris", 20), ("latin_hypercube", 200), ("factorial", 5)],
)
def test_a_strong_factor_ranks_above_one_without_effect(tmp_path, sampler, size):
    design = _design(tmp_path, sampler, size)
    rng = np.random.default_rng(1)
    strong = design["culture.spin"].to_numpy()
    means = pd.DataFrame(
        {"kpi": 10 * strong + 0.1 * rng.standard_normal(len(design))}, index=design["point"]
    )
    method = sampler if sampler in ("sobol", "morris") else "src"
    indices, _ = sensitivity(
        design, means, method, ["culture.spin", "culture.honesty"], ["kpi"], ["switchboard"]
    )
    assert ranking(indices, method)["kpi"]["switchboard"] == ["culture.spin", "culture.honesty"]
    main_index = {"sobol": "ST", "morris": "mu_star", "src": "SRC"}[method]
    rows = indices[indices["index"] == main_index].set_index("factor")
    assert abs(rows.loc["culture.honesty", "value"]) < 0.05 * abs(rows.loc["culture.spin", "value"])


ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_indices_of_ishigami_match_the_analytic_values(tmp_path):
    levers = "\n".join(
        f'"culture.{n}" = {{ range = [0.0, 1.0] }}' for n in ("spin", "honesty", "listening")
    )
    design = _design(tmp_path, "sobol", 1024, levers)
    x = np.pi * (2 * design[[c for c in design if c.startswith("u:")]].to_numpy() - 1)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    means = pd.DataFrame({"ishigami": y}, index=design["point"])
    names = ["culture.spin", "culture.honesty", "culture.listening"]
    indices, _ = sensitivity(design, means, "sobol", names, ["ishigami"], ["switchboard"])
    for factor, key in zip(names, ("x1", "x2", "x3"), strict=True):
        for index, analytic in (("S1", ISHIGAMI_S1[key]), ("ST", ISHIGAMI_ST[key])):
            row = indices[(indices["factor"] == factor) & (indices["index"] == index)].iloc[0]
            assert abs(row["value"] - analytic) <= row["ci"] + 0.01, (factor, index, row)


def test_paired_lever_effects_recover_a_known_slope():
    rng = np.random.default_rng(0)
    rows = []
    for k in range(4):
        noise = rng.standard_normal()  # a common random number: shared by every point
        for point, lever in enumerate(np.linspace(0, 1, 6)):
            rows.append(
                {
                    "point": point,
                    "replication": k,
                    "structure": "a",
                    "lever": lever,
                    "kpi": 2.0 * lever + noise,
                }
            )
    effects = lever_effects(pd.DataFrame(rows), ["lever"], ["kpi"], {"lever": 0.5})
    row = effects.iloc[0]
    assert np.isclose(row["effect"], 1.0) and row["ci"] < 1e-9 and row["n"] == 4


def test_prim_finds_the_box_where_the_condition_holds():
    rng = np.random.default_rng(2)
    x = pd.DataFrame({"a": rng.random(2000), "b": rng.random(2000)})
    y = (x["a"] > 0.7).to_numpy() & (x["b"] < 0.4).to_numpy()
    box, trajectory = prim(x, y, min_coverage=0.8)
    assert box.density > 0.9 and box.coverage >= 0.8 and len(trajectory) > 5
    assert 0.6 < box.limits["a"][0] < 0.8 and 0.3 < box.limits["b"][1] < 0.5
    assert parse_condition("a < 1 and b >= 2", ["a", "b"]) == [("a", "<", 1.0), ("b", ">=", 2.0)]
    with pytest.raises(ValueError, match="not a KPI"):
        parse_condition("c < 1", ["a", "b"])


def test_analyze_writes_tables_figures_and_json(tmp_path, capsys):
    path = write_sweep(
        tmp_path,
        design='sampler = "latin_hypercube"\nsize = 6\nhours = 12\n'
        'kpis = ["answered_share", "credibility"]',
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["analyze", str(out), "--prim", "answered_share > 0.1", "--json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["method"] == "src" and report["prim"] and report["effects"]
    for name in ("sensitivity.parquet", "effects.parquet", "prim.parquet", "scatter.png"):
        assert (out / "analysis" / name).is_file()
    assert main(["analyze", str(out), "--prim", "answered_share >> 1"]) == 2


def test_the_crossover_is_where_the_paired_difference_changes_sign():
    from experiments.sweep.analysis import crossover

    rows = []
    for load in (1.0, 2.0, 4.0, 8.0):
        for k in range(3):
            central = load**2  # a congested hub: fast when idle, slow when busy
            rows.append({"structure": "hub", "load": load, "replication": k, "kpi": central + k})
            rows.append({"structure": "flat", "load": load, "replication": k, "kpi": 6.0 + k})
    result = crossover(pd.DataFrame(rows), "load", "kpi", ["hub", "flat"])
    # flat - hub: 5, 2, -10, -58: the sign changes between 2 and 4, at 2 + 2 * 2 / 12
    assert result["difference"]["mean"] == [5.0, 2.0, -10.0, -58.0]
    assert np.isclose(result["crossover_at"], 2 + 2 * 2 / 12)
