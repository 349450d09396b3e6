"""The Dask cluster behind ``--dask ADDRESS|local:N`` (GDELT import, betweenness).

A base module beneath the layers (docs/architecture.md): the importers and the measures both
open their cluster here, so ``local:N`` and a scheduler address mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from civnet.errors import UserError


def local_workers(address: str) -> int | None:
    """N for ``local:N`` (N >= 1), ``None`` for a scheduler address; a bad ``local:`` is refused."""
    if not address.startswith("local:"):
        return None
    count = address.split(":", 1)[1]
    if not count.isdigit() or int(count) < 1:
        raise UserError(
            f"--dask {address!r}: expected local:N with N >= 1",
            fix="write e.g. --dask local:2, or a scheduler address tcp://host:8786",
        )
    return int(count)


@contextmanager
def dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``address``, closed on exit.

    ``local:N`` starts N local worker processes of one thread each (and stops them on exit);
    anything else is a scheduler address, reached within 10 s or refused in one line.
    """
    from distributed import Client, LocalCluster

    n = local_workers(address)
    cluster = None
    if n is not None:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=":0")
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="10s")
        except OSError as exc:
            raise UserError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="start one (dask scheduler; dask-jobqueue; the Dask Kubernetes operator) "
                "or use --dask local:N",
            ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
