"""Directional experiments for every claim of MODEL.md section 1, and the crossover of 4.3.

Each :class:`Claim` names the essay sentence it comes from, the lever (scenario paths)
and its levels, the scenario files, the KPI and the expected direction, the run length
and the number of seeds. Replication ``k`` of every level runs on the same seed, child
``k`` of :data:`BASE_SEED` (:func:`experiments.runner.replication_seeds`): common
random numbers (MODEL.md 7), so each claim is judged on paired differences.

A claim's per-seed *contrast* is a weighted sum of its levels' KPI values (for two
levels, ``level 1 − level 0``). The claim is reproduced when the mean contrast lies on
the expected side of its margin (0 unless stated) and a one-sided paired test rejects
the opposite at 1%: the paired t-test (``ttest_1samp`` of the contrast, the same as
``scipy.stats.ttest_rel`` for a plain difference), or the Wilcoxon signed-rank test
when a Shapiro-Wilk test finds the contrasts clearly non-normal (p < 0.01).

The :class:`Sweep` objects are the crossover of MODEL.md 4.3 (Arenas et al. 2008): the
mean first response of a switchboard and of direct dial over a range of loads (threads
per hour), and the load where their paired difference changes sign.

Run everything and write ``claims.json`` and the figures::

    python -m experiments.claims --out docs/figures [--workers 2]

The modules:

- :mod:`~experiments.claims.design`: :class:`Level`, :class:`Claim`, :class:`Sweep`,
  the shipped structure files and the small world;
- :mod:`~experiments.claims.organization` (essays 000 and 001),
  :mod:`~experiments.claims.switchboard` (essay 003, the four structures) and
  :mod:`~experiments.claims.public` (essays 002 to 004): the claims by theme;
- :mod:`~experiments.claims.catalogue`: :data:`CLAIMS`, :data:`SWEEPS` and
  :data:`EXTRA_SWEEPS`;
- :mod:`~experiments.claims.metrics`: :func:`measure_claim_metrics`, what one run
  measures (a measurement of :mod:`experiments.runner`);
- :mod:`~experiments.claims.runs`: :class:`Runs`, :func:`run_all` and
  :func:`measure_all`;
- :mod:`~experiments.claims.evaluation`: the paired tests and :class:`ClaimOutcome`;
- :mod:`~experiments.claims.crossover`: :class:`Crossover` and :func:`find_crossover`;
- :mod:`~experiments.claims.outputs`: ``claims.json`` and the figures;
- :mod:`~experiments.claims.cli`: the command.
"""

from __future__ import annotations

from experiments.claims.catalogue import (
    CENTRAL_TEAM_LOADS,
    CENTRAL_TEAM_REGIME,
    CLAIMS,
    EXTRA_SWEEPS,
    INFINITE_PATIENCE,
    SWEEPS,
)
from experiments.claims.cli import main
from experiments.claims.crossover import Crossover, find_crossover
from experiments.claims.design import (
    BASE_SEED,
    BASELINE,
    CDD,
    DD,
    ER,
    ROOT,
    SB,
    SCENARIOS,
    SMALL_WORLD,
    STRUCTURE_NAMES,
    Claim,
    Level,
    Sweep,
)
from experiments.claims.evaluation import (
    ALPHA,
    BOOTSTRAP,
    NORMALITY_ALPHA,
    ClaimOutcome,
    evaluate,
    paired_test,
)
from experiments.claims.metrics import SERIES_COLUMNS, WITHIN_HOURS, measure_claim_metrics
from experiments.claims.organization import (
    UNSATURATED_COMMS,
    hierarchy_claims,
    honesty_claims,
    quality_claims,
    silo_claims,
    voice_claims,
)
from experiments.claims.outputs import EFFECT_LIMITS, write_outputs
from experiments.claims.public import (
    FOLLOWERS,
    LISTEN,
    REACH_MARGIN,
    TALK,
    interactivity_claims,
    listening_claims,
    word_of_mouth_claims,
)
from experiments.claims.runs import Measured, RunKey, Runs, measure_all, run_all
from experiments.claims.switchboard import switchboard_claims
from experiments.runner import local_executor as local_executor  # tests/test_claims.py
from experiments.statistics import CONFIDENCE

__all__ = [
    "ALPHA",
    "BASELINE",
    "BASE_SEED",
    "BOOTSTRAP",
    "CDD",
    "CENTRAL_TEAM_LOADS",
    "CENTRAL_TEAM_REGIME",
    "CLAIMS",
    "CONFIDENCE",
    "DD",
    "EFFECT_LIMITS",
    "ER",
    "EXTRA_SWEEPS",
    "FOLLOWERS",
    "INFINITE_PATIENCE",
    "LISTEN",
    "NORMALITY_ALPHA",
    "REACH_MARGIN",
    "ROOT",
    "SB",
    "SCENARIOS",
    "SERIES_COLUMNS",
    "SMALL_WORLD",
    "STRUCTURE_NAMES",
    "SWEEPS",
    "TALK",
    "UNSATURATED_COMMS",
    "WITHIN_HOURS",
    "Claim",
    "ClaimOutcome",
    "Crossover",
    "Level",
    "Measured",
    "RunKey",
    "Runs",
    "Sweep",
    "evaluate",
    "find_crossover",
    "hierarchy_claims",
    "honesty_claims",
    "interactivity_claims",
    "listening_claims",
    "main",
    "measure_all",
    "measure_claim_metrics",
    "paired_test",
    "quality_claims",
    "run_all",
    "silo_claims",
    "switchboard_claims",
    "voice_claims",
    "word_of_mouth_claims",
    "write_outputs",
]
