"""UNESCO UIS international student flows (360info tidy files): origin -> destination, 1998-2021.

Two files, one batch each, ingested together (see data/student-flows/PROVENANCE.md):

- ``popular-destinations-by-origin.csv``: for each origin country and year, its ten largest
  destinations and an "Other countries" row;
- ``popular-origins-by-destination.csv``: for each destination and year, its ten largest origins
  and an "Other countries" row.

Each (origin, destination, year) becomes one directed ``exchange`` tie in ``education`` from the
origin's to the destination's university sector (``sector_actor_id(iso3, "EDU")``), dated to the
year, weighted by the number of internationally mobile tertiary students. Both files list a pair
when it is in the origin's top ten and in the destination's top ten: such a row of the second file
is *merged* (it yields the same tie with the first file's value, and the store adds its reference);
when the two values differ, the first file's value wins and the row is counted as a conflict.
"Other countries" rows are dropped (they are the rest beyond the top ten, not a country); names
that do not map to ISO3 through :func:`civnet.countries.to_iso3` are rejected and counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from civnet.countries import to_iso3
from civnet.datasets import Dataset, Progress, ingest_with_details, register, rows_batch
from civnet.datasets.china_public_diplomacy import sector_actor
from civnet.importers.batch import (
    Batch,
    IngestReport,
    Sink,
)

NAME = "student-flows"
BY_ORIGIN = "popular-destinations-by-origin.csv"
BY_DESTINATION = "popular-origins-by-destination.csv"
LICENCE = "CC BY 4.0 (360info; data UNESCO UIS)"
OTHER = "Other countries"
COVERAGE = (dt.date(1998, 1, 1), dt.date(2021, 12, 31))
"""The years the UIS files cover, 1998-2021 (declared as the sources' coverage window)."""

SPELLING_FIXES: dict[str, str] = {"Venezuala": "Venezuela"}
"""Misspelled country names in the files, corrected before matching (not a fuzzy match)."""

COLUMNS: dict[str, tuple[str, str]] = {
    BY_ORIGIN: ("origin_country_name", "dest_country_lumped"),
    BY_DESTINATION: ("origin_country_lumped", "dest_country_name"),
}
"""File -> (origin column, destination column)."""

MERGED = f"merged: same (origin, destination, year) as a row of {BY_ORIGIN}"
CONFLICT = f"conflicts: merged row's value differs from {BY_ORIGIN} (that value kept)"
DROPPED_OTHER = f"dropped: '{OTHER}' row (the rest beyond the top ten)"


def _iso3(name: str) -> str | None:
    return to_iso3(SPELLING_FIXES.get(name, name))


def _reject_reason(name: str) -> str:
    if name.endswith(": unknown countries"):
        return "not a country: UIS regional aggregate of unknown countries"
    return "country name not matched to ISO 3166-1"


def _read(
    folder: Path, fname: str, first: dict[tuple[str, str, int], float] | None
) -> tuple[Batch, dict[str, int], dict[tuple[str, str, int], float]]:
    """One file as a batch; ``first`` holds the first file's values when reading the second."""
    path = folder / fname
    o_col, d_col = COLUMNS[fname]
    actors: dict[str, dict[str, Any]] = {}
    ties: list[dict[str, Any]] = []
    rejects: list[dict[str, str]] = []
    details: Counter[str] = Counter()
    values: dict[tuple[str, str, int], float] = {}
    rows_read = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            rows_read += 1
            where = f"{fname}:row {i}"
            origin, dest = row[o_col].strip(), row[d_col].strip()
            if OTHER in (origin, dest):
                details[DROPPED_OTHER] += 1
                continue
            o_iso, d_iso = _iso3(origin), _iso3(dest)
            if o_iso is None or d_iso is None:
                col, name = (o_col, origin) if o_iso is None else (d_col, dest)
                rejects.append(
                    {"row": where, "field": col, "reason": _reject_reason(name), "raw": name}
                )
                continue
            if o_iso == d_iso:
                # e.g. a UIS name that maps to the same ISO3 as its partner (BLR -> BLR)
                rejects.append(
                    {
                        "row": where,
                        "field": d_col,
                        "reason": "origin and destination are the same country (self-loop)",
                        "raw": f"{origin} -> {dest}",
                    }
                )
                continue
            try:
                value = float(row["value_lumped"])
            except ValueError:
                value = -1.0
            if not value >= 0:
                rejects.append(
                    {
                        "row": where,
                        "field": "value_lumped",
                        "reason": "student count must be a number >= 0",
                        "raw": row["value_lumped"],
                    }
                )
                continue
            if value == 0:
                details["zero students, no tie"] += 1
                continue
            year = int(row["year"])
            key = (o_iso, d_iso, year)
            if key in values:
                details["merged: same (origin, destination, year) earlier in this file"] += 1
                value = values[key]
            elif first is not None and key in first:
                details[MERGED] += 1
                if first[key] != value:
                    details[CONFLICT] += 1
                value = first[key]
            values[key] = value
            src, dst = sector_actor(o_iso, "EDU"), sector_actor(d_iso, "EDU")
            actors.setdefault(src["id"], src)
            actors.setdefault(dst["id"], dst)
            ties.append(
                {
                    "source": src["id"],
                    "target": dst["id"],
                    "track": "education",
                    "kind": "exchange",
                    "start_date": dt.date(year, 1, 1),
                    "end_date": dt.date(year, 12, 31),
                    "weight": value,
                    "directed": True,
                    "ref": where,
                    "attrs": json.dumps({"students": value, "uis_flags": row["cond_all"]}),
                }
            )
    batch = rows_batch(
        DATASET,
        path,
        actors=list(actors.values()),
        ties=ties,
        rows_read=rows_read,
        rejects=rejects,
        details=dict(sorted(details.items())),
        coverage=COVERAGE,
    )
    return batch, dict(sorted(details.items())), values


def build_batches(folder: Path) -> tuple[list[Batch], list[dict[str, int]]]:
    """The two batches (origin file first) and their detail counts."""
    b1, d1, first = _read(folder, BY_ORIGIN, None)
    b2, d2, _ = _read(folder, BY_DESTINATION, first)
    d2.setdefault(CONFLICT, 0)
    return [b1, b2], [d1, d2]


def load(ws: Sink, progress: Progress | None = None) -> list[IngestReport]:
    """Load both files in one ingest; loading twice adds nothing."""
    if progress:
        progress("reading 2 files")
    batches, details = build_batches(DATASET.path())
    return ingest_with_details(ws, batches, details, progress)


DATASET = register(
    Dataset(
        name=NAME,
        title="International tertiary student flows, top-10 partners per country, 1998-2021 (UNESCO UIS)",
        summary=(
            "Origin -> destination students as weighted exchange ties between country "
            "university sectors (ISO3/EDU); each country's ten largest partners only."
        ),
        licence=LICENCE,
        folder=NAME,
        loader=load,
        files=(BY_ORIGIN, BY_DESTINATION),
    )
)
