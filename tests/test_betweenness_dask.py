"""Betweenness on a Dask cluster equals the single-process result."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from civnet.errors import UserError
from civnet.measures import betweenness
from civnet.measures.intermediation.betweenness_dask import dask_betweenness
from civnet.views import Network
from tests.test_betweenness_speedups import with_pendants_and_bridges
from tests.test_cli_core import florentine_ws  # noqa: F401  (fixture)
from tests.test_density_betweenness import GRAPHS


@pytest.fixture(scope="module")
def scheduler() -> str:  # type: ignore[misc]
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("name", ["karate", "random-1", "random-directed", "pendants"])
@pytest.mark.parametrize("weighted", [False, True])
def test_dask_equals_single_process(scheduler: str, name: str, weighted: bool) -> None:
    g = with_pendants_and_bridges(1, weighted=True) if name == "pendants" else GRAPHS[name]()
    net = Network.from_networkx(g)
    for normalized in (True, False):
        here = betweenness(net, weighted=weighted, normalized=normalized)
        there = dask_betweenness(net, scheduler, weighted=weighted, normalized=normalized, chunks=5)
        np.testing.assert_allclose(there.values, here.values, rtol=0, atol=1e-9)
        assert "5 chunks over 2 Dask worker thread(s)" in there.method


def test_dask_address_errors_are_one_line() -> None:
    net = Network.from_networkx(nx.path_graph(4))
    with pytest.raises(UserError, match="local:N with N >= 1"):
        dask_betweenness(net, "local:zero")


def test_cli_dask_gives_the_exact_values(scheduler: str, florentine_ws) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    import json

    out = json.loads(florentine_ws("betweenness", "--dask", scheduler, "-f", "json").output)[
        "records"
    ]
    exact = nx.betweenness_centrality(nx.florentine_families_graph())
    assert {r["id"]: r["betweenness"] for r in out} == pytest.approx(exact, abs=1e-9)


def test_dask_partial_sources_give_the_partial_sum(scheduler: str) -> None:
    g = GRAPHS["random-1"]()
    net = Network.from_networkx(g)
    src = np.array([0, 5, 17, 33], dtype=np.int64)
    part = dask_betweenness(net, scheduler, normalized=False, sources=src)
    want = np.asarray(net.graph.betweenness(directed=False, sources=src.tolist()))
    np.testing.assert_allclose(part.values, want, atol=1e-9)
    assert part.method.startswith("partial: 4 of 60 sources")


def test_each_worker_builds_the_graph_once(scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten tasks and a second run on the same graph: built at most once per worker (this test
    cluster's two workers are threads of one process, so once in all), not once per task."""
    import types

    import igraph as ig

    bd = __import__("civnet.measures.intermediation.betweenness_dask", fromlist=["_graphs"])
    builds: list[int] = []

    def counting_graph(*args: object, **kw: object) -> ig.Graph:
        builds.append(1)
        return ig.Graph(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(bd, "ig", types.SimpleNamespace(Graph=counting_graph))
    g = nx.gnm_random_graph(50, 120, seed=11)
    net = Network.from_networkx(g)
    want = betweenness(net, normalized=False).values
    for _ in range(2):
        got = dask_betweenness(net, scheduler, normalized=False, chunks=10)
        np.testing.assert_allclose(got.values, want, atol=1e-9)
    assert len(builds) == 1
