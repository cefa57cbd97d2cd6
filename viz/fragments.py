"""Small HTML fragments of the page: KPI cards, the organization grid, the flow table.

Plain functions of view data (no Solara), so they are tested without a browser. Every
value carries a ``data-*`` attribute with the raw number, which the browser tests read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

from viz.kpi_cards import Card
from viz.model_access import OrgGrid
from viz.plots import COLORS

__all__ = ["cards_html", "clock_text", "flows_html", "grid_html"]

_VERDICT_COLOR = {"better": "#1b7f3b", "worse": "#b3261e", "same": "#555", "": "#555"}

STYLE = """
<style>
.kpi-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(215px,1fr));gap:8px}
.kpi-card{border:1px solid #ddd;border-radius:6px;padding:6px 9px;background:#fff}
.kpi-card .t{font-weight:600;font-size:13px}
.kpi-card .u{color:#666;font-size:11px;line-height:1.2;min-height:26px;overflow-wrap:anywhere}
.kpi-card code{font-size:10px;background:none;padding:0;color:#777}
.kpi-card .v{font-size:16px;font-variant-numeric:tabular-nums}
.kpi-card .s{font-size:11px;color:#555}
.kpi-card .d{font-size:12px;margin-top:2px}
table.org{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums}
table.org th,table.org td{border:1px solid #ddd;padding:3px 6px;text-align:right}
table.org th{background:#f5f5f5;text-align:left}
.note{font-size:12px;color:#444}
.note code{font-size:11px;background:none;padding:0;color:#666}
</style>
"""


def _number(value: float | None) -> str:
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "nan"
    return repr(float(value))


def cards_html(
    cards: Sequence[Card],
    names: dict[str, str],
    raw: dict[str, dict[str, float]],
    hours: float = 0.0,
) -> str:
    """The KPI cards of both panes.

    Parameters
    ----------
    cards
        From :func:`viz.kpi_cards.kpi_cards`.
    names
        Pane to its scenario name.
    raw
        Pane to ``kpis()``: each value's ``data-value`` attribute.
    hours
        The simulated time of these values (the grid's ``data-hours``).
    """
    parts = [STYLE, f'<div class="kpi-grid" data-hours="{hours!r}">']
    for card in cards:
        spec = card.spec
        rows = []
        for pane, text, beside in (("A", card.a, card.beside_a), ("B", card.b, card.beside_b)):
            value = raw.get(pane, {}).get(spec.name)
            beside_name = escape(" ".join(spec.beside))
            extra = (
                f' <span class="s" data-beside="{beside_name}">{escape(beside)}</span>'
                if beside
                else ""
            )
            rows.append(
                f'<div class="v" data-pane="{pane}" data-value="{_number(value)}">'
                f'<span style="color:{COLORS[pane]};font-weight:600">{pane}</span> '
                f"{escape(text)}{extra}</div>"
            )
        verdict = f" ({card.verdict})" if card.verdict in ("better", "worse") else ""
        delta = (
            f'<div class="d" style="color:{_VERDICT_COLOR[card.verdict]}" '
            f'data-verdict="{card.verdict}">B − A: {escape(card.delta)}{verdict}</div>'
            if card.delta
            else '<div class="d" data-verdict="">B − A: n/a</div>'
        )
        parts.append(
            f'<div class="kpi-card" data-kpi="{escape(spec.name)}" title="{escape(spec.name)}">'
            f'<div class="t">{escape(spec.label)}</div>'
            f'<div class="u">{escape(spec.unit_text)} '
            f"<code>{escape(spec.name).replace('_', '_<wbr>')}</code></div>"
            f"{''.join(rows)}{delta}</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def clock_text(hours: float) -> str:
    """Simulated time as a reader wants it.

    Examples
    --------
    >>> clock_text(30.25)
    'hour 30.25 · day 2, 06:15'
    """
    day, rest = divmod(hours, 24.0)
    minutes = round(rest * 60)
    return f"hour {hours:g} · day {int(day) + 1}, {minutes // 60:02d}:{minutes % 60:02d}"


def grid_html(grid: OrgGrid, pane: str, name: str) -> str:
    """The organization of one pane: a row per silo, a column per level.

    Each cell reads ``on board / people``, then ``busy`` and ``queued`` (threads in
    the own queues of that cell's people); the last column counts threads waiting in
    the silo's shared pool.
    """
    head = "".join(f"<th>{escape(level)}</th>" for level in grid.levels)
    rows = []
    for s, silo in enumerate(grid.silos):
        cells = []
        for lv in range(len(grid.levels)):
            people = int(grid.employees[s, lv])
            if people == 0:
                cells.append('<td style="color:#bbb">—</td>')
                continue
            busy, queued = int(grid.busy[s, lv]), int(grid.queued[s, lv])
            shade = min(1.0, queued / max(1, people) / 3.0)
            cells.append(
                f'<td style="background:rgba(214,39,40,{0.6 * shade:.2f})" '
                f'data-silo="{escape(silo)}" data-level="{lv}" '
                f'data-busy="{busy}" data-queued="{queued}">'
                f"{int(grid.on_board[s, lv])}/{people} on board<br>"
                f"{busy} busy · {queued} queued</td>"
            )
        rows.append(
            f"<tr><th>{escape(silo)}</th>{''.join(cells)}"
            f'<td data-pooled="{int(grid.pooled[s])}">{int(grid.pooled[s])}</td></tr>'
        )
    return (
        f'{STYLE}<div style="font-weight:600;color:{COLORS[pane]}">{pane}: {escape(name)}</div>'
        '<div style="font-size:12px;color:#555">each cell: people on board / people; '
        "how many are busy with a thread now; threads waiting in their own queues "
        "(redder: more per person)</div>"
        f'<table class="org" data-pane="{pane}"><tr><th>silo \\ level</th>{head}'
        f"<th>in the silo's pool</th></tr>{''.join(rows)}</table>"
    )


def flows_html(flows: np.ndarray, silos: Sequence[str], pane: str) -> str:
    """Moves of threads between silos in the last simulated day: row from, column to."""
    total = int(flows.sum())
    top = max(1, int(flows.max())) if flows.size else 1
    head = "".join(f"<th>→ {escape(s)}</th>" for s in silos)
    rows = []
    for i, source in enumerate(silos):
        cells = []
        for j in range(len(silos)):
            count = int(flows[i, j])
            alpha = 0.65 * count / top
            cells.append(
                f'<td style="background:rgba(31,119,180,{alpha:.2f})">{count if count else ""}</td>'
            )
        rows.append(f"<tr><th>{escape(source)} →</th>{''.join(cells)}</tr>")
    return (
        f'<div style="font-size:12px;color:#555">{pane}: {total} moves between silos in the '
        "last simulated day (as seen once a tick)</div>"
        f'<table class="org" data-pane="{pane}" data-flows="{total}">'
        f"<tr><th>from \\ to</th>{head}</tr>"
        f"{''.join(rows)}</table>"
    )
