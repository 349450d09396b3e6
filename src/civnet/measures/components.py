"""Components and the description of a view (nodes, edges, density, counts by category)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.measures.density import density
from civnet.views.network import Network


def component_sizes(net: Network) -> list[int]:
    """Sizes of the connected components (weak for directed views), largest first."""
    if net.graph.vcount() == 0:
        return []
    comps = net.graph.connected_components(mode="weak")
    return sorted(comps.sizes(), reverse=True)


def describe(net: Network) -> dict[str, Any]:
    """The four core factors' basic numbers for a view, and counts by category.

    ``nodes`` actors; ``edges`` connected pairs (parallel ties once); ``ties`` tie records in the
    view; ``density`` as :func:`civnet.measures.density.density`; ``components`` (weak) and the
    size of the largest; ``isolates`` actors with no tie in the view; counts of actors by type
    and country and of ties by track and kind; ``periods``: how many ties are dated, the first and
    last start year, and dated ties by decade of their start.
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
    return {
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "ties": ties.num_rows,
        "directed": net.directed,
        "density": density(net),
        "components": len(sizes),
        "largest_component": sizes[0] if sizes else 0,
        "isolates": sum(1 for d in g.degree() if d == 0) if g.vcount() else 0,
        "countries": len(countries),
        "by_type": dict(types.most_common()),
        "by_track": dict(by_track.most_common()),
        "by_kind": dict(by_kind.most_common()),
        "by_country": dict(countries.most_common()),
        "periods": tie_periods(ties),
        "view": net.spec.describe(),
        "notes": list(net.notes),
    }


def tie_periods(ties: pa.Table) -> dict[str, Any]:
    """Dated and timeless ties, first and last start year, dated ties by decade of start."""
    if "start_date" not in ties.column_names or ties.num_rows == 0:
        return {"dated": 0, "timeless": ties.num_rows, "first": None, "last": None, "by_decade": {}}
    years = pc.year(ties.column("start_date")).to_numpy(zero_copy_only=False)
    dated = years[~np.isnan(years.astype(float))].astype(int) if years.size else years
    decades = Counter(f"{(y // 10) * 10}s" for y in dated.tolist())
    return {
        "dated": int(dated.size),
        "timeless": int(ties.num_rows - dated.size),
        "first": int(dated.min()) if dated.size else None,
        "last": int(dated.max()) if dated.size else None,
        "by_decade": dict(sorted(decades.items())),
    }
