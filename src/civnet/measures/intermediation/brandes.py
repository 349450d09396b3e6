"""Brandes' source sums with multiplicities (:func:`brandes_sums`), and which compiled kernel
runs them.

The kernel (:mod:`civnet.measures.intermediation.brandes_kernel`) is numba code. ``make``
compiles its serial part ahead of time into an extension module
(:mod:`civnet.measures.intermediation.brandes_build`) that imports without numba: numba costs
a process about 150 MB and seconds of start-up. When that module is there (built from the
current kernel source), every run takes it, on one thread or on several Python threads (its
wrapper releases the interpreter lock), and numba is never imported; when it is absent, numba's
JIT runs the same code (``weighted_brandes``'s threads for more than one). Both give the same
numbers: the same code, each thread's share of the sources the same, summed in the same order.

``CIVNET_BRANDES=aot`` or ``=jit`` in the environment forces one kernel (the tests run each);
``aot`` fails when the module is not built.
"""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import numpy as np

__all__ = [
    "PULL_BELOW",
    "aot_module",
    "block_copies",
    "brandes_sums",
    "kernel_in_use",
    "twin_brandes",
]

PULL_BELOW = 8
"""A level is pulled by the unreached vertices once the frontier's arcs exceed 1/PULL_BELOW of
the unreached vertices' arcs: a pulled arc costs a load and an add, a pushed one a branch that
the processor mispredicts. 0 (or less) pushes every level, a huge value pulls every level."""


@functools.cache
def aot_module() -> ModuleType | None:
    """The ahead-of-time compiled kernel built from the current source, or None when it was not
    built (or was built from other code: its name carries the source's digest)."""
    from civnet.measures.intermediation.brandes_build import module_name

    try:
        return importlib.import_module(f"{__package__}.{module_name()}")
    except ImportError:
        return None


def kernel_in_use() -> str:
    """``"aot"`` (the compiled module, no numba) or ``"jit"`` (numba), as :func:`brandes_sums`
    will choose: ``CIVNET_BRANDES`` when set, else the compiled module when it is built."""
    forced = os.environ.get("CIVNET_BRANDES", "").strip().lower()
    if forced == "jit":
        return "jit"
    if forced == "aot":
        if aot_module() is None:
            from civnet.measures.intermediation.brandes_build import module_name

            raise RuntimeError(
                f"CIVNET_BRANDES=aot but the compiled kernel {module_name()} is not built "
                "(python -m civnet.measures.intermediation.brandes_build)"
            )
        return "aot"
    if forced not in ("", "auto"):
        raise ValueError(f"CIVNET_BRANDES must be aot, jit or auto, not {forced!r}")
    return "aot" if aot_module() is not None else "jit"


def kernel_function(name: str) -> Callable[..., Any]:
    """The function ``name`` of :mod:`~civnet.measures.intermediation.brandes_kernel` by the
    kernel :func:`kernel_in_use` names: the compiled module's (no numba) or numba's JIT."""
    if kernel_in_use() == "aot":
        return getattr(aot_module(), name)
    from civnet.measures.intermediation import brandes_kernel

    return getattr(brandes_kernel, name)


def brandes_sums(
    indptr: np.ndarray,
    indices: np.ndarray,
    src_weight: np.ndarray,
    tgt_weight: np.ndarray,
    part: np.ndarray,
    *,
    directed: bool,
    threads: int = 1,
    batches: int = 1,
    tick: Callable[[int, int], None] | None = None,
    pull_below: int | None = None,
) -> np.ndarray:
    """``sum over every source s of src_weight[s] * delta_s(v)`` for every vertex ``v`` (see
    :func:`~civnet.measures.intermediation.brandes_kernel.weighted_brandes`), on the CSR
    ``indptr``/``indices`` of the out-arcs (both directions of an undirected edge). ``part``
    labels disjoint graphs laid side by side (an arc never joins two parts), e.g. the
    biconnected blocks' copies of the vertices.

    The vertices are first relabelled, grouped by part and inside each part by descending
    degree (each part's labels contiguous, as the kernel needs), each adjacency list sorted: the
    hubs that most searches touch share a few cache lines (a permutation of the vertices changes
    no shortest path, so the sums are the same, mapped back). ``batches`` splits the sources so
    that ``tick(done, total)`` can report; ``pull_below`` (default :data:`PULL_BELOW`) chooses
    between pushing and pulling a level (the tests force each way). The kernel: see
    :func:`kernel_in_use`.
    """
    n = len(indptr) - 1
    if n == 0:
        return np.zeros(0)
    deg = np.diff(indptr)
    perm = np.lexsort((-deg, part))  # new label -> old
    new = np.empty(n, dtype=np.int64)
    new[perm] = np.arange(n)
    rows = np.repeat(new, deg)
    cols = new[indices]
    itype = np.int32 if len(indices) < 2**31 - 1 else np.int64
    out_ptr, out_idx = _csr(n, rows, cols, itype)
    if directed:
        in_ptr, in_idx = _csr(n, cols, rows, itype)
    else:
        in_ptr, in_idx = out_ptr, out_idx
    del rows, cols
    labels = part[perm]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    part_start = np.r_[starts, n].astype(itype)
    part_of = (np.searchsorted(starts, np.arange(n), side="right") - 1).astype(itype)
    sw = np.ascontiguousarray(src_weight[perm], dtype=float)
    tw = np.ascontiguousarray(tgt_weight[perm], dtype=float)
    total = np.zeros(n)
    pieces = np.array_split(np.arange(n, dtype=itype), max(1, batches))
    rule = PULL_BELOW if pull_below is None else pull_below
    graph = (out_ptr, out_idx, in_ptr, in_idx, part_of, part_start)
    run = _aot_runner(itype, threads) if kernel_in_use() == "aot" else _jit_runner(threads)
    try:
        for k, piece in enumerate(pieces):
            if len(piece):
                run(graph, sw, tw, piece, rule, total)
            if tick:
                tick(k + 1, len(pieces))
    finally:
        close = getattr(run, "close", None)
        if close:
            close()
    return total[new]


def _csr(n: int, rows: np.ndarray, cols: np.ndarray, itype: type) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the arcs ``rows -> cols``, each adjacency list in ascending order."""
    order = np.lexsort((cols, rows))
    indptr: np.ndarray = np.zeros(n + 1, dtype=itype)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return indptr, cols[order].astype(itype)


_Runner = Callable[
    [tuple[np.ndarray, ...], np.ndarray, np.ndarray, np.ndarray, int, np.ndarray], None
]


def _jit_runner(threads: int) -> _Runner:
    """numba's JIT: one thread runs the serial function (no parallel region to start), more
    run ``weighted_brandes``'s ``prange`` over ``threads`` chunks of the sources."""
    from civnet.measures.intermediation.brandes_kernel import _source_sums, weighted_brandes

    def run(
        graph: tuple[np.ndarray, ...],
        sw: np.ndarray,
        tw: np.ndarray,
        piece: np.ndarray,
        rule: int,
        total: np.ndarray,
    ) -> None:
        if threads > 1:
            total += weighted_brandes(graph, sw, tw, piece, threads, rule)
        else:
            _source_sums(graph, sw, tw, piece, 0, 1, rule, total)

    return run


class _AotRunner:
    """The compiled module's ``source_sums``: one thread calls it directly; ``threads`` Python
    threads each take every ``threads``-th source of a piece (chunk ``c`` the sources
    ``piece[c::threads]``, as ``weighted_brandes`` deals them), the chunks' sums added in chunk
    order. The compiled wrapper releases the interpreter lock, so the threads run at once."""

    def __init__(self, fn: Callable[..., None], threads: int) -> None:
        self.fn = fn
        self.threads = threads
        self.pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def __call__(
        self,
        graph: tuple[np.ndarray, ...],
        sw: np.ndarray,
        tw: np.ndarray,
        piece: np.ndarray,
        rule: int,
        total: np.ndarray,
    ) -> None:
        if self.pool is None:
            self.fn(*graph, sw, tw, piece, 0, 1, rule, total)
            return
        t = self.threads
        out = np.zeros((t, len(total)))
        jobs = [
            self.pool.submit(self.fn, *graph, sw, tw, piece, c, t, rule, out[c]) for c in range(t)
        ]
        for job in jobs:
            job.result()
        total += out.sum(axis=0)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def _aot_runner(itype: type, threads: int) -> _AotRunner:
    module = aot_module()
    assert module is not None
    fn = module.source_sums_i4 if itype is np.int32 else module.source_sums_i8
    return _AotRunner(fn, max(1, threads))


def block_copies(
    n: int, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The biconnected blocks of the undirected graph of ``n`` vertices and the ``(m, 2)``
    array ``edges``, by :func:`~civnet.measures.intermediation.brandes_kernel.block_copies`
    (the kernel :func:`kernel_in_use` names): ``copy_vertex``, ``copy_block`` (each block's
    copies contiguous), ``copy_weight`` (the block-cut tree's ``D_B(u)`` when the graph is
    connected) and ``end_copy``, ``(m, 2)``: the copy of each edge's ends in its block (-1 for
    a self-loop). int32 arrays (fewer than 2**30 vertices), no Python object per edge or block."""
    if n >= 2**30:
        raise ValueError(f"{n:,} vertices: the block search counts copies in int32 (< 2**30)")
    ends = np.ascontiguousarray(edges, dtype=np.int64).reshape(-1)
    size = max(2 * n, 1)
    copy_vertex = np.empty(size, dtype=np.int32)
    copy_block = np.empty(size, dtype=np.int32)
    copy_weight = np.empty(size, dtype=np.int32)
    end_copy = np.empty(len(ends), dtype=np.int32)
    fn = kernel_function("block_copies")
    nc, _ = fn(ends, n, copy_vertex, copy_block, copy_weight, end_copy)
    return copy_vertex[:nc], copy_block[:nc], copy_weight[:nc], end_copy.reshape(-1, 2)


def twin_brandes(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    k: np.ndarray,
    self_tied: np.ndarray,
) -> np.ndarray:
    """:func:`civnet.measures.intermediation.replicate_brandes.twin_brandes` (a bootstrap
    replicate's betweenness from its actors and copy counts) by the kernel :func:`kernel_in_use`
    names: the compiled module's when built, so that the report's bootstrap loads no numba."""
    args = (
        np.ascontiguousarray(out_ptr, dtype=np.int64),
        np.ascontiguousarray(out_idx, dtype=np.int64),
        np.ascontiguousarray(in_ptr, dtype=np.int64),
        np.ascontiguousarray(in_idx, dtype=np.int64),
        np.ascontiguousarray(k, dtype=np.float64),
        np.ascontiguousarray(self_tied, dtype=np.bool_),
    )
    if kernel_in_use() == "aot":
        return aot_module().twin_brandes(*args)  # type: ignore[union-attr]
    from civnet.measures.intermediation.replicate_brandes import twin_brandes as jit

    return jit(*args)
