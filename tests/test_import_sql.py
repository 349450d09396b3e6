"""`import table` validates in SQL: its SQL forms equal the Python definitions they replace, and
the valid rows go to the store without passing through Python (issue 12 item 7)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.importers.reading import attrs_json
from civnet.importers.tables import (
    STAGED_ACTORS,
    STAGED_TIES,
    _attrs_json_sql,
    import_tables,
    level_sql,
    read_tables,
)
from civnet.sql import quote_ident
from civnet.store import Workspace
from civnet.vocab import ACTOR_TYPES, actor_level

IDS = [
    "CHN/GOV",  # official sector: country level
    "CHN/EDU",  # civil sector: sector level
    "CHN/GOV\n",  # Python's "$" matches before a final newline
    "CHN/GOV\n\n",
    "chn/gov",
    "CHN/GOV/X",
    "CHN/",
    "CH/GOV",
    "city:DEU:bonn",
    "x",
    "",
]


@pytest.mark.parametrize("actor_type", ACTOR_TYPES)
def test_level_sql_equals_actor_level(actor_type: str) -> None:
    con = duckdb.connect()
    for actor_id in IDS:
        got = con.execute(
            f"SELECT {level_sql('t', 'i')} FROM (SELECT ? AS t, ? AS i)", [actor_type, actor_id]
        )
        assert got.fetchone() == (actor_level(actor_type, actor_id),), (actor_type, actor_id)


TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=8)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.dictionaries(st.sampled_from(["b", "a", "é", "x y", 'q"', "ß"]), TEXT | st.none()))
def test_attrs_sql_equals_attrs_json(values: dict[str, str | None]) -> None:
    """The JSON stored for extra columns is what json.dumps gave before: the same object, and the
    same text but for the case of the hex digits of escaped control characters."""
    con = duckdb.connect()
    keys = sorted(values)
    if not keys:
        return
    con.execute(
        "CREATE TABLE r AS SELECT " + ", ".join(f"?::VARCHAR AS {quote_ident(k)}" for k in keys),
        [values[k] for k in keys],
    )
    (got,) = con.execute(f"SELECT {_attrs_json_sql(keys, 'r')} FROM r").fetchone() or (None,)
    want = attrs_json(values, set())
    if want is None or got is None:
        assert got == want
        return
    assert json.loads(got) == json.loads(want)
    if not any(ord(ch) < 32 for v in values.values() if v for ch in v):
        assert got == want


def test_valid_rows_stay_in_duckdb(tmp_path: Path) -> None:
    """The batch carries staged views, no Arrow rows; the import drops them afterwards."""
    a = tmp_path / "a.csv"
    a.write_text("id,type,country,sector\nu1,university,DEU,public\nu2,cso,FRA,\n")
    t = tmp_path / "t.csv"
    t.write_text("source,target,start\nu1,u2,2016\nu1,u1,2017\n")
    with Workspace(tmp_path / "w.duckdb") as ws:
        batch = read_tables(ws, actors=a, ties=t)
        assert (batch.actors.num_rows, batch.ties.num_rows) == (0, 0)
        assert (batch.actors_sql, batch.ties_sql) == (STAGED_ACTORS, STAGED_TIES)
        staged = ws.con.execute(f"SELECT id, level, attrs FROM {STAGED_ACTORS} ORDER BY id")
        assert staged.fetchall() == [
            ("u1", "organisation", '{"sector": "public"}'),
            ("u2", "organisation", None),
        ]
        assert batch.rejects.column("reason").to_pylist() == [
            "self-loop (a tie from an actor to itself)"
        ]
        report = import_tables(ws, actors=a, ties=t)
        assert (report.actors_added, report.ties_added, report.rows_rejected) == (2, 1, 1)
        temp = ws.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall()
        assert not [x for (x,) in temp if x.startswith(("_staged", "_va", "_tv", "_ia", "_it"))]
