"""Reading a user's dyadic covariate file (trade, investment, distance) for inference.

Columns: ``origin``, ``destination`` (ISO3 codes or English country names), optional ``year``
(a whole number 1-9999), and ``value`` (a finite number). The file is read through
:func:`~civnet.importers.reading.load_table`, so CSV, TSV, Parquet and JSON lines work and every
bad row is named. Nothing is written to the workspace; bad rows go to ``FILE.rejects.csv`` and the
first one stops the analysis with one line (exit 2). A repeated (origin, destination[, year]) is
a bad row too: a covariate has one value per dyad.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from civnet.countries import to_iso3
from civnet.errors import MalformedRow
from civnet.importers.batch import REJECT_SCHEMA
from civnet.importers.reading import (
    load_table,
    rejects_path_for,
    require_columns,
    write_rejects,
)
from civnet.sql import connect as duckdb_connect


def read_dyadic_file(path: str | Path) -> pd.DataFrame:
    """The file as ``origin, destination, year (nullable), value``, validated (module docstring)."""
    con = duckdb_connect()
    try:
        p, cols, _ = load_table(con, path, "_dy")
        require_columns(
            p,
            cols,
            ["origin", "destination", "value"],
            hint="the file needs columns origin, destination, value (and optionally year)",
        )
        has_year = "year" in cols
        year_sql = "_y.year" if has_year else "NULL"
        frame = con.sql(
            f"SELECT _row, origin, destination, {year_sql} AS year, value FROM _dy AS _y ORDER BY _row"
        ).df()
    finally:
        con.close()
    codes = {
        v: to_iso3(v)
        for v in pd.unique(pd.concat([frame["origin"], frame["destination"]]).dropna())
    }
    rejects: list[dict[str, str]] = []
    out_rows: list[tuple[str, str, int | None, float]] = []
    seen: set[tuple[str, str, int | None]] = set()
    for row in frame.itertuples(index=False):
        raw = f"{row.origin},{row.destination},{row.year if has_year else ''},{row.value}"
        o, d = codes.get(row.origin), codes.get(row.destination)
        bad = None
        if o is None:
            bad = ("origin", "expected an ISO3 code or a country name")
        elif d is None:
            bad = ("destination", "expected an ISO3 code or a country name")
        year: int | None = None
        if bad is None and has_year:
            try:
                year = int(str(row.year).strip())
                if not 1 <= year <= 9999:
                    raise ValueError
            except (TypeError, ValueError):
                bad = ("year", "expected a whole year from 1 to 9999")
        value = float("nan")
        if bad is None:
            try:
                value = float(str(row.value).strip())
                if value != value or value in (float("inf"), float("-inf")):
                    raise ValueError
            except (TypeError, ValueError):
                bad = ("value", "expected a finite number")
        if bad is None and o is not None and d is not None:
            key = (o, d, year)
            if key in seen:
                bad = ("origin", "the dyad appears twice; give one value per dyad (and year)")
            seen.add(key)
        if bad is not None:
            rejects.append({"row": str(row._0), "field": bad[0], "reason": bad[1], "raw": raw})
            continue
        out_rows.append((str(o), str(d), year, value))
    if rejects:
        out = write_rejects(
            pa.Table.from_pylist(rejects, schema=REJECT_SCHEMA), rejects_path_for(p), str(p)
        )
        first = rejects[0]
        more = f" (and {len(rejects) - 1} more bad rows)" if len(rejects) > 1 else ""
        raise MalformedRow(
            f"field {first['field']!r}: {first['reason']}: {first['raw']!r}{more}",
            where=f"{p}, row {first['row']}",
            fix=f"fix the rows listed in {out}",
            rejects_path=str(out),
            n_rejected=len(rejects),
        )
    return pd.DataFrame(out_rows, columns=["origin", "destination", "year", "value"]).astype(
        {"year": "Int64"}
    )
