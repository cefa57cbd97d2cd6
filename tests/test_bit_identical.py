"""Refactors leave every result unchanged (issue 12): each configuration of
:mod:`golden` gives the same KPIs, thread table and per-tick series, bit for bit, as
when the fingerprints were last regenerated (see :mod:`golden` for when and why), at
two seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden import CONFIGURATIONS, SEEDS, fingerprint

STORED = json.loads((Path(__file__).parent / "data" / "golden_hashes.json").read_text())


def test_every_configuration_is_stored() -> None:
    assert set(STORED) == {f"{name}@{seed}" for name in CONFIGURATIONS for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_results_are_bit_identical(name: str, seed: int) -> None:
    assert fingerprint(name, seed) == STORED[f"{name}@{seed}"]
