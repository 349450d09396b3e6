"""Past the budget, betweenness switches to a bounded approximation only when that is less
work: Riondato-Kornaropoulos (directed or weighted views) draws a fixed sample of shortest paths
(at least 33,026 at eps 0.01, delta 0.1), which on a view of a few thousand actors is more than
the exact run's searches."""

from __future__ import annotations

import networkx as nx
import pytest

from civnet.measures.intermediation.betweenness_approx import exact_cost, rk_sample_size
from civnet.views.network import Network


def test_directed_view_stays_exact_when_sampling_costs_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from civnet.products import analyze as amod

    g = nx.gnm_random_graph(300, 900, seed=4, directed=True)
    net = Network.from_networkx(g)
    monkeypatch.setattr(amod, "EXACT_BUDGET_SECONDS", 0.0)
    b = amod.budgeted_betweenness(net)
    assert b.eps is None and b.method.startswith("exact")
    r = rk_sample_size(0.01, 0.1, 300)  # the vertex diameter bounded by the component's size
    assert r == 113_026  # 1e4 x (floor(log2 298) + 1 + ln 10)
    assert "over the 0 s budget" in b.notes[0] and f"would draw {r:,} shortest-path" in b.notes[0]
    assert r >= exact_cost(net).visits / (300 + 900)  # more samples than the exact run's searches
    want = nx.betweenness_centrality(g)
    assert b.values == pytest.approx([want[int(a)] for a in net.ids], abs=1e-9)


def test_undirected_view_past_the_budget_is_still_approximated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from civnet.products import analyze as amod

    net = Network.from_networkx(nx.gnm_random_graph(300, 900, seed=4))
    monkeypatch.setattr(amod, "EXACT_BUDGET_SECONDS", 0.0)
    b = amod.budgeted_betweenness(net, seed=1)
    assert b.eps is not None and "KADABRA" in b.method
