"""The roster importer: membership ties to a network actor, dates, bad input."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from civnet.errors import UserError
from civnet.importers.roster import network_id
from civnet.sql import fetch_arrow
from civnet.store import Workspace

DATA = Path(__file__).parent / "data" / "cities"


def _copy(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copy(DATA / name, dst)
    return dst


def _empty(ws_path: Path) -> None:
    if ws_path.exists():
        with Workspace(ws_path, read_only=True) as ws:
            assert ws.counts() == {"actors": 0, "ties": 0, "sources": 0, "rejects": 0}


def test_network_id() -> None:
    assert network_id("C40 Cities") == "network:c40-cities"
    assert network_id("Union of the Baltic Cities") == "network:union-of-the-baltic-cities"
    with pytest.raises(UserError):
        network_id("--")


def test_roster_ties_and_counted_rejects(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _copy(tmp_path, "roster.csv")
    out = cli("import", "roster", str(src), "--network", "C40", "--track", "environment").output
    assert "5 rows read, 3 ties added" in out and "2 rows rejected" in out
    assert "1 rejected: unknown country" in out and "1 rejected: empty actor name" in out
    with Workspace(ws_path, read_only=True) as ws:
        actors = {a["id"]: a for a in fetch_arrow(ws.con, "SELECT * FROM actors").to_pylist()}
        ties = fetch_arrow(ws.con, "SELECT * FROM ties ORDER BY source").to_pylist()
    assert actors["network:c40"]["type"] == "network" and actors["network:c40"]["name"] == "C40"
    assert {a for a in actors if a != "network:c40"} == {
        "city:FRA:paris",
        "city:GBR:london",
        "city:JPN:tokyo",
    }
    spans = {t["source"]: (t["start_date"], t["end_date"]) for t in ties}
    assert spans == {
        "city:FRA:paris": (date(2006, 1, 1), None),
        "city:GBR:london": (date(2005, 1, 1), date(2019, 12, 31)),
        "city:JPN:tokyo": (date(2006, 5, 1), date(2020, 6, 30)),
    }
    assert {(t["target"], t["kind"], t["track"], t["directed"]) for t in ties} == {
        ("network:c40", "membership", "environment", False)
    }
    with open(str(src) + ".rejects.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["row"], r["field"], r["reason"]) for r in csv.DictReader(fh)]
    assert rows == [("4", "country", "unknown country"), ("5", "actor", "empty actor name")]


def test_roster_types_and_tracks_per_row(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _copy(tmp_path, "roster_typed.csv")
    cli("import", "roster", str(src), "--network", "Nordic Network")
    with Workspace(ws_path, read_only=True) as ws:
        ties = fetch_arrow(ws.con, "SELECT source, target, track FROM ties").to_pylist()
    # undirected ties are stored with the smaller id first, so the network may be the source
    assert {(frozenset((t["source"], t["target"])), t["track"]) for t in ties} == {
        (frozenset(("city:NOR:oslo", "network:nordic-network")), "general"),
        (frozenset(("university:NOR:university-of-oslo", "network:nordic-network")), "education"),
    }


def test_roster_meets_sister_city_actors(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pairs = tmp_path / "p.csv"
    pairs.write_text("city1,country1,city2,country2\nParís,France,Tokyo,Japan\n", encoding="utf-8")
    cli("import", "sister-cities", str(pairs))
    cli("import", "roster", str(_copy(tmp_path, "roster.csv")), "--network", "C40")
    with Workspace(ws_path, read_only=True) as ws:
        ids = [r["id"] for r in fetch_arrow(ws.con, "SELECT id FROM actors").to_pylist()]
    assert sorted(ids) == [
        "city:FRA:paris",
        "city:GBR:london",
        "city:JPN:tokyo",
        "network:c40",
    ]


def test_roster_twice_adds_nothing(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _copy(tmp_path, "roster.csv")
    cli("import", "roster", str(src), "--network", "C40")
    assert (
        "already in the workspace" in cli("import", "roster", str(src), "--network", "C40").output
    )
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.counts()["ties"] == 3


def test_malformed_date_stops_import(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _copy(tmp_path, "roster_bad_date.csv")
    out = cli("import", "roster", str(src), "--network", "C40", code=2).output
    assert "row 2" in out and "'since'" in out and "malformed date" in out
    _empty(ws_path)
    out = cli("import", "roster", str(src), "--network", "C40", "--skip-bad-rows").output
    assert "2 rows read, 1 ties added" in out


def test_unknown_track_lists_valid_values(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = _copy(tmp_path, "roster.csv")
    out = cli("import", "roster", str(src), "--network", "C40", "--track", "sport", code=2).output
    assert "unknown track 'sport'" in out and "environment" in out
    _empty(ws_path)


def test_roster_missing_file_and_column(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("import", "roster", str(tmp_path / "none.csv"), "--network", "C40", code=2).output
    assert "file not found" in out
    bad = tmp_path / "r.csv"
    bad.write_text("actor,since\nParis,2001\n", encoding="utf-8")
    out = cli("import", "roster", str(bad), "--network", "C40", code=2).output
    assert "required column 'country' is missing" in out
    _empty(ws_path)
