"""Exports of hostile text (issue 11 item 6): spreadsheet formulas neutralised, XML always
well-formed, JSON without NaN/Infinity, nothing but a regular file replaced."""

from __future__ import annotations

import csv
import json
import os
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pytest

from civnet.errors import UserError
from civnet.products.export import export_network
from civnet.views import Network

IDS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "a\x00b", "c\x01d", "plain"]


def hostile_net(lat: float = 48.8) -> Network:
    n = len(IDS)
    actors = pa.table(
        {
            "id": IDS,
            "name": [f"name {i}" for i in IDS],
            "type": ["cso"] * n,
            "country": ["FRA"] * n,
            "city": ['=HYPERLINK("http://evil")'] + [None] * (n - 1),
            "lat": pa.array([lat] + [None] * (n - 1), pa.float64()),
            "lon": pa.array([-3.5] + [None] * (n - 1), pa.float64()),
        }
    )
    ties = pa.table(
        {
            "source": IDS[:-1],
            "target": IDS[1:],
            "track": ["culture"] * (n - 1),
            "kind": ["exchange"] * (n - 1),
            "start_date": pa.nulls(n - 1, pa.date32()),
            "end_date": pa.nulls(n - 1, pa.date32()),
            "weight": pa.array([1.0] * (n - 1), pa.float64()),
            "directed": pa.array([False] * (n - 1), pa.bool_()),
        }
    )
    return Network.from_tables(actors, ties)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    nodes_p, edges_p = export_network(hostile_net(), "csv", tmp_path / "out.csv")
    nodes = _rows(nodes_p)
    assert sorted(r["id"] for r in nodes) == sorted(
        ["'=1+1", "'+cmd", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx", "a\x00b", "c\x01d", "plain"]
    )
    first = next(r for r in nodes if r["id"] == "'=1+1")
    assert first["city"] == '\'=HYPERLINK("http://evil")'
    assert (first["lat"], first["lon"]) == ("48.8", "-3.5")  # numbers are never changed
    for r in _rows(edges_p):
        for cell in (r["source"], r["target"]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_neutralising_can_be_turned_off(tmp_path: Path) -> None:
    nodes_p, _ = export_network(hostile_net(), "csv", tmp_path / "out.csv", spreadsheet_safe=False)
    assert sorted(r["id"] for r in _rows(nodes_p)) == sorted(IDS)


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_control_characters_still_give_well_formed_xml(tmp_path: Path, fmt: str) -> None:
    (path,) = export_network(hostile_net(), fmt, tmp_path / f"out.{fmt}")
    ET.parse(path)  # raises on a character XML cannot hold
    g = (nx.read_gexf if fmt == "gexf" else nx.read_graphml)(path)
    assert sorted(g.nodes) == sorted(
        ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "a\ufffdb", "c\ufffdd", "plain"]
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_json_has_no_nan_or_infinity(tmp_path: Path, bad: float) -> None:
    (path,) = export_network(hostile_net(lat=bad), "json", tmp_path / "out.json")
    text = path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    node = next(n for n in data["nodes"] if n["id"] == "=1+1")
    assert node["lat"] is None and node["lon"] == -3.5


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _symlink(p: Path) -> None:
    target = p.with_name("target.txt")
    target.write_text("keep me")
    p.symlink_to(target)


def _socket(p: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(p))
    s.close()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_fifo, "a FIFO"),
        (_symlink, "a symbolic link"),
        (_socket, "a socket"),
        (Path.mkdir, "a folder"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "gexf", "csv"])
def test_export_replaces_only_regular_files(tmp_path: Path, make, kind: str, fmt: str) -> None:  # type: ignore[no-untyped-def]
    name = "out.nodes.csv" if fmt == "csv" else f"out.{fmt}"
    target = tmp_path / name
    make(target)
    before = os.lstat(target)
    with pytest.raises(UserError, match=f"is {kind}; an export only creates or replaces regular"):
        export_network(hostile_net(), fmt, tmp_path / ("out.csv" if fmt == "csv" else name))
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    if kind == "a symbolic link":
        assert target.read_text() == "keep me"
    assert not (tmp_path / "out.edges.csv").exists()  # csv writes both files or neither


def test_device_node_is_refused(tmp_path: Path) -> None:
    """/dev/null is a character device: never replaced, even by root."""
    with pytest.raises(UserError, match="is a device"):
        export_network(hostile_net(), "json", Path("/dev/null"))
    assert Path("/dev/null").is_char_device()


def test_cli_switch(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.csv").write_text("id,type,country\n=1+1,cso,FRA\nb,cso,DEU\n")
    (tmp_path / "t.csv").write_text("source,target\n=1+1,b\n")
    cli("import", "table", "--actors", str(tmp_path / "a.csv"), "--ties", str(tmp_path / "t.csv"))
    cli("export", "csv", str(tmp_path / "safe.csv"))
    assert {r["id"] for r in _rows(tmp_path / "safe.nodes.csv")} == {"'=1+1", "b"}
    cli("export", "csv", str(tmp_path / "raw.csv"), "--no-spreadsheet-safe")
    assert {r["id"] for r in _rows(tmp_path / "raw.nodes.csv")} == {"=1+1", "b"}
