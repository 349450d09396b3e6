"""Measures attached as node attributes in GEXF and GraphML exports, equal to the CLI's JSON and
to NetworkX on the read-back graph."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import igraph as ig
import networkx as nx
import pytest

from civnet.products.export import export_network
from civnet.views import Network


def florentine() -> Network:
    g = nx.florentine_families_graph()
    countries = {n: ("ITA" if i % 2 else "JPN") for i, n in enumerate(sorted(g))}
    nx.set_node_attributes(g, countries, "country")
    return Network.from_networkx(g)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_gephi_formats_carry_the_measures(tmp_path: Path, fmt: str) -> None:
    net = florentine()
    path = tmp_path / f"f.{fmt}"
    export_network(net, fmt, path)
    back = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    g = nx.florentine_families_graph()
    nodes = dict(back.nodes(data=True))
    assert {n: d["partners"] for n, d in nodes.items()} == dict(g.degree())
    assert {n: d["betweenness"] for n, d in nodes.items()} == pytest.approx(
        nx.betweenness_centrality(g), abs=1e-12
    )
    assert {n: d["pagerank"] for n, d in nodes.items()} == pytest.approx(
        nx.pagerank(g, tol=1e-13), abs=1e-8
    )
    assert {n: d["core"] for n, d in nodes.items()} == nx.core_number(g)
    assert {n: d["harmonic_closeness"] for n, d in nodes.items()} == pytest.approx(
        {n: h / 14 for n, h in nx.harmonic_centrality(g).items()}, abs=1e-12
    )
    assert nodes["Medici"]["eigenvector"] == pytest.approx(1.0)
    # sorted families alternate JPN, ITA: Acciaiuoli JPN, Albizzi ITA, ..., Medici JPN
    assert nodes["Albizzi"]["continent"] == "Europe" and nodes["Medici"]["continent"] == "Asia"
    assert nodes["Albizzi"]["region"] == "Southern Europe"
    # Pazzi has one partner: no ego density, left out rather than written as 0
    assert "ego_density" not in nodes["Pazzi"]
    assert nodes["Medici"]["ego_density"] == pytest.approx(1 / 15)


def test_graphml_measure_keys_have_one_type_each(tmp_path: Path) -> None:
    path = tmp_path / "f.graphml"
    export_network(florentine(), "graphml", path)
    g = ig.Graph.Read_GraphML(str(path))
    assert g.vs.find(id="Medici")["partners"] == 6
    assert g.vs.find(id="Pazzi")["core"] == 1


def test_no_measures_option(tmp_path: Path) -> None:
    path = tmp_path / "f.gexf"
    export_network(florentine(), "gexf", path, measures=False)
    nodes = dict(nx.read_gexf(path).nodes(data=True))
    assert "pagerank" not in nodes["Medici"] and nodes["Medici"]["country"] == "JPN"


def test_cli_export_attributes_equal_cli_measures(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = nx.krackhardt_kite_graph()
    actors = tmp_path / "a.csv"
    ties = tmp_path / "t.csv"
    actors.write_text("id,name,type,country\n" + "".join(f"k{n},K{n},cso,KEN\n" for n in g))
    ties.write_text("source,target\n" + "".join(f"k{u},k{v}\n" for u, v in g.edges()))
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    cli("export", "gexf", str(tmp_path / "kite.gexf"))
    nodes = dict(nx.read_gexf(tmp_path / "kite.gexf").nodes(data=True))
    for measure, column in [
        ("pagerank", "pagerank"),
        ("kcore", "core"),
        ("closeness", "harmonic_closeness"),
    ]:
        rows = json.loads(cli(measure, "-f", "json").output)["records"]
        assert {r["id"]: r[column] for r in rows} == pytest.approx(
            {n: d[column] for n, d in nodes.items()}, abs=1e-12
        ), measure
    cli("export", "csv", str(tmp_path / "kite.csv"), "--no-measures")
    with open(tmp_path / "kite.nodes.csv", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["pagerank"] == ""
