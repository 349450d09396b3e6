"""Compact bootstrap replicates of a view: the resampling units and how a replicate is drawn.

A replicate is not built as a network. The view's tables are turned into arrays once
(:class:`ViewArrays`) and a replicate is two multiplicity vectors over them (:class:`Replicate`:
copies per actor, records per tie); :class:`Resampler` draws replicates of one or more networks
with shared draws. :mod:`civnet.measures.statistics.replicate_statistics` computes civnet's own statistics
from a replicate directly; :meth:`Replicate.network` builds it as a :class:`Network`, with
vectorized Arrow operations, for any other statistic. The procedures using them are in
:mod:`civnet.measures.statistics.uncertainty` and :func:`civnet.measures.softpower.scorecard.scorecard_bootstrap`.

Resampling units (``unit``, :data:`RESAMPLE_UNITS`):

``actors`` (default for intervals)
    The vertex bootstrap of Snijders & Borgatti (1999): draw the view's active actors (those with
    a tie) with replacement; an actor drawn k times appears as k copies; every tie between two
    drawn actors is kept between each pair of their copies; copies of one actor are not tied to
    each other. Isolates of the view stay as they are. This is the unit whose intervals cover the
    true density and mean betweenness of a network model at (or above) the nominal rate
    (``benchmarks/interval_coverage.py``). Reference: Snijders & Borgatti (1999), *Non-parametric
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
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter
from civnet.measures.statistics.choices import RESAMPLE_UNITS
from civnet.views.network import Network
from civnet.views.spec import ViewSpec


def check_unit(unit: str) -> str:
    """Validate a resampling unit name (BadFilter naming the valid ones)."""
    if unit not in RESAMPLE_UNITS:
        raise BadFilter(
            f"unknown --resample {unit!r}", fix=f"use one of: {', '.join(RESAMPLE_UNITS)}"
        )
    return unit


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

    def with_ties(self, rows: np.ndarray) -> ViewArrays:
        """This view keeping only the tie rows ``rows`` (indices, in that order): the same
        actors in the same order (vertex indices unchanged), ``active`` of the kept ties.

        A replicate of it with the records of those rows is the replicate of this view with
        every other row at 0 records (its tie rows, edges and graph are the same), without
        scanning the rows left out."""
        sub = copy.copy(self)
        sub.ties = self.ties.take(pa.array(rows, pa.int64()))
        sub.src, sub.dst = self.src[rows], self.dst[rows]
        sub.tie_directed = self.tie_directed[rows]
        sub.tracks = self.tracks[rows] if self.tracks is not None else None
        sub.active = np.zeros(self.n, bool)
        sub.active[sub.src] = True
        sub.active[sub.dst] = True
        return sub


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
        if "directed" not in self._cache:
            self._cache["directed"] = bool(np.any(self.view.tie_directed[self.tie_rows > 0]))
        return bool(self._cache["directed"])

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

    @property
    def pair_count(self) -> int:
        """Connected pairs of the replicate (:meth:`civnet.views.Network.pair_edges`).

        Unordered pairs of distinct copies joined in either direction: ``k_u k_v`` for each
        pair of distinct actors tied in the replicate, and ``k_u (k_u - 1) / 2`` for the copies
        of an actor with a self-tie (a copy tied to itself is no pair).
        """
        e = self.actor_edges()
        if not len(e):
            return 0
        n = max(self.view.n, 1)
        key = np.unique(np.minimum(e[:, 0], e[:, 1]) * n + np.maximum(e[:, 0], e[:, 1]))
        u, v = key // n, key % n
        ku, kv = self.copies[u], self.copies[v]
        pairs = ku * kv
        loop = u == v
        pairs[loop] = ku[loop] * (ku[loop] - 1) // 2
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
