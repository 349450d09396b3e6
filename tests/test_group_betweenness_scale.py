"""Group betweenness at country scale: the sampled estimator against exact path counting."""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import pytest

from civnet.measures import group_betweenness
from civnet.views import Network
from tests.test_density_betweenness import brute_group_betweenness

gmod = sys.modules["civnet.measures.intermediation.group_betweenness"]


def country_graph(seed: int, *, directed: bool = False) -> nx.Graph:
    """A seeded random graph with pendants, its actors spread over five countries."""
    g = nx.gnm_random_graph(80, 160, seed=seed, directed=directed)
    rng = np.random.default_rng(seed)
    for k in range(20):
        g.add_edge(int(rng.integers(0, 80)), 100 + k)
    for i, v in enumerate(sorted(g)):
        g.nodes[v]["country"] = "ABCDE"[i % 5]
    return g


@pytest.mark.parametrize("directed", [False, True])
def test_sampled_group_betweenness_is_unbiased_within_its_interval(directed: bool) -> None:
    net = Network.from_networkx(country_graph(1, directed=directed))
    exact = group_betweenness(net, by="country", exact=True)
    assert exact.stderr is None and exact.method.startswith("exact")
    covered = 0
    runs = []
    for seed in range(40):
        est = group_betweenness(net, by="country", samples=300, seed=seed)
        assert est.ci95 is not None
        covered += int(np.sum(np.abs(est.values - exact.values) <= est.ci95))
        runs.append(est.values)
    # nominal 95% over 40 x 5 intervals; allow sampling noise in the coverage itself
    assert covered / (40 * 5) >= 0.88
    np.testing.assert_allclose(np.mean(runs, axis=0), exact.values, rtol=0.03)


def test_sampled_with_every_source_matches_enumeration_in_expectation() -> None:
    g = country_graph(2)
    net = Network.from_networkx(g)
    raw = group_betweenness(net, by="country", normalized=False, samples=2000, seed=1)
    for label, value, ci in zip(raw.groups, raw.values, raw.ci95, strict=True):  # type: ignore[arg-type]
        members = {v for v in g if g.nodes[v]["country"] == label}
        truth = brute_group_betweenness(g, members)
        assert abs(value - truth) <= 1.5 * ci + 1e-9, (label, value, truth, ci)


def test_large_views_switch_to_sampling_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.from_networkx(country_graph(3))
    assert group_betweenness(net, by="country").stderr is None
    monkeypatch.setattr(gmod, "GROUP_EXACT_WORK", 10)
    est = group_betweenness(net, by="country", seed=4)
    assert est.stderr is not None
    assert f"{gmod.GROUP_SAMPLES:,} sampled sources" in est.method and "95%" in est.method
    again = group_betweenness(net, by="country", seed=4)
    assert est.values.tolist() == again.values.tolist()
    forced = group_betweenness(net, by="country", exact=True)
    assert forced.stderr is None
