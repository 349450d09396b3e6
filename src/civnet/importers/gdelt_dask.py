"""Spread GDELT files over a Dask distributed cluster.

Each worker runs :func:`civnet.importers.gdelt.aggregate_file` on whole files (DuckDB inside the
worker) and sends back the partial aggregates; the client merges them by summing, which gives the
same ties as a single-process import. The workers must see the files at the same paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from civnet.errors import UserError

if TYPE_CHECKING:
    from civnet.importers.gdelt import FileResult
    from civnet.importers.gdelt_mapping import GdeltOptions


def run_on_dask(
    paths: Sequence[Path],
    options: GdeltOptions,
    address: str,
    *,
    on_done: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Aggregate ``paths`` on the cluster at ``address`` (``local:N`` starts N local workers)."""
    from distributed import Client, LocalCluster, as_completed

    from civnet.importers.gdelt import aggregate_file

    cluster = None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise UserError(
                f"--dask {address!r}: expected local:N with N >= 1",
                fix="write e.g. --dask local:4, or a scheduler address tcp://host:8786",
            )
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=":0")
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="10s")
        except OSError as exc:
            raise UserError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="start one with dask scheduler, or use --dask local:N",
            ) from None
    try:
        futures = client.map(aggregate_file, [str(p) for p in paths], options=options, pure=False)
        results = []
        for fut in as_completed(futures):
            res = fut.result()
            if on_done:
                on_done(res)
            results.append(res)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
