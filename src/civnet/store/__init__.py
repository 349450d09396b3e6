"""The store: one DuckDB file that holds actors, ties, sources and rejects.

It ingests the :class:`~civnet.importers.batch.Batch` objects the importers make (their schemas
live in :mod:`civnet.importers.batch`, the contract between the two layers).
"""

from typing import TYPE_CHECKING

from civnet._lazy import lazy_exports

if TYPE_CHECKING:
    from civnet.store.paths import DEFAULT_WORKSPACE, resolve_workspace_path
    from civnet.store.workspace import Workspace

__all__ = ["DEFAULT_WORKSPACE", "Workspace", "resolve_workspace_path"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(("DEFAULT_WORKSPACE", "resolve_workspace_path"), "civnet.store.paths"),
        "Workspace": "civnet.store.workspace",
    },
)
