"""Import an actor table and a tie table (CSV, Parquet, JSON lines; Kumu-style columns too).

Actors need ``id``, ``type``, ``country``; ``name``, ``city``, ``lat``, ``lon`` are optional and
any other column is kept as an attribute. Ties need ``source`` and ``target``; ``track`` defaults
to ``general``, ``kind`` to ``other``, ``weight`` to 1, ``directed`` to false; ``start``/``end``
(year, year-month or date) are optional. Kumu's ``Label``/``Type`` (elements) and
``From``/``To``/``Type`` (connections) are recognised; ``--map field=column`` renames others.

Validation runs as SQL over the whole file. Bad rows are all written to ``FILE.rejects.csv`` and
the import stops with the first one named, leaving the workspace as it was, unless
``skip_bad_rows`` is set. Self-loops are never an error: they are kept out and counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from civnet.countries import map_names
from civnet.errors import InputFileError
from civnet.importers.batch import (
    ACTOR_SCHEMA,
    REJECT_SCHEMA,
    TIE_SCHEMA,
    Batch,
    IngestReport,
    Sink,
    file_sha256,
)
from civnet.importers.reading import (
    MAX_WEIGHT,
    apply_mapping,
    blank_sql,
    bounded_memory,
    date_sql,
    fail_on_rejects,
    load_table,
    rejects_from_sql,
    rejects_path_for,
    require_columns,
    write_rejects,
)
from civnet.sql import quote_ident, quote_literal
from civnet.vocab import (
    ACTOR_LEVELS,
    ACTOR_TYPES,
    AFFILIATION_TYPES,
    SECTOR_ACTOR_TYPES,
    TIE_KINDS,
    TRACKS,
)

KUMU_ACTORS = {"label": "id"}
KUMU_TIES = {"from": "source", "to": "target", "type": "kind"}
ACTOR_FIELDS = {"id", "name", "type", "country", "city", "lat", "lon", "level", "_row"}
TIE_FIELDS = {"source", "target", "track", "kind", "weight", "directed", "start", "end", "_row"}
SELF_LOOP = "self-loop (a tie from an actor to itself)"
_TRUE = ("true", "t", "yes", "y", "1", "directed")
_FALSE = ("false", "f", "no", "n", "0", "undirected", "")


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _norm_sql(col: str) -> str:
    return f"replace(replace(lower(trim({col})), '-', '_'), ' ', '_')"


def _kumu(cols: list[str], kumu: Mapping[str, str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Kumu column names as a mapping, where the civnet name is absent and not mapped."""
    out = dict(mapping)
    for k, v in kumu.items():
        if k in cols and v not in cols and v not in out:
            out[v] = k
    return out


STAGED_ACTORS = "_staged_actors"
"""Temp view of the valid actors of the file being imported (columns of ACTOR_SCHEMA)."""
STAGED_TIES = "_staged_ties"
"""Temp view of the valid ties of the file being imported (columns of TIE_SCHEMA)."""


@dataclass(frozen=True)
class Check:
    """One validation rule: rows where ``flag`` holds are rejected with ``field`` and ``reason``.

    ``flag`` is a boolean column of the checked table; ``raw`` is SQL over the file's row (alias
    ``r``) giving the text shown in the rejects file.
    """

    flag: str
    field: str
    reason: str
    raw: str


def _read_actors(
    con: duckdb.DuckDBPyConnection, path: str | Path, mapping: Mapping[str, str], **read: object
) -> tuple[Path, str, pa.Table, int]:
    p, cols, n = load_table(con, path, "_ia", **read)  # type: ignore[arg-type]
    staged, rejects = validate_actors(con, p, cols, mapping)
    return p, staged, rejects, n


def level_sql(type_sql: str, id_sql: str) -> str:
    """SQL form of :func:`civnet.vocab.actor_level` over a normalized type and a (trimmed) id.

    ``tests/test_import_table.py`` checks it against the Python function.
    """
    state_codes = _in_list(tuple(k for k, v in SECTOR_ACTOR_TYPES.items() if v == "state"))
    # Python's "$" also matches before one final newline: so does "\n?" here
    return f"""CASE WHEN {type_sql} IN ({_in_list(AFFILIATION_TYPES)}) THEN 'network'
        WHEN regexp_full_match({id_sql}, '[A-Z]{{3}}/[A-Z]+\n?') THEN
          CASE WHEN regexp_extract({id_sql}, '^[A-Z]{{3}}/([A-Z]+)', 1) IN ({state_codes})
               THEN 'country' ELSE 'sector' END
        WHEN {type_sql} = 'city' THEN 'city' ELSE 'organisation' END"""


def _attrs_json_sql(extra: list[str], alias: str) -> str:
    """SQL text equal to :func:`civnet.importers.reading.attrs_json` of the extra columns:
    a JSON object of the non-empty values, keys sorted, or NULL."""
    if not extra:
        return "NULL::VARCHAR"
    parts = []
    for c in sorted(extra):
        col = f"{alias}.{quote_ident(c)}"
        key = quote_literal(json.dumps(c, ensure_ascii=False) + ": ")
        parts.append(f"CASE WHEN {col} <> '' THEN {key} || to_json({col})::VARCHAR END")
    return f"nullif('{{' || concat_ws(', ', {', '.join(parts)}) || '}}', '{{}}')"


def validate_actors(
    con: duckdb.DuckDBPyConnection, p: Path, cols: list[str], mapping: Mapping[str, str]
) -> tuple[str, pa.Table]:
    """Validate temp table ``_ia`` (text columns and ``_row``): (staged view, rejects).

    The valid actors are left in the temp view :data:`STAGED_ACTORS` for
    :meth:`civnet.store.Workspace.ingest`; the checks run as one pass of SQL.
    """
    cols = apply_mapping(con, "_ia", cols, _kumu(cols, KUMU_ACTORS, mapping))
    require_columns(p, cols, ["id", "type", "country"])
    for opt in ("name", "city", "lat", "lon", "level"):
        if opt not in cols:
            con.execute(f"ALTER TABLE _ia ADD COLUMN {quote_ident(opt)} VARCHAR")
    names = [r[0] for r in con.execute("SELECT DISTINCT trim(country) FROM _ia").fetchall()]
    iso = map_names(n for n in names if n)
    con.execute("CREATE OR REPLACE TEMP TABLE _iso (name VARCHAR, iso3 VARCHAR)")
    if iso:
        con.executemany("INSERT INTO _iso VALUES (?, ?)", [[k, v] for k, v in iso.items()])
    extra = [c for c in cols if c not in ACTOR_FIELDS]
    checks = [
        Check("_e_id", "id", "'empty id'", "coalesce(r.id, '')"),
        Check("_e_dup", "id", "'duplicate id (first kept at row ' || b._first || ')'", "r.id"),
        Check(
            "_e_type",
            "type",
            quote_literal("unknown actor type; valid: " + ", ".join(ACTOR_TYPES)),
            "coalesce(r.type, '')",
        ),
        Check(
            "_e_country",
            "country",
            "'unknown country; use an ISO3 code or an English name'",
            "coalesce(r.country, '')",
        ),
        Check("_e_lat", "lat", "'not a latitude (a number from -90 to 90)'", "r.lat"),
        Check("_e_lon", "lon", "'not a longitude (a number from -180 to 180)'", "r.lon"),
        Check(
            "_e_level",
            "level",
            quote_literal("unknown actor level; valid: " + ", ".join(ACTOR_LEVELS)),
            "r.level",
        ),
    ]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _va AS
            SELECT *, ({" OR ".join(c.flag for c in checks)}) AS _bad FROM (
              SELECT r._row, trim(r.id) AS id,
                     coalesce(nullif(trim(r.name), ''), trim(r.id)) AS name,
                     {_norm_sql("r.type")} AS type, i.iso3 AS country,
                     nullif(trim(r.city), '') AS city,
                     try_cast(r.lat AS DOUBLE) AS lat, try_cast(r.lon AS DOUBLE) AS lon,
                     {_attrs_json_sql(extra, "r")} AS attrs,
                     nullif({_norm_sql("r.level")}, '') AS level,
                     {blank_sql("r.id")} AS _e_id,
                     min(r._row) OVER (PARTITION BY trim(r.id)) AS _first,
                     r._row <> _first AS _e_dup,
                     coalesce(r.type IS NULL OR {_norm_sql("r.type")}
                              NOT IN ({_in_list(ACTOR_TYPES)}), true) AS _e_type,
                     r.country IS NULL OR i.iso3 IS NULL AS _e_country,
                     trim(coalesce(r.lat, '')) <> ''
                       AND coalesce(abs(try_cast(r.lat AS DOUBLE)) > 90, true) AS _e_lat,
                     trim(coalesce(r.lon, '')) <> ''
                       AND coalesce(abs(try_cast(r.lon AS DOUBLE)) > 180, true) AS _e_lon,
                     trim(coalesce(r.level, '')) <> ''
                       AND {_norm_sql("r.level")} NOT IN ({_in_list(ACTOR_LEVELS)}) AS _e_level
              FROM _ia r LEFT JOIN _iso i ON i.name = trim(r.country))"""
    )
    rejects = _rejects(con, "_va", "_ia", checks)
    con.execute("DROP TABLE _ia")
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {STAGED_ACTORS} AS
            SELECT id, name, type, country, city, lat, lon, attrs,
                   coalesce(level, {level_sql("type", "id")}) AS level
            FROM _va WHERE NOT _bad"""
    )
    return STAGED_ACTORS, rejects


def _rejects(
    con: duckdb.DuckDBPyConnection, checked: str, raw: str, checks: list[Check]
) -> pa.Table:
    """The rejected rows of table ``checked`` (flags ``_bad`` and each check's), with the raw
    text of table ``raw``, ordered by row and then by check."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _bad_rows AS SELECT * FROM {checked} WHERE _bad")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _bad_raw AS
            SELECT * FROM {raw} WHERE _row IN (SELECT _row FROM _bad_rows)"""
    )
    branches = " UNION ALL ".join(
        f"""SELECT b._row, {quote_literal(c.field)} AS field, {c.reason} AS reason,
                   {c.raw} AS raw, {i} AS o
            FROM _bad_rows b JOIN _bad_raw r ON r._row = b._row WHERE b.{c.flag}"""
        for i, c in enumerate(checks)
    )
    try:
        return rejects_from_sql(
            con, f"SELECT _row, field, reason, raw FROM ({branches}) ORDER BY _row, o"
        )
    finally:
        con.execute("DROP TABLE _bad_rows")
        con.execute("DROP TABLE _bad_raw")


def _read_ties(
    con: duckdb.DuckDBPyConnection, path: str | Path, mapping: Mapping[str, str], **read: object
) -> tuple[Path, str, pa.Table, int]:
    p, cols, n = load_table(con, path, "_it", **read)  # type: ignore[arg-type]
    staged, rejects = validate_ties(con, p, cols, mapping)
    return p, staged, rejects, n


def validate_ties(
    con: duckdb.DuckDBPyConnection, p: Path, cols: list[str], mapping: Mapping[str, str]
) -> tuple[str, pa.Table]:
    """Validate temp table ``_it`` against the actors in ``_known``: (staged view, rejects).

    The valid ties are left in the temp view :data:`STAGED_TIES` for
    :meth:`civnet.store.Workspace.ingest`; the checks run as one pass of SQL.
    """
    cols = apply_mapping(con, "_it", cols, _kumu(cols, KUMU_TIES, mapping))
    require_columns(p, cols, ["source", "target"])
    for opt in ("track", "kind", "weight", "directed", "start", "end"):
        if opt not in cols:
            con.execute(f"ALTER TABLE _it ADD COLUMN {quote_ident(opt)} VARCHAR")
    extra = [c for c in cols if c not in TIE_FIELDS]
    undeclared = "'undeclared actor (not in the actors file or workspace)'"
    date_reason = "'malformed date; write 2016, 2016-05 or 2016-05-03'"
    checks = [
        Check("_e_source", "source", "'empty actor id'", "''"),
        Check("_e_target", "target", "'empty actor id'", "''"),
        Check("_e_source_unknown", "source", undeclared, "r.source"),
        Check("_e_target_unknown", "target", undeclared, "r.target"),
        Check(
            "_e_track",
            "track",
            quote_literal(f"unknown track; valid: {', '.join(TRACKS)}"),
            "r.track",
        ),
        Check(
            "_e_kind",
            "kind",
            quote_literal(f"unknown tie kind; valid: {', '.join(TIE_KINDS)}"),
            "r.kind",
        ),
        Check(
            "_e_weight",
            "weight",
            f"'weight must be a number >= 0 and <= {MAX_WEIGHT:g}'",
            "r.weight",
        ),
        Check("_e_directed", "directed", "'directed must be true or false'", "r.directed"),
        Check("_e_start", "start", date_reason, 'r."start"'),
        Check("_e_end", "end", date_reason, 'r."end"'),
        Check("_e_order", "end", "'end is before start'", 'r."end"'),
        Check("_e_loop", "target", quote_literal(SELF_LOOP), "r.target"),
    ]
    start_sql, end_sql = date_sql('r."start"', end=False), date_sql('r."end"', end=True)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _tv AS
            SELECT * EXCLUDE (_has_start, _has_end),
                   _has_start AND start_date IS NULL AS _e_start,
                   _has_end AND end_date IS NULL AS _e_end,
                   coalesce(start_date > end_date, false) AS _e_order,
                   (_e_source OR _e_target OR _e_source_unknown OR _e_target_unknown OR _e_track
                    OR _e_kind OR _e_weight OR _e_directed OR _e_start OR _e_end OR _e_order
                    OR _e_loop) AS _bad
            FROM (
              SELECT r._row, trim(r.source) AS source, trim(r.target) AS target,
                     coalesce(nullif({_norm_sql("r.track")}, ''), 'general') AS track,
                     coalesce(nullif({_norm_sql("r.kind")}, ''), 'other') AS kind,
                     {start_sql} AS start_date, {end_sql} AS end_date,
                     coalesce(try_cast(nullif(trim(r.weight), '') AS DOUBLE), 1.0) AS weight,
                     lower(trim(coalesce(r.directed, ''))) IN ({_in_list(_TRUE)}) AS directed,
                     'row ' || r._row AS ref,
                     {_attrs_sql(extra, "r")} AS attrs,
                     {blank_sql("r.source")} AS _e_source,
                     {blank_sql("r.target")} AS _e_target,
                     NOT _e_source AND ks.id IS NULL AS _e_source_unknown,
                     NOT _e_target AND kt.id IS NULL AS _e_target_unknown,
                     trim(coalesce(r.track, '')) <> ''
                       AND {_norm_sql("r.track")} NOT IN ({_in_list(TRACKS)}) AS _e_track,
                     trim(coalesce(r.kind, '')) <> ''
                       AND {_norm_sql("r.kind")} NOT IN ({_in_list(TIE_KINDS)}) AS _e_kind,
                     trim(coalesce(r.weight, '')) <> ''
                       AND coalesce(NOT (try_cast(r.weight AS DOUBLE) BETWEEN 0 AND {MAX_WEIGHT!r}),
                                    true) AS _e_weight,
                     lower(trim(coalesce(r.directed, '')))
                       NOT IN ({_in_list(_TRUE + _FALSE)}) AS _e_directed,
                     trim(coalesce(r."start", '')) <> '' AS _has_start,
                     trim(coalesce(r."end", '')) <> '' AS _has_end,
                     NOT _e_source AND trim(r.source) = trim(r.target) AS _e_loop
              FROM _it r
                LEFT JOIN _known ks ON ks.id = trim(r.source)
                LEFT JOIN _known kt ON kt.id = trim(r.target))"""
    )
    rejects = _rejects(con, "_tv", "_it", checks)
    con.execute("DROP TABLE _it")
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {STAGED_TIES} AS
            SELECT source, target, track, kind, start_date, end_date, weight, directed, ref, attrs
            FROM _tv WHERE NOT _bad"""
    )
    return STAGED_TIES, rejects


def _attrs_sql(extra: list[str], alias: str) -> str:
    if not extra:
        return "NULL::VARCHAR"
    pairs = ", ".join(f"{quote_literal(c)}, {alias}.{quote_ident(c)}" for c in extra)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def read_tables(
    ws: Sink,
    *,
    actors: str | Path | None,
    ties: str | Path | None,
    mapping: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
    **read: object,
) -> Batch:
    """Read and validate an actor file and/or a tie file into one :class:`Batch`."""
    if actors is None and ties is None:
        raise InputFileError("nothing to import", fix="pass --actors FILE and/or --ties FILE")
    con = ws.con
    mapping = dict(mapping or {})
    staged_actors: str | None = None
    staged_ties: str | None = None
    rejects: list[pa.Table] = []  # stored: rows prefixed with the file name
    written: list[pa.Table] = []  # FILE.rejects.csv: rows as numbered in FILE
    names, hashes, rows = [], [], 0
    if actors is not None:
        ap, staged_actors, arj, n = _read_actors(con, actors, mapping, **read)
        if not skip_bad_rows:
            fail_on_rejects(arj, ap)
        written.append(arj)
        rejects.append(prefix_rows(arj, ap.name))
        names.append(ap.name)
        hashes.append(file_sha256(ap))
        rows += n
    if ties is not None:
        set_known_actors(con, staged_actors)
        tp, staged_ties, trj, n = _read_ties(con, ties, mapping, **read)
        if not skip_bad_rows:
            fail_on_rejects(trj, tp, fatal_reasons=fatal_reasons(trj))
        written.append(trj)
        rejects.append(prefix_rows(trj, tp.name))
        names.append(tp.name)
        hashes.append(file_sha256(tp))
        rows += n
    for rj, src in zip(written, [p for p in (actors, ties) if p is not None], strict=True):
        if rj.num_rows:  # the file column names the file: rows as in a stopped import's file
            write_rejects(rj, rejects_path_for(Path(src)), str(src))
    digest = hashlib.sha256("|".join(hashes).encode()).hexdigest()
    return Batch(
        name=" + ".join(names),
        path=" + ".join(str(x) for x in (actors, ties) if x is not None),
        sha256=digest,
        importer="table",
        actors=ACTOR_SCHEMA.empty_table(),
        ties=TIE_SCHEMA.empty_table(),
        rows_read=rows,
        rejects=pa.concat_tables(rejects) if rejects else REJECT_SCHEMA.empty_table(),
        actors_sql=staged_actors,
        ties_sql=staged_ties,
        release=lambda: drop_staged(con),
    )


def set_known_actors(con: duckdb.DuckDBPyConnection, staged: str | None) -> None:
    """Temp table ``_known``: the workspace's actor ids plus those of the staged view."""
    new = f" UNION SELECT id FROM {staged}" if staged else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _known AS SELECT id FROM actors{new}")


def fatal_reasons(rejects: pa.Table) -> list[str]:
    """The reasons among ``rejects`` that stop an import (all but self-loops)."""
    distinct = pc.unique(rejects.column("reason")).to_pylist()
    return sorted(r for r in distinct if r is not None and r != SELF_LOOP)


def prefix_rows(rejects: pa.Table, file_name: str) -> pa.Table:
    """``rejects`` with each row reference prefixed by ``file_name:``."""
    rows = pc.binary_join_element_wise(
        pa.scalar(f"{file_name}:"), rejects.column("row").cast(pa.string()), ""
    )
    return rejects.set_column(0, "row", rows)


def import_tables(
    ws: Sink,
    *,
    actors: str | Path | None = None,
    ties: str | Path | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
    coverage: tuple[dt.date, dt.date] | None = None,
    **read: object,
) -> IngestReport:
    """Validate and store an actor and/or tie table; all-or-nothing.

    ``coverage``: the source's coverage window as the user declares it (stored with the source;
    default: its first and last dated tie)."""
    with bounded_memory(ws.con):
        try:
            batch = read_tables(
                ws, actors=actors, ties=ties, mapping=mapping, skip_bad_rows=skip_bad_rows, **read
            )
            batch.coverage = coverage
            return ws.ingest([batch])[0]
        finally:
            drop_staged(ws.con)


def drop_staged(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the temp tables of a validated import (its memory is freed)."""
    for view in (STAGED_ACTORS, STAGED_TIES):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in ("_ia", "_it", "_va", "_tv", "_known", "_iso"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
