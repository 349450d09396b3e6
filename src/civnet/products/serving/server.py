"""``civnet serve``: a read-only JSON API over the workspace and a dashboard built on it.

Every measure in :mod:`civnet.products.catalog` gets ``GET /api/<name>`` (the result now) and
``POST /api/jobs/<name>`` (the same computation as a background job whose progress
``GET /api/jobs/<id>`` reports, so a long betweenness never leaves the page hanging). Both take
the CLI's view filters as query parameters (``from``, ``to``, ``track``, ``actor_type``,
``country``, ``kind``, ``project``, ``level``, ``all_actors``, ``include_timeless``; repeat a
parameter for several values) plus the measure's own, and return exactly what
``civnet <measure> --format json`` prints. Measures over periods or workspace-side inputs
(timeline, compare, brokers, scorecard) read them through the catalog's ``prepare`` step; the
scorecard's ``weights`` file stays a CLI option (the server reads no path named in a query).
``GET /api/export`` returns the view as GEXF, GraphML, JSON or zipped CSV; ``/api/graph`` the
network view's layout; ``/docs`` the OpenAPI page.

Hostile requests (docs/security.md):

- Every parameter has declared bounds: a measure's come from its catalog ``Param`` (``ge``,
  ``le``, ``choices``, ``max_length``), the view filters' from this module (``MAX_TEXT``
  characters a value, ``MAX_VALUES`` values a repeated parameter). FastAPI enforces them before
  anything runs: 422 with ``{"error": "<parameter>: <the bound>", "detail": [...]}``.
- Computations run on two bounded pools shared by every request (``workers`` threads for slow
  measures, ``FAST_WORKERS`` for the others); identical concurrent requests (same measure,
  parameters, view and data version) share one computation. At most ``MAX_PENDING``
  computations are queued or running: one more answers 429 with ``Retry-After``.
- A computation nobody waits for any more (every ``GET`` waiting on it disconnected, and every
  job on it cancelled with ``DELETE /api/jobs/<id>`` or not polled for ``JOB_IDLE_S`` seconds)
  is cancelled: before it starts, or at its next progress step.

Results are kept in memory (the last ``RESULTS_KEPT``), and the workspace's result cache
(:mod:`civnet.products.runner`, filled by the CLI) is read first. The workspace is opened
read-only, a connection per request, and never written: the server's own results live only in
its memory. Bind to 127.0.0.1 unless told otherwise (``civnet serve --host``).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import io
import tempfile
import threading
import time
import typing
import uuid
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from civnet import __version__
from civnet.errors import UserError
from civnet.products.catalog import (
    MEASURES,
    Measure,
    Param,
    betweenness_json,
    betweenness_result,
)
from civnet.products.graphview import MAX_EDGES
from civnet.products.render import to_jsonable
from civnet.products.runner import Planned, plan_at
from civnet.products.serving import workers as w
from civnet.products.serving.workers import Cancelled, Workers
from civnet.sql import fetch_arrow
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec, build_network
from civnet.views.network import Network
from civnet.views.spec import spec_from_options
from civnet.vocab import ACTOR_TYPES, TIE_KINDS, TRACKS

if TYPE_CHECKING:  # imported where used: a server's start-up (and its first paint) waits for none
    from civnet.measures.intermediation.betweenness import Betweenness

MAX_TEXT = 200
"""Characters in one text value of a query (a country, a period bound)."""
MAX_VALUES = 50
"""Values of one repeated query parameter (``country=...&country=...``)."""
SEED_MAX = 2**32 - 1
"""Largest seed (numpy's generators take 32-bit seeds)."""
GRAPH_EDGES_MAX = 1_000_000
"""Largest ``max_edges`` of ``/api/graph``."""
WORKERS = 2
"""Threads computing slow measures (betweenness, resampling, ...), shared by every request."""
FAST_WORKERS = 4
"""Threads computing the other measures and building views."""
MAX_PENDING = 32
"""Slow computations queued or running at most; one more request answers 429."""
FAST_PENDING = 64
"""Other computations (cheap measures) queued or running at most."""
JOB_IDLE_S = 30.0
"""A job not polled for this long is taken as abandoned (its computation may be cancelled)."""
MAX_JOBS = 256
"""Jobs remembered at most (finished ones are forgotten first)."""
RESULTS_KEPT = 128
"""Results kept in memory (least recently used go first)."""
VIEWS_KEPT = 8
"""Views and betweenness vectors kept in memory."""
QUICK_EPS = 0.05
"""The dashboard's first paint of its brokers: the bounded approximation (``approx``) with this
error, every value within it with probability at least ``1 - QUICK_DELTA``; the exact ranking
replaces it when ready. Warmed at start-up before the exact run."""
QUICK_DELTA = 0.1
QUICK_KERNEL = "civnet.measures.intermediation.brandes_kernel"
"""The module of the compiled sampler the quick approximation runs (loaded ahead by ``warm``)."""
VERSION_TTL_S = 1.0
"""Seconds a data version read from the workspace is trusted (see ``Service.data_version``)."""

Text = Annotated[str, Query(max_length=MAX_TEXT)]
Level = Literal["actor", "country"]
"""``views.spec.LEVELS`` as a type (tests/test_server_hostile.py checks they agree)."""
ExportFormat = Literal["gexf", "graphml", "json", "csv"]
"""``products.export.EXPORT_FORMATS`` as a type (tests/test_server_hostile.py checks they agree;
the export module is imported by the export route only)."""


def view_spec(
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=MAX_TEXT,
            description="Keep ties active on or after this year/month/date.",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            max_length=MAX_TEXT,
            description="Keep ties active on or before this year/month/date.",
        ),
    ] = None,
    track: Annotated[
        list[Text] | None, Query(max_length=MAX_VALUES, description="Keep ties of this track.")
    ] = None,
    actor_type: Annotated[
        list[Text] | None,
        Query(max_length=MAX_VALUES, description="Keep ties between actors of these types."),
    ] = None,
    country: Annotated[
        list[Text] | None,
        Query(max_length=MAX_VALUES, description="Keep ties touching this country (ISO3 or name)."),
    ] = None,
    kind: Annotated[
        list[Text] | None, Query(max_length=MAX_VALUES, description="Keep ties of this kind.")
    ] = None,
    project: Annotated[
        bool, Query(description="Turn memberships into co-membership ties.")
    ] = False,
    level: Annotated[Level, Query(description="actor, or country to aggregate.")] = "actor",
    all_actors: Annotated[bool, Query(description="Include actors without a tie.")] = False,
    include_timeless: Annotated[
        bool, Query(description="With from/to, keep undated ties too.")
    ] = False,
    actor_level: Annotated[
        list[str] | None,
        Query(
            description="Keep ties between actors of these levels (organisation, city, sector, "
            "country, network)."
        ),
    ] = None,
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
        actor_level,
    )


# -- bounds of a measure's parameters, from the catalog -----------------------------------------


def param_bounds(p: Param) -> dict[str, Any]:
    """The constraints FastAPI enforces on ``p``: the catalog's declared bounds.

    Numbers: ``ge``/``le`` (and ``gt``/``lt``) as declared; a float never takes NaN or infinity.
    Text: ``max_length`` as declared, else :data:`MAX_TEXT`. A repeated text (``list[str]``):
    at most :data:`MAX_VALUES` values of at most :data:`MAX_TEXT` characters each here, and the
    catalog's total length checked by ``Measure.resolve``.
    """
    if typing.get_origin(p.type) is list:
        return {"max_length": MAX_VALUES}
    out: dict[str, Any] = {}
    for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
        value = getattr(p, name, None)
        if value is not None:
            out[name] = value
    if p.type is float:
        out["allow_inf_nan"] = False
    if p.type is str:
        out.setdefault("max_length", MAX_TEXT)
    return out


def param_annotation(p: Param) -> Any:
    """The query parameter's type: the catalog's ``choices`` as a literal, else its type."""
    choices = getattr(p, "choices", None)
    if typing.get_origin(p.type) is list:
        base: Any = list[Text]
    else:
        base = Literal[tuple(choices)] if choices else p.type
    return base if p.required else base | None


def bound_text(p: Param) -> dict[str, Any]:
    """The bounds of ``p`` as ``/api/meta`` lists them."""
    out = {k: v for k, v in param_bounds(p).items() if k != "allow_inf_nan"}
    choices = getattr(p, "choices", None)
    if choices:
        out["choices"] = list(choices)
    return out


# -- computations: shared pools, coalescing, cancellation ---------------------------------------


class Busy(Exception):
    """Too many computations are queued or running."""


@dataclass(eq=False)
class Task:
    """One computation, shared by every request and job that asked for the same thing."""

    key: Hashable
    name: str
    slow: bool = True
    future: Future[Any] = field(default_factory=Future)
    waiters: int = 0
    jobs: set[Job] = field(default_factory=set)
    cancelled: bool = False
    stage: str = ""
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def wanted(self) -> bool:
        """Whether anybody still waits for the result."""
        if self.waiters > 0:
            return True
        now = time.time()
        return any(not j.cancelled and now - j.seen < JOB_IDLE_S for j in self.jobs)

    def report(self, stage: str, done: int, total: int) -> None:
        """Record progress (a late message from a worker never moves it back)."""
        if stage == self.stage and total == self.total and done < self.done:
            return
        self.stage, self.done, self.total = stage, done, total

    def progress(self, stage: str, done: int, total: int) -> None:
        """Record progress; raise :class:`Cancelled` when nobody waits any more."""
        self.report(stage, done, total)
        if not self.wanted():
            self.cancelled = True
            raise Cancelled(self.name)


@dataclass(eq=False)
class Job:
    """A client's handle on a :class:`Task`; polling it (``GET /api/jobs/<id>``) keeps it wanted."""

    id: str
    task: Task
    seen: float = field(default_factory=time.time)
    cancelled: bool = False
    result: Any = None

    def public(self) -> dict[str, Any]:
        t = self.task
        fut = t.future
        out: dict[str, Any] = {
            "id": self.id,
            "name": t.name,
            "stage": t.stage,
            "done": t.done,
            "total": t.total,
            "seconds": round((t.finished or time.time()) - t.started, 3),
        }
        if self.cancelled:
            out["status"] = "cancelled"
        elif not fut.done():
            out["status"] = "running" if fut.running() or t.stage else "queued"
        elif fut.cancelled() or isinstance(fut.exception(), Cancelled):
            out["status"] = "cancelled"
        elif (exc := fut.exception()) is not None:
            out["status"] = "error"
            out["error"] = (
                exc.line() if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            )
        else:
            out["status"] = "done"
            out["result"] = fut.result()
        return out


class Service:
    """The workspace (read-only), views and results kept in memory, and the shared pools."""

    def __init__(
        self,
        workspace: str | Path,
        *,
        workers: int = WORKERS,
        max_pending: int = MAX_PENDING,
        processes: bool = False,
    ) -> None:
        self.workspace = Path(workspace)
        with Workspace(self.workspace, read_only=True):
            pass  # fail at start-up, with one line, when the file is not a workspace
        self._lock = threading.RLock()  # reentrant: a cancelled future's callbacks may release
        self._views: OrderedDict[Hashable, Any] = OrderedDict()  # views, betweenness values
        self._building: dict[Hashable, Future[Any]] = {}
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._tasks: dict[Hashable, Task] = {}
        self._version: tuple[int, float] | None = None
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.max_pending = max_pending
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="civnet-slow")
        self.fast_pool = ThreadPoolExecutor(max_workers=FAST_WORKERS, thread_name_prefix="civnet")
        self.procs = Workers(workers) if processes else None

    def close(self) -> None:
        """Cancel what is queued and stop the pools (running work ends at its next step)."""
        with self._lock:
            for t in self._tasks.values():
                t.waiters, t.jobs = 0, set()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fast_pool.shutdown(wait=False, cancel_futures=True)
        if self.procs is not None:
            self.procs.close()

    def _compute(self, t: Task, stage: str, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args, progress=...)`` in a worker process (``processes``) or in this thread."""
        if self.procs is not None:
            return self.procs.run(t, stage, fn, *args)
        return fn(*args, progress=lambda d, n: t.progress(stage, d, n))

    # -- the workspace ----------------------------------------------------------------------
    def read(self, fn: Callable[[Workspace], Any]) -> Any:
        """``fn`` on a read-only connection of its own (concurrent reads do not wait)."""
        with Workspace(self.workspace, read_only=True) as ws:
            return fn(ws)

    def plan(self, name: str, spec: ViewSpec, params: dict[str, Any]) -> tuple[Planned, Any]:
        """Validate a request and find its result already computed: ``(planned, result|None)``."""

        planned = plan_at(self.data_version(), name, spec, params)
        with self._lock:
            if planned.key in self._results:
                self._results.move_to_end(planned.key)
                return planned, self._results[planned.key]
        return planned, self.read(lambda ws: ws.cached_result(planned.key))

    def data_version(self) -> int:
        """The workspace's data version, read again at most every ``VERSION_TTL_S`` seconds.

        A result kept in memory is then served without opening the workspace; an import made
        while the server runs is seen within that delay.
        """
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._version[1] < VERSION_TTL_S:
                return self._version[0]
        version = int(self.read(lambda ws: ws.data_version()))
        with self._lock:
            self._version = (version, now)
        return version

    def _once(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per ``key`` however many threads ask at once; kept in memory.

        A waiter whose owner was cancelled (nobody wanted *its* result) builds it itself.
        """
        while True:
            with self._lock:
                if key in self._views:
                    self._views.move_to_end(key)
                    return self._views[key]
                building = self._building.get(key)
                mine = building is None
                if building is None:
                    building = self._building[key] = Future()
            if not mine:
                try:
                    return building.result()
                except Cancelled:
                    continue
            try:
                value = build()
            except BaseException as exc:
                building.set_exception(exc)
                raise
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._views[key] = value
                while len(self._views) > VIEWS_KEPT:
                    self._views.popitem(last=False)
            building.set_result(value)
            return value

    def network(self, spec: ViewSpec, version: int) -> Network:
        """The view, from memory or built once however many requests ask for it at once."""
        return self._once(
            ("view", version, spec), lambda: self.read(lambda ws: build_network(ws, spec))
        )

    def betweenness(self, spec: ViewSpec, version: int, t: Task) -> Betweenness:
        """Normalized unweighted betweenness of the view, computed once for every consumer.

        ``GET /api/betweenness`` (unweighted, normalized: the dashboard's brokers) and the
        network layout's node sizes share it.
        """
        net = self.network(spec, version)
        return self._once(
            ("betweenness", version, spec),
            lambda: self._compute(t, "betweenness", w.shared_betweenness, net),
        )

    def warm(self, spec: ViewSpec | None = None) -> Future[list[Task]]:
        """Start what the dashboard's first view asks for, so that it is ready when asked.

        In two stages, each computation the one that later requests join (nothing is computed
        twice): first what the page paints at once, the view's describe, its block density by
        country and the bounded approximation of its top-10 brokers (``QUICK_EPS``); then, once
        those are done, the slow ones, the exact top-10 ranking and the network layout. The
        first stage has the cores and the interpreter to itself: started together, the exact
        run's and the layout's worker processes (each importing civnet and receiving a copy of
        the view) slowed the first paint to several times its own cost. A page's own requests
        are served at once whatever the stage (they start, or join, the computation they need).

        Returns a future holding every task started, set once the last of them is done (or when
        the workspace is empty or odd: requests will then say why).
        """
        spec = spec or ViewSpec.make()
        first: list[tuple[str, dict[str, Any]]] = [
            ("describe", {}),
            ("density", {"by": "country"}),
            ("betweenness", {"top": 10, "approx": QUICK_EPS, "delta": QUICK_DELTA}),
        ]
        then: list[tuple[str, dict[str, Any]]] = [("betweenness", {"top": 10}), ("graph", {})]
        everything: Future[list[Task]] = Future()
        started: list[Task] = []

        def stage(items: list[tuple[str, dict[str, Any]]], after: Callable[[], None]) -> None:
            try:
                tasks = [t for name, params in items if (t := self._warm_task(spec, name, params))]
            except (Busy, UserError):  # an empty or odd workspace, or the service closing
                tasks = []
                after = lambda: None  # noqa: E731 - nothing more to start
            started.extend(tasks)
            left = [len(tasks)]
            lock = threading.Lock()

            def one_done(_: Future[Any]) -> None:
                with lock:
                    left[0] -= 1
                    last = left[0] == 0
                if last:
                    after()

            for t in tasks:
                t.future.add_done_callback(self._releaser(t))
                t.future.add_done_callback(one_done)
            if not tasks:
                after()

        def finish() -> None:
            if not everything.done():
                everything.set_result(started)

        # the approximation's compiled sampler loads (numba, about a second) while the view is
        # built, not after it
        self.fast_pool.submit(importlib.import_module, QUICK_KERNEL)
        stage(first, lambda: stage(then, finish))
        return everything

    def _warm_task(self, spec: ViewSpec, name: str, params: dict[str, Any]) -> Task | None:
        """The task computing ``name`` for :meth:`warm`, or ``None`` when its result is kept."""
        if name == "graph":
            key, hit = self.graph_cached(spec, 0, MAX_EDGES)
            return None if hit is not None else self.graph_task(key, spec, 0, MAX_EDGES)
        planned, hit = self.plan(name, spec, params)
        return None if hit is not None else self.measure_task(planned)

    def _releaser(self, task: Task) -> Callable[[Future[Any]], None]:
        def done(_: Future[Any]) -> None:
            self.release(task)

        return done

    def keep(self, key: Hashable, result: Any) -> None:
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)

    # -- computations -----------------------------------------------------------------------
    def task(self, key: Hashable, name: str, slow: bool, work: Callable[[Task], Any]) -> Task:
        """The computation of ``key``: the one in flight, or ``work`` queued on a shared pool.

        The caller counts as waiting for it until it calls :meth:`release`. Raises
        :class:`Busy` when ``max_pending`` computations are queued or running.
        """
        with self._lock:
            t = self._tasks.get(key)
            if t is not None and not t.cancelled:
                t.waiters += 1
                return t
            limit = self.max_pending if slow else FAST_PENDING
            if sum(1 for x in self._tasks.values() if x.slow == slow) >= limit:
                raise Busy(name)
            t = Task(key=key, name=name, slow=slow, waiters=1)
            self._tasks[key] = t

        def run() -> None:
            if not t.future.set_running_or_notify_cancel():
                return

            def settle() -> None:  # before the future is set: its callbacks see a done task
                t.finished = time.time()
                with self._lock:
                    if self._tasks.get(key) is t:
                        del self._tasks[key]

            try:
                if not t.wanted():
                    t.cancelled = True
                    raise Cancelled(name)
                result = work(t)
            except BaseException as exc:
                settle()
                t.future.set_exception(exc)
            else:
                self.keep(key, result)
                settle()
                t.future.set_result(result)

        try:
            (self.pool if slow else self.fast_pool).submit(run)
        except RuntimeError:  # the pools are shut down
            with self._lock:
                self._tasks.pop(key, None)
            raise Busy(name) from None
        return t

    def measure_task(self, planned: Planned) -> Task:
        m = planned.measure

        def work(t: Task) -> Any:
            t.progress("building the view", 0, 0)
            p = planned.params
            # every parameter but top and rank_all at its default (a list of names to check
            # would let a new parameter, such as certify_top, be answered by the shared values)
            shared = m.compute is betweenness_result and all(
                p.get(q.name, q.default) == q.default
                for q in m.params
                if q.name not in ("top", "rank_all")
            )
            if shared:
                # the catalog's betweenness_result, on values shared with the network layout
                net = self.network(planned.spec, planned.data_version)
                b = self.betweenness(planned.spec, planned.data_version, t)
                return m.to_json(
                    betweenness_json(net, b, p.get("top"), p.get("rank_all", False)), net.notes
                )
            if m.prepare is None:
                inputs: Any = self.network(planned.spec, planned.data_version)
            else:
                inputs = self.read(lambda ws: m.inputs(ws, planned.spec, **planned.params))
            t.progress(m.name, 0, 0)
            # the bounded approximation of betweenness runs in compiled code that releases the
            # interpreter lock (numba, NetworKit): in this thread it needs no worker process to
            # start and no copy of the view, so the dashboard's first paint comes sooner
            quick = m.compute is betweenness_result and p.get("approx") and not p.get("dask")
            if m.slow and not quick:
                return self._compute(t, m.name, w.measure, m.name, inputs, planned.params)
            return m.run(inputs, lambda d, n: t.progress(m.name, d, n), **planned.params)

        return self.task(planned.key, m.name, m.slow, work)

    def graph_cached(self, spec: ViewSpec, seed: int, max_edges: int) -> tuple[Hashable, Any]:
        """The graph's key for the current data, and its payload if kept (else ``None``)."""
        key = ("graph", self.data_version(), spec, seed, max_edges)
        with self._lock:
            return key, self._results.get(key)

    def graph_task(self, key: Hashable, spec: ViewSpec, seed: int, max_edges: int) -> Task:
        version = key[1]  # type: ignore[index]

        def work(t: Task) -> Any:
            t.progress("building the view", 0, 1)
            net = self.network(spec, version)
            b = self.betweenness(spec, version, t)
            return self._compute(t, "layout", w.layout, net, b.values.tolist(), seed, max_edges)

        return self.task(key, "graph", True, work)

    def release(self, task: Task) -> None:
        """The caller of :meth:`task` no longer waits; cancel the task if nobody else does."""
        with self._lock:
            task.waiters -= 1
            self._drop_if_unwanted(task)

    def _drop_if_unwanted(self, task: Task) -> None:
        if not task.wanted() and task.future.cancel():  # not started yet: never runs
            task.cancelled = True
            task.finished = time.time()
            if self._tasks.get(task.key) is task:
                del self._tasks[task.key]

    async def wait(self, task: Task, request: Request) -> Any:
        """The task's result, or 499 when the client leaves first (then :meth:`release`)."""
        try:
            fut = asyncio.wrap_future(task.future)
            while True:
                done, _ = await asyncio.wait({fut}, timeout=0.2)
                if done:
                    return fut.result()
                if await request.is_disconnected():
                    return Response(status_code=499)
        finally:
            self.release(task)

    def job(self, task: Task | None, name: str, result: Any = None) -> Job:
        """A job on ``task`` (or one already done with ``result``)."""
        if task is None:
            task = Task(key=None, name=name, finished=time.time())
            task.future.set_result(result)
        job = Job(id=uuid.uuid4().hex[:12], task=task)
        with self._lock:
            if len(self.jobs) >= 2 * MAX_JOBS:
                raise Busy(name)
            task.jobs.add(job)
            self.jobs[job.id] = job
            over = len(self.jobs) - MAX_JOBS
            if over > 0:
                for k in [k for k, j in self.jobs.items() if j.task.future.done()][:over]:
                    old = self.jobs.pop(k)
                    old.task.jobs.discard(old)
        return job

    def poll(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        if job is not None:
            job.seen = time.time()
        return job

    def cancel(self, job_id: str) -> Job | None:
        job = self.jobs.get(job_id)
        if job is None:
            return None
        with self._lock:
            job.cancelled = True
            self._drop_if_unwanted(job.task)
        return job

    def pending(self) -> int:
        with self._lock:
            return len(self._tasks)

    # -- workspace metadata -----------------------------------------------------------------
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
                "data_version": ws.data_version(),
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
        out["quick_brokers"] = {"approx": QUICK_EPS, "delta": QUICK_DELTA}
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
                        "bounds": bound_text(p),
                    }
                    for p in m.params
                    if p.api
                ],
            }
            for m in MEASURES.values()
        ]
        return out


def _busy(name: str) -> JSONResponse:
    return JSONResponse(
        {"error": f"too many computations queued ({name} not started); retry in a few seconds"},
        status_code=429,
        headers={"Retry-After": "5"},
    )


def _start_job(service: Service, name: str, start: Callable[[], Task], result: Any) -> JSONResponse:
    """202 with a new job: on a computation, or already done with ``result``; 429 when full."""
    try:
        if result is not None:
            return JSONResponse(service.job(None, name, result).public(), status_code=202)
        task = start()
        try:
            job = service.job(task, name)
        finally:
            service.release(task)
    except Busy:
        return _busy(name)
    return JSONResponse(job.public(), status_code=202)


def _measure_routes(app: FastAPI, service: Service, measure: Measure) -> None:
    """``GET /api/<name>`` and ``POST /api/jobs/<name>`` with the measure's own parameters."""
    params = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter(
            "spec", inspect.Parameter.KEYWORD_ONLY, annotation=ViewSpec, default=Depends(view_spec)
        ),
    ]
    for p in measure.params:
        if not p.api:
            continue
        params.append(
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=param_annotation(p),
                default=Query(
                    ... if p.required else p.default, description=p.help, **param_bounds(p)
                ),
            )
        )
    signature = inspect.Signature(params)

    async def now(**kw: Any) -> Response:
        request, spec = kw.pop("request"), kw.pop("spec")
        planned, hit = await run_in_threadpool(service.plan, measure.name, spec, kw)
        if hit is not None:
            return JSONResponse(hit)
        try:
            task = service.measure_task(planned)
        except Busy:
            return _busy(measure.name)
        out = await service.wait(task, request)
        return out if isinstance(out, Response) else JSONResponse(out)

    async def job(**kw: Any) -> Response:
        kw.pop("request")
        spec = kw.pop("spec")
        planned, hit = await run_in_threadpool(service.plan, measure.name, spec, kw)
        return _start_job(service, measure.name, lambda: service.measure_task(planned), hit)

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


def _validation_line(errors: list[dict[str, Any]]) -> str:
    first = errors[0] if errors else {}
    loc = [
        str(x)
        for x in first.get("loc", ())
        if x not in ("query", "body", "path") and not isinstance(x, int)
    ]
    return f"{'.'.join(loc) or 'request'}: {first.get('msg', 'invalid value')}"


Seed = Annotated[int, Query(ge=0, le=SEED_MAX, description="Layout seed.")]
MaxEdges = Annotated[
    int, Query(ge=1, le=GRAPH_EDGES_MAX, description="Edges drawn at most (the heaviest).")
]


def create_app(
    workspace: str | Path,
    *,
    workers: int = WORKERS,
    max_pending: int = MAX_PENDING,
    warm: bool = False,
    processes: bool = False,
) -> FastAPI:
    """The FastAPI application over ``workspace`` (opened read-only).

    ``warm``: start computing the dashboard's first view at once (:meth:`Service.warm`).
    ``processes``: slow computations in worker processes (``civnet serve``), so that igraph
    code holding the interpreter lock never stops the other requests; without it, in threads.
    """
    service = Service(workspace, workers=workers, max_pending=max_pending, processes=processes)
    if warm:
        service.warm()
    app = FastAPI(
        title="civnet",
        version=__version__,
        description="Measures of civil-diplomacy networks over a civnet workspace (read-only). "
        "Every measure takes the CLI's view filters and returns what the CLI prints with "
        "--format json.",
    )
    app.state.service = service
    app.router.add_event_handler("shutdown", service.close)

    @app.exception_handler(UserError)
    async def user_error(_: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"error": exc.line()}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors())
        return JSONResponse({"error": _validation_line(errors), "detail": errors}, status_code=422)

    @app.exception_handler(Cancelled)
    async def cancelled(_: Request, exc: Cancelled) -> JSONResponse:
        return JSONResponse({"error": f"{exc} was cancelled; ask again"}, status_code=503)

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
    async def graph(
        request: Request,
        spec: Annotated[ViewSpec, Depends(view_spec)],
        seed: Seed = 0,
        max_edges: MaxEdges = MAX_EDGES,
    ) -> Response:
        key, hit = await run_in_threadpool(service.graph_cached, spec, seed, max_edges)
        if hit is not None:
            return JSONResponse(hit)
        try:
            task = service.graph_task(key, spec, seed, max_edges)
        except Busy:
            return _busy("graph")
        out = await service.wait(task, request)
        return out if isinstance(out, Response) else JSONResponse(out)

    @app.post("/api/jobs/graph", tags=["jobs"], status_code=202, summary="/api/graph as a job.")
    async def graph_job(
        spec: Annotated[ViewSpec, Depends(view_spec)],
        seed: Seed = 0,
        max_edges: MaxEdges = MAX_EDGES,
    ) -> JSONResponse:
        key, hit = await run_in_threadpool(service.graph_cached, spec, seed, max_edges)
        return _start_job(
            service, "graph", lambda: service.graph_task(key, spec, seed, max_edges), hit
        )

    @app.get("/api/jobs/{job_id}", tags=["jobs"], summary="Status, progress and result of a job.")
    def job_status(job_id: str) -> JSONResponse:
        job = service.poll(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id[:64]!r} (finished jobs are kept for a while)")
        return JSONResponse(to_jsonable(job.public()))

    @app.delete("/api/jobs/{job_id}", tags=["jobs"], summary="Cancel a job (nobody waits for it).")
    def job_cancel(job_id: str) -> JSONResponse:
        job = service.cancel(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id[:64]!r}")
        return JSONResponse(to_jsonable(job.public()))

    @app.get("/api/export", tags=["export"], summary="The view as GEXF 1.3, GraphML, JSON or CSV.")
    def export(
        spec: Annotated[ViewSpec, Depends(view_spec)],
        format: Annotated[
            ExportFormat,
            Query(description=", ".join(typing.get_args(ExportFormat))),
        ] = "gexf",
    ) -> Response:
        from civnet.products.export import export_network

        net = service.network(spec, service.data_version())
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
