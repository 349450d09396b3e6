"""The dashboard's first view on a workspace: when its brokers can be painted.

Starts the server's service over WORKSPACE as ``civnet serve`` does (warmed, worker processes),
and times from start-up until the bounded approximation of the top brokers is ready (the
dashboard's first paint, ``QUICK_EPS``) and until the exact ranking is. Prints the machine's load
beside the figures. The workspace is opened read-only; its result cache is read, so clear it (or
use a fresh copy) for a cold start.

Usage: python benchmarks/first_view.py WORKSPACE
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def main() -> None:
    from civnet.products.serving.server import QUICK_DELTA, QUICK_EPS, Service
    from civnet.views import ViewSpec

    path = sys.argv[1]
    print(f"load before {os.getloadavg()}, cores {os.cpu_count()}")
    t0 = time.perf_counter()
    service = Service(path, processes=True)
    try:
        service.warm()
        spec = ViewSpec.make()
        quick = {"top": 10, "approx": QUICK_EPS, "delta": QUICK_DELTA}
        got: dict[str, float] = {}
        while len(got) < 2 and time.perf_counter() - t0 < 900:
            for name, params in (("approximate", quick), ("exact", {"top": 10})):
                if name not in got and service.plan("betweenness", spec, params)[1] is not None:
                    got[name] = time.perf_counter() - t0
            time.sleep(0.05)
        _, result = service.plan("betweenness", spec, quick)
        rows = result["records"] if result else []
        print(
            f"brokers approximate after {got.get('approximate', float('nan')):.1f} s"
            f" ({rows[0]['method'] if rows else ''}); exact after {got.get('exact', float('nan')):.1f} s;"
            f" load after {os.getloadavg()[0]:.2f}"
        )
    finally:
        service.close()


if __name__ == "__main__":
    main()
