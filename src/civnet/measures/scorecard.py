"""The four-channel soft-power scorecard (DESIGN section 6): configuration, scores, uncertainty.

Per country c of the view, ten network indicators (:data:`INDICATORS`, each with its formula,
defined in :mod:`civnet.measures.scorecard_indicators` with the terms used: *civil* actors,
*cross-border* ties, *hubs*, the countries scored) are computed, scaled 0-100 across the
countries scored, and combined into four channels by the weights of a :class:`ScorecardConfig`
(shipped default: ``civnet/products/scorecard_default.toml``). How sure the scores are:
:func:`scorecard_bootstrap` (the whole scorecard on resampled views) and
:func:`weight_sensitivity` (the ranks under redrawn weights).

Missing data is never 0: an indicator with no data in the whole view (no ``culture`` ties, say)
is missing with its reason and leaves its channel; a channel with no indicator left is missing
with the reasons. An indicator undefined for one country (a ratio with a zero denominator) is
left out of that country's channel, and the channel notes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.resampling import Replicate, Resampler
from civnet.measures.scorecard_indicators import INDICATORS, NAN, Raw, _View
from civnet.measures.scorecard_replicates import _ReplicateIndicators
from civnet.measures.uncertainty import bc_interval
from civnet.views.network import Network

SCALINGS = ("minmax", "rank")


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
    """Bootstrap intervals (:func:`~civnet.measures.uncertainty.bc_interval`) of every channel
    score and the overall score per country; ``notes[key][country]`` says why one is missing."""

    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    present: dict[str, int]
    n_boot: int
    unit: str
    level: float
    notes: dict[str, dict[str, str]] = field(default_factory=dict)


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
    """Recompute the whole scorecard (scaling included) on resampled views; bias-corrected
    percentile intervals (:func:`~civnet.measures.uncertainty.bc_interval`) around the scores of
    the view itself, so no score lies outside its interval (a score beyond the central
    ``level`` share of its resamples gets no interval, and ``notes`` says why).

    Keys of ``low``/``high``: channel names and ``overall``, then country. A country absent from
    a replicate (none of its civil actors drawn) is left out of that replicate; ``present``
    counts the replicates in which each country was scored. The indicators of a replicate are
    computed from the view's arrays and the replicate's multiplicities
    (:class:`_ReplicateIndicators`), the same numbers as on the replicate built as a network.
    """
    if n_boot < 1:
        raise BadFilter(f"--boot must be at least 1, got {n_boot}", fix="use e.g. --boot 200")
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    view = sampler.views[0]
    fast = _ReplicateIndicators(view)
    whole = Replicate(view, np.ones(view.n, np.int64), np.ones(view.ties.num_rows, np.int64))
    used = [n for n in INDICATORS if _used(config, n)]
    countries, raws0 = fast.compute(whole, used)  # the countries scored on the view itself
    if not countries:
        scorecard(net, config)  # raises EmptyNetwork with its explanation
    keys = [*(ch.name for ch in config.channels), "overall"]
    card0 = _assemble(countries, raws0, config, [])
    reps = {k: {c: np.full(n_boot, NAN) for c in countries} for k in keys}
    present = dict.fromkeys(countries, 0)
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
    low: dict[str, dict[str, float]] = {k: {} for k in keys}
    high: dict[str, dict[str, float]] = {k: {} for k in keys}
    notes: dict[str, dict[str, str]] = {k: {} for k in keys}
    for k in keys:
        for c in countries:
            est = card0.overall[c] if k == "overall" else card0.channels[k].score[c]
            iv = bc_interval(est, reps[k][c], level)
            low[k][c], high[k][c] = iv.low, iv.high
            if iv.note and np.isfinite(est):
                notes[k][c] = iv.note
    return ScoreIntervals(low, high, present, n_boot, unit, level, notes)


# -- sensitivity to the weights -------------------------------------------------------------------


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
