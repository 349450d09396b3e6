"""Krackhardt-Stern E-I index: hand counts, permutation null, invariances, CLI."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.measures.structure.ei import ei_index
from civnet.views import Network
from tests.structure_data import florentine_graph, florentine_workspace


def make(edges, groups, directed=False, weights=None) -> Network:  # type: ignore[no-untyped-def]
    g: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from((v, {"country": c}) for v, c in groups.items())
    for i, (u, v) in enumerate(edges):
        g.add_edge(u, v, weight=(weights[i] if weights else 1.0))
    return Network.from_networkx(g)


# A: a1 a2 a3; B: b1 b2; C: c1 (isolate). Ties: a1-a2, a2-a3 (internal A), b1-b2 (internal B),
# a1-b1, a3-b1, a3-b2 (external).
HAND = make(
    [("a1", "a2"), ("a2", "a3"), ("b1", "b2"), ("a1", "b1"), ("a3", "b1"), ("a3", "b2")],
    {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C"},
)


def test_hand_count_network_groups_actors() -> None:
    e = ei_index(HAND)
    assert (e.external, e.internal) == (3.0, 3.0)
    assert e.index == 0.0
    assert e.groups == ["A", "B", "C"]
    # A: E = 3 (a1-b1, a3-b1, a3-b2), I = 2 -> 1/5; B: E = 3, I = 1 -> 2/4; C: no ties
    assert e.group_external.tolist() == [3, 3, 0]
    assert e.group_internal.tolist() == [2, 1, 0]
    assert e.group_index[:2].tolist() == pytest.approx([0.2, 0.5])
    assert math.isnan(e.group_index[2])
    want = {
        "a1": (1, 1),  # a2 internal, b1 external
        "a2": (0, 2),
        "a3": (2, 1),
        "b1": (2, 1),
        "b2": (1, 1),
        "c1": (0, 0),
    }
    got = {a: (e.actor_external[i], e.actor_internal[i]) for i, a in enumerate(e.ids)}
    assert got == want
    idx = {a: e.actor_index[i] for i, a in enumerate(e.ids)}
    assert idx["a1"] == 0 and idx["a2"] == -1 and idx["a3"] == pytest.approx(1 / 3)
    assert math.isnan(idx["c1"])


def test_weighted_and_directed_pairs() -> None:
    # directed a->b and b->a are one pair; weighted sums both arcs
    net = make(
        [("a", "b"), ("b", "a"), ("a", "c")],
        {"a": "X", "b": "Y", "c": "X"},
        directed=True,
        weights=[2.0, 3.0, 1.0],
    )
    plain = ei_index(net)
    assert (plain.external, plain.internal) == (1.0, 1.0)
    heavy = ei_index(net, weighted=True)
    assert (heavy.external, heavy.internal) == (5.0, 1.0)
    assert heavy.index == pytest.approx(4 / 6)


def brute_permutations(net: Network, permutations: int, seed: int) -> np.ndarray:
    """The whole-network E-I under each permutation, edge by edge (same draws as the measure)."""
    from civnet.measures.structure.groups import partition

    codes = partition(net, "country").codes.astype(np.int16)
    rng = np.random.default_rng(seed)
    edges = [(min(e.tuple), max(e.tuple)) for e in net.graph.es]
    out = []
    for _ in range(permutations):
        lab = rng.permutation(codes)
        ext = sum(1 for u, v in set(edges) if lab[u] != lab[v])
        out.append((2 * ext - len(set(edges))) / len(set(edges)))
    return np.array(out)


def test_permutation_null_matches_brute_force() -> None:
    g = nx.gnp_random_graph(30, 0.15, seed=4)
    rng = np.random.default_rng(4)
    nx.set_node_attributes(g, {v: "ABC"[rng.integers(3)] for v in g}, "country")
    net = Network.from_networkx(g)
    e = ei_index(net, permutations=300, seed=11)
    draws = brute_permutations(net, 300, 11)
    pm = e.permutation
    assert pm is not None
    assert pm.mean == pytest.approx(draws.mean(), abs=1e-12)
    assert pm.sd == pytest.approx(draws.std(ddof=1), abs=1e-12)
    assert pm.p_greater == (1 + (draws >= e.index - 1e-12).sum()) / 301
    assert pm.p_less == (1 + (draws <= e.index + 1e-12).sum()) / 301
    again = ei_index(net, permutations=300, seed=11).permutation
    assert again is not None and again.group_p_less.tolist() == pm.group_p_less.tolist()


def test_homophily_detected() -> None:
    """Two cliques of one group each joined by one edge: E-I near -1, p_less small."""
    g = nx.barbell_graph(6, 0)
    nx.set_node_attributes(g, {v: "A" if v < 6 else "B" for v in g}, "country")
    e = ei_index(Network.from_networkx(g), permutations=500, seed=0)
    assert e.index == pytest.approx((1 - 30) / 31)
    assert e.permutation is not None and e.permutation.p_less < 0.01
    assert e.permutation.p_greater > 0.99


@st.composite
def graphs(draw: st.DrawFn) -> tuple[nx.Graph, dict[int, str]]:
    n = draw(st.integers(3, 12))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            max_size=25,
        )
    )
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return g, {v: draw(st.sampled_from("ABC")) for v in range(n)}


def _net(g: nx.Graph, labels: dict[int, str], name) -> Network:  # type: ignore[no-untyped-def]
    h = nx.relabel_nodes(g, name)
    nx.set_node_attributes(h, {name(v): c for v, c in labels.items()}, "country")
    return Network.from_networkx(h)


@settings(max_examples=25, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_invariances(data, rnd) -> None:  # type: ignore[no-untyped-def]
    g, labels = data
    perm = list(g)
    rnd.shuffle(perm)
    a = ei_index(_net(g, labels, lambda v: f"n{v:02d}"))
    b = ei_index(_net(g, labels, lambda v: f"m{perm[v]:02d}"))
    for i, x in enumerate(a.ids):
        j = b.ids.index(f"m{perm[int(x[1:])]:02d}")
        assert a.actor_external[i] == b.actor_external[j]
        assert a.actor_internal[i] == b.actor_internal[j]
    assert (a.external, a.internal) == (b.external, b.internal)
    # an isolate changes no one else's value
    g2 = g.copy()
    g2.add_node(99)
    c = ei_index(_net(g2, {**labels, 99: "A"}, lambda v: f"n{v:02d}"))
    assert np.array_equal(c.actor_external[:-1], a.actor_external)
    assert np.array_equal(c.actor_internal[:-1], a.actor_internal)
    for i, gname in enumerate(a.groups):
        j = c.groups.index(gname)
        assert (c.group_external[j], c.group_internal[j]) == (
            a.group_external[i],
            a.group_internal[i],
        )
    assert (c.external, c.internal) == (a.external, a.internal)
    # swapping group names swaps group rows
    swap = {"A": "B", "B": "A", "C": "C"}
    s = ei_index(_net(g, {v: swap[x] for v, x in labels.items()}, lambda v: f"n{v:02d}"))
    for i, gname in enumerate(a.groups):
        j = s.groups.index(swap[gname])
        assert (a.group_external[i], a.group_internal[i]) == (
            s.group_external[j],
            s.group_internal[j],
        )


def test_cli_ei(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    florentine_workspace(cli, tmp_path)
    data = json.loads(cli("ei", "--permutations", "200", "--seed", "3", "-f", "json").output)
    rows = data["records"]
    assert (data["n_groups"], data["n_actors"]) == (2, 15)
    want = ei_index(Network.from_networkx(florentine_graph()), permutations=200, seed=3)
    network = rows[0]
    assert network["scope"] == "network" and network["ei"] == pytest.approx(want.index)
    assert network["p_less"] == want.permutation.p_less  # type: ignore[union-attr]
    groups = {r["id"]: r for r in rows if r["scope"] == "group"}
    assert set(groups) == {"FRA", "ITA"}
    assert len([r for r in rows if r["scope"] == "actor"]) == 15
    out = cli("ei", "--by", "type", "--permutations", "50").output
    assert "E-I index by type" in out
    cli("ei", "--permutations", "-5", code=2)
