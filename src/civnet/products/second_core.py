"""A second process for a long computation's independent pieces, when a second core is idle.

Most of the report's work is Python holding the interpreter lock (the scorecard's bootstrap
replicates, above all), so a thread cannot put it on a second core; a process can. A
:class:`SecondCore` is one worker process, *spawned* (the ``civnet`` command is threaded: its
progress bar), started early so that its imports (about 2 s) overlap the caller's work, and
given pieces that depend only on what they are sent: blocks of bootstrap replicates
(:func:`civnet.measures.softpower.scorecard.boot_block`), each drawn from the generator's state
at its place, so the numbers are those of the one loop whichever process computes them.

The caller works too: the worker takes the blocks from the last one backwards, the caller from
the first one forwards, taking each block the worker has not started yet (a future not yet
running can be cancelled), so neither waits while the other still has blocks to do, however
busy the machine. If the worker fails to start or dies, the caller computes its blocks itself.

:func:`spread` makes a second core available to the computations in its ``with`` block
(:func:`run_blocks` gives them its block runner); outside one, everything runs in the caller.
"""

from __future__ import annotations

import contextlib
import contextvars
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

_plan: Any = None


def _init() -> None:
    from civnet._lean import lean_imports

    lean_imports()  # igraph without matplotlib, as in the civnet command


def _warm() -> None:
    """Import what the measures need while the caller is busy with other steps."""
    from civnet.products import analyze, catalog  # noqa: F401


def _warm_blocks() -> None:
    """What the bootstrap blocks need besides."""
    import numpy as np

    from civnet.measures.statistics.replicate_statistics import twin_betweenness

    twin_betweenness(np.array([[0, 1], [1, 2]]), np.array([1, 2, 2]), directed=False)  # loads it


def measure(name: str, inputs: Any, params: dict[str, Any]) -> tuple[str, Any]:
    """Catalog measure ``name`` on ``inputs``, JSON-ready: ``("ok", result)``, or ``("empty",
    reason)`` when the view has nothing to measure (the error's one line: it pickles)."""
    from civnet.errors import EmptyNetwork
    from civnet.products.catalog import MEASURES

    try:
        return "ok", MEASURES[name].run(inputs, None, **params)
    except EmptyNetwork as exc:
        return "empty", exc.line()


def _keep_plan(plan: Any) -> None:
    global _plan
    _plan = plan
    _warm_blocks()


def _block(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return fn(_plan, *args)


class SecondCore:
    """One spawned worker process, warming up as soon as it is made."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=ctx, initializer=_init
        )
        try:
            self._pool.submit(_warm)
        except Exception:  # pragma: no cover - no process could be started: all in the caller
            self.close()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any] | None:
        """``fn(*args)`` in the worker (``fn`` and ``args`` pickled), or None when it has no
        worker (it failed to start, or died)."""
        if self._pool is None:
            return None
        try:
            return self._pool.submit(fn, *args)
        except Exception:  # pragma: no cover - the worker died
            self.close()
            return None

    def warm_blocks(self) -> None:
        """Have the worker load what the bootstrap blocks need (the replicate kernel) as soon
        as it is done with what it was given before: the blocks come later, after the
        caller's steps that precede them, and the worker would wait for them idle."""
        self.submit(_warm_blocks)

    def run_blocks(
        self, fn: Callable[..., Any], plan: Any, blocks: Sequence[tuple[Any, ...]]
    ) -> Iterator[Any]:
        """``fn(plan, *b)`` for every ``b`` of ``blocks``, shared between this process and the
        worker (see the module); results in no particular order."""
        pool = self._pool
        if pool is None or len(blocks) < 2:
            for b in blocks:
                yield fn(plan, *b)
            return
        try:
            pool.submit(_keep_plan, plan)
            theirs: list[Future[Any]] = [pool.submit(_block, fn, b) for b in reversed(blocks)]
        except Exception:  # pragma: no cover - the worker died: all in the caller
            self.close()
            for b in blocks:
                yield fn(plan, *b)
            return
        futures = list(reversed(theirs))  # futures[i] is block i's
        left = list(range(len(blocks)))
        for i in range(len(blocks)):
            if not futures[i].cancel():
                break  # the worker has taken this block, and every later one
            left.remove(i)
            yield fn(plan, *blocks[i])
        for i in left:
            try:
                out = futures[i].result()
            except (BrokenProcessPool, CancelledError):
                self.close()  # the worker died: its blocks are computed here
                out = fn(plan, *blocks[i])
            yield out

    def close(self) -> None:
        """Stop the worker (blocks not started are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


_current: contextvars.ContextVar[SecondCore | None] = contextvars.ContextVar(
    "civnet_second_core", default=None
)


@contextlib.contextmanager
def spread(enabled: bool = True) -> Iterator[SecondCore | None]:
    """A :class:`SecondCore` for the computations of this block (none when not ``enabled``);
    its process is stopped at the end of the block."""
    core = SecondCore() if enabled else None
    token = _current.set(core)
    try:
        yield core
    finally:
        _current.reset(token)
        if core is not None:
            core.close()


def current() -> SecondCore | None:
    """The :class:`SecondCore` of the :func:`spread` block around this call (None outside one)."""
    return _current.get()


def run_blocks() -> Callable[..., Any] | None:
    """The block runner of the :func:`spread` block around this call (None outside one)."""
    core = _current.get()
    return core.run_blocks if core is not None else None
