"""The four-channel soft-power scorecard (DESIGN section 6), with its uncertainty.

Per country c of the view, ten network indicators (:data:`INDICATORS`, each with its formula)
are computed, scaled 0-100 across the countries scored, and combined into four channels by the
weights of a :class:`ScorecardConfig` (shipped default: ``civnet/products/scorecard_default.toml``).
Definitions used throughout: *c's actors* are the view's actors whose country is c; *civil*
actors are those of :data:`civnet.vocab.CIVIL_ACTOR_TYPES`; a tie is *cross-border* when both
ends have a known country and the two differ; *hubs* are actors of type network, igo or forum.
The countries scored are those with at least one civil actor in the view.

Missing data is never 0: an indicator with no data in the whole view (no ``culture`` ties, say)
is missing with its reason and leaves its channel; a channel with no indicator left is missing
with the reasons. An indicator undefined for one country (a ratio with a zero denominator) is
left out of that country's channel, and the channel notes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.betweenness import betweenness
from civnet.measures.ei import ei_ratio
from civnet.views.network import Network
from civnet.vocab import AFFILIATION_TYPES, CIVIL_ACTOR_TYPES

if TYPE_CHECKING:
    from civnet.measures.resampling import Replicate, ViewArrays

NAN = float("nan")
ECON_TYPES = ("enterprise", "business_assoc", "city")
CULTURE_TRACKS = ("culture", "education")
GOVERNANCE_TRACKS = ("environment", "health", "governance")
SCALINGS = ("minmax", "rank")


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


# -- configuration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    title: str
    weight: float
    indicators: dict[str, float]


@dataclass(frozen=True)
class ScorecardConfig:
    """Channels with their indicator weights, the scaling method and the sensitivity settings."""

    channels: list[ChannelConfig]
    scaling: str = "minmax"
    concentration: float = 20.0
    draws: int = 1000


def parse_config(data: Mapping[str, Any], where: str = "scorecard config") -> ScorecardConfig:
    """Validate a parsed TOML document into a :class:`ScorecardConfig` (BadFilter on mistakes)."""
    chans = data.get("channels")
    if not isinstance(chans, Mapping) or not chans:
        raise BadFilter("no [channels.*] tables", where=where, fix="copy the default config")
    channels = []
    for name, ch in chans.items():
        w = _weight(ch.get("weight", 1.0), f"{where}: channels.{name}.weight")
        inds = ch.get("indicators", {})
        if not isinstance(inds, Mapping) or not inds:
            raise BadFilter(
                f"channel {name!r} has no indicators",
                where=where,
                fix=f"add [channels.{name}.indicators] with name = weight lines",
            )
        for ind in inds:
            if ind not in INDICATORS:
                raise BadFilter(
                    f"unknown indicator {ind!r} in channel {name!r}",
                    where=where,
                    fix=f"use one of: {', '.join(INDICATORS)}",
                )
        weights = {
            k: _weight(x, f"{where}: channels.{name}.indicators.{k}") for k, x in inds.items()
        }
        channels.append(ChannelConfig(name, str(ch.get("title", name)), w, weights))
    scaling = str(data.get("scaling", {}).get("method", "minmax"))
    if scaling not in SCALINGS:
        raise BadFilter(
            f"unknown scaling method {scaling!r}",
            where=where,
            fix=f"use one of: {', '.join(SCALINGS)}",
        )
    sens = data.get("sensitivity", {})
    conc = _weight(sens.get("concentration", 20.0), f"{where}: sensitivity.concentration")
    draws = int(sens.get("draws", 1000))
    if conc <= 0 or draws < 1:
        raise BadFilter(
            "sensitivity.concentration must be > 0 and draws >= 1",
            where=where,
            fix="e.g. 20 and 1000",
        )
    return ScorecardConfig(channels, scaling, conc, draws)


def _weight(x: Any, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or x < 0:
        raise BadFilter(f"weight must be a number >= 0, got {x!r}", where=where, fix="e.g. 1.0")
    return float(x)


# -- computing the scorecard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorResult:
    name: str
    channel: str
    formula: str
    raw: dict[str, float]
    score: dict[str, float]
    missing: str | None
    low: float
    high: float


@dataclass(frozen=True)
class ChannelResult:
    name: str
    title: str
    weight: float
    weights: dict[str, float]
    score: dict[str, float]
    missing: dict[str, str]


@dataclass
class Scorecard:
    """Per country: indicators (raw, 0-100), channels and the overall score, and their formulas."""

    countries: list[str]
    indicators: dict[str, IndicatorResult]
    channels: dict[str, ChannelResult]
    overall: dict[str, float]
    scaling: str
    notes: list[str] = field(default_factory=list)


def scale(
    values: Mapping[str, float], method: str = "minmax"
) -> tuple[dict[str, float], float, float]:
    """Scale finite values 0-100 across countries; returns (scores, min, max). NaN stays NaN.

    ``minmax``: ``100 (x - min) / (max - min)``; ``rank``: ``100 (r - 1) / (n - 1)`` with average
    ranks r (1 = lowest). All values equal (or only one country): every country scores 50.

    >>> scale({"A": 1.0, "B": 3.0, "C": 2.0})[0]
    {'A': 0.0, 'B': 100.0, 'C': 50.0}
    """
    from scipy.stats import rankdata  # here: scipy.stats takes ~1 s to import, CLI start pays it

    keys = [k for k, x in values.items() if np.isfinite(x)]
    x = np.array([values[k] for k in keys], dtype=float)
    out = {k: NAN for k in values}
    if not keys:
        return out, NAN, NAN
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        s = np.full(len(x), 50.0)
    elif method == "rank":
        s = 100.0 * (rankdata(x) - 1.0) / (len(x) - 1.0)
    else:
        s = 100.0 * (x - lo) / (hi - lo)
    out.update({k: float(v) for k, v in zip(keys, s, strict=True)})
    return out, lo, hi


def _wmean(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    num = den = 0.0
    for k, w in weights.items():
        x = scores.get(k, NAN)
        if np.isfinite(x) and w > 0:
            num += w * x
            den += w
    return num / den if den > 0 else NAN


def scorecard(net: Network, config: ScorecardConfig) -> Scorecard:
    """The scorecard of every country with a civil actor in ``net`` (see the module docstring).

    Indicator score: :func:`scale` of its raw values across countries. Channel score: the
    weighted mean of its indicator scores, over the indicators with a value for the country
    (weights renormalized). Overall: the weighted mean of the channel scores by channel weight.
    All scores lie in [0, 100].
    """
    v = _View.of(net)
    if not v.scored:
        raise EmptyNetwork(
            "scorecard: no country has a civil actor with a tie in the view",
            fix="widen the view filters; actors need a country and a civil type",
        )
    raws = {name: ind.compute(v) for name, ind in INDICATORS.items() if _used(config, name)}
    return _assemble(v.scored, raws, config, net.notes)


def _used(config: ScorecardConfig, name: str) -> bool:
    return any(name in ch.indicators for ch in config.channels)


def _assemble(
    countries: list[str], raws: Mapping[str, Raw], config: ScorecardConfig, notes: Sequence[str]
) -> Scorecard:
    indicators: dict[str, IndicatorResult] = {}
    channels: dict[str, ChannelResult] = {}
    for ch in config.channels:
        for name in ch.indicators:
            raw = raws[name]
            if isinstance(raw, str):
                indicators[name] = IndicatorResult(
                    name, ch.name, INDICATORS[name].formula, {}, {}, raw, NAN, NAN
                )
            else:
                s, lo, hi = scale(raw, config.scaling)
                indicators[name] = IndicatorResult(
                    name, ch.name, INDICATORS[name].formula, dict(raw), s, None, lo, hi
                )
        score: dict[str, float] = {}
        missing: dict[str, str] = {}
        for c in countries:
            per = {k: indicators[k].score.get(c, NAN) for k in ch.indicators}
            score[c] = _wmean(per, ch.indicators)
            if not np.isfinite(score[c]):
                reasons = [
                    f"{k}: {indicators[k].missing or 'undefined for ' + c}" for k in ch.indicators
                ]
                missing[c] = "; ".join(reasons)
        channels[ch.name] = ChannelResult(
            ch.name, ch.title, ch.weight, dict(ch.indicators), score, missing
        )
    cw = {ch.name: ch.weight for ch in config.channels}
    overall = {c: _wmean({k: channels[k].score[c] for k in cw}, cw) for c in countries}
    return Scorecard(countries, indicators, channels, overall, config.scaling, list(notes))


# -- uncertainty ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreIntervals:
    """Bootstrap percentile intervals of every channel score and the overall score per country."""

    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    present: dict[str, int]
    n_boot: int
    unit: str
    level: float


def scorecard_bootstrap(
    net: Network,
    config: ScorecardConfig,
    *,
    n_boot: int = 200,
    unit: str = "actors",
    clusters: Sequence[Sequence[str]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> ScoreIntervals:
    """Recompute the whole scorecard (scaling included) on resampled views; percentile intervals.

    Keys of ``low``/``high``: channel names and ``overall``, then country. A country absent from
    a replicate (none of its civil actors drawn) is left out of that replicate; ``present``
    counts the replicates in which each country was scored. The indicators of a replicate are
    computed from the view's arrays and the replicate's multiplicities
    (:class:`_ReplicateIndicators`), the same numbers as on the replicate built as a network.
    """
    from civnet.measures.resampling import Replicate, Resampler

    if n_boot < 1:
        raise BadFilter(f"--boot must be at least 1, got {n_boot}", fix="use e.g. --boot 200")
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    view = sampler.views[0]
    fast = _ReplicateIndicators(view)
    whole = Replicate(view, np.ones(view.n, np.int64), np.ones(view.ties.num_rows, np.int64))
    countries, _ = fast.compute(whole, [])  # the countries scored on the view itself
    if not countries:
        scorecard(net, config)  # raises EmptyNetwork with its explanation
    keys = [*(ch.name for ch in config.channels), "overall"]
    reps = {k: {c: np.full(n_boot, NAN) for c in countries} for k in keys}
    present = dict.fromkeys(countries, 0)
    used = [n for n in INDICATORS if _used(config, n)]
    rng = np.random.default_rng(seed)
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        scored, raws = fast.compute(rep, used)
        if scored:
            card = _assemble(scored, raws, config, [])
            for c in card.countries:
                if c in present:
                    present[c] += 1
                    for k in keys:
                        val = card.overall[c] if k == "overall" else card.channels[k].score[c]
                        reps[k][c][r] = val
        if progress:
            progress(r + 1, n_boot)
    alpha = (1.0 - level) / 2.0
    low: dict[str, dict[str, float]] = {k: {} for k in keys}
    high: dict[str, dict[str, float]] = {k: {} for k in keys}
    for k in keys:
        for c in countries:
            x = reps[k][c][np.isfinite(reps[k][c])]
            lo, hi = np.quantile(x, [alpha, 1 - alpha]) if x.size else (NAN, NAN)
            low[k][c], high[k][c] = float(lo), float(hi)
    return ScoreIntervals(low, high, present, n_boot, unit, level)


class _ReplicateIndicators:
    """The indicators of :data:`INDICATORS` on bootstrap replicates of one view, from arrays.

    A replicate (:class:`civnet.measures.resampling.Replicate`) holds ``copies[v]`` copies of
    each actor v of the view and ``tie_rows[i]`` rows of each tie i, spread over the pairs of
    copies of its ends. Each indicator computed on that network (its tie rows, its distinct
    actors, its dyads of copies) equals a sum over the view's ties and actors weighted by those
    multiplicities; this class computes those sums with numpy, and the betweenness indicators on
    the bare graph of the replicate's sub-network, without building the replicate's tables.
    ``tests/test_uncertainty.py`` checks every indicator against the generic path.
    """

    def __init__(self, view: ViewArrays) -> None:
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
        cs, ct = self.country[view.src], self.country[view.dst]
        self.cross = (cs >= 0) & (ct >= 0) & (cs != ct)

    def compute(self, rep: Replicate, names: Sequence[str]) -> tuple[list[str], dict[str, Raw]]:
        """The countries scored in the replicate and the raw value of each indicator named."""
        v = self.view
        w = rep.tie_rows
        kept = w > 0
        s, t, wk = v.src[kept], v.dst[kept], w[kept].astype(float)
        active = np.zeros(v.n, bool)
        active[s] = True
        active[t] = True
        codes = np.unique(self.country[active & self.civil & (self.country >= 0)])
        scored = [self.names[c] for c in codes]
        if not scored:
            return [], {}
        ctx = _Rep(self, rep, kept, s, t, wk, active, codes)
        return scored, {name: getattr(ctx, name)() for name in names}


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

    def scored_end(self, x: np.ndarray) -> np.ndarray:
        return self.in_scored[self.ri.country[x]]

    def per_country(self, values: np.ndarray) -> dict[str, float]:
        return {self.ri.names[c]: float(values[c]) for c in self.codes}

    def sums(self, who: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` by the country of actors ``who``."""
        return np.bincount(self.ri.country[who], weights=weights, minlength=len(self.ri.names))

    def distinct_copies(self, mask: np.ndarray) -> dict[str, float]:
        """Per country of end a: the copies of the distinct other ends b (where ``mask``)."""
        n = self.ri.view.n
        key = np.unique(self.ri.country[self.a[mask]] * n + self.b[mask])
        return self.per_country(
            np.bincount(key // n, weights=self.rep.copies[key % n], minlength=len(self.ri.names))
        )

    def partner_countries(self) -> Raw:
        if not self.cross.any():
            return "no cross-border ties in the view"
        m = self.cross2 & self.ri.civil[self.a] & self.scored_end(self.a)
        size = len(self.ri.names)
        key = np.unique(self.ri.country[self.a[m]] * size + self.ri.country[self.b[m]])
        return self.per_country(np.bincount(key // size, minlength=size))

    def cross_and_domestic(self) -> tuple[np.ndarray, np.ndarray]:
        ri = self.ri
        civil = ri.civil[self.a] & self.scored_end(self.a)
        ext = civil & self.cross2
        dom = civil & ~self.cross2 & (ri.country[self.b] == ri.country[self.a])
        internal = self.sums(self.a[dom], self.w2[dom])
        # a self-tie of u has rows between u's copies i, j: two ends when i != j, one when
        # i == j (records x k_u rows); counted twice above
        loop = (self.s == self.t) & ri.civil[self.s] & self.scored_end(self.s)
        if loop.any():
            u = self.s[loop]
            records = self.rep.records[self.kept][loop]
            internal -= self.sums(u, (records * self.rep.copies[u]).astype(float))
        return self.sums(self.a[ext], self.w2[ext]), internal

    def ties_per_civil_actor(self) -> Raw:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ext, _ = self.cross_and_domestic()
        civil = np.flatnonzero(self.active & self.ri.civil & (self.ri.country >= 0))
        n_civil = self.sums(civil, self.rep.copies[civil].astype(float))
        return {self.ri.names[c]: float(ext[c] / n_civil[c]) for c in self.codes}

    def multitrack_share(self) -> Raw:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ri, n = self.ri, self.ri.view.n
        s, t = self.s[self.cross], self.t[self.cross]
        lo, hi = np.minimum(s, t), np.maximum(s, t)
        dyads, inv = np.unique(lo * n + hi, return_inverse=True)
        tracks = np.unique(inv * ri.n_tracks + ri.track[self.kept][self.cross])
        n_tracks = np.bincount(tracks // ri.n_tracks, minlength=len(dyads))
        d = self.directed[self.cross]
        ways = np.unique(inv[d] * 2 + (s[d] > t[d]))
        n_ways = np.bincount(ways // 2, minlength=len(dyads))
        deep = (n_tracks >= 2) | (n_ways == 2)
        u, v = dyads // n, dyads % n
        pairs = (self.rep.copies[u] * self.rep.copies[v]).astype(float)
        num = np.zeros(len(ri.names))
        den = np.zeros(len(ri.names))
        for x in (u, v):
            ok = ri.civil[x] & self.scored_end(x)
            den += self.sums(x[ok], pairs[ok])
            num += self.sums(x[ok & deep], pairs[ok & deep])
        return {ri.names[c]: float(num[c] / den[c]) if den[c] else NAN for c in self.codes}

    def ei_index(self) -> Raw:
        if not self.cross.any():
            return "no cross-border ties in the view"
        ext, internal = self.cross_and_domestic()
        index = ei_ratio(ext[self.codes], internal[self.codes])
        return dict(zip([self.ri.names[c] for c in self.codes], index.tolist(), strict=True))

    def inbound_econ_ties(self) -> Raw:
        econ = self.ri.econ_track[self.kept]
        if not econ.any():
            return "no economy_trade ties in the view"
        m = econ & self.cross
        both = m & ~self.directed
        to = np.concatenate([self.t[m], self.s[both]])
        w = np.concatenate([self.wk[m], self.wk[both]])
        ok = self.ri.econ_type[to] & self.scored_end(to)
        return self.per_country(self.sums(to[ok], w[ok]))

    def inbound_share(self) -> Raw:
        m = self.directed & self.cross
        if not m.any():
            return "no directed cross-border ties in the view (inbound is undefined)"
        s, t, w = self.s[m], self.t[m], self.wk[m]
        into = self.scored_end(t)
        out_of = self.scored_end(s)
        inbound = self.sums(t[into], w[into])
        total = inbound + self.sums(s[out_of], w[out_of])
        return {
            self.ri.names[c]: float(inbound[c] / total[c]) if total[c] else NAN for c in self.codes
        }

    def culture_reach(self) -> Raw:
        culture = self.ri.culture[self.kept]
        if not culture.any():
            return "no culture or education ties in the view"
        m = np.concatenate([culture & self.cross, culture & self.cross])
        return self.distinct_copies(m & self.scored_end(self.a))

    def hub_reach(self) -> Raw:
        hub = self.ri.hub
        m = hub[self.b] & ~hub[self.a]
        if not m.any():
            return "no ties to network, igo or forum actors in the view"
        return self.distinct_copies(m & self.scored_end(self.a))

    def sub_betweenness(self, ties: np.ndarray, skip_hubs: bool) -> dict[str, float] | None:
        """Per country: the sum of its copies' normalized betweenness in the sub-network of
        the replicate's rows of ``ties`` (a mask over the view's ties)."""
        from civnet.measures.replicate_statistics import replicate_betweenness
        from civnet.measures.resampling import Replicate

        view, rep = self.ri.view, self.rep
        keep = ties & (rep.tie_rows > 0)
        if not keep.any():
            return None
        ends = np.zeros(view.n, bool)
        ends[view.src[keep]] = True
        ends[view.dst[keep]] = True
        sub = Replicate(view, np.where(ends, rep.copies, 0), np.where(ties, rep.records, 0))
        b, origin = replicate_betweenness(sub), sub.origin()
        ok = self.scored_end(origin)
        if skip_hubs:
            ok &= ~self.ri.hub[origin]
        return self.per_country(self.sums(origin[ok], b[ok]))

    def culture_centrality(self) -> Raw:
        out = self.sub_betweenness(self.ri.culture, skip_hubs=False)
        return "no culture or education ties in the view" if out is None else out

    def governance_betweenness(self) -> Raw:
        ri = self.ri
        ties = ri.governance | ri.hub[ri.view.src] | ri.hub[ri.view.dst]
        out = self.sub_betweenness(ties, skip_hubs=True)
        if out is None:
            return (
                "no environment, health or governance ties and no ties to network/igo/forum actors"
            )
        return out


@dataclass(frozen=True)
class RankIntervals:
    """Rank (1 = highest) of each country under random weights: given, median, 2.5-97.5 %."""

    rank: dict[str, dict[str, int]]
    median: dict[str, dict[str, float]]
    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    draws: int
    concentration: float


def ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank 1 for the highest score (equal scores share the best rank); NaN ranks last."""
    from scipy.stats import rankdata

    keys = list(scores)
    x = np.array([scores[k] if np.isfinite(scores[k]) else -np.inf for k in keys])
    r = rankdata(-x, method="min").astype(int) if keys else np.zeros(0, int)
    return dict(zip(keys, r.tolist(), strict=True))


def weight_sensitivity(card: Scorecard, config: ScorecardConfig, *, seed: int = 0) -> RankIntervals:
    """Ranks of the countries (overall and per channel) when the weights are redrawn.

    Each of ``config.draws`` draws replaces the channel weights w by a Dirichlet(kappa w / sum w)
    sample and each channel's indicator weights likewise (kappa = ``config.concentration``;
    weights of 0 stay 0), keeping the indicator scores. Returns per key (channel or
    ``overall``) and country the rank with the given weights and the median and 2.5/97.5
    percentiles of the ranks over the draws.
    """
    from scipy.stats import rankdata

    rng = np.random.default_rng(seed)
    keys = [*card.channels, "overall"]
    countries = card.countries
    given = {k: ranks(card.overall if k == "overall" else card.channels[k].score) for k in keys}
    draws = config.draws
    names = [ch.name for ch in config.channels]
    members = {ch.name: list(ch.indicators) for ch in config.channels}
    # the weights are drawn in the same order as one draw at a time: each channel's indicator
    # weights, then the channel weights
    w_ind = {n: np.zeros((draws, len(members[n]))) for n in names}
    w_ch = np.zeros((draws, len(names)))
    for d in range(draws):
        for ch in config.channels:
            w = _dirichlet(rng, ch.indicators, config.concentration)
            w_ind[ch.name][d] = [w[k] for k in members[ch.name]]
        cw = _dirichlet(rng, {ch.name: ch.weight for ch in config.channels}, config.concentration)
        w_ch[d] = [cw[n] for n in names]
    scores: dict[str, np.ndarray] = {}
    for n in names:
        x = np.array(
            [[card.indicators[k].score.get(c, NAN) for k in members[n]] for c in countries]
        ).reshape(len(countries), len(members[n]))
        scores[n] = _weighted_means(x, w_ind[n])
    stacked = np.stack([scores[n] for n in names], axis=2) if names else np.zeros((draws, 0, 0))
    scores["overall"] = (
        np.stack([_weighted_means(stacked[d], w_ch[d : d + 1])[0] for d in range(draws)])
        if names
        else np.zeros((draws, len(countries)))
    )
    out = {}
    for k in keys:
        x = np.where(np.isfinite(scores[k]), scores[k], -np.inf)
        out[k] = rankdata(-x, method="min", axis=1).astype(float) if countries else x
    med = {k: dict(zip(countries, np.median(out[k], 0).tolist(), strict=True)) for k in keys}
    lo = {
        k: dict(
            zip(
                countries,
                np.quantile(out[k], 0.025, 0, method="inverted_cdf").tolist(),
                strict=True,
            )
        )
        for k in keys
    }
    hi = {
        k: dict(
            zip(
                countries,
                np.quantile(out[k], 0.975, 0, method="inverted_cdf").tolist(),
                strict=True,
            )
        )
        for k in keys
    }
    return RankIntervals(given, med, lo, hi, draws, config.concentration)


def _weighted_means(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted means of each row of ``x`` (countries x items) for each weight row of ``w``
    (draws x items), over the items with a finite value; NaN where no weight remains.

    The vectorized :func:`_wmean`: the result is draws x countries.
    """
    finite = np.isfinite(x)
    num = w @ np.where(finite, x, 0.0).T
    den = w @ finite.astype(float).T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), NAN)


def _dirichlet(
    rng: np.random.Generator, weights: Mapping[str, float], kappa: float
) -> dict[str, float]:
    keys = [k for k, w in weights.items() if w > 0]
    total = sum(weights[k] for k in keys)
    if not keys:
        return dict(weights)
    alpha = np.array([kappa * weights[k] / total for k in keys])
    sample = rng.dirichlet(alpha)
    return {k: (float(sample[keys.index(k)]) if k in keys else 0.0) for k in weights}
