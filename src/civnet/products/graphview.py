"""What the network view in the report and the dashboard draws: countries, actors, ties.

The page draws the *country-level network* by default: one node per country (sized by its actors
in the view), one edge per pair of countries with ties between their actors (width: the number of
ties), the heaviest pairs only. Positions are computed here, once, in Python: igraph's
Fruchterman-Reingold on the country graph (a few hundred nodes, so it costs milliseconds), seeded,
so the same view and seed give the same picture. Choosing a country *drills down* to its actors
and their partners, laid out in the browser on two rings (the country's actors inside, partners
outside grouped by country).

The payload keeps every tie of the view (so the page can filter by track, period and country and
recount nodes, edges and density exactly as :mod:`civnet.views` does; the drawing follows the
filters). ``edges`` lists at most ``max_edges`` connected pairs of actors (unordered, as
:meth:`~civnet.views.network.Network.pair_edges` counts them: an undirected tie in a view with
directed ties is one pair, not two arcs), the heaviest first (weight: the sum of the pair's tie
records' weights), for clients that draw actors themselves; ``edges_total`` is the view's
connected pairs, so it says how many were left out.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import igraph as ig
import numpy as np

from civnet.measures.structure.groups import UNKNOWN_GROUP, labels_of, partition_of
from civnet.regions import continent_of, short_name
from civnet.views.network import Network

MAX_EDGES = 60_000
BACKBONE = 3
"""Heaviest partners per country that the country layout pulls together."""

Progress = Callable[[int, int], None]


def country_layout(
    countries: Sequence[str], country_code: Sequence[int], net: Network, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (k x 2, in [0, 100]) of the countries and the cross-border ties between each
    pair (k x k).

    ``countries`` are the group labels, ``country_code`` each actor's index into them. Ties
    between two actors of known, different countries count once each (tie records, not merged
    pairs). The layout is Fruchterman-Reingold, seeded, on the *backbone*: each country's
    ``BACKBONE`` heaviest partners (weights ``log(1 + ties)``), so that countries gather by
    their main partners instead of into one ball; countries without a cross-border tie are put
    in a row below.
    """
    k = len(countries)
    pos = np.zeros((k, 2))
    weights = np.zeros((k, k))
    if k == 0:
        return pos, weights
    codes = np.asarray(country_code, dtype=np.int64)
    t = net.ties
    if t.num_rows:
        index = {a: i for i, a in enumerate(net.ids)}
        src = codes[[index[a] for a in t.column("source").to_pylist()]]
        dst = codes[[index[a] for a in t.column("target").to_pylist()]]
        unknown = [i for i, c in enumerate(countries) if c == UNKNOWN_GROUP]
        keep = (src != dst) & ~np.isin(src, unknown) & ~np.isin(dst, unknown)
        lo, hi = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
        np.add.at(weights, (lo, hi), 1.0)
        weights = weights + weights.T
    active = [c for c in range(k) if weights[c].sum() > 0]
    rest = [c for c in range(k) if weights[c].sum() == 0]
    if active:
        where = {c: i for i, c in enumerate(active)}
        backbone: set[tuple[int, int]] = set()
        for c in active:
            partners = np.nonzero(weights[c])[0]
            best = partners[np.lexsort((partners, -weights[c, partners]))][:BACKBONE]
            backbone.update((min(c, int(d)), max(c, int(d))) for d in best)
        edges = sorted(backbone)
        g = ig.Graph(n=len(active), edges=[(where[a], where[b]) for a, b in edges])
        ig.set_random_number_generator(random.Random(seed))
        try:
            coords = g.layout_fruchterman_reingold(
                weights=[math.log1p(weights[a, b]) for a, b in edges], niter=1000
            )
        finally:
            ig.set_random_number_generator(random)  # igraph's default: the random module
        xy = np.asarray(coords.coords, dtype=float).reshape(len(active), 2)
        lo_xy = xy.min(axis=0)
        span = float((xy.max(axis=0) - lo_xy).max()) or 1.0
        pos[active] = (xy - lo_xy) / span * 100.0
    if rest:
        top = float(pos[active, 1].max()) + 8.0 if active else 0.0
        cols = max(1, math.ceil(math.sqrt(len(rest) * 4)))
        for i, c in enumerate(rest):
            pos[c] = (100.0 * (i % cols) / max(1, cols - 1), top + 4.0 * (i // cols))
    return pos, weights


def _codes(values: Sequence[Any]) -> tuple[list[str], list[int]]:
    part = partition_of(labels_of(values))
    return part.groups, part.codes.tolist()


def _pair_weights(
    n: int, s: np.ndarray, t: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Connected pairs ``u < v`` of the tie records (s, t), sorted, and each pair's summed weight.

    >>> p, w = _pair_weights(3, np.array([0, 1, 2, 1]), np.array([1, 0, 1, 1]), np.ones(4))
    >>> p.tolist(), w.tolist()
    ([[0, 1], [1, 2]], [2.0, 1.0])
    """
    lo, hi = np.minimum(s, t), np.maximum(s, t)
    keep = lo != hi  # a self-loop is no pair
    key = lo[keep] * max(n, 1) + hi[keep]
    uniq, inverse = np.unique(key, return_inverse=True)
    weights = np.bincount(inverse, weights=np.nan_to_num(w[keep], nan=1.0), minlength=len(uniq))
    pairs = np.column_stack([uniq // max(n, 1), uniq % max(n, 1)]).astype(np.int64)
    return pairs, weights


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
    types, type_code = _codes(net.vertex_attr("type") if "type" in attrs else [None] * n)
    countries, country_code = _codes(
        net.vertex_attr("country") if "country" in attrs else [None] * n
    )
    labels = net.vertex_attr("label") if "label" in attrs else ids
    cpos, cweights = country_layout(countries, country_code, net, seed=seed)
    if progress:
        progress(1, 1)
    actors_per_country = np.bincount(
        np.asarray(country_code, dtype=np.int64), minlength=len(countries)
    )
    continent = [continent_of(c) if c != UNKNOWN_GROUP else None for c in countries]
    continents, continent_code = _codes(continent)
    index = {a: i for i, a in enumerate(ids)}
    t = net.ties
    cols = set(t.column_names)

    def col(name: str, default: Any = None) -> list[Any]:
        return t.column(name).to_pylist() if name in cols else [default] * t.num_rows

    tracks, track_code = _codes(col("track", "general"))
    kinds, kind_code = _codes(col("kind", "other"))
    tie_s = np.asarray([index[a] for a in col("source")], dtype=np.int64)
    tie_t = np.asarray([index[a] for a in col("target")], dtype=np.int64)
    pairs, weights = _pair_weights(n, tie_s, tie_t, np.asarray(col("weight", 1.0), dtype=float))
    order = np.argsort(-weights, kind="stable")[:max_edges]
    order.sort()
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
            "betweenness": [float(b) for b in betweenness],
            "degree": net.partner_counts()[0].tolist(),
        },
        "ties": {
            "s": tie_s.tolist(),
            "t": tie_t.tolist(),
            "track": track_code,
            "kind": kind_code,
            "start": [d.isoformat() if d is not None else None for d in col("start_date")],
            "end": [d.isoformat() if d is not None else None for d in col("end_date")],
            "directed": [1 if d else 0 for d in col("directed", False)],
        },
        "edges": {
            "s": pairs[order, 0].tolist(),
            "t": pairs[order, 1].tolist(),
            "weight": weights[order].tolist(),
        },
        "continents": continents,
        "country_nodes": {
            "name": [short_name(c) if c != UNKNOWN_GROUP else c for c in countries],
            "continent": continent_code,
            "actors": actors_per_country.tolist(),
            "x": [round(float(v), 3) for v in cpos[:, 0]],
            "y": [round(float(v), 3) for v in cpos[:, 1]],
            "cross_border_ties": [int(v) for v in cweights.sum(axis=1)],
        },
        "edges_total": len(pairs),
        "edges_drawn": len(order),
    }
