"""How sure a network measure is: bootstrap intervals, permutation tests, ranking stability.

Every procedure here is pure and seeded: the same network, statistic and seed give the same
numbers. A *statistic* is any function ``Network -> {name: float}``. A replicate is kept
compact (:class:`Replicate`: copies per actor and records per tie of the view, whose tables are
turned into arrays once, :class:`ViewArrays`); :func:`evaluate` computes civnet's own statistics
(:func:`core_statistic`, :func:`civnet.measures.timeline.core_factors`) from it directly, and
any other statistic on the replicate built as a :class:`Network`.

Resampling units (``unit``):

``actors`` (default for intervals)
    The vertex bootstrap of Snijders & Borgatti (1999): draw the view's active actors (those with
    a tie) with replacement; an actor drawn k times appears as k copies; every tie between two
    drawn actors is kept between each pair of their copies; copies of one actor are not tied to
    each other. Isolates of the view stay as they are. This is the unit whose intervals cover the
    true density and mean betweenness of a network model at (or above) the nominal rate
    (``benchmarks/coverage.py``). Reference: Snijders & Borgatti (1999), *Non-parametric
    standard errors and tests for network statistics*, Connections 22(2): 161-170.
``ties``
    Draw the view's tie rows with replacement (as many as there are) and rebuild the graph; the
    nodes are the ends of the drawn ties (plus the view's isolates), as in a view. A drawn tie
    cannot bring back a pair that was never observed, so in a simple graph about 1/e of the
    connected pairs vanish from each resample: the replicates of density are biased down
    (about 0.63 x) and their percentile intervals do not cover the true value when each pair is
    reported once. Use it as a *stability* range (how much a result rests on particular
    records), e.g. for the ranking of brokers, not as a confidence interval of a level.
``sources``
    Draw whole sources (the ``s<id>`` prefixes of the ties' refs) with replacement; a tie is
    kept as many times as its sources were drawn. With few sources this is a sensitivity
    analysis (does the result rest on one source?), with the same caveat as ``ties``.

Intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13) at level ``level``.
Permutation p-values are two-sided, ``(1 + #{|T*| >= |T|}) / (1 + N)`` (Phipson & Smyth 2010,
doi:10.2202/1544-6115.1585).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures import diversity
from civnet.measures.betweenness import PARALLEL_WORK, betweenness
from civnet.measures.density import density
from civnet.measures.timeline import core_factors, mean_betweenness
from civnet.views.network import Network
from civnet.views.spec import ViewSpec

Statistic = Callable[[Network], Mapping[str, float]]
Progress = Callable[[int, int], None]

RESAMPLE_UNITS: tuple[str, ...] = ("actors", "ties", "sources")


def check_unit(unit: str) -> str:
    """Validate a resampling unit name (BadFilter naming the valid ones)."""
    if unit not in RESAMPLE_UNITS:
        raise BadFilter(
            f"unknown --resample {unit!r}", fix=f"use one of: {', '.join(RESAMPLE_UNITS)}"
        )
    return unit


def core_statistic(net: Network) -> dict[str, float]:
    """Density and mean normalized betweenness: the fast default statistic for intervals."""
    if net.graph.vcount() == 0:
        return {"density": float("nan"), "mean_betweenness": float("nan")}
    return {"density": density(net), "mean_betweenness": mean_betweenness(net)}


# -- resampling a network ------------------------------------------------------------------------
#
# A replicate is kept compact: the view's tables as arrays (:class:`ViewArrays`, computed once)
# and two multiplicity vectors (:class:`Replicate`). The statistics civnet ships are computed
# from those directly (:func:`evaluate`); any other statistic gets the replicate as a Network,
# built with vectorized Arrow operations.


class ViewArrays:
    """A view's actor and tie tables as arrays, computed once for all its replicates.

    Actors are sorted by id (the vertex order of :meth:`Network.from_tables`); ``src``/``dst``
    are the vertex indices of each tie row's ends; ``active`` marks the actors with a tie.
    """

    def __init__(self, actors: pa.Table, ties: pa.Table, spec: ViewSpec | None = None) -> None:
        self.actors = actors.sort_by("id") if actors.num_rows else actors
        self.ties = ties
        self.spec = spec or ViewSpec()
        self.id_array = (
            _chunk(self.actors, "id").cast(pa.string())
            if actors.num_rows
            else pa.array([], pa.string())
        )
        self.n = len(self.id_array)
        m = ties.num_rows
        if m:
            self.src = _index_in(_chunk(ties, "source"), self.id_array)
            self.dst = _index_in(_chunk(ties, "target"), self.id_array)
            self.tie_directed = _chunk(ties, "directed").to_numpy(zero_copy_only=False).astype(bool)
        else:
            self.src = self.dst = np.zeros(0, np.int64)
            self.tie_directed = np.zeros(0, bool)
        self.active = np.zeros(self.n, bool)
        self.active[self.src] = True
        self.active[self.dst] = True
        self.types = _codes(self.actors, "type")
        self.tracks = _codes(ties, "track")

    @classmethod
    def of(cls, net: Network) -> ViewArrays:
        return cls(net.actors, net.ties, net.spec)

    @property
    def ids(self) -> list[str]:
        return self.id_array.to_pylist()


def _chunk(table: pa.Table, col: str) -> pa.Array:
    return table.column(col).combine_chunks()


def _index_in(values: pa.Array, ids: pa.Array) -> np.ndarray:
    pos = pc.index_in(values.cast(pa.string()), value_set=ids)
    if pos.null_count:
        missing = pc.filter(values, pc.is_null(pos))[0]
        raise KeyError(f"tie endpoint {missing} is not an actor of the view")
    return pos.to_numpy(zero_copy_only=False).astype(np.int64)


def _codes(table: pa.Table, col: str) -> np.ndarray | None:
    """Integer codes of a category column (-1 for null), or None when the column is absent."""
    if col not in table.column_names:
        return None
    if not table.num_rows:
        return np.zeros(0, np.int64)
    enc = _chunk(table, col).cast(pa.string()).dictionary_encode()
    return enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


@dataclass
class Replicate:
    """One replicate of a view: how many copies of each actor and records of each tie it holds.

    ``copies[v]``: copies of actor v (0: not in the replicate). ``records[i]``: how many times
    tie row i is repeated between each pair of copies of its ends. The replicate's actors are
    the copies; its tie rows are, for each tie i, ``records[i]`` rows between each of the
    ``copies[src] * copies[dst]`` pairs of copies of its ends (:attr:`tie_rows`). Copies of one
    actor are tied to each other only by a self-tie of that actor (which some sources hold).
    See :meth:`network` for the ids it gives the copies.
    """

    view: ViewArrays
    copies: np.ndarray
    records: np.ndarray
    spec: ViewSpec | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def n_vertices(self) -> int:
        return int(self.copies.sum())

    @property
    def tie_rows(self) -> np.ndarray:
        """Rows each tie of the view has in the replicate: ``records * copies[src] * copies[dst]``."""
        if "rows" not in self._cache:
            v = self.view
            self._cache["rows"] = self.records * self.copies[v.src] * self.copies[v.dst]
        return self._cache["rows"]

    @property
    def directed(self) -> bool:
        """Directed when any tie row of the replicate is (as :meth:`Network.from_tables`)."""
        return bool(np.any(self.view.tie_directed[self.tie_rows > 0]))

    def actor_edges(self) -> np.ndarray:
        """Distinct (u, v) pairs of view actors tied in the replicate: arcs when it is directed,
        else u < v; sorted. Between copies of u and v every pair is tied the same way."""
        if "edges" not in self._cache:
            v = self.view
            keep = self.tie_rows > 0
            s, t = v.src[keep], v.dst[keep]
            if self.directed:
                back = ~v.tie_directed[keep]
                s, t = np.concatenate([s, t[back]]), np.concatenate([t, s[back]])
            else:
                s, t = np.minimum(s, t), np.maximum(s, t)
            key = np.unique(s * max(v.n, 1) + t)
            self._cache["edges"] = np.column_stack([key // max(v.n, 1), key % max(v.n, 1)])
        return self._cache["edges"]

    @property
    def edge_count(self) -> int:
        """Edges of the replicate's simple graph (arcs when directed).

        ``k_u k_v`` for each pair of distinct actors; a self-tie of u (which some sources
        hold) ties every pair of u's copies and each copy to itself: ``k_u (k_u + 1) / 2``
        edges undirected, ``k_u^2`` arcs directed.
        """
        e = self.actor_edges()
        if not len(e):
            return 0
        ku, kv = self.copies[e[:, 0]], self.copies[e[:, 1]]
        pairs = ku * kv
        if not self.directed:
            loop = e[:, 0] == e[:, 1]
            pairs[loop] = ku[loop] * (ku[loop] + 1) // 2
        return int(pairs.sum())

    def origin(self) -> np.ndarray:
        """For each vertex of :meth:`graph`, the index of the view actor it copies."""
        return np.repeat(np.arange(self.view.n), self.copies)

    def graph(self) -> ig.Graph:
        """The replicate's simple graph, bare (no attributes): the copies of each view actor
        are consecutive vertices, in the view's actor order."""
        if "graph" not in self._cache:
            e = self.actor_edges()
            k = self.copies
            start = np.cumsum(k) - k
            ku, kv = k[e[:, 0]], k[e[:, 1]]
            rep = ku * kv
            idx = np.repeat(np.arange(len(e)), rep)
            within = np.arange(int(rep.sum())) - np.repeat(np.cumsum(rep) - rep, rep)
            kvi = kv[idx]
            i, j = within // kvi, within % kvi
            if not self.directed:  # a self-tie: each unordered pair of copies once
                keep = (e[idx, 0] != e[idx, 1]) | (i <= j)
                idx, i, j = idx[keep], i[keep], j[keep]
            a = start[e[idx, 0]] + i
            b = start[e[idx, 1]] + j
            self._cache["graph"] = ig.Graph(
                n=self.n_vertices, edges=np.column_stack([a, b]), directed=self.directed
            )
        return self._cache["graph"]

    def network(self) -> Network:
        """The replicate as a full :class:`Network` (tables and attributed graph).

        Copy 0 of an actor keeps its id; copy j >= 1 is ``id#j``. Built with Arrow ``take``
        and vectorized string operations, then :meth:`Network.from_tables`.
        """
        v = self.view
        rows = self.origin()
        actors = v.actors.take(pa.array(rows, pa.int64()))
        copy_no = np.arange(len(rows)) - np.repeat(
            np.cumsum(self.copies) - self.copies, self.copies
        )
        actors = actors.set_column(
            actors.column_names.index("id"), "id", _copy_ids(v.id_array, rows, copy_no)
        )
        n_rows = self.tie_rows
        if not v.ties.num_rows:
            ties = v.ties
        else:
            tie_idx = np.repeat(np.arange(len(n_rows)), n_rows)
            within = np.arange(len(tie_idx)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
            kv = self.copies[v.dst[tie_idx]] * self.records[tie_idx]
            kv = np.maximum(kv, 1)
            a = within // kv
            b = (within % kv) // np.maximum(self.records[tie_idx], 1)
            ties = v.ties.take(pa.array(tie_idx, pa.int64()))
            for col, ends, k in (("source", v.src, a), ("target", v.dst, b)):
                ties = ties.set_column(
                    ties.column_names.index(col), col, _copy_ids(v.id_array, ends[tie_idx], k)
                )
        return Network.from_tables(actors, ties, spec=self.spec or v.spec)


def _copy_ids(ids: pa.Array, rows: np.ndarray, copy_no: np.ndarray) -> pa.Array:
    """``ids[rows]``, with ``#j`` appended where ``copy_no`` is j >= 1."""
    base = ids.take(pa.array(rows, pa.int64()))
    if not np.any(copy_no):
        return base
    suffix = pc.cast(pa.array(copy_no, pa.int64()), pa.string())
    joined = pc.binary_join_element_wise(base, suffix, "#")
    return pc.if_else(pa.array(copy_no == 0), base, joined)


def source_clusters(refs: Sequence[Sequence[str] | None]) -> list[list[str]]:
    """The sources of each tie from its refs (``s3:row 7`` -> ``s3``), sorted, distinct.

    >>> source_clusters([["s1:row 2", "s3:row 9"], ["s2:row 1"]])
    [['s1', 's3'], ['s2']]
    """
    out = []
    for r in refs:
        out.append(sorted({x.split(":", 1)[0] for x in (r or [])}) or ["?"])
    return out


def actor_replicate(view: ViewArrays, draws: np.ndarray) -> Replicate:
    """The vertex-bootstrap replicate for ``draws[v]`` draws of each actor v (isolates: 1)."""
    copies = np.where(view.active, draws, 1).astype(np.int64)
    return Replicate(view, copies, np.ones(view.ties.num_rows, np.int64))


def tie_replicate(view: ViewArrays, counts: np.ndarray, keep_isolates: bool = True) -> Replicate:
    """Tie row i repeated ``counts[i]`` times; actors: the ends of kept ties (+ isolates)."""
    counts = np.asarray(counts, dtype=np.int64)
    copies = np.zeros(view.n, np.int64)
    kept = counts > 0
    copies[view.src[kept]] = 1
    copies[view.dst[kept]] = 1
    if keep_isolates:
        copies[~view.active] = 1
    return Replicate(view, copies, counts)


def with_actors_by_counts(net: Network, counts: Mapping[str, int]) -> Network:
    """The vertex-bootstrap replicate of ``net`` for given draw counts of its active actors.

    An actor drawn k >= 1 times becomes k copies (the first keeps its id, the others are
    ``id#1``, ``id#2``...). A tie (u, v) is repeated ``k_u * k_v`` times, once between each pair
    of copies; ties of an actor not drawn are dropped. Isolates of ``net`` are kept once.
    """
    if not net.ties.num_rows:
        return net
    view = ViewArrays.of(net)
    draws = np.array([counts.get(a, 0) for a in view.ids], dtype=np.int64)
    return actor_replicate(view, draws).network()


def with_ties_by_counts(net: Network, counts: np.ndarray) -> Network:
    """``net`` with tie row i repeated ``counts[i]`` times; nodes: ends of kept ties + isolates."""
    return tie_replicate(ViewArrays.of(net), counts).network()


class Resampler:
    """Draws bootstrap replicates of one or more networks with shared draws (paired designs).

    For ``actors`` the draws are over the union of the networks' active actors, and for
    ``sources`` over the union of their sources, so that two periods of the same workspace are
    resampled together (a paired bootstrap of their difference); ``ties`` resamples each
    network's tie rows on their own. :meth:`replicates` gives compact replicates,
    :meth:`draw` the same replicates as networks; both use the same random numbers.
    """

    def __init__(
        self,
        nets: Sequence[Network],
        unit: str = "actors",
        clusters: Sequence[Sequence[Sequence[str]]] | None = None,
    ) -> None:
        self.nets = list(nets)
        self.unit = check_unit(unit)
        self.views = [ViewArrays.of(n) for n in self.nets]
        if unit == "actors":
            active = [pc.filter(v.id_array, pa.array(v.active)) for v in self.views]
            union = pc.unique(pa.chunked_array(active, pa.string()).combine_chunks())
            self.actors = sorted(union.to_pylist())
            pool = pa.array(self.actors, pa.string())
            self._pos = [_position(v, pool) for v in self.views]
        if unit == "sources":
            if clusters is None:
                raise BadFilter(
                    "--resample sources needs the sources of each tie",
                    fix="build the networks from a workspace (ties carry refs)",
                )
            self.clusters = [source_clusters(c) if _is_refs(c) else list(c) for c in clusters]
            self.sources = sorted({s for per in self.clusters for cl in per for s in cl})
            self.members = [_incidence(per, self.sources) for per in self.clusters]

    def replicates(self, rng: np.random.Generator) -> list[Replicate]:
        """One compact replicate of every network."""
        if self.unit == "actors":
            n = len(self.actors)
            k = np.bincount(rng.integers(0, n, n), minlength=n) if n else np.zeros(0, np.int64)
            k = np.append(k, 0)  # position -1 (not an active actor of the union) draws 0
            return [
                actor_replicate(v, k[pos]) for v, pos in zip(self.views, self._pos, strict=True)
            ]
        if self.unit == "ties":
            out = []
            for v in self.views:
                m = v.ties.num_rows
                k = np.bincount(rng.integers(0, m, m), minlength=m) if m else np.zeros(0, int)
                out.append(tie_replicate(v, k))
            return out
        s = len(self.sources)
        k = np.bincount(rng.integers(0, s, s), minlength=s)
        return [
            tie_replicate(v, (inc @ k).astype(np.int64))
            for v, inc in zip(self.views, self.members, strict=True)
        ]

    def draw(self, rng: np.random.Generator) -> list[Network]:
        """One replicate of every network, as networks."""
        return [r.network() for r in self.replicates(rng)]


def _position(view: ViewArrays, pool: pa.Array) -> np.ndarray:
    """Position in ``pool`` of each actor of ``view``, -1 where absent."""
    pos = pc.index_in(view.id_array, value_set=pool).fill_null(-1)
    return pos.to_numpy(zero_copy_only=False).astype(np.int64)


def _is_refs(per_tie: Sequence[Sequence[str]]) -> bool:
    return any(":" in x for cl in per_tie for x in cl)


def _incidence(per_tie: Sequence[Sequence[str]], sources: list[str]) -> np.ndarray:
    index = {s: i for i, s in enumerate(sources)}
    inc = np.zeros((len(per_tie), len(sources)), dtype=np.int64)
    for i, cl in enumerate(per_tie):
        for s in cl:
            inc[i, index[s]] = 1
    return inc


# -- statistics of a replicate ------------------------------------------------------------------


def evaluate(statistic: Statistic, rep: Replicate) -> Mapping[str, float]:
    """``statistic`` on a replicate.

    :func:`core_statistic` and :func:`civnet.measures.timeline.core_factors` are computed from
    the replicate's arrays and bare graph (the same numbers, without building its tables);
    any other statistic is called on :meth:`Replicate.network`.
    """
    fast = _FAST.get(statistic)
    return fast(rep) if fast is not None else statistic(rep.network())


def _density(n: int, m: int, directed: bool) -> float:
    """:func:`civnet.measures.density.density` from the counts of actors and edges."""
    if n < 2:
        return 0.0
    pairs = n * (n - 1)
    return float(m) / pairs if directed else 2.0 * float(m) / pairs


def replicate_mean_betweenness(rep: Replicate) -> float:
    """:func:`civnet.measures.timeline.mean_betweenness` of the replicate, from the view.

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
        "density": _density(n, rep.edge_count, rep.directed),
        "mean_betweenness": replicate_mean_betweenness(rep),
    }


def replicate_betweenness(rep: Replicate) -> np.ndarray:
    """Normalized betweenness (:func:`civnet.measures.betweenness`) of each vertex of
    :meth:`Replicate.graph`, in its order.

    One igraph Brandes run over the whole graph (shortest paths never leave a component, so
    this is the sum of civnet's per-component runs without building a subgraph for each); a
    graph large enough for civnet to split over processes goes through
    :func:`~civnet.measures.betweenness` itself.
    """
    g = rep.graph()
    n = g.vcount()
    if n == 0:
        return np.zeros(0)
    directed = g.is_directed()
    if n * g.ecount() > PARALLEL_WORK:
        if "name" not in g.vs.attributes():
            g.vs["name"] = list(range(n))
        return betweenness(Network(graph=g, actors=_NO_TABLE, ties=_NO_TABLE)).values
    values = np.asarray(g.betweenness(directed=directed), dtype=float)
    if n > 2:
        scale = (n - 1) * (n - 2)
        values = values / (scale if directed else scale / 2.0)
    return values


_NO_TABLE = pa.table({})


def _weighted_counts(codes: np.ndarray | None, weights: np.ndarray) -> np.ndarray:
    """Per category (first-seen order among positive weights, nulls left out): summed weights.

    The counts :func:`civnet.measures.diversity.category_counts` gives for the values repeated
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
    """:func:`civnet.measures.timeline.core_factors` of the replicate."""
    n = rep.n_vertices
    view = rep.view
    if n:
        g = rep.graph()
        b = replicate_betweenness(rep)
        sizes = sorted(g.connected_components(mode="weak").sizes(), reverse=True)
        m = g.ecount()
    else:
        b, sizes, m = np.zeros(0), [], 0
    types = _weighted_counts(view.types, rep.copies) if n else np.zeros(0)
    tracks = _weighted_counts(view.tracks, rep.tie_rows)
    return {
        "nodes": n,
        "edges": m,
        "ties": int(rep.tie_rows.sum()),
        "density": _density(n, m, rep.directed) if n else float("nan"),
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


# -- bootstrap intervals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A point estimate with its percentile interval and the replicates behind it."""

    estimate: float
    low: float
    high: float
    level: float
    replicates: np.ndarray

    @property
    def n_valid(self) -> int:
        return int(np.isfinite(self.replicates).sum())


def percentile_interval(estimate: float, replicates: np.ndarray, level: float = 0.95) -> Interval:
    """Percentile interval of the finite replicates (NaN bounds when none is finite)."""
    reps = np.asarray(replicates, dtype=float)
    ok = reps[np.isfinite(reps)]
    if ok.size == 0:
        return Interval(estimate, float("nan"), float("nan"), level, reps)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(ok, [alpha, 1.0 - alpha])
    return Interval(float(estimate), float(lo), float(hi), level, reps)


def bootstrap(
    net: Network,
    statistic: Statistic = core_statistic,
    *,
    n_boot: int = 200,
    unit: str = "actors",
    clusters: Sequence[Sequence[str]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Progress | None = None,
) -> dict[str, Interval]:
    """Bootstrap percentile intervals of each value of ``statistic`` on ``net``.

    ``clusters`` (unit ``sources``): for each tie row of ``net.ties``, its refs or source ids.
    Returns name -> :class:`Interval`; the estimate is the statistic on ``net`` itself.
    """
    _check_boot(n_boot)
    est = dict(statistic(net))
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    rng = np.random.default_rng(seed)
    reps = {k: np.empty(n_boot) for k in est}
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        vals = evaluate(statistic, rep)
        for k in est:
            reps[k][r] = vals.get(k, float("nan"))
        if progress:
            progress(r + 1, n_boot)
    return {k: percentile_interval(est[k], reps[k], level) for k in est}


def _check_boot(n: int) -> None:
    if n < 1:
        raise BadFilter(f"--boot must be at least 1, got {n}", fix="use e.g. --boot 200")


# -- before / after ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One measure before and after, the difference with its interval and permutation p-value."""

    measure: str
    before: float
    after: float
    difference: Interval
    p_value: float
    n_permutations: int

    @property
    def distinguishable(self) -> bool:
        """True when the interval of the difference excludes 0 and p < 0.05."""
        d = self.difference
        excludes = np.isfinite(d.low) and (d.low > 0 or d.high < 0)
        return bool(excludes and self.p_value < 0.05)


def compare_periods(
    before: Network,
    after: Network,
    statistic: Statistic = core_statistic,
    *,
    n_boot: int = 200,
    n_perm: int = 200,
    unit: str = "actors",
    clusters: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Progress | None = None,
) -> list[Change]:
    """Each value of ``statistic`` in two periods, their difference (after - before) and its
    uncertainty.

    Interval: paired bootstrap (the same actor or source draws in both periods, see
    :class:`Resampler`) of the difference. Test: permutation of period labels between the two
    periods' ties (:func:`permutation_test`). Both use ``seed`` (the test with ``seed + 1``).
    """
    _check_boot(n_boot)
    for name, net in (("before", before), ("after", after)):
        if not net.ties.num_rows:
            raise EmptyNetwork(
                f"the {name} period has no ties", fix="check the period or widen the view filters"
            )
    b0, a0 = dict(statistic(before)), dict(statistic(after))
    names = list(b0)
    sampler = Resampler([before, after], unit, list(clusters) if clusters else None)
    rng = np.random.default_rng(seed)
    diffs = {k: np.empty(n_boot) for k in names}
    total = n_boot + n_perm
    for r in range(n_boot):
        rb, ra = sampler.replicates(rng)
        vb, va = evaluate(statistic, rb), evaluate(statistic, ra)
        for k in names:
            diffs[k][r] = va.get(k, np.nan) - vb.get(k, np.nan)
        if progress:
            progress(r + 1, total)
    pvals = permutation_test(
        before,
        after,
        statistic,
        n_perm=n_perm,
        seed=seed + 1,
        progress=(lambda d, t: progress(n_boot + d, total)) if progress else None,
    )
    return [
        Change(
            measure=k,
            before=b0[k],
            after=a0[k],
            difference=percentile_interval(a0[k] - b0[k], diffs[k], level),
            p_value=pvals[k],
            n_permutations=n_perm,
        )
        for k in names
    ]


def permutation_test(
    before: Network,
    after: Network,
    statistic: Statistic = core_statistic,
    *,
    n_perm: int = 200,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Two-sided permutation p-value of ``T(after) - T(before)`` for each statistic value.

    The two periods' tie rows are pooled (a tie active in both, same ``tie_id``, is one row
    labelled *both*); the labels before / after / both are shuffled among the rows, which keeps
    each period's number of ties, and each period's network is rebuilt from its rows (nodes: the
    ends of its ties). Null hypothesis: the ties of the two periods are exchangeable.
    p = (1 + #{|T*| >= |T| - 1e-12}) / (1 + n_perm).
    """
    if n_perm < 1:
        raise BadFilter(f"--permutations must be at least 1, got {n_perm}", fix="use e.g. 200")
    pooled, labels, actors = _pool(before, after)
    view = ViewArrays(actors, pooled)
    b0, a0 = statistic(before), statistic(after)
    obs = {k: a0[k] - b0.get(k, np.nan) for k in a0}
    rng = np.random.default_rng(seed)
    hits = dict.fromkeys(obs, 0)
    valid = dict.fromkeys(obs, 0)
    for r in range(n_perm):
        perm = rng.permutation(labels)
        nb = _period_replicate(view, perm != 1, before.spec)
        na = _period_replicate(view, perm != 0, after.spec)
        vb, va = evaluate(statistic, nb), evaluate(statistic, na)
        for k in obs:
            d = va.get(k, np.nan) - vb.get(k, np.nan)
            if np.isfinite(d) and np.isfinite(obs[k]):
                valid[k] += 1
                if abs(d) >= abs(obs[k]) - 1e-12:
                    hits[k] += 1
        if progress:
            progress(r + 1, n_perm)
    return {k: (1 + hits[k]) / (1 + valid[k]) if valid[k] else float("nan") for k in obs}


def _pool(before: Network, after: Network) -> tuple[pa.Table, np.ndarray, pa.Table]:
    """Pooled tie rows, labels (0 before, 1 after, 2 both) and the union of the actor tables."""
    cols = [c for c in before.ties.column_names if c in after.ties.column_names]
    tb, ta = before.ties.select(cols), after.ties.select(cols)
    if "tie_id" in cols:
        ids_b = tb.column("tie_id").to_pylist()
        ids_a = ta.column("tie_id").to_pylist()
        common = {t for t in ids_b if t is not None} & {t for t in ids_a if t is not None}
    else:
        ids_b, ids_a, common = [None] * tb.num_rows, [None] * ta.num_rows, set()
    label_b = [2 if t in common else 0 for t in ids_b]
    keep_a = pa.array([t not in common for t in ids_a], pa.bool_())
    pooled = pa.concat_tables([tb, ta.filter(keep_a)])
    labels = np.array(label_b + [1] * int(pc.sum(keep_a).as_py() or 0), dtype=np.int64)
    actors = pa.concat_tables([before.actors, after.actors.select(before.actors.column_names)])
    seen: set[str] = set()
    rows = []
    for i, a in enumerate(actors.column("id").to_pylist()):
        if a not in seen:
            seen.add(a)
            rows.append(i)
    return pooled, labels, actors.take(pa.array(rows, pa.int64()))


def _period_replicate(view: ViewArrays, mask: np.ndarray, spec: ViewSpec) -> Replicate:
    """The pooled rows in ``mask`` as one period; its actors are the ends of those ties."""
    rep = tie_replicate(view, mask.astype(np.int64), keep_isolates=False)
    rep.spec = spec
    return rep


# -- ranking stability of brokers ------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerStability:
    """Betweenness of each actor with its resampling interval and its top-K share."""

    ids: list[str]
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    top_share: np.ndarray
    top_k: int
    n_boot: int
    unit: str
    level: float

    def order(self) -> list[int]:
        """Indices by estimate descending, ties broken by id."""
        return sorted(range(len(self.ids)), key=lambda i: (-self.estimate[i], self.ids[i]))


def betweenness_bootstrap(
    net: Network,
    n_boot: int = 200,
    top_k: int = 10,
    seed: int = 0,
    *,
    unit: str = "ties",
    clusters: Sequence[Sequence[str]] | None = None,
    level: float = 0.95,
    progress: Progress | None = None,
) -> BrokerStability:
    """Resampling intervals of every actor's normalized betweenness and its top-K share.

    In each replicate the actors are ranked by betweenness (ties broken by id) and each actor's
    *top-K share* is the fraction of replicates in which it is among the first ``top_k``. An
    actor absent from a replicate (all its ties left out) has betweenness 0 there. Default unit
    ``ties``: every actor stays in the replicate's actor set, so the share answers "how often
    does this broker stay a top broker when the tie records are resampled". With ``actors`` the
    value of an actor with several copies is the largest of its copies' values.
    """
    _check_boot(n_boot)
    if net.graph.vcount() == 0:
        raise EmptyNetwork("betweenness: the view has no actors", fix="widen the view filters")
    ids = net.ids
    index = {a: i for i, a in enumerate(ids)}
    est = betweenness(net).values
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    to_net = np.array([index[a] for a in sampler.views[0].ids], dtype=np.int64)
    by_id = np.empty(len(ids), np.int64)
    by_id[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    rng = np.random.default_rng(seed)
    reps = np.zeros((n_boot, len(ids)))
    in_top = np.zeros(len(ids))
    k = min(top_k, len(ids))
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        row = reps[r]
        if rep.n_vertices:
            np.maximum.at(row, to_net[rep.origin()], replicate_betweenness(rep))
        in_top[np.lexsort((by_id, -row))[:k]] += 1
        if progress:
            progress(r + 1, n_boot)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(reps, [alpha, 1.0 - alpha], axis=0)
    return BrokerStability(
        ids=ids,
        estimate=est,
        low=lo,
        high=hi,
        top_share=in_top / n_boot,
        top_k=k,
        n_boot=n_boot,
        unit=unit,
        level=level,
    )
