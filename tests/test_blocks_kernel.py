"""The biconnected blocks as arrays (civnet.measures.blocks_kernel) equal igraph's blocks."""

from __future__ import annotations

import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from civnet.measures.betweenness_blocks import block_betweenness
from civnet.measures.blocks_kernel import edge_blocks


@pytest.mark.parametrize("seed", range(60))
def test_edge_blocks_equal_igraphs_blocks(seed: int) -> None:
    """Same vertex sets and articulation points, with parallel edges and self-loops."""
    random.seed(seed)
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    g = ig.Graph.Erdos_Renyi(n, float(rng.uniform(0.02, 0.3)))
    if seed % 3 == 0 and g.ecount():
        g.add_edges([g.es[0].tuple])
    if seed % 5 == 0:
        g.add_edges([(0, 0)])
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    eb, nb, arts = edge_blocks(n, edges)
    cover, want_arts = g.biconnected_components(return_articulation_points=True)
    got: dict[int, set[int]] = {}
    for (u, v), b in zip(edges.tolist(), eb.tolist(), strict=True):
        assert (b < 0) == (u == v)  # only a self-loop lies in no block
        if b >= 0:
            got.setdefault(b, set()).update((u, v))
    assert nb == len(cover)
    assert sorted(sorted(s) for s in got.values()) == sorted(sorted(b) for b in cover)
    assert arts.tolist() == sorted(want_arts)


def test_block_betweenness_of_a_pendant_heavy_graph_equals_networkx() -> None:
    """A core with trees hanging off it (most blocks are bridges), exact to 1e-9."""
    rng = np.random.default_rng(7)
    core = nx.barabasi_albert_graph(60, 2, seed=7)
    g = nx.Graph(core)
    for i in range(60, 400):
        g.add_edge(i, int(rng.integers(0, i if rng.random() < 0.3 else 60)))
    want = nx.betweenness_centrality(g, normalized=False)
    ig_g = ig.Graph(n=g.number_of_nodes(), edges=list(g.edges()))
    got = block_betweenness(ig_g)
    assert np.allclose(got, [want[v] for v in range(len(got))], rtol=0, atol=1e-9)
