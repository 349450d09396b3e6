"""civnet's KADABRA (adaptive, seeded, parallel sampling of shortest paths) on undirected views:
its constants and stopping rule counted by hand, its vertex-diameter bound against NetworkX's
diameter, its estimate within the stated bound of NetworkX's exact betweenness, and the same
estimate from either kernel and any thread count."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from civnet.measures import betweenness
from civnet.measures.intermediation import betweenness_approx as amod
from civnet.measures.intermediation.betweenness_approx import (
    KADABRA_BALANCE,
    _kadabra_deltas,
    _kadabra_done,
    kadabra_sample_size,
    vertex_diameter_bound,
)
from civnet.measures.intermediation.brandes import aot_module
from civnet.views import Network
from tests.test_density_betweenness import as_dict, nx_keys


def test_largest_sample_counted_by_hand() -> None:
    # 0.5 / 0.01^2 (floor(log2(11 - 2)) + 1 + ln(2 / 0.1)) = 5000 (3 + 1 + 2.995732...) = 34,978.66
    assert kadabra_sample_size(0.01, 0.1, 11) == 34_979
    # a vertex diameter of 3 or less: log2(1) = 0, 5000 (0 + 1 + 2.995732...) = 19,978.66
    assert kadabra_sample_size(0.01, 0.1, 3) == 19_979
    assert kadabra_sample_size(0.01, 0.1, 2) == 19_979
    # 0.5 / 0.05^2 (floor(log2(98)) + 1 + ln(2 / 0.05)) = 200 (6 + 1 + 3.688879...) = 2,137.78
    assert kadabra_sample_size(0.05, 0.05, 100) == 2_138


def test_stopping_rule_counted_by_hand() -> None:
    """One vertex, b = 0.1, its share d = e^-5 (L = 5), omega 1000, tau 500 (x = 2):
    g = 5/500 (7/3 + sqrt(49/9 + 2 * 0.1 * 1000 / 5)) = 0.0907458...,
    f = 5/500 (-5/3 + sqrt(25/9 + 40)) = 0.048738...: the rule stops for eps above g only."""
    b = np.array([0.1])
    share = np.array([math.exp(-5.0)])
    g = 0.01 * (7 / 3 + math.sqrt(49 / 9 + 40))
    f = 0.01 * (-5 / 3 + math.sqrt(25 / 9 + 40))
    assert g == pytest.approx(0.0907458, abs=1e-7) and f == pytest.approx(0.0487380, abs=1e-7)
    assert _kadabra_done(b, share, 1000, 500, eps=0.0908)
    assert not _kadabra_done(b, share, 1000, 500, eps=0.0907)
    # with a lower bound over eps but the upper one under it, the rule still waits
    assert not _kadabra_done(b, share, 1000, 500, eps=0.0487)
    # a vertex on no path yet (b = 0): f is capped by b, g = 5/500 * 2 * 7/3 = 0.046667
    assert _kadabra_done(np.array([0.0]), share, 1000, 500, eps=0.0467)
    assert not _kadabra_done(np.array([0.0]), share, 1000, 500, eps=0.0466)
    # every vertex must meet the rule
    assert not _kadabra_done(np.array([0.0, 0.1]), np.full(2, share[0]), 1000, 500, eps=0.05)


def test_failure_shares_keep_the_union_bound() -> None:
    """Both bounds of every vertex together fail with probability at most delta / 2."""
    rng = np.random.default_rng(3)
    for n, zeros in ((10, 3), (1000, 900), (50_000, 49_000)):
        b0 = rng.random(n) ** 4 / 10
        b0[rng.choice(n, zeros, replace=False)] = 0.0
        for eps, delta in ((0.01, 0.1), (0.05, 0.01)):
            shares = _kadabra_deltas(b0, eps, delta)
            assert 2 * shares.sum() <= delta / 2 * (1 + 1e-12)
            floor = KADABRA_BALANCE * delta / (4 * n)
            assert shares.min() >= floor * (1 - 1e-12)
            assert (shares[b0 == 0] == shares.min()).all()  # unseen vertices: the floor
            # a vertex seen more often gets a larger share of delta
            seen = np.flatnonzero(b0 > 0)
            order = seen[np.argsort(b0[seen])]
            assert (np.diff(shares[order]) >= 0).all()


@pytest.mark.parametrize("seed", range(5))
def test_vertex_diameter_bound_holds(seed: int) -> None:
    """At least the true vertex diameter (NetworkX's diameter + 1 of each component), at most
    twice it plus one."""
    g = nx.union_all(
        [
            nx.gnm_random_graph(80, 120 + 20 * seed, seed=seed),
            nx.path_graph(range(1000, 1000 + 12 + seed)),
            nx.star_graph(range(2000, 2006)),
        ]
    )
    true = max(nx.diameter(g.subgraph(c)) + 1 for c in nx.connected_components(g))
    bound = vertex_diameter_bound(Network.from_networkx(g).graph)
    assert true <= bound <= 2 * true + 1


def test_vertex_diameter_bound_of_simple_shapes() -> None:
    def bound(g: nx.Graph) -> int:
        return vertex_diameter_bound(Network.from_networkx(g).graph)

    assert bound(nx.path_graph(10)) == 10  # capped by the component's size
    assert bound(nx.star_graph(9)) == 3  # the hub's eccentricity is 1
    assert bound(nx.complete_graph(6)) == 3
    assert bound(nx.empty_graph(4)) == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_estimate_within_its_bound_and_adaptive(seed: int) -> None:
    """A preferential-attachment graph of 1,500 actors: every estimate within the stated eps
    of NetworkX's exact value, after at most the largest sample and the first phase's
    hundredth of it."""
    g = nx.barabasi_albert_graph(1500, 2, seed=seed)
    net = Network.from_networkx(g)
    exact = nx_keys(nx.betweenness_centrality(g))
    est = betweenness(net, approx=0.02, delta=0.1, seed=seed)
    got = as_dict(est)
    assert est.eps is not None and "KADABRA" in est.method
    assert max(abs(got[k] - exact[k]) for k in exact) <= est.eps
    vd = vertex_diameter_bound(net.graph)
    omega = kadabra_sample_size(0.02, 0.1, vd)
    assert est.n_samples is not None and est.n_samples <= omega + omega // 100
    assert f"{est.n_samples:,} samples" in est.method


needs_aot = pytest.mark.skipif(aot_module() is None, reason="the compiled kernel is not built")


@needs_aot
@pytest.mark.parametrize("directed", [False, True])
def test_both_kernels_draw_the_same_paths(monkeypatch: pytest.MonkeyPatch, directed: bool) -> None:
    g = nx.gnm_random_graph(300, 900, seed=4, directed=directed)
    net = Network.from_networkx(g)
    runs = {}
    for kernel in ("aot", "jit"):
        monkeypatch.setenv("CIVNET_BRANDES", kernel)
        b = betweenness(net, approx=0.03, seed=9)
        runs[kernel] = (b.values.tolist(), b.n_samples)
    assert runs["aot"] == runs["jit"]


@pytest.mark.parametrize("kernel", ["aot", "jit"])
def test_same_estimate_on_any_number_of_threads(
    monkeypatch: pytest.MonkeyPatch, kernel: str
) -> None:
    if kernel == "aot" and aot_module() is None:
        pytest.skip("the compiled kernel is not built")
    monkeypatch.setenv("CIVNET_BRANDES", kernel)
    net = Network.from_networkx(nx.barabasi_albert_graph(3000, 3, seed=2))
    runs = []
    for cores in (1, 2, 3):
        monkeypatch.setattr(amod, "free_cores", lambda cores=cores: cores)
        runs.append(betweenness(net, approx=0.02, seed=4))
    assert len({r.n_samples for r in runs}) == 1
    assert all(r.values.tolist() == runs[0].values.tolist() for r in runs)
    other = betweenness(net, approx=0.02, seed=5)
    assert other.values.tolist() != runs[0].values.tolist()


LEAN = """
import sys
import networkx as nx
from civnet.measures import betweenness
from civnet.views import Network
b = betweenness(Network.from_networkx(nx.barabasi_albert_graph(500, 2, seed=1)), approx=0.05)
assert "KADABRA" in b.method, b.method
print(sorted(m for m in ("numba", "networkit", "llvmlite") if m in sys.modules))
"""


@needs_aot
def test_undirected_approximation_loads_neither_numba_nor_networkit() -> None:
    """With the compiled kernel, the approximation runs without numba's JIT (about 100 MB and
    1-2 s of a process) or NetworKit."""
    env = {k: v for k, v in os.environ.items() if k != "CIVNET_BRANDES"}
    res = subprocess.run(
        [sys.executable, "-c", LEAN], capture_output=True, text=True, timeout=300, env=env
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_stops_before_its_largest_sample_when_the_rule_allows() -> None:
    """Adaptive: on 3,000 actors (vertex diameter bound 9, omega 29,979 at eps 0.01) the rule
    is met after 23,152 paths of phase 2 (checked every 1,000 or a 20th), 23,451 with phase 1."""
    net = Network.from_networkx(nx.barabasi_albert_graph(3000, 3, seed=1))
    assert vertex_diameter_bound(net.graph) == 9
    b = betweenness(net, approx=0.01, seed=7)
    assert kadabra_sample_size(0.01, 0.1, 9) == 29_979
    assert b.n_samples == 23_451


# -- a certified top -----------------------------------------------------------------------------


def test_clopper_pearson_equals_scipy_binomtest() -> None:
    from scipy.stats import binomtest

    from civnet.measures.intermediation.betweenness_approx import clopper_pearson

    counts = np.array([0, 1, 7, 500, 999, 1000])
    for side in (0.05, 0.001, 1e-7):
        lo, hi = clopper_pearson(counts, 1000, side)
        for x, a, b in zip(counts.tolist(), lo.tolist(), hi.tolist(), strict=True):
            ci = binomtest(x, 1000).proportion_ci(confidence_level=1 - 2 * side, method="exact")
            assert a == pytest.approx(ci.low, abs=1e-9) and b == pytest.approx(ci.high, abs=1e-9)


def test_certified_top_is_the_exact_top() -> None:
    """2,000 actors: the certified first ten are NetworkX's top ten (a gap of 0.0092 between
    the tenth and the eleventh), every value within the stated bound, the same run for the
    same seed."""
    g = nx.barabasi_albert_graph(2000, 2, seed=3)
    net = Network.from_networkx(g)
    exact = nx_keys(nx.betweenness_centrality(g))
    ranked = sorted(exact.values(), reverse=True)
    assert ranked[9] - ranked[10] == pytest.approx(0.0092, abs=1e-4)
    est = betweenness(net, approx=0.01, seed=3, certify_top=10)
    assert "the first 10 are the true top 10 (certified" in est.method
    one = betweenness(net, approx=0.01, seed=3, certify_top=1)
    assert "the first is the true top actor (certified" in one.method
    got = as_dict(est)
    assert max(abs(got[k] - exact[k]) for k in exact) <= est.eps
    first = {est.ids[i] for i in est.top(10)}
    assert first == set(sorted(exact, key=lambda k: -exact[k])[:10])
    again = betweenness(net, approx=0.01, seed=3, certify_top=10)
    assert again.values.tolist() == est.values.tolist() and again.method == est.method


def test_a_tie_at_the_top_is_not_certified() -> None:
    """A path of six actors: the two middle ones tie; no sample tells which is first."""
    net = Network.from_networkx(nx.path_graph(6))
    est = betweenness(net, approx=0.05, seed=1, certify_top=1)
    assert "the top actor is not certified" in est.method
    exact = nx_keys(nx.betweenness_centrality(nx.path_graph(6)))
    got = as_dict(est)
    assert max(abs(got[k] - exact[k]) for k in exact) <= est.eps


def test_certified_top_on_a_directed_view() -> None:
    """Riondato-Kornaropoulos's estimate (every value within eps) as stage one: the arcs of a
    2,000-actor graph both ways, a gap of 0.0606 after the third."""
    g = nx.barabasi_albert_graph(2000, 2, seed=2).to_directed()
    est = betweenness(Network.from_networkx(g), approx=0.02, seed=1, certify_top=3)
    exact = nx_keys(nx.betweenness_centrality(g))
    ranked = sorted(exact.values(), reverse=True)
    assert ranked[2] - ranked[3] == pytest.approx(0.0606, abs=1e-4)
    assert "Riondato" in est.method and "the first 3 are the true top 3 (certified" in est.method
    assert {est.ids[i] for i in est.top(3)} == set(sorted(exact, key=lambda k: -exact[k])[:3])
    got = as_dict(est)
    assert max(abs(got[k] - exact[k]) for k in exact) <= est.eps


def test_a_certified_top_needs_the_approximation_and_no_weights() -> None:
    from civnet.errors import BadFilter

    net = Network.from_networkx(nx.path_graph(6))
    with pytest.raises(BadFilter, match="for the approximation"):
        betweenness(net, certify_top=3)
    with pytest.raises(BadFilter, match="unweighted"):
        betweenness(net, approx=0.05, certify_top=3, weighted=True)


@pytest.mark.parametrize("directed", [False, True])
def test_progress_counts_the_paths_drawn_up_to_the_total(directed: bool) -> None:
    g = nx.gnm_random_graph(300, 900, seed=4, directed=directed)
    seen: list[tuple[int, int]] = []
    b = betweenness(
        Network.from_networkx(g), approx=0.03, seed=2, progress=lambda d, t: seen.append((d, t))
    )
    assert len(seen) >= 2 and all(d <= t for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == seen[-1][1]  # complete at the end, even when it stopped early
    assert b.n_samples is not None and seen[-2][0] == min(b.n_samples, seen[-2][1])
