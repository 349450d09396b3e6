"""Brandes' dependency accumulation with source and target multiplicities, compiled by numba.

Kept in its own module so that numba is imported (and the kernel loaded from its cache) only
when :func:`civnet.measures.betweenness_blocks.block_betweenness` first runs.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["weighted_brandes"]


@numba.njit(parallel=True, cache=True, nogil=True)
def weighted_brandes(
    indptr: np.ndarray,
    indices: np.ndarray,
    src_weight: np.ndarray,
    tgt_weight: np.ndarray,
    sources: np.ndarray,
    threads: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through block_betweenness
    """``sum over s in sources of src_weight[s] * delta_s(v)`` with target weights:
    ``delta_s(v) = sum over w with v a predecessor of w of sigma_sv / sigma_sw (tgt_weight[w] +
    delta_s(w))`` (Brandes 2001, Puzis et al. 2012). ``indptr``/``indices`` is the CSR of the
    out-arcs (both directions of an undirected edge). Sources are dealt round-robin to
    ``threads`` chunks, each with its own arrays."""
    n = len(indptr) - 1
    out = np.zeros((threads, n))
    for chunk in numba.prange(threads):
        dist = np.full(n, -1, dtype=np.int32)
        sigma = np.zeros(n)
        coeff = np.zeros(n)
        order = np.empty(n, dtype=np.int32)
        # stamp[j] == source number: adjacency slot j is an edge of this source's shortest-path
        # DAG (from the slot's owner to indices[j]); no reset needed between sources
        stamp = np.full(len(indices), -1, dtype=np.int32)
        acc = out[chunk]
        for si in range(chunk, len(sources), threads):
            s = sources[si]
            head = 0
            tail = 1
            order[0] = s
            dist[s] = 0
            sigma[s] = 1.0
            while head < tail:
                v = order[head]
                head += 1
                dv = dist[v] + 1
                sv = sigma[v]
                for j in range(indptr[v], indptr[v + 1]):
                    w = indices[j]
                    dw = dist[w]
                    if dw < 0:
                        dist[w] = dv
                        order[tail] = w
                        tail += 1
                        sigma[w] = sv
                        stamp[j] = si
                    elif dw == dv:
                        sigma[w] += sv
                        stamp[j] = si
            # backward: delta(v) = sigma(v) * sum over DAG successors w of coeff(w), where
            # coeff(w) = (weight(w) + delta(w)) / sigma(w); successors are final before v
            ws = src_weight[s]
            for i in range(tail - 1, 0, -1):
                v = order[i]
                total = 0.0
                for j in range(indptr[v], indptr[v + 1]):
                    if stamp[j] == si:
                        total += coeff[indices[j]]
                dlt = sigma[v] * total
                acc[v] += ws * dlt
                coeff[v] = (tgt_weight[v] + dlt) / sigma[v]
            for i in range(tail):
                v = order[i]
                dist[v] = -1
                sigma[v] = 0.0
                coeff[v] = 0.0
    return out.sum(axis=0)


@numba.njit(parallel=True, cache=True, nogil=True)
def sampled_group_paths(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    sources: np.ndarray,
    seed: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through group_betweenness
    """For each source ``s``: one random shortest-path tree, and per group ``C`` the number of
    targets ``t`` (``s``, ``t`` outside ``C``) whose tree path has an interior vertex in ``C``.

    Each vertex ``v`` picks its tree parent among its BFS predecessors ``u`` with probability
    ``sigma_su / sigma_sv``, so the tree path to each ``t`` is a uniformly random shortest s-t
    path and the expected count is ``sum over t of sigma_st(C) / sigma_st``. Source ``i`` draws
    from its own stream (``seed + i``), so results do not depend on the thread count.
    """
    n = len(out_ptr) - 1
    k = len(sources)
    res = np.zeros((k, n_groups))
    for i in numba.prange(k):
        np.random.seed(seed + i)
        s = sources[i]
        dist = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)
        order = np.empty(n, dtype=np.int64)
        parent = np.full(n, -1, dtype=np.int64)
        stamp = np.full(n_groups, -1, dtype=np.int64)
        head = 0
        tail = 1
        order[0] = s
        dist[s] = 0
        sigma[s] = 1.0
        while head < tail:
            v = order[head]
            head += 1
            dv = dist[v] + 1
            for j in range(out_ptr[v], out_ptr[v + 1]):
                w = out_idx[j]
                if dist[w] < 0:
                    dist[w] = dv
                    order[tail] = w
                    tail += 1
                if dist[w] == dv:
                    sigma[w] += sigma[v]
        gs = group[s]
        row = res[i]
        for q in range(1, tail):
            t = order[q]
            # parent: a predecessor drawn with probability sigma_su / sigma_st
            r = np.random.random() * sigma[t]
            dt = dist[t] - 1
            acc = 0.0
            for j in range(in_ptr[t], in_ptr[t + 1]):
                u = in_idx[j]
                if dist[u] == dt:
                    acc += sigma[u]
                    parent[t] = u
                    if r < acc:
                        break
            gt = group[t]
            v = parent[t]
            while v != s:
                gv = group[v]
                if gv != gs and gv != gt and stamp[gv] != t:
                    stamp[gv] = t
                    row[gv] += 1.0
                v = parent[v]
    return res
