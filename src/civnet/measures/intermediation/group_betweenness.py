"""Everett-Borgatti group betweenness: exact by path counting, or sampled with a stated error."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from civnet.errors import BadFilter
from civnet.measures.structure.groups import adjacency, group_labels
from civnet.views.network import Network

Progress = Callable[[int, int], None]

__all__ = ["GROUP_EXACT_WORK", "GROUP_SAMPLES", "GroupBetweenness", "group_betweenness"]

GROUP_EXACT_WORK = 5.0e8
"""Exact when groups x actors x ties is at most this (exact path counting costs about that)."""
GROUP_SAMPLES = 4000
"""Sources sampled (with replacement) when the exact computation does not fit."""
Z95 = 1.959963984540054
"""Two-sided 95% normal quantile: ``ci95 = Z95 x stderr``."""


@dataclass(frozen=True)
class GroupBetweenness:
    """Group betweenness of each group of a partition (or of given groups).

    ``stderr`` (sampled results only) is the standard error of each value; ``ci95`` the
    half-width of its 95% interval, ``Z95 x stderr`` (normal approximation).
    """

    groups: list[str]
    sizes: list[int]
    values: np.ndarray
    normalized: bool
    directed: bool
    method: str
    stderr: np.ndarray | None = None

    @property
    def ci95(self) -> np.ndarray | None:
        return None if self.stderr is None else Z95 * self.stderr


def group_betweenness(
    net: Network,
    groups: Mapping[str, Sequence[str]] | None = None,
    *,
    by: str | None = "country",
    normalized: bool = True,
    samples: int | None = None,
    exact: bool = False,
    seed: int = 0,
    batch: int = 64,
    progress: Progress | None = None,
) -> GroupBetweenness:
    """Everett-Borgatti group betweenness of sets of actors.

    ``GB(C) = sum over pairs s, t outside C of sigma_st(C) / sigma_st``, where ``sigma_st(C)`` is
    the number of shortest s-t paths through at least one member of C: unordered pairs when
    undirected, ordered when directed; pairs with an end in C do not count. Normalized by
    ``(n-|C|)(n-|C|-1)/2`` (undirected) or ``(n-|C|)(n-|C|-1)`` (directed), as NetworkX's
    ``group_betweenness_centrality``. Unweighted.

    Exact (when ``exact``, or when groups x actors x ties is at most ``GROUP_EXACT_WORK`` and no
    ``samples`` are asked): ``sigma_st(C) = sigma_st - sigma'_st`` where ``sigma'`` counts the
    paths of the same length in the graph without C; both come from breadth-first path counting
    done as sparse matrix products over batches of sources, one group at a time.

    Sampled (otherwise; ``samples`` sources, default ``GROUP_SAMPLES``): sources ``s`` are drawn
    uniformly with replacement (``seed``); from each, one random shortest-path tree (every vertex
    keeps one BFS predecessor, drawn in proportion to its path count) gives each target a
    uniformly random shortest path, and all groups are scored from that one tree: ``X_s(C)`` =
    targets ``t`` outside C (``s`` outside C) whose path has an interior vertex in C. Then
    ``E[X_s(C)] = (1/n) sum over s outside C, t outside C of sigma_st(C) / sigma_st``, so
    ``n x mean(X)`` is unbiased for the ordered-pair sum (halved when undirected), with standard
    error ``n x sd(X) / sqrt(k)``; ``ci95`` is 1.96 standard errors (central limit theorem over
    the k independent sources). Sampling shortest paths to estimate betweenness: Riondato &
    Kornaropoulos (2016) doi:10.1007/s10618-015-0423-0; Brandes & Pich (2007)
    doi:10.1142/S0218127407018403.

    Groups come from ``groups`` (name -> actor ids) or else from the vertex attribute ``by``.

    Reference: Everett & Borgatti (1999) doi:10.1080/0022250X.1999.9990219.
    """
    members = _members(net, groups, by)
    names = sorted(members)
    g = net.graph
    n = g.vcount()
    directed = g.is_directed()
    sizes = [len(members[x]) for x in names]
    fits = float(len(names)) * n * max(g.ecount(), 1) <= GROUP_EXACT_WORK
    if exact or (samples is None and fits):
        raw = _exact_all(net, members, names, batch, progress)
        stderr = None
        method = "exact (path counting)"
    else:
        k = samples or GROUP_SAMPLES
        raw, stderr = _sampled_all(net, members, names, k, seed, progress)
        method = (
            f"estimated from {k:,} sampled sources (random shortest-path trees, seed {seed}); "
            "± is the 95% interval (1.96 standard errors)"
        )
    if not directed:
        raw = raw / 2.0
        stderr = None if stderr is None else stderr / 2.0
    if normalized:
        c = np.asarray(sizes, dtype=float)
        pairs = (n - c) * (n - c - 1)
        denom = pairs if directed else pairs / 2.0
        safe = np.where(denom > 0, denom, 1.0)
        raw = np.where(denom > 0, raw / safe, 0.0)
        stderr = None if stderr is None else np.where(denom > 0, stderr / safe, 0.0)
    return GroupBetweenness(
        groups=names,
        sizes=sizes,
        values=raw,
        normalized=normalized,
        directed=directed,
        method=method,
        stderr=stderr,
    )


def _members(
    net: Network, groups: Mapping[str, Sequence[str]] | None, by: str | None
) -> dict[str, list[int]]:
    members: dict[str, list[int]] = {}
    if groups is None:
        if by is None:
            raise BadFilter("group betweenness needs groups or an attribute", fix="pass --group")
        for i, lab in enumerate(group_labels(net, by)):
            members.setdefault(lab, []).append(i)
        return members
    index = {a: i for i, a in enumerate(net.ids)}
    for name, ids in groups.items():
        missing = [a for a in ids if a not in index]
        if missing:
            raise BadFilter(f"group {name!r} names actor {missing[0]!r}, not in the view")
        members[name] = [index[a] for a in ids]
    return members


def _exact_all(
    net: Network,
    members: dict[str, list[int]],
    names: list[str],
    batch: int,
    progress: Progress | None,
) -> np.ndarray:
    """Ordered-pair sums ``sum over s, t outside C of sigma_st(C) / sigma_st`` per group."""
    n = net.graph.vcount()
    adj = adjacency(net)
    out = np.zeros(len(names))
    for gi, name in enumerate(names):
        cset = np.zeros(n, dtype=bool)
        cset[members[name]] = True
        out[gi] = float(_group_contributions(adj, cset, np.flatnonzero(~cset), batch).sum())
        if progress:
            progress(gi + 1, len(names))
    return out


def _sampled_all(
    net: Network,
    members: dict[str, list[int]],
    names: list[str],
    k: int,
    seed: int,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates of the ordered-pair sums of every group, with their standard errors."""
    from civnet.measures.intermediation.brandes_kernel import (
        sampled_group_paths,  # compiles on first use
    )

    n = net.graph.vcount()
    group = np.zeros(n, dtype=np.int64)
    for gi, name in enumerate(names):
        group[members[name]] = gi
    adj = adjacency(net).tocsr()
    at = adj.T.tocsr()
    rng = np.random.default_rng(seed)
    sources = rng.integers(0, n, size=k).astype(np.int64)
    parts = np.array_split(np.arange(k), min(k, 20))
    x = np.zeros((k, len(names)))
    for done, part in enumerate(parts, start=1):
        x[part] = sampled_group_paths(
            adj.indptr.astype(np.int64),
            adj.indices.astype(np.int64),
            at.indptr.astype(np.int64),
            at.indices.astype(np.int64),
            group,
            len(names),
            sources[part],
            seed * 1_000_003 + int(part[0]),
        )
        if progress:
            progress(done, len(parts))
    est = n * x.mean(axis=0)
    se = n * x.std(axis=0, ddof=1) / np.sqrt(k) if k > 1 else np.full(len(names), np.inf)
    return est, se


def _path_counts(
    at: sp.csr_matrix, sources: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """BFS distances and shortest-path counts from each source, through vertices in ``keep``.

    ``at`` is the transposed adjacency (so ``at @ x`` pushes counts along arcs). Returns
    (dist, sigma), each n x len(sources); unreachable vertices have dist -1 and sigma 0.
    """
    n = at.shape[0]
    k = len(sources)
    dist = np.full((n, k), -1, dtype=np.int32)
    sigma = np.zeros((n, k))
    cols = np.arange(k)
    dist[sources, cols] = 0
    sigma[sources, cols] = 1.0
    frontier = np.zeros((n, k))
    frontier[sources, cols] = 1.0
    level = 0
    keep_col = keep[:, None]
    while True:
        level += 1
        reach = at @ frontier
        new = (reach > 0) & (dist < 0) & keep_col
        if not new.any():
            break
        dist[new] = level
        sigma[new] = reach[new]
        frontier = np.where(new, reach, 0.0)
    return dist, sigma


def _group_contributions(
    adj: sp.csr_matrix, cset: np.ndarray, sources: np.ndarray, batch: int
) -> np.ndarray:
    """For each source s outside C: sum over targets t outside C of sigma_st(C) / sigma_st."""
    at = adj.T.tocsr()
    n = adj.shape[0]
    everyone = np.ones(n, dtype=bool)
    outside = ~cset
    out = np.zeros(len(sources))
    for start in range(0, len(sources), batch):
        src = sources[start : start + batch]
        dist, sigma = _path_counts(at, src, everyone)
        dist2, sigma2 = _path_counts(at, src, outside)
        same = (dist2 == dist) & (dist > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            avoid = np.where(same, sigma2 / np.where(sigma > 0, sigma, 1.0), 0.0)
        through = np.where((dist > 0) & outside[:, None], 1.0 - avoid, 0.0)
        out[start : start + len(src)] = through.sum(axis=0)
    return out
