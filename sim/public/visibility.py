"""Which threads are still visible: each channel's visibility window (MODEL.md 4.2).

A thread can be seen, reshared and reposted until ``visible_hours`` after it was
created; at the start of the first tick ``T`` with ``(T - created) x dt >=
visible_hours`` of its channel it expires, and its cascade is forgotten. The window is
the same for every thread of a channel, so a thread's expiry tick is its creation tick
plus a per-channel constant, and the threads of a channel, entering in creation order,
expire in the same order: each channel is a queue, and a tick's expiries are a prefix
of each queue (no thread's age is read again; adding a tick's threads copies the queue,
a few bytes a visible thread). Whether a thread is visible is one look-up in a mask by
thread id.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Visibility", "window_ticks"]

_NO_IDS = np.zeros(0, dtype=np.int64)


def window_ticks(visible_hours: float, dt: float) -> int:
    """The smallest ``k >= 0`` with ``k x dt >= visible_hours`` (in float64, as the
    expiry compares a thread's age): a thread created at tick ``c`` is visible in ticks
    ``c`` to ``c + k - 1`` and expires at the start of tick ``c + k``."""
    k = max(0, math.ceil(visible_hours / dt))
    while k > 0 and (k - 1) * dt >= visible_hours:
        k -= 1
    while k * dt < visible_hours:
        k += 1
    return k


class Visibility:
    """The visible threads: a queue of ids a channel, sorted by expiry tick, and a mask.

    Parameters
    ----------
    visible_hours : sequence of float
        Each channel's visibility window, in hours.
    dt : float
        Tick length, in hours.
    """

    def __init__(self, visible_hours: list[float], dt: float) -> None:
        self.window = np.array([window_ticks(h, dt) for h in visible_hours], dtype=np.int64)
        """Ticks each channel's threads stay visible (:func:`window_ticks`)."""
        n = len(visible_hours)
        self._ids: list[np.ndarray] = [_NO_IDS] * n
        self._expiry: list[np.ndarray] = [_NO_IDS] * n
        self._mask = np.zeros(1024, dtype=bool)
        self.size = 0
        """Threads visible."""

    def add(self, ids: np.ndarray, channel: np.ndarray, created: np.ndarray) -> None:
        """Make threads ``ids`` (with their channels and creation ticks) visible."""
        if ids.size == 0:
            return
        top = int(ids.max())
        if top >= self._mask.size:
            grown = max(top + 1, 2 * self._mask.size)
            self._mask = np.pad(self._mask, (0, grown - self._mask.size))
        self._mask[ids] = True
        self.size += ids.size
        expiry = created.astype(np.int64) + self.window[channel]
        for c in np.unique(channel).tolist():  # a handful of channels
            mine = channel == c
            new_ids, new_expiry = ids[mine], expiry[mine]
            old_ids, old_expiry = self._ids[c], self._expiry[c]
            ids_c = np.concatenate((old_ids, new_ids))
            expiry_c = np.concatenate((old_expiry, new_expiry))
            in_order = (old_expiry.size == 0 or new_expiry[0] >= old_expiry[-1]) and bool(
                np.all(new_expiry[1:] >= new_expiry[:-1])
            )
            if not in_order:  # threads created out of order (not the model's case)
                order = expiry_c.argsort(kind="stable")
                ids_c, expiry_c = ids_c[order], expiry_c[order]
            self._ids[c], self._expiry[c] = ids_c, expiry_c

    def expire(self, tick: int) -> np.ndarray:
        """Remove, and return, the threads whose window ended by the start of ``tick``."""
        gone = []
        for c, expiry in enumerate(self._expiry):
            if expiry.size and expiry[0] <= tick:
                k = int(expiry.searchsorted(tick, side="right"))
                gone.append(self._ids[c][:k])
                self._ids[c], self._expiry[c] = self._ids[c][k:], expiry[k:]
        if not gone:
            return _NO_IDS
        ids = gone[0] if len(gone) == 1 else np.concatenate(gone)
        self._mask[ids] = False
        self.size -= ids.size
        return ids

    def visible(self, ids: np.ndarray) -> np.ndarray:
        """Whether each thread of ``ids`` is visible (ids past every visible one are not)."""
        mask = self._mask
        inside = (ids >= 0) & (ids < mask.size)  # (a negative id would wrap around)
        if inside.all():
            return mask[ids]
        out = np.zeros(ids.shape, dtype=bool)
        out[inside] = mask[ids[inside]]
        return out

    def ids(self) -> np.ndarray:
        """The visible threads, sorted (for inspection; not used by the step)."""
        return np.sort(np.concatenate(self._ids)) if self.size else _NO_IDS
