"""The standard toolkit against NetworkX and published values: degree, harmonic closeness,
eigenvector, PageRank, k-core, ego-network density, and the M49 continent/region groupings."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.measures.structure.centrality import (
    degree,
    ego_density,
    eigenvector,
    harmonic_closeness,
    kcore,
    pagerank,
)
from civnet.measures.structure.communities import mixing
from civnet.measures.structure.density import block_density
from civnet.products.catalog import MEASURES
from civnet.regions import CONTINENT_OF_REGION, continent_of, region_of
from civnet.views.network import Network


def by_id(net: Network, values: np.ndarray) -> dict[str, float]:
    return {a: float(v) for a, v in zip(net.ids, values, strict=True)}


def karate() -> nx.Graph:
    return nx.karate_club_graph()


def random_digraph() -> nx.DiGraph:
    g = nx.gnp_random_graph(60, 0.06, seed=11, directed=True)
    g.add_nodes_from(range(60))
    return g


GRAPHS = {
    "karate": karate,
    "florentine": nx.florentine_families_graph,
    "kite": nx.krackhardt_kite_graph,
    "random-directed": random_digraph,
}


def keyed(g: nx.Graph) -> nx.Graph:
    """``g`` with string node keys, as civnet ids are."""
    return nx.relabel_nodes(g, {n: str(n) for n in g})


# -- degree -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_degree_partners_equal_networkx(name: str) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    d = degree(net)
    want = {v: len(set(nx.all_neighbors(g, v))) for v in g}
    assert by_id(net, d.partners) == want
    if g.is_directed():
        assert d.in_partners is not None and d.out_partners is not None
        assert by_id(net, d.in_partners) == dict(g.in_degree())
        assert by_id(net, d.out_partners) == dict(g.out_degree())
        assert by_id(net, d.ties) == dict(g.degree())  # one record per arc
    else:
        assert d.in_partners is None
        assert by_id(net, d.ties) == dict(g.degree())
        assert by_id(net, d.strength) == pytest.approx(dict(g.degree(weight="weight")))


def test_degree_published_values() -> None:
    """Zachary: the instructor (0) has 16 partners, the president (33) 17; Padgett: Medici 6;
    Krackhardt's kite: Diane (3) has the most, 6."""
    for g, node, want in [(karate(), "33", 17), (karate(), "0", 16)]:
        net = Network.from_networkx(keyed(g))
        assert by_id(net, degree(net).partners)[node] == want
    net = Network.from_networkx(nx.florentine_families_graph())
    assert by_id(net, degree(net).partners)["Medici"] == 6
    net = Network.from_networkx(keyed(nx.krackhardt_kite_graph()))
    assert max(by_id(net, degree(net).partners).items(), key=lambda kv: kv[1]) == ("3", 6)


def mixed_network() -> Network:
    """a -> b directed, b - c undirected, and a parallel undirected/directed pair c -> a, a - c."""
    actors = pa.table({"id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"]})
    ties = pa.table(
        {
            "source": ["a", "b", "c", "a", "d"],
            "target": ["b", "c", "a", "c", "a"],
            "weight": [1.0, 2.0, 1.0, 3.0, 1.0],
            "directed": [True, False, True, False, True],
        }
    )
    return Network.from_tables(actors, ties)


def test_degree_in_a_mixed_view_counts_each_partner_once() -> None:
    """Hand count: partners by any tie, counted once; in/out partners by directed ties only."""
    net = mixed_network()
    d = degree(net)
    assert net.ids == ["a", "b", "c", "d"]
    assert d.partners.tolist() == [3, 2, 2, 1]
    # directed ties a -> b, c -> a, d -> a: out a {b}, c {a}, d {a}; in a {c, d}, b {a}
    assert d.out_partners is not None and d.in_partners is not None
    assert d.out_partners.tolist() == [1, 0, 1, 1]
    assert d.in_partners.tolist() == [2, 1, 0, 0]
    assert d.ties.tolist() == [4, 2, 3, 1]
    assert d.strength.tolist() == [6.0, 3.0, 6.0, 1.0]


# -- harmonic closeness -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_harmonic_closeness_equals_networkx(name: str) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    n = g.number_of_nodes()
    want = {v: h / (n - 1) for v, h in nx.harmonic_centrality(g).items()}
    assert by_id(net, harmonic_closeness(net)) == pytest.approx(want, abs=1e-12)


def test_harmonic_closeness_kite_published() -> None:
    """Krackhardt's kite, counted by hand: Diane (3) has 6 actors at distance 1, Heather at 2,
    Ike at 3, Jane at 4; Fernando (5) 5 at 1, 3 at 2, Jane at 3. Harmonic closeness ranks Diane
    first, where classic closeness ranks Fernando and Garth (5, 6) first; Jane (9) is last."""
    net = Network.from_networkx(keyed(nx.krackhardt_kite_graph()))
    h = by_id(net, harmonic_closeness(net))
    assert h["3"] == pytest.approx((6 + 1 / 2 + 1 / 3 + 1 / 4) / 9) == max(h.values())
    assert h["5"] == h["6"] == pytest.approx((5 + 3 / 2 + 1 / 3) / 9)
    assert h["9"] == min(h.values())


def test_harmonic_closeness_disconnected_and_single() -> None:
    net = Network.from_networkx(nx.Graph([(0, 1), (2, 3), (3, 4)]))
    assert harmonic_closeness(net).tolist() == pytest.approx([0.25, 0.25, 0.25 * 1.5, 0.5, 0.375])
    single = Network.from_networkx(nx.empty_graph(1))
    assert harmonic_closeness(single).tolist() == [0.0]


# -- eigenvector ----------------------------------------------------------------------------------


def scaled(d: dict[str, float]) -> dict[str, float]:
    peak = max(d.values())
    return {k: v / peak for k, v in d.items()}


@pytest.mark.parametrize("name", ["karate", "florentine", "kite"])
def test_eigenvector_equals_networkx_on_connected_graphs(name: str) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    e = eigenvector(net)
    assert e.notes == []
    want = scaled(nx.eigenvector_centrality_numpy(g))
    assert by_id(net, e.values) == pytest.approx(want, abs=1e-6)


def test_eigenvector_weighted_karate() -> None:
    g = keyed(karate())
    net = Network.from_networkx(g)
    want = scaled(nx.eigenvector_centrality_numpy(g, weight="weight"))
    assert by_id(net, eigenvector(net, weighted=True).values) == pytest.approx(want, abs=1e-6)
    top = max(want, key=lambda k: want[k])
    assert top == "33"


def test_eigenvector_karate_published_order() -> None:
    """Zachary's karate club: the president (33) first, then the instructor (0), then 2 and 32."""
    net = Network.from_networkx(keyed(karate()))
    values = by_id(net, eigenvector(net).values)
    order = sorted(values, key=lambda k: -values[k])[:4]
    assert order == ["33", "0", "2", "32"]


def test_eigenvector_disconnected_scores_the_largest_component_only() -> None:
    g = nx.disjoint_union(nx.krackhardt_kite_graph(), nx.path_graph(3))
    net = Network.from_networkx(keyed(g))
    e = eigenvector(net)
    values = by_id(net, e.values)
    kite = keyed(nx.krackhardt_kite_graph())
    assert {k: values[k] for k in kite} == pytest.approx(
        scaled(nx.eigenvector_centrality_numpy(kite)), abs=1e-6
    )
    assert all(math.isnan(values[k]) for k in ("10", "11", "12"))
    assert e.notes == [
        "computed on the largest connected component (10 of 13 actors); the other 3 actors have none"
    ]


def test_eigenvector_directed_uses_the_largest_strong_component() -> None:
    g = keyed(random_digraph())
    net = Network.from_networkx(g)
    e = eigenvector(net)
    scc = max(nx.strongly_connected_components(g), key=len)
    values = by_id(net, e.values)
    want = scaled(nx.eigenvector_centrality_numpy(g.subgraph(scc)))
    assert {k: values[k] for k in scc} == pytest.approx(want, abs=1e-6)
    assert sum(not math.isnan(v) for v in values.values()) == len(scc)


# -- PageRank -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
@pytest.mark.parametrize("weighted", [False, True])
def test_pagerank_equals_networkx(name: str, weighted: bool) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    want = nx.pagerank(g, alpha=0.85, weight="weight" if weighted else None, tol=1e-13)
    got = by_id(net, pagerank(net, weighted=weighted))
    assert got == pytest.approx(want, abs=1e-8)
    assert sum(got.values()) == pytest.approx(1.0)


def test_pagerank_damping_and_bounds() -> None:
    g = keyed(nx.krackhardt_kite_graph())
    net = Network.from_networkx(g)
    assert by_id(net, pagerank(net, damping=0.5)) == pytest.approx(
        nx.pagerank(g, alpha=0.5, weight=None, tol=1e-13), abs=1e-8
    )
    from civnet.errors import BadFilter

    with pytest.raises(BadFilter, match=r"damping 1\.0 is outside"):
        pagerank(net, damping=1.0)


# -- k-core ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_kcore_equals_networkx(name: str) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    want = nx.core_number(nx.Graph(g.to_undirected()))
    assert by_id(net, kcore(net)) == want


def test_kcore_karate_published() -> None:
    """Zachary's karate club: the 4-core holds ten members."""
    net = Network.from_networkx(keyed(karate()))
    core = by_id(net, kcore(net))
    assert sorted(int(k) for k, v in core.items() if v == 4) == [0, 1, 2, 3, 7, 8, 13, 30, 32, 33]


def test_kcore_mixed_view_counts_reciprocated_pairs_once() -> None:
    # a <-> b both ways, b -> c: partners a:{b}, b:{a, c}, c:{b}; every actor in the 1-core
    net = Network.from_networkx(nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")]))
    assert kcore(net).tolist() == [1, 1, 1]


# -- ego-network density --------------------------------------------------------------------------


def ego_oracle(g: nx.Graph) -> dict[str, float]:
    u = nx.Graph(g.to_undirected())
    out = {}
    for v in g:
        alters = set(nx.all_neighbors(g, v))
        out[v] = nx.density(u.subgraph(alters)) if len(alters) >= 2 else math.nan
    return out


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_ego_density_equals_the_density_of_the_alters(name: str) -> None:
    g = keyed(GRAPHS[name]())
    net = Network.from_networkx(g)
    e = ego_density(net)
    want = ego_oracle(g)
    got = by_id(net, e.values)
    assert {k for k, v in got.items() if math.isnan(v)} == {
        k for k, v in want.items() if math.isnan(v)
    }
    assert {k: v for k, v in got.items() if not math.isnan(v)} == pytest.approx(
        {k: v for k, v in want.items() if not math.isnan(v)}, abs=1e-12
    )


def test_ego_density_hand_count_kite() -> None:
    """Kite: Andre (0) has four partners (1, 2, 3, 5); four of their six pairs are tied."""
    g = nx.krackhardt_kite_graph()
    alters = sorted(g[0])
    assert alters == [1, 2, 3, 5]
    tied = [(a, b) for i, a in enumerate(alters) for b in alters[i + 1 :] if g.has_edge(a, b)]
    assert tied == [(1, 3), (2, 3), (2, 5), (3, 5)]
    net = Network.from_networkx(keyed(g))
    e = ego_density(net)
    i = net.ids.index("0")
    assert e.values[i] == pytest.approx(4 / 6)
    assert (e.partners[i], e.pairs_tied[i]) == (4, 4)


def country_net() -> Network:
    """Two German actors, one French, one Japanese, one American; a triangle and a path."""
    g = nx.Graph([("de1", "de2"), ("de1", "fr"), ("de2", "fr"), ("fr", "jp"), ("jp", "us")])
    countries = {"de1": "DEU", "de2": "DEU", "fr": "FRA", "jp": "JPN", "us": "USA"}
    nx.set_node_attributes(g, countries, "country")
    return Network.from_networkx(g)


def test_ego_density_per_group_by_hand() -> None:
    net = country_net()
    result = MEASURES["ego_density"].run(net, by="continent")["records"]
    # ego densities: de1 1, de2 1, fr 1/3 (pairs de1-de2 tied of 3), jp 0 (fr-us untied), us NaN
    assert result == [
        {
            "continent": "Europe",
            "actors": 3,
            "scored": 3,
            "mean_ego_density": pytest.approx((1 + 1 + 1 / 3) / 3),
            "pooled_ego_density": pytest.approx(3 / 5),
        },
        {
            "continent": "Americas",
            "actors": 1,
            "scored": 0,
            "mean_ego_density": None,
            "pooled_ego_density": None,
        },
        {
            "continent": "Asia",
            "actors": 1,
            "scored": 1,
            "mean_ego_density": 0.0,
            "pooled_ego_density": 0.0,
        },
    ]


# -- continent and region (UN M49) ----------------------------------------------------------------


def test_m49_regions_of_known_countries() -> None:
    assert [region_of(c) for c in ("DEU", "BRA", "USA", "KEN", "CXR", "XKX")] == [
        "Western Europe",
        "South America",
        "Northern America",
        "Eastern Africa",
        "Australia and New Zealand",
        "Southern Europe",
    ]
    # Christmas Island is in Oceania by M49 (country_converter's own 'continent' says Asia)
    assert [continent_of(c) for c in ("DEU", "BRA", "USA", "KEN", "CXR", "JPN")] == [
        "Europe",
        "Americas",
        "Americas",
        "Africa",
        "Oceania",
        "Asia",
    ]
    assert continent_of(None) is None and continent_of("ZZZ") is None
    assert set(CONTINENT_OF_REGION.values()) == {
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
        "Antarctica",
    }


def test_every_shipped_country_has_a_continent() -> None:
    from civnet.regions import _region_table

    table = _region_table()
    assert len(table) > 240
    assert set(table.values()) <= set(CONTINENT_OF_REGION)


def test_mixing_and_block_density_by_continent() -> None:
    net = country_net()
    m = mixing(net, "continent")
    assert m.groups == ["Americas", "Asia", "Europe"]
    # arcs: Europe-Europe 3 edges (6 arcs), Europe-Asia 1, Asia-Americas 1
    assert m.counts.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 6]]
    bd = block_density(net, "region")
    assert bd.groups == ["Eastern Asia", "Northern America", "Western Europe"]
    assert bd.matrix[2, 2] == pytest.approx(1.0)
    assert bd.matrix[0, 2] == pytest.approx(1 / 3)


def test_unknown_grouping_names_continent_and_region() -> None:
    from civnet.errors import BadFilter

    with pytest.raises(BadFilter, match="continent, region"):
        mixing(country_net(), "planet")


# -- catalog entries and the CLI ------------------------------------------------------------------


def test_catalog_rankings_are_sorted_and_complete() -> None:
    g = keyed(karate())
    net = Network.from_networkx(g)
    rows = MEASURES["pagerank"].run(net)["records"]
    assert [r["rank"] for r in rows] == list(range(1, 35))
    assert rows[0]["id"] == "33" and rows[1]["id"] == "0"
    assert {r["id"]: r["pagerank"] for r in rows} == pytest.approx(
        nx.pagerank(g, weight=None, tol=1e-13), abs=1e-8
    )
    top = MEASURES["kcore"].run(net, top=3)["records"]
    assert [(r["id"], r["core"]) for r in top] == [("0", 4), ("1", 4), ("13", 4)]
    eig = MEASURES["eigenvector"].run(
        Network.from_networkx(keyed(nx.disjoint_union(g, nx.path_graph(2))))
    )["records"]
    assert eig[-1]["eigenvector"] is None and eig[-1]["rank"] is None


def test_cli_toolkit_on_florentine(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    g = nx.florentine_families_graph()
    actors = tmp_path / "a.csv"
    ties = tmp_path / "t.csv"
    actors.write_text(
        "id,name,type,country\n"
        + "".join(f"{n},{n},cso,{'ITA' if i % 2 else 'CHN'}\n" for i, n in enumerate(sorted(g)))
    )
    ties.write_text("source,target\n" + "".join(f"{u},{v}\n" for u, v in sorted(g.edges())))
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    deg = json.loads(cli("degree", "--top", "2", "-f", "json").output)["records"]
    assert [(r["id"], r["partners"]) for r in deg] == [("Medici", 6), ("Guadagni", 4)]
    close = json.loads(cli("closeness", "-f", "json").output)["records"]
    want = {k: v / 14 for k, v in nx.harmonic_centrality(g).items()}
    assert {r["id"]: r["harmonic_closeness"] for r in close} == pytest.approx(want)
    ego = json.loads(cli("ego-density", "--by", "continent", "-f", "json").output)["records"]
    assert [r["continent"] for r in ego] == ["Asia", "Europe"]
    assert [r["actors"] for r in ego] == [8, 7]
    csv_out = cli("pagerank", "--top", "3", "-f", "csv").output.splitlines()
    assert csv_out[0] == "rank,id,name,type,country,pagerank" and len(csv_out) == 4
    table = cli("kcore").output
    assert "k-core numbers" in table and "Medici" in table
    mix = json.loads(cli("mixing", "--by", "continent", "-f", "json").output)
    assert mix["groups"] == ["Asia", "Europe"]
