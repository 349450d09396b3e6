"""Betweenness: the paper's "mediated intermediation" for actors and for groups of actors."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

from civnet.errors import BadFilter
from civnet.views.network import Network

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Betweenness:
    """Betweenness per vertex, in vertex order, with how it was computed."""

    ids: list[str]
    values: np.ndarray
    normalized: bool
    weighted: bool
    directed: bool
    method: str
    notes: list[str] = field(default_factory=list)
    eps: float | None = None
    """Stated bound of an approximation: every value within ``eps`` (in this result's scale)..."""
    delta: float | None = None
    """...with probability at least ``1 - delta``."""
    n_samples: int | None = None
    """Shortest paths (KADABRA) or pairs (Riondato-Kornaropoulos) the approximation sampled."""

    def top(self, k: int | None = None) -> list[int]:
        """Vertex indices sorted by value descending, ties broken by id.

        A view numbers its actors in the order of their ids (``Network.from_tables``): then a
        stable sort of the values alone gives that order, without a Python key per vertex (a
        200,000-actor ranking made 200,000 tuples, about 20 MB); otherwise the ids are compared.
        """
        ids, values = self.ids, np.asarray(self.values)
        in_id_order = (
            values.ndim == 1
            and len(values) == len(ids)
            and not np.isnan(values).any()
            and all(a < b for a, b in zip(ids, itertools.islice(ids, 1, None), strict=False))
        )
        if in_id_order:
            order = np.argsort(-values, kind="stable")
            return (order if k is None else order[:k]).tolist()
        key = sorted(range(len(ids)), key=lambda i: (-self.values[i], ids[i]))
        return key if k is None else key[:k]


EDGES_VIA_TEXT = 100_000
"""Graphs with more edges than this hand their edge list over as text (see :func:`edge_array`)."""


def edge_array(g: ig.Graph) -> np.ndarray:
    """The graph's edges as an ``(m, 2)`` int64 array, each edge once, in an order of igraph's
    choosing (by edge id for small graphs, by source vertex for large ones): for the uses where
    the order of the edges does not matter (never beside per-edge attributes such as weights).

    igraph gives its edge list only as Python tuples (about 110 bytes an edge, all alive at
    once: 110 MB at a million edges). Large graphs instead write it with igraph's own
    ``write_edgelist`` into a temporary file, parsed by numpy straight from the file into an
    array of the known size: no Python object per edge, nor the text as a Python string.
    """
    if g.ecount() <= EDGES_VIA_TEXT:
        return np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    from civnet.views.arrays import written_edges

    return written_edges(g)


def _costs(g: ig.Graph) -> list[float]:
    """Edge costs 1/weight; a weight of 0 gives an infinite cost (the edge carries no path)."""
    return [1.0 / w if w > 0 else float("inf") for w in g.es["weight"]]


PARALLEL_WORK = 50_000_000
"""Directed or weighted components whose vertices x edges exceed this are split over processes."""

BLOCKS_ABOVE = 200_000
"""Undirected components whose vertices x edges exceed this run by biconnected blocks
(:mod:`civnet.measures.intermediation.betweenness_blocks`); smaller ones go straight to igraph."""

DIRECTED_BLOCKS_ABOVE = 20_000_000
"""Directed components whose vertices x edges exceed this (and ``BLOCKS_ABOVE``) run by blocks
(:func:`~civnet.measures.intermediation.betweenness_blocks.directed_block_betweenness`); smaller ones go
straight to igraph. Below about 5e7 igraph's one call is as fast as the block route on one
thread (a 714-actor, 5,308-arc piece of the embedded view: 0.12 s against 0.37 s), and each
call of the compiled kernel costs milliseconds of thread start-up, which on a loaded machine
grew to 16 ms a call: the timeline's 84 yearly views (components up to 4e6) took 31 s by
blocks against 1.3 s by igraph at load 5."""


BUSY_SAMPLE_S = 0.1
"""How long :func:`busy_cores` watches the processors (``/proc/stat``)."""


def busy_cores(sample_s: float = BUSY_SAMPLE_S, stat: str = "/proc/stat") -> float | None:
    """Processors busy right now: the share of the machine's CPU time that was not idle (idle
    and waiting for I/O) over ``sample_s`` seconds, times the CPU count; ``None`` where
    ``/proc/stat`` cannot be read (not Linux). The caller sleeps while it watches, so its own
    work is not counted."""

    def read() -> tuple[int, int]:
        with open(stat) as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
        return sum(fields), fields[3] + fields[4]

    try:
        total0, idle0 = read()
        time.sleep(sample_s)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return None
    total = total1 - total0
    if total <= 0:
        return None
    return (1.0 - (idle1 - idle0) / total) * (os.cpu_count() or 1)


BUSY_TTL_S = 2.0
"""A reading of :func:`busy_cores` serves :func:`free_cores` for this many seconds (a timeline's
yearly betweenness runs would otherwise each watch the processors for ``BUSY_SAMPLE_S``)."""
_busy_seen: tuple[float, float | None] = (-1e9, None)


def _busy_recently() -> float | None:
    """:func:`busy_cores`, read at most once per ``BUSY_TTL_S`` seconds in this process."""
    global _busy_seen
    at, value = _busy_seen
    if time.monotonic() - at > BUSY_TTL_S:
        value = busy_cores()
        _busy_seen = (time.monotonic(), value)
    return value


def free_cores(requested: int | None = None) -> int:
    """Cores this computation may use: ``requested``, else the CPUs not busy with other work.

    The 1-minute load average counts runnable processes (this one among them); with two cores
    and a load of 1.8, one core is taken by others and the computation stays on one. A loaded
    machine thus never gets more threads or processes than it has idle cores. The average
    lags: for a minute after other work ended it still counts it, so where the processors can
    be watched (:func:`busy_cores`) the smaller of the two counts of busy cores is taken (a
    benchmark measured right after its comparator's two-thread run got one thread on an idle
    machine).
    """
    cpus = os.cpu_count() or 1
    if requested:
        return max(1, requested)
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)
    except OSError:  # pragma: no cover - platforms without a load average
        others = 0.0
    if others > 0:
        now = _busy_recently()
        if now is not None:
            others = min(others, now)
    return max(1, min(cpus, int(cpus - others + 0.5)))


def betweenness(
    net: Network,
    *,
    normalized: bool = True,
    weighted: bool = False,
    workers: int | None = None,
    samples: int | None = None,
    approx: float | None = None,
    delta: float = 0.1,
    seed: int = 0,
    progress: Progress | None = None,
    certify_top: int = 0,
    certify_among: np.ndarray | None = None,
) -> Betweenness:
    """Shortest-path betweenness of every actor (Brandes 2001), computed per component.

    ``b(v) = sum over pairs s != v != t of sigma_st(v) / sigma_st``: unordered pairs in an
    undirected view, ordered pairs in a directed one. Normalized by ``(n-1)(n-2)/2`` (undirected)
    or ``(n-1)(n-2)`` (directed), ``n`` the actors in the whole view, as NetworkX does. Weighted:
    path length is the sum of costs ``1/weight`` (stronger ties are shorter); edges of weight 0
    are not used. Shortest paths never leave a component, so the exact result is the sum of
    per-component runs; components of fewer than three actors have betweenness 0. Views with
    fewer than three actors give all zeros.

    Exact runs use the structure of the component, each trick only where it is proven:

    - undirected (unweighted, or all weights equal): Brandes inside each biconnected block with
      articulation-point multiplicities (:func:`~civnet.measures.intermediation.betweenness_blocks.block_betweenness`,
      Puzis et al. 2012), on ``workers`` threads;
    - undirected and weighted: pendant actors fold into their neighbour's Brandes run (a pendant's
      dependencies equal its neighbour's except at the neighbour), igraph runs the rest;
    - directed (unweighted, or all weights equal; no parallel arcs): Brandes inside the blocks of
      the underlying undirected graph, each articulation-point copy weighted by the actors on its
      side that reach it and that it reaches
      (:func:`~civnet.measures.intermediation.betweenness_blocks.directed_block_betweenness`), on ``workers``
      threads, for components past ``DIRECTED_BLOCKS_ABOVE`` (igraph below);
    - directed and weighted: igraph's Brandes, split by source over ``workers`` processes when
      the component is large (vertices x edges above ``PARALLEL_WORK``): dependencies summed over
      a partition of the sources equal the whole.

    ``workers`` defaults to the idle cores (:func:`free_cores`): one on a loaded machine.

    With ``approx=eps``: KADABRA (undirected unweighted, civnet's seeded sampler) or
    Riondato-Kornaropoulos sampling (directed or weighted) estimates every actor's betweenness
    within ``eps`` (pairs over ``n(n-1)``; the stated bound is converted to the output's scale)
    with probability at least ``1 - delta`` (:func:`civnet.measures.intermediation.betweenness_approx.approx_betweenness`).

    With ``samples=k``, a component of more than k actors is estimated from k source vertices
    drawn uniformly without replacement (``seed``), the sum of their dependencies scaled by
    (component size) / k: the unbiased pivot estimator of Brandes & Pich (2007)
    doi:10.1142/S0218127407018403, which states no error bound. Smaller components stay exact;
    ``method`` says which.

    References: Freeman (1977) doi:10.2307/3033543; Brandes (2001)
    doi:10.1080/0022250X.2001.9990249; Puzis, Zilberman & Elovici (2012)
    doi:10.1016/j.ins.2012.07.046.

    >>> import networkx as nx
    >>> b = betweenness(Network.from_networkx(nx.path_graph(3)), normalized=False)
    >>> b.values.tolist()
    [0.0, 1.0, 0.0]
    """
    if certify_top and approx is None:
        raise BadFilter(
            "a certified top is for the approximation", fix="add --approx EPS, e.g. 0.01"
        )
    if approx is not None:
        from civnet.measures.intermediation.betweenness_approx import approx_betweenness

        return approx_betweenness(
            net,
            eps=approx,
            delta=delta,
            normalized=normalized,
            weighted=weighted,
            seed=seed,
            certify_top=certify_top,
            certify_among=certify_among,
            progress=progress,
        )
    g = _usable(net.graph, weighted)
    n = g.vcount()
    values = np.zeros(n)
    directed = g.is_directed()
    clusters = g.connected_components(mode="weak")
    # each component's vertices (ascending) as an array: a list of Python ints would take
    # about 36 bytes a vertex (7 MB for a connected view of 200,000 actors)
    member = np.asarray(clusters.membership, dtype=np.int64)
    by_comp = np.split(np.argsort(member, kind="stable"), np.cumsum(np.bincount(member))[:-1])
    comps = [c for c in by_comp if len(c) >= 3] if n else []
    del by_comp
    done = 0
    total = sum(len(c) for c in comps)
    n_workers = free_cores(workers)
    rng = np.random.default_rng(seed)
    engines: set[str] = set()
    n_sampled = 0
    # small components (exact, below BLOCKS_ABOVE: igraph's Brandes each) run as one igraph call
    # on their union: shortest paths never leave a component, and one subgraph replaces
    # thousands (a yearly view of the embedded data has hundreds of them)
    small: list[np.ndarray] = []
    if len(comps) > 1:
        arcs = edge_array(g)
        per = np.bincount(member[arcs[:, 0]], minlength=len(clusters)) if len(arcs) else None
        rest = []
        for comp in comps:
            m_comp = int(per[member[comp[0]]]) if per is not None else 0
            if (samples is None or len(comp) <= samples) and len(comp) * m_comp <= BLOCKS_ABOVE:
                small.append(comp)
            else:
                rest.append(comp)
        if len(small) < 2:
            small = []
        else:
            comps = rest
    for comp in sorted(comps, key=len, reverse=True):
        sub = g if len(comp) == n else g.induced_subgraph(comp)
        size = sub.vcount()

        def tick(k: int, _done: int = done) -> None:
            if progress:
                progress(_done + k, total)

        if samples is not None and size > samples:
            sources = np.sort(rng.choice(size, size=samples, replace=False)).tolist()
            n_sampled += 1
            part = _run_igraph(sub, weighted, directed, n_workers, tick, sources, engines)
            part = part * (size / len(sources))
        else:
            part = _exact_component(sub, weighted, directed, n_workers, tick, engines)
        values[np.asarray(comp)] = part
        done += len(comp)
        tick(0, done)
    if small:
        union = np.sort(np.concatenate([np.asarray(c, dtype=np.int64) for c in small]))
        values[union] = _run(g.induced_subgraph(union.tolist()), weighted, directed)
        done += len(union)
        if progress:
            progress(done, total)
    n_comps = len(comps) + len(small)
    method = f"exact over {n_comps} component(s) of 3+ actors"
    if n_sampled:
        method = (
            f"estimated from {samples} sampled sources in the {n_sampled} component(s) larger "
            f"than that (Brandes-Pich pivots, seed {seed}, no error bound), exact elsewhere; "
            f"{n_comps} component(s) of 3+ actors"
        )
    if engines:
        method += "; " + ", ".join(sorted(engines))
    return finish(net, values, normalized=normalized, weighted=weighted, method=method)


def finish(
    net: Network, values: np.ndarray, *, normalized: bool, weighted: bool, method: str
) -> Betweenness:
    """Raw pair counts ``values`` of ``net``'s actors as a :class:`Betweenness`, divided by the
    number of ordered pairs of other actors, (n-1)(n-2), when ``normalized`` (by half that on an
    undirected view; no division with fewer than three actors)."""
    n, directed = net.graph.vcount(), net.graph.is_directed()
    if normalized and n > 2:
        scale = (n - 1) * (n - 2)
        values = values / (scale if directed else scale / 2.0)
    return Betweenness(
        ids=net.ids,
        values=values,
        normalized=normalized,
        weighted=weighted,
        directed=directed,
        method=method,
    )


def _usable(g: ig.Graph, weighted: bool) -> ig.Graph:
    """The graph whose paths count: weighted, ties of weight 0 (infinite cost) carry none."""
    if not weighted or not g.ecount():
        return g
    w = np.asarray(g.es["weight"], dtype=float)
    if (w > 0).all():
        return g
    out = g.copy()
    out.delete_edges(np.flatnonzero(w <= 0).tolist())
    return out


def _uniform_weights(g: ig.Graph) -> bool:
    if not g.ecount():
        return True
    w = np.asarray(g.es["weight"], dtype=float)
    return bool((w == w[0]).all())


def _exact_component(
    sub: ig.Graph,
    weighted: bool,
    directed: bool,
    workers: int,
    tick: Callable[[int], None],
    engines: set[str],
) -> np.ndarray:
    """Raw betweenness of one component (3+ vertices), by the fastest exact route that applies."""
    size = sub.vcount()
    work = size * sub.ecount()
    if not directed and (not weighted or _uniform_weights(sub)) and work > BLOCKS_ABOVE:
        from civnet.measures.intermediation.betweenness_blocks import block_betweenness

        engines.add(f"Brandes over biconnected blocks on {workers} thread(s)")
        return block_betweenness(
            sub, threads=workers, batches=20, tick=lambda k, t: tick(int(size * k / t))
        )
    simple_directed = directed and (not weighted or _uniform_weights(sub)) and sub.is_simple()
    if simple_directed and work > max(BLOCKS_ABOVE, DIRECTED_BLOCKS_ABOVE):
        from civnet.measures.intermediation.betweenness_blocks import directed_block_betweenness

        engines.add(f"directed Brandes over biconnected blocks on {workers} thread(s)")
        return directed_block_betweenness(
            sub, threads=workers, batches=20, tick=lambda k, t: tick(int(size * k / t))
        )
    if not directed and weighted and work > BLOCKS_ABOVE:
        engines.add("igraph with pendants folded into their neighbours")
        return _pendant_folded(sub)
    return _run_igraph(sub, weighted, directed, workers, tick, None, engines)


def _pendant_folded(g: ig.Graph) -> np.ndarray:
    """Raw betweenness of a connected undirected weighted graph, Brandes from non-pendants only.

    A pendant ``p`` (one neighbour ``u``) reaches everything through ``u``, so its dependencies
    are ``u``'s, except at ``u`` itself, which lies on all its ``c - 2`` paths to actors other
    than ``u``. So ``sum over s of delta_s = sum over non-pendants r of (1 + k_r) delta_r``, plus
    ``k_u (c - 2)`` at each ``u`` with ``k_u`` pendants; igraph returns half the source sums of an
    undirected graph, so the correction is halved too.
    """
    c = g.vcount()
    deg = np.asarray(g.degree(), dtype=np.int64)
    pendants = np.flatnonzero(deg == 1)
    weights = _costs(g)
    if not len(pendants) or len(pendants) == c:
        return np.asarray(g.betweenness(directed=False, weights=weights), dtype=float)
    edges = edge_array(g)
    nbr = np.where(deg[edges[:, 0]] == 1, edges[:, 1], edges[:, 0])
    is_pendant_edge = (deg[edges[:, 0]] == 1) | (deg[edges[:, 1]] == 1)
    k = np.bincount(nbr[is_pendant_edge], minlength=c)
    mult = 1 + k
    out = np.zeros(c)
    rest = np.flatnonzero(deg != 1)
    for m in np.unique(mult[rest]).tolist():
        srcs = rest[mult[rest] == m].tolist()
        out += m * np.asarray(
            g.betweenness(directed=False, weights=weights, sources=srcs), dtype=float
        )
    out += k * (c - 2) / 2.0
    return out


def _run_igraph(
    g: ig.Graph,
    weighted: bool,
    directed: bool,
    workers: int,
    tick: Callable[[int], None],
    sources: list[int] | None,
    engines: set[str],
) -> np.ndarray:
    """igraph's Brandes from ``sources`` (default all), over processes when it pays."""
    work = (len(sources) if sources is not None else g.vcount()) * g.ecount()
    if workers > 1 and work > PARALLEL_WORK:
        engines.add(f"igraph split over {workers} processes")
        return _run_parallel(g, weighted, directed, workers, tick, sources)
    return _run(g, weighted, directed, sources)


def _run(
    g: ig.Graph, weighted: bool, directed: bool, sources: list[int] | None = None
) -> np.ndarray:
    weights = _costs(g) if weighted and g.ecount() else None
    return np.asarray(
        g.betweenness(directed=directed, weights=weights, sources=sources), dtype=float
    )


def _run_chunk(args: tuple[ig.Graph, bool, bool, list[int]]) -> np.ndarray:
    g, weighted, directed, sources = args
    return _run(g, weighted, directed, sources)


def _run_parallel(
    g: ig.Graph,
    weighted: bool,
    directed: bool,
    workers: int,
    tick: Callable[[int], None],
    sources: list[int] | None = None,
) -> np.ndarray:
    """Betweenness of one component from ``sources`` (default all), split over processes."""
    n = g.vcount()
    pool_sources = np.arange(n) if sources is None else np.asarray(sources)
    chunks = [c.tolist() for c in np.array_split(pool_sources, workers * 4) if len(c)]
    out = np.zeros(n)
    # fork is fast and needs no `if __name__ == "__main__"` guard in the caller's script, but is
    # only safe from a single-threaded process; a threaded one (a server, a progress bar) spawns.
    single = threading.active_count() == 1 and sys.platform.startswith("linux")
    ctx = multiprocessing.get_context("fork" if single else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(_run_chunk, (g, weighted, directed, c)) for c in chunks]
        for finished, fut in enumerate(as_completed(futures), start=1):
            out += fut.result()
            tick(int(n * finished / len(chunks)))
    return out
