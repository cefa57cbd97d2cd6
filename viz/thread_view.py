"""The thread view: the most recent and the most spread threads of a pane, and a
thread's path through the organization.

Works on ``model.threads()`` (one row per thread, MODEL.md 2) with pandas' vectorized
selection; a path comes from :class:`viz.model_access.FlowTracker`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "most_recent", "most_spread", "path_html", "table_html"]

COLUMNS: dict[str, str] = {
    "thread": "thread",
    "kind": "kind",
    "topic": "topic",
    "channel": "channel",
    "state": "state",
    "created_hours": "opened (h)",
    "hops": "hops",
    "silo_crossings": "silo crossings",
    "reach": "reach",
    "first_response_hours": "first answer after (h)",
    "voice": "voice",
    "gaffe": "gaffe",
}
"""Shown columns of ``model.threads()`` and their headings."""


def _shown(threads: pd.DataFrame) -> pd.DataFrame:
    return threads[[c for c in COLUMNS if c in threads]]


def most_recent(threads: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` threads opened last (newest first)."""
    order = np.lexsort((-threads["thread"].to_numpy(), -threads["created_hours"].to_numpy()))
    return _shown(threads.iloc[order[:n]])


def most_spread(threads: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` threads seen by the most customers (``reach``), ties by age."""
    if "reach" not in threads or len(threads) == 0:
        return _shown(threads.iloc[:0])
    order = np.lexsort((threads["thread"].to_numpy(), -threads["reach"].to_numpy()))
    return _shown(threads.iloc[order[:n]])


def _cell(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        return "—" if not np.isfinite(value) else f"{value:,.2f}"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if value is None or (isinstance(value, str) and value == "nan"):
        return "—"
    return escape(str(value))


def table_html(table: pd.DataFrame, pane: str, title: str) -> str:
    """A thread table with a heading; each row carries ``data-thread``."""
    head = "".join(f"<th>{escape(COLUMNS[c])}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):  # at most a few rows: a display table
        cells = "".join(f"<td>{_cell(v)}</td>" for v in record)
        rows.append(f'<tr data-thread="{int(record[0])}">{cells}</tr>')
    body = "".join(rows) or f'<tr><td colspan="{len(table.columns)}">no thread yet</td></tr>'
    return (
        f'<div style="font-weight:600;margin-top:6px">{escape(title)}</div>'
        f'<table class="org" data-pane="{pane}">'
        f"<tr>{head}</tr>{body}</table>"
    )


def path_html(thread: int, path: Sequence[tuple[float, str, int]], pane: str) -> str:
    """A thread's observed places, one line each: hour, silo (or the public), holder."""
    if not path:
        return f"<div>{pane}: thread {thread}: no path observed</div>"
    steps = []
    for hours, silo, holder in path:
        if holder >= 0:
            who = f"employee {holder}"
        elif silo == "public":
            who = "with the public: answered, or not yet routed"
        else:
            who = "in the silo's shared queue"
        steps.append(f"<li>hour {hours:g}: <b>{escape(silo)}</b> ({who})</li>")
    return (
        f'<div data-path="{thread}"><b>{pane}: path of thread {thread}</b> '
        "(places seen at the end of each tick)"
        f"<ol>{''.join(steps)}</ol></div>"
    )
