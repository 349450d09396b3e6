"""The budget weighs the exact run on the machine's idle cores, never the moment's load (the
same view gets the same method at any load). Past it, betweenness switches to a bounded
approximation only when that is less work: Riondato-Kornaropoulos (directed or weighted views)
draws a fixed sample of shortest paths (at least 33,026 at eps 0.01, delta 0.1), which on a view
of a few thousand actors is more than the exact run's searches."""

from __future__ import annotations

from typing import Any

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


# -- the switch is a function of the view and the machine, not of the moment's load ---------------


def _at_load(monkeypatch: pytest.MonkeyPatch, load: float, free: int) -> None:
    """A 2-core machine at 1-minute load ``load`` with ``free`` idle cores (free_cores)."""
    import os
    import sys

    apx = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    bmod = sys.modules["civnet.measures.intermediation.betweenness"]
    monkeypatch.setattr(apx, "machine_cores", lambda: 2, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(apx, "free_cores", lambda requested=None: requested or free)
    monkeypatch.setattr(bmod, "free_cores", lambda requested=None: requested or free)


def _cycle_at(monkeypatch: pytest.MonkeyPatch, visits_per_second: float) -> Network:
    """A cycle of 10 (exactly 10 x (10 + 2 x 10) = 300 visits, one block), with Brandes'
    speed set so that its estimates read in seconds and minutes."""
    import sys

    apx = sys.modules["civnet.measures.intermediation.betweenness_approx"]
    monkeypatch.setattr(apx, "VISITS_PER_SECOND", visits_per_second)
    net = Network.from_networkx(nx.cycle_graph(10))
    assert exact_cost(net).visits == 300.0
    return net


def _quiet_then_busy(monkeypatch: pytest.MonkeyPatch, rate: float) -> tuple[Network, Any, Any]:
    """The cycle costed at ``rate`` visits a second (:func:`_cycle_at`), budgeted with seed 3
    on a quiet machine (load 0.5, 2 free cores), then on a busy one (load 10, 1 free core)."""
    from civnet.products import analyze as amod

    net = _cycle_at(monkeypatch, rate)
    _at_load(monkeypatch, 0.5, 2)
    quiet = amod.budgeted_betweenness(net, seed=3)
    _at_load(monkeypatch, 10.0, 1)
    return net, quiet, amod.budgeted_betweenness(net, seed=3)


def test_within_the_budget_on_idle_cores_exact_at_any_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 visits at 3 a second: 50 s on the 2 idle cores (exact, within 60 s); at load 10
    on 1 free core 300 / 3 x 5 = 500 s. Before, the busy machine switched to KADABRA."""
    from civnet.products import analyze as amod

    net, quiet, busy = _quiet_then_busy(monkeypatch, 3.0)
    for b in (quiet, busy):
        assert b.eps is None and b.method.startswith("exact")
        # every vertex of C10 (n even): (n - 2)^2 / 8 = 8 of the 36 pairs not its own
        assert b.values.tolist() == pytest.approx([8 / 36] * 10, abs=1e-12)
    assert busy.values.tolist() == quiet.values.tolist()
    assert quiet.notes == []
    assert busy.notes == [
        "computed exactly: about 50 s on this machine's 2 idle core(s), within the 60 s budget"
        " (about 8 min at the load when estimated, on 1 core(s)); the budget weighs the idle"
        " machine, so the method does not follow the load"
    ]
    report = amod.analyze(net, seed=3)  # busy still: the same method, the note said
    assert report.method["betweenness"].startswith("exact")
    assert "about 8 min at the load when estimated" in report.method["betweenness"]


def test_past_the_budget_on_idle_cores_approximate_at_any_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """300 visits at 0.05 a second: 3,000 s (50 min) on the 2 idle cores, past 60 s: KADABRA
    on a quiet and on a busy machine, the same seeded estimate; the busy machine's note adds
    its 300 / 0.05 x 5 = 30,000 s (8.3 h) and never contradicts the decision."""

    _, quiet, busy = _quiet_then_busy(monkeypatch, 0.05)
    for b in (quiet, busy):
        assert b.eps is not None and "KADABRA" in b.method
    assert busy.values.tolist() == quiet.values.tolist()
    assert busy.n_samples == quiet.n_samples
    assert quiet.notes == [
        "exact betweenness would take about 50 min on this machine's 2 idle core(s), over the"
        " 60 s budget; approximated instead (--exact to insist)"
    ]
    assert busy.notes == [
        "exact betweenness would take about 50 min on this machine's 2 idle core(s) (about"
        " 8.3 h at the load when estimated, on 1 core(s)), over the 60 s budget; approximated"
        " instead (--exact to insist)"
    ]


def test_the_switch_point_is_the_idle_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 2.5 visits a second the cycle's 300 visits take exactly 60 s on 2 idle cores: exact
    at the 60 s budget at any load; a budget of 59 s approximates at any load."""
    from civnet.products import analyze as amod

    net = _cycle_at(monkeypatch, 2.5)
    for load, free in ((0.1, 2), (1.9, 1), (40.0, 1)):
        _at_load(monkeypatch, load, free)
        assert amod.budgeted_betweenness(net, budget=60.0).eps is None
        assert amod.budgeted_betweenness(net, budget=59.0).eps is not None
