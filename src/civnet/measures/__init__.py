"""Measures: pure functions from a :class:`~civnet.views.Network` to numbers. No I/O."""

from civnet.measures.betweenness import (
    Betweenness,
    GroupBetweenness,
    betweenness,
    group_betweenness,
)
from civnet.measures.components import component_sizes, describe
from civnet.measures.density import BlockDensity, block_density, density
from civnet.measures.groups import group_labels

__all__ = [
    "Betweenness",
    "BlockDensity",
    "GroupBetweenness",
    "betweenness",
    "block_density",
    "component_sizes",
    "density",
    "describe",
    "group_betweenness",
    "group_labels",
]
