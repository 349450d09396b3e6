"""What a view counts when it mixes undirected and directed ties, against NetworkX.

The oracles are built here from the tie records alone: ``nx.Graph`` of the view for connected
pairs, partners and density; ``nx.DiGraph`` of the directed ties for arcs and in/out partners;
``nx.DiGraph`` with each undirected tie as two arcs for paths (betweenness, components).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.measures import arc_density, betweenness, block_density, density, describe
from civnet.products.analyze import betweenness_records
from civnet.views import Network, ViewSpec, build_network


def mixed_ties(
    seed: int, n: int = 40, m_und: int = 70, m_dir: int = 45
) -> tuple[pa.Table, pa.Table]:
    """Random actors in three countries; undirected and directed ties with parallels."""
    rng = np.random.default_rng(seed)
    ids = [f"a{i:02d}" for i in range(n)]
    actors = pa.table(
        {
            "id": ids,
            "name": ids,
            "type": ["city"] * n,
            "country": [["DEU", "FRA", "POL"][i % 3] for i in range(n)],
        }
    )
    src, dst, directed = [], [], []
    for count, is_dir in ((m_und, False), (m_dir, True)):
        for _ in range(count):
            a, b = rng.choice(n, size=2, replace=False)
            src.append(ids[a])
            dst.append(ids[b])
            directed.append(is_dir)
    # a directed tie parallel to an undirected one, a reciprocated pair, a repeated undirected tie
    src += [src[0], "a01", "a02", src[1]]
    dst += [dst[0], "a02", "a01", dst[1]]
    directed += [True, True, True, False]
    ties = pa.table(
        {
            "source": src,
            "target": dst,
            "weight": [1.0] * len(src),
            "directed": directed,
            "track": ["general"] * len(src),
            "kind": ["other"] * len(src),
        }
    )
    return actors, ties


def oracles(actors: pa.Table, ties: pa.Table) -> tuple[nx.Graph, nx.DiGraph, nx.DiGraph]:
    pairs, arcs, paths = nx.Graph(), nx.DiGraph(), nx.DiGraph()
    for g in (pairs, arcs, paths):
        g.add_nodes_from(actors.column("id").to_pylist())
    for s, t, d in zip(
        ties.column("source").to_pylist(),
        ties.column("target").to_pylist(),
        ties.column("directed").to_pylist(),
        strict=True,
    ):
        pairs.add_edge(s, t)
        paths.add_edge(s, t)
        if d:
            arcs.add_edge(s, t)
        else:
            paths.add_edge(t, s)
    return pairs, arcs, paths


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mixed_view_counts_equal_networkx(seed: int) -> None:
    actors, ties = mixed_ties(seed)
    net = Network.from_tables(actors, ties)
    g_pairs, g_arcs, g_paths = oracles(actors, ties)
    assert net.directed
    assert net.pair_count == g_pairs.number_of_edges()
    assert net.arc_count == g_arcs.number_of_edges()
    partners, out_p, in_p = net.partner_counts()
    ids = net.ids
    assert dict(zip(ids, partners.tolist(), strict=True)) == dict(g_pairs.degree())
    assert dict(zip(ids, out_p.tolist(), strict=True)) == dict(g_arcs.out_degree())
    assert dict(zip(ids, in_p.tolist(), strict=True)) == dict(g_arcs.in_degree())
    assert density(net) == pytest.approx(nx.density(g_pairs), abs=1e-12)
    assert arc_density(net) == pytest.approx(nx.density(g_arcs), abs=1e-12)
    d = describe(net)
    assert (d["nodes"], d["edges"], d["arcs"], d["ties"]) == (
        g_pairs.number_of_nodes(),
        g_pairs.number_of_edges(),
        g_arcs.number_of_edges(),
        ties.num_rows,
    )
    assert d["directed_ties"] == sum(ties.column("directed").to_pylist())
    assert d["components"] == nx.number_weakly_connected_components(g_paths)
    assert d["isolates"] == sum(1 for _, k in g_pairs.degree() if k == 0)


@pytest.mark.parametrize("normalized", [True, False])
def test_mixed_view_betweenness_walks_undirected_ties_both_ways(normalized: bool) -> None:
    actors, ties = mixed_ties(4)
    net = Network.from_tables(actors, ties)
    _, _, g_paths = oracles(actors, ties)
    got = dict(zip(net.ids, betweenness(net, normalized=normalized).values.tolist(), strict=True))
    want = nx.betweenness_centrality(g_paths, normalized=normalized)
    assert got == pytest.approx(want, abs=1e-12)


def test_block_density_counts_pairs_and_arcs_between_countries() -> None:
    actors, ties = mixed_ties(5)
    net = Network.from_tables(actors, ties)
    g_pairs, g_arcs, _ = oracles(actors, ties)
    country = dict(
        zip(actors.column("id").to_pylist(), actors.column("country").to_pylist(), strict=True)
    )
    bd = block_density(net, "country")
    k = {c: i for i, c in enumerate(bd.groups)}
    pairs = np.zeros((3, 3))
    for u, v in g_pairs.edges():
        pairs[k[country[u]], k[country[v]]] += 1
        if country[u] != country[v]:
            pairs[k[country[v]], k[country[u]]] += 1
    arcs = np.zeros((3, 3))
    for u, v in g_arcs.edges():
        arcs[k[country[u]], k[country[v]]] += 1
    np.testing.assert_array_equal(bd.ties, pairs)
    np.testing.assert_array_equal(bd.arcs, arcs)
    sizes = bd.sizes
    np.testing.assert_allclose(bd.matrix[0, 1], pairs[0, 1] / (sizes[0] * sizes[1]))
    np.testing.assert_allclose(bd.matrix[2, 2], pairs[2, 2] / (sizes[2] * (sizes[2] - 1) / 2))


def test_undirected_ties_stay_one_pair_after_directed_import(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: 26 undirected ties, then 3 directed ones, imported by the CLI."""
    actors = tmp_path / "actors.csv"
    names = [f"u{i:02d}" for i in range(12)]
    actors.write_text(
        "id,name,type,country\n"
        + "".join(f"{a},{a},university,{'DEU' if i % 2 else 'FRA'}\n" for i, a in enumerate(names)),
        encoding="utf-8",
    )
    und = [(names[i], names[j]) for i in range(12) for j in range(i + 1, 12)][:26]
    (tmp_path / "und.csv").write_text(
        "source,target,track\n" + "".join(f"{a},{b},education\n" for a, b in und),
        encoding="utf-8",
    )
    # two directed ties on pairs already tied (one against the stored orientation), one new pair
    directed = [(und[0][0], und[0][1]), (und[1][1], und[1][0]), (names[10], names[11])]
    assert (names[10], names[11]) not in und
    (tmp_path / "dir.csv").write_text(
        "source,target,track,directed\n"
        + "".join(f"{a},{b},education,true\n" for a, b in directed),
        encoding="utf-8",
    )
    cli("import", "table", "--actors", str(actors), "--ties", str(tmp_path / "und.csv"))
    before = json.loads(cli("describe", "--format", "json").output)
    cli("import", "table", "--ties", str(tmp_path / "dir.csv"))
    after = json.loads(cli("describe", "--format", "json").output)
    assert (before["edges"], before["arcs"], before["ties"]) == (26, 0, 26)
    assert (after["edges"], after["arcs"], after["ties"]) == (27, 3, 29)
    assert after["density"] == pytest.approx(27 / (12 * 11 / 2))
    assert after["arc_density"] == pytest.approx(3 / (12 * 11))
    # u00 has 11 undirected partners; a directed tie u00 -> u01 and one u02 -> u00 join
    # partners it already had: still 11 partners, one out- and one in-partner
    rows = json.loads(cli("betweenness", "--top", "12", "--format", "json").output)["records"]
    u00 = next(r for r in rows if r["id"] == names[0])
    assert (u00["degree"], u00["out_partners"], u00["in_partners"]) == (11, 1, 1)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from civnet.datasets import get
    from civnet.store import Workspace

    ws = Workspace(tmp_path_factory.mktemp("mixed") / "ws.duckdb")
    for name in ("city-diplomacy", "confucius-institutes"):
        get(name).loader(ws, None)
    yield ws
    ws.close()


def test_bethlehem_degree_is_its_distinct_partners(embedded) -> None:  # type: ignore[no-untyped-def]
    """Sister cities (undirected) beside Confucius memberships (directed): a mixed view."""
    ws = embedded
    net = build_network(ws, ViewSpec())
    assert net.directed
    bethlehem = "city:PSE:bethlehem"
    # oracle: distinct partners counted by SQL over the stored tie records
    row = ws.con.execute(
        """SELECT count(DISTINCT CASE WHEN source = ? THEN target ELSE source END)
           FROM ties WHERE ? IN (source, target)""",
        [bethlehem, bethlehem],
    ).fetchone()
    assert row is not None and row[0] == 86
    b = betweenness(net, samples=20, seed=0)
    rec = next(r for r in betweenness_records(net, b, None) if r["id"] == bethlehem)
    assert (rec["degree"], rec["out_partners"], rec["in_partners"]) == (86, 0, 0)
    d = describe(net)
    assert d["edges"] == nx.Graph(net.to_networkx()).number_of_edges()


@pytest.mark.parametrize("seed", [1, 2])
def test_network_view_lists_connected_pairs_not_arcs(seed: int) -> None:
    """The report's and the API's network payload lists each connected pair once (an undirected
    tie in a view with directed ties is not two edges), weighted by its tie records."""
    from civnet.products.graphview import graph_payload

    actors, ties = mixed_ties(seed)
    net = Network.from_tables(actors, ties)
    g_pairs, _, _ = oracles(actors, ties)
    p = graph_payload(net, [0.0] * net.graph.vcount())
    assert p["edges_total"] == g_pairs.number_of_edges() < net.graph.ecount()
    ids = net.ids
    listed = {
        frozenset((ids[s], ids[t])) for s, t in zip(p["edges"]["s"], p["edges"]["t"], strict=True)
    }
    assert listed == {frozenset(e) for e in g_pairs.edges()}
    records = nx.MultiGraph()
    records.add_edges_from(
        zip(ties.column("source").to_pylist(), ties.column("target").to_pylist(), strict=True)
    )
    want = {frozenset((u, v)): records.number_of_edges(u, v) for u, v in g_pairs.edges()}
    got = {
        frozenset((ids[s], ids[t])): w
        for s, t, w in zip(p["edges"]["s"], p["edges"]["t"], p["edges"]["weight"], strict=True)
    }
    assert got == want  # every tie record weighs 1 here
    top = graph_payload(net, [0.0] * net.graph.vcount(), max_edges=5)
    assert top["edges_drawn"] == 5 and sorted(top["edges"]["weight"], reverse=True)[0] == max(
        want.values()
    )
