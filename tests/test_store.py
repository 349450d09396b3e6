"""The workspace store: schema, idempotent ingest, tie merging, atomicity, paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from civnet.errors import WorkspaceError
from civnet.importers.batch import Batch
from civnet.store import Workspace, resolve_workspace_path


def batch(name: str, sha: str, ties: list[tuple], actors: list[str] | None = None) -> Batch:  # type: ignore[type-arg]
    ids = actors or sorted({x for t in ties for x in t[:2]})
    return Batch(
        name=name,
        path=name,
        sha256=sha,
        importer="test",
        actors=pa.table(
            {"id": ids, "name": ids, "type": ["city"] * len(ids), "country": ["FRA"] * len(ids)}
        ),
        ties=pa.table(
            {
                "source": [t[0] for t in ties],
                "target": [t[1] for t in ties],
                "kind": [t[2] for t in ties],
                "track": ["general"] * len(ties),
                "start_date": pa.array([t[3] for t in ties], pa.date32()),
                "weight": [1.0] * len(ties),
                "directed": [False] * len(ties),
                "ref": [f"row {i + 1}" for i in range(len(ties))],
            }
        ),
        rows_read=len(ties),
    )


def test_sister_city_pairs_merge_across_sources_and_directions(ws: Workspace) -> None:
    y = dt.date
    r1 = ws.ingest(
        [batch("wiki", "1", [("a", "b", "sister_city", None), ("c", "d", "sister_city", None)])]
    )
    r2 = ws.ingest(
        [
            batch(
                "baltic",
                "2",
                [
                    ("b", "a", "sister_city", y(1990, 1, 1)),
                    ("d", "c", "sister_city", y(1950, 1, 1)),
                ],
            )
        ]
    )
    r3 = ws.ingest(
        [
            batch(
                "more",
                "3",
                [("a", "b", "sister_city", y(1985, 1, 1)), ("a", "b", "exchange", y(1985, 1, 1))],
            )
        ]
    )
    assert (r1[0].ties_added, r2[0].ties_added, r2[0].ties_merged) == (2, 0, 2)
    assert (r3[0].ties_added, r3[0].ties_merged) == (1, 1)
    rows = ws.con.execute(
        "SELECT source, target, kind, start_date::VARCHAR, refs FROM ties ORDER BY source, kind"
    ).fetchall()
    assert rows == [
        ("a", "b", "exchange", "1985-01-01", ["s3:row 2"]),
        ("a", "b", "sister_city", "1985-01-01", ["s1:row 1", "s2:row 1", "s3:row 1"]),
        ("c", "d", "sister_city", "1950-01-01", ["s1:row 2", "s2:row 2"]),
    ]


def test_dated_kinds_keep_each_period(ws: Workspace) -> None:
    y = dt.date
    ws.ingest(
        [batch("ev", "1", [("a", "b", "event", y(2019, 1, 1)), ("a", "b", "event", y(2020, 1, 1))])]
    )
    assert ws.counts()["ties"] == 2


def test_same_content_twice_is_skipped(ws: Workspace) -> None:
    ws.ingest([batch("x", "same", [("a", "b", "exchange", None)])])
    report = ws.ingest([batch("x-again", "same", [("a", "b", "exchange", None)])])[0]
    assert report.skipped
    assert ws.counts() == {"actors": 2, "ties": 1, "sources": 1, "rejects": 0}


def test_ingest_is_all_or_nothing(ws: Workspace) -> None:
    good = batch("good", "g", [("a", "b", "exchange", None)])
    bad = batch("bad", "b", [("a", "zz", "exchange", None)], actors=["a"])
    with pytest.raises(WorkspaceError, match="actor 'zz', which is not declared"):
        ws.ingest([good, bad])
    assert ws.counts() == {"actors": 0, "ties": 0, "sources": 0, "rejects": 0}


def test_not_a_workspace(tmp_path: Path) -> None:
    import duckdb

    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(WorkspaceError, match="is not a civnet workspace"):
        Workspace(other, read_only=True)
    with pytest.raises(WorkspaceError, match="no workspace at"):
        Workspace(tmp_path / "absent.duckdb", read_only=True)


def test_workspace_path_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVNET_WORKSPACE", raising=False)
    assert resolve_workspace_path(None) == Path("civnet.duckdb")
    monkeypatch.setenv("CIVNET_WORKSPACE", "/tmp/x.duckdb")
    assert resolve_workspace_path(None) == Path("/tmp/x.duckdb")
    assert resolve_workspace_path("given.duckdb") == Path("given.duckdb")


def test_cli_uses_environment_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from civnet.cli import app

    target = tmp_path / "env.duckdb"
    ties = tmp_path / "t.csv"
    actors = tmp_path / "a.csv"
    actors.write_text("id,type,country\na,cso,FRA\nb,cso,DEU\n")
    ties.write_text("source,target\na,b\n")
    monkeypatch.setenv("CIVNET_WORKSPACE", str(target))
    result = CliRunner().invoke(
        app, ["import", "table", "--actors", str(actors), "--ties", str(ties)]
    )
    assert result.exit_code == 0, result.output
    with Workspace(target, read_only=True) as w:
        assert w.counts()["ties"] == 1


def test_store_refuses_self_loops(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError, match="tie from actor 'a' to itself"):
        ws.ingest([batch("loop", "l", [("a", "a", "exchange", None)], actors=["a"])])
    assert ws.counts()["ties"] == 0
