"""Network density and block density (the paper's third core factor)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from civnet.measures.groups import partition
from civnet.views.network import Network


def density(net: Network, *, weighted: bool = False) -> float:
    """Share of possible ties that exist.

    Undirected: ``2m / (n(n-1))``; directed: ``m / (n(n-1))``, with ``m`` the number of distinct
    connected pairs (parallel ties count once; self-loops never occur in a view). With
    ``weighted=True`` the numerator is the sum of edge weights instead of ``m``: the mean weight
    over possible pairs. A view with fewer than two actors has density 0, as in NetworkX.

    Reference: Wasserman & Faust (1994), *Social Network Analysis*, sec. 4.2.

    >>> import networkx as nx
    >>> density(Network.from_networkx(nx.path_graph(4)))
    0.5
    """
    g = net.graph
    n = g.vcount()
    if n < 2:
        return 0.0
    m = float(sum(g.es["weight"])) if weighted and g.ecount() else float(g.ecount())
    pairs = n * (n - 1)
    return m / pairs if g.is_directed() else 2.0 * m / pairs


@dataclass(frozen=True)
class BlockDensity:
    """Densities within and between the groups of an actor attribute.

    ``matrix[i, j]`` is the density from group ``groups[i]`` to ``groups[j]``; ``ties[i, j]``
    the number of edges counted and ``sizes[i]`` the number of actors in group ``i``.
    """

    attribute: str
    groups: list[str]
    sizes: np.ndarray
    ties: np.ndarray
    matrix: np.ndarray
    directed: bool


def block_density(net: Network, by: str = "country") -> BlockDensity:
    """Block density for the partition of actors by attribute ``by``.

    Within a group A: the density of A's induced subgraph, ``2 m_AA / (n_A (n_A - 1))``
    undirected or ``m_AA / (n_A (n_A - 1))`` directed (0 when ``n_A < 2``). Between groups
    A != B: ``m_AB / (n_A n_B)``, where ``m_AB`` counts edges from A to B (directed) or between
    A and B (undirected, so the matrix is symmetric). Parallel ties count once.

    Reference: Wasserman & Faust (1994), sec. 10.2 (blockmodels, density tables).
    """
    part = partition(net, by)
    gid, groups = part.codes, part.groups
    k = len(groups)
    sizes = part.sizes.astype(float)
    ties = np.zeros((k, k), dtype=float)
    directed = net.directed
    if net.graph.ecount():
        el = np.asarray(net.graph.get_edgelist(), dtype=np.int64)
        a, b = gid[el[:, 0]], gid[el[:, 1]]
        np.add.at(ties, (a, b), 1.0)
        if not directed:
            off = a != b
            np.add.at(ties, (b[off], a[off]), 1.0)
    possible = np.outer(sizes, sizes)
    diag = sizes * (sizes - 1)
    np.fill_diagonal(possible, diag if directed else diag / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix = np.where(possible > 0, ties / np.where(possible > 0, possible, 1), 0.0)
    return BlockDensity(by, groups, sizes, ties, matrix, directed)
