"""Recommend: every candidate's gain against recomputation from scratch; the bridge comes first."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest

from civnet.errors import BadFilter
from civnet.measures.intermediation.brokerage import ROLES, brokerage
from civnet.measures.policy.scenario_recommend import recommend
from civnet.products.results.recommend_results import parse_candidates
from civnet.views.network import Network
from tests.test_scenarios import seeded_graph, seeded_ws  # noqa: F401  (fixture)


def two_clusters(seed: int, bridge: bool) -> nx.Graph:
    """Two dense random clusters of 8 actors (countries AAA and BBB), optionally one weak link
    between them through a path of two intermediaries."""
    a = nx.gnp_random_graph(8, 0.6, seed=seed)
    b = nx.gnp_random_graph(8, 0.6, seed=seed + 1)
    g = nx.disjoint_union(a, b)
    g = nx.relabel_nodes(g, {v: f"v{v:02d}" for v in g})
    for v in g:
        g.nodes[v]["country"] = "AAA" if int(v[1:]) < 8 else "BBB"
        g.nodes[v]["type"] = "cso"
    if bridge:
        g.add_edges_from([("v07", "p1"), ("p1", "p2"), ("p2", "v08")])
        for p in ("p1", "p2"):
            g.nodes[p].update(country="CCC", type="cso")
    return g


def focal_reach(g: nx.Graph, focal: list[str]) -> int:
    seen = set().union(*(nx.node_connected_component(g, f) for f in focal))
    return len(seen - set(focal))


@pytest.mark.parametrize("goal", ["reach", "betweenness", "brokerage"])
@pytest.mark.parametrize("seed", [2, 9])
def test_top_suggestion_on_two_clusters_is_the_bridge(goal: str, seed: int) -> None:
    g = two_clusters(seed, bridge=goal != "reach")
    focal = "v01"
    rec = recommend(Network.from_networkx(g), actor=focal, goal=goal, k=1)
    target = rec.suggestions[0].target
    assert g.nodes[target]["country"] == "BBB", (goal, target, rec.ranking[:5])
    if goal == "reach":
        assert rec.suggestions[0].gain == 8
        assert rec.suggestions[0].why == "bridges to a separate component of 8 actors (BBB)"


@pytest.mark.parametrize("seed", [4, 13])
def test_every_gain_equals_recomputation_with_networkx(seed: int) -> None:
    g = seeded_graph(seed, n=30, p=0.08)
    net = Network.from_networkx(g)
    degree = dict(g.degree())
    actor = max(g, key=lambda v: (degree[v], v))
    n = g.number_of_nodes()
    bc0 = nx.betweenness_centrality(g)[actor]
    for goal in ("reach", "betweenness", "brokerage"):
        rec = recommend(net, actor=actor, goal=goal, k=1, pool=1000)
        assert len(rec.ranking) == n - 1 - degree[actor]
        for target, gain in rec.ranking:
            h = g.copy()
            h.add_edge(actor, target)
            if goal == "reach":
                expected = focal_reach(h, [actor]) - focal_reach(g, [actor])
            elif goal == "betweenness":
                expected = nx.betweenness_centrality(h)[actor] - bc0
            else:
                total = ROLES.index("total")
                i = sorted(g).index(actor)
                before = brokerage(net, "country").raw[i, total]
                expected = brokerage(Network.from_networkx(h), "country").raw[i, total] - before
            assert gain == pytest.approx(expected, abs=1e-12), (goal, target)
        assert n == len(net.ids)


def test_greedy_steps_each_gain_what_recomputation_says() -> None:
    g = seeded_graph(21, n=50, p=0.03)
    net = Network.from_networkx(g)
    rec = recommend(net, country="DEU", goal="reach", k=4)
    focal = [v for v, d in g.nodes(data=True) if d["country"] == "DEU"]
    h = g.copy()
    value = focal_reach(h, focal)
    assert rec.baseline == value
    for s in rec.suggestions:
        h.add_edge(s.source, s.target)
        new = focal_reach(h, focal)
        assert s.gain == new - value
        assert s.value == new
        value = new
    gains = [s.gain for s in rec.suggestions]
    assert gains == sorted(gains, reverse=True)  # coverage of disjoint components
    assert "1 - 1/e" in rec.guarantee


def test_candidates_filter_and_errors() -> None:
    assert parse_candidates("type=university,cso,country=DEU") == (
        ("cso", "university"),
        ("DEU",),
        ("organisation", "city"),
    )
    assert parse_candidates("level=all")[2] is None
    with pytest.raises(BadFilter, match="unknown level 'town'"):
        parse_candidates("level=town")
    with pytest.raises(BadFilter, match="unknown key 'sector'"):
        parse_candidates("sector=x")
    g = seeded_graph(4)
    net = Network.from_networkx(g)
    rec = recommend(net, actor="a00", goal="reach", k=2, countries=("FRA",))
    assert all(g.nodes[t]["country"] == "FRA" for t, _ in rec.ranking)
    with pytest.raises(BadFilter, match="--goal betweenness is for one actor"):
        recommend(net, country="DEU", goal="betweenness")
    with pytest.raises(BadFilter, match="needs --actor ID or --country ISO3"):
        recommend(net, goal="reach")


def test_recommend_command_json_and_api(seeded_ws) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from fastapi.testclient import TestClient

    from civnet.products.serving.server import create_app

    out = json.loads(
        seeded_ws("recommend", "--country", "FRA", "--k", "3", "--format", "json").output
    )
    assert out["goal"] == "reach"
    assert [s["step"] for s in out["suggestions"]] == list(range(1, len(out["suggestions"]) + 1))
    client = TestClient(create_app(seeded_ws.workspace))
    res = client.get("/api/recommend", params={"focal_country": "FRA", "k": 3})
    assert res.status_code == 200, res.text
    assert res.json() == out
    table = seeded_ws("recommend", "--actor", "a05", "--goal", "brokerage", "--k", "2").output
    assert "why" in table
    gains = np.array([s["gain"] for s in out["suggestions"]])
    assert (gains > 0).all()


def test_aggregates_are_not_candidates_by_default() -> None:
    g = two_clusters(3, bridge=False)
    g.add_node("BBB/EDU", country="BBB", type="university")  # a sector aggregate, level sector
    g.add_edge("BBB/EDU", "v08")
    g.add_node("CCC/EDU", country="CCC", type="university")
    g.add_node("v99", country="CCC", type="cso")
    g.add_edge("CCC/EDU", "v99")
    net = Network.from_networkx(g)
    rec = recommend(net, actor="v01", goal="reach", k=3)
    assert {t for t, _ in rec.ranking}.isdisjoint({"BBB/EDU", "CCC/EDU"})
    every = recommend(net, actor="v01", goal="reach", k=3, levels=None)
    assert "CCC/EDU" in {t for t, _ in every.ranking}
