"""The result cache: measure results kept in the workspace as JSON text, keyed by a digest.

A key (see :func:`civnet.products.runner.cache_key`) digests the measure, its parameters, the
view, civnet's code (version and source digest) and the workspace's *data version*, a counter in ``meta`` that every
ingest raises; an ingest also empties the table, so no import can leave a stale result behind.

Results are stored and returned as JSON text, parsed with :func:`json.loads` and never
unpickled: a workspace received from a stranger can hold wrong numbers in its cache (so can its
tables) but cannot make civnet run code. A result whose records are held by column
(:class:`~civnet.store.columnar.ColumnarRecords`: ``civnet betweenness`` ranks every actor) keeps
them as one Arrow table (Arrow IPC bytes, data only) in a table of their own,
``result_records_<key>`` (:func:`records_table`), and its JSON with ``null`` in their place
(``records_at`` names the key; ``''``: the whole result). One table each: DuckDB rewrites the
row group a new entry joins when it checkpoints, and with the bytes of every cached ranking in
one column that grew with each (eight 200,000-row rankings: 100 MB more to keep a ninth).
:func:`lookup` gives the plain JSON of before; ``lazy=True`` gives the records by column, read
from the Arrow table as they are walked (a 200,000-row ranking's JSON would be about 50 MB of
text, and its parse 200,000 dicts). Emptying the cache drops these tables too.

A read-only workspace (``civnet serve``, or a command while another process holds the file) is
read but not written: :func:`store` then returns ``False`` and nothing is kept.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from civnet.sql import fetch_one, quote_ident
from civnet.store.columnar import ColumnarRecords, from_bytes, to_bytes

TABLE_DDL = """CREATE TABLE IF NOT EXISTS result_cache (
    key VARCHAR PRIMARY KEY,
    measure VARCHAR NOT NULL,
    data_version BIGINT NOT NULL,
    civnet_version VARCHAR NOT NULL,
    created_at TIMESTAMP DEFAULT current_timestamp,
    result VARCHAR NOT NULL,
    records_at VARCHAR
)"""

UPGRADES = ("ALTER TABLE result_cache ADD COLUMN IF NOT EXISTS records_at VARCHAR",)
"""A cache table made by an earlier civnet gains the column of records held by column."""

RECORDS_PREFIX = "result_records_"


def records_table(key: str) -> str:
    """The quoted name of the table holding the records of cache entry ``key``."""
    return quote_ident(RECORDS_PREFIX + key)


def _drop_records(con: duckdb.DuckDBPyConnection, keep_listed: bool) -> None:
    """Drop the records tables of entries no longer in ``result_cache`` (``keep_listed``
    false: all of them)."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)",
            [RECORDS_PREFIX],
        ).fetchall()
    ]
    listed = set()
    if keep_listed and names:
        listed = {r[0] for r in con.execute("SELECT key FROM result_cache").fetchall()}
    for name in names:
        if name.removeprefix(RECORDS_PREFIX) not in listed:
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")


MAX_ENTRIES = 256
"""Results kept at most; the oldest go first."""
MAX_BYTES = 64 * 1024 * 1024
"""A result whose JSON (and Arrow records) is larger is not kept (slower to read than to
recompute)."""


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The workspace's data version: 0 until the first ingest, then raised by every ingest."""
    try:
        row = fetch_one(con, "SELECT value FROM meta WHERE key = 'data_version'")
    except duckdb.Error:
        return 0
    return int(row[0]) if row and str(row[0]).isdigit() else 0


def bump(con: duckdb.DuckDBPyConnection) -> int:
    """Raise the data version and empty the cache (call inside the ingest's transaction)."""
    new = data_version(con) + 1
    con.execute(
        "INSERT INTO meta VALUES ('data_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [str(new)],
    )
    con.execute(TABLE_DDL)
    con.execute("DELETE FROM result_cache")
    _drop_records(con, keep_listed=False)
    return new


def lookup(con: duckdb.DuckDBPyConnection, key: str, *, lazy: bool = False) -> Any | None:
    """The cached JSON result under ``key``, or ``None`` (also when the table does not exist).

    Records kept by column come back as plain lists of dicts, or with ``lazy`` as
    :class:`~civnet.store.columnar.ColumnarRecords` read from their Arrow table.
    """
    try:
        row = fetch_one(con, "SELECT result, records_at FROM result_cache WHERE key = ?", [key])
    except duckdb.Error:  # a table of an earlier civnet, not yet upgraded: JSON only
        try:
            row = fetch_one(con, "SELECT result FROM result_cache WHERE key = ?", [key])
        except duckdb.Error:
            return None
    if row is None:
        return None
    try:
        result = json.loads(row[0])
        if len(row) == 1 or row[1] is None:
            return result
        try:
            blob = fetch_one(con, f"SELECT records FROM {records_table(key)}")
        except duckdb.Error:
            return None  # its table is gone: a miss
        if blob is None or not isinstance(blob[0], bytes):
            return None
        records = from_bytes(blob[0])
        part: Any = records if lazy else records.to_list()
        if row[1] == "":
            return part
        if not isinstance(result, dict) or result.get(row[1], 0) is not None:
            return None
        result[row[1]] = part
        return result
    except ValueError:
        return None  # a damaged entry is a miss, never an error


def store(
    con: duckdb.DuckDBPyConnection,
    key: str,
    measure: str,
    version: int,
    civnet: str,
    text: str,
    records: ColumnarRecords | None = None,
    records_at: str = "",
) -> bool:
    """Keep ``text`` (a JSON document) under ``key``; ``False`` when it cannot be written.

    With ``records``, ``text`` holds ``null`` at key ``records_at`` (``''``: the result is the
    records) and the records are kept in their own table as Arrow IPC bytes.
    """
    blob = None if records is None else to_bytes(records)
    if len(text) + (len(blob) if blob else 0) > MAX_BYTES:
        return False
    try:
        con.execute(TABLE_DDL)
        for statement in UPGRADES:
            con.execute(statement)
        con.execute(
            "INSERT OR REPLACE INTO result_cache (key, measure, data_version, civnet_version, "
            "result, records_at) VALUES (?, ?, ?, ?, ?, ?)",
            [key, measure, version, civnet, text, None if records is None else records_at],
        )
        if blob is None:
            con.execute(f"DROP TABLE IF EXISTS {records_table(key)}")
        else:
            con.execute(
                f"CREATE OR REPLACE TABLE {records_table(key)} AS SELECT ?::BLOB AS records",
                [blob],
            )
        del blob
        con.execute(
            "DELETE FROM result_cache WHERE key NOT IN (SELECT key FROM result_cache "
            "ORDER BY created_at DESC LIMIT ?)",
            [MAX_ENTRIES],
        )
        _drop_records(con, keep_listed=True)  # of the entries just let go (or emptied by hand)
    except duckdb.Error:
        return False
    return True
