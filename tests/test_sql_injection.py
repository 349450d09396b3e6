"""Names from input files never steer SQL (issue 11 item 1).

Each payload below deleted every tie of the workspace and exited 0 before identifiers were quoted
by :func:`civnet.sql.quote_ident` (the payloads were run against the earlier code to check
that they did). Now each import keeps the workspace's ties and stores the name verbatim as an
attribute key.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civnet.sql import quote_ident, quote_literal
from civnet.store import Workspace

# Closes json_object('...') in the tie query, deletes the ties, and ends with a SELECT whose
# last column is the column itself, so that the rest of the original query stays valid.
TIE_PAYLOAD = (
    "k', 1) AS VARCHAR) AS attrs FROM _it; DELETE FROM ties; SELECT trim(source) AS source, "
    "trim(target) AS target, 'general' AS track, 'other' AS kind, NULL::DATE AS start_date, "
    "NULL::DATE AS end_date, 1.0 AS weight, false AS directed, 'r' AS ref, CAST(json_object('k"
)
# Closes "..." in the actor query's select list, deletes the ties, and re-selects the actors.
ACTOR_PAYLOAD = (
    'id" FROM _ia LEFT JOIN _iso ON _iso.name = trim(_ia.country); DELETE FROM ties; '
    "SELECT trim(id) AS id, trim(id) AS name, 'cso' AS type, _iso.iso3 AS country, NULL AS city, "
    'NULL::DOUBLE AS lat, NULL::DOUBLE AS lon, _row, "id'
)


def _csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def seeded(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A workspace with actors a, b, c and the tie a-b."""
    actors = _csv(
        tmp_path / "actors.csv",
        ["id", "type", "country"],
        ["a", "cso", "FRA"],
        ["b", "cso", "DEU"],
        ["c", "cso", "ITA"],
    )
    ties = _csv(tmp_path / "ties.csv", ["source", "target"], ["a", "b"])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    return cli


def _ties(ws_path: Path) -> list[tuple[str, str, dict[str, str] | None]]:
    with Workspace(ws_path, read_only=True) as w:
        rows = w.con.execute("SELECT source, target, attrs FROM ties ORDER BY tie_id").fetchall()
    return [(s, t, json.loads(a) if a else None) for s, t, a in rows]


def test_quote_ident_and_literal_make_any_text_one_token() -> None:
    con = duckdb.connect()
    for text in [TIE_PAYLOAD, ACTOR_PAYLOAD, 'a"b', "a'b", "--", "x; DROP TABLE t"]:
        con.execute(f"CREATE OR REPLACE TABLE t ({quote_ident(text)} VARCHAR)")
        con.execute("INSERT INTO t VALUES ('v')")
        assert con.execute("SELECT * FROM t").description[0][0] == text
        assert con.execute(f"SELECT {quote_literal(text)}").fetchall() == [(text,)]
    with pytest.raises(ValueError, match="NUL"):
        quote_ident("a\x00b")


def test_tie_column_name_in_csv(seeded, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    evil = _csv(tmp_path / "evil.csv", ["source", "target", TIE_PAYLOAD], ["b", "c", "v"])
    seeded("import", "table", "--ties", str(evil))
    assert _ties(ws_path) == [("a", "b", None), ("b", "c", {TIE_PAYLOAD.lower(): "v"})]


def test_actor_column_name_in_csv(seeded, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    evil = _csv(
        tmp_path / "evil.csv", ["id", "type", "country", ACTOR_PAYLOAD], ["d", "cso", "FRA", "v"]
    )
    seeded("import", "table", "--actors", str(evil))
    assert _ties(ws_path) == [("a", "b", None)]
    with Workspace(ws_path, read_only=True) as w:
        attrs = w.con.execute("SELECT attrs FROM actors WHERE id = 'd'").fetchone()
    assert attrs is not None and json.loads(attrs[0]) == {ACTOR_PAYLOAD.lower(): "v"}


def test_tie_key_in_jsonl(seeded, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.jsonl"
    evil.write_text(json.dumps({"source": "b", "target": "c", TIE_PAYLOAD: "v"}) + "\n")
    seeded("import", "table", "--ties", str(evil))
    assert _ties(ws_path) == [("a", "b", None), ("b", "c", {TIE_PAYLOAD.lower(): "v"})]


def test_tie_column_in_parquet(seeded, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.parquet"
    pq.write_table(pa.table({"source": ["b"], "target": ["c"], TIE_PAYLOAD: ["v"]}), evil)
    seeded("import", "table", "--ties", str(evil))
    assert _ties(ws_path) == [("a", "b", None), ("b", "c", {TIE_PAYLOAD.lower(): "v"})]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_edge_attribute_name_in_graph_files(
    seeded, tmp_path: Path, ws_path: Path, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    g = nx.Graph()
    g.add_node("b")
    g.add_node("c")
    g.add_edge("b", "c", **{TIE_PAYLOAD: "v"})
    evil = tmp_path / f"evil.{fmt}"
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(g, evil)
    seeded("import", fmt, str(evil), "--default-type", "cso", "--default-country", "FRA")
    assert _ties(ws_path) == [("a", "b", None), ("b", "c", {TIE_PAYLOAD.lower(): "v"})]


def test_node_attribute_name_in_graphml(seeded, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    g = nx.Graph()
    g.add_node("d", type="cso", country="FRA", **{ACTOR_PAYLOAD: "v"})
    g.add_node("e", type="cso", country="FRA", **{ACTOR_PAYLOAD: "w"})
    g.add_edge("d", "e")
    evil = tmp_path / "evil.graphml"
    nx.write_graphml(g, evil)
    seeded("import", "graphml", str(evil))
    assert _ties(ws_path) == [("a", "b", None), ("d", "e", None)]


@pytest.mark.parametrize("name", ["it's.csv", 'q"uote.csv', "x'); DELETE FROM ties; --.csv"])
def test_quotes_in_file_names(seeded, tmp_path: Path, ws_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    ties = _csv(tmp_path / name, ["source", "target"], ["b", "c"])
    seeded("import", "table", "--ties", str(ties))
    assert _ties(ws_path) == [("a", "b", None), ("b", "c", None)]
