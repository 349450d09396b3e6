"""Exact betweenness beyond one machine: Brandes' sources split over a Dask cluster.

Brandes' algorithm sums, over source vertices, each source's dependencies; the sum over a
partition of the sources is the whole. So the sources are cut into chunks, each Dask task runs
igraph's Brandes from its chunk (``Graph.betweenness(sources=...)``) on a copy of the graph that
was sent once to every worker, and the partial sums are added on the client. Each worker
process builds its igraph copy once, on its first task, and keeps it (keyed by the SHA-256 of
the edge list) for every later task and later run on the same graph.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import igraph as ig
import numpy as np

from civnet.cluster import dask_client
from civnet.measures.intermediation.betweenness import (
    Betweenness,
    _costs,
    _usable,
    edge_array,
    finish,
)
from civnet.views.network import Network

__all__ = ["dask_betweenness"]


def dask_betweenness(
    net: Network,
    address: str,
    *,
    normalized: bool = True,
    weighted: bool = False,
    chunks: int | None = None,
    sources: np.ndarray | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Betweenness:
    """Exact betweenness of every actor (as :func:`civnet.measures.intermediation.betweenness`), on Dask.

    ``address``: a scheduler (``tcp://host:8786``, as ``dask scheduler`` prints it, or one started
    by dask-jobqueue or the Dask Kubernetes operator) or ``local:N`` for N local worker
    processes. The graph (edge list and costs) is scattered to every worker once, and not at all
    when every worker still keeps it from an earlier run; ``chunks``
    source chunks (default 4 per worker thread) run igraph's Brandes and their sums are added.
    Same definition, normalization and weight rule as :func:`civnet.measures.intermediation.betweenness`; equal
    to it to rounding (the terms are summed in another order). ``sources`` (default all) limits
    the run to those sources: the partial sum, as benchmarks/distributed.py times a fraction.
    """
    g = _usable(net.graph, weighted)
    n = g.vcount()
    directed = g.is_directed()
    values = np.zeros(n)
    if n >= 3 and g.ecount():
        # costs follow the edge ids: weighted runs take the edge list in id order
        edges = (
            np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
            if weighted
            else edge_array(g)
        )
        costs = np.asarray(_costs(g), dtype=float) if weighted else None
        with dask_client(address) as client:
            workers = sum(client.nthreads().values()) or 1
            todo = np.arange(n) if sources is None else np.asarray(sources, dtype=np.int64)
            parts = [c for c in np.array_split(todo, chunks or workers * 4) if len(c)]
            key = graph_key(n, directed, edges, costs)
            kept = client.run(_kept)
            graph: Any = None  # every worker keeps it from an earlier run: nothing to send
            if not kept or not all(key in keys for keys in kept.values()):
                graph = client.scatter((n, directed, edges, costs), broadcast=True, hash=False)
            futures = client.map(
                _partial, [key] * len(parts), [graph] * len(parts), parts, pure=False
            )
            from distributed import as_completed

            for done, fut in enumerate(as_completed(futures), start=1):
                values += fut.result()
                if progress:
                    progress(done, len(parts))
        method = (
            f"exact (igraph Brandes, sources in {len(parts)} chunks over {workers} Dask worker "
            "thread(s))"
        )
        if sources is not None:
            method = f"partial: {len(sources):,} of {n:,} sources; " + method
    else:
        method = "exact (fewer than three actors or no ties)"
    return finish(net, values, normalized=normalized, weighted=weighted, method=method)


GRAPHS_KEPT = 2
"""igraph copies a worker process keeps (the most recently used)."""
_graphs: OrderedDict[str, tuple[ig.Graph, list[float] | None]] = OrderedDict()
_graphs_lock = threading.Lock()


def graph_key(n: int, directed: bool, edges: np.ndarray, costs: np.ndarray | None) -> str:
    """SHA-256 of what defines the graph: size, direction, edge list and edge costs."""
    h = hashlib.sha256(f"{n}:{directed}:".encode())
    h.update(np.ascontiguousarray(edges, dtype=np.int64).tobytes())
    if costs is not None:
        h.update(np.ascontiguousarray(costs, dtype=float).tobytes())
    return h.hexdigest()


def _kept() -> list[str]:
    """The keys of the graphs this worker process keeps (run on every worker by the client)."""
    with _graphs_lock:
        return list(_graphs)


def _worker_graph(
    key: str, graph: tuple[int, bool, np.ndarray, np.ndarray | None] | None
) -> tuple[ig.Graph, list[float] | None]:
    """This worker process's igraph copy of ``graph``, built on first use and kept."""
    with _graphs_lock:
        if key in _graphs:
            _graphs.move_to_end(key)
            return _graphs[key]
        if graph is None:
            raise RuntimeError(f"graph {key[:12]} is no longer kept on this worker; run again")
        n, directed, edges, costs = graph
        g = ig.Graph(n=n, edges=edges, directed=directed)
        built = (g, None if costs is None else costs.tolist())
        _graphs[key] = built
        while len(_graphs) > GRAPHS_KEPT:
            _graphs.popitem(last=False)
        return built


def _partial(
    key: str, graph: tuple[int, bool, np.ndarray, np.ndarray | None] | None, sources: np.ndarray
) -> np.ndarray:
    """One task: the dependencies summed over ``sources`` (igraph halves undirected sums), on
    the worker's kept copy of the graph."""
    g, weights = _worker_graph(key, graph)
    return np.asarray(
        g.betweenness(directed=g.is_directed(), weights=weights, sources=sources.tolist()),
        dtype=float,
    )
