"""Memory of the bounded approximation at 200,000 actors / 1,000,000 ties, beside raw KADABRA.

One Barabási-Albert graph (seeded), saved once; two child processes read it:

- civnet: started as the ``civnet`` command starts (:func:`civnet._lean.lean_imports`), the view
  built from Arrow tables (``Network.from_tables``; the tables made from numpy buffers, as the
  store's come from DuckDB: without pandas), then ``budgeted_betweenness`` (the exact cost
  estimated, then KADABRA with eps, delta 0.1);
- raw: NetworKit's KADABRA on a NetworKit graph built from the same edge array, its scores read.

Each side drops the edge array once its own structure is built (the tables, the NetworKit
graph).

Each child prints its resident memory after its imports, after its input is in memory, and its
peak (``VmHWM``), so the table separates what the libraries cost, what holding the input costs
and what the computation adds. Times and the load are printed beside them.

Then the ``civnet betweenness`` command itself (``--parts command``), beside the same run's
KADABRA: the same graph written into a workspace's tables (actors ``a0``, ``a1``... as above,
undated ties), and ``civnet betweenness`` run as a user runs it, one process per output format
(``--format table``, ``csv``, ``json``), each cold (the result cache emptied first: it computes
through the time budget's switch to KADABRA at eps 0.01, keeps the result in the cache and
prints), then the same call again (answered from the cache). Each process's peak is its
``VmHWM`` as it exits: the whole process, imports, view, computation, cache and output; its
standard output goes to a file (its size is printed).

Usage: python benchmarks/approx_memory.py [--actors 200000] [--m 5] [--eps 0.01]
           [--parts computation,command] [--formats table,csv,json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def status_mb() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                key, value = line.split(":")
                out[key] = int(value.split()[0]) // 1024
    return out


def child(which: str, path: Path, eps: float) -> None:
    import numpy as np

    if which == "raw":
        import networkit as nk
    else:
        from civnet._lean import lean_imports

        lean_imports()  # as the civnet command starts: igraph and NetworKit without matplotlib

        import civnet.products.analyze as analyze
        from civnet.products.analyze import budgeted_betweenness
        from civnet.views import Network
    imports = status_mb()["VmRSS"]
    e = np.load(path)
    n = int(e.max()) + 1
    t = time.perf_counter()
    if which == "raw":
        nk.setSeed(1, True)
        held = status_mb()["VmRSS"]
        G = nk.Graph(n, weighted=False, directed=False)
        G.addEdges((e[:, 0].astype(np.uint64), e[:, 1].astype(np.uint64)))
        del e  # each side holds only its own structure while it computes
        algo = nk.centrality.KadabraBetweenness(G, eps, 0.1, True)
        algo.run()
        scores = algo.scores()  # the answer, as any caller reads it (civnet's side reads it too)
        method = f"KADABRA, {algo.getNumberOfIterations():,} samples, top {max(scores):.4f}"
    else:
        actors, ties = _arrow_input(e, n)
        del e
        net = Network.from_tables(actors, ties)
        del actors, ties
        held = status_mb()["VmRSS"]
        t = time.perf_counter()
        analyze.BUDGET_EPS = eps  # the budget's switch, at the benchmark's eps
        b = budgeted_betweenness(net, seed=1)
        method = "; ".join([b.method, *b.notes])
    seconds = time.perf_counter() - t
    print(
        json.dumps(
            {
                "imports": imports,
                "held": held,
                "peak": status_mb()["VmHWM"],
                "seconds": seconds,
                "method": method,
                "pandas": "pandas" in sys.modules,
            }
        )
    )


def _arrow_input(e: Any, n: int) -> tuple[Any, Any]:
    """The actor and tie tables of the edge array ``e`` (actor ids ``a0``, ``a1``...), built
    from numpy buffers: no Python object per actor or tie, and no pandas (which pyarrow imports
    on its first conversion of a Python or numpy value, as ``pa.table`` of numpy arrays does;
    the store's tables come from DuckDB without it)."""
    import numpy as np
    import pyarrow as pa

    def ints(values: Any) -> Any:
        values = np.ascontiguousarray(values, dtype=np.int64)
        return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])

    def strings(values: Any) -> Any:
        data = np.char.encode(values, "ascii")
        lengths = np.char.str_len(data).astype(np.int32)
        offsets = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
        chars = np.frombuffer(data.tobytes(), dtype=np.uint8).reshape(len(values), -1)
        packed = chars[np.arange(chars.shape[1]) < lengths[:, None]]
        return pa.StringArray.from_buffers(
            len(values), pa.py_buffer(offsets), pa.py_buffer(packed.tobytes())
        )

    ids = strings(np.char.add("a", np.arange(n).astype(str)))
    actors = pa.table({"id": ids, "name": ids, "type": strings(np.full(n, "cso"))})
    m = len(e)
    weight = pa.Array.from_buffers(pa.float64(), m, [None, pa.py_buffer(np.ones(m))])
    directed = pa.Array.from_buffers(
        pa.bool_(), m, [None, pa.py_buffer(np.zeros((m + 7) // 8, dtype=np.uint8))]
    )
    source, target = ids.take(ints(e[:, 0])), ids.take(ints(e[:, 1]))
    ties = pa.table({"source": source, "target": target, "weight": weight, "directed": directed})
    return actors, ties


def command_workspace(db: Path, edges: Path) -> None:
    """A workspace holding the benchmark's graph: actors ``a0``, ``a1``... (type ``cso``), one
    undated undirected tie per edge, written straight into the store's tables."""
    import numpy as np
    import pyarrow as pa

    from civnet.store import Workspace

    e = np.load(edges)
    n = int(e.max()) + 1
    ids = np.char.add("a", np.arange(n).astype(str)).astype(object)
    lo, hi = ids[np.minimum(e[:, 0], e[:, 1])], ids[np.maximum(e[:, 0], e[:, 1])]
    lo, hi = np.where(lo <= hi, lo, hi), np.where(lo <= hi, hi, lo)  # the store's source <= target
    with Workspace(db) as ws:
        con = ws.con
        con.register("_a", pa.table({"id": ids}))
        con.execute(
            "INSERT INTO actors (id, name, type, source_id, level) "
            "SELECT id, id, 'cso', 1, 'organisation' FROM _a"
        )
        con.unregister("_a")
        con.register("_t", pa.table({"tie_id": np.arange(1, len(e) + 1), "s": lo, "t": hi}))
        con.execute(
            "INSERT INTO ties SELECT tie_id, s, t, 'general', 'exchange', NULL, NULL, 1.0, false, "
            "['bench'], NULL FROM _t"
        )
        con.unregister("_t")
        con.execute(
            "INSERT INTO sources (id, name, sha256, importer) VALUES (1, 'ba', 'x', 'bench')"
        )


_PEAK_AT_EXIT = """
import atexit, sys

def _peak(path=sys.argv[1]):
    with open("/proc/self/status") as f:
        hwm = [line.split()[1] for line in f if line.startswith("VmHWM")]
    with open(path, "w") as out:
        out.write(hwm[0])

atexit.register(_peak)
sys.argv = ["civnet", *sys.argv[2:]]
from civnet.cli import main
main()
"""
"""The ``civnet`` command, writing its peak (``VmHWM``, kB) to a file as it exits. Not
``ru_maxrss``: a child's counts the memory of the process it was forked from (this one holds
the graph and the workspace's tables), which would hide a smaller command."""


def command_run(db: Path, fmt: str, out: Path) -> dict[str, Any]:
    """``civnet betweenness --format fmt`` on ``db`` in a child process: its wall time, peak
    (``VmHWM`` of the whole process at its exit, after the output), exit status and output
    size."""
    peak = out.with_suffix(".peak")
    args = ["--workspace", str(db), "betweenness", "-f", fmt]
    cmd = [sys.executable, "-c", _PEAK_AT_EXIT, str(peak), *args]
    t = time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - t
    if proc.returncode:
        err = proc.stderr.decode(errors="replace")
        raise SystemExit(f"civnet {' '.join(args)} failed ({proc.returncode}): {err[-2000:]}")
    mb = int(peak.read_text()) // 1024
    return {"peak": mb, "seconds": seconds, "bytes": out.stat().st_size}


def bench_command(
    tmp: Path, edges: Path, formats: list[str], kadabra: dict[str, Any] | None
) -> None:
    """The command's peak, cold and from the cache, for each format (see the module's doc)."""
    import duckdb

    db = tmp / "ba.duckdb"
    t = time.perf_counter()
    command_workspace(db, edges)
    print(f"workspace of the same graph written in {time.perf_counter() - t:.1f} s")
    for fmt in formats:
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE IF NOT EXISTS result_cache (key VARCHAR)")
        con.execute("DELETE FROM result_cache")  # cold: computed, kept, printed
        con.close()
        load = os.getloadavg()[0]
        cold = command_run(db, fmt, tmp / f"out.{fmt}")
        warm = command_run(db, fmt, tmp / f"again.{fmt}")
        same = (tmp / f"out.{fmt}").read_bytes() == (tmp / f"again.{fmt}").read_bytes()
        ratio = f", {cold['peak'] / kadabra['peak']:.2f} of KADABRA's" if kadabra else ""
        print(
            f"civnet betweenness -f {fmt:5s}: cold {cold['seconds']:.1f} s, peak {cold['peak']} MB"
            f"{ratio}; again (cache) {warm['seconds']:.2f} s, peak {warm['peak']} MB; output "
            f"{cold['bytes']:,} bytes, {'identical' if same else 'DIFFERENT'} the second time; "
            f"load {load:.2f} -> {os.getloadavg()[0]:.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--actors", type=int, default=200_000)
    ap.add_argument("--m", type=int, default=5)
    ap.add_argument("--eps", type=float, default=0.01)
    ap.add_argument(
        "--parts",
        default="computation,command",
        help="computation (KADABRA and civnet's computation), command (civnet betweenness)",
    )
    ap.add_argument("--formats", default="table,csv,json", help="the command's output formats")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, Path(args.path), args.eps)
        return
    parts = set(args.parts.split(","))
    import igraph as ig
    import numpy as np

    print(f"cores {os.cpu_count()}, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "edges.npy"
        ig.set_random_number_generator(__import__("random").Random(1))
        g = ig.Graph.Barabasi(args.actors, args.m, directed=False)
        g.simplify()
        np.save(path, np.asarray(g.get_edgelist(), dtype=np.int64))
        print(f"BA graph: {g.vcount():,} actors, {g.ecount():,} ties; eps {args.eps}, delta 0.1")
        del g
        res = {}
        for which in ("raw", "civnet") if "computation" in parts else ():
            cmd = [sys.executable, __file__, "--child", which, "--path", str(path)]
            cmd += ["--eps", str(args.eps)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            res[which] = json.loads(out.strip().splitlines()[-1])
            if which == "raw":
                r = res["raw"]
                print(f"raw KADABRA: peak {r['peak']} MB, {r['seconds']:.1f} s -- {r['method']}")
        if "command" in parts:
            bench_command(Path(tmp), path, args.formats.split(","), res.get("raw"))
    if not res:
        return
    for which, r in res.items():
        print(
            f"{which:7s} imports {r['imports']} MB, with its input {r['held']} MB, peak "
            f"{r['peak']} MB (the computation adds {r['peak'] - r['held']} MB); {r['seconds']:.1f} s"
            f" -- {r['method']}"
        )
    civ, raw = res["civnet"], res["raw"]
    print(
        f"civnet / raw KADABRA: peak {civ['peak'] / raw['peak']:.2f}, added by the computation "
        f"{(civ['peak'] - civ['held']) / max(1, raw['peak'] - raw['held']):.2f}, time "
        f"{civ['seconds'] / raw['seconds']:.2f}; load after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
