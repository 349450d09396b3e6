"""The biconnected blocks as arrays (``betweenness_blocks.vertex_blocks``) are igraph's blocks,
in igraph's order, without igraph's Python tuple per edge."""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from civnet.measures.intermediation.betweenness_blocks import (
    block_betweenness,
    block_visits,
    directed_block_betweenness,
    vertex_blocks,
)


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
