"""Statistics of a compact bootstrap replicate, computed without building its network.

A *statistic* is any function ``Network -> {name: float}`` (:data:`Statistic`). :func:`evaluate`
computes civnet's own statistics, :func:`core_statistic` and
:func:`civnet.measures.change.timeline.core_factors`, from the arrays and the bare graph of a
:class:`~civnet.measures.statistics.resampling.Replicate` (the same numbers as on the replicate built as a
network, checked in ``tests/test_uncertainty.py``), and any other statistic on
:meth:`~civnet.measures.statistics.resampling.Replicate.network`. :func:`replicate_betweenness` gives the
normalized betweenness of every vertex of a replicate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from civnet.measures.change.timeline import core_factors, mean_betweenness
from civnet.measures.intermediation.betweenness import PARALLEL_WORK, betweenness
from civnet.measures.statistics.resampling import Replicate
from civnet.measures.structure import diversity
from civnet.measures.structure.density import density
from civnet.views.network import Network

Statistic = Callable[[Network], Mapping[str, float]]


def core_statistic(net: Network) -> dict[str, float]:
    """Density and mean normalized betweenness: the fast default statistic for intervals."""
    if net.graph.vcount() == 0:
        return {"density": float("nan"), "mean_betweenness": float("nan")}
    return {"density": density(net), "mean_betweenness": mean_betweenness(net)}


def evaluate(statistic: Statistic, rep: Replicate) -> Mapping[str, float]:
    """``statistic`` on a replicate.

    :func:`core_statistic` and :func:`civnet.measures.change.timeline.core_factors` are computed from
    the replicate's arrays and bare graph (the same numbers, without building its tables);
    any other statistic is called on :meth:`Replicate.network`.
    """
    fast = _FAST.get(statistic)
    return fast(rep) if fast is not None else statistic(rep.network())


def _density(n: int, pairs: int) -> float:
    """:func:`civnet.measures.structure.density.density` from the counts of actors and connected pairs."""
    if n < 2:
        return 0.0
    return 2.0 * float(pairs) / (n * (n - 1))


def replicate_mean_betweenness(rep: Replicate) -> float:
    """:func:`civnet.measures.change.timeline.mean_betweenness` of the replicate, from the view.

    The same identity, ``sum_v b(v) = sum over connected pairs (d(s,t) - 1)``, summed without
    building the copies: copies of one actor have the same neighbours, so two copies of
    different actors u, v are at the distance of u and v among the actors present, and two
    copies of one actor u are at the length of the shortest cycle through u (2 when undirected
    and u has a tie). The distances come from a breadth-first search run from all actors at
    once, a dense frontier advanced by a sparse product per step, in blocks of sources; each
    step adds ``(d - 1) (k' N_d k - sum_u N_d[u,u] k_u)`` for the copies k and the actors
    first reached at step d. Exact (integer sums in float64).
    """
    n, m = rep.n_vertices, rep.edge_count
    if n < 3 or m == 0:
        return 0.0
    directed = rep.directed
    total = _path_excess(rep.actor_edges(), rep.copies, directed)
    norm = (n - 1) * (n - 2) * (1.0 if directed else 0.5)
    return total / n / norm


def _path_excess(edges: np.ndarray, copies: np.ndarray, directed: bool) -> float:
    verts, local = np.unique(edges, return_inverse=True)
    local = local.reshape(edges.shape)
    nh = len(verts)
    k = copies[verts].astype(np.float64)
    u, v = local[:, 0], local[:, 1]
    if not directed:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
    # at[v, u] = 1 for an arc u -> v: one step of the frontier is at @ front
    at = sp.csr_matrix((np.ones(len(u), np.float32), (v, u)), shape=(nh, nh))
    block = max(1, min(nh, _FRONTIER_CELLS // nh))
    k32 = k.astype(np.float32)  # sums of copies stay below 2**24: exact in float32
    total = 0.0
    for lo in range(0, nh, block):
        cols = np.arange(lo, min(lo + block, nh))
        here = np.arange(len(cols))
        kb = k[cols]
        front = np.zeros((nh, len(cols)), np.float32)
        front[cols, here] = 1.0
        unseen = np.ones((nh, len(cols)), bool)
        d = 0
        while True:
            d += 1
            new = np.asarray(at @ front) > 0
            new &= unseen  # first reached at step d
            front = new.astype(np.float32)
            reached = (k32 @ front).astype(np.float64)
            if not reached.any():
                break
            unseen ^= new
            if d > 1:
                total += (d - 1) * float(reached @ kb - kb[new[cols, here]].sum())
    return total / 2.0 if not directed else total


_FRONTIER_CELLS = 4_000_000
"""Cells of the dense BFS frontier (actors x sources of one block) in :func:`_path_excess`."""


def _replicate_core_statistic(rep: Replicate) -> dict[str, float]:
    n = rep.n_vertices
    if n == 0:
        return {"density": float("nan"), "mean_betweenness": float("nan")}
    return {
        "density": _density(n, rep.pair_count),
        "mean_betweenness": replicate_mean_betweenness(rep),
    }


def replicate_betweenness(rep: Replicate) -> np.ndarray:
    """Normalized betweenness (:func:`civnet.measures.intermediation.betweenness`) of each vertex of
    :meth:`Replicate.graph`, in its order.

    Copies of one actor are twins, so Brandes runs on the replicate's actors with their copy
    counts as multiplicities (:func:`civnet.measures.intermediation.replicate_brandes.twin_brandes`), without
    building the copies' graph; every copy of an actor gets the actor's value. Exact: equal to
    igraph's Brandes on :meth:`Replicate.graph` up to float rounding (relative 1e-12 in
    ``tests/test_report_speed.py``). A replicate large enough for civnet to split over
    processes (vertices x edges above ``PARALLEL_WORK``) goes through
    :func:`~civnet.measures.intermediation.betweenness` on its graph instead.
    """
    n = rep.n_vertices
    if n == 0:
        return np.zeros(0)
    directed = rep.directed
    if n * rep.edge_count > PARALLEL_WORK:
        g = rep.graph()
        if "name" not in g.vs.attributes():
            g.vs["name"] = list(range(n))
        return betweenness(Network(graph=g, actors=_NO_TABLE, ties=_NO_TABLE)).values
    values = twin_betweenness(rep.actor_edges(), rep.copies, directed)
    if n > 2:
        scale = (n - 1) * (n - 2)
        values = values / (scale if directed else scale / 2.0)
    return values


def twin_betweenness(edges: np.ndarray, copies: np.ndarray, directed: bool) -> np.ndarray:
    """Raw betweenness of each copy (in :meth:`Replicate.graph`'s order: the copies of each
    actor consecutive) of the graph where actor v has ``copies[v]`` twin copies and each row
    ``(u, v)`` of ``edges`` ties every copy of u to every copy of v (arcs when ``directed``;
    a row ``(u, u)`` ties u's copies to each other). Unordered pairs when undirected, as igraph.
    """
    from civnet.measures.intermediation.brandes import twin_brandes  # compiled ahead or JIT

    present = np.flatnonzero(copies > 0)
    local = np.full(len(copies), -1, dtype=np.int64)
    local[present] = np.arange(len(present))
    k = copies[present].astype(np.float64)
    u, v = local[edges[:, 0]], local[edges[:, 1]]
    loop = u == v
    self_tied = np.zeros(len(present), dtype=np.bool_)
    self_tied[u[loop]] = True
    u, v = u[~loop], v[~loop]
    if not directed:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
    nh = len(present)
    out_ptr, out_idx = _csr(u, v, nh)
    in_ptr, in_idx = _csr(v, u, nh)
    raw = twin_brandes(out_ptr, out_idx, in_ptr, in_idx, k, self_tied)
    if not directed:
        raw = raw / 2.0
    return np.repeat(raw, copies[present])


def _csr(a: np.ndarray, b: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (pointers, neighbours) of the arcs ``a -> b`` over ``n`` vertices."""
    order = np.lexsort((b, a))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(b[order], dtype=np.int64)


_NO_TABLE = pa.table({})


def _weighted_counts(codes: np.ndarray | None, weights: np.ndarray) -> np.ndarray:
    """Per category (first-seen order among positive weights, nulls left out): summed weights.

    The counts :func:`civnet.measures.structure.diversity.category_counts` gives for the values repeated
    ``weights`` times, in the same order.
    """
    if codes is None:
        return np.zeros(0)
    sel = (weights > 0) & (codes >= 0)
    c, w = codes[sel], weights[sel]
    if not c.size:
        return np.zeros(0)
    cats, first = np.unique(c, return_index=True)
    return np.bincount(c, weights=w)[cats][np.argsort(first)]


def _replicate_core_factors(rep: Replicate) -> dict[str, Any]:
    """:func:`civnet.measures.change.timeline.core_factors` of the replicate."""
    n = rep.n_vertices
    view = rep.view
    if n:
        g = rep.graph()
        b = replicate_betweenness(rep)
        sizes = sorted(g.connected_components(mode="weak").sizes(), reverse=True)
        m = rep.pair_count
    else:
        b, sizes, m = np.zeros(0), [], 0
    types = _weighted_counts(view.types, rep.copies) if n else np.zeros(0)
    tracks = _weighted_counts(view.tracks, rep.tie_rows)
    return {
        "nodes": n,
        "edges": m,
        "ties": int(rep.tie_rows.sum()),
        "density": _density(n, m) if n else float("nan"),
        "mean_betweenness": float(b.mean()) if n else float("nan"),
        "max_betweenness": float(b.max()) if n else float("nan"),
        "components": len(sizes),
        "largest_component": sizes[0] if sizes else 0,
        "type_shannon": diversity.shannon(types) if types.size else 0.0,
        "type_blau": diversity.blau(types) if types.size else 0.0,
        "track_shannon": diversity.shannon(tracks) if tracks.size else 0.0,
        "track_blau": diversity.blau(tracks) if tracks.size else 0.0,
    }


_FAST: dict[Callable[..., Any], Callable[[Replicate], Mapping[str, Any]]] = {
    core_statistic: _replicate_core_statistic,
    core_factors: _replicate_core_factors,
}
