"""Exports: GEXF 1.3 (dynamic), GraphML, node-link JSON and CSV, read back by NetworkX and igraph."""

from __future__ import annotations

import csv
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import networkx as nx
import pyarrow as pa
import pytest

from civnet.errors import BadFilter
from civnet.importers.tables import import_tables
from civnet.products import export as export_mod
from civnet.products.export import export_graph, export_network, merge_spells
from civnet.store import Workspace
from civnet.views import Network, ViewSpec, build_network

DATA = Path(__file__).parent / "data" / "products"
D = dt.date


def small_net(directed: bool = False) -> Network:
    """Four actors; ids that other tools like to re-type ("007", "42", "1.0")."""
    actors = pa.table(
        {
            "id": ["007", "42", "1.0", "X"],
            "name": ["Agent City", "Answer University", "One NGO", "X Media"],
            "type": ["city", "university", "cso", "media"],
            "country": ["GBR", "DEU", "FRA", None],
            "city": ["London", None, None, None],
            "lat": [51.5, 52.0, None, None],
            "lon": [0.0, 13, None, None],
        },
        schema=pa.schema(
            [
                ("id", pa.string()),
                ("name", pa.string()),
                ("type", pa.string()),
                ("country", pa.string()),
                ("city", pa.string()),
                ("lat", pa.float64()),
                ("lon", pa.float64()),
            ]
        ),
    )
    ties = pa.table(
        {
            "source": ["007", "007", "007", "42"],
            "target": ["42", "42", "1.0", "X"],
            "track": ["culture", "education", "health", "culture"],
            "kind": ["sister_city", "exchange", "agreement", "exchange"],
            "start_date": pa.array(
                [D(2001, 1, 1), D(2002, 6, 1), None, D(2010, 1, 1)], pa.date32()
            ),
            "end_date": pa.array([D(2003, 12, 31), None, None, D(2011, 12, 31)], pa.date32()),
            "weight": pa.array([1.0, 2.0, 1.0, 3.0], pa.float64()),
            "directed": pa.array([directed] * 4, pa.bool_()),
        }
    )
    return Network.from_tables(actors, ties)


@pytest.fixture
def ws_net(tmp_path: Path) -> Network:
    with Workspace(tmp_path / "p.duckdb") as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
        return build_network(ws, ViewSpec())


def test_merge_spells_hand_counted() -> None:
    assert merge_spells([("2001-01-01", "2003-12-31"), ("2002-06-01", None)]) == [
        ("2001-01-01", None)
    ]
    assert merge_spells(
        [("2005-01-01", "2006-01-01"), ("2001-01-01", "2002-01-01"), ("2001-06-01", "2001-07-01")]
    ) == [("2001-01-01", "2002-01-01"), ("2005-01-01", "2006-01-01")]
    assert merge_spells([]) == []


def test_export_graph_edges_spells_and_attributes() -> None:
    eg = export_graph(small_net())
    edges = {(e.source, e.target): e for e in eg.edges}
    e = edges[("007", "42")]
    assert (e.weight, e.n_ties, e.tracks, e.kinds) == (
        3.0,
        2,
        ["culture", "education"],
        ["exchange", "sister_city"],
    )
    assert e.spells == [("2001-01-01", None)]
    assert (e.start, e.end) == ("2001-01-01", "")
    assert edges[("007", "1.0")].spells is None  # timeless tie: always present
    assert edges[("42", "X")].spells == [("2010-01-01", "2011-12-31")]
    nodes = {n.id: n for n in eg.nodes}
    assert nodes["007"].spells is None  # one of its edges is timeless
    assert nodes["42"].spells == [("2001-01-01", None)]
    assert nodes["X"].spells == [("2010-01-01", "2011-12-31")]
    assert nodes["X"].attrs == {"type": "media"}
    assert nodes["007"].attrs == {
        "type": "city",
        "country": "GBR",
        "city": "London",
        "lat": 51.5,
        "lon": 0.0,
    }


def _open_end(spells: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """NetworkX's GEXF reader turns a spell without an end into the string 'None'."""
    return [(s, None if e == "None" else e) for s, e in spells]


def test_gexf_is_dynamic_13_and_reads_back_in_networkx(tmp_path: Path) -> None:
    p = tmp_path / "g.gexf"
    assert export_network(small_net(), "gexf", p, measures=False) == [p]
    root = ET.parse(p).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("{http://gexf.net/1.3}graph")
    assert graph is not None
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("timerepresentation")) == (
        "dynamic",
        "date",
        "interval",
    )
    g = nx.read_gexf(p, version="1.3")
    assert g.graph["mode"] == "dynamic"
    assert sorted(g.nodes) == ["007", "1.0", "42", "X"]  # ids stay strings, not 7 or 1.0
    assert g.nodes["007"] == {
        "label": "Agent City",
        "type": "city",
        "country": "GBR",
        "city": "London",
        "lat": 51.5,
        "lon": 0.0,
    }
    assert _open_end(g.nodes["42"]["spells"]) == [("2001-01-01", None)]
    e = g.edges["007", "42"]
    assert (e["weight"], e["n_ties"], e["tracks"], e["kinds"], e["start"]) == (
        3.0,
        2,
        "culture;education",
        "exchange;sister_city",
        "2001-01-01",
    )
    assert isinstance(e["n_ties"], int)
    assert _open_end(e["spells"]) == [("2001-01-01", None)]
    assert g.edges["42", "X"]["spells"] == [("2010-01-01", "2011-12-31")]
    assert "spells" not in g.edges["007", "1.0"]


def test_gexf_without_dates_is_static(tmp_path: Path) -> None:
    net = Network.from_networkx(nx.path_graph(3))
    p = tmp_path / "s.gexf"
    export_network(net, "gexf", p)
    g = nx.read_gexf(p, version="1.3")
    assert g.graph["mode"] == "static"
    assert sorted(g.edges) == [("0", "1"), ("1", "2")]


def test_gexf_directed(tmp_path: Path) -> None:
    p = tmp_path / "d.gexf"
    export_network(small_net(directed=True), "gexf", p)
    g = nx.read_gexf(p, version="1.3")
    assert g.is_directed()
    assert sorted(g.edges) == [("007", "1.0"), ("007", "42"), ("42", "X")]


def test_graphml_one_type_per_key_and_igraph_reads_it(tmp_path: Path) -> None:
    p = tmp_path / "g.graphml"
    export_network(small_net(), "graphml", p)
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = ET.parse(p).getroot().findall(f"{ns}key")
    by_name: dict[tuple[str, str], set[str]] = {}
    for k in keys:
        by_name.setdefault((k.get("for"), k.get("attr.name")), set()).add(k.get("attr.type"))
    assert all(len(t) == 1 for t in by_name.values())
    assert by_name[("node", "lat")] == {"double"}  # 52 (an int) and 51.5 under one type
    assert by_name[("edge", "n_ties")] == {"int"}
    h = ig.Graph.Read_GraphML(str(p))
    ids = h.vs["id"]
    assert ids == ["007", "1.0", "42", "X"]  # actors in id order, ids as written
    v42 = h.vs[ids.index("42")]
    assert (v42["label"], v42["lat"], v42["lon"]) == ("Answer University", 52.0, 13.0)
    e = h.es[h.get_eid(ids.index("007"), ids.index("42"))]
    assert (e["weight"], e["n_ties"], e["tracks"], e["start"]) == (
        3.0,
        2,
        "culture;education",
        "2001-01-01",
    )


def test_graphml_reads_back_in_networkx(tmp_path: Path) -> None:
    p = tmp_path / "g.graphml"
    export_network(small_net(), "graphml", p, measures=False)
    g = nx.read_graphml(p)
    assert sorted(g.nodes) == ["007", "1.0", "42", "X"]
    assert g.nodes["X"] == {"label": "X Media", "type": "media"}
    assert g.edges["42", "X"] == {
        "weight": 3.0,
        "n_ties": 1,
        "tracks": "culture",
        "kinds": "exchange",
        "start": "2010-01-01",
        "end": "2011-12-31",
    }


def test_node_link_json_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "g.json"
    export_network(small_net(), "json", p)
    data = json.loads(p.read_text(encoding="utf-8"))
    g = nx.node_link_graph(data, edges="edges")
    assert sorted(g.nodes) == ["007", "1.0", "42", "X"]
    assert g.nodes["42"]["spells"] == [["2001-01-01", None]]
    assert g.edges["007", "42"]["weight"] == 3.0
    assert g.edges["007", "1.0"]["spells"] is None


def test_csv_two_files_ids_kept(tmp_path: Path) -> None:
    written = export_network(small_net(), "csv", tmp_path / "out.csv")
    assert [p.name for p in written] == ["out.nodes.csv", "out.edges.csv"]
    with open(written[0], newline="", encoding="utf-8") as fh:
        nodes = list(csv.DictReader(fh))
    assert [n["id"] for n in nodes] == ["007", "1.0", "42", "X"]
    assert nodes[0]["lat"] == "51.5" and nodes[2]["spells"] == "2001-01-01/"
    with open(written[1], newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    first = next(e for e in edges if (e["source"], e["target"]) == ("42", "X"))
    assert first == {
        "source": "42",
        "target": "X",
        "weight": "3.0",
        "n_ties": "1",
        "tracks": "culture",
        "kinds": "exchange",
        "start": "2010-01-01",
        "end": "2011-12-31",
        "directed": "false",
        "spells": "2010-01-01/2011-12-31",
    }


def test_workspace_view_round_trips_through_every_reader(ws_net: Network, tmp_path: Path) -> None:
    ids = sorted(ws_net.ids)
    pairs = sorted(tuple(sorted(p)) for p in ws_net.to_networkx().edges)
    export_network(ws_net, "gexf", tmp_path / "w.gexf")
    export_network(ws_net, "graphml", tmp_path / "w.graphml")
    g1 = nx.read_gexf(tmp_path / "w.gexf", version="1.3")
    g2 = nx.read_graphml(tmp_path / "w.graphml")
    h = ig.Graph.Read_GraphML(str(tmp_path / "w.graphml"))
    assert sorted(g1.nodes) == sorted(g2.nodes) == sorted(h.vs["id"]) == ids
    assert sorted(tuple(sorted(e)) for e in g1.edges) == pairs
    assert sorted(tuple(sorted(e)) for e in g2.edges) == pairs
    assert (h.vcount(), h.ecount()) == (49, 109)
    assert sum(d["n_ties"] for *_, d in g1.edges(data=True)) == ws_net.ties.num_rows == 118


def test_unknown_format_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(BadFilter, match="unknown export format 'pajek'"):
        export_network(small_net(), "pajek", tmp_path / "x.net")


def test_failed_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "keep.graphml"
    p.write_text("old", encoding="utf-8")

    def boom(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_mod, "write_graphml", boom)
    with pytest.raises(RuntimeError):
        export_network(small_net(), "graphml", p)
    assert p.read_text(encoding="utf-8") == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["keep.graphml"]


def test_cli_export_gexf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", "table", "--actors", str(DATA / "actors.csv"), "--ties", str(DATA / "ties.csv"))
    out = tmp_path / "edu.gexf"
    res = cli("export", "gexf", str(out), "--track", "education")
    assert f"wrote {out}" in res.output.replace("\n", "")
    g = nx.read_gexf(out, version="1.3")
    assert all(d["tracks"] == "education" for *_, d in g.edges(data=True))
    assert g.number_of_edges() > 0
