"""The dashboard's first view: when a page opened on a freshly started ``civnet serve`` is painted.

Starts the real command, ``civnet --workspace WORKSPACE serve --port P``, in a fresh process and
asks what the dashboard page asks, in its order (``static/dashboard.js``): the page, then
``/api/meta``, then ``/api/describe`` and ``/api/density?by=country`` together (the page's key
figures and heat map: ``data-state="ready"``), then the bounded approximation of the top brokers
(``/api/betweenness?top=10&approx=QUICK_EPS&delta=QUICK_DELTA``: the brokers panel), and the exact
ranking as a job (``POST /api/jobs/betweenness?top=10``, polled every 250 ms as the page does).

Times, from the command's start: when the server first answers (the page can be opened), and
when each panel is painted; the first paint is reported from both the command's start and from
the moment the server answers (what a user who opens the printed address waits). The machine's
load is printed beside them. The server reads the workspace's result cache: pass a workspace
whose cache is empty (a fresh ``civnet load --all``) for a cold start; ``--runs N`` repeats
the whole start (each run a new server process) and prints every run and the medians.

Usage: python benchmarks/first_view.py WORKSPACE [--runs N] [--port P]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

TIMEOUT_S = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, method: str = "GET", timeout: float = TIMEOUT_S) -> Any:
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
    return json.loads(body) if body[:1] in (b"{", b"[") else body


def one_run(workspace: str, port: int) -> dict[str, float]:
    """Start the server, open the page as the dashboard does; seconds from the command's start."""
    civnet = Path(sys.executable).with_name("civnet")
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(civnet), "--workspace", workspace, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    got: dict[str, float] = {}

    def at(name: str) -> None:
        got[name] = time.perf_counter() - t0

    try:
        while True:  # the page can be opened once the server answers
            if proc.poll() is not None:
                raise SystemExit(f"civnet serve exited: {proc.stderr.read().decode()[-400:]}")
            try:
                _get(base + "/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.perf_counter() - t0 > TIMEOUT_S:
                    raise SystemExit("civnet serve did not answer") from None
                time.sleep(0.02)
        at("answers")
        meta = _get(base + "/api/meta")
        quick = meta["quick_brokers"]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(_get, [base + "/api/describe", base + "/api/density?by=country"]))
        at("key figures")
        approx = _get(
            f"{base}/api/betweenness?top=10&approx={quick['approx']}&delta={quick['delta']}"
        )
        at("brokers, approximate")
        got["method"] = approx["records"][0]["method"] if approx.get("records") else ""  # type: ignore[assignment]
        job = _get(base + "/api/jobs/betweenness?top=10", method="POST")
        while job["status"] in ("queued", "running"):
            time.sleep(0.25)
            job = _get(f"{base}/api/jobs/{job['id']}")
        at("brokers, exact")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    got["first paint after it answers"] = got["brokers, approximate"] - got["answers"]
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    a = ap.parse_args()
    print(f"load before {os.getloadavg()}, cores {os.cpu_count()}")
    runs = []
    for i in range(a.runs):
        r = one_run(a.workspace, a.port or _free_port())
        runs.append(r)
        figures = ", ".join(f"{k} {v:.2f} s" for k, v in r.items() if k != "method")
        print(f"run {i + 1}: {figures}; load {os.getloadavg()[0]:.2f}")
    print(f"brokers method: {runs[-1]['method']}")
    if a.runs > 1:
        keys = [k for k in runs[0] if k != "method"]
        print(
            "medians: "
            + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.2f} s" for k in keys)
        )


if __name__ == "__main__":
    main()
