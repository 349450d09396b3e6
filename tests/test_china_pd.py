"""The china-public-diplomacy dataset against counts taken from its CSV file with the csv module."""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from pathlib import Path

import pytest

from civnet.datasets import get
from civnet.datasets.china_public_diplomacy import FIELDS, FILE
from civnet.store import Workspace
from civnet.vocab import sector_actor_id, sector_actor_type

PATH = Path(get("china-public-diplomacy").path()) / FILE
MAPPED = (
    "confucius_institutes",
    "sister_cities_established",
    "government_visits",
    "military_visits",
    "journalist_visits",
    "media_partnerships",
    "outbound_chinese_students",
    "inbound_students_to_china",
)


def rows() -> list[dict[str, str]]:
    with open(PATH, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ws = Workspace(tmp_path_factory.mktemp("pd") / "ws.duckdb")
    (report,) = get("china-public-diplomacy").loader(ws, None)
    yield ws, report
    ws.close()


def test_mapped_columns_are_the_documented_ones() -> None:
    assert set(FIELDS) == set(MAPPED)


def test_rows_missing_zero_and_ties(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, report = loaded
    data = rows()
    assert report.rows_read == len(data) == 741
    assert report.rows_rejected == 0
    na = Counter(c for r in data for c in MAPPED if r[c] == "N/A")
    zero = Counter(c for r in data for c in MAPPED if r[c] != "N/A" and float(r[c]) == 0)
    assert {k[len("missing (N/A), no tie: ") :]: n for k, n in report.details.items()
            if k.startswith("missing")} == dict(na)  # fmt: skip
    assert {k[len("zero, no tie: ") :]: n for k, n in report.details.items()
            if k.startswith("zero")} == dict(zero)  # fmt: skip
    assert na["media_partnerships"] == 318 and zero["confucius_institutes"] == 601
    no_tie = sum(all(r[c] == "N/A" or float(r[c]) == 0 for c in MAPPED) for r in data)
    assert report.details["rows with no tie (every mapped field N/A or 0)"] == no_tie

    expected = Counter(c for r in data for c in MAPPED if r[c] != "N/A" and float(r[c]) != 0)
    got = Counter(
        dict(
            ws.con.sql(
                "SELECT json_extract_string(attrs, '$.field'), count(*) FROM ties GROUP BY 1"
            ).fetchall()
        )
    )
    assert got == expected
    assert report.ties_added == sum(expected.values()) == 2126
    weights = ws.con.sql(
        """SELECT json_extract_string(attrs, '$.field'), sum(weight) FROM ties GROUP BY 1"""
    ).fetchall()
    exp_w = Counter()
    for r in data:
        for c in MAPPED:
            if r[c] != "N/A":
                exp_w[c] += float(r[c])
    assert dict(weights) == {c: w for c, w in exp_w.items() if w}


def test_na_never_becomes_zero(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    assert ws.con.sql("SELECT count(*) FROM ties WHERE weight <= 0").fetchall() == [(0,)]
    # India 2015: media_partnerships and outbound students are N/A, journalist_visits is 7
    india = dict(
        ws.con.sql(
            """SELECT json_extract_string(attrs, '$.field'), weight FROM ties
               WHERE year(start_date) = 2015 AND (source LIKE 'IND/%' OR target LIKE 'IND/%')"""
        ).fetchall()
    )
    assert "media_partnerships" not in india
    assert "outbound_chinese_students" not in india
    assert india["journalist_visits"] == 7
    assert india["inbound_students_to_china"] == 16694


def test_flows_not_cumulative() -> None:
    """Every event column falls somewhere from one year to the next: not a running total."""
    by_country: dict[str, list[dict[str, str]]] = {}
    for r in sorted(rows(), key=lambda r: int(r["year"])):
        by_country.setdefault(r["receiving_country"], []).append(r)
    falls = {}
    for col in ("confucius_institutes", "sister_cities_established", "media_partnerships"):
        falls[col] = 0
        for series in by_country.values():
            vals = [float(r[col]) for r in series if r[col] != "N/A"]
            falls[col] += sum(b < a for a, b in itertools.pairwise(vals))
    assert falls == {
        "confucius_institutes": 52,
        "sister_cities_established": 118,
        "media_partnerships": 15,
    }
    afg = {r["year"]: r["confucius_institutes"] for r in by_country["Afghanistan"]}
    assert (afg["2008"], afg["2009"]) == ("1", "0")


def test_sector_actors_are_the_shared_ones(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    actors = dict(ws.con.sql("SELECT id, type FROM actors").fetchall())
    for iso3, sector in [
        ("CHN", "EDU"),
        ("PAK", "EDU"),
        ("JPN", "MED"),
        ("KOR", "CITY"),
        ("IND", "GOV"),
        ("AUS", "MIL"),
    ]:
        assert actors[sector_actor_id(iso3, sector)] == sector_actor_type(sector)
    assert actors["CHN/EDU"] == "university" and actors["CHN/GOV"] == "state"
    assert len(actors) == len({(iso3, s) for iso3, s in (a.split("/") for a in actors)})
    tracks = dict(
        ws.con.sql(
            """SELECT split_part(source, '/', 2) || '-' || split_part(target, '/', 2),
                      string_agg(DISTINCT track) FROM ties GROUP BY 1"""
        ).fetchall()
    )
    assert tracks == {
        "EDU-EDU": "education",
        "MED-MED": "culture",
        "CITY-CITY": "general",
        "GOV-GOV": "governance",
        "MIL-MIL": "governance",
    }


def test_cli_load_and_info(cli) -> None:  # type: ignore[no-untyped-def]
    out = " ".join(cli("load", "china-public-diplomacy").output.split())
    assert "741 rows read, 2,126 ties added" in out
    assert "318 missing (N/A), no tie: media_partnerships" in out
    again = " ".join(cli("load", "china-public-diplomacy").output.split())
    assert "already in the workspace; nothing added" in again
    info = " ".join(cli("datasets", "--info", "china-public-diplomacy").output.split())
    assert "ODC-By" in info
    assert "annual flows" in info
