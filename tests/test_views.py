"""Views: period, track, type and country filters, projection and country level."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from civnet.errors import BadFilter
from civnet.importers.batch import Batch
from civnet.measures import describe
from civnet.store import Workspace
from civnet.views import ViewSpec, build_network, parse_bound


def load_fixture(ws: Workspace) -> None:
    """Seven actors in three countries, a network hub (C40), ties of several kinds and dates."""
    actors = pa.table(
        {
            "id": ["p", "q", "r", "s", "t", "u", "c40"],
            "name": ["Paris", "Quito", "Rome", "Seoul", "Tokyo uni", "Ulm", "C40"],
            "type": ["city", "city", "city", "city", "university", "city", "network"],
            "country": ["FRA", "ECU", "ITA", "KOR", "JPN", "DEU", None],
        }
    )
    d = dt.date
    ties = pa.table(
        {
            "source": ["p", "p", "q", "r", "t", "p", "q", "r", "s"],
            "target": ["q", "r", "r", "s", "u", "c40", "c40", "c40", "c40"],
            "track": ["general", "culture", "general", "education", "education"]
            + ["environment"] * 4,
            "kind": ["sister_city", "exchange", "sister_city", "exchange", "agreement"]
            + ["membership"] * 4,
            "start_date": [None, d(2015, 1, 1), d(2018, 1, 1), d(2021, 1, 1), d(2010, 1, 1)]
            + [d(2016, 1, 1), d(2016, 1, 1), d(2018, 1, 1), d(2016, 1, 1)],
            "end_date": [None, d(2017, 12, 31), None, None, d(2012, 12, 31)]
            + [d(2019, 12, 31), d(2017, 12, 31), d(2019, 12, 31), d(2019, 12, 31)],
            "weight": [1.0] * 9,
            "directed": [False] * 9,
            "ref": [f"row {i}" for i in range(1, 10)],
        }
    )
    ws.ingest([Batch("fixture", "fixture", "sha-fixture", "test", actors, ties, 16)])


@pytest.fixture
def loaded(ws: Workspace) -> Workspace:
    load_fixture(ws)
    return ws


def edges(net) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    ids = net.ids
    return {tuple(sorted((ids[e.source], ids[e.target]))) for e in net.graph.es}


def test_whole_workspace(loaded: Workspace) -> None:
    net = build_network(loaded)
    assert net.graph.vcount() == 7
    assert net.graph.ecount() == 9
    assert net.notes == []


def test_period_keeps_overlapping_ties_and_reports_timeless(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(date_from="2017", date_to="2018"))
    assert edges(net) == {
        ("p", "r"),
        ("q", "r"),
        ("c40", "p"),
        ("c40", "q"),
        ("c40", "r"),
        ("c40", "s"),
    }
    assert net.notes == [
        "1 timeless ties (no start date) left out of the period; --include-timeless keeps them"
    ]
    with_timeless = build_network(
        loaded, ViewSpec.make(date_from="2017", date_to="2018", include_timeless=True)
    )
    assert ("p", "q") in edges(with_timeless)


def test_period_after_end_excludes(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(date_from="2020"))
    assert edges(net) == {("q", "r"), ("r", "s")}  # q-r is ongoing (no end)


def test_track_kind_and_type_filters(loaded: Workspace) -> None:
    assert edges(build_network(loaded, ViewSpec.make(tracks=["education"]))) == {
        ("r", "s"),
        ("t", "u"),
    }
    assert edges(build_network(loaded, ViewSpec.make(kinds=["sister_city"]))) == {
        ("p", "q"),
        ("q", "r"),
    }
    # both ends must be of the listed types
    assert ("t", "u") not in edges(build_network(loaded, ViewSpec.make(actor_types=["city"])))


def test_country_filter_keeps_ties_touching_the_country(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(countries=["France"]))
    assert edges(net) == {("p", "q"), ("p", "r"), ("c40", "p")}


def test_all_actors_adds_isolates(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(tracks=["culture"], all_actors=True))
    d = describe(net)
    assert d["nodes"] == 7
    assert d["isolates"] == 5


def test_projection_makes_co_membership_ties(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(kinds=["membership"], project=True))
    assert set(net.ids) == {"p", "q", "r", "s"}
    assert edges(net) == {
        ("p", "q"), ("p", "r"), ("p", "s"), ("q", "r"), ("q", "s"), ("r", "s")
    }  # fmt: skip
    assert set(net.ties.column("kind").to_pylist()) == {"co_membership"}
    assert set(net.ties.column("weight").to_pylist()) == {1.0}
    assert set(net.ties.column("track").to_pylist()) == {"environment"}


def test_projection_with_period_uses_active_memberships(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(kinds=["membership"], project=True, date_from="2019"))
    assert edges(net) == {("p", "r"), ("p", "s"), ("r", "s")}


def test_country_level(loaded: Workspace) -> None:
    net = build_network(loaded, ViewSpec.make(level="country"))
    # the C40 hub has no country: its ties are left out and counted
    assert set(net.ids) == {"DEU", "ECU", "FRA", "ITA", "JPN", "KOR"}
    assert edges(net) == {
        ("ECU", "FRA"),
        ("FRA", "ITA"),
        ("ECU", "ITA"),
        ("ITA", "KOR"),
        ("DEU", "JPN"),
    }
    assert net.notes == [
        "country level: 0 domestic ties left out, 4 ties with an actor of unknown country left out"
    ]


def test_bad_filters_say_what_is_valid() -> None:
    with pytest.raises(BadFilter, match=r"unknown track 'music'.*culture"):
        ViewSpec.make(tracks=["music"])
    with pytest.raises(BadFilter, match="unknown country 'Atlantis'"):
        ViewSpec.make(countries=["Atlantis"])
    with pytest.raises(BadFilter, match="--from expects"):
        ViewSpec.make(date_from="20x6")
    with pytest.raises(BadFilter, match="after --to"):
        ViewSpec.make(date_from="2020", date_to="2019")
    with pytest.raises(BadFilter, match="not a real date"):
        ViewSpec.make(date_from="2019-02-30")


def test_parse_bound_months_and_years() -> None:
    assert parse_bound("2016", end=False, what="x") == dt.date(2016, 1, 1)
    assert parse_bound("2016-02", end=True, what="x") == dt.date(2016, 2, 29)
    assert parse_bound("2016-02-03", end=True, what="x") == dt.date(2016, 2, 3)
    assert parse_bound(None, end=True, what="x") is None


def test_same_view_same_graph(loaded: Workspace) -> None:
    a = build_network(loaded, ViewSpec.make(date_from="2016"))
    b = build_network(loaded, ViewSpec.make(date_from="2016"))
    assert a.ids == b.ids
    assert a.graph.get_edgelist() == b.graph.get_edgelist()
