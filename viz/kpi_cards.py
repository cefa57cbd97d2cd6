"""KPI cards: what each card of the two panes shows, from two ``kpis()`` dicts.

Card names are the KPI contract's (MODEL.md 5). A time measured over answered threads
(the first-response median) never appears without the share of threads answered beside
it, so a structure that answers few threads quickly cannot look good. Optional KPIs
(Kaplan–Meier median, answered within 1 h / 24 h, social capacity) get a card only when
``kpis()`` reports them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["CARDS", "Card", "CardSpec", "format_delta", "format_value", "kpi_cards"]

Better = Literal["higher", "lower", "none"]
Unit = Literal["share", "hours", "index", "count", "per_1k", "work_hours"]


@dataclass(frozen=True)
class CardSpec:
    """How one KPI is shown.

    Attributes
    ----------
    name
        The KPI contract name (a key of ``kpis()``).
    label
        The card's title.
    unit
        How the value is written: ``share`` as a percentage, ``hours``, ``index`` (a
        plain number on a stated scale), ``count``, ``per_1k``, ``work_hours``.
    unit_text
        The unit as the card says it.
    better
        Which direction is good, to colour B − A.
    optional
        Shown only when ``kpis()`` has the name.
    beside
        Another KPI shown under the value (the answered share beside a time measured
        over answered threads).
    """

    name: str
    label: str
    unit: Unit
    unit_text: str
    better: Better
    optional: bool = False
    beside: str | None = None


CARDS: tuple[CardSpec, ...] = (
    CardSpec("answered_share", "Answered", "share", "% of threads", "higher"),
    CardSpec("resolved_share", "Resolved", "share", "% of threads", "higher"),
    CardSpec("abandoned_share", "Abandoned", "share", "% of threads", "lower"),
    CardSpec(
        "first_response_hours_median",
        "First response, median",
        "hours",
        "hours, over answered threads",
        "lower",
        beside="answered_share",
    ),
    CardSpec(
        "first_response_hours_km_median",
        "First response, Kaplan–Meier median",
        "hours",
        "hours, over all threads",
        "lower",
        optional=True,
    ),
    CardSpec(
        "answered_within_1h_share",
        "Answered within 1 h",
        "share",
        "% of all threads",
        "higher",
        optional=True,
    ),
    CardSpec(
        "answered_within_24h_share",
        "Answered within 24 h",
        "share",
        "% of all threads",
        "higher",
        optional=True,
    ),
    CardSpec("credibility", "Credibility", "index", "mean trust, 0–1", "higher"),
    CardSpec("sentiment", "Sentiment", "index", "mean, −1 to 1", "higher"),
    CardSpec(
        "net_sentiment", "Net sentiment", "share", "fans − detractors, % of customers", "higher"
    ),
    CardSpec(
        "negative_reach_per_1k",
        "Negative reach",
        "per_1k",
        "exposures to unanswered complaints and gaffes per 1,000 customers",
        "lower",
    ),
    CardSpec(
        "interactivity", "Interactivity", "index", "replies / (replies + broadcasts), 0–1", "higher"
    ),
    CardSpec("gaffes", "Gaffes", "count", "gaffe answers", "lower"),
    CardSpec(
        "social_capacity",
        "Social capacity",
        "work_hours",
        "work-hours per hour on social media",
        "none",
        optional=True,
    ),
)
"""Every card, in display order."""

_SPECS = {spec.name: spec for spec in CARDS}


@dataclass(frozen=True)
class Card:
    """One KPI card's text, for both panes.

    Attributes
    ----------
    spec
        What it shows.
    a, b
        Each pane's value, written in the card's unit (``n/a`` with a reason when the
        KPI has nothing to measure yet).
    delta
        B − A in the card's unit (shares in percentage points), or ``""``.
    verdict
        ``better``, ``worse`` or ``same`` for B against A, ``""`` when not comparable.
    beside_a, beside_b
        The companion KPI under each value (e.g. ``"answered 24.8 %"``), or ``""``.
    """

    spec: CardSpec
    a: str
    b: str
    delta: str
    verdict: str
    beside_a: str = ""
    beside_b: str = ""

    @property
    def name(self) -> str:
        return self.spec.name


def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def format_value(unit: Unit, value: float | None) -> str:
    """A KPI value as a card writes it.

    Examples
    --------
    >>> format_value("share", 0.2481)
    '24.8 %'
    >>> format_value("hours", 9.0)
    '9.00 h'
    >>> format_value("hours", float("nan"))
    'n/a'
    >>> format_value("hours", float("inf"))
    'never (under half answered)'
    """
    if value is not None and isinstance(value, float) and math.isinf(value) and value > 0:
        return "never (under half answered)"
    if not _finite(value):
        return "n/a"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "hours":
        return f"{value:.2f} h" if value < 100 else f"{value:,.0f} h"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "per_1k":
        return f"{value:,.1f}"
    if unit == "work_hours":
        return f"{value:.2f}"
    return f"{value:.3f}"


def format_delta(unit: Unit, delta: float) -> str:
    """B − A as a card writes it; shares in percentage points.

    Examples
    --------
    >>> format_delta("share", 0.5412)
    '+54.1 pp'
    >>> format_delta("hours", -8.25)
    '−8.25 h'
    """
    if not math.isfinite(delta):
        return ""
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    size = abs(delta)
    if unit == "share":
        return f"{sign}{100 * size:.1f} pp"
    if unit == "hours":
        return f"{sign}{size:.2f} h"
    if unit == "count":
        return f"{sign}{size:,.0f}"
    if unit == "per_1k":
        return f"{sign}{size:,.1f}"
    if unit == "work_hours":
        return f"{sign}{size:.2f}"
    return f"{sign}{size:.3f}"


def _verdict(better: Better, delta: float) -> str:
    if not math.isfinite(delta) or better == "none":
        return ""
    if delta == 0:
        return "same"
    return "better" if (delta > 0) == (better == "higher") else "worse"


def _beside(spec: CardSpec, kpis: Mapping[str, float]) -> str:
    if spec.beside is None:
        return ""
    other = _SPECS[spec.beside]
    return f"{other.label.lower()} {format_value(other.unit, kpis.get(spec.beside))}"


def kpi_cards(a: Mapping[str, float], b: Mapping[str, float]) -> list[Card]:
    """The cards for panes A and B, in :data:`CARDS` order.

    Parameters
    ----------
    a, b
        ``model.kpis()`` of each pane.

    Returns
    -------
    list of Card
        One per KPI in :data:`CARDS`; optional ones only if either pane reports them.
        A card whose KPI measures over answered threads carries the answered share.
    """
    cards = []
    for spec in CARDS:
        if spec.optional and spec.name not in a and spec.name not in b:
            continue
        value_a, value_b = a.get(spec.name), b.get(spec.name)
        delta = value_b - value_a if _finite(value_a) and _finite(value_b) else math.nan
        cards.append(
            Card(
                spec=spec,
                a=format_value(spec.unit, value_a),
                b=format_value(spec.unit, value_b),
                delta=format_delta(spec.unit, delta),
                verdict=_verdict(spec.better, delta),
                beside_a=_beside(spec, a),
                beside_b=_beside(spec, b),
            )
        )
    return cards
