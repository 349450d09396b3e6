"""The one uncertainty rule: median-centred intervals that hold their estimate, p-values only where
the permutation can change the value, and a verdict that agrees with both."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.measures.change.timeline import COUNTS_FIXED_BY_TIES, core_factors
from civnet.measures.statistics.uncertainty import (
    INVARIANT_NOTE,
    Change,
    Interval,
    centred_interval,
    compare_periods,
    permutation_test,
)
from civnet.views.network import Network


def test_centred_interval_by_hand() -> None:
    reps = np.arange(1.0, 22.0)  # 1..21: median 11, 5 % and 95 % quantiles 2 and 20
    iv = centred_interval(8.0, reps, level=0.9)
    assert (iv.low, iv.high) == pytest.approx((8.0 - 9.0, 8.0 + 9.0))
    assert iv.note is None and iv.bias == pytest.approx(3.0)
    clipped = centred_interval(95.0, reps * 5, level=0.9, within=(0.0, 100.0))
    assert (clipped.low, clipped.high) == pytest.approx((50.0, 100.0))


def test_an_estimate_beyond_its_resamples_keeps_its_interval_with_a_note() -> None:
    # the components case: -25 with resamples spread over [-99, -26]: the percentile
    # interval [-97.2, -27.8] excluded its own estimate; the centred one holds it
    reps = np.linspace(-99.0, -26.0, 201)
    iv = centred_interval(-25.0, reps)
    lo, med, hi = np.quantile(reps, [0.025, 0.5, 0.975])
    assert (iv.low, iv.high) == pytest.approx((-25.0 + lo - med, -25.0 + hi - med))
    assert iv.low <= -25.0 <= iv.high and iv.excludes_zero is False
    assert iv.note is not None and "above 100% of its resamples" in iv.note
    constant = centred_interval(4.0, np.full(30, 4.0))
    assert (constant.low, constant.high, constant.note) == (4.0, 4.0, None)
    empty = centred_interval(4.0, np.full(3, np.nan))
    assert np.isnan(empty.low) and empty.excludes_zero is None


def test_centred_interval_always_holds_its_estimate() -> None:
    rng = np.random.default_rng(0)
    for trial in range(300):
        reps = np.round(rng.normal(rng.normal(), rng.uniform(0.1, 3), rng.integers(5, 80)), 1)
        est = float(np.round(rng.normal(), 1))
        iv = centred_interval(est, reps, within=(-2.0, 2.0) if trial % 2 else None)
        assert iv.low <= est <= iv.high, (trial, est, iv.low, iv.high)


def _change(low: float, high: float, p: float | None) -> Change:
    iv = Interval(1.0, low, high, 0.95, np.zeros(3))
    return Change("x", 0.0, 1.0, iv, p, 10, None if p is not None else "why")


def test_the_verdict_follows_the_tests_shown() -> None:
    assert _change(0.5, 1.5, 0.01).verdict == "changed"
    assert _change(0.5, 1.5, None).verdict == "changed"
    assert _change(-0.5, 1.5, 0.4).verdict == "no clear change"
    assert _change(-0.5, 1.5, None).verdict == "no clear change"
    assert _change(0.5, 1.5, 0.4).verdict == "tests disagree"
    assert _change(-0.5, 1.5, 0.01).verdict == "tests disagree"
    assert _change(float("nan"), float("nan"), None).verdict == "not assessed"
    assert _change(float("nan"), float("nan"), 0.01).verdict == "changed"


def _period(edges: list[tuple[str, str]], first_id: int) -> Network:
    ids = sorted({x for e in edges for x in e})
    actors = pa.table({"id": ids, "type": ["cso"] * len(ids), "country": [None] * len(ids)})
    ties = pa.table(
        {
            "tie_id": list(range(first_id, first_id + len(edges))),
            "source": [u for u, _ in edges],
            "target": [v for _, v in edges],
            "track": ["general"] * len(edges),
            "weight": [1.0] * len(edges),
            "directed": [False] * len(edges),
        }
    )
    return Network.from_tables(actors, ties)


def _gnm(n: int, m: int, seed: int, first_id: int) -> Network:
    g = nx.gnm_random_graph(n, m, seed=seed)
    return _period([(f"v{u}", f"v{v}") for u, v in g.edges], first_id)


def test_compare_verdict_agrees_with_an_interval_that_excludes_zero() -> None:
    before, after = _gnm(60, 70, 1, 0), _gnm(60, 400, 2, 1000)
    changes = {
        c.measure: c
        for c in compare_periods(
            before,
            after,
            core_factors,
            n_boot=60,
            n_perm=60,
            seed=4,
            untestable=COUNTS_FIXED_BY_TIES,
        )
    }
    dens = changes["density"]
    assert dens.difference.low > 0  # the interval excludes 0 ...
    assert dens.p_value is not None and dens.p_value < 0.05
    assert dens.verdict == "changed" and dens.distinguishable  # ... and the verdict agrees
    for c in changes.values():
        iv = c.difference
        assert iv.low <= iv.estimate <= iv.high, c.measure
        if iv.excludes_zero and (c.p_value is None or c.p_value < 0.05):
            assert c.verdict == "changed", c.measure
        if iv.excludes_zero is False and (c.p_value is None or c.p_value >= 0.05):
            assert c.verdict == "no clear change", c.measure


def test_a_deterministic_count_gets_no_p_value() -> None:
    before, after = _period([("a", "b")], 1), _period([("c", "d"), ("d", "e")], 2)

    def n_ties(net: Network) -> dict[str, float]:
        return {"ties": float(net.ties.num_rows)}

    # the permutation keeps each period's number of ties: every permuted difference is 1
    p = permutation_test(before, after, n_ties, n_perm=19, seed=0)["ties"]
    assert (p.value, p.note) == (None, INVARIANT_NOTE)
    (c,) = compare_periods(before, after, n_ties, n_boot=20, n_perm=19, seed=0)
    assert c.p_value is None and c.p_note == INVARIANT_NOTE
    # declared counts get no p-value either, with the reason
    rows = compare_periods(
        _gnm(30, 40, 1, 0),
        _gnm(30, 60, 2, 100),
        core_factors,
        n_boot=10,
        n_perm=10,
        untestable=COUNTS_FIXED_BY_TIES,
    )
    for c in rows:
        if c.measure in COUNTS_FIXED_BY_TIES:
            assert c.p_value is None and c.p_note == COUNTS_FIXED_BY_TIES[c.measure]
        elif c.measure in ("density", "mean_betweenness"):
            assert c.p_value is not None
        elif c.measure == "type_shannon":  # one actor type in both periods: always 0
            assert c.p_value is None and c.p_note == INVARIANT_NOTE


def test_permutation_p_value_is_two_sided_around_the_null() -> None:
    # before one tie (a-b), after two ties (c-d, d-e): 3 pooled rows, labels (0, 1, 1).
    before, after = _period([("a", "b")], 1), _period([("c", "d"), ("d", "e")], 2)

    def nodes(net: Network) -> dict[str, float]:
        return {"nodes": float(net.graph.vcount())}

    # T = 3 - 2 = 1. Each permutation puts one row in before (2 nodes) and two in after: 3
    # nodes when the two share d (rows c-d, d-e), else 4. T* = 1 when a-b is before (1/3 of
    # permutations), else 2: T is the smallest value, so p = 2 (1 + #{T* <= 1}) / (1 + N).
    rng = np.random.default_rng(5)
    labels = np.array([0, 1, 1])
    low = sum(int(rng.permutation(labels)[0] == 0) for _ in range(30))
    p = permutation_test(before, after, nodes, n_perm=30, seed=5)["nodes"]
    assert p.value == pytest.approx(min(1.0, 2 * (1 + low) / 31))
