"""Run KPIs (MODEL.md section 5). The names are a contract shared by the CLI, the
sweeps and the dashboard: change them only with the specification."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.threads import State, ThreadTable

if TYPE_CHECKING:
    from sim.public import Customers

__all__ = ["KPIS", "ORG_KPIS", "PUBLIC_KPIS", "organization_kpis", "public_kpis"]

ORG_KPIS = (
    "first_response_hours_median",
    "first_response_hours_p90",
    "first_response_hours_mean",
    "resolution_hours_median",
    "resolution_hours_p90",
    "resolution_hours_mean",
    "answered_share",
    "resolved_share",
    "abandoned_share",
    "hops_mean",
    "silo_crossings_mean",
    "utilization",
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


def organization_kpis(
    threads: ThreadTable, dt_hours: float, utilization: float
) -> dict[str, float]:
    """KPIs the organization side computes from the thread table.

    First response is measured from a thread's creation to its first answer, over
    answered threads; resolution from creation to resolution, over resolved threads.
    Shares are over all threads opened. ``NaN`` marks a KPI with no threads to
    measure (e.g. no thread was ever answered).
    """
    n = threads.size
    created = threads.column("created_tick")
    first = threads.column("first_response_tick")
    resolved_at = threads.column("resolution_tick")
    state = threads.column("state")
    answered = first >= 0
    resolved = resolved_at >= 0
    kpis = {}
    kpis.update(_summary((first[answered] - created[answered]) * dt_hours, "first_response_hours"))
    kpis.update(
        _summary((resolved_at[resolved] - created[resolved]) * dt_hours, "resolution_hours")
    )
    share = (lambda mask: float(mask.mean())) if n else (lambda mask: np.nan)
    kpis["answered_share"] = share(answered)
    kpis["resolved_share"] = share(resolved)
    kpis["abandoned_share"] = share(state == State.ABANDONED)
    kpis["hops_mean"] = float(threads.column("hops").mean()) if n else np.nan
    kpis["silo_crossings_mean"] = float(threads.column("silo_crossings").mean()) if n else np.nan
    kpis["utilization"] = utilization
    kpis["gaffes"] = float(threads.column("gaffe").sum())
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
