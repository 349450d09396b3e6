"""Network density and block density (the paper's third core factor)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from civnet.measures.structure.groups import partition
from civnet.views.network import Network


def density(net: Network, *, weighted: bool = False) -> float:
    """Share of the possible unordered pairs of actors that are connected.

    ``density = m / (n(n-1)/2)`` with ``m`` the view's connected pairs
    (:attr:`~civnet.views.Network.pair_count`): unordered pairs of distinct actors joined by at
    least one tie of any direction, so parallel ties, a reciprocated pair of directed ties and an
    undirected tie each count once. This one definition holds for undirected, directed and mixed
    views; it equals ``nx.density(nx.Graph(view))``. Where ties are directed,
    :func:`arc_density` gives the share of ordered pairs joined by a directed tie beside it.
    With ``weighted=True`` the numerator is the sum over connected pairs of their ties' weights
    (each tie once, whatever its direction): the mean tie weight over possible pairs. A view
    with fewer than two actors has density 0, as in NetworkX.

    Reference: Wasserman & Faust (1994), *Social Network Analysis*, sec. 4.2.

    >>> import networkx as nx
    >>> density(Network.from_networkx(nx.path_graph(4)))
    0.5
    """
    n = net.graph.vcount()
    if n < 2:
        return 0.0
    m = _tie_weight(net) if weighted else float(net.pair_count)
    return 2.0 * m / (n * (n - 1))


def arc_density(net: Network) -> float | None:
    """Share of the possible ordered pairs joined by a directed tie: ``a / (n(n-1))``.

    ``a`` is the view's arcs (:attr:`~civnet.views.Network.arc_count`): ordered pairs (u, v) with
    at least one directed tie u -> v; undirected ties give none. In a view of directed ties only
    this is ``nx.density`` of its ``nx.DiGraph``. ``None`` when the view holds no directed tie
    (the figure would say nothing); 0 with fewer than two actors.

    Reference: Wasserman & Faust (1994), sec. 4.2.

    >>> import networkx as nx
    >>> arc_density(Network.from_networkx(nx.DiGraph([(0, 1), (1, 0), (1, 2)])))
    0.5
    """
    if not net.directed:
        return None
    n = net.graph.vcount()
    if n < 2:
        return 0.0
    return net.arc_count / (n * (n - 1))


def _tie_weight(net: Network) -> float:
    """Sum of the weights of the view's ties, each tie once whatever its direction."""
    ties = net.ties
    if {"weight", "source", "target"} <= set(ties.column_names):
        if not ties.num_rows:
            return 0.0
        w = ties.column("weight").to_numpy(zero_copy_only=False).astype(float)
        loop = pc.equal(ties.column("source"), ties.column("target")).to_numpy(zero_copy_only=False)
        return float(w[~loop.astype(bool)].sum())
    g = net.graph  # a bare graph (no tie table): its edges are the ties
    return float(sum(g.es["weight"])) if g.ecount() else 0.0


@dataclass(frozen=True)
class BlockDensity:
    """Densities within and between the groups of an actor attribute.

    ``ties[i, j]`` counts the connected pairs (unordered, any direction; see
    :func:`density`) between group ``groups[i]`` and ``groups[j]`` (within the group on the
    diagonal); the matrix is symmetric. ``matrix[i, j]`` is their density and ``sizes[i]`` the
    number of actors in group ``i``. ``arcs[i, j]`` counts the arcs (ordered pairs joined by a
    directed tie) from group i to group j; all zero when ``directed`` is False (the view holds no
    directed tie).
    """

    attribute: str
    groups: list[str]
    sizes: np.ndarray
    ties: np.ndarray
    matrix: np.ndarray
    directed: bool
    arcs: np.ndarray


def block_density(net: Network, by: str = "country") -> BlockDensity:
    """Block density for the partition of actors by attribute ``by``.

    Within a group A: ``m_AA / (n_A (n_A - 1) / 2)`` (0 when ``n_A < 2``); between groups
    A != B: ``m_AB / (n_A n_B)``, where ``m`` counts connected pairs, so an undirected tie, a
    directed tie and a reciprocated pair of directed ties each count once and the matrix is
    symmetric in every view (the density of :func:`density` restricted to the blocks). Where ties
    are directed, ``arcs`` counts them per direction between blocks.

    Reference: Wasserman & Faust (1994), sec. 10.2 (blockmodels, density tables).
    """
    part = partition(net, by)
    gid, groups = part.codes, part.groups
    k = len(groups)
    sizes = part.sizes.astype(float)
    ties = np.zeros((k, k), dtype=float)
    arcs = np.zeros((k, k), dtype=float)
    pe = net.pair_edges()
    if len(pe):
        a, b = gid[pe[:, 0]], gid[pe[:, 1]]
        np.add.at(ties, (a, b), 1.0)
        off = a != b
        np.add.at(ties, (b[off], a[off]), 1.0)
    ae = net.arc_edges()
    if len(ae):
        np.add.at(arcs, (gid[ae[:, 0]], gid[ae[:, 1]]), 1.0)
    possible = np.outer(sizes, sizes)
    np.fill_diagonal(possible, sizes * (sizes - 1) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix = np.where(possible > 0, ties / np.where(possible > 0, possible, 1), 0.0)
    return BlockDensity(by, groups, sizes, ties, matrix, net.directed, arcs)
