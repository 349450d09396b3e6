"""The JSON API returns what the CLI prints with --format json, for the same filters."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from civnet.importers.tables import import_tables
from civnet.products.catalog import MEASURES
from civnet.products.serving.server import create_app
from civnet.store import Workspace

DATA = Path(__file__).parent / "data" / "products"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("server") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


@pytest.fixture(scope="module")
def client(workspace: Path) -> TestClient:
    return TestClient(create_app(workspace))


def cli_json(workspace: Path, *args: str) -> object:
    from typer.testing import CliRunner

    from civnet.cli import app

    res = CliRunner().invoke(app, ["--workspace", str(workspace), *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


CASES = [
    ("describe", [], ""),
    ("describe", ["--track", "education"], "track=education"),
    ("describe", ["--from", "2010", "--to", "2014"], "from=2010&to=2014"),
    ("describe", ["--country", "KEN", "--country", "BRA"], "country=KEN&country=BRA"),
    ("describe", ["--actor-type", "city", "--actor-type", "cso"], "actor_type=city&actor_type=cso"),
    ("describe", ["--project"], "project=true"),
    ("describe", ["--level", "country"], "level=country"),
    ("density", [], ""),
    ("density", ["--by", "country", "--track", "culture"], "by=country&track=culture"),
    ("density", ["--weighted", "--kind", "exchange"], "weighted=true&kind=exchange"),
    ("betweenness", ["--top", "5"], "top=5"),
    ("betweenness", ["--raw", "--country", "FRA"], "raw=true&country=FRA"),
    ("betweenness", ["--weighted", "--from", "2015"], "weighted=true&from=2015"),
    ("brokerage", ["--permutations", "20", "--track", "culture"], "permutations=20&track=culture"),
    ("brokerage", ["--per-track", "--top", "2"], "per_track=true&top=2"),
    ("holes", ["--top", "5", "--country", "KEN"], "top=5&country=KEN"),
    (
        "ei",
        ["--permutations", "50", "--by", "type", "--from", "2010"],
        "permutations=50&by=type&from=2010",
    ),
    ("communities", ["--seed", "3", "--track", "education"], "seed=3&track=education"),
    ("communities", ["--members", "--top", "4"], "members=true&top=4"),
    ("mixing", ["--by", "type", "--kind", "exchange"], "by=type&kind=exchange"),
    ("diversity", ["--top", "3", "--level", "country"], "top=3&level=country"),
    ("timeline", ["--window", "2", "--track", "culture"], "window=2&track=culture"),
    (
        "compare",
        [
            "--before",
            "2008:2012",
            "--after",
            "2016:2020",
            "--boot",
            "20",
            "--permutations",
            "20",
            "--country",
            "BRA",
        ],
        "before=2008:2012&after=2016:2020&boot=20&permutations=20&country=BRA",
    ),
    (
        "brokers",
        ["--boot", "20", "--top", "5", "--track", "education"],
        "boot=20&top=5&track=education",
    ),
    ("scorecard", ["--boot", "8", "--period", "2005:2022"], "boot=8&period=2005:2022"),
]


@pytest.mark.parametrize(("measure", "cli_args", "query"), CASES)
def test_api_equals_cli(
    client: TestClient, workspace: Path, measure: str, cli_args: list[str], query: str
) -> None:
    r = client.get(f"/api/{measure}" + (f"?{query}" if query else ""))
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(workspace, measure, *cli_args)


def test_group_betweenness_equals_cli(client: TestClient, workspace: Path) -> None:
    r = client.get("/api/group_betweenness?by=country&track=culture")
    assert r.status_code == 200, r.text
    expected = cli_json(workspace, "betweenness", "--group", "country", "--track", "culture")
    assert r.json() == expected
    assert [row["group"] for row in r.json()["records"]][:1] == [expected["records"][0]["group"]]


def test_known_numbers(client: TestClient) -> None:
    d = client.get("/api/describe").json()
    assert (d["nodes"], d["edges"], d["ties"], d["countries"]) == (49, 109, 118, 6)
    assert d["density"] == pytest.approx(2 * 109 / (49 * 48))
    e = client.get("/api/describe?track=education").json()
    assert (e["nodes"], e["edges"], e["ties"]) == (21, 14, 14)
    assert e["density"] == pytest.approx(2 * 14 / (21 * 20))


def test_bad_filter_is_400_with_one_line(client: TestClient) -> None:
    r = client.get("/api/describe?track=bogus")
    assert r.status_code == 400
    assert r.json()["error"].startswith("unknown track 'bogus'; use one of: culture")
    r = client.get("/api/density?by=shoe_size")
    assert r.status_code == 400 and "no actor attribute 'shoe_size'" in r.json()["error"]
    assert client.get("/api/describe?from=2020&to=2010").status_code == 400


def test_job_reports_progress_and_result(client: TestClient) -> None:
    r = client.post("/api/jobs/betweenness?top=3&track=culture")
    assert r.status_code == 202
    job = r.json()
    assert job["status"] in ("queued", "running", "done") and job["name"] == "betweenness"
    deadline = time.time() + 20
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "done", job
    assert job["total"] > 0 and job["done"] == job["total"]
    assert job["result"] == client.get("/api/betweenness?top=3&track=culture").json()
    assert client.get("/api/jobs/nope").status_code == 404


def test_failed_job_says_why(client: TestClient) -> None:
    job = client.post("/api/jobs/density?by=shoe_size").json()
    deadline = time.time() + 20
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "error" and "no actor attribute 'shoe_size'" in job["error"]


def wait(client: TestClient, job: dict) -> dict:
    deadline = time.time() + 30
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


def test_scorecard_job_reports_bootstrap_progress(client: TestClient) -> None:
    r = client.post("/api/jobs/scorecard?boot=6&seed=5&track=culture&track=education")
    assert r.status_code == 202
    job = wait(client, r.json())
    assert job["status"] == "done", job
    assert (job["done"], job["total"]) == (6, 6)
    assert (
        job["result"]
        == client.get("/api/scorecard?boot=6&seed=5&track=culture&track=education").json()
    )
    assert job["result"]["bootstrap"] == {"n": 6, "unit": "actors", "seed": 5}


def test_compare_job_and_its_errors(client: TestClient) -> None:
    q = "before=2008:2012&after=2016:2020&boot=5&permutations=7"
    job = wait(client, client.post(f"/api/jobs/compare?{q}").json())
    assert job["status"] == "done" and (job["done"], job["total"]) == (12, 12), job
    assert [r["measure"] for r in job["result"]["measures"]][:3] == ["nodes", "edges", "ties"]
    assert client.get("/api/compare?after=2016:2020").status_code == 422  # before is required
    r = client.get("/api/compare?before=2008-2012&after=2016:2020")
    assert r.status_code == 400 and r.json()["error"].startswith("--before expects FROM:TO")
    r = client.get("/api/brokers?resample=bogus")  # a declared choice: 422 naming them
    assert r.status_code == 422 and r.json()["error"].startswith("resample: Input should be")


def test_scorecard_weights_file_is_not_an_api_parameter(client: TestClient) -> None:
    params = client.get("/openapi.json").json()["paths"]["/api/scorecard"]["get"]["parameters"]
    assert {"period", "boot", "resample", "seed"} <= {p["name"] for p in params}
    assert "weights" not in {p["name"] for p in params}
    r = client.get("/api/scorecard?boot=1&weights=/etc/passwd")
    assert r.status_code == 200  # an unknown query parameter is ignored, never read as a path


def test_graph_payload(client: TestClient) -> None:
    g = client.get("/api/graph").json()
    assert len(g["nodes"]["id"]) == 49 and len(g["ties"]["s"]) == 118
    assert g["edges_total"] == g["edges_drawn"] == 109
    assert client.get("/api/graph?max_edges=10").json()["edges_drawn"] == 10
    assert g == client.get("/api/graph").json()  # seeded layout: same positions


def test_export_endpoint(client: TestClient) -> None:
    r = client.get("/api/export?format=gexf&track=education")
    assert r.status_code == 200 and "gexf" in r.headers["content-disposition"]
    g = nx.read_gexf(io.BytesIO(r.content), version="1.3")
    assert (g.number_of_nodes(), g.number_of_edges()) == (21, 14)
    z = zipfile.ZipFile(io.BytesIO(client.get("/api/export?format=csv").content))
    assert sorted(z.namelist()) == ["civnet.edges.csv", "civnet.nodes.csv"]
    r = client.get("/api/export?format=pajek")  # a declared choice: refused before anything runs
    assert r.status_code == 422 and r.json()["error"].startswith("format: Input should be 'gexf'")


def test_meta_sources_openapi_and_dashboard(client: TestClient) -> None:
    meta = client.get("/api/meta").json()
    assert meta["counts"]["ties"] == 118
    assert meta["tracks"] == ["culture", "education", "environment", "health", "economy_trade"]
    assert [c["code"] for c in meta["countries"]] == ["BRA", "CHN", "DEU", "FRA", "KEN", "USA"]
    assert {m["name"] for m in meta["measures"]} == set(MEASURES)
    src = client.get("/api/sources").json()
    assert src[0]["name"] == "actors.csv + ties.csv" and src[0]["rows_read"] == 168
    paths = client.get("/openapi.json").json()["paths"]
    for name in MEASURES:
        assert f"/api/{name}" in paths and f"/api/jobs/{name}" in paths
    params = {p["name"] for p in paths["/api/density"]["get"]["parameters"]}
    assert {"from", "to", "track", "country", "actor_type", "kind", "by", "weighted"} <= params
    assert client.get("/docs").status_code == 200
    page = client.get("/").text
    assert "<script src=" not in page and "http://" not in page.split("<script>")[0]
    assert "CivnetView" in page


def test_workspace_stays_read_only(workspace: Path) -> None:
    before = workspace.stat().st_mtime_ns
    c = TestClient(create_app(workspace))
    c.get("/api/describe")
    c.get("/api/betweenness?top=1")
    assert workspace.stat().st_mtime_ns == before


def test_missing_workspace_is_a_user_error(tmp_path: Path) -> None:
    from civnet.errors import WorkspaceError

    with pytest.raises(WorkspaceError, match="no workspace at"):
        create_app(tmp_path / "none.duckdb")
