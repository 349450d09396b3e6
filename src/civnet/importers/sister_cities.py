"""Import sister-city pair tables: one tie per twinning, one actor per city.

Import sister-city pair tables, and resolve city names to one actor per city.

City identity (country labels, name keys, same-named places) is decided by
:mod:`civnet.importers.city_identity`.

Rejected rows (counted, written to ``FILE.rejects.csv``): ``unknown country``, an empty city
name and self-loops (both ends the same actor after resolution) are counted and never stop an
import, because real registries are full of them; a malformed year or coordinate stops the import
unless ``skip_bad_rows`` is set, since it usually means a wrong column.

"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from civnet.importers.batch import REJECT_SCHEMA, Batch, IngestReport, Sink, file_sha256
from civnet.importers.city_identity import (
    CityResolver,
    parse_country,
)
from civnet.importers.reading import (
    apply_mapping,
    load_table,
    require_columns,
    settle_rejects,
)
from civnet.importers.tables import SELF_LOOP

UNKNOWN_COUNTRY = "unknown country"
EMPTY_CITY = "empty city name"
BAD_YEAR = "malformed year; write a year such as 1994 (0 or empty: unknown), or a date"
BAD_COORD = "malformed coordinate; write decimal degrees (latitude -90..90, longitude -180..180)"
FATAL_REASONS = (BAD_YEAR, BAD_COORD)
"""Reasons that stop an import unless bad rows are skipped; the others are only counted."""
_YEAR = re.compile(r"^\d{1,4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")

PAIR_COLUMNS = ("city1", "country1", "city2", "country2")


# -- values -------------------------------------------------------------------------------------
def parse_year(text: str | None, *, end: bool = False) -> tuple[date | None, bool]:
    """(date, ok) of a year cell: ``""``/``"0"`` -> (None, True); ``"1994"`` -> 1 Jan (31 Dec if end).

    ``YYYY-MM`` and ``YYYY-MM-DD`` are accepted; anything else gives ``(None, False)``.

    >>> parse_year("1994"), parse_year("0"), parse_year("abc")
    ((datetime.date(1994, 1, 1), True), (None, True), (None, False))
    """
    t = (text or "").strip()
    if t.endswith(".0") and t[:-2].isdigit():
        t = t[:-2]
    if t in ("", "0"):
        return None, True
    try:
        if _YEAR.match(t):
            y = int(t)
            return (date(y, 12, 31) if end else date(y, 1, 1)), True
        m = _YEAR_MONTH.match(t)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            if end:
                nxt = date(y + (mo == 12), mo % 12 + 1, 1)
                return date.fromordinal(nxt.toordinal() - 1), True
            return date(y, mo, 1), True
        return date.fromisoformat(t), True
    except ValueError:
        return None, False


def parse_coord(text: str | None, limit: float) -> tuple[float | None, bool]:
    """(value, ok) of a coordinate cell; empty -> (None, True)."""
    t = (text or "").strip()
    if not t:
        return None, True
    try:
        v = float(t)
    except ValueError:
        return None, False
    return (v, True) if math.isfinite(v) and abs(v) <= limit else (None, False)


# -- pair tables --------------------------------------------------------------------------------
@dataclass
class PairRows:
    """The rows of one pair table as text, before validation (one source file)."""

    file: str | None
    """Name used in refs (``"file.csv:row 17"``); None for a single imported file (``"row 17"``)."""
    rows: list[int]
    city1: list[str | None]
    country1: list[str | None]
    city2: list[str | None]
    country2: list[str | None]
    year: list[str | None] | None = None
    lat1: list[str | None] | None = None
    lon1: list[str | None] | None = None
    lat2: list[str | None] | None = None
    lon2: list[str | None] | None = None
    coords: Mapping[tuple[str, str], tuple[float, float]] | None = None
    """Coordinates by (city label, country label), for tables whose rows carry none."""


@dataclass
class _Prepared:
    rows: PairRows
    kept: list[int]  # positions of rows that passed validation
    mentions: list[tuple[int, int]]  # resolver numbers of both ends, per kept row
    starts: list[date | None]
    rejects: list[tuple[str, str, str, str]]


def prepare_pairs(rows: PairRows, resolver: CityResolver) -> _Prepared:
    """Validate a pair table and register its cities with ``resolver``."""
    prep = _Prepared(rows, [], [], [], [])
    cols = rows.lat1, rows.lon1, rows.lat2, rows.lon2
    for pos, row in enumerate(rows.rows):
        ref = _reject_row(rows.file, row)
        ends = []
        bad: list[tuple[str, str, str, str]] = []
        for side, city, country in (
            ("1", rows.city1[pos], rows.country1[pos]),
            ("2", rows.city2[pos], rows.country2[pos]),
        ):
            if not (city or "").strip():
                bad.append((ref, f"city{side}", EMPTY_CITY, city or ""))
                continue
            iso3, cqual = parse_country(country)
            if iso3 is None:
                bad.append((ref, f"country{side}", UNKNOWN_COUNTRY, country or ""))
                continue
            ends.append((side, city.strip(), iso3, cqual, country or ""))  # type: ignore[union-attr]
        start, ok = parse_year(rows.year[pos]) if rows.year is not None else (None, True)
        if not ok:
            bad.append((ref, "year", BAD_YEAR, rows.year[pos] or ""))  # type: ignore[index]
        coords: dict[str, tuple[float | None, float | None]] = {}
        for side, lat_col, lon_col in (("1", cols[0], cols[1]), ("2", cols[2], cols[3])):
            lat, ok_lat = parse_coord(lat_col[pos] if lat_col else None, 90)
            lon, ok_lon = parse_coord(lon_col[pos] if lon_col else None, 180)
            if not ok_lat:
                bad.append((ref, f"lat{side}", BAD_COORD, lat_col[pos] or ""))  # type: ignore[index]
            if not ok_lon:
                bad.append((ref, f"lon{side}", BAD_COORD, lon_col[pos] or ""))  # type: ignore[index]
            coords[side] = (lat, lon)
        if bad:
            prep.rejects.extend(bad)
            continue
        nums = []
        for side, city, iso3, cqual, country in ends:
            lat, lon = coords[side]
            if lat is None and rows.coords is not None:
                lat, lon = rows.coords.get((city, country.strip()), (None, None))
            nums.append(resolver.add(city, iso3, cqual, lat, lon, country.strip()))
        prep.kept.append(pos)
        prep.mentions.append((nums[0], nums[1]))
        prep.starts.append(start)
    return prep


def finish_pairs(prep: _Prepared, ids: Sequence[str]) -> tuple[pa.Table, pa.Table, list[str]]:
    """Ties, rejects and the actor ids used, once the resolver has resolved every mention."""
    rows = prep.rows
    src, dst, start, ref = [], [], [], []
    rejects = list(prep.rejects)
    used: set[str] = set()
    for pos, (a, b), s in zip(prep.kept, prep.mentions, prep.starts, strict=True):
        if ids[a] == ids[b]:
            rejects.append(
                (_reject_row(rows.file, rows.rows[pos]), "city2", SELF_LOOP, rows.city2[pos] or "")
            )
            continue
        src.append(ids[a])
        dst.append(ids[b])
        start.append(s)
        ref.append(tie_ref(rows.file, rows.rows[pos]))
        used.update((ids[a], ids[b]))
    n = len(src)
    ties = pa.table(
        {
            "source": pa.array(src, pa.string()),
            "target": pa.array(dst, pa.string()),
            "track": pa.array(["general"] * n, pa.string()),
            "kind": pa.array(["sister_city"] * n, pa.string()),
            "start_date": pa.array(start, pa.date32()),
            "weight": pa.array([1.0] * n, pa.float64()),
            "directed": pa.array([False] * n, pa.bool_()),
            "ref": pa.array(ref, pa.string()),
        }
    )
    rejects.sort(key=lambda r: _row_order(r[0]))
    return ties, reject_table(rejects), sorted(used)


def tie_ref(file: str | None, row: int | str) -> str:
    """Reference of a tie to its row: ``"row 17"``, or ``"file.csv:row 17"`` within a dataset."""
    return f"{file}:row {row}" if file else f"row {row}"


def _reject_row(file: str | None, row: int) -> str:
    return f"{file}:{row}" if file else str(row)


def _row_order(ref: str) -> int:
    tail = ref.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def reject_table(rejects: Sequence[tuple[str, str, str, str]]) -> pa.Table:
    """Reject tuples (row, field, reason, raw) as a REJECT_SCHEMA table."""
    return pa.Table.from_arrays(
        [pa.array([r[i] for r in rejects], pa.string()) for i in range(4)], schema=REJECT_SCHEMA
    )


# -- the importer -------------------------------------------------------------------------------
def _column(table: pa.Table, name: str) -> list[str | None] | None:
    return table.column(name).to_pylist() if name in table.column_names else None


def read_sister_cities(
    ws: Sink,
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    year_column: str | None = None,
    skip_bad_rows: bool = False,
    **read: object,
) -> Batch:
    """Read and validate a sister-city pair table into a :class:`Batch` (rules above).

    Raises :class:`~civnet.errors.InputFileError` or :class:`~civnet.errors.MissingColumn` for
    a file that cannot be used at all, and :class:`~civnet.errors.MalformedRow` for malformed
    years or coordinates unless ``skip_bad_rows``. Every rejected row is written to
    ``FILE.rejects.csv``.
    """
    con = ws.con
    p, cols, n = load_table(con, path, "_isc", **read)  # type: ignore[arg-type]
    mapping = dict(mapping or {})
    if year_column:
        mapping["year"] = year_column
    cols = apply_mapping(con, "_isc", cols, mapping)
    require_columns(p, cols, PAIR_COLUMNS)
    table = con.sql("SELECT * FROM _isc ORDER BY _row").to_arrow_table()
    rows = PairRows(
        file=None,
        rows=table.column("_row").to_pylist(),
        city1=_column(table, "city1"),  # type: ignore[arg-type]
        country1=_column(table, "country1"),  # type: ignore[arg-type]
        city2=_column(table, "city2"),  # type: ignore[arg-type]
        country2=_column(table, "country2"),  # type: ignore[arg-type]
        year=_column(table, "year"),
        lat1=_column(table, "lat1"),
        lon1=_column(table, "lon1"),
        lat2=_column(table, "lat2"),
        lon2=_column(table, "lon2"),
    )
    resolver = CityResolver()
    prep = prepare_pairs(rows, resolver)
    ids = resolver.resolve()
    ties, rejects, used = finish_pairs(prep, ids)
    settle_rejects(rejects, p, skip_bad_rows=skip_bad_rows, fatal_reasons=FATAL_REASONS)
    return Batch(
        name=p.name,
        path=str(p),
        sha256=file_sha256(p),
        importer="sister-cities",
        actors=resolver.actors(used),
        ties=ties,
        rows_read=n,
        rejects=rejects,
    )


def import_sister_cities(ws: Sink, path: str | Path, **options: object) -> IngestReport:
    """Validate and store a sister-city pair table; all-or-nothing."""
    return ws.ingest([read_sister_cities(ws, path, **options)])[0]  # type: ignore[arg-type]
