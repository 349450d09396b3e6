"""Density, block density, betweenness and group betweenness against independent oracles."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from civnet.measures import (
    arc_density,
    betweenness,
    block_density,
    density,
    group_betweenness,
)
from civnet.views import Network


def karate() -> nx.Graph:
    return nx.karate_club_graph()


def florentine() -> nx.Graph:
    return nx.florentine_families_graph()


def kite() -> nx.Graph:
    return nx.krackhardt_kite_graph()


def seeded(seed: int, directed: bool = False) -> nx.Graph:
    g = nx.gnm_random_graph(60, 150, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in g.edges():
        # powers of two: costs 1/weight are exact in binary, so equal-length paths tie exactly
        # in NetworkX too (it compares path lengths without tolerance, igraph with one)
        g[u][v]["weight"] = float(rng.choice([0.5, 1.0, 2.0, 4.0]))
    return g


GRAPHS = {
    "karate": karate,
    "florentine": florentine,
    "kite": kite,
    "random-1": lambda: seeded(1),
    "random-2": lambda: seeded(2),
    "random-directed": lambda: seeded(3, directed=True),
}


def as_dict(b) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return dict(zip(b.ids, b.values.tolist(), strict=True))


def nx_keys(d: dict) -> dict[str, float]:  # type: ignore[type-arg]
    return {str(k): v for k, v in d.items()}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_density_equals_networkx(name: str) -> None:
    """Density counts connected pairs (nx.Graph of the view); arc density the arcs (nx.DiGraph)."""
    g = GRAPHS[name]()
    net = Network.from_networkx(g)
    assert density(net) == pytest.approx(nx.density(nx.Graph(g)), abs=1e-12)
    if g.is_directed():
        assert arc_density(net) == pytest.approx(nx.density(g), abs=1e-12)
    else:
        assert arc_density(net) is None


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("normalized", [True, False])
def test_betweenness_equals_networkx(name: str, normalized: bool) -> None:
    g = GRAPHS[name]()
    got = as_dict(betweenness(Network.from_networkx(g), normalized=normalized))
    want = nx_keys(nx.betweenness_centrality(g, normalized=normalized))
    assert got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("name", ["random-1", "random-2", "random-directed"])
def test_weighted_betweenness_uses_inverse_weight_as_cost(name: str) -> None:
    g = GRAPHS[name]()
    for _, _, d in g.edges(data=True):
        d["cost"] = 1.0 / d["weight"]
    got = as_dict(betweenness(Network.from_networkx(g), weighted=True))
    want = nx_keys(nx.betweenness_centrality(g, weight="cost"))
    assert got == pytest.approx(want, abs=1e-9)


def test_medici_published_value() -> None:
    """Padgett's Florentine families: the Medici's normalized betweenness is 0.5220."""
    b = as_dict(betweenness(Network.from_networkx(florentine())))
    assert round(b["Medici"], 4) == 0.5220
    assert max(b, key=lambda k: b[k]) == "Medici"


def test_kite_by_hand() -> None:
    """Krackhardt's kite: Heather (node 7) brokers most; raw value 14 by hand count."""
    b = as_dict(betweenness(Network.from_networkx(kite()), normalized=False))
    assert b["7"] == pytest.approx(14.0)
    assert b["8"] == pytest.approx(8.0)
    assert b["9"] == pytest.approx(0.0)


def test_betweenness_over_components_normalizes_by_whole_view() -> None:
    g = nx.disjoint_union(nx.path_graph(3), nx.star_graph(4))
    g.add_node(99)
    got = as_dict(betweenness(Network.from_networkx(g)))
    assert got == pytest.approx(nx_keys(nx.betweenness_centrality(g)), abs=1e-12)


def test_empty_and_tiny_views() -> None:
    assert density(Network.from_networkx(nx.Graph())) == 0.0
    one = Network.from_networkx(nx.path_graph(1))
    assert density(one) == 0.0
    assert betweenness(one).values.tolist() == [0.0]
    two = Network.from_networkx(nx.path_graph(2))
    assert betweenness(two).values.tolist() == [0.0, 0.0]


def brute_group_betweenness(g: nx.Graph, group: set) -> float:  # type: ignore[type-arg]
    """Enumerate every shortest path: the independent oracle for Everett-Borgatti."""
    outside = [n for n in g if n not in group]
    pairs = (
        itertools.permutations(outside, 2)
        if g.is_directed()
        else itertools.combinations(outside, 2)
    )
    total = 0.0
    for s, t in pairs:
        if not nx.has_path(g, s, t):
            continue
        paths = list(nx.all_shortest_paths(g, s, t))
        total += sum(1 for p in paths if any(x in group for x in p[1:-1])) / len(paths)
    return total


def strongly_connected_digraph() -> nx.DiGraph:
    """Karate with one arc dropped from each tie that lies on a cycle: directed, still strongly
    connected (an arc is dropped only if the graph stays strongly connected)."""
    g = karate().to_directed()
    for u, v in list(karate().edges())[::3]:
        g.remove_edge(u, v)
        if not nx.is_strongly_connected(g):
            g.add_edge(u, v)
    assert g.number_of_edges() < 2 * karate().number_of_edges()
    return g


@pytest.mark.parametrize("name", ["karate", "florentine", "kite", "digraph"])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_group_betweenness_equals_networkx_small_groups(name: str, size: int) -> None:
    """NetworkX's group betweenness is the oracle for small groups on connected graphs (its
    implementation fails on directed graphs that are not strongly connected)."""
    g = strongly_connected_digraph() if name == "digraph" else GRAPHS[name]()
    rng = np.random.default_rng(size)
    nodes = sorted(g.nodes(), key=str)
    group = [nodes[i] for i in rng.choice(len(nodes), size=size, replace=False)]
    net = Network.from_networkx(g)
    for normalized in (True, False):
        got = group_betweenness(net, {"g": [str(x) for x in group]}, normalized=normalized).values[
            0
        ]
        want = nx.group_betweenness_centrality(g, group, normalized=normalized)
        assert got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("name", ["karate", "random-1", "random-directed"])
def test_group_betweenness_of_a_partition_equals_path_enumeration(name: str) -> None:
    """Large groups (half the network): checked against brute-force path enumeration.

    NetworkX's successive algorithm drifts from the definition for some large groups (karate,
    17 members: 3.40 where enumeration gives 3.0), so enumeration is the oracle here.
    """
    g = GRAPHS[name]()
    nodes = sorted(g.nodes(), key=str)
    for i, n in enumerate(nodes):
        g.nodes[n]["country"] = "AAA" if i % 2 else "BBB"
    net = Network.from_networkx(g)
    gb = group_betweenness(net, by="country", normalized=False)
    for label, value in zip(gb.groups, gb.values, strict=True):
        members = {n for n in g if g.nodes[n]["country"] == label}
        assert value == pytest.approx(brute_group_betweenness(g, members), abs=1e-9)


def test_group_betweenness_sampled_estimate_is_close_and_seeded() -> None:
    g = seeded(5)
    for i, n in enumerate(g):
        g.nodes[n]["country"] = ["A", "B", "C"][i % 3]
    net = Network.from_networkx(g)
    exact = group_betweenness(net, by="country")
    est1 = group_betweenness(net, by="country", samples=25, seed=7)
    est2 = group_betweenness(net, by="country", samples=25, seed=7)
    assert est1.values.tolist() == est2.values.tolist()
    assert est1.stderr is not None
    assert np.all(np.abs(est1.values - exact.values) <= 4 * est1.stderr + 1e-12)


def six_actor_network() -> Network:
    """Two countries: AAA = {a1, a2, a3}, BBB = {b1, b2, b3}.

    Ties: a1-a2, a2-a3 (2 of 3 possible within AAA), b1-b2 (1 of 3 within BBB),
    a1-b1, a3-b3 (2 of 9 possible between).
    """
    g = nx.Graph()
    for n in ("a1", "a2", "a3"):
        g.add_node(n, country="AAA")
    for n in ("b1", "b2", "b3"):
        g.add_node(n, country="BBB")
    g.add_edges_from([("a1", "a2"), ("a2", "a3"), ("b1", "b2"), ("a1", "b1"), ("a3", "b3")])
    return Network.from_networkx(g)


def test_block_density_hand_counted() -> None:
    bd = block_density(six_actor_network(), "country")
    assert bd.groups == ["AAA", "BBB"]
    assert bd.sizes.tolist() == [3.0, 3.0]
    assert bd.ties.tolist() == [[2.0, 2.0], [2.0, 1.0]]
    np.testing.assert_allclose(bd.matrix, [[2 / 3, 2 / 9], [2 / 9, 1 / 3]], atol=1e-12)


def test_block_density_directed_hand_counted() -> None:
    g = nx.DiGraph()
    g.add_nodes_from([("x", {"country": "X"}), ("y", {"country": "X"}), ("z", {"country": "Z"})])
    g.add_edges_from([("x", "y"), ("x", "z"), ("y", "z"), ("z", "x")])
    bd = block_density(Network.from_networkx(g), "country")
    # pairs: within X 1 of 1 (x-y); X-Z 2 of 2 (x-z reciprocated counts once, y-z); within Z none
    np.testing.assert_allclose(bd.matrix, [[1.0, 1.0], [1.0, 0.0]], atol=1e-12)
    assert bd.ties.tolist() == [[1.0, 2.0], [2.0, 0.0]]
    # arcs per direction: x->y within X; x->z, y->z from X to Z; z->x from Z to X
    assert bd.arcs.tolist() == [[1.0, 2.0], [1.0, 0.0]]


def test_block_density_unknown_group() -> None:
    g = nx.path_graph(3)
    g.nodes[0]["country"] = "AAA"
    bd = block_density(Network.from_networkx(g), "country")
    assert bd.groups == ["(unknown)", "AAA"]


def test_parallel_ties_count_once_in_density_but_sum_in_weight() -> None:
    import pyarrow as pa

    actors = pa.table({"id": ["a", "b", "c"], "name": ["a", "b", "c"], "type": ["city"] * 3})
    ties = pa.table(
        {
            "source": ["a", "b", "a"],
            "target": ["b", "a", "c"],
            "weight": [1.0, 2.0, 1.0],
            "directed": [False, False, False],
            "track": ["culture", "education", "general"],
        }
    )
    net = Network.from_tables(actors, ties)
    assert net.graph.ecount() == 2
    assert density(net) == pytest.approx(2 / 3)
    assert density(net, weighted=True) == pytest.approx(4 / 3)
    ab = net.graph.get_eid(0, 1)
    assert net.graph.es[ab]["n_ties"] == 2


def test_parallel_split_by_source_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    module = sys.modules["civnet.measures.intermediation.betweenness"]
    g = seeded(9)
    net = Network.from_networkx(g)
    sequential = betweenness(net, workers=1)
    monkeypatch.setattr(module, "PARALLEL_WORK", 10)
    parallel = betweenness(net, workers=2)
    assert "split over 2 processes" in parallel.method
    np.testing.assert_allclose(parallel.values, sequential.values, atol=1e-12)


def test_sampled_betweenness_is_seeded_unbiased_and_exact_when_k_covers_all() -> None:
    g = seeded(11)
    net = Network.from_networkx(g)
    exact = betweenness(net, normalized=False)
    full = betweenness(net, normalized=False, samples=len(g))
    np.testing.assert_allclose(full.values, exact.values, atol=1e-9)
    assert full.method.startswith("exact")
    a = betweenness(net, samples=20, seed=4)
    b = betweenness(net, samples=20, seed=4)
    assert a.values.tolist() == b.values.tolist()
    assert "estimated from 20 sampled sources" in a.method
    # the pivot estimator is unbiased: its mean over many seeds approaches the exact values
    runs = np.mean([betweenness(net, samples=20, seed=s).values for s in range(200)], axis=0)
    exact_n = betweenness(net).values
    assert np.abs(runs - exact_n).max() < 0.1 * exact_n.max()
