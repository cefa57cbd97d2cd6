"""Vectorized random-graph generators for the customer graph (MODEL.md 2).

Power-law-cluster (Holme-Kim), Barabasi-Albert, Watts-Strogatz, Erdos-Renyi and the
complete graph. No Python loop over nodes or edges (only a few loops over rounds); every
random number comes from the ``numpy.random.Generator`` given, so equal seeds give equal
arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.ids import sort_unique
from sim.public.edge_list import GraphFileError, read_edge_list
from sim.public.graph import MAX_NODES, SocialGraph, from_edges
from sim.scenario import ScenarioError

if TYPE_CHECKING:
    from sim.scenario import Scenario

__all__ = [
    "barabasi_albert",
    "build_graph",
    "complete",
    "erdos_renyi",
    "power_law_cluster",
    "watts_strogatz",
]


def complete(n: int) -> SocialGraph:
    """Complete directed graph: ``n * (n - 1)`` arcs, O(n**2) memory (small ``n`` only)."""
    if not 0 <= n <= MAX_NODES:
        raise ValueError(f"n must be in [0, {MAX_NODES}], got {n}")
    cols = np.broadcast_to(np.arange(n, dtype=np.int32), (n, n))
    return SocialGraph(
        np.arange(n + 1, dtype=np.int64) * max(n - 1, 0), cols[~np.eye(n, dtype=bool)]
    )


def _resolve_pa(
    n: int, m: int, p_triangle: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Source and target nodes of the ``n * m`` attachment edges (Batagelj-Brandes + HK).

    Edge ``e`` (of node ``e // m``) owns slot ``2e`` (holding that node) and slot ``2e + 1``
    (its target), which copies the value of slot ``ptr[e]``. Nodes ``0..m`` form a seed
    clique (edge ``i`` of seed node ``v`` targets ``i`` if ``i < v``, else it is a void
    self-loop whose slots are never drawn). Later PA edges copy a uniform valid slot of an
    earlier node; TF edges copy the other end of a slot known to hold the anchor's target
    ``w``, found structurally. All pointers go back in time, so the forest is acyclic.
    """
    n_e, n_seed = n * m, m * (m + 1)
    it = np.int32 if 2 * n_e < 2**31 else np.int64
    e = np.arange(n_e, dtype=np.int64)
    sv, si = np.tril_indices(m + 1, -1)  # seed clique edges, in edge order
    seed_slots = ((2 * (sv * m + si))[:, None] + np.array([0, 1])).ravel()
    u = rng.integers(0, np.maximum(n_seed + 2 * m * (e // m - m - 1), 1))
    ptr = np.where(u < n_seed, seed_slots[np.minimum(u, n_seed - 1)], u + n_seed).astype(it)
    del u
    v, i = e[:n_seed] // m, e[:n_seed] % m
    ptr[:n_seed] = 2 * m * np.where(i < v, i, v)  # even slot holding the seed target
    if p_triangle > 0.0 and m > 1:
        tf = (e >= n_seed) & (e % m != 0) & (rng.random(n_e) < p_triangle)
        anchor = np.maximum.accumulate(np.where(tf, 0, e))  # last PA edge of the same node
        te = np.flatnonzero(tf).astype(it)
        known = ~tf
        del tf
        # Walk slots holding w: c_0 = the anchor's uniform slot, c_{k+1} = the slot c_k
        # copied; at a root slot 2q (w's own edge q) go on to w's other edges instead.
        cur, left = ptr[anchor[te]], (te - anchor[te] - 1).astype(it)
        del anchor
        while te.size:
            root, q, fin = (cur & 1) == 0, cur >> 1, left == 0
            seed = cur < 2 * n_seed
            w = np.where(root, q // m, q % m)  # slot value, valid for roots and the seed
            ptr[te[fin]] = cur[fin] ^ 1  # TF target: the other end of the slot c_j
            mode = root & ~fin & ~seed
            ptr[te[mode]] = (2 * (w * m + (q % m + left) % m) + 1)[mode]
            mode = seed & ~fin  # seed node w: another clique member x != w
            x = (w + left) % (m + 1)
            ptr[te[mode]] = np.where(x > 0, 2 * m * x, 2 * m + 1)[mode]
            fin |= (root | seed) & ~fin
            step = ~fin & known[q]
            cur[step], left[step] = ptr[q[step]], left[step] - 1
            known[te[fin]] = True
            if not (fin.any() or step.any()):  # pragma: no cover - acyclic by design
                raise RuntimeError("triad-formation pointer walk made no progress")
            te, cur, left = te[~fin], cur[~fin], left[~fin]
        del known, cur, left
    # Resolve values: even slot 2q holds q // m; odd slot 2q + 1 holds the value of edge q.
    odd = (ptr & 1).astype(bool)
    val = np.where(odd, -1, (ptr >> 1) // m).astype(np.int32)
    par = np.where(odd, ptr >> 1, -1).astype(it)
    del ptr, odd
    chase = np.flatnonzero(par >= 0).astype(it)
    while chase.size:
        p = par[chase]
        pv = val[p]
        done = pv >= 0
        val[chase[done]] = pv[done]
        chase, p = chase[~done], p[~done]
        par[chase] = par[p]  # pointer doubling
    return (e // m).astype(np.int32), val


def _check_pa_args(n: int, m: int, p_triangle: float = 0.0) -> None:
    if not 1 <= m < n <= MAX_NODES:
        raise ValueError(f"need 1 <= m < n <= {MAX_NODES}, got n={n}, m={m}")
    if not 0.0 <= p_triangle <= 1.0:
        raise ValueError(f"p_triangle must be in [0, 1], got {p_triangle}")


def power_law_cluster(n: int, m: int, p_triangle: float, rng: np.random.Generator) -> SocialGraph:
    """Holme-Kim growing scale-free graph with tunable clustering (symmetric arcs).

    Parameters
    ----------
    n : int
        Number of customers.
    m : int
        Edges added per new customer, ``1 <= m < n``; mean out-degree is about ``2 m``.
    p_triangle : float
        Probability that an edge after the first of a new node is a triad-formation step.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    SocialGraph
        Symmetric: every undirected edge gives both arcs.

    Raises
    ------
    ValueError
        If ``n``, ``m`` or ``p_triangle`` is out of range.

    Notes
    -----
    Preferential attachment (PA) uses the Batagelj-Brandes edge list [1]_: edge ``e`` owns
    slot ``2e`` (its new node) and slot ``2e + 1``, which copies a uniformly drawn slot of
    an earlier node, so targets are chosen proportionally to degree; copy chains are
    resolved by pointer jumping (O(E log E) worst case, a few rounds in practice). Nodes
    ``0..m`` start as a clique (instead of the paper's self-loops, which make node 0 a
    giant hub). Triad formation (TF) follows Holme and Kim [2]_: after a PA step to ``w``,
    each further edge of the node is, with probability ``p_triangle``, a TF step to a
    neighbour of ``w``. Vectorized approximation: the first TF step takes the other end of
    the very slot the PA step copied (exactly a uniform random neighbour of ``w``); the
    ``j``-th takes the other end of the slot reached after ``j - 1`` copy links back from it
    (an older neighbour), or, once the walk reaches one of ``w``'s own slots, ``w``'s other
    attachment targets. For ``p_triangle <= 0.5`` clustering and hub degrees match
    sequential HK (``networkx.powerlaw_cluster_graph``) closely; above that the bias to
    older neighbours overshoots both (``n = 5000, m = 5, p = 0.9``: clustering 0.60 vs
    0.35, maximum degree about twice networkx's), so prefer ``p_triangle <= 0.5``.
    Multi-edges (which the sequential algorithms redraw) are dropped, so the realised mean
    out-degree is slightly below ``2 m``; for ``m = 5`` it is 0.006 % short at
    ``n = 10**6, p <= 0.1`` (0.13 % at ``p = 0.9``) and 0.5 % short at ``n = 5000``.

    References
    ----------
    .. [1] V. Batagelj and U. Brandes, "Efficient generation of large random networks",
       Phys. Rev. E 71, 036113 (2005).
    .. [2] P. Holme and B. J. Kim, "Growing scale-free networks with tunable clustering",
       Phys. Rev. E 65, 026107 (2002).
    """
    _check_pa_args(n, m, p_triangle)
    src, dst = _resolve_pa(n, m, float(p_triangle), rng)
    return from_edges(src, dst, n, symmetric=True)


def barabasi_albert(n: int, m: int, rng: np.random.Generator) -> SocialGraph:
    """Barabasi-Albert graph via Batagelj-Brandes [1]_; same as ``power_law_cluster(n, m, 0)``.

    Parameters
    ----------
    n, m : int
        Customers and edges per new customer (``1 <= m < n``); mean out-degree ~ ``2 m``.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    SocialGraph
        Symmetric; multi-edges dropped (see :func:`power_law_cluster`).

    References
    ----------
    .. [1] V. Batagelj and U. Brandes, "Efficient generation of large random networks",
       Phys. Rev. E 71, 036113 (2005).
    """
    _check_pa_args(n, m)
    src, dst = _resolve_pa(n, m, 0.0, rng)
    return from_edges(src, dst, n, symmetric=True)


def watts_strogatz(n: int, k: int, p_rewire: float, rng: np.random.Generator) -> SocialGraph:
    """Watts-Strogatz small world [1]_: ring lattice with rewired edges (symmetric arcs).

    Parameters
    ----------
    n : int
        Number of customers.
    k : int
        Even lattice degree, ``0 <= k < n``: ``i`` links to ``i +- 1, ..., i +- k/2``.
    p_rewire : float
        Probability that lattice edge ``(i, i + d)`` becomes ``(i, w)``, ``w`` uniform.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    SocialGraph
        Mean out-degree exactly ``k`` (unless rewiring cannot avoid duplicates).

    Notes
    -----
    Rewired ends that hit an existing edge are redrawn in vectorized rounds (at most 64;
    conflicts left after that are dropped as duplicates).

    References
    ----------
    .. [1] D. J. Watts and S. H. Strogatz, "Collective dynamics of 'small-world'
       networks", Nature 393, 440-442 (1998).
    """
    if not (1 <= n <= MAX_NODES and 0 <= k < n and k % 2 == 0):
        raise ValueError(f"need n >= 1 and even 0 <= k < n, got n={n}, k={k}")
    if not 0.0 <= p_rewire <= 1.0:
        raise ValueError(f"p_rewire must be in [0, 1], got {p_rewire}")
    u = np.repeat(np.arange(n, dtype=np.int64), k // 2)
    v = (u + np.tile(np.arange(1, k // 2 + 1, dtype=np.int64), n)) % n
    rewired = rng.random(u.size) < p_rewire
    redo = np.flatnonzero(rewired)
    for _ in range(64):
        if not redo.size:
            break
        w = rng.integers(0, n - 1, size=redo.size)
        v[redo] = w + (w >= u[redo])  # uniform over nodes other than u
        key = np.minimum(u, v) * n + np.maximum(u, v)
        order = np.lexsort((rewired, key))  # lattice edges sort first within a key
        dup = np.zeros(key.size, dtype=bool)
        dup[1:] = key[order[1:]] == key[order[:-1]]
        redo = order[dup]
    return from_edges(u, v, n, symmetric=True)


def erdos_renyi(
    n: int, mean_degree: float, rng: np.random.Generator, directed: bool = False
) -> SocialGraph:
    """Erdos-Renyi G(n, p) with ``p = mean_degree / (n - 1)``.

    Parameters
    ----------
    n : int
        Number of customers.
    mean_degree : float
        Expected out-degree, in ``[0, n - 1]``.
    rng : numpy.random.Generator
        Source of all randomness.
    directed : bool, default False
        False: each unordered pair is an edge with probability ``p`` (both arcs). True:
        each ordered pair is an arc independently.

    Returns
    -------
    SocialGraph

    Notes
    -----
    Exact: the edge count is Binomial(N, p) over the N possible pairs, then that many
    distinct pairs are drawn uniformly (i.i.d. draws deduplicated and topped up in rounds;
    if more than half the pairs are edges, the non-edges are drawn instead).
    """
    if not 0 <= n <= MAX_NODES:
        raise ValueError(f"n must be in [0, {MAX_NODES}], got {n}")
    if not 0.0 <= mean_degree <= max(n - 1, 0):
        raise ValueError(f"mean_degree must be in [0, n - 1], got {mean_degree}")
    if n < 2:
        return from_edges(np.empty(0, np.int64), np.empty(0, np.int64), n, False)
    n_pairs = n * (n - 1) // (1 if directed else 2)
    n_keep = int(rng.binomial(n_pairs, mean_degree / (n - 1)))
    dense = n_keep > n_pairs // 2
    target = n_pairs - n_keep if dense else n_keep
    keys = np.empty(0, dtype=np.int64)
    while keys.size < target:
        a = rng.integers(0, n, size=target - keys.size)
        b = rng.integers(0, n, size=a.size)
        if not directed:
            a, b = np.minimum(a, b), np.maximum(a, b)
        keys = sort_unique(np.concatenate([keys, (a * n + b)[a != b]]))
    if dense:
        pairs = ~np.eye(n, dtype=bool) if directed else np.triu(np.ones((n, n), bool), 1)
        keys = np.setdiff1d(np.flatnonzero(pairs), keys, assume_unique=True)
    return from_edges(keys // n, keys % n, n, symmetric=not directed)


def build_graph(scenario: Scenario, rng: np.random.Generator) -> SocialGraph:
    """The customers' graph from the scenario's ``[graph]`` section."""
    spec, n = scenario.graph, scenario.customers.n_customers
    if spec.kind == "power_law_cluster":
        return power_law_cluster(n, spec.m, spec.p_triangle, rng)
    if spec.kind == "barabasi_albert":
        return barabasi_albert(n, spec.m, rng)
    if spec.kind == "watts_strogatz":
        return watts_strogatz(n, spec.k, spec.p_rewire, rng)
    if spec.kind == "erdos_renyi":
        return erdos_renyi(n, spec.mean_degree, rng)
    if spec.kind == "complete":
        return complete(n)
    try:
        return read_edge_list(spec.path, n_customers=n)
    except GraphFileError as error:  # bad input, found when the file is read
        raise ScenarioError(f"graph.path: {error}") from None
