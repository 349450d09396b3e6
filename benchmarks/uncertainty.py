"""Uncertainty benchmark: civnet's vertex bootstrap against a plain NetworkX loop.

On one seeded network (default 1,000 actors, 2,000 distinct undirected ties) prints the time per
resample of ``civnet.measures.statistics.uncertainty.bootstrap`` (density and mean betweenness, resampling
actors, Snijders & Borgatti 1999) and of a plain loop that rebuilds a NetworkX graph for each of
the same replicates (the same actor draws: an actor drawn k times becomes k copies, ties copied
between every pair of copies) and computes the same two numbers, and their ratio. Two NetworkX
loops are timed:

- ``nx betweenness``: ``nx.density`` and the mean of ``nx.betweenness_centrality``, what one
  would write by hand;
- ``nx distances``: ``nx.density`` and the mean betweenness from the identity civnet uses
  (sum of betweenness = sum over connected pairs of ``d(s,t) - 1``) with
  ``nx.all_pairs_shortest_path_length``, the same algorithm in NetworkX.

The NetworkX loops run on the first ``--nx-boot`` replicates only (they are slow); their numbers
are checked against civnet's replicates (relative difference at most 1e-9).

Usage: python benchmarks/uncertainty.py [--actors 1000] [--ties 2000] [--boot 200] [--nx-boot 10]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import networkx as nx
import numpy as np

from civnet.measures.statistics.uncertainty import bootstrap, core_statistic
from civnet.views.network import Network


def replicate_graph(base: nx.Graph, ids: list[str], counts: np.ndarray) -> nx.Graph:
    """The vertex-bootstrap replicate of ``base`` for ``counts[i]`` draws of actor ``ids[i]``."""
    k = dict(zip(ids, counts.tolist(), strict=True))
    g = nx.Graph()
    g.add_nodes_from((a, j) for a in ids for j in range(k[a]))
    for u, v in base.edges():
        g.add_edges_from(((u, i), (v, j)) for i in range(k[u]) for j in range(k[v]))
    return g


def mean_by_brandes(g: nx.Graph) -> float:
    return float(np.mean(list(nx.betweenness_centrality(g).values())))


def mean_by_distances(g: nx.Graph) -> float:
    n = g.number_of_nodes()
    if n < 3:
        return 0.0
    total = sum(
        d - 1 for _, dist in nx.all_pairs_shortest_path_length(g) for d in dist.values() if d
    )
    return total / 2 / n / ((n - 1) * (n - 2) / 2)


def nx_loop(
    base: nx.Graph, ids: list[str], seed: int, n_boot: int, mean_b: Callable[[nx.Graph], float]
) -> tuple[float, np.ndarray]:
    """Seconds per replicate and the (density, mean betweenness) of each replicate."""
    rng = np.random.default_rng(seed)  # the draws civnet's Resampler makes with this seed
    n = len(ids)
    out = np.zeros((n_boot, 2))
    t0 = time.perf_counter()
    for r in range(n_boot):
        counts = np.bincount(rng.integers(0, n, n), minlength=n)
        g = replicate_graph(base, ids, counts)
        out[r] = nx.density(g), mean_b(g)
    return (time.perf_counter() - t0) / n_boot, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", type=int, default=1000)
    ap.add_argument("--ties", type=int, default=2000)
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--nx-boot", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    g0 = nx.gnm_random_graph(args.actors, args.ties, seed=args.seed + 1)
    g0.remove_nodes_from([v for v in list(g0) if g0.degree(v) == 0])  # a view's actors have ties
    base = nx.relabel_nodes(g0, {v: f"a{v:06d}" for v in g0})
    net = Network.from_networkx(base)
    ids = sorted(base.nodes)
    print(
        f"network: {net.graph.vcount():,} actors, {net.graph.ecount():,} ties; "
        f"vertex bootstrap of density and mean betweenness, seed {args.seed}"
    )

    t0 = time.perf_counter()
    ivs = bootstrap(net, core_statistic, n_boot=args.boot, unit="actors", seed=args.seed)
    civnet_s = (time.perf_counter() - t0) / args.boot
    reps = np.column_stack([ivs["density"].replicates, ivs["mean_betweenness"].replicates])
    print(
        f"civnet bootstrap          {args.boot:4d} resamples: {civnet_s * 1e3:9.2f} ms per resample"
    )
    k = min(args.nx_boot, args.boot)
    for name, fn in (("nx betweenness", mean_by_brandes), ("nx distances", mean_by_distances)):
        per, values = nx_loop(base, ids, args.seed, k, fn)
        diff = float(np.max(np.abs(values - reps[:k]) / np.maximum(np.abs(reps[:k]), 1e-300)))
        print(
            f"{name:25s} {k:4d} resamples: {per * 1e3:9.2f} ms per resample; "
            f"NetworkX / civnet = {per / civnet_s:6.1f}; "
            f"largest relative difference {diff:.1e}"
        )
        assert diff <= 1e-9, f"{name}: NetworkX and civnet disagree"


if __name__ == "__main__":
    main()
