"""Brandes' dependency accumulation with source and target multiplicities, compiled by numba.

Kept in its own module so that numba is imported (and the kernel loaded from its cache) only
when it runs. :func:`civnet.measures.intermediation.brandes.brandes_sums` runs
:func:`_source_sums` from the module that ``make`` compiles ahead of time from this file
(:mod:`civnet.measures.intermediation.brandes_build`), and this module's JIT only when that
module is absent or was built from other code.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "block_copies",
    "fill_arcs",
    "sampled_group_paths",
    "sampled_path_rows",
    "weighted_brandes",
]


@numba.njit(parallel=True, cache=True, nogil=True)
def weighted_brandes(
    graph: tuple[np.ndarray, ...],
    src_weight: np.ndarray,
    tgt_weight: np.ndarray,
    sources: np.ndarray,
    threads: int,
    pull_below: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through brandes_sums
    """``sum over s in sources of src_weight[s] * delta_s(v)`` with target weights:
    ``delta_s(v) = sum over w with v a predecessor of w of sigma_sv / sigma_sw (tgt_weight[w] +
    delta_s(w))`` (Brandes 2001, Puzis et al. 2012). ``graph`` is ``(out_ptr, out_idx, in_ptr,
    in_idx, part_of, part_start)``: the CSR of the out-arcs, that of the in-arcs (the same
    arrays for an undirected graph), and vertex ``v``'s part ``part_start[part_of[v]]`` to
    ``part_start[part_of[v] + 1]`` (no arc leaves a part). Sources are dealt round-robin to
    ``threads`` chunks (:func:`_source_sums`), each with its own arrays, allocated once.

    No predecessor lists: each search runs level by level (:func:`_levels`) and the
    dependencies are accumulated level by level, deepest first (:func:`_accumulate`)."""
    n = len(graph[0]) - 1
    out = np.zeros((threads, n))
    for chunk in numba.prange(threads):
        _source_sums(graph, src_weight, tgt_weight, sources, chunk, threads, pull_below, out[chunk])
    return out.sum(axis=0)


@numba.njit(cache=True, nogil=True)
def _source_sums(
    graph: tuple[np.ndarray, ...],
    src_weight: np.ndarray,
    tgt_weight: np.ndarray,
    sources: np.ndarray,
    first: int,
    step: int,
    pull_below: int,
    acc: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """One thread's share of :func:`weighted_brandes`: the sources ``sources[first::step]``,
    their sums added to ``acc``; the arrays of the searches allocated once."""
    out_ptr, out_idx, in_ptr, in_idx, part_of, part_start = graph
    n = len(out_ptr) - 1
    dist = np.full(n, -1, dtype=np.int32)
    sigma = np.zeros(n)
    coeff = np.zeros(n)
    tmp = np.empty(n)
    order = np.empty(n, dtype=out_idx.dtype)
    open_ = np.empty(n, dtype=out_idx.dtype)
    start = np.empty(n + 1, dtype=out_idx.dtype)
    for si in range(first, len(sources), step):
        s = sources[si]
        p = part_of[s]
        tail, depth = _levels(
            out_ptr, out_idx, in_ptr, in_idx, part_start[p], part_start[p + 1], s,
            dist, sigma, tmp, order, open_, start, pull_below,
        )  # fmt: skip
        _accumulate(
            out_ptr, out_idx, tgt_weight, src_weight[s], depth, sigma, coeff, tmp, order,
            start, acc,
        )  # fmt: skip
        for i in range(tail):
            v = order[i]
            dist[v] = -1
            sigma[v] = 0.0
            coeff[v] = 0.0


@numba.njit(cache=True, nogil=True)
def _levels(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    lo: int,
    hi: int,
    s: int,
    dist: np.ndarray,
    sigma: np.ndarray,
    tmp: np.ndarray,
    order: np.ndarray,
    open_: np.ndarray,
    start: np.ndarray,
    pull_below: int,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Breadth-first search from ``s`` inside the part ``lo..hi``: ``dist``, the shortest-path
    counts ``sigma``, and ``order`` with level ``k`` at ``order[start[k]:start[k + 1]]``.
    Returns (vertices reached, levels).

    Direction-optimizing (Beamer, Asanović & Patterson 2012), without early exit because every
    path counts: a small frontier pushes along its out-arcs; a large one is pulled, each
    unreached vertex ``w`` summing ``sigma`` over all its in-neighbours. That sum needs no test
    of the neighbours' levels: an in-neighbour of an unreached vertex is either on the frontier
    (level ``d``: an earlier one would have reached ``w``) or unreached itself (``sigma`` 0, as
    the new level's counts are written only after the whole level is summed), so ``w`` is on
    level ``d + 1`` exactly when its sum is positive. The counts are sums of integers, the same
    in any order."""
    order[0] = s
    dist[s] = 0
    sigma[s] = 1.0
    start[0] = 0
    tail = 1
    first = 0
    last = 1
    depth = 0
    n_open = -1  # the unreached vertices are listed at the first pulled level
    m_open = in_ptr[hi] - in_ptr[lo] - (in_ptr[s + 1] - in_ptr[s])
    while first < last:
        d1 = depth + 1
        m_front = 0
        for i in range(first, last):
            v = order[i]
            m_front += out_ptr[v + 1] - out_ptr[v]
        if m_front * pull_below < m_open:
            for i in range(first, last):
                v = order[i]
                sv = sigma[v]
                for j in range(out_ptr[v], out_ptr[v + 1]):
                    w = out_idx[j]
                    dw = dist[w]
                    if dw < 0:
                        dist[w] = d1
                        sigma[w] = sv
                        order[tail] = w
                        tail += 1
                        m_open -= in_ptr[w + 1] - in_ptr[w]
                    elif dw == d1:
                        sigma[w] += sv
            n_open = -1
        else:
            if n_open < 0:
                n_open = 0
                for u in range(lo, hi):
                    if dist[u] < 0:
                        open_[n_open] = u
                        n_open += 1
            for k in range(n_open):
                w = open_[k]
                tmp[k] = _gather_sum(in_ptr[w], in_ptr[w + 1], in_idx, sigma)
            # reached (sum > 0) to the level, the rest kept open; without a branch to mispredict
            kept = 0
            for k in range(n_open):
                w = open_[k]
                t = tmp[k]
                hit = t > 0.0
                sigma[w] = t
                dist[w] = d1 if hit else -1
                order[tail] = w
                open_[kept] = w
                tail += 1 if hit else 0
                kept += 0 if hit else 1
                m_open -= (in_ptr[w + 1] - in_ptr[w]) if hit else 0
            n_open = kept
        depth = d1
        start[depth] = last
        first = last
        last = tail
    return tail, depth


@numba.njit(cache=True, nogil=True)
def _accumulate(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    tgt_weight: np.ndarray,
    ws: float,
    depth: int,
    sigma: np.ndarray,
    coeff: np.ndarray,
    tmp: np.ndarray,
    order: np.ndarray,
    start: np.ndarray,
    acc: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Brandes' backward pass by levels, deepest first: ``delta(v) = sigma(v) * sum over
    successors w of coeff(w)``, ``coeff(w) = (tgt_weight(w) + delta(w)) / sigma(w)``, and
    ``acc(v) += ws * delta(v)``.

    The successors of ``v`` on level ``k`` are its out-neighbours on level ``k + 1``; its other
    out-neighbours lie on levels ``k`` or below, whose ``coeff`` is still 0 (a level's
    ``coeff`` is written only after the whole level is summed; ``coeff`` is reset after each
    search), so summing ``coeff`` over all out-neighbours needs neither predecessor lists nor
    a test of levels. The deepest level has no successors."""
    for i in range(start[depth - 1], start[depth]):
        v = order[i]
        coeff[v] = tgt_weight[v] / sigma[v]
    for k in range(depth - 2, 0, -1):
        a = start[k]
        b = start[k + 1]
        for i in range(a, b):
            v = order[i]
            tmp[i] = _gather_sum(out_ptr[v], out_ptr[v + 1], out_idx, coeff)
        for i in range(a, b):
            v = order[i]
            dlt = sigma[v] * tmp[i]
            acc[v] += ws * dlt
            coeff[v] = (tgt_weight[v] + dlt) / sigma[v]


@numba.njit(cache=True, nogil=True, inline="always")
def _gather_sum(a: int, b: int, idx: np.ndarray, x: np.ndarray) -> float:  # pragma: no cover
    """``sum over j in a..b-1 of x[idx[j]]`` in four running sums, so that the loads of
    consecutive terms overlap instead of waiting on one chain of additions."""
    t0 = 0.0
    t1 = 0.0
    t2 = 0.0
    t3 = 0.0
    j = a
    while j + 4 <= b:
        t0 += x[idx[j]]
        t1 += x[idx[j + 1]]
        t2 += x[idx[j + 2]]
        t3 += x[idx[j + 3]]
        j += 4
    while j < b:
        t0 += x[idx[j]]
        j += 1
    return (t0 + t1) + (t2 + t3)


@numba.njit(cache=True, nogil=True)
def block_copies(
    ends: np.ndarray,
    n: int,
    copy_vertex: np.ndarray,
    copy_block: np.ndarray,
    copy_weight: np.ndarray,
    end_copy: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled; tested through betweenness_blocks
    """The biconnected blocks of an undirected graph of ``n`` vertices (Hopcroft & Tarjan 1973:
    an iterative depth-first search with a stack of edges), as one copy of each vertex per
    block it lies in, with the block-cut tree's weight of each copy.

    ``ends``: edge ``e`` joins ``ends[2e]`` and ``ends[2e + 1]`` (parallel edges are edges of
    their own; self-loops lie in no block). Written in place: copy ``k`` is vertex
    ``copy_vertex[k]`` in block ``copy_block[k]`` (each block's copies contiguous, blocks
    numbered in the order they close) with weight ``copy_weight[k]``; ``end_copy[2e + i]`` the
    copy of edge ``e``'s end ``i`` in the edge's block (-1 for a self-loop). Returns the
    numbers of copies and blocks (at most ``2n`` and ``n``).

    The weight ``D_B(u)`` of a copy, when the graph is connected: the actors on ``u``'s side
    when the block-cut tree's edge between ``B`` and ``u`` is cut. A block closes when the
    search leaves its top's child ``v`` with ``low(v) >= disc(top)``; the top's side is
    everything but ``v``'s search subtree (``n - subtree(v)``); any other vertex ``x`` of the
    block has ``x`` and the subtrees of its children whose blocks hang below ``x``, all
    finished by then (``hang(x)``)."""
    m = len(ends) // 2
    indptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(m):
        a = ends[2 * e]
        b = ends[2 * e + 1]
        if a != b:
            indptr[a + 1] += 1
            indptr[b + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    pos = indptr[:-1].copy()
    inc = np.empty(indptr[n], dtype=np.int64)  # the incident edges' ids
    for e in range(m):
        a = ends[2 * e]
        b = ends[2 * e + 1]
        end_copy[2 * e] = -1
        end_copy[2 * e + 1] = -1
        if a != b:
            inc[pos[a]] = e
            pos[a] += 1
            inc[pos[b]] = e
            pos[b] += 1
    for v in range(n):
        pos[v] = indptr[v]
    disc = np.full(n, -1, dtype=np.int32)
    low = np.zeros(n, dtype=np.int32)
    subtree = np.ones(n, dtype=np.int32)
    hang = np.ones(n, dtype=np.int32)
    mark = np.full(n, -1, dtype=np.int32)
    here = np.zeros(n, dtype=np.int32)
    parent_edge = np.full(n, -1, dtype=np.int64)
    vstack = np.empty(n, dtype=np.int32)
    estack = np.empty(max(m, 1), dtype=np.int64)
    t = 0
    nb = 0
    nc = 0
    for r in range(n):
        if disc[r] >= 0:
            continue
        disc[r] = t
        low[r] = t
        t += 1
        vstack[0] = r
        top = 1
        etop = 0
        while top > 0:
            v = vstack[top - 1]
            if pos[v] < indptr[v + 1]:
                e = inc[pos[v]]
                pos[v] += 1
                if e == parent_edge[v]:
                    continue
                w = ends[2 * e] + ends[2 * e + 1] - v
                if disc[w] < 0:
                    estack[etop] = e
                    etop += 1
                    disc[w] = t
                    low[w] = t
                    t += 1
                    parent_edge[w] = e
                    vstack[top] = w
                    top += 1
                elif disc[w] < disc[v]:  # a back edge, seen from its lower end only
                    estack[etop] = e
                    etop += 1
                    if disc[w] < low[v]:
                        low[v] = disc[w]
                continue
            top -= 1
            if top == 0:
                break
            u = vstack[top - 1]
            subtree[u] += subtree[v]
            if low[v] < low[u]:
                low[u] = low[v]
            if low[v] < disc[u]:
                continue
            # u separates v's subtree: the edges above v's tree edge on the stack close a block
            hang[u] += subtree[v]
            pe = parent_edge[v]
            while True:
                etop -= 1
                f = estack[etop]
                for k in range(2 * f, 2 * f + 2):
                    x = ends[k]
                    if mark[x] != nb:
                        mark[x] = nb
                        here[x] = nc
                        copy_vertex[nc] = x
                        copy_block[nc] = nb
                        copy_weight[nc] = n - subtree[v] if x == u else hang[x]
                        nc += 1
                    end_copy[k] = here[x]
                if f == pe:
                    break
            nb += 1
    return nc, nb


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


@numba.njit(cache=True, nogil=True)
def fill_arcs(
    pos: np.ndarray, arcs: np.ndarray, tail: int, head: int, idx: np.ndarray
) -> None:  # pragma: no cover - compiled; tested through approx_betweenness
    """Counting sort of the arcs ``arcs[i, tail] -> arcs[i, head]`` into the neighbour array
    ``idx``: the arc of row ``i`` goes to ``idx[pos[u]]``, ``u`` its tail, and ``pos[u]``
    moves on; ``pos`` starts at each vertex's first slot (the offsets ``ptr[:-1]``). Rows in
    order, so each vertex's arcs keep the order of the rows (as a stable sort by tail), and a
    second call (the other direction) appends after the first's."""
    for i in range(arcs.shape[0]):
        u = arcs[i, tail]
        idx[pos[u]] = arcs[i, head]
        pos[u] += 1


@numba.njit(parallel=True, cache=True, nogil=True)
def sampled_path_rows(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    sizes: np.ndarray,
    seeds: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled; tested through approx_betweenness
    """Shortest-path sampling in fixed chunks: chunk ``c`` draws ``sizes[c]`` ordered pairs
    ``s != t`` uniformly from numba's generator seeded with ``seeds[c]``, for each one shortest
    ``s -> t`` path uniformly (none when ``t`` is unreachable), and row ``c`` of the result
    counts, per vertex, the drawn paths it is an interior vertex of (:func:`_sample_chunk`).

    A chunk runs whole on one thread, so the rows depend on ``sizes`` and ``seeds`` only, never
    on the thread count; the rows are whole numbers, so their sum is exact in any order. An
    undirected graph passes the same arrays as out- and in-arcs.
    """
    n = len(out_ptr) - 1
    rows = np.zeros((len(sizes), n), dtype=np.int32)
    for c in numba.prange(len(sizes)):
        _sample_chunk(out_ptr, out_idx, in_ptr, in_idx, sizes[c], seeds[c], rows[c])
    return rows


@numba.njit(cache=True, nogil=True)
def _sample_chunk(
    out_ptr: np.ndarray,
    out_idx: np.ndarray,
    in_ptr: np.ndarray,
    in_idx: np.ndarray,
    n_samples: int,
    seed: int,
    row: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """``n_samples`` sampled shortest paths counted into ``row`` (Riondato & Kornaropoulos 2016,
    doi:10.1007/s10618-015-0423-0; the search as in Borassi & Natale's KADABRA, 2016).

    Each pair is searched from both ends at once (balanced bidirectional BFS: the side whose
    frontier has the smaller degree sum expands one whole layer), so a sample costs far less
    than a full search, and only the vertices a search reached are reset after it. The first
    layer that meets the other side gives the distance ``d = D_s + D_t``; the meeting vertices
    ``y`` (forward depth ``D_s``, backward depth ``D_t``) split every shortest path once,
    ``sigma_st = sum over y of sigma_sy sigma_yt``. A path is drawn by picking ``y`` with
    probability ``sigma_sy sigma_yt / sigma_st`` and walking to ``s`` (to ``t``), each step
    choosing a predecessor ``u`` of ``v`` with probability ``sigma_su / sigma_sv``.
    """
    n = len(out_ptr) - 1
    np.random.seed(seed)
    ds = np.full(n, -1, dtype=np.int32)
    dt = np.full(n, -1, dtype=np.int32)
    ss = np.zeros(n)
    st = np.zeros(n)
    vs = np.empty(n, dtype=np.int32)
    vt = np.empty(n, dtype=np.int32)
    for _ in range(n_samples):
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
                ns, found = _expand_layer(out_ptr, out_idx, vs, fs, ns, ds, ss, dt)
                fs = layer
            else:
                layer = nt
                nt, found = _expand_layer(in_ptr, in_idx, vt, ft, nt, dt, st, ds)
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
            if y != s and y != t:
                row[y] += 1
            _walk(in_ptr, in_idx, y, s, ds, ss, row)
            _walk(out_ptr, out_idx, y, t, dt, st, row)
        for k in range(ns):
            ds[vs[k]] = -1
            ss[vs[k]] = 0.0
        for k in range(nt):
            dt[vt[k]] = -1
            st[vt[k]] = 0.0


@numba.njit(cache=True, nogil=True)
def _expand_layer(
    ptr: np.ndarray,
    idx: np.ndarray,
    verts: np.ndarray,
    first: int,
    last: int,
    dist: np.ndarray,
    sigma: np.ndarray,
    other: np.ndarray,
) -> tuple[int, bool]:  # pragma: no cover - compiled
    """One layer of one side of a bidirectional search: ``verts[first:last]`` expand along
    ``ptr``/``idx`` (out-arcs forward, in-arcs backward), appending the vertices they reach
    first to ``verts`` with their ``dist`` and path counts ``sigma``. Returns the new end of
    ``verts`` and whether a new vertex was already reached by the other side (``other``)."""
    end = last
    found = False
    for k in range(first, last):
        x = verts[k]
        dx = dist[x] + 1
        sx = sigma[x]
        for j in range(ptr[x], ptr[x + 1]):
            y = idx[j]
            if dist[y] < 0:
                dist[y] = dx
                sigma[y] = sx
                verts[end] = y
                end += 1
                if other[y] >= 0:
                    found = True
            elif dist[y] == dx:
                sigma[y] += sx
    return end, found


@numba.njit(cache=True, nogil=True)
def _walk(
    ptr: np.ndarray,
    idx: np.ndarray,
    v: int,
    end: int,
    dist: np.ndarray,
    sigma: np.ndarray,
    row: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """From ``v`` back to the search's root ``end`` along a uniformly drawn shortest path: each
    step picks a predecessor ``u`` (a neighbour along ``ptr``/``idx`` one level nearer ``end``)
    with probability ``sigma_u / sigma_v``; every vertex stepped on but ``end`` counts once in
    ``row``."""
    while v != end:
        r = np.random.random() * sigma[v]
        acc = 0.0
        u = -1
        for j in range(ptr[v], ptr[v + 1]):
            w = idx[j]
            if dist[w] >= 0 and dist[w] == dist[v] - 1:
                acc += sigma[w]
                u = w
                if r < acc:
                    break
        v = u
        if v != end:
            row[v] += 1
