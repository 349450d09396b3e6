"""The workspace's marker and schema version (issue 11 item 5): another program's database, a
file that is not DuckDB, a truncated workspace, a held lock, an older and a newer schema."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from civnet.errors import WorkspaceError
from civnet.store import Workspace, schema
from civnet.store.schema import MARKER_KEY, MARKER_VALUE
from civnet.store.workspace import _UPGRADES, SCHEMA_VERSION

ACTORS = "id,type,country\na,cso,FRA\nb,cso,DEU\n"
TIES = "source,target\na,b\n"

# The schema of the first civnet release (version 1, before the marker), as it created it.
V1_DDL = [
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE sources (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, path VARCHAR,
        sha256 VARCHAR NOT NULL, importer VARCHAR NOT NULL, description VARCHAR, licence VARCHAR,
        notes VARCHAR, imported_at TIMESTAMP DEFAULT current_timestamp, rows_read BIGINT,
        rows_kept BIGINT, rows_rejected BIGINT)""",
    """CREATE TABLE actors (id VARCHAR PRIMARY KEY, name VARCHAR, type VARCHAR NOT NULL,
        country VARCHAR, city VARCHAR, lat DOUBLE, lon DOUBLE, attrs JSON, source_id INTEGER)""",
    """CREATE TABLE ties (tie_id BIGINT NOT NULL, source VARCHAR NOT NULL,
        target VARCHAR NOT NULL, track VARCHAR NOT NULL, kind VARCHAR NOT NULL, start_date DATE,
        end_date DATE, weight DOUBLE NOT NULL, directed BOOLEAN NOT NULL, refs VARCHAR[] NOT NULL,
        attrs JSON)""",
    """CREATE TABLE rejects (source_id INTEGER, "row" VARCHAR, field VARCHAR, reason VARCHAR,
        raw VARCHAR)""",
    "INSERT INTO meta VALUES ('schema_version', '1')",
    "INSERT INTO sources (id, name, sha256, importer) VALUES (1, 'old.csv', 'abc', 'table')",
    "INSERT INTO actors VALUES ('a', 'A', 'cso', 'FRA', NULL, NULL, NULL, NULL, 1)",
    "INSERT INTO actors VALUES ('b', 'B', 'cso', 'DEU', NULL, NULL, NULL, NULL, 1)",
    "INSERT INTO ties VALUES (1, 'a', 'b', 'general', 'other', NULL, NULL, 1.0, false, "
    "['s1:row 1'], NULL)",
]


def _one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def _columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() ORDER BY table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def _meta(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


def _v1(path: Path) -> Path:
    con = duckdb.connect(str(path))
    for statement in V1_DDL:
        con.execute(statement)
    con.close()
    return path


def _imported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.csv").write_text(ACTORS)
    (tmp_path / "t.csv").write_text(TIES)
    cli("import", "table", "--actors", str(tmp_path / "a.csv"), "--ties", str(tmp_path / "t.csv"))


def test_new_workspace_carries_marker_and_version(tmp_path: Path) -> None:
    Workspace(tmp_path / "w.duckdb").close()
    meta = _meta(tmp_path / "w.duckdb")
    assert meta[MARKER_KEY] == MARKER_VALUE
    assert meta["schema_version"] == str(SCHEMA_VERSION) == str(1 + len(_UPGRADES))


def test_another_programs_database_is_refused_and_left_alone(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "books.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE invoices (id INTEGER, total DOUBLE)")
    con.execute("CREATE TABLE meta (k INTEGER)")
    con.close()
    (tmp_path / "a.csv").write_text(ACTORS)
    cli.workspace = other
    line = _one_line_error(cli("import", "table", "--actors", str(tmp_path / "a.csv"), code=2))
    assert "books.duckdb is a DuckDB database of another program (tables: invoices, meta)" in line
    assert "civnet will not add its tables to it" in line
    assert _one_line_error(cli("describe", code=2)) == line
    assert sorted(_columns(other)) == ["invoices", "meta"]


def test_a_file_that_is_not_duckdb(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.duckdb"
    notes.write_text("shopping list\n")
    cli.workspace = notes
    line = _one_line_error(cli("describe", code=2))
    assert "notes.duckdb is not a DuckDB file, so not a civnet workspace" in line
    assert notes.read_text() == "shopping list\n"


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_truncated_workspace_gives_one_line(
    cli, tmp_path: Path, ws_path: Path, keep: float
) -> None:  # type: ignore[no-untyped-def]
    _imported(cli, tmp_path)
    size = ws_path.stat().st_size
    with open(ws_path, "r+b") as fh:
        fh.truncate(int(size * keep) // 4096 * 4096)
    line = _one_line_error(cli("describe", code=2))
    assert "damaged or truncated" in line and "restore it from a backup" in line


def _hold(path: Path, seconds: float | None = None) -> subprocess.Popen[str]:
    """A process that opens ``path`` for writing, says 'held', and keeps it ``seconds`` (or until
    its stdin closes)."""
    keep = f"time.sleep({seconds})" if seconds is not None else "sys.stdin.read()"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); "
         f"{keep}; c.close()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_lock_held_by_another_process(cli, tmp_path: Path, ws_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _imported(cli, tmp_path)
    monkeypatch.setattr(schema, "LOCK_WAIT_S", 0.3)
    holder = _hold(ws_path)
    try:
        line = _one_line_error(cli("describe", code=2))
    finally:
        holder.communicate("")
    assert f"another civnet process (PID {holder.pid}) holds the workspace" in line
    assert "wait for it to finish" in line


def test_read_only_open_waits_out_a_writer_of_a_moment(cli, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A command keeping a result in the cache holds the file for a moment; a reader that
    meets that moment (a server request, a command run beside it) waits instead of failing."""
    _imported(cli, tmp_path)
    holder = _hold(ws_path, seconds=0.6)
    try:
        started = time.monotonic()
        with Workspace(ws_path, read_only=True) as ws:
            assert ws.counts()["ties"] == 1
        assert time.monotonic() - started > 0.2  # it did meet the lock
    finally:
        holder.communicate("")


def test_read_only_open_waits_out_a_writable_connection_of_this_process(
    cli, tmp_path: Path, ws_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """DuckDB refuses a read-only connection beside a writable one in one process ("different
    configuration"); the reader waits for the writer to close, as it does for another process."""
    _imported(cli, tmp_path)
    writer = duckdb.connect(str(ws_path))
    closer = threading.Timer(0.4, writer.close)
    closer.start()
    try:
        with Workspace(ws_path, read_only=True) as ws:
            assert ws.counts()["actors"] == 2
    finally:
        closer.join()


def test_in_process_conflict_past_the_wait_names_it(
    cli, tmp_path: Path, ws_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _imported(cli, tmp_path)
    monkeypatch.setattr(schema, "LOCK_WAIT_S", 0.1)
    writer = duckdb.connect(str(ws_path))
    try:
        with pytest.raises(WorkspaceError, match="open in another mode"):
            Workspace(ws_path, read_only=True)
    finally:
        writer.close()


def test_server_request_beside_a_command_keeping_its_result(
    cli, tmp_path: Path, ws_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The flaky dashboard test's 400: the browser test's CLI call kept its result (a writable
    open of a moment) while the server opened the workspace for a request."""
    from fastapi.testclient import TestClient

    from civnet.products.serving.server import create_app

    _imported(cli, tmp_path)
    client = TestClient(create_app(ws_path))
    holder = _hold(ws_path, seconds=0.6)
    try:
        r = client.get("/api/describe")
    finally:
        holder.communicate("")
    assert r.status_code == 200, r.text
    assert r.json()["ties"] == 1


@pytest.mark.parametrize("read_only", [False, True])
def test_version_1_workspace_is_upgraded_in_place(tmp_path: Path, read_only: bool) -> None:
    """The upgraded file has exactly the tables and columns of a new workspace, and its data."""
    old = _v1(tmp_path / "old.duckdb")
    fresh = tmp_path / "fresh.duckdb"
    Workspace(fresh).close()
    with Workspace(old, read_only=read_only) as ws:
        assert ws.counts() == {"actors": 2, "ties": 1, "sources": 1, "rejects": 0}
    assert _columns(old) == _columns(fresh)
    meta = _meta(old)
    assert meta[MARKER_KEY] == MARKER_VALUE and meta["schema_version"] == str(SCHEMA_VERSION)


def test_upgrade_statements_are_idempotent(tmp_path: Path) -> None:
    """Run on a new workspace, twice: no error and no change."""
    path = tmp_path / "w.duckdb"
    Workspace(path).close()
    before = _columns(path)
    con = duckdb.connect(str(path))
    for statement in [*_UPGRADES, *_UPGRADES]:
        con.execute(statement)
    con.close()
    assert _columns(path) == before


def test_later_schema_is_refused(cli, tmp_path: Path, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    _imported(cli, tmp_path)
    con = duckdb.connect(str(ws_path))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    line = _one_line_error(cli("describe", code=2))
    assert "has schema version 999, made by a later civnet (this one reads up to version " in line
    assert f"{SCHEMA_VERSION})" in line and "pip install --upgrade civnet" in line


def test_old_workspace_that_cannot_be_written_says_what_to_do(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    old = _v1(tmp_path / "old.duckdb")
    monkeypatch.setattr(schema, "_writable", lambda p: False)  # a read-only file (even as root)
    with pytest.raises(
        WorkspaceError,
        match=r"schema version 1 and must be upgraded to .* copy it to a writable place",
    ):
        Workspace(old, read_only=True)
    assert _meta(old) == {"schema_version": "1"}


@pytest.mark.parametrize("read_only", [False, True])
def test_workspace_connections_never_print_duckdb_progress_bar(
    cli, tmp_path: Path, ws_path: Path, capfd, read_only: bool
) -> None:  # type: ignore[no-untyped-def]
    """DuckDB prints its progress bar to standard output, into a pipe too, where it would corrupt
    a command's JSON or CSV; a workspace connection never prints it, whatever the query's length."""
    _imported(cli, tmp_path)
    capfd.readouterr()
    with Workspace(ws_path, read_only=read_only) as ws:
        ws.con.execute("SET progress_bar_time = 0")  # show at once, were printing on
        ws.con.execute("SELECT count(*) FROM range(30000000) t(x) WHERE x % 7 = 1").fetchall()
    assert capfd.readouterr().out == ""
