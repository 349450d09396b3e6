"""`civnet import table`: formats, Kumu columns, mapping, idempotence and every bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from civnet.store import Workspace

ACTORS = """id,name,type,country,sector
u1,Uni One,university,Germany,public
u2,Uni Two,University,FRA,
n1,Youth NGO,youth-org,China,
m1,Daily,media,USA,
"""

TIES = """source,target,track,kind,start,end,weight,directed
u1,u2,education,exchange,2016,2019,2,false
u2,n1,culture,agreement,2018-05,,1,
n1,m1,,,,,3,yes
"""


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "actors.csv", ACTORS), write(tmp_path, "ties.csv", TIES)


def counts(path: Path) -> dict[str, int]:
    if not path.exists():
        return {"actors": 0, "ties": 0, "sources": 0, "rejects": 0}
    with Workspace(path, read_only=True) as w:
        return w.counts()


def test_import_and_reimport(cli, files, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    actors, ties = files
    out = cli("import", "table", "--actors", str(actors), "--ties", str(ties)).output
    assert "7 rows read, 3 ties added, 0 merged" in out
    assert counts(ws_path) == {"actors": 4, "ties": 3, "sources": 1, "rejects": 0}
    out = cli("import", "table", "--actors", str(actors), "--ties", str(ties)).output
    assert "already in the workspace; nothing added" in out
    assert counts(ws_path) == {"actors": 4, "ties": 3, "sources": 1, "rejects": 0}
    with Workspace(ws_path, read_only=True) as w:
        rows = w.con.execute(
            "SELECT source, target, track, kind, start_date::VARCHAR, end_date::VARCHAR, weight, "
            "directed, refs FROM ties ORDER BY tie_id"
        ).fetchall()
        actor = w.con.execute("SELECT type, country, attrs FROM actors WHERE id='u1'").fetchall()
    assert rows == [
        ("n1", "m1", "general", "other", None, None, 3.0, True, ["s1:row 3"]),
        ("n1", "u2", "culture", "agreement", "2018-05-01", None, 1.0, False, ["s1:row 2"]),
        ("u1", "u2", "education", "exchange", "2016-01-01", "2019-12-31", 2.0, False, ["s1:row 1"]),
    ]
    assert actor == [("university", "DEU", json.dumps({"sector": "public"}))]


def test_same_tie_from_two_sources_is_one_tie_with_both_refs(cli, files, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    actors, ties = files
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    again = write(
        tmp_path,
        "again.csv",
        "source,target,track,kind,start,end,weight\nu2,u1,education,exchange,2016,2019,5\n",
    )
    out = cli("import", "table", "--ties", str(again)).output
    assert "0 ties added, 1 merged into existing ties" in out
    with Workspace(ws_path, read_only=True) as w:
        row = w.con.execute("SELECT weight, refs FROM ties WHERE source='u1'").fetchall()
    assert row == [(5.0, ["s1:row 1", "s2:row 1"])]


def test_kumu_columns_and_mapping(cli, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    a = write(tmp_path, "elements.csv", "Label,Type,Country\nA,cso,FRA\nB,media,DEU\n")
    t = write(tmp_path, "connections.csv", "From,To,Type\nA,B,exchange\n")
    cli("import", "table", "--actors", str(a), "--ties", str(t))
    with Workspace(ws_path, read_only=True) as w:
        assert w.con.execute("SELECT source, target, kind FROM ties").fetchall() == [
            ("A", "B", "exchange")
        ]
    m = write(tmp_path, "mapped.csv", "org_a;org_b;field\nA;B;culture\n")
    cli(
        "import",
        "table",
        "--ties",
        str(m),
        "--map",
        "source=org_a",
        "--map",
        "target=org_b,track=field",
    )
    with Workspace(ws_path, read_only=True) as w:
        assert w.counts()["ties"] == 2


def test_parquet_and_jsonl(cli, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    pq.write_table(
        pa.table({"id": ["a", "b"], "type": ["cso", "cso"], "country": ["FRA", "ITA"]}),
        tmp_path / "actors.parquet",
    )
    lines = [json.dumps({"source": "a", "target": "b", "weight": 2})]
    (tmp_path / "ties.jsonl").write_text("\n".join(lines) + "\n")
    cli(
        "import",
        "table",
        "--actors",
        str(tmp_path / "actors.parquet"),
        "--ties",
        str(tmp_path / "ties.jsonl"),
    )
    with Workspace(ws_path, read_only=True) as w:
        assert w.con.execute("SELECT source, target, weight FROM ties").fetchall() == [
            ("a", "b", 2.0)
        ]


BAD_TIES = {
    "undeclared": ("source,target\nu1,zz\n", "row 1: field 'target': undeclared actor", "zz"),
    "track": (
        "source,target,track\nu1,u2,music\n",
        "field 'track': unknown track; valid: culture, education",
        "music",
    ),
    "kind": (
        "source,target,kind\nu1,u2,party\n",
        "field 'kind': unknown tie kind; valid: sister_city",
        "party",
    ),
    "date": (
        "source,target,start\nu1,u2,2016-13-45\n",
        "field 'start': malformed date",
        "2016-13-45",
    ),
    "negative": (
        "source,target,weight\nu1,u2,-1\n",
        "field 'weight': weight must be a number >= 0",
        "-1",
    ),
    "text-weight": (
        "source,target,weight\nu1,u2,heavy\n",
        "field 'weight': weight must be a number >= 0",
        "heavy",
    ),
    "directed": (
        "source,target,directed\nu1,u2,maybe\n",
        "field 'directed': directed must be true or false",
        "maybe",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TIES))
def test_bad_tie_rows_stop_the_import(cli, files, tmp_path, ws_path, case) -> None:  # type: ignore[no-untyped-def]
    actors, _ = files
    text, message, raw = BAD_TIES[case]
    bad = write(tmp_path, "bad.csv", text)
    before = counts(ws_path)
    result = cli("import", "table", "--actors", str(actors), "--ties", str(bad), code=2)
    err = result.output
    assert message in err
    assert f"{bad}, row 1" in err
    assert "nothing was imported" in err and "--skip-bad-rows" in err
    assert "Traceback" not in err
    assert counts(ws_path) == before
    rejects = (tmp_path / "bad.csv.rejects.csv").read_text().splitlines()
    assert rejects[0] == "file,row,field,reason,raw"
    assert len(rejects) == 2 and raw in rejects[1]


def test_skip_bad_rows_imports_the_rest(cli, files, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    actors, _ = files
    bad = write(tmp_path, "bad.csv", "source,target,weight\nu1,u2,1\nu1,zz,1\nn1,m1,-3\n")
    out = cli(
        "import", "table", "--actors", str(actors), "--ties", str(bad), "--skip-bad-rows"
    ).output
    assert "1 ties added" in out and "2 rows rejected" in out
    assert counts(ws_path)["ties"] == 1
    assert counts(ws_path)["rejects"] == 2


def test_rejects_file_numbers_rows_alike_whether_the_import_stops_or_skips(
    cli, files, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The file column names the file; the row column is the row of that file in both cases (a
    skipped import wrote 'bad.csv:2' where a stopped one wrote '2')."""
    actors, _ = files
    bad = write(tmp_path, "bad.csv", "source,target,weight\nu1,u2,1\nu1,zz,1\nn1,m1,-3\n")
    path = tmp_path / "bad.csv.rejects.csv"
    cli("import", "table", "--actors", str(actors), "--ties", str(bad), code=2)
    stopped = path.read_text().splitlines()
    path.unlink()
    cli("import", "table", "--actors", str(actors), "--ties", str(bad), "--skip-bad-rows")
    skipped = path.read_text().splitlines()
    assert stopped == skipped
    assert [line.split(",")[1] for line in skipped[1:]] == ["2", "3"]


def test_a_row_failing_several_fields_is_one_rejected_row(cli, files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Counts say rows: two bad tie rows are 2 rows rejected (it said 4, one per failed field,
    more than the 3 tie rows read); the file keeps one line per field."""
    actors, _ = files
    bad = write(tmp_path, "bad.csv", "source,target,weight\nu1,u2,1\nzz,u2,1\nxx,yy,-3\n")
    err = cli("import", "table", "--actors", str(actors), "--ties", str(bad), code=2).output
    assert "(and 1 more bad rows)" in err
    out = cli(
        "import", "table", "--actors", str(actors), "--ties", str(bad), "--skip-bad-rows"
    ).output
    assert "7 rows read, 1 ties added" in out and "2 rows rejected" in out  # 4 actors + 3 ties
    assert "2 rejected: undeclared actor" in out and "1 rejected: weight" in out
    assert len((tmp_path / "bad.csv.rejects.csv").read_text().splitlines()) == 1 + 4


def test_self_loop_kept_out_and_counted(cli, files, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    actors, _ = files
    loops = write(tmp_path, "loops.csv", "source,target\nu1,u1\nu1,u2\n")
    out = cli("import", "table", "--actors", str(actors), "--ties", str(loops)).output
    assert "1 ties added" in out
    assert "1 rejected: self-loop" in out
    assert "loops.csv.rejects.csv" in str(list(tmp_path.iterdir()))
    assert counts(ws_path)["rejects"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id,name,type,country\nx,X,spaceship,FRA\n",
            "field 'type': unknown actor type; valid: cso, youth_org",
        ),
        ("id,name,type,country\nx,X,cso,Atlantis\n", "field 'country': unknown country"),
        ("id,name,type,country\nx,X,cso,FRA\nx,Y,cso,FRA\n", "duplicate id"),
        ("id,name,type,country,lat\nx,X,cso,FRA,north\n", "field 'lat': not a latitude"),
    ],
)
def test_bad_actor_rows(cli, tmp_path, ws_path, text, message) -> None:  # type: ignore[no-untyped-def]
    a = write(tmp_path, "a.csv", text)
    err = cli("import", "table", "--actors", str(a), code=2).output
    assert message in err
    assert counts(ws_path)["actors"] == 0


def test_structural_errors(cli, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    err = cli("import", "table", "--ties", str(tmp_path / "nope.csv"), code=2).output
    assert "nope.csv: file not found; check the path" in err
    empty = write(tmp_path, "empty.csv", "")
    assert "the file is empty" in cli("import", "table", "--ties", str(empty), code=2).output
    header_only = write(tmp_path, "header.csv", "source,target\n")
    assert "header but no rows" in cli("import", "table", "--ties", str(header_only), code=2).output
    nocol = write(tmp_path, "nocol.csv", "from_id,to_id\na,b\n")
    err = cli("import", "table", "--ties", str(nocol), code=2).output
    assert "required column 'source' is missing (found: from_id, to_id)" in err
    assert "--map source=COLUMN" in err
    latin = write(
        tmp_path, "latin.csv", "id,name,type,country\nx,Zürich,city,CHE\n", encoding="latin-1"
    )
    err = cli("import", "table", "--actors", str(latin), code=2).output
    assert "not valid utf-8 text" in err and "--encoding latin-1" in err
    cli("import", "table", "--actors", str(latin), "--encoding", "latin-1")
    with Workspace(ws_path, read_only=True) as w:
        assert w.con.execute("SELECT name FROM actors").fetchall() == [("Zürich",)]
    semi = write(tmp_path, "semi.csv", "source;target\na;b\n")
    err = cli("import", "table", "--ties", str(semi), "--delimiter", ",", code=2).output
    assert "wrong delimiter?" in err


def test_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    """The installed command: a user mistake prints one line on stderr and exits 2."""
    proc = subprocess.run(
        [sys.executable, "-m", "civnet", "--workspace", str(tmp_path / "w.duckdb"), "import", "table",
         "--ties", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and "missing.csv: file not found" in lines[0]
    assert not (tmp_path / "w.duckdb").exists() or "Traceback" not in proc.stderr


def test_gexf_with_open_and_several_spells(cli, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    """A Gephi-style dynamic GEXF: an open-ended spell and an edge with two spells."""
    gexf = tmp_path / "dyn.gexf"
    gexf.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date">
    <attributes class="node"><attribute id="0" title="type" type="string"/>
      <attribute id="1" title="country" type="string"/></attributes>
    <nodes>
      <node id="a" label="A"><attvalues><attvalue for="0" value="city"/><attvalue for="1" value="FRA"/></attvalues></node>
      <node id="b" label="B"><attvalues><attvalue for="0" value="city"/><attvalue for="1" value="DEU"/></attvalues></node>
      <node id="c" label="C"><attvalues><attvalue for="0" value="city"/><attvalue for="1" value="ITA"/></attvalues></node>
    </nodes>
    <edges>
      <edge id="0" source="a" target="b"><spells><spell start="2001-01-01"/></spells></edge>
      <edge id="1" source="b" target="c"><spells><spell start="1990-01-01" end="1995-12-31"/>
        <spell start="2000-01-01" end="2004-12-31"/></spells></edge>
    </edges>
  </graph>
</gexf>
"""
    )
    cli("import", "gexf", str(gexf))
    with Workspace(ws_path, read_only=True) as w:
        rows = w.con.execute(
            "SELECT source, target, start_date::VARCHAR, end_date::VARCHAR FROM ties ORDER BY source"
        ).fetchall()
    assert rows == [("a", "b", "2001-01-01", None), ("b", "c", "1990-01-01", "2004-12-31")]


def test_graphml_bad_rows_skipped_and_written(cli, tmp_path, ws_path) -> None:  # type: ignore[no-untyped-def]
    g = nx.Graph()
    g.add_node("a", type="cso", country="FRA")
    g.add_node("b", type="cso", country="DEU")
    g.add_node("c", type="cso", country="ITA")
    g.add_edge("a", "b", track="culture")
    g.add_edge("b", "c", track="poetry")
    path = tmp_path / "g.graphml"
    nx.write_graphml(g, path)
    err = cli("import", "graphml", str(path), code=2).output
    assert "row edge:2" in err and "unknown track" in err
    assert counts(ws_path)["ties"] == 0
    out = cli("import", "graphml", str(path), "--skip-bad-rows").output
    assert "1 ties added" in out and "1 rows rejected" in out
    rejects = (tmp_path / "g.graphml.rejects.csv").read_text().splitlines()
    assert len(rejects) == 2 and "poetry" in rejects[1]


def test_rows_repeating_a_tie_within_a_file_are_reported(cli, files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    actors, _ = files
    dup = write(tmp_path, "dup.csv", "source,target\nu1,u2\nu2,u1\nu1,u2\nn1,m1\n")
    out = cli("import", "table", "--actors", str(actors), "--ties", str(dup)).output
    assert "2 ties added" in out
    assert "2 merged: rows repeating a tie of an earlier row of this source" in out
