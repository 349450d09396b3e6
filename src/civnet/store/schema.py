"""What makes a DuckDB file a civnet workspace: its marker, its schema version, its upgrades.

A workspace's ``meta`` table holds ``application = civnet`` (the marker) and ``schema_version``.
Opening a file (:func:`open_workspace_db`):

- a file DuckDB cannot open gives one line: another civnet process holds it (the lock), it is not
  a DuckDB file, or it is damaged or truncated;
- a read-only open waits up to :data:`LOCK_WAIT_S` seconds for a writer that holds the file for
  a moment (a command keeping a result in the cache takes it for milliseconds), so that a server
  request or a command run beside it does not fail on that moment; a writer that keeps it longer
  (an import) still gives the one line about the lock;
- a DuckDB file with tables but without the marker is another program's database and is refused:
  civnet never adds its tables to it (workspaces made before the marker, schema version 1, are
  recognised by their ``meta``, ``actors``, ``ties`` and ``sources`` tables and upgraded);
- a workspace of an older schema is upgraded in one transaction: the ``CREATE TABLE IF NOT
  EXISTS`` statements, then every upgrade statement (each idempotent, e.g. ``ALTER TABLE ... ADD
  COLUMN IF NOT EXISTS``), then the new version; a read-only open upgrades through a short
  writable connection first, and says what to do when it cannot. A writable open runs the same
  statements at the current version too (they change nothing there, and repair a workspace
  whose columns were dropped by hand);
- a workspace of a newer schema (a later civnet) is refused with what to do.

The schema version is ``1 + len(upgrades)``: adding a column means adding it to the ``CREATE``
statement and appending one idempotent statement to the upgrades, nothing else.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from civnet.errors import WorkspaceError
from civnet.sql import connect as duckdb_connect

MARKER_KEY = "application"
MARKER_VALUE = "civnet"
LEGACY_TABLES = frozenset({"meta", "actors", "ties", "sources"})
"""Tables of a version-1 workspace, made before the marker existed."""

_LOCK = re.compile(r"Could not set lock on file", re.I)
_PID = re.compile(r"\(PID (\d+)\)")
_NOT_DUCKDB = re.compile(r"not a valid DuckDB database file", re.I)
_IN_PROCESS = re.compile(r"same database file with a different configuration", re.I)

LOCK_WAIT_S = 5.0
"""How long a read-only open waits for a writer that holds the workspace file."""


def schema_version(upgrades: Sequence[str]) -> int:
    """The schema version of this civnet: 1 plus the number of upgrade statements."""
    return 1 + len(upgrades)


def connect(path: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to ``path``, or :class:`WorkspaceError` in one line saying why not.

    A read-only open that meets a writer's lock (another process's, or a writable connection of
    this process) tries again with a growing pause, 10 ms to 200 ms, for up to
    :data:`LOCK_WAIT_S` seconds; a writable open does not wait, since readers keep their shared
    lock for as long as they run.
    """
    deadline = time.monotonic() + LOCK_WAIT_S
    pause = 0.01
    while True:
        try:
            return duckdb_connect(path, read_only=read_only)
        except duckdb.Error as exc:
            text = str(exc)
            held = bool(_LOCK.search(text) or _IN_PROCESS.search(text))
            if not (read_only and held) or time.monotonic() + pause > deadline:
                raise _open_error(path, exc) from None
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def read_error(path: str, exc: Exception) -> WorkspaceError:
    """One line for a DuckDB I/O error met while reading an open workspace: a file truncated
    after its catalogue opens, but a table's blocks are missing."""
    return _open_error(path, exc)


def _open_error(path: str, exc: Exception) -> WorkspaceError:
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if _LOCK.search(text):
        pid = _PID.search(text)
        who = f" (PID {pid.group(1)})" if pid else ""
        return WorkspaceError(
            f"another civnet process{who} holds the workspace {path}",
            fix="wait for it to finish or stop it, then run the command again",
        )
    if _IN_PROCESS.search(text):
        return WorkspaceError(
            f"the workspace {path} is open in another mode (read-only or writable) elsewhere "
            "in this process",
            fix="close the other Workspace first, then open it again",
        )
    if _NOT_DUCKDB.search(text):
        return WorkspaceError(
            f"{path} is not a DuckDB file, so not a civnet workspace",
            fix="pass --workspace with a civnet workspace or a new file name",
        )
    if isinstance(
        exc, duckdb.IOException | duckdb.SerializationException | duckdb.InternalException
    ):
        return WorkspaceError(
            f"the workspace {path} is damaged or truncated ({first})",
            fix="restore it from a backup, or import the data again into a new workspace",
        )
    return WorkspaceError(
        f"cannot open workspace {path}: {first}",
        fix="pass --workspace with a civnet workspace or a new file name",
    )


def stored_version(con: duckdb.DuckDBPyConnection, path: str) -> int | None:
    """The schema version stored in an open file; None for a database with no tables.

    Raises :class:`WorkspaceError` for another program's database or a damaged workspace.
    """
    try:
        tables = {
            str(r[0])
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()
        }
        if not tables:
            return None
        meta: dict[str, str] = {}
        if "meta" in tables:
            meta = {
                str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()
            }
    except duckdb.BinderException:
        meta = {}
    except duckdb.Error as exc:
        raise _open_error(path, exc) from None
    version = meta.get("schema_version", "")
    if meta.get(MARKER_KEY) == MARKER_VALUE and version.isdigit():
        return int(version)
    if MARKER_KEY not in meta and version == "1" and tables >= LEGACY_TABLES:
        return 1
    shown = ", ".join(sorted(t[:40] for t in tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise WorkspaceError(
        f"{path} is a DuckDB database of another program (tables: {shown}), not a civnet "
        "workspace; civnet will not add its tables to it",
        fix="pass --workspace with a civnet workspace or a new file name",
    )


def create(con: duckdb.DuckDBPyConnection, ddl: Sequence[str], version: int) -> None:
    """Make an empty database a workspace of schema ``version``, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in ddl:
            con.execute(statement)
        _stamp(con, version)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def upgrade(
    con: duckdb.DuckDBPyConnection, ddl: Sequence[str], upgrades: Sequence[str], version: int
) -> None:
    """Bring a workspace of an older schema to ``version``, in one transaction: the tables it
    lacks, then every (idempotent) upgrade statement, then the marker and version."""
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in [*ddl, *upgrades]:
            con.execute(statement)
        _stamp(con, version)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _stamp(con: duckdb.DuckDBPyConnection, version: int) -> None:
    for key, value in ((MARKER_KEY, MARKER_VALUE), ("schema_version", str(version))):
        con.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def open_workspace_db(
    path: str, *, read_only: bool, ddl: Sequence[str], upgrades: Sequence[str]
) -> duckdb.DuckDBPyConnection:
    """Open (and create or upgrade) the workspace at ``path``; see the module docstring."""
    version = schema_version(upgrades)
    con = connect(path, read_only=read_only)
    try:
        stored = stored_version(con, path)
        if stored is None:
            if read_only:
                raise WorkspaceError(
                    f"{path} is not a civnet workspace (an empty DuckDB database)",
                    fix="load data first (civnet load city-diplomacy) or pass --workspace PATH",
                )
            create(con, ddl, version)
        elif stored > version:
            raise WorkspaceError(
                f"the workspace {path} has schema version {stored}, made by a later civnet "
                f"(this one reads up to version {version})",
                fix="upgrade civnet (pip install --upgrade civnet), or use a workspace of this "
                "version",
            )
        elif stored < version or not read_only:
            if not read_only:  # also at the same version: the statements are idempotent
                upgrade(con, ddl, upgrades, version)
            else:
                con.close()
                _upgrade_read_only(path, stored, version, ddl, upgrades)
                con = connect(path, read_only=True)
    except BaseException:
        con.close()
        raise
    return con


def _upgrade_read_only(
    path: str, stored: int, version: int, ddl: Sequence[str], upgrades: Sequence[str]
) -> None:
    """Upgrade through a short writable connection, for a command that only reads."""
    if path != ":memory:" and not _writable(Path(path)):
        raise WorkspaceError(
            f"the workspace {path} has schema version {stored} and must be upgraded to "
            f"{version}, but the file cannot be written",
            fix="copy it to a writable place and run the command on the copy once",
        )
    try:
        con = duckdb_connect(path)
    except duckdb.Error as exc:
        err = _open_error(path, exc)
        raise WorkspaceError(
            f"the workspace {path} has schema version {stored} and must be upgraded to "
            f"{version}, which needs it for a moment: {err.what}",
            fix=err.fix,
        ) from None
    try:
        upgrade(con, ddl, upgrades, version)
    finally:
        con.close()


def _writable(p: Path) -> bool:
    return os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)
