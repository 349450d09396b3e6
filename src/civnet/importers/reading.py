"""Reading user tables (CSV, Parquet, JSON lines) into DuckDB, with clear errors.

Every importer reads through :func:`load_table`, which registers the file as a DuckDB temp table
of text columns plus ``_row`` (the 1-based data row; for CSV with a header, line = row + 1), so
that validation runs as SQL over millions of rows and every reject can name its row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import InputFileError, MalformedRow, MissingColumn
from civnet.importers.batch import REJECT_SCHEMA, rejected_rows
from civnet.sql import fetch_one, quote_ident, quote_literal

FORMATS = ("csv", "tsv", "parquet", "jsonl")

_VALID_DATE_SQL = r"""
CASE
  WHEN {c} IS NULL OR trim({c}) = '' THEN NULL
  WHEN regexp_matches(trim({c}), '^\d{{4}}$') THEN
    CASE WHEN trim({c}) = '0000' THEN NULL
      WHEN {end} THEN make_date(trim({c})::INT, 12, 31) ELSE make_date(trim({c})::INT, 1, 1) END
  WHEN regexp_matches(trim({c}), '^\d{{4}}-\d{{1,2}}$') THEN
    CASE WHEN starts_with(trim({c}), '0000') THEN NULL
      WHEN {end} THEN last_day(try_cast(trim({c}) || '-01' AS DATE))
      ELSE try_cast(trim({c}) || '-01' AS DATE) END
  WHEN year(try_cast(trim({c}) AS DATE)) BETWEEN 1 AND 9999 THEN try_cast(trim({c}) AS DATE)
END"""

IMPORT_MEMORY_MB = 256
"""Memory DuckDB may hold while an import validates and merges (its ``memory_limit``, in MB).

Past it DuckDB writes intermediate data to a temporary folder (beside a workspace file, or
``.tmp`` in the working directory for an in-memory workspace), so the peak of ``civnet import
table`` stays near this plus the interpreter's own (about 0.25 GB) whatever the file's size;
benchmarks/scale.py measures both (docs/benchmarks.md)."""


@contextmanager
def bounded_memory(
    con: duckdb.DuckDBPyConnection, megabytes: int = IMPORT_MEMORY_MB
) -> Iterator[None]:
    """Run a block with DuckDB's memory limited to ``megabytes`` and its own progress bar not
    printed (a long import would draw it into the command's output); both restored after."""
    row = fetch_one(
        con,
        "SELECT current_setting('memory_limit'), current_setting('enable_progress_bar_print')",
    )
    con.execute(f"SET memory_limit = '{int(megabytes)}MB'")
    con.execute("SET enable_progress_bar_print = false")
    try:
        yield
    finally:
        if row is not None:
            con.execute(f"SET memory_limit = {quote_literal(str(row[0]))}")
            con.execute(f"SET enable_progress_bar_print = {'true' if row[1] else 'false'}")


MAX_WEIGHT = 1e12
"""Largest tie weight accepted. Sums of weights over ten million ties then stay finite (and
exact for whole numbers), so no measure meets an infinite or overflowing weight."""

BLANK_RE = r"[\s\p{Z}\x{200B}\x{FEFF}]*"
"""Text made only of white space (Unicode spaces, zero-width space and BOM included)."""


def blank_sql(column: str) -> str:
    """SQL that is true when a text column is NULL, empty or only white space (:data:`BLANK_RE`)."""
    return f"({column} IS NULL OR regexp_full_match({column}, '{BLANK_RE}'))"


def date_sql(column: str, *, end: bool) -> str:
    """SQL turning a text column into a DATE (year/month -> first or last day); NULL if bad.

    Years run from 1 to 9999: ``0000``, negative (BC) and five-digit years are bad dates.
    """
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


ENCODINGS: dict[str, str] = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf-16": "utf-16",
    "utf16": "utf-16",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
}
"""Text encodings of CSV files (``--encoding``), by the names users write, to DuckDB's names."""

MAX_COLUMN_NAME = 1000
"""Longest column name accepted, in characters."""


def check_encoding(encoding: str, where: str | Path) -> str:
    """DuckDB's name of ``encoding``, or :class:`InputFileError` for one civnet cannot read."""
    enc = ENCODINGS.get(encoding.strip().lower())
    if enc is None:
        raise InputFileError(
            f"unknown or unsupported encoding {encoding!r}",
            where=str(where),
            fix="pass --encoding utf-8, utf-16 or latin-1 (re-save other encodings as UTF-8)",
        )
    return enc


def _sniff_csv(p: Path, encoding: str, delimiter: str | None) -> tuple[str, list[str]]:
    """Check the text decodes; the delimiter (given, or guessed from the header line) and the
    header record's fields (read with Python's csv module, quoting understood)."""
    py_enc = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        with open(p, encoding=py_enc, newline="") as fh:
            head = fh.read(64 * 1024)
    except UnicodeError as exc:
        start = getattr(exc, "start", 0)
        raise InputFileError(
            f"not valid {encoding} text (byte {start} of the file)",
            where=str(p),
            fix="re-save the file as UTF-8, or pass --encoding latin-1",
        ) from None
    first = head.splitlines()[0] if head else ""
    if not first.strip():
        raise InputFileError(
            "the first line is empty", where=str(p), fix="put the header row first"
        )
    if not delimiter:
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d])
        if counts[delimiter] == 0:
            try:
                delimiter = csv.Sniffer().sniff(head).delimiter
            except csv.Error:
                delimiter = ","
    try:
        header = next(csv.reader(io.StringIO(head), delimiter=delimiter, quotechar='"'), [])
    except csv.Error as exc:
        raise InputFileError(
            f"the header row cannot be read: {exc}",
            where=str(p),
            fix="check the quoting of the first line",
        ) from None
    return delimiter, header


def clean_column_names(raw: Sequence[str], where: str | Path, what: str = "column") -> list[str]:
    """Column names stripped and lower-cased, after checking they can be told apart.

    Two names equal once case and surrounding spaces are ignored (``Type`` and ``type``), a name
    with a control character, an over-long name or the reserved ``_row`` are refused in one line:
    civnet cannot guess which column is meant. An empty name becomes ``columnN`` (N from 1).
    """
    out: list[str] = []
    seen: dict[str, str] = {}
    for i, name in enumerate(raw):
        clean = name.strip().lower() or f"column{i + 1}"
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
            raise InputFileError(
                f"{what} {i + 1}'s name {name!r} contains a control character",
                where=str(where),
                fix=f"rename the {what} with printable characters only",
            )
        if len(clean) > MAX_COLUMN_NAME:
            raise InputFileError(
                f"{what} {i + 1}'s name is {len(clean)} characters long "
                f"(at most {MAX_COLUMN_NAME})",
                where=str(where),
                fix=f"shorten the {what} name",
            )
        if clean == "_row":
            raise InputFileError(
                f"a {what} is named '_row', which civnet reserves for row numbers",
                where=str(where),
                fix=f"rename that {what}",
            )
        if clean in seen:
            raise InputFileError(
                f"{what}s {seen[clean]!r} and {name!r} have the same name once case is ignored",
                where=str(where),
                fix="rename one of them",
            )
        seen[clean] = name
        out.append(clean)
    return out


def _text_sql(column: str, dtype: str) -> str:
    """SQL turning a column of any DuckDB type into text: JSON values without their quotes,
    nested values (lists, structs, maps) as JSON, everything else cast."""
    col = quote_ident(column)
    if dtype == "JSON":
        return f"({col} ->> '$')"
    if dtype.startswith(("STRUCT", "MAP", "UNION")) or dtype.endswith("]"):
        return f"CAST(to_json({col}) AS VARCHAR)"
    return f"CAST({col} AS VARCHAR)"


_CSV_LINE_ERROR = re.compile(
    r"CSV Error on Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", re.S
)


def _read_error(exc: Exception, kind: str, p: Path) -> InputFileError:
    """A DuckDB read error as one line; a ragged CSV row is named by its line and field count."""
    text = str(exc)
    m = _CSV_LINE_ERROR.search(text)
    if m:
        line, expected, found = m.groups()
        return InputFileError(
            f"the row has {found} fields, the header has {expected}",
            where=f"{p}, line {line}",
            fix="quote fields that contain the delimiter, or fix the row's number of fields",
        )
    return InputFileError(
        f"cannot be read as {kind}: {_first_line(exc)}",
        where=str(p),
        fix="check the delimiter, quoting and encoding (see --delimiter, --encoding)",
    )


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

    Column names are stripped and lower-cased (:func:`clean_column_names`). CSV is read with the
    header's columns declared (no guessing), so a row with too many or too few fields is an error
    naming its line. JSON values keep no quotes; nested values become JSON text. Returns (path,
    columns, number of rows). Raises :class:`InputFileError` for a missing, empty, undecodable or
    unparsable file, and for a NUL character in any value (its row and column named).
    """
    p = check_file(path)
    kind = detect_format(p, fmt)
    if kind in ("csv", "tsv"):
        enc = check_encoding(encoding, p)
        delim, head = _sniff_csv(p, enc, "\t" if kind == "tsv" and not delimiter else delimiter)
        file_cols = list(columns) if columns is not None else head
        if not header and columns is None:
            file_cols = [f"column{i + 1}" for i in range(len(head))]
        cols = clean_column_names(file_cols, p)
        declared = ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in cols)
        opts = [
            f"delim={quote_literal(delim)}",
            f"header={'true' if header else 'false'}",
            "auto_detect=false",
            f"columns={{{declared}}}",
            "quote='\"'",
            "escape='\"'",
            f"encoding={quote_literal(enc)}",
            "null_padding=false",
            "strict_mode=true",
        ]
        reader = f"read_csv({quote_literal(str(p))}, {', '.join(opts)})"
        select_cols = [(c, c, "VARCHAR") for c in cols]
    else:
        if kind == "parquet":
            reader = f"read_parquet({quote_literal(str(p))})"
        else:
            reader = f"read_json({quote_literal(str(p))}, format='newline_delimited', records=true)"
        try:
            rel = con.sql(f"SELECT * FROM {reader}")
            raw_cols, types = list(rel.columns), [str(t) for t in rel.types]
        except duckdb.Error as exc:
            raise _read_error(exc, kind, p) from None
        cols = clean_column_names(raw_cols, p)
        select_cols = list(zip(raw_cols, cols, types, strict=True))
    select = ", ".join(f"{_text_sql(raw, t)} AS {quote_ident(c)}" for raw, c, t in select_cols)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS "
            f"SELECT {select}, row_number() OVER () AS _row FROM {reader}"
        )
    except duckdb.Error as exc:
        raise _read_error(exc, kind, p) from None
    row = fetch_one(con, f"SELECT count(*) FROM {name}")
    n = int(row[0]) if row else 0
    if n == 0:
        raise InputFileError("the file has a header but no rows", where=str(p), fix="add rows")
    if len(cols) == 1 and kind in ("csv", "tsv") and re.search(r"[;,\t|]", file_cols[0]):
        raise InputFileError(
            f"found one column {file_cols[0]!r}: wrong delimiter?",
            where=str(p),
            fix="pass --delimiter with the file's separator",
        )
    check_no_nul(con, name, cols, p)
    return p, cols, n


def check_no_nul(
    con: duckdb.DuckDBPyConnection, table: str, cols: Sequence[str], where: str | Path
) -> None:
    """:class:`InputFileError` naming the first row and column whose text holds a NUL character.

    A NUL byte is never part of a name or a date; it marks a binary or corrupted file.
    """
    if not cols:
        return
    hits = " OR ".join(f"contains({quote_ident(c)}, chr(0))" for c in cols)
    cases = " ".join(
        f"WHEN contains({quote_ident(c)}, chr(0)) THEN {quote_literal(c)}" for c in cols
    )
    row = fetch_one(
        con, f"SELECT _row, CASE {cases} END FROM {table} WHERE {hits} ORDER BY _row LIMIT 1"
    )
    if row is not None:
        raise InputFileError(
            f"field {row[1]!r} contains a NUL character (byte 0)",
            where=f"{where}, row {row[0]}",
            fix="remove the NUL bytes (e.g. tr -d '\\000' < FILE > CLEAN) or re-export the file",
        )


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
            con.execute(f"ALTER TABLE {table} DROP COLUMN {quote_ident(field_name)}")
            renamed.remove(field_name)
        if field_name != col_l:
            con.execute(
                f"ALTER TABLE {table} RENAME COLUMN {quote_ident(col_l)} "
                f"TO {quote_ident(field_name)}"
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
        for batch in rejects.to_batches(max_chunksize=65536):  # bounded memory, any count
            cols = [batch.column(k).to_pylist() for k in ("row", "field", "reason", "raw")]
            w.writerows([source, *r] for r in zip(*cols, strict=True))
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
    fatal = rejects
    if fatal_reasons is not None:
        reasons = pa.array(list(fatal_reasons), pa.string())
        fatal = rejects.filter(pc.is_in(rejects.column("reason"), value_set=reasons))
    if not fatal.num_rows:
        return
    out = write_rejects(rejects, rejects_path_for(path), str(path))
    first = fatal.slice(0, 1).to_pylist()[0]
    n_fatal = rejected_rows(fatal)
    more = f" (and {n_fatal - 1} more bad rows)" if n_fatal > 1 else ""
    raise MalformedRow(
        f"field {first['field']!r}: {first['reason']}: {first['raw']!r}{more}; nothing was imported",
        where=f"{path}, row {first['row']}",
        fix=f"fix the rows listed in {out} or pass --skip-bad-rows to import the rest",
        rejects_path=str(out),
        n_rejected=n_fatal,
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
