"""The design of a claim experiment: levels, claims and sweeps.

A :class:`Level` is a scenario file with overrides; a :class:`Claim` compares two or
more levels on one KPI in an expected direction; a :class:`Sweep` runs two structures
over a range of loads. Also the shared vocabulary of the catalogue: the shipped
structure files, the small world the claims run in, the base seed of every
replication and the shipped direct dial as a baseline level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sim.organization import structure_names
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASE_SEED = 0

SMALL_WORLD: tuple[str, ...] = (
    "customers.n_customers=3000",
    "organization.n_employees=100",
    "posting.problem_rate=0.015",
    "posting.question_rate=0.003",
)
"""A small, busy public (as ``tests/conftest.py``): 3,000 customers, 100 employees and
about 13 threads an hour. The cost of a run is per tick, so run length is what counts:
a two-week run takes one to two seconds."""

ESSAY_STRUCTURES = ("switchboard", "direct_dial", "expert_routing", "coached_direct_dial")
"""The four structures of MODEL.md 4.3, whose claims the catalogue tests."""
if not set(ESSAY_STRUCTURES) <= set(structure_names()):  # pragma: no cover - a removed one
    raise ImportError(f"the essay claims need the structures {ESSAY_STRUCTURES}")

STRUCTURE_NAMES = {f"{kind}.toml": kind.replace("_", " ") for kind in ESSAY_STRUCTURES}
"""The shipped file of each structure the essays' claims are about (essay 003 names
them; most central first) -> its name in words, e.g. ``"direct_dial.toml": "direct
dial"``. A structure registered beyond these is run by the contract suite and
``compare``; a claim about it is one more entry in the catalogue, so adding a structure
leaves every claim as it was."""
SB, DD, ER, CDD = STRUCTURE_NAMES


@dataclass(frozen=True)
class Level:
    """One level of a lever: a scenario file (in ``scenarios/``) and its overrides."""

    name: str
    scenario: str = DD
    overrides: tuple[str, ...] = ()

    def load(self, world: Sequence[str] = ()) -> Scenario:
        """The validated scenario: the file, then ``world``, then this level's overrides."""
        return load_scenario(SCENARIOS / self.scenario, [*world, *self.overrides])


@dataclass(frozen=True)
class Claim:
    """A directional experiment for one claim of MODEL.md section 1.

    Attributes
    ----------
    id
        Short name, e.g. ``"7c-little-credibility"``.
    essay
        The source essay, ``"000"`` to ``"004"``.
    sentence
        The claim as MODEL.md section 1 states it.
    quote
        The essay's own words.
    lever
        The scenario path(s) varied.
    levels
        Two or more levels; replication ``k`` of each runs on the same seed.
    kpi
        A run metric of :func:`~experiments.claims.metrics.measure_claim_metrics`
        (every KPI of MODEL.md 5 and a few more).
    expected
        ``"greater"``: the mean contrast is expected above ``margin``; ``"less"``: below.
    contrast
        Weights of the levels in the per-seed contrast (default: level 1 − level 0).
    margin
        The value the contrast is tested against (0 unless a margin is stated).
    hours, seeds
        Run length and number of paired replications (16 by default: with 8, several
        claims sat so near the 1 % threshold that any change of random numbers, such as
        moving one mechanism to its own stream, re-drew their verdict).
    world
        Overrides applied to every level before its own (the small world by default).
    gap
        ``(start, candidate, end)`` level indices: also report which share of the gap
        from ``start`` to ``end`` the ``candidate`` closes.
    note
        What the design isolates, and what else the reader should know.
    """

    id: str
    essay: str
    sentence: str
    quote: str
    lever: str
    levels: tuple[Level, ...]
    kpi: str
    expected: Literal["greater", "less"]
    contrast: tuple[float, ...] = (-1.0, 1.0)
    margin: float = 0.0
    hours: float = 120.0
    seeds: int = 16
    world: tuple[str, ...] = SMALL_WORLD
    gap: tuple[int, int, int] | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if len(self.levels) < 2 or len(self.contrast) != len(self.levels):
            raise ValueError(f"claim {self.id}: needs two or more levels and one weight each")

    def scenarios(self) -> list[Scenario]:
        return [level.load(self.world) for level in self.levels]

    def statement(self) -> str:
        """The tested hypothesis in words, e.g. ``mean[kpi: walled − open] < 0``."""
        terms = []
        weighted = zip(self.contrast, self.levels, strict=True)
        for weight, level in sorted(weighted, key=lambda pair: pair[0] < 0):
            if weight == 0:
                continue
            sign = "−" if weight < 0 else "+"
            size = "" if abs(weight) == 1 else f"{abs(weight):g}·"
            terms.append(f"{sign} {size}{level.name}")
        text = " ".join(terms).removeprefix("+ ")
        relation = ">" if self.expected == "greater" else "<"
        return f"mean[{self.kpi}: {text}] {relation} {self.margin:g}"


@dataclass(frozen=True)
class Sweep:
    """Mean first response of two structures over a range of loads (MODEL.md 4.3).

    Each load sets ``arrivals.threads_per_hour`` in the Poisson arrival mode (so the
    load is exactly the number of new threads per hour); ``central`` and
    ``distributed`` are the two structures, run on the same seeds.
    """

    id: str
    title: str
    central: Level
    distributed: Level
    loads: tuple[float, ...]
    world: tuple[str, ...]
    hours: float = 96.0
    seeds: int = 8
    kpi: str = "first_response_hours_mean"
    note: str = ""

    def scenarios(self, load: float) -> list[Scenario]:
        world = (*self.world, f"arrivals.threads_per_hour={load:g}")
        return [self.central.load(world), self.distributed.load(world)]


BASELINE = Level("shipped", DD)
"""The shipped direct dial, the reference level of many claims."""
