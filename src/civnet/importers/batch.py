"""What an importer hands to the store: one source's actors, ties and rejected rows, as Arrow.

This module is the contract between the importers and the store. The importers do not import the
store (the layer rule, ``tests/test_layers.py``): they write to a :class:`Sink`, which
:class:`civnet.store.Workspace` is, and the store imports the batch and its schemas from here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import UnknownVocabulary
from civnet.vocab import ACTOR_LEVELS, actor_level

ACTOR_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("country", pa.string()),
        ("city", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("attrs", pa.string()),  # JSON object of extra attributes, or null
        ("level", pa.string()),  # civnet.vocab.ACTOR_LEVELS; null: civnet.vocab.actor_level
    ]
)
"""Columns of an actor batch. ``id``, ``type`` are required; ``country`` is ISO 3166-1 alpha-3;
``level`` (organisation, city, sector, country, network) is set by the importer, else derived
from type and id by :func:`civnet.vocab.actor_level`."""

TIE_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        ("track", pa.string()),
        ("kind", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("weight", pa.float64()),
        ("directed", pa.bool_()),
        ("ref", pa.string()),  # where in the source: a row number, a line, an aggregate label
        ("attrs", pa.string()),  # JSON object of extra attributes, or null
    ]
)
"""Columns of a tie batch. ``start_date`` null: timeless; ``end_date`` null: ongoing."""

REJECT_SCHEMA = pa.schema(
    [
        ("row", pa.string()),
        ("field", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)
"""Columns of the rejected rows of a batch: where, which field, why, and the raw text."""


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks (the dedup key of a source)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Batch:
    """One source ready for the store.

    ``sha256`` identifies the source's content: a batch whose hash is already in the workspace is
    skipped, so importing the same file twice adds nothing.
    """

    name: str
    path: str
    sha256: str
    importer: str
    actors: pa.Table
    ties: pa.Table
    rows_read: int
    rejects: pa.Table = field(default_factory=lambda: REJECT_SCHEMA.empty_table())
    description: str = ""
    licence: str = ""
    notes: str = ""
    coverage: tuple[dt.date, dt.date] | None = None
    """The coverage window the user or the dataset declares; None: first and last dated tie."""
    actors_sql: str | None = None
    """A temp table or view on the workspace's connection holding the actors in the columns of
    :data:`ACTOR_SCHEMA`, levels set: an importer that validates in SQL leaves them there
    instead of in ``actors`` (which is then empty), so that no row passes through Python."""
    ties_sql: str | None = None
    """As ``actors_sql``, for ties in the columns of :data:`TIE_SCHEMA`."""
    release: Callable[[], None] | None = None
    """Called by the store once it has read ``actors_sql`` and ``ties_sql`` (before the merge's
    sort), so that the importer can free what they hold."""

    def __post_init__(self) -> None:
        self.actors = with_levels(_conform(self.actors, ACTOR_SCHEMA))
        self.ties = _conform(self.ties, TIE_SCHEMA)
        self.rejects = _conform(self.rejects, REJECT_SCHEMA)

    def ties_arrow(self, con: duckdb.DuckDBPyConnection) -> pa.Table:
        """The batch's ties as Arrow, fetched from ``ties_sql`` when they are staged there."""
        if self.ties_sql is None:
            return self.ties
        return _conform(con.sql(f"SELECT * FROM {self.ties_sql}").to_arrow_table(), TIE_SCHEMA)


def with_levels(actors: pa.Table) -> pa.Table:
    """``actors`` with every null ``level`` set by :func:`civnet.vocab.actor_level`.

    A level outside :data:`civnet.vocab.ACTOR_LEVELS` raises :class:`UnknownVocabulary`.
    """
    if not actors.num_rows:
        return actors
    given = actors.column("level").to_pylist()
    if all(x is not None for x in given):
        levels = given
    else:
        ids, types = actors.column("id").to_pylist(), actors.column("type").to_pylist()
        levels = [
            lv if lv is not None else actor_level(t, i)
            for lv, t, i in zip(given, types, ids, strict=True)
        ]
    bad = next((x for x in levels if x not in ACTOR_LEVELS), None)
    if bad is not None:
        raise UnknownVocabulary(
            f"unknown actor level {bad!r}", fix=f"use one of: {', '.join(ACTOR_LEVELS)}"
        )
    return actors.set_column(
        actors.column_names.index("level"), "level", pa.array(levels, pa.string())
    )


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Add missing optional columns as nulls and cast to ``schema`` (column order included)."""
    cols = []
    for f in schema:
        if f.name in table.column_names:
            cols.append(table.column(f.name).cast(f.type))
        else:
            cols.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(cols, schema=schema)


@dataclass
class IngestReport:
    """What one batch did to the workspace."""

    name: str
    rows_read: int
    rows_rejected: int
    tie_rows: int = 0
    ties_in_batch: int = 0
    ties_added: int = 0
    ties_merged: int = 0
    actors_added: int = 0
    skipped: bool = False
    source_id: int | None = None
    reasons: dict[str, int] = field(default_factory=dict)
    details: dict[str, int] = field(default_factory=dict)
    """Further row counts an importer reports, by label: rows dropped by design (aggregates,
    missing values), rows merged within the source, value conflicts. Not rejects."""


class Sink(Protocol):
    """Where importers put what they read: the workspace, seen from below.

    ``con`` is the workspace's DuckDB connection (importers validate and stage rows in SQL
    there), ``ingest`` stores batches all-or-nothing and ``has_source`` says whether a file of
    that SHA-256 is already stored. :class:`civnet.store.Workspace` implements it.
    """

    @property
    def con(self) -> duckdb.DuckDBPyConnection: ...

    def ingest(self, batches: Sequence[Batch]) -> list[IngestReport]: ...

    def has_source(self, sha256: str) -> bool: ...


def rejected_rows(rejects: pa.Table) -> int:
    """How many input rows ``rejects`` names: one row can fail several fields (each is one
    reject entry), so this counts distinct ``row`` values; an entry without a row counts alone.

    >>> rejected_rows(pa.table({"row": ["2", "3", "3", None], "reason": ["a", "a", "b", "a"]}))
    3
    """
    rows = rejects.column("row")
    return int(pc.count_distinct(rows, mode="only_valid").as_py()) + rows.null_count


def rows_by_reason(rejects: pa.Table) -> dict[str, int]:
    """Rejected rows by reason, in order of first appearance: a row failing two fields for the
    same reason counts once for it.

    >>> rows_by_reason(pa.table({"row": ["2", "3", "3"], "reason": ["a", "a", "b"]}))
    {'a': 2, 'b': 1}
    """
    if not rejects.num_rows:
        return {}
    valid = rejects.filter(pc.is_valid(rejects.column("row")))
    pairs = valid.group_by(["reason", "row"], use_threads=False).aggregate([])
    counts: dict[str, int] = {}
    for reason in pairs.column("reason").to_pylist():
        counts[str(reason)] = counts.get(str(reason), 0) + 1
    for reason in rejects.filter(pc.is_null(rejects.column("row"))).column("reason").to_pylist():
        counts[str(reason)] = counts.get(str(reason), 0) + 1
    order = {str(r): i for i, r in reversed(list(enumerate(rejects.column("reason").to_pylist())))}
    return dict(sorted(counts.items(), key=lambda kv: order[kv[0]]))
