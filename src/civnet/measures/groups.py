"""Partitions of the actors by an attribute, and the sparse adjacency the structure measures share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from civnet.errors import EmptyNetwork
from civnet.measures.density import group_labels
from civnet.views.network import Network


@dataclass(frozen=True)
class Partition:
    """Each actor's group as an integer code into ``groups`` (sorted group names)."""

    attribute: str
    labels: list[str]
    groups: list[str]
    codes: np.ndarray
    sizes: np.ndarray


def partition(net: Network, by: str) -> Partition:
    """The partition of ``net``'s actors by attribute ``by`` (missing values: '(unknown)')."""
    labels = group_labels(net, by)
    groups = sorted(set(labels))
    index = {name: i for i, name in enumerate(groups)}
    codes = np.fromiter((index[x] for x in labels), dtype=np.int64, count=len(labels))
    sizes = np.bincount(codes, minlength=len(groups)).astype(np.int64)
    return Partition(by, labels, groups, codes, sizes)


def require_actors(net: Network, what: str) -> None:
    """Raise :class:`EmptyNetwork` when the view has no actors."""
    if net.graph.vcount() == 0:
        raise EmptyNetwork(
            f"{what}: the view has no actors", fix="widen the view filters or import data"
        )


def arcs(net: Network) -> tuple[np.ndarray, np.ndarray]:
    """Source and target of every arc; an undirected edge gives both directions."""
    el = np.asarray(net.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    src, dst = el[:, 0], el[:, 1]
    if not net.directed:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    return src, dst


def adjacency(net: Network, *, weighted: bool = False) -> sp.csr_matrix:
    """Sparse ``A[u, v]`` = 1 (or the edge weight) for an arc u -> v; symmetric when undirected."""
    n = net.graph.vcount()
    src, dst = arcs(net)
    if weighted and net.graph.ecount():
        w = np.asarray(net.graph.es["weight"], dtype=float)
        data = w if net.directed else np.concatenate([w, w])
    else:
        data = np.ones(len(src))
    return sp.csr_matrix((data, (src, dst)), shape=(n, n))
