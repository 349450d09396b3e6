"""Import GDELT event files as civil-diplomacy ties between (country, CAMEO type) actors.

Each file is read by DuckDB and reduced, in one query, to partial aggregates per (source actor,
target actor, track, period): event count, sum of NumMentions, sums for the mean GoldsteinScale and
AvgTone (exact decimals), geo fallbacks. Partials of all files (from this process or from Dask
workers) are merged by summing, so the ties are the same however the files were spread. Raw events
never leave DuckDB. The rules are in :mod:`civnet.importers.events.mapping`, the formats in
:mod:`civnet.importers.events.formats`, the user's view of both in docs/events.md.

Every file becomes a source with its rows read and its rejects (one per bad line, with the file and
line). The ties, merged over the files of one import, form one more source, ``gdelt ties (...)``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from civnet.countries import country_name
from civnet.errors import InputFileError
from civnet.importers.batch import REJECT_SCHEMA, Batch, IngestReport, Sink
from civnet.importers.events.cameo import codebook
from civnet.importers.events.formats import OpenedFile, locate_rows, open_gdelt, reader_sql
from civnet.importers.events.mapping import (
    PARTIAL_SCHEMA,
    UNDECODABLE,
    GdeltOptions,
    aggregate_sql,
    register_lookups,
)
from civnet.sql import connect as duckdb_connect
from civnet.sql import fetch_arrow
from civnet.vocab import COUNTRY_SECTOR, sector_actor_id, sector_actor_level, sector_actor_type

Progress = Callable[[float], None]
"""Called with the fraction (0-1) of a file read so far."""


@dataclass
class FileResult:
    """What one file gave: its identity, counts, rejects and partial ties (Arrow, picklable)."""

    name: str
    path: str
    sha256: str
    format: str
    rows_read: int
    rejects: pa.Table
    filtered: dict[str, int]
    partial: pa.Table
    seconds: float = 0.0

    @property
    def events_kept(self) -> int:
        col = self.partial.column("events")
        return int(pc.sum(col).as_py() or 0) if self.partial.num_rows else 0

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rejects.column("reason").to_pylist():
            out[r] = out.get(r, 0) + 1
        return out


def expand_paths(patterns: Sequence[str | Path]) -> list[Path]:
    """Files named by paths or glob patterns, sorted, each once; a pattern matching nothing fails."""
    out: dict[str, Path] = {}
    for pat in patterns:
        text = str(pat)
        matches = sorted(glob.glob(text, recursive=True)) if glob.has_magic(text) else [text]
        if not matches:
            raise InputFileError("no file matches", where=text, fix="check the glob pattern")
        for m in matches:
            p = Path(m)
            if not p.is_file():
                raise InputFileError("file not found", where=m, fix="check the path")
            out.setdefault(str(p.resolve()), p)
    return sorted(out.values(), key=lambda p: str(p))


def aggregate_file(
    path: str | Path, options: GdeltOptions, progress: Progress | None = None
) -> FileResult:
    """Read one GDELT file with DuckDB and return its rejects, filter counts and partial ties.

    Runs in a fresh in-memory DuckDB connection, so it can run on a Dask worker.
    """
    t0 = time.perf_counter()
    with open_gdelt(path) as opened:
        con = duckdb_connect()
        try:
            # DuckDB cannot estimate a headerless CSV's size and would build its hash tables on
            # the events instead of on the small lookup tables; keep the joins as written.
            con.execute("SET disabled_optimizers = 'build_side_probe_side'")
            register_lookups(con, options)
            result, undecodable = _aggregate(con, opened, options, progress)
        finally:
            con.close()
        rows = result.column("rows").to_pylist()
        status = result.column("status").to_pylist()
        rows_read = sum(rows) + len(undecodable)
        filtered: dict[str, int] = {}
        for s, reason, n in zip(status, result.column("reason").to_pylist(), rows, strict=True):
            if s == "filter":
                filtered[reason] = filtered.get(reason, 0) + n
        rejects = _rejects(result, opened.text, opened.fmt.header, undecodable, opened.source.name)
        tie_mask = pc.equal(result.column("status"), "tie")
        partial = result.filter(tie_mask).select(PARTIAL_SCHEMA.names).cast(PARTIAL_SCHEMA)
        return FileResult(
            name=opened.source.name,
            path=str(opened.source),
            sha256=opened.sha256,
            format=opened.fmt.name,
            rows_read=rows_read,
            rejects=rejects,
            filtered=filtered,
            partial=partial,
            seconds=time.perf_counter() - t0,
        )


def _aggregate(
    con: duckdb.DuckDBPyConnection,
    opened: OpenedFile,
    options: GdeltOptions,
    progress: Progress | None,
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Run the file's query; again with line numbers when it has rejects or undecodable lines."""
    name = opened.source.name
    try:
        sql = aggregate_sql(opened.fmt, reader_sql(opened.text, opened.fmt), options, name)
        result = _run_with_progress(con, sql, progress)
        if "reject" not in result.column("status").to_pylist():
            return result, []
    except duckdb.InvalidInputException:
        pass  # a line DuckDB cannot decode: the second pass skips and lists it
    sql = aggregate_sql(opened.fmt, reader_sql(opened.text, opened.fmt, lines=True), options, name)
    return _run_with_progress(con, sql, progress), _decode_errors(con)


def _run_with_progress(
    con: duckdb.DuckDBPyConnection, sql: str, progress: Progress | None
) -> pa.Table:
    if progress is None:
        return fetch_arrow(con, sql)
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["table"] = fetch_arrow(con, sql)
        except BaseException as exc:  # re-raised in the calling thread
            out["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        pct = con.query_progress()
        if pct >= 0:
            progress(min(pct / 100.0, 1.0))
    if "error" in out:
        raise out["error"]
    progress(1.0)
    return out["table"]


def _decode_errors(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Lines DuckDB skipped (they are not UTF-8): (line, raw text)."""
    try:
        t = fetch_arrow(con, "SELECT line, csv_line FROM _csv_errors ORDER BY line")
    except duckdb.Error:
        return []
    return list(zip(t.column(0).to_pylist(), t.column(1).to_pylist(), strict=True))


def _rejects(
    result: pa.Table,
    text: Path,
    header: bool,
    undecodable: list[tuple[int, str]],
    file_name: str,
) -> pa.Table:
    """One reject per bad line, ``row`` = ``FILE:line N``, in line order, with its raw text."""
    bad = result.filter(pc.equal(result.column("status"), "reject")).to_pylist()
    if not bad and not undecodable:
        return REJECT_SCHEMA.empty_table()
    where = locate_rows(
        text, {r["line"] for r in bad}, {ln for ln, _ in undecodable}, 1 if header else 0
    )
    recs = [(*where[r["line"]], r["field"], r["reason"]) for r in bad]
    recs += [(ln, raw, "line", UNDECODABLE) for ln, raw in undecodable]
    recs.sort(key=lambda x: x[0])
    return pa.table(
        {
            "row": [f"{file_name}:line {ln}" for ln, *_ in recs],
            "field": [f for _, _, f, _ in recs],
            "reason": [r for *_, r in recs],
            "raw": [raw for _, raw, _, _ in recs],
        },
        schema=REJECT_SCHEMA,
    )


def merge_partials(partials: Sequence[pa.Table]) -> pa.Table:
    """Sum partial aggregates over files: one row per (actors, track, period), exact."""
    tables = [p for p in partials if p.num_rows]
    if not tables:
        return _merged_schema().empty_table()
    con = duckdb_connect()
    try:
        con.register("_parts", pa.concat_tables(tables))
        return fetch_arrow(
            con,
            """SELECT src_iso, src_type, src_name, tgt_iso, tgt_type, tgt_name, track,
                      start_date, end_date,
                      sum(events)::BIGINT AS events, sum(mentions)::BIGINT AS mentions,
                      sum(goldstein_sum)::DECIMAL(38, 1) AS goldstein_sum,
                      sum(tone_sum)::DECIMAL(38, 12) AS tone_sum,
                      sum(tone_events)::BIGINT AS tone_events,
                      sum(geo_fallbacks)::BIGINT AS geo_fallbacks,
                      list(DISTINCT file ORDER BY file) AS files
               FROM _parts
               GROUP BY ALL
               ORDER BY src_iso, src_type, src_name NULLS FIRST, tgt_iso, tgt_type,
                        tgt_name NULLS FIRST, track, start_date""",
        )
    finally:
        con.close()


def _merged_schema() -> pa.Schema:
    fields = [f for f in PARTIAL_SCHEMA if f.name != "file"]
    return pa.schema([*fields, pa.field("files", pa.list_(pa.string()))])


def actor_id(iso3: str, cameo_type: str, name: str | None) -> str:
    """``CHN/EDU`` (:func:`civnet.vocab.sector_actor_id`), or ``CHN/EDU/NAME`` for named actors."""
    base = sector_actor_id(iso3, cameo_type)
    return f"{base}/{name.strip().upper()}" if name else base


_ID_SQL = "upper(trim({p}_iso)) || '/' || upper(trim({p}_type))"
_NAMED_ID_SQL = "coalesce('/' || upper(trim({p}_name)), '')"

_TIES_SQL = f"""
SELECT {_ID_SQL.format(p="src")} || {_NAMED_ID_SQL.format(p="src")} AS source,
       {_ID_SQL.format(p="tgt")} || {_NAMED_ID_SQL.format(p="tgt")} AS target,
       track, 'event' AS kind, start_date, end_date, events::DOUBLE AS weight, true AS directed,
       'gdelt ' || start_date || '..' || end_date || ': ' || events || ' events in '
         || array_to_string(files[1:3], ', ')
         || CASE WHEN len(files) > 3 THEN ' and ' || (len(files) - 3) || ' more' ELSE '' END
         AS ref,
       json_object(
         'events', events, 'mentions', coalesce(mentions, 0),
         'mean_goldstein', (goldstein_sum / events)::DOUBLE,
         'mean_tone', CASE WHEN tone_events > 0 THEN (tone_sum / tone_events)::DOUBLE END,
         'geo_fallbacks', coalesce(geo_fallbacks, 0), 'cameo_types', [src_type, tgt_type],
         'n_files', len(files), 'files', CASE WHEN len(files) <= 20 THEN files END
       )::VARCHAR AS attrs
FROM _merged
"""


def ties_and_actors(merged: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The tie and actor tables of merged aggregates (weight = event count, directed, kind event).

    Tie attributes (JSON): events, mentions (sum of NumMentions), mean_goldstein, mean_tone,
    geo_fallbacks, cameo_types, n_files and, up to 20, the files.
    """
    con = duckdb_connect()
    try:
        con.register("_merged", merged)
        ties = fetch_arrow(con, _TIES_SQL)
        ends = fetch_arrow(
            con,
            """SELECT DISTINCT src_iso AS iso, src_type AS typ, src_name AS name FROM _merged
               UNION SELECT tgt_iso, tgt_type, tgt_name FROM _merged ORDER BY ALL""",
        ).to_pylist()
    finally:
        con.close()
    cb = codebook()
    names: dict[str, str] = {}
    actors: dict[str, dict[str, Any]] = {}
    for r in ends:
        iso, typ, name = r["iso"], r["typ"], r["name"]
        aid = actor_id(iso, typ, name)
        label = cb.actor_types.get(typ, typ).lower()
        actors[aid] = {
            "id": aid,
            "name": name.strip()
            if name
            else (
                _cached(names, iso)  # the country as one actor
                if typ == COUNTRY_SECTOR
                else f"{_cached(names, iso)}: {label}"
            ),
            "type": sector_actor_type(typ),
            "country": iso,
            "attrs": json.dumps({"cameo_type": typ, "source": "gdelt"}),
            # a named actor is one organisation; else the country's sector or the country
            "level": "organisation" if name else sector_actor_level(typ),
        }
    actor_tab = pa.table(
        {
            k: [a[k] for a in actors.values()]
            for k in ("id", "name", "type", "country", "attrs", "level")
        }
    )
    return ties, actor_tab


def _cached(names: dict[str, str], iso3: str) -> str:
    if iso3 not in names:
        names[iso3] = country_name(iso3)
    return names[iso3]


@dataclass
class GdeltImport:
    """What an import did: one result per file read, the reports of the workspace."""

    files: list[FileResult]
    skipped: list[str] = field(default_factory=list)
    reports: list[IngestReport] = field(default_factory=list)
    ties: int = 0
    geo_fallbacks: int = 0


def file_batch(res: FileResult, options: GdeltOptions) -> Batch:
    """The source of one file: rows read, rejects, and in ``notes`` the filter counts (JSON)."""
    notes = {
        "format": res.format,
        "rows_read": res.rows_read,
        "rows_rejected": res.rejects.num_rows,
        "rejected": res.rejected_by_reason,
        "events_kept": res.events_kept,
        "filtered": res.filtered,
        "options": options.describe(),
    }
    return Batch(
        name=res.name,
        path=res.path,
        sha256=res.sha256,
        importer="gdelt",
        actors=pa.schema([("id", pa.string())]).empty_table(),
        ties=pa.schema([("source", pa.string())]).empty_table(),
        rows_read=res.rows_read,
        rejects=res.rejects,
        description=f"GDELT event file ({res.format})",
        licence="GDELT: free for all uses with citation (gdeltproject.org/about.html#termsofuse)",
        notes=json.dumps(notes, sort_keys=True),
    )


def run_files(
    paths: Sequence[Path],
    options: GdeltOptions,
    *,
    dask: str | None = None,
    on_file: Callable[[Path], Progress | None] | None = None,
    on_done: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Aggregate every file, here (one after another) or on a Dask cluster; sorted by path."""
    if dask:
        from civnet.importers.events.dask import run_on_dask

        results = run_on_dask(paths, options, dask, on_done=on_done)
    else:
        results = []
        for p in paths:
            res = aggregate_file(p, options, on_file(p) if on_file else None)
            if on_done:
                on_done(res)
            results.append(res)
    return sorted(results, key=lambda r: r.path)


def import_gdelt(
    ws: Sink,
    patterns: Sequence[str | Path],
    options: GdeltOptions | None = None,
    *,
    dask: str | None = None,
    on_file: Callable[[Path], Progress | None] | None = None,
    on_done: Callable[[FileResult], None] | None = None,
) -> GdeltImport:
    """Import GDELT files into the workspace in one transaction.

    Files already in the workspace (same SHA-256) and repeated files are left out of the ties.
    """
    options = options or GdeltOptions()
    paths = expand_paths(patterns)
    results = run_files(paths, options, dask=dask, on_file=on_file, on_done=on_done)
    fresh, skipped, seen = [], [], set()
    for res in results:
        if res.sha256 in seen or ws.has_source(res.sha256):
            skipped.append(res.path)
        else:
            fresh.append(res)
        seen.add(res.sha256)
    merged = merge_partials([r.partial for r in fresh])
    ties, actors = ties_and_actors(merged)
    batches = [file_batch(r, options) for r in fresh]
    if fresh:
        key = "|".join([options.key(), *sorted(r.sha256 for r in fresh)])
        batches.append(
            Batch(
                name=f"gdelt ties ({len(fresh)} files, {options.describe()})",
                path=" ".join(r.path for r in fresh[:20]),
                sha256=hashlib.sha256(key.encode()).hexdigest(),
                importer="gdelt",
                actors=actors,
                ties=ties,
                # the "rows" of the aggregate are the events it sums
                rows_read=sum(r.events_kept for r in fresh),
                description="civil-diplomacy ties aggregated from GDELT events (docs/events.md)",
                notes=json.dumps({"files": [r.name for r in fresh]}),
            )
        )
    reports = ws.ingest(batches) if batches else []
    fallbacks = sum(int(x or 0) for x in merged.column("geo_fallbacks").to_pylist())
    return GdeltImport(
        files=fresh,
        skipped=skipped,
        reports=reports,
        ties=merged.num_rows,
        geo_fallbacks=fallbacks,
    )
