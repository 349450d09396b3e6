"""Leiden communities, their profile across countries and tracks, and mixing/assortativity."""

from __future__ import annotations

import json
import random

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.measures.structure.communities import community_profile, leiden, mixing
from civnet.views import Network
from tests.structure_data import florentine_graph, florentine_workspace


def karate() -> Network:
    g = nx.karate_club_graph()
    for v in g:
        g.nodes[v]["country"] = "AAA" if g.nodes[v]["club"] == "Mr. Hi" else "BBB"
        g.nodes[v]["type"] = "cso" if v % 3 else "university"
    return Network.from_networkx(g)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("resolution", [0.5, 1.0, 2.0])
def test_modularity_is_igraphs_on_the_partition(seed: int, resolution: float) -> None:
    net = karate()
    c = leiden(net, seed=seed, resolution=resolution)
    q = net.graph.modularity(c.membership.tolist(), resolution=resolution)
    assert c.modularity == pytest.approx(q, abs=1e-12)
    # and NetworkX agrees on the same partition
    parts = [set(np.flatnonzero(c.membership == k).tolist()) for k in range(len(c.sizes))]
    nxq = nx.community.modularity(nx.Graph(net.graph.get_edgelist()), parts, resolution=resolution)
    assert c.modularity == pytest.approx(nxq, abs=1e-12)


def test_seeded_and_deterministic_and_leaves_global_rng_alone() -> None:
    net = karate()
    state = random.getstate()
    runs = [leiden(net, seed=5).membership.tolist() for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert random.getstate() == state
    assert ig.Graph.Famous("Zachary").vcount() == 34  # igraph still usable with default RNG


def test_karate_best_known_partition_quality() -> None:
    # karate's maximum modularity is 0.4198 (Brandes et al. 2008); Leiden finds it at gamma = 1
    c = leiden(karate(), seed=0)
    assert round(c.modularity, 4) == 0.4198
    assert c.sizes.tolist() == sorted(c.sizes.tolist(), reverse=True)
    assert c.sizes.sum() == 34


def test_two_cliques_and_isolate() -> None:
    g = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(5))
    g.add_node(99)
    c = leiden(Network.from_networkx(g), seed=0)
    assert c.sizes.tolist() == [5, 4, 1]
    # Q = sum_c (L_c / m - (d_c / 2m)^2), m = 16: K5 has 10 edges, degree 20; K4 6 and 12
    assert c.modularity == pytest.approx(10 / 16 - (20 / 32) ** 2 + 6 / 16 - (12 / 32) ** 2)


def test_directed_view_read_as_undirected() -> None:
    d = nx.DiGraph([(0, 1), (1, 0), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)])
    c = leiden(Network.from_networkx(d), seed=0)
    assert c.sizes.tolist() == [3, 3]
    assert c.modularity == pytest.approx(0.5)


def test_profile_crosstab_and_tracks() -> None:
    g = nx.Graph()
    g.add_nodes_from([(0, {"country": "X"}), (1, {"country": "X"}), (2, {"country": "Y"})])
    g.add_nodes_from([(3, {"country": "Y"}), (4, {"country": "Y"}), (5, {"country": "Z"})])
    g.add_edge(0, 1, track="culture")
    g.add_edge(1, 2, track="culture")
    g.add_edge(0, 2, track="health")
    g.add_edge(3, 4, track="education")
    g.add_edge(4, 5, track="education")
    g.add_edge(3, 5, track="education")
    g.add_edge(2, 3, track="general")  # between communities: not counted
    net = Network.from_networkx(g)
    c = leiden(net, seed=0)
    assert c.membership.tolist() == [0, 0, 0, 1, 1, 1]
    p = community_profile(net, c)
    assert p.groups == ["X", "Y", "Z"]
    assert p.crosstab.tolist() == [[2, 1, 0], [0, 2, 1]]
    assert p.tracks == ["culture", "education", "general", "health"]
    assert p.track_counts.tolist() == [[2, 0, 0, 1], [0, 3, 0, 0]]
    assert p.track_share[0].tolist() == pytest.approx([2 / 3, 0, 0, 1 / 3])
    assert p.top_groups(0) == [("X", 2), ("Y", 1)]


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_mixing_against_networkx(directed: bool, seed: int) -> None:
    g = nx.gnp_random_graph(40, 0.1, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    nx.set_node_attributes(g, {v: "ABCD"[rng.integers(4)] for v in g}, "country")
    m = mixing(Network.from_networkx(g), "country")
    want = nx.attribute_assortativity_coefficient(g, "country")
    assert m.assortativity == pytest.approx(want, abs=1e-12)
    mm = nx.attribute_mixing_matrix(
        g, "country", mapping={k: i for i, k in enumerate(m.groups)}, normalized=False
    )
    assert m.counts.tolist() == mm.astype(int).tolist()


def test_mixing_karate_by_club() -> None:
    m = mixing(karate(), "country")
    assert m.counts.tolist() == [[70, 11], [11, 64]]
    assert m.fractions.sum() == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(4, 14).flatmap(
        lambda n: st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            min_size=1,
            max_size=30,
        ).map(lambda edges: (n, edges))
    ),
    st.integers(0, 3),
)
def test_partition_quality_invariant_under_isolates(data, seed) -> None:  # type: ignore[no-untyped-def]
    n, edges = data
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    name = lambda v: f"n{v:02d}"  # noqa: E731
    a = leiden(Network.from_networkx(nx.relabel_nodes(g, name)), seed=seed)
    assert a.modularity == pytest.approx(
        ig.Graph(n, [tuple(sorted(e)) for e in g.edges]).modularity(a.membership.tolist()),
        abs=1e-12,
    )
    g.add_node(99)
    b = leiden(Network.from_networkx(nx.relabel_nodes(g, name)), seed=seed)
    assert b.sizes[b.membership[-1]] == 1  # the isolate is alone
    assert b.modularity == pytest.approx(
        ig.Graph(n + 1, [tuple(sorted(e)) for e in g.edges]).modularity(b.membership.tolist()),
        abs=1e-12,
    )


def test_cli_communities_and_mixing(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    florentine_workspace(cli, tmp_path)
    d = json.loads(cli("communities", "--seed", "2", "-f", "json").output)
    want = leiden(Network.from_networkx(florentine_graph()), seed=2)
    assert d["modularity"] == pytest.approx(want.modularity)
    assert [c["actors"] for c in d["communities"]] == want.sizes.tolist()
    assert sum(sum(r) for r in d["crosstab"]["counts"]) == 15
    members = json.loads(cli("communities", "--seed", "2", "--members", "-f", "json").output)[
        "records"
    ]
    assert [m["community"] for m in members] == want.membership.tolist()
    assert "Leiden communities" in cli("communities", "--resolution", "1.5").output
    mix = json.loads(cli("mixing", "--by", "country", "-f", "json").output)
    nxr = nx.attribute_assortativity_coefficient(florentine_graph(), "country")
    assert mix["assortativity"] == pytest.approx(nxr)
    assert cli("mixing", "--by", "type", "-f", "csv").output.startswith("from,to,ties,fraction")
    assert "assortativity" in cli("mixing", "--level", "country").output
