"""The catalogue of experiments: every claim of MODEL.md section 1 (:data:`CLAIMS`) and
the crossover sweeps of MODEL.md 4.3 (:data:`SWEEPS`, :data:`EXTRA_SWEEPS`)."""

from __future__ import annotations

from experiments.claims.design import CDD, DD, SB, Claim, Level, Sweep
from experiments.claims.organization import (
    hierarchy_claims,
    honesty_claims,
    quality_claims,
    silo_claims,
    voice_claims,
)
from experiments.claims.public import interactivity_claims, listening_claims, word_of_mouth_claims
from experiments.claims.switchboard import switchboard_claims

CLAIMS: tuple[Claim, ...] = (
    *silo_claims(),
    *hierarchy_claims(),
    *voice_claims(),
    *honesty_claims(),
    *quality_claims(),
    *interactivity_claims(),
    *switchboard_claims(),
    *word_of_mouth_claims(),
    *listening_claims(),
)
"""Every claim of MODEL.md section 1, as directional experiments."""

INFINITE_PATIENCE = tuple(
    f"channels.{name}.patience=infinite" for name in ("twitter", "linkedin", "blog")
)
CENTRAL_TEAM_REGIME: tuple[str, ...] = (
    "arrivals.mode=poisson",
    "structure.approval_depth=0",
    "culture.silo_permeability=1.0",
    *(f"silos.{silo}.topic_weight=0" for silo in ("product", "billing", "logistics", "it")),
)
"""The regime where a central team can win: every thread is on the topic the comms team
owns and answers itself, no approvals, no silo walls."""

CENTRAL_TEAM_LOADS = (1.0, 2.0, 3.0, 3.5, 4.0, 6.0, 8.0)

SWEEPS: tuple[Sweep, ...] = (
    Sweep(
        id="crossover-central-team",
        title="Switchboard vs coached direct dial, all traffic on the comms team's topic",
        central=Level("switchboard", SB),
        distributed=Level("coached direct dial", CDD),
        loads=CENTRAL_TEAM_LOADS,
        world=(*CENTRAL_TEAM_REGIME, *INFINITE_PATIENCE),
        note="Default world (200 employees) in the Poisson mode with every thread on "
        "'general', the topic comms owns, no approvals, permeability 1 and infinite "
        "patience (the mean covers every thread, as in the queueing tests). The "
        "switchboard's six front-line comms staff triage and draft everything as "
        "experts; in coached direct dial comms coaches and answers nothing, so the "
        "on-board staff of the other silos (about 57, half their time) answer as "
        "generalists (quality x 0.5, drafting 1.8 times slower). The central team wins "
        "while its queue is short and loses once it congests: the trade-off between "
        "search or expertise cost and congestion at the hub of Arenas et al. (2008).",
    ),
    Sweep(
        id="no-crossover-direct-dial-central-team",
        title="Switchboard vs direct dial, same regime",
        central=Level("switchboard", SB),
        distributed=Level("direct dial", DD),
        loads=(1.0, 3.0, 8.0),
        world=(*CENTRAL_TEAM_REGIME, *INFINITE_PATIENCE),
        note="Plain direct dial in the same regime: the whole comms silo (ten, managers "
        "included) watches its own topic's feed and answers without triage, and other "
        "silos claim only what waits while every comms watcher is busy. Its path is the "
        "switchboard's minus triage, so it is faster at every load.",
    ),
    Sweep(
        id="no-crossover-default-world",
        title="Switchboard vs direct dial, default world (Poisson arrivals)",
        central=Level("switchboard", SB),
        distributed=Level("direct dial", DD),
        loads=(1.0, 4.0, 16.0, 64.0),
        world=("arrivals.mode=poisson",),
        hours=48,
        seeds=8,
        note="The shipped switchboard and direct dial files in the default world, threads "
        "from a Poisson process, the shipped patience.",
    ),
)
"""The crossover sweeps the tests check."""

EXTRA_SWEEPS: tuple[Sweep, ...] = (
    Sweep(
        id="crossover-central-team-patience",
        title="Switchboard vs coached direct dial, central-team regime, shipped patience",
        central=Level("switchboard", SB),
        distributed=Level("coached direct dial", CDD),
        loads=CENTRAL_TEAM_LOADS,
        world=CENTRAL_TEAM_REGIME,
        hours=168,
        seeds=12,
        note="As crossover-central-team with the channels' patience (abandonment on): "
        "the mean covers answered threads only. Reported by the command, not tested.",
    ),
)
"""Sweeps only ``python -m experiments.claims`` runs."""
