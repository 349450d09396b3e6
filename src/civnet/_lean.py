"""Leaner processes: igraph and NetworKit without matplotlib, Arrow on the system allocator.

``import igraph`` imports matplotlib and its pyplot for igraph's drawing, and ``import
networkit`` imports pyplot and networkx for its plots and NetworkX adapter; civnet calls none
of them. That is about 55 MB and 1.5 s of every process that builds a view, and more for one
that approximates betweenness with KADABRA. :func:`lean_imports` makes a process import igraph
and NetworKit with those hidden: their drawing falls back to what they do when matplotlib is not
installed; matplotlib and networkx can still be imported afterwards.

Only processes civnet starts call it (the ``civnet`` command and the server's workers): in a
notebook, ``import civnet`` leaves igraph's and NetworKit's drawing as they are.

(pyarrow imports pandas, about 60 MB, on its first conversion of any array to or from Python
or numpy, whether or not pandas is used; that cannot be hidden from here, so the view reads its
Arrow columns through their buffers instead, :mod:`civnet.views.arrays`.)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

_installed = False

HIDDEN: dict[str, tuple[str, ...]] = {
    "igraph": ("matplotlib",),
    "networkit": ("matplotlib", "networkx"),
}
"""The libraries hidden while each library is first imported."""


class _WithoutUnused(importlib.abc.MetaPathFinder):
    """Imports each library of :data:`HIDDEN`, the first time, with its unused ones hidden."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in HIDDEN:
            return None
        # the real spec, found by the finders after this one
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def without(module: types.ModuleType) -> None:
            hidden = [n for n in HIDDEN[fullname] if n not in sys.modules]
            for n in hidden:
                sys.modules[n] = None  # type: ignore[assignment]  # its import -> ImportError
            try:
                exec_module(module)
            finally:
                for n in hidden:
                    if n in sys.modules and sys.modules[n] is None:
                        del sys.modules[n]

        spec.loader.exec_module = without  # type: ignore[method-assign]
        return spec


def lean_imports() -> None:
    """From now on in this process, igraph and NetworKit import without matplotlib (see the
    module's docstring). Once per process; a library already imported stays as it is."""
    global _installed
    if _installed:
        return
    _installed = True
    sys.meta_path.insert(0, _WithoutUnused())
    # Arrow's default allocator (mimalloc) keeps what the view's transient arrays freed for
    # Arrow alone; the system allocator hands it back to the heap igraph, numpy and NetworKit
    # allocate from (16 MB less at the peak of a 200k-actor bounded betweenness). Read by
    # pyarrow when it first allocates; a choice already in the environment stays.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def give_back_memory() -> None:
    """Hand the C heap's free memory back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). After a large computation its freed arrays stay in the process's heap; a library
    with its own allocator (DuckDB's, writing the result cache) cannot reuse them, so its
    memory would come on top: at 200k actors / 1M ties, about 100 MB."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return  # not glibc: the heap stays as it is


BIG_ARRAY = 4 * 1024 * 1024
"""Allocations of at least this many bytes get their own pages, handed back when freed."""


def return_big_arrays() -> None:
    """From now on in this process, glibc's ``malloc`` maps each allocation of
    :data:`BIG_ARRAY` bytes or more on its own and unmaps it when freed (elsewhere nothing).

    By default glibc raises that threshold to the size of each large block freed (up to 32 MB),
    so that the next arrays of that size come from the heap and stay there once freed: the
    exact-cost look before a bounded betweenness of 200k actors / 1M ties left about 70 MB in
    the heap that the approximation did not reuse. Set for a process that computes once on a
    large view (``civnet betweenness``); the view's build took the same time (3.2-3.3 s)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, BIG_ARRAY)  # M_MMAP_THRESHOLD (a fixed value: no dynamic raise)
    except (OSError, AttributeError):
        return  # not glibc: its allocator keeps its own thresholds
