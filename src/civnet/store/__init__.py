"""The store: one DuckDB file that holds actors, ties, sources and rejects.

It ingests the :class:`~civnet.importers.batch.Batch` objects the importers make (their schemas
live in :mod:`civnet.importers.batch`, the contract between the two layers).
"""

from civnet.store.workspace import DEFAULT_WORKSPACE, Workspace, resolve_workspace_path

__all__ = ["DEFAULT_WORKSPACE", "Workspace", "resolve_workspace_path"]
