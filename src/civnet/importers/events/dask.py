"""Spread GDELT files over a Dask distributed cluster.

Each worker runs :func:`civnet.importers.events.gdelt.aggregate_file` on whole files (DuckDB inside the
worker) and sends back the partial aggregates; the client merges them by summing, which gives the
same ties as a single-process import. The workers must see the files at the same paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from civnet.importers.events.gdelt import FileResult
    from civnet.importers.events.mapping import GdeltOptions


def run_on_dask(
    paths: Sequence[Path],
    options: GdeltOptions,
    address: str,
    *,
    on_done: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Aggregate ``paths`` on the cluster at ``address`` (``local:N`` starts N local workers)."""
    from distributed import as_completed

    from civnet.cluster import dask_client
    from civnet.importers.events.gdelt import aggregate_file

    with dask_client(address) as client:
        futures = client.map(aggregate_file, [str(p) for p in paths], options=options, pure=False)
        results = []
        for fut in as_completed(futures):
            res = fut.result()
            if on_done:
                on_done(res)
            results.append(res)
        return results
