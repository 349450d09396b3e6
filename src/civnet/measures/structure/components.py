"""Components and the description of a view (nodes, edges, density, counts by category)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.measures.structure.density import arc_density, density
from civnet.views.arrays import numeric
from civnet.views.network import Network
from civnet.vocab import ACTOR_LEVELS, RANKED_LEVELS


def component_sizes(net: Network) -> list[int]:
    """Sizes of the connected components (weak for directed views), largest first."""
    if net.graph.vcount() == 0:
        return []
    comps = net.graph.connected_components(mode="weak")
    return sorted(comps.sizes(), reverse=True)


def describe(net: Network) -> dict[str, Any]:
    """The four core factors' basic numbers for a view, and counts by category.

    What each count counts (docs/views.md, "What a view counts"): ``nodes`` actors; ``edges``
    connected pairs, unordered (two actors joined by at least one tie of any direction count
    once: the edges of ``nx.Graph`` of the view); ``arcs`` ordered pairs joined by a directed tie
    (undirected ties give none); ``ties`` tie records in the view; ``directed_ties`` how many of
    those records are directed; ``density`` connected pairs / (n(n-1)/2) and ``arc_density``
    arcs / (n(n-1)) (``None`` without directed ties), see :mod:`civnet.measures.structure.density`;
    ``components`` (weak) and the size of the largest; ``isolates`` actors with no tie in the
    view; counts of actors by type, level (:data:`civnet.vocab.ACTOR_LEVELS`) and country and of
    ties by track and kind; ``notes`` the view's notes and :func:`level_mix_warning`; ``periods``: how
    many ties are dated, the first and last start year, and dated ties by decade of their start.
    """
    g = net.graph
    sizes = component_sizes(net)
    ties = net.ties
    by_track = Counter(ties.column("track").to_pylist()) if ties.num_rows else Counter()
    by_kind = Counter(ties.column("kind").to_pylist()) if ties.num_rows else Counter()
    types = Counter(x for x in net.vertex_attr("type") if x) if g.vcount() else Counter()
    countries = (
        Counter(x for x in net.vertex_attr("country") if x)
        if g.vcount() and "country" in g.vs.attributes()
        else Counter()
    )
    partners, _, _ = net.partner_counts()
    levels = net.levels()
    by_level = Counter(levels)
    directed_ties = (
        int(pc.sum(ties.column("directed").cast("int64")).as_py() or 0)
        if ties.num_rows and "directed" in ties.column_names
        else 0
    )
    return {
        "nodes": g.vcount(),
        "edges": net.pair_count,
        "arcs": net.arc_count,
        "ties": ties.num_rows,
        "directed_ties": directed_ties,
        "directed": net.directed,
        "density": density(net),
        "arc_density": arc_density(net),
        "components": len(sizes),
        "largest_component": sizes[0] if sizes else 0,
        "isolates": int((partners == 0).sum()) if g.vcount() else 0,
        "countries": len(countries),
        "by_type": dict(types.most_common()),
        "by_level": {lv: by_level[lv] for lv in ACTOR_LEVELS if by_level[lv]},
        "by_track": dict(by_track.most_common()),
        "by_kind": dict(by_kind.most_common()),
        "by_country": dict(countries.most_common()),
        "periods": tie_periods(ties),
        "view": net.spec.describe(),
        "notes": list(net.notes) + level_mix_warning(net, levels),
    }


def level_mix_warning(net: Network, levels: list[str] | None = None) -> list[str]:
    """A warning when the view mixes ties between cities or organisations with ties of
    country-level or sector aggregates (their counts and densities are not comparable).

    Counts connected pairs: between two cities/organisations, and with at least one end a
    country or sector aggregate. Empty when the view holds only one of the two.
    """
    pe = net.pair_edges()
    if not len(pe):
        return []
    lv = np.asarray(levels if levels is not None else net.levels(), dtype=object)
    a, b = lv[pe[:, 0]], lv[pe[:, 1]]
    actor = np.isin(a, RANKED_LEVELS) & np.isin(b, RANKED_LEVELS)
    aggregate = np.isin(a, ("country", "sector")) | np.isin(b, ("country", "sector"))
    n_actor, n_agg = int(actor.sum()), int(aggregate.sum())
    if not (n_actor and n_agg):
        return []
    return [
        f"the view mixes {n_actor:,} connected pairs of cities or organisations with {n_agg:,} "
        "pairs of country-level or sector aggregates: their counts and densities are not "
        "comparable (--actor-level city --actor-level organisation, or --actor-level country "
        "--actor-level sector, keeps one kind)"
    ]


def tie_periods(ties: pa.Table) -> dict[str, Any]:
    """Dated and timeless ties, first and last start year, dated ties by decade of start."""
    if "start_date" not in ties.column_names or ties.num_rows == 0:
        return {"dated": 0, "timeless": ties.num_rows, "first": None, "last": None, "by_decade": {}}
    dated = numeric(pc.drop_null(pc.year(ties.column("start_date")))).astype(int)
    decades = Counter(f"{(y // 10) * 10}s" for y in dated.tolist())
    return {
        "dated": int(dated.size),
        "timeless": int(ties.num_rows - dated.size),
        "first": int(dated.min()) if dated.size else None,
        "last": int(dated.max()) if dated.size else None,
        "by_decade": dict(sorted(decades.items())),
    }
