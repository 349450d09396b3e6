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


@numba.njit(parallel=True, cache=True, nogil=True)
def sampled_path_counts(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    n_samples: int,
    seed: int,
    n_chunks: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through approx_betweenness
    """Riondato-Kornaropoulos sampling: ``n_samples`` ordered pairs ``s != t`` drawn uniformly,
    for each one shortest ``s -> t`` path drawn uniformly (none when ``t`` is unreachable), and
    per vertex the number of drawn paths it is an interior vertex of.

    Each pair is searched from both ends at once (balanced bidirectional BFS, as KADABRA does:
    the side whose frontier has the smaller degree sum expands one whole layer), so a sample
    costs far less than a full search. The first layer that meets the other side gives the
    distance ``d = D_s + D_t``; the meeting vertices ``y`` (forward depth ``D_s``, backward
    depth ``D_t``) split every shortest path once, ``sigma_st = sum over y of sigma_sy
    sigma_yt``. A path is drawn by picking ``y`` with probability ``sigma_sy sigma_yt /
    sigma_st`` and walking to ``s`` (to ``t``), each step choosing a predecessor ``u`` of ``v``
    with probability ``sigma_su / sigma_sv``. Samples are cut into ``n_chunks`` fixed chunks,
    chunk ``c`` drawing from seed ``seed + c``: the result does not depend on the thread count.
    """
    n = len(out_ptr) - 1
    counts = np.zeros((n_chunks, n))
    for c in numba.prange(n_chunks):
        np.random.seed(seed + c)
        ds = np.full(n, -1, dtype=np.int32)
        dt = np.full(n, -1, dtype=np.int32)
        ss = np.zeros(n)
        st = np.zeros(n)
        vs = np.empty(n, dtype=np.int32)
        vt = np.empty(n, dtype=np.int32)
        row = counts[c]
        lo = c * n_samples // n_chunks
        hi = (c + 1) * n_samples // n_chunks
        for _ in range(lo, hi):
            s = np.random.randint(0, n)
            t = np.random.randint(0, n - 1)
            if t >= s:
                t += 1
            ds[s] = 0
            ss[s] = 1.0
            vs[0] = s
            ns = 1
            fs = 0
            dt[t] = 0
            st[t] = 1.0
            vt[0] = t
            nt = 1
            ft = 0
            found = False
            forward = True
            layer = 0
            while not found and fs < ns and ft < nt:
                deg_s = 0
                for k in range(fs, ns):
                    deg_s += out_ptr[vs[k] + 1] - out_ptr[vs[k]]
                deg_t = 0
                for k in range(ft, nt):
                    deg_t += in_ptr[vt[k] + 1] - in_ptr[vt[k]]
                forward = deg_s <= deg_t
                if forward:
                    layer = ns
                    for k in range(fs, ns):
                        x = vs[k]
                        dx = ds[x] + 1
                        sx = ss[x]
                        for j in range(out_ptr[x], out_ptr[x + 1]):
                            y = out_idx[j]
                            if ds[y] < 0:
                                ds[y] = dx
                                ss[y] = sx
                                vs[ns] = y
                                ns += 1
                                if dt[y] >= 0:
                                    found = True
                            elif ds[y] == dx:
                                ss[y] += sx
                    fs = layer
                else:
                    layer = nt
                    for k in range(ft, nt):
                        x = vt[k]
                        dx = dt[x] + 1
                        sx = st[x]
                        for j in range(in_ptr[x], in_ptr[x + 1]):
                            y = in_idx[j]
                            if dt[y] < 0:
                                dt[y] = dx
                                st[y] = sx
                                vt[nt] = y
                                nt += 1
                                if ds[y] >= 0:
                                    found = True
                            elif dt[y] == dx:
                                st[y] += sx
                    ft = layer
            if found:
                # meeting vertices: the new layer's vertices the other side has reached
                if forward:
                    first, last, side = layer, ns, vs
                else:
                    first, last, side = layer, nt, vt
                total = 0.0
                for k in range(first, last):
                    y = side[k]
                    if ds[y] >= 0 and dt[y] >= 0:
                        total += ss[y] * st[y]
                r = np.random.random() * total
                acc = 0.0
                y = -1
                for k in range(first, last):
                    v = side[k]
                    if ds[v] >= 0 and dt[v] >= 0:
                        acc += ss[v] * st[v]
                        y = v
                        if r < acc:
                            break
                v = y
                while v != s:
                    if v != t:
                        row[v] += 1.0
                    r = np.random.random() * ss[v]
                    acc = 0.0
                    u = -1
                    for j in range(in_ptr[v], in_ptr[v + 1]):
                        w = in_idx[j]
                        if ds[w] >= 0 and ds[w] == ds[v] - 1:
                            acc += ss[w]
                            u = w
                            if r < acc:
                                break
                    v = u
                v = y
                while v != t:
                    r = np.random.random() * st[v]
                    acc = 0.0
                    u = -1
                    for j in range(out_ptr[v], out_ptr[v + 1]):
                        w = out_idx[j]
                        if dt[w] >= 0 and dt[w] == dt[v] - 1:
                            acc += st[w]
                            u = w
                            if r < acc:
                                break
                    v = u
                    if v != t:
                        row[v] += 1.0
            for k in range(ns):
                ds[vs[k]] = -1
                ss[vs[k]] = 0.0
            for k in range(nt):
                dt[vt[k]] = -1
                st[vt[k]] = 0.0
    return counts.sum(axis=0)
