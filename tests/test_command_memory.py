"""What keeps the ``civnet betweenness`` command's memory down stays exact: partner counts from
igraph's neighbourhoods, the ranking by a stable sort of the values, the view without its tie
table (the CLI's betweenness), DuckDB's and the C heap's freed memory handed back."""

from __future__ import annotations

import json
import random
from pathlib import Path

import igraph as ig
import numpy as np
import pytest
from typer.testing import CliRunner

from civnet._lean import give_back_memory, return_big_arrays
from civnet.cli import app
from civnet.importers.tables import import_tables
from civnet.measures.intermediation.betweenness import Betweenness
from civnet.products.catalog import MEASURES
from civnet.products.runner import run_measure
from civnet.sql import connect, fetch_one, flush_after_tasks
from civnet.store import Workspace
from civnet.views import ViewSpec, build_network
from civnet.views.network import Network

DATA = Path(__file__).parent / "data" / "products"


@pytest.mark.parametrize("directed", [False, True])
def test_partner_counts_from_neighbourhoods_equal_the_pair_counts(directed: bool) -> None:
    """Loops, parallel ties and both directions: the distinct partners of each actor."""
    for seed in range(40):
        rnd = random.Random(seed)
        n = rnd.randint(1, 40)
        edges = [(rnd.randrange(n), rnd.randrange(n)) for _ in range(rnd.randint(0, 120))]
        g = ig.Graph(n=n, edges=edges, directed=directed)
        g.vs["name"] = [f"v{i:02d}" for i in range(n)]
        fresh = Network(graph=g, actors=None, ties=None)  # type: ignore[arg-type]
        paired = Network(graph=g, actors=None, ties=None)  # type: ignore[arg-type]
        paired.pair_edges()  # the counts of the pair list
        for a, b in zip(fresh.partner_counts(), paired.partner_counts(), strict=True):
            np.testing.assert_array_equal(a, b)
        want = [len({u for u in g.neighbors(v, mode="all") if u != v}) for v in range(n)]
        assert fresh.partner_counts()[0].tolist() == want


def test_ranking_by_a_stable_sort_is_the_ranking_by_value_then_id() -> None:
    for seed in range(300):
        rnd = random.Random(seed)
        ids = sorted({f"a{rnd.randint(0, 999)}" for _ in range(rnd.randint(0, 50))})
        if seed % 3 == 0:
            rnd.shuffle(ids)  # not in id order: the ids are compared
        values = np.array([rnd.choice([0.0, -0.0, 0.5, 0.25, rnd.random()]) for _ in ids])
        b = Betweenness(ids, values, True, False, False, "exact")
        want = sorted(range(len(ids)), key=lambda i: (-values[i], ids[i]))
        for k in (None, 0, 3, 100):
            assert b.top(k) == (want if k is None else want[:k])


@pytest.mark.parametrize("spec", [ViewSpec.make(), ViewSpec.make(level="country")])
def test_the_view_without_ties_gives_the_same_betweenness(tmp_path: Path, spec: ViewSpec) -> None:
    path = tmp_path / "ws.duckdb"
    m = MEASURES["betweenness"]
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
        net = build_network(ws, spec)
        light = m.light_inputs(ws, spec, rank_all=True)
        want = run_measure(ws, "betweenness", spec, {"rank_all": True}, cache=False)
        assert m.light_inputs(ws, spec, boot=5).ties.num_rows == net.ties.num_rows  # resampled
        assert MEASURES["describe"].light_inputs(ws, spec).ties.num_rows == net.ties.num_rows
    assert light.ties.num_rows == 0 < net.ties.num_rows
    assert light.graph.get_edgelist() == net.graph.get_edgelist()
    for name in light.graph.es.attributes():
        assert light.graph.es[name] == net.graph.es[name]
    for name in net.graph.vs.attributes():
        assert light.graph.vs[name] == net.graph.vs[name]
    with Workspace(path, read_only=True) as ws:
        closed = m.light_inputs(ws, spec, close=True, rank_all=True)
        with pytest.raises(Exception, match="closed"):
            ws.con.execute("SELECT 1")
    assert closed.graph.get_edgelist() == light.graph.get_edgelist()
    assert light.notes == net.notes and light.actors.schema == net.actors.schema
    assert light.actors.num_rows == 0 and "n_ties" not in light.graph.es.attributes()
    assert m.run(light, None, rank_all=True) == m.run(net, None, rank_all=True) == want
    # the command computes on the light view: the same JSON as the API
    args = ["--workspace", str(path), "betweenness", "--rank-all", "-f", "json"]
    if spec.level == "country":
        args[3:3] = ["--level", "country"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == want


def test_memory_given_back_changes_nothing() -> None:
    give_back_memory()  # glibc: malloc_trim; elsewhere nothing
    return_big_arrays()  # glibc: a fixed mmap threshold
    assert np.arange(10**6).sum() == 499999500000
    con = flush_after_tasks(connect())
    assert fetch_one(con, "SELECT current_setting('allocator_flush_threshold')") == ("0MB",)
    assert fetch_one(con, "SELECT sum(range) FROM range(1000)") == (499500,)


def test_the_graph_only_view_lets_the_ties_go_before_the_graph_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 200k actors / 1M ties the graph's build is the view's peak: the ties' Arrow table
    (about 35 MB) and their arrays must be gone by then, only the collapsed edges held."""
    import gc
    import weakref

    from civnet.views import network as nmod

    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    seen: dict[str, object] = {}
    tie_arrays, graph = nmod._tie_arrays, nmod._graph

    def reading(ids, ties):  # type: ignore[no-untyped-def]
        seen["ties"] = weakref.ref(ties)
        arrays = tie_arrays(ids, ties)
        seen["src"] = weakref.ref(arrays[0])
        return arrays

    def building(n, edges, directed):  # type: ignore[no-untyped-def]
        gc.collect()
        seen["alive"] = [k for k in ("ties", "src") if seen[k]() is not None]  # type: ignore[operator]
        return graph(n, edges, directed)

    monkeypatch.setattr(nmod, "_tie_arrays", reading)
    monkeypatch.setattr(nmod, "_graph", building)
    with Workspace(path, read_only=True) as ws:
        light = build_network(ws, ViewSpec.make(), graph_only=True)
    assert seen["alive"] == [] and light.graph.ecount() > 0
    with Workspace(path, read_only=True) as ws:
        full = build_network(ws, ViewSpec.make())  # the whole view keeps its tie table
    assert full.ties.num_rows > 0 and full.graph.get_edgelist() == light.graph.get_edgelist()
