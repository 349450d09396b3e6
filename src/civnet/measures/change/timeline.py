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
    # each list counted once for both indices (as shannon() and blau() count it)
    type_shannon, type_blau = _shannon_blau(tuple(diversity.category_counts(types).tolist()), {})
    track_shannon, track_blau = _shannon_blau(tuple(diversity.category_counts(tracks).tolist()), {})
    return {
        "nodes": n,
        "edges": net.pair_count,
        "ties": net.ties.num_rows,
        "density": density(net) if n else float("nan"),
        "mean_betweenness": float(b.mean()) if n else float("nan"),
        "max_betweenness": float(b.max()) if n else float("nan"),
        "components": len(sizes),
        "largest_component": sizes[0] if sizes else 0,
        "type_shannon": type_shannon,
        "type_blau": type_blau,
        "track_shannon": track_shannon,
        "track_blau": track_blau,
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

    Counted with numpy over all countries at once; each country's categories are counted in
    the order they are first seen (its actors in vertex order, its ties in row order), as
    :func:`~civnet.measures.structure.diversity.category_counts` counts them, so the indices are
    those of :func:`shannon` and :func:`blau` on each country's lists (the same values:
    ``tests/test_timeline.py`` compares them with the per-tie loop).
    """
    g = net.graph
    if g.vcount() == 0 or "country" not in g.vs.attributes():
        return []
    ids = net.ids
    n = len(ids)
    countries = net.vertex_attr("country")
    types = net.vertex_attr("type") if "type" in g.vs.attributes() else [None] * n
    if b is None:
        b = betweenness(net).values
    b = np.asarray(b, dtype=float)
    names = sorted({c for c in countries if c is not None})
    if not names:
        return []
    k = len(names)
    code = {c: i for i, c in enumerate(names)}
    vc = np.array([code[c] if c is not None else -1 for c in countries], dtype=np.int64)
    index = {a: i for i, a in enumerate(ids)}
    t = net.ties
    m = t.num_rows
    ends = []
    for col in ("source", "target"):
        at = np.array([index.get(a, -1) for a in t.column(col).to_pylist()], dtype=np.int64)
        ends.append(np.where(at >= 0, vc[np.maximum(at, 0)], -1) if m else at)
    cs, ct = ends
    rows = np.arange(m)
    # each tie row touches the countries of its ends (once when both ends share one)
    first_end = cs >= 0
    second_end = (ct >= 0) & (ct != cs)
    touch_c = np.concatenate([cs[first_end], ct[second_end]])
    touch_other = np.concatenate([ct[first_end], cs[second_end]])
    touch_row = np.concatenate([rows[first_end], rows[second_end]])
    cross = (touch_other >= 0) & (touch_other != touch_c)
    n_ties = np.bincount(touch_c, minlength=k)
    n_cross = np.bincount(touch_c[cross], minlength=k)
    partners = np.unique(touch_c[cross] * k + touch_other[cross])
    n_partners = np.bincount(partners // k, minlength=k)
    # actors by country, in vertex order
    members = np.argsort(vc, kind="stable")
    bounds = np.searchsorted(vc[members], np.arange(k + 1))
    type_counts = _first_seen_counts(vc, _category_codes(types), np.arange(n), k)
    tracks = t.column("track").to_pylist() if "track" in t.column_names else [None] * m
    track_codes = _category_codes(tracks)
    track_counts = _first_seen_counts(touch_c, track_codes[touch_row], touch_row, k)
    memo: dict[tuple[int, ...], tuple[float, float]] = {}
    out = []
    for i, c in enumerate(names):
        mine = b[members[bounds[i] : bounds[i + 1]]]
        ts, tb = _shannon_blau(type_counts[i], memo)
        ks, kb = _shannon_blau(track_counts[i], memo)
        out.append(
            {
                "country": c,
                "actors": len(mine),
                "ties": int(n_ties[i]),
                "cross_border": int(n_cross[i]),
                "partner_countries": int(n_partners[i]),
                "mean_betweenness": float(np.mean(mine)),
                "max_betweenness": float(np.max(mine)),
                "type_shannon": ts,
                "type_blau": tb,
                "track_shannon": ks,
                "track_blau": kb,
            }
        )
    return out


def _category_codes(values: Sequence[Hashable | None]) -> np.ndarray:
    """Integer codes of ``values`` (-1 for None)."""
    seen: dict[Hashable, int] = {}
    return np.array(
        [-1 if v is None else seen.setdefault(v, len(seen)) for v in values], dtype=np.int64
    )


def _first_seen_counts(
    group: np.ndarray, category: np.ndarray, when: np.ndarray, k: int
) -> list[tuple[int, ...]]:
    """For each group 0..k-1: how often each category occurs among its items, categories in
    the order of their first item (``when``), categories < 0 left out: the counts
    :func:`~civnet.measures.structure.diversity.category_counts` gives for each group's items
    in ``when`` order."""
    ok = (group >= 0) & (category >= 0)
    g, cat, w = group[ok], category[ok], when[ok]
    out: list[tuple[int, ...]] = [()] * k
    if not len(g):
        return out
    size = int(cat.max()) + 1
    key = g * size + cat
    order = np.lexsort((w, key))
    key, w = key[order], w[order]
    new = np.ones(len(key), bool)
    new[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(key)))
    kg, first = key[starts] // size, w[starts]
    order = np.lexsort((first, kg))  # per group, by first item
    kg, counts = kg[order], counts[order]
    bounds = np.searchsorted(kg, np.arange(k + 1))
    for i in np.unique(kg).tolist():
        out[i] = tuple(counts[bounds[i] : bounds[i + 1]].tolist())
    return out


def _shannon_blau(
    counts: tuple[int, ...], memo: dict[tuple[int, ...], tuple[float, float]]
) -> tuple[float, float]:
    """:func:`shannon` and :func:`blau` of categories with these counts (0 when none),
    remembered in ``memo`` (many countries share their counts)."""
    got = memo.get(counts)
    if got is None:
        if counts:
            c = np.array(counts, dtype=np.int64)
            got = (diversity.shannon(c), diversity.blau(c))
        else:
            got = (0.0, 0.0)
        memo[counts] = got
    return got


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
