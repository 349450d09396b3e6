"""A small workspace for the structure commands' CLI tests: Padgett's Florentine families.

Families alternate between two 'countries' (FRA, ITA) by sorted name; marriages get the track
``culture`` except every third (``economy_trade``); two families are universities, the rest CSOs.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import networkx as nx


def florentine_graph() -> nx.Graph:
    """The same graph and attributes as the workspace, for oracles."""
    g = nx.florentine_families_graph()
    for i, n in enumerate(sorted(g)):
        g.nodes[n]["country"] = "ITA" if i % 2 else "FRA"
        g.nodes[n]["type"] = "university" if i < 2 else "cso"
    for i, (u, v) in enumerate(sorted(tuple(sorted(e)) for e in g.edges())):
        g[u][v]["track"] = "culture" if i % 3 else "economy_trade"
    return g


def florentine_workspace(cli: Any, tmp_path: Path) -> Any:
    g = florentine_graph()
    actors = tmp_path / "families.csv"
    ties = tmp_path / "marriages.csv"
    with open(actors, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "type", "country"])
        for n in sorted(g):
            w.writerow([n, f"{n} family", g.nodes[n]["type"], g.nodes[n]["country"]])
    with open(ties, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "target", "track"])
        for u, v, d in sorted((*sorted((a, b)), d) for a, b, d in g.edges(data=True)):
            w.writerow([u, v, d["track"]])
    cli("import", "table", "--actors", str(actors), "--ties", str(ties))
    return cli
