"""Measures over time: periods, the four core factors per period, diversification, tie turnover.

The functions are pure: the product layer builds one view per period (``ViewSpec`` with the
period's dates, then ``build_network``) and hands the networks here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from civnet.errors import BadFilter
from civnet.measures.intermediation.betweenness import betweenness
from civnet.measures.statistics.choices import EVERY
from civnet.measures.structure import diversity
from civnet.measures.structure.components import component_sizes
from civnet.measures.structure.density import density
from civnet.views.network import Network


@dataclass(frozen=True)
class Period:
    """A closed date interval ``[start, end]`` with a label such as ``2016`` or ``2016-2018``."""

    label: str
    start: dt.date
    end: dt.date


def periods(first: dt.date, last: dt.date, every: str = "year", window: int = 1) -> list[Period]:
    """Consecutive periods of ``window`` years or months from ``first``'s to ``last``'s.

    ``window=1``: one period per calendar year (or month). ``window=K``: rolling windows of K
    units, one ending at each unit from the K-th on (``2016-2018``, ``2017-2019``...); when the
    span is shorter than K units there is one window over the whole span.

    >>> [p.label for p in periods(dt.date(2016, 3, 1), dt.date(2019, 1, 1), window=3)]
    ['2016-2018', '2017-2019']
    """
    if every not in EVERY:
        raise BadFilter(f"unknown --every {every!r}", fix=f"use one of: {', '.join(EVERY)}")
    if window < 1:
        raise BadFilter(f"--window must be at least 1, got {window}", fix="use e.g. --window 3")
    if first > last:
        raise BadFilter(f"period start {first} is after its end {last}", fix="swap --from/--to")
    units = _units(first, last, every)
    if len(units) < window:
        window = len(units)
    out = []
    for i in range(window - 1, len(units)):
        a, b = units[i - window + 1], units[i]
        label = a[0] if window == 1 else f"{a[0]}-{b[0]}"
        out.append(Period(label, a[1], b[2]))
    return out


def _units(first: dt.date, last: dt.date, every: str) -> list[tuple[str, dt.date, dt.date]]:
    if every == "year":
        return [
            (str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in range(first.year, last.year + 1)
        ]
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        end = dt.date(y, m, calendar.monthrange(y, m)[1])
        out.append((f"{y}-{m:02d}", dt.date(y, m, 1), end))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# -- diversification ---------------------------------------------------------------------------


def shannon(values: Iterable[Hashable | None]) -> float:
    """Shannon entropy (nats) of the categories in ``values``; None left out; no values gives 0.

    :func:`civnet.measures.structure.diversity.shannon` of the
    :func:`~civnet.measures.structure.diversity.category_counts` of ``values``, except that an empty list
    gives 0 rather than NaN: a period with no actors or ties has no diversification.
    Reference: Shannon (1948) doi:10.1002/j.1538-7305.1948.tb01338.x.

    >>> round(shannon(["a", "a", "b", "b"]), 4)  # ln 2
    0.6931
    """
    counts = diversity.category_counts(values)
    return diversity.shannon(counts) if counts.size else 0.0


def blau(values: Iterable[Hashable | None]) -> float:
    """Blau's index ``1 - sum p_i^2`` of the categories in ``values``; None left out; empty 0.

    :func:`civnet.measures.structure.diversity.blau` of the
    :func:`~civnet.measures.structure.diversity.category_counts` of ``values``, with 0 for an empty list
    as in :func:`shannon`. Reference: Blau (1977), *Inequality and Heterogeneity*, Free Press.

    >>> blau(["a", "a", "b", "b"])
    0.5
    """
    counts = diversity.category_counts(values)
    return diversity.blau(counts) if counts.size else 0.0


# -- the core factors of one period ------------------------------------------------------------


def mean_betweenness(net: Network) -> float:
    """Mean normalized betweenness of the view's actors, from the distance histogram.

    Each shortest s-t path has ``d(s,t) - 1`` interior actors, so the betweenness values sum to
    ``S = sum over connected pairs (d(s,t) - 1)`` (unordered pairs undirected, ordered directed).
    The mean is ``S / n`` divided by the normalization of :func:`civnet.measures.intermediation.betweenness`
    (``(n-1)(n-2)/2`` undirected, ``(n-1)(n-2)`` directed); identical to
    ``betweenness(net).values.mean()`` at a fraction of its cost. Fewer than 3 actors: 0.

    Reference: Brandes (2001) doi:10.1080/0022250X.2001.9990249 (the sum identity follows from
    the definition).
    """
    g = net.graph
    n = g.vcount()
    if n < 3 or g.ecount() == 0:
        return 0.0
    directed = g.is_directed()
    hist = g.path_length_hist(directed=directed)
    total = float(sum((lo - 1) * count for lo, _hi, count in hist.bins()))
    norm = (n - 1) * (n - 2) * (1.0 if directed else 0.5)
    return total / n / norm


def core_factors(net: Network, b: np.ndarray | None = None) -> dict[str, Any]:
    """The four core factors of a view and its diversification indices.

    ``nodes``, ``edges`` (connected pairs, unordered: docs/views.md), ``ties`` (records), ``density``
    (:func:`~civnet.measures.structure.density`), ``mean_betweenness`` / ``max_betweenness`` (normalized,
    :func:`~civnet.measures.intermediation.betweenness`), ``components`` (weak) and ``largest_component``;
    subject diversification ``type_shannon`` / ``type_blau`` over the actors' types and field
    diversification ``track_shannon`` / ``track_blau`` over the ties' tracks
    (:func:`shannon`, :func:`blau`). An empty view gives zeros and NaN densities. ``b``: the
    view's normalized betweenness when already computed (else computed here).
    """
    g = net.graph
    n = g.vcount()
    sizes = component_sizes(net)
    if b is None:
        b = betweenness(net).values if n else np.zeros(0)
    types = net.vertex_attr("type") if n and "type" in g.vs.attributes() else []
    tracks = net.ties.column("track").to_pylist() if "track" in net.ties.column_names else []
    return {
        "nodes": n,
        "edges": net.pair_count,
        "ties": net.ties.num_rows,
        "density": density(net) if n else float("nan"),
        "mean_betweenness": float(b.mean()) if n else float("nan"),
        "max_betweenness": float(b.max()) if n else float("nan"),
        "components": len(sizes),
        "largest_component": sizes[0] if sizes else 0,
        "type_shannon": shannon(types),
        "type_blau": blau(types),
        "track_shannon": shannon(tracks),
        "track_blau": blau(tracks),
    }


COUNTS_FIXED_BY_TIES: dict[str, str] = dict.fromkeys(
    ("nodes", "edges", "ties", "components", "largest_component"),
    "no p-value: the label permutation keeps each period's number of tie records and these "
    "counts follow from it, so the permutation does not test a change in them",
)
"""The :func:`core_factors` that a permutation of period labels cannot test, with the reason.

The permutation (:func:`civnet.measures.statistics.uncertainty.permutation_test`) keeps each period's
number of tie records; the counts of actors, connected pairs, records and components of a
period are driven by that number, so their permuted differences measure the difference in
period size, not a change. ``compare`` shows their bootstrap interval and no p-value.
"""


def turnover(net: Network, period: Period) -> dict[str, int]:
    """Ties formed (``start_date`` in the period) and ended (``end_date`` in it) in ``net``.

    ``net`` is the period's view, which holds every tie active in the period, so each tie formed
    or ended in the period is in it. Ties without dates (timeless ties, co-membership ties of a
    projection) are neither formed nor ended.
    """
    import pyarrow.compute as pc

    out = {"formed": 0, "ended": 0}
    for col, key in (("start_date", "formed"), ("end_date", "ended")):
        if col in net.ties.column_names and net.ties.num_rows:
            d = net.ties.column(col)
            inside = pc.and_(pc.greater_equal(d, period.start), pc.less_equal(d, period.end))
            out[key] = int(pc.sum(inside.cast("int64")).as_py() or 0)  # nulls: not counted
    return out


def country_factors(net: Network, b: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Per country of the view: its actors, ties, cross-border ties, partners, brokerage, mix.

    For country c: ``actors`` of c in the view; ``ties`` tie records touching c;
    ``cross_border`` those whose other end is in another (known) country; ``partner_countries``
    distinct other countries reached; ``mean_betweenness`` / ``max_betweenness`` of c's actors
    (normalized, in the whole view); ``type_shannon`` / ``type_blau`` over c's actors' types;
    ``track_shannon`` / ``track_blau`` over the tracks of the ties touching c. Countries sorted.
    ``b``: the view's normalized betweenness when already computed (else computed here).
    """
    g = net.graph
    if g.vcount() == 0 or "country" not in g.vs.attributes():
        return []
    ids = net.ids
    country = dict(zip(ids, net.vertex_attr("country"), strict=True))
    types = net.vertex_attr("type") if "type" in g.vs.attributes() else [None] * len(ids)
    if b is None:
        b = betweenness(net).values
    by: dict[str, dict[str, Any]] = {}
    for i, a in enumerate(ids):
        c = country[a]
        if c is None:
            continue
        d = by.setdefault(c, {"types": [], "b": [], "tracks": [], "ties": 0, "x": 0, "p": set()})
        d["types"].append(types[i])
        d["b"].append(b[i])
    src = net.ties.column("source").to_pylist()
    dst = net.ties.column("target").to_pylist()
    tracks = (
        net.ties.column("track").to_pylist()
        if "track" in net.ties.column_names
        else [None] * len(src)
    )
    for s, t, tr in zip(src, dst, tracks, strict=True):
        cs, ct = country.get(s), country.get(t)
        for c, other in ((cs, ct), (ct, cs)) if cs != ct else ((cs, ct),):
            if c is None:
                continue
            d = by[c]
            d["ties"] += 1
            d["tracks"].append(tr)
            if other is not None and other != c:
                d["x"] += 1
                d["p"].add(other)
    out = []
    for c in sorted(by):
        d = by[c]
        out.append(
            {
                "country": c,
                "actors": len(d["types"]),
                "ties": d["ties"],
                "cross_border": d["x"],
                "partner_countries": len(d["p"]),
                "mean_betweenness": float(np.mean(d["b"])),
                "max_betweenness": float(np.max(d["b"])),
                "type_shannon": shannon(d["types"]),
                "type_blau": blau(d["types"]),
                "track_shannon": shannon(d["tracks"]),
                "track_blau": blau(d["tracks"]),
            }
        )
    return out


@dataclass(frozen=True)
class PeriodMeasures:
    """What :func:`timeline` computed for one period."""

    period: Period
    whole: dict[str, Any]
    countries: list[dict[str, Any]]
    notes: list[str]


def timeline(views: Sequence[tuple[Period, Network]]) -> list[PeriodMeasures]:
    """:func:`core_factors`, :func:`turnover` and :func:`country_factors` for each period.

    ``views`` pairs each period with its view (built with the period's dates). A period whose
    view is empty still appears, with zero counts and NaN densities, so gaps stay visible.
    """
    out = []
    for period, net in views:
        b = betweenness(net).values if net.graph.vcount() else np.zeros(0)
        whole = core_factors(net, b) | turnover(net, period)
        out.append(PeriodMeasures(period, whole, country_factors(net, b), list(net.notes)))
    return out
