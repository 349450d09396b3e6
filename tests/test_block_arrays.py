"""The biconnected blocks as arrays (``betweenness_blocks.vertex_blocks``) are igraph's blocks,
in igraph's order, without igraph's Python tuple per edge."""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from civnet.measures.intermediation.betweenness import edge_array
from civnet.measures.intermediation.betweenness_blocks import (
    block_betweenness,
    block_visits,
    directed_block_betweenness,
    vertex_blocks,
)
from civnet.measures.intermediation.brandes import aot_module, block_copies


@pytest.mark.parametrize("seed", range(60))
def test_vertex_blocks_are_igraphs_blocks(seed: int) -> None:
    """Same copies in the same order, sizes and articulation points, with parallel edges and
    self-loops."""
    random.seed(seed)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    g = ig.Graph.Erdos_Renyi(n, float(rng.uniform(0.02, 0.3)))
    if seed % 3 == 0 and g.ecount():
        g.add_edges([g.es[0].tuple])
    if seed % 5 == 0:
        g.add_edges([(0, 0)])
    copy_vertex, copy_block, sizes, arts = vertex_blocks(g)
    cover, want_arts = g.biconnected_components(return_articulation_points=True)
    blocks = [list(b) for b in cover]
    assert copy_vertex.tolist() == [v for b in blocks for v in b]
    assert copy_block.tolist() == [i for i, b in enumerate(blocks) for _ in b]
    assert sizes.tolist() == [len(b) for b in blocks]
    assert arts.tolist() == sorted(want_arts)


def test_block_betweenness_of_a_pendant_heavy_graph_equals_networkx() -> None:
    """A core with trees hanging off it (most blocks are bridges), exact to 1e-9, and the
    block visits counted over the blocks of 3+ vertices."""
    rng = np.random.default_rng(7)
    g = nx.Graph(nx.barabasi_albert_graph(60, 2, seed=7))
    for i in range(60, 400):
        g.add_edge(i, int(rng.integers(0, i if rng.random() < 0.3 else 60)))
    want = nx.betweenness_centrality(g, normalized=False)
    ig_g = ig.Graph(n=g.number_of_nodes(), edges=list(g.edges()))
    got = block_betweenness(ig_g)
    assert np.allclose(got, [want[v] for v in range(len(got))], rtol=0, atol=1e-9)
    core = [b for b in nx.biconnected_components(g) if len(b) >= 3]
    visits = sum(len(b) * (len(b) + 2 * g.subgraph(b).number_of_edges()) for b in core)
    assert block_visits(ig_g) == visits


def test_directed_blocks_take_the_block_arrays_too(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Directed views decompose through vertex_blocks as well, not Graph.biconnected_components
    (which takes the whole edge list as Python tuples), and stay equal to NetworkX."""
    rng = random.Random(7)
    d = nx.DiGraph()
    d.add_edges_from((i, rng.randrange(i)) for i in range(1, 60))  # a tree: every vertex cuts
    d.add_edges_from((rng.randrange(60), rng.randrange(60)) for _ in range(40))
    d.remove_edges_from(nx.selfloop_edges(d))
    g = ig.Graph(n=60, edges=list(d.edges()), directed=True)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Graph.biconnected_components was called")

    monkeypatch.setattr(ig.Graph, "biconnected_components", refuse)
    got = directed_block_betweenness(g)
    want = nx.betweenness_centrality(d, normalized=False)
    assert got.tolist() == pytest.approx([want[i] for i in range(60)], abs=1e-9)


@pytest.mark.parametrize("kernel", ["aot", "jit"])
@pytest.mark.parametrize("seed", range(40))
def test_block_copies_are_igraphs_blocks_with_the_tree_weights(
    monkeypatch: pytest.MonkeyPatch, kernel: str, seed: int
) -> None:
    """The compiled block search (what block_betweenness uses, no Python object per block):
    the same blocks as igraph, with parallel edges, self-loops and several components, each
    edge's ends mapped to their copies in its block; and on a connected graph each copy's
    weight D_B(u) is the size of u's side when the block-cut tree's edge between B and u is
    cut (counted here by deleting B's other vertices)."""
    if kernel == "aot" and aot_module() is None:
        pytest.skip("the ahead-of-time kernel is not built (make .venv/.aot-built)")
    monkeypatch.setenv("CIVNET_BRANDES", kernel)
    random.seed(seed)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    g = ig.Graph.Erdos_Renyi(n, float(rng.uniform(0.02, 0.3)))
    if seed % 2:  # connected: a random tree under the random edges
        g.add_edges([(i, int(rng.integers(0, i))) for i in range(1, n)])
    if seed % 3 == 0 and g.ecount():
        g.add_edges([g.es[0].tuple])
    if seed % 5 == 0:
        g.add_edges([(0, 0)])
    edges = edge_array(g)
    copy_vertex, copy_block, weight, end_copy = block_copies(n, edges)
    blocks: dict[int, set[int]] = {}
    for v, b in zip(copy_vertex.tolist(), copy_block.tolist(), strict=True):
        assert v not in blocks.setdefault(b, set())
        blocks[b].add(v)
    assert sorted(blocks) == list(range(len(blocks)))
    assert (np.diff(copy_block) >= 0).all()  # each block's copies contiguous
    want = {frozenset(b) for b in g.biconnected_components()}
    assert {frozenset(b) for b in blocks.values()} == want
    for (x, y), (cx, cy) in zip(edges.tolist(), end_copy.tolist(), strict=True):
        if x == y:
            assert cx == cy == -1
        else:
            assert (copy_vertex[cx], copy_vertex[cy]) == (x, y)
            assert copy_block[cx] == copy_block[cy]
    if not g.is_connected():
        return
    for k, (u, b) in enumerate(zip(copy_vertex.tolist(), copy_block.tolist(), strict=True)):
        others = sorted(blocks[b] - {u})
        rest = g.copy()  # u's side: what stays joined to u without B's other vertices
        rest.delete_vertices(others)
        side = len(rest.subcomponent(u - sum(1 for v in others if v < u)))
        assert weight[k] == side, (b, u)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_block_visits_the_same_by_either_block_search(
    monkeypatch: pytest.MonkeyPatch, directed: bool, seed: int
) -> None:
    """The cost estimate counts the same blocks by the compiled search as by igraph's."""
    if aot_module() is None:
        pytest.skip("the ahead-of-time kernel is not built (make .venv/.aot-built)")
    random.seed(seed)
    g = ig.Graph.Erdos_Renyi(60, 0.04, directed=directed)
    g.add_edges([(i, random.randrange(i)) for i in range(1, 60)])  # weakly connected
    g.simplify()
    got = {}
    for kernel in ("aot", "jit"):
        monkeypatch.setenv("CIVNET_BRANDES", kernel)
        got[kernel] = block_visits(g)
    assert got["aot"] == got["jit"] > 0
