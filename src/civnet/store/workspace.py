"""The workspace: a DuckDB file with the tables actors, ties, sources and rejects.

The store only persists. Importers hand it :class:`~civnet.importers.batch.Batch` objects; views read
its tables. Every ingest runs in one transaction: it lands whole or not at all.

Tie identity: ties with the same (source, target, track, kind, start_date, end_date, directed) are
one tie; for the kinds in ``PAIR_KEYED_KINDS`` (``sister_city``) the dates are left out of the key,
so a twinning reported with a year by one source and without by another is one tie, and it keeps
the earliest start. Undirected ties are stored with ``source <= target``. When a second row or source reports
the same tie, its reference is appended to the tie's ``refs`` and the weight becomes the larger of
the two (a tie reported twice is still one tie).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from civnet.errors import WorkspaceError
from civnet.importers.batch import Batch, IngestReport, rejected_rows, rows_by_reason
from civnet.sql import connect as duckdb_connect
from civnet.sql import fetch_one, flush_after_tasks
from civnet.store import cache
from civnet.store.columnar import ColumnarRecords
from civnet.store.paths import DEFAULT_WORKSPACE as DEFAULT_WORKSPACE
from civnet.store.paths import resolve_workspace_path as resolve_workspace_path
from civnet.store.schema import connect, open_workspace_db, schema_version
from civnet.vocab import actor_level

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS sources (
        id INTEGER PRIMARY KEY,
        name VARCHAR NOT NULL,
        path VARCHAR,
        sha256 VARCHAR NOT NULL,
        importer VARCHAR NOT NULL,
        description VARCHAR,
        licence VARCHAR,
        notes VARCHAR,
        imported_at TIMESTAMP DEFAULT current_timestamp,
        rows_read BIGINT,
        rows_kept BIGINT,
        rows_rejected BIGINT,
        coverage_from DATE,
        coverage_to DATE,
        coverage_origin VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS actors (
        id VARCHAR PRIMARY KEY,
        name VARCHAR,
        type VARCHAR NOT NULL,
        country VARCHAR,
        city VARCHAR,
        lat DOUBLE,
        lon DOUBLE,
        attrs JSON,
        source_id INTEGER,
        level VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS ties (
        tie_id BIGINT NOT NULL,
        source VARCHAR NOT NULL,
        target VARCHAR NOT NULL,
        track VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        start_date DATE,
        end_date DATE,
        weight DOUBLE NOT NULL,
        directed BOOLEAN NOT NULL,
        refs VARCHAR[] NOT NULL,
        attrs JSON
    )""",
    """CREATE TABLE IF NOT EXISTS rejects (
        source_id INTEGER,
        "row" VARCHAR,
        field VARCHAR,
        reason VARCHAR,
        raw VARCHAR
    )""",
    cache.TABLE_DDL,
]

_UPGRADES: list[str] = [
    # 2: the civnet marker in meta (written by civnet.store.schema); the result cache table
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    # source coverage windows (issue 10): workspaces made before them get the columns empty,
    # and Workspace.source_windows() falls back to the sources' dated ties
    "ALTER TABLE sources ADD COLUMN IF NOT EXISTS coverage_from DATE",
    "ALTER TABLE sources ADD COLUMN IF NOT EXISTS coverage_to DATE",
    "ALTER TABLE sources ADD COLUMN IF NOT EXISTS coverage_origin VARCHAR",
    # actor levels (civnet.vocab.ACTOR_LEVELS); existing rows are filled by _fill_levels
    "ALTER TABLE actors ADD COLUMN IF NOT EXISTS level VARCHAR",
]
"""Statements that bring an older workspace to this schema, oldest first; each idempotent.

To add a column: add it to its ``CREATE TABLE`` in ``_DDL`` and append ``ALTER TABLE t ADD COLUMN
IF NOT EXISTS c TYPE`` here. New tables need only ``_DDL`` (``IF NOT EXISTS``). The schema version
follows from this list (:func:`civnet.store.schema.schema_version`), and
``tests/test_workspace_identity.py`` checks that an upgraded first-release workspace has exactly
the columns of a new one.
"""

SCHEMA_VERSION = schema_version(_UPGRADES)
"""This civnet's workspace schema version, stored in ``meta``."""

_TIE_KEY = ["source", "target", "track", "kind", "directed"]

PAIR_KEYED_KINDS: tuple[str, ...] = ("sister_city",)
"""Kinds whose key is the pair alone: a twinning is one tie whatever dates its sources give."""


class Workspace:
    """A civnet workspace in one DuckDB file (or in memory with ``":memory:"``).

    >>> ws = Workspace(":memory:")
    >>> ws.counts()
    {'actors': 0, 'ties': 0, 'sources': 0, 'rejects': 0}
    """

    def __init__(self, path: str | Path = DEFAULT_WORKSPACE, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise WorkspaceError(
                f"no workspace at {self.path}",
                fix="load data first (civnet load city-diplomacy) or pass --workspace PATH",
            )
        self.con = open_workspace_db(self.path, read_only=read_only, ddl=_DDL, upgrades=_UPGRADES)
        if not read_only:
            self._fill_levels()

    # -- life cycle ---------------------------------------------------------------------------
    def _fill_levels(self) -> None:
        """Give actors stored without a level (workspaces made before levels) the default
        level of :func:`civnet.vocab.actor_level`; the upgrade only adds the empty column."""
        missing = self.con.sql("SELECT id, type FROM actors WHERE level IS NULL").to_arrow_table()
        if not missing.num_rows:
            return
        levels = [
            actor_level(t, i)
            for i, t in zip(
                missing.column("id").to_pylist(), missing.column("type").to_pylist(), strict=True
            )
        ]
        self.con.register("_lv", missing.append_column("level", pa.array(levels, pa.string())))
        try:
            with self.transaction() as con:
                con.execute("UPDATE actors SET level = l.level FROM _lv l WHERE actors.id = l.id")
        finally:
            self.con.unregister("_lv")

    def has_actor_levels(self) -> bool:
        """True when every actor has its level stored (a workspace made before levels and
        opened read-only has the column, still empty, until it is opened for writing once)."""
        if not self.has_level_column():
            return False
        nulls = fetch_one(self.con, "SELECT count(*) FROM actors WHERE level IS NULL")
        return nulls is not None and int(nulls[0]) == 0

    def has_level_column(self) -> bool:
        """True when the actors table has the ``level`` column (every upgraded workspace has)."""
        row = fetch_one(
            self.con,
            """SELECT count(*) FROM information_schema.columns
               WHERE table_name = 'actors' AND column_name = 'level'""",
        )
        return bool(row and row[0])

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction: committed whole, or rolled back on any error."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- reading ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Rows in each table."""
        out = {}
        for table in ("actors", "ties", "sources", "rejects"):
            row = fetch_one(self.con, f"SELECT count(*) FROM {table}")
            out[table] = int(row[0]) if row else 0
        return out

    def sources(self) -> pa.Table:
        """The sources table, oldest first."""
        return self.con.sql("SELECT * FROM sources ORDER BY id").to_arrow_table()

    def source_windows(self) -> pa.Table:
        """Each source's coverage window: ``id, name, coverage_from, coverage_to, origin``.

        The window stored at import (declared, or observed from the batch's dated ties), else,
        for a source stored before windows were recorded, the first and last date of the dated
        ties that cite it (``observed``). Null dates: the source has no dated tie.
        """
        cols = {r[0] for r in self.con.execute("DESCRIBE sources").fetchall()}
        stored = (
            "s.coverage_from AS cf, s.coverage_to AS ct, s.coverage_origin AS co"
            if "coverage_from" in cols
            else "NULL::DATE AS cf, NULL::DATE AS ct, NULL::VARCHAR AS co"
        )
        return self.con.sql(
            f"""WITH stored AS (
                  SELECT s.id, s.name, {stored} FROM sources s),
                cited AS (
                  SELECT TRY_CAST(substr(split_part(r, ':', 1), 2) AS INTEGER) AS id,
                         min(t.start_date) AS first,
                         max(greatest(t.start_date, coalesce(t.end_date, t.start_date))) AS last
                  FROM ties t, unnest(t.refs) AS u(r)
                  WHERE t.start_date IS NOT NULL
                  GROUP BY 1)
                SELECT s.id, s.name,
                       CASE WHEN s.co IS NOT NULL THEN s.cf ELSE c.first END AS coverage_from,
                       CASE WHEN s.co IS NOT NULL THEN s.ct ELSE c.last END AS coverage_to,
                       coalesce(s.co, 'observed') AS origin
                FROM stored s LEFT JOIN cited c ON c.id = s.id ORDER BY s.id"""
        ).to_arrow_table()

    def has_source(self, sha256: str) -> bool:
        row = fetch_one(self.con, "SELECT 1 FROM sources WHERE sha256 = ?", [sha256])
        return row is not None

    # -- writing ------------------------------------------------------------------------------
    def ingest(self, batches: Iterable[Batch]) -> list[IngestReport]:
        """Store batches in one transaction and report what each added.

        A batch whose ``sha256`` is already in ``sources`` is skipped (reported with
        ``skipped=True``). Ties whose endpoints are missing from both the batch's and the
        workspace's actors make the whole ingest fail (importers check this first).
        """
        reports = []
        with self.transaction() as con:
            for batch in batches:
                reports.append(self._ingest_one(con, batch))
            if any(not r.skipped for r in reports):
                cache.bump(con)  # new data: a new data version, and no cached result survives
        return reports

    # -- the result cache (civnet.store.cache) ----------------------------------------------------
    def data_version(self) -> int:
        """A counter raised by every ingest that added a source (0 before the first)."""
        return cache.data_version(self.con)

    def cached_result(self, key: str, *, lazy: bool = False) -> object | None:
        """The JSON result kept under ``key``, or ``None``; with ``lazy`` its records kept by
        column stay :class:`~civnet.store.columnar.ColumnarRecords` (see :func:`cache.lookup`)."""
        return cache.lookup(self.con, key, lazy=lazy)

    def keep_result(
        self,
        key: str,
        measure: str,
        version: int,
        civnet: str,
        text: str,
        records: ColumnarRecords | None = None,
        records_at: str = "",
    ) -> bool:
        """Keep a JSON result (``records`` by column beside it: :func:`cache.store`); ``False``
        when the workspace cannot be written now.

        A workspace opened read-only is reopened for writing just for this (and read-only again
        after); when another process holds the file, or the file is not writable, nothing is
        kept and nothing fails.
        """
        if self.path == ":memory:" or not self.read_only:
            return cache.store(self.con, key, measure, version, civnet, text, records, records_at)
        self.con.close()
        try:
            con = flush_after_tasks(duckdb_connect(self.path))  # only to keep this result
        except duckdb.Error:
            kept = False
        else:
            try:
                kept = cache.data_version(con) == version and cache.store(
                    con, key, measure, version, civnet, text, records, records_at
                )
            finally:
                con.close()
        self.con = connect(self.path, read_only=True)
        return kept

    def _ingest_one(self, con: duckdb.DuckDBPyConnection, batch: Batch) -> IngestReport:
        reasons = rows_by_reason(batch.rejects)
        report = IngestReport(
            name=batch.name,
            rows_read=batch.rows_read,
            rows_rejected=rejected_rows(batch.rejects),
            reasons=reasons,
        )
        if self.has_source(batch.sha256):
            report.skipped = True
            return report
        row = fetch_one(con, "SELECT coalesce(max(id), 0) + 1 FROM sources")
        source_id = int(row[0]) if row else 1
        report.source_id = source_id

        actors_src = batch.actors_sql or "_b_actors"
        ties_src = batch.ties_sql or "_b_ties"
        registered = []
        if batch.actors_sql is None:
            con.register("_b_actors", batch.actors)
            registered.append("_b_actors")
        if batch.ties_sql is None:
            con.register("_b_ties", batch.ties)
            registered.append("_b_ties")
        con.register("_b_rejects", batch.rejects)
        try:
            report.actors_added = self._merge_actors(con, source_id, actors_src)
            self._check_endpoints(con, batch, ties_src)
            row = fetch_one(con, f"SELECT count(*) FROM {ties_src}")
            report.tie_rows = int(row[0]) if row else 0
            coverage = _coverage(con, batch, ties_src)
            report.ties_in_batch, report.ties_added, report.ties_merged = self._merge_ties(
                con, source_id, ties_src, batch.release
            )
            con.execute(
                """INSERT INTO rejects SELECT ?, "row", field, reason, raw FROM _b_rejects""",
                [source_id],
            )
            con.execute(
                """INSERT INTO sources (id, name, path, sha256, importer, description, licence,
                       notes, rows_read, rows_kept, rows_rejected, coverage_from, coverage_to,
                       coverage_origin)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    source_id,
                    batch.name,
                    batch.path,
                    batch.sha256,
                    batch.importer,
                    batch.description,
                    batch.licence,
                    batch.notes,
                    batch.rows_read,
                    batch.rows_read - batch.rejects.num_rows,
                    batch.rejects.num_rows,
                    *coverage,
                ],
            )
        finally:
            for name in [*registered, "_b_rejects"]:
                con.unregister(name)
        return report

    @staticmethod
    def _merge_actors(con: duckdb.DuckDBPyConnection, source_id: int, src: str) -> int:
        """Insert new actors of table ``src``; for known ids fill only the attributes still
        missing."""
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _new_actors AS
               SELECT DISTINCT ON (id) * FROM {src} WHERE id IS NOT NULL ORDER BY id"""
        )
        con.execute(
            """UPDATE actors SET
                 name = coalesce(actors.name, n.name),
                 country = coalesce(actors.country, n.country),
                 city = coalesce(actors.city, n.city),
                 lat = coalesce(actors.lat, n.lat),
                 lon = coalesce(actors.lon, n.lon),
                 attrs = coalesce(actors.attrs, n.attrs::JSON)
               FROM _new_actors n
               WHERE actors.id = n.id
                 AND (actors.name IS NULL OR actors.country IS NULL OR actors.city IS NULL
                      OR actors.lat IS NULL OR actors.lon IS NULL OR actors.attrs IS NULL)"""
        )
        row = fetch_one(
            con,
            """SELECT count(*) FROM _new_actors n WHERE NOT EXISTS
               (SELECT 1 FROM actors a WHERE a.id = n.id)""",
        )
        added = int(row[0]) if row else 0
        con.execute(
            """INSERT INTO actors (id, name, type, country, city, lat, lon, attrs, source_id, level)
               SELECT id, name, type, country, city, lat, lon, attrs::JSON, ?, level
               FROM _new_actors n
               WHERE NOT EXISTS (SELECT 1 FROM actors a WHERE a.id = n.id)""",
            [source_id],
        )
        con.execute("DROP TABLE _new_actors")
        return added

    @staticmethod
    def _check_endpoints(con: duckdb.DuckDBPyConnection, batch: Batch, src: str) -> None:
        loop = fetch_one(con, f"SELECT source FROM {src} WHERE source = target LIMIT 1")
        if loop is not None:
            raise WorkspaceError(
                f"a tie from actor {loop[0]!r} to itself reached the store",
                where=batch.name,
                fix="importers keep self-loops out and count them as rejects",
            )
        row = fetch_one(
            con,
            f"""SELECT e FROM (SELECT source AS e FROM {src} UNION SELECT target FROM {src})
               WHERE e NOT IN (SELECT id FROM actors) LIMIT 1""",
        )
        if row is not None:
            raise WorkspaceError(
                f"a tie names actor {row[0]!r}, which is not declared",
                where=batch.name,
                fix="declare every tie endpoint as an actor",
            )

    @staticmethod
    def _merge_ties(
        con: duckdb.DuckDBPyConnection,
        source_id: int,
        src: str,
        release: Callable[[], None] | None = None,
    ) -> tuple[int, int, int]:
        """Merge the ties of table ``src`` into ``ties``; return (ties in batch, added, merged).

        ``release`` is called once ``src`` has been read (it may free the staged table)."""
        pair_kinds = ", ".join(f"'{k}'" for k in PAIR_KEYED_KINDS)
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _new_ties AS
               WITH oriented AS (
                 SELECT
                   CASE WHEN NOT directed AND target < source THEN target ELSE source END AS source,
                   CASE WHEN NOT directed AND target < source THEN source ELSE target END AS target,
                   track, kind, start_date, end_date, weight, directed,
                   's' || ? || ':' || coalesce(ref, '?') AS ref, attrs,
                   kind NOT IN ({pair_kinds}) AS dated_key
                 FROM {src})
               SELECT source, target, track, kind, directed, dated_key,
                      min(start_date) AS start_date,
                      CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE max(end_date) END
                        AS end_date,
                      max(weight) AS weight, list(ref ORDER BY ref) AS refs,
                      any_value(attrs) AS attrs
               FROM oriented
               GROUP BY source, target, track, kind, directed, dated_key,
                        CASE WHEN dated_key THEN start_date END,
                        CASE WHEN dated_key THEN end_date END
               ORDER BY source, target, kind, track, start_date, end_date""",
            [source_id],
        )
        if release is not None:
            release()
        row = fetch_one(con, "SELECT count(*) FROM _new_ties")
        n_batch = int(row[0]) if row else 0
        key_match = " AND ".join(f"t.{k} = n.{k}" for k in _TIE_KEY) + (
            " AND (NOT n.dated_key OR (t.start_date IS NOT DISTINCT FROM n.start_date"
            " AND t.end_date IS NOT DISTINCT FROM n.end_date))"
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _matched AS
                SELECT t.tie_id, n.refs AS new_refs, n.weight AS new_weight,
                       n.start_date AS new_start, n.end_date AS new_end
                FROM ties t JOIN _new_ties n ON {key_match}"""
        )
        row = fetch_one(con, "SELECT count(*) FROM _matched")
        n_merged = int(row[0]) if row else 0
        if n_merged:
            con.execute(
                """UPDATE ties SET refs = list_concat(ties.refs, m.new_refs),
                       weight = greatest(ties.weight, m.new_weight),
                       start_date = CASE
                         WHEN ties.start_date IS NULL THEN m.new_start
                         WHEN m.new_start IS NULL THEN ties.start_date
                         ELSE least(ties.start_date, m.new_start) END,
                       end_date = CASE
                         WHEN ties.end_date IS NULL OR m.new_end IS NULL THEN NULL
                         ELSE greatest(ties.end_date, m.new_end) END
                   FROM _matched m WHERE ties.tie_id = m.tie_id"""
            )
        row = fetch_one(con, "SELECT coalesce(max(tie_id), 0) FROM ties")
        base = int(row[0]) if row else 0
        # new ties are numbered in key order: _new_ties is stored sorted, so that its rowid
        # (0, 1, ... in insertion order) numbers them when none merged; otherwise the merged
        # ones are left out and the rest numbered again in the same order
        number, left_out = "n.rowid + 1", ""
        if n_merged:
            number = "row_number() OVER (ORDER BY n.rowid)"
            left_out = f"WHERE NOT EXISTS (SELECT 1 FROM ties t WHERE {key_match})"
        con.execute(
            f"""INSERT INTO ties
                SELECT ? + {number},
                       n.source, n.target, n.track, n.kind, n.start_date, n.end_date, n.weight,
                       n.directed, n.refs, n.attrs::JSON
                FROM _new_ties n {left_out}""",
            [base],
        )
        con.execute("DROP TABLE _new_ties")
        con.execute("DROP TABLE _matched")
        return n_batch, n_batch - n_merged, n_merged


def _coverage(con: duckdb.DuckDBPyConnection, batch: Batch, src: str) -> list[object]:
    """The batch's coverage window: declared, else its first and last dated tie (observed)."""
    if batch.coverage is not None:
        return [batch.coverage[0], batch.coverage[1], "declared"]
    row = fetch_one(
        con,
        f"""SELECT min(start_date),
                  max(greatest(start_date, coalesce(end_date, start_date)))
           FROM {src} WHERE start_date IS NOT NULL""",
    )
    first, last = (row[0], row[1]) if row else (None, None)
    return [first, last, "observed" if first is not None else None]
