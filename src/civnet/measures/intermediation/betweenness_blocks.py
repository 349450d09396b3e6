"""Exact betweenness of an undirected, unweighted component by its biconnected blocks.

Shortest paths between two vertices of a biconnected block never leave the block, and every path
from one block to another passes the articulation points between them (Puzis, Zilberman & Elovici
2012; Sariyüce et al. 2013, "BADIOS"). So Brandes' algorithm need only run inside each block,
from each block vertex ``u`` weighted by ``D_B(u)``, the number of actors reached from the rest
of the component through ``u`` (``u`` included), and every articulation point adds the pairs it
separates. Pendant actors are blocks of two (bridges): they cost nothing. On the city-diplomacy
graph the Brandes runs shrink from 17,275 sources over 30,308 edges to 8,016 over the largest
block's edges.

Neither igraph nor NetworKit takes source or target multiplicities, so the weighted
accumulation (a few lines of Brandes) is compiled here with numba and run on threads: one copy
of the graph, no worker processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import igraph as ig
import numpy as np

from civnet.measures.intermediation.betweenness import edge_array

__all__ = ["block_betweenness", "block_visits", "directed_block_betweenness"]


def block_betweenness(
    g: ig.Graph,
    threads: int = 1,
    batches: int = 1,
    tick: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Raw betweenness (unordered pairs) of every vertex of a connected undirected graph.

    ``BC(v) = sum over blocks B containing v of
    sum over unordered {s, t} in B, s, t != v, of D_B(s) D_B(t) sigma_st(v) / sigma_st``
    ``+ ((c-1)^2 - sum over branches b at v of |b|^2) / 2``, where ``c`` is the number of vertices,
    ``sigma`` counts shortest paths inside ``B`` and the branches at ``v`` are the components of
    ``G - v`` (the second term counts the pairs ``v`` separates; it is 0 unless ``v`` is an
    articulation point). Edge weights are ignored (every tie costs 1). ``threads`` run Brandes'
    sources in parallel; ``batches`` splits them so that ``tick(done, total)`` can report.

    Reference: Puzis, Zilberman & Elovici (2012) doi:10.1016/j.ins.2012.07.046 (Heuristics for
    speeding up betweenness centrality computation); Sariyüce, Saule, Kaya & Çatalyürek (2013)
    doi:10.1137/1.9781611972832.76; Brandes (2001) doi:10.1080/0022250X.2001.9990249.
    """
    from civnet.measures.intermediation.brandes import block_copies, brandes_sums

    c = g.vcount()
    out = np.zeros(c)
    if c < 3:
        return out
    copy_vertex, copy_block, weight, end_copy = block_copies(c, edge_array(g))
    if not len(copy_vertex):
        return out
    out += _separated_pairs(c, copy_vertex, weight)
    big = np.bincount(copy_block) >= 3
    keep = big[copy_block]
    if not keep.any():
        return out
    # the kept blocks' edges between the kept copies, as a CSR of disjoint graphs
    local = np.cumsum(keep) - 1  # a kept copy's index among the kept ones
    end_copy = end_copy[end_copy[:, 0] >= 0]  # no self-loop
    end_copy = end_copy[keep[end_copy[:, 0]]]
    lx, ly = local[end_copy[:, 0]], local[end_copy[:, 1]]
    del local, end_copy
    n_local = int(keep.sum())
    src = np.concatenate([lx, ly])
    indices = np.concatenate([ly, lx])[np.argsort(src, kind="stable")]
    indptr = np.zeros(n_local + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_local), out=indptr[1:])
    del src, lx, ly
    local_weight = weight[keep].astype(float)
    total = brandes_sums(
        indptr, indices, local_weight, local_weight, copy_block[keep],
        directed=False, threads=threads, batches=batches, tick=tick,
    )  # fmt: skip
    np.add.at(out, copy_vertex[keep], total / 2.0)
    return out


def vertex_blocks(g: ig.Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The biconnected blocks of undirected ``g`` as arrays: one copy of each vertex per block
    it lies in (``copy_vertex``, ``copy_block``: blocks in igraph's order, each block's vertices
    ascending), the blocks' sizes and the articulation points (ascending).

    The same blocks as ``g.biconnected_components()``, without its Python objects: that method
    takes the whole edge list as Python tuples (about 110 MB at a million edges) to turn each
    block's spanning-tree edges into vertices. Here only the tree edges' ends are read (``|B| - 1``
    edges a block), one at a time.

    >>> copy_vertex, copy_block, sizes, arts = vertex_blocks(ig.Graph([(0, 1), (1, 2), (2, 0), (2, 3)]))
    >>> copy_vertex.tolist(), copy_block.tolist(), sizes.tolist(), arts.tolist()
    ([2, 3, 0, 1, 2], [0, 0, 1, 1, 1], [2, 3], [2])
    """
    n = g.vcount()
    trees, arts = ig.GraphBase.biconnected_components(g, True)
    nb = len(trees)
    tree_edges = np.fromiter(map(len, trees), dtype=np.int64, count=nb)
    edge_ids = list(itertools.chain.from_iterable(trees))
    del trees
    es = g.es
    ends = np.fromiter(
        itertools.chain.from_iterable(es[i].tuple for i in edge_ids),
        dtype=np.int64,
        count=2 * len(edge_ids),
    )
    del edge_ids
    tree_block = np.repeat(np.arange(nb, dtype=np.int64), 2 * tree_edges)
    copy_block, copy_vertex = np.divmod(np.unique(tree_block * n + ends), n)
    sizes = tree_edges + 1  # a spanning tree of a block of k vertices has k - 1 edges
    return copy_vertex, copy_block, sizes, np.asarray(sorted(arts), dtype=np.int64)


def _separated_pairs(c: int, copy_vertex: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Pairs each vertex separates: ``((c-1)^2 - sum over blocks B at v of (c - D_B(v))^2) / 2``."""
    branch = (c - weight).astype(float)
    sq = np.bincount(copy_vertex, weights=branch * branch, minlength=c)
    return ((c - 1.0) ** 2 - sq) / 2.0


def _edge_blocks(
    c: int, x: np.ndarray, y: np.ndarray, copy_vertex: np.ndarray, copy_block: np.ndarray
) -> np.ndarray:
    """The block of each edge ``(x, y)``: an edge lies in exactly one block (two blocks share at
    most one vertex), that of an end lying in one block only, else the one both ends share."""
    n_blocks_of = np.bincount(copy_vertex, minlength=c)
    only_block = np.full(c, -1, dtype=np.int64)
    single = n_blocks_of[copy_vertex] == 1
    only_block[copy_vertex[single]] = copy_block[single]
    eb = np.where(only_block[x] >= 0, only_block[x], only_block[y])
    both = np.flatnonzero(eb < 0)
    if len(both):
        blocks_of: dict[int, set[int]] = {}
        multi = np.flatnonzero(~single)
        for v, b in zip(copy_vertex[multi].tolist(), copy_block[multi].tolist(), strict=True):
            blocks_of.setdefault(v, set()).add(b)
        for i in both.tolist():
            (eb[i],) = blocks_of[int(x[i])] & blocks_of[int(y[i])]
    return eb


def block_visits(g: ig.Graph) -> float:
    """Vertex and edge visits of :func:`block_betweenness` on ``g`` (connected, undirected):
    ``sum over blocks B of 3+ vertices of |B| (|B| + 2 |E_B|)``, found in linear time; of
    :func:`directed_block_betweenness` (``g`` weakly connected, directed): ``|B| (|B| + |A_B|)``,
    ``A_B`` the block's arcs.

    With the compiled kernel built (:func:`civnet.measures.intermediation.brandes.kernel_in_use`
    ``"aot"``), the blocks come from its search (arrays only, each arc an edge of the underlying
    graph); without it from igraph's (:func:`vertex_blocks`), so that a cost estimate never
    loads numba."""
    c = g.vcount()
    if c < 3:
        return 0.0
    from civnet.measures.intermediation.brandes import block_copies, kernel_in_use

    if kernel_in_use() == "aot":
        _, copy_block, _, end_copy = block_copies(c, edge_array(g))
        if not len(copy_block):
            return 0.0
        sizes = np.bincount(copy_block)
        eb = copy_block[end_copy[end_copy[:, 0] >= 0, 0]]
        del copy_block, end_copy
    else:
        und = g.as_undirected(mode="collapse") if g.is_directed() else g
        copy_vertex, copy_block, sizes, _ = vertex_blocks(und)
        del und
        if not len(sizes):
            return 0.0
        edges = edge_array(g)
        eb = _edge_blocks(c, edges[:, 0], edges[:, 1], copy_vertex, copy_block)
    e_per = np.bincount(eb, minlength=len(sizes)).astype(float)
    big = sizes >= 3
    per_edge = 1.0 if g.is_directed() else 2.0
    return float(np.sum(sizes[big] * (sizes[big] + per_edge * e_per[big])))


def directed_block_betweenness(
    g: ig.Graph,
    threads: int = 1,
    batches: int = 1,
    tick: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Raw betweenness (ordered pairs) of every vertex of a weakly connected simple directed graph.

    The blocks are those of the underlying undirected graph: a simple path between two vertices
    of a block never leaves it, and a path between blocks passes the articulation points of the
    block-cut tree between them, whichever way the arcs point. What direction changes is who
    reaches whom, so each copy of a vertex ``u`` in a block ``B`` carries two multiplicities:
    ``S_B(u)``, the actors on ``u``'s side of ``B`` (``u`` included) that reach ``u``, and
    ``T_B(u)``, those ``u`` reaches. Then

    ``BC(v) = sum over blocks B containing v of sum over ordered (s, t) in B, s, t != v, of
    S_B(s) T_B(t) sigma_st(v) / sigma_st``
    ``+ (sum over branches b at v of in_b) (sum over b of out_b) - sum over b of in_b out_b``,

    ``sigma`` counting shortest directed paths inside ``B``, the branches at ``v`` the components
    of ``G - v``, ``in_b`` (``out_b``) the actors of branch ``b`` that reach ``v`` (that ``v``
    reaches). Both multiplicities come from two passes over the block-cut tree (rerooting),
    each needing who reaches an articulation point inside its block: everyone in a block whose
    arcs are all mutual (strongly connected), else a search inside the block. Unweighted.

    References: Puzis, Zilberman & Elovici (2012) doi:10.1016/j.ins.2012.07.046; Sariyüce,
    Saule, Kaya & Çatalyürek (2013) doi:10.1137/1.9781611972832.76 (BADIOS); Brandes (2001)
    doi:10.1080/0022250X.2001.9990249.
    """
    from civnet.measures.intermediation.brandes import brandes_sums

    c = g.vcount()
    out = np.zeros(c)
    if c < 3:
        return out
    und = g.as_undirected(mode="collapse")
    copy_vertex, copy_block, sizes, arts = vertex_blocks(und)  # blocks contiguous, in order
    nb = len(sizes)
    blocks = np.split(copy_vertex, np.cumsum(sizes)[:-1])
    arcs = edge_array(g)
    arc_block = _edge_blocks(c, arcs[:, 0], arcs[:, 1], copy_vertex, copy_block)
    one_way = ~_mutual(c, arcs)
    strong = np.bincount(arc_block[one_way], minlength=nb) == 0
    src_w, tgt_w, sep = _directed_weights(g, blocks, arts, arcs, arc_block, strong, copy_vertex)
    out += sep
    big = np.flatnonzero(sizes >= 3)
    if not len(big):
        return out
    keep = np.isin(copy_block, big)
    local = np.full(len(copy_vertex), -1, dtype=np.int64)
    local[keep] = np.arange(int(keep.sum()))
    key = copy_vertex * nb + copy_block
    order = np.argsort(key)
    sorted_key = key[order]
    lx = local[order[np.searchsorted(sorted_key, arcs[:, 0] * nb + arc_block)]]
    ly = local[order[np.searchsorted(sorted_key, arcs[:, 1] * nb + arc_block)]]
    inside = lx >= 0
    lx, ly = lx[inside], ly[inside]
    n_local = int(keep.sum())
    order2 = np.argsort(lx, kind="stable")
    indices = ly[order2]
    indptr = np.zeros(n_local + 1, dtype=np.int64)
    np.cumsum(np.bincount(lx, minlength=n_local), out=indptr[1:])
    total = brandes_sums(
        indptr, indices, src_w[keep].astype(float), tgt_w[keep].astype(float), copy_block[keep],
        directed=True, threads=threads, batches=batches, tick=tick,
    )  # fmt: skip
    np.add.at(out, copy_vertex[keep], total)
    return out


def _mutual(c: int, arcs: np.ndarray) -> np.ndarray:
    """For each arc ``(x, y)`` of a simple directed graph: whether ``(y, x)`` is an arc too."""
    key = arcs[:, 0] * c + arcs[:, 1]
    return np.isin(arcs[:, 1] * c + arcs[:, 0], key)


def _directed_weights(
    g: ig.Graph,
    blocks: list[np.ndarray],
    arts: np.ndarray,
    arcs: np.ndarray,
    arc_block: np.ndarray,
    strong: np.ndarray,
    copy_vertex: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``S_B(u)`` and ``T_B(u)`` of every copy (in the order of ``copy_vertex``: blocks
    concatenated) and the ordered pairs each vertex separates.

    The block-cut tree is rooted at block 0. Bottom-up, ``down_in[B]`` counts the actors below
    ``B`` (its side away from its parent articulation point ``p``) that reach ``p``; an
    articulation point ``a`` below its parent block weighs ``S_up[a] = 1 + sum over child
    blocks B' of down_in[B']``. Top-down, ``up_in[a]`` counts the actors on the parent block's
    side of ``a`` that reach ``a``. Out-counts mirror them with the arcs reversed.
    """
    c = g.vcount()
    nb = len(blocks)
    na = len(arts)
    art_index = np.full(c, -1, dtype=np.int64)
    art_index[arts] = np.arange(na)
    sizes = [len(b) for b in blocks]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    src_w = np.ones(len(copy_vertex), dtype=np.int64)
    tgt_w = np.ones(len(copy_vertex), dtype=np.int64)
    sep = np.zeros(c)
    if not na:
        return src_w, tgt_w, sep
    # block-cut tree: block nodes 0..nb-1, articulation nodes nb..nb+na-1
    is_art_copy = art_index[copy_vertex] >= 0
    copy_block = np.repeat(np.arange(nb, dtype=np.int64), sizes)
    tree = ig.Graph(
        n=nb + na,
        edges=np.column_stack(
            [copy_block[is_art_copy], nb + art_index[copy_vertex[is_art_copy]]]
        ).tolist(),
    )
    bfs_order, _, parent = tree.bfs(0)
    # per block: its articulation points other than the parent (its children in the tree)
    arts_in: list[list[int]] = [[] for _ in range(nb)]
    for b, v in zip(
        copy_block[is_art_copy].tolist(), copy_vertex[is_art_copy].tolist(), strict=True
    ):
        arts_in[b].append(v)
    parent_art = [-1] * nb
    child_blocks: list[list[int]] = [[] for _ in range(na)]
    for b in range(1, nb):
        a = int(parent[b]) - nb
        parent_art[b] = int(arts[a])
        child_blocks[a].append(b)
    subs: dict[int, tuple[ig.Graph, dict[int, int]]] = {}
    by_block = np.argsort(arc_block, kind="stable")
    arc_starts = np.searchsorted(arc_block[by_block], np.arange(nb + 1))

    def reaching(b: int, target: int, mode: str) -> set[int] | None:
        """Vertices of block ``b`` that reach ``target`` inside it (``mode`` "in"), or that it
        reaches ("out"); ``None`` when every vertex does (a strongly connected block)."""
        if strong[b]:
            return None
        if b not in subs:
            verts = blocks[b].tolist()
            pos = {v: i for i, v in enumerate(verts)}
            mine = arcs[by_block[arc_starts[b] : arc_starts[b + 1]]]
            sub = ig.Graph(
                n=len(verts),
                edges=[(pos[x], pos[y]) for x, y in mine.tolist()],
                directed=True,
            )
            subs[b] = (sub, pos)
        sub, pos = subs[b]
        verts = blocks[b]
        return {int(verts[i]) for i in sub.subcomponent(pos[target], mode=mode)}

    s_up = np.ones(na, dtype=np.int64)
    t_up = np.ones(na, dtype=np.int64)
    down_in = np.zeros(nb, dtype=np.int64)
    down_out = np.zeros(nb, dtype=np.int64)
    up_in = np.zeros(na, dtype=np.int64)
    up_out = np.zeros(na, dtype=np.int64)

    def weight_in_block(b: int, u: int, down: tuple[int, int]) -> tuple[int, int]:
        """``(S_B(u), T_B(u))``: ``down`` for the parent articulation point of ``b``."""
        if u == parent_art[b]:
            return down
        ai = art_index[u]
        if ai < 0:
            return 1, 1
        return int(s_up[ai]), int(t_up[ai])

    # bottom-up: blocks deepest first; an articulation point after all its child blocks
    for node in reversed(bfs_order):
        if node >= nb:
            ai = node - nb
            s_up[ai] = 1 + sum(int(down_in[b]) for b in child_blocks[ai])
            t_up[ai] = 1 + sum(int(down_out[b]) for b in child_blocks[ai])
            continue
        p = parent_art[node]
        if p < 0:
            continue
        r_in, r_out = reaching(node, p, "in"), reaching(node, p, "out")
        for u in blocks[node].tolist():
            if u == p:
                continue
            su, tu = weight_in_block(node, u, (0, 0))
            if r_in is None or u in r_in:
                down_in[node] += su
            if r_out is None or u in r_out:
                down_out[node] += tu
    # top-down: the parent articulation point's weight in each block, then its children's up sides
    down_w: dict[int, tuple[int, int]] = {}
    for node in bfs_order:
        if node >= nb:
            continue
        p = parent_art[node]
        if p >= 0:
            ai = art_index[p]
            all_in = 1 + up_in[ai] + sum(int(down_in[b]) for b in child_blocks[ai])
            all_out = 1 + up_out[ai] + sum(int(down_out[b]) for b in child_blocks[ai])
            down_w[node] = (int(all_in - down_in[node]), int(all_out - down_out[node]))
        mine = down_w.get(node, (0, 0))
        members = blocks[node].tolist()
        weights = [weight_in_block(node, u, mine) for u in members]
        total_s = sum(w[0] for w in weights)
        total_t = sum(w[1] for w in weights)
        for u, (su, tu) in zip(members, weights, strict=True):
            if u == p or art_index[u] < 0:
                continue
            ai = art_index[u]
            r_in, r_out = reaching(node, u, "in"), reaching(node, u, "out")
            if r_in is None:
                up_in[ai] = total_s - su
            else:
                up_in[ai] = sum(
                    w[0] for x, w in zip(members, weights, strict=True) if x != u and x in r_in
                )
            if r_out is None:
                up_out[ai] = total_t - tu
            else:
                up_out[ai] = sum(
                    w[1] for x, w in zip(members, weights, strict=True) if x != u and x in r_out
                )
    # every copy's weights, and the pairs each articulation point separates
    for b in range(nb):
        lo = int(starts[b])
        down = down_w.get(b, (1, 1))
        for i, u in enumerate(blocks[b].tolist()):
            if art_index[u] >= 0:
                src_w[lo + i], tgt_w[lo + i] = weight_in_block(b, u, down)
    for ai, a in enumerate(arts.tolist()):
        ins = [int(up_in[ai])] + [int(down_in[b]) for b in child_blocks[ai]]
        outs = [int(up_out[ai])] + [int(down_out[b]) for b in child_blocks[ai]]
        sep[a] = float(sum(ins) * sum(outs) - sum(x * y for x, y in zip(ins, outs, strict=True)))
    return src_w, tgt_w, sep
