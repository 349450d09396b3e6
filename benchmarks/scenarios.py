"""Scenario benchmark: ranking K removals by reach cut, civnet against recomputation from scratch.

On one graph, the K candidate removals (default: the K actors of highest degree; with
``--workspace`` the top K brokers of the view as ``civnet whatif --rank-removals K`` picks them)
are each evaluated three ways, and the numbers checked equal:

- civnet: :func:`civnet.measures.policy.scenario_removals.rank_removals` (components kept once; for each
  removal only the components holding the removed actor are recomputed, on igraph);
- raw igraph: for each removal, copy the bare graph (no attributes, undirected), delete the
  actor, label all components again;
- NetworkX: for each removal, copy the graph, remove the node, ``nx.connected_components``
  (weakly connected components of the undirected view: the same pairs).

Each prints its time and the ratios, with the machine load (``uptime``) read at the start.

Usage:
  python benchmarks/scenarios.py [--actors 20000] [--ties 60000] [--k 20]
  python benchmarks/scenarios.py --workspace WS.duckdb [--actor-type city] [--k 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

import igraph as ig
import networkx as nx
import numpy as np
from graphs import seeded_tables

from civnet.measures.intermediation.betweenness import betweenness
from civnet.measures.policy.scenario_removals import Candidate, rank_removals
from civnet.products.analyze import betweenness_records, betweenness_samples
from civnet.views import Network, ViewSpec, build_network


def pairs(sizes: list[int]) -> int:
    return sum(s * (s - 1) // 2 for s in sizes)


def load_view(args: argparse.Namespace) -> tuple[Network, list[int], str]:
    if args.workspace:
        from civnet.store import Workspace

        ws = Workspace(args.workspace, read_only=True)
        spec = ViewSpec.make(actor_types=args.actor_type or ())
        net = build_network(ws, spec)
        ws.close()
        t = time.perf_counter()
        b = betweenness(net, samples=betweenness_samples(net), seed=0)
        ranked = betweenness_records(net, b, args.k)
        index = {a: i for i, a in enumerate(net.ids)}
        what = f"top {args.k} brokers of {args.workspace} ({spec.describe()}), chosen in "
        what += f"{time.perf_counter() - t:.1f} s (not in the times below)"
        return net, [index[r["id"]] for r in ranked], what
    actors, ties = seeded_tables(args.actors, args.ties, seed=args.seed)
    net = Network.from_tables(actors, ties)
    degree = np.asarray(net.graph.degree())
    top = sorted(range(len(degree)), key=lambda v: (-degree[v], v))[: args.k]
    return net, top, f"the {args.k} actors of highest degree of a seeded graph"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=20_000)
    ap.add_argument("--ties", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--workspace")
    ap.add_argument("--actor-type", action="append")
    args = ap.parse_args()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"uptime: {load}  (cpus: {os.cpu_count()})")
    net, chosen, what = load_view(args)
    g = net.graph
    print(f"graph: {g.vcount():,} actors, {g.ecount():,} edges; removals: {what}")
    ids = net.ids
    cands = [Candidate(ids[v], ids[v], (v,)) for v in chosen]

    t0 = time.perf_counter()
    ranked = rank_removals(g, cands)
    t_civnet = time.perf_counter() - t0
    ours = {imp.candidate.key: imp.cut.connected for imp in ranked}

    bare = ig.Graph(n=g.vcount(), edges=g.get_edgelist(), directed=False)
    t0 = time.perf_counter()
    raw = {}
    for v in chosen:
        h = bare.copy()
        h.delete_vertices([v])
        raw[ids[v]] = pairs(h.connected_components(mode="weak").sizes())
    t_igraph = time.perf_counter() - t0

    nxg = net.to_networkx().to_undirected(as_view=False)
    t0 = time.perf_counter()
    oracle = {}
    for v in chosen:
        h = nxg.copy()
        h.remove_node(ids[v])
        oracle[ids[v]] = pairs([len(c) for c in nx.connected_components(h)])
    t_nx = time.perf_counter() - t0

    assert ours == raw == oracle, "the three computations disagree"
    print(
        f"connected pairs after each of the {len(chosen)} removals agree (civnet = igraph = NetworkX)"
    )
    print(f"civnet rank_removals     {t_civnet:8.3f} s")
    print(f"igraph, from scratch     {t_igraph:8.3f} s   ratio {t_igraph / t_civnet:6.1f}x civnet")
    print(f"NetworkX, from scratch   {t_nx:8.3f} s   ratio {t_nx / t_civnet:6.1f}x civnet")


if __name__ == "__main__":
    main()
