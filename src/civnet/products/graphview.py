"""What the network view in the report and the dashboard draws: positions, nodes, ties, edges.

The layout is computed here, once, in Python (igraph), so the browser only draws: every
component of three or more actors is laid out on its own (DrL above ``DRL_ABOVE`` actors,
Fruchterman-Reingold below), scaled to an area proportional to its size, and the components are
packed in rows, largest first; pairs and isolates follow in a grid. The layout is seeded, so the
same view and seed give the same picture.

The payload keeps every tie of the view (so the page can filter by track, period and country and
recount nodes, edges and density exactly as :mod:`civnet.views` does) but draws at most
``max_edges`` edges, the heaviest first; it says how many it left out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import igraph as ig
import numpy as np

from civnet.measures.groups import labels_of, partition_of
from civnet.views.network import Network

DRL_ABOVE = 400
MAX_EDGES = 60_000

Progress = Callable[[int, int], None]


def layout(net: Network, *, seed: int = 0, progress: Progress | None = None) -> np.ndarray:
    """Positions (n x 2) for the view's actors, components packed in rows (see module doc)."""
    g = net.graph
    n = g.vcount()
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    comps = sorted(g.connected_components(mode="weak"), key=lambda c: (-len(c), c[0]))
    big = [c for c in comps if len(c) >= 3]
    small = [c for c in comps if len(c) < 3]
    total = len(big) + 1
    boxes: list[tuple[list[int], np.ndarray, float]] = []
    ig.set_random_number_generator(random.Random(seed))
    try:
        for k, comp in enumerate(big):
            sub = g.induced_subgraph(comp)
            if sub.is_directed():
                sub = sub.as_undirected()
            coords = np.asarray(
                sub.layout_drl() if len(comp) > DRL_ABOVE else sub.layout_fruchterman_reingold(),
                dtype=float,
            )
            side = math.sqrt(len(comp))
            boxes.append((comp, _fit(coords, side), side))
            if progress:
                progress(k + 1, total)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module
    singles = [v for c in small for v in c]
    if singles:
        cols = max(1, math.ceil(math.sqrt(len(singles))))
        grid = np.array([[i % cols, i // cols] for i in range(len(singles))], dtype=float)
        side = max(1.0, 0.6 * cols)
        boxes.append((singles, _fit(grid, side), side))
    _pack(boxes, pos)
    if progress:
        progress(total, total)
    return pos


def _fit(coords: np.ndarray, side: float) -> np.ndarray:
    """Scale coordinates into a [0, side] square (a single point goes to its centre)."""
    lo = coords.min(axis=0)
    span = float((coords.max(axis=0) - lo).max())
    if span == 0:
        return np.full_like(coords, side / 2.0)
    return (coords - lo) / span * side


def _pack(boxes: Sequence[tuple[list[int], np.ndarray, float]], pos: np.ndarray) -> None:
    """Shelf packing: boxes left to right in rows about as wide as the whole area is tall."""
    width = math.sqrt(sum((s + 1.0) ** 2 for _, _, s in boxes)) * 1.1
    x = y = row_h = 0.0
    for members, coords, side in boxes:
        if x > 0 and x + side > width:
            x, y, row_h = 0.0, y + row_h + 1.0, 0.0
        pos[members] = coords + np.array([x, y])
        x += side + 1.0
        row_h = max(row_h, side)


def _codes(values: Sequence[Any]) -> tuple[list[str], list[int]]:
    part = partition_of(labels_of(values))
    return part.groups, part.codes.tolist()


def graph_payload(
    net: Network,
    betweenness: Sequence[float],
    *,
    seed: int = 0,
    max_edges: int = MAX_EDGES,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The network view's data: compact columns the page's JavaScript reads (see module doc)."""
    g = net.graph
    ids = net.ids
    n = g.vcount()
    attrs = set(g.vs.attributes())
    pos = layout(net, seed=seed, progress=progress)
    types, type_code = _codes(net.vertex_attr("type") if "type" in attrs else [None] * n)
    countries, country_code = _codes(
        net.vertex_attr("country") if "country" in attrs else [None] * n
    )
    labels = net.vertex_attr("label") if "label" in attrs else ids
    index = {a: i for i, a in enumerate(ids)}
    t = net.ties
    cols = set(t.column_names)

    def col(name: str, default: Any = None) -> list[Any]:
        return t.column(name).to_pylist() if name in cols else [default] * t.num_rows

    tracks, track_code = _codes(col("track", "general"))
    kinds, kind_code = _codes(col("kind", "other"))
    weights = np.asarray(g.es["weight"], dtype=float) if g.ecount() else np.zeros(0)
    order = np.argsort(-weights, kind="stable")[:max_edges]
    order.sort()
    el = g.get_edgelist()
    return {
        "directed_view": net.directed,
        "view": net.spec.describe(),
        "seed": seed,
        "types": types,
        "countries": countries,
        "tracks": tracks,
        "kinds": kinds,
        "nodes": {
            "id": ids,
            "label": [str(x) if x else ids[i] for i, x in enumerate(labels)],
            "type": type_code,
            "country": country_code,
            "x": [round(float(v), 3) for v in pos[:, 0]],
            "y": [round(float(v), 3) for v in pos[:, 1]],
            "betweenness": [float(b) for b in betweenness],
            "degree": net.partner_counts()[0].tolist(),
        },
        "ties": {
            "s": [index[a] for a in col("source")],
            "t": [index[a] for a in col("target")],
            "track": track_code,
            "kind": kind_code,
            "start": [d.isoformat() if d is not None else None for d in col("start_date")],
            "end": [d.isoformat() if d is not None else None for d in col("end_date")],
            "directed": [1 if d else 0 for d in col("directed", False)],
        },
        "edges": {
            "s": [el[i][0] for i in order],
            "t": [el[i][1] for i in order],
            "weight": [float(weights[i]) for i in order],
        },
        "edges_total": g.ecount(),
        "edges_drawn": len(order),
    }
