"""Bootstrap, permutation test and broker stability: exact small cases, seeds, invariances."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.errors import BadFilter
from civnet.importers.batch import Batch
from civnet.measures.statistics.uncertainty import (
    Resampler,
    betweenness_bootstrap,
    bootstrap,
    compare_periods,
    core_statistic,
    percentile_interval,
    permutation_test,
    source_clusters,
    with_actors_by_counts,
    with_ties_by_counts,
)
from civnet.store import Workspace
from civnet.views.network import Network


def write_dated_workspace(path: Path) -> None:
    """Six actors in three countries; ties formed 2016 (3), 2017 (1), 2019 (2), one ended 2018."""
    d = dt.date
    actors = pa.table(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "name": list("ABCDEF"),
            "type": ["city", "city", "university", "cso", "enterprise", "media"],
            "country": ["DEU", "FRA", "FRA", "POL", "POL", "DEU"],
        }
    )
    ties = pa.table(
        {
            "source": ["a", "a", "b", "c", "d", "e"],
            "target": ["b", "c", "d", "e", "f", "f"],
            "track": ["culture", "education", "culture", "economy_trade", "culture", "health"],
            "kind": ["sister_city", "exchange", "exchange", "agreement", "exchange", "exchange"],
            "start_date": pa.array(
                [
                    d(2016, 1, 1),
                    d(2016, 3, 1),
                    d(2016, 9, 1),
                    d(2017, 1, 1),
                    d(2019, 1, 1),
                    d(2019, 5, 1),
                ],
                pa.date32(),
            ),
            "end_date": pa.array([None, d(2018, 6, 1), None, None, None, None], pa.date32()),
            "weight": [1.0] * 6,
            "directed": [False] * 6,
            "ref": [f"row {i}" for i in range(6)],
        }
    )
    with Workspace(path) as ws:
        ws.ingest([Batch("dated", "dated.csv", "sha-dated", "test", actors, ties, 6)])


def _net(graph: nx.Graph) -> Network:
    return Network.from_networkx(graph)


def test_percentile_interval_of_known_replicates() -> None:
    iv = percentile_interval(5.0, np.arange(101, dtype=float), level=0.9)
    assert (iv.estimate, iv.low, iv.high) == pytest.approx((5.0, 5.0, 95.0))
    nan = percentile_interval(1.0, np.array([np.nan, np.nan]))
    assert np.isnan(nan.low) and nan.n_valid == 0


def test_actor_replicate_copies_ties_between_copies_by_hand() -> None:
    # path a - b - c; draw a twice, b once, c never
    net = _net(nx.Graph([("a", "b"), ("b", "c")]))
    rep = with_actors_by_counts(net, {"a": 2, "b": 1})
    assert sorted(rep.ids) == ["a", "a#1", "b"]
    edges = sorted(tuple(sorted((rep.ids[u], rep.ids[v]))) for u, v in rep.graph.get_edgelist())
    assert edges == [("a", "b"), ("a#1", "b")]


def test_tie_replicate_keeps_the_ends_of_the_drawn_ties() -> None:
    net = _net(nx.Graph([("a", "b"), ("b", "c"), ("c", "d")]))
    rep = with_ties_by_counts(net, np.array([2, 0, 1]))
    assert rep.ids == ["a", "b", "c", "d"]
    assert rep.ties.num_rows == 3 and rep.graph.ecount() == 2


def test_source_resampling_keeps_a_tie_when_any_of_its_sources_is_drawn() -> None:
    assert source_clusters([["s1:row 2", "s1:row 5", "s3:x"], None]) == [["s1", "s3"], ["?"]]
    net = _net(nx.Graph([("a", "b"), ("b", "c")]))
    sampler = Resampler([net], "sources", [[["s1:r1"], ["s2:r1", "s1:r2"]]])
    assert sampler.sources == ["s1", "s2"]
    rng = np.random.default_rng(3)
    sizes = {sampler.draw(rng)[0].ties.num_rows for _ in range(30)}
    # s1 twice -> 4 tie rows; s1+s2 -> 3; s2 twice -> 2 (only the b-c tie, twice)
    assert sizes == {2, 3, 4}


def test_same_seed_same_intervals_other_seed_other_draws() -> None:
    net = _net(nx.karate_club_graph())
    a = bootstrap(net, n_boot=30, seed=7)
    b = bootstrap(net, n_boot=30, seed=7)
    c = bootstrap(net, n_boot=30, seed=8)
    for k in ("density", "mean_betweenness"):
        assert np.array_equal(a[k].replicates, b[k].replicates)
        assert not np.array_equal(a[k].replicates, c[k].replicates)
        assert a[k].low <= a[k].estimate <= a[k].high


def test_isolated_actor_changes_no_draw() -> None:
    g = nx.karate_club_graph()
    base = bootstrap(_net(g), n_boot=20, seed=1)
    g.add_node("lonely")
    with_isolate = Network.from_networkx(g)
    reps = Resampler([with_isolate], "actors").draw(np.random.default_rng(1))[0]
    assert "lonely" in reps.ids
    again = bootstrap(with_isolate, n_boot=20, seed=1)
    n0, n1 = 34, 35
    # density scales with the number of actors only; the resampled ties are the same
    np.testing.assert_allclose(
        again["density"].replicates * (n1 * (n1 - 1)),
        base["density"].replicates * (n0 * (n0 - 1)),
    )


def test_unknown_unit_is_a_user_error() -> None:
    with pytest.raises(BadFilter, match="--resample"):
        bootstrap(_net(nx.path_graph(4)), n_boot=2, unit="people")
    with pytest.raises(BadFilter, match="--boot"):
        bootstrap(_net(nx.path_graph(4)), n_boot=0)


def _period(edges: list[tuple[str, str]], ids: list[int]) -> Network:
    actors = pa.table({"id": sorted({x for e in edges for x in e})})
    actors = actors.append_column("type", pa.array(["cso"] * actors.num_rows))
    actors = actors.append_column("country", pa.array([None] * actors.num_rows, pa.string()))
    ties = pa.table(
        {
            "tie_id": ids,
            "source": [u for u, _ in edges],
            "target": [v for _, v in edges],
            "track": ["general"] * len(edges),
            "weight": [1.0] * len(edges),
            "directed": [False] * len(edges),
        }
    )
    return Network.from_tables(actors, ties)


def test_permutation_p_value_is_exact_for_a_tiny_case() -> None:
    # before: one tie; after: two ties sharing an actor. Pooled 3 ties, labels (0, 1, 1).
    before = _period([("a", "b")], [1])
    after = _period([("c", "d"), ("d", "e")], [2, 3])

    def n_ties(net: Network) -> dict[str, float]:
        return {"ties": float(net.ties.num_rows)}

    # the number of ties per period is kept by every permutation: T* = T always, so the
    # permutation cannot test it (tests/test_uncertainty_rule.py has the rule)
    p = permutation_test(before, after, n_ties, n_perm=19, seed=0)
    assert p["ties"].value is None


def test_compare_finds_a_large_change_and_not_a_null_one() -> None:
    rng = np.random.default_rng(0)
    sparse = nx.gnm_random_graph(60, 70, seed=1)
    dense = nx.gnm_random_graph(60, 400, seed=2)
    same = nx.gnm_random_graph(60, 70, seed=3)
    b = _period([(f"v{u}", f"v{v}") for u, v in sparse.edges], list(range(70)))
    a = _period([(f"v{u}", f"v{v}") for u, v in dense.edges], list(range(100, 500)))
    s = _period([(f"v{u}", f"v{v}") for u, v in same.edges], list(range(600, 670)))
    (dens,) = [
        c for c in compare_periods(b, a, n_boot=60, n_perm=60, seed=4) if c.measure == "density"
    ]
    assert dens.difference.low > 0 and dens.p_value is not None and dens.p_value < 0.05
    assert dens.distinguishable and dens.verdict == "changed"
    (null,) = [
        c for c in compare_periods(b, s, n_boot=60, n_perm=60, seed=4) if c.measure == "density"
    ]
    assert not null.distinguishable
    assert rng is not None


def test_broker_stability_of_a_clear_star_centre() -> None:
    g = nx.star_graph(8)
    g.add_edges_from([(1, 2), (3, 4)])
    st = betweenness_bootstrap(_net(g), n_boot=40, top_k=1, seed=0)
    top = st.order()[0]
    assert st.ids[top] == "0"
    assert st.top_share[top] == 1.0  # the centre stays the top broker in every resample
    assert st.top_share.sum() == pytest.approx(1.0)
    assert np.all(st.low <= st.high)


def test_core_statistic_of_the_karate_club() -> None:
    net = _net(nx.karate_club_graph())
    s = core_statistic(net)
    g = nx.karate_club_graph()
    assert s == pytest.approx(
        {
            "density": nx.density(g),
            "mean_betweenness": float(np.mean(list(nx.betweenness_centrality(g).values()))),
        }
    )


def test_cli_compare_brokers_and_sources(cli) -> None:  # type: ignore[no-untyped-def]
    write_dated_workspace(cli.workspace)
    out = cli(
        "compare",
        "--before",
        "2016:2017",
        "--after",
        "2019:2019",
        "--boot",
        "20",
        "--permutations",
        "20",
        "--format",
        "json",
    ).output
    rows = {r["measure"]: r for r in json.loads(out)["measures"]}
    assert rows["ties"]["before"] == 4 and rows["ties"]["after"] == 5
    table = cli(
        "compare",
        "--before",
        "2016:2017",
        "--after",
        "2019",
        "--boot",
        "10",
        "--permutations",
        "10",
        "--resample",
        "sources",
    ).output
    assert "verdict" in table and "median-centred percentile" in table
    bad = cli("compare", "--before", "2016-2017", "--after", "2019", code=2)
    assert "FROM:TO" in bad.output
    brokers = json.loads(cli("brokers", "--boot", "10", "--top", "2", "--format", "json").output)[
        "records"
    ]
    assert len(brokers) == 2 and set(brokers[0]) >= {"betweenness", "low", "high", "in_top_2"}


def _mixed_network(seed: int, directed_share: float) -> Network:
    """Random actors (some isolated, some without a type) with parallel, mixed-direction ties."""
    rng = np.random.default_rng(seed)
    n, m = 40, 70
    ids = [f"a{i:02d}" for i in range(n)]
    types = [["cso", "city", "university", None][i % 4] for i in range(n)]
    src = rng.integers(0, n - 3, m)  # the last three actors stay isolated
    dst = (src + rng.integers(1, n - 3, m)) % (n - 3)
    dst[:3] = src[:3]  # self-ties, which some sources hold
    actors = pa.table({"id": ids, "name": ids, "type": types, "country": ["DEU"] * n})
    ties = pa.table(
        {
            "tie_id": list(range(m)),
            "source": [ids[i] for i in src],
            "target": [ids[i] for i in dst],
            "track": [["culture", "health", None][i % 3] for i in range(m)],
            "weight": [1.0] * m,
            "directed": (rng.random(m) < directed_share).tolist(),
        }
    )
    return Network.from_tables(actors, ties)


@pytest.mark.parametrize("directed_share", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("unit", ["actors", "ties"])
def test_replicate_statistics_equal_those_of_the_rebuilt_network(
    unit: str, directed_share: float
) -> None:
    # the fast path (arrays and a bare graph) against the replicate built as a Network
    from civnet.measures.change.timeline import core_factors
    from civnet.measures.statistics.uncertainty import evaluate

    net = _mixed_network(11, directed_share)
    sampler = Resampler([net], unit)
    rng = np.random.default_rng(5)
    for _ in range(6):
        (rep,) = sampler.replicates(rng)
        full = rep.network()
        assert evaluate(core_statistic, rep) == core_statistic(full)  # exact, bit for bit
        fast, slow = evaluate(core_factors, rep), core_factors(full)
        assert fast == pytest.approx(slow, rel=1e-12, abs=1e-15)


def test_mean_betweenness_of_a_replicate_against_networkx() -> None:
    # directed 3-cycle a -> b -> c -> a with a drawn twice, b once, c once: the two copies of a
    # are 3 apart (a -> b -> c -> a#1); NetworkX on the rebuilt graph is the oracle
    actors = pa.table({"id": ["a", "b", "c"], "type": ["cso"] * 3})
    ties = pa.table(
        {
            "source": ["a", "b", "c"],
            "target": ["b", "c", "a"],
            "weight": [1.0] * 3,
            "directed": [True] * 3,
        }
    )
    net = Network.from_tables(actors, ties)
    from civnet.measures.statistics.uncertainty import ViewArrays, actor_replicate, evaluate

    rep = actor_replicate(ViewArrays.of(net), np.array([2, 1, 1]))
    g = rep.network().to_networkx()
    assert sorted(g.nodes) == ["a", "a#1", "b", "c"]
    expected = float(np.mean(list(nx.betweenness_centrality(g).values())))
    assert evaluate(core_statistic, rep)["mean_betweenness"] == pytest.approx(expected)
    # density counts connected pairs, unordered (docs/views.md): nx.Graph of the replicate
    assert evaluate(core_statistic, rep)["density"] == pytest.approx(nx.density(nx.Graph(g)))


def _scorecard_network(seed: int, plain: bool = False) -> Network:
    """Actors of civil, state and hub types in four countries (some unknown); ties of every
    scorecard track, directed and undirected, parallel and reciprocated. ``plain``: civil actors
    and general ties only, so that most indicators are missing."""
    rng = np.random.default_rng(seed)
    n, m = 36, 90
    ids = [f"x{i:02d}" for i in range(n)]
    types = ["city", "university", "enterprise", "cso", "media", "state", "network", "igo"]
    countries = ["DEU", "FRA", "POL", "ITA", None]
    tracks = ["culture", "education", "economy_trade", "environment", "health", "general"]
    if plain:
        types, tracks = types[:5], ["general"]
    actors = pa.table(
        {
            "id": ids,
            "name": ids,
            "type": [types[i % len(types)] for i in range(n)],
            "country": [countries[i % len(countries)] for i in range(n)],
        }
    )
    src = rng.integers(0, n, m)
    dst = (src + rng.integers(1, n, m)) % n
    # reciprocated arcs and parallel ties on a few dyads; self-ties (some sources hold them)
    src = np.concatenate([src, dst[:6], src[6:10], [0, 1, 3]])
    dst = np.concatenate([dst, src[:6], dst[6:10], [0, 1, 3]])
    k = len(src)
    ties = pa.table(
        {
            "tie_id": list(range(k)),
            "source": [ids[i] for i in src],
            "target": [ids[i] for i in dst],
            "track": [tracks[i] for i in rng.integers(0, len(tracks), k)],
            "weight": [1.0] * k,
            "directed": (rng.random(k) < (0 if plain else 0.4)).tolist(),
        }
    )
    return Network.from_tables(actors, ties)


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("unit", ["actors", "ties"])
def test_scorecard_indicators_of_a_replicate_equal_the_generic_ones(unit: str, plain: bool) -> None:
    from civnet.measures.softpower.scorecard import INDICATORS, _ReplicateIndicators, _View

    net = _scorecard_network(3, plain)
    sampler = Resampler([net], unit)
    fast = _ReplicateIndicators(sampler.views[0])
    rng = np.random.default_rng(8)
    missing: set[str] = set()
    for _ in range(8):
        (rep,) = sampler.replicates(rng)
        scored, raws = fast.compute(rep, list(INDICATORS))
        v = _View.of(rep.network())
        assert scored == v.scored
        for name, ind in INDICATORS.items():
            expected = ind.compute(v)
            if isinstance(expected, str):
                assert raws[name] == expected
                missing.add(name)
            elif not name.endswith(("betweenness", "centrality")):
                assert raws[name] == pytest.approx(expected, rel=0, abs=0, nan_ok=True), name
            else:
                assert raws[name] == pytest.approx(expected, rel=1e-12, abs=1e-15), name
    # the plain network leaves six indicators without data; the rich one none
    assert len(missing) == (6 if plain else 0), missing


def test_scorecard_bootstrap_of_a_view_without_civil_actors_is_a_user_error() -> None:
    from civnet.errors import EmptyNetwork
    from civnet.measures.softpower.scorecard import scorecard_bootstrap
    from civnet.products.periods import load_config

    g = nx.path_graph(3)
    nx.set_node_attributes(g, "state", "type")
    with pytest.raises(EmptyNetwork, match="civil actor"):
        scorecard_bootstrap(Network.from_networkx(g, country="DEU"), load_config(None), n_boot=2)


@pytest.mark.parametrize("seed", range(4))
def test_centred_intervals_equal_centred_interval_of_each(seed: int) -> None:
    """Many intervals at once (the scorecard's) equal centred_interval of each statistic,
    bounds and notes, bit for bit: columns with NaN and infinite replicates, none finite,
    NaN estimates, estimates far off their replicates (notes), clipped to a range each."""
    from civnet.measures.statistics.uncertainty import centred_interval, centred_intervals

    rng = np.random.default_rng(seed)
    draws, stats = 60, 90
    reps = rng.normal(50, 20, (draws, stats)).round(rng.integers(0, 4))
    reps[rng.random((draws, stats)) < 0.2] = np.nan
    reps[rng.random((draws, stats)) < 0.02] = np.inf
    reps[:, :5] = np.nan  # no finite replicate
    reps[:, 5:10] = np.round(reps[:, 5:10] / 25)  # many ties with the estimate
    est = rng.normal(50, 30, stats).round(1)
    est[10:14] = np.nan
    est[14:20] = 200.0  # far above: a note
    est[5:10] = np.round(est[5:10] / 25)
    top = rng.integers(1, 120, stats).astype(float)
    for within in (None, (0.0, 100.0), (1.0, top)):
        for level in (0.95, 0.8):
            low, high, notes = centred_intervals(est, reps, level, within=within)
            for j in range(stats):
                w = (
                    None
                    if within is None
                    else (within[0], float(np.broadcast_to(within[1], est.shape)[j]))
                )
                iv = centred_interval(est[j], reps[:, j], level, within=w)
                assert (
                    np.array([iv.low, iv.high]).tobytes() == np.array([low[j], high[j]]).tobytes()
                )
                assert iv.note == notes[j]
    assert any(n and "lies" in n for n in notes)


def test_centred_intervals_of_no_statistic() -> None:
    from civnet.measures.statistics.uncertainty import centred_intervals

    low, high, notes = centred_intervals(np.zeros(0), np.zeros((30, 0)))
    assert low.size == high.size == 0 and notes == []
