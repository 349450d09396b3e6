"""The result cache: measure results kept in the workspace as JSON text, keyed by a digest.

A key (see :func:`civnet.products.runner.cache_key`) digests the measure, its parameters, the
view, civnet's code (version and source digest) and the workspace's *data version*, a counter in ``meta`` that every
ingest raises; an ingest also empties the table, so no import can leave a stale result behind.

Results are stored and returned as JSON text, parsed with :func:`json.loads` and never
unpickled: a workspace received from a stranger can hold wrong numbers in its cache (so can its
tables) but cannot make civnet run code.

A read-only workspace (``civnet serve``, or a command while another process holds the file) is
read but not written: :func:`store` then returns ``False`` and nothing is kept.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from civnet.sql import fetch_one

TABLE_DDL = """CREATE TABLE IF NOT EXISTS result_cache (
    key VARCHAR PRIMARY KEY,
    measure VARCHAR NOT NULL,
    data_version BIGINT NOT NULL,
    civnet_version VARCHAR NOT NULL,
    created_at TIMESTAMP DEFAULT current_timestamp,
    result VARCHAR NOT NULL
)"""

MAX_ENTRIES = 256
"""Results kept at most; the oldest go first."""
MAX_BYTES = 64 * 1024 * 1024
"""A result whose JSON is larger is not kept (it would be slower to read than to recompute)."""


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
    return new


def lookup(con: duckdb.DuckDBPyConnection, key: str) -> Any | None:
    """The cached JSON result under ``key``, or ``None`` (also when the table does not exist)."""
    try:
        row = fetch_one(con, "SELECT result FROM result_cache WHERE key = ?", [key])
    except duckdb.Error:
        return None
    if row is None:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None  # a damaged entry is a miss, never an error


def store(
    con: duckdb.DuckDBPyConnection, key: str, measure: str, version: int, civnet: str, text: str
) -> bool:
    """Keep ``text`` (a JSON document) under ``key``; ``False`` when it cannot be written."""
    if len(text) > MAX_BYTES:
        return False
    try:
        con.execute(TABLE_DDL)
        con.execute(
            "INSERT OR REPLACE INTO result_cache (key, measure, data_version, civnet_version, "
            "result) VALUES (?, ?, ?, ?, ?)",
            [key, measure, version, civnet, text],
        )
        con.execute(
            "DELETE FROM result_cache WHERE key NOT IN (SELECT key FROM result_cache "
            "ORDER BY created_at DESC LIMIT ?)",
            [MAX_ENTRIES],
        )
    except duckdb.Error:
        return False
    return True
