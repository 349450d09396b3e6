"""Two small DuckDB helpers used wherever SQL runs.

DuckDB 2 keeps a result open until it is fully fetched, and an open result blocks the next
statement on the connection; these helpers always drain what they read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> tuple[Any, ...] | None:
    """First row of a query (all rows are fetched so that the result is closed), or None."""
    rows = (
        con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    )
    return rows[0] if rows else None


def fetch_arrow(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pa.Table:
    """A query's result as an Arrow table."""
    return con.sql(sql, params=params).to_arrow_table() if params else con.sql(sql).to_arrow_table()
