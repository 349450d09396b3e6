"""The ten network indicators of the soft-power scorecard (:data:`INDICATORS`), one function each.

Each indicator gives, per country c scored in the view, a raw value with its formula in words
(:attr:`Indicator.formula`), or the reason it has no data in the whole view. Definitions used
throughout: *c's actors* are the view's actors whose country is c; *civil* actors are those of
:data:`civnet.vocab.CIVIL_ACTOR_TYPES`; a tie is *cross-border* when both ends have a known
country and the two differ; *hubs* are actors of type network, igo or forum. The countries
scored are those with at least one civil actor with a tie in the view. Scaling and weighting
into channels: :mod:`civnet.measures.softpower.scorecard`; the same indicators on bootstrap replicates,
from arrays: :mod:`civnet.measures.softpower.scorecard_replicates`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from civnet.measures.intermediation.betweenness import betweenness
from civnet.measures.structure.ei import ei_ratio
from civnet.views.network import Network
from civnet.vocab import AFFILIATION_TYPES, CIVIL_ACTOR_TYPES

NAN = float("nan")
ECON_TYPES = ("enterprise", "business_assoc", "city")
CULTURE_TRACKS = ("culture", "education")
GOVERNANCE_TRACKS = ("environment", "health", "governance")


# -- the view prepared for the indicators ---------------------------------------------------------


@dataclass
class _View:
    net: Network
    country: dict[str, str | None]
    type: dict[str, str | None]
    src: list[str]
    dst: list[str]
    track: list[str]
    directed: list[bool]
    scored: list[str]

    @classmethod
    def of(cls, net: Network) -> _View:
        ids = net.ids
        g = net.graph
        countries = net.vertex_attr("country") if "country" in g.vs.attributes() else []
        types = net.vertex_attr("type") if "type" in g.vs.attributes() else []
        country = dict(zip(ids, countries or [None] * len(ids), strict=True))
        typ = dict(zip(ids, types or [None] * len(ids), strict=True))
        t = net.ties
        src = t.column("source").to_pylist() if t.num_rows else []
        dst = t.column("target").to_pylist() if t.num_rows else []
        track = (
            t.column("track").to_pylist() if "track" in t.column_names else ["general"] * len(src)
        )
        directed = t.column("directed").to_pylist() if t.num_rows else []
        active = set(src) | set(dst)
        scored = sorted(
            {c for a, c in country.items() if c and a in active and typ.get(a) in CIVIL_ACTOR_TYPES}
        )
        return cls(net, country, typ, src, dst, track, directed, scored)

    def cross(self, s: str, t: str) -> bool:
        cs, ct = self.country.get(s), self.country.get(t)
        return cs is not None and ct is not None and cs != ct

    def civil(self, a: str) -> bool:
        return self.type.get(a) in CIVIL_ACTOR_TYPES

    def sub_betweenness(self, keep: Sequence[bool]) -> dict[str, float] | None:
        """Normalized betweenness of each actor in the sub-network of the kept ties."""
        mask = pa.array(list(keep), pa.bool_())
        ties = self.net.ties.filter(mask)
        if not ties.num_rows:
            return None
        ends = set(ties.column("source").to_pylist()) | set(ties.column("target").to_pylist())
        amask = pa.array([a in ends for a in self.net.actors.column("id").to_pylist()])
        sub = Network.from_tables(self.net.actors.filter(amask), ties)
        b = betweenness(sub)
        return dict(zip(b.ids, b.values.tolist(), strict=True))


Raw = dict[str, float] | str
"""An indicator's raw value per scored country, or the reason it has no data in the view."""


# -- the indicators ---------------------------------------------------------------------------------


def _partner_countries(v: _View) -> Raw:
    out: dict[str, set[str]] = {c: set() for c in v.scored}
    any_cross = False
    for s, t in zip(v.src, v.dst, strict=True):
        if not v.cross(s, t):
            continue
        any_cross = True
        for a, b in ((s, t), (t, s)):
            home, partner = v.country[a], v.country[b]
            if v.civil(a) and home is not None and partner is not None and home in out:
                out[home].add(partner)
    if not any_cross:
        return "no cross-border ties in the view"
    return {c: float(len(p)) for c, p in out.items()}


def _civil_cross_and_domestic(v: _View) -> tuple[dict[str, int], dict[str, int], bool]:
    ext = dict.fromkeys(v.scored, 0)
    internal = dict.fromkeys(v.scored, 0)
    any_cross = False
    for s, t in zip(v.src, v.dst, strict=True):
        cross = v.cross(s, t)
        any_cross |= cross
        ends = (s, t) if s != t else (s,)
        for a in ends:
            c = v.country.get(a)
            if c in ext and v.civil(a):
                if cross:
                    ext[c] += 1
                elif v.country.get(t if a == s else s) == c:
                    internal[c] += 1
    return ext, internal, any_cross


def _ties_per_civil_actor(v: _View) -> Raw:
    ext, _, any_cross = _civil_cross_and_domestic(v)
    if not any_cross:
        return "no cross-border ties in the view"
    active = set(v.src) | set(v.dst)
    n_civil = dict.fromkeys(v.scored, 0)
    for a in active:
        c = v.country.get(a)
        if c in n_civil and v.civil(a):
            n_civil[c] += 1
    return {c: ext[c] / n_civil[c] for c in v.scored}


def _multitrack_share(v: _View) -> Raw:
    dyads: dict[tuple[str, str], dict[str, Any]] = {}
    for s, t, tr, d in zip(v.src, v.dst, v.track, v.directed, strict=True):
        if not v.cross(s, t):
            continue
        key = (s, t) if s < t else (t, s)
        rec = dyads.setdefault(key, {"tracks": set(), "dirs": set(), "undirected": False})
        rec["tracks"].add(tr)
        if d:
            rec["dirs"].add((s, t))
        else:
            rec["undirected"] = True
    if not dyads:
        return "no cross-border ties in the view"
    num = dict.fromkeys(v.scored, 0)
    den = dict.fromkeys(v.scored, 0)
    for (a, b), rec in dyads.items():
        deep = len(rec["tracks"]) >= 2 or len(rec["dirs"]) == 2
        for x in (a, b):
            c = v.country.get(x)
            if c in den and v.civil(x):
                den[c] += 1
                num[c] += int(deep)
    return {c: num[c] / den[c] if den[c] else NAN for c in v.scored}


def _ei_index(v: _View) -> Raw:
    ext, internal, any_cross = _civil_cross_and_domestic(v)
    if not any_cross:
        return "no cross-border ties in the view"
    index = ei_ratio([ext[c] for c in v.scored], [internal[c] for c in v.scored])
    return dict(zip(v.scored, index.tolist(), strict=True))


def _inbound_econ_ties(v: _View) -> Raw:
    if "economy_trade" not in v.track:
        return "no economy_trade ties in the view"
    out = dict.fromkeys(v.scored, 0.0)
    for s, t, tr, d in zip(v.src, v.dst, v.track, v.directed, strict=True):
        if tr != "economy_trade" or not v.cross(s, t):
            continue
        targets = (t,) if d else (s, t)
        for a in targets:
            c = v.country.get(a)
            if c in out and v.type.get(a) in ECON_TYPES:
                out[c] += 1.0
    return out


def _inbound_share(v: _View) -> Raw:
    inbound = dict.fromkeys(v.scored, 0)
    total = dict.fromkeys(v.scored, 0)
    seen = False
    for s, t, d in zip(v.src, v.dst, v.directed, strict=True):
        if not d or not v.cross(s, t):
            continue
        seen = True
        cs, ct = v.country[s], v.country[t]
        if ct in total:
            total[ct] += 1
            inbound[ct] += 1
        if cs in total:
            total[cs] += 1
    if not seen:
        return "no directed cross-border ties in the view (inbound is undefined)"
    return {c: inbound[c] / total[c] if total[c] else NAN for c in v.scored}


def _culture_reach(v: _View) -> Raw:
    if not any(tr in CULTURE_TRACKS for tr in v.track):
        return "no culture or education ties in the view"
    out: dict[str, set[str]] = {c: set() for c in v.scored}
    for s, t, tr in zip(v.src, v.dst, v.track, strict=True):
        if tr in CULTURE_TRACKS and v.cross(s, t):
            for a, b in ((s, t), (t, s)):
                c = v.country.get(a)
                if c in out:
                    out[c].add(b)
    return {c: float(len(x)) for c, x in out.items()}


def _sum_by_country(v: _View, values: Mapping[str, float], skip_hubs: bool) -> dict[str, float]:
    out = dict.fromkeys(v.scored, 0.0)
    for a, x in values.items():
        c = v.country.get(a)
        if c in out and not (skip_hubs and v.type.get(a) in AFFILIATION_TYPES):
            out[c] += x
    return out


def _culture_centrality(v: _View) -> Raw:
    b = v.sub_betweenness([tr in CULTURE_TRACKS for tr in v.track])
    if b is None:
        return "no culture or education ties in the view"
    return _sum_by_country(v, b, skip_hubs=False)


def _hub(v: _View, a: str) -> bool:
    return v.type.get(a) in AFFILIATION_TYPES


def _hub_reach(v: _View) -> Raw:
    out: dict[str, set[str]] = {c: set() for c in v.scored}
    seen = False
    for s, t in zip(v.src, v.dst, strict=True):
        for a, h in ((s, t), (t, s)):
            if _hub(v, h) and not _hub(v, a):
                seen = True
                c = v.country.get(a)
                if c in out:
                    out[c].add(h)
    if not seen:
        return "no ties to network, igo or forum actors in the view"
    return {c: float(len(x)) for c, x in out.items()}


def _governance_betweenness(v: _View) -> Raw:
    keep = [
        tr in GOVERNANCE_TRACKS or _hub(v, s) or _hub(v, t)
        for s, t, tr in zip(v.src, v.dst, v.track, strict=True)
    ]
    b = v.sub_betweenness(keep)
    if b is None:
        return "no environment, health or governance ties and no ties to network/igo/forum actors"
    return _sum_by_country(v, b, skip_hubs=True)


@dataclass(frozen=True)
class Indicator:
    """An indicator: its formula in words and the function computing it."""

    name: str
    formula: str
    compute: Callable[[_View], Raw]


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator(
            "partner_countries",
            "number of distinct foreign countries tied to c's civil actors",
            _partner_countries,
        ),
        Indicator(
            "ties_per_civil_actor",
            "cross-border tie records of c's civil actors / c's civil actors with a tie",
            _ties_per_civil_actor,
        ),
        Indicator(
            "multitrack_share",
            "share of the cross-border dyads of c's civil actors that are reciprocated "
            "(directed both ways) or carry 2+ tracks",
            _multitrack_share,
        ),
        Indicator(
            "ei_index",
            "E-I index of c's civil actors: (E - I) / (E + I), E cross-border and I domestic "
            "tie records (Krackhardt & Stern 1988, doi:10.2307/2786835)",
            _ei_index,
        ),
        Indicator(
            "inbound_econ_ties",
            "economy_trade ties from foreign actors to c's enterprises, business associations "
            "and cities (directed ties toward c, or undirected)",
            _inbound_econ_ties,
        ),
        Indicator(
            "inbound_share",
            "directed cross-border ties into c / directed cross-border ties touching c",
            _inbound_share,
        ),
        Indicator(
            "culture_reach",
            "distinct foreign actors tied to c's actors by culture or education ties",
            _culture_reach,
        ),
        Indicator(
            "culture_centrality",
            "sum of c's actors' normalized betweenness in the culture + education network",
            _culture_centrality,
        ),
        Indicator(
            "hub_reach",
            "distinct network, igo and forum actors tied to c's (non-hub) actors",
            _hub_reach,
        ),
        Indicator(
            "governance_betweenness",
            "sum of c's non-hub actors' normalized betweenness in the network of environment, "
            "health and governance ties plus all ties to network/igo/forum actors",
            _governance_betweenness,
        ),
    )
}


# -- support: the tie records each indicator rests on, per country --------------------------------


@dataclass(frozen=True)
class _Ends:
    """The view's ties as arrays, for :func:`support`: per tie its two ends' attributes."""

    country: np.ndarray  # (m, 2) country code of each end, -1 unknown
    civil: np.ndarray  # (m, 2)
    hub: np.ndarray  # (m, 2)
    econ: np.ndarray  # (m, 2) enterprise, business association or city
    cross: np.ndarray  # (m,)
    directed: np.ndarray  # (m,)
    culture: np.ndarray  # (m,)
    governance: np.ndarray  # (m,)
    econ_track: np.ndarray  # (m,)
    names: list[str]

    @classmethod
    def of(cls, v: _View) -> _Ends:
        names = sorted({c for c in v.country.values() if c})
        code = {c: i for i, c in enumerate(names)}

        # each attribute is looked up once per distinct actor, then taken for both ends of
        # every tie (the same arrays as calling it on every end, without 4 x 2 x m calls)
        actors = list(dict.fromkeys([*v.src, *v.dst]))
        at = {a: i for i, a in enumerate(actors)}
        ends = np.array([at[a] for a in v.src] + [at[a] for a in v.dst], dtype=np.int64)
        ends = ends.reshape(2, -1).T if len(v.src) else np.zeros((0, 2), np.int64)

        def per_end(f: Callable[[str], Any], dtype: type) -> np.ndarray:
            return np.array([f(a) for a in actors], dtype=dtype).reshape(-1)[ends]

        m = len(v.src)
        country = per_end(lambda a: code.get(v.country.get(a) or "", -1), np.int64)
        country = country.reshape(m, 2)
        return cls(
            country=country,
            civil=per_end(v.civil, bool).reshape(m, 2),
            hub=per_end(lambda a: _hub(v, a), bool).reshape(m, 2),
            econ=per_end(lambda a: v.type.get(a) in ECON_TYPES, bool).reshape(m, 2),
            cross=(country[:, 0] >= 0) & (country[:, 1] >= 0) & (country[:, 0] != country[:, 1]),
            directed=np.array(v.directed, dtype=bool).reshape(m),
            culture=np.array([t in CULTURE_TRACKS for t in v.track], dtype=bool).reshape(m),
            governance=np.array([t in GOVERNANCE_TRACKS for t in v.track], dtype=bool).reshape(m),
            econ_track=np.array([t == "economy_trade" for t in v.track], dtype=bool).reshape(m),
            names=names,
        )

    def known(self) -> np.ndarray:
        return self.country >= 0


def _sup_cross_civil(e: _Ends) -> np.ndarray:
    return e.cross[:, None] & e.civil & e.known()


def _sup_ei(e: _Ends) -> np.ndarray:
    domestic = e.country[:, 0] == e.country[:, 1]
    return (e.cross | domestic)[:, None] & e.civil & e.known()


def _sup_inbound_econ(e: _Ends) -> np.ndarray:
    target = np.column_stack(
        [~e.directed, np.ones(len(e.directed), bool)]
    )  # source end: undirected only
    return (e.econ_track & e.cross)[:, None] & target & e.econ & e.known()


def _sup_inbound_share(e: _Ends) -> np.ndarray:
    return (e.directed & e.cross)[:, None] & e.known()


def _sup_culture_reach(e: _Ends) -> np.ndarray:
    return (e.culture & e.cross)[:, None] & e.known()


def _sup_culture_centrality(e: _Ends) -> np.ndarray:
    return e.culture[:, None] & e.known()


def _sup_hub_reach(e: _Ends) -> np.ndarray:
    return e.hub[:, ::-1] & ~e.hub & e.known()


def _sup_governance(e: _Ends) -> np.ndarray:
    kept = e.governance | e.hub[:, 0] | e.hub[:, 1]
    return kept[:, None] & ~e.hub & e.known()


_SUPPORT: dict[str, Callable[[_Ends], np.ndarray]] = {
    "partner_countries": _sup_cross_civil,
    "ties_per_civil_actor": _sup_cross_civil,
    "multitrack_share": _sup_cross_civil,
    "ei_index": _sup_ei,
    "inbound_econ_ties": _sup_inbound_econ,
    "inbound_share": _sup_inbound_share,
    "culture_reach": _sup_culture_reach,
    "culture_centrality": _sup_culture_centrality,
    "hub_reach": _sup_hub_reach,
    "governance_betweenness": _sup_governance,
}
"""Per indicator: for each tie and each of its two ends, whether the tie enters the indicator's
value for the country of that end (ties x 2)."""


def support(v: _View, groups: Mapping[str, Sequence[str]]) -> dict[str, dict[str, int]]:
    """Per group of indicators (a channel) and scored country: the tie records its value rests on.

    A tie record supports country c in an indicator when it enters c's value by the
    indicator's formula (a cross-border tie of c's civil actors for the communication
    indicators, a culture or education tie touching c for the cultural ones, and so on);
    a group's support is the number of records that support c in at least one of its
    indicators (a record with both ends in c counts once). Used to mark low-support channels
    (:func:`civnet.measures.softpower.scorecard.scorecard`).
    """
    e = _Ends.of(v)
    masks = {name: _SUPPORT[name](e) for g in groups.values() for name in g}
    out = {}
    for g, names in groups.items():
        hit = np.zeros((len(v.src), 2), bool)
        for n in names:
            hit |= masks[n]
        second = hit[:, 1] & ~(hit[:, 0] & (e.country[:, 0] == e.country[:, 1]))
        codes = np.concatenate([e.country[hit[:, 0], 0], e.country[second, 1]])
        counts = np.bincount(codes, minlength=len(e.names)) if len(e.names) else np.zeros(0, int)
        index = {c: i for i, c in enumerate(e.names)}
        out[g] = {c: int(counts[index[c]]) if c in index else 0 for c in v.scored}
    return out
