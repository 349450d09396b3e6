"""The student-flows dataset against counts taken from its CSV files with the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from civnet.countries import to_iso3
from civnet.datasets import get
from civnet.datasets.china_public_diplomacy import FILE
from civnet.datasets.student_flows import BY_DESTINATION, BY_ORIGIN, CONFLICT, DROPPED_OTHER, MERGED
from civnet.store import Workspace
from civnet.vocab import sector_actor_id, sector_actor_type

FOLDER = Path(get("student-flows").path())
COLS = {
    BY_ORIGIN: ("origin_country_name", "dest_country_lumped"),
    BY_DESTINATION: ("origin_country_lumped", "dest_country_name"),
}
UNMATCHED = {"Sudan (pre-secession)", "Netherlands Antilles"}


def rows(name: str) -> list[dict[str, str]]:
    with open(FOLDER / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def iso(name: str) -> str | None:
    return to_iso3("Venezuela" if name == "Venezuala" else name)


def kept(name: str) -> dict[tuple[str, str, int], list[float]]:
    """Country-pair rows of a file by (origin ISO3, destination ISO3, year)."""
    o, d = COLS[name]
    out: dict[tuple[str, str, int], list[float]] = {}
    for r in rows(name):
        a, b = iso(r[o]), iso(r[d])
        if a and b and a != b:
            out.setdefault((a, b, int(r["year"])), []).append(float(r["value_lumped"]))
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ws = Workspace(tmp_path_factory.mktemp("sf") / "ws.duckdb")
    reports = get("student-flows").loader(ws, None)
    yield ws, {r.name.split("/")[-1]: r for r in reports}
    ws.close()


def test_rows_dropped_rejected_merged(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, rep = loaded
    for name, (o, d) in COLS.items():
        data = rows(name)
        assert rep[name].rows_read == len(data)
        other = sum("Other countries" in (r[o], r[d]) for r in data)
        assert rep[name].details[DROPPED_OTHER] == other
        names = [
            r[o] if iso(r[o]) is None else r[d]
            for r in data
            if "Other countries" not in (r[o], r[d]) and (iso(r[o]) is None or iso(r[d]) is None)
        ]
        loops = [
            r
            for r in data
            if "Other countries" not in (r[o], r[d])
            and iso(r[o]) is not None
            and iso(r[o]) == iso(r[d])
        ]
        assert rep[name].rows_rejected == len(names) + len(loops)
        assert rep[name].reasons.get(
            "origin and destination are the same country (self-loop)", 0
        ) == len(loops)
        assert {n for n in names if not n.endswith(": unknown countries")} == UNMATCHED
        assert rep[name].reasons["country name not matched to ISO 3166-1"] == sum(
            n in UNMATCHED for n in names
        )
    assert rep[BY_ORIGIN].details[DROPPED_OTHER] == 3855
    assert rep[BY_DESTINATION].details[DROPPED_OTHER] == 1575

    first, second = kept(BY_ORIGIN), kept(BY_DESTINATION)
    assert all(len(v) == 1 for v in first.values())
    assert all(len(v) == 1 for v in second.values())
    both = set(first) & set(second)
    assert rep[BY_DESTINATION].details[MERGED] == len(both) == 9735
    conflicts = sum(first[k] != second[k] for k in both)
    assert rep[BY_DESTINATION].details[CONFLICT] == conflicts == 0
    assert MERGED not in rep[BY_ORIGIN].details

    assert rep[BY_ORIGIN].ties_added == len(first)
    assert rep[BY_DESTINATION].ties_added == len(set(second) - set(first))
    assert rep[BY_DESTINATION].ties_merged == len(both)
    n_ties, total = ws.con.sql("SELECT count(*), sum(weight) FROM ties").fetchall()[0]
    assert n_ties == len(set(first) | set(second))
    union = {**second, **first}
    assert total == pytest.approx(sum(v[0] for v in union.values()))


def test_ties_are_education_exchanges_between_sector_actors(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    assert ws.con.sql("SELECT DISTINCT track, kind, directed FROM ties").fetchall() == [
        ("education", "exchange", True)
    ]
    types = ws.con.sql("SELECT DISTINCT type FROM actors").fetchall()
    assert types == [(sector_actor_type("EDU"),)]
    india_aus_2019 = ws.con.sql(
        "SELECT weight FROM ties WHERE source = ? AND target = ? AND year(start_date) = 2019",
        params=[sector_actor_id("IND", "EDU"), sector_actor_id("AUS", "EDU")],
    ).fetchall()
    expected = [
        float(r["value_lumped"])
        for r in rows(BY_ORIGIN)
        if (r["year"], r["origin_country_name"], r["dest_country_lumped"])
        == ("2019", "India", "Australia")
    ]
    assert india_aus_2019 == [(expected[0],)]


def test_same_sector_actor_as_china_public_diplomacy(ws: Workspace) -> None:
    get("china-public-diplomacy").loader(ws, None)
    reports = get("student-flows").loader(ws, None)
    assert sum(r.actors_added for r in reports) > 0
    (chn,) = ws.con.sql(
        "SELECT id, type FROM actors WHERE id = ?", params=[sector_actor_id("CHN", "EDU")]
    ).fetchall()
    assert chn == ("CHN/EDU", sector_actor_type("EDU"))
    # china-public-diplomacy's student counts that student-flows repeats are the same ties
    with open(Path(get("china-public-diplomacy").path()) / FILE, encoding="utf-8") as fh:
        panel = list(csv.DictReader(fh))
    china_keys = {
        (a, b, int(r["year"]))
        for r in panel
        for col, a, b in (
            ("outbound_chinese_students", "CHN", iso(r["receiving_country"])),
            ("inbound_students_to_china", iso(r["receiving_country"]), "CHN"),
        )
        if r[col] != "N/A" and float(r[col]) != 0
    }
    union = set(kept(BY_ORIGIN)) | set(kept(BY_DESTINATION))
    assert sum(r.ties_merged for r in reports) == 9735 + len(china_keys & union) == 9735 + 166
    refs = ws.con.sql(
        """SELECT refs FROM ties WHERE source = 'CHN/EDU' AND target = 'BRN/EDU'
           AND start_date = DATE '2000-01-01' AND kind = 'exchange'"""
    ).fetchall()[0][0]
    assert [r.split(":")[1] for r in refs] == [
        "ChinesePublicDiplomacy_v2.0.csv",
        "popular-origins-by-destination.csv",
    ]
    again = get("student-flows").loader(ws, None)
    assert [r.skipped for r in again] == [True, True]


def test_cli_load_and_info(cli) -> None:  # type: ignore[no-untyped-def]
    out = " ".join(cli("load", "student-flows").output.split())
    assert "popular-destinations-by-origin.csv: 50,699 rows read" in out
    assert "3,855 dropped: 'Other countries' row" in out
    assert "9,735 merged: same (origin, destination, year)" in out
    info = " ".join(cli("datasets", "--info", "student-flows").output.split())
    assert "CC BY 4.0" in info
    assert "TOP-10 TRUNCATION" in info
    assert "China never appears as a destination" in info
