"""The confucius-institutes dataset against counts taken from its CSV files with the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from civnet.datasets import get
from civnet.datasets.confucius_institutes import CLOSING, GLOBAL, OPEN, USA_CI, parse_date
from civnet.store import Workspace

DATA = Path(get("confucius-institutes").path())
YEARS = range(2010, 2023)


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def simple_host(name: str) -> str:
    """Independent host key for the two NAS lists: lower case, no remarks, letters only."""
    return re.sub(r"[^a-z]", "", re.sub(r"\(.*?\)", "", name.lower()))


def first_year(text: str) -> int | None:
    """Year of the first date in a cell: a 20xx number, or the yy of m/d/yy."""
    text = text.strip()
    if m := re.fullmatch(r"\d{1,2}/\d{1,2}/(\d{2})", text):
        return 2000 + int(m[1])
    m = re.search(r"\b(20\d\d)\b", text)
    return int(m[1]) if m else None


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ws = Workspace(tmp_path_factory.mktemp("ci") / "ws.duckdb")
    reports = get("confucius-institutes").loader(ws, None)
    yield ws, {r.name.split("/")[-1]: r for r in reports}
    ws.close()


def expected_active() -> tuple[dict[int, int], dict[int, int]]:
    """Institutes active per year, all and US, from the CSV files (timeless ones left out)."""
    closing = rows(CLOSING)
    closing_hosts = {simple_host(r["institution"]) for r in closing}
    spans: list[tuple[int | None, int | None, bool]] = [
        (first_year(r["date_opened"]), first_year(r["date_of_decision"]), True) for r in closing
    ]
    spans += [
        (first_year(r["Date Started"]), None, True)
        for r in rows(OPEN)
        if simple_host(r["American Institution"]) not in closing_hosts
    ]
    spans += [
        (first_year(r["date_est"]), None, False)
        for r in rows(GLOBAL)
        if r["country"] != "United States"
    ]
    # two institutes at one host with the same start are one tie (the store's identity rule)
    seen: Counter[tuple[str, str]] = Counter()
    merged_pairs = 0
    for r in rows(GLOBAL):
        if r["country"] != "United States":
            seen[(r["country"], r["location_name"].strip().lower() + "|" + r["date_est"])] += 1
    merged_pairs = sum(n - 1 for n in seen.values())
    assert merged_pairs == 1  # Belarusian State University: two institutes, no date
    all_, us = {}, {}
    for y in YEARS:
        active = [
            (s, e, u) for s, e, u in spans if s is not None and s <= y and (e is None or e >= y)
        ]
        all_[y] = len(active)
        us[y] = sum(u for _, _, u in active)
    return all_, us


def test_rows_read_merged_and_tie_counts(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, rep = loaded
    closing, open_, usa, glob = rows(CLOSING), rows(OPEN), rows(USA_CI), rows(GLOBAL)
    assert (
        {k: r.rows_read for k, r in rep.items()}
        == {
            CLOSING: len(closing),
            OPEN: len(open_),
            USA_CI: len(usa),
            GLOBAL: len(glob),
        }
        == {CLOSING: 102, OPEN: 19, USA_CI: 121, GLOBAL: 665}
    )
    closing_hosts = {simple_host(r["institution"]) for r in closing}
    open_overlap = sum(simple_host(r["American Institution"]) in closing_hosts for r in open_)
    global_us = sum(r["country"] == "United States" for r in glob)
    merged = "merged: US institute already given by an earlier row or list"
    assert (
        {k: r.details.get(merged, 0) for k, r in rep.items()}
        == {
            CLOSING: 0,
            OPEN: open_overlap,
            USA_CI: len(usa),
            GLOBAL: global_us,
        }
        == {CLOSING: 0, OPEN: 4, USA_CI: 121, GLOBAL: 203}
    )
    assert all(r.rows_rejected == 0 for r in rep.values())
    assert (
        rep[CLOSING].details["dates left out: date_opened before 2004 (spreadsheet artefact)"] == 1
    )

    us_institutes = len(closing) + len(open_) - open_overlap
    counts = dict(ws.con.sql("""SELECT kind, count(*) FROM ties GROUP BY kind""").fetchall())
    no_partner_us = sum(not r["chinese_partner"] for r in closing) + sum(
        not r["Chinese Partner Institution"]
        for r in open_
        if simple_host(r["American Institution"]) not in closing_hosts
    )
    non_us = len(glob) - global_us
    assert counts == {
        "agreement": us_institutes - no_partner_us,
        "membership": no_partner_us + non_us - 1,  # one same-host, same-date pair (see above)
    }


def test_every_row_is_referenced_once(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    refs = [r[0].split(":", 1)[1] for r in ws.con.sql("SELECT unnest(refs) FROM ties").fetchall()]
    expected = [
        f"{name}:row {i}"
        for name in (CLOSING, OPEN, USA_CI, GLOBAL)
        for i in range(1, len(rows(name)) + 1)
    ]
    assert sorted(refs) == sorted(expected)


def test_active_per_year_and_us_decline(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    exp_all, exp_us = expected_active()
    got = ws.con.sql(
        """SELECT y, count(*),
                  count(*) FILTER (WHERE a.country = 'USA' OR b.country = 'USA')
           FROM range(2010, 2023) r(y)
           JOIN ties t ON t.start_date <= make_date(y::INT, 12, 31)
                      AND (t.end_date IS NULL OR t.end_date >= make_date(y::INT, 1, 1))
           JOIN actors a ON a.id = t.source JOIN actors b ON b.id = t.target
           GROUP BY y ORDER BY y"""
    ).fetchall()
    assert {y: n for y, n, _ in got} == exp_all
    assert {y: n for y, _, n in got} == exp_us
    assert exp_us == {
        2010: 73, 2011: 74, 2012: 81, 2013: 95, 2014: 104, 2015: 106, 2016: 106,
        2017: 107, 2018: 104, 2019: 96, 2020: 73, 2021: 46, 2022: 14,
    }  # fmt: skip


def test_status_never_becomes_an_end_date(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    ended = ws.con.sql("SELECT count(*) FROM ties WHERE end_date IS NOT NULL").fetchall()[0][0]
    decided = sum(bool(first_year(r["date_of_decision"])) for r in rows(CLOSING))
    assert ended == decided == 102
    closed_global = ws.con.sql(
        """SELECT count(*) FROM ties WHERE end_date IS NULL
           AND json_extract_string(attrs, '$.status_heuristic') = 'Closed'"""
    ).fetchall()[0][0]
    assert closed_global > 300


def test_no_placeholder_partner(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _ = loaded
    names = [r[0].lower() for r in ws.con.sql("SELECT name FROM actors").fetchall()]
    assert not [n for n in names if "unknown" in n]
    net = ws.con.sql(
        "SELECT type, country FROM actors WHERE id = 'network:confucius-institutes'"
    ).fetchall()
    assert net == [("network", "CHN")]
    countries = ws.con.sql(
        """SELECT count(DISTINCT a.country) FROM ties t JOIN actors a ON a.id = t.source
           WHERE t.kind = 'membership'"""
    ).fetchall()[0][0]
    assert countries == len({r["country"] for r in rows(GLOBAL)}) == 148


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Fall 2021", dt.date(2021, 9, 1)),
        ("Summer 2018", dt.date(2018, 6, 1)),
        ("September 2014", dt.date(2014, 9, 1)),
        ("2017", dt.date(2017, 1, 1)),
        ("September 2017, reported March 2018", dt.date(2017, 9, 1)),
        ("Announced Sept. 2019, will close Dec. 2019", dt.date(2019, 9, 1)),
        ("Announced August 18, 2020, will close November 2021. ", dt.date(2020, 8, 18)),
        ("06/31/2021", dt.date(2021, 6, 1)),
        ("10/3/2019", dt.date(2019, 10, 3)),
        ("2020-06-01 00:00:00", dt.date(2020, 6, 1)),
        ("6/24/05", dt.date(2005, 6, 24)),
        ("3/2017", dt.date(2017, 3, 1)),
        ("May 2013", dt.date(2013, 5, 1)),
        ("", None),
    ],
)
def test_parse_date(text: str, day: dt.date | None) -> None:
    assert parse_date(text) == day


def test_every_decision_text_parses() -> None:
    for r in rows(CLOSING):
        if r["date_of_decision"].strip():
            assert parse_date(r["date_of_decision"]) is not None, r["date_of_decision"]


def test_cli_load_and_info(cli) -> None:  # type: ignore[no-untyped-def]
    out = " ".join(cli("load", "confucius-institutes").output.split())
    assert "confucius_institutes_global_2022.csv: 665 rows read" in out
    assert "203 merged: US institute already given" in out
    again = " ".join(cli("load", "confucius-institutes").output.split())
    assert "confucius-institutes: already in the workspace; nothing added" in again
    info = " ".join(cli("datasets", "--info", "confucius-institutes").output.split())
    assert "One tie per Confucius Institute" in info
    assert "Status is never an end date" in info
