"""Betweenness with a stated error (KADABRA, Riondato-Kornaropoulos), and the cost of exact runs.

:func:`approx_betweenness` estimates every actor's betweenness within an additive ``eps`` with
probability at least ``1 - delta``; :func:`exact_cost` estimates how long the exact run would
take, so that products can switch to the approximation (and say so) instead of working for hours.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import igraph as ig
import numpy as np

from civnet.errors import BadFilter
from civnet.measures.intermediation.betweenness import Betweenness, _usable, edge_array, free_cores
from civnet.measures.intermediation.betweenness_blocks import block_visits
from civnet.views.network import Network

__all__ = ["ExactCost", "approx_betweenness", "exact_cost", "machine_cores"]

Arcs = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A graph as the path sampler takes it: out-arcs' offsets and heads, in-arcs' offsets and
heads (the same arrays twice for an undirected graph)."""

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
    certify_top: int = 0,
    certify_among: np.ndarray | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Betweenness:
    """Betweenness of every actor within ``eps`` of the exact value, with probability >= 1 - delta.

    Undirected unweighted views use KADABRA (Borassi & Natale 2016, doi:10.1145/3284359;
    :func:`_kadabra`): adaptive sampling of shortest paths, stopping once every vertex's estimate
    is within ``eps`` of ``b~(v) = sum over ordered pairs s != t of sigma_st(v) / sigma_st /
    (n (n-1))``, simultaneously for all vertices with probability at least ``1 - delta``; its
    largest sample is sized from a vertex-diameter bound (:func:`vertex_diameter_bound`).
    The paths come from civnet's sampler, which finds each pair's shortest paths by a balanced
    bidirectional search as KADABRA does
    (:func:`civnet.measures.intermediation.brandes_kernel.sampled_path_rows`), on the idle cores,
    in fixed seeded chunks. Directed unweighted views use Riondato & Kornaropoulos (2016)
    doi:10.1007/s10618-015-0423-0, a fixed sample (:func:`rk_sample_size`, the vertex diameter
    bounded by the largest weak component) from the same sampler. Weighted (cost 1/weight)
    undirected views use NetworKit's ApproxBetweenness (Riondato-Kornaropoulos with Dijkstra),
    on one thread (:data:`KADABRA_THREADS`).

    The result is put on civnet's scale: normalized (as :func:`~civnet.measures.intermediation.betweenness`)
    is ``b~ n / (n-2)``, raw is ``b~ n (n-1)`` (halved for undirected views, which count each
    pair once). ``eps`` in the result is the bound on that scale: ``eps n / (n-2)`` normalized,
    ``eps n (n-1)`` (or half) raw. civnet's sampler draws fixed chunks whose seeds come from
    ``seed``, and NetworKit's generator is seeded with ``seed`` on one thread, so the same seed
    gives the same estimate, whatever the machine's load or its number of cores.

    ``certify_top=k`` (unweighted views): the run spends ``delta / 2`` on the estimate and
    ``delta / 2`` on telling whether the first ``k`` of its ranking are the true top ``k``
    (:func:`_certify_top`: fresh paths for the few actors that could be in it, until their
    Clopper-Pearson intervals separate them or :data:`TOP_SAMPLES_CAP` times the largest
    sample); the method says which. Every value keeps the stated ``eps``. ``certify_among`` (a
    boolean per actor): the top is taken among those actors only (a ranking that leaves
    aggregates out). ``progress(done, total)``: paths drawn of the most the run may draw
    (civnet's sampler; the adaptive run usually ends before its total).

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
    if certify_top and weighted:
        raise BadFilter(
            "a certified top is available for unweighted views only (civnet's path sampler)",
            fix="drop --weighted, or the certified top",
        )
    if not weighted:
        spend = delta / 2 if certify_top else delta
        paths = _Paths(_directed_arcs(g) if directed else _undirected_arcs(g), progress)
        if directed:
            name = "Riondato-Kornaropoulos sampling with bidirectional search (civnet)"
            largest = max(len(c) for c in g.connected_components(mode="weak"))
            omega = rk_sample_size(eps, spend, largest)
            paths.total = omega + (TOP_SAMPLES_CAP * omega if certify_top else 0)
            frac = _sampled_directed(paths, omega, seed)
            lower, upper = frac - eps, frac + eps
        else:
            name = "KADABRA adaptive sampling (civnet's seeded sampler)"
            vd = vertex_diameter_bound(g)
            omega = kadabra_sample_size(eps, spend, vd)
            paths.total = omega + omega // KADABRA_START_FACTOR
            paths.total += TOP_SAMPLES_CAP * omega if certify_top else 0
            frac, lower, upper = _kadabra(paths, vd, eps, spend, seed)
        note = ""
        if certify_top:
            frac, note = _certify_top(
                paths, frac, lower, upper, certify_top, eps, delta / 2, seed, omega, certify_among
            )
        paths.finish()
        return _on_scale(
            net, frac, n, eps, delta, normalized, weighted, directed, name, paths.drawn, seed, note
        )
    import networkit as nk

    # one thread: NetworKit's samplers are reproducible from their seed only there (each
    # thread draws from its own generator; with two, even KADABRA's "deterministic" mode in
    # NetworKit 11.3 stopped after 16,920, 19,302 or 21,684 samples in five runs on one graph)
    nk.setNumberOfThreads(KADABRA_THREADS)
    nk.setSeed(seed, False)
    G, label = _to_networkit(g, weighted)
    rk = nk.centrality.ApproxBetweenness(
        G, epsilon=eps, delta=delta, universalConstant=UNIVERSAL_CONSTANT
    )
    rk.run()
    name = "Riondato-Kornaropoulos sampling (NetworKit)"
    n_samples = int(rk.numberOfSamples())
    frac = np.asarray(rk.scores(), dtype=float)[label]
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
    note: str = "",
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
            + (f"; {note}" if note else "")
        ),
        eps=bound,
        delta=delta,
        n_samples=n_samples,
    )


UNIVERSAL_CONSTANT = 1.0
"""``c`` of Riondato & Kornaropoulos' sample size (NetworKit's default for ApproxBetweenness)."""
KADABRA_THREADS = 1
"""Threads of NetworKit's Riondato-Kornaropoulos (weighted views): one, the only count on which
its estimate is a function of the seed (each thread draws from its own generator; NetworKit's
KADABRA, which civnet no longer runs, even varied between runs on two threads)."""
SAMPLE_CHUNKS = 64
"""Fixed chunks of the directed Riondato-Kornaropoulos sample (chunk ``c`` seeded ``seed + c``):
the same estimate on any number of threads."""


def rk_sample_size(eps: float, delta: float, vertex_diameter: int) -> int:
    """Riondato & Kornaropoulos (2016), Theorem 1: ``r = (c / eps^2) (floor(log2(VD - 2)) + 1 +
    ln(1 / delta))`` sampled shortest paths put every vertex's estimate within ``eps`` of its
    betweenness (pairs over ``n (n-1)``) with probability at least ``1 - delta``; ``VD`` is an
    upper bound on the vertex diameter (vertices on a shortest path)."""
    vd = max(3, vertex_diameter)
    return math.ceil(
        UNIVERSAL_CONSTANT / eps**2 * (math.floor(math.log2(vd - 2)) + 1 + math.log(1 / delta))
    )


def _directed_arcs(g: ig.Graph) -> Arcs:
    """The directed graph's out- and in-arcs as the sampler takes them."""
    arcs = edge_array(g).astype(np.int32)
    return (*_arc_csr(g.vcount(), arcs, 0, 1), *_arc_csr(g.vcount(), arcs, 1, 0))


def _undirected_arcs(g: ig.Graph) -> Arcs:
    """The undirected graph's ties as arcs both ways (the same arrays as out- and in-arcs)."""
    arcs = edge_array(g).astype(np.int32)
    ptr, idx = _arc_csr(g.vcount(), arcs, 0, 1, both=True)
    return (ptr, idx, ptr, idx)


def _sampled_directed(paths: _Paths, r: int, seed: int) -> np.ndarray:
    """Riondato-Kornaropoulos on a directed unweighted graph: ``r`` paths
    (:func:`rk_sample_size`, the vertex diameter bounded by the largest weak component's size: a
    shortest path never repeats a vertex, so the sample is only larger than needed, never the
    bound weaker) from the sampler of
    :func:`civnet.measures.intermediation.brandes_kernel.sampled_path_rows`, chunk ``c`` of
    :data:`SAMPLE_CHUNKS` drawing from seed ``seed + c``. Returns the estimate."""
    cuts = np.arange(SAMPLE_CHUNKS + 1, dtype=np.int64) * r // SAMPLE_CHUNKS
    seeds = seed + np.arange(SAMPLE_CHUNKS, dtype=np.int64)
    return paths.draw(np.diff(cuts), seeds) / r


KADABRA_CONSTANT = 0.5
"""``c`` of KADABRA's largest sample ``omega`` (Borassi & Natale 2016, from Löffler & Phillips'
bound on the VC-dimension sample size; NetworKit's KADABRA uses the same 0.5)."""
KADABRA_START_FACTOR = 100
"""KADABRA's first phase draws ``omega / KADABRA_START_FACTOR`` paths to share ``delta`` among
the vertices (NetworKit's default)."""
KADABRA_BALANCE = 0.001
"""Share of ``delta / 2`` given to every vertex alike, whatever the first phase saw (NetworKit's
``balancingFactor``)."""
KADABRA_STEP = 1000
"""Paths drawn between two checks of KADABRA's stopping rule, at least; past 20,000 paths a step
is a 20th of those drawn so far (about 20 ln(tau / 20,000) more checks, not one per thousand)."""
DRAW_CHUNKS = 8
"""Fixed chunks of every draw (each with its own seed): the same estimate on any number of
threads, and at most this many rows of counts in memory at once."""


def kadabra_sample_size(eps: float, delta: float, vertex_diameter: int) -> int:
    """KADABRA's largest sample (Borassi & Natale 2016, their ``omega``): ``ceil(c /
    eps^2 (floor(log2(VD - 2)) + 1 + ln(2 / delta)))`` with ``c =`` :data:`KADABRA_CONSTANT`;
    ``omega`` paths put every estimate within ``eps`` with probability at least ``1 - delta /
    2`` (Riondato & Kornaropoulos' bound), so the adaptive run stops there at the latest."""
    vd = max(3, vertex_diameter)
    return math.ceil(
        KADABRA_CONSTANT / eps**2 * (math.floor(math.log2(vd - 2)) + 1 + math.log(2 / delta))
    )


def vertex_diameter_bound(g: ig.Graph) -> int:
    """An upper bound on the vertices of any shortest path of the undirected graph ``g``.

    In a connected component every vertex is within ``e = ecc(r)`` hops of a root ``r``, so two
    vertices are within ``2 e`` hops of each other: the component's vertex diameter is at most
    ``min(2 e + 1, its size)``. The root is the component's highest-degree vertex (often close
    to its centre, so ``e`` is small). Components are taken largest first, and those no larger
    than the bound so far are skipped (their vertex diameter is at most their size): usually
    one search over the giant component. At least 2 (one tie).
    """
    best = 2
    comps = g.connected_components(mode="weak")
    sizes = np.asarray(comps.sizes(), dtype=np.int64)
    for k in np.argsort(-sizes, kind="stable"):
        size = int(sizes[k])
        if size <= best:
            break
        members = comps[int(k)]
        degrees = g.degree(members)
        root = members[int(np.argmax(degrees))]
        ecc = int(g.eccentricity([root], mode="all")[0])
        best = max(best, min(2 * ecc + 1, size))
    return best


def _kadabra(
    paths: _Paths, vertex_diameter: int, eps: float, delta: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """KADABRA (Borassi & Natale 2016, "KADABRA is an ADaptive Algorithm for Betweenness via
    Random Approximation", ESA 2016, doi:10.4230/LIPIcs.ESA.2016.20; JEA 2019,
    doi:10.1145/3284359): every vertex's estimate within ``eps`` of its betweenness (pairs over
    ``n (n-1)``) with probability at least ``1 - delta``. Returns the estimate and each
    vertex's lower and upper bounds, ``max(b~ - f, b~ - eps)`` and ``min(b~ + g, b~ + eps)``
    (all of them hold at once with that probability).

    1. ``omega`` = :func:`kadabra_sample_size`, the most paths phase 2 draws; reaching it gives
       the bound with probability ``1 - delta / 2`` on its own.
    2. Phase 1 draws ``omega / 100`` paths; their estimate ``b0`` shares the other ``delta / 2``
       among the vertices (:func:`_kadabra_deltas`, a union bound).
    3. Phase 2 draws fresh paths and stops at the first check where every vertex has
       ``f(b~(v), dL(v), omega, tau) < eps`` and ``g(b~(v), dU(v), omega, tau) < eps``
       (:func:`_kadabra_done`; the paper's bounds hold at whatever point the rule stops the
       run, so checking only every :data:`KADABRA_STEP` or more paths keeps them).

    Every draw is cut into :data:`DRAW_CHUNKS` fixed chunks whose seeds come from
    ``numpy.random.SeedSequence([seed, phase, step])``: the result is a function of the seed,
    whatever the thread count. (NetworKit's parallel KADABRA checks the rule at epochs that
    depend on its threads' timing.)
    """
    omega = kadabra_sample_size(eps, delta, vertex_diameter)
    first = max(1, omega // KADABRA_START_FACTOR)
    counts = paths.draw(_chunk_sizes(first), _seeds(seed, 0, 0))
    bound = _kadabra_deltas(counts / first, eps, delta)
    counts[:] = 0
    tau = 0
    step = 0
    while tau < omega:
        size = min(omega - tau, max(KADABRA_STEP, tau // 20))
        counts += paths.draw(_chunk_sizes(size), _seeds(seed, 1, step))
        tau += size
        step += 1
        if _kadabra_done(counts / tau, bound, omega, tau, eps):
            break
    frac = counts / tau
    down, up = _kadabra_errors(frac, bound, omega, tau)
    return frac, frac - np.minimum(down, eps), frac + np.minimum(up, eps)


def _kadabra_deltas(b0: np.ndarray, eps: float, delta: float) -> np.ndarray:
    """Each vertex's share ``d(v)`` of the failure probability, for both sides of its bound
    (KADABRA's absolute case, where both errors are ``eps``): ``d(v) = exp(-C eps^2 / b0(v)) +
    beta delta / (4 n)`` with the smallest ``C`` (bisection) for which ``sum over v of 2
    exp(-C eps^2 / b0(v)) < (1 - beta) delta / 2``; so ``sum over v of 2 d(v) <= delta / 2``.
    ``beta`` = :data:`KADABRA_BALANCE`. A vertex no phase-1 path crossed gets ``beta delta /
    (4 n)`` (its exponential is 0). The sum is checked after the search, and the shares scaled
    down if rounding left it over, so the union bound holds exactly."""
    n = len(b0)
    seen = b0[b0 > 0]
    target = (1 - KADABRA_BALANCE) * delta / 2

    def spent(c: float) -> float:
        return float(2.0 * np.exp(-c * eps**2 / seen).sum())

    lo, hi = 0.0, math.log(4 * n / delta) / eps**2
    for _ in range(200):  # the upper end doubles until it is enough (at most 200 doublings)
        if spent(hi) < target:
            break
        lo, hi = hi, 2 * hi
    for _ in range(200):  # bisection to eps / 10 (about 30 halvings)
        if hi - lo <= eps / 10:
            break
        mid = (lo + hi) / 2
        if spent(mid) >= target:
            lo = mid
        else:
            hi = mid
    shares = np.full(n, KADABRA_BALANCE * delta / (4 * n))
    shares[b0 > 0] += np.exp(-hi * eps**2 / seen)
    total = 2.0 * float(shares.sum())
    if total > delta / 2:
        shares *= delta / 2 / total
    return shares


def _kadabra_errors(
    b: np.ndarray, shares: np.ndarray, omega: int, tau: int
) -> tuple[np.ndarray, np.ndarray]:
    """KADABRA's bounds after ``tau`` paths (Borassi & Natale 2016, section 4): with ``L =
    ln(1 / d)`` and ``x = omega / tau``, ``f = min(b, L / tau (-(x - 1/3) + sqrt((x - 1/3)^2 +
    2 b omega / L)))`` below the estimate ``b`` and ``g = min(1 - b, L / tau ((x + 1/3) +
    sqrt((x + 1/3)^2 + 2 b omega / L)))`` above it: each vertex's betweenness is in ``[b - f,
    b + g]``, all at once, with the probability the shares ``d`` leave."""
    log_inv = -np.log(shares)
    x = omega / tau
    spread = 2.0 * b * omega / log_inv
    up = log_inv / tau * ((x + 1 / 3) + np.sqrt((x + 1 / 3) ** 2 + spread))
    down = log_inv / tau * ((1 / 3 - x) + np.sqrt((x - 1 / 3) ** 2 + spread))
    return np.minimum(down, b), np.minimum(up, 1.0 - b)


def _kadabra_done(b: np.ndarray, shares: np.ndarray, omega: int, tau: int, eps: float) -> bool:
    """KADABRA's stopping rule after ``tau`` paths: for every vertex, ``f < eps`` and ``g <
    eps`` (:func:`_kadabra_errors`)."""
    down, up = _kadabra_errors(b, shares, omega, tau)
    return bool((up < eps).all() and (down < eps).all())


TOP_SAMPLES_CAP = 32
"""A certified top draws at most this many times the estimate's largest sample more paths."""


def clopper_pearson(counts: np.ndarray, trials: int, side: float) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson bounds of binomial proportions (Clopper & Pearson 1934,
    doi:10.1093/biomet/26.4.404): ``counts`` successes in ``trials``, each bound missed with
    probability at most ``side``: the lower bound is the ``side`` quantile of Beta(``x``,
    ``trials - x + 1``) (0 when ``x = 0``), the upper the ``1 - side`` quantile of Beta(``x +
    1``, ``trials - x``) (1 when ``x = trials``), by ``scipy.special.betaincinv``; the same as
    ``scipy.stats.binomtest(x, trials).proportion_ci(1 - 2 side, method="exact")``."""
    from scipy.special import betaincinv

    x = np.asarray(counts, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, betaincinv(np.maximum(x, 1), trials - x + 1, side), 0.0)
        hi = np.where(x < trials, betaincinv(x + 1, np.maximum(trials - x, 1), 1.0 - side), 1.0)
    return lo, hi


def _first(k: int, among: str) -> str:
    """What a certified top says: "the first 3 are the true top 3", "the first is the true top
    actor", then ``among`` (who they are ranked among, or nothing)."""
    what = "the first is the true top actor" if k == 1 else f"the first {k} are the true top {k}"
    return what + among


def _certify_top(
    paths: _Paths,
    frac: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    k: int,
    eps: float,
    delta: float,
    seed: int,
    omega: int,
    among: np.ndarray | None = None,
) -> tuple[np.ndarray, str]:
    """Whether the first ``k`` of the ranking are the true top ``k`` (as a set), with
    probability at least ``1 - delta``; returns the estimate (the candidates' values from the
    fresh paths when certified) and a note saying what was found. ``among``
    (a boolean per actor): the ranking and the top are those of these actors only.

    1. Candidates: the actors whose upper bound reaches the ``k``-th largest lower bound
       (``lower``/``upper`` hold for every actor at once). No other actor can be in the top
       ``k``: ``k`` actors are above it. If only ``k`` are candidates, they are the top.
    2. Fresh paths, in rounds: ``r_j`` paths in all after round ``j`` (the first a quarter of
       the largest sample, at least 10,000; then half as many again each round). Each path
       crosses actor ``v`` with probability ``b(v)``, so its count is Binomial(``r_j``,
       ``b(v)``); each candidate gets a two-sided Clopper-Pearson interval (Clopper & Pearson
       1934, doi:10.1093/biomet/26.4.404; the exact interval of ``scipy.stats.binomtest``)
       missing with probability ``delta_j / |candidates|``, ``delta_j = 6 delta / (pi (j +
       1))^2`` (they sum to ``delta``): a union bound over candidates and rounds.
    3. Certified at the first round where the ``k`` candidates with the most crossings have
       lower bounds above every other candidate's upper bound, their estimates above every
       non-candidate's, and every candidate's interval within ``eps`` of its estimate (so the
       candidates' new values keep the stated bound). Otherwise, past
       :data:`TOP_SAMPLES_CAP` times ``omega`` paths, not certified: two of them are too
       close (or equal) to tell apart at this cost; the values stay the estimate's.
    """
    eligible = np.arange(len(frac)) if among is None else np.flatnonzero(among)
    said = "" if among is None else " of the actors ranked"
    if not len(eligible):
        return frac, "no actor ranked: no top to certify"
    k = min(k, len(eligible))
    kth_lower = np.partition(lower[eligible], len(eligible) - k)[len(eligible) - k]
    cand = eligible[upper[eligible] >= kth_lower]
    if len(cand) <= k:
        return frac, f"{_first(k, said)} (certified: no other actor's bound reaches them)"
    others = np.setdiff1d(eligible, cand, assume_unique=True)
    outside_best = float(frac[others].max()) if len(others) else -np.inf
    cap = TOP_SAMPLES_CAP * omega
    counts = np.zeros(len(cand), dtype=np.int64)
    drawn = 0
    size = max(10_000, omega // 4)
    for j in range(200):  # rounds grow by half: the cap ends it long before 200
        if drawn >= cap:
            break
        counts += paths.draw(_chunk_sizes(size), _seeds(seed, 2, j))[cand]
        drawn += size
        size = max(10_000, drawn // 2)
        side = delta * 6 / (math.pi * (j + 1)) ** 2 / len(cand) / 2
        est = counts / drawn
        lo, hi = clopper_pearson(counts, drawn, side)
        order = np.argsort(-est, kind="stable")
        top, rest = order[:k], order[k:]
        separated = lo[top].min() > hi[rest].max() and est[top].min() > outside_best
        if separated and (hi - est).max() <= eps and (est - lo).max() <= eps:
            frac = frac.copy()
            frac[cand] = est
            return (
                frac,
                f"{_first(k, said)} (certified with the same probability: "
                f"Clopper-Pearson on {drawn:,} more paths for {len(cand):,} candidates)",
            )
    top_k = ("the top actor" if k == 1 else f"the top {k}") + said
    hint = "; a smaller eps leaves fewer candidates" if len(cand) > 4 * k else ""
    return (
        frac,
        f"{top_k} is not certified: after {drawn:,} more paths its {len(cand):,} candidates "
        f"were still too close to tell apart{hint}",
    )


def _chunk_sizes(total: int) -> np.ndarray:
    cuts = np.arange(DRAW_CHUNKS + 1, dtype=np.int64) * total // DRAW_CHUNKS
    return np.diff(cuts)


def _seeds(seed: int, phase: int, step: int) -> np.ndarray:
    """The chunks' seeds of one draw, from ``SeedSequence([seed, phase, step])`` (numba's
    generator takes 32-bit seeds)."""
    state = np.random.SeedSequence([seed, phase, step]).generate_state(DRAW_CHUNKS)
    return state.astype(np.int64)


class _Paths:
    """The path sampler of one run: the graph's arcs, the threads it draws on (the idle cores,
    looked at once per run), and the paths drawn so far, reported to ``progress`` against
    :attr:`total` (the most the run may draw)."""

    def __init__(self, arcs: Arcs, progress: Callable[[int, int], None] | None) -> None:
        self.arcs = arcs
        self.threads = max(1, free_cores())
        self.progress = progress
        self.drawn = 0
        self.total = 1

    def draw(self, sizes: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """:func:`_draw` of the chunks ``sizes``, ``seeds``: crossings per vertex."""
        counts = _draw(self.arcs, sizes, seeds, self.threads)
        self.drawn += int(sizes.sum())
        if self.progress is not None:
            self.progress(min(self.drawn, self.total), self.total)
        return counts

    def finish(self) -> None:
        """The run is over: the progress is complete (an adaptive run ends before its total)."""
        if self.progress is not None:
            self.progress(self.total, self.total)


def _draw(arcs: Arcs, sizes: np.ndarray, seeds: np.ndarray, threads: int) -> np.ndarray:
    """Per vertex, how many of the paths drawn in chunks (``sizes``, ``seeds``) it is an
    interior vertex of, on ``threads`` threads; at most :data:`DRAW_CHUNKS` rows of counts at
    once.

    With the ahead-of-time kernel (:func:`~civnet.measures.intermediation.brandes.kernel_in_use`)
    each chunk is one call of its ``sample_chunk`` (which releases the interpreter lock) on a
    pool of threads, and numba is never imported (about 100 MB and 1-2 s); otherwise numba's
    :func:`~civnet.measures.intermediation.brandes_kernel.sampled_path_rows` runs the chunks.
    Both draw the same paths from the same seeds."""
    from civnet.measures.intermediation.brandes import aot_module, kernel_in_use

    n = len(arcs[0]) - 1
    counts = np.zeros(n, dtype=np.int64)
    if kernel_in_use() == "aot":
        chunk: Callable[..., None] = aot_module().sample_chunk  # type: ignore[union-attr]
        rows = np.zeros((min(DRAW_CHUNKS, len(sizes)), n), dtype=np.int32)
        with ThreadPoolExecutor(max(1, min(threads, len(rows)))) as pool:
            for lo in range(0, len(sizes), DRAW_CHUNKS):
                part = range(lo, min(lo + DRAW_CHUNKS, len(sizes)))
                rows[:] = 0
                jobs = [
                    pool.submit(chunk, *arcs, int(sizes[c]), int(seeds[c]), rows[c - lo])
                    for c in part
                ]
                for job in jobs:
                    job.result()
                counts += rows[: len(part)].sum(axis=0, dtype=np.int64)
        return counts
    import numba

    from civnet.measures.intermediation.brandes_kernel import sampled_path_rows

    numba.set_num_threads(max(1, min(threads, _numba_max())))
    for lo in range(0, len(sizes), DRAW_CHUNKS):
        rows = sampled_path_rows(*arcs, sizes[lo : lo + DRAW_CHUNKS], seeds[lo : lo + DRAW_CHUNKS])
        counts += rows.sum(axis=0, dtype=np.int64)
        del rows
    return counts


def _numba_max() -> int:
    """The most threads numba's pool was started with (``NUMBA_NUM_THREADS``)."""
    import numba

    return int(getattr(numba.config, "NUMBA_NUM_THREADS", 1))


def _arc_csr(
    n: int, arcs: np.ndarray, tail: int, head: int, *, both: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The arcs ``arcs[i, tail] -> arcs[i, head]`` (and, ``both``, back) by tail: int64 offsets
    ``ptr`` (the arcs of ``v`` are ``idx[ptr[v]:ptr[v + 1]]``) and int32 heads ``idx``, as the
    sampler takes them; each vertex's arcs in the order of the rows, the way back after the way
    there (as a stable sort of the arcs by tail). A counting sort
    (:func:`~civnet.measures.intermediation.brandes_kernel.fill_arcs`): no sort order of the
    arcs held, only the int32 ``arcs`` and ``idx``."""
    arcs = np.ascontiguousarray(arcs, dtype=np.int32)
    degree = np.bincount(arcs.ravel() if both else arcs[:, tail], minlength=n)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=ptr[1:])
    del degree
    idx = np.empty(int(ptr[-1]), dtype=np.int32)
    pos = ptr[:-1].copy()
    from civnet.measures.intermediation.brandes import kernel_function

    fill = kernel_function("fill_arcs")
    fill(pos, arcs, tail, head, idx)
    if both:
        fill(pos, arcs, head, tail, idx)
    return ptr, idx


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
    """What an exact betweenness run of a view would cost, estimated before running it.

    ``visits``, ``cores`` and ``idle_seconds`` are a function of the view and of the machine
    only: products decide exact versus approximate on ``idle_seconds``, so the same view gets
    the same method on a quiet and on a busy machine. ``threads`` and ``seconds`` say what a run
    started now would take at the present load; they are read (from the load average and
    :func:`free_cores`, which may watch the processors for 0.1 s) only when asked for."""

    visits: float
    """Vertex and edge visits of Brandes' runs (sources x (vertices + edges), summed)."""
    cores: int
    """The cores an exact run gets on this machine when nothing else runs (:func:`machine_cores`)."""
    idle_seconds: float
    """``visits / (VISITS_PER_SECOND x cores)``: the run's time on this machine's idle cores, an
    order of magnitude, not a promise."""

    @cached_property
    def threads(self) -> int:
        """The cores a run started now gets: the idle ones (:func:`free_cores`), at most ``cores``."""
        return max(1, min(self.cores, free_cores()))

    @cached_property
    def slowdown(self) -> float:
        """How much slower than on idle cores the machine's load makes each (:func:`_load_slowdown`)."""
        return _load_slowdown()

    @cached_property
    def seconds(self) -> float:
        """``visits / (VISITS_PER_SECOND x threads)``, times the load per core when the machine is
        busy (other processes share the cores): what a run started now would take."""
        if not self.visits:
            return 0.0
        return self.visits / (VISITS_PER_SECOND * self.threads) * self.slowdown

    def may_pass_now(self, budget: float) -> bool:
        """Whether ``seconds`` may pass ``budget``: ``visits`` on one thread at the present load
        (the load average only: the processors are not watched)."""
        return self.visits / VISITS_PER_SECOND * self.slowdown > budget


def exact_cost(net: Network, *, weighted: bool = False) -> ExactCost:
    """Estimate the exact run's cost from the view's components (a linear-time look).

    Unweighted components (undirected, or directed without parallel arcs) count only their
    biconnected blocks of 3+ vertices (what :func:`~civnet.measures.intermediation.betweenness_blocks.block_betweenness`
    and :func:`~civnet.measures.intermediation.betweenness_blocks.directed_block_betweenness` run on); weighted
    ones count every vertex as a source over the whole component. Weighted runs pay about ``log n`` per visit
    (Dijkstra's heap). ``idle_seconds`` divides the visits among this machine's cores
    (:func:`machine_cores`), whatever the moment's load; the load enters only ``seconds``.
    """
    g = _usable(net.graph, weighted)
    cores = machine_cores()
    if g.vcount() < 3 or not g.ecount():
        return ExactCost(visits=0.0, cores=cores, idle_seconds=0.0)
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
    return ExactCost(visits=visits, cores=cores, idle_seconds=visits / (VISITS_PER_SECOND * cores))


CGROUP_CPU_FILES = ("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
"""Where a CPU quota of this process's control group is read (cgroup v2; v1's quota, whose
period is ``cpu.cfs_period_us`` next to it)."""


def machine_cores(files: tuple[str, ...] = CGROUP_CPU_FILES) -> int:
    """The cores this process may run on, whatever else runs: the CPUs of its affinity mask
    (``os.cpu_count()`` where there is none), at most its control group's CPU quota rounded
    up. A property of the machine and its configuration, never of the moment's load."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        cores = os.cpu_count() or 1
    quota = _cgroup_cpus(files)
    if quota is not None:
        cores = min(cores, quota)
    return max(1, cores)


def _cgroup_cpus(files: tuple[str, ...]) -> int | None:
    """The control group's CPU quota in whole cores (rounded up), or None: no quota, no file."""
    for path in files:
        try:
            with open(path) as f:
                parts = f.read().split()
            if path.endswith("cfs_quota_us"):
                with open(os.path.join(os.path.dirname(path), "cpu.cfs_period_us")) as f:
                    parts = [*parts[:1], *f.read().split()[:1]]
        except OSError:
            continue
        try:
            if len(parts) < 2 or parts[0] == "max" or int(parts[0]) <= 0:
                return None
            return max(1, math.ceil(int(parts[0]) / int(parts[1])))
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _load_slowdown() -> float:
    """How much slower than on idle cores: runnable processes per core, at least 1."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:  # pragma: no cover - platforms without a load average
        return 1.0
