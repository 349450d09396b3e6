"""Distributed benchmark: exact betweenness with Brandes' sources split over a Dask cluster.

On a Barabási-Albert graph (default 200,000 actors, 1,000,000 ties) the exact run takes hours on
one core, so both sides run the same K sources (the partial sum of their dependencies; the full
run is n/K times as long): raw igraph in this process, and ``civnet.measures.intermediation.betweenness_dask``
on a LocalCluster of 2 worker processes, twice: the first run sends the graph and each worker
builds its igraph copy once (not once per task), the second finds it kept on the workers.
Prints the times, the ratios, the scaled full-run times, and the largest difference between the
partial sums, from one run. With 2 cores the ceiling is 2x, and only on idle cores: the load
is printed before and after.

A real cluster is used the same way: ``civnet betweenness --dask tcp://scheduler:8786`` (see
docs/benchmarks.md for dask-jobqueue and Kubernetes).

Usage: python benchmarks/distributed.py [--actors 200000] [--m 5] [--sources 40] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# benchmarks/coverage.py would shadow the coverage package that numba probes for on import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def main() -> None:
    import igraph as ig
    import pyarrow as pa
    from distributed import LocalCluster

    from civnet.measures.intermediation.betweenness_dask import dask_betweenness
    from civnet.views import Network

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--actors", type=int, default=200_000)
    ap.add_argument("--m", type=int, default=5)
    ap.add_argument("--sources", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    g = ig.Graph.Barabasi(args.actors, args.m, directed=False)
    g.simplify()
    n = g.vcount()
    g.vs["name"] = [f"a{i:07d}" for i in range(n)]
    g.es["weight"] = [1.0] * g.ecount()
    empty = pa.table({"id": pa.array([], pa.string())})
    net = Network(graph=g, actors=empty, ties=empty)
    sources = np.linspace(0, n - 1, args.sources).astype(np.int64)
    print(
        f"BA graph: {n:,} actors, {g.ecount():,} ties; {args.sources} sources; cores "
        f"{os.cpu_count()}, load {os.getloadavg()}"
    )
    t = time.perf_counter()
    here = np.asarray(g.betweenness(directed=False, sources=sources.tolist()))
    t_one = time.perf_counter() - t
    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, dashboard_address=":0"
    ) as cluster:
        times = []
        for _ in range(2):
            t = time.perf_counter()
            b = dask_betweenness(net, cluster.scheduler_address, normalized=False, sources=sources)
            times.append(time.perf_counter() - t)
    t_first, t_dask = times
    scale = n / args.sources
    print(f"civnet on Dask: {b.method}")
    print(
        f"one process (raw igraph) {t_one:.1f} s | Dask LocalCluster of {args.workers} workers: "
        f"first run {t_first:.1f} s (graph sent and built once per worker), second {t_dask:.1f} s"
        f" (graph kept on the workers; cluster start not counted) | igraph / Dask = "
        f"{t_one / t_first:.2f} first, {t_one / t_dask:.2f} second"
    )
    print(
        f"full exact run, scaled by n/K = {scale:,.0f}: one process {t_one * scale / 3600:.1f} h,"
        f" Dask {t_dask * scale / 3600:.1f} h; largest difference of the partial sums "
        f"{np.abs(b.values - here).max():.2e}; load after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
