"""Tests for the customer graph (sim.public.graph, graph_generators, edge_list): exact
small graphs, generator statistics, edge-list errors, properties."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.public.edge_list import GraphFileError, read_edge_list
from sim.public.graph import SocialGraph, from_edges, from_networkx
from sim.public.graph_generators import (
    barabasi_albert,
    complete,
    erdos_renyi,
    power_law_cluster,
    watts_strogatz,
)


def arcs(g: SocialGraph) -> set[tuple[int, int]]:
    src = np.repeat(np.arange(g.n_customers), np.diff(g.indptr))
    return set(zip(src.tolist(), g.indices.tolist(), strict=True))


def assert_canonical(g: SocialGraph) -> None:
    """dtypes, sorted rows, no self-loops, no duplicate arcs."""
    assert g.indptr.dtype == np.int64 and g.indices.dtype == np.int32
    assert g.indptr[0] == 0 and g.indptr[-1] == g.n_edges and np.all(np.diff(g.indptr) >= 0)
    src = np.repeat(np.arange(g.n_customers), np.diff(g.indptr))
    assert not np.any(src == g.indices), "self-loop"
    key = src.astype(np.int64) * g.n_customers + g.indices
    assert np.all(np.diff(key) > 0), "rows not strictly increasing (unsorted or duplicate)"
    if g.n_edges:
        assert g.indices.min() >= 0 and g.indices.max() < g.n_customers


def assert_symmetric(g: SocialGraph) -> None:
    t = g.transpose()
    np.testing.assert_array_equal(t.indptr, g.indptr)
    np.testing.assert_array_equal(t.indices, g.indices)


def avg_clustering(g: SocialGraph) -> float:
    return nx.average_clustering(g.to_networkx().to_undirected())


def write(tmp_path: Path, text: str, name: str = "edges.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------- exact small graphs


def test_complete_4_has_12_arcs_and_degree_3() -> None:
    g = complete(4)
    assert (g.n_customers, g.n_edges) == (4, 12)
    np.testing.assert_array_equal(g.out_degree(), [3, 3, 3, 3])
    np.testing.assert_array_equal(g.in_degree(), [3, 3, 3, 3])
    np.testing.assert_array_equal(g.indices[g.indptr[2] : g.indptr[3]], [0, 1, 3])
    assert g.out_degree().dtype == np.int32 and g.in_degree().dtype == np.int32
    assert_canonical(g)
    assert complete(1).n_edges == 0 and complete(0).n_customers == 0


@pytest.mark.parametrize(
    "text",
    [
        "source,target\n0,1\n1,2\n2,3\n",
        "# a path\n\n0 1\n1\t2   # inline comment\n\n2  3\n",
        "from to\n2 3\n0 1\n1 2\n1 2\n3 3\n",  # unordered, a repeated line and a self-loop
        "0, 1\n1 ,2\n2,3",  # spaces around commas, no trailing newline
        "source,target\r\n0,1\r\n  \r\n  # indented comment\r\n1,2\r\n\t\r\n2,3\r\n",
    ],
)
def test_path_edge_list_gives_exact_csr(tmp_path: Path, text: str) -> None:
    g = read_edge_list(write(tmp_path, text))
    np.testing.assert_array_equal(g.indptr, [0, 1, 2, 3, 3])
    np.testing.assert_array_equal(g.indices, [1, 2, 3])
    # 0 -> 1 means 1 sees 0's posts: 0 has one follower, 1 follows one customer
    np.testing.assert_array_equal(g.out_degree(), [1, 1, 1, 0])
    np.testing.assert_array_equal(g.in_degree(), [0, 1, 1, 1])


def test_edge_list_n_customers_pads_isolated_nodes(tmp_path: Path) -> None:
    g = read_edge_list(write(tmp_path, "1,0\n"), n_customers=4)
    np.testing.assert_array_equal(g.indptr, [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(g.indices, [0])
    empty = read_edge_list(write(tmp_path, "source,target\n# nothing\n"))
    assert (empty.n_customers, empty.n_edges) == (0, 0)


def test_krackhardt_kite_degrees_match_networkx() -> None:
    kite = nx.krackhardt_kite_graph()
    g = from_networkx(kite)
    expected = [kite.degree(u) for u in kite.nodes]
    np.testing.assert_array_equal(g.out_degree(), expected)
    np.testing.assert_array_equal(g.in_degree(), expected)
    assert g.n_edges == 2 * kite.number_of_edges()
    assert arcs(g) == {(u, v) for u, v in kite.edges} | {(v, u) for u, v in kite.edges}
    assert_canonical(g)


def test_from_networkx_digraph_keeps_direction_and_node_order() -> None:
    d = nx.DiGraph()
    d.add_nodes_from(["c", "a", "b"])
    d.add_edges_from([("a", "b"), ("c", "a"), ("b", "b")])  # self-loop dropped
    g = from_networkx(d)
    assert arcs(g) == {(1, 2), (0, 1)}
    assert arcs(from_networkx(g.to_networkx())) == arcs(g)


def test_watts_strogatz_without_rewiring_is_the_ring_lattice() -> None:
    n, k = 21, 6
    g = watts_strogatz(n, k, 0.0, np.random.default_rng(0))
    for i in range(n):
        expected = sorted({(i + d) % n for d in (-3, -2, -1, 1, 2, 3)})
        np.testing.assert_array_equal(g.indices[g.indptr[i] : g.indptr[i + 1]], expected)
    assert_canonical(g)


def test_watts_strogatz_rewiring_keeps_degree_k() -> None:
    n, k = 2000, 8
    g = watts_strogatz(n, k, 0.3, np.random.default_rng(1))
    assert g.n_edges == n * k  # duplicates are redrawn, so no edge is lost
    assert_canonical(g)
    assert_symmetric(g)
    lattice = arcs(watts_strogatz(n, k, 0.0, np.random.default_rng(1)))
    rewired = 1 - len(arcs(g) & lattice) / len(lattice)
    assert 0.2 < rewired < 0.4
    assert avg_clustering(g) < avg_clustering(watts_strogatz(n, k, 0.0, np.random.default_rng(1)))


# ---------------------------------------------------------------- random generators


@pytest.mark.parametrize("directed", [False, True])
def test_erdos_renyi_mean_degree_within_four_standard_errors(directed: bool) -> None:
    n, mean = 20_000, 10.0
    g = erdos_renyi(n, mean, np.random.default_rng(2), directed=directed)
    p = mean / (n - 1)
    pairs = n * (n - 1) // (1 if directed else 2)
    # edge count ~ Binomial(pairs, p); an undirected edge adds 2 to the out-degree sum
    se = (1 if directed else 2) * np.sqrt(pairs * p * (1 - p)) / n
    assert abs(g.out_degree().mean() - mean) < 4 * se, (g.out_degree().mean(), se)
    assert_canonical(g)
    if not directed:
        assert_symmetric(g)
    else:
        assert arcs(g) != arcs(g.transpose())


def test_erdos_renyi_dense_and_degenerate_cases() -> None:
    full = erdos_renyi(30, 29, np.random.default_rng(3))
    np.testing.assert_array_equal(full.indices, complete(30).indices)
    np.testing.assert_array_equal(full.indptr, complete(30).indptr)
    dense = erdos_renyi(60, 50, np.random.default_rng(3), directed=True)  # non-edge branch
    assert_canonical(dense)
    assert abs(dense.out_degree().mean() - 50) < 4 * np.sqrt(60 * 59 * (50 / 59) * (9 / 59)) / 60
    assert erdos_renyi(40, 0.0, np.random.default_rng(3)).n_edges == 0
    assert erdos_renyi(1, 0.0, np.random.default_rng(3)).n_customers == 1


@pytest.mark.parametrize("p_triangle", [0.0, 0.3])
def test_preferential_attachment_is_canonical_symmetric_and_heavy_tailed(
    p_triangle: float,
) -> None:
    n, m = 50_000, 3
    g = power_law_cluster(n, m, p_triangle, np.random.default_rng(4))
    assert_canonical(g)
    assert_symmetric(g)
    deg = g.out_degree()
    assert 0.99 * 2 * m < deg.mean() <= 2 * m  # multi-edges dropped: slightly below 2m
    assert deg.min() >= 1  # every customer is attached
    assert deg.max() > 10 * deg.mean()


def test_barabasi_albert_equals_power_law_cluster_without_triads() -> None:
    a = barabasi_albert(3000, 2, np.random.default_rng(5))
    b = power_law_cluster(3000, 2, 0.0, np.random.default_rng(5))
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert_canonical(a)


def test_holme_kim_clusters_more_than_barabasi_albert() -> None:
    n, m = 5000, 4
    c_ba = avg_clustering(barabasi_albert(n, m, np.random.default_rng(6)))
    c_hk = avg_clustering(power_law_cluster(n, m, 0.6, np.random.default_rng(6)))
    c_hk_low = avg_clustering(power_law_cluster(n, m, 0.2, np.random.default_rng(6)))
    assert c_ba < 0.03  # BA: clustering vanishes with n (~0.01 here)
    assert c_hk > c_ba + 0.15, (c_hk, c_ba)  # ~0.31 vs ~0.01
    assert c_ba < c_hk_low < c_hk  # monotone in p_triangle


def test_smallest_preferential_attachment_graphs() -> None:
    star = barabasi_albert(6, 1, np.random.default_rng(7))
    assert star.n_edges == 2 * 5 and len(arcs(star)) == 10  # a tree on 6 nodes
    seed_clique = power_law_cluster(4, 3, 1.0, np.random.default_rng(7))
    np.testing.assert_array_equal(seed_clique.indices, complete(4).indices)


GENERATORS = {
    "power_law_cluster": lambda rng: power_law_cluster(2000, 3, 0.5, rng),
    "barabasi_albert": lambda rng: barabasi_albert(2000, 3, rng),
    "watts_strogatz": lambda rng: watts_strogatz(2000, 6, 0.2, rng),
    "erdos_renyi": lambda rng: erdos_renyi(2000, 6.0, rng),
    "erdos_renyi_directed": lambda rng: erdos_renyi(2000, 6.0, rng, directed=True),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_arrays_different_seed_different(name: str) -> None:
    make = GENERATORS[name]
    a, b = make(np.random.default_rng(11)), make(np.random.default_rng(11))
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    c = make(np.random.default_rng(12))
    assert not (np.array_equal(a.indptr, c.indptr) and np.array_equal(a.indices, c.indices))


@pytest.mark.parametrize(
    "call",
    [
        lambda: power_law_cluster(10, 10, 0.1, np.random.default_rng()),
        lambda: power_law_cluster(10, 0, 0.1, np.random.default_rng()),
        lambda: power_law_cluster(10, 2, 1.5, np.random.default_rng()),
        lambda: barabasi_albert(1, 1, np.random.default_rng()),
        lambda: watts_strogatz(10, 3, 0.1, np.random.default_rng()),
        lambda: watts_strogatz(10, 10, 0.1, np.random.default_rng()),
        lambda: watts_strogatz(10, 2, -0.1, np.random.default_rng()),
        lambda: erdos_renyi(10, 10.0, np.random.default_rng()),
        lambda: erdos_renyi(10, -1.0, np.random.default_rng()),
        lambda: from_edges([0, 1], [1, 5], 3, symmetric=False),
        lambda: from_edges([0, -1], [1, 2], 3, symmetric=False),
        lambda: from_edges([0, 1], [1], 3, symmetric=False),
        lambda: from_edges([0.0], [1.0], 3, symmetric=False),
        lambda: SocialGraph(np.array([0, 1]), np.array([0])),  # int64 indices
        lambda: SocialGraph(np.array([0, 2]), np.array([0], dtype=np.int32)),  # bad indptr end
    ],
)
def test_invalid_arguments_raise_value_error(call) -> None:
    with pytest.raises(ValueError):
        call()


# ---------------------------------------------------------------- edge-list errors


@pytest.mark.parametrize(
    ("text", "n_customers", "line", "fragment"),
    [
        ("source,target\n0,1\n1,x\n2,3\n", None, 3, "not an integer"),
        ("0,1\n# note\n\n5\n", None, 4, "expected 2 fields, found 1"),
        ("0 1\n2\n", None, 2, "expected 2 fields"),
        ("0,1\n1,2,3\n", None, 2, "found 3"),
        ("0,1\n1.5,2\n", None, 2, "not an integer"),
        ("0 1\n1,2\n", None, 2, "expected 2 fields, found 1"),  # separator changes
        ("0,1\n-1,2\n", None, 2, "negative"),
        ("0,1\n1,3\n", 3, 2, "node id >= 3"),
        ("0,1\nsource,target\n", None, 2, "not an integer"),  # header only on the first line
        ("# c\nsrc,dst\n\n0,1\n  # c\n1,2 # c\n7,\n", None, 7, "not an integer"),
        ("0 1\n1 2\n99999999999999999999 1\n", None, 3, "node id >= 2147483647"),
        ("0 1\n\n1 -2 # c\n", 10, 3, "negative"),
    ],
)
def test_bad_edge_list_names_file_line_and_reason_never_the_text(
    tmp_path: Path, text: str, n_customers: int | None, line: int, fragment: str
) -> None:
    """The file may be anything (``/etc/passwd``): the message says where and why,
    never what the line holds (issue 15)."""
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(GraphFileError) as err:
        read_edge_list(path, n_customers=n_customers)
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    assert str(path) in message and f"line {line}:" in message and fragment in message
    assert "allowed:" in message
    where_and_why = message.split("; allowed:")[0]  # (the format is described after)
    bad_line = text.splitlines()[line - 1].split("#")[0].strip()
    if len(bad_line) >= 3:  # (a line like "2" is found in "line 2" by chance)
        assert bad_line not in where_and_why.removeprefix(str(path))


def test_large_edge_list_round_trips(tmp_path: Path) -> None:
    g = erdos_renyi(20_000, 10.0, np.random.default_rng(8), directed=True)
    src = np.repeat(np.arange(g.n_customers), np.diff(g.indptr))
    path = tmp_path / "big.txt"
    np.savetxt(path, np.column_stack([src, g.indices]), fmt="%d", header="source target")
    back = read_edge_list(path, n_customers=g.n_customers)
    np.testing.assert_array_equal(back.indptr, g.indptr)
    np.testing.assert_array_equal(back.indices, g.indices)


# ---------------------------------------------------------------- SocialGraph methods


def test_transpose_reverses_arcs_and_swaps_degrees() -> None:
    g = erdos_renyi(500, 4.0, np.random.default_rng(9), directed=True)
    t = g.transpose()
    assert_canonical(t)
    assert arcs(t) == {(v, u) for u, v in arcs(g)}
    np.testing.assert_array_equal(t.out_degree(), g.in_degree())
    np.testing.assert_array_equal(t.in_degree(), g.out_degree())
    tt = t.transpose()
    np.testing.assert_array_equal(tt.indptr, g.indptr)
    np.testing.assert_array_equal(tt.indices, g.indices)


def test_to_csr_shares_indices_and_has_unit_float32_weights() -> None:
    g = erdos_renyi(300, 5.0, np.random.default_rng(10), directed=True)
    a = g.to_csr()
    assert a.shape == (300, 300) and a.dtype == np.float32
    assert np.shares_memory(a.indices, g.indices)
    assert np.all(a.data == 1.0)
    # a.T @ x sums, for each customer, the values of the customers it follows
    x = np.arange(300, dtype=np.float32)
    followed = np.zeros(300)
    for u, v in arcs(g):
        followed[v] += x[u]
    np.testing.assert_allclose(a.T @ x, followed)


def test_arcs_from_lists_each_nodes_out_arcs_in_order_repeats_included() -> None:
    g = from_edges(np.array([0, 0, 2, 3, 3, 3]), np.array([1, 2, 0, 0, 1, 2]), 5, symmetric=False)
    which, head = g.arcs_from(np.array([3, 1, 0, 3]))  # 1 has no arcs; 3 asked twice
    np.testing.assert_array_equal(which, [0, 0, 0, 2, 2, 3, 3, 3])
    np.testing.assert_array_equal(head, [0, 1, 2, 1, 2, 0, 1, 2])
    assert head.dtype == np.int32
    which, head = g.arcs_from(np.array([], dtype=np.int64))
    assert which.size == head.size == 0


def test_to_networkx_refuses_big_graphs_unless_forced() -> None:
    big = complete(450)  # 202_050 arcs
    with pytest.raises(ValueError, match="force=True"):
        big.to_networkx()
    assert big.to_networkx(force=True).number_of_edges() == big.n_edges


# ---------------------------------------------------------------- property test


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
            st.booleans(),
        )
    )
)
def test_from_edges_canonical_and_preserves_edge_set(
    case: tuple[int, list[tuple[int, int]], bool],
) -> None:
    n, pairs, symmetric = case
    src = np.array([u for u, _ in pairs], dtype=np.int64)
    dst = np.array([v for _, v in pairs], dtype=np.int64)
    g = from_edges(src, dst, n, symmetric=symmetric)
    assert g.n_customers == n
    assert_canonical(g)
    expected = {(u, v) for u, v in pairs if u != v}
    if symmetric:
        expected |= {(v, u) for u, v in expected}
    assert arcs(g) == expected
    assert g.n_edges == len(expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 40), st.lists(st.integers(0, 39), max_size=25))
def test_arcs_from_is_the_rows_of_the_sparse_matrix(seed: int, n: int, nodes: list[int]) -> None:
    g = erdos_renyi(n, min(3.0, n - 1.0), np.random.default_rng(seed), directed=True)
    nodes_array = np.array([v % n for v in nodes], dtype=np.int64)
    which, head = g.arcs_from(nodes_array)
    expected = [(k, int(v)) for k, u in enumerate(nodes_array) for v in g.to_csr()[[u]].indices]
    assert list(zip(which.tolist(), head.tolist(), strict=True)) == expected
