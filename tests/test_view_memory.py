"""A view holds no Python object per tie or edge (issue 12 item 7): edges built with numpy,
attributes referencing the distinct values, ties kept in tie order without a second copy."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa

from civnet.importers.tables import import_tables
from civnet.store import Workspace
from civnet.views import Network, ViewSpec, build_network
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
