"""The four-channel scorecard: hand-built orderings, invariances, missing channels, seeds, CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from civnet.errors import BadFilter
from civnet.measures.softpower.scorecard import (
    INDICATORS,
    parse_config,
    scale,
    scorecard,
    scorecard_bootstrap,
    weight_sensitivity,
)
from civnet.products.periods import load_config
from civnet.views.network import Network

ACTORS = {
    # id: (type, country)
    "d1": ("city", "DEU"),
    "d2": ("university", "DEU"),
    "d3": ("enterprise", "DEU"),
    "f1": ("city", "FRA"),
    "p1": ("cso", "POL"),
    "p2": ("media", "POL"),
    "i1": ("university", "ITA"),
    "c40": ("network", None),
}
TIES = [
    # source, target, track, directed
    ("d1", "f1", "culture", False),
    ("d1", "f1", "education", False),  # a multi-track dyad
    ("d2", "p1", "education", False),
    ("d2", "i1", "culture", False),
    ("p2", "d3", "economy_trade", True),  # foreign -> DEU enterprise
    ("i1", "d3", "economy_trade", True),
    ("d1", "d2", "general", False),  # domestic
    ("d1", "c40", "environment", False),
    ("d2", "c40", "environment", False),
    ("f1", "c40", "environment", False),
    ("f1", "p1", "general", False),
]


def make_net(
    ties: list[tuple[str, str, str, bool]] = TIES,
    actors: dict[str, tuple[str, str | None]] = ACTORS,
    relabel: dict[str, str] | None = None,
) -> Network:
    relabel = relabel or {}
    table = pa.table(
        {
            "id": list(actors),
            "name": list(actors),
            "type": [t for t, _ in actors.values()],
            "country": [relabel.get(c, c) if c else None for _, c in actors.values()],
        }
    )
    tt = pa.table(
        {
            "tie_id": list(range(1, len(ties) + 1)),
            "source": [s for s, _, _, _ in ties],
            "target": [t for _, t, _, _ in ties],
            "track": [tr for _, _, tr, _ in ties],
            "kind": ["exchange"] * len(ties),
            "weight": [1.0] * len(ties),
            "directed": [d for *_, d in ties],
        }
    )
    return Network.from_tables(table, tt)


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    """The shipped config with the validity rules loosened for this four-country example: an
    indicator counts when it varies (non-zero for 1+ countries), every scored country ranks.
    ``tests/test_scorecard_validity.py`` checks the shipped thresholds."""
    return dataclasses.replace(load_config(None), min_countries=1, min_ties=0)


def test_default_config_names_every_indicator_once(config) -> None:  # type: ignore[no-untyped-def]
    used = [k for ch in config.channels for k in ch.indicators]
    assert sorted(used) == sorted(INDICATORS)
    assert [ch.name for ch in config.channels] == [
        "communication",
        "institutional",
        "cultural",
        "governance",
    ]
    assert {ch.weight for ch in config.channels} == {1.0}
    assert config.scaling == "minmax"


def test_raw_indicators_by_hand(config) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(make_net(), config)
    assert card.countries == ["DEU", "FRA", "ITA", "POL"]
    raw = {k: card.indicators[k].raw for k in card.indicators}
    assert raw["partner_countries"] == {"DEU": 3, "FRA": 2, "ITA": 1, "POL": 2}
    # DEU civil actors with a tie: d1, d2, d3; cross-border tie records: d1-f1 x2, d2-p1,
    # d2-i1, p2->d3, i1->d3 = 6
    assert raw["ties_per_civil_actor"] == pytest.approx(
        {"DEU": 2.0, "FRA": 3.0, "ITA": 2.0, "POL": 1.5}
    )
    # DEU dyads: d1-f1 (2 tracks), d2-p1, d2-i1, p2-d3, i1-d3 -> 1 of 5
    assert raw["multitrack_share"] == pytest.approx(
        {"DEU": 0.2, "FRA": 0.5, "ITA": 0.0, "POL": 0.0}
    )
    # DEU: E = 6, I = 2 (d1-d2 seen from both ends)
    assert raw["ei_index"] == pytest.approx({"DEU": 0.5, "FRA": 1.0, "ITA": 1.0, "POL": 1.0})
    assert raw["inbound_econ_ties"] == {"DEU": 2.0, "FRA": 0.0, "ITA": 0.0, "POL": 0.0}
    assert raw["inbound_share"] == pytest.approx(
        {"DEU": 1.0, "FRA": np.nan, "ITA": 0.0, "POL": 0.0}, nan_ok=True
    )
    assert raw["culture_reach"] == {"DEU": 3.0, "FRA": 1.0, "ITA": 1.0, "POL": 1.0}
    assert raw["hub_reach"] == {"DEU": 1.0, "FRA": 1.0, "ITA": 0.0, "POL": 0.0}
    # culture + education network: f1 - d1 and p1 - d2 - i1 (d1-d2 is general); n = 5,
    # d2 brokers one pair of 6
    assert raw["culture_centrality"] == pytest.approx(
        {"DEU": 1 / 6, "FRA": 0.0, "ITA": 0.0, "POL": 0.0}
    )
    # governance network: star d1, d2, f1 around c40; members have betweenness 0
    assert raw["governance_betweenness"] == {"DEU": 0.0, "FRA": 0.0, "ITA": 0.0, "POL": 0.0}


def test_obvious_channel_ordering_checked_whole(config) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(make_net(), config)
    scores = {k: ch.score for k, ch in card.channels.items()}
    # communication: partner 100/50/0/50, ties/actor 33.3/100/33.3/0, multitrack 40/100/0/0,
    # E-I 0/100/100/100
    assert scores["communication"] == pytest.approx(
        {
            "DEU": (100 + 100 / 3 + 40 + 0) / 4,
            "FRA": (50 + 100 + 100 + 100) / 4,
            "ITA": (0 + 100 / 3 + 0 + 100) / 4,
            "POL": (50 + 0 + 0 + 100) / 4,
        }
    )
    assert scores["institutional"] == pytest.approx(
        {"DEU": 100.0, "FRA": 0.0, "ITA": 0.0, "POL": 0.0}
    )
    assert scores["cultural"] == pytest.approx({"DEU": 100.0, "FRA": 0.0, "ITA": 0.0, "POL": 0.0})
    # governance_betweenness is 0 everywhere: uninformative, left out (never 50 for all);
    # hub_reach 100/100/0/0
    assert card.indicators["governance_betweenness"].uninformative == (
        "uninformative: 0 for every country scored"
    )
    assert scores["governance"] == pytest.approx(
        {"DEU": 100.0, "FRA": 100.0, "ITA": 0.0, "POL": 0.0}
    )
    assert card.overall["DEU"] > card.overall["FRA"] > card.overall["POL"] > card.overall["ITA"]


def test_scores_lie_in_0_100_and_missing_is_never_zero(config) -> None:  # type: ignore[no-untyped-def]
    no_culture = [t for t in TIES if t[2] not in ("culture", "education")]
    card = scorecard(make_net(no_culture), config)
    assert card.indicators["culture_reach"].missing == "no culture or education ties in the view"
    assert all(np.isnan(x) for x in card.channels["cultural"].score.values())
    assert set(card.channels["cultural"].missing) == set(card.countries)
    for ch in card.channels.values():
        for x in ch.score.values():
            assert np.isnan(x) or 0.0 <= x <= 100.0
    # the overall score leaves the missing channel out instead of counting it as 0
    full = {
        k: card.channels[k].score["DEU"] for k in ("communication", "institutional", "governance")
    }
    assert card.overall["DEU"] == pytest.approx(sum(full.values()) / 3)


def test_an_isolated_actor_changes_nothing(config) -> None:  # type: ignore[no-untyped-def]
    actors = dict(ACTORS) | {"zz": ("cso", "DEU")}
    with_isolate = make_net(actors=actors)
    assert "zz" in with_isolate.ids
    a, b = scorecard(make_net(), config), scorecard(with_isolate, config)
    assert a.overall == b.overall
    assert {k: c.score for k, c in a.channels.items()} == {
        k: c.score for k, c in b.channels.items()
    }
    ia = scorecard_bootstrap(make_net(), config, n_boot=15, seed=2)
    ib = scorecard_bootstrap(with_isolate, config, n_boot=15, seed=2)
    assert ia.low == ib.low and ia.high == ib.high


def test_relabelling_countries_permutes_the_scorecard(config) -> None:  # type: ignore[no-untyped-def]
    perm = {"DEU": "POL", "POL": "ITA", "ITA": "FRA", "FRA": "DEU"}
    a = scorecard(make_net(), config)
    b = scorecard(make_net(relabel=perm), config)
    for k in a.channels:
        assert {perm[c]: x for c, x in a.channels[k].score.items()} == pytest.approx(
            b.channels[k].score, nan_ok=True
        )
    ia = scorecard_bootstrap(make_net(), config, n_boot=15, seed=5)
    ib = scorecard_bootstrap(make_net(relabel=perm), config, n_boot=15, seed=5)
    assert {perm[c]: x for c, x in ia.low["overall"].items()} == ib.low["overall"]


def test_same_seed_same_intervals_and_rank_ranges(config) -> None:  # type: ignore[no-untyped-def]
    net = make_net()
    card = scorecard(net, config)
    a = scorecard_bootstrap(net, config, n_boot=20, seed=9)
    b = scorecard_bootstrap(net, config, n_boot=20, seed=9)
    assert a.present == b.present
    for k in a.low:
        for c in card.countries:
            for x, y in ((a.low[k][c], b.low[k][c]), (a.high[k][c], b.high[k][c])):
                assert x == y or (np.isnan(x) and np.isnan(y))
            score = card.overall[c] if k == "overall" else card.channels[k].score[c]
            if not np.isnan(score):
                assert a.low[k][c] <= score <= a.high[k][c]  # the estimate inside its interval
        for c in card.countries:
            lo, hi = a.low[k][c], a.high[k][c]
            assert np.isnan(lo) or 0.0 <= lo <= hi <= 100.0
    s1, s2 = weight_sensitivity(card, config, seed=1), weight_sensitivity(card, config, seed=1)
    assert s1 == s2
    assert s1.rank["overall"] == {"DEU": 1, "FRA": 2, "POL": 3, "ITA": 4}
    for c in card.countries:
        assert s1.low["overall"][c] <= s1.median["overall"][c] <= s1.high["overall"][c]
    assert s1.low["overall"]["DEU"] == s1.high["overall"]["DEU"] == 1.0  # first under any weights


def test_scaling_by_rank_and_without_spread() -> None:
    assert scale({"A": 1.0, "B": 5.0, "C": 5.0}, "rank")[0] == {"A": 0.0, "B": 75.0, "C": 75.0}
    assert scale({"A": 2.0, "B": 2.0})[0] == {"A": 50.0, "B": 50.0}
    s = scale({"A": 1.0, "B": float("nan")})[0]
    assert s["A"] == 50.0 and np.isnan(s["B"])


def test_config_mistakes_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(BadFilter, match="unknown indicator 'charm'"):
        parse_config({"channels": {"x": {"indicators": {"charm": 1}}}}, "w.toml")
    with pytest.raises(BadFilter, match="weight must be a number >= 0"):
        parse_config({"channels": {"x": {"weight": -1, "indicators": {"hub_reach": 1}}}})
    bad = tmp_path / "bad.toml"
    bad.write_text("[channels\n", encoding="utf-8")
    from civnet.errors import InputFileError

    with pytest.raises(InputFileError, match="not valid TOML"):
        load_config(bad)


def test_cli_scorecard_weights_and_explain(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_uncertainty import write_dated_workspace

    write_dated_workspace(cli.workspace)
    out = json.loads(cli("scorecard", "--boot", "10", "--format", "json").output)
    assert {r["country"] for r in out["countries"]} == {"DEU", "FRA", "POL"}
    for r in out["countries"]:
        assert 0 <= r["overall"] <= 100
    weights = tmp_path / "w.toml"
    weights.write_text(
        "[channels.cultural]\nweight = 1\n[channels.cultural.indicators]\nculture_reach = 1\n",
        encoding="utf-8",
    )
    only = json.loads(
        cli("scorecard", "--boot", "5", "--weights", str(weights), "--format", "json").output
    )
    assert set(only["card"]["channels"]) == {"cultural"}
    text = cli("scorecard", "--boot", "5", "--period", "2016:2017", "--explain", "DEU").output
    assert "culture_reach" in text and "overall" in text
    assert (
        "is not a scored country"
        in cli("scorecard", "--boot", "5", "--explain", "USA", code=2).output
    )


def test_bootstrap_blocks_in_any_order_and_process_equal_the_one_loop(config) -> None:  # type: ignore[no-untyped-def]
    """Blocks of replicates, each drawn from the generator's state at its place, computed in
    any order (and shared with a second process) give the numbers of the one loop."""
    from civnet.products.second_core import SecondCore

    net = make_net()
    one = scorecard_bootstrap(net, config, n_boot=45, seed=4)

    def shuffled(fn, plan, blocks):  # type: ignore[no-untyped-def]
        order = np.random.default_rng(0).permutation(len(blocks))
        return [fn(plan, *blocks[i]) for i in order]

    core = SecondCore()
    try:
        runs = [shuffled, core.run_blocks]
        for run in runs:
            got = scorecard_bootstrap(net, config, n_boot=45, seed=4, run_blocks=run)
            assert got.present == one.present
            for name in ("low", "high", "rank_low", "rank_high", "both_low", "both_high"):
                assert json.dumps(getattr(got, name)) == json.dumps(getattr(one, name)), name
            for k, per in one.replicates.items():
                for c, x in per.items():
                    np.testing.assert_array_equal(got.replicates[k][c], x)
    finally:
        core.close()


def _slow_pid(plan: int, i: int) -> tuple[int, int]:
    import os
    import time

    time.sleep(0.05)
    return i * plan, os.getpid()


def test_second_core_shares_the_blocks_and_loses_none() -> None:
    """Both processes compute blocks (the worker from the end, the caller from the front),
    each block exactly once."""
    import os

    from civnet.products.second_core import SecondCore, run_blocks, spread

    core = SecondCore()
    try:
        got = list(core.run_blocks(_slow_pid, 3, [(i,) for i in range(120)]))
    finally:
        core.close()
    assert sorted(x for x, _ in got) == [3 * i for i in range(120)]
    pids = {p for _, p in got}
    assert os.getpid() in pids and len(pids) == 2
    assert run_blocks() is None
    with spread(False):
        assert run_blocks() is None


def _dict_path_block(plan, state, start: int, stop: int):  # type: ignore[no-untyped-def]
    """The bootstrap block as computed before the replicates were kept as arrays: each
    replicate's indicators as dicts by country, :func:`_assemble` into a Scorecard, the
    drawn weights by :func:`_scores_under`, ranks by :func:`_rank_of`."""
    from civnet.measures.softpower.scorecard import _assemble, _rank_of, _scores_under

    rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
    rng.bit_generator.state = state
    col = {c: j for j, c in enumerate(plan.countries)}
    shape = (len(plan.keys), len(plan.countries), stop - start)
    scores, ranks, both = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    present = np.zeros(len(plan.countries), np.int64)
    for i, r in enumerate(range(start, stop)):
        (rep,) = plan.sampler.replicates(rng)
        scored, raws = plan.fast.compute(rep, plan.used)
        if not scored:
            continue
        rc = _assemble(scored, raws, plan.config, [], plan.drop)
        drawn = _scores_under(
            rc, plan.config, {n: x[r] for n, x in plan.w_ind.items()}, plan.w_ch[r]
        )
        here_all = set(rc.countries)
        for ki, k in enumerate(plan.keys):
            here = [c for c in plan.ranked[k] if c in here_all]
            for c, x in _rank_of(rc.score(k), here).items():
                ranks[ki, col[c], i] = x
            for c, x in _rank_of(drawn[k], here).items():
                both[ki, col[c], i] = x
        for c in rc.countries:
            if c in col:
                present[col[c]] += 1
                for ki, k in enumerate(plan.keys):
                    scores[ki, col[c], i] = rc.score(k)[c]
    return scores, ranks, both, present


@pytest.mark.parametrize("scaling", ["minmax", "rank"])
@pytest.mark.parametrize("plain", [False, True])
def test_bootstrap_arrays_equal_the_dict_path(scaling: str, plain: bool) -> None:
    """The bootstrap computes each replicate's scores and ranks on arrays over its countries
    (no dict per country): every score and rank of every replicate equals the dict path's
    (:func:`_assemble`, :func:`_scores_under`, :func:`_rank_of`) to the last bit, on random
    networks with missing indicators, undefined ratios and self-ties, with the shipped
    validity rules (uninformative indicators dropped) and loose ones."""
    from civnet.measures.softpower import scorecard as sc
    from tests.test_uncertainty import _scorecard_network

    captured = []

    def capture(fn, plan, blocks):  # type: ignore[no-untyped-def]
        captured.append((plan, blocks))
        return [fn(plan, *b) for b in blocks]

    for seed in range(3):
        net = _scorecard_network(seed, plain)
        for loose in (False, True):
            cfg = dataclasses.replace(load_config(None), scaling=scaling)
            if loose:
                cfg = dataclasses.replace(cfg, min_countries=1, min_ties=0)
            captured.clear()
            sc.scorecard_bootstrap(net, cfg, n_boot=25, seed=seed, run_blocks=capture)
            plan, blocks = captured[0]
            for state, start, stop in blocks:
                got = sc.boot_block(plan, state, start, stop)
                want = _dict_path_block(plan, state, start, stop)
                for a, b in zip((got.scores, got.ranks, got.both, got.present), want, strict=True):
                    assert a.shape == b.shape
                    assert a.tobytes() == b.tobytes()  # bit for bit, NaN where NaN
            assert np.isfinite(got.scores).any()


@pytest.mark.parametrize("unit", ["actors", "ties"])
@pytest.mark.parametrize("plain", [False, True])
def test_replicate_indicators_on_merged_rows_equal_every_row(unit: str, plain: bool) -> None:
    """The replicate indicators work on one row per (ends, track, direction) class with the
    records of its rows summed: every raw value of every replicate, the betweenness ones
    included, equals the one computed on every tie row, bit for bit (random networks with
    parallel ties, reciprocated arcs and self-ties; the vertex and the tie bootstrap)."""
    from civnet.measures.softpower.scorecard_replicates import _ReplicateIndicators
    from civnet.measures.statistics.resampling import Resampler
    from tests.test_uncertainty import _scorecard_network

    for seed in range(3):
        net = _scorecard_network(seed, plain)
        # more parallel ties: every tie row twice more, some with another track
        t = net.ties
        extra = t.take(pa.array(np.arange(0, t.num_rows, 2)))
        other = extra.set_column(
            extra.column_names.index("track"), "track", pa.array(["culture"] * extra.num_rows)
        )
        net = Network.from_tables(net.actors, pa.concat_tables([t, extra, other]))
        sampler = Resampler([net], unit)
        merged = _ReplicateIndicators(sampler.views[0])
        every = _ReplicateIndicators(sampler.views[0], merge=False)
        assert merged.view.ties.num_rows < every.view.ties.num_rows == net.ties.num_rows
        rng = np.random.default_rng(seed)
        for _ in range(6):
            (rep,) = sampler.replicates(rng)
            codes, got = merged.arrays(rep, list(INDICATORS))
            codes2, want = every.arrays(rep, list(INDICATORS))
            assert codes.tolist() == codes2.tolist()
            assert list(got) == list(want)
            for name, x in got.items():
                y = want[name]
                if isinstance(x, str):
                    assert x == y, name
                else:
                    assert isinstance(y, np.ndarray)
                    assert x.tobytes() == y.tobytes(), name


def test_min_ranks_equal_scipy_rankdata_min() -> None:
    """The scorecard's ranks (no scipy.stats import in a report) equal
    ``scipy.stats.rankdata(method="min")``: 1-D and along the rows of 2-D arrays, with ties,
    infinities and signed zeros."""
    from scipy.stats import rankdata

    from civnet.measures.softpower.scorecard import min_ranks

    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 10, 57):
        for _ in range(20):
            x = rng.integers(0, max(2, n // 3), n).astype(float)
            x[rng.random(n) < 0.1] = -np.inf
            x[rng.random(n) < 0.05] = np.inf
            x[x == 0] = rng.choice([0.0, -0.0])
            assert min_ranks(x).tolist() == rankdata(x, method="min").tolist()
            y = rng.normal(size=(5, n)).round(1)
            assert min_ranks(y).tolist() == rankdata(y, method="min", axis=1).tolist()
    assert min_ranks(np.zeros(0)).tolist() == []
