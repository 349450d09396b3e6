"""betweenness from the catalog: every option (samples, approx, delta, exact, seed, group, boot,
rank_all) is one catalog parameter, so the CLI, the API and Python give the same JSON; the JSON
counts the actors ranked and the aggregates left out of the ranking."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

import civnet

# Krackhardt's kite (10 actors) plus a country-level aggregate tied to two of them.
KITE = nx.krackhardt_kite_graph()
AGGREGATE = "DEU/GOV"


@pytest.fixture
def kite(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    actors, ties = tmp_path / "actors.csv", tmp_path / "ties.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country", "level"])
        for n in KITE:
            w.writerow([f"k{n}", f"Kite {n}", "cso", "DEU" if n < 5 else "FRA", "organisation"])
        w.writerow([AGGREGATE, "German government", "state", "DEU", "country"])
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track"])
        for u, v in KITE.edges():
            w.writerow([f"k{u}", f"k{v}", "culture"])
        w.writerow([AGGREGATE, "k0", "governance"])
        w.writerow([AGGREGATE, "k9", "governance"])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    return cli


def _graph() -> nx.Graph:
    g = nx.relabel_nodes(KITE, {n: f"k{n}" for n in KITE})
    g.add_edges_from([(AGGREGATE, "k0"), (AGGREGATE, "k9")])
    return g


def test_json_counts_the_ranked_and_the_aggregates_left_out(kite) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(kite("betweenness", "-f", "json").output)
    want = nx.betweenness_centrality(_graph())
    assert data["left_out"] == {"country": 1} and data["n_ranked"] == 10
    values = [r["betweenness"] for r in data["records"]]
    assert values == sorted(values, reverse=True)
    assert {r["id"]: r["betweenness"] for r in data["records"]} == pytest.approx(
        {k: v for k, v in want.items() if k != AGGREGATE}, abs=1e-12
    )
    every = json.loads(kite("betweenness", "--rank-all", "--top", "3", "-f", "json").output)
    assert every["left_out"] == {} and every["n_ranked"] == 11 and len(every["records"]) == 3
    table = kite("betweenness", "--top", "2").output
    assert "top 2 of 10 ranked" in table
    assert "1 aggregate actor left out (country 1)" in " ".join(table.split())


@pytest.mark.parametrize(
    "query",
    [
        {"samples": 4, "seed": 3},
        {"approx": 0.2, "delta": 0.2, "seed": 1},
        {"group": "country", "samples": 50, "seed": 2},
        {"group": "country", "exact": True, "top": 1},
        {"boot": 8, "top": 2, "seed": 5},
        {"raw": True, "weighted": True, "exact": True},
    ],
    ids=lambda q: ",".join(q),
)
def test_cli_api_and_python_give_one_json(kite, query: dict) -> None:  # type: ignore[no-untyped-def]
    from civnet.products.serving.server import create_app

    args = [a for k, v in query.items() for a in ((f"--{k}",) if v is True else (f"--{k}", str(v)))]
    cli = json.loads(kite("betweenness", *args, "-f", "json").output)
    api = TestClient(create_app(kite.workspace)).get("/api/betweenness", params=query).json()
    python = civnet.open(kite.workspace).view().betweenness(**query).data
    assert cli == api == python
    assert cli["records"]


def test_group_and_boot_are_the_group_betweenness_and_brokers_results(kite) -> None:  # type: ignore[no-untyped-def]
    view = civnet.open(kite.workspace).view()
    assert view.betweenness(group="country").data == view.group_betweenness(by="country").data
    boot = view.betweenness(boot=8, top=2, seed=5).data
    assert boot == view.brokers(boot=8, top=2, seed=5, resample="ties").data
    assert len(boot["records"]) == 2 and AGGREGATE not in {r["id"] for r in boot["records"]}


def test_sampled_sources_are_seeded_and_said(kite) -> None:  # type: ignore[no-untyped-def]
    once = json.loads(kite("betweenness", "--samples", "4", "--seed", "3", "-f", "json").output)
    again = json.loads(kite("betweenness", "--samples", "4", "--seed", "3", "-f", "json").output)
    assert once == again
    assert all("4" in r["method"] for r in once["records"])


REFUSED = [
    (
        ["--group", "country", "--approx", "0.1"],
        {"group": "country", "approx": 0.1},
        "group",
        "approx",
    ),
    (["--boot", "5", "--samples", "3"], {"boot": 5, "samples": 3}, "boot", "samples"),
    (
        ["--dask", "local:1", "--approx", "0.1"],
        {"dask": "local:1", "approx": 0.1},
        "dask",
        "approx",
    ),
    (["--samples", "3", "--exact"], {"samples": 3, "exact": True}, "samples", "exact"),
    (
        ["--samples", "3", "--certify-top", "2"],
        {"samples": 3, "certify_top": 2},
        "samples",
        "certify_top",
    ),
    (
        ["--group", "country", "--certify-top", "2"],
        {"group": "country", "certify_top": 2},
        "group",
        "certify_top",
    ),
]


@pytest.mark.parametrize(("args", "kwargs", "chosen", "ignored"), REFUSED)
def test_options_that_would_be_ignored_are_refused_in_one_line(  # type: ignore[no-untyped-def]
    kite, args: list[str], kwargs: dict, chosen: str, ignored: str
) -> None:
    message = f"betweenness {chosen} does not take {ignored}"
    out = kite("betweenness", *args, code=2).output
    assert message in out and len(out.strip().splitlines()) == 1
    with pytest.raises(civnet.UserError, match=message):
        civnet.open(kite.workspace).view().betweenness(**kwargs)


@pytest.mark.parametrize("args", [[], ["--approx", "0.2", "--seed", "3"]])
def test_csv_has_the_columns_and_values_of_to_pandas(kite, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The CSV is the Python face's DataFrame: the same columns in
    the same order, the same values (the CSV had a fixed list without level and method)."""
    text = kite("betweenness", "--top", "4", *args, "-f", "csv").output
    rows = list(csv.DictReader(text.splitlines()))
    kw = {"approx": 0.2, "seed": 3} if args else {}
    frame = civnet.open(kite.workspace).view().betweenness(top=4, **kw).to_pandas()
    assert list(rows[0]) == list(frame.columns)
    assert "level" in frame.columns
    assert [r["id"] for r in rows] == list(frame["id"])
    assert [float(r["betweenness"]) for r in rows] == pytest.approx(list(frame["betweenness"]))


def test_certify_top_says_certified_or_not_on_every_face(kite) -> None:  # type: ignore[no-untyped-def]
    """``--certify-top K`` reaches the bounded approximation: on the kite (with its aggregate)
    k0 and k7 lead by 0.048, then k5 and k6 tie; the first two are certified, a top three
    (which would have to tell the tie apart) is not. The CLI, the API and Python give one JSON."""
    query = {"approx": 0.05, "seed": 1, "certify_top": 2}
    out = json.loads(
        kite(
            "betweenness", "--approx", "0.05", "--seed", "1", "--certify-top", "2", "-f", "json"
        ).output
    )
    api = TestClient(civnet_app(kite)).get("/api/betweenness", params=query)
    assert api.status_code == 200
    python = civnet.open(kite.workspace).view().betweenness(**query).data
    assert out == api.json() == python
    method = out["records"][0]["method"]
    assert "the first 2 are the true top 2 of the actors ranked (certified" in method
    assert [r["id"] for r in out["records"][:2]] == ["k0", "k7"]
    tie = json.loads(
        kite(
            "betweenness", "--approx", "0.05", "--seed", "1", "--certify-top", "3", "-f", "json"
        ).output
    )
    assert "the top 3 of the actors ranked is not certified" in tie["records"][0]["method"]
    plain = json.loads(kite("betweenness", "--approx", "0.05", "--seed", "1", "-f", "json").output)
    assert "certified" not in plain["records"][0]["method"]


def civnet_app(kite):  # type: ignore[no-untyped-def]
    from civnet.products.serving.server import create_app

    return create_app(kite.workspace)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (["--certify-top", "3"], {"certify_top": 3}),
        (["--certify-top", "3", "--exact"], {"certify_top": 3, "exact": True}),
    ],
)
def test_certify_top_without_approx_is_refused_in_one_line(  # type: ignore[no-untyped-def]
    kite, args: list[str], kwargs: dict
) -> None:
    """Whatever the time budget would choose: an exact ranking needs no certificate, and the
    same request must not pass on one machine and fail on another."""
    out = kite("betweenness", *args, code=2).output
    assert "certify_top needs approx" in out and len(out.strip().splitlines()) == 1
    assert "Traceback" not in out
    with pytest.raises(civnet.UserError, match="certify_top needs approx"):
        civnet.open(kite.workspace).view().betweenness(**kwargs)
    api = TestClient(civnet_app(kite)).get("/api/betweenness", params=kwargs)
    assert api.status_code in (400, 422) and "certify_top needs approx" in api.text, api.text


@pytest.mark.parametrize("value", ["-1", "1001", "99999999999999999999", "ten"])
def test_certify_top_bounds_are_declared_and_refused(kite, value: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(civnet_app(kite))
    got = client.get("/api/betweenness", params={"approx": 0.05, "certify_top": value})
    assert got.status_code == 422, got.text
    schema = client.get("/openapi.json").json()["paths"]["/api/betweenness"]["get"]
    (param,) = [p for p in schema["parameters"] if p["name"] == "certify_top"]
    declared = dict(param["schema"])
    for alt in declared.pop("anyOf", []):  # ``int | None``: the number's schema
        declared |= alt if alt.get("type") != "null" else {}
    assert (declared["minimum"], declared["maximum"], declared["default"]) == (0, 1000, 0)
    out = kite("betweenness", "--approx", "0.05", "--certify-top", value, code=2).output
    assert "Traceback" not in out


def test_the_cache_keys_on_certify_top(kite) -> None:  # type: ignore[no-untyped-def]
    """Two requests that differ only in certify_top are two cache entries: a cached estimate
    without a certificate never answers a request for one."""
    from civnet.products.runner import plan
    from civnet.store import Workspace
    from civnet.views import ViewSpec

    base = {"approx": 0.05, "seed": 1}
    with Workspace(kite.workspace, read_only=True) as ws:
        keys = {
            plan(ws, "betweenness", ViewSpec.make(), base | extra).key
            for extra in ({}, {"certify_top": 0}, {"certify_top": 2}, {"certify_top": 3})
        }
    assert len(keys) == 3
    plain = json.loads(kite("betweenness", "--approx", "0.05", "--seed", "1", "-f", "json").output)
    again = json.loads(
        kite(
            "betweenness", "--approx", "0.05", "--seed", "1", "--certify-top", "2", "-f", "json"
        ).output
    )
    assert "certified" not in plain["records"][0]["method"]
    assert (
        "the first 2 are the true top 2 of the actors ranked (certified"
        in again["records"][0]["method"]
    )


def test_a_certified_top_is_the_listed_one(kite) -> None:  # type: ignore[no-untyped-def]
    """The list leaves the aggregates out, and so does the certificate: DEU/GOV is fifth of
    all (0.126), not among the first five listed, which are certified among the actors ranked;
    with --rank-all the certificate is about every actor, DEU/GOV among them."""
    args = ("betweenness", "--approx", "0.05", "--seed", "1", "--certify-top", "5", "-f", "json")
    listed = json.loads(kite(*args).output)["records"]
    assert "top 5 of the actors ranked" in listed[0]["method"]
    assert "DEU/GOV" not in {r["id"] for r in listed[:5]}
    every = json.loads(kite(*args, "--rank-all").output)["records"]
    assert "top 5" in every[0]["method"] and "of the actors ranked" not in every[0]["method"]
    assert "DEU/GOV" in {r["id"] for r in every[:5]}


def test_a_weighted_certified_top_is_refused_in_one_line(kite) -> None:  # type: ignore[no-untyped-def]
    out = kite("betweenness", "--approx", "0.05", "--weighted", "--certify-top", "2", code=2).output
    assert "unweighted views only" in out and len(out.strip().splitlines()) == 1
