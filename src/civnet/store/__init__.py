"""The store: one DuckDB file that holds actors, ties, sources and rejects."""

from civnet.store.batch import ACTOR_SCHEMA, REJECT_SCHEMA, TIE_SCHEMA, Batch, IngestReport
from civnet.store.workspace import DEFAULT_WORKSPACE, Workspace, resolve_workspace_path

__all__ = [
    "ACTOR_SCHEMA",
    "DEFAULT_WORKSPACE",
    "REJECT_SCHEMA",
    "TIE_SCHEMA",
    "Batch",
    "IngestReport",
    "Workspace",
    "resolve_workspace_path",
]
