"""Fingerprints of whole runs, for refactors that must leave every result unchanged.

Each configuration is a scenario file, ``--set`` overrides and a run length. Its
fingerprint is a SHA-256 over the run's KPIs, its thread table and its per-tick
series, column by column (names, dtypes, categories and raw bytes), so any change in
any number, however small, changes it. ``tests/data/golden_hashes.json`` holds the
fingerprints; ``tests/test_bit_identical.py`` checks them.

History: first measured at commit da17a19 (before the floor-plan refactor, issue 12,
which left all of them unchanged); regenerated on 2026-12-01 from the code of the
public-side change (issue 13: continuous-time spread, escalations, signed trust
signals, brand following, new KPIs and series), which was meant to move every result;
regenerated again later that day from the organization-side change (issue 14: second
silos, exact staffing quotas and equal social capacity, continuous time within the
tick, listening that divides a fixed effort), meant to move every result too.
A refactor must leave them as they are; a configuration added later is fingerprinted
against the commit that last regenerated them, never against the code under test.
Regenerate from the current code only when a change is *meant* to move results, and
say so in the commit:

    .venv/bin/python tests/golden.py > tests/data/golden_hashes.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1)
SMALL = [
    "customers.n_customers=3000",
    "organization.n_employees=100",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
]
WORLD = "scenarios/world.toml"


def _k(kind: str) -> str:
    return f"structure.kind={kind}"


CONFIGURATIONS: dict[str, tuple[str, list[str], float]] = {
    # the four structures in the claims' small world
    "switchboard": (WORLD, [*SMALL, _k("switchboard")], 72),
    "direct_dial": (WORLD, [*SMALL, _k("direct_dial")], 72),
    "expert_routing": (WORLD, [*SMALL, _k("expert_routing")], 72),
    "coached_direct_dial": (WORLD, [*SMALL, _k("coached_direct_dial")], 72),
    # the shipped structure files themselves, smaller world
    "file_switchboard": ("scenarios/switchboard.toml", ["customers.n_customers=4000"], 48),
    "file_direct_dial": ("scenarios/direct_dial.toml", ["customers.n_customers=4000"], 48),
    "file_expert_routing": ("scenarios/expert_routing.toml", ["customers.n_customers=4000"], 48),
    "file_coached": ("scenarios/coached_direct_dial.toml", ["customers.n_customers=4000"], 48),
    "typical_brand_2016": ("scenarios/typical_brand_2016.toml", ["customers.n_customers=4000"], 48),
    # Poisson arrivals (the queueing test bed)
    "poisson_switchboard": (WORLD, ["arrivals.mode=poisson", _k("switchboard")], 72),
    "poisson_direct_dial": (WORLD, ["arrivals.mode=poisson", _k("direct_dial")], 72),
    "poisson_coached": (
        WORLD,
        ["arrivals.mode=poisson", _k("coached_direct_dial"), "culture.analytics=true"],
        72,
    ),
    # levers
    "analytics_switchboard": (WORLD, [*SMALL, _k("switchboard"), "culture.analytics=true"], 72),
    "analytics_direct_dial": (WORLD, [*SMALL, _k("direct_dial"), "culture.analytics=true"], 72),
    "intranet_direct_dial": (
        WORLD,
        [*SMALL, _k("direct_dial"), "culture.social_intranet=true"],
        72,
    ),
    "intranet_analytics_dd": (
        WORLD,
        [*SMALL, _k("direct_dial"), "culture.social_intranet=true", "culture.analytics=true"],
        72,
    ),
    "honest_switchboard": (
        WORLD,
        [*SMALL, _k("switchboard"), "culture.honesty=0.95", "culture.spin=0.1"],
        72,
    ),
    "spin_switchboard": (
        WORLD,
        [
            *SMALL,
            _k("switchboard"),
            "culture.honesty=0.05",
            "culture.spin=0.9",
            "opinions.spin_found_hours=6",
            "opinions.spin_found_probability=0.9",
        ],
        72,
    ),
    "dishonest_direct_dial": (WORLD, [*SMALL, _k("direct_dial"), "culture.honesty=0.05"], 72),
    "deep_approvals": (WORLD, [*SMALL, _k("switchboard"), "structure.approval_depth=3"], 72),
    "closed_silos_dd": (WORLD, [*SMALL, _k("direct_dial"), "culture.silo_permeability=0.1"], 72),
    "talkative": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            "broadcast.rate_per_hour=20",
            "culture.listening=0.1",
            "broadcast.unfollow=0.05",
        ],
        72,
    ),
    "conversational": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            "conversation.followup_probability=0.9",
            "conversation.followup_hours=0.5",
        ],
        72,
    ),
    "lognormal": (
        WORLD,
        [
            *SMALL,
            _k("switchboard"),
            'service.draft={distribution="lognormal", mean_hours=0.5, sigma=1.0}',
            'service.triage={distribution="fixed", mean_hours=0.1}',
        ],
        72,
    ),
    # interventions: a ramp, a structure switch, a crisis, restaffing ramps
    "ramp_training": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            'interventions=[{at_hours=12, ramp_hours=36, set={"organization.training"=0.9}}]',
        ],
        72,
    ),
    "switch_structure": (
        WORLD,
        [
            *SMALL,
            _k("switchboard"),
            'interventions=[{at_hours=24, set={"structure.kind"="coached_direct_dial",'
            ' "culture.social_intranet"=true}}]',
        ],
        72,
    ),
    "crisis": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            'interventions=[{at_hours=24, crisis={topic="defects", threads=300, hours=6}}]',
        ],
        72,
    ),
    "crisis_poisson": (
        WORLD,
        [
            "arrivals.mode=poisson",
            _k("switchboard"),
            'interventions=[{at_hours=24, crisis={topic="defects", threads=200, hours=6}}]',
        ],
        72,
    ),
    "ramp_onboard": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            'interventions=[{at_hours=12, ramp_hours=24, set={"organization.onboard_share"=0.8,'
            ' "organization.empowered_share"=0.9}}]',
        ],
        72,
    ),
    # graphs, patience, conversation length (the defaults' other branches)
    "erdos_renyi": (
        WORLD,
        [*SMALL, _k("direct_dial"), "graph.kind=erdos_renyi", "graph.mean_degree=8"],
        48,
    ),
    "watts_strogatz": (WORLD, [*SMALL, _k("switchboard"), "graph.kind=watts_strogatz"], 48),
    "barabasi_albert": (
        WORLD,
        [*SMALL, _k("coached_direct_dial"), "graph.kind=barabasi_albert"],
        48,
    ),
    "edge_list": (
        WORLD,
        [
            *SMALL,
            "customers.n_customers=800",
            _k("direct_dial"),
            "graph.kind=edge_list",
            f"graph.path={ROOT / 'tests' / 'data' / 'edges.txt'}",
        ],
        48,
    ),
    "patience_kinds": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            "channels.twitter.patience=fixed",
            "channels.blog.patience=infinite",
            'interventions=[{at_hours=12, crisis={topic="defects", threads=100, hours=3}}]',
        ],
        48,
    ),
    "patience_kinds_poisson": (
        WORLD,
        [
            "arrivals.mode=poisson",
            _k("switchboard"),
            "channels.linkedin.patience=fixed",
            'interventions=[{at_hours=12, crisis={topic="refunds", threads=100, hours=3}}]',
        ],
        48,
    ),
    "one_turn": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            "conversation.max_turns=1",
            "conversation.followup_probability=1.0",
        ],
        48,
    ),
    "switch_round_trip": (
        WORLD,
        [
            *SMALL,
            _k("direct_dial"),
            "structure.cross_claim=0.05",
            'interventions=[{at_hours=12, set={"structure.kind"="switchboard"}},'
            ' {at_hours=24, set={"structure.kind"="direct_dial"}}]',
        ],
        48,
    ),
    "quality_fix": (
        WORLD,
        [
            *SMALL,
            _k("coached_direct_dial"),
            'interventions=[{at_hours=24, ramp_hours=12, set={"culture.product_quality"=0.95}}]',
        ],
        72,
    ),
}


def _column_digest(digest: hashlib._Hash, name: str, values: pd.Series) -> None:
    digest.update(name.encode())
    if isinstance(values.dtype, pd.CategoricalDtype):
        digest.update(repr(list(values.cat.categories)).encode())
        values = values.cat.codes
    array = np.ascontiguousarray(values.to_numpy())
    digest.update(str(array.dtype).encode())
    digest.update(array.tobytes())


def frame_digest(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for name in frame.columns:
        _column_digest(digest, str(name), frame[name])
    return digest.hexdigest()


def fingerprint(name: str, seed: int) -> dict[str, str]:
    """KPIs, thread table and series digests of one configuration at one seed."""
    from sim import OrgModel

    scenario, overrides, hours = CONFIGURATIONS[name]
    model = OrgModel(ROOT / scenario, rng=seed, overrides=overrides)
    model.run_hours(hours)
    kpis = model.kpis()
    kpi_text = json.dumps({k: repr(float(v)) for k, v in sorted(kpis.items())})
    return {
        "kpis": hashlib.sha256(kpi_text.encode()).hexdigest(),
        "threads": frame_digest(model.threads()),
        "series": frame_digest(model.series()),
    }


def main() -> None:
    table = {f"{name}@{seed}": fingerprint(name, seed) for name in CONFIGURATIONS for seed in SEEDS}
    json.dump(table, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
