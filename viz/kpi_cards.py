"""KPI cards: what each card of the two panes shows, from two ``kpis()`` dicts.

Card names are the KPI contract's (MODEL.md 5); every value is the model's, never
computed here. A time measured over answered threads (the answered-only median) never
appears without the share of threads answered beside it, so a structure that answers
few threads quickly cannot look good; the Kaplan–Meier median over all threads sits
next to it, with the answered-only median and the answered share beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeGuard

__all__ = [
    "CARDS",
    "NOT_REACHED",
    "Card",
    "CardSpec",
    "beside_text",
    "format_delta",
    "format_value",
    "kpi_cards",
]

Better = Literal["higher", "lower", "none"]
Unit = Literal["share", "hours", "index", "count", "per_1k", "work_hours"]

NOT_REACHED = "not reached (< half answered)"
"""How an infinite median reads: fewer than half of the threads were ever answered."""


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
    beside
        Other KPIs shown under the value, in order (the answered share beside a time
        measured over answered threads).
    """

    name: str
    label: str
    unit: Unit
    unit_text: str
    better: Better
    beside: tuple[str, ...] = ()


CARDS: tuple[CardSpec, ...] = (
    CardSpec("answered_share", "Answered", "share", "% of all threads, ever answered", "higher"),
    CardSpec(
        "answered_within_1h_share",
        "Answered within 1 h",
        "share",
        "% of all threads (never answered: not within)",
        "higher",
    ),
    CardSpec(
        "answered_within_24h_share",
        "Answered within 24 h",
        "share",
        "% of all threads (never answered: not within)",
        "higher",
    ),
    CardSpec(
        "first_response_hours_km_median",
        "First response, median of all threads",
        "hours",
        "hours, Kaplan–Meier over all threads (the unanswered censored)",
        "lower",
        beside=("first_response_hours_median", "answered_share"),
    ),
    CardSpec(
        "first_response_hours_median",
        "First response, median",
        "hours",
        "hours, over answered threads",
        "lower",
        beside=("answered_share",),
    ),
    CardSpec("resolved_share", "Resolved", "share", "% of all threads", "higher"),
    CardSpec("abandoned_share", "Abandoned", "share", "% of all threads", "lower"),
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
        "work-hours per hour given to social media, on average",
        "none",
    ),
)
"""Every card, in display order."""

_BESIDE_LABEL = {
    "answered_share": "answered",
    "first_response_hours_median": "over answered threads",
}
"""How a KPI is named when it is shown beside another card's value."""

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


def _finite(value: float | None) -> TypeGuard[float]:
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
    'not reached (< half answered)'
    """
    if value is not None and isinstance(value, float) and math.isinf(value) and value > 0:
        return NOT_REACHED
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


def _comparable(value: float | None) -> TypeGuard[float]:
    """A number, finite or infinite (an unreached median compares), not NaN."""
    return isinstance(value, (int, float)) and not math.isnan(value)


def _verdict(better: Better, a: float | None, b: float | None) -> str:
    """B against A, when both are comparable (see :func:`_comparable`)."""
    if better == "none" or not (_comparable(a) and _comparable(b)):
        return ""
    if a == b:
        return "same"
    return "better" if (b > a) == (better == "higher") else "worse"


def _delta(spec: CardSpec, a: float | None, b: float | None) -> str:
    """B − A in the card's unit; ``"B not reached"`` when only one median is reached."""
    if _finite(a) and _finite(b):
        return format_delta(spec.unit, b - a)
    if _comparable(a) and _comparable(b) and _finite(a) != _finite(b):
        return f"{'A' if _finite(b) else 'B'} not reached"
    return ""


def beside_text(spec: CardSpec, kpis: Mapping[str, float]) -> str:
    """The KPIs shown beside a card's value (``spec.beside``), from ``kpis``.

    Examples
    --------
    >>> spec = next(c for c in CARDS if c.name == "first_response_hours_km_median")
    >>> beside_text(spec, {"first_response_hours_median": 9.0, "answered_share": 0.25})
    'over answered threads 9.00 h · answered 25.0 %'
    """
    parts = []
    for name in spec.beside:
        other = _SPECS[name]
        parts.append(
            f"{_BESIDE_LABEL.get(name, other.label.lower())} "
            f"{format_value(other.unit, kpis.get(name))}"
        )
    return " · ".join(parts)


def kpi_cards(a: Mapping[str, float], b: Mapping[str, float]) -> list[Card]:
    """The cards for panes A and B, in :data:`CARDS` order.

    Parameters
    ----------
    a, b
        ``model.kpis()`` of each pane.

    Returns
    -------
    list of Card
        One per KPI in :data:`CARDS`. A card whose KPI measures over answered threads
        carries the answered share; the Kaplan–Meier median carries the answered-only
        median and the answered share.
    """
    cards = []
    for spec in CARDS:
        value_a, value_b = a.get(spec.name), b.get(spec.name)
        cards.append(
            Card(
                spec=spec,
                a=format_value(spec.unit, value_a),
                b=format_value(spec.unit, value_b),
                delta=_delta(spec, value_a, value_b),
                verdict=_verdict(spec.better, value_a, value_b),
                beside_a=beside_text(spec, a),
                beside_b=beside_text(spec, b),
            )
        )
    return cards
