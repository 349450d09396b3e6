"""Biconnected blocks as arrays, compiled by numba: no Python object per block.

igraph gives the blocks as a Python list per block (a pendant actor is a block of two), about
300 bytes a block alive at once: 120 MB on a graph of 200,000 actors, most of them in small
trees. :func:`edge_blocks` labels each edge with its block in one iterative depth-first search
(Hopcroft & Tarjan 1973, doi:10.1145/362248.362272), in arrays of the graph's size. Kept in its
own module, like :mod:`civnet.measures.brandes_kernel`: numba loads only when blocks are needed.
"""

from __future__ import annotations

import numba
import numpy as np


def edge_blocks(n: int, edges: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """The block of each edge of the undirected graph on ``n`` vertices with ``edges`` (an
    ``(m, 2)`` array; a self-loop gets block -1), the number of blocks and the articulation
    points (sorted).

    >>> eb, nb, arts = edge_blocks(5, np.array([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4]]))
    >>> nb, arts.tolist(), bool(eb[0] == eb[1] == eb[2]), len({eb[0], eb[3], eb[4]})
    (3, [2, 3], True, 3)
    """
    m = len(edges)
    x = edges[:, 0].astype(np.int64)
    y = edges[:, 1].astype(np.int64)
    ends = np.concatenate([x, y])
    order = np.argsort(ends, kind="stable")
    nbr = np.concatenate([y, x])[order]
    eid = np.concatenate([np.arange(m), np.arange(m)])[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=indptr[1:])
    del ends, order
    eb, nb, is_art = _blocks(n, m, indptr, nbr, eid)
    return eb, int(nb), np.flatnonzero(is_art)


@numba.njit(cache=True)
def _blocks(
    n: int, m: int, indptr: np.ndarray, nbr: np.ndarray, eid: np.ndarray
) -> tuple[np.ndarray, int, np.ndarray]:  # pragma: no cover  (compiled)
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    nxt = np.zeros(n, dtype=np.int64)
    eb = np.full(m, -1, dtype=np.int64)
    is_art = np.zeros(n, dtype=np.bool_)
    estack = np.empty(m, dtype=np.int64)
    vstack = np.empty(n, dtype=np.int64)
    pedge = np.empty(n, dtype=np.int64)
    t = 0
    nb = 0
    esp = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        disc[root] = t
        low[root] = t
        t += 1
        nxt[root] = indptr[root]
        sp = 0
        vstack[0] = root
        pedge[0] = -1
        children = 0
        while sp >= 0:
            v = vstack[sp]
            if nxt[v] < indptr[v + 1]:
                k = nxt[v]
                nxt[v] += 1
                w = nbr[k]
                e = eid[k]
                if e == pedge[sp] or w == v:  # the tree edge to the parent, or a self-loop
                    continue
                if disc[w] < 0:  # tree edge: go down
                    estack[esp] = e
                    esp += 1
                    disc[w] = t
                    low[w] = t
                    t += 1
                    nxt[w] = indptr[w]
                    sp += 1
                    vstack[sp] = w
                    pedge[sp] = e
                    if v == root:
                        children += 1
                elif disc[w] < disc[v]:  # back edge to an ancestor
                    estack[esp] = e
                    esp += 1
                    if disc[w] < low[v]:
                        low[v] = disc[w]
            else:  # v done: back to its parent u
                sp -= 1
                if sp < 0:
                    break
                u = vstack[sp]
                if low[v] < low[u]:
                    low[u] = low[v]
                if low[v] >= disc[u]:  # u separates v's subtree: its edges form a block
                    if u != root:
                        is_art[u] = True
                    tree_edge = pedge[sp + 1]
                    while True:
                        esp -= 1
                        f = estack[esp]
                        eb[f] = nb
                        if f == tree_edge:
                            break
                    nb += 1
        if children >= 2:
            is_art[root] = True
    return eb, nb, is_art
