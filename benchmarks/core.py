"""Core benchmark: civnet's exact betweenness against raw python-igraph, time and memory.

Prints, from one run, each figure with its comparator measured in the same run:
- civnet betweenness / raw igraph (``Graph.betweenness``), time and peak memory, on the embedded
  city-diplomacy graph and on a Barabási-Albert graph (default 10,000 actors, 5 ties each);
  every measurement runs in its own fresh process (peak memory from the process's ``VmHWM``,
  see ``scale.peak_mb``), the engines alternate over ``--repeat`` rounds (medians), and the
  largest difference between their values is printed. Besides civnet as it runs (threads on
  the idle cores only, :func:`civnet.measures.intermediation.betweenness.free_cores`), civnet held to one
  thread and NetworKit's parallel exact ``Betweenness`` (on the same idle cores): wall-clock and
  CPU seconds, as CPU time is less sensitive to other jobs on the cores;
- civnet / NetworkX on the BA graph (NetworkX timed on K sources, scaled by n/K: Brandes' work
  is the same for every source);
- import throughput of one million tie rows (rows per second), CSV -> validated -> stored.

The machine's load (``os.getloadavg``) is printed before and after: with other jobs on the cores
civnet uses one thread (see ``civnet.measures.intermediation.betweenness.free_cores``).

Usage: python benchmarks/core.py [--ba 10000] [--ba-m 5] [--graphs city,ba] [--repeat 1]
       [--engines igraph,civnet,civnet-1,networkit] [--import-rows 1000000] [--skip-import]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scale import peak_mb  # the benchmark beside this one

HERE = Path(__file__).resolve().parent
# benchmarks/coverage.py would shadow the coverage package that numba probes for on import
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def edges_of(graph: str, ba: int, ba_m: int, tmp: Path) -> tuple[int, np.ndarray]:
    """The benchmark graph as (n, edge array), written once to ``tmp`` by the parent."""
    path = tmp / f"{graph}.npz"
    if not path.exists():
        import igraph as ig

        if graph == "city":
            from civnet.datasets import get
            from civnet.store import Workspace
            from civnet.views import ViewSpec, build_network

            ws = Workspace(tmp / "city.duckdb")
            get("city-diplomacy").loader(ws, None)
            net = build_network(ws, ViewSpec())
            ws.close()
            g = net.graph
        else:
            g = ig.Graph.Barabasi(ba, ba_m, directed=False)
            g.simplify()
        e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        np.savez(path, n=g.vcount(), edges=e)
    data = np.load(path)
    return int(data["n"]), data["edges"]


def child(which: str, graph: str, ba: int, ba_m: int, tmp: Path) -> None:
    """One measurement in this fresh process: prints seconds (wall and CPU), peak memory, and
    saves the values."""
    import igraph as ig

    n, e = edges_of(graph, ba, ba_m, tmp)
    t = time.perf_counter()
    cpu = time.process_time()
    if which == "igraph":
        g = ig.Graph(n=n, edges=e.tolist())
        before = _rss_mb()
        values = np.asarray(g.betweenness(directed=False))
    elif which == "networkit":
        import networkit as nk

        from civnet.measures.intermediation.betweenness import free_cores

        nk.setNumberOfThreads(free_cores())
        gk = nk.Graph(n)
        for u, v in e.tolist():
            gk.addEdge(u, v)
        before = _rss_mb()
        t = time.perf_counter()
        cpu = time.process_time()
        run = nk.centrality.Betweenness(gk, normalized=False)
        run.run()
        values = np.asarray(run.scores()) / 2.0  # NetworKit counts an undirected pair twice
        print(
            json.dumps(
                {"method": f"NetworKit Betweenness on {nk.getCurrentNumberOfThreads()} thread(s)"}
            )
        )
    else:
        import pyarrow as pa

        from civnet.measures import betweenness
        from civnet.views import Network

        ids = [f"a{i:07d}" for i in range(n)]
        actors = pa.table({"id": ids, "name": ids, "type": ["cso"] * n})
        ties = pa.table(
            {
                "source": [ids[i] for i in e[:, 0]],
                "target": [ids[i] for i in e[:, 1]],
                "weight": [1.0] * len(e),
                "directed": [False] * len(e),
            }
        )
        net = Network.from_tables(actors, ties)
        del actors, ties
        before = _rss_mb()
        t = time.perf_counter()  # time the measure, not building the view
        cpu = time.process_time()
        b = betweenness(net, normalized=False, workers=1 if which == "civnet-1" else None)
        values = b.values
        print(json.dumps({"method": b.method}))
    secs = time.perf_counter() - t
    cpu_secs = time.process_time() - cpu
    np.save(tmp / f"{which}-{graph}.npy", values)
    peak = peak_mb()
    print(
        json.dumps({"seconds": secs, "cpu": cpu_secs, "peak_mb": peak, "added_mb": peak - before})
    )


def _rss_mb() -> float:
    """Resident memory now (Linux ``/proc/self/statm``), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(which: str, graph: str, args: argparse.Namespace, tmp: Path) -> dict:  # type: ignore[type-arg]
    cmd = [sys.executable, __file__, "--child", which, "--graph", graph, "--tmp", str(tmp)]
    cmd += ["--ba", str(args.ba), "--ba-m", str(args.ba_m)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict = {}  # type: ignore[type-arg]
    for line in out.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def bench_betweenness(graph: str, args: argparse.Namespace, tmp: Path) -> None:
    n, e = edges_of(graph, args.ba, args.ba_m, tmp)
    label = "city-diplomacy (embedded)" if graph == "city" else f"Barabasi-Albert m={args.ba_m}"
    print(f"\n{label}: {n:,} actors, {len(e):,} ties; load before {_load()}")
    engines = args.engines.split(",")
    runs: dict[str, list[dict]] = {k: [] for k in engines}  # type: ignore[type-arg]
    for _ in range(args.repeat):
        for which in engines:
            runs[which].append(measure(which, graph, args, tmp))
    med = {
        k: {
            x: statistics.median(r[x] for r in v) for x in ("seconds", "cpu", "peak_mb", "added_mb")
        }
        for k, v in runs.items()
    }
    base = med["igraph"]
    ref = np.load(tmp / f"igraph-{graph}.npy")
    scale = max(1.0, float(ref.max()))
    print(f"  medians of {args.repeat} alternating run(s), each engine in a fresh process")
    for which in engines:
        m = med[which]
        line = (
            f"  {which:10s} {m['seconds']:7.2f} s wall, {m['cpu']:7.2f} s CPU, process peak "
            f"{m['peak_mb']:5.0f} MB, {m['added_mb']:5.0f} MB added"
        )
        if which != "igraph":
            diff = np.abs(np.load(tmp / f"{which}-{graph}.npy") - ref).max()
            line += (
                f" | / igraph: time {m['seconds'] / base['seconds']:.2f}, CPU "
                f"{m['cpu'] / base['cpu']:.2f}, peak {m['peak_mb'] / base['peak_mb']:.2f}, added "
                f"{max(m['added_mb'], 1) / max(base['added_mb'], 1):.2f}; largest difference "
                f"{diff:.2e} (relative {diff / scale:.1e})"
            )
        print(line)
        if "method" in runs[which][-1]:
            print(f"  {'':10s} {runs[which][-1]['method']}")
    print(f"  load after {_load()}")
    if graph == "ba" and args.nx_sources and "civnet" in med:
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(e.tolist())
        t = time.perf_counter()
        nx.betweenness_centrality(g, k=args.nx_sources, seed=1)
        t_nx = (time.perf_counter() - t) * n / args.nx_sources
        print(
            f"  NetworkX (scaled from {args.nx_sources} sources) {t_nx:8.0f} s: "
            f"civnet / NetworkX = {med['civnet']['seconds'] / t_nx:.4f}"
        )


def _load() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_import(rows: int) -> None:
    from civnet.importers.tables import import_tables
    from civnet.store import Workspace

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
        start = time.perf_counter()
        report = import_tables(ws, actors=a, ties=t)
        secs = time.perf_counter() - start
        ws.close()
    print(
        f"\nimport {rows:,} tie rows (+{n:,} actors): {secs:.1f} s = {rows / secs:,.0f} rows/s "
        f"({report.ties_added:,} ties stored, {report.rows_rejected} rejected)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--ba", type=int, default=10_000)
    ap.add_argument("--ba-m", type=int, default=5)
    ap.add_argument("--nx-sources", type=int, default=20)
    ap.add_argument("--import-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--graphs", default="city,ba")
    ap.add_argument("--engines", default="igraph,civnet,civnet-1,networkit")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--graph", help=argparse.SUPPRESS)
    ap.add_argument("--tmp", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.graph, args.ba, args.ba_m, Path(args.tmp))
        return
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        for graph in args.graphs.split(","):
            bench_betweenness(graph, args, Path(tmp))
    if not args.skip_import:
        bench_import(args.import_rows)


if __name__ == "__main__":
    main()
