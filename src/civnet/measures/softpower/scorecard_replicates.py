"""The scorecard's indicators on bootstrap replicates of a view, computed from arrays.

:class:`_ReplicateIndicators` gives, for a compact
:class:`~civnet.measures.statistics.resampling.Replicate`, the same raw values as
:data:`~civnet.measures.softpower.scorecard_indicators.INDICATORS` on the replicate built as a network,
without building it; :func:`civnet.measures.softpower.scorecard.scorecard_bootstrap` uses it for each
replicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from civnet.measures.softpower.scorecard_indicators import (
    CULTURE_TRACKS,
    ECON_TYPES,
    GOVERNANCE_TRACKS,
    NAN,
    Raw,
)
from civnet.measures.statistics.replicate_statistics import replicate_betweenness
from civnet.measures.statistics.resampling import Replicate, ViewArrays
from civnet.measures.structure.ei import ei_ratio
from civnet.vocab import AFFILIATION_TYPES, CIVIL_ACTOR_TYPES

Arr = np.ndarray | str
"""An indicator's raw values on a replicate, in the order of the countries scored (float64),
or the reason it is missing."""


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` elementwise, NaN where ``den`` is 0 (as ``num / den if den else NaN``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), NAN)


class _ReplicateIndicators:
    """The indicators of :data:`INDICATORS` on bootstrap replicates of one view, from arrays.

    A replicate (:class:`civnet.measures.statistics.resampling.Replicate`) holds ``copies[v]`` copies of
    each actor v of the view and ``tie_rows[i]`` rows of each tie i, spread over the pairs of
    copies of its ends. Each indicator computed on that network (its tie rows, its distinct
    actors, its dyads of copies) equals a sum over the view's ties and actors weighted by those
    multiplicities; this class computes those sums with numpy, and the betweenness indicators on
    the bare graph of the replicate's sub-network, without building the replicate's tables.
    ``tests/test_uncertainty.py`` checks every indicator against the generic path.

    Tie rows with the same ends, track and direction are alike for every indicator: the
    class works on one row per such class (:attr:`view`, the given view's :attr:`full`
    rows merged; the embedded data: 42,285 of 89,166 rows), with the records of a class's
    rows summed. The sums it takes then add the same whole numbers in fewer terms (exact in
    any order), and the sub-networks have the same edges: the same values, in half the time
    (``merge=False`` keeps every row: the reference ``tests/test_scorecard.py`` compares with).
    """

    def __init__(self, view: ViewArrays, merge: bool = True) -> None:
        self.full = view
        m = view.ties.num_rows
        tracks = (
            view.ties.column("track").to_pylist()
            if "track" in view.ties.column_names
            else ["general"] * m
        )
        seen: dict[str | None, int] = {}
        track = np.array([seen.setdefault(x, len(seen)) for x in tracks], dtype=np.int64)
        n_tracks, n = max(len(seen), 1), max(view.n, 1)
        key = ((view.src * n + view.dst) * n_tracks + track) * 2 + view.tie_directed
        if not merge:
            key = np.arange(m)
        _, first, self.row_class = np.unique(key, return_index=True, return_inverse=True)
        # classes numbered in the order of their first row
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self.row_class = rank[self.row_class.reshape(-1)]
        view = view.with_ties(first[order])
        self.view = view
        a, t = view.actors, view.ties
        n, m = view.n, t.num_rows
        countries = a.column("country").to_pylist() if "country" in a.column_names else [None] * n
        types = a.column("type").to_pylist() if "type" in a.column_names else [None] * n
        self.names = sorted({c for c in countries if c is not None})
        code = {c: i for i, c in enumerate(self.names)}
        self.country = np.array([code.get(c, -1) for c in countries], dtype=np.int64)
        self.civil = np.array([x in CIVIL_ACTOR_TYPES for x in types], dtype=bool)
        self.hub = np.array([x in AFFILIATION_TYPES for x in types], dtype=bool)
        self.econ_type = np.array([x in ECON_TYPES for x in types], dtype=bool)
        tracks = t.column("track").to_pylist() if "track" in t.column_names else ["general"] * m
        tcode: dict[str | None, int] = {}
        self.track = np.array([tcode.setdefault(x, len(tcode)) for x in tracks], dtype=np.int64)
        self.n_tracks = max(len(tcode), 1)
        self.culture = np.array([x in CULTURE_TRACKS for x in tracks], dtype=bool)
        self.governance = np.array([x in GOVERNANCE_TRACKS for x in tracks], dtype=bool)
        self.econ_track = np.array([x == "economy_trade" for x in tracks], dtype=bool)
        # the two betweenness indicators' sub-networks: their tie rows, as views of their own
        # (a replicate of one scans those rows only)
        self.governance_ties = self.governance | self.hub[view.src] | self.hub[view.dst]
        self.culture_rows = np.flatnonzero(self.culture)
        self.governance_rows = np.flatnonzero(self.governance_ties)
        self.culture_view = view.with_ties(self.culture_rows)
        self.governance_view = view.with_ties(self.governance_rows)
        cs, ct = self.country[view.src], self.country[view.dst]
        self.cross = (cs >= 0) & (ct >= 0) & (cs != ct)
        # Distinct keys the indicators count, numbered once for the view: each replicate marks
        # the ones it holds with a bincount instead of sorting its own keys (np.unique). The
        # counts are the same; sums over them add whole numbers (copies), exact in any order.
        size = max(len(self.names), 1)
        self.size = size
        # (country of end a, other end b) for both orientations of each tie
        pair_key = np.concatenate([(cs + 1) * n + view.dst, (ct + 1) * n + view.src])
        pairs, pair_id = np.unique(pair_key, return_inverse=True)
        self.pair_fwd, self.pair_bwd = pair_id[:m], pair_id[m:]
        self.pair_country, self.pair_b = pairs // n - 1, pairs % n
        self.n_pairs = len(pairs)
        # cross-border dyads {u, v}, their (dyad, track) and (dyad, direction) combinations
        cross = np.flatnonzero(self.cross)
        lo = np.minimum(view.src[cross], view.dst[cross])
        hi = np.maximum(view.src[cross], view.dst[cross])
        dyads, dyad = np.unique(lo * n + hi, return_inverse=True)
        self.dyad = np.full(m, -1, np.int64)
        self.dyad[cross] = dyad
        self.dyad_u, self.dyad_v = dyads // n, dyads % n
        combos, combo = np.unique(
            self.dyad[cross] * self.n_tracks + self.track[cross], return_inverse=True
        )
        self.dyad_track = np.full(m, -1, np.int64)
        self.dyad_track[cross] = combo
        self.dyad_track_dyad = combos // self.n_tracks
        way = self.dyad[cross] * 2 + (view.src[cross] > view.dst[cross])
        ways, way_id = np.unique(way, return_inverse=True)
        self.dyad_way = np.full(m, -1, np.int64)
        self.dyad_way[cross] = way_id
        self.dyad_way_dyad = ways // 2

    def compute(self, rep: Replicate, names: Sequence[str]) -> tuple[list[str], dict[str, Raw]]:
        """The countries scored in the replicate and the raw value of each indicator named.

        :meth:`arrays` as dicts by country (the same values)."""
        codes, arrays = self.arrays(rep, names)
        scored = [self.names[c] for c in codes]
        raws: dict[str, Raw] = {
            name: x if isinstance(x, str) else dict(zip(scored, x.tolist(), strict=True))
            for name, x in arrays.items()
        }
        return scored, raws

    def arrays(
        self, rep: Replicate, names: Sequence[str]
    ) -> tuple[np.ndarray, dict[str, str | np.ndarray]]:
        """The codes (indices into :attr:`names`, ascending) of the countries scored in the
        replicate, and per indicator named its raw values in that order (float64), or the
        reason it is missing. No dict per country: the bootstrap works on these arrays.

        ``rep``: a replicate of :attr:`full` (the view given), or of :attr:`view`."""
        v = self.view
        if rep.view is not v:  # one row per class, holding the records of the class's rows
            records = np.bincount(
                self.row_class, weights=rep.records, minlength=v.ties.num_rows
            ).astype(np.int64)
            rep = Replicate(v, rep.copies, records, rep.spec)
        w = rep.tie_rows
        kept = w > 0
        s, t, wk = v.src[kept], v.dst[kept], w[kept].astype(float)
        active = np.zeros(v.n, bool)
        active[s] = True
        active[t] = True
        codes = np.unique(self.country[active & self.civil & (self.country >= 0)])
        if not len(codes):
            return codes, {}
        ctx = _Rep(self, rep, kept, s, t, wk, active, codes)
        return codes, {name: getattr(ctx, name)() for name in names}


@dataclass
class _Rep:
    """One replicate's arrays for :class:`_ReplicateIndicators` (methods named as indicators)."""

    ri: _ReplicateIndicators
    rep: Replicate
    kept: np.ndarray
    s: np.ndarray
    t: np.ndarray
    wk: np.ndarray
    active: np.ndarray
    codes: np.ndarray

    def __post_init__(self) -> None:
        ri = self.ri
        self.in_scored = np.zeros(len(ri.names) + 1, bool)  # index -1: no country
        self.in_scored[self.codes] = True
        self.cross = ri.cross[self.kept]
        self.directed = ri.view.tie_directed[self.kept]
        # both orientations of each kept tie: end a, other end b
        self.a = np.concatenate([self.s, self.t])
        self.b = np.concatenate([self.t, self.s])
        self.w2 = np.concatenate([self.wk, self.wk])
        self.cross2 = np.concatenate([self.cross, self.cross])
        self._ext_internal: tuple[np.ndarray, np.ndarray] | None = None

    def scored_end(self, x: np.ndarray) -> np.ndarray:
        return self.in_scored[self.ri.country[x]]

    # gathers over both orientations that several indicators read, taken once
    @cached_property
    def country_a(self) -> np.ndarray:
        return self.ri.country[self.a]

    @cached_property
    def a_scored(self) -> np.ndarray:
        return self.in_scored[self.country_a]

    @cached_property
    def a_civil(self) -> np.ndarray:
        return self.ri.civil[self.a]

    @cached_property
    def pair(self) -> np.ndarray:
        return np.concatenate([self.ri.pair_fwd[self.kept], self.ri.pair_bwd[self.kept]])

    def per_country(self, values: np.ndarray) -> np.ndarray:
        """``values`` (by country code) of the countries scored, in their order."""
        return np.asarray(values, dtype=np.float64)[self.codes]

    def sums(self, who: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` by the country of actors ``who``."""
        return np.bincount(self.ri.country[who], weights=weights, minlength=len(self.ri.names))

    def distinct_copies(self, mask: np.ndarray) -> np.ndarray:
        """Per country of end a: the copies of the distinct other ends b (where ``mask``)."""
        ri = self.ri
        held = np.flatnonzero(np.bincount(self.pair[mask], minlength=ri.n_pairs))
        return self.per_country(
            np.bincount(
                ri.pair_country[held],
                weights=self.rep.copies[ri.pair_b[held]],
                minlength=len(ri.names),
            )
        )

    def partner_countries(self) -> Arr:
        if not self.cross.any():
            return "no cross-border ties in the view"
        m = self.cross2 & self.a_civil & self.a_scored
        size = self.ri.size
        key = self.country_a[m] * size + self.ri.country[self.b[m]]
        key = np.flatnonzero(np.bincount(key, minlength=size * size))  # the distinct keys
        return self.per_country(np.bincount(key // size, minlength=size))

    def cross_and_domestic(self) -> tuple[np.ndarray, np.ndarray]:
        """Per country code: the civil actors' cross-border and domestic tie rows (both
        orientations), computed once for the two indicators that read them."""
        if self._ext_internal is None:
            self._ext_internal = self._cross_and_domestic()
        return self._ext_internal

    def _cross_and_domestic(self) -> tuple[np.ndarray, np.ndarray]:
        ri = self.ri
        civil = self.a_civil & self.a_scored
        ext = civil & self.cross2
        dom = civil & ~self.cross2 & (ri.country[self.b] == self.country_a)
        internal = self.sums(self.a[dom], self.w2[dom])
        # a self-tie of u has rows between u's copies i, j: two ends when i != j, one when
        # i == j (records x k_u rows); counted twice above
        loop = (self.s == self.t) & ri.civil[self.s] & self.scored_end(self.s)
        if loop.any():
            u = self.s[loop]
            records = self.rep.records[self.kept][loop]
            internal -= self.sums(u, (records * self.rep.copies[u]).astype(float))
        return self.sums(self.a[ext], self.w2[ext]), internal

    def ties_per_civil_actor(self) -> Arr:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ext, _ = self.cross_and_domestic()
        civil = np.flatnonzero(self.active & self.ri.civil & (self.ri.country >= 0))
        n_civil = self.sums(civil, self.rep.copies[civil].astype(float))
        return ext[self.codes] / n_civil[self.codes]

    def multitrack_share(self) -> Arr:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ri = self.ri
        held = self.kept & ri.cross  # the view's cross-border ties the replicate holds
        nd = len(ri.dyad_u)
        present = np.bincount(ri.dyad[held], minlength=nd) > 0
        combos = np.flatnonzero(np.bincount(ri.dyad_track[held], minlength=len(ri.dyad_track_dyad)))
        n_tracks = np.bincount(ri.dyad_track_dyad[combos], minlength=nd)
        directed = held & ri.view.tie_directed
        ways = np.flatnonzero(np.bincount(ri.dyad_way[directed], minlength=len(ri.dyad_way_dyad)))
        n_ways = np.bincount(ri.dyad_way_dyad[ways], minlength=nd)
        deep = ((n_tracks >= 2) | (n_ways == 2))[present]
        u, v = ri.dyad_u[present], ri.dyad_v[present]
        pairs = (self.rep.copies[u] * self.rep.copies[v]).astype(float)
        num = np.zeros(len(ri.names))
        den = np.zeros(len(ri.names))
        for x in (u, v):
            ok = ri.civil[x] & self.scored_end(x)
            den += self.sums(x[ok], pairs[ok])
            num += self.sums(x[ok & deep], pairs[ok & deep])
        return _ratio(num[self.codes], den[self.codes])

    def ei_index(self) -> Arr:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ext, internal = self.cross_and_domestic()
        return np.asarray(ei_ratio(ext[self.codes], internal[self.codes]), dtype=np.float64)

    def inbound_econ_ties(self) -> Arr:
        econ = self.ri.econ_track[self.kept]
        if not econ.any():
            return "no economy_trade ties in the view"
        m = econ & self.cross
        both = m & ~self.directed
        to = np.concatenate([self.t[m], self.s[both]])
        w = np.concatenate([self.wk[m], self.wk[both]])
        ok = self.ri.econ_type[to] & self.scored_end(to)
        return self.per_country(self.sums(to[ok], w[ok]))

    def inbound_share(self) -> Arr:
        m = self.directed & self.cross
        if not m.any():
            return "no directed cross-border ties in the view (inbound is undefined)"
        s, t, w = self.s[m], self.t[m], self.wk[m]
        into = self.scored_end(t)
        out_of = self.scored_end(s)
        inbound = self.sums(t[into], w[into])
        total = inbound + self.sums(s[out_of], w[out_of])
        return _ratio(inbound[self.codes], total[self.codes])

    def culture_reach(self) -> Arr:
        culture = self.ri.culture[self.kept]
        if not culture.any():
            return "no culture or education ties in the view"
        m = np.concatenate([culture & self.cross, culture & self.cross])
        return self.distinct_copies(m & self.a_scored)

    def hub_reach(self) -> Arr:
        hub = self.ri.hub
        m = hub[self.b] & ~hub[self.a]
        if not m.any():
            return "no ties to network, igo or forum actors in the view"
        return self.distinct_copies(m & self.a_scored)

    def sub_betweenness(
        self, ties: np.ndarray, rows: np.ndarray, sub_view: ViewArrays, skip_hubs: bool
    ) -> np.ndarray | None:
        """Per country: the sum of its copies' normalized betweenness in the sub-network of
        the replicate's rows of ``ties`` (a mask over the view's ties; ``rows``: its indices,
        ``sub_view``: the view with those rows only, :meth:`ViewArrays.with_ties`)."""
        view, rep = self.ri.view, self.rep
        keep = ties & self.kept
        if not keep.any():
            return None
        ends = np.zeros(view.n, bool)
        ends[view.src[keep]] = True
        ends[view.dst[keep]] = True
        sub = Replicate(sub_view, np.where(ends, rep.copies, 0), rep.records[rows])
        b, origin = replicate_betweenness(sub), sub.origin()
        ok = self.scored_end(origin)
        if skip_hubs:
            ok &= ~self.ri.hub[origin]
        return self.per_country(self.sums(origin[ok], b[ok]))

    def culture_centrality(self) -> Arr:
        out = self.sub_betweenness(
            self.ri.culture, self.ri.culture_rows, self.ri.culture_view, skip_hubs=False
        )
        return "no culture or education ties in the view" if out is None else out

    def governance_betweenness(self) -> Arr:
        ri = self.ri
        out = self.sub_betweenness(
            ri.governance_ties, ri.governance_rows, ri.governance_view, skip_hubs=True
        )
        if out is None:
            return (
                "no environment, health or governance ties and no ties to network/igo/forum actors"
            )
        return out
