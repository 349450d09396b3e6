"""Actor levels: stored by every importer, filtered by views, and kept out of default rankings.

The crafted network: a country-level actor (``DEU/GOV``) is the hub of a star, so it has the
highest betweenness; a sector aggregate (``FRA/EDU``) and a network (C40-like) come next. The
rankings must list the organisations and cities first and say how many aggregates they left out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pyarrow as pa
import pytest

from civnet.errors import UnknownVocabulary
from civnet.importers.batch import Batch
from civnet.measures import betweenness, describe
from civnet.products.analyze import analyze, betweenness_records
from civnet.store import Workspace
from civnet.views import ViewSpec, build_network
from civnet.vocab import ACTOR_LEVELS, actor_level

ACTORS = {
    # id: (type, country, level given by the importer, None: the default rule)
    "DEU/GOV": ("state", "DEU", "country"),
    "FRA/EDU": ("university", "FRA", "sector"),
    "network:c40": ("network", None, "network"),
    "city:DEU:bonn": ("city", "DEU", "city"),
    "city:FRA:lyon": ("city", "FRA", "city"),
    "city:POL:gdansk": ("city", "POL", None),
    "uni:DEU:tum": ("university", "DEU", None),
    "ngo:POL:x": ("cso", "POL", None),
    "ngo:FRA:y": ("cso", "FRA", None),
}
TIES = [
    # the star through DEU/GOV
    ("DEU/GOV", "city:DEU:bonn"),
    ("DEU/GOV", "city:FRA:lyon"),
    ("DEU/GOV", "uni:DEU:tum"),
    ("DEU/GOV", "FRA/EDU"),
    ("DEU/GOV", "network:c40"),
    # a chain behind the aggregates
    ("FRA/EDU", "ngo:FRA:y"),
    ("network:c40", "city:POL:gdansk"),
    ("city:POL:gdansk", "ngo:POL:x"),
]


def batch() -> Batch:
    ids = list(ACTORS)
    actors = pa.table(
        {
            "id": ids,
            "name": ids,
            "type": [ACTORS[a][0] for a in ids],
            "country": [ACTORS[a][1] for a in ids],
            "level": pa.array([ACTORS[a][2] for a in ids], pa.string()),
        }
    )
    ties = pa.table(
        {
            "source": [s for s, _ in TIES],
            "target": [t for _, t in TIES],
            "track": ["general"] * len(TIES),
            "kind": ["other"] * len(TIES),
            "weight": [1.0] * len(TIES),
            "directed": [False] * len(TIES),
            "ref": [str(i) for i in range(len(TIES))],
        }
    )
    return Batch("crafted", "crafted.csv", "sha-crafted", "test", actors, ties, len(TIES))


@pytest.fixture
def crafted(ws_path: Path) -> Path:
    with Workspace(ws_path) as ws:
        ws.ingest([batch()])
    return ws_path


def expected_levels() -> dict[str, str]:
    # the default rule, written out by hand for the actors stored without a level
    return {a: lv or {"city": "city"}.get(t, "organisation") for a, (t, _, lv) in ACTORS.items()}


def test_levels_stored_given_or_by_default(crafted: Path) -> None:
    with Workspace(crafted, read_only=True) as ws:
        got = dict(ws.con.execute("SELECT id, level FROM actors").fetchall())
    assert got == expected_levels()


def test_unknown_level_refused() -> None:
    actors = pa.table({"id": ["a"], "type": ["cso"], "level": ["galaxy"]})
    with pytest.raises(UnknownVocabulary, match="unknown actor level 'galaxy'"):
        Batch("x", "x", "x", "x", actors, pa.table({"source": pa.array([], pa.string())}), 0)


def test_default_level_rule() -> None:
    cases = {
        ("university", "CHN/EDU"): "sector",
        ("state", "CHN/GOV"): "country",
        ("state", "CHN/COUNTRY"): "country",
        ("university", "CHN/EDU/PEKING UNIVERSITY"): "organisation",
        ("city", "city:DEU:bonn"): "city",
        ("igo", "igo:un"): "network",
        ("forum", None): "network",
        ("state", "ministry:fr"): "organisation",
    }
    assert {k: actor_level(*k) for k in cases} == cases
    assert set(cases.values()) == set(ACTOR_LEVELS)


def test_workspace_made_before_levels_upgrades(crafted: Path) -> None:
    with Workspace(crafted) as ws:  # as the upgrade leaves an earlier workspace: levels empty
        ws.con.execute("UPDATE actors SET level = NULL")
    with Workspace(crafted, read_only=True) as ws:  # read-only: views use the default rule
        assert not ws.has_actor_levels()
        net = build_network(ws, ViewSpec.make(actor_levels=["city", "country"]))
        assert sorted(net.ids) == ["DEU/GOV", "city:DEU:bonn", "city:FRA:lyon"]
    with Workspace(crafted) as ws:  # writable: the column is added and filled, idempotently
        got = dict(ws.con.execute("SELECT id, level FROM actors").fetchall())
    with Workspace(crafted) as ws:
        assert ws.has_actor_levels()
    # the default rule cannot know what the importer said: DEU/GOV and FRA/EDU by their ids
    assert got == {**expected_levels(), "network:c40": "network"}


def test_actor_level_filter(cli, crafted: Path) -> None:  # type: ignore[no-untyped-def]
    d = json.loads(cli("describe", "--actor-level", "city", "--format", "json").output)
    assert (d["nodes"], d["edges"]) == (0, 0)  # no tie between two cities
    d = json.loads(
        cli(
            "describe", "--actor-level", "city", "--actor-level", "country", "--format", "json"
        ).output
    )
    assert (d["nodes"], d["edges"], d["by_level"]) == (3, 2, {"city": 2, "country": 1})
    out = cli("describe", "--actor-level", "village", code=2).output
    assert "unknown actor level 'village'" in out and "organisation, city" in out


def test_describe_counts_levels_and_warns_on_mixed_levels(crafted: Path) -> None:
    with Workspace(crafted, read_only=True) as ws:
        d = describe(build_network(ws, ViewSpec()))
        only_actors = describe(
            build_network(ws, ViewSpec.make(actor_levels=["city", "organisation"]))
        )
    assert d["by_level"] == {"organisation": 3, "city": 3, "sector": 1, "country": 1, "network": 1}
    # pairs of two cities/organisations: gdansk-ngo:POL:x; with a country or sector end: the
    # five of DEU/GOV and FRA/EDU-ngo:FRA:y
    (warning,) = [n for n in d["notes"] if n.startswith("the view mixes")]
    assert warning.startswith("the view mixes 1 connected pairs of cities or organisations with 6")
    assert not any(n.startswith("the view mixes") for n in only_actors["notes"])


def ranked_oracle(ids: set[str]) -> list[str]:
    """Organisations and cities by NetworkX betweenness on the whole view, highest first."""
    g = nx.Graph(TIES)
    b = nx.betweenness_centrality(g)
    levels = expected_levels()
    keep = [a for a in g if levels[a] in ("organisation", "city") and a in ids]
    return sorted(keep, key=lambda a: (-b[a], a))


def test_rankings_leave_out_aggregates_and_count_them(crafted: Path) -> None:
    with Workspace(crafted, read_only=True) as ws:
        net = build_network(ws, ViewSpec())
    b = betweenness(net)
    by_nx = nx.betweenness_centrality(nx.Graph(TIES))
    assert max(by_nx, key=by_nx.__getitem__) == "DEU/GOV"  # the aggregate is the top broker
    records = betweenness_records(net, b, None)
    assert [r["id"] for r in records] == ranked_oracle(set(net.ids))
    assert [r["rank"] for r in records] == list(range(1, 7))
    assert {r["level"] for r in records} == {"organisation", "city"}
    every = betweenness_records(net, b, None, levels=None)
    assert [r["id"] for r in every] == sorted(by_nx, key=lambda a: (-by_nx[a], a))
    a = analyze(net, top=3)
    assert [r["id"] for r in a.brokers] == ranked_oracle(set(net.ids))[:3]
    assert a.left_out == {"sector": 1, "country": 1, "network": 1}
    assert analyze(net, top=3, rank_all=True).left_out == {}


def test_cli_rankings_say_what_they_left_out(cli, crafted: Path) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli("betweenness", "--format", "json").output)["records"]
    assert [r["id"] for r in rows] == ranked_oracle(set(ACTORS))
    rows = json.loads(cli("betweenness", "--rank-all", "--format", "json").output)["records"]
    assert rows[0]["id"] == "DEU/GOV" and len(rows) == len(ACTORS)
    for args in (["betweenness"], ["analyze"]):
        out = cli(*args).output
        phrase = "3 aggregate actors left out (sector 1, country 1, network 1)"
        assert re.search(re.escape(phrase).replace("\\ ", r"\s+"), out), out
        assert "DEU/GOV" not in out.split("Density by country")[0].split("brokers")[-1]
    out = cli("brokerage", "--top", "3").output
    top = out.split("brokers by total brokered pairs")[-1]
    assert "DEU/GOV" not in top and "aggregate actors" in top
    rows = json.loads(cli("brokerage", "--top", "2", "--format", "json").output)["records"]
    listed = {r["id"] for r in rows if r["scope"] == "actor"}
    assert len(listed) == 2 and not listed & {"DEU/GOV", "FRA/EDU", "network:c40"}


def test_datasets_set_levels(tmp_path: Path) -> None:
    from civnet.datasets import get

    with Workspace(tmp_path / "ws.duckdb") as ws:
        for name in ("china-public-diplomacy", "confucius-institutes"):
            get(name).loader(ws, None)
        rows = ws.con.execute("SELECT id, type, level FROM actors").fetchall()
    for aid, atype, level in rows:
        if aid.startswith("network:"):
            want = "network"
        elif re.fullmatch(r"[A-Z]{3}/[A-Z]+", aid):  # China's panel: sector aggregates
            want = "country" if atype == "state" else "sector"
        else:
            want = "organisation"  # Confucius Institute universities
        assert level == want, (aid, atype, level)
    assert {lv for _, _, lv in rows} == {"network", "country", "sector", "organisation"}


def test_table_import_reads_a_level_column(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    actors = tmp_path / "actors.csv"
    actors.write_text(
        "id,name,type,country,level\n"
        "a,Alpha,cso,DEU,\n"  # empty: the default for its type
        "b,Beta,university,FRA,sector\n"
        "c,Gamma,city,POL,City\n"
        "d,Delta,cso,POL,galaxy\n",  # a bad row: stops the import, or is rejected and counted
        encoding="utf-8",
    )
    ties = tmp_path / "ties.csv"
    ties.write_text("source,target\na,b\nb,c\n", encoding="utf-8")
    out = cli("import", "table", "--actors", str(actors), "--ties", str(ties), code=2).output
    assert "row 4: field 'level': unknown actor level" in " ".join(out.split())
    cli("import", "table", "--actors", str(actors), "--ties", str(ties), "--skip-bad-rows")
    with Workspace(cli.workspace, read_only=True) as ws:
        got = dict(ws.con.execute("SELECT id, level FROM actors").fetchall())
        reasons = [r[0] for r in ws.con.execute("SELECT reason FROM rejects").fetchall()]
    assert got == {"a": "organisation", "b": "sector", "c": "city"}
    assert reasons == ["unknown actor level; valid: organisation, city, sector, country, network"]


def test_bootstrap_brokers_leave_out_aggregates(crafted: Path) -> None:
    """``civnet brokers`` (and ``betweenness --boot``) rank organisations and cities only: the
    top K and each actor's top-K share are among them, the aggregates keep their intervals."""
    from civnet.measures.statistics.uncertainty import betweenness_bootstrap

    with Workspace(crafted, read_only=True) as ws:
        net = build_network(ws, ViewSpec())
    st = betweenness_bootstrap(net, 20, 3, seed=1, ranked=net.ranked())
    assert [st.ids[i] for i in st.order()[:3]] == ranked_oracle(set(net.ids))[:3]
    assert st.left_out == 3
    aggregates = [st.ids.index(a) for a in ("DEU/GOV", "FRA/EDU", "network:c40")]
    assert all(st.top_share[i] == 0 for i in aggregates)
    assert st.top_share.sum() == pytest.approx(3.0)  # three places in every resample
    every = betweenness_bootstrap(net, 20, 3, seed=1)
    assert every.left_out == 0 and st.ids[every.order()[0]] == "DEU/GOV"
    np_equal = (every.estimate == st.estimate).all() and (every.low == st.low).all()
    assert np_equal  # the same resamples: only the ranking differs


def test_cli_brokers_leave_out_aggregates(cli, crafted: Path) -> None:  # type: ignore[no-untyped-def]
    aggregates = {"DEU/GOV", "FRA/EDU", "network:c40"}
    for args in (["brokers"], ["betweenness"]):
        rows = json.loads(cli(*args, "--boot", "10", "--top", "3", "--format", "json").output)[
            "records"
        ]
        assert [r["id"] for r in rows] == ranked_oracle(set(ACTORS))[:3]
        assert not {r["id"] for r in rows} & aggregates
    rows = json.loads(
        cli("brokers", "--boot", "10", "--top", "3", "--rank-all", "--format", "json").output
    )["records"]
    assert rows[0]["id"] == "DEU/GOV"
    out = cli("brokers", "--boot", "10", "--top", "3").output
    assert "--rank-all ranks" in out
