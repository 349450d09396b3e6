"""Periods, diversification indices, core factors per period and tie turnover."""

from __future__ import annotations

import datetime as dt
import json
import math

import networkx as nx
import pyarrow as pa
import pytest

from civnet.errors import BadFilter
from civnet.measures import betweenness
from civnet.measures.change.timeline import (
    Period,
    blau,
    core_factors,
    country_factors,
    mean_betweenness,
    periods,
    shannon,
    timeline,
    turnover,
)
from civnet.views.network import Network


def test_yearly_and_rolling_periods() -> None:
    got = periods(dt.date(2016, 3, 1), dt.date(2019, 2, 1))
    assert [(p.label, p.start, p.end) for p in got] == [
        (str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(2016, 2020)
    ]
    rolling = periods(dt.date(2016, 3, 1), dt.date(2019, 2, 1), window=3)
    assert [(p.label, p.start, p.end) for p in rolling] == [
        ("2016-2018", dt.date(2016, 1, 1), dt.date(2018, 12, 31)),
        ("2017-2019", dt.date(2017, 1, 1), dt.date(2019, 12, 31)),
    ]


def test_monthly_periods_cross_the_year_and_know_leap_days() -> None:
    got = periods(dt.date(2019, 12, 5), dt.date(2020, 2, 1), every="month")
    assert [(p.label, p.end) for p in got] == [
        ("2019-12", dt.date(2019, 12, 31)),
        ("2020-01", dt.date(2020, 1, 31)),
        ("2020-02", dt.date(2020, 2, 29)),
    ]


def test_bad_period_requests_are_one_line_errors() -> None:
    with pytest.raises(BadFilter, match="--every"):
        periods(dt.date(2016, 1, 1), dt.date(2017, 1, 1), every="week")
    with pytest.raises(BadFilter, match="--window"):
        periods(dt.date(2016, 1, 1), dt.date(2017, 1, 1), window=0)


def test_shannon_and_blau_by_hand() -> None:
    values = ["a", "a", "b", "c"]  # shares 1/2, 1/4, 1/4
    assert shannon(values) == pytest.approx(-(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)))
    assert blau(values) == pytest.approx(1 - (0.25 + 2 * 0.0625))
    assert shannon(["x"] * 5) == 0.0 and blau(["x"] * 5) == 0.0
    assert shannon([]) == 0.0 and blau([None, None]) == 0.0


@pytest.mark.parametrize(
    "graph",
    [nx.karate_club_graph(), nx.florentine_families_graph(), nx.path_graph(5), nx.star_graph(4)],
    ids=["karate", "florentine", "path", "star"],
)
def test_mean_betweenness_equals_the_mean_of_networkx_betweenness(graph: nx.Graph) -> None:
    expected = sum(nx.betweenness_centrality(graph).values()) / graph.number_of_nodes()
    assert mean_betweenness(Network.from_networkx(graph)) == pytest.approx(expected)


def test_mean_betweenness_directed_and_disconnected() -> None:
    g = nx.DiGraph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5)])
    net = Network.from_networkx(g)
    expected = sum(nx.betweenness_centrality(g).values()) / 6
    assert mean_betweenness(net) == pytest.approx(expected)
    assert mean_betweenness(net) == pytest.approx(betweenness(net).values.mean())


def _dated() -> Network:
    actors = pa.table(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["A", "B", "C", "D"],
            "type": ["city", "city", "university", "cso"],
            "country": ["DEU", "FRA", "FRA", "POL"],
        }
    )
    d = dt.date
    ties = pa.table(
        {
            "tie_id": [1, 2, 3],
            "source": ["a", "a", "b"],
            "target": ["b", "c", "c"],
            "track": ["culture", "education", "culture"],
            "kind": ["sister_city", "exchange", "exchange"],
            "start_date": pa.array([d(2016, 5, 1), d(2015, 1, 1), d(2017, 1, 1)], pa.date32()),
            "end_date": pa.array([None, d(2016, 6, 30), None], pa.date32()),
            "weight": [1.0, 1.0, 1.0],
            "directed": [False, False, False],
        }
    )
    return Network.from_tables(actors.slice(0, 3), ties)


def test_core_factors_of_a_triangle_by_hand() -> None:
    f = core_factors(_dated())
    assert f == pytest.approx(
        {
            "nodes": 3,
            "edges": 3,
            "ties": 3,
            "density": 1.0,
            "mean_betweenness": 0.0,
            "max_betweenness": 0.0,
            "components": 1,
            "largest_component": 3,
            "type_shannon": shannon(["city", "city", "university"]),
            "type_blau": 1 - (4 / 9 + 1 / 9),
            "track_shannon": shannon(["culture", "education", "culture"]),
            "track_blau": 1 - (4 / 9 + 1 / 9),
        }
    )


def test_turnover_counts_starts_and_ends_inside_the_period() -> None:
    net = _dated()
    p2016 = Period("2016", dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    assert turnover(net, p2016) == {"formed": 1, "ended": 1}
    p2017 = Period("2017", dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    assert turnover(net, p2017) == {"formed": 1, "ended": 0}


def test_country_factors_by_hand() -> None:
    rows = {r["country"]: r for r in country_factors(_dated())}
    assert set(rows) == {"DEU", "FRA"}
    deu = dict(rows["DEU"])
    assert deu.pop("country") == "DEU"
    assert deu == pytest.approx(
        {
            "actors": 1,
            "ties": 2,
            "cross_border": 2,
            "partner_countries": 1,
            "mean_betweenness": 0.0,
            "max_betweenness": 0.0,
            "type_shannon": 0.0,
            "type_blau": 0.0,
            "track_shannon": shannon(["culture", "education"]),
            "track_blau": 0.5,
        }
    )
    assert rows["FRA"]["ties"] == 3  # a-b, a-c cross-border; b-c domestic counted once
    assert rows["FRA"]["cross_border"] == 2
    assert rows["FRA"]["partner_countries"] == 1


def test_timeline_keeps_empty_periods_visible() -> None:
    empty = Network.from_tables(_dated().actors.slice(0, 0), _dated().ties.slice(0, 0))
    p = Period("2030", dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    (row,) = timeline([(p, empty)])
    assert row.whole["nodes"] == 0 and row.whole["formed"] == 0
    assert math.isnan(row.whole["density"])
    assert row.countries == []


def test_cli_timeline_on_a_dated_workspace(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.test_uncertainty import write_dated_workspace

    write_dated_workspace(cli.workspace)
    data = json.loads(cli("timeline", "--every", "year", "--format", "json").output)
    assert [p["period"] for p in data["periods"]] == ["2016", "2017", "2018", "2019"]
    assert [p["formed"] for p in data["periods"]] == [3, 1, 0, 2]
    rolling = json.loads(cli("timeline", "--window", "2", "--format", "json").output)
    assert [p["period"] for p in rolling["periods"]] == ["2016-2017", "2017-2018", "2018-2019"]
    res = cli("timeline", "--every", "week", code=2)
    assert "every must be one of: year, month" in res.output


def _country_factors_loop(net: Network, b: list[float]) -> list[dict[str, object]]:
    """country_factors as it was computed before: one Python pass over the actors and the
    tie rows, each country's lists of types and tracks given to shannon and blau."""
    import numpy as np

    from civnet.measures.change.timeline import blau, shannon

    ids = net.ids
    country = dict(zip(ids, net.vertex_attr("country"), strict=True))
    types = net.vertex_attr("type")
    by: dict[str, dict[str, object]] = {}
    for i, a in enumerate(ids):
        c = country[a]
        if c is None:
            continue
        d = by.setdefault(c, {"types": [], "b": [], "tracks": [], "ties": 0, "x": 0, "p": set()})
        d["types"].append(types[i])  # type: ignore[attr-defined]
        d["b"].append(b[i])  # type: ignore[attr-defined]
    src = net.ties.column("source").to_pylist()
    dst = net.ties.column("target").to_pylist()
    tracks = net.ties.column("track").to_pylist()
    for s, t, tr in zip(src, dst, tracks, strict=True):
        cs, ct = country.get(s), country.get(t)
        for c, other in ((cs, ct), (ct, cs)) if cs != ct else ((cs, ct),):
            if c is None:
                continue
            d = by[c]
            d["ties"] += 1  # type: ignore[operator]
            d["tracks"].append(tr)  # type: ignore[attr-defined]
            if other is not None and other != c:
                d["x"] += 1  # type: ignore[operator]
                d["p"].add(other)  # type: ignore[attr-defined]
    return [
        {
            "country": c,
            "actors": len(by[c]["types"]),  # type: ignore[arg-type]
            "ties": by[c]["ties"],
            "cross_border": by[c]["x"],
            "partner_countries": len(by[c]["p"]),  # type: ignore[arg-type]
            "mean_betweenness": float(np.mean(by[c]["b"])),
            "max_betweenness": float(np.max(by[c]["b"])),
            "type_shannon": shannon(by[c]["types"]),  # type: ignore[arg-type]
            "type_blau": blau(by[c]["types"]),  # type: ignore[arg-type]
            "track_shannon": shannon(by[c]["tracks"]),  # type: ignore[arg-type]
            "track_blau": blau(by[c]["tracks"]),  # type: ignore[arg-type]
        }
        for c in sorted(by)
    ]


@pytest.mark.parametrize("seed", range(6))
def test_country_factors_equal_the_per_tie_loop(seed: int) -> None:
    """country_factors counted with numpy over all countries equals the per-tie loop, every
    float bit for bit: actors without a country or a type, an empty-string country, ties
    without a track, self-ties, domestic and cross-border parallel ties, directed or not."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, m = 60, 220
    countries = ["DEU", "FRA", "POL", "", None, "CHN", "ITA"]
    types = ["city", "university", "cso", None, "network", "media"]
    tracks = ["culture", "education", None, "health", "general", "economy_trade"]
    ids = [f"a{i}" for i in range(n)]
    actors = pa.table(
        {
            "id": ids,
            "name": ids,
            "type": [types[i] for i in rng.integers(0, len(types), n)],
            "country": [countries[i] for i in rng.integers(0, len(countries), n)],
        }
    )
    src = rng.integers(0, n, m)
    dst = np.where(rng.random(m) < 0.05, src, rng.integers(0, n, m))
    ties = pa.table(
        {
            "tie_id": list(range(m)),
            "source": [ids[i] for i in src],
            "target": [ids[i] for i in dst],
            "track": [tracks[i] for i in rng.integers(0, len(tracks), m)],
            "weight": [1.0] * m,
            "directed": (rng.random(m) < (0.5 if seed % 2 else 0.0)).tolist(),
        }
    )
    net = Network.from_tables(actors, ties)
    b = rng.random(net.graph.vcount()).round(3)
    got = country_factors(net, b)
    want = _country_factors_loop(net, b.tolist())
    assert json.dumps(got) == json.dumps(want)
    assert [r["country"] for r in got][:1] == [""]  # the empty-string country is one
