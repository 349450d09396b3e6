"""Embedded real datasets, shipped inside the package with their provenance and licence.

Each dataset is a :class:`Dataset` in :data:`REGISTRY`; ``civnet datasets`` lists them and
``civnet load NAME`` stores them in the workspace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from civnet.errors import UnknownDataset
from civnet.importers.batch import (
    ACTOR_SCHEMA,
    REJECT_SCHEMA,
    TIE_SCHEMA,
    Batch,
    IngestReport,
    Sink,
    file_sha256,
)

Progress = Callable[[str], None]
Loader = Callable[[Sink, Progress | None], list[IngestReport]]


@dataclass(frozen=True)
class Dataset:
    """An embedded dataset: what it is, where it came from, its licence, and its loader."""

    name: str
    title: str
    summary: str
    licence: str
    folder: str
    loader: Loader
    default: bool = False
    files: tuple[str, ...] = field(default=())

    def path(self) -> Path:
        """Folder holding the dataset's files, PROVENANCE.md and LICENCE notes."""
        return Path(str(resources.files("civnet.datasets") / "data" / self.folder))

    def already_loaded(self, ws: Sink) -> bool:
        """True when every file of the dataset is already a source of ``ws`` (same content)."""
        paths = [self.path() / f for f in self.files]
        return bool(paths) and all(p.is_file() and ws.has_source(file_sha256(p)) for p in paths)

    def provenance(self) -> str:
        p = self.path() / "PROVENANCE.md"
        return p.read_text(encoding="utf-8") if p.exists() else ""


def rows_batch(
    dataset: Dataset,
    path: Path,
    *,
    actors: Sequence[Mapping[str, Any]],
    ties: Sequence[Mapping[str, Any]],
    rows_read: int,
    rejects: Sequence[Mapping[str, Any]],
    details: dict[str, int],
    coverage: tuple[dt.date, dt.date] | None = None,
) -> Batch:
    """One file of ``dataset`` as a batch: its actor, tie and reject rows (dicts of the batch
    schemas' columns), named ``DATASET/FILE``, with the dataset's title and licence and the detail
    counts as its notes (in the order given)."""
    return Batch(
        name=f"{dataset.name}/{path.name}",
        path=str(path),
        sha256=file_sha256(path),
        importer=f"dataset:{dataset.name}",
        actors=pa.Table.from_pylist(list(actors), schema=ACTOR_SCHEMA),
        ties=pa.Table.from_pylist(list(ties), schema=TIE_SCHEMA),
        rows_read=rows_read,
        rejects=pa.Table.from_pylist(list(rejects), schema=REJECT_SCHEMA),
        description=dataset.title,
        licence=dataset.licence,
        notes="; ".join(f"{n} {k}" for k, n in details.items()),
        coverage=coverage,
    )


def ingest_with_details(
    ws: Sink,
    batches: Sequence[Batch],
    details: Sequence[dict[str, int]],
    progress: Progress | None = None,
) -> list[IngestReport]:
    """Store ``batches`` in one ingest; each report gets its batch's detail counts."""
    if progress:
        progress("storing")
    reports = ws.ingest(list(batches))
    for report, d in zip(reports, details, strict=True):
        report.details = d
    return reports


REGISTRY: dict[str, Dataset] = {}


def register(ds: Dataset) -> Dataset:
    REGISTRY[ds.name] = ds
    return ds


def get(name: str) -> Dataset:
    _load_builtin()
    if name not in REGISTRY:
        raise UnknownDataset(
            f"no embedded dataset {name!r}",
            fix=f"use one of: {', '.join(sorted(REGISTRY))} (civnet datasets lists them)",
        )
    return REGISTRY[name]


def all_datasets() -> list[Dataset]:
    _load_builtin()
    return [REGISTRY[k] for k in sorted(REGISTRY)]


def _load_builtin() -> None:
    """Import the modules that register the built-in datasets."""
    import importlib
    import pkgutil

    import civnet.datasets as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_") and mod.name != "data":
            importlib.import_module(f"civnet.datasets.{mod.name}")
