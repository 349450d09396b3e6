"""The sister-city importer: name and country normalization, identity, years, bad input."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from civnet.importers.city_identity import (
    SAME_PLACE_KM,
    CityResolver,
    city_key,
    fold,
    haversine_km,
    parse_country,
    split_city_label,
)
from civnet.importers.sister_cities import (
    parse_year,
)
from civnet.sql import fetch_arrow
from civnet.store import Workspace

DATA = Path(__file__).parent / "data" / "cities"


@pytest.mark.parametrize(
    ("label", "iso3", "expected"),
    [
        ("Göteborg", "SWE", ("goteborg", None)),
        ("GOTEBORG Municipality", "SWE", ("goteborg", None)),
        ("Municipality of Curitiba", "BRA", ("curitiba", None)),
        ("Vilnius District Municipality", "LTU", ("vilnius district", None)),
        ("City of Melbourne", "AUS", ("melbourne", None)),
        ("City of London", "GBR", ("city of london", None)),
        ("Kansas City", "USA", ("kansas city", None)),
        ("St. Pölten", "AUT", ("saint polten", None)),
        ("Sankt Pölten", "AUT", ("saint polten", None)),
        ("Słubice", "POL", ("slubice", None)),
        ("Straße", "DEU", ("strasse", None)),
        ("L'Aquila", "ITA", ("laquila", None)),
        ("Saint-Étienne", "FRA", ("saint etienne", None)),
        ("Porcia, Friuli-Venezia Giulia", "ITA", ("porcia", "friuli venezia giulia")),
        ("Frankfurt (Oder)", "DEU", ("frankfurt", "oder")),
        ("Washington, D.C.", "USA", ("washington", "dc")),
        ("Peñafiel, Spain", "ESP", ("penafiel", None)),
    ],
)
def test_city_key(label: str, iso3: str, expected: tuple[str, str | None]) -> None:
    assert city_key(label, iso3, "Spain" if iso3 == "ESP" else None) == expected


def test_fold_and_split() -> None:
    assert fold("  Bielsko–Biała  ") == "bielsko biala"
    assert fold("Þórshöfn") == "thorshofn"
    assert split_city_label("Stari Grad (Sarajevo)") == ("Stari Grad", "Sarajevo")
    assert split_city_label("Paris") == ("Paris", None)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Ohio, United States", ("USA", "ohio")),
        ("England", ("GBR", "england")),
        ("England, United Kingdom", ("GBR", "england")),
        ("Scotland", ("GBR", "scotland")),
        ("United Kingdom", ("GBR", None)),
        ("WestGER", ("DEU", None)),
        ("EastGER", ("DEU", None)),
        ("Réunion, France", ("FRA", "reunion")),
        ("China, Hong Kong Special Administrative Region", ("HKG", None)),
        ("Grece", ("GRC", None)),
        ("Madagaskar", ("MDG", None)),
        ("Japa", ("JPN", None)),
        ("Kazakhstah", ("KAZ", None)),
        ("Atlantis", (None, None)),
        ("Moldavia", (None, None)),
        ("", (None, None)),
    ],
)
def test_parse_country(label: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_country(label) == expected


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("1994", False, (date(1994, 1, 1), True)),
        ("1994", True, (date(1994, 12, 31), True)),
        ("1994.0", False, (date(1994, 1, 1), True)),
        ("0", False, (None, True)),
        ("", False, (None, True)),
        (None, False, (None, True)),
        ("2016-02", True, (date(2016, 2, 29), True)),
        ("2016-12", True, (date(2016, 12, 31), True)),
        ("2016-05-03", False, (date(2016, 5, 3), True)),
        ("about 1993", False, (None, False)),
        ("1993-13", False, (None, False)),
    ],
)
def test_parse_year(text: str | None, end: bool, expected: tuple[date | None, bool]) -> None:
    assert parse_year(text, end=end) == expected


def test_haversine_known_distance() -> None:
    # Paris (48.8566, 2.3522) to London (51.5074, -0.1278): 343.5 km on a 6371 km sphere
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.56, abs=0.1)


def test_springfields_kept_apart_by_qualifier() -> None:
    r = CityResolver()
    ohio = r.add("Springfield", "USA", "ohio")
    ill = r.add("Springfield", "USA", "illinois")
    ohio2 = r.add("Springfield (Ohio)", "USA")
    ids = r.resolve()
    assert ids[ohio] == ids[ohio2] == "city:USA:springfield~ohio"
    assert ids[ill] == "city:USA:springfield~illinois"


def test_springfields_kept_apart_by_coordinates() -> None:
    r = CityResolver()
    il_a = r.add("Springfield", "USA", lat=39.80, lon=-89.64)
    il_b = r.add("Springfield", "USA", lat=39.78, lon=-89.65)
    ma = r.add("Springfield", "USA", lat=42.10, lon=-72.59)
    bare = r.add("Springfield", "USA")
    ids = r.resolve()
    assert haversine_km(39.80, -89.64, 42.10, -72.59) > SAME_PLACE_KM
    # the most-mentioned place keeps the plain id; the unlocated mention goes to it
    assert ids[il_a] == ids[il_b] == ids[bare] == "city:USA:springfield"
    assert ids[ma] == "city:USA:springfield~42.1_-72.6"
    actors = {a["id"]: a for a in r.actors().to_pylist()}
    assert actors["city:USA:springfield"]["lat"] == pytest.approx(39.80)


def test_one_qualifier_and_near_coordinates_are_one_city() -> None:
    r = CityResolver()
    a = r.add("Porcia, Friuli-Venezia Giulia", "ITA", lat=45.9667, lon=12.6167)
    b = r.add("Porcia", "ITA", lat=45.96, lon=12.62)
    c = r.add("PORCIA", "ITA")
    ids = r.resolve()
    assert ids[a] == ids[b] == ids[c] == "city:ITA:porcia"
    actor = r.actors().to_pylist()[0]
    assert actor["name"] == "Porcia"
    assert actor["country"] == "ITA" and actor["type"] == "city"


def _ties(ws: Workspace) -> dict[tuple[str, str], dict[str, object]]:
    rows = fetch_arrow(ws.con, "SELECT * FROM ties").to_pylist()
    return {(r["source"], r["target"]): r for r in rows}


def test_import_fixture_counts_and_merges(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "pairs.csv"
    shutil.copy(DATA / "pairs.csv", src)
    out = cli("import", "sister-cities", str(src)).output
    assert "12 rows read, 7 ties added" in out
    assert "3 rows rejected" in out
    assert "2 rejected: self-loop" in out and "1 rejected: unknown country" in out
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.counts()["ties"] == 7
        assert ws.counts()["actors"] == 14
        ties = _ties(ws)
        ohio = ties[("city:USA:dayton", "city:USA:springfield~ohio")]
        assert ohio["start_date"] == date(1985, 1, 1)  # earliest of 1990 and 1985
        assert ohio["refs"] == ["s1:row 1", "s1:row 3"]
        assert ("city:USA:peoria", "city:USA:springfield~illinois") in ties
        gote = ties[("city:FIN:turku", "city:SWE:goteborg")]
        assert gote["refs"] == ["s1:row 6", "s1:row 7"] and gote["start_date"] == date(1946, 1, 1)
        assert ties[("city:AUT:spittal-an-der-drau", "city:ITA:porcia")]["start_date"] == date(
            1994, 1, 1
        )
        assert ("city:GRC:zakynthos", "city:ITA:sulmona") in ties
        assert ("city:DEU:frankfurt", "city:POL:slubice") in ties
        assert ties[("city:FRA:nantes", "city:GBR:cardiff")]["kind"] == "sister_city"
        assert {t["track"] for t in ties.values()} == {"general"}
        assert not any(t["directed"] for t in ties.values())
    with open(str(src) + ".rejects.csv", encoding="utf-8", newline="") as fh:
        rejects = [(r["row"], r["field"], r["reason"][:9]) for r in csv.DictReader(fh)]
    assert rejects == [("4", "city2", "self-loop"), ("8", "city2", "self-loop"),
                       ("10", "country1", "unknown c")]  # fmt: skip


def test_import_twice_adds_nothing(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "pairs.csv"
    shutil.copy(DATA / "pairs.csv", src)
    cli("import", "sister-cities", str(src))
    with Workspace(ws_path, read_only=True) as ws:
        before = ws.counts()
    assert "already in the workspace" in cli("import", "sister-cities", str(src)).output
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.counts() == before


def test_year_column_option(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "p.csv"
    src.write_text("a,b,c,d,twinned\nParis,France,Rome,Italy,1956\n", encoding="utf-8")
    cli(
        "import", "sister-cities", str(src), "--year-column", "twinned",
        "--map", "city1=a", "--map", "country1=b", "--map", "city2=c", "--map", "country2=d",
    )  # fmt: skip
    with Workspace(ws_path, read_only=True) as ws:
        (tie,) = _ties(ws).values()
    assert tie["start_date"] == date(1956, 1, 1)
    assert (tie["source"], tie["target"]) == ("city:FRA:paris", "city:ITA:rome")


def _assert_empty(ws_path: Path) -> None:
    if ws_path.exists():
        with Workspace(ws_path, read_only=True) as ws:
            assert ws.counts() == {"actors": 0, "ties": 0, "sources": 0, "rejects": 0}


def test_missing_file(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("import", "sister-cities", str(tmp_path / "nope.csv"), code=2).output
    assert "nope.csv: file not found" in out
    _assert_empty(ws_path)


def test_missing_column(cli, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("import", "sister-cities", str(DATA / "no_country2.csv"), code=2).output
    assert "required column 'country2' is missing" in out
    _assert_empty(ws_path)


def test_malformed_year_stops_import(cli, ws_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "bad_year.csv"
    shutil.copy(DATA / "bad_year.csv", src)
    out = cli("import", "sister-cities", str(src), code=2).output
    assert "row 2" in out and "'year'" in out and "malformed year" in out
    assert "nothing was imported" in out
    _assert_empty(ws_path)
    assert (tmp_path / "bad_year.csv.rejects.csv").exists()
    out = cli("import", "sister-cities", str(src), "--skip-bad-rows").output
    assert "2 rows read, 1 ties added" in out and "1 rows rejected" in out
    with Workspace(ws_path, read_only=True) as ws:
        assert ws.counts()["ties"] == 1
