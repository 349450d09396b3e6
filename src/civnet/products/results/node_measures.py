"""Per-actor measures attached to exported nodes, so Gephi users can size and colour by them.

Each column is the value ``civnet <measure> --format json`` gives the actor in the same view:
``partners`` (and ``in_partners`` / ``out_partners`` in a directed view), normalized
``betweenness``, ``harmonic_closeness``, ``eigenvector`` (absent outside the largest component),
``pagerank``, ``core`` (k-core number), ``ego_density`` (absent below two partners), and the UN
M49 ``continent`` and ``region`` of the actor's country. A missing value is left out of the node,
never written as 0.
"""

from __future__ import annotations

import math
from typing import Any

from civnet.measures import betweenness
from civnet.measures.structure.centrality import (
    degree,
    ego_density,
    eigenvector,
    harmonic_closeness,
    kcore,
    pagerank,
)
from civnet.products.results.structure_results import vertex_values
from civnet.views.network import Network

NODE_MEASURES: dict[str, tuple[str, str]] = {
    "partners": ("integer", "int"),
    "in_partners": ("integer", "int"),
    "out_partners": ("integer", "int"),
    "betweenness": ("double", "double"),
    "harmonic_closeness": ("double", "double"),
    "eigenvector": ("double", "double"),
    "pagerank": ("double", "double"),
    "core": ("integer", "int"),
    "ego_density": ("double", "double"),
    "continent": ("string", "string"),
    "region": ("string", "string"),
}
"""Attribute name -> (GEXF type, GraphML type), in the order the files declare them."""


def node_measures(net: Network) -> list[dict[str, Any]]:
    """For each actor (vertex order), its measures as ``{name: value}`` without missing values."""
    n = net.graph.vcount()
    if n == 0:
        return []
    d = degree(net)
    columns: dict[str, list[Any]] = {"partners": d.partners.tolist()}
    if d.in_partners is not None and d.out_partners is not None:
        columns["in_partners"] = d.in_partners.tolist()
        columns["out_partners"] = d.out_partners.tolist()
    columns["betweenness"] = betweenness(net).values.tolist()
    columns["harmonic_closeness"] = harmonic_closeness(net).tolist()
    columns["eigenvector"] = eigenvector(net).values.tolist()
    columns["pagerank"] = pagerank(net).tolist()
    columns["core"] = kcore(net).tolist()
    columns["ego_density"] = ego_density(net).values.tolist()
    columns["continent"] = vertex_values(net, "continent")
    columns["region"] = vertex_values(net, "region")
    out: list[dict[str, Any]] = []
    for i in range(n):
        row = {}
        for name, col in columns.items():
            v = col[i]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            row[name] = v
        out.append(row)
    return out
