"""The runs behind the claims: measuring one run, planning the runs a batch of claims
and sweeps needs (shared runs once), running them and judging the batch."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field

import numpy as np

from experiments.claims.catalogue import CLAIMS, SWEEPS
from experiments.claims.crossover import Crossover, find_crossover
from experiments.claims.design import BASE_SEED, Claim, Sweep
from experiments.claims.evaluation import ClaimOutcome, evaluate
from experiments.runner import Job, RunResult, hourly, jobs_for
from sim.model import OrgModel
from sim.scenario import Scenario

WITHIN_HOURS = (1, 2, 4, 8, 12, 24)
"""The ``answered_within_{X}h_share`` metrics :func:`measure` computes."""
SERIES_COLUMNS = ("mean_trust", "mean_sentiment", "fan_share", "brand_followers")


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def measure(job: Job) -> RunResult:
    """Run one job and measure every metric the claims use.

    The KPIs of MODEL.md 5 (``model.kpis()``) plus:

    - ``answered_within_{X}h_share`` for X in :data:`WITHIN_HOURS`: share of the threads
      opened at least X hours before the end whose first answer came within X hours;
      the same over ``cross_`` (topics owned by a silo other than comms, which a
      switchboard must hand across a silo wall) and ``own_`` topics (owned by comms);
      ``cross_answered_share`` and ``cross_first_response_hours_mean``;
    - ``answer_authenticity_mean``, ``answer_signal_mean``: mean authenticity, and
      authenticity × voice weight (the trust signal before honesty), of the answered
      threads' last answers; ``signal_{speaker}_mean`` by who spoke;
    - ``gaffe_rate``: gaffes per answer posted;
    - ``threads_per_hour``, ``complaints_per_hour`` and ``complaints_per_hour_late``
      (over the second half of the run);
    - with customers: ``trust_at_half``, ``trust_change_late`` (credibility at the end
      minus at half time), ``fan_share_rise`` (end minus the first tick),
      ``brand_followers_final`` and ``brand_followers_share``.

    Parameters
    ----------
    job
        The run (scenario, hours and seed), as :func:`experiments.runner.jobs_for` makes.

    Returns
    -------
    experiments.runner.RunResult
        With the metrics above in ``kpis`` and the hourly series of
        :data:`SERIES_COLUMNS`.
    """
    started = time.perf_counter()
    model = OrgModel(job.scenario, rng=job.seed_sequence())
    model.run_hours(job.hours)
    kpis = {name: float(value) for name, value in model.kpis().items()}
    table = model.threads()
    end = model.hours
    created = table["created_hours"].to_numpy(float)
    first = table["first_response_hours"].to_numpy(float)
    org = model.core.org
    cross = org.topic_silo[table["topic"].cat.codes.to_numpy()] != org.comms
    answered = ~np.isnan(first)
    for x in WITHIN_HOURS:
        eligible = created <= end - x
        fast = answered & (np.nan_to_num(first, nan=np.inf) <= x)
        kpis[f"answered_within_{x}h_share"] = _share(fast[eligible])
        kpis[f"cross_answered_within_{x}h_share"] = _share(fast[eligible & cross])
        kpis[f"own_answered_within_{x}h_share"] = _share(fast[eligible & ~cross])
    kpis["cross_answered_share"] = _share(answered[cross])
    cross_answered = first[answered & cross]
    kpis["cross_first_response_hours_mean"] = (
        float(cross_answered.mean()) if cross_answered.size else float("nan")
    )
    authenticity = table["authenticity"].to_numpy(float)[answered]
    signal = authenticity * table["voice_weight"].to_numpy(float)[answered]
    kpis["answer_authenticity_mean"] = float(authenticity.mean()) if answered.any() else np.nan
    kpis["answer_signal_mean"] = float(signal.mean()) if answered.any() else np.nan
    voice = table["voice"].to_numpy()[answered]
    for speaker in ("expert", "generalist", "brand", "executive"):
        mine = voice == speaker
        kpis[f"signal_{speaker}_mean"] = float(signal[mine].mean()) if mine.any() else np.nan
    answers = model.core.counters["answered"]
    kpis["gaffe_rate"] = model.core.counters["gaffes"] / answers if answers else np.nan
    complaint = (table["kind"] == "complaint").to_numpy()
    kpis["threads_per_hour"] = len(table) / end
    kpis["complaints_per_hour"] = float(complaint.sum()) / end
    kpis["complaints_per_hour_late"] = float((complaint & (created >= end / 2)).sum()) / (end / 2)
    per_tick = model.series()
    series = hourly(per_tick, model.dt_hours)
    if model.customers is not None:
        trust = series["mean_trust"]
        half = max(1, round(trust.size / 2)) - 1
        kpis["trust_at_half"] = float(trust[half])
        kpis["trust_change_late"] = float(trust[-1] - trust[half])
        fans = per_tick["fan_share"].to_numpy(float)
        kpis["fan_share_rise"] = float(fans[-1] - fans[0])
        followers = float(np.count_nonzero(model.customers.follows_brand))
        kpis["brand_followers_final"] = followers
        kpis["brand_followers_share"] = followers / model.customers.n
    return RunResult(
        scenario_index=job.scenario_index,
        replication=job.replication,
        seed_entropy=job.seed_entropy,
        seed_spawn_key=job.seed_spawn_key,
        hours=job.hours,
        kpis=kpis,
        series={k: v for k, v in series.items() if k in ("hours", *SERIES_COLUMNS)},
        first_response_hours=first[answered],
        resolution_hours=table["resolution_hours"].dropna().to_numpy(float),
        seconds=time.perf_counter() - started,
    )


RunKey = tuple[str, float, int]
"""(scenario digest, hours, replication): runs with equal keys are the same run."""


def _digest(scenario: Scenario) -> str:
    return hashlib.sha1(scenario.model_dump_json().encode()).hexdigest()[:16]


@dataclass
class Runs:
    """Every run of a batch of claims and sweeps, by :data:`RunKey`.

    A run that several claims share (same scenario, hours and seed) is made once.
    """

    jobs: dict[RunKey, Job] = field(default_factory=dict)
    results: dict[RunKey, RunResult] = field(default_factory=dict)
    seconds: float = 0.0
    _index: dict[tuple[str, float], int] = field(default_factory=dict)

    def add(self, scenarios: Sequence[Scenario], hours: float, seeds: int) -> list[list[RunKey]]:
        """Plan ``seeds`` replications of each scenario; returns ``keys[level][seed]``.

        Replication ``k`` of every scenario gets the runner's seed ``k``
        (:func:`experiments.runner.jobs_for` with :data:`BASE_SEED`).
        """
        keys = []
        for scenario in scenarios:
            digest = _digest(scenario)
            index = self._index.setdefault((digest, float(hours)), len(self._index))
            row = []
            for job in jobs_for([scenario], seeds, BASE_SEED, hours):
                key = (digest, float(hours), job.replication)
                if key not in self.jobs:
                    self.jobs[key] = Job(
                        index,
                        scenario,
                        job.replication,
                        job.hours,
                        job.seed_entropy,
                        job.seed_spawn_key,
                    )
                row.append(key)
            keys.append(row)
        return keys

    def values(self, keys: list[list[RunKey]], kpi: str) -> np.ndarray:
        """The (level, seed) matrix of one metric."""
        return np.array([[self.results[k].kpis.get(kpi, np.nan) for k in row] for row in keys])

    @property
    def simulated_hours(self) -> float:
        return float(sum(job.hours for job in self.jobs.values()))


def _cost(job: Job) -> float:
    """A rough relative cost, to start the longest runs first."""
    scenario = job.scenario
    if scenario.arrivals.mode == "customers":
        return job.hours
    return job.hours * 0.1 * (1.0 + scenario.arrivals.threads_per_hour / 10.0)


def run_all(
    runs: Runs,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Runs:
    """Run every planned job not yet run, longest first.

    Parameters
    ----------
    runs
        The plan; results are added to it.
    executor
        Any :class:`concurrent.futures.Executor` (as :func:`experiments.runner.run_jobs`
        takes; e.g. :func:`experiments.runner.local_executor`), or ``None`` to run in
        this process. Results depend only on the jobs, never on the executor.
    progress
        Called as ``progress(done, total)`` after each run.
    """
    todo = sorted(
        (key for key in runs.jobs if key not in runs.results),
        key=lambda key: -_cost(runs.jobs[key]),
    )
    started = time.perf_counter()
    if executor is None:
        for done, key in enumerate(todo, start=1):
            runs.results[key] = measure(runs.jobs[key])
            if progress is not None:
                progress(done, len(todo))
    else:
        futures: dict[Future[RunResult], RunKey] = {
            executor.submit(measure, runs.jobs[key]): key for key in todo
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                runs.results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(todo))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    runs.seconds += time.perf_counter() - started
    return runs


@dataclass
class Measured:
    """Outcomes of a batch of claims and sweeps, with the runs behind them."""

    runs: Runs
    claims: dict[str, ClaimOutcome]
    crossovers: dict[str, Crossover]
    series: dict[str, list[list[RunResult]]]
    """Per claim id: results[level][seed] (for figures of trajectories)."""


def measure_all(
    claims: Sequence[Claim] = CLAIMS,
    sweeps: Sequence[Sweep] = SWEEPS,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Measured:
    """Plan every run of ``claims`` and ``sweeps`` (shared runs once), run them and
    judge each claim and sweep.

    Parameters
    ----------
    claims, sweeps
        What to measure (ids must be unique).
    executor
        Any :class:`concurrent.futures.Executor`, or ``None`` for this process.
    progress
        Called as ``progress(done, total)`` after each run.

    Returns
    -------
    Measured
        Every claim's :class:`ClaimOutcome` and every sweep's :class:`Crossover`, by id.
    """
    ids = [c.id for c in claims] + [s.id for s in sweeps]
    if len(set(ids)) != len(ids):
        raise ValueError("claim and sweep ids must be unique")
    runs = Runs()
    claim_keys = {c.id: runs.add(c.scenarios(), c.hours, c.seeds) for c in claims}
    sweep_keys = {
        s.id: [runs.add(s.scenarios(load), s.hours, s.seeds) for load in s.loads] for s in sweeps
    }
    run_all(runs, executor, progress)
    outcomes = {c.id: evaluate(c, runs.values(claim_keys[c.id], c.kpi)) for c in claims}
    crossovers = {}
    for s in sweeps:
        matrices = [runs.values(keys, s.kpi) for keys in sweep_keys[s.id]]
        central = np.array([m[0] for m in matrices])
        distributed = np.array([m[1] for m in matrices])
        crossovers[s.id] = find_crossover(s, central, distributed)
    series = {c.id: [[runs.results[k] for k in row] for row in claim_keys[c.id]] for c in claims}
    return Measured(runs, outcomes, crossovers, series)
