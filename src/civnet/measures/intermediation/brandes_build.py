"""Ahead-of-time build of the serial Brandes kernel (``python -m
civnet.measures.intermediation.brandes_build``, run by ``make`` after installing).

numba costs a process about 150 MB (numba and llvmlite imported, then its typing and target
registries at the first call of a cached function) and about 2 s of start-up, for a kernel of a
few hundred lines. Here ``numba.pycc`` compiles :func:`civnet.measures.intermediation.brandes_kernel._source_sums`
(with what it calls) once, at install, into a CPython extension module beside this file that
imports without numba: a one-thread exact betweenness then never loads numba
(:func:`civnet.measures.intermediation.brandes.brandes_sums` picks the module when it is there,
numba's JIT when not).

The module's name carries a digest of the kernel's source and of this file
(:func:`module_name`), so a module built from older code is never loaded: after an edit the JIT
runs until the next build. The compiled wrapper releases the interpreter lock while it runs
(pycc's wrappers keep it by default: the build turns numba's ``release_gil`` flag on), so
several threads can each run a share of the sources.

The build never fails an install: without a C compiler, setuptools or numba.pycc it says why on
stderr and exits 0 (the JIT is used instead).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
PREFIX = "_brandes_aot_"
SOURCES = ("brandes_kernel.py", "replicate_brandes.py", "brandes_build.py")
"""The files whose text the compiled module is built from: its name carries their digest."""


def module_name() -> str:
    """``_brandes_aot_<digest>``: the compiled module built from the current kernel source
    (12 hex digits of the SHA-256 of :data:`SOURCES`' text)."""
    h = hashlib.sha256()
    for name in SOURCES:
        h.update((HERE / name).read_bytes())
    return PREFIX + h.hexdigest()[:12]


def build(out_dir: Path = HERE) -> Path:
    """:func:`compile_into` ``out_dir``, with the compiler's probes (a ``temp.c`` in a fresh
    temporary folder each, made from pycc's toolchain on) kept in one folder removed after."""
    with (
        tempfile.TemporaryDirectory(prefix="civnet-aot-") as scratch,
        mock.patch.object(tempfile, "tempdir", scratch),
    ):
        return compile_into(out_dir)


def compile_into(out_dir: Path) -> Path:
    """Compile ``_source_sums`` for int32 and int64 graphs (``source_sums_i4``,
    ``source_sums_i8``, the graph's arrays as separate arguments), ``block_copies`` (int32
    copies), the bootstrap replicates' ``twin_brandes``, the path sampler's chunk
    (``sample_chunk``: int64 offsets, int32 neighbours and counts) and its arcs' counting sort
    (``fill_arcs``) into ``out_dir``; remove modules built from older sources there. Returns the module's
    path."""
    import numba.pycc.compiler as pycc_compiler
    from numba.core.compiler import Flags
    from numba.pycc import CC

    import civnet.measures.intermediation.brandes_kernel as kernel
    import civnet.measures.intermediation.replicate_brandes as replicate

    class _NoGilFlags(Flags):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True  # type: ignore[assignment]

    name = module_name()
    cc = CC(name, source_module=kernel)
    cc.output_dir = str(out_dir)
    # pycc's default target, the generic CPU of the platform: a checkout or image moved to
    # another processor still loads it (measured as fast as "host" on this kernel)
    entry = _entry(kernel._source_sums)
    for suffix, it in (("i4", "i4"), ("i8", "i8")):
        sig = f"void({it}[::1], {it}[::1], {it}[::1], {it}[::1], {it}[::1], {it}[::1], f8[::1], f8[::1], {it}[::1], i8, i8, i8, f8[::1])"
        cc.export(f"source_sums_{suffix}", sig)(entry)
    sig = "UniTuple(i8, 2)(i8[::1], i8, i4[::1], i4[::1], i4[::1], i4[::1])"
    cc.export("block_copies", sig)(kernel.block_copies.py_func)
    sig = "f8[::1](i8[::1], i8[::1], i8[::1], i8[::1], f8[::1], b1[::1])"
    cc.export("twin_brandes", sig)(replicate.twin_brandes.py_func)
    sig = "void(i8[::1], i4[::1], i8[::1], i4[::1], i8, i8, i4[::1])"
    cc.export("sample_chunk", sig)(kernel._sample_chunk.py_func)
    sig = "void(i8[::1], i4[:, ::1], i8, i8, i4[::1])"
    cc.export("fill_arcs", sig)(kernel.fill_arcs.py_func)
    # pycc builds every exported function's wrapper with the Flags it names here
    with mock.patch.object(pycc_compiler, "Flags", _NoGilFlags):
        cc.compile()
    built = out_dir / cc.output_file
    for old in out_dir.glob(PREFIX + "*"):
        if not old.name.startswith(name + "."):
            old.unlink()
    return built


def _entry(_source_sums):
    """The entry point as a plain function whose only global is the jitted ``_source_sums``."""

    def source_sums(  # pragma: no cover - compiled
        out_ptr,
        out_idx,
        in_ptr,
        in_idx,
        part_of,
        part_start,
        src_weight,
        tgt_weight,
        sources,
        first,
        step,
        pull_below,
        acc,
    ):
        graph = (out_ptr, out_idx, in_ptr, in_idx, part_of, part_start)
        _source_sums(graph, src_weight, tgt_weight, sources, first, step, pull_below, acc)

    return source_sums


def warm_jit_cache() -> None:
    """Compile the ``parallel=True`` samplers pycc cannot build (the approximation's
    :func:`~civnet.measures.intermediation.brandes_kernel.sampled_path_rows`, for when the
    compiled module is missing, with its ``fill_arcs``; the sampled group betweenness's
    ``sampled_group_paths``) into numba's on-disk cache (``cache=True``), with the argument
    types their callers pass (int64 arrays, Python ints): the first ``civnet serve`` after an
    install then loads them instead of compiling for about 10 s."""
    import os

    import numpy as np

    from civnet.measures.intermediation.betweenness_approx import _arc_csr, _chunk_sizes, _seeds
    from civnet.measures.intermediation.brandes_kernel import (
        sampled_group_paths,
        sampled_path_rows,
    )

    src = np.array([0, 1, 2, 3], dtype=np.int64)
    dst = np.array([1, 2, 3, 0], dtype=np.int64)
    pairs = np.stack((src, dst), axis=1)
    with mock.patch.dict(os.environ, {"CIVNET_BRANDES": "jit"}):  # numba's fill_arcs
        arcs = (*_arc_csr(4, pairs, 0, 1), *_arc_csr(4, pairs, 1, 0))
    sampled_path_rows(*arcs, _chunk_sizes(8), _seeds(0, 0, 0))
    # the group sampler's callers pass int64 arrays throughout (scipy's CSR, widened)
    out_ptr, out_idx, in_ptr, in_idx = (a.astype(np.int64) for a in arcs)
    group = np.array([0, 0, 1, 1], dtype=np.int64)
    sampled_group_paths(out_ptr, out_idx, in_ptr, in_idx, group, 2, src[:2].copy(), 0)


def main() -> int:
    """Build, or say on stderr why not; then fill numba's cache with the samplers
    (:func:`warm_jit_cache`). Exit status 0 either way."""
    try:
        path = build()
    except Exception as exc:  # no compiler, no setuptools, a numba without pycc: JIT instead
        print(
            f"civnet: the ahead-of-time Brandes kernel was not built ({type(exc).__name__}: "
            f"{exc}); exact betweenness uses numba's JIT instead",
            file=sys.stderr,
        )
    else:
        print(f"civnet: built {path.name}", file=sys.stderr)
    try:
        warm_jit_cache()
    except Exception as exc:  # a read-only install: the samplers compile at their first call
        print(
            f"civnet: numba's samplers were not compiled ahead ({type(exc).__name__}: {exc}); "
            "they compile at their first use",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
