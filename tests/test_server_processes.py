"""``civnet serve`` computes slow measures in worker processes: same results as in threads,
progress and cancellation across the process boundary, other requests answered meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civnet.importers.tables import import_tables
from civnet.products.serving.server import create_app
from civnet.store import Workspace

DATA = Path(__file__).parent / "data" / "products"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("procs") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


@pytest.fixture(scope="module")
def apps(workspace: Path):  # type: ignore[no-untyped-def]
    procs = create_app(workspace, workers=1, processes=True)
    threads = create_app(workspace, workers=1)
    yield TestClient(procs), TestClient(threads), procs.state.service
    procs.state.service.close()


def _wait(c: TestClient, job: dict, seconds: float = 120) -> dict:
    deadline = time.time() + seconds
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
    return job


@pytest.mark.parametrize(
    "query",
    ["betweenness?top=4", "betweenness?weighted=true&top=3", "ei?permutations=50&seed=2",
     "communities?seed=1", "graph?max_edges=20"],
)  # fmt: skip
def test_same_result_in_a_process_as_in_a_thread(apps, query: str) -> None:  # type: ignore[no-untyped-def]
    procs, threads, _ = apps
    a, b = procs.get(f"/api/{query}"), threads.get(f"/api/{query}")
    assert a.status_code == b.status_code == 200, (a.text, b.text)
    assert a.json() == b.json()


def test_progress_crosses_the_process_boundary(apps) -> None:  # type: ignore[no-untyped-def]
    procs, _, _ = apps
    job = _wait(procs, procs.post("/api/jobs/ei?permutations=3000&seed=9").json())
    assert job["status"] == "done", job
    assert (job["stage"], job["done"], job["total"]) == ("ei", 3000, 3000)


def test_cancel_stops_the_worker_and_others_are_answered_meanwhile(apps) -> None:  # type: ignore[no-untyped-def]
    procs, _, service = apps
    job = procs.post("/api/jobs/brokers?boot=100000&seed=5").json()  # minutes if left alone
    deadline = time.time() + 60
    while job["done"] == 0 and time.time() < deadline:  # the worker is computing
        time.sleep(0.1)
        job = procs.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "running" and job["done"] > 0, job
    assert procs.get("/api/describe").status_code == 200  # answered while it runs
    assert procs.get(f"/api/jobs/{job['id']}").json()["status"] == "running"
    assert procs.delete(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"
    deadline = time.time() + 30
    while service.pending() and time.time() < deadline:
        time.sleep(0.1)
    assert service.pending() == 0
    # the single worker process is free again
    assert procs.get("/api/betweenness?top=2").status_code == 200
