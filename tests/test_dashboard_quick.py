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
        tasks = service.warm().result(timeout=120)
        names = [(t.name, t.key) for t in tasks]
        slow = [k for n, k in names if n == "betweenness"]
        assert len(slow) == 2  # the approximation, then the exact run
        assert [n for n, _ in names] == [
            "describe",
            "density",
            "betweenness",
            "betweenness",
            "graph",
        ]
        assert all(t.future.done() and t.finished is not None for t in tasks)
        # the page's first paint (describe, density, the approximation) is done before the
        # exact run and the layout start: they do not compete with it for the cores
        first, then = tasks[:3], tasks[3:]
        assert max(t.finished or 0 for t in first) <= min(t.started for t in then)
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


def test_warm_on_kept_results_starts_nothing_and_is_done(workspace: Path) -> None:
    service = Service(workspace)
    try:
        service.warm().result(timeout=120)
        again = service.warm()
        assert again.result(timeout=5) == []  # every result kept: nothing computed twice
    finally:
        service.close()


def test_warm_on_an_empty_workspace_is_done_at_once(tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    Workspace(path).close()
    service = Service(path)
    try:
        assert isinstance(service.warm().result(timeout=30), list)
    finally:
        service.close()
