"""GDELT import: real samples against an independent plain-Python oracle, bad lines, Dask, CLI."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from civnet.errors import InputFileError, UnknownVocabulary
from civnet.importers.events.formats import GDELT1_COLUMNS, GDELT2_COLUMNS
from civnet.importers.events.gdelt import import_gdelt, merge_partials, run_files
from civnet.importers.events.mapping import GdeltOptions, read_track_map
from civnet.sql import fetch_arrow
from civnet.store import Workspace
from civnet.vocab import sector_actor_id, sector_actor_type

DATA = Path(__file__).parent / "data" / "gdelt"
CAMEO = Path(__file__).parents[1] / "src" / "civnet" / "importers" / "events" / "cameo_data"
HEAD_2016 = DATA / "gdelt1_20160728_head.tsv"
V1 = DATA / "gdelt1_fixture.tsv"
V2 = DATA / "gdelt2_fixture.tsv"
REDUCED = DATA / "gdelt1_reduced_1979.tsv"


# -- the oracle: the documented rules, in plain Python over the file ---------------------------
def _table(name: str, key: str, value: str) -> dict[str, str]:
    with open(CAMEO / name, newline="", encoding="utf-8") as fh:
        return {r[key]: r[value] for r in csv.DictReader(fh)}


COUNTRY = _table("cameo_country_iso3.csv", "cameo", "iso3")
FIPS = _table("fips_iso3.csv", "fips", "iso3")
ROLE = _table("gdelt_actor_types.csv", "code", "role")
TRACK = _table("gdelt_actor_types.csv", "code", "track")
TYPES = set(ROLE)


def _split_reduced(code: str) -> tuple[str, str]:
    country = code[:3] if code[:3] in COUNTRY else ""
    rest = code[3:] if country else code
    for i in range(0, len(rest) - 2, 3):
        if rest[i : i + 3] in TYPES:
            return country, rest[i : i + 3]
    return country, ""


def _period(d: dt.date, period: str) -> tuple[dt.date, dt.date]:
    if period == "day":
        return d, d
    if period == "month":
        return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])
    return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31)


def oracle(
    path: Path,
    *,
    mode: str = "civil-any",
    period: str = "month",
    conflict: bool = False,
    geo: bool = True,
    untyped: str | None = None,
    named: bool = False,
) -> set[tuple]:
    """(source, target, track, start, end, events, mentions) of every tie the rules give.

    ``untyped=None`` is the default rule: in civil-any mode an actor coded with a country and no
    type is its country as one actor, ``ISO/COUNTRY``, official, track general.
    """
    if untyped is None and mode == "civil-any":
        untyped = "COUNTRY"
    role = {**ROLE, "COUNTRY": "official"}
    track_of = {**TRACK, "COUNTRY": "general"}
    ties: dict[tuple, list[int]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    reduced = rows[0][:3] == ["Date", "Source", "Target"]
    for r in rows[1:] if reduced else rows:
        if reduced:
            (c1, t1), (c2, t2) = _split_reduced(r[1]), _split_reduced(r[2])
            g1 = g2 = ""
            n1, n2 = r[1], r[2]
            date, quad, n, mentions = r[0], int(r[6]), int(r[4]), int(r[5])
        else:
            cols = GDELT2_COLUMNS if len(r) == 61 else GDELT1_COLUMNS
            f = dict(zip(cols, r, strict=False))
            c1, t1, g1 = f["Actor1CountryCode"], f["Actor1Type1Code"], f["Actor1Geo_CountryCode"]
            c2, t2, g2 = f["Actor2CountryCode"], f["Actor2Type1Code"], f["Actor2Geo_CountryCode"]
            n1, n2 = f["Actor1Name"], f["Actor2Name"]
            date, quad, n = f["SQLDATE"], int(f["QuadClass"]), 1
            mentions = int(f["NumMentions"])
        if quad > 2 and not conflict:
            continue
        if untyped:
            t1 = t1 or (untyped if c1 else "")
            t2 = t2 or (untyped if c2 else "")
        if not t1 or not t2 or role[t1] == "excluded" or role[t2] == "excluded":
            continue
        iso1 = COUNTRY[c1] if c1 else (FIPS.get(g1, "") if geo else "")
        iso2 = COUNTRY[c2] if c2 else (FIPS.get(g2, "") if geo else "")
        if not iso1 or not iso2 or iso1 == iso2:
            continue
        civil = [role[t1] == "civil", role[t2] == "civil"]
        if (mode == "civil-any" and not any(civil)) or (mode == "civil-civil" and not all(civil)):
            continue
        track = track_of[t1] if track_of[t1] != "general" else track_of[t2]
        d = dt.date(int(date[:4]), int(date[4:6]), int(date[6:8]))
        ids = [f"{iso1}/{t1}", f"{iso2}/{t2}"]
        if named:
            ids = [f"{ids[0]}/{n1.upper()}", f"{ids[1]}/{n2.upper()}"]
        key = (*ids, track, *_period(d, period))
        acc = ties.setdefault(key, [0, 0])
        acc[0] += n
        acc[1] += mentions
    return {(*k, v[0], v[1]) for k, v in ties.items()}


def workspace_ties(ws: Workspace) -> set[tuple]:
    t = fetch_arrow(
        ws.con, "SELECT source, target, track, start_date, end_date, weight, attrs FROM ties"
    ).to_pylist()
    return {
        (
            r["source"],
            r["target"],
            r["track"],
            r["start_date"],
            r["end_date"],
            int(r["weight"]),
            json.loads(r["attrs"])["mentions"],
        )
        for r in t
    }


CASES = {
    "default": ({}, {}),
    "conflict": ({"include_conflict": True}, {"conflict": True}),
    "civil-civil": (
        {"mode": "civil-civil", "include_conflict": True},
        {"mode": "civil-civil", "conflict": True},
    ),
    "day-untyped-gov": (
        {"period": "day", "untyped_as": "GOV"},
        {"period": "day", "untyped": "GOV"},
    ),
    "year-no-geo-conflict": (
        {"period": "year", "geo_fallback": False, "include_conflict": True},
        {"period": "year", "geo": False, "conflict": True},
    ),
}
EXPECTED_SIZES = {
    # ties per case, pinned so that a rule that silently matches nothing fails; the default and
    # conflict cases keep actors coded with a country alone as their country (head: 3 -> 19)
    "gdelt1_20160728_head.tsv": {"default": 19, "conflict": 26, "civil-civil": 1,
                                 "day-untyped-gov": 19, "year-no-geo-conflict": 8},
    "gdelt1_fixture.tsv": {"default": 1, "conflict": 2, "civil-civil": 0,
                           "day-untyped-gov": 1, "year-no-geo-conflict": 1},
    "gdelt2_fixture.tsv": {"default": 3, "conflict": 3, "civil-civil": 0,
                           "day-untyped-gov": 2, "year-no-geo-conflict": 2},
    "gdelt1_reduced_1979.tsv": {"default": 25, "conflict": 26, "civil-civil": 0,
                                "day-untyped-gov": 23, "year-no-geo-conflict": 26},
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("path", [HEAD_2016, V1, V2, REDUCED], ids=lambda p: p.name)
def test_ties_equal_the_oracle(ws: Workspace, path: Path, case: str) -> None:
    opts, oracle_opts = CASES[case]
    result = import_gdelt(ws, [path], GdeltOptions(**opts))
    expected = oracle(path, **oracle_opts)
    assert workspace_ties(ws) == expected
    assert result.ties == len(expected)
    assert len(expected) == EXPECTED_SIZES[path.name][case]


def test_formats_rows_and_sources(ws: Workspace) -> None:
    result = import_gdelt(ws, [HEAD_2016, V1, V2, REDUCED])
    got = {r.name: (r.format, r.rows_read, r.rejects.num_rows) for r in result.files}
    assert got == {
        "gdelt1_20160728_head.tsv": ("gdelt1", 710, 0),
        "gdelt1_fixture.tsv": ("gdelt1", 100, 0),
        "gdelt2_fixture.tsv": ("gdelt2", 100, 0),
        "gdelt1_reduced_1979.tsv": ("reduced", 999, 0),
    }
    sources = ws.sources().to_pylist()
    assert [s["name"] for s in sources[:4]] == sorted(got)
    assert [s["rows_read"] for s in sources[:4]] == [710, 100, 999, 100]
    notes = json.loads(sources[0]["notes"])
    kept = sum(t[5] for t in oracle(HEAD_2016))  # events behind the oracle's ties
    assert notes["events_kept"] == kept == 21
    assert sum(notes["filtered"].values()) + kept == 710
    assert sources[4]["name"].startswith("gdelt ties (4 files")


def test_mixed_57_58_columns_read_whole() -> None:
    widths = {len(line.split("\t")) for line in HEAD_2016.read_text().splitlines()}
    assert widths == {57, 58}
    (res,) = run_files([HEAD_2016], GdeltOptions(include_conflict=True))
    assert res.rows_read == 710 and res.rejects.num_rows == 0


def test_actors_are_shared_sector_actors(ws: Workspace) -> None:
    import_gdelt(ws, [HEAD_2016, REDUCED], GdeltOptions(untyped_as="GOV"))
    actors = fetch_arrow(ws.con, "SELECT id, type, country, attrs FROM actors").to_pylist()
    assert len(actors) > 20
    for a in actors:
        cameo_type = json.loads(a["attrs"])["cameo_type"]
        assert a["id"] == sector_actor_id(a["country"], cameo_type)
        assert a["type"] == sector_actor_type(cameo_type)
    ids = {a["id"] for a in actors}
    assert {"CHN/GOV", "USA/GOV"} <= ids


def test_named_actors(ws: Workspace) -> None:
    opts = GdeltOptions(named_actors=True, include_conflict=True, untyped_as="GOV")
    import_gdelt(ws, [HEAD_2016], opts)
    expected = oracle(HEAD_2016, named=True, conflict=True, untyped="GOV")
    assert workspace_ties(ws) == expected
    assert ("CHN/MED/MEDIA", "IRQ/GOV/IRAQ") in {t[:2] for t in expected}
    names = dict(ws.con.execute("SELECT id, name FROM actors").fetchall())
    assert names["CHN/MED/MEDIA"] == "MEDIA"


def test_default_type_map_follows_design() -> None:
    civil = {c for c, r in ROLE.items() if r == "civil"}
    design = {"NGO", "NGM", "EDU", "BUS", "MNC", "CVL", "MED", "HLH", "ENV", "HRI", "LAB", "DEV"}
    design |= {"AGR", "REF", "ELI"}
    assert civil == design | {"AMN", "IRC", "GRP"}
    assert {c: TRACK[c] for c in ("EDU", "BUS", "MNC", "AGR", "HLH", "ENV", "HRI")} == {
        "EDU": "education",
        "BUS": "economy_trade",
        "MNC": "economy_trade",
        "AGR": "economy_trade",
        "HLH": "health",
        "ENV": "environment",
        "HRI": "governance",
    }
    assert {TRACK[c] for c in ("LAB", "DEV", "REF")} == {"social_development"}
    assert TRACK["MED"] == "culture"
    assert {ROLE[c] for c in ("GOV", "MIL", "IGO", "UNO")} == {"official"}


def test_track_map_file_replaces_tracks(ws: Workspace, tmp_path: Path) -> None:
    tm = tmp_path / "tracks.csv"
    tm.write_text("code,track\nGOV,governance\nBUS,science_technology\n")
    import_gdelt(ws, [V2], GdeltOptions(type_map=read_track_map(tm)))
    # GOV ties and a BUS tie with a country-level actor (official, general: the BUS track wins)
    tracks = {r[0] for r in ws.con.execute("SELECT track FROM ties").fetchall()}
    assert tracks == {"governance", "science_technology"}
    tm.write_text("code,track\nEDU,arts\n")
    with pytest.raises(UnknownVocabulary, match="line 2: unknown track 'arts'"):
        read_track_map(tm)


def _v2_row(**fields: str) -> str:
    base = dict.fromkeys(GDELT2_COLUMNS, "")
    base.update(
        GLOBALEVENTID="1",
        SQLDATE="20160728",
        EventCode="043",
        EventRootCode="04",
        QuadClass="1",
        GoldsteinScale="2.8",
        NumMentions="3",
        AvgTone="1.5",
        DATEADDED="20160728000000",
        SOURCEURL="http://example.org",
    )
    base.update(fields)
    return "\t".join(base[c] for c in GDELT2_COLUMNS)


def test_fips_fallback(ws: Workspace, tmp_path: Path) -> None:
    f = tmp_path / "fallback.tsv"
    rows = [
        # EDU with no country, located in FIPS CH (China) -> CHN/EDU
        _v2_row(Actor1Type1Code="EDU", Actor1Geo_CountryCode="CH", Actor2CountryCode="USA",
                Actor2Type1Code="GOV"),
        # both from the geo fallback: UK (GBR) and FR (FRA)
        _v2_row(Actor1Type1Code="MED", Actor1Geo_CountryCode="UK", Actor2Type1Code="MED",
                Actor2Geo_CountryCode="FR"),
        # a country code wins over the geo code
        _v2_row(Actor1CountryCode="DEU", Actor1Type1Code="BUS", Actor1Geo_CountryCode="CH",
                Actor2CountryCode="JPN", Actor2Type1Code="BUS"),
    ]  # fmt: skip
    f.write_text("\n".join(rows) + "\n")
    result = import_gdelt(ws, [f])
    assert result.geo_fallbacks == 3
    assert {(s, t) for s, t, *_ in workspace_ties(ws)} == {
        ("CHN/EDU", "USA/GOV"),
        ("GBR/MED", "FRA/MED"),
        ("DEU/BUS", "JPN/BUS"),
    }
    assert oracle(f) == workspace_ties(ws)
    (res,) = run_files([f], GdeltOptions(geo_fallback=False))
    assert res.events_kept == 1 and res.filtered == {"actor without a country": 2}


def test_bad_lines_rejected_with_file_and_line(ws: Workspace, tmp_path: Path) -> None:
    good = V2.read_text().splitlines()
    cols61 = good[0].split("\t")
    lines = [
        good[0],  # 1
        "\t".join(cols61[:40]),  # 2 too few fields
        good[1] + "\textra",  # 3 too many fields
        "",  # 4 blank: no row, lines below keep their numbers
        good[2].replace("\t20140218\t", "\t2014-02-18\t", 1),  # 5 bad date
        _v2_row(GoldsteinScale="high"),  # 6 bad number
        _v2_row(NumMentions=""),  # 7 empty number
        _v2_row(QuadClass="7"),  # 8 unknown QuadClass
        _v2_row(EventCode="999"),  # 9 unknown event code
        _v2_row(Actor1CountryCode="ZZZ", Actor1Type1Code="EDU"),  # 10 unknown country
        _v2_row(Actor2Type1Code="XYZ", Actor2CountryCode="USA"),  # 11 unknown type
        *good[3:],  # 12..
    ]
    f = tmp_path / "bad.tsv"
    data = ("\n".join(lines) + "\n").encode()
    f.write_bytes(data + b"1\t\xff\xfe\n")  # last line: not UTF-8
    result = import_gdelt(ws, [f], GdeltOptions(include_conflict=True))
    (res,) = result.files
    got = [(r["row"], r["field"], r["reason"]) for r in res.rejects.to_pylist()]
    n_last = len(lines) + 1
    assert got == [
        ("bad.tsv:line 2", "columns", "wrong column count"),
        ("bad.tsv:line 3", "columns", "wrong column count"),
        ("bad.tsv:line 5", "date", "unparsable date"),
        ("bad.tsv:line 6", "Goldstein", "unparsable number"),
        ("bad.tsv:line 7", "mentions", "unparsable number"),
        ("bad.tsv:line 8", "QuadClass", "unknown code"),
        ("bad.tsv:line 9", "event code", "unknown code"),
        ("bad.tsv:line 10", "actor 1 country", "unknown code"),
        ("bad.tsv:line 11", "actor 2 type", "unknown code"),
        (f"bad.tsv:line {n_last}", "line", "undecodable line (not UTF-8)"),
    ]
    assert res.rejects.to_pylist()[0]["raw"] == "\t".join(cols61[:40])
    assert res.rows_read == len(lines) - 1 + 1  # the blank line is no row; the bad-UTF-8 one is
    # the good rows still import: the same ties as the fixture's rows 1 and 3..100
    clean = tmp_path / "clean.tsv"
    clean.write_text("\n".join([good[0], *good[3:]]) + "\n")
    assert workspace_ties(ws) == oracle(clean, conflict=True)
    stored = ws.con.execute("SELECT count(*) FROM rejects").fetchall()[0][0]
    assert stored == 10
    src = ws.sources().to_pylist()[0]
    assert (src["rows_read"], src["rows_rejected"]) == (res.rows_read, 10)


def test_not_gdelt_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "people.csv"
    f.write_text("name,age\nAda,36\n")
    result = cli("import", "gdelt", str(f), code=2)
    assert "not a GDELT event file" in result.output
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(InputFileError, match="empty"):
        empty = tmp_path / "empty.tsv"
        empty.write_text("")
        run_files([empty], GdeltOptions())


def test_zip_equals_plain(tmp_path: Path) -> None:
    z = tmp_path / "20160728.export.CSV.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(HEAD_2016, "20160728.export.CSV")
    opts = GdeltOptions(include_conflict=True, untyped_as="GOV")
    (plain,) = run_files([HEAD_2016], opts)
    (zipped,) = run_files([z], opts)
    assert zipped.format == "gdelt1" and zipped.rows_read == 710
    assert (
        merge_partials([zipped.partial])
        .drop(["files"])
        .equals(merge_partials([plain.partial]).drop(["files"]))
    )


def test_dask_local_cluster_gives_the_same_ties(tmp_path: Path) -> None:
    from distributed import LocalCluster

    files = []
    for i, src in enumerate([HEAD_2016, V1, V2, REDUCED]):
        files.append(tmp_path / f"{i}_{src.name}")
        shutil.copy(src, files[-1])
    opts = GdeltOptions(include_conflict=True, untyped_as="GOV", period="year")
    here = merge_partials([r.partial for r in run_files(files, opts)])
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        there = run_files(files, opts, dask=cluster.scheduler_address)
    assert [r.name for r in there] == [f.name for f in files]
    merged = merge_partials([r.partial for r in there])
    assert merged.num_rows == 54
    assert merged.equals(here)
    total = sum(merged.column("goldstein_sum").to_pylist(), Decimal(0))
    assert total == sum(here.column("goldstein_sum").to_pylist(), Decimal(0))


def test_cli_import_then_analyze(cli) -> None:  # type: ignore[no-untyped-def]
    out = cli("import", "gdelt", str(DATA / "gdelt1_*.tsv"), str(V2), "--untyped-as", "GOV").output
    assert "gdelt1_20160728_head.tsv (gdelt1): 710 rows read, 0 rejected" in out
    again = cli("import", "gdelt", str(V2)).output
    assert "already in the workspace" in " ".join(again.split())  # any terminal width
    with Workspace(cli.workspace, read_only=True) as ws:
        ends = [r[0] for r in ws.con.execute("SELECT end_date FROM ties").fetchall()]
    ws_count, n_2016 = len(ends), sum(e >= dt.date(2016, 1, 1) for e in ends)
    assert (ws_count, n_2016) == (45, 16)
    res = cli("analyze", "--from", "2016-01-01")
    assert "ties (records)" in res.output
    assert re.search(rf"│ ties \(records\) +│ +{n_2016} │", res.output), res.output
    cli("import", "gdelt", str(V2), "--mode", "civil-none", code=2)


def test_untyped_actor_is_its_country_by_default(ws: Workspace) -> None:
    """civil-any: an actor coded with a country alone is that country's country-level actor."""
    import_gdelt(ws, [HEAD_2016], GdeltOptions())
    rows = ws.con.execute("SELECT id, name, type, level FROM actors ORDER BY id").fetchall()
    country = [r for r in rows if r[0].endswith("/COUNTRY")]
    assert country and all(r[2:] == ("state", "country") for r in country)
    assert ("CHN/COUNTRY", "China", "state", "country") in rows
    # every other GDELT actor is a sector aggregate or a country's official sector
    assert {r[3] for r in rows if r not in country} <= {"sector", "country"}
    untyped = {t[0].split("/")[0] for t in oracle(HEAD_2016) if t[0].endswith("/COUNTRY")} | {
        t[1].split("/")[0] for t in oracle(HEAD_2016) if t[1].endswith("/COUNTRY")
    }
    assert {r[0].split("/")[0] for r in country} == untyped


def test_untyped_as_overrides_and_civil_civil_leaves_untyped_out(ws: Workspace) -> None:
    import_gdelt(ws, [HEAD_2016], GdeltOptions(untyped_as="GOV"))
    import_gdelt(ws, [V2], GdeltOptions(mode="civil-civil", include_conflict=True))
    ids = [r[0] for r in ws.con.execute("SELECT id FROM actors").fetchall()]
    assert ids and not any(i.endswith("/COUNTRY") for i in ids)
