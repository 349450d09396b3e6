"""Odd values in input files: each gets one line and exit 2, or a documented normalisation
(issue 11 item 7). Every expected message was checked to be absent before the fix."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from civnet.store import Workspace

ACTORS = "id,type,country\na,cso,FRA\nb,cso,DEU\n"


def _write(tmp: Path, name: str, data: str | bytes) -> Path:
    p = tmp / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _counts(ws_path: Path) -> dict[str, int]:
    if not ws_path.exists():
        return {}
    with Workspace(ws_path, read_only=True) as w:
        return w.counts()


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def seeded(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    cli("import", "table", "--actors", str(_write(tmp_path, "actors.csv", ACTORS)))
    return cli


BAD_TIES: dict[str, tuple[str, str]] = {
    "year 0000": ("source,target,start\na,b,0000\n", "field 'start': malformed date"),
    "BC year": ("source,target,start\na,b,-0044-03-15\n", "field 'start': malformed date"),
    "five-digit year": ("source,target,end\na,b,99999\n", "field 'end': malformed date"),
    "year-month 0000": ("source,target,start\na,b,0000-05\n", "field 'start': malformed date"),
    "nan weight": (
        "source,target,weight\na,b,nan\n",
        "field 'weight': weight must be a number >= 0 and <= 1e+12",
    ),
    "inf weight": (
        "source,target,weight\na,b,inf\n",
        "field 'weight': weight must be a number >= 0 and <= 1e+12",
    ),
    "overflow": (
        "source,target,weight\na,b,1e400\n",
        "field 'weight': weight must be a number >= 0 and <= 1e+12",
    ),
    "huge weight": (
        "source,target,weight\na,b,1.7e308\n",
        "field 'weight': weight must be a number >= 0 and <= 1e+12",
    ),
    "tab source": ("source,target\n\t,b\n", "field 'source': empty actor id"),
    "nbsp target": ("source,target\na,\u00a0\u3000\n", "field 'target': empty actor id"),
}


@pytest.mark.parametrize("case", sorted(BAD_TIES))
def test_bad_tie_values_stop_with_one_line(
    seeded, tmp_path: Path, ws_path: Path, case: str
) -> None:  # type: ignore[no-untyped-def]
    text, message = BAD_TIES[case]
    before = _counts(ws_path)
    line = _one_line_error(
        seeded("import", "table", "--ties", str(_write(tmp_path, "t.csv", text)), code=2)
    )
    assert "t.csv, row 1: " + message in line
    assert _counts(ws_path) == before


def test_two_huge_weights_are_refused_not_summed_to_infinity(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two 1.7e308 weights summed to inf and crashed weighted betweenness; both are refused."""
    text = "source,target,weight\na,b,1.7e308\nb,a,1.7e308\n"
    line = _one_line_error(
        seeded("import", "table", "--ties", str(_write(tmp_path, "t.csv", text)), code=2)
    )
    assert "(and 1 more bad rows)" in line


def test_whitespace_only_actor_id_is_an_empty_id(cli, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, "a.csv", "id,type,country\n\u2003\t,cso,FRA\n")
    line = _one_line_error(cli("import", "table", "--actors", str(p), code=2))
    assert "a.csv, row 1: field 'id': empty id" in line
    assert _counts(ws_path) in ({}, {"actors": 0, "ties": 0, "sources": 0, "rejects": 0})


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("id,type,country\na,cso,FRA\nb,cso,DEU,extra\n", "line 3", "4 fields, the header has 3"),
        ("id,type,country\na,cso,FRA\nb,cso\n", "line 3", "2 fields, the header has 3"),
    ],
)
def test_ragged_row_is_named_by_its_line(
    cli, tmp_path: Path, text: str, where: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    """It was reported as "the file has a header but no rows"."""
    p = _write(tmp_path, "r.csv", text)
    line = _one_line_error(cli("import", "table", "--actors", str(p), code=2))
    assert f"r.csv, {where}: the row has {message}" in line


def test_nul_byte_is_named_by_row_and_field(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, "n.csv", b"id,name,type,country\na,A,cso,FRA\nb,B\x00C,cso,DEU\n")
    line = _one_line_error(cli("import", "table", "--actors", str(p), code=2))
    assert "n.csv, row 2: field 'name' contains a NUL character" in line


@pytest.mark.parametrize("encoding", ["klingon", "cp1252"])
def test_unknown_encoding(cli, tmp_path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, "a.csv", ACTORS)
    line = _one_line_error(
        cli("import", "table", "--actors", str(p), "--encoding", encoding, code=2)
    )
    assert f"unknown or unsupported encoding {encoding!r}" in line
    assert "--encoding utf-8, utf-16 or latin-1" in line


def test_utf16_is_read(cli, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "a.csv"
    p.write_bytes(ACTORS.encode("utf-16"))
    cli("import", "table", "--actors", str(p), "--encoding", "utf-16")
    assert _counts(ws_path)["actors"] == 2


def test_columns_differing_only_in_case(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = _write(tmp_path, "a.csv", "id,Type,type,country\na,cso,media,FRA\n")
    line = _one_line_error(cli("import", "table", "--actors", str(p), code=2))
    assert "columns 'Type' and 'type' have the same name once case is ignored" in line


def test_graphml_type_and_Type_collide(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = nx.Graph()
    g.add_node("a", type="cso", Type="media", country="FRA")
    g.add_node("b", type="cso", Type="media", country="FRA")
    g.add_edge("a", "b")
    p = tmp_path / "g.graphml"
    nx.write_graphml(g, p)
    line = _one_line_error(cli("import", "graphml", str(p), code=2))
    assert "node attributes 'Type' and 'type' have the same name once case is ignored" in line


def test_jsonl_column_of_mixed_types_is_stored_without_quotes(
    cli, tmp_path: Path, ws_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Numbers, strings, lists and objects in one column: text without JSON quotes; nested
    values as compact JSON (docs/security.md)."""
    rows = [
        {"id": "a", "type": "cso", "country": "FRA", "x": 1},
        {"id": "b", "type": "cso", "country": "FRA", "x": "s"},
        {"id": "c", "type": "cso", "country": "FRA", "x": [1, 2]},
        {"id": "d", "type": "cso", "country": "FRA", "x": {"k": "v"}},
    ]
    p = _write(tmp_path, "a.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    cli("import", "table", "--actors", str(p))
    with Workspace(ws_path, read_only=True) as w:
        got = dict(w.con.execute("SELECT id, attrs FROM actors").fetchall())
    assert {k: json.loads(v)["x"] for k, v in got.items()} == {
        "a": "1",
        "b": "s",
        "c": "[1,2]",
        "d": '{"k":"v"}',
    }
