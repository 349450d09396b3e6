"""What if: scenarios against recomputation from scratch with NetworkX, removals counted by hand."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from civnet.errors import BadFilter, UnknownActor
from civnet.measures.intermediation.brokerage import ROLES, brokerage
from civnet.measures.policy.scenario_removals import (
    Candidate,
    ComponentIndex,
    attack_curve,
    rank_removals,
    removal_candidates,
)
from civnet.measures.policy.scenarios import Changes, apply_changes, giant_path_length, reach
from civnet.measures.structure.ei import ei_index
from civnet.views.network import Network

COUNTRIES = ("DEU", "FRA", "ITA", "POL")
TRACKS = ("culture", "education", "governance")
TYPES = ("city", "university", "cso")


def seeded_graph(seed: int, n: int = 40, p: float = 0.06) -> nx.Graph:
    """A sparse random graph (several components) with countries, types and tie tracks."""
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed)
    g = nx.relabel_nodes(g, {v: f"a{v:02d}" for v in g})
    for v in g:
        g.nodes[v]["country"] = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
        g.nodes[v]["type"] = TYPES[int(rng.integers(len(TYPES)))]
    for u, v in g.edges():
        g.edges[u, v]["track"] = TRACKS[int(rng.integers(len(TRACKS)))]
    return g


def connected_pairs(g: nx.Graph) -> int:
    comps = nx.weakly_connected_components(g) if g.is_directed() else nx.connected_components(g)
    return sum(len(c) * (len(c) - 1) // 2 for c in comps)


def nx_giant_path_length(g: nx.Graph) -> float:
    """Mean distance in the largest component; ties in size go to the one with the first id."""
    comps = [sorted(c) for c in nx.connected_components(g)]
    giant = min(comps, key=lambda c: (-len(c), c[0]))
    return float(nx.average_shortest_path_length(g.subgraph(giant)))


def nx_scenario(g: nx.Graph, changes: Changes) -> nx.Graph:
    """The scenario applied independently, on the NetworkX graph."""
    h = g.copy()
    gone = [
        v
        for v, d in g.nodes(data=True)
        if v in changes.remove_actors
        or d["type"] in changes.remove_types
        or d["country"] in changes.remove_countries
    ]
    h.remove_nodes_from(gone)
    h.remove_edges_from(
        [(u, v) for u, v, d in h.edges(data=True) if d["track"] in changes.drop_tracks]
    )
    return h


SCENARIOS = [
    Changes(remove_actors=("a03", "a17")),
    Changes(remove_types=("university",)),
    Changes(remove_countries=("FRA",)),
    Changes(drop_tracks=("education",)),
    Changes(remove_actors=("a05",), drop_tracks=("culture", "governance")),
]


@pytest.mark.parametrize("seed", [1, 7, 42])
@pytest.mark.parametrize("changes", SCENARIOS, ids=lambda c: "; ".join(c.describe()))
def test_every_difference_is_the_difference_of_two_recomputations(
    seed: int, changes: Changes
) -> None:
    g = seeded_graph(seed)
    before = Network.from_networkx(g)
    applied = apply_changes(before, changes)
    after = applied.net
    h = nx_scenario(g, changes)
    assert sorted(after.ids) == sorted(h.nodes)
    assert after.graph.ecount() == h.number_of_edges()
    for net, oracle in ((before, g), (after, h)):
        r = reach(net)
        n = oracle.number_of_nodes()
        assert r.connected == connected_pairs(oracle)
        assert r.possible == n * (n - 1) // 2
        assert r.components == nx.number_connected_components(oracle)
        assert giant_path_length(net) == pytest.approx(nx_giant_path_length(oracle))
    d_reach = reach(after).share - reach(before).share
    nx_reach = connected_pairs(h) / math.comb(h.number_of_nodes(), 2) - connected_pairs(
        g
    ) / math.comb(g.number_of_nodes(), 2)
    assert d_reach == pytest.approx(nx_reach)
    # brokerage and E-I by country: the changed view against a view built from the nx result
    rebuilt = Network.from_networkx(h)
    total = ROLES.index("total")
    for a, b in ((after, rebuilt),):
        ba, bb = brokerage(a, "country"), brokerage(b, "country")
        assert ba.groups == bb.groups
        np.testing.assert_array_equal(ba.group_raw[:, total], bb.group_raw[:, total])
        ea, eb = ei_index(a, "country"), ei_index(b, "country")
        np.testing.assert_array_equal(ea.group_index, eb.group_index)


def test_actors_who_lose_every_tie_stay_as_isolates() -> None:
    g = nx.Graph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(g, "DEU", "country")
    nx.set_node_attributes(g, "cso", "type")
    applied = apply_changes(Network.from_networkx(g), Changes(remove_actors=("b",)))
    assert applied.net.ids == ["a", "c"]
    assert applied.ties_of_removed == 2
    r = reach(applied.net)
    assert (r.connected, r.possible, r.components) == (0, 1, 2)


def cut_vertex_graph() -> nx.Graph:
    """Two triangles joined at D, and a pendant G on D: D is a cut vertex.

    A-B-C triangle, C-D, D-E-F triangle, D-G.
    """
    return nx.Graph(
        [
            ("A", "B"),
            ("B", "C"),
            ("C", "A"),
            ("C", "D"),
            ("D", "E"),
            ("E", "F"),
            ("F", "D"),
            ("D", "G"),
        ]
    )


def test_removing_a_cut_vertex_splits_reach_as_counted_by_hand() -> None:
    # Without D: {A, B, C} (3 pairs), {E, F} (1 pair), {G} (0): 4 pairs of C(6, 2) = 15 connected.
    # Before, all 15 pairs of the six others were connected: 11 are cut apart.
    net = Network.from_networkx(cut_vertex_graph())
    index = ComponentIndex(net.graph)
    assert index.connected == 21
    cut = index.cut([net.ids.index("D")])
    assert (cut.removed, cut.pairs_cut, cut.connected, cut.components, cut.largest) == (
        1,
        11,
        4,
        3,
        3,
    )
    assert cut.share == pytest.approx(4 / 15)
    # Removing C instead: {A, B} (1) and {D, E, F, G} (6): 15 - 7 = 8 pairs cut.
    assert index.cut([net.ids.index("C")]).pairs_cut == 8
    # A leaf cuts nothing apart.
    assert index.cut([net.ids.index("G")]).pairs_cut == 0
    after = apply_changes(net, Changes(remove_actors=("D",))).net
    assert reach(after).connected == 4


def test_rank_removals_and_attack_curve_against_networkx() -> None:
    for seed in (3, 11, 29):
        g = seeded_graph(seed, n=60, p=0.05)
        net = Network.from_networkx(g)
        ids = net.ids
        cands = [Candidate(a, a, (i,)) for i, a in enumerate(ids)]
        ranked = rank_removals(net.graph, cands)
        expected = {}
        for a in ids:
            h = g.copy()
            h.remove_node(a)
            comp_a = nx.node_connected_component(g, a)
            others = len(comp_a) - 1
            still = sum(
                len(c) * (len(c) - 1) // 2
                for c in nx.connected_components(h.subgraph(comp_a - {a}))
            )
            expected[a] = others * (others - 1) // 2 - still
            assert connected_pairs(h) == connected_pairs(g) - expected[a] - others
        assert {imp.candidate.key: imp.cut.pairs_cut for imp in ranked} == expected
        assert [imp.cut.pairs_cut for imp in ranked] == sorted(expected.values(), reverse=True)
        order = [imp.candidate for imp in ranked[:10]]
        curve = attack_curve(net.graph, order)
        h = g.copy()
        assert curve[0].connected == connected_pairs(h)
        for step, cand in enumerate(order, start=1):
            h.remove_node(cand.key)
            assert curve[step].connected == connected_pairs(h), (seed, step)
            assert curve[step].components == nx.number_connected_components(h)
            assert curve[step].largest == max(len(c) for c in nx.connected_components(h))
            assert curve[step].actors == h.number_of_nodes()


def test_country_removal_candidates_remove_the_whole_country() -> None:
    g = seeded_graph(5)
    net = Network.from_networkx(g)
    cands = removal_candidates(net.ids, net.ids, net.vertex_attr("country"), "countries")
    assert [c.key for c in cands] == sorted(COUNTRIES)
    fra = next(c for c in cands if c.key == "FRA")
    cut = ComponentIndex(net.graph).cut(fra.vertices)
    h = nx_scenario(g, Changes(remove_countries=("FRA",)))
    assert cut.connected == connected_pairs(h)
    assert cut.actors == h.number_of_nodes()


def test_directed_views_count_weakly_connected_pairs() -> None:
    g = nx.DiGraph([("a", "b"), ("c", "b"), ("d", "e")])
    r = reach(Network.from_networkx(g))
    assert (r.connected, r.possible) == (connected_pairs(g), 10)
    assert r.connected == 4


def test_unknown_actor_is_refused_and_levels_remove_their_actors() -> None:
    net = Network.from_networkx(cut_vertex_graph())
    with pytest.raises(UnknownActor, match="'Z' is not an actor of the view"):
        apply_changes(net, Changes(remove_actors=("Z",)))
    g = seeded_graph(8)
    for v in ("a01", "a02"):
        g.nodes[v]["type"] = "network"  # level network (the default of the affiliation types)
    applied = apply_changes(Network.from_networkx(g), Changes(remove_levels=("network",)))
    h = g.copy()
    h.remove_nodes_from(["a01", "a02"])
    assert applied.removed == ["a01", "a02"]
    assert reach(applied.net).connected == connected_pairs(h)
    with pytest.raises(BadFilter, match="unknown actor level 'town'"):
        from civnet.products.results.scenario_results import scenario_changes

        scenario_changes(remove_level=["town"])


# -- the command ------------------------------------------------------------------------------------


@pytest.fixture
def seeded_ws(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``seeded_graph(7)`` as a workspace."""
    g = seeded_graph(7)
    actors, ties = tmp_path / "actors.csv", tmp_path / "ties.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country"])
        for v, d in sorted(g.nodes(data=True)):
            w.writerow([v, f"actor {v}", d["type"], d["country"]])
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track"])
        for u, v, d in sorted(g.edges(data=True)):
            w.writerow([u, v, d["track"]])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    cli.graph = g
    return cli


def _factor(out: dict, name: str) -> dict:
    return next(r for r in out["factors"] if r["measure"] == name)


def test_whatif_json_differences_equal_networkx_recomputations(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    g = seeded_ws.graph.subgraph([v for v in seeded_ws.graph if seeded_ws.graph.degree(v)]).copy()
    top = max(g, key=lambda v: (nx.betweenness_centrality(g)[v], v))
    out = json.loads(
        seeded_ws("whatif", "--remove-actor", top, "--boot", "0", "--format", "json").output
    )
    h = g.copy()
    h.remove_node(top)
    pairs = _factor(out, "connected_pairs")
    assert (pairs["before"], pairs["after"]) == (connected_pairs(g), connected_pairs(h))
    assert pairs["difference"] == connected_pairs(h) - connected_pairs(g)
    dens = _factor(out, "density")
    assert dens["difference"] == pytest.approx(nx.density(h) - nx.density(g))
    apl = _factor(out, "giant_path_length")
    assert apl["difference"] == pytest.approx(nx_giant_path_length(h) - nx_giant_path_length(g))
    bc_g, bc_h = nx.betweenness_centrality(g), nx.betweenness_centrality(h)
    mb = _factor(out, "mean_betweenness")
    assert mb["difference"] == pytest.approx(
        np.mean(list(bc_h.values())) - np.mean(list(bc_g.values()))
    )
    removed = next(r for r in out["brokers"] if r["id"] == top)
    assert (removed["rank_before"], removed["rank_after"], removed["status"]) == (
        1,
        None,
        "removed",
    )
    for r in out["brokers"]:
        if r["betweenness_after"] is not None:
            assert r["betweenness_after"] == pytest.approx(bc_h[r["id"]])
    assert out["counts"]["actors_removed"] == 1
    assert out["counts"]["ties_of_removed_actors"] == g.degree(top)


def test_whatif_intervals_contain_their_estimates(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    out = json.loads(
        seeded_ws(
            "whatif", "--drop-track", "education", "--boot", "50", "--seed", "3", "-f", "json"
        ).output
    )
    dens = _factor(out, "density")
    assert dens["diff_low"] <= dens["diff_high"]
    assert dens["before_low"] <= dens["before"] <= dens["before_high"]
    assert "paired bootstrap, 50 resamples" in out["method"]["intervals"]


def test_whatif_rank_removals_csv_and_table(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    out = seeded_ws("whatif", "--rank-removals", "5", "--format", "csv").output
    rows = list(csv.DictReader(out.splitlines()))
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4, 5]
    cuts = [int(r["pairs_cut"]) for r in rows]
    assert cuts == sorted(cuts, reverse=True)
    table = seeded_ws("whatif", "--rank-removals", "3", "--removal-unit", "countries").output
    assert "attack curve" in table


def test_whatif_add_ties_file_is_validated_like_import(seeded_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # b is an actor of the workspace without ties, so not in the view: it comes with the tie
    full = seeded_ws.graph
    g = full.subgraph([v for v in full if full.degree(v)]).copy()
    a, b = min(g), min(v for v in full if full.degree(v) == 0)
    add = tmp_path / "new.csv"
    add.write_text(f"source,target,track\n{a},{b},culture\n")
    out = json.loads(
        seeded_ws("whatif", "--add-ties", str(add), "--boot", "0", "-f", "json").output
    )
    h = g.copy()
    h.add_edge(a, b)
    assert _factor(out, "connected_pairs")["after"] == connected_pairs(h)
    assert _factor(out, "nodes")["difference"] == 1
    assert out["counts"] == {
        "actors_removed": 0,
        "ties_of_removed_actors": 0,
        "ties_dropped": 0,
        "ties_added": 1,
        "actors_added": 1,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text(f"source,target,track\n{a},nobody,culture\n")
    res = seeded_ws("whatif", "--add-ties", str(bad), code=2)
    assert "undeclared actor" in res.output
    assert "Traceback" not in res.output


def test_whatif_needs_a_change(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    res = seeded_ws("whatif", code=2)
    assert "whatif needs a change or --rank-removals K" in res.output


def test_api_whatif_equals_cli_json(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from civnet.products.serving.server import create_app

    args = ["--remove-actor", "a05", "--remove-actor", "a11", "--drop-track", "culture"]
    cli_out = json.loads(seeded_ws("whatif", *args, "--boot", "0", "-f", "json").output)
    client = TestClient(create_app(seeded_ws.workspace))
    res = client.get(
        "/api/whatif",
        params={"remove_actor": ["a05", "a11"], "drop_track": ["culture"], "boot": 0},
    )
    assert res.status_code == 200, res.text
    assert res.json() == cli_out


def test_whatif_parameters_are_checked_by_the_catalog() -> None:
    from civnet.products.catalog import MEASURES

    m = MEASURES["whatif"]
    with pytest.raises(BadFilter, match="whatif remove_actor must be a list of texts"):
        m.resolve({"remove_actor": "a01"})
    with pytest.raises(BadFilter, match="whatif remove_actor must be at most 4096 characters"):
        m.resolve({"remove_actor": ["x" * 5000]})
    with pytest.raises(BadFilter, match="whatif removal_unit must be one of: brokers, countries"):
        m.resolve({"removal_unit": "cities"})
    with pytest.raises(BadFilter, match="whatif rank_removals must be >= 0"):
        m.resolve({"rank_removals": -1})


def test_report_section_when_asked(seeded_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    plain = tmp_path / "plain.html"
    seeded_ws("report", "--out", str(plain), "--boot", "0")
    assert 'id="removals"' not in plain.read_text(encoding="utf-8")
    out = tmp_path / "report.html"
    seeded_ws("report", "--out", str(out), "--boot", "0", "--rank-removals", "5")
    html = out.read_text(encoding="utf-8")
    assert 'id="removals"' in html and 'id="chart-attack"' in html
    ranked = json.loads(seeded_ws("whatif", "--rank-removals", "5", "-f", "json").output)
    for r in ranked["removals"]:
        assert f'<td>{r["name"]}</td><td class="num">{r["pairs_cut"]:,}</td>' in html


def test_scorecard_section_can_be_left_out(seeded_ws) -> None:  # type: ignore[no-untyped-def]
    args = ["whatif", "--remove-country", "FRA", "--boot", "0", "-f", "json"]
    with_card = json.loads(seeded_ws(*args).output)
    assert {r["country"] for r in with_card["scorecard"]} >= {"DEU", "ITA", "POL"}
    fra = next(r for r in with_card["scorecard"] if r["country"] == "FRA")
    assert fra["overall_after"] is None and fra["rank_after"] is None
    without = json.loads(seeded_ws(*args, "--no-scorecard").output)
    assert without["scorecard"] == []


def test_report_whatif_section(seeded_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "whatif.html"
    seeded_ws(
        "report",
        "--out",
        str(out),
        "--boot",
        "0",
        "--whatif",
        "remove-actor=a05",
        "--whatif",
        "drop-track=culture",
    )
    html = out.read_text(encoding="utf-8")
    assert 'id="whatif"' in html and "remove actors a05; drop tracks culture" in html
    cli_out = json.loads(
        seeded_ws("whatif", "--remove-actor", "a05", "--drop-track", "culture", "-f", "json").output
    )
    pairs = _factor(cli_out, "connected_pairs")
    assert (
        f'<td class="num">{pairs["before"]:,}</td><td class="num">{pairs["after"]:,}</td>' in html
    )
    bad = seeded_ws("report", "--out", str(out), "--whatif", "remove-everything=x", code=2)
    assert "--whatif expects CHANGE=VALUE" in bad.output
