"""Krackhardt and Stern's E-I index: how much of the ties leave the group, per network, group, actor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from civnet.errors import BadFilter
from civnet.measures.structure.groups import partition, require_actors
from civnet.views.network import Network

_BATCH_CELLS = 2_000_000


@dataclass(frozen=True)
class EIPermutation:
    """The label-permutation null of the network's and each group's E-I index."""

    permutations: int
    seed: int
    mean: float
    sd: float
    p_greater: float
    p_less: float
    group_mean: np.ndarray
    group_sd: np.ndarray
    group_p_greater: np.ndarray
    group_p_less: np.ndarray


@dataclass(frozen=True)
class EIIndex:
    """E-I index of the network, of each group (sorted names) and of each actor (vertex order).

    ``external``/``internal`` hold the tie counts (or weights) E and I behind each index.
    """

    attribute: str
    index: float
    external: float
    internal: float
    groups: list[str]
    sizes: np.ndarray
    group_index: np.ndarray
    group_external: np.ndarray
    group_internal: np.ndarray
    ids: list[str]
    labels: list[str]
    actor_index: np.ndarray
    actor_external: np.ndarray
    actor_internal: np.ndarray
    weighted: bool
    permutation: EIPermutation | None = None


def ei_index(
    net: Network,
    by: str = "country",
    *,
    weighted: bool = False,
    permutations: int = 0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> EIIndex:
    """The E-I index ``(E - I) / (E + I)`` for the partition of actors by attribute ``by``.

    A tie is a connected pair of actors: in a directed view, a pair tied in either or both
    directions counts once (its weight, when ``weighted``, is the sum of both arcs). E counts
    external ties (ends in different groups) and I internal ones (same group); with ``weighted``
    they sum tie weights instead.

    - network: E and I over all ties;
    - group G: I = ties with both ends in G, E = ties with exactly one end in G;
    - actor v: E and I over v's own ties.

    The index runs from -1 (all ties internal, homophily) to +1 (all external). It is NaN for a
    network, group or actor with no ties.

    Null model (``permutations > 0``): the group labels are shuffled among the actors (sizes
    kept, graph fixed), drawn with ``numpy.random.default_rng(seed)`` and evaluated in
    vectorized batches. One-sided p-values ``p_greater = (1 + #{perm >= obs}) / (1 + P)`` and
    ``p_less = (1 + #{perm <= obs}) / (1 + P)`` for the network and each group; actors get no
    p-value. Permutations whose group has no ties are left out of that group's p-value.

    Reference: Krackhardt & Stern (1988), Informal networks and organizational crises: an
    experimental simulation, *Social Psychology Quarterly* 51(2): 123-140, doi:10.2307/2786835.

    >>> import networkx as nx
    >>> g = nx.path_graph(4)  # 0-1-2-3 with groups A A B B: ties AA, AB, BB
    >>> nx.set_node_attributes(g, dict(zip(range(4), "AABB")), "country")
    >>> round(ei_index(Network.from_networkx(g)).index, 4)
    -0.3333
    """
    require_actors(net, "E-I index")
    if permutations < 0:
        raise BadFilter(f"--permutations must be 0 or more, got {permutations}")
    part = partition(net, by)
    n, k = net.graph.vcount(), len(part.groups)
    u, v, w = _pairs(net, weighted)
    g = part.codes
    same = g[u] == g[v]
    internal = float(w[same].sum())
    external = float(w[~same].sum())
    g_int = np.bincount(g[u][same], weights=w[same], minlength=k)
    g_ext = np.bincount(g[u][~same], weights=w[~same], minlength=k) + np.bincount(
        g[v][~same], weights=w[~same], minlength=k
    )
    a_int = np.bincount(u[same], weights=w[same], minlength=n) + np.bincount(
        v[same], weights=w[same], minlength=n
    )
    a_ext = np.bincount(u[~same], weights=w[~same], minlength=n) + np.bincount(
        v[~same], weights=w[~same], minlength=n
    )
    index = float(ei_ratio(external, internal))
    group_index = ei_ratio(g_ext, g_int)
    perm = (
        _permutations(g, k, u, v, w, index, group_index, permutations, seed, progress)
        if permutations
        else None
    )
    return EIIndex(
        attribute=by,
        index=index,
        external=external,
        internal=internal,
        groups=part.groups,
        sizes=part.sizes,
        group_index=group_index,
        group_external=g_ext,
        group_internal=g_int,
        ids=net.ids,
        labels=part.labels,
        actor_index=ei_ratio(a_ext, a_int),
        actor_external=a_ext,
        actor_internal=a_int,
        weighted=weighted,
        permutation=perm,
    )


def _pairs(net: Network, weighted: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Connected pairs (u < v) with their weight (1, or the summed weight of both arcs)."""
    g = net.graph
    n = g.vcount()
    el = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = np.asarray(g.es["weight"], dtype=float) if (weighted and g.ecount()) else np.ones(len(el))
    lo, hi = np.minimum(el[:, 0], el[:, 1]), np.maximum(el[:, 0], el[:, 1])
    key, inverse = np.unique(lo * max(n, 1) + hi, return_inverse=True)
    weights: np.ndarray = (
        np.bincount(inverse, weights=w, minlength=len(key)) if weighted else np.ones(len(key))
    )
    return key // max(n, 1), key % max(n, 1), weights


def ei_ratio(external: ArrayLike, internal: ArrayLike) -> np.ndarray:
    """The E-I index ``(E - I) / (E + I)`` of external and internal tie counts, elementwise.

    NaN where ``E + I = 0`` (no ties). :func:`ei_index` applies it to the network, its groups
    and its actors; the scorecard's ``ei_index`` indicator to each country's civil actors.
    Reference: Krackhardt & Stern (1988), doi:10.2307/2786835.

    >>> ei_ratio([3, 0, 1], [1, 0, 1]).tolist()
    [0.5, nan, 0.0]
    """
    external = np.asarray(external, dtype=float)
    internal = np.asarray(internal, dtype=float)
    total = external + internal
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, (external - internal) / np.where(total > 0, total, 1.0), np.nan)


def _permutations(
    g: np.ndarray,
    k: int,
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    index: float,
    group_index: np.ndarray,
    permutations: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> EIPermutation:
    rng = np.random.default_rng(seed)
    n = len(g)
    whole = np.empty(permutations)
    groups = np.empty((permutations, k))
    batch = max(1, _BATCH_CELLS // max(len(u), n, 1))
    total = w.sum()
    strength = np.bincount(u, weights=w, minlength=n) + np.bincount(v, weights=w, minlength=n)
    unit = bool((w == 1).all())
    small = np.int16 if k < 2**15 else np.int64
    codes = g.astype(small)
    for start in range(0, permutations, batch):
        b = min(batch, permutations - start)
        labels = np.stack([rng.permutation(codes) for _ in range(b)])
        lu = labels[:, u]
        same = lu == labels[:, v]
        internal = same.sum(axis=1).astype(float) if unit else same.astype(float) @ w
        whole[start : start + b] = ei_ratio(total - internal, internal)
        offset = (np.arange(b) * k)[:, None]
        cell = (lu + offset)[same]
        g_int = np.bincount(
            cell,
            weights=None if unit else np.broadcast_to(w, same.shape)[same],
            minlength=b * k,
        ).astype(float)
        volume = np.bincount(
            (labels + offset).ravel(), weights=np.tile(strength, b), minlength=b * k
        )
        groups[start : start + b] = ei_ratio(volume - 2 * g_int, g_int).reshape(b, k)
        if progress:
            progress(start + b, permutations)
    gp_greater, gp_less = _one_sided(groups, group_index)
    p_greater, p_less = _one_sided(whole[:, None], np.array([index]))
    return EIPermutation(
        permutations=permutations,
        seed=seed,
        mean=float(np.nanmean(whole)) if np.isfinite(whole).any() else float("nan"),
        sd=_nansd(whole[:, None])[0],
        p_greater=float(p_greater[0]),
        p_less=float(p_less[0]),
        group_mean=_nanmean(groups),
        group_sd=_nansd(groups),
        group_p_greater=gp_greater,
        group_p_less=gp_less,
    )


def _nanmean(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    cnt = ok.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cnt > 0, np.where(ok, x, 0).sum(axis=0) / np.maximum(cnt, 1), np.nan)


def _nansd(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    cnt = ok.sum(axis=0)
    mean = _nanmean(x)
    sq = np.where(ok, (x - mean) ** 2, 0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(cnt > 1, np.sqrt(sq / np.maximum(cnt - 1, 1)), np.nan)


def _one_sided(draws: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-sided permutation p-values per column, ignoring NaN draws; NaN when obs is NaN."""
    ok = np.isfinite(draws)
    cnt = ok.sum(axis=0)
    tol = 1e-12
    greater = (ok & (draws >= observed - tol)).sum(axis=0)
    less = (ok & (draws <= observed + tol)).sum(axis=0)
    valid = np.isfinite(observed) & (cnt > 0)
    p_greater = np.where(valid, (1 + greater) / (1 + cnt), np.nan)
    p_less = np.where(valid, (1 + less) / (1 + cnt), np.nan)
    return p_greater, p_less
