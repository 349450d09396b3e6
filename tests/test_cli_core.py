"""The core CLI: JSON contracts, block density, group betweenness, export round trip, analyze."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import igraph as ig
import networkx as nx
import pytest

from tests.test_density_betweenness import brute_group_betweenness


@pytest.fixture
def florentine_ws(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Padgett's Florentine families as a civnet workspace, families split over two 'countries'."""
    g = nx.florentine_families_graph()
    actors = tmp_path / "families.csv"
    ties = tmp_path / "marriages.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country"])
        for i, n in enumerate(sorted(g)):
            w.writerow([n, f"{n} family", "cso", "ITA" if i % 2 else "FRA"])
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track", "start"])
        for i, (u, v) in enumerate(sorted(g.edges())):
            w.writerow([u, v, "culture" if i % 3 else "economy_trade", 1400 + 10 * (i % 4)])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    return cli


def test_describe_json_contract(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(florentine_ws("describe", "--format", "json").output)
    assert d["nodes"] == 15
    assert d["edges"] == 20
    assert d["density"] == pytest.approx(nx.density(nx.florentine_families_graph()))
    assert d["by_track"] == {"culture": 13, "economy_trade": 7}
    assert d["by_country"] == {"ITA": 7, "FRA": 8}
    assert d["components"] == 1
    assert d["periods"] == {
        "dated": 20,
        "timeless": 0,
        "first": 1400,
        "last": 1430,
        "by_decade": {"1400s": 5, "1410s": 5, "1420s": 5, "1430s": 5},
    }


def test_betweenness_json_contract(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(florentine_ws("betweenness", "--format", "json").output)["records"]
    assert [r["betweenness"] for r in rows] == sorted(
        (r["betweenness"] for r in rows), reverse=True
    )
    assert rows[0]["id"] == "Medici" and rows[0]["name"] == "Medici family"
    assert round(rows[0]["betweenness"], 4) == 0.5220
    want = nx.betweenness_centrality(nx.florentine_families_graph())
    assert {r["id"]: r["betweenness"] for r in rows} == pytest.approx(want, abs=1e-12)
    top = json.loads(florentine_ws("betweenness", "--top", "3", "--raw", "-f", "json").output)[
        "records"
    ]
    raw = nx.betweenness_centrality(nx.florentine_families_graph(), normalized=False)
    assert [r["id"] for r in top] == ["Medici", "Guadagni", "Albizzi"]
    assert top[0]["betweenness"] == pytest.approx(raw["Medici"])


def test_betweenness_csv(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    out = florentine_ws("betweenness", "--top", "2", "--format", "csv").output.splitlines()
    assert out[0] == "rank,id,name,type,level,country,degree,betweenness"  # as to_pandas()
    assert out[1].startswith("1,Medici,Medici family,cso,")


def test_group_betweenness_by_country(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(florentine_ws("betweenness", "--group", "country", "-f", "json").output)[
        "records"
    ]
    g = nx.florentine_families_graph()
    order = sorted(g)
    got = {r["group"]: r["group_betweenness"] for r in rows}
    assert set(got) == {"FRA", "ITA"}
    for label, parity in (("FRA", 0), ("ITA", 1)):
        members = {n for i, n in enumerate(order) if i % 2 == parity}
        rest = len(g) - len(members)
        want = brute_group_betweenness(g, members) / (rest * (rest - 1) / 2)
        assert got[label] == pytest.approx(want, abs=1e-12)


def test_density_by_country_json(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(florentine_ws("density", "--by", "country", "-f", "json").output)
    assert d["groups"] == ["FRA", "ITA"]
    assert d["sizes"] == [8.0, 7.0]
    g = nx.florentine_families_graph()
    order = sorted(g)
    country = {n: ("ITA" if i % 2 else "FRA") for i, n in enumerate(order)}
    within_fra = sum(1 for u, v in g.edges() if country[u] == country[v] == "FRA")
    between = sum(1 for u, v in g.edges() if country[u] != country[v])
    assert d["matrix"][0][0] == pytest.approx(within_fra / (8 * 7 / 2))
    assert d["matrix"][0][1] == pytest.approx(between / (8 * 7))


def test_filters_reach_the_measures(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(florentine_ws("describe", "--track", "culture", "-f", "json").output)
    assert d["edges"] == 13
    d = json.loads(florentine_ws("describe", "--from", "1420", "--to", "1420", "-f", "json").output)
    assert d["edges"] == 15  # ties starting 1400, 1410 or 1420 are ongoing; 1430 not yet
    err = florentine_ws("describe", "--track", "poetry", code=2).output
    assert "unknown track 'poetry'; use one of: culture" in err


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_round_trip(florentine_ws, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"view.{fmt}"
    florentine_ws("export", fmt, str(out))
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    g = reader(out)
    rows = json.loads(florentine_ws("betweenness", "-f", "json").output)["records"]
    d = json.loads(florentine_ws("describe", "-f", "json").output)
    assert set(g.nodes()) == {r["id"] for r in rows}
    assert nx.density(g) == pytest.approx(d["density"], abs=1e-9)
    assert nx.betweenness_centrality(g) == pytest.approx(
        {r["id"]: r["betweenness"] for r in rows}, abs=1e-9
    )
    if fmt == "graphml":
        ig_graph = ig.Graph.Read_GraphML(str(out))
        ids = ig_graph.vs["id"]
        values = dict(zip(ids, ig_graph.betweenness(), strict=True))
        n = ig_graph.vcount()
        assert {k: v / ((n - 1) * (n - 2) / 2) for k, v in values.items()} == pytest.approx(
            {r["id"]: r["betweenness"] for r in rows}, abs=1e-9
        )


def test_analyze_prints_the_four_factors(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    out = florentine_ws("analyze").output
    assert "The four core factors" in out
    assert "Medici family" in out
    assert "Density by country" in out and "Strongest country pairs" in out
    assert "0.1905" in out  # density of the Florentine marriage network


def test_workspace_missing_for_analysis(cli) -> None:  # type: ignore[no-untyped-def]
    err = cli("describe", code=2).output
    assert "no workspace at" in err and "civnet load city-diplomacy" in err


def test_analyze_json_and_sampled_betweenness(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    exact = json.loads(florentine_ws("analyze", "--format", "json").output)
    assert exact["summary"]["nodes"] == 15
    assert exact["method"]["betweenness"].startswith("exact")
    assert exact["brokers"][0]["id"] == "Medici"
    fra = next(r for r in exact["blocks"]["countries"] if r["country"] == "FRA")
    assert fra["actors"] == 8
    sampled = json.loads(
        florentine_ws("betweenness", "--samples", "5", "--seed", "3", "-f", "json").output
    )
    again = json.loads(
        florentine_ws("betweenness", "--samples", "5", "--seed", "3", "-f", "json").output
    )
    assert sampled == again
    assert len(sampled["records"]) == 15


def test_betweenness_boot_gives_stability(florentine_ws) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(
        florentine_ws(
            "betweenness", "--boot", "30", "--top", "3", "--seed", "2", "-f", "json"
        ).output
    )["records"]
    assert [r["id"] for r in rows] == ["Medici", "Guadagni", "Albizzi"]
    assert round(rows[0]["betweenness"], 4) == 0.5220
    assert all(0.0 <= r["in_top_3"] <= 1.0 and r["low"] <= r["high"] for r in rows)
    again = json.loads(
        florentine_ws(
            "betweenness", "--boot", "30", "--top", "3", "--seed", "2", "-f", "json"
        ).output
    )["records"]
    assert rows == again


def test_written_files_have_ordinary_permissions(florentine_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    out = tmp_path / "view.graphml"
    florentine_ws("export", "graphml", str(out))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
