"""What the claims measure in one run: the KPI contract and the metrics the essays'
sentences need beyond it (:func:`measure_claim_metrics`, a runner measurement)."""

from __future__ import annotations

import numpy as np

from experiments.measurements import RunResult, hourly
from experiments.runner import Job
from sim.model import OrgModel

__all__ = ["SERIES_COLUMNS", "SPEAKERS", "WITHIN_HOURS", "measure_claim_metrics"]

WITHIN_HOURS = (1, 2, 4, 8, 12, 24)
"""The ``answered_within_{X}h_share`` metrics :func:`measure_claim_metrics` computes."""
SERIES_COLUMNS = ("mean_trust", "mean_sentiment", "fan_share", "brand_followers")
"""The hourly series a claim run keeps (for the trajectory figures)."""
SPEAKERS = ("expert", "generalist", "brand", "executive")
"""Who can speak in an answer, for ``signal_{speaker}_mean``."""
COMMS = "comms"
"""The silo that answers the public; a topic another silo owns is *cross-silo*."""


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def measure_claim_metrics(model: OrgModel, job: Job) -> RunResult:
    """Every metric the claims use, read from a finished run.

    The KPIs of MODEL.md 5 (``model.kpis()``) plus:

    - ``answered_within_{X}h_share`` for X in :data:`WITHIN_HOURS`: share of the threads
      opened at least X hours before the end whose first answer came within X hours;
      the same over ``cross_`` (topics owned by a silo other than comms, which a
      switchboard must hand across a silo wall) and ``own_`` topics (owned by comms);
      ``cross_answered_share`` and ``cross_first_response_hours_mean``; and over
      ``second_`` (threads that need a second silo's knowledge, MODEL.md 2, in every
      structure) and ``single_`` (threads that need one silo);
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
    model
        The run, after ``job.hours``.
    job
        The run's job, as :meth:`experiments.claims.runs.Runs.add` plans it.

    Returns
    -------
    experiments.measurements.RunResult
        With the metrics above in ``kpis`` and the hourly series of
        :data:`SERIES_COLUMNS`.
    """
    kpis = {name: float(value) for name, value in model.kpis().items()}
    table = model.threads()
    end = model.hours
    created = table["created_hours"].to_numpy(float)
    first = table["first_response_hours"].to_numpy(float)
    owner = model.topic_silos()
    topics = table["topic"].cat
    cross = np.array([owner[topic] != COMMS for topic in topics.categories])[
        topics.codes.to_numpy()
    ]
    answered = ~np.isnan(first)
    second = table["second_silo"].notna().to_numpy()
    for x in WITHIN_HOURS:
        eligible = created <= end - x
        fast = answered & (np.nan_to_num(first, nan=np.inf) <= x)
        kpis[f"answered_within_{x}h_share"] = _share(fast[eligible])
        kpis[f"cross_answered_within_{x}h_share"] = _share(fast[eligible & cross])
        kpis[f"own_answered_within_{x}h_share"] = _share(fast[eligible & ~cross])
        kpis[f"second_answered_within_{x}h_share"] = _share(fast[eligible & second])
        kpis[f"single_answered_within_{x}h_share"] = _share(fast[eligible & ~second])
    kpis["cross_answered_share"] = _share(answered[cross])
    kpis["cross_first_response_hours_mean"] = _mean(first[answered & cross])
    authenticity = table["authenticity"].to_numpy(float)[answered]
    signal = authenticity * table["voice_weight"].to_numpy(float)[answered]
    kpis["answer_authenticity_mean"] = _mean(authenticity)
    kpis["answer_signal_mean"] = _mean(signal)
    voice = table["voice"].to_numpy()[answered]
    for speaker in SPEAKERS:
        kpis[f"signal_{speaker}_mean"] = _mean(signal[voice == speaker])
    counters = model.counters
    answers = counters["answered"]
    kpis["gaffe_rate"] = counters["gaffes"] / answers if answers else np.nan
    complaint = (table["kind"] == "complaint").to_numpy()
    kpis["threads_per_hour"] = len(table) / end
    kpis["complaints_per_hour"] = float(complaint.sum()) / end
    kpis["complaints_per_hour_late"] = float((complaint & (created >= end / 2)).sum()) / (end / 2)
    per_tick = model.series()
    series = hourly(per_tick, model.dt_hours)
    if model.has_customers:
        trust = series["mean_trust"]
        half = max(1, round(trust.size / 2)) - 1
        kpis["trust_at_half"] = float(trust[half])
        kpis["trust_change_late"] = float(trust[-1] - trust[half])
        fans = per_tick["fan_share"].to_numpy(float)
        kpis["fan_share_rise"] = float(fans[-1] - fans[0])
        followers = float(model.brand_followers())
        kpis["brand_followers_final"] = followers
        kpis["brand_followers_share"] = followers / model.size()["customers"]
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
    )
