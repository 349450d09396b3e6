"""Scale benchmark: betweenness of a Barabási-Albert graph of 200,000 actors and 1,000,000 ties.

Prints, from one run, each figure with its comparator measured in the same run (each in a fresh
process, peak memory from ``getrusage``):
- the exact run's estimated cost (civnet.measures.betweenness_approx.exact_cost), and raw igraph
  timed on K sources and scaled by n/K (its exact run would take hours);
- civnet's budgeted betweenness (what ``civnet betweenness`` does: past the 60 s budget it
  switches to KADABRA with eps 0.01, delta 0.1) against raw NetworKit KADABRA with the same
  (eps, delta): time, peak memory, and how many of KADABRA's top 10 civnet finds;
- civnet --approx's top 10 against NetworKit's exact top-10 mode (KADABRA with k = 10).

Usage: python benchmarks/scale.py [--actors 200000] [--m 5] [--eps 0.01] [--igraph-sources 20]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# benchmarks/coverage.py would shadow the coverage package that numba probes for on import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def graph(tmp: Path, n: int, m: int) -> tuple[int, np.ndarray]:
    path = tmp / "ba.npz"
    if not path.exists():
        import igraph as ig

        g = ig.Graph.Barabasi(n, m, directed=False)
        g.simplify()
        np.savez(path, n=g.vcount(), edges=np.asarray(g.get_edgelist(), dtype=np.int64))
    d = np.load(path)
    return int(d["n"]), d["edges"]


def child(which: str, tmp: Path, args: argparse.Namespace) -> None:
    n, e = graph(tmp, args.actors, args.m)
    out: dict = {}  # type: ignore[type-arg]
    t = time.perf_counter()
    if which == "igraph":
        import igraph as ig

        g = ig.Graph(n=n, edges=e.tolist())
        k = args.igraph_sources
        t = time.perf_counter()
        g.betweenness(directed=False, sources=list(range(0, n, n // k))[:k])
        out["seconds_scaled"] = (time.perf_counter() - t) * n / k
    elif which in ("kadabra", "topk"):
        import networkit as nk

        nk.setSeed(1, True)
        G = nk.Graph(n, weighted=False, directed=False)
        G.addEdges((e[:, 0].astype(np.uint64), e[:, 1].astype(np.uint64)))
        t = time.perf_counter()
        if which == "kadabra":
            algo = nk.centrality.KadabraBetweenness(G, args.eps, 0.1, True)
            algo.run()
            top = np.argsort(-np.asarray(algo.scores()), kind="stable")[:10]
        else:
            algo = nk.centrality.KadabraBetweenness(G, args.eps, 0.1, False, 10)
            algo.run()
            top = np.asarray(algo.topkNodesList()[:10])
        out["top"] = top.tolist()
        out["samples"] = algo.getNumberOfIterations()
    else:
        import pyarrow as pa

        from civnet.measures.betweenness_approx import exact_cost
        from civnet.products.analyze import budgeted_betweenness
        from civnet.views import Network

        ids = np.char.add("a", np.arange(n).astype(str)).astype(object)
        actors = pa.table({"id": ids, "name": ids, "type": ["cso"] * n})
        ties = pa.table(
            {
                "source": ids[e[:, 0]],
                "target": ids[e[:, 1]],
                "weight": np.ones(len(e)),
                "directed": np.zeros(len(e), dtype=bool),
            }
        )
        net = Network.from_tables(actors, ties)
        del actors, ties
        t = time.perf_counter()
        cost = exact_cost(net)
        out["estimate_s"] = cost.seconds
        out["estimate_took"] = time.perf_counter() - t
        b = budgeted_betweenness(net, seed=1)
        order = np.argsort(-b.values, kind="stable")[:10]
        # vertex ids are "a<i>", sorted as strings by the view: map back to BA numbering
        out["top"] = [int(net.ids[i][1:]) for i in order]
        out["method"] = "; ".join([b.method, *b.notes])
    out["seconds"] = time.perf_counter() - t
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run(which: str, tmp: Path, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    cmd = [sys.executable, __file__, "--child", which, "--tmp", str(tmp)]
    cmd += ["--actors", str(args.actors), "--m", str(args.m), "--eps", str(args.eps)]
    cmd += ["--igraph-sources", str(args.igraph_sources)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--actors", type=int, default=200_000)
    ap.add_argument("--m", type=int, default=5)
    ap.add_argument("--eps", type=float, default=0.01)
    ap.add_argument("--igraph-sources", type=int, default=20)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, Path(args.tmp), args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        n, e = graph(Path(tmp), args.actors, args.m)
        print(
            f"BA graph: {n:,} actors, {len(e):,} ties; cores {os.cpu_count()}, load {os.getloadavg()}"
        )
        ig_run = run("igraph", Path(tmp), args)
        kad = run("kadabra", Path(tmp), args)
        civ = run("civnet", Path(tmp), args)
        topk = run("topk", Path(tmp), args)
    print(f"civnet: {civ['method']}")
    print(
        f"exact cost estimated by civnet: {civ['estimate_s'] / 3600:.1f} h "
        f"(found in {civ['estimate_took']:.1f} s); raw igraph exact, scaled from "
        f"{args.igraph_sources} sources: {ig_run['seconds_scaled'] / 3600:.1f} h"
    )
    print(
        f"civnet budgeted {civ['seconds']:.1f} s, {civ['peak_mb']:.0f} MB peak | raw KADABRA "
        f"(eps {args.eps}, delta 0.1, {kad['samples']:,} samples) {kad['seconds']:.1f} s, "
        f"{kad['peak_mb']:.0f} MB peak"
    )
    print(
        f"civnet / KADABRA: time {civ['seconds'] / kad['seconds']:.2f}, peak memory "
        f"{civ['peak_mb'] / kad['peak_mb']:.2f}"
    )
    exact_top = set(topk["top"])
    print(
        f"top 10: civnet finds {len(set(civ['top']) & exact_top)} of KADABRA top-k's 10 "
        f"({topk['seconds']:.1f} s), raw KADABRA finds {len(set(kad['top']) & exact_top)}; "
        f"load after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
