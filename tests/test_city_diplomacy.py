"""The embedded city-diplomacy dataset, checked against counts made here with the csv module."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from civnet.datasets import get
from civnet.datasets.city_diplomacy import BALTIC, CDP, TWIN_RAW, WIKIDATA, load
from civnet.importers.batch import IngestReport
from civnet.sql import fetch_arrow, fetch_one
from civnet.store import Workspace

DS = get("city-diplomacy")
FOLDER = DS.path()

# Country labels in the shipped files that name no ISO 3166 country (read by eye in the files):
# empty, "Island" (Norwegian for Iceland, or an island), "Moldavia" (Moldova or the Romanian
# region), historical or unrecognised states, and Wikidata blank-node ids such as t430222130.
UNMAPPABLE = {"", "Island", "Moldavia", "Austria-Hungary", "Prussia", "Transnistria",
              "Luhansk People's Republic"}  # fmt: skip
BLANK_NODE = re.compile(r"^t\d+$")


def _rows(rel: str, delimiter: str) -> list[dict[str, str]]:
    path = FOLDER / rel
    opener = gzip.open if rel.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return list(csv.DictReader(fh, delimiter=delimiter))


RAW = _rows(TWIN_RAW, ",")
WD = _rows(WIKIDATA, "\t")
BAL = _rows(BALTIC, ";")
CDPROWS = _rows(CDP, ",")


def _unknown(*labels: str) -> bool:
    return any(lb.strip() in UNMAPPABLE or BLANK_NODE.match(lb.strip()) for lb in labels)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, list]]:
    ws = Workspace(tmp_path_factory.mktemp("cd") / "ws.duckdb")
    reports = load(ws, None)
    yield ws, reports
    ws.close()


def _report(reports: list[IngestReport], name: str) -> IngestReport:
    return next(r for r in reports if r.name == name)


def test_load_twice_reports_skipped(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, reports = loaded
    before = ws.counts()
    again = load(ws, None)
    assert [(r.name, r.skipped, r.rows_read) for r in again] == [
        (r.name, True, r.rows_read) for r in reports
    ]
    assert ws.counts() == before


def test_package_data_found_by_importlib_resources() -> None:
    for rel in DS.files:
        assert (FOLDER / rel).is_file(), rel
    assert "CC BY-SA 4.0" in DS.provenance() and "CC0" in DS.provenance()
    assert (FOLDER / "LICENCE.md").is_file()
    assert DS.default


def test_rows_read_per_file(loaded) -> None:  # type: ignore[no-untyped-def]
    _, reports = loaded
    assert [(r.name, r.rows_read) for r in reports] == [
        ("twin_cities_raw.csv", len(RAW)),
        ("sistercities_eu25_wikidata_2017.tsv", len(WD)),
        ("dyad.hans.csv", len(BAL)),
        ("cdp_city_network_affiliation_2016_2019.csv", len(CDPROWS)),
    ]
    assert (len(RAW), len(WD), len(BAL), len(CDPROWS)) == (26114, 24926, 1759, 1718)


def test_unknown_countries_counted_not_guessed(loaded) -> None:  # type: ignore[no-untyped-def]
    _, reports = loaded
    raw_unknown = sum(_unknown(r["country1"], r["country2"]) for r in RAW)
    wd_unknown = sum(_unknown(r["origincountry"], r["destination_countryLabel"]) for r in WD)
    assert _report(reports, "twin_cities_raw.csv").reasons["unknown country"] == raw_unknown == 10
    wd_report = _report(reports, "sistercities_eu25_wikidata_2017.tsv")
    assert wd_report.reasons["unknown country"] == wd_unknown == 11
    assert "unknown country" not in _report(reports, "dyad.hans.csv").reasons


def test_self_loops_counted(loaded) -> None:  # type: ignore[no-untyped-def]
    _, reports = loaded

    def loops(rows: list[dict[str, str]], c1: str, k1: str, c2: str, k2: str) -> int:
        return sum(r[c1] == r[c2] and r[k1] == r[k2] for r in rows)

    raw_loops = loops(RAW, "city1", "country1", "city2", "country2")
    bal_loops = loops(BAL, "City1", "Country1", "City2", "Country2")
    loop = "self-loop (a tie from an actor to itself)"
    assert _report(reports, "twin_cities_raw.csv").reasons[loop] == raw_loops == 3
    assert _report(reports, "dyad.hans.csv").reasons[loop] == bal_loops == 1


def test_pairs_listed_from_both_sides_are_one_tie(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    first: dict[tuple[str, ...], int] = {}
    both = []
    for i, r in enumerate(WD, start=1):
        a = (r["origincityLabel"], r["origincountry"])
        b = (r["sistercityLabel"], r["destination_countryLabel"])
        if (*b, *a) in first:
            both.append((first[(*b, *a)], i))
        first.setdefault((*a, *b), i)
    assert len(both) > 3000
    refs = fetch_arrow(ws.con, "SELECT refs FROM ties").column("refs").to_pylist()
    tie_of = {ref: k for k, rs in enumerate(refs) for ref in rs}
    for i, j in both[:200]:
        ri = f"s2:sistercities_eu25_wikidata_2017.tsv:row {i}"
        rj = f"s2:sistercities_eu25_wikidata_2017.tsv:row {j}"
        assert tie_of[ri] == tie_of[rj], (i, j)


def test_dated_baltic_tie_merged_across_sources(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    # dyad.hans.csv: "Turku";"Finland";"Gothenburg Municipality";"Sweden";"1946"
    row = next(
        i
        for i, r in enumerate(BAL, start=1)
        if r["City1"] == "Turku" and r["City2"] == "Gothenburg Municipality"
    )
    tie = fetch_arrow(
        ws.con,
        "SELECT * FROM ties WHERE source = 'city:FIN:turku' AND target = 'city:SWE:gothenburg'",
    ).to_pylist()
    assert len(tie) == 1
    assert tie[0]["start_date"] == date(1946, 1, 1)
    assert f"s3:dyad.hans.csv:row {row}" in tie[0]["refs"]
    assert any(r.startswith("s1:twin_cities_raw.csv:") for r in tie[0]["refs"])


def test_undated_baltic_rows_are_timeless(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    zero = {i for i, r in enumerate(BAL, start=1) if r["Year"] == "0"}
    assert len(zero) == 790
    rows = [
        t
        for t in fetch_arrow(ws.con, "SELECT refs, start_date FROM ties").to_pylist()
        if any(r.startswith("s3:") for r in t["refs"])
    ]
    assert len(rows) == 1757
    for t in rows:
        bal_rows = {int(r.rsplit(" ", 1)[1]) for r in t["refs"] if r.startswith("s3:")}
        if bal_rows <= zero:
            assert t["start_date"] is None, t
        else:
            years = [int(BAL[i - 1]["Year"]) for i in bal_rows - zero]
            assert t["start_date"] == date(min(years), 1, 1), t


def test_country_normalization(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    countries = fetch_arrow(ws.con, "SELECT DISTINCT country FROM actors WHERE type = 'city'")
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in countries.column("country").to_pylist())
    for actor_id, country in [
        ("city:GBR:cardiff", "GBR"),  # "Wales"
        ("city:DEU:rostock", "DEU"),  # "EastGER" and "WestGER" in dyad.hans.csv
        ("city:GRC:zakynthos", "GRC"),  # "Grece"
        ("city:JPN:tomi", "JPN"),  # "Japa"
    ]:
        row = fetch_one(ws.con, "SELECT country FROM actors WHERE id = ?", [actor_id])
        assert row == (country,), actor_id


def test_c40_memberships(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, reports = loaded
    flagged = [r for r in CDPROWS if r["c40"] == "1"]
    report = _report(reports, "cdp_city_network_affiliation_2016_2019.csv")
    assert report.reasons == {"empty city name": sum(not r["city"].strip() for r in flagged)}
    ties = fetch_arrow(
        ws.con, "SELECT * FROM ties WHERE kind = 'membership' ORDER BY source"
    ).to_pylist()
    assert {(t["target"], t["track"]) for t in ties} == {("network:c40", "environment")}
    refs = [int(x) for t in ties for x in t["refs"][0].split("rows ")[1].split(", ")]
    assert len(refs) == len(set(refs)) == sum(bool(r["city"].strip()) for r in flagged)
    for t in ties:
        rows = [int(x) for x in t["refs"][0].split("rows ")[1].split(", ")]
        years = sorted({int(CDPROWS[i - 1]["year"]) for i in rows})
        assert years == list(range(years[0], years[-1] + 1)), t
        assert (t["start_date"], t["end_date"]) == (date(years[0], 1, 1), date(years[-1], 12, 31))
    sydney = [t for t in ties if t["source"] == "city:AUS:sydney"]
    assert [(t["start_date"], t["end_date"]) for t in sydney] == [
        (date(2016, 1, 1), date(2019, 12, 31))
    ]
    c40 = fetch_one(ws.con, "SELECT type, name FROM actors WHERE id = 'network:c40'")
    assert c40 == ("network", "C40 Cities Climate Leadership Group")


def test_cli_load_twice_adds_nothing(cli, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("load", "city-diplomacy").output
    assert "twin_cities_raw.csv: 26,114 rows read" in out
    assert "unknown country" in out
    with Workspace(ws_path, read_only=True) as ws:
        first = ws.counts()
    assert first["sources"] == 4
    again = cli("load", "city-diplomacy").output
    assert "already in the workspace" in again
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.counts() == first


def test_cli_datasets_info(cli) -> None:  # type: ignore[no-untyped-def]
    assert "city-diplomacy" in cli("datasets").output
    info = cli("datasets", "--info", "city-diplomacy").output
    assert "CC BY-SA 4.0" in info and "Bussmann" in info and "ICLEI" in info
