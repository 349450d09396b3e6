"""Partitions of the actors by an attribute, and the sparse adjacency the structure measures share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from civnet.errors import BadFilter, EmptyNetwork
from civnet.regions import GROUPINGS, grouping_values
from civnet.views.network import Network

if TYPE_CHECKING:
    import scipy.sparse as sp

UNKNOWN_GROUP = "(unknown)"


def labels_of(values: Iterable[object]) -> list[str]:
    """Group labels of attribute values: missing (None or '') becomes '(unknown)', others str.

    >>> labels_of(["DEU", None, "", 3])
    ['DEU', '(unknown)', '(unknown)', '3']
    """
    return [UNKNOWN_GROUP if v is None or v == "" else str(v) for v in values]


def group_labels(net: Network, by: str) -> list[str]:
    """Each vertex's group under attribute ``by`` (missing values become '(unknown)').

    ``by`` is a vertex attribute of the view (country, type, city...), or ``continent`` /
    ``region``: the UN M49 region or sub-region of the actor's country (:mod:`civnet.regions`).
    """
    attributes = net.graph.vs.attributes()
    if by in GROUPINGS and by not in attributes:
        countries = net.vertex_attr("country") if "country" in attributes else [None] * len(net.ids)
        return labels_of(grouping_values(by, countries))
    try:
        values = net.vertex_attr(by)
    except KeyError:
        raise BadFilter(
            f"no actor attribute {by!r}",
            fix="group by one of: " + ", ".join(["id", *attributes, *GROUPINGS]),
        ) from None
    return labels_of(values)


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
    return partition_of(group_labels(net, by), by)


def partition_of(labels: Sequence[str], attribute: str = "") -> Partition:
    """The partition of items by their ``labels``: sorted group names, codes and sizes.

    >>> partition_of(["b", "a", "b"]).codes.tolist()
    [1, 0, 1]
    """
    labels = list(labels)
    groups = sorted(set(labels))
    index = {name: i for i, name in enumerate(groups)}
    codes = np.fromiter((index[x] for x in labels), dtype=np.int64, count=len(labels))
    sizes = np.bincount(codes, minlength=len(groups)).astype(np.int64)
    return Partition(attribute, labels, groups, codes, sizes)


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
    import scipy.sparse as sp

    n = net.graph.vcount()
    src, dst = arcs(net)
    if weighted and net.graph.ecount():
        w = np.asarray(net.graph.es["weight"], dtype=float)
        data = w if net.directed else np.concatenate([w, w])
    else:
        data = np.ones(len(src))
    return sp.csr_matrix((data, (src, dst)), shape=(n, n))
