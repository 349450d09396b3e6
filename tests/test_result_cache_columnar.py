"""Records held by column (``civnet betweenness`` ranks every actor): the result cache keeps them
as one Arrow table beside the rest's JSON, gives them back exactly (values, columns, order), and
an import empties it; JSON and CSV are written from them a chunk at a time, the same characters
as the plain output."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from civnet.cli import app
from civnet.importers.tables import import_tables
from civnet.products.catalog import MEASURES
from civnet.products.render import dumps, records_csv, write_csv, write_json
from civnet.products.runner import keep_result, plan, run_measure
from civnet.store import Workspace, cache
from civnet.store.cache import records_table
from civnet.store.columnar import ColumnarRecords, Const, from_bytes, plain, to_bytes
from civnet.views import ViewSpec, build_network

DATA = Path(__file__).parent / "data" / "products"


def _workspace(path: Path) -> Path:
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


def _computed(ws: Workspace, params: dict) -> tuple:  # type: ignore[type-arg]
    """The betweenness result as the CLI computes it (records by column) and its plan."""
    planned = plan(ws, "betweenness", ViewSpec.make(), params)
    net = build_network(ws, planned.spec)
    return planned, planned.measure.run(net, None, columnar=True, **planned.params)


def _records(n: int = 5000, seed: int = 1) -> ColumnarRecords:
    rng = np.random.default_rng(seed)
    return ColumnarRecords(
        {
            "rank": np.arange(1, n + 1),
            "id": [f'a{i}"é\\\n\t' for i in range(n)],  # escapes, non-ASCII
            "name": [None if i % 7 == 0 else f"名 {i}" for i in range(n)],
            "degree": rng.integers(0, 10**12, n),
            "flag": rng.random(n) < 0.5,
            "betweenness": rng.random(n) ** 9,  # tiny values: repr to the last digit
            "method": Const("KADABRA; budget"),
            "eps": Const(0.01),
            "samples": Const(19315),
        },
        n,
    )


@pytest.mark.parametrize("params", [{}, {"rank_all": True}, {"approx": 0.2, "seed": 3}])
def test_betweenness_cache_round_trips_exactly(tmp_path: Path, params: dict) -> None:  # type: ignore[type-arg]
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        planned, computed = _computed(ws, params)
        records = computed["records"]
        assert isinstance(records, ColumnarRecords) and len(records) > 20
        keep_result(ws, planned, computed)
        text, at = ws.con.execute(
            "SELECT result, records_at FROM result_cache WHERE key = ?", [planned.key]
        ).fetchone()
        (blob,) = ws.con.execute(f"SELECT records FROM {records_table(planned.key)}").fetchone()
        assert at == "records" and json.loads(text)["records"] is None
        assert from_bytes(blob) == records.to_list()
        lazy = ws.cached_result(planned.key, lazy=True)
        hit = ws.cached_result(planned.key)
        # what the API and the server compute and read is the plain JSON of before
        assert run_measure(ws, "betweenness", ViewSpec.make(), params) == hit
    assert isinstance(lazy["records"], ColumnarRecords)
    assert isinstance(hit["records"], list)
    assert list(lazy) == list(hit) == list(computed)  # the result's keys, in order
    assert lazy["records"].columns == records.columns == list(hit["records"][0])
    expected = records.to_list()
    for got in (lazy["records"].to_list(), hit["records"]):
        assert [r["id"] for r in got] == [r["id"] for r in expected]  # order
        for a, b in zip(got, expected, strict=True):
            assert list(a) == list(b)  # columns, in order
            assert a == b  # every value: the same doubles, ints, strings and None
            assert a["betweenness"] == pytest.approx(b["betweenness"], abs=1e-12, rel=0)
    assert {k: v for k, v in lazy.items() if k != "records"} == {
        k: v for k, v in computed.items() if k != "records"
    }
    if "approx" in params:
        assert len({r["eps"] for r in hit["records"]}) == 1 and "samples" in hit["records"][0]
        assert len({r["method"] for r in hit["records"]}) == 1


def test_an_import_invalidates_the_records_kept_by_column(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        planned, computed = _computed(ws, {})
        keep_result(ws, planned, computed)
        assert ws.cached_result(planned.key, lazy=True) is not None
        extra = tmp_path / "more.csv"
        extra.write_text("source,target,track,kind\nA000,A001,culture,exchange\n")
        import_tables(ws, ties=extra)
        assert ws.con.execute("SELECT count(*) FROM result_cache").fetchone() == (0,)
        assert _records_tables(ws) == 0  # the records' tables dropped with their entries
        assert ws.cached_result(planned.key, lazy=True) is None
        assert plan(ws, "betweenness", ViewSpec.make(), {}).key != planned.key


def test_a_damaged_arrow_entry_is_a_miss(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        planned, computed = _computed(ws, {})
        keep_result(ws, planned, computed)
        ws.con.execute(
            f"UPDATE {records_table(planned.key)} SET records = ?",
            [b"cos\nsystem\n(S'echo pwned'\ntR."],
        )
        assert ws.cached_result(planned.key) is None
        assert ws.cached_result(planned.key, lazy=True) is None
        ws.con.execute(f"DROP TABLE {records_table(planned.key)}")  # gone: a miss too
        assert ws.cached_result(planned.key, lazy=True) is None


def _records_tables(ws: Workspace) -> int:
    return ws.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, 'result_records_')"
    ).fetchone()[0]


def test_each_ranking_has_its_table_dropped_with_its_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ranking's bytes sit in a table of their own (DuckDB rewrote the row group a new entry
    joined, with every cached ranking in it); evicted or emptied entries take it with them."""
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        keys = []
        for seed in range(4):
            planned, computed = _computed(ws, {"approx": 0.3, "seed": seed})
            keep_result(ws, planned, computed)
            keys.append(planned.key)
        assert _records_tables(ws) == 2
        assert [ws.cached_result(k, lazy=True) is not None for k in keys] == [False, False] + [
            True,
            True,
        ]
        ws.con.execute("DELETE FROM result_cache")  # by hand: the tables go at the next keep
        planned, computed = _computed(ws, {})
        keep_result(ws, planned, computed)
        assert _records_tables(ws) == 1


def test_a_cache_table_of_an_earlier_civnet_is_read_then_upgraded(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        ws.con.execute("DROP TABLE IF EXISTS result_cache")
        ws.con.execute(
            """CREATE TABLE result_cache (key VARCHAR PRIMARY KEY, measure VARCHAR NOT NULL,
               data_version BIGINT NOT NULL, civnet_version VARCHAR NOT NULL,
               created_at TIMESTAMP DEFAULT current_timestamp, result VARCHAR NOT NULL)"""
        )
        ws.con.execute("INSERT INTO result_cache VALUES ('old', 'describe', 0, 'x', now(), '[1]')")
        assert ws.cached_result("old") == [1]
        planned, computed = _computed(ws, {})
        keep_result(ws, planned, computed)
        assert ws.cached_result(planned.key) == plain(computed)
        assert ws.cached_result("old") == [1]


def test_records_by_column_round_trip_through_arrow() -> None:
    records = _records()
    for part in (records, records[10:20], records[:0], records[-3:]):
        back = from_bytes(to_bytes(part))
        assert back.columns == records.columns
        assert back == part.to_list() and len(back) == len(part)
    assert records[3] == records.to_list()[3] and records[-1]["rank"] == 5000
    assert records[::1000] == records.to_list()[::1000]
    with pytest.raises(ValueError):
        from_bytes(b"not arrow")
    # NaN is JSON's null, as to_jsonable makes it
    nan = ColumnarRecords({"x": np.array([1.0, math.nan])}, 2)
    assert nan.to_list() == [{"x": 1.0}, {"x": None}]


@pytest.mark.parametrize("cut", [slice(None), slice(0, 0), slice(7, 4103)])
def test_json_and_csv_written_by_chunks_are_the_plain_output(cut: slice) -> None:
    records = _records()[cut]
    for value in (
        records,
        {"records": records, "n_ranked": 5, "left_out": {"city": 2}, "notes": ["x"]},
        {"left_out": {}, "records": records, "empty": [], "nested": {"a": [1, {"b": None}]}},
    ):
        out = io.StringIO()
        write_json(value, out)
        assert out.getvalue() == dumps(plain(value)) + "\n"
    out = io.StringIO()
    write_csv(records, records.columns, out)
    assert out.getvalue() == records_csv(records.to_list(), records.columns)
    # a constant that is not a scalar: each row written by json.dumps
    listed = ColumnarRecords({"a": np.arange(3), "b": Const([1, {"c": "d"}])}, 3)
    out = io.StringIO()
    write_json({"records": listed}, out)
    assert out.getvalue() == dumps({"records": listed.to_list()}) + "\n"


def _cli(path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--workspace", str(path), "betweenness", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_cli_writes_from_the_cache_what_it_computed(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    for args in (["-f", "json"], ["-f", "csv"], ["--approx", "0.3", "-f", "json"], []):
        first = _cli(path, *args)
        assert _cli(path, *args) == first  # the second from the cache
    with Workspace(path, read_only=True) as ws:
        n = _records_tables(ws)
    assert n == 2  # one per computation: the format is not part of the key
    data = json.loads(_cli(path, "-f", "json"))
    with Workspace(path, read_only=True) as ws:
        assert data == run_measure(ws, "betweenness", ViewSpec.make(), {})
    assert MEASURES["betweenness"].records(data) == data["records"]


def test_table_shows_the_first_rows_and_says_of_how_many(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    table = _cli(path)
    n_ranked = json.loads(_cli(path, "-f", "json"))["n_ranked"]
    assert n_ranked > 20
    assert f"top 20 of {n_ranked} ranked" in table
    assert "│   20 │" in table and "│   21 │" not in table
    assert f"top 25 of {n_ranked} ranked" in _cli(path, "--top", "25")
