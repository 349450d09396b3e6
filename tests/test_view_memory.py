"""A view holds no Python object per tie or edge (issue 12 item 7): edges built with numpy,
attributes referencing the distinct values, ties kept in tie order without a second copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.importers.tables import import_tables
from civnet.store import Workspace
from civnet.views import Network, ViewSpec, build_network, network
from civnet.views.arrays import numeric
from civnet.views.network import _by_tie_id, _shared_values


def test_edge_weights_reference_one_object_per_distinct_value() -> None:
    n = 300
    ids = [f"a{i:03d}" for i in range(n)]
    ties = pa.table(
        {
            "source": ids[:-1],
            "target": ids[1:],
            "weight": [2.0] * (n - 2) + [0.5],
            "directed": [False] * (n - 1),
        }
    )
    net = Network.from_tables(pa.table({"id": ids, "name": ids, "type": ["cso"] * n}), ties)
    weights = net.graph.es["weight"]
    assert weights == [2.0] * (n - 2) + [0.5]
    assert len({id(w) for w in weights}) == 2
    assert net.graph.get_edgelist() == [(i, i + 1) for i in range(n - 1)]


def test_shared_values_keep_order_and_values() -> None:
    values = np.array([3.0, 1.0, 3.0, 2.5, 1.0])
    out = _shared_values(values)
    assert out == [3.0, 1.0, 3.0, 2.5, 1.0]
    assert out[0] is out[2] and out[1] is out[4]


def test_ties_sorted_by_tie_id_only_when_needed() -> None:
    sorted_ties = pa.table({"tie_id": [1, 2, 5], "x": ["a", "b", "c"]})
    assert _by_tie_id(sorted_ties) is sorted_ties
    shuffled = pa.table({"tie_id": pa.array([5, None, 1], pa.int64()), "x": ["c", "p", "a"]})
    assert _by_tie_id(shuffled).to_pydict() == {"tie_id": [1, 5, None], "x": ["a", "c", "p"]}


def test_views_leave_no_temp_tables_and_match_networkx(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("id,type,country\nu1,university,DEU\nu2,cso,FRA\nn1,network,FRA\nm1,media,USA\n")
    t = tmp_path / "t.csv"
    t.write_text(
        "source,target,kind,weight,directed\n"
        "u1,u2,exchange,2,false\nu2,u1,agreement,1,false\nu1,n1,membership,1,false\n"
        "u2,n1,membership,1,false\nm1,u1,funding,3,true\n"
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        import_tables(ws, actors=a, ties=t)
        for spec in (ViewSpec(), ViewSpec(project=True), ViewSpec(actor_types=("university",))):
            net = build_network(ws, spec)
            temp = ws.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE temporary"
            ).fetchall()
            assert not [x for (x,) in temp if x.startswith("_v_")], spec
            tie_ids = net.ties.column("tie_id").to_pylist()
            known = [x for x in tie_ids if x is not None]
            assert known == sorted(known)
        net = build_network(ws)
    g = nx.Graph()
    g.add_weighted_edges_from(
        [("u1", "u2", 3.0), ("n1", "u1", 1.0), ("n1", "u2", 1.0), ("m1", "u1", 3.0)]
    )
    got = {frozenset((net.ids[e.source], net.ids[e.target])): e["weight"] for e in net.graph.es}
    assert got == {frozenset((u, v)): d["weight"] for u, v, d in g.edges(data=True)}


def test_vertex_attributes_share_repeated_values() -> None:
    ids = [f"a{i}" for i in range(6)]
    actors = pa.table(
        {
            "id": ids,
            "name": ids,
            "type": ["cso", "city", "cso", "cso", "city", "cso"],
            "country": ["FRA", None, "FRA", "DEU", None, "FRA"],
            "lat": pa.array([1.5, None, 1.5, 2.0, None, None], pa.float64()),
        }
    )
    ties = pa.table({"source": ids[:-1], "target": ids[1:], "weight": [1.0] * 5})
    ties = ties.append_column("directed", pa.array([False] * 5))
    g = Network.from_tables(actors, ties).graph
    assert g.vs["type"] == ["cso", "city", "cso", "cso", "city", "cso"]
    assert g.vs["country"] == ["FRA", None, "FRA", "DEU", None, "FRA"]
    assert g.vs["lat"] == [1.5, None, 1.5, 2.0, None, None]
    assert len({id(x) for x in g.vs["type"]}) == 2


# -- no pandas on the view and betweenness path; large views read their edges from a file -------


@pytest.mark.parametrize(
    "array",
    [
        pa.array([3, 1, 2], pa.int64()),
        pa.array([3, 1, 2], pa.int32()),
        pa.array([3, 1, 250], pa.uint8()),
        pa.array([1.5, -2.0, 0.0], pa.float64()),
        pa.array([1.5, None, 0.0], pa.float64()),
        pa.array([1.5, None, 0.0], pa.float32()),
        pa.array([True, False, True, True, False, False, True, False, True, True]),
        pa.array([True, False, None]),
        pa.array([1, None, 3], pa.int64()),
        pa.array([], pa.float64()),
        pa.array([], pa.bool_()),
        pa.array(list(range(40)), pa.int64()).slice(3, 17),
        pa.array([i % 3 == 0 for i in range(40)]).slice(5, 21),
        pa.array([0.5 * i if i % 4 else None for i in range(40)]).slice(7, 20),
        pa.chunked_array([pa.array([1, 2], pa.int16()), pa.array([7], pa.int16())]),
        pa.chunked_array([pa.array([True]), pa.array([False, True])]),
        pa.chunked_array([], pa.float64()),
    ],
)
def test_numeric_equals_to_numpy(array: pa.Array | pa.ChunkedArray) -> None:
    expected = array.to_numpy(zero_copy_only=False)
    got = numeric(array)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_numeric_fills_integer_nulls_when_asked() -> None:
    arr = pa.array([4, None, 6, None], pa.int32()).slice(1)
    got = numeric(arr, null=-1)
    assert got.dtype == np.int32
    assert got.tolist() == [-1, 6, -1]
    assert numeric(pa.array(["a", None]).dictionary_encode().indices, null=9).tolist() == [0, 9]


def _ba_tables(n: int, m: int, directed: bool = False) -> tuple[pa.Table, pa.Table]:
    g = nx.barabasi_albert_graph(n, m, seed=3)
    ids = [f"v{i:04d}" for i in range(n + 2)]  # two isolated actors, sorted last
    edges = list(g.edges())
    rng = np.random.default_rng(5)
    ties = pa.table(
        {
            "source": [ids[u] for u, _ in edges] + [ids[edges[0][0]]],
            "target": [ids[v] for _, v in edges] + [ids[edges[0][1]]],  # a parallel tie
            "weight": rng.integers(1, 4, len(edges) + 1).astype(float),
            "directed": [directed and i % 3 == 0 for i in range(len(edges) + 1)],
        }
    )
    return pa.table({"id": ids, "name": ids, "type": ["cso"] * len(ids)}), ties


@pytest.mark.parametrize("directed", [False, True])
def test_views_read_through_an_edge_file_equal_those_from_the_buffer(
    directed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    actors, ties = _ba_tables(400, 3, directed)
    small = Network.from_tables(actors, ties)
    monkeypatch.setattr(network, "GRAPH_VIA_FILE", 10)
    large = Network.from_tables(actors, ties)
    assert large.graph.ecount() > 10
    for net in (small, large):
        assert net.graph.vcount() == 402 and net.directed is directed
    assert large.graph.get_edgelist() == small.graph.get_edgelist()
    for attr in small.graph.es.attributes():
        assert large.graph.es[attr] == small.graph.es[attr]
    assert large.graph.vs["name"] == small.graph.vs["name"]


def test_building_a_view_and_its_betweenness_never_imports_pandas(tmp_path: Path) -> None:
    """pyarrow imports pandas (about 60 MB) on its first conversion of an array to or from
    Python or numpy; the view reads its columns through their buffers (civnet.views.arrays).
    Checked in a fresh process: exact and bounded betweenness, and the describe summary."""
    a = tmp_path / "a.csv"
    t = tmp_path / "t.csv"
    g = nx.les_miserables_graph()
    names = sorted(g)
    a.write_text(
        "id,name,type,country\n"
        + "".join(f"{i},{n},cso,{'FRA' if i % 2 else 'DEU'}\n" for i, n in enumerate(names))
    )
    index = {n: i for i, n in enumerate(names)}
    t.write_text(
        "source,target,weight,start\n"
        + "".join(
            f"{index[u]},{index[v]},{int(d['weight'])},{1990 + k % 7 if k % 5 else ''}\n"
            for k, (u, v, d) in enumerate(sorted(g.edges(data=True)))
        )
    )
    ws_path = tmp_path / "w.duckdb"
    with Workspace(ws_path) as ws:
        import_tables(ws, actors=a, ties=t)
    code = (
        "import sys\n"
        "from civnet._lean import lean_imports\n"
        "lean_imports()\n"
        "from civnet.store import Workspace\n"
        "from civnet.views import build_network\n"
        "from civnet.measures import betweenness, describe\n"
        f"with Workspace({str(ws_path)!r}, read_only=True) as ws:\n"
        "    net = build_network(ws)\n"
        "exact = betweenness(net)\n"
        "approx = betweenness(net, approx=0.05, seed=1)\n"
        "summary = describe(net)\n"
        "assert exact.values.max() > 0.1 and approx.eps and summary['periods']['dated'] > 0\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_labels_equal_to_the_id_are_the_ids_own_strings() -> None:
    ids = ["a", "b", "c", "d"]
    actors = pa.table({"id": ids, "name": ["a", "Bee", None, "d"], "type": ["cso"] * 4})
    ties = pa.table(
        {"source": ["a", "b"], "target": ["b", "c"], "weight": [1.0, 1.0], "directed": [False] * 2}
    )
    g = Network.from_tables(actors, ties).graph
    assert g.vs["label"] == ["a", "Bee", None, "d"]
    names = g.vs["name"]
    assert g.vs["label"][0] is names[0] and g.vs["label"][3] is names[3]
    same = Network.from_tables(actors.set_column(1, "name", pa.array(ids)), ties).graph
    assert same.vs["label"] == ids
    assert all(x is y for x, y in zip(same.vs["label"], same.vs["name"], strict=True))


def test_civnet_processes_give_arrow_the_system_allocator() -> None:
    """The memory the view's transient Arrow arrays free goes back to the heap that igraph and
    NetworKit use (mimalloc, Arrow's default, keeps it for Arrow)."""
    code = (
        "from civnet._lean import lean_imports\n"
        "lean_imports()\n"
        "import pyarrow as pa\n"
        "print(pa.default_memory_pool().backend_name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "system"


def test_networkit_graph_from_int64_edges_is_the_same_graph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The approximation hands NetworKit the edge array read from igraph's file as int64 (no
    unsigned copy): the same graph, edge by edge, and the same seeded KADABRA estimate."""
    import networkit as nk

    from civnet.measures.intermediation import betweenness as bmod
    from civnet.measures.intermediation.betweenness_approx import _to_networkit

    monkeypatch.setattr(bmod, "EDGES_VIA_TEXT", 0)
    actors, ties = _ba_tables(600, 3)
    g = Network.from_tables(actors, ties).graph
    new, label = _to_networkit(g, weighted=False)
    text = bmod.edge_array(g)
    text = label[text].astype(np.uint64)  # the relabelling by degree, as an unsigned copy
    old = nk.Graph(g.vcount(), weighted=False, directed=False)
    old.addEdges((text[:, 0], text[:, 1]))
    assert list(new.iterEdges()) == list(old.iterEdges())
    scores = []
    for graph in (new, old):
        nk.setSeed(7, True)
        k = nk.centrality.KadabraBetweenness(graph, 0.05, 0.1, True)
        k.run()
        scores.append(k.scores())
    assert scores[0] == scores[1]


@pytest.mark.parametrize("directed", [False, True])
def test_pairs_of_a_large_view_come_without_tuples_and_are_the_same(
    directed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connected pairs (any order suffices) are read from igraph's written edge list when the
    view has more than ``GRAPH_VIA_FILE`` edges: the same pairs, partners and arcs."""
    actors, ties = _ba_tables(300, 3, directed)
    want = Network.from_tables(actors, ties)
    monkeypatch.setattr(network, "GRAPH_VIA_FILE", 10)
    got = Network.from_tables(actors, ties)
    np.testing.assert_array_equal(got.pair_edges(), want.pair_edges())
    np.testing.assert_array_equal(got.arc_edges(), want.arc_edges())
    for a, b in zip(got.partner_counts(), want.partner_counts(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert got.pair_count == want.pair_count > 0


@pytest.mark.parametrize("weighted", [False, True])
def test_networkit_graph_is_relabelled_by_degree_and_read_back(weighted: bool) -> None:
    """The approximation's NetworKit graph numbers the vertices by descending degree (hubs
    first: cache-friendly); mapped back by ``label`` it is the view's graph, edge for edge
    (with the same costs), and the estimate is read back on the view's vertices."""
    from civnet.measures.intermediation.betweenness_approx import _to_networkit

    actors, ties = _ba_tables(400, 3)
    g = Network.from_tables(actors, ties).graph
    if weighted:
        g.es["weight"] = [1.0 + (i % 3) for i in range(g.ecount())]
    G, label = _to_networkit(g, weighted=weighted)
    assert sorted(label.tolist()) == list(range(g.vcount()))
    deg = np.asarray(g.degree())
    assert (np.diff(deg[np.argsort(label)]) <= 0).all()  # label 0 the largest degree
    back = np.argsort(label)
    got = sorted(
        (min(back[u], back[v]), max(back[u], back[v]), round(G.weight(u, v), 12))
        for u, v in G.iterEdges()
    )
    want = sorted(
        (min(e.source, e.target), max(e.source, e.target),
         round(1.0 / e["weight"], 12) if weighted else 1.0)
        for e in g.es
    )  # fmt: skip
    assert got == want
