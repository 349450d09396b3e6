"""Betweenness with a stated error: NetworKit's sampling algorithms, and the cost of exact runs.

:func:`approx_betweenness` estimates every actor's betweenness within an additive ``eps`` with
probability at least ``1 - delta``; :func:`exact_cost` estimates how long the exact run would
take, so that products can switch to the approximation (and say so) instead of working for hours.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from civnet.errors import BadFilter
from civnet.measures.intermediation.betweenness import Betweenness, _usable, edge_array, free_cores
from civnet.measures.intermediation.betweenness_blocks import block_visits
from civnet.views.network import Network

__all__ = ["ExactCost", "approx_betweenness", "exact_cost"]

VISITS_PER_SECOND = 4.0e7
"""Vertex and edge visits of Brandes' algorithm per second and core, measured on this project's
machine (city-diplomacy giant component, 8,016-vertex block: about 25 s for ~1e9 visits under
load; see docs/benchmarks.md). Only used to estimate, never to decide exactness of a result."""


def approx_betweenness(
    net: Network,
    *,
    eps: float,
    delta: float = 0.1,
    normalized: bool = True,
    weighted: bool = False,
    seed: int = 0,
) -> Betweenness:
    """Betweenness of every actor within ``eps`` of the exact value, with probability >= 1 - delta.

    Undirected unweighted views use KADABRA (Borassi & Natale 2016, doi:10.1145/3284359;
    NetworKit's parallel version, van der Grinten et al. 2019): adaptive sampling of shortest
    paths, stopping once every vertex's estimate is within ``eps`` of ``b~(v) = sum over ordered
    pairs s != t of sigma_st(v) / sigma_st / (n (n-1))``, simultaneously for all vertices with
    probability at least ``1 - delta``. Weighted (cost 1/weight) views use Riondato &
    Kornaropoulos (2016) doi:10.1007/s10618-015-0423-0 (NetworKit's ApproxBetweenness), a fixed
    sample of shortest paths sized from the vertex diameter, with the same guarantee. Directed
    unweighted views (NetworKit's KADABRA takes no directed graph, and its Riondato-Kornaropoulos
    runs a full search per sample) use the same Riondato-Kornaropoulos sample size
    (:func:`rk_sample_size`, the vertex diameter bounded by the largest weak component) with
    civnet's sampler, which finds each pair's shortest paths by a balanced bidirectional search
    (:func:`civnet.measures.intermediation.brandes_kernel.sampled_path_counts`, as KADABRA does), on the
    idle cores; NetworKit's two run on one thread (:data:`KADABRA_THREADS`).

    The result is put on civnet's scale: normalized (as :func:`~civnet.measures.intermediation.betweenness`)
    is ``b~ n / (n-2)``, raw is ``b~ n (n-1)`` (halved for undirected views, which count each
    pair once). ``eps`` in the result is the bound on that scale: ``eps n / (n-2)`` normalized,
    ``eps n (n-1)`` (or half) raw. NetworKit's random generator is seeded with ``seed`` and KADABRA
    runs in its deterministic mode on one thread, and civnet's sampler draws fixed chunks from
    ``seed``, so the same seed gives the same estimate, whatever the machine's load.

    Weighted directed views are refused (no maintained implementation with a bound).
    Edge cases: fewer than three actors give all zeros (exact); ``eps`` must be in (0, 1) and
    ``delta`` in (0, 1).
    """
    if not 0 < eps < 1:
        raise BadFilter(f"--approx must be between 0 and 1 (got {eps})", fix="e.g. --approx 0.01")
    if not 0 < delta < 1:
        raise BadFilter(f"--delta must be between 0 and 1 (got {delta})", fix="e.g. --delta 0.1")
    g = _usable(net.graph, weighted)
    n = g.vcount()
    directed = g.is_directed()
    if n < 3 or g.ecount() == 0:
        return Betweenness(
            ids=net.ids,
            values=np.zeros(n),
            normalized=normalized,
            weighted=weighted,
            directed=directed,
            method="exact (fewer than three actors or no ties)",
        )
    if weighted and directed:
        raise BadFilter(
            "no approximation with a stated error is available for weighted directed views "
            "(NetworKit's Riondato-Kornaropoulos needs undirected weighted graphs)",
            fix="drop --weighted, or ask for the exact value with --exact",
        )
    if directed and not weighted:
        name = "Riondato-Kornaropoulos sampling with bidirectional search (civnet)"
        frac, n_samples = _sampled_directed(g, eps, delta, seed)
        return _on_scale(
            net, frac, n, eps, delta, normalized, weighted, directed, name, n_samples, seed
        )
    import networkit as nk

    # one thread: NetworKit's samplers are reproducible from their seed only there. With two
    # threads, even in KADABRA's "deterministic" mode (NetworKit 11.3), the epoch at which the
    # threads' samples meet the stopping rule varies from run to run: five runs on a BA graph of
    # 20,000 actors (eps 0.01, seed 7) stopped after 16,920, 19,302 or 21,684 samples
    nk.setNumberOfThreads(KADABRA_THREADS)
    nk.setSeed(seed, False)
    G, label = _to_networkit(g, weighted)
    if weighted:
        rk = nk.centrality.ApproxBetweenness(
            G, epsilon=eps, delta=delta, universalConstant=UNIVERSAL_CONSTANT
        )
        rk.run()
        name = "Riondato-Kornaropoulos sampling (NetworKit)"
        n_samples = int(rk.numberOfSamples())
        frac = np.asarray(rk.scores(), dtype=float)[label]
    else:
        kadabra = nk.centrality.KadabraBetweenness(G, err=eps, delta=delta, deterministic=True)
        kadabra.run()
        name = "KADABRA (NetworKit)"
        n_samples = int(kadabra.getNumberOfIterations())
        # NetworKit doubles undirected KADABRA scores (to match its exact Betweenness, which
        # counts both directions); the sampler's bound holds for the fraction itself
        frac = np.asarray(kadabra.scores(), dtype=float)[label] / 2.0
    return _on_scale(
        net, frac, n, eps, delta, normalized, weighted, directed, name, n_samples, seed
    )


def _on_scale(
    net: Network,
    frac: np.ndarray,
    n: int,
    eps: float,
    delta: float,
    normalized: bool,
    weighted: bool,
    directed: bool,
    name: str,
    n_samples: int,
    seed: int,
) -> Betweenness:
    """The estimate ``frac`` (pairs over ``n (n-1)``) and its bound ``eps`` on civnet's scale."""
    pairs_scale = n * (n - 1) / (1.0 if directed else 2.0)
    scale = n / (n - 2) if normalized else pairs_scale
    values = frac * scale
    bound = eps * scale
    return Betweenness(
        ids=net.ids,
        values=values,
        normalized=normalized,
        weighted=weighted,
        directed=directed,
        method=(
            f"approximate: {name}, every value within {bound:.3g} with probability at least "
            f"{1 - delta:g} (eps {eps:g}, delta {delta:g}; {n_samples:,} samples; seed {seed})"
        ),
        eps=bound,
        delta=delta,
        n_samples=n_samples,
    )


UNIVERSAL_CONSTANT = 1.0
"""``c`` of Riondato & Kornaropoulos' sample size (NetworKit's default for ApproxBetweenness)."""
KADABRA_THREADS = 1
"""Threads of NetworKit's KADABRA and Riondato-Kornaropoulos: one, the only count on which their
estimate is a function of the seed (with two, KADABRA's stopping epoch varies between runs;
``tests/test_betweenness_speedups.py``). Reproducibility is bought with time: on two idle
cores NetworKit's own parallel run is faster (docs/benchmarks.md)."""
SAMPLE_CHUNKS = 64
"""Fixed chunks of the directed sampler (each with its own seed): the same estimate on any
number of threads."""


def rk_sample_size(eps: float, delta: float, vertex_diameter: int) -> int:
    """Riondato & Kornaropoulos (2016), Theorem 1: ``r = (c / eps^2) (floor(log2(VD - 2)) + 1 +
    ln(1 / delta))`` sampled shortest paths put every vertex's estimate within ``eps`` of its
    betweenness (pairs over ``n (n-1)``) with probability at least ``1 - delta``; ``VD`` is an
    upper bound on the vertex diameter (vertices on a shortest path)."""
    vd = max(3, vertex_diameter)
    return math.ceil(
        UNIVERSAL_CONSTANT / eps**2 * (math.floor(math.log2(vd - 2)) + 1 + math.log(1 / delta))
    )


def _sampled_directed(g: ig.Graph, eps: float, delta: float, seed: int) -> tuple[np.ndarray, int]:
    """Riondato-Kornaropoulos on a directed unweighted graph with the sampler of
    :func:`civnet.measures.intermediation.brandes_kernel.sampled_path_counts`; the vertex diameter is bounded
    by the largest weak component's size (a shortest path never repeats a vertex), which only
    makes the sample larger than needed, never the bound weaker."""
    import numba

    from civnet.measures.intermediation.brandes_kernel import sampled_path_counts

    n = g.vcount()
    arcs = edge_array(g)
    out_ptr, out_idx = _csr(n, arcs[:, 0], arcs[:, 1])
    in_ptr, in_idx = _csr(n, arcs[:, 1], arcs[:, 0])
    del arcs
    largest = max(len(c) for c in g.connected_components(mode="weak"))
    r = rk_sample_size(eps, delta, largest)
    numba.set_num_threads(max(1, min(free_cores(), _numba_max())))
    counts = sampled_path_counts(out_ptr, out_idx, in_ptr, in_idx, r, seed, SAMPLE_CHUNKS)
    return counts / r, r


def _numba_max() -> int:
    """The most threads numba's pool was started with (``NUMBA_NUM_THREADS``)."""
    import numba

    return int(getattr(numba.config, "NUMBA_NUM_THREADS", 1))


def _csr(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(src, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int64)


def _to_networkit(g: ig.Graph, weighted: bool) -> tuple[Any, np.ndarray]:
    """NetworKit's copy of ``g`` with its vertices relabelled by descending degree, and the
    relabelling (``label[v]``: vertex ``v``'s label there; read a score back as
    ``scores[label]``).

    A view numbers its actors in the order of their ids (as strings), which scatters the hubs
    that nearly every sampled path crosses over the whole vertex range; numbered first, they
    share a few cache lines (KADABRA on a 200,000-actor BA graph, eps 0.02, 2 threads: 73 s
    in the order of the ids "a0", "a1", "a10"..., 55 s in the generator's order, 47 s by
    degree; the same number of samples). A relabelling changes no shortest path: the
    estimate keeps its bound. The edge array is relabelled in place (no second copy).
    """
    import networkit as nk

    n = g.vcount()
    G = nk.Graph(n, weighted=weighted, directed=g.is_directed())
    label = np.arange(n, dtype=np.int64)
    if g.ecount():
        if weighted:  # costs follow the edge ids: the edge list in id order
            e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        else:  # NetworKit reads the int64 columns as they are (no unsigned copy)
            e = edge_array(g)
        degree = np.bincount(e.ravel(), minlength=n)
        label[np.argsort(-degree, kind="stable")] = np.arange(n, dtype=np.int64)
        np.take(label, e, out=e, mode="clip")  # every index is a vertex: clip never applies
        if weighted:
            cost = 1.0 / np.asarray(g.es["weight"], dtype=float)
            G.addEdges((cost, (e[:, 0], e[:, 1])))
        else:
            G.addEdges((e[:, 0], e[:, 1]))
    return G, label


@dataclass(frozen=True)
class ExactCost:
    """What an exact betweenness run of a view would cost, estimated before running it."""

    visits: float
    """Vertex and edge visits of Brandes' runs (sources x (vertices + edges), summed)."""
    threads: int
    seconds: float
    """``visits / (VISITS_PER_SECOND x threads)``, times the load per core when the machine is
    busy (other processes share the cores): an order of magnitude, not a promise."""


def exact_cost(net: Network, *, weighted: bool = False) -> ExactCost:
    """Estimate the exact run's cost from the view's components (a linear-time look).

    Unweighted components (undirected, or directed without parallel arcs) count only their
    biconnected blocks of 3+ vertices (what :func:`~civnet.measures.intermediation.betweenness_blocks.block_betweenness`
    and :func:`~civnet.measures.intermediation.betweenness_blocks.directed_block_betweenness` run on); weighted
    ones count every vertex as a source over the whole component. Weighted runs pay about ``log n`` per visit
    (Dijkstra's heap).
    """
    g = _usable(net.graph, weighted)
    threads = free_cores()
    if g.vcount() < 3 or not g.ecount():
        return ExactCost(visits=0.0, threads=threads, seconds=0.0)
    directed = g.is_directed()
    visits = 0.0
    for comp in g.connected_components(mode="weak"):
        if len(comp) < 3:
            continue
        sub = g.induced_subgraph(comp) if len(comp) < g.vcount() else g
        if weighted or (directed and not sub.is_simple()):
            visits += float(sub.vcount()) * (sub.vcount() + sub.ecount())
            continue
        visits += block_visits(sub)
    if weighted:
        visits *= max(1.0, math.log2(g.vcount()))
    seconds = visits / (VISITS_PER_SECOND * threads) * _load_slowdown()
    return ExactCost(visits=visits, threads=threads, seconds=seconds)


def _load_slowdown() -> float:
    """How much slower than on idle cores: runnable processes per core, at least 1."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:  # pragma: no cover - platforms without a load average
        return 1.0
