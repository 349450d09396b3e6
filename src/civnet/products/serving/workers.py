"""Worker processes for the server's slow computations, with progress and cancellation.

igraph's C routines (layouts, Leiden, Brandes on small components) hold Python's global
interpreter lock while they run: in a thread of the server they would stop the event loop, and
with it every other request, for as long as they take. The server therefore runs slow
computations in a small pool of *processes* (spawned: the server is threaded) and keeps only
their bookkeeping in threads. A computation reports progress through a queue read by a thread
of the server, and stops at its next progress step when its slot's cancel flag is set (nobody
waits for it any more); a computation still queued is simply not started.

The functions run in a worker (``measure``, ``shared_betweenness``, ``layout``) take their
inputs by value (a view pickles to about 13 MB on the embedded data) and return JSON-ready
results or numpy values.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol

SLOTS = 1024
"""Cancel flags, one per computation in flight (slots are reused)."""
REPORT_EVERY_S = 0.1
"""A worker sends progress at most this often (and always the last step)."""


class Cancelled(Exception):
    """The computation was cancelled: nobody waits for its result any more."""


class Reporter(Protocol):
    """What a computation reports to (the server's task)."""

    def report(self, stage: str, done: int, total: int) -> None: ...

    def wanted(self) -> bool: ...


# -- in the worker process ------------------------------------------------------------------------

_queue: Any = None
_cancel: Any = None


def _init(queue: Any, cancel: Any) -> None:
    global _queue, _cancel
    from civnet._lean import lean_imports

    lean_imports()  # a worker builds views: igraph without matplotlib
    _queue, _cancel = queue, cancel


def _run(
    slot: int, stage: str, fn: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[Any, tuple[int, int] | None]:
    """``fn``'s result and its last progress (which the queue may not have delivered yet)."""
    last = [0.0]
    final: list[tuple[int, int] | None] = [None]

    def progress(done: int, total: int) -> None:
        if _cancel[slot]:
            raise Cancelled(stage)
        final[0] = (int(done), int(total))
        now = time.monotonic()
        if now - last[0] >= REPORT_EVERY_S:
            last[0] = now
            _queue.put((slot, stage, int(done), int(total)))

    return fn(*args, progress=progress), final[0]


def measure(name: str, inputs: Any, params: dict[str, Any], progress: Any) -> Any:
    """Catalog measure ``name`` on ``inputs`` (what ``GET /api/<name>`` returns)."""
    from civnet.products.catalog import MEASURES

    return MEASURES[name].run(inputs, progress, **params)


def shared_betweenness(net: Any, progress: Any) -> Any:
    """Normalized unweighted betweenness of a view (shared by the brokers and the layout):
    exact within the time budget, else the bounded approximation, which says so
    (:func:`civnet.products.analyze.budgeted_betweenness`)."""
    from civnet.products.analyze import budgeted_betweenness

    return budgeted_betweenness(net, progress=progress)


def layout(net: Any, values: list[float], seed: int, max_edges: int, progress: Any) -> Any:
    """The network view's payload (positions, nodes, ties), JSON-ready."""
    from civnet.products.graphview import graph_payload
    from civnet.products.render import to_jsonable

    return to_jsonable(
        graph_payload(net, values, seed=seed, max_edges=max_edges, progress=progress)
    )


# -- in the server --------------------------------------------------------------------------------


class Workers:
    """``n`` worker processes shared by every request (started when first needed)."""

    def __init__(self, n: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._queue = ctx.Queue()
        self._cancel = ctx.RawArray("b", SLOTS)
        self._pool = ProcessPoolExecutor(
            max_workers=n, mp_context=ctx, initializer=_init, initargs=(self._queue, self._cancel)
        )
        self._lock = threading.Lock()
        self._free = list(range(SLOTS))
        self._owners: dict[int, Reporter] = {}
        self._reader = threading.Thread(target=self._read, name="civnet-progress", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            slot, stage, done, total = item
            owner = self._owners.get(slot)
            if owner is not None:
                owner.report(stage, done, total)

    def run(self, owner: Reporter, stage: str, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args, progress=...)`` in a worker; cancelled when ``owner`` is no longer wanted."""
        with self._lock:
            if not self._free:
                raise RuntimeError("too many computations in flight")
            slot = self._free.pop()
            self._cancel[slot] = 0
            self._owners[slot] = owner
        try:
            fut = self._pool.submit(_run, slot, stage, fn, args)
            while True:
                try:
                    value, final = fut.result(timeout=0.25)
                except FutureTimeout:
                    if not owner.wanted():
                        self._cancel[slot] = 1
                        if fut.cancel():
                            raise Cancelled(stage) from None
                    continue
                if final is not None:
                    owner.report(stage, *final)
                return value
        finally:
            with self._lock:
                self._owners.pop(slot, None)
                self._free.append(slot)

    def close(self) -> None:
        for slot in range(SLOTS):
            self._cancel[slot] = 1
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._queue.put(None)
