"""Core benchmark: civnet's betweenness against raw igraph and NetworkX; import throughput.

Prints, from one run:
- civnet betweenness time / raw python-igraph time on the same seeded graph (target <= 1.2);
- civnet betweenness time / NetworkX time (NetworkX's exact run on a graph this size takes hours,
  so it is timed on K sampled sources and scaled by n/K, which is how long the exact run costs:
  Brandes' work is the same for every source);
- import throughput of one million tie rows (rows per second), CSV -> validated -> stored.

Usage: python benchmarks/core.py [--actors 20000] [--ties 100000] [--import-rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np
from graphs import seeded_tables

from civnet.importers.tables import import_tables
from civnet.measures import betweenness
from civnet.store import Workspace
from civnet.views import Network


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_betweenness(n: int, m: int, nx_sources: int) -> None:
    actors, ties = seeded_tables(n, m, seed=42)
    net = Network.from_tables(actors, ties)
    edges = net.graph.get_edgelist()
    raw = ig.Graph(n=n, edges=edges)
    _, t_raw = timed(lambda: raw.betweenness(directed=False))
    b, t_civ = timed(lambda: betweenness(net))
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    _, t_nx_k = timed(lambda: nx.betweenness_centrality(g, k=nx_sources, seed=1))
    t_nx = t_nx_k * n / nx_sources
    print(f"graph: {n:,} actors, {m:,} ties, {b.method}")
    print(f"civnet betweenness   {t_civ:8.2f} s")
    print(f"raw igraph           {t_raw:8.2f} s   civnet / igraph   = {t_civ / t_raw:6.2f}")
    print(
        f"NetworkX (scaled)    {t_nx:8.0f} s   civnet / NetworkX = {t_civ / t_nx:8.4f}"
        f"   (NetworkX timed on {nx_sources} sources x {n / nx_sources:.0f})"
    )


def bench_import(rows: int) -> None:
    n = max(rows // 5, 10)
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        a = Path(tmp) / "actors.csv"
        t = Path(tmp) / "ties.csv"
        with open(a, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "type", "country"])
            countries = ["FRA", "DEU", "CHN", "USA", "BRA", "KEN", "IND", "JPN"]
            for i in range(n):
                w.writerow([f"a{i}", "cso", countries[i % len(countries)]])
        u = rng.integers(0, n, rows)
        v = (u + rng.integers(1, n, rows)) % n
        years = rng.integers(1990, 2024, rows)
        tracks = np.array(["culture", "education", "health", "general"])[rng.integers(0, 4, rows)]
        with open(t, "w", newline="") as fh:
            fh.write("source,target,track,kind,start,weight\n")
            fh.writelines(
                f"a{x},a{y},{tr},exchange,{yr},1\n"
                for x, y, tr, yr in zip(
                    u.tolist(), v.tolist(), tracks.tolist(), years.tolist(), strict=True
                )
            )
        ws = Workspace(Path(tmp) / "w.duckdb")
        report, secs = timed(lambda: import_tables(ws, actors=a, ties=t))
        ws.close()
    print(
        f"import {rows:,} tie rows (+{n:,} actors): {secs:.1f} s = {rows / secs:,.0f} rows/s "
        f"({report.ties_added:,} ties stored, {report.rows_rejected} rejected)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--actors", type=int, default=20_000)
    ap.add_argument("--ties", type=int, default=100_000)
    ap.add_argument("--nx-sources", type=int, default=50)
    ap.add_argument("--import-rows", type=int, default=1_000_000)
    args = ap.parse_args()
    bench_betweenness(args.actors, args.ties, args.nx_sources)
    bench_import(args.import_rows)


if __name__ == "__main__":
    main()
