"""The server survives hostile requests: declared bounds (422), a bounded queue (429),
coalescing of identical requests, cancellation of abandoned work, concurrency of cheap reads."""

from __future__ import annotations

import threading
import time
import typing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civnet.importers.tables import import_tables
from civnet.products.catalog import MEASURES
from civnet.products.export import EXPORT_FORMATS
from civnet.products.serving import server
from civnet.products.serving.server import create_app
from civnet.store import Workspace
from civnet.views.spec import LEVELS

DATA = Path(__file__).parent / "data" / "products"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


@pytest.fixture(scope="module")
def client(workspace: Path) -> TestClient:
    return TestClient(create_app(workspace))


@pytest.mark.parametrize(
    ("query", "param", "bound"),
    [
        ("/api/communities?resolution=-1", "resolution", "greater than 0"),
        ("/api/communities?resolution=nan", "resolution", "finite number"),
        ("/api/communities?resolution=inf", "resolution", "finite number"),
        ("/api/group_betweenness?samples=-1", "samples", "greater than or equal to 1"),
        ("/api/group_betweenness?seed=-1", "seed", "greater than or equal to 0"),
        ("/api/brokerage?seed=99999999999", "seed", "less than or equal to 4294967295"),
        ("/api/betweenness?top=-1", "top", "greater than or equal to 1"),
        ("/api/ei?permutations=-5", "permutations", "greater than or equal to 0"),
        ("/api/graph?max_edges=-1", "max_edges", "greater than or equal to 1"),
        ("/api/graph?seed=-1", "seed", "greater than or equal to 0"),
        ("/api/timeline?every=fortnight", "every", "'year' or 'month'"),
        ("/api/brokers?resample=bogus", "resample", "Input should be"),
        ("/api/describe?level=planet", "level", "'actor' or 'country'"),
        ("/api/describe?country=" + "x" * 40_000, "country", "at most 200 characters"),
        ("/api/describe?from=" + "9" * 500, "from", "at most 200 characters"),
        ("/api/density?by=" + "b" * 100, "by", "at most 64 characters"),
        ("/api/describe?" + "&".join(["track=culture"] * 51), "track", "at most 50 items"),
    ],
)
def test_out_of_bounds_is_422_naming_the_bound(
    client: TestClient, query: str, param: str, bound: str
) -> None:
    t0 = time.perf_counter()
    r = client.get(query)
    assert r.status_code == 422, r.text
    line = r.json()["error"]
    assert line.startswith(f"{param}: ") and bound in line, line
    assert time.perf_counter() - t0 < 5  # refused before anything runs (a 40 KB country was ~110 s)


def test_every_measure_parameter_declares_its_bounds_in_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name, m in MEASURES.items():
        declared = {p["name"]: p["schema"] for p in paths[f"/api/{name}"]["get"]["parameters"]}
        for p in m.params:
            if not p.api or p.type is bool:
                continue
            schema = declared[p.name]
            flat = str(schema)
            assert any(k in flat for k in ("maximum", "maxLength", "enum", "const")), (name, p.name)
    view = {p["name"]: str(p["schema"]) for p in paths["/api/describe"]["get"]["parameters"]}
    for name in ("from", "to", "track", "country", "kind", "actor_type", "level"):
        assert "maxLength" in view[name] or "enum" in view[name], name


def test_literal_types_agree_with_the_vocabularies() -> None:
    assert typing.get_args(server.Level) == LEVELS
    assert typing.get_args(server.ExportFormat) == EXPORT_FORMATS


def test_bounded_values_inside_the_bounds_still_work(client: TestClient) -> None:
    r = client.get("/api/communities?resolution=0.5&seed=4294967295")
    assert r.status_code == 200, r.text
    assert client.get("/api/describe?country=" + "Germany").status_code == 200


class _Gate:
    """A measure computation that waits until released (to hold the pool busy)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = 0
        self.lock = threading.Lock()

    def compute(self, net, progress, top=None):  # type: ignore[no-untyped-def]
        with self.lock:
            self.started += 1
        for i in range(400):
            if self.release.wait(0.025):
                break
            progress(i, 400)
        return [{"started": self.started, "top": top}]


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> _Gate:
    import dataclasses

    gate = _Gate()
    m = MEASURES["betweenness"]
    monkeypatch.setitem(MEASURES, "betweenness", dataclasses.replace(m, compute=gate.compute))
    return gate


def _in_thread(fn, *args):  # type: ignore[no-untyped-def]
    out: dict[str, object] = {}
    t = threading.Thread(target=lambda: out.setdefault("r", fn(*args)))
    t.start()
    return t, out


def test_identical_concurrent_requests_share_one_computation(workspace: Path, gated: _Gate) -> None:
    c = TestClient(create_app(workspace, workers=1))
    threads = [_in_thread(c.get, "/api/betweenness?top=2") for _ in range(6)]
    time.sleep(0.5)
    gated.release.set()
    for t, _ in threads:
        t.join(20)
    bodies = [out["r"].json() for _, out in threads]  # type: ignore[attr-defined]
    assert gated.started == 1
    assert bodies == [{"records": [{"started": 1, "top": 2}], "notes": []}] * 6


def test_full_queue_answers_429_and_recovers(workspace: Path, gated: _Gate) -> None:
    c = TestClient(create_app(workspace, workers=1, max_pending=2))
    jobs = [c.post(f"/api/jobs/betweenness?top={k}") for k in (1, 2)]
    assert [j.status_code for j in jobs] == [202, 202]
    r = c.post("/api/jobs/betweenness?top=3")
    assert r.status_code == 429 and r.headers["retry-after"] == "5"
    assert "too many computations" in r.json()["error"]
    assert c.get("/api/betweenness?top=3").status_code == 429
    # cheap requests do not queue behind the slow ones
    assert c.get("/api/describe").status_code == 200
    gated.release.set()
    for j in jobs:
        job = j.json()
        deadline = time.time() + 20
        while job["status"] in ("queued", "running") and time.time() < deadline:
            time.sleep(0.05)
            job = c.get(f"/api/jobs/{job['id']}").json()
        assert job["status"] == "done", job
    assert c.get("/api/betweenness?top=3").status_code == 200


def test_cancelled_job_stops_and_queued_one_never_runs(workspace: Path, gated: _Gate) -> None:
    app = create_app(workspace, workers=1)
    c = TestClient(app)
    running = c.post("/api/jobs/betweenness?top=1").json()
    queued = c.post("/api/jobs/betweenness?top=2").json()
    deadline = time.time() + 10
    while gated.started == 0 and time.time() < deadline:
        time.sleep(0.02)
    assert c.delete(f"/api/jobs/{queued['id']}").json()["status"] == "cancelled"
    assert c.delete(f"/api/jobs/{running['id']}").json()["status"] == "cancelled"
    deadline = time.time() + 10
    while app.state.service.pending() and time.time() < deadline:
        time.sleep(0.05)
    assert app.state.service.pending() == 0  # the running one stopped at its next step
    assert gated.started == 1  # the queued one never started
    assert c.delete("/api/jobs/nope").status_code == 404


def test_job_nobody_polls_is_cancelled(
    workspace: Path, gated: _Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "JOB_IDLE_S", 0.3)
    app = create_app(workspace, workers=1)
    c = TestClient(app)
    job = c.post("/api/jobs/betweenness?top=7").json()
    deadline = time.time() + 10
    while app.state.service.pending() and time.time() < deadline:
        time.sleep(0.1)  # not polling the job
    assert app.state.service.pending() == 0
    assert c.get(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"


def test_polled_job_keeps_running(
    workspace: Path, gated: _Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the idle limit leaves room for a slow poll on a loaded machine (at 0.5 s one CI run saw
    # the job cancelled while it was polled every 0.1 s)
    monkeypatch.setattr(server, "JOB_IDLE_S", 1.5)
    c = TestClient(create_app(workspace, workers=1))
    job = c.post("/api/jobs/betweenness?top=8").json()
    for _ in range(45):  # 4.5 s, three times the idle limit, polling every 0.1 s
        time.sleep(0.1)
        assert c.get(f"/api/jobs/{job['id']}").json()["status"] in ("queued", "running")
    gated.release.set()
    deadline = time.time() + 10
    while job["status"] in ("queued", "running") and time.time() < deadline:
        time.sleep(0.05)
        job = c.get(f"/api/jobs/{job['id']}").json()
    assert job["status"] == "done"
    assert job["result"] == {"records": [{"started": 1, "top": 8}], "notes": []}


def test_server_reads_the_cache_the_cli_filled_and_never_writes(workspace: Path) -> None:
    from civnet.products.runner import run_measure
    from civnet.views import ViewSpec

    with Workspace(workspace, read_only=True) as ws:
        expected = run_measure(ws, "holes", ViewSpec.make(), {"top": 2})
        assert (
            ws.cached_result(
                __import__("civnet.products.runner")
                .products.runner.plan(ws, "holes", ViewSpec.make(), {"top": 2})
                .key
            )
            == expected
        )
    before = workspace.stat().st_mtime_ns
    c = TestClient(create_app(workspace))
    assert c.get("/api/holes?top=2").json() == expected
    c.get("/api/betweenness?top=1")
    c.post("/api/jobs/ei?permutations=10")
    assert workspace.stat().st_mtime_ns == before


def test_an_import_while_serving_is_seen_within_a_second(tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    c = TestClient(create_app(path))
    assert c.get("/api/describe").json()["ties"] == 118
    assert c.get("/api/describe").json()["ties"] == 118  # from memory
    extra = tmp_path / "more.csv"
    extra.write_text("source,target,track,kind\nA000,A001,culture,exchange\n")
    with Workspace(path) as ws:
        import_tables(ws, ties=extra)
    time.sleep(server.VERSION_TTL_S + 0.1)
    assert c.get("/api/describe").json()["ties"] == 119  # a new data version: recomputed
