"""Where the workspace is, without DuckDB or Arrow: the CLI resolves ``--workspace`` here before
any command (and before ``--help`` of a command) runs."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WORKSPACE = "civnet.duckdb"


def resolve_workspace_path(path: str | Path | None) -> Path:
    """The workspace path: the argument, else ``$CIVNET_WORKSPACE``, else ``./civnet.duckdb``."""
    if path is None or str(path) == "":
        path = os.environ.get("CIVNET_WORKSPACE") or DEFAULT_WORKSPACE
    return Path(path)
