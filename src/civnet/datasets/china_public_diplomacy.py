"""AidData's China's Public Diplomacy panel: China -> 39 countries, 2000-2018, yearly counts.

Each non-zero count becomes one tie dated to its year (1 January to 31 December) with the count as
weight, between country-level sector actors (:func:`civnet.vocab.sector_actor_id`, so ``CHN/EDU``
here is the ``CHN/EDU`` of a GDELT import). :data:`FIELDS` gives each column's tie. "N/A" is a
missing value: it makes no tie and is counted as missing, never read as 0; a 0 makes no tie either
(nothing happened that year) and is counted.

Flows, not cumulative counts: AidData's README calls confucius_institutes, sister_cities and
media_partnerships "cumulative", but every column falls from one year to the next somewhere
(Afghanistan's confucius_institutes: 2008 = 1, 2009 = 0), which a running total cannot do, and
the sister-city column is named ``..._established``. So the institute, twinning, visit and
partnership columns are read as events *in* the year; the two student columns are yearly
head-counts of enrolled students (a stock measured each year, not summed over years).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from civnet.countries import country_name, to_iso3
from civnet.datasets import Dataset, Progress, ingest_with_details, register, rows_batch
from civnet.importers.batch import (
    Batch,
    IngestReport,
    Sink,
)
from civnet.vocab import sector_actor_id, sector_actor_level, sector_actor_type

NAME = "china-public-diplomacy"
FILE = "ChinesePublicDiplomacy_v2.0.csv"
LICENCE = "ODC-By 1.0 (AidData)"
COVERAGE = (dt.date(2000, 1, 1), dt.date(2018, 12, 31))
"""The years the AidData panel covers, 2000-2018 (declared as the source's coverage window)."""
MISSING = "N/A"

SECTOR_LABELS: dict[str, str] = {
    "EDU": "universities and education",
    "MED": "media",
    "CITY": "cities",
    "GOV": "government",
    "MIL": "military",
}
"""Readable names of the sector actors this module and student-flows create."""


@dataclass(frozen=True)
class FieldTie:
    """How one column becomes ties: sectors, direction, track and kind.

    ``outward`` ties run China -> country, inward ones country -> China; undirected ties
    (agreements) are stored with the smaller id first.
    """

    sector: str
    track: str
    kind: str
    directed: bool
    outward: bool = True


FIELDS: dict[str, FieldTie] = {
    "confucius_institutes": FieldTie("EDU", "education", "agreement", directed=False),
    "outbound_chinese_students": FieldTie("EDU", "education", "exchange", directed=True),
    "inbound_students_to_china": FieldTie(
        "EDU", "education", "exchange", directed=True, outward=False
    ),
    "journalist_visits": FieldTie("MED", "culture", "exchange", directed=True),
    "media_partnerships": FieldTie("MED", "culture", "agreement", directed=False),
    "sister_cities_established": FieldTie("CITY", "general", "agreement", directed=False),
    "government_visits": FieldTie("GOV", "governance", "exchange", directed=True),
    "military_visits": FieldTie("MIL", "governance", "exchange", directed=True),
}
"""Column -> tie. Students travel origin -> destination (as in student-flows, so the same
country-year pair is one tie there and here); visits run China -> country, the dataset's frame
(China's public diplomacy towards the country). Sister cities use kind ``agreement``, not
``sister_city``: a count of new twinnings between two countries' cities is not one twinning, and
the store keys ``sister_city`` ties by pair alone, which would fold the years into one tie."""

NOT_MAPPED: dict[str, str] = {
    "total_elite_visits": "the sum of government_visits and military_visits",
    "ambassador_op_eds": "an official writing in the country's press, neither civil nor state-to-state",
}
"""Columns that make no ties, and why."""


@cache
def _country(iso3: str) -> str:
    return country_name(iso3)


def sector_actor(iso3: str, sector: str) -> dict[str, Any]:
    """Actor row of a country-level sector actor (``CHN/EDU``, type from the shared table)."""
    return {
        "id": sector_actor_id(iso3, sector),
        "name": f"{_country(iso3)}: {SECTOR_LABELS.get(sector, sector)}",
        "type": sector_actor_type(sector),
        "country": iso3,
        "level": sector_actor_level(sector),
    }


def build_batch(folder: Path) -> tuple[Batch, dict[str, int]]:
    """The panel as one batch, and its detail counts (missing, zero, not mapped)."""
    path = folder / FILE
    actors: dict[str, dict[str, Any]] = {}
    ties: list[dict[str, Any]] = []
    rejects: list[dict[str, str]] = []
    details: Counter[str] = Counter()
    rows_read = 0
    with open(path, encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=1):
            rows_read += 1
            where = f"{FILE}:row {i}"
            iso3 = to_iso3(row["receiving_country"])
            if iso3 is None:
                rejects.append(_reject(where, "receiving_country", "country not matched", row))
                continue
            year = int(row["year"])
            made = 0
            for col, ft in FIELDS.items():
                raw = row[col].strip()
                if raw == MISSING or raw == "":
                    details[f"missing (N/A), no tie: {col}"] += 1
                    continue
                try:
                    value = float(raw)
                except ValueError:
                    value = -1.0
                if value < 0:
                    rejects.append(_reject(where, col, "count must be a number >= 0", row))
                    continue
                if value == 0:
                    details[f"zero, no tie: {col}"] += 1
                    continue
                china, other = sector_actor("CHN", ft.sector), sector_actor(iso3, ft.sector)
                actors.setdefault(china["id"], china)
                actors.setdefault(other["id"], other)
                src, dst = (china, other) if ft.outward else (other, china)
                ties.append(
                    {
                        "source": src["id"],
                        "target": dst["id"],
                        "track": ft.track,
                        "kind": ft.kind,
                        "start_date": dt.date(year, 1, 1),
                        "end_date": dt.date(year, 12, 31),
                        "weight": value,
                        "directed": ft.directed,
                        "ref": f"{where} {col}",
                        "attrs": json.dumps({"field": col, "count": value}),
                    }
                )
                made += 1
            if made == 0:
                details["rows with no tie (every mapped field N/A or 0)"] += 1
    for col, why in NOT_MAPPED.items():
        details[f"values not mapped: {col} ({why})"] = rows_read
    batch = rows_batch(
        DATASET,
        path,
        actors=list(actors.values()),
        ties=ties,
        rows_read=rows_read,
        rejects=rejects,
        details=details,
        coverage=COVERAGE,
    )
    return batch, dict(sorted(details.items()))


def _reject(where: str, col: str, reason: str, row: dict[str, str]) -> dict[str, str]:
    return {"row": where, "field": col, "reason": reason, "raw": json.dumps(row)}


def load(ws: Sink, progress: Progress | None = None) -> list[IngestReport]:
    """Load the panel in one ingest; loading twice adds nothing."""
    if progress:
        progress(f"reading {FILE}")
    batch, details = build_batch(DATASET.path())
    return ingest_with_details(ws, [batch], [details], progress)


DATASET = register(
    Dataset(
        name=NAME,
        title="China's public diplomacy towards 39 Asia-Pacific countries, 2000-2018 (AidData)",
        summary=(
            "Yearly counts of Confucius Institutes, students, journalist visits, media "
            "partnerships, sister cities and official/military visits as weighted ties between "
            "country sector actors (CHN/EDU, PAK/EDU, ...)."
        ),
        licence=LICENCE,
        folder=NAME,
        loader=load,
        files=(FILE,),
    )
)
