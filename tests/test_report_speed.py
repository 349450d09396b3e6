"""The report's speed-ups keep every number: each shortcut against the straightforward
computation it replaces, on small graphs and workspaces with exact expected values."""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from civnet.measures import betweenness
from civnet.measures.intermediation.betweenness_blocks import directed_block_betweenness
from civnet.measures.statistics.replicate_statistics import replicate_betweenness, twin_betweenness
from civnet.measures.statistics.resampling import Replicate, ViewArrays
from civnet.products.periods import sources_in, sources_of_views, tie_source_ids, timeline_views
from civnet.store import Workspace
from civnet.views import Network, ViewSpec
from tests.test_coverage_notices import two_sources

bmod = sys.modules["civnet.measures.intermediation.betweenness"]


def mid_size_digraph(seed: int) -> nx.DiGraph:
    """A weakly connected simple digraph of 300 actors and about 1,500 arcs, a third one-way:
    vertices x arcs about 4.5e5, past ``BLOCKS_ABOVE`` and below ``DIRECTED_BLOCKS_ABOVE``."""
    rng = np.random.default_rng(seed)
    g = nx.DiGraph()
    n = 300
    g.add_nodes_from(range(n))
    for v in range(1, n):  # a random tree keeps it connected
        u = int(rng.integers(0, v))
        g.add_edge(u, v)
        g.add_edge(v, u)
    while g.number_of_edges() < 1500:
        u, v = (int(x) for x in rng.integers(0, n, 2))
        if u != v:
            g.add_edge(u, v)
            if rng.random() < 0.6:
                g.add_edge(v, u)
    return g


@pytest.mark.parametrize("seed", [0, 1])
def test_mid_size_directed_component_runs_igraph_and_equals_blocks_and_networkx(seed: int) -> None:
    g = mid_size_digraph(seed)
    work = g.number_of_nodes() * g.number_of_edges()
    assert bmod.BLOCKS_ABOVE < work <= bmod.DIRECTED_BLOCKS_ABOVE
    net = Network.from_networkx(g)
    b = betweenness(net, normalized=False)
    assert "directed Brandes over biconnected blocks" not in b.method
    # the block route it replaces, on the same graph
    blocks = directed_block_betweenness(net.graph, threads=1)
    np.testing.assert_allclose(b.values, blocks, rtol=1e-12, atol=1e-9)
    want = nx.betweenness_centrality(g, normalized=False)
    got = dict(zip(net.ids, b.values.tolist(), strict=True))
    for v, x in want.items():
        assert got[str(v)] == pytest.approx(x, rel=1e-12, abs=1e-9)


def test_large_directed_component_still_runs_by_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    g = mid_size_digraph(2)
    monkeypatch.setattr(bmod, "DIRECTED_BLOCKS_ABOVE", 1000)
    b = betweenness(Network.from_networkx(g), normalized=False)
    assert "directed Brandes over biconnected blocks" in b.method


def test_sources_of_views_equals_the_union_per_view(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    two_sources(path)
    with Workspace(path, read_only=True) as ws:
        nets = [net for _, net in timeline_views(ws, ViewSpec(), "year", 1)]
        union = set().union(*(sources_in(tie_source_ids(ws, net)) for net in nets))
        assert sources_of_views(ws, nets) == union == {1, 2}
        # the years 2010-2013 hold only source 1's ties
        early = [n for n in nets[:4] if n.ties.num_rows]
        assert sources_of_views(ws, early) == {1}
        assert sources_of_views(ws, []) == set()
        # projected ties carry no tie ids: untraceable, as tie_source_ids says
        projected = Network.from_networkx(nx.path_graph(3))
        assert tie_source_ids(ws, projected) is None
        assert sources_of_views(ws, [*nets, projected]) is None


def random_replicate(seed: int, directed: str) -> Replicate:
    """A replicate of a random view of 40 actors (a few self-ties, isolates, copies 0-3):
    ``directed`` "yes", "no" or "mixed" (some tie rows directed)."""
    rng = np.random.default_rng(seed)
    n, m = 40, 70
    src = rng.integers(0, n, m)
    dst = np.where(rng.random(m) < 0.06, src, rng.integers(0, n, m))
    flags = {"yes": np.ones(m, bool), "no": np.zeros(m, bool), "mixed": rng.random(m) < 0.3}
    actors = pa.table({"id": [f"a{i}" for i in range(n)], "type": ["ngo"] * n})
    ties = pa.table(
        {
            "source": [f"a{i}" for i in src],
            "target": [f"a{i}" for i in dst],
            "directed": flags[directed].tolist(),
            "weight": [1.0] * m,
            "track": ["culture"] * m,
        }
    )
    view = ViewArrays.of(Network.from_tables(actors, ties))
    copies = rng.choice([0, 1, 1, 2, 3], size=view.n)
    return Replicate(view, copies.astype(np.int64), np.ones(view.ties.num_rows, np.int64))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("directed", ["yes", "no", "mixed"])
def test_twin_betweenness_equals_igraph_on_the_copies_graph(seed: int, directed: str) -> None:
    rep = random_replicate(seed, directed)
    g = rep.graph()
    n = g.vcount()
    want = np.asarray(g.betweenness(directed=g.is_directed()), dtype=float)
    scale = (n - 1) * (n - 2) / (1.0 if g.is_directed() else 2.0)
    got = replicate_betweenness(rep)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want / scale, rtol=1e-12, atol=1e-15)


def test_twin_betweenness_by_hand() -> None:
    """A path a - b - c with two copies of b and of c. Each copy of b carries half of the
    paths from a to each copy of c (a - b_0 - c_j or a - b_1 - c_j) and half of those between
    the copies of c (c_0 - b_i - c_1): 1/2 + 1/2 + 1/2 = 1.5. The copies of b are joined by
    three paths, b_0 - a - b_1 and b_0 - c_j - b_1: a and each copy of c get 1/3."""
    edges = np.array([[0, 1], [1, 2]])
    raw = twin_betweenness(edges, np.array([1, 2, 2]), directed=False)
    np.testing.assert_allclose(raw, [1 / 3, 1.5, 1.5, 1 / 3, 1 / 3], rtol=1e-15)


def test_workspace_centres_equal_the_per_tie_reading(tmp_path: Path) -> None:
    """Distinct (countries, source) rows give the centres of one row per tie."""
    from civnet.measures.change.coverage import source_centres
    from civnet.products.periods import workspace_centres

    path = tmp_path / "ws.duckdb"
    two_sources(path)
    with Workspace(path, read_only=True) as ws:
        rows = ws.con.execute(
            """SELECT a.country, b.country,
                      list(DISTINCT TRY_CAST(substr(split_part(r, ':', 1), 2) AS INTEGER))
               FROM ties t, unnest(t.refs) AS u(r)
               JOIN actors a ON a.id = t.source JOIN actors b ON b.id = t.target
               GROUP BY t.tie_id, a.country, b.country"""
        ).fetchall()
        per_tie = source_centres(
            [(a, b) for a, b, _ in rows], [[s for s in ids if s is not None] for _, _, ids in rows]
        )
        assert workspace_centres(ws) == per_tie == {2: "CHN"}


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("seed", [3, 5])
def test_view_indicators_by_arrays_equal_the_definitions(seed: int, plain: bool) -> None:
    """The scorecard of a view takes its raw values from the array path; each equals the
    per-tie definition of ``INDICATORS``: exactly, the two betweenness ones to 1e-12."""
    from civnet.measures.softpower.scorecard import INDICATORS, _View, _view_raws
    from tests.test_uncertainty import _scorecard_network

    net = _scorecard_network(seed, plain)
    v = _View.of(net)
    got = _view_raws(net, v, list(INDICATORS))
    for name, ind in INDICATORS.items():
        want = ind.compute(v)
        if isinstance(want, str) or not name.endswith(("betweenness", "centrality")):
            assert got[name] == want, name
        else:
            assert got[name] == pytest.approx(want, rel=1e-12, abs=1e-15), name


def test_tie_source_ids_equal_the_parse_of_each_ref(tmp_path: Path) -> None:
    """Source ids parsed in DuckDB equal the per-ref parse in Python, tie by tie."""
    from civnet.products.periods import tie_sources
    from civnet.views import build_network

    path = tmp_path / "ws.duckdb"
    two_sources(path)
    with Workspace(path) as ws:
        # a tie reported by both sources, and refs that name no source
        ws.con.execute(
            "UPDATE ties SET refs = list_concat(refs, ['s2:row 40', 'x9:row 1', 'note', 's:3']) "
            "WHERE tie_id = (SELECT min(tie_id) FROM ties)"
        )
    with Workspace(path, read_only=True) as ws:
        net = build_network(ws, ViewSpec())
        want = []
        for refs in tie_sources(ws, net):
            heads = [str(r).split(":", 1)[0] for r in refs]
            want.append(
                sorted({int(h[1:]) for h in heads if h.startswith("s") and h[1:].isdigit()})
            )
        got = tie_source_ids(ws, net)
        assert got == want
        assert [1, 2] in got and all(ids for ids in got)


def test_turnover_counts_equal_the_row_by_row_count(tmp_path: Path) -> None:
    """Ties formed and ended per period, counted by Arrow, equal a count row by row."""
    from civnet.measures.change.timeline import turnover

    path = tmp_path / "ws.duckdb"
    two_sources(path)
    with Workspace(path, read_only=True) as ws:
        views = timeline_views(ws, ViewSpec(), "year", 1)
    seen = 0
    for period, net in views:
        want = {}
        for col, key in (("start_date", "formed"), ("end_date", "ended")):
            dates = net.ties.column(col).to_pylist() if net.ties.num_rows else []
            want[key] = sum(1 for d in dates if d is not None and period.start <= d <= period.end)
        assert turnover(net, period) == want
        seen += want["formed"]
    assert seen == 14 + 9  # every tie of both sources starts in one of the years


def dated_workspace(path: Path, seed: int) -> None:
    """40 actors of 8 types in 5 countries and 160 ties: directed and undirected, parallel,
    timeless (no start), open-ended, ending the day a period starts or starting the day it
    ends, a few self-ties."""
    import csv
    import datetime as dt

    from civnet.importers.tables import import_tables

    rng = np.random.default_rng(seed)
    types = ["city", "university", "cso", "media", "enterprise", "think_tank", "network", "igo"]
    countries = ["CHN", "DEU", "FRA", "BRA", "KEN"]
    actors = path.parent / f"actors{seed}.csv"
    ties = path.parent / f"ties{seed}.csv"
    with actors.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "type", "country"])
        for i in range(40):
            w.writerow([f"A{i:03d}", f"Actor {i}", types[i % 8], countries[int(rng.integers(5))]])
    with ties.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["source", "target", "track", "kind", "start", "end", "weight", "directed"])
        for _ in range(160):
            s, t = (int(x) for x in rng.integers(0, 40, 2))
            start = dt.date(2010, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 6)))
            r = rng.random()
            end = (
                ""
                if r < 0.4
                else dt.date(start.year + int(rng.integers(0, 3)), 12, 31).isoformat()
                if r < 0.7
                else dt.date(start.year + int(rng.integers(1, 3)), 1, 1).isoformat()
            )
            w.writerow(
                [
                    f"A{s:03d}",
                    f"A{t:03d}",
                    ["culture", "education", "health"][int(rng.integers(3))],
                    ["exchange", "agreement", "membership"][int(rng.integers(3))],
                    "" if rng.random() < 0.15 else start.isoformat(),
                    "" if not end or rng.random() < 0.15 else end,
                    int(rng.integers(1, 4)),
                    "true" if rng.random() < 0.3 else "false",
                ]
            )
    with Workspace(path) as ws:
        import_tables(ws, actors=actors, ties=ties, skip_bad_rows=True)


def same_network(a: Network, b: Network) -> None:
    assert a.actors.equals(b.actors)
    assert a.ties.equals(b.ties)
    assert a.notes == b.notes and a.spec == b.spec
    assert a.graph.is_directed() == b.graph.is_directed()
    assert a.graph.get_edgelist() == b.graph.get_edgelist()
    for attrs in ("vs", "es"):
        sa, sb = getattr(a.graph, attrs), getattr(b.graph, attrs)
        assert sorted(sa.attributes()) == sorted(sb.attributes())
        for name in sa.attributes():
            assert sa[name] == sb[name], name


@pytest.mark.parametrize("seed", range(2))
def test_period_views_equal_build_network_of_each_period(tmp_path: Path, seed: int) -> None:
    import dataclasses
    import datetime as dt

    from civnet.measures.change.timeline import periods
    from civnet.views import build_network
    from civnet.views.period_views import derivable, period_views

    path = tmp_path / "ws.duckdb"
    dated_workspace(path, seed)
    specs = [
        ViewSpec(),
        ViewSpec(include_timeless=True),
        ViewSpec(tracks=("culture", "health")),
        ViewSpec(kinds=("exchange",), countries=("CHN", "DEU")),
        ViewSpec(actor_types=("city", "university", "cso")),
        ViewSpec(actor_levels=("organisation",)),
        ViewSpec(date_from=dt.date(2011, 3, 1), date_to=dt.date(2014, 6, 30)),
        ViewSpec(project=True),
        ViewSpec(all_actors=True),
        ViewSpec(level="country"),
    ]
    with Workspace(path, read_only=True) as ws:
        for spec in specs:
            spans = [(p.start, p.end) for p in periods(dt.date(2009, 1, 1), dt.date(2018, 12, 31))]
            spans += [
                (dt.date(2012, 1, 1), dt.date(2012, 1, 1)),
                (dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
            ]
            got = period_views(ws, spec, spans)
            assert len(got) == len(spans)
            for (lo, hi), net in zip(spans, got, strict=True):
                want = build_network(ws, dataclasses.replace(spec, date_from=lo, date_to=hi))
                if derivable(spec):
                    same_network(net, want)
                else:  # built one by one (a projection's tie rows come in no fixed order)
                    assert net.actors.equals(want.actors) and net.notes == want.notes
                    assert net.ties.num_rows == want.ties.num_rows
        assert derivable(ViewSpec()) and not derivable(ViewSpec(project=True))


def test_timeline_views_are_those_built_one_by_one(tmp_path: Path) -> None:
    import dataclasses

    from civnet.views import build_network

    path = tmp_path / "ws.duckdb"
    dated_workspace(path, 7)
    with Workspace(path, read_only=True) as ws:
        for every, window in (("year", 1), ("year", 3), ("month", 1)):
            views = timeline_views(ws, ViewSpec(), every, window)
            assert views[0][0].start.year == 2010
            for p, net in views:
                spec = dataclasses.replace(ViewSpec(), date_from=p.start, date_to=p.end)
                same_network(net, build_network(ws, spec))


def _generic_jsonable(value: object) -> object:
    """``to_jsonable`` as it was, by isinstance checks only (the reference)."""
    import datetime as dt  # noqa: F401
    import math
    from collections.abc import Mapping

    if isinstance(value, Mapping):
        return {str(k): _generic_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_generic_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_generic_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return value


def test_to_jsonable_plain_types_first_gives_the_same_values() -> None:
    import datetime as dt
    import json

    from civnet.products.render import to_jsonable

    class Key(str):
        """A str subclass: to_jsonable's exact-type fast path must not take it for a plain str."""

    cases: list[object] = [
        1, 1.5, float("nan"), float("inf"), -float("inf"), True, None, "x", Key("y"),
        {1: 2, "a": [np.float64(2.5), np.int64(3), (1, 2), np.float32("nan")]},
        {Key("k"): dt.date(2020, 1, 2), None: dt.datetime(2020, 1, 1, 3)},
        np.array([1.0, np.nan]), [np.nan, {"d": (np.bool_(True), [float("inf")])}],
    ]  # fmt: skip
    for case in cases:
        got, want = to_jsonable(case), _generic_jsonable(case)
        assert repr(got) == repr(want) and json.dumps(got) == json.dumps(want)
        assert type(got) is type(want)


def _view_notices_per_tie(ws: Workspace, spec: ViewSpec, net: Network) -> list:  # type: ignore[type-arg]
    """The view's coverage notices as computed before the counts: a list of sources per tie
    (:func:`tie_source_ids`), :func:`centred_notices` over them."""
    from civnet.measures.change.coverage import beyond_coverage
    from civnet.products.periods import centred_notices, source_windows, untraceable_notice

    per_tie = tie_source_ids(ws, net)
    if per_tie is None:
        return [untraceable_notice("this view")]
    notices = []
    if spec.date_from or spec.date_to:
        windows = source_windows(ws)
        used = [windows[s] for s in sorted(sources_in(per_tie))]
        lo = spec.date_from or min((w.first for w in used if w.first), default=None)
        hi = spec.date_to or max((w.last for w in used if w.last), default=None)
        if lo and hi:
            notices += beyond_coverage(
                f"{lo.isoformat()}:{hi.isoformat()}",
                lo,
                hi,
                used,
                hint="narrow --period/--from/--to to the sources' coverage",
            )
    return notices + centred_notices(ws, net, per_tie)


def test_view_notices_by_counts_equal_the_per_tie_path(tmp_path: Path) -> None:
    """The view's notices from its tie rows counted per source (one DuckDB query) and per
    country equal those of the list of sources of each tie: whole view, periods, a country,
    with a tie of two sources, refs that name no source, and an actor without a country."""
    import dataclasses
    import datetime as dt

    from civnet.products.periods import country_tie_counts, tie_source_counts, view_notices
    from civnet.views import build_network

    path = tmp_path / "ws.duckdb"
    two_sources(path)
    with Workspace(path) as ws:
        ws.con.execute(
            "UPDATE ties SET refs = list_concat(refs, ['s2:row 40', 's2:row 41', 'x9:row 1', "
            "'note', 's:3']) WHERE tie_id = (SELECT min(tie_id) FROM ties)"
        )
        ws.con.execute("UPDATE actors SET country = NULL WHERE id = 'p_LAO'")
    specs = [
        ViewSpec(),
        ViewSpec(date_from=dt.date(2014, 1, 1), date_to=dt.date(2016, 12, 31)),
        ViewSpec(date_from=dt.date(2011, 1, 1)),
        ViewSpec(date_to=dt.date(2012, 6, 30)),
        ViewSpec(countries=("CHN",)),
    ]
    seen = set()
    with Workspace(path, read_only=True) as ws:
        for spec in specs:
            net = build_network(ws, spec)
            got = [n.json() for n in view_notices(ws, spec, net)]
            assert got == [n.json() for n in _view_notices_per_tie(ws, spec, net)], spec
            seen.update(n["kind"] for n in got)
            per_tie = tie_source_ids(ws, net)
            assert per_tie is not None
            want = {s: sum(s in set(ids) for ids in per_tie) for s in sources_in(per_tie)}
            assert tie_source_counts(ws, net) == want
            country = dict(zip(net.ids, net.vertex_attr("country"), strict=True))
            by_hand: dict[str, int] = {}
            for s, t in zip(
                net.ties.column("source").to_pylist(),
                net.ties.column("target").to_pylist(),
                strict=True,
            ):
                for c in {c for c in (country[s], country[t]) if c}:
                    by_hand[c] = by_hand.get(c, 0) + 1
            assert country_tie_counts(net) == by_hand
        # a view that cannot be traced to sources, and an empty one
        projected = Network.from_networkx(nx.path_graph(3))
        assert [n.json() for n in view_notices(ws, ViewSpec(), projected)] == [
            n.json() for n in _view_notices_per_tie(ws, ViewSpec(), projected)
        ]
        no_actor_there = ("ATA",)  # Antarctica: a valid code no actor of the workspace has
        empty = build_network(ws, dataclasses.replace(ViewSpec(), countries=no_actor_there))
        assert empty.graph.vcount() == 0
        assert view_notices(ws, ViewSpec(), empty) == []
    assert {"centred_source", "beyond_coverage"} <= seen


def test_density_by_track_cut_from_the_view_equals_built_views(tmp_path: Path) -> None:
    """Each track's counts, from the track's rows cut from the view, equal those of the
    track's view built from the workspace (``civnet describe --track T``), under every view
    filter: countries, actor types, a period, timeless ties kept, all actors (built)."""
    import dataclasses
    import datetime as dt

    from civnet.measures import describe
    from civnet.products.report import density_by_track
    from civnet.views import build_network

    path = tmp_path / "ws.duckdb"
    two_sources(path)
    specs = [
        ViewSpec(),
        ViewSpec(countries=("CHN",)),
        ViewSpec(actor_types=("media",)),
        ViewSpec(date_from=dt.date(2014, 1, 1), date_to=dt.date(2016, 12, 31)),
        ViewSpec(date_from=dt.date(2015, 1, 1), include_timeless=True),
        ViewSpec(tracks=("culture", "education")),
        ViewSpec(all_actors=True),
    ]
    with Workspace(path, read_only=True) as ws:
        for spec in specs:
            net = build_network(ws, spec)
            got = density_by_track(ws, spec, net)
            want = []
            for row in got:
                d = describe(build_network(ws, dataclasses.replace(spec, tracks=(row["track"],))))
                want.append({"track": row["track"], **{k: d[k] for k in row if k != "track"}})
            assert got == want, spec
            assert len(got) >= 1 or spec.actor_types
