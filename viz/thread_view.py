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

__all__ = ["COLUMNS", "most_recent", "most_spread", "outcome_text", "path_html", "table_html"]

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


def outcome_text(row: pd.Series) -> str:
    """Where a thread stands, from its ``model.threads()`` row.

    Examples
    --------
    >>> row = pd.Series({"created_hours": 17.25, "state": "abandoned",
    ...                  "first_response_hours": 0.5, "resolution_hours": float("nan"),
    ...                  "abandoned_hours": 5.5})
    >>> outcome_text(row)
    'opened at hour 17.25; first answer after 0.50 h; now abandoned (after 5.50 h)'
    """
    parts = [f"opened at hour {row['created_hours']:g}"]
    first = row.get("first_response_hours", np.nan)
    parts.append(f"first answer after {first:.2f} h" if np.isfinite(first) else "not answered yet")
    state = str(row["state"])
    since = {"resolved": "resolution_hours", "abandoned": "abandoned_hours"}.get(state)
    if since is not None and np.isfinite(row.get(since, np.nan)):
        parts.append(f"now {state} (after {row[since]:.2f} h)")
    else:
        parts.append(f"now {state}")
    return "; ".join(parts)


def path_html(
    thread: int,
    path: Sequence[tuple[float, str, int, str]],
    pane: str,
    outcome: str = "",
) -> str:
    """A thread's observed places, one line each: hour, silo (or the public), holder
    and level; then where it stands (:func:`outcome_text`)."""
    if not path:
        return f"<div>{pane}: thread {thread}: no path observed (no such thread yet?)</div>"
    steps = []
    for hours, silo, holder, level in path:
        if holder >= 0:
            who = f"employee {holder}, {escape(level)}"
        elif silo == "public":
            who = "with the public: answered, or not yet routed"
        else:
            who = "in the silo's shared queue"
        steps.append(f"<li>hour {hours:g}: <b>{escape(silo)}</b> ({who})</li>")
    tail = f"<div>{escape(outcome)}</div>" if outcome else ""
    return (
        f'<div data-path="{thread}"><b>{pane}: path of thread {thread}</b> '
        "(places seen at the end of each tick)"
        f"<ol>{''.join(steps)}</ol>{tail}</div>"
    )
