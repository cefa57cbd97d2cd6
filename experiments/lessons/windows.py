"""KPIs of one window of a run: a lesson's chapter (issue 18).

The KPI contract (``sim.kpis``) measures a whole run. A lesson tells its story in
chapters, so here the same quantities are taken over one span of simulated hours,
from what the model already records: the thread table (``model.threads()``, times in
hours) and the per-tick series (``model.series()``).

- **Thread KPIs** are over the threads *opened* in the window, followed to the run's
  end: a thread opened in "before" and answered in "after" counts for "before". The
  last hours of a run hold threads that may still be open.
- **Opinion KPIs** (credibility, sentiment, fans, detractors, quality) are the
  series' value at the window's end; ``*_per_day`` is their change within the window
  per simulated day (a chapter's trend, free of what earlier chapters left behind).
- **Counts** (threads, broadcasts, negative reach) are per simulated day of the window;
  interactivity is replies ÷ (replies + broadcasts) within it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.scenario.lesson import WINDOW_KPIS

__all__ = ["KPI_TEXT", "window_kpis"]

KPI_TEXT = {
    "threads_per_day": "threads opened per day",
    "answered_share": "answered share",
    "answered_within_1h_share": "answered within 1 h",
    "answered_within_24h_share": "answered within 24 h",
    "first_response_hours_median": "first response median (answered)",
    "resolved_share": "resolved share",
    "abandoned_share": "abandoned share",
    "gaffes_per_100": "gaffes per 100 threads",
    "negative_reach_per_1k_per_day": "negative reach per 1,000 per day",
    "interactivity": "interactivity (replies ÷ posts)",
    "broadcasts_per_day": "broadcasts per day",
    "credibility": "credibility (mean trust)",
    "credibility_per_day": "credibility change per day",
    "sentiment": "sentiment",
    "sentiment_per_day": "sentiment change per day",
    "fan_share": "fan share",
    "fan_share_per_day": "fan share change per day",
    "detractor_share": "detractor share",
    "net_sentiment": "net sentiment (fans − detractors)",
    "quality": "product quality",
}
"""Each window KPI's label, in :data:`sim.scenario.lesson.WINDOW_KPIS` order."""

assert tuple(KPI_TEXT) == WINDOW_KPIS, "KPI_TEXT must name every window KPI, in order"


def _at(series: pd.DataFrame, column: str, hours: float) -> float:
    """The series' value at the last tick ending at or before ``hours`` (0 before the
    first tick: the recorder's counters start at 0)."""
    times = series["hours"].to_numpy(dtype=float)
    row = int(np.searchsorted(times, hours + 1e-9, side="right")) - 1
    if row < 0:
        return 0.0 if column in ("broadcasts", "replies") else float("nan")
    return float(series[column].iloc[row])


def _first(series: pd.DataFrame, column: str) -> float:
    """The series' first value (the state after the first tick: the start of a run)."""
    return float(series[column].iloc[0]) if len(series) else float("nan")


def window_kpis(
    threads: pd.DataFrame,
    series: pd.DataFrame,
    n_customers: int,
    start: float,
    end: float,
) -> dict[str, float]:
    """Every KPI of :data:`~sim.scenario.lesson.WINDOW_KPIS` over ``[start, end)`` hours.

    Parameters
    ----------
    threads
        ``model.threads()``: one row per thread, times in hours.
    series
        ``model.series()``: one row per tick, with ``hours`` at each tick's end.
    n_customers
        Customers in the world (the denominator of negative reach per 1,000).
    start, end
        The window, in simulated hours.

    Returns
    -------
    dict
        KPI name to value; NaN where the window has nothing to measure (no thread
        opened, none answered, or no customers).

    Examples
    --------
    >>> threads = pd.DataFrame({"created_hours": [0.5, 1.5, 2.5], "kind": ["complaint"] * 3,
    ...     "first_response_hours": [0.5, np.nan, 30.0], "resolution_hours": [np.nan] * 3,
    ...     "abandoned_hours": [np.nan, 4.0, np.nan], "gaffe": [False] * 3, "reach": [5, 9, 1]})
    >>> series = pd.DataFrame({"hours": [1.0, 2.0, 3.0], "mean_trust": [0.5, 0.4, 0.3],
    ...     "mean_sentiment": [0.0] * 3, "fan_share": [0.1] * 3, "detractor_share": [0.0] * 3,
    ...     "quality": [0.7] * 3, "broadcasts": [1.0, 2.0, 2.0], "replies": [1.0, 1.0, 2.0]})
    >>> k = window_kpis(threads, series, 1000, 0.0, 2.0)
    >>> k["answered_share"], k["credibility"], round(k["credibility_per_day"], 6)
    (0.5, 0.4, -1.2)
    >>> k["threads_per_day"], k["negative_reach_per_1k_per_day"]
    (24.0, 108.0)
    """
    created = threads["created_hours"].to_numpy(dtype=float)
    inside = threads[(created >= start) & (created < end)]
    n = len(inside)
    days = (end - start) / 24.0
    first = inside["first_response_hours"].to_numpy(dtype=float)
    answered = ~np.isnan(first)
    share = (lambda mask: float(np.count_nonzero(mask)) / n) if n else (lambda mask: np.nan)
    kpis: dict[str, float] = {
        "threads_per_day": n / days,
        "answered_share": share(answered),
        "answered_within_1h_share": share(answered & (np.nan_to_num(first, nan=np.inf) <= 1.0)),
        "answered_within_24h_share": share(answered & (np.nan_to_num(first, nan=np.inf) <= 24.0)),
        "first_response_hours_median": float(np.median(first[answered]))
        if answered.any()
        else np.nan,
        "resolved_share": share(~np.isnan(inside["resolution_hours"].to_numpy(dtype=float))),
        "abandoned_share": share(~np.isnan(inside["abandoned_hours"].to_numpy(dtype=float))),
        "gaffes_per_100": 100.0 * share(inside["gaffe"].to_numpy(dtype=bool)),
    }
    complaint = (inside["kind"] == "complaint").to_numpy()
    negative = (complaint & ~answered) | inside["gaffe"].to_numpy(dtype=bool)
    reach = float(inside["reach"].to_numpy(dtype=float)[negative].sum())
    kpis["negative_reach_per_1k_per_day"] = (
        1000.0 * reach / n_customers / days if n_customers else np.nan
    )
    broadcasts = _at(series, "broadcasts", end) - _at(series, "broadcasts", start)
    replies = _at(series, "replies", end) - _at(series, "replies", start)
    posts = broadcasts + replies
    kpis["interactivity"] = replies / posts if posts > 0 else np.nan
    kpis["broadcasts_per_day"] = broadcasts / days
    for kpi, column in (
        ("credibility", "mean_trust"),
        ("sentiment", "mean_sentiment"),
        ("fan_share", "fan_share"),
    ):
        at_end = _at(series, column, end)
        at_start = _at(series, column, start) if start > 0 else _first(series, column)
        kpis[kpi], kpis[f"{kpi}_per_day"] = at_end, (at_end - at_start) / days
    fans, detractors = kpis["fan_share"], _at(series, "detractor_share", end)
    kpis.update(
        detractor_share=detractors,
        net_sentiment=fans - detractors,
        quality=_at(series, "quality", end),
    )
    return {name: kpis[name] for name in WINDOW_KPIS}
