"""Read a customer graph from an edge-list file (MODEL.md 2: "an edge-list file")."""

from __future__ import annotations

import io
import itertools
import os
import re
import warnings

import numpy as np

from sim.public.graph import MAX_NODES, SocialGraph, from_edges

__all__ = ["GraphFileError", "read_edge_list"]

_INT_RE = re.compile(r"[+-]?[0-9]+")


class GraphFileError(ValueError):
    """An edge-list file could not be parsed; the message names the file, the line number
    and what is wrong there (never the line's text: the file may not be an edge list)."""


_BLANK_RE = re.compile(r"^[ \t\r]*(?:#[^\n]*)?$", re.M)  # blank or comment-only line
_DATA_RE = re.compile(r"^[ \t\r]*[^#\s][^\n]*", re.M)  # a line with content


def _is_header(line: str) -> bool:
    """True if no field of ``line`` (comment stripped) looks like a number."""
    for tok in line.split("#", 1)[0].replace(",", " ").split():
        try:
            float(tok)
        except ValueError:
            continue
        return False
    return True


def _raise_bad_line(
    path: str, text: str, offset: int, delimiter: str | None, limit: int, arr: np.ndarray | None
) -> None:
    """Error path: locate the first bad line after ``offset`` and raise a GraphFileError."""
    sep = "'source,target'" if delimiter == "," else "'source target'"
    allowed = (
        f"allowed: one arc per line as {sep} with integer ids 0 <= id < {limit}, "
        "'#' comments, blank lines and one optional non-numeric header line"
    )
    if arr is None:  # a syntax error: first data line that is not two integers
        num, gap = r"[+-]?[0-9]{1,18}", r"[ \t\r]*,[ \t\r]*" if delimiter == "," else r"[ \t\r]+"
        good = rf"[ \t\r]*{num}{gap}{num}[ \t\r]*(?:#[^\n]*)?$"
        found = re.compile(rf"^(?![ \t\r]*(?:#[^\n]*)?$)(?!{good})", re.M).search(text, offset)
    else:  # ids out of range: the data line of the first bad row
        row = int(np.argmax(((arr < 0) | (arr >= limit)).any(axis=1)))
        found = next(itertools.islice(_DATA_RE.finditer(text, offset), row, None), None)
    if found is None:  # pragma: no cover - numpy and the pattern disagree
        raise GraphFileError(f"{path}: could not parse as an edge list; {allowed}")
    pos = found.start()
    end = text.find("\n", pos)
    raw = text[pos : len(text) if end < 0 else end]
    toks = [t.strip() for t in raw.split("#", 1)[0].split(delimiter)]
    if len(toks) != 2:
        bad = f"expected 2 fields, found {len(toks)}"
    elif not all(_INT_RE.fullmatch(t) for t in toks):
        bad = "node id is not an integer"
    elif min(int(t) for t in toks) < 0:
        bad = "negative node id"
    elif max(int(t) for t in toks) >= limit:
        bad = f"node id >= {limit}"
    else:  # pragma: no cover - numpy and the pattern disagree
        bad = "cannot parse"
    line = text.count("\n", 0, pos) + 1
    raise GraphFileError(f"{path}, line {line}: {bad}; {allowed}")  # (never the line's text)


def read_edge_list(path: str | os.PathLike, n_customers: int | None = None) -> SocialGraph:
    """Read a directed edge list, one ``source,target`` or ``source target`` per line.

    Parameters
    ----------
    path : str or os.PathLike
        Text file. ``#`` starts a comment; blank lines are ignored; the first non-comment
        line may be a non-numeric header such as ``source,target``. The separator (comma
        or whitespace) is taken from the first data line and must be used throughout.
    n_customers : int, optional
        Number of customers; default is the largest id plus one.

    Returns
    -------
    SocialGraph
        Arcs as written (``target`` sees ``source``'s posts); self-loops and repeated
        lines are dropped.

    Raises
    ------
    GraphFileError
        On a malformed line, a negative id or an id ``>= n_customers``; the message names
        the file, the 1-based line number, the offending text and what is allowed.

    Notes
    -----
    Parsed by ``numpy.loadtxt`` (3 million lines in under a second). Only on failure is
    the text searched again (one regular-expression scan) to report the first bad line.
    """
    path = os.fspath(path)
    if n_customers is not None and not 0 <= n_customers <= MAX_NODES:
        raise ValueError(f"n_customers must be in [0, {MAX_NODES}], got {n_customers}")
    limit = MAX_NODES if n_customers is None else int(n_customers)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    first = _DATA_RE.search(text)
    if first is not None and _is_header(first.group()):
        first = _DATA_RE.search(text, first.end())
    offset = len(text) if first is None else first.start()
    delimiter = "," if first is not None and "," in first.group().split("#")[0] else None
    body = io.StringIO(_BLANK_RE.sub("", text[offset:]))  # keeps the line count
    arr = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            arr = np.loadtxt(body, dtype=np.int64, comments="#", delimiter=delimiter, ndmin=2)
    except ValueError:
        _raise_bad_line(path, text, offset, delimiter, limit, None)
    del body
    if arr.size and arr.shape[1] != 2:
        _raise_bad_line(path, text, offset, delimiter, limit, None)
    if arr.size and (arr.min() < 0 or arr.max() >= limit):
        _raise_bad_line(path, text, offset, delimiter, limit, arr)
    arr = arr.reshape(-1, 2)
    n = limit if n_customers is not None else int(arr.max(initial=-1)) + 1
    return from_edges(arr[:, 0], arr[:, 1], n, symmetric=False)
