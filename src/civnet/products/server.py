"""``civnet serve``: a read-only JSON API over the workspace and a dashboard built on it.

Every measure in :mod:`civnet.products.catalog` gets ``GET /api/<name>`` (the result now) and
``POST /api/jobs/<name>`` (the same computation as a background job whose progress
``GET /api/jobs/<id>`` reports, so a long betweenness never leaves the page hanging). Both take
the CLI's view filters as query parameters (``from``, ``to``, ``track``, ``actor_type``,
``country``, ``kind``, ``project``, ``level``, ``all_actors``, ``include_timeless``; repeat a
parameter for several values) plus the measure's own, and return exactly what
``civnet <measure> --format json`` prints. Measures over periods or workspace-side inputs
(timeline, compare, brokers, scorecard) read them through the catalog's ``prepare`` step; the
scorecard's ``weights`` file stays a CLI option (the server reads no path named in a query). ``GET /api/export`` returns the view as GEXF, GraphML,
JSON or zipped CSV; ``/api/graph`` the network view's layout; ``/docs`` the OpenAPI page.

The workspace is opened read-only; nothing here writes to it. Bind to 127.0.0.1 unless told
otherwise (``civnet serve --host``).
"""

from __future__ import annotations

import inspect
import io
import tempfile
import threading
import time
import uuid
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from civnet import __version__
from civnet.errors import UserError
from civnet.products.analyze import budgeted_betweenness
from civnet.products.catalog import MEASURES, Measure
from civnet.products.export import EXPORT_FORMATS, export_network
from civnet.products.graphview import MAX_EDGES, graph_payload
from civnet.products.render import to_jsonable
from civnet.store.sql import fetch_arrow
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec, build_network
from civnet.views.network import Network
from civnet.views.spec import spec_from_options
from civnet.vocab import ACTOR_TYPES, TIE_KINDS, TRACKS

MAX_JOBS = 64


def view_spec(
    date_from: Annotated[
        str | None,
        Query(alias="from", description="Keep ties active on or after this year/month/date."),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(alias="to", description="Keep ties active on or before this year/month/date."),
    ] = None,
    track: Annotated[list[str] | None, Query(description="Keep ties of this track.")] = None,
    actor_type: Annotated[
        list[str] | None, Query(description="Keep ties between actors of these types.")
    ] = None,
    country: Annotated[
        list[str] | None, Query(description="Keep ties touching this country (ISO3 or name).")
    ] = None,
    kind: Annotated[list[str] | None, Query(description="Keep ties of this kind.")] = None,
    project: Annotated[
        bool, Query(description="Turn memberships into co-membership ties.")
    ] = False,
    level: Annotated[str, Query(description="actor, or country to aggregate.")] = "actor",
    all_actors: Annotated[bool, Query(description="Include actors without a tie.")] = False,
    include_timeless: Annotated[
        bool, Query(description="With from/to, keep undated ties too.")
    ] = False,
) -> ViewSpec:
    """The view filters of every endpoint, validated as the CLI validates them."""
    return spec_from_options(
        date_from,
        date_to,
        track,
        actor_type,
        country,
        kind,
        project,
        level,
        all_actors,
        include_timeless,
    )


@dataclass
class Job:
    """A computation running in the background; ``done``/``total`` say how far it is."""

    id: str
    name: str
    status: str = "queued"
    stage: str = ""
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def public(self) -> dict[str, Any]:
        out = {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "seconds": round((self.finished or time.time()) - self.started, 3),
        }
        if self.status == "done":
            out["result"] = self.result
        if self.error:
            out["error"] = self.error
        return out


class Service:
    """The workspace (read-only), a small cache of views, and the background jobs."""

    def __init__(self, workspace: str | Path, *, cache_size: int = 8) -> None:
        self.workspace = Path(workspace)
        with Workspace(self.workspace, read_only=True):
            pass  # fail at start-up, with one line, when the file is not a workspace
        self._lock = threading.Lock()
        self._views: OrderedDict[ViewSpec, Network] = OrderedDict()
        self._graphs: OrderedDict[tuple[ViewSpec, int, int], dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="civnet-job")

    def read(self, fn: Callable[[Workspace], Any]) -> Any:
        with self._lock, Workspace(self.workspace, read_only=True) as ws:
            return fn(ws)

    def network(self, spec: ViewSpec) -> Network:
        with self._lock:
            if spec in self._views:
                self._views.move_to_end(spec)
                return self._views[spec]
        net = self.read(lambda ws: build_network(ws, spec))
        with self._lock:
            self._views[spec] = net
            while len(self._views) > self._cache_size:
                self._views.popitem(last=False)
        return net

    def inputs(self, measure: Measure, spec: ViewSpec, params: dict[str, Any]) -> Any:
        """What ``measure`` computes from: the (cached) view, or what its ``prepare`` reads."""
        if measure.prepare is None:
            return self.network(spec)
        return self.read(lambda ws: measure.inputs(ws, spec, **params))

    def graph(
        self,
        spec: ViewSpec,
        seed: int,
        max_edges: int,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> dict[str, Any]:
        key = (spec, seed, max_edges)
        with self._lock:
            if key in self._graphs:
                return self._graphs[key]
        say = progress or (lambda s, d, t: None)
        say("building the view", 0, 1)
        net = self.network(spec)
        b = budgeted_betweenness(net, progress=lambda d, t: say("betweenness", d, t))
        payload = graph_payload(
            net,
            b.values.tolist(),
            seed=seed,
            max_edges=max_edges,
            progress=lambda d, t: say("layout", d, t),
        )
        with self._lock:
            self._graphs[key] = payload
            while len(self._graphs) > self._cache_size:
                self._graphs.popitem(last=False)
        return payload

    def submit(self, name: str, work: Callable[[Job], Any]) -> Job:
        job = Job(id=uuid.uuid4().hex[:12], name=name)
        with self._lock:
            self.jobs[job.id] = job
            finished = [k for k, j in self.jobs.items() if j.status in ("done", "error")]
            for k in finished[: max(0, len(self.jobs) - MAX_JOBS)]:
                del self.jobs[k]

        def run() -> None:
            job.status = "running"
            try:
                job.result = work(job)
                job.status = "done"
            except UserError as exc:
                job.error, job.status = exc.line(), "error"
            except Exception as exc:  # a job must report, never vanish
                job.error, job.status = f"{type(exc).__name__}: {exc}", "error"
            job.finished = time.time()

        self.pool.submit(run)
        return job

    def meta(self) -> dict[str, Any]:
        def q(ws: Workspace) -> dict[str, Any]:
            con = ws.con
            present = {
                "tracks": fetch_arrow(con, "SELECT DISTINCT track FROM ties").column(0).to_pylist(),
                "kinds": fetch_arrow(con, "SELECT DISTINCT kind FROM ties").column(0).to_pylist(),
                "actor_types": fetch_arrow(con, "SELECT DISTINCT type FROM actors")
                .column(0)
                .to_pylist(),
            }
            countries = fetch_arrow(
                con,
                "SELECT country, count(*) AS n FROM actors WHERE country IS NOT NULL "
                "GROUP BY country ORDER BY country",
            ).to_pydict()
            years = fetch_arrow(
                con,
                "SELECT min(year(start_date)) AS lo, max(year(start_date)) AS hi FROM ties",
            ).to_pylist()[0]
            return {
                "counts": ws.counts(),
                "tracks": [t for t in TRACKS if t in present["tracks"]],
                "kinds": [k for k in TIE_KINDS if k in present["kinds"]],
                "actor_types": [t for t in ACTOR_TYPES if t in present["actor_types"]],
                "countries": [
                    {"code": c, "actors": n}
                    for c, n in zip(countries["country"], countries["n"], strict=True)
                ],
                "years": [years["lo"], years["hi"]] if years["lo"] is not None else [],
            }

        out = self.read(q)
        out["version"] = __version__
        out["workspace"] = str(self.workspace)
        out["measures"] = [
            {
                "name": m.name,
                "summary": m.summary,
                "slow": m.slow,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type.__name__,
                        "default": p.default,
                        "required": p.required,
                        "help": p.help,
                    }
                    for p in m.params
                    if p.api
                ],
            }
            for m in MEASURES.values()
        ]
        return out


def _measure_routes(app: FastAPI, service: Service, measure: Measure) -> None:
    """``GET /api/<name>`` and ``POST /api/jobs/<name>`` with the measure's own parameters."""
    params = [
        inspect.Parameter(
            "spec", inspect.Parameter.KEYWORD_ONLY, annotation=ViewSpec, default=Depends(view_spec)
        )
    ]
    for p in measure.params:
        if not p.api:
            continue
        params.append(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=p.type if p.required else p.type | None,
                default=Query(... if p.required else p.default, description=p.help),
            )
        )
    signature = inspect.Signature(params)

    def now(**kw: Any) -> JSONResponse:
        spec = kw.pop("spec")
        return JSONResponse(measure.run(service.inputs(measure, spec, kw), **kw))

    def job(**kw: Any) -> JSONResponse:
        spec = kw.pop("spec")

        def work(j: Job) -> Any:
            j.stage = "building the view"
            inputs = service.inputs(measure, spec, kw)
            j.stage = measure.name

            def progress(done: int, total: int) -> None:
                j.done, j.total = done, total

            return measure.run(inputs, progress, **kw)

        return JSONResponse(service.submit(measure.name, work).public(), status_code=202)

    for fn, verb in ((now, "now"), (job, "job")):
        fn.__signature__ = signature  # type: ignore[attr-defined]
        fn.__name__ = f"{measure.name}_{verb}"
    app.get(f"/api/{measure.name}", summary=measure.summary, tags=["measures"])(now)
    app.post(
        f"/api/jobs/{measure.name}",
        summary=f"{measure.name} as a background job (poll /api/jobs/{{id}})",
        tags=["jobs"],
        status_code=202,
    )(job)


def create_app(workspace: str | Path) -> FastAPI:
    """The FastAPI application over ``workspace`` (opened read-only)."""
    service = Service(workspace)
    app = FastAPI(
        title="civnet",
        version=__version__,
        description="Measures of civil-diplomacy networks over a civnet workspace (read-only). "
        "Every measure takes the CLI's view filters and returns what the CLI prints with "
        "--format json.",
    )
    app.state.service = service

    @app.exception_handler(UserError)
    async def user_error(_: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": exc.line()}, status_code=400)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard() -> HTMLResponse:
        from civnet.products.report import _static, inline_scripts, render_template

        html = render_template(
            "dashboard.html.j2",
            version=__version__,
            workspace=str(service.workspace),
            css=_static("civnet.css"),
            vendor_js=inline_scripts(
                "vendor/graphology.umd.min.js", "vendor/sigma.min.js", "vendor/chart.umd.min.js"
            ),
            app_js=inline_scripts("civnet-view.js", "dashboard.js"),
        )
        return HTMLResponse(html)

    @app.get(
        "/api/meta", tags=["workspace"], summary="Counts, vocabulary, countries, years, measures."
    )
    def meta() -> JSONResponse:
        return JSONResponse(to_jsonable(service.meta()))

    @app.get("/api/sources", tags=["workspace"], summary="The sources table with provenance.")
    def sources() -> JSONResponse:
        return JSONResponse(to_jsonable(service.read(lambda ws: ws.sources().to_pylist())))

    for measure in MEASURES.values():
        _measure_routes(app, service, measure)

    @app.get("/api/graph", tags=["network"], summary="Layout and ties for the network view.")
    def graph(
        spec: Annotated[ViewSpec, Depends(view_spec)],
        seed: Annotated[int, Query(description="Layout seed.")] = 0,
        max_edges: Annotated[int, Query(description="Edges drawn at most.")] = MAX_EDGES,
    ) -> JSONResponse:
        return JSONResponse(to_jsonable(service.graph(spec, seed, max_edges)))

    @app.post("/api/jobs/graph", tags=["jobs"], status_code=202, summary="/api/graph as a job.")
    def graph_job(
        spec: Annotated[ViewSpec, Depends(view_spec)],
        seed: Annotated[int, Query(description="Layout seed.")] = 0,
        max_edges: Annotated[int, Query(description="Edges drawn at most.")] = MAX_EDGES,
    ) -> JSONResponse:
        def work(j: Job) -> Any:
            def say(stage: str, done: int, total: int) -> None:
                j.stage, j.done, j.total = stage, done, total

            return to_jsonable(service.graph(spec, seed, max_edges, progress=say))

        return JSONResponse(service.submit("graph", work).public(), status_code=202)

    @app.get("/api/jobs/{job_id}", tags=["jobs"], summary="Status, progress and result of a job.")
    def job_status(job_id: str) -> JSONResponse:
        job = service.jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id!r} (finished jobs are kept for a while)")
        return JSONResponse(to_jsonable(job.public()))

    @app.get("/api/export", tags=["export"], summary="The view as GEXF 1.3, GraphML, JSON or CSV.")
    def export(
        spec: Annotated[ViewSpec, Depends(view_spec)],
        format: Annotated[str, Query(description=", ".join(EXPORT_FORMATS))] = "gexf",
    ) -> Response:
        net = service.network(spec)
        with tempfile.TemporaryDirectory(prefix="civnet-export-") as tmp:
            suffix = {"gexf": "gexf", "graphml": "graphml", "json": "json", "csv": "csv"}
            fmt = format.lower()
            written = export_network(net, fmt, Path(tmp) / f"civnet.{suffix.get(fmt, fmt)}")
            if fmt == "csv":
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                    for p in written:
                        zf.write(p, p.name)
                body, media, name = buf.getvalue(), "application/zip", "civnet-csv.zip"
            else:
                body = written[0].read_bytes()
                media = {"gexf": "application/xml", "graphml": "application/xml"}.get(
                    fmt, "application/json"
                )
                name = written[0].name
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return app
