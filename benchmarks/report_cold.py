"""`civnet report` cold on the embedded data: one core against two, in one run.

Loads the embedded datasets into a workspace once (``civnet load --all``; or copies
``--workspace``), then for each round runs ``civnet report --cores 1`` and ``--cores 2`` (and
``auto``, the cores ``free_cores`` chooses) on a fresh copy of it (an empty result cache:
cold), alternating the order between rounds. Prints wall time, CPU time of the command and its
children (the second process included) and the load average before and after each run. The numba kernels are compiled by a first, untimed report.

The 15 s goal (issue 12 item 4) is for a quiet machine: compare the ``--cores 2`` wall time
with the load printed beside it (below 0.5 for a quiet 2-core machine).

``--before SRC``: also run, in each round and alternating with this checkout, the civnet whose
``src`` folder is SRC (e.g. ``git archive <commit> src | tar -x -C /tmp/before``, its AOT
kernel built there with ``PYTHONPATH=/tmp/before/src python -m
civnet.measures.intermediation.brandes_build``), with ``--cores 2``: the comparator in the
same run. ``--cores`` limits the runs to the listed settings (``1``, ``2``, ``auto``).

    python benchmarks/report_cold.py [--rounds 2] [--workspace PATH] [--boot 200]
        [--before SRC] [--cores 2 auto]
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


def run(
    civnet: list[str], ws: Path, out: Path, extra: list[str], src: Path | None = None
) -> tuple[float, float]:
    """Wall and CPU seconds (of the command and its children) of one report; ``src``: run
    the civnet of that ``src`` folder instead of this one."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    before = os.times()
    t = time.perf_counter()
    subprocess.run(
        [*civnet, "--workspace", str(ws), "report", "--out", str(out), *extra],
        check=True,
        capture_output=True,
        env=env,
    )
    wall = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--boot", type=int, default=200)
    ap.add_argument("--before", type=Path, default=None, help="src folder of the comparator")
    ap.add_argument("--cores", nargs="+", default=["1", "2", "auto"], choices=["1", "2", "auto"])
    args = ap.parse_args()
    civnet = [sys.executable, "-m", "civnet"]
    with tempfile.TemporaryDirectory(prefix="civnet-report-") as tmp:
        base = Path(tmp) / "base.duckdb"
        if args.workspace:
            shutil.copy(args.workspace, base)
        else:
            subprocess.run(
                [*civnet, "--workspace", str(base), "load", "--all"],
                check=True,
                capture_output=True,
            )
        boot = ["--boot", str(args.boot)]
        warm = Path(tmp) / "warm.duckdb"
        shutil.copy(base, warm)  # compiles the numba kernels (cached on disk), untimed
        run(civnet, warm, Path(tmp) / "warm.html", boot)
        if args.before:
            shutil.copy(base, warm)
            run(civnet, warm, Path(tmp) / "warm.html", boot, args.before)
        print(f"{'run':8} {'load before -> after':>22} {'wall':>8} {'CPU':>8}")
        for r in range(args.rounds):
            order = [["1"], ["2"], []] if r % 2 == 0 else [["2"], ["1"], []]
            order = [c for c in order if (c[0] if c else "auto") in args.cores]
            runs: list[tuple[list[str], Path | None]] = [(c, None) for c in order]
            if args.before:
                first = r % 2 == 1  # the comparator first in every other round
                runs.insert(0 if first else len(runs), (["2"], args.before))
            for cores, src in runs:
                ws = Path(tmp) / f"cold{r}{''.join(cores)}{'b' if src else ''}.duckdb"
                shutil.copy(base, ws)
                load0 = os.getloadavg()[0]
                extra = [*boot, *(["--cores", cores[0]] if cores else [])]
                wall, cpu = run(civnet, ws, Path(tmp) / "r.html", extra, src)
                load1 = os.getloadavg()[0]
                label = f"{cores[0]} core{'s' if cores[0] != '1' else ''}" if cores else "auto"
                label = f"before {cores[0]}" if src else label
                print(
                    f"{label:8} {load0:10.2f} -> {load1:<8.2f} {wall:7.1f}s {cpu:7.1f}s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
