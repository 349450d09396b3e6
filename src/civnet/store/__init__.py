"""The store: one DuckDB file that holds actors, ties, sources and rejects."""

from typing import TYPE_CHECKING

from civnet._lazy import lazy_exports

if TYPE_CHECKING:
    from civnet.store.batch import ACTOR_SCHEMA, REJECT_SCHEMA, TIE_SCHEMA, Batch, IngestReport
    from civnet.store.paths import DEFAULT_WORKSPACE, resolve_workspace_path
    from civnet.store.workspace import Workspace

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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(
            ("ACTOR_SCHEMA", "REJECT_SCHEMA", "TIE_SCHEMA", "Batch", "IngestReport"),
            "civnet.store.batch",
        ),
        **dict.fromkeys(("DEFAULT_WORKSPACE", "resolve_workspace_path"), "civnet.store.paths"),
        "Workspace": "civnet.store.workspace",
    },
)
