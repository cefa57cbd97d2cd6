"""Run KPIs (MODEL.md section 5). The names are a contract shared by the CLI, the
sweeps and the dashboard: change them only with the specification."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.threads import State, ThreadTable

if TYPE_CHECKING:
    from sim.public import Customers

__all__ = [
    "KPIS",
    "ORG_KPIS",
    "PUBLIC_KPIS",
    "UNITS",
    "kaplan_meier_median",
    "organization_kpis",
    "public_kpis",
]

ORG_KPIS = (
    "first_response_hours_median",
    "first_response_hours_p90",
    "first_response_hours_mean",
    "first_response_hours_km_median",
    "answered_within_1h_share",
    "answered_within_24h_share",
    "resolution_hours_median",
    "resolution_hours_p90",
    "resolution_hours_mean",
    "answered_share",
    "resolved_share",
    "abandoned_share",
    "hops_mean",
    "silo_crossings_mean",
    "utilization",
    "social_capacity",
    "gaffes",
)


def _summary(hours: np.ndarray, prefix: str) -> dict[str, float]:
    if hours.size == 0:
        return {f"{prefix}_median": np.nan, f"{prefix}_p90": np.nan, f"{prefix}_mean": np.nan}
    return {
        f"{prefix}_median": float(np.median(hours)),
        f"{prefix}_p90": float(np.percentile(hours, 90)),
        f"{prefix}_mean": float(hours.mean()),
    }


def kaplan_meier_median(time: np.ndarray, event: np.ndarray) -> float:
    """Kaplan-Meier median of a time to event, with the other times censored.

    Parameters
    ----------
    time
        Each subject's time: of its event, or of its censoring.
    event
        Whether each subject's event happened at ``time`` (else it was censored then).

    Returns
    -------
    float
        The smallest event time at which the survival estimate falls to 0.5 or below
        (Kaplan and Meier 1958; events at a time come before censorings at it); ``inf``
        when it never does (fewer than half are known to have had the event), NaN
        without subjects.

    Examples
    --------
    >>> kaplan_meier_median(np.array([1.0, 2.0, 3.0, 4.0]), np.array([True, True, True, True]))
    2.0
    >>> kaplan_meier_median(np.array([1.0, 2.0, 3.0]), np.array([True, False, False]))
    inf
    """
    if time.size == 0:
        return float("nan")
    order = np.lexsort((~event, time))  # by time; events before censorings at a time
    time, event = time[order], event[order]
    at_risk = time.size - np.arange(time.size)
    survival = np.cumprod(np.where(event, 1.0 - 1.0 / at_risk, 1.0))
    below = np.flatnonzero(survival <= 0.5)
    return float(time[below[0]]) if below.size else float("inf")


def organization_kpis(
    threads: ThreadTable,
    dt_hours: float,
    utilization: float,
    *,
    now_tick: int,
    social_capacity: float,
    gaffes: int,
) -> dict[str, float]:
    """KPIs the organization side computes from the thread table.

    First response is measured from a thread's creation to its first answer, over
    answered threads; resolution from creation to resolution, over resolved threads.
    ``first_response_hours_km_median`` counts every thread: the never answered are
    censored at their abandonment if they ended abandoned, else at ``now_tick``, the
    run's end. Times are continuous (the ``*_at`` columns, MODEL.md 4.4), not whole ticks.
    ``answered_within_*`` are shares of all threads. Shares are over all threads
    opened. ``NaN`` marks a KPI with no threads to measure (e.g. no thread was ever
    answered). ``social_capacity`` (work-hours per hour given to social media, on
    average) and ``gaffes`` (gaffe answers) are the organization's own counts.
    """
    n = threads.size
    created = threads.column("created_at")
    first = threads.column("first_response_at")
    resolved_at = threads.column("resolution_at")
    state = threads.column("state")
    answered = threads.column("first_response_tick") >= 0
    resolved = threads.column("resolution_tick") >= 0
    kpis = {}
    kpis.update(_summary(first[answered] - created[answered], "first_response_hours"))
    kpis.update(_summary(resolved_at[resolved] - created[resolved], "resolution_hours"))
    share = (lambda mask: float(mask.mean())) if n else (lambda mask: np.nan)
    wait = first - created
    abandoned_at = threads.column("abandon_at")
    # censored at its abandonment if it ended so, else (still open, an escalated turn
    # included) at the run's end
    end = np.where(state == State.ABANDONED, abandoned_at, now_tick * dt_hours)
    kpis["first_response_hours_km_median"] = kaplan_meier_median(
        np.where(answered, wait, end - created), answered
    )
    kpis["answered_within_1h_share"] = share(answered & (wait <= 1.0))
    kpis["answered_within_24h_share"] = share(answered & (wait <= 24.0))
    kpis["answered_share"] = share(answered)
    kpis["resolved_share"] = share(resolved)
    kpis["abandoned_share"] = share(state == State.ABANDONED)
    kpis["hops_mean"] = float(threads.column("hops").mean()) if n else np.nan
    kpis["silo_crossings_mean"] = float(threads.column("silo_crossings").mean()) if n else np.nan
    kpis["utilization"] = utilization
    kpis["social_capacity"] = social_capacity
    kpis["gaffes"] = float(gaffes)
    return kpis


PUBLIC_KPIS = (
    "credibility",
    "sentiment",
    "fan_share",
    "detractor_share",
    "net_sentiment",
    "interactivity",
    "conversation_depth",
    "negative_reach_per_1k",
    "quality_final",
)


def public_kpis(
    people: Customers | None,
    turns: np.ndarray,
    replies: int,
    broadcasts: int,
    negative_exposures: int,
    quality_final: float,
) -> dict[str, float]:
    """KPIs of what the public sees (MODEL.md 5), from the customers' arrays, each
    thread's ``turns``, the answers posted (``replies``), the brand's broadcasts, the
    exposures to unanswered complaints and gaffes, and the traffic-weighted product
    quality at the end. NaN where the scenario has no customers (the Poisson mode)."""
    from sim.public import interactivity

    kpis = {
        "interactivity": interactivity(replies, broadcasts) if people is not None else np.nan,
        "conversation_depth": float(turns.mean()) if turns.size else np.nan,
        "quality_final": quality_final,
    }
    if people is None:
        for name in ("credibility", "sentiment", "fan_share", "detractor_share", "net_sentiment"):
            kpis[name] = np.nan
        kpis["negative_reach_per_1k"] = np.nan
        return kpis
    fans = float(np.count_nonzero(people.fans())) / people.n
    detractors = float(np.count_nonzero(people.detractors())) / people.n
    kpis.update(
        credibility=float(people.trust.mean(dtype=np.float64)),
        sentiment=float(people.sentiment.mean(dtype=np.float64)),
        fan_share=fans,
        detractor_share=detractors,
        net_sentiment=fans - detractors,
        negative_reach_per_1k=1000.0 * negative_exposures / people.n,
    )
    return kpis


KPIS = ORG_KPIS + PUBLIC_KPIS
"""Every KPI name of MODEL.md section 5, in the order tables show them."""

UNITS: dict[str, str] = {
    **dict.fromkeys(
        (
            "first_response_hours_median",
            "first_response_hours_p90",
            "first_response_hours_mean",
            "first_response_hours_km_median",
            "resolution_hours_median",
            "resolution_hours_p90",
            "resolution_hours_mean",
        ),
        "h",
    ),
    **dict.fromkeys(
        (
            "answered_share",
            "answered_within_1h_share",
            "answered_within_24h_share",
            "resolved_share",
            "abandoned_share",
            "utilization",
            "fan_share",
            "detractor_share",
            "net_sentiment",
            "interactivity",
        ),
        "share",
    ),
    "hops_mean": "hops/thread",
    "silo_crossings_mean": "crossings/thread",
    "social_capacity": "work-h/h",
    "gaffes": "answers",
    "credibility": "trust 0-1",
    "sentiment": "-1 to 1",
    "conversation_depth": "turns/thread",
    "negative_reach_per_1k": "exposures/1k",
    "quality_final": "0-1",
}
"""Each KPI's unit, as tables show it."""
