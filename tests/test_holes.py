"""Burt's constraint, effective size and efficiency against NetworkX's per-node definitions."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.errors import EmptyNetwork
from civnet.measures.intermediation.holes import structural_holes
from civnet.views import Network
from tests.structure_data import florentine_graph, florentine_workspace


def oracle(g: nx.Graph, weighted: bool) -> tuple[dict[str, float], dict[str, float]]:
    """NetworkX's per-node loops (``nodes=`` given), the definition as NetworkX writes it.

    One correction: in a directed graph those loops return NaN for a node with in-ties but no
    out-ties (they test ``len(G[v])``, the successors), although their formula sums over in- and
    out-neighbours; NetworkX's own whole-graph path (``nodes=None``) gives the formula's value.
    For those nodes the oracle uses the whole-graph path.
    """
    h = nx.relabel_nodes(g, str)
    w = "weight" if weighted else None
    c = nx.constraint(h, nodes=list(h), weight=w)
    e = nx.effective_size(h, nodes=list(h), weight=w)
    if h.is_directed():
        c_all, e_all = nx.constraint(h, weight=w), nx.effective_size(h, weight=w)
        for v in h:
            if h.out_degree(v) == 0 and h.in_degree(v) > 0:
                assert math.isnan(c[v]) and math.isnan(e[v])
                c[v], e[v] = c_all[v], e_all[v]
    return c, e


def weighted_random(seed: int, directed: bool) -> nx.Graph:
    g = nx.gnp_random_graph(40, 0.12, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in g.edges:
        g[u][v]["weight"] = float(rng.integers(1, 6))
    g.add_node(1000)  # an isolate
    return g


GRAPHS = {
    "karate": nx.karate_club_graph(),
    "florentine": nx.florentine_families_graph(),
    **{f"random-{s}": weighted_random(s, False) for s in range(3)},
    **{f"random-directed-{s}": weighted_random(s, True) for s in range(3, 6)},
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_matches_networkx(name: str, weighted: bool) -> None:
    g = GRAPHS[name]
    h = structural_holes(Network.from_networkx(g), weighted=weighted)
    constraint, effective = oracle(g, weighted)
    np.testing.assert_allclose(
        h.constraint, [constraint[a] for a in h.ids], rtol=0, atol=1e-9, equal_nan=True
    )
    np.testing.assert_allclose(
        h.effective_size, [effective[a] for a in h.ids], rtol=0, atol=1e-9, equal_nan=True
    )
    deg = {a: len(set(nx.all_neighbors(nx.relabel_nodes(g, str), a))) for a in h.ids}
    eff = [effective[a] / deg[a] if deg[a] else math.nan for a in h.ids]
    np.testing.assert_allclose(h.efficiency, eff, rtol=0, atol=1e-9, equal_nan=True)


def test_published_florentine_values() -> None:
    """Medici: 6 alters, none tied to another except via Medici -> effective size 6 - 2t/6."""
    h = structural_holes(Network.from_networkx(nx.florentine_families_graph()))
    i = h.ids.index("Medici")
    # Medici's alters: Acciaiuoli, Albizzi, Barbadori, Ridolfi, Salviati, Tornabuoni; the only
    # ties among them: Ridolfi-Tornabuoni (t = 1)
    assert h.degree[i] == 6
    assert h.effective_size[i] == pytest.approx(6 - 2 * 1 / 6)
    assert h.efficiency[i] == pytest.approx((6 - 1 / 3) / 6)


def test_star_and_isolate_by_hand() -> None:
    g = nx.star_graph(3)
    g.add_node(9)
    h = structural_holes(Network.from_networkx(g))
    # centre: three alters with p = 1/3 and no indirect paths: 3 * (1/3)^2
    assert h.constraint[0] == pytest.approx(1 / 3)
    assert h.effective_size.tolist()[:4] == [3.0, 1.0, 1.0, 1.0]
    assert h.constraint[1] == pytest.approx(1.0)
    assert math.isnan(h.constraint[4]) and math.isnan(h.effective_size[4])
    assert math.isnan(h.efficiency[4]) and h.degree[4] == 0


def test_empty_view_is_user_error() -> None:
    with pytest.raises(EmptyNetwork):
        structural_holes(Network.from_networkx(nx.Graph()))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(3, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
                    lambda e: e[0] != e[1]
                ),
                max_size=25,
            ),
        )
    ),
    st.randoms(use_true_random=False),
)
def test_relabelling_and_isolates(data, rnd) -> None:  # type: ignore[no-untyped-def]
    n, edges = data
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    perm = list(range(n))
    rnd.shuffle(perm)
    a = structural_holes(Network.from_networkx(nx.relabel_nodes(g, lambda v: f"n{v:02d}")))
    b = structural_holes(Network.from_networkx(nx.relabel_nodes(g, lambda v: f"m{perm[v]:02d}")))
    for i, x in enumerate(a.ids):
        j = b.ids.index(f"m{perm[int(x[1:])]:02d}")
        for field in ("constraint", "effective_size", "efficiency"):
            u, v = getattr(a, field)[i], getattr(b, field)[j]
            assert (math.isnan(u) and math.isnan(v)) or u == pytest.approx(v, abs=1e-12)
    g.add_node(99)
    c = structural_holes(Network.from_networkx(nx.relabel_nodes(g, lambda v: f"n{v:02d}")))
    assert c.ids[-1] == "n99" and math.isnan(c.constraint[-1])
    np.testing.assert_array_equal(c.constraint[:-1], a.constraint)
    np.testing.assert_array_equal(c.effective_size[:-1], a.effective_size)


def test_cli_holes(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    florentine_workspace(cli, tmp_path)
    rows = json.loads(cli("holes", "--format", "json").output)["records"]
    constraint, effective = oracle(florentine_graph(), False)
    assert len(rows) == 15
    assert {r["id"]: r["constraint"] for r in rows} == pytest.approx(constraint, abs=1e-12)
    assert {r["id"]: r["effective_size"] for r in rows} == pytest.approx(effective, abs=1e-12)
    assert rows[0]["constraint"] == pytest.approx(min(constraint.values()), abs=1e-12)
    assert "structural holes" in cli("holes", "--top", "3").output
    assert cli("holes", "--level", "country", "-f", "csv").output.startswith("id,name,type")
