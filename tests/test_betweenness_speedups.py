"""Exact speed-ups of betweenness (blocks, pendant folding) and the bounded approximation,
each against NetworkX on graphs with pendants, bridges, articulation points, weights, direction."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from civnet.measures import betweenness
from civnet.measures.intermediation.betweenness_approx import exact_cost
from civnet.views import Network
from tests.test_cli_core import florentine_ws  # noqa: F401  (fixture)
from tests.test_density_betweenness import GRAPHS, as_dict, nx_keys

bmod = sys.modules["civnet.measures.intermediation.betweenness"]


@pytest.fixture
def always_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every component, however small, takes the structural route."""
    monkeypatch.setattr(bmod, "BLOCKS_ABOVE", 0)
    monkeypatch.setattr(bmod, "DIRECTED_BLOCKS_ABOVE", 0)


def with_pendants_and_bridges(seed: int, *, weighted: bool = False) -> nx.Graph:
    """A random core, 15 pendants, a bridged triangle with a tail, a separate path component."""
    rng = np.random.default_rng(seed)
    g = nx.gnm_random_graph(40, 55 + seed, seed=seed)
    g = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    nodes = sorted(g)
    for k in range(15):
        g.add_edge(int(rng.choice(nodes)), 100 + k)
    g.add_edges_from([(nodes[0], 200), (200, 201), (201, 202), (202, 200), (202, 203)])
    g.add_edges_from([(300, 301), (301, 302), (302, 303)])
    for u, v in g.edges():
        g[u][v]["weight"] = float(rng.choice([0.5, 1.0, 2.0, 4.0])) if weighted else 1.0
    return g


STRUCTURED = {
    "pendants-1": lambda: with_pendants_and_bridges(1),
    "pendants-2": lambda: with_pendants_and_bridges(2),
    "pendants-3": lambda: with_pendants_and_bridges(3),
    "barbell": lambda: nx.barbell_graph(5, 3),
    "tree": lambda: nx.balanced_tree(2, 4),
    "star": lambda: nx.star_graph(7),
    "cycle": lambda: nx.cycle_graph(9),
    "lollipop": lambda: nx.lollipop_graph(6, 4),
}


@pytest.mark.parametrize("name", sorted(GRAPHS) + sorted(STRUCTURED))
@pytest.mark.parametrize("normalized", [True, False])
def test_structural_route_equals_networkx(always_blocks: None, name: str, normalized: bool) -> None:
    g = (GRAPHS | STRUCTURED)[name]()
    b = betweenness(Network.from_networkx(g), normalized=normalized)
    want = nx_keys(nx.betweenness_centrality(g, normalized=normalized))
    assert as_dict(b) == pytest.approx(want, abs=1e-9)
    if not g.is_directed():
        assert "biconnected blocks" in b.method


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pendant_folding_weighted_equals_networkx(always_blocks: None, seed: int) -> None:
    g = with_pendants_and_bridges(seed, weighted=True)
    for _, _, d in g.edges(data=True):
        d["cost"] = 1.0 / d["weight"]
    for normalized in (True, False):
        b = betweenness(Network.from_networkx(g), weighted=True, normalized=normalized)
        assert "pendants folded" in b.method
        want = nx_keys(nx.betweenness_centrality(g, weight="cost", normalized=normalized))
        assert as_dict(b) == pytest.approx(want, abs=1e-9)


def test_uniform_weights_take_the_block_route(always_blocks: None) -> None:
    g = with_pendants_and_bridges(4)
    b = betweenness(Network.from_networkx(g), weighted=True)
    assert "biconnected blocks" in b.method
    assert as_dict(b) == pytest.approx(nx_keys(nx.betweenness_centrality(g)), abs=1e-9)


def test_zero_weight_ties_carry_no_path(always_blocks: None) -> None:
    g = with_pendants_and_bridges(5, weighted=True)
    u, v = next(iter(g.edges()))
    g[u][v]["weight"] = 0.0
    oracle = g.copy()
    oracle.remove_edge(u, v)
    for _, _, d in oracle.edges(data=True):
        d["cost"] = 1.0 / d["weight"]
    got = as_dict(betweenness(Network.from_networkx(g), weighted=True))
    assert got == pytest.approx(nx_keys(nx.betweenness_centrality(oracle, weight="cost")), abs=1e-9)


def mixed_directed(seed: int) -> nx.DiGraph:
    """A civil network's shape: mostly mutual arcs (undirected ties walked both ways), some
    one-way arcs inside the core and on pendants, a hanging triangle with a one-way tail, a
    separate component with a one-way end."""
    rng = np.random.default_rng(seed)
    core = nx.gnm_random_graph(30, 45, seed=seed)
    core = core.subgraph(max(nx.connected_components(core), key=len)).copy()
    g = nx.DiGraph()

    def tie(u: int, v: int, mutual: float) -> None:
        r = rng.random()
        if r < mutual:
            g.add_edges_from([(u, v), (v, u)])
        elif r < (1 + mutual) / 2:
            g.add_edge(u, v)
        else:
            g.add_edge(v, u)

    for u, v in core.edges():
        tie(u, v, 0.6)
    nodes = sorted(g)
    for k in range(12):
        tie(int(rng.choice(nodes)), 100 + k, 0.5)
    g.add_edges_from(
        [(nodes[0], 200), (200, 201), (201, 202), (202, 200), (202, 203), (203, 202), (204, 203)]
        + [(201, 205), (205, 206), (206, 205)]
    )
    g.add_edges_from([(300, 301), (301, 302), (302, 301), (302, 303)])
    return g


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("normalized", [True, False])
def test_directed_blocks_equal_networkx(always_blocks: None, seed: int, normalized: bool) -> None:
    g = mixed_directed(seed)
    b = betweenness(Network.from_networkx(g), normalized=normalized)
    assert "directed Brandes over biconnected blocks" in b.method
    want = nx_keys(nx.betweenness_centrality(g, normalized=normalized))
    assert as_dict(b) == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_directed_blocks_on_random_digraphs(always_blocks: None, seed: int) -> None:
    """No mutual arcs at all: every block is searched for who reaches whom."""
    g = nx.gnm_random_graph(40, 70 + 10 * seed, seed=seed, directed=True)
    b = betweenness(Network.from_networkx(g), normalized=False, workers=2)
    want = nx_keys(nx.betweenness_centrality(g, normalized=False))
    assert as_dict(b) == pytest.approx(want, abs=1e-9)


def test_directed_cost_counts_blocks_only() -> None:
    """A directed tree costs nothing exact; a mutual cycle its n (n + 2n) visits."""
    tree = Network.from_networkx(nx.bfs_tree(nx.balanced_tree(2, 4), 0))
    assert exact_cost(tree).visits == 0.0
    cycle = Network.from_networkx(nx.cycle_graph(10).to_directed())
    assert exact_cost(cycle).visits == 10 * (10 + 2 * 10)


def test_blocks_on_two_threads_equal_one(always_blocks: None) -> None:
    net = Network.from_networkx(with_pendants_and_bridges(6))
    one = betweenness(net, workers=1)
    two = betweenness(net, workers=2)
    assert "2 thread(s)" in two.method
    np.testing.assert_allclose(two.values, one.values, atol=1e-12)


def test_free_cores_follows_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bmod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bmod, "_busy_recently", lambda: None)  # where /proc/stat is not there
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (0.3, 0.3, 0.3))
    assert bmod.free_cores() == 2
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    assert bmod.free_cores() == 1
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (7.0, 7.0, 7.0))
    assert bmod.free_cores() == 1
    assert bmod.free_cores(3) == 3


def test_free_cores_takes_the_processors_now_when_the_average_lags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bmod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    monkeypatch.setattr(bmod, "_busy_recently", lambda: 0.05)  # the other work just ended
    assert bmod.free_cores() == 2
    monkeypatch.setattr(bmod, "_busy_recently", lambda: 1.6)  # still running
    assert bmod.free_cores() == 1
    # the smaller count wins: work that just started is not yet in the average, and is
    # not taken from it (the average alone decided before)
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(bmod, "_busy_recently", lambda: 1.9)
    assert bmod.free_cores() == 2


def test_busy_cores_reads_the_share_not_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal
    stat.write_text("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\n")

    def later(_: float) -> None:  # 400 jiffies pass: 100 idle, 0 iowait, 300 busy
        stat.write_text("cpu  300 0 200 800 100 0 0 0 0 0\ncpu0 1 2 3\n")

    monkeypatch.setattr(bmod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bmod.time, "sleep", later)
    assert bmod.busy_cores(0.0, str(stat)) == pytest.approx(2 * 300 / 400)
    assert bmod.busy_cores(0.0, str(tmp_path / "absent")) is None
    stat.write_text("cpu  1 2\n")
    assert bmod.busy_cores(0.0, str(stat)) is None


def test_free_cores_watches_the_processors_at_most_once_per_ttl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    monkeypatch.setattr(bmod, "busy_cores", lambda: calls.append(1) or 0.0)
    monkeypatch.setattr(bmod, "_busy_seen", (-1e9, None))
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    for _ in range(50):  # e.g. a timeline's yearly betweenness runs
        bmod.free_cores()
    assert len(calls) == 1


def test_busy_cores_on_this_machine_is_within_its_cpus() -> None:
    now = bmod.busy_cores()
    if now is not None:
        assert 0.0 <= now <= (os.cpu_count() or 1)


def test_progress_reaches_the_total(always_blocks: None) -> None:
    seen: list[tuple[int, int]] = []
    betweenness(
        Network.from_networkx(with_pendants_and_bridges(7)),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- approximation with a guarantee -----------------------------------------------------------


def seeded_graph(seed: int, *, directed: bool = False, weighted: bool = False) -> nx.Graph:
    g = nx.gnm_random_graph(250, 700, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for u, v in g.edges():
        g[u][v]["weight"] = float(rng.choice([0.5, 1.0, 2.0, 4.0])) if weighted else 1.0
        g[u][v]["cost"] = 1.0 / g[u][v]["weight"]
    return g


@pytest.mark.parametrize(
    ("directed", "weighted", "engine"),
    [(False, False, "KADABRA"), (False, True, "Riondato"), (True, False, "Riondato")],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_approximation_within_its_stated_bound(
    directed: bool, weighted: bool, engine: str, seed: int
) -> None:
    g = seeded_graph(seed, directed=directed, weighted=weighted)
    net = Network.from_networkx(g)
    weight = "cost" if weighted else None
    for normalized in (True, False):
        est = betweenness(
            net, approx=0.01, delta=0.1, seed=seed, weighted=weighted, normalized=normalized
        )
        exact = nx_keys(nx.betweenness_centrality(g, weight=weight, normalized=normalized))
        got = as_dict(est)
        assert est.eps is not None and est.delta == 0.1 and est.n_samples
        worst = max(abs(got[k] - exact[k]) for k in exact)
        assert worst <= est.eps, (worst, est.eps)
        assert engine in est.method and "probability at least 0.9" in est.method
    n = g.number_of_nodes()
    assert betweenness(net, approx=0.01, weighted=weighted).eps == pytest.approx(0.01 * n / (n - 2))


@pytest.mark.parametrize("seed", range(4))
def test_directed_sampler_within_its_bound_on_mixed_views(seed: int) -> None:
    """civnet's bidirectional Riondato-Kornaropoulos sampler on the shape of a mixed view."""
    g = mixed_directed(seed)
    net = Network.from_networkx(g)
    exact = nx_keys(nx.betweenness_centrality(g))
    for eps in (0.05, 0.02):
        est = betweenness(net, approx=eps, seed=seed)
        assert "bidirectional" in est.method and est.eps is not None
        got = as_dict(est)
        assert max(abs(got[k] - exact[k]) for k in exact) <= est.eps


def test_directed_sampler_draws_paths_uniformly() -> None:
    """With a million samples the estimate is within 0.002 of the exact value everywhere (its
    stated eps is 0.003): a sampler favouring some shortest paths over others would miss it by
    more (a pair's paths split unevenly between sigma-weighted branches)."""
    g = nx.gnm_random_graph(60, 200, seed=5, directed=True)
    g.add_edges_from([(100, 101), (100, 102), (101, 103), (102, 103), (102, 104), (103, 105)])
    g.add_edges_from([(104, 105), (105, 0), (0, 100)])
    net = Network.from_networkx(g)
    est = betweenness(net, approx=0.003, seed=1)
    exact = nx_keys(nx.betweenness_centrality(g))
    got = as_dict(est)
    assert max(abs(got[k] - exact[k]) for k in exact) <= 0.002


def test_directed_sampler_does_not_depend_on_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    amod = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    net = Network.from_networkx(mixed_directed(2))
    monkeypatch.setattr(amod, "free_cores", lambda: 1)
    one = betweenness(net, approx=0.02, seed=7).values
    monkeypatch.setattr(amod, "free_cores", lambda: 2)
    two = betweenness(net, approx=0.02, seed=7).values
    assert one.tolist() == two.tolist()


def test_approximation_is_seeded() -> None:
    net = Network.from_networkx(seeded_graph(3))
    a = betweenness(net, approx=0.02, seed=5)
    b = betweenness(net, approx=0.02, seed=5)
    assert a.values.tolist() == b.values.tolist()


def test_kadabra_gives_the_same_estimate_whatever_the_cores_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """civnet's KADABRA draws fixed seeded chunks and checks its rule after fixed counts of
    paths, so the seed alone decides the estimate, however busy the machine is. (NetworKit's
    parallel KADABRA, which civnet ran before, did not: even in its deterministic mode it
    stopped after 19,302 or 14,538 samples on this graph, as its threads' timing fell.)"""
    amod = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    net = Network.from_networkx(nx.barabasi_albert_graph(20_000, 5, seed=1))
    runs = []
    for cores in (1, 2, 2):
        monkeypatch.setattr(amod, "free_cores", lambda cores=cores: cores)
        runs.append(betweenness(net, approx=0.01, seed=7))
    assert {r.n_samples for r in runs} == {runs[0].n_samples}
    for r in runs[1:]:
        assert r.values.tolist() == runs[0].values.tolist()


def test_approximation_refuses_what_it_cannot_bound() -> None:
    from civnet.errors import BadFilter

    net = Network.from_networkx(seeded_graph(4, directed=True, weighted=True))
    with pytest.raises(BadFilter, match="weighted directed"):
        betweenness(net, approx=0.01, weighted=True)
    with pytest.raises(BadFilter, match="between 0 and 1"):
        betweenness(net, approx=1.5)


def test_exact_cost_counts_blocks_only() -> None:
    tree = Network.from_networkx(nx.balanced_tree(3, 5))
    assert exact_cost(tree).visits == 0.0
    cycle = Network.from_networkx(nx.cycle_graph(10))
    assert exact_cost(cycle).visits == 10 * (10 + 2 * 10)
    assert exact_cost(Network.from_networkx(seeded_graph(1))).seconds > 0


# -- products: the budget, the CLI ---------------------------------------------------------------


def test_past_the_budget_the_approximation_is_used_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from civnet.products import analyze as amod

    net = Network.from_networkx(seeded_graph(6))
    within = amod.budgeted_betweenness(net)
    assert within.method.startswith("exact") and not within.notes
    monkeypatch.setattr(amod, "EXACT_BUDGET_SECONDS", 0.0)
    over = amod.budgeted_betweenness(net, seed=2)
    assert over.eps is not None and "KADABRA" in over.method
    assert "over the 0 s budget" in over.notes[0] and "--exact" in over.notes[0]
    forced = amod.budgeted_betweenness(net, exact=True)
    assert forced.eps is None and forced.method.startswith("exact")
    report = amod.analyze(net)
    assert "KADABRA" in report.method["betweenness"]
    assert "over the 0 s budget" in report.method["betweenness"]


def test_cli_approx_states_its_bound(florentine_ws) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    run = florentine_ws
    out = json.loads(run("betweenness", "--approx", "0.05", "--seed", "1", "-f", "json").output)[
        "records"
    ]
    g = nx.florentine_families_graph()
    exact = nx.betweenness_centrality(g)
    assert out[0]["delta"] == 0.1 and "KADABRA" in out[0]["method"]
    assert all(abs(r["betweenness"] - exact[r["id"]]) <= r["eps"] for r in out)
    bad = run("betweenness", "--approx", "2", code=2).output
    assert "approx must be > 0" in bad


def test_exact_cost_grows_with_the_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """``seconds`` (what a run started now would take) follows the load; ``idle_seconds`` (what
    the products decide on) does not: the cycle's 300 visits on the machine's 2 cores."""
    amod = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    net = Network.from_networkx(nx.cycle_graph(10))
    monkeypatch.setattr(amod, "machine_cores", lambda: 2)
    monkeypatch.setattr(amod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bmod.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(bmod, "_busy_recently", lambda: None)  # the load average decides
    monkeypatch.setattr(amod.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    quiet = exact_cost(net)
    assert quiet.threads == 2 and quiet.cores == 2
    assert quiet.seconds == pytest.approx(300 / (amod.VISITS_PER_SECOND * 2))
    assert quiet.idle_seconds == quiet.seconds
    monkeypatch.setattr(amod.os, "getloadavg", lambda: (10.0, 10.0, 10.0))
    monkeypatch.setattr(bmod.os, "getloadavg", lambda: (10.0, 10.0, 10.0))
    busy = exact_cost(net)
    assert busy.threads == 1 and busy.cores == 2
    assert busy.seconds == pytest.approx(300 / amod.VISITS_PER_SECOND * 5)
    assert busy.idle_seconds == quiet.idle_seconds == 300 / (amod.VISITS_PER_SECOND * 2)
    assert busy == quiet  # the fields: the view and the machine only


def test_exact_cost_reads_no_load_until_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The decision's estimate never calls free_cores (which may watch /proc/stat for 0.1 s)
    nor the load average; the present load's estimate reads them once, when asked."""
    amod = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    calls: list[str] = []

    def free() -> int:
        calls.append("free")
        return 1

    def slowdown() -> float:
        calls.append("load")
        return 3.0

    monkeypatch.setattr(amod, "free_cores", free)
    monkeypatch.setattr(amod, "_load_slowdown", slowdown)
    monkeypatch.setattr(amod, "machine_cores", lambda: 4)
    cost = exact_cost(Network.from_networkx(nx.cycle_graph(10)))
    assert cost.idle_seconds == 300 / (amod.VISITS_PER_SECOND * 4) and calls == []
    assert cost.seconds == 300 / amod.VISITS_PER_SECOND * 3.0
    assert cost.seconds == cost.seconds and sorted(calls) == ["free", "load"]


def test_machine_cores_takes_the_affinity_and_the_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    amod = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    assert 1 <= amod.machine_cores() <= (os.cpu_count() or 1)  # this machine
    monkeypatch.setattr(amod.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    v2 = tmp_path / "cpu.max"
    assert amod.machine_cores((str(tmp_path / "absent"),)) == 4
    v2.write_text("max 100000\n")
    assert amod.machine_cores((str(v2),)) == 4
    v2.write_text("150000 100000\n")  # 1.5 CPUs of time: two cores run it
    assert amod.machine_cores((str(v2),)) == 2
    v2.write_text("800000 100000\n")  # a quota above the affinity: the affinity
    assert amod.machine_cores((str(v2),)) == 4
    v1 = tmp_path / "cpu.cfs_quota_us"
    v1.write_text("100000\n")
    (tmp_path / "cpu.cfs_period_us").write_text("100000\n")
    assert amod.machine_cores((str(v1),)) == 1
    v1.write_text("-1\n")
    assert amod.machine_cores((str(v1),)) == 4


def test_edge_array_via_text_is_the_edge_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large graphs hand their edges over as text (no Python tuple per edge): the same edges."""
    import igraph as ig

    from civnet.measures.intermediation.betweenness import edge_array

    g = ig.Graph.Barabasi(3000, 3, directed=True)
    monkeypatch.setattr(bmod, "EDGES_VIA_TEXT", 0)
    got = edge_array(g)
    want = np.asarray(g.get_edgelist(), dtype=np.int64)
    assert got.shape == want.shape
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, want.tolist()))
    assert edge_array(ig.Graph(n=4)).shape == (0, 2)


@pytest.mark.parametrize("seed", range(3))
def test_blocks_from_edges_as_text_equal_networkx(
    always_blocks: None, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(bmod, "EDGES_VIA_TEXT", 0)
    for g in (mixed_directed(seed), with_pendants_and_bridges(seed + 1)):
        b = betweenness(Network.from_networkx(g), normalized=False)
        want = nx_keys(nx.betweenness_centrality(g, normalized=False))
        assert as_dict(b) == pytest.approx(want, abs=1e-9)
    g = mixed_directed(seed)
    est = betweenness(Network.from_networkx(g), approx=0.05, seed=seed)
    exact = nx_keys(nx.betweenness_centrality(g))
    assert max(abs(as_dict(est)[k] - exact[k]) for k in exact) <= est.eps


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_many_small_components_in_one_run_equal_networkx(directed: bool, weighted: bool) -> None:
    """Small components run as one igraph call on their union (as a yearly view's hundreds)."""
    rng = np.random.default_rng(3)
    g: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    base = 0
    for k in range(40):
        size = 3 + k % 5
        part = nx.gnm_random_graph(size, size + k % 3, seed=k, directed=directed)
        g.add_edges_from((base + u, base + v) for u, v in part.edges())
        base += size
    big = mixed_directed(1) if directed else with_pendants_and_bridges(1)
    g.add_edges_from((10_000 + u, 10_000 + v) for u, v in big.edges())
    for u, v in g.edges():
        g[u][v]["weight"] = float(rng.choice([0.5, 1.0, 2.0])) if weighted else 1.0
        g[u][v]["cost"] = 1.0 / g[u][v]["weight"]
    comps = nx.weakly_connected_components(g) if directed else nx.connected_components(g)
    assert sum(1 for c in comps if len(c) >= 3) > 30
    for normalized in (True, False):
        b = betweenness(Network.from_networkx(g), weighted=weighted, normalized=normalized)
        want = nx.betweenness_centrality(
            g, weight="cost" if weighted else None, normalized=normalized
        )
        assert as_dict(b) == pytest.approx(nx_keys(want), abs=1e-9)
