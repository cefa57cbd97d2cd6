"""Work arrays kept from tick to tick, for the organization tick's backlog-sized steps.

A tick at 100,000 open threads makes a few dozen temporaries of the backlog's size
(0.1-0.8 MB each). Fresh ones cost page faults: glibc hands memory it was given back
to the kernel when a free leaves enough of it at the top of the heap, and the next
temporary of that size faults its pages in again (docs/PERFORMANCE.md, organization
tick). Arrays taken from a :class:`Scratch` are reused tick after tick, so their pages
stay mapped.

A work array holds until the next request under the same name and type: a caller uses
one name for each value alive at once, and never hands a work array to code that keeps
it. Gathers into one use ``mode="wrap"`` (``np.take`` buffers its output in the default
mode), which indexes as ``a[ids]`` does for every index in range, -1 included.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["Scratch"]

_HEADROOM = 1.25
"""A work array grows to this times what was asked, so a backlog that grows slowly
does not re-allocate it every tick."""


class Scratch:
    """Named, typed work arrays that grow as needed and are never shrunk."""

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, np.dtype], np.ndarray] = {}
        self._positions = np.zeros(0, dtype=np.intp)

    def __getstate__(self) -> dict[str, object]:
        return {}  # (a copy or a pickle starts with none: they are only work space)

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__()

    def get(self, name: str, size: int, dtype: DTypeLike) -> np.ndarray:
        """A work array of ``size`` items of ``dtype`` (contents undefined)."""
        key = (name, np.dtype(dtype))
        array = self._arrays.get(key)
        if array is None or array.size < size:
            array = np.empty(max(int(size * _HEADROOM), 64), dtype=key[1])
            self._arrays[key] = array
        return array[:size]

    def take(self, name: str, column: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """``column[ids]`` in the work array ``name`` (of the column's type).

        Every id must lie in ``[0, column.size)``: callers pass live thread ids, or
        holders and pools already filtered to ``>= 0``. ``mode="wrap"`` is there only
        because the default ``"raise"`` buffers its output; an id out of range would
        wrap silently instead of raising, as fancy indexing did."""
        return column.take(ids, out=self.get(name, ids.size, column.dtype), mode="wrap")

    def compress(self, name: str, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``values[mask]`` in the work array ``name`` (of the values' type)."""
        out = self.get(name, int(np.count_nonzero(mask)), values.dtype)
        return np.compress(mask, values, out=out)

    def positions(self, size: int) -> np.ndarray:
        """``np.arange(size)`` (read-only: every caller shares it)."""
        if self._positions.size < size:
            self._positions = np.arange(max(int(size * _HEADROOM), 64), dtype=np.intp)
            self._positions.flags.writeable = False
        return self._positions[:size]
