"""Progress on every long step: permutations of E-I and brokerage report as they go, with the
same result as without progress; server jobs show the same counts."""

from __future__ import annotations

import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from civnet.importers.tables import import_tables
from civnet.measures.intermediation.brokerage import brokerage
from civnet.measures.structure.ei import ei_index
from civnet.products.serving.server import create_app
from civnet.store import Workspace
from civnet.views.network import Network

DATA = Path(__file__).parent / "data" / "products"


def _net() -> Network:
    g = nx.connected_caveman_graph(4, 5)
    for v in g.nodes:
        g.nodes[v]["country"] = ["AAA", "BBB", "CCC"][v % 3]
    return Network.from_networkx(g)


def _recorder() -> tuple[list[tuple[int, int]], object]:
    calls: list[tuple[int, int]] = []
    return calls, lambda d, t: calls.append((d, t))


def _assert_counts_up_to(calls: list[tuple[int, int]], total: int) -> None:
    assert calls, "no progress reported"
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total
    assert {t for _, t in calls} == {total}


def test_ei_permutations_report_progress_and_keep_their_result() -> None:
    net = _net()
    calls, progress = _recorder()
    with_progress = ei_index(net, "country", permutations=3000, seed=7, progress=progress)  # type: ignore[arg-type]
    _assert_counts_up_to(calls, 3000)
    plain = ei_index(net, "country", permutations=3000, seed=7)
    assert with_progress.permutation is not None and plain.permutation is not None
    assert with_progress.permutation.p_greater == plain.permutation.p_greater
    assert np.array_equal(with_progress.permutation.group_mean, plain.permutation.group_mean)


def test_brokerage_permutations_report_progress_and_keep_their_result() -> None:
    net = _net()
    calls, progress = _recorder()
    with_progress = brokerage(net, "country", permutations=250, seed=3, progress=progress)  # type: ignore[arg-type]
    _assert_counts_up_to(calls, 250)
    assert len(calls) <= 101  # throttled to about a hundred steps
    plain = brokerage(net, "country", permutations=250, seed=3)
    assert with_progress.permutation is not None and plain.permutation is not None
    assert np.array_equal(with_progress.permutation.total_mean, plain.permutation.total_mean)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = tmp_path_factory.mktemp("progress") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return TestClient(create_app(path))


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("ei?permutations=400", 400),
        ("brokerage?permutations=30", 30),
        ("brokerage?permutations=30&per_track=true", 5 * 30),
    ],
)
def test_server_jobs_show_permutation_progress(client: TestClient, query: str, total: int) -> None:
    job = client.post(f"/api/jobs/{query}").json()
    deadline = time.time() + 60
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    assert (job["done"], job["total"]) == (total, total)
