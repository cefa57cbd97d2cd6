"""Tests for ``orgsim bench`` (experiments.bench): a small run of the real command, its
report's arithmetic, the scaling figure and bad input. The timings themselves are
never asserted (speed is measured, not tested)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.bench import _scaling_figure, scaling_exponent
from sim.cli import main
from sim.stopwatch import PARTS


def bench(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = main(["bench", *(str(a) for a in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_small_bench_reports_every_measure_and_the_reference(capsys, tmp_path: Path) -> None:
    code, out, _ = bench(
        capsys,
        *("--customers", "2000", "--ticks", "30", "--structure", "direct_dial"),
        *("--reference", "2000", "--json", "--out", tmp_path),
    )
    assert code == 0
    report = json.loads(out)
    assert report == json.loads((tmp_path / "bench.json").read_text())
    (run,) = report["runs"]
    assert (run["structure"], run["customers"], run["ticks"]) == ("direct_dial", 2000, 30)
    assert run["employees"] == 10_000 and run["edges"] > 15_000  # mean out-degree 10
    assert run["median_tick_ms"] > 0 and run["spmv_ms"] > 0
    assert run["tick_over_spmv"] == pytest.approx(run["median_tick_ms"] / run["spmv_ms"])
    assert run["wall_seconds"] == pytest.approx(run["setup_seconds"] + run["run_seconds"])
    assert 0 < run["graph_setup_seconds"] <= run["setup_seconds"]
    assert run["peak_rss_mb"] > 50
    assert set(run["parts_ms"]) == set(PARTS)
    (reference,) = report["reference"]
    assert reference["customers"] == 2000
    assert reference["speedup"] == pytest.approx(
        reference["reference_tick_ms"] / reference["core_tick_ms"]
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--customers", "5"], "--customers"),
        (["--ticks", "0"], "--ticks"),
        (["--reference", "many"], "--reference"),
        (["--scenario", "no/such/file.toml"], "no/such/file.toml"),
        (["--structure", "switchbored"], "switchbored"),
    ],
)
def test_bad_input_exits_2_naming_the_flag_without_a_traceback(
    capsys, args: list[str], named: str
) -> None:
    try:
        code, _, err = bench(capsys, *args)
    except SystemExit as exit_:  # argparse rejects choices itself
        code, err = exit_.code, capsys.readouterr().err
    assert code == 2
    assert named in err
    assert "Traceback" not in err


def test_scaling_exponent_is_the_log_log_slope() -> None:
    assert scaling_exponent([10, 100, 1000], [1.0, 10.0, 100.0]) == pytest.approx(1.0)
    assert scaling_exponent([10, 100, 1000], [2.0, 2.0, 2.0]) == pytest.approx(0.0, abs=1e-12)
    assert scaling_exponent([1e4, 1e6], [1.0, 10.0]) == pytest.approx(0.5)


def test_scaling_figure_with_the_reference_is_a_png(tmp_path: Path) -> None:
    rows = [
        {"customers": n, "median_tick_ms": t, "spmv_ms": s, "structure": "switchboard"}
        for n, t, s in [(10_000, 1.0, 0.1), (100_000, 1.6, 0.9), (1_000_000, 5.0, 14.5)]
    ]
    reference = [
        {"customers": 10_000, "reference_tick_ms": 5.9, "core_tick_ms": 1.1, "speedup": 5.4}
    ]
    path = tmp_path / "scaling.png"
    _scaling_figure(path, rows, 0.4, reference)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) == [path]  # written atomically: no temp file left
