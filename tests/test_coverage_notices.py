"""Source coverage: windows on the sources table and the notices of compare, timeline, scorecard
and diversity, on a crafted two-source workspace."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from civnet.importers.batch import Batch
from civnet.measures.change.coverage import (
    SourceWindow,
    beyond_coverage,
    centred_sources,
    source_centres,
)
from civnet.store import Workspace

D = dt.date

EUROPE = ["DEU", "FRA", "POL", "ITA"]


def _actors(ids: list[str], countries: list[str], kind: str) -> pa.Table:
    return pa.table({"id": ids, "name": ids, "type": [kind] * len(ids), "country": countries})


def _ties(pairs: list[tuple[str, str, int, str]]) -> pa.Table:
    return pa.table(
        {
            "source": [a for a, _, _, _ in pairs],
            "target": [b for _, b, _, _ in pairs],
            "track": [t for _, _, _, t in pairs],
            "kind": ["exchange"] * len(pairs),
            "start_date": pa.array([D(y, 3, 1) for _, _, y, _ in pairs], pa.date32()),
            "end_date": pa.array([D(y, 10, 1) for _, _, y, _ in pairs], pa.date32()),
            "weight": [1.0] * len(pairs),
            "directed": [False] * len(pairs),
            "ref": [f"row {i}" for i in range(len(pairs))],
        }
    )


def two_sources(path: Path, declared: tuple[dt.date, dt.date] | None = None) -> None:
    """Source 1 ("cities"): European universities and a Chinese one, one tie a year 2010-2021
    (coverage 2010-03-01 to 2021-10-01). Source 2 ("panel"): a China-centred panel, CHN tied to
    PAK, LAO and VNM in 2014-2016 (coverage 2014-03-01 to 2016-10-01, or ``declared``)."""
    uni = [f"u_{c}" for c in [*EUROPE, "CHN"]]
    a1 = _actors(uni, [*EUROPE, "CHN"], "university")
    years = range(2010, 2022)
    pairs1 = [(uni[i % 4], uni[(i + 1) % 4], y, "education") for i, y in enumerate(years)]
    pairs1 += [("u_CHN", "u_DEU", 2015, "education"), ("u_CHN", "u_FRA", 2019, "education")]
    a2 = _actors(["p_CHN", "p_PAK", "p_LAO", "p_VNM"], ["CHN", "PAK", "LAO", "VNM"], "media")
    pairs2 = [
        ("p_CHN", f"p_{c}", y, tr)
        for y in (2014, 2015, 2016)
        for c, tr in (("PAK", "culture"), ("LAO", "media"), ("VNM", "health"))
    ]
    with Workspace(path) as ws:
        ws.ingest([Batch("cities", "cities.csv", "sha-1", "test", a1, _ties(pairs1), 14)])
        ws.ingest(
            [
                Batch(
                    "panel",
                    "panel.csv",
                    "sha-2",
                    "test",
                    a2,
                    _ties(pairs2),
                    9,
                    coverage=declared,
                )
            ]
        )


def test_windows_are_stored_at_import_observed_or_declared(tmp_path: Path) -> None:
    two_sources(tmp_path / "a.duckdb")
    with Workspace(tmp_path / "a.duckdb") as ws:
        rows = ws.source_windows().to_pylist()
        stored = ws.con.execute(
            "SELECT coverage_from, coverage_to, coverage_origin FROM sources ORDER BY id"
        ).fetchall()
    assert [(r["coverage_from"], r["coverage_to"], r["origin"]) for r in rows] == [
        (D(2010, 3, 1), D(2021, 10, 1), "observed"),
        (D(2014, 3, 1), D(2016, 10, 1), "observed"),
    ]
    assert stored[1] == (D(2014, 3, 1), D(2016, 10, 1), "observed")
    two_sources(tmp_path / "b.duckdb", declared=(D(2012, 1, 1), D(2016, 12, 31)))
    with Workspace(tmp_path / "b.duckdb") as ws:
        panel = ws.source_windows().to_pylist()[1]
    assert (panel["coverage_from"], panel["coverage_to"], panel["origin"]) == (
        D(2012, 1, 1),
        D(2016, 12, 31),
        "declared",
    )


def test_an_old_workspace_gets_the_columns_and_observed_windows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    two_sources(path)
    con = duckdb.connect(str(path))
    for col in ("coverage_from", "coverage_to", "coverage_origin"):
        con.execute(f"ALTER TABLE sources DROP COLUMN {col}")
    con.close()
    with Workspace(path, read_only=True) as ws:  # read-only: no upgrade, windows from the ties
        rows = ws.source_windows().to_pylist()
    assert rows[1]["coverage_to"] == D(2016, 10, 1) and rows[1]["origin"] == "observed"
    for _ in range(2):  # the upgrade is idempotent
        with Workspace(path) as ws:
            cols = {r[0] for r in ws.con.execute("DESCRIBE sources").fetchall()}
            rows = ws.source_windows().to_pylist()
    assert {"coverage_from", "coverage_to", "coverage_origin"} <= cols
    assert (rows[0]["coverage_from"], rows[1]["coverage_to"]) == (D(2010, 3, 1), D(2016, 10, 1))


def _kinds(notices: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [n["kind"] for n in notices]


def test_compare_names_unequal_windows_coverage_and_a_centred_source(cli) -> None:  # type: ignore[no-untyped-def]
    two_sources(cli.workspace)
    args = ("compare", "--before", "2012:2015", "--after", "2016:2017", "--boot", "10")
    out = json.loads(cli(*args, "--permutations", "10", "--format", "json").output)
    notices = out["notices"]
    assert _kinds(notices) == [
        "unequal_windows",
        "beyond_coverage",
        "beyond_coverage",
        "centred_source",
    ]
    assert (notices[0]["days_before"], notices[0]["days_after"]) == (1461, 731)
    assert [n["period"] for n in notices[1:3]] == ["2012:2015", "2016:2017"]
    assert [s["source"] for s in notices[1]["sources"]] == ["panel"]
    assert notices[1]["sources"][0]["coverage_to"] == "2016-10-01"
    assert (notices[3]["country"], notices[3]["source"]) == ("CHN", "panel")
    # 2012:2015: panel ties 2014, 2015 (6), cities ties 2012-2015 (4) + u_CHN-u_DEU -> 6 of 7
    # tie records touching CHN come from the panel
    assert notices[3]["tie_records"] == 6 and notices[3]["share"] == pytest.approx(6 / 7)
    table = cli(*args, "--permutations", "10").output
    assert "the periods differ in length" in table
    assert "reaches past the coverage of s2 panel" in table
    assert "covers CHN alone" in table
    csv = cli(*args, "--permutations", "10", "--format", "csv").output
    assert csv.startswith("measure,")


def test_common_coverage_keeps_the_sources_that_cover_both_periods(cli) -> None:  # type: ignore[no-untyped-def]
    two_sources(cli.workspace)
    base = ("compare", "--before", "2012:2015", "--after", "2016:2017", "--boot", "10")
    out = json.loads(
        cli(*base, "--permutations", "10", "--common-coverage", "--format", "json").output
    )
    rows = {r["measure"]: r for r in out["measures"]}
    assert _kinds(out["notices"]) == ["unequal_windows", "sources_left_out"]
    left = out["notices"][1]
    # panel ties in 2014, 2015 (before) and 2016 (after): 9 records left out
    assert left["sources"] == [2] and left["tie_records"] == 9
    # only the cities source: 4 + 1 ties before (2012-2015 and CHN-DEU), 2 after (2016, 2017)
    assert (rows["ties"]["before"], rows["ties"]["after"]) == (5, 2)
    assert "left out 9 tie records" in cli(*base, "--permutations", "5", "--common-coverage").output
    # no source covers 2008:2009 and 2016:2017: one line, exit 2
    none = cli(
        "compare", "--before", "2008:2009", "--after", "2016:2017", "--common-coverage", code=2
    )
    assert "no source of the view covers both periods" in " ".join(none.output.split())


def test_timeline_names_the_periods_past_each_source(cli) -> None:  # type: ignore[no-untyped-def]
    two_sources(cli.workspace)
    out = json.loads(cli("timeline", "--format", "json").output)
    cities, panel = out["notices"]
    assert _kinds(out["notices"]) == ["beyond_coverage"] * 2
    # the cities' data start on 2010-03-01 and end on 2021-10-01: the first and last years are
    # only partly covered
    assert (cities["source"], cities["periods"]) == ("cities", ["2010", "2021"])
    # the panel covers 2014-03-01 to 2016-10-01: 2014 and 2016 are partly covered
    assert panel["source"] == "panel"
    assert panel["periods"] == [str(y) for y in (*range(2010, 2015), *range(2016, 2022))]
    by_period = {p["period"]: p["beyond_coverage"] for p in out["periods"]}
    assert by_period["2015"] == [] and by_period["2013"] == ["s2"]
    assert by_period["2021"] == ["s1", "s2"]
    assert "2010 to 2014, 2016 to 2021" in cli("timeline").output


def test_scorecard_and_diversity_carry_the_notices(cli) -> None:  # type: ignore[no-untyped-def]
    two_sources(cli.workspace)
    card = json.loads(
        cli("scorecard", "--period", "2015:2018", "--boot", "5", "--format", "json").output
    )
    assert _kinds(card["notices"]) == ["beyond_coverage", "centred_source"]
    assert card["notices"][0]["period"] == "2015-01-01:2018-12-31"
    table = cli("scorecard", "--period", "2015:2018", "--boot", "5").output
    assert "covers CHN alone" in table and "reaches past the coverage of s2 panel" in table
    div = json.loads(cli("diversity", "--format", "json").output)
    assert _kinds(div["notices"]) == ["centred_source"]
    assert div["notices"][0]["country"] == "CHN"
    assert "covers CHN alone" in cli("diversity").output
    spanned = json.loads(
        cli("diversity", "--from", "2009", "--to", "2015", "--format", "json").output
    )
    assert _kinds(spanned["notices"]) == ["beyond_coverage", "centred_source"]


def test_notice_functions_by_hand() -> None:
    w = SourceWindow(2, "panel", D(2014, 1, 1), D(2016, 12, 31))
    assert beyond_coverage("x", D(2014, 1, 1), D(2016, 12, 31), [w]) == []
    assert len(beyond_coverage("x", D(2013, 12, 31), D(2016, 12, 31), [w])) == 1
    undated = SourceWindow(3, "timeless", None, None)
    assert beyond_coverage("x", D(1900, 1, 1), D(2100, 1, 1), [undated]) == []
    # a source whose ties all join the same two countries covers a pair, not an ego
    assert source_centres([("USA", "CHN"), ("CHN", "USA")], [[1], [1]]) == {}
    # nor is one whose ties reach a single other country, or one centred only within a view
    assert source_centres([("CHN", "PAK"), ("CHN", "PAK")], [[1], [1]]) == {}
    ties = [("CHN", "PAK"), ("CHN", "LAO"), ("DEU", "FRA"), ("CHN", "DEU")]
    assert source_centres(ties, [[2], [2, 1], [1], [1]]) == {2: "CHN"}
    (n,) = centred_sources(ties, [[2], [2, 1], [1], [1]], {2: "panel"}, {2: "CHN"})
    assert (n.detail["tie_records"], n.detail["share"]) == (2, pytest.approx(2 / 3))


def test_the_report_shows_the_timeline_and_scorecard_notices(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    two_sources(cli.workspace)
    out = tmp_path / "report.html"
    cli("report", "--out", str(out), "--boot", "5")
    html = out.read_text(encoding="utf-8")
    timeline = html[html.index('id="timeline-coverage"') :]
    assert "2010 to 2014, 2016 to 2021" in timeline.split("</ul>")[0]
    scorecard = html[html.index('id="scorecard-coverage"') :].split("</ul>")[0]
    assert "covers CHN alone" in scorecard


def test_import_table_declares_a_coverage_window(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actors = tmp_path / "actors.csv"
    actors.write_text("id,type,country\na,cso,DEU\nb,cso,FRA\nc,cso,POL\n", encoding="utf-8")
    ties = tmp_path / "ties.csv"
    ties.write_text(
        "source,target,track,start\na,b,culture,2015-05-01\nb,c,culture,2016-05-01\n",
        encoding="utf-8",
    )
    cli("import", "table", "--actors", str(actors), "--ties", str(ties), "--coverage", "2010:2020")
    with Workspace(cli.workspace, read_only=True) as ws:
        (w,) = ws.source_windows().to_pylist()
    assert (w["coverage_from"], w["coverage_to"], w["origin"]) == (
        D(2010, 1, 1),
        D(2020, 12, 31),
        "declared",
    )
    out = json.loads(cli("timeline", "--from", "2012", "--to", "2021", "--format", "json").output)
    (notice,) = out["notices"]
    assert notice["periods"] == ["2021"] and notice["coverage_origin"] == "declared"
    bad = cli("import", "table", "--ties", str(ties), "--coverage", "2020-2010", code=2)
    assert "FROM:TO" in bad.output


def test_embedded_datasets_declare_their_windows(ws: Workspace) -> None:
    from civnet.datasets import get

    get("china-public-diplomacy").loader(ws, None)
    (aid,) = ws.source_windows().to_pylist()
    assert (aid["coverage_from"], aid["coverage_to"], aid["origin"]) == (
        D(2000, 1, 1),
        D(2018, 12, 31),
        "declared",
    )
    from civnet.datasets import city_diplomacy, student_flows

    assert (D(1998, 1, 1), D(2021, 12, 31)) == student_flows.COVERAGE
    assert (D(2016, 1, 1), D(2019, 12, 31)) == city_diplomacy.CDP_COVERAGE
