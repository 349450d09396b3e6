"""The dashboard's brokers: a bounded approximation first (warmed at start-up), exact when ready.

The approximation states its bound (eps, delta, samples) and every value lies within eps of the
exact one on this seeded workspace; the exact job then returns the CLI's numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civnet.importers.tables import import_tables
from civnet.products.serving.server import QUICK_DELTA, QUICK_EPS, Service, create_app
from civnet.store import Workspace
from civnet.views import ViewSpec

DATA = Path(__file__).parent / "data" / "products"
QUICK = f"top=10&approx={QUICK_EPS}&delta={QUICK_DELTA}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("quick") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


def test_meta_names_the_quick_approximation(workspace: Path) -> None:
    meta = TestClient(create_app(workspace)).get("/api/meta").json()
    assert meta["quick_brokers"] == {"approx": QUICK_EPS, "delta": QUICK_DELTA}


def test_quick_brokers_state_their_bound_and_keep_it(workspace: Path) -> None:
    client = TestClient(create_app(workspace))
    quick = client.get(f"/api/betweenness?{QUICK}&rank_all=true").json()["records"]
    exact = client.get("/api/betweenness?top=10&rank_all=true").json()["records"]
    assert quick and exact
    for r in quick:
        assert r["method"].startswith("approximate:")
        assert r["delta"] == QUICK_DELTA and r["samples"] > 0
        assert r["eps"] > 0
    assert all("eps" not in r for r in exact)
    every = client.get("/api/betweenness?rank_all=true").json()["records"]
    values = {r["id"]: r["betweenness"] for r in every}
    for r in quick:
        assert abs(r["betweenness"] - values[r["id"]]) <= r["eps"]


def test_warm_computes_the_quick_brokers_first(workspace: Path) -> None:
    service = Service(workspace)
    try:
        tasks = service.warm()
        names = [(t.name, t.key) for t in tasks]
        slow = [k for n, k in names if n == "betweenness"]
        assert len(slow) == 2  # the approximation, then the exact run
        for t in tasks:
            t.future.result(timeout=60)
        _, hit = service.plan(
            "betweenness", ViewSpec.make(), {"top": 10, "approx": QUICK_EPS, "delta": QUICK_DELTA}
        )
        assert hit is not None and hit["records"][0]["eps"] > 0
        _, again = service.plan("betweenness", ViewSpec.make(), {"top": 10})
        assert (
            again is not None and "eps" not in again["records"][0]
        )  # kept in memory: served at once
    finally:
        service.close()
