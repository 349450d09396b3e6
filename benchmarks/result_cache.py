"""The result cache: a repeated measure against computing it, in one run.

On a copy of a workspace (default: the embedded datasets, ``civnet load --all``), times
``run_measure(ws, "betweenness", view, {"top": 10})`` computed (cold: the cache emptied first)
and answered from the cache, in this process; then the CLI: ``civnet betweenness --top 10``
twice (the second from the cache) beside ``civnet --version`` (the CLI's start-up alone), so
that the cache's own cost shows as the difference. Prints the machine's load with the figures.

    python benchmarks/result_cache.py [--workspace PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a child process."""
    before = os.times()
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = os.times()
    return wall, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path, default=None)
    args = ap.parse_args()

    from civnet.products.runner import run_measure
    from civnet.store import Workspace
    from civnet.views import ViewSpec

    with tempfile.TemporaryDirectory(prefix="civnet-cache-") as tmp:
        ws_path = Path(tmp) / "ws.duckdb"
        civnet = [sys.executable, "-m", "civnet", "--workspace", str(ws_path)]
        if args.workspace:
            shutil.copy(args.workspace, ws_path)
        else:
            subprocess.run([*civnet, "load", "--all"], check=True, capture_output=True)
        spec = ViewSpec.make()
        with Workspace(ws_path) as ws:
            ws.con.execute("DELETE FROM result_cache")
            t = time.perf_counter()
            cold = run_measure(ws, "betweenness", spec, {"top": 10})
            computed = time.perf_counter() - t
            t = time.perf_counter()
            hit = run_measure(ws, "betweenness", spec, {"top": 10})
            cached = time.perf_counter() - t
            assert hit == cold
            ws.con.execute("DELETE FROM result_cache")
        cli_cold = timed([*civnet, "betweenness", "--top", "10"])
        cli_hit = timed([*civnet, "betweenness", "--top", "10"])
        start = timed([*civnet, "--version"])
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    print(
        f"run_measure betweenness top 10: computed {computed:.2f} s, from the cache "
        f"{cached * 1000:.1f} ms (ratio {cached / computed:.5f})"
    )
    print(
        f"civnet betweenness --top 10: first {cli_cold[0]:.2f} s wall / {cli_cold[1]:.2f} s CPU, "
        f"second {cli_hit[0]:.2f} s / {cli_hit[1]:.2f} s; civnet --version {start[0]:.2f} s / "
        f"{start[1]:.2f} s (the repeat costs {cli_hit[1] - start[1]:+.2f} s CPU beyond start-up: "
        "opening the workspace, the cache lookup, the table)"
    )


if __name__ == "__main__":
    main()
