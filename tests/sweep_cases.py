"""Small sweep files for the sweep tests (tests/test_sweep_*.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SMALL = (
    '"customers.n_customers=3000", "organization.n_employees=100", '
    '"posting.problem_rate=0.015", "posting.question_rate=0.003"'
)


def write_sweep(
    folder: Path,
    levers: str = '"culture.silo_permeability" = { range = [0.1, 1.0] }',
    design: str = 'sampler = "latin_hypercube"\nsize = 4\nreplications = 2\nhours = 6',
    bases: tuple[str, ...] = ("switchboard", "direct_dial"),
    extra: str = "",
    name: str = "sweep.toml",
) -> Path:
    """A sweep file over the small world with the given tables."""
    base = ", ".join(f'"{SCENARIOS / b}.toml"' for b in bases)
    text = f"base = [{base}]\nset = [{SMALL}]\n{extra}\n[levers]\n{levers}\n\n[design]\n{design}\n"
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def orgsim(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """``orgsim ARGS`` in a subprocess of this interpreter."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "orgsim"), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        **kwargs,
    )
