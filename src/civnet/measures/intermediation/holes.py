"""Burt's structural holes: constraint, effective size and efficiency of every actor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from civnet.measures.structure.groups import adjacency, require_actors
from civnet.views.network import Network


@dataclass(frozen=True)
class Holes:
    """Per actor, in vertex order: ``degree`` (distinct neighbours, in or out), ``constraint``,
    ``effective_size`` and ``efficiency`` (NaN for isolates)."""

    ids: list[str]
    degree: np.ndarray
    constraint: np.ndarray
    effective_size: np.ndarray
    efficiency: np.ndarray
    weighted: bool
    directed: bool


def structural_holes(net: Network, *, weighted: bool = False) -> Holes:
    """Burt's constraint, effective size and efficiency, exactly as NetworkX defines them.

    Let ``w(u, v)`` be the weight of the arc u -> v (0 when absent; 1 for every tie unless
    ``weighted``) and the *mutual weight* ``m(u, v) = w(u, v) + w(v, u)``; an undirected tie
    counts in both directions. N(u) is the set of u's neighbours (in or out). Then
    ``p(u, v) = m(u, v) / sum_{x in N(u)} m(u, x)`` (proportional tie strength) and
    ``m*(u, v) = m(u, v) / max_{x in N(u)} m(u, x)`` (marginal strength).

    - constraint: ``c(u) = sum_{v in N(u)} (p(u, v) + sum_{w in N(u)} p(u, w) p(w, v))^2``
    - effective size: ``e(u) = sum_{v in N(u)} (1 - sum_{w in N(u)} p(u, w) m*(v, w))``; when
      undirected and unweighted this is Borgatti's ``n - 2t/n`` (t ties among the n alters).
    - efficiency: ``e(u) / |N(u)|``.

    Computation: with P = [p(u, v)] and M* = [m*(u, v)] sparse and S the neighbour pattern,
    ``c = rowsum((P + (P P) o S)^2)`` and ``e = |N| - rowsum(P o (S M*))``: two sparse products
    over two-step paths, no loop over actors.

    Edge cases: isolates get NaN for all three (undefined, as in NetworkX). A directed actor with
    in-ties only gets the formula's value, as from NetworkX's whole-graph path (its per-node
    loop returns NaN there). A neighbour joined only by weight-0 ties stays a neighbour with
    p = 0, as in NetworkX's per-node definition.

    References: Burt (1992), *Structural Holes*, Harvard University Press; Burt (2004),
    Structural holes and good ideas, *American Journal of Sociology* 110(2): 349-399,
    doi:10.1086/421787; Borgatti (1997), Structural holes: unpacking Burt's redundancy measures,
    *Connections* 20(1): 35-38.

    >>> import networkx as nx
    >>> h = structural_holes(Network.from_networkx(nx.star_graph(3)))
    >>> h.constraint.round(4).tolist(), h.effective_size.tolist()
    ([0.3333, 1.0, 1.0, 1.0], [3.0, 1.0, 1.0, 1.0])
    """
    require_actors(net, "structural holes")
    w = adjacency(net, weighted=weighted)
    mutual = (w + w.T).tocsr()
    pattern = _pattern(net)
    degree = np.diff(pattern.indptr).astype(float)
    p = _scale_rows(mutual, np.asarray(mutual.sum(axis=1)).ravel())
    m_star = _scale_rows(mutual, _row_max(mutual))
    two_step = (p @ p).multiply(pattern)
    local = (p + two_step).tocsr()
    constraint = np.asarray(local.multiply(local).sum(axis=1)).ravel()
    redundancy = np.asarray(p.multiply(pattern @ m_star).sum(axis=1)).ravel()
    effective = degree - redundancy
    isolate = degree == 0
    constraint[isolate] = np.nan
    effective[isolate] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        efficiency = np.where(isolate, np.nan, effective / np.where(isolate, 1.0, degree))
    return Holes(
        ids=net.ids,
        degree=degree,
        constraint=constraint,
        effective_size=effective,
        efficiency=efficiency,
        weighted=weighted,
        directed=net.directed,
    )


def _pattern(net: Network) -> sp.csr_matrix:
    """0/1 symmetric neighbour matrix (in or out neighbours)."""
    a = adjacency(net)
    s = (a + a.T).tocsr()
    s.data[:] = 1.0
    return s


def _row_max(m: sp.csr_matrix) -> np.ndarray:
    return m.max(axis=1).toarray().ravel() if m.shape[0] else np.zeros(0)


def _scale_rows(m: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """Divide each row by ``scale`` (rows with scale 0 become 0)."""
    with np.errstate(divide="ignore"):
        inv = np.where(scale > 0, 1.0 / np.where(scale > 0, scale, 1.0), 0.0)
    return sp.csr_matrix(sp.diags(inv) @ m)
