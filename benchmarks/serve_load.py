"""Load on ``civnet serve``: 50 loopback clients for 30 s against the embedded workspace.

Starts ``civnet serve`` in its own process on a free loopback port over the embedded datasets
(``civnet load --all`` into a temporary workspace, or ``--workspace PATH``). First, twenty
concurrent betweenness requests with different ``top`` on the fresh server (issue 12: all
answered, memory bounded; they share one computation): wall time and the peak memory of the
server with its processes. Then the clients: each keeps one HTTP connection and alternates ``GET /api/describe`` with a cached top-brokers request
(``GET /api/betweenness?top=10``). It prints, per request kind, the requests answered, errors,
throughput and the p50/p99 latency seen by the clients, with the machine's load. The clients
are threads of this process: client and server share the machine's cores, so the latencies
include the clients' own time (the same holds for any client on the machine).

    python benchmarks/serve_load.py [--clients 50] [--seconds 30] [--burst 20] [--workspace PATH]

Aim (issue 11): p99 < 250 ms for cached requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REQUESTS = {
    "describe": "/api/describe",
    "top brokers (cached)": "/api/betweenness?top=10",
}


def civnet(*args: str) -> list[str]:
    return [sys.executable, "-m", "civnet", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def wait_up(port: int, timeout: float) -> float:
    """Wait until the server answers ``/api/meta``; seconds taken."""
    t0 = time.perf_counter()
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            status, _ = get(conn, "/api/meta")
            conn.close()
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        if time.perf_counter() - t0 > timeout:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and its descendants, from /proc (Linux)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for p in tree:
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def burst(port: int, server_pid: int, n: int) -> None:
    """``n`` concurrent betweenness requests with different ``top`` on a fresh server."""
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def one(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
        t = time.perf_counter()
        try:
            status, body = get(conn, f"/api/betweenness?top={k}")
            ok = status == 200 and len(json.loads(body)) == k
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
        with lock:
            results.append((int(ok), time.perf_counter() - t))

    peak = tree_rss(server_pid)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=one, args=(k,)) for k in range(1, n + 1)]
    for th in threads:
        th.start()
    while any(th.is_alive() for th in threads):
        peak = max(peak, tree_rss(server_pid))
        time.sleep(0.5)
    wall = time.perf_counter() - t0
    answered = sum(ok for ok, _ in results)
    print(
        f"{n} concurrent betweenness requests (top=1..{n}) on a fresh server: {answered} of {n} "
        f"answered in {wall:.1f} s; peak memory of the server and its processes "
        f"{peak / 2**20:,.0f} MB"
    )


def client(port: int, stop: float, out: dict[str, list[float]], errors: dict[str, int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    names = list(REQUESTS)
    i = 0
    while time.perf_counter() < stop:
        name = names[i % len(names)]
        i += 1
        t = time.perf_counter()
        try:
            status, body = get(conn, REQUESTS[name])
            ok = status == 200 and bool(json.loads(body))
        except (OSError, http.client.HTTPException, ValueError):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        elapsed = time.perf_counter() - t
        if ok:
            out[name].append(elapsed)
        else:
            errors[name] += 1
    conn.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
        if len(values) > 1
        else values[0]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--burst", type=int, default=20, help="concurrent betweenness requests first")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="civnet-serve-load-")
    ws = args.workspace
    if ws is None:
        ws = Path(tmp.name) / "embedded.duckdb"
        t = time.perf_counter()
        subprocess.run(
            civnet("--workspace", str(ws), "load", "--all"), check=True, capture_output=True
        )
        print(f"embedded workspace loaded in {time.perf_counter() - t:.1f} s")
    port = free_port()
    server = subprocess.Popen(
        civnet("--workspace", str(ws), "serve", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        up = wait_up(port, timeout=120)
        print(f"server answering after {up:.1f} s")
        burst(port, server.pid, args.burst)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for path in REQUESTS.values():  # fill the caches the load phase reads
            status, body = get(conn, path)
            if status != 200:
                raise SystemExit(f"{path}: {status} {body[:200]!r}")
        conn.close()
        out: dict[str, list[float]] = {n: [] for n in REQUESTS}
        errors: dict[str, int] = dict.fromkeys(REQUESTS, 0)
        stop = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=client, args=(port, stop, out, errors))
            for _ in range(args.clients)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        load = os.getloadavg()
        print(
            f"{args.clients} clients, {args.seconds:.0f} s, loopback; "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)"
        )
        print(f"{'request':<24}{'answered':>10}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
        for name in REQUESTS:
            v = out[name]
            print(
                f"{name:<24}{len(v):>10,}{errors[name]:>8}{len(v) / args.seconds:>8.1f}"
                f"{1000 * pct(v, 50):>9.1f}{1000 * pct(v, 99):>9.1f}"
            )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        tmp.cleanup()


if __name__ == "__main__":
    main()
