"""Reading user tables (CSV, Parquet, JSON lines) into DuckDB, with clear errors.

Every importer reads through :func:`load_table`, which registers the file as a DuckDB temp table
of text columns plus ``_row`` (the 1-based data row; for CSV with a header, line = row + 1), so
that validation runs as SQL over millions of rows and every reject can name its row.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from civnet.errors import InputFileError, MalformedRow, MissingColumn
from civnet.store.batch import REJECT_SCHEMA
from civnet.store.sql import fetch_one

FORMATS = ("csv", "tsv", "parquet", "jsonl")

_VALID_DATE_SQL = r"""
CASE
  WHEN {c} IS NULL OR trim({c}) = '' THEN NULL
  WHEN regexp_matches(trim({c}), '^\d{{4}}$') THEN
    CASE WHEN {end} THEN make_date(trim({c})::INT, 12, 31) ELSE make_date(trim({c})::INT, 1, 1) END
  WHEN regexp_matches(trim({c}), '^\d{{4}}-\d{{1,2}}$') THEN
    CASE WHEN {end}
      THEN last_day(try_cast(trim({c}) || '-01' AS DATE))
      ELSE try_cast(trim({c}) || '-01' AS DATE) END
  ELSE try_cast(trim({c}) AS DATE)
END"""


def date_sql(column: str, *, end: bool) -> str:
    """SQL turning a text column into a DATE (year/month -> first or last day); NULL if bad."""
    return _VALID_DATE_SQL.format(c=column, end="true" if end else "false")


def bad_date_sql(column: str) -> str:
    """SQL that is true when a non-empty text column is not a year, year-month or date."""
    return f"(trim(coalesce({column}, '')) <> '' AND ({date_sql(column, end=False)}) IS NULL)"


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputFileError(
                f"unknown format {fmt!r}", where=str(path), fix=f"use one of: {', '.join(FORMATS)}"
            )
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    return {
        "csv": "csv",
        "txt": "csv",
        "tsv": "tsv",
        "tab": "tsv",
        "parquet": "parquet",
        "pq": "parquet",
        "jsonl": "jsonl",
        "ndjson": "jsonl",
        "json": "jsonl",
    }.get(suffix, "csv")


def check_file(path: str | Path) -> Path:
    """The path, after checking it names a non-empty readable file."""
    p = Path(path)
    if not p.exists():
        raise InputFileError("file not found", where=str(p), fix="check the path")
    if p.is_dir():
        raise InputFileError("is a folder, not a file", where=str(p), fix="name a file")
    if p.stat().st_size == 0:
        raise InputFileError(
            "the file is empty", where=str(p), fix="export the table with a header row"
        )
    return p


def _sniff_csv(p: Path, encoding: str, delimiter: str | None) -> str:
    """Check the text decodes and guess the delimiter from the header line."""
    try:
        with open(p, encoding=encoding, newline="") as fh:
            head = fh.read(64 * 1024)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"not valid {encoding} text (byte {exc.start} of the file)",
            where=str(p),
            fix="re-save the file as UTF-8, or pass --encoding latin-1",
        ) from None
    if delimiter:
        return delimiter
    header = head.splitlines()[0] if head else ""
    if not header.strip():
        raise InputFileError(
            "the first line is empty", where=str(p), fix="put the header row first"
        )
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        try:
            return csv.Sniffer().sniff(head).delimiter
        except csv.Error:
            return ","
    return best


def load_table(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    name: str,
    *,
    fmt: str | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    header: bool = True,
    columns: Sequence[str] | None = None,
) -> tuple[Path, list[str], int]:
    """Load a file as temp table ``name`` of VARCHAR columns plus ``_row``.

    Column names are stripped and lower-cased. Returns (path, columns, number of rows). Raises
    :class:`InputFileError` for a missing, empty, undecodable or unparsable file.
    """
    p = check_file(path)
    kind = detect_format(p, fmt)
    src = str(p).replace("'", "''")
    if kind in ("csv", "tsv"):
        delim = "\t" if kind == "tsv" and not delimiter else _sniff_csv(p, encoding, delimiter)
        enc = {"utf-8": "utf-8", "utf8": "utf-8", "latin-1": "latin-1", "latin1": "latin-1"}.get(
            encoding.lower(), encoding
        )
        opts = [
            f"delim='{_sql_str(delim)}'",
            f"header={'true' if header else 'false'}",
            "all_varchar=true",
            "quote='\"'",
            "escape='\"'",
            f"encoding='{enc}'",
            "null_padding=false",
            "strict_mode=true",
        ]
        if columns is not None:
            opts.append("names=[" + ", ".join(f"'{_sql_str(c)}'" for c in columns) + "]")
        reader = f"read_csv('{src}', {', '.join(opts)})"
    elif kind == "parquet":
        reader = f"read_parquet('{src}')"
    else:
        reader = f"read_json('{src}', format='newline_delimited', records=true)"
    try:
        raw_cols = con.sql(f"SELECT * FROM {reader}").columns
        cols = [c.strip().lower() for c in raw_cols]
        select = ", ".join(
            f'CAST("{_sql_ident(raw)}" AS VARCHAR) AS "{_sql_ident(clean)}"'
            for raw, clean in zip(raw_cols, cols, strict=True)
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"SELECT {select}, row_number() OVER () AS _row FROM {reader}"
        )
    except duckdb.Error as exc:
        raise InputFileError(
            f"cannot be read as {kind}: {_first_line(exc)}",
            where=str(p),
            fix="check the delimiter, quoting and encoding (see --delimiter, --encoding)",
        ) from None
    row = fetch_one(con, f"SELECT count(*) FROM {name}")
    n = int(row[0]) if row else 0
    if n == 0:
        raise InputFileError("the file has a header but no rows", where=str(p), fix="add rows")
    if len(cols) == 1 and kind in ("csv", "tsv") and re.search(r"[;,\t|]", raw_cols[0]):
        raise InputFileError(
            f"found one column {raw_cols[0]!r}: wrong delimiter?",
            where=str(p),
            fix="pass --delimiter with the file's separator",
        )
    return p, cols, n


def apply_mapping(
    con: duckdb.DuckDBPyConnection, table: str, cols: list[str], mapping: Mapping[str, str]
) -> list[str]:
    """Rename columns: ``mapping`` is civnet field -> column in the file (case-insensitive)."""
    renamed = list(cols)
    for field_name, col in mapping.items():
        col_l = col.strip().lower()
        if col_l not in renamed:
            raise MissingColumn(
                f"--map names column {col!r}, which is not in the file",
                fix=f"the file's columns are: {', '.join(cols)}",
            )
        if field_name in renamed and field_name != col_l:
            con.execute(f'ALTER TABLE {table} DROP COLUMN "{_sql_ident(field_name)}"')
            renamed.remove(field_name)
        if field_name != col_l:
            con.execute(
                f'ALTER TABLE {table} RENAME COLUMN "{_sql_ident(col_l)}" TO "{_sql_ident(field_name)}"'
            )
            renamed[renamed.index(col_l)] = field_name
    return renamed


def require_columns(path: Path, cols: list[str], required: Sequence[str], hint: str = "") -> None:
    missing = [c for c in required if c not in cols]
    if missing:
        raise MissingColumn(
            f"required column {missing[0]!r} is missing (found: {', '.join(cols)})",
            where=str(path),
            fix=hint
            or f"add a column named {missing[0]!r} or map one with --map {missing[0]}=COLUMN",
        )


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Parse ``--map field=column`` options."""
    out = {}
    for item in items:
        for part in item.split(","):
            if "=" not in part:
                raise MissingColumn(
                    f"--map expects FIELD=COLUMN, got {part!r}", fix="write e.g. --map source=From"
                )
            k, v = part.split("=", 1)
            out[k.strip().lower()] = v.strip()
    return out


def rejects_path_for(path: Path) -> Path:
    """Where the rejected rows of an input file go: ``FILE.rejects.csv`` beside it."""
    return path.with_name(path.name + ".rejects.csv")


def write_rejects(rejects: pa.Table, path: Path, source: str) -> Path:
    """Write rejected rows (row, field, reason, raw) as CSV, atomically; return the path."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "field", "reason", "raw"])
        for r in rejects.to_pylist():
            w.writerow([source, r["row"], r["field"], r["reason"], r["raw"]])
    tmp.replace(path)
    return path


def fail_on_rejects(
    rejects: pa.Table, path: Path, *, fatal_reasons: Sequence[str] | None = None
) -> None:
    """Raise :class:`MalformedRow` naming the first fatal reject, after writing all of them.

    ``fatal_reasons`` limits which reasons stop the import (others, such as self-loops, are only
    counted); None means every reason is fatal.
    """
    if rejects.num_rows == 0:
        return
    rows = rejects.to_pylist()
    fatal = [r for r in rows if fatal_reasons is None or r["reason"] in fatal_reasons]
    if not fatal:
        return
    out = write_rejects(rejects, rejects_path_for(path), str(path))
    first = fatal[0]
    more = f" (and {len(fatal) - 1} more bad rows)" if len(fatal) > 1 else ""
    raise MalformedRow(
        f"field {first['field']!r}: {first['reason']}: {first['raw']!r}{more}; nothing was imported",
        where=f"{path}, row {first['row']}",
        fix=f"fix the rows listed in {out} or pass --skip-bad-rows to import the rest",
        rejects_path=str(out),
        n_rejected=len(fatal),
    )


def settle_rejects(
    rejects: pa.Table,
    path: Path,
    *,
    skip_bad_rows: bool,
    fatal_reasons: Sequence[str] | None = None,
) -> None:
    """Stop on fatal rejects as :func:`fail_on_rejects` unless ``skip_bad_rows``; then write
    every reject to ``FILE.rejects.csv`` next to ``path``."""
    if not skip_bad_rows:
        fail_on_rejects(rejects, path, fatal_reasons=fatal_reasons)
    if rejects.num_rows:
        write_rejects(rejects, rejects_path_for(path), str(path))


def rejects_from_sql(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """Run a query returning (row, field, reason, raw) and conform it to REJECT_SCHEMA."""
    t = con.sql(sql).to_arrow_table()
    return pa.Table.from_arrays(
        [t.column(i).cast(pa.string()) for i in range(4)], schema=REJECT_SCHEMA
    )


def attrs_json(record: Mapping[str, object], skip: set[str]) -> str | None:
    """JSON object of the record's extra columns (non-empty values only), or None."""
    extra = {k: v for k, v in record.items() if k not in skip and v not in (None, "")}
    return json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _sql_ident(text: str) -> str:
    return text.replace('"', '""')
