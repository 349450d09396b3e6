"""Subject and field diversification of each country's cross-border ties, and dyad multiplexity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

from civnet.measures.structure.groups import labels_of, require_actors
from civnet.views.network import Network


def shannon(counts: np.ndarray) -> float:
    """Shannon entropy ``H = -sum p_i ln p_i`` (nats) of category counts; 0 for one category.

    NaN when there is nothing to count. Reference: Shannon (1948),
    doi:10.1002/j.1538-7305.1948.tb01338.x.

    >>> round(shannon(np.array([1, 1])), 6)
    0.693147
    """
    c = np.asarray(counts, dtype=float)
    total = c.sum()
    if total <= 0:
        return float("nan")
    p = c[c > 0] / total
    return float(-(p * np.log(p)).sum()) + 0.0


def blau(counts: np.ndarray) -> float:
    """Blau's index ``1 - sum p_i^2``: the chance two draws fall in different categories.

    NaN when there is nothing to count. Reference: Blau (1977), *Inequality and Heterogeneity*,
    Free Press.

    >>> blau(np.array([1, 1, 2]))
    0.625
    """
    c = np.asarray(counts, dtype=float)
    total = c.sum()
    if total <= 0:
        return float("nan")
    p = c / total
    return float(1.0 - (p * p).sum())


def category_counts(values: Iterable[Hashable | None]) -> np.ndarray:
    """How often each distinct value occurs in ``values`` (first-seen order); None left out.

    Turns a list of categories into the counts :func:`shannon` and :func:`blau` take.

    >>> category_counts(["a", None, "b", "a"]).tolist()
    [2, 1]
    """
    counts = Counter(v for v in values if v is not None)
    return np.fromiter(counts.values(), dtype=np.int64, count=len(counts))


@dataclass(frozen=True)
class Multiplexity:
    """Distinct tracks per dyad: ``dyads`` (a, b) with a < b, ``tracks`` per dyad, summary."""

    level: str
    dyads: list[tuple[str, str]]
    ties: np.ndarray
    tracks: np.ndarray

    @property
    def mean_tracks(self) -> float:
        return float(self.tracks.mean()) if len(self.tracks) else float("nan")

    @property
    def multi_track_share(self) -> float:
        return float((self.tracks >= 2).mean()) if len(self.tracks) else float("nan")


@dataclass(frozen=True)
class CountryDiversity:
    """Per country (sorted ISO3 codes) with at least one cross-border tie in the view.

    ``actor_types[i]`` / ``tracks[i]``: counts behind country i's subject / field diversity.
    """

    countries: list[str]
    actors: np.ndarray
    actor_types: list[dict[str, int]]
    subject_entropy: np.ndarray
    subject_blau: np.ndarray
    ties: np.ndarray
    tracks: list[dict[str, int]]
    field_entropy: np.ndarray
    field_blau: np.ndarray
    partners: np.ndarray
    partner_mean_tracks: np.ndarray
    partner_multi_share: np.ndarray
    actor_dyads: np.ndarray
    actor_dyad_multi_share: np.ndarray


def country_diversity(net: Network) -> CountryDiversity:
    """Subject and field diversification and partner multiplexity of each country.

    A *cross-border tie* is a tie record of the view (``net.ties``, one row per tie, so two
    actors may share several) whose two ends have known, different countries. For country c:

    - subject diversification: over the distinct actors of c that are an end of a cross-border
      tie, counted by actor type (missing type: '(unknown)'): Shannon entropy H (nats) and Blau
      index ``1 - sum p^2`` (``actors``, ``actor_types``);
    - field diversification: over c's cross-border tie records, counted by track: H and Blau
      (``ties``, ``tracks``); a tie counts once for each of its two countries;
    - multiplexity of partner dyads: for each partner country d, the number of distinct tracks
      among the cross-border ties between c and d; ``partner_mean_tracks`` is their mean over
      c's partners and ``partner_multi_share`` the share of partners joined in 2+ tracks;
    - actor dyads: the cross-border actor pairs with an end in c (``actor_dyads``) and the share
      of them tied in 2+ distinct tracks.

    ``general`` (unknown or mixed field) counts as a track like any other. Countries without a
    cross-border tie are not listed. Weights are ignored: each tie record counts once.

    References: Shannon (1948) doi:10.1002/j.1538-7305.1948.tb01338.x; Blau (1977); for
    multiplexity, Verbrugge (1979), Multiplexity in adult friendships, *Social Forces* 57(4):
    1286-1309, doi:10.2307/2577271.
    """
    require_actors(net, "diversity")
    t = _tie_codes(net)
    cross = (t.cs >= 0) & (t.ct >= 0) & (t.cs != t.ct)
    s, d, cs, ct, tr = t.s[cross], t.t[cross], t.cs[cross], t.ct[cross], t.track[cross]
    end_actor = np.concatenate([s, d])
    end_country = np.concatenate([cs, ct])
    present = np.unique(end_country)
    countries = [t.country_names[i] for i in present]
    nc = len(t.country_names)

    holders = np.unique(end_country * t.n + end_actor)
    holder_country, holder_actor = holders // t.n, holders % t.n
    type_counts = _crosstab(holder_country, t.actor_type[holder_actor], nc, len(t.type_names))
    track_counts = _crosstab(end_country, np.concatenate([tr, tr]), nc, len(t.track_names))

    lo, hi = np.minimum(cs, ct), np.maximum(cs, ct)
    pair_tracks = _distinct_per_key(lo * nc + hi, tr)
    pairs = np.array(sorted(pair_tracks))
    n_tr = np.array([pair_tracks[p] for p in pairs]) if len(pairs) else np.zeros(0)
    p_country = np.concatenate([pairs // nc, pairs % nc]) if len(pairs) else np.zeros(0, int)
    p_tracks = np.concatenate([n_tr, n_tr]).astype(float)
    partners = np.bincount(p_country, minlength=nc)
    tracks_sum = np.bincount(p_country, weights=p_tracks, minlength=nc)
    multi = np.bincount(p_country, weights=(p_tracks >= 2).astype(float), minlength=nc)

    alo, ahi = np.minimum(s, d), np.maximum(s, d)
    adyad_tracks = _distinct_per_key(alo * t.n + ahi, tr)
    akeys = np.array(sorted(adyad_tracks), dtype=np.int64)
    a_tr = np.array([adyad_tracks[k] for k in akeys], dtype=float)
    a_c1 = t.actor_country[akeys // t.n] if len(akeys) else np.zeros(0, int)
    a_c2 = t.actor_country[akeys % t.n] if len(akeys) else np.zeros(0, int)
    a_country = np.concatenate([a_c1, a_c2])
    a_both = np.concatenate([a_tr, a_tr])
    adyads = np.bincount(a_country, minlength=nc)
    amulti = np.bincount(a_country, weights=(a_both >= 2).astype(float), minlength=nc)

    with np.errstate(divide="ignore", invalid="ignore"):
        mean_tracks = np.where(partners > 0, tracks_sum / np.maximum(partners, 1), np.nan)
        multi_share = np.where(partners > 0, multi / np.maximum(partners, 1), np.nan)
        amulti_share = np.where(adyads > 0, amulti / np.maximum(adyads, 1), np.nan)
    sel = present
    return CountryDiversity(
        countries=countries,
        actors=type_counts[sel].sum(axis=1),
        actor_types=[_named(type_counts[i], t.type_names) for i in sel],
        subject_entropy=np.array([shannon(type_counts[i]) for i in sel]),
        subject_blau=np.array([blau(type_counts[i]) for i in sel]),
        ties=track_counts[sel].sum(axis=1),
        tracks=[_named(track_counts[i], t.track_names) for i in sel],
        field_entropy=np.array([shannon(track_counts[i]) for i in sel]),
        field_blau=np.array([blau(track_counts[i]) for i in sel]),
        partners=partners[sel],
        partner_mean_tracks=mean_tracks[sel],
        partner_multi_share=multi_share[sel],
        actor_dyads=adyads[sel],
        actor_dyad_multi_share=amulti_share[sel],
    )


def multiplexity(net: Network, *, level: str = "actor") -> Multiplexity:
    """Distinct tracks per dyad over the view's tie records.

    ``level="actor"``: dyads are unordered actor pairs with at least one tie; ``"country"``:
    unordered pairs of different, known countries joined by at least one cross-border tie.
    Returns each dyad's tie records and distinct tracks, with the mean number of distinct
    tracks and the share of multi-track (2+) dyads (NaN when there is no dyad).

    Reference: Verbrugge (1979), doi:10.2307/2577271.
    """
    require_actors(net, "multiplexity")
    t = _tie_codes(net)
    if level == "actor":
        a, b, names, size = t.s, t.t, t.actor_ids, t.n
    elif level == "country":
        cross = (t.cs >= 0) & (t.ct >= 0) & (t.cs != t.ct)
        a, b, names, size = t.cs[cross], t.ct[cross], t.country_names, len(t.country_names)
        tr_all = t.track[cross]
    else:
        from civnet.errors import BadFilter

        raise BadFilter(f"unknown multiplexity level {level!r}", fix="use actor or country")
    track = t.track if level == "actor" else tr_all
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys = lo * max(size, 1) + hi
    distinct = _distinct_per_key(keys, track)
    uniq, counts = np.unique(keys, return_counts=True)
    return Multiplexity(
        level=level,
        dyads=[(names[k // size], names[k % size]) for k in uniq.tolist()],
        ties=counts,
        tracks=np.array([distinct[k] for k in uniq.tolist()], dtype=np.int64),
    )


@dataclass(frozen=True)
class _Ties:
    n: int
    actor_ids: list[str]
    s: np.ndarray
    t: np.ndarray
    cs: np.ndarray
    ct: np.ndarray
    track: np.ndarray
    actor_country: np.ndarray
    actor_type: np.ndarray
    country_names: list[str]
    type_names: list[str]
    track_names: list[str]


def _tie_codes(net: Network) -> _Ties:
    ids = net.ids
    index = {a: i for i, a in enumerate(ids)}
    country = _attr(net, "country")
    kind = labels_of(_attr(net, "type"))
    country_names = sorted({c for c in country if c})
    cidx = {c: i for i, c in enumerate(country_names)}
    actor_country = np.array([cidx[c] if c else -1 for c in country], dtype=np.int64)
    type_names = sorted(set(kind))
    tidx = {x: i for i, x in enumerate(type_names)}
    actor_type = np.array([tidx[x] for x in kind], dtype=np.int64)
    ties = net.ties
    if ties.num_rows:
        s = np.array([index[x] for x in ties.column("source").to_pylist()], dtype=np.int64)
        t = np.array([index[x] for x in ties.column("target").to_pylist()], dtype=np.int64)
        raw_tracks = (
            ties.column("track").to_pylist()
            if "track" in ties.column_names
            else ["general"] * ties.num_rows
        )
        tracks = [x or "general" for x in raw_tracks]
    else:
        s = t = np.zeros(0, dtype=np.int64)
        tracks = []
    track_names = sorted(set(tracks))
    kidx = {x: i for i, x in enumerate(track_names)}
    track = np.array([kidx[x] for x in tracks], dtype=np.int64)
    return _Ties(
        n=len(ids),
        actor_ids=ids,
        s=s,
        t=t,
        cs=actor_country[s],
        ct=actor_country[t],
        track=track,
        actor_country=actor_country,
        actor_type=actor_type,
        country_names=country_names,
        type_names=type_names,
        track_names=track_names,
    )


def _attr(net: Network, name: str) -> list[str | None]:
    if name in net.graph.vs.attributes():
        return [None if v in (None, "") else str(v) for v in net.graph.vs[name]]
    return [None] * net.graph.vcount()


def _crosstab(rows: np.ndarray, cols: np.ndarray, nr: int, nc: int) -> np.ndarray:
    out = np.zeros((nr, nc), dtype=np.int64)
    np.add.at(out, (rows, cols), 1)
    return out


def _distinct_per_key(keys: np.ndarray, track: np.ndarray) -> dict[int, int]:
    """Number of distinct tracks for each key."""
    if len(keys) == 0:
        return {}
    width = int(track.max()) + 1
    pairs = np.unique(keys * width + track)
    k, c = np.unique(pairs // width, return_counts=True)
    return dict(zip(k.tolist(), c.tolist(), strict=True))


def _named(counts: np.ndarray, names: list[str]) -> dict[str, int]:
    return {names[j]: int(counts[j]) for j in np.flatnonzero(counts)}
