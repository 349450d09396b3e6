"""The embedded dataset ``city-diplomacy``: twin towns, sister cities and C40 memberships.

Four public sources, shipped in ``data/city-diplomacy/`` with their PROVENANCE.md files:

- ``twin_cities_raw.csv`` (Wikipedia's lists of twin towns, via Hekman/twincities): 26,114 pairs
  without years. The raw file gives the pairs because it is complete; coordinates come from
  ``twin_cities_geocoded.csv`` (the same scrape geocoded, 197 pairs fewer), looked up by the exact
  (city, country) labels of each end. Both files belong to one source in the workspace.
- ``sistercities_eu25_wikidata_2017.tsv`` (Wikidata P190 for cities of 25 EU states, via
  rogorido/sistercities): pairs with coordinates of both ends; pairs listed from both sides.
- ``dyad.hans.csv`` (Bussmann & Nickel 2018, Baltic Sea Region): dated pairs, semicolon-separated;
  year 0 means unknown (timeless tie); ``WestGER``/``EastGER`` are Germany (DEU).
- ``cdp_city_network_affiliation_2016_2019.csv`` (CDP open data, 2016-2019): each city-year whose
  ``c40`` flag is 1 says the city reported to CDP as a C40 city that year. CDP reporting is a
  proxy for C40 membership: a member that did not report is missing. The rows of one city become
  one ``membership`` tie to the ``network`` actor ``network:c40`` (track ``environment``) per run
  of consecutive flagged years, from 1 January of the first to 31 December of the last. Rows with
  ``c40`` 0 are read but make no tie.

Pairs become ``sister_city`` ties through :mod:`civnet.importers.sister_cities`; the cities of all
four files are resolved together, so one city is one actor across the sources. Each file is one
:class:`~civnet.importers.batch.Batch` (one source in the workspace, refs such as
``"twin_cities_raw.csv:row 17"``) and the four are stored in one ``ingest`` call: a pair given by
several rows or files is one tie that keeps every reference. Loading twice adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa

from civnet.datasets import Dataset, Progress, register
from civnet.importers.batch import Batch, IngestReport, Sink, file_sha256
from civnet.importers.city_identity import (
    CityResolver,
    parse_country,
)
from civnet.importers.sister_cities import (
    EMPTY_CITY,
    UNKNOWN_COUNTRY,
    PairRows,
    finish_pairs,
    parse_coord,
    prepare_pairs,
    reject_table,
)
from civnet.sql import connect as duckdb_connect
from civnet.sql import fetch_one, quote_literal

NAME = "city-diplomacy"
TWIN_RAW = "twin-towns-wikipedia/twin_cities_raw.csv.gz"
TWIN_GEO = "twin-towns-wikipedia/twin_cities_geocoded.csv.gz"
WIKIDATA = "sister-cities-wikidata-eu/sistercities_eu25_wikidata_2017.tsv.gz"
BALTIC = "baltic-twinning-years/dyad.hans.csv"
CDP = "c40-cdp-2016-2019/cdp_city_network_affiliation_2016_2019.csv"
CDP_COVERAGE = (date(2016, 1, 1), date(2019, 12, 31))
"""The window the CDP affiliation file declares (reporting years 2016-2019): its coverage."""
FILES = (TWIN_RAW, TWIN_GEO, WIKIDATA, BALTIC, CDP)

C40_ID = "network:c40"
C40_NAME = "C40 Cities Climate Leadership Group"

LICENCE = (
    "Wikipedia lists via Hekman/twincities: CC BY-SA 4.0 (attribute Wikipedia contributors); "
    "Wikidata via rogorido/sistercities: CC0; Baltic twinning: cite Bussmann & Nickel (2018); "
    "CDP open data: 'collected in partnership by CDP and ICLEI - Local Governments for "
    "Sustainability'"
)


def _read(folder: Path, rel: str, delim: str) -> pa.Table:
    """A shipped CSV (gzipped or not) as text columns plus ``_row`` (1-based data row)."""
    con = duckdb_connect()
    try:
        src, sep = quote_literal(str(folder / rel)), quote_literal(delim)
        return con.sql(
            f"""SELECT *, row_number() OVER () AS _row FROM read_csv({src}, delim={sep},
                header=true, all_varchar=true, quote='"', escape='"', strict_mode=true)"""
        ).to_arrow_table()
    finally:
        con.close()


def _col(t: pa.Table, name: str) -> list[str | None]:
    return t.column(name).to_pylist()


def _file_name(rel: str) -> str:
    return Path(rel).name.removesuffix(".gz")


def _twin_coords(geo: pa.Table) -> dict[tuple[str, str], tuple[float, float]]:
    """Coordinates of each (city, country) label of the geocoded file (first statement wins)."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for side, lat_c, lon_c in (("1", "lat1", "lng1"), ("2", "lat2", "lng2")):
        for city, country, lat, lon in zip(
            _col(geo, f"city{side}"),
            _col(geo, f"country{side}"),
            _col(geo, lat_c),
            _col(geo, lon_c),
            strict=True,
        ):
            la, ok_a = parse_coord(lat, 90)
            lo, ok_o = parse_coord(lon, 180)
            if city and country and la is not None and lo is not None and ok_a and ok_o:
                out.setdefault((city.strip(), country.strip()), (la, lo))
    return out


def _pair_sources(folder: Path) -> list[PairRows]:
    raw = _read(folder, TWIN_RAW, ",")
    wd = _read(folder, WIKIDATA, "\t")
    baltic = _read(folder, BALTIC, ";")
    return [
        PairRows(
            file=_file_name(TWIN_RAW),
            rows=_col(raw, "_row"),  # type: ignore[arg-type]
            city1=_col(raw, "city1"),
            country1=_col(raw, "country1"),
            city2=_col(raw, "city2"),
            country2=_col(raw, "country2"),
            coords=_twin_coords(_read(folder, TWIN_GEO, ",")),
        ),
        PairRows(
            file=_file_name(WIKIDATA),
            rows=_col(wd, "_row"),  # type: ignore[arg-type]
            city1=_col(wd, "origincityLabel"),
            country1=_col(wd, "origincountry"),
            lat1=_col(wd, "originlat"),
            lon1=_col(wd, "originlong"),
            city2=_col(wd, "sistercityLabel"),
            country2=_col(wd, "destination_countryLabel"),
            lat2=_col(wd, "destinationlat"),
            lon2=_col(wd, "destinationlong"),
        ),
        PairRows(
            file=_file_name(BALTIC),
            rows=_col(baltic, "_row"),  # type: ignore[arg-type]
            city1=_col(baltic, "City1"),
            country1=_col(baltic, "Country1"),
            city2=_col(baltic, "City2"),
            country2=_col(baltic, "Country2"),
            year=_col(baltic, "Year"),
        ),
    ]


class _C40:
    """The C40-flagged city-years of the CDP file, registered with the resolver."""

    def __init__(self, folder: Path, resolver: CityResolver) -> None:
        t = _read(folder, CDP, ",")
        self.file = _file_name(CDP)
        self.rows_read = t.num_rows
        self.unflagged = 0
        self.rejects: list[tuple[str, str, str, str]] = []
        self.mentions: list[tuple[int, int, int]] = []  # (resolver number, year, row)
        for row, year, city, country, flag, lat, lon in zip(
            _col(t, "_row"),
            _col(t, "year"),
            _col(t, "city"),
            _col(t, "country"),
            _col(t, "c40"),
            _col(t, "lat"),
            _col(t, "lon"),
            strict=True,
        ):
            if (flag or "").strip() != "1":
                self.unflagged += 1
                continue
            where = f"{self.file}:{row}"
            if not (city or "").strip():
                self.rejects.append((where, "city", EMPTY_CITY, city or ""))
                continue
            iso3, qual = parse_country(country)
            if iso3 is None:
                self.rejects.append((where, "country", UNKNOWN_COUNTRY, country or ""))
                continue
            la, _ = parse_coord(lat, 90)
            lo, _ = parse_coord(lon, 180)
            num = resolver.add(city, iso3, qual, la, lo, country)
            self.mentions.append((num, int(year), int(row)))

    def batch(self, ids: list[str], resolver: CityResolver, sha256: str, path: str) -> Batch:
        years: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for num, year, row in self.mentions:
            years[ids[num]][year].append(row)
        src, start, end, ref = [], [], [], []
        for actor in sorted(years):
            for run in _runs(sorted(years[actor])):
                rows = sorted(r for y in run for r in years[actor][y])
                src.append(actor)
                start.append(date(run[0], 1, 1))
                end.append(date(run[-1], 12, 31))
                ref.append(f"{self.file}:rows {', '.join(str(r) for r in rows)}")
        n = len(src)
        ties = pa.table(
            {
                "source": pa.array(src, pa.string()),
                "target": pa.array([C40_ID] * n, pa.string()),
                "track": pa.array(["environment"] * n, pa.string()),
                "kind": pa.array(["membership"] * n, pa.string()),
                "start_date": pa.array(start, pa.date32()),
                "end_date": pa.array(end, pa.date32()),
                "weight": pa.array([1.0] * n, pa.float64()),
                "directed": pa.array([False] * n, pa.bool_()),
                "ref": pa.array(ref, pa.string()),
            }
        )
        cities = resolver.actors(sorted(years))
        network = pa.table(
            {
                "id": [C40_ID],
                "name": [C40_NAME],
                "type": ["network"],
                "country": pa.nulls(1, pa.string()),
                "city": pa.nulls(1, pa.string()),
                "lat": pa.nulls(1, pa.float64()),
                "lon": pa.nulls(1, pa.float64()),
                "level": ["network"],
            },
            schema=cities.schema,
        )
        actors = pa.concat_tables([cities, network])
        return Batch(
            name=self.file,
            path=path,
            sha256=sha256,
            importer=f"dataset:{NAME}",
            actors=actors,
            ties=ties,
            rows_read=self.rows_read,
            rejects=reject_table(self.rejects),
            description="C40 memberships (CDP reporting 2016-2019 as proxy)",
            licence="CDP open data; cite CDP and ICLEI - Local Governments for Sustainability",
            notes=f"{self.unflagged} city-years without the C40 flag make no tie",
        )


def _runs(years: list[int]) -> list[list[int]]:
    """Consecutive runs of sorted years: [2016, 2017, 2019] -> [[2016, 2017], [2019]]."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def _hashes(folder: Path) -> dict[str, str]:
    """The sha256 of each source (the Wikipedia source hashes its two files together)."""
    return {
        _file_name(TWIN_RAW): hashlib.sha256(
            (file_sha256(folder / TWIN_RAW) + file_sha256(folder / TWIN_GEO)).encode()
        ).hexdigest(),
        _file_name(WIKIDATA): file_sha256(folder / WIKIDATA),
        _file_name(BALTIC): file_sha256(folder / BALTIC),
        _file_name(CDP): file_sha256(folder / CDP),
    }


def _already_loaded(ws: Sink, folder: Path) -> list[IngestReport] | None:
    """Skipped reports when every source is already in ``ws`` (no parsing needed), else None."""
    reports = []
    for name, sha in _hashes(folder).items():
        row = fetch_one(
            ws.con, "SELECT rows_read, rows_rejected FROM sources WHERE sha256 = ?", [sha]
        )
        if row is None:
            return None
        reports.append(
            IngestReport(name=name, rows_read=int(row[0]), rows_rejected=int(row[1]), skipped=True)
        )
    return reports


def build_batches(folder: Path, progress: Progress | None = None) -> list[Batch]:
    """The dataset's four batches (one per source file), cities resolved across all of them."""
    say = progress or (lambda _msg: None)
    say("reading files")
    sources = _pair_sources(folder)
    resolver = CityResolver()
    say("matching countries and city names")
    prepared = [prepare_pairs(s, resolver) for s in sources]
    c40 = _C40(folder, resolver)
    say("resolving cities")
    ids = resolver.resolve()
    meta = {
        _file_name(TWIN_RAW): (
            "Wikipedia lists of twin towns and sister cities (Hekman/twincities), "
            "coordinates from the geocoded copy",
            "CC BY-SA 4.0 (Wikipedia contributors)",
        ),
        _file_name(WIKIDATA): (
            "Wikidata P190 twinned administrative bodies of cities in 25 EU states, 2017",
            "CC0 (Wikidata), via rogorido/sistercities",
        ),
        _file_name(BALTIC): (
            "Baltic Sea Region twinning dyads with years (Bussmann & Nickel 2018)",
            "cite Bussmann & Nickel (2018); from Wikipedia (CC BY-SA)",
        ),
    }
    hashes = _hashes(folder)
    paths = {
        _file_name(TWIN_RAW): f"{folder / TWIN_RAW} + {folder / TWIN_GEO}",
        _file_name(WIKIDATA): str(folder / WIKIDATA),
        _file_name(BALTIC): str(folder / BALTIC),
    }
    batches = []
    for prep in prepared:
        ties, rejects, used = finish_pairs(prep, ids)
        name = prep.rows.file or ""
        batches.append(
            Batch(
                name=name,
                path=paths[name],
                sha256=hashes[name],
                importer=f"dataset:{NAME}",
                actors=resolver.actors(used),
                ties=ties,
                rows_read=len(prep.rows.rows),
                rejects=rejects,
                description=meta[name][0],
                licence=meta[name][1],
            )
        )
    cdp = c40.batch(ids, resolver, hashes[_file_name(CDP)], str(folder / CDP))
    cdp.coverage = CDP_COVERAGE
    batches.append(cdp)
    return batches


def load(ws: Sink, progress: Progress | None = None) -> list[IngestReport]:
    """Store the dataset in ``ws`` (one transaction); return one report per source file.

    When every source is already in the workspace nothing is parsed and each report says
    ``skipped``; otherwise the store skips the sources it has (same sha256) and adds the rest.
    """
    done = _already_loaded(ws, DATASET.path())
    if done is not None:
        return done
    batches = build_batches(DATASET.path(), progress)
    if progress:
        progress("storing")
    return ws.ingest(batches)


DATASET = register(
    Dataset(
        name=NAME,
        title="City diplomacy: twin towns, sister cities and C40 memberships",
        summary=(
            "Sister-city pairs from Wikipedia (global), Wikidata (EU cities) and the Baltic Sea "
            "Region (with years), and C40 memberships 2016-2019 from CDP reporting."
        ),
        licence=LICENCE,
        folder=NAME,
        loader=load,
        default=True,
        files=FILES,
    )
)
