"""Customer social graph: a directed CSR graph (MODEL.md 2, "Customers").

An arc ``i -> j`` means "``j`` sees what ``i`` posts" (``j`` follows ``i``), so
``indices[indptr[i]:indptr[i + 1]]`` are the followers of ``i``. Always: ``indptr`` is
``int64`` of shape ``(n + 1,)`` (safe beyond 2**31 arcs); ``indices`` is ``int32`` (at most
2**31 - 1 customers), sorted within each row, without self-loops or duplicate arcs.

Random generators live in :mod:`sim.public.graph_generators`, the edge-list reader in
:mod:`sim.public.edge_list`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse

from sim.ids import sort_unique

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MAX_NODES",
    "SocialGraph",
    "concatenated_ranges",
    "from_edges",
    "from_networkx",
]

MAX_NODES = int(np.iinfo(np.int32).max)
"""At most this many customers: ``indices`` are ``int32``."""
_NX_EDGE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class SocialGraph:
    """Directed follower graph in CSR form; build it with :func:`from_edges` or a generator.

    Attributes
    ----------
    indptr : numpy.ndarray
        ``int64`` row pointers, shape ``(n + 1,)``.
    indices : numpy.ndarray
        ``int32`` followers, shape ``(n_edges,)``; rows sorted, no self-loops, no duplicates.
    """

    indptr: np.ndarray
    indices: np.ndarray

    def __post_init__(self) -> None:
        ip, ix = self.indptr, self.indices
        if ip.ndim != 1 or ip.size < 1 or ip.dtype != np.int64:
            raise ValueError("indptr must be a 1-D int64 array of length n + 1")
        if ix.ndim != 1 or ix.dtype != np.int32:
            raise ValueError("indices must be a 1-D int32 array")
        if ip[0] != 0 or ip[-1] != ix.size:
            raise ValueError("indptr must start at 0 and end at len(indices)")

    @property
    def n_customers(self) -> int:
        """Number of customers (nodes)."""
        return int(self.indptr.size - 1)

    @property
    def n_edges(self) -> int:
        """Number of arcs; an undirected edge counts twice."""
        return int(self.indices.size)

    def out_degree(self) -> np.ndarray:
        """Followers per customer, ``int32`` of shape ``(n,)``."""
        return np.diff(self.indptr).astype(np.int32)

    def in_degree(self) -> np.ndarray:
        """How many customers each customer follows, ``int32`` of shape ``(n,)``."""
        return np.bincount(self.indices, minlength=self.n_customers).astype(np.int32)

    def arcs_from(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every arc out of the given nodes, O(their degrees), not O(edges).

        Returns
        -------
        which : ndarray of int64
            For each arc, the position in ``nodes`` of its tail.
        head : ndarray of int32
            For each arc, its head, in CSR order.
        """
        nodes = np.asarray(nodes, dtype=np.int64)
        start = self.indptr[nodes]
        count = self.indptr[nodes + 1] - start
        which = np.repeat(np.arange(nodes.size, dtype=np.int64), count)
        return which, self.indices[concatenated_ranges(start, count)]

    def to_csr(self) -> scipy.sparse.csr_array:
        """Return an ``(n, n)`` ``scipy.sparse.csr_array`` with unit ``float32`` weights.

        Notes
        -----
        Built on every call, nothing cached. ``indices`` is shared, not copied; the cost is
        a new ``float32`` ones array (4 bytes per arc) plus an ``int32`` copy of ``indptr``
        (scipy wants both index arrays in one dtype). Above 2**31 - 1 arcs scipy needs
        ``int64`` indices, so ``indices`` is then copied as well (8 bytes per arc).
        """
        return self._scipy_csr(np.float32)

    def _scipy_csr(self, dtype: type) -> scipy.sparse.csr_array:
        """:meth:`to_csr` with unit weights of ``dtype``."""
        n = self.n_customers
        if self.n_edges <= MAX_NODES:
            ip, ix = self.indptr.astype(np.int32), self.indices
        else:
            ip, ix = self.indptr, self.indices.astype(np.int64)
        data = np.ones(self.n_edges, dtype=dtype)
        return scipy.sparse.csr_array((data, ix, ip), shape=(n, n), copy=False)

    def transpose(self) -> SocialGraph:
        """Reverse every arc: row ``i`` of the result lists the customers ``i`` follows.

        Notes
        -----
        One counting pass (SciPy's CSR to CSC conversion, O(n + E), no sort): the arcs
        are visited row by row, so each row of the result comes out sorted, as
        :func:`from_edges` would sort it (the arcs have no duplicates or self-loops to
        drop). Scratch: one byte per arc and the result.
        """
        csc = self._scipy_csr(np.bool_).tocsc()
        indptr, indices = csc.indptr.astype(np.int64), csc.indices.astype(np.int32, copy=False)
        del csc
        if np.array_equal(indptr, self.indptr) and np.array_equal(indices, self.indices):
            return self  # symmetric: the graph is its own transpose (no second copy kept)
        return SocialGraph(indptr, indices)

    def to_networkx(self, force: bool = False) -> nx.DiGraph:
        """Convert to a ``networkx.DiGraph`` on nodes ``0..n-1`` (small graphs only).

        Raises
        ------
        ValueError
            If there are more than 200_000 arcs and ``force`` is false.
        """
        import networkx as nx

        if self.n_edges > _NX_EDGE_LIMIT and not force:
            raise ValueError(
                f"to_networkx: {self.n_edges} arcs exceed the limit of {_NX_EDGE_LIMIT}; "
                "pass force=True to convert anyway"
            )
        g = nx.DiGraph()
        g.add_nodes_from(range(self.n_customers))
        src = np.repeat(np.arange(self.n_customers), np.diff(self.indptr))
        g.add_edges_from(zip(src.tolist(), self.indices.tolist(), strict=True))
        return g


def concatenated_ranges(
    start: np.ndarray, count: np.ndarray, ends: np.ndarray | None = None
) -> np.ndarray:
    """The positions ``start[k], ..., start[k] + count[k] - 1`` of every range ``k``,
    concatenated in order (``int64``): how CSR rows are gathered without a Python loop.
    ``ends`` is ``count``'s cumulative sum (``int64``), if the caller has it already."""
    if ends is None:
        ends = np.cumsum(count, dtype=np.int64)
    total = int(ends[-1]) if ends.size else 0
    return np.repeat(start - (ends - count), count) + np.arange(total, dtype=np.int64)


def from_edges(src: np.ndarray, dst: np.ndarray, n: int, symmetric: bool) -> SocialGraph:
    """Build a :class:`SocialGraph` from arc lists: the one shared CSR builder.

    Parameters
    ----------
    src, dst : array_like of int
        Arcs ``src[k] -> dst[k]`` (``dst[k]`` follows ``src[k]``), ids in ``[0, n)``.
    n : int
        Number of customers.
    symmetric : bool
        If true, each pair also gives the reverse arc ``dst[k] -> src[k]``.

    Returns
    -------
    SocialGraph
        Self-loops dropped, duplicate arcs merged, rows sorted.

    Raises
    ------
    ValueError
        On mismatched shapes, non-integer ids or ids outside ``[0, n)``.

    Notes
    -----
    SciPy's COO to CSR conversion: a counting pass by tail (O(n + E)), then each row
    sorted and its repeats merged; ``int32`` ids, about 10 bytes/arc of scratch. Above
    2**31 - 1 arcs, one sorted ``int64`` key ``src * n + dst`` per arc (O(E log E)).
    """
    n = int(n)
    if not 0 <= n <= MAX_NODES:
        raise ValueError(f"n must be in [0, {MAX_NODES}], got {n}")
    src, dst = np.asarray(src), np.asarray(dst)
    if src.shape != dst.shape or src.ndim != 1:
        raise ValueError("src and dst must be 1-D arrays of equal length")
    if src.size and not all(np.issubdtype(a.dtype, np.integer) for a in (src, dst)):
        raise ValueError("node ids must be integers")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError(f"node ids must lie in [0, {n})")
    keep = src != dst
    src, dst = src[keep], dst[keep]
    del keep
    if src.size * (2 if symmetric else 1) > MAX_NODES:  # more than int32 indices hold
        return _from_keys(src, dst, n, symmetric)
    src, dst = src.astype(np.int32), dst.astype(np.int32)
    if symmetric:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    data = np.ones(src.size, dtype=np.bool_)
    csr = scipy.sparse.coo_array((data, (src, dst)), shape=(n, n)).tocsr()
    del data, src, dst
    csr.sum_duplicates()  # (canonical already: rows sorted, duplicates merged)
    return SocialGraph(csr.indptr.astype(np.int64), csr.indices.astype(np.int32, copy=False))


def _from_keys(src: np.ndarray, dst: np.ndarray, n: int, symmetric: bool) -> SocialGraph:
    """:func:`from_edges` of arcs without self-loops by one sorted ``int64`` key per
    arc (for more arcs than int32 indices hold)."""
    if symmetric:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    key = src.astype(np.int64) * n
    key += dst
    del src, dst
    key = sort_unique(key)
    indptr = np.searchsorted(key, np.arange(n + 1, dtype=np.int64) * n).astype(np.int64)
    np.remainder(key, max(n, 1), out=key)
    return SocialGraph(indptr, key.astype(np.int32))


def from_networkx(G: nx.Graph | nx.DiGraph) -> SocialGraph:
    """Convert a networkx graph; nodes are relabelled ``0..n-1`` in ``G.nodes`` order.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Undirected edges give both arcs, directed edges the arc ``u -> v``. Weights and
        parallel edges are ignored; self-loops are dropped.

    Returns
    -------
    SocialGraph
    """
    import networkx as nx

    nodes = list(G.nodes)
    coo = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, format="coo")
    return from_edges(coo.row, coo.col, len(nodes), symmetric=not G.is_directed())
