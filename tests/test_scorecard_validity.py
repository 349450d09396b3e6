"""Valid scorecard channels: uninformative indicators are left out, low-support channels are
unranked, rank intervals from the bootstrap, the weights and both, ``--top``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from civnet.importers.batch import Batch
from civnet.measures.softpower.scorecard import (
    scorecard,
    scorecard_bootstrap,
    uninformative,
    weight_sensitivity,
)
from civnet.products.periods import load_config
from civnet.store import Workspace
from tests.test_scorecard import ACTORS, TIES, make_net


@pytest.fixture(scope="module")
def shipped():  # type: ignore[no-untyped-def]
    return load_config(None)


def test_the_shipped_thresholds(shipped) -> None:  # type: ignore[no-untyped-def]
    assert (shipped.min_countries, shipped.min_ties) == (3, 5)


def test_a_zero_variance_indicator_is_left_out_never_scored_50(shipped) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(make_net(), shipped)
    gov = card.indicators["governance_betweenness"]
    assert gov.raw == {"DEU": 0.0, "FRA": 0.0, "ITA": 0.0, "POL": 0.0}
    assert gov.uninformative == "uninformative: 0 for every country scored"
    assert all(np.isnan(x) for x in gov.score.values())  # no midpoint
    # hub_reach (1, 1, 0, 0) is non-zero for 2 countries: fewer than 3, left out too
    hub = card.indicators["hub_reach"]
    assert hub.uninformative == "uninformative: non-zero for 2 of 4 countries (fewer than 3)"
    assert all(np.isnan(x) for x in card.channels["governance"].score.values())
    assert card.channels["governance"].missing["DEU"] == (
        "hub_reach: uninformative: non-zero for 2 of 4 countries (fewer than 3); "
        "governance_betweenness: uninformative: 0 for every country scored"
    )
    # the case: inbound_share rests on 2 directed ties and is non-zero for DEU alone
    assert card.indicators["inbound_share"].uninformative is not None
    # communication keeps its four indicators except multitrack_share (0.2, 0.5, 0, 0)
    kept = [k for k in ("partner_countries", "ties_per_civil_actor", "ei_index")]
    assert all(card.indicators[k].uninformative is None for k in kept)
    assert card.indicators["multitrack_share"].uninformative is not None
    assert uninformative({"A": 1.0, "B": 2.0, "C": 3.0}, 3) is None


def test_a_low_support_channel_is_marked_and_unranked(shipped) -> None:  # type: ignore[no-untyped-def]
    card = scorecard(make_net(), shipped)
    # communication rests on the cross-border ties of the country's civil actors and, for the
    # E-I index, their domestic ties: DEU d1-f1 x2, d2-p1, d2-i1, p2->d3, i1->d3, d1-d2 = 7;
    # FRA d1-f1 x2, f1-p1 = 3; ITA d2-i1, i1->d3 = 2; POL d2-p1, p2->d3, f1-p1 = 3
    assert card.support["communication"] == {"DEU": 7, "FRA": 3, "ITA": 2, "POL": 3}
    assert card.unranked("communication") == {
        c: f"low support: {n} tie records (fewer than 5)"
        for c, n in (("FRA", 3), ("ITA", 2), ("POL", 3))
    }
    sens = weight_sensitivity(card, shipped, seed=0)
    assert sens.rank["communication"] == {"DEU": 1}  # the others are unranked, not ranked last
    assert np.isfinite(card.channels["communication"].score["FRA"])  # the score stays
    looser = dataclasses.replace(shipped, min_ties=3)
    card3 = scorecard(make_net(), looser)
    assert set(card3.unranked("communication")) == {"ITA"}
    assert weight_sensitivity(card3, looser, seed=0).rank["communication"] == {
        "FRA": 1,  # (50 + 100 + 100) / 3: partner countries, ties per civil actor, E-I
        "POL": 2,  # (50 + 0 + 100) / 3
        "DEU": 3,  # (100 + 33.3 + 0) / 3
    }


def test_rank_intervals_from_bootstrap_weights_and_both_hold_the_rank(shipped) -> None:  # type: ignore[no-untyped-def]
    config = dataclasses.replace(shipped, min_countries=1, min_ties=0, draws=200)
    net = make_net()
    card = scorecard(net, config)
    iv = scorecard_bootstrap(net, config, n_boot=40, seed=3, card=card)
    sens = weight_sensitivity(card, config, seed=3)
    for k in [*card.channels, "overall"]:
        for c, r in sens.rank[k].items():
            assert sens.low[k][c] <= r <= sens.high[k][c]
            for lo, hi in ((iv.rank_low, iv.rank_high), (iv.both_low, iv.both_high)):
                if np.isfinite(lo[k][c]):
                    assert 1 <= lo[k][c] <= r <= hi[k][c] <= len(sens.rank[k]), (k, c)
                    assert lo[k][c] == int(lo[k][c]) and hi[k][c] == int(hi[k][c])
    again = scorecard_bootstrap(net, config, n_boot=40, seed=3, card=card)
    assert again.both_low == iv.both_low or all(
        np.allclose(list(again.both_low[k].values()), list(iv.both_low[k].values()), equal_nan=True)
        for k in iv.both_low
    )


def _workspace(path: Path) -> None:
    actors = pa.table(
        {
            "id": list(ACTORS),
            "name": list(ACTORS),
            "type": [t for t, _ in ACTORS.values()],
            "country": [c for _, c in ACTORS.values()],
        }
    )
    ties = pa.table(
        {
            "source": [s for s, _, _, _ in TIES],
            "target": [t for _, t, _, _ in TIES],
            "track": [tr for _, _, tr, _ in TIES],
            "kind": ["exchange"] * len(TIES),
            "weight": [1.0] * len(TIES),
            "directed": [d for *_, d in TIES],
            "ref": [f"row {i}" for i in range(len(TIES))],
        }
    )
    with Workspace(path) as ws:
        ws.ingest([Batch("example", "example.csv", "sha-x", "test", actors, ties, len(TIES))])


def test_cli_reports_uninformative_low_support_and_top(cli) -> None:  # type: ignore[no-untyped-def]
    _workspace(cli.workspace)
    out = json.loads(cli("scorecard", "--boot", "10", "--format", "json").output)
    assert out["validity"] == {"min_countries": 3, "min_ties": 5}
    inds = out["card"]["indicators"]
    assert inds["governance_betweenness"]["uninformative"] == (
        "uninformative: 0 for every country scored"
    )
    comm = out["card"]["channels"]["communication"]
    assert comm["support"] == {"DEU": 7, "FRA": 3, "ITA": 2, "POL": 3}
    assert set(comm["unranked"]) == {"FRA", "ITA", "POL"}
    rows = {r["country"]: r for r in out["countries"]}
    assert rows["DEU"]["communication_rank"] == 1 and rows["FRA"]["communication_rank"] is None
    assert rows["FRA"]["communication_unranked"].startswith("low support: 3 tie records")
    assert {"rank_range", "rank_bootstrap", "rank_combined"} <= set(rows["DEU"])
    table = cli("scorecard", "--boot", "10").output
    flat = " ".join(table.split())  # the table is wrapped to the terminal's width
    assert "left out of governance: uninformative: 0 for every country scored" in flat
    assert "* low support" in table
    loose = json.loads(cli("scorecard", "--boot", "5", "--min-ties", "0", "-f", "json").output)
    assert all(r["communication_rank"] is not None for r in loose["countries"])
    top = json.loads(
        cli("scorecard", "--boot", "5", "--min-ties", "0", "--top", "2", "-f", "json").output
    )
    assert [r["country"] for r in top["countries"]] == [
        r["country"] for r in loose["countries"][:2]
    ]
    assert [r["rank"] for r in top["countries"]] == [1, 2]
    assert cli("scorecard", "--top", "0", code=2).exit_code == 2


def _naive_support(v, name: str, s: str, t: str, tr: str, d: bool) -> set[str]:  # type: ignore[no-untyped-def]
    """The countries tie (s, t) supports in indicator ``name``, read off its formula."""
    hub = {a: v.type.get(a) in ("network", "igo", "forum") for a in (s, t)}
    country = {a: v.country.get(a) for a in (s, t)}
    cross = v.cross(s, t)

    def ends(keep):  # type: ignore[no-untyped-def]
        return {country[a] for a in (s, t) if keep(a) and country[a]}

    if name in ("partner_countries", "ties_per_civil_actor", "multitrack_share"):
        return ends(v.civil) if cross else set()
    if name == "ei_index":
        same = country[s] is not None and country[s] == country[t]
        return ends(v.civil) if cross or same else set()
    if name == "inbound_econ_ties":
        if tr != "economy_trade" or not cross:
            return set()
        return {
            country[a]
            for a in ((t,) if d else (s, t))
            if v.type.get(a) in ("enterprise", "business_assoc", "city") and country[a]
        }
    if name == "inbound_share":
        return ends(lambda a: True) if d and cross else set()
    if name == "culture_reach":
        return ends(lambda a: True) if tr in ("culture", "education") and cross else set()
    if name == "culture_centrality":
        return ends(lambda a: True) if tr in ("culture", "education") else set()
    if name == "hub_reach":
        return {country[a] for a, b in ((s, t), (t, s)) if hub[b] and not hub[a] and country[a]}
    gov = tr in ("environment", "health", "governance") or hub[s] or hub[t]
    return ends(lambda a: not hub[a]) if gov else set()


def test_support_equals_a_tie_by_tie_count(shipped) -> None:  # type: ignore[no-untyped-def]
    from civnet.measures.softpower.scorecard_indicators import INDICATORS, _View, support

    rng = np.random.default_rng(7)
    ids = list(ACTORS)
    tracks = ["culture", "education", "economy_trade", "environment", "general", "health"]
    ties = list(TIES) + [
        (ids[a], ids[b], tracks[k], bool(d))
        for a, b, k, d in zip(
            rng.integers(0, len(ids), 60),
            rng.integers(0, len(ids), 60),
            rng.integers(0, len(tracks), 60),
            rng.integers(0, 2, 60),
            strict=True,
        )
        if a != b
    ]
    v = _View.of(make_net(ties))
    groups = {name: [name] for name in INDICATORS} | {"all": list(INDICATORS)}
    got = support(v, groups)
    for g, names in groups.items():
        expected = dict.fromkeys(v.scored, 0)
        for s, t, tr, d in zip(v.src, v.dst, v.track, v.directed, strict=True):
            hit: set[str] = set()
            for n in names:
                hit |= _naive_support(v, n, s, t, tr, d)
            for c in hit & set(v.scored):
                expected[c] += 1
        assert got[g] == expected, g
