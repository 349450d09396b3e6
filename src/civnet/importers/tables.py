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
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from civnet.countries import map_names
from civnet.errors import InputFileError
from civnet.importers.reading import (
    MAX_WEIGHT,
    apply_mapping,
    attrs_json,
    bad_date_sql,
    blank_sql,
    date_sql,
    fail_on_rejects,
    load_table,
    rejects_from_sql,
    rejects_path_for,
    require_columns,
    write_rejects,
)
from civnet.store import Batch, IngestReport, Workspace
from civnet.store.batch import REJECT_SCHEMA, file_sha256
from civnet.store.sql import quote_ident, quote_literal
from civnet.vocab import ACTOR_LEVELS, ACTOR_TYPES, TIE_KINDS, TRACKS

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


def _read_actors(
    con: duckdb.DuckDBPyConnection, path: str | Path, mapping: Mapping[str, str], **read: object
) -> tuple[Path, pa.Table, pa.Table, int]:
    p, cols, n = load_table(con, path, "_ia", **read)  # type: ignore[arg-type]
    actors, rejects = validate_actors(con, p, cols, mapping)
    return p, actors, rejects, n


def validate_actors(
    con: duckdb.DuckDBPyConnection, p: Path, cols: list[str], mapping: Mapping[str, str]
) -> tuple[pa.Table, pa.Table]:
    """Validate temp table ``_ia`` (text columns and ``_row``): (actors, rejects)."""
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
    types = _in_list(ACTOR_TYPES)
    levels = _in_list(ACTOR_LEVELS)
    rejects = rejects_from_sql(
        con,
        f"""SELECT _row, field, reason, raw FROM (
            SELECT _row, 'id' AS field, 'empty id' AS reason, coalesce(id, '') AS raw, 1 AS o
              FROM _ia WHERE {blank_sql("id")}
            UNION ALL
            SELECT _row, 'id', 'duplicate id (first kept at row ' || first_row || ')', id, 2
              FROM (SELECT _row, id, min(_row) OVER (PARTITION BY trim(id)) AS first_row FROM _ia)
              WHERE _row <> first_row
            UNION ALL
            SELECT _row, 'type', 'unknown actor type; valid: ' || '{", ".join(ACTOR_TYPES)}',
                   coalesce(type, ''), 3
              FROM _ia WHERE type IS NULL OR {_norm_sql("type")} NOT IN ({types})
            UNION ALL
            SELECT _row, 'country', 'unknown country; use an ISO3 code or an English name',
                   coalesce(country, ''), 4
              FROM _ia LEFT JOIN _iso ON _iso.name = trim(_ia.country)
              WHERE country IS NULL OR _iso.iso3 IS NULL
            UNION ALL
            SELECT _row, 'lat', 'not a latitude (a number from -90 to 90)', lat, 5 FROM _ia
              WHERE trim(coalesce(lat, '')) <> ''
                AND coalesce(abs(try_cast(lat AS DOUBLE)) > 90, true)
            UNION ALL
            SELECT _row, 'lon', 'not a longitude (a number from -180 to 180)', lon, 6 FROM _ia
              WHERE trim(coalesce(lon, '')) <> ''
                AND coalesce(abs(try_cast(lon AS DOUBLE)) > 180, true)
            UNION ALL
            SELECT _row, 'level', 'unknown actor level; valid: ' || '{", ".join(ACTOR_LEVELS)}',
                   level, 7 FROM _ia
              WHERE trim(coalesce(level, '')) <> '' AND {_norm_sql("level")} NOT IN ({levels})
        ) ORDER BY _row, o""",
    )
    extra = [c for c in cols if c not in ACTOR_FIELDS]
    extra_sql = "".join(f", _ia.{quote_ident(c)}" for c in extra)
    raw = con.sql(
        f"""SELECT trim(id) AS id, coalesce(nullif(trim(_ia.name), ''), trim(id)) AS name,
                   {_norm_sql("type")} AS type, _iso.iso3 AS country, nullif(trim(city), '') AS city,
                   try_cast(lat AS DOUBLE) AS lat, try_cast(lon AS DOUBLE) AS lon,
                   nullif({_norm_sql("level")}, '') AS level, _row{extra_sql}
            FROM _ia LEFT JOIN _iso ON _iso.name = trim(_ia.country)
            ORDER BY _row"""
    ).to_arrow_table()
    bad_rows = set(rejects.column("row").to_pylist())
    keep = [r for r in raw.to_pylist() if str(r["_row"]) not in bad_rows]
    actors = pa.table(
        {
            "id": [r["id"] for r in keep],
            "name": [r["name"] for r in keep],
            "type": [r["type"] for r in keep],
            "country": [r["country"] for r in keep],
            "city": [r["city"] for r in keep],
            "lat": pa.array([r["lat"] for r in keep], pa.float64()),
            "lon": pa.array([r["lon"] for r in keep], pa.float64()),
            "attrs": [attrs_json(r, ACTOR_FIELDS) for r in keep],
            # empty: the store's default level from the type (civnet.vocab.actor_level)
            "level": pa.array([r["level"] for r in keep], pa.string()),
        }
    )
    return actors, rejects


def _read_ties(
    con: duckdb.DuckDBPyConnection, path: str | Path, mapping: Mapping[str, str], **read: object
) -> tuple[Path, pa.Table, pa.Table, int]:
    p, cols, n = load_table(con, path, "_it", **read)  # type: ignore[arg-type]
    ties, rejects = validate_ties(con, p, cols, mapping)
    return p, ties, rejects, n


def validate_ties(
    con: duckdb.DuckDBPyConnection, p: Path, cols: list[str], mapping: Mapping[str, str]
) -> tuple[pa.Table, pa.Table]:
    """Validate temp table ``_it`` against the actors in ``_known``: (ties, rejects)."""
    cols = apply_mapping(con, "_it", cols, _kumu(cols, KUMU_TIES, mapping))
    require_columns(p, cols, ["source", "target"])
    for opt in ("track", "kind", "weight", "directed", "start", "end"):
        if opt not in cols:
            con.execute(f"ALTER TABLE _it ADD COLUMN {quote_ident(opt)} VARCHAR")
    extra = [c for c in cols if c not in TIE_FIELDS]
    tracks, kinds = _in_list(TRACKS), _in_list(TIE_KINDS)
    start_sql, end_sql = date_sql('"start"', end=False), date_sql('"end"', end=True)
    rejects = rejects_from_sql(
        con,
        f"""SELECT _row, field, reason, raw FROM (
            SELECT _row, 'source' AS field, 'empty actor id' AS reason, '' AS raw, 1 AS o
              FROM _it WHERE {blank_sql("source")}
            UNION ALL
            SELECT _row, 'target', 'empty actor id', '', 2
              FROM _it WHERE {blank_sql("target")}
            UNION ALL
            SELECT _row, 'source', 'undeclared actor (not in the actors file or workspace)',
                   source, 3
              FROM _it WHERE NOT {blank_sql("source")}
                AND trim(source) NOT IN (SELECT id FROM _known)
            UNION ALL
            SELECT _row, 'target', 'undeclared actor (not in the actors file or workspace)',
                   target, 4
              FROM _it WHERE NOT {blank_sql("target")}
                AND trim(target) NOT IN (SELECT id FROM _known)
            UNION ALL
            SELECT _row, 'track', 'unknown track; valid: {", ".join(TRACKS)}', track, 5 FROM _it
              WHERE trim(coalesce(track, '')) <> '' AND {_norm_sql("track")} NOT IN ({tracks})
            UNION ALL
            SELECT _row, 'kind', 'unknown tie kind; valid: {", ".join(TIE_KINDS)}', kind, 6
              FROM _it
              WHERE trim(coalesce(kind, '')) <> '' AND {_norm_sql("kind")} NOT IN ({kinds})
            UNION ALL
            SELECT _row, 'weight', 'weight must be a number >= 0 and <= {MAX_WEIGHT:g}', weight, 7
              FROM _it WHERE trim(coalesce(weight, '')) <> ''
                AND coalesce(NOT (try_cast(weight AS DOUBLE) BETWEEN 0 AND {MAX_WEIGHT!r}), true)
            UNION ALL
            SELECT _row, 'directed', 'directed must be true or false', directed, 8 FROM _it
              WHERE lower(trim(coalesce(directed, ''))) NOT IN ({_in_list(_TRUE + _FALSE)})
            UNION ALL
            SELECT _row, 'start', 'malformed date; write 2016, 2016-05 or 2016-05-03', "start", 9
              FROM _it WHERE {bad_date_sql('"start"')}
            UNION ALL
            SELECT _row, 'end', 'malformed date; write 2016, 2016-05 or 2016-05-03', "end", 10
              FROM _it WHERE {bad_date_sql('"end"')}
            UNION ALL
            SELECT _row, 'end', 'end is before start', "end", 11 FROM _it
              WHERE ({start_sql}) > ({end_sql})
            UNION ALL
            SELECT _row, 'target', '{SELF_LOOP}', target, 12 FROM _it
              WHERE NOT {blank_sql("source")} AND trim(source) = trim(target)
        ) ORDER BY _row, o""",
    )
    con.register("_rj", rejects)
    try:
        tie_tab = _select_ties(con, extra, start_sql, end_sql)
    finally:
        con.unregister("_rj")
    return tie_tab, rejects


def _attrs_sql(extra: list[str]) -> str:
    if not extra:
        return "NULL"
    pairs = ", ".join(f"{quote_literal(c)}, {quote_ident(c)}" for c in extra)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


def _select_ties(
    con: duckdb.DuckDBPyConnection, extra: list[str], start_sql: str, end_sql: str
) -> pa.Table:
    return con.sql(
        f"""SELECT trim(source) AS source, trim(target) AS target,
                   coalesce(nullif({_norm_sql("track")}, ''), 'general') AS track,
                   coalesce(nullif({_norm_sql("kind")}, ''), 'other') AS kind,
                   {start_sql} AS start_date, {end_sql} AS end_date,
                   coalesce(try_cast(nullif(trim(weight), '') AS DOUBLE), 1.0) AS weight,
                   lower(trim(coalesce(directed, ''))) IN ({_in_list(_TRUE)}) AS directed,
                   'row ' || _row AS ref,
                   {_attrs_sql(extra)} AS attrs
            FROM _it WHERE _row NOT IN (SELECT CAST("row" AS BIGINT) FROM _rj)
            ORDER BY _row"""
    ).to_arrow_table()


def read_tables(
    ws: Workspace,
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
    actor_tab = pa.schema([("id", pa.string())]).empty_table()
    rejects: list[pa.Table] = []
    names, hashes, rows = [], [], 0
    if actors is not None:
        ap, actor_tab, arj, n = _read_actors(con, actors, mapping, **read)
        if not skip_bad_rows:
            fail_on_rejects(arj, ap)
        rejects.append(prefix_rows(arj, ap.name))
        names.append(ap.name)
        hashes.append(file_sha256(ap))
        rows += n
    if ties is not None:
        set_known_actors(con, actor_tab)
        tp, tie_tab, trj, n = _read_ties(con, ties, mapping, **read)
        if not skip_bad_rows:
            fail_on_rejects(trj, tp, fatal_reasons=fatal_reasons(trj))
        rejects.append(prefix_rows(trj, tp.name))
        names.append(tp.name)
        hashes.append(file_sha256(tp))
        rows += n
    else:
        tie_tab = pa.schema([("source", pa.string())]).empty_table()
    for rj, src in zip(rejects, [p for p in (actors, ties) if p is not None], strict=True):
        if rj.num_rows:
            write_rejects(rj, rejects_path_for(Path(src)), str(src))
    digest = hashlib.sha256("|".join(hashes).encode()).hexdigest()
    return Batch(
        name=" + ".join(names),
        path=" + ".join(str(x) for x in (actors, ties) if x is not None),
        sha256=digest,
        importer="table",
        actors=actor_tab,
        ties=tie_tab,
        rows_read=rows,
        rejects=pa.concat_tables(rejects) if rejects else REJECT_SCHEMA.empty_table(),
    )


def set_known_actors(con: duckdb.DuckDBPyConnection, actors: pa.Table) -> None:
    """Temp table ``_known``: the workspace's actor ids plus those of ``actors``."""
    con.register("_new_ids", actors.select(["id"]))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _known AS SELECT id FROM actors UNION SELECT id FROM _new_ids"
    )
    con.unregister("_new_ids")


def fatal_reasons(rejects: pa.Table) -> list[str]:
    return sorted({r for r in rejects.column("reason").to_pylist() if r != SELF_LOOP})


def prefix_rows(rejects: pa.Table, file_name: str) -> pa.Table:
    rows = [f"{file_name}:{r}" for r in rejects.column("row").to_pylist()]
    return rejects.set_column(0, "row", pa.array(rows, pa.string()))


def import_tables(
    ws: Workspace,
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
    batch = read_tables(
        ws, actors=actors, ties=ties, mapping=mapping, skip_bad_rows=skip_bad_rows, **read
    )
    batch.coverage = coverage
    return ws.ingest([batch])[0]
