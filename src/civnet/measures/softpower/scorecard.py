"""The four-channel soft-power scorecard (DESIGN section 6): configuration, scores, uncertainty.

Per country c of the view, ten network indicators (:data:`INDICATORS`, each with its formula,
defined in :mod:`civnet.measures.softpower.scorecard_indicators` with the terms used: *civil* actors,
*cross-border* ties, *hubs*, the countries scored) are computed, scaled 0-100 across the
countries scored, and combined into four channels by the weights of a :class:`ScorecardConfig`
(shipped default: ``civnet/products/scorecard_default.toml``). How sure the scores are:
:func:`scorecard_bootstrap` (the whole scorecard on resampled views) and
:func:`weight_sensitivity` (the ranks under redrawn weights).

Missing data is never 0: an indicator with no data in the whole view (no ``culture`` ties, say)
is missing with its reason and leaves its channel; a channel with no indicator left is missing
with the reasons. An indicator undefined for one country (a ratio with a zero denominator) is
left out of that country's channel, and the channel notes it.

Validity (:func:`uninformative`, :attr:`Scorecard.unranked`): an indicator with the same value
for every country, or non-zero for fewer than ``min_countries`` countries, cannot tell the
countries apart; it is left out of its channel and reported as *uninformative*, never scored
at the midpoint. A country whose channel rests on fewer than ``min_ties`` tie records
(:func:`~civnet.measures.softpower.scorecard_indicators.support`) keeps its score but is *low-support*
and unranked on that channel (the overall score: on the records of all channels).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.softpower.scorecard_indicators import INDICATORS, NAN, Raw, _View, support
from civnet.measures.softpower.scorecard_replicates import _ReplicateIndicators
from civnet.measures.statistics.resampling import Resampler
from civnet.measures.statistics.uncertainty import centred_intervals
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
    min_countries: int = 3
    min_ties: int = 5


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
    val = data.get("validity", {})
    min_countries, min_ties = val.get("min_countries", 3), val.get("min_ties", 5)
    for key, x in (("min_countries", min_countries), ("min_ties", min_ties)):
        if isinstance(x, bool) or not isinstance(x, int) or x < 0:
            raise BadFilter(
                f"validity.{key} must be a whole number >= 0, got {x!r}", where=where, fix="e.g. 3"
            )
    return ScorecardConfig(channels, scaling, conc, draws, min_countries, min_ties)


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
    uninformative: str | None = None


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
    """Per country: indicators (raw, 0-100), channels and the overall score, and their formulas.

    ``support[key][country]``: the tie records a channel (or ``overall``: all channels) rests on
    for the country (empty for a scorecard of a bootstrap replicate); ``min_ties``: the support
    below which a country is unranked on it.
    """

    countries: list[str]
    indicators: dict[str, IndicatorResult]
    channels: dict[str, ChannelResult]
    overall: dict[str, float]
    scaling: str
    notes: list[str] = field(default_factory=list)
    support: dict[str, dict[str, int]] = field(default_factory=dict)
    min_ties: int = 0

    def score(self, key: str) -> dict[str, float]:
        """The scores of a channel, or of ``overall``."""
        return self.overall if key == "overall" else self.channels[key].score

    def unranked(self, key: str) -> dict[str, str]:
        """Countries left unranked on ``key`` (a channel or ``overall``), with the reason:
        no score, or fewer than ``min_ties`` supporting tie records (low support)."""
        out = {}
        sup = self.support.get(key, {})
        for c, x in self.score(key).items():
            if not math.isfinite(x):
                out[c] = "no score"
            elif c in sup and sup[c] < self.min_ties:
                out[c] = f"low support: {sup[c]} tie records (fewer than {self.min_ties})"
        return out


def scale(
    values: Mapping[str, float], method: str = "minmax"
) -> tuple[dict[str, float], float, float]:
    """Scale finite values 0-100 across countries; returns (scores, min, max). NaN stays NaN.

    ``minmax``: ``100 (x - min) / (max - min)``; ``rank``: ``100 (r - 1) / (n - 1)`` with average
    ranks r (1 = lowest). All values equal (or only one country): every country scores 50.

    >>> scale({"A": 1.0, "B": 3.0, "C": 2.0})[0]
    {'A': 0.0, 'B': 100.0, 'C': 50.0}
    """
    keys = list(values)
    x = np.array([values[k] for k in keys], dtype=float)
    finite = x[np.isfinite(x)]
    if not len(finite):
        return dict.fromkeys(keys, NAN), NAN, NAN
    s = _scale_array(x, method)
    return dict(zip(keys, s.tolist(), strict=True)), float(finite.min()), float(finite.max())


def uninformative(raw: Mapping[str, float], min_countries: int) -> str | None:
    """Why an indicator cannot tell the countries apart, or None when it can.

    Uninformative: fewer than two countries with a value, the same value for every country,
    or non-zero values for fewer than ``min_countries`` countries (for fewer than all of them
    when fewer than ``min_countries`` are scored).

    >>> uninformative({"CHN": 0.0, "DEU": 0.0, "FRA": 0.0}, 3)
    'uninformative: 0 for every country scored'
    >>> uninformative({"CHN": 2.0, "DEU": 0.0, "FRA": 0.0}, 3)
    'uninformative: non-zero for 1 of 3 countries (fewer than 3)'
    >>> uninformative({"CHN": 2.0, "DEU": 1.0}, 3) is None
    True
    """
    x = np.array([v for v in raw.values() if math.isfinite(v)], dtype=float)
    if x.size < 2:
        return f"uninformative: a value for {x.size} country"
    if np.all(x == x[0]):
        return f"uninformative: {x[0]:g} for every country scored"
    nz = int(np.count_nonzero(x))
    need = min(min_countries, x.size)
    if nz < need:
        return f"uninformative: non-zero for {nz} of {x.size} countries (fewer than {need})"
    return None


def _wmean(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    num = den = 0.0
    for k, w in weights.items():
        x = scores.get(k, NAN)
        if math.isfinite(x) and w > 0:
            num += w * x
            den += w
    return num / den if den > 0 else NAN


def scorecard(net: Network, config: ScorecardConfig) -> Scorecard:
    """The scorecard of every country with a civil actor in ``net`` (see the module docstring).

    Indicator score: :func:`scale` of its raw values across countries; an :func:`uninformative`
    indicator has no score. Channel score: the weighted mean of its indicator scores, over the
    indicators with a value for the country (weights renormalized). Overall: the weighted mean
    of the channel scores by channel weight. All scores lie in [0, 100]. ``support``: the tie
    records each channel rests on per country (:func:`scorecard_indicators.support`).
    """
    v = _View.of(net)
    if not v.scored:
        raise EmptyNetwork(
            "scorecard: no country has a civil actor with a tie in the view",
            fix="widen the view filters; actors need a country and a civil type",
        )
    raws = _view_raws(net, v, [name for name in INDICATORS if _used(config, name)])
    card = _assemble(v.scored, raws, config, net.notes)
    groups = {
        ch.name: [k for k in ch.indicators if not card.indicators[k].uninformative]
        for ch in config.channels
    }
    groups["overall"] = [k for g in groups.values() for k in g]
    card.support = support(v, groups)
    card.min_ties = config.min_ties
    return card


def _view_raws(net: Network, v: _View, names: Sequence[str]) -> dict[str, Raw]:
    """The raw values of the indicators ``names`` on the view.

    Computed as on the bootstrap replicate holding every actor and tie once
    (:class:`_ReplicateIndicators`, arrays: 0.1 s on the embedded data against 2.4 s for the
    per-tie definitions of :data:`INDICATORS`); the same values, exactly, except the two
    betweenness indicators (within float rounding, 1e-12 relative):
    ``tests/test_report_speed.py`` checks them against ``INDICATORS[name].compute``. A view
    whose tables the arrays cannot take falls back to the definitions.
    """
    t = net.ties
    if t.num_rows and {"source", "target", "directed"} <= set(t.column_names):
        from civnet.measures.statistics.resampling import ViewArrays, actor_replicate

        view = ViewArrays.of(net)
        scored, raws = _ReplicateIndicators(view).compute(
            actor_replicate(view, np.ones(view.n, np.int64)), names
        )
        if scored == v.scored:
            return raws
    return {name: INDICATORS[name].compute(v) for name in names}


def _used(config: ScorecardConfig, name: str) -> bool:
    return any(name in ch.indicators for ch in config.channels)


def _assemble(
    countries: list[str],
    raws: Mapping[str, Raw],
    config: ScorecardConfig,
    notes: Sequence[str],
    drop: Mapping[str, str] | None = None,
) -> Scorecard:
    """The scorecard from the indicators' raw values. ``drop``: the indicators to leave out as
    uninformative (a bootstrap replicate keeps the view's choice); None: decide here."""
    indicators: dict[str, IndicatorResult] = {}
    channels: dict[str, ChannelResult] = {}
    for ch in config.channels:
        for name in ch.indicators:
            raw = raws[name]
            formula = INDICATORS[name].formula
            if isinstance(raw, str):
                indicators[name] = IndicatorResult(name, ch.name, formula, {}, {}, raw, NAN, NAN)
                continue
            why = uninformative(raw, config.min_countries) if drop is None else drop.get(name)
            s, lo, hi = scale(raw, config.scaling)
            if why:
                s = dict.fromkeys(raw, NAN)
            indicators[name] = IndicatorResult(
                name, ch.name, formula, dict(raw), s, None, lo, hi, why
            )
        score: dict[str, float] = {}
        missing: dict[str, str] = {}
        for c in countries:
            per = {k: indicators[k].score.get(c, NAN) for k in ch.indicators}
            score[c] = _wmean(per, ch.indicators)
            if not math.isfinite(score[c]):
                reasons = [
                    f"{k}: "
                    + (indicators[k].missing or indicators[k].uninformative or f"undefined for {c}")
                    for k in ch.indicators
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
    """Bootstrap intervals (:func:`~civnet.measures.statistics.uncertainty.centred_interval`) of every channel
    score and the overall score per country; ``notes[key][country]`` says why one is missing.

    ``rank_low``/``rank_high``: the interval of each ranked country's rank over the resamples
    (weights as given); ``both_low``/``both_high``: over the resamples each paired with one
    Dirichlet weight draw (both sources of uncertainty at once). NaN for unranked countries.
    """

    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    present: dict[str, int]
    n_boot: int
    unit: str
    level: float
    notes: dict[str, dict[str, str]] = field(default_factory=dict)
    rank_low: dict[str, dict[str, float]] = field(default_factory=dict)
    rank_high: dict[str, dict[str, float]] = field(default_factory=dict)
    both_low: dict[str, dict[str, float]] = field(default_factory=dict)
    both_high: dict[str, dict[str, float]] = field(default_factory=dict)
    replicates: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)


BLOCK = 5
"""Bootstrap replicates computed together when the replicates are spread over processes (the
smaller, the less either process waits for the other's last block; each costs a message)."""


@dataclass(frozen=True)
class BootPlan:
    """What computing one bootstrap replicate of a scorecard needs (it pickles, so that a block
    of replicates can be computed in another process)."""

    sampler: Resampler
    fast: _ReplicateIndicators
    used: list[str]
    config: ScorecardConfig
    drop: dict[str, str]
    keys: list[str]
    ranked: dict[str, list[str]]
    countries: list[str]
    w_ind: dict[str, np.ndarray]
    w_ch: np.ndarray


@dataclass(frozen=True)
class BootBlock:
    """Replicates ``start`` to ``start + len`` of a scorecard bootstrap: ``scores``, ``ranks``
    (weights as given) and ``both`` (paired weight draw), each keys x countries x replicates
    (NaN: not scored or not ranked in that replicate); ``present`` counts per country the
    replicates scoring it."""

    start: int
    scores: np.ndarray
    ranks: np.ndarray
    both: np.ndarray
    present: np.ndarray


def boot_block(
    plan: BootPlan,
    state: Mapping[str, Any],
    start: int,
    stop: int,
    tick: Callable[[int], None] | None = None,
) -> BootBlock:
    """Replicates ``start`` to ``stop`` (exclusive) of :func:`scorecard_bootstrap`, drawn by a
    generator in ``state`` (its state when replicate ``start`` is drawn): the same numbers
    whichever process computes them and however the replicates are split."""
    rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
    rng.bit_generator.state = state
    keys, countries, config = plan.keys, plan.countries, plan.config
    col = {c: j for j, c in enumerate(countries)}
    # column of each country code of the replicates (-1: not a country of the view's card)
    code_col = np.array([col.get(c, -1) for c in plan.fast.names], dtype=np.int64)
    ranked = [np.array([col[c] for c in plan.ranked[k]], dtype=np.int64) for k in keys]
    shape = (len(keys), len(countries), stop - start)
    scores, ranks, both = np.full(shape, NAN), np.full(shape, NAN), np.full(shape, NAN)
    present = np.zeros(len(countries), np.int64)
    for i, r in enumerate(range(start, stop)):
        (rep,) = plan.sampler.replicates(rng)
        codes, raws = plan.fast.arrays(rep, plan.used)
        if len(codes):
            given, drawn = _replicate_scores(
                raws,
                len(codes),
                config,
                plan.drop,
                {n: x[r] for n, x in plan.w_ind.items()},
                plan.w_ch[r],
            )
            cols = code_col[codes]
            ok = cols >= 0
            present[cols[ok]] += 1
            for ki, k in enumerate(keys):
                by_col = np.full(len(countries), NAN)
                by_col[cols[ok]] = given[k][ok]
                scores[ki, cols[ok], i] = given[k][ok]
                # ranks among the view's ranked countries present in the replicate with a
                # score (1 = highest, ties share the best rank), as _rank_of
                x = by_col[ranked[ki]]
                fin = np.isfinite(x)
                if fin.any():
                    ranks[ki, ranked[ki][fin], i] = min_ranks(-x[fin])
                by_col[cols[ok]] = drawn[k][ok]
                x = by_col[ranked[ki]]
                fin = np.isfinite(x)
                if fin.any():
                    both[ki, ranked[ki][fin], i] = min_ranks(-x[fin])
        if tick:
            tick(i + 1)
    return BootBlock(start, scores, ranks, both, present)


def _replicate_scores(
    raws: Mapping[str, np.ndarray | str],
    size: int,
    config: ScorecardConfig,
    drop: Mapping[str, str],
    w_ind: Mapping[str, np.ndarray],
    w_ch: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The channel and overall scores of a bootstrap replicate from its indicators' raw values
    (:meth:`_ReplicateIndicators.arrays`: arrays over the replicate's ``size`` countries, or a
    reason),
    with the configured weights and under one draw of them (``w_ind``, ``w_ch``).

    The same numbers as :func:`_assemble` with ``drop`` (then :meth:`Scorecard.score`) and
    :func:`_scores_under`, computed on arrays over the countries instead of dicts: the same
    float operations in the same order for each country (:func:`scale`, :func:`_wmean`,
    :func:`_weighted_means`), so equal to the last bit (``tests/test_scorecard.py``).
    """
    scored: dict[str, np.ndarray] = {}
    given: dict[str, np.ndarray] = {}
    drawn: dict[str, np.ndarray] = {}
    for ch in config.channels:
        for name in ch.indicators:
            if name in scored:
                continue
            raw = raws[name]
            if isinstance(raw, str) or drop.get(name):
                scored[name] = np.full(size, NAN)
            else:
                scored[name] = _scale_array(raw, config.scaling)
    for ch in config.channels:
        given[ch.name] = _wmean_arrays([scored[k] for k in ch.indicators], ch.indicators, size)
        x = np.stack([scored[k] for k in ch.indicators], axis=1).reshape(size, len(ch.indicators))
        drawn[ch.name] = _weighted_means(x, w_ind[ch.name][None, :])[0]
    cw = {ch.name: ch.weight for ch in config.channels}
    given["overall"] = _wmean_arrays([given[k] for k in cw], cw, size)
    stacked = (
        np.stack([drawn[ch.name] for ch in config.channels], axis=1)
        if config.channels
        else np.zeros((size, 0))
    )
    drawn["overall"] = _weighted_means(stacked, w_ch[None, :])[0]
    return given, drawn


def _scale_array(values: np.ndarray, method: str) -> np.ndarray:
    """:func:`scale` of an array of values (NaN stays NaN): the scores in the same order."""
    out = np.full(len(values), NAN)
    finite = np.isfinite(values)
    if not finite.any():
        return out
    x = values[finite]
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        s = np.full(len(x), 50.0)
    elif method == "rank":
        from scipy.stats import rankdata  # here: scipy.stats takes ~1 s to import

        s = 100.0 * (rankdata(x) - 1.0) / (len(x) - 1.0)
    else:
        s = 100.0 * (x - lo) / (hi - lo)
    out[finite] = s
    return out


def _wmean_arrays(
    columns: Sequence[np.ndarray], weights: Mapping[str, float], size: int
) -> np.ndarray:
    """:func:`_wmean` of each row: ``columns`` are the values in the order of ``weights``."""
    num = np.zeros(size)
    den = np.zeros(size)
    for x, w in zip(columns, weights.values(), strict=True):
        if not w > 0:
            continue
        ok = np.isfinite(x)
        num = np.where(ok, num + w * x, num)
        den = np.where(ok, den + w, den)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), NAN)


RunBlocks = Callable[
    [Callable[..., BootBlock], BootPlan, list[tuple[Mapping[str, Any], int, int]]],
    Iterable[BootBlock],
]
"""``run(boot_block, plan, blocks)``: ``boot_block(plan, *b)`` for every ``b`` of ``blocks``, in
any order, wherever (the products layer spreads them over processes)."""


def scorecard_bootstrap(
    net: Network,
    config: ScorecardConfig,
    *,
    n_boot: int = 200,
    unit: str = "actors",
    clusters: Sequence[Sequence[str]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    card: Scorecard | None = None,
    progress: Callable[[int, int], None] | None = None,
    run_blocks: RunBlocks | None = None,
) -> ScoreIntervals:
    """Recompute the whole scorecard (scaling included) on resampled views; median-centred
    percentile intervals (:func:`~civnet.measures.statistics.uncertainty.centred_interval`, clipped to
    0-100) around the scores of the view itself (``card``, :func:`scorecard` of ``net`` when
    not given), so no score lies outside its interval; ``notes`` flags a score whose resamples
    lie far off it. The uninformative indicators and the unranked countries
    are those of the view itself, in every resample.

    Keys of ``low``/``high``: channel names and ``overall``, then country. A country absent from
    a replicate (none of its civil actors drawn) is left out of that replicate; ``present``
    counts the replicates in which each country was scored. Ranks: among the view's ranked
    countries present in the replicate. The indicators of a replicate are computed from the
    view's arrays and the replicate's multiplicities (:class:`_ReplicateIndicators`), the same
    numbers as on the replicate built as a network. Resample r is paired with weight draw r of
    ``default_rng([seed, 1])`` for the combined rank interval.

    ``run_blocks`` (:data:`RunBlocks`): computes blocks of :data:`BLOCK` replicates
    (:func:`boot_block`), e.g. on two processes; each replicate is drawn from the generator's
    state at its place in the sequence, so the numbers are those of the one loop.
    """
    if n_boot < 1:
        raise BadFilter(f"--boot must be at least 1, got {n_boot}", fix="use e.g. --boot 200")
    card0 = card if card is not None else scorecard(net, config)
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    countries = card0.countries
    drop = {k: i.uninformative for k, i in card0.indicators.items() if i.uninformative}
    keys = [*(ch.name for ch in config.channels), "overall"]
    unranked = {k: card0.unranked(k) for k in keys}
    ranked = {k: [c for c in countries if c not in unranked[k]] for k in keys}
    given = {k: _rank_of(card0.score(k), ranked[k]) for k in keys}
    w_ind, w_ch = _draw_weights(config, np.random.default_rng([seed, 1]), n_boot)
    # the plan travels to the second process: the sampler without the networks it was made
    # from (its arrays draw the replicates; the networks would add 13.6 MB to the message)
    light = copy.copy(sampler)
    light.nets = []
    plan = BootPlan(
        light,
        _ReplicateIndicators(sampler.views[0]),
        [n for n in INDICATORS if _used(config, n)],
        config,
        drop,
        keys,
        ranked,
        countries,
        w_ind,
        w_ch,
    )
    rng = np.random.default_rng(seed)
    blocks = [(rng.bit_generator.state, 0, n_boot)]
    if run_blocks is not None and n_boot > 1:
        # the generator's state where each block starts: the draws alone are cheap (~0.3 ms)
        blocks = []
        for r in range(n_boot):
            if r % BLOCK == 0:
                blocks.append((rng.bit_generator.state, r, min(r + BLOCK, n_boot)))
            sampler.replicates(rng)
    reps = {k: {c: np.full(n_boot, NAN) for c in countries} for k in keys}
    rank_reps = {k: {c: np.full(n_boot, NAN) for c in countries} for k in keys}
    both_reps = {k: {c: np.full(n_boot, NAN) for c in countries} for k in keys}
    present = dict.fromkeys(countries, 0)
    done = 0

    def tick(r: int) -> None:
        if progress:
            progress(done + r, n_boot)

    one = run_blocks is None or len(blocks) == 1
    if one:
        found: Iterable[BootBlock] = [boot_block(plan, *blocks[0], tick=tick)]
    else:
        assert run_blocks is not None
        found = run_blocks(boot_block, plan, blocks)
    for b in found:
        span = slice(b.start, b.start + b.scores.shape[2])
        for i, k in enumerate(keys):
            for j, c in enumerate(countries):
                reps[k][c][span] = b.scores[i, j]
                rank_reps[k][c][span] = b.ranks[i, j]
                both_reps[k][c][span] = b.both[i, j]
        for j, c in enumerate(countries):
            present[c] += int(b.present[j])
        done += b.scores.shape[2]
        if not one:
            tick(0)
    out: dict[str, dict[str, dict[str, float]]] = {
        x: {k: {} for k in keys} for x in ("low", "high", "rl", "rh", "bl", "bh")
    }
    notes: dict[str, dict[str, str]] = {k: {} for k in keys}
    # every (key, country) interval at once (centred_intervals: centred_interval of each)
    cells = [(k, c) for k in keys for c in countries]
    est = np.array([card0.score(k)[c] for k, c in cells], dtype=float)
    g = np.array([given[k].get(c, NAN) for k, c in cells], dtype=float)
    top = np.array([float(max(len(ranked[k]), 1)) for k, _ in cells])

    def stack(per: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
        if not cells:
            return np.zeros((n_boot, 0))
        return np.column_stack([per[k][c] for k, c in cells])

    lo, hi, why = centred_intervals(est, stack(reps), level, within=(0.0, 100.0))
    rb_lo, rb_hi, _ = centred_intervals(g, stack(rank_reps), level, within=(1.0, top))
    rw_lo, rw_hi, _ = centred_intervals(g, stack(both_reps), level, within=(1.0, top))
    for j, (k, c) in enumerate(cells):
        out["low"][k][c], out["high"][k][c] = float(lo[j]), float(hi[j])
        note = why[j]
        if note and math.isfinite(est[j]):
            notes[k][c] = note
        # ranks are whole numbers: interpolated bounds are rounded outward
        out["rl"][k][c], out["rh"][k][c] = float(np.floor(rb_lo[j])), float(np.ceil(rb_hi[j]))
        out["bl"][k][c], out["bh"][k][c] = float(np.floor(rw_lo[j])), float(np.ceil(rw_hi[j]))
    return ScoreIntervals(
        out["low"],
        out["high"],
        present,
        n_boot,
        unit,
        level,
        notes,
        out["rl"],
        out["rh"],
        out["bl"],
        out["bh"],
        reps,
    )


def _rank_of(scores: Mapping[str, float], countries: Sequence[str]) -> dict[str, float]:
    """Rank (1 = highest, equal scores share the best rank) of ``countries`` by ``scores``."""
    keep = [c for c in countries if math.isfinite(scores.get(c, NAN))]
    if not keep:
        return {}
    r = min_ranks(np.array([-scores[c] for c in keep], dtype=float))
    return {c: float(x) for c, x in zip(keep, r, strict=True)}


def min_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 for the smallest, equal values sharing their lowest rank
    (the "min" or competition ranking: 1, 2, 2, 4): ``1 +`` the number of values in the same
    row below each value. ``x`` holds no NaN (infinities rank as numbers).

    The ranks of ``scipy.stats.rankdata(x, method="min", axis=-1)`` (``tests/test_scorecard.py``
    compares them), computed here because the scorecard ranks on every bootstrap replicate and
    ``scipy.stats`` costs about 1 s to import in each process of a report, for this alone.

    >>> min_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist()
    [3, 1, 3, 2]
    >>> min_ranks(np.array([[1.0, -np.inf], [2.0, 2.0]])).tolist()
    [[2, 1], [1, 1]]
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[-1] == 0:
        return np.zeros(x.shape, np.int64)
    order = np.argsort(x, axis=-1, kind="stable")
    s = np.take_along_axis(x, order, axis=-1)
    n = x.shape[-1]
    new = np.ones(s.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    # the position in sorted order where each value's run of equal values starts
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0), axis=-1)
    out = np.empty(x.shape, np.int64)
    np.put_along_axis(out, order, first + 1, axis=-1)
    return out


def _draw_weights(
    config: ScorecardConfig, rng: np.random.Generator, draws: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``draws`` Dirichlet draws around the configured weights: per channel its indicator
    weights (draws x indicators), and the channel weights (draws x channels). The weights are
    drawn in this order for each draw: each channel's indicator weights, then the channels'."""
    names = [ch.name for ch in config.channels]
    w_ind = {ch.name: np.zeros((draws, len(ch.indicators))) for ch in config.channels}
    w_ch = np.zeros((draws, len(names)))
    for d in range(draws):
        for ch in config.channels:
            w = _dirichlet(rng, ch.indicators, config.concentration)
            w_ind[ch.name][d] = [w[k] for k in ch.indicators]
        cw = _dirichlet(rng, {ch.name: ch.weight for ch in config.channels}, config.concentration)
        w_ch[d] = [cw[n] for n in names]
    return w_ind, w_ch


def _scores_under(
    card: Scorecard, config: ScorecardConfig, w_ind: Mapping[str, np.ndarray], w_ch: np.ndarray
) -> dict[str, dict[str, float]]:
    """Channel and overall scores of ``card``'s countries under one draw of the weights."""
    countries = card.countries
    out: dict[str, dict[str, float]] = {}
    cols = []
    for ch in config.channels:
        x = np.array(
            [[card.indicators[k].score.get(c, NAN) for k in ch.indicators] for c in countries]
        ).reshape(len(countries), len(ch.indicators))
        v = _weighted_means(x, w_ind[ch.name][None, :])[0]
        out[ch.name] = dict(zip(countries, v.tolist(), strict=True))
        cols.append(v)
    stacked = np.stack(cols, axis=1) if cols else np.zeros((len(countries), 0))
    overall = _weighted_means(stacked, w_ch[None, :])[0]
    out["overall"] = dict(zip(countries, overall.tolist(), strict=True))
    return out


# -- sensitivity to the weights -------------------------------------------------------------------


@dataclass(frozen=True)
class RankIntervals:
    """Rank (1 = highest) of each ranked country under random weights: given, median, range.

    Countries unranked on a key (:meth:`Scorecard.unranked`) are absent from its dicts."""

    rank: dict[str, dict[str, int]]
    median: dict[str, dict[str, float]]
    low: dict[str, dict[str, float]]
    high: dict[str, dict[str, float]]
    draws: int
    concentration: float


def ranks(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank 1 for the highest score (equal scores share the best rank); NaN ranks last."""
    keys = list(scores)
    x = np.array([scores[k] if math.isfinite(scores[k]) else -np.inf for k in keys])
    r = min_ranks(-x).astype(int) if keys else np.zeros(0, int)
    return dict(zip(keys, r.tolist(), strict=True))


def weight_sensitivity(card: Scorecard, config: ScorecardConfig, *, seed: int = 0) -> RankIntervals:
    """Ranks of the ranked countries (overall and per channel) when the weights are redrawn.

    Each of ``config.draws`` draws replaces the channel weights w by a Dirichlet(kappa w / sum w)
    sample and each channel's indicator weights likewise (kappa = ``config.concentration``;
    weights of 0 stay 0), keeping the indicator scores. Returns per key (channel or
    ``overall``) and ranked country (:meth:`Scorecard.unranked` leaves some out) the rank with
    the given weights, and the median and the 2.5/97.5 percentiles of the ranks over the draws,
    the range widened where needed to hold the rank at the given weights.
    """
    rng = np.random.default_rng(seed)
    keys = [*card.channels, "overall"]
    countries = card.countries
    unranked = {k: card.unranked(k) for k in keys}  # once per key, not per country
    ranked = {k: [c for c in countries if c not in unranked[k]] for k in keys}
    given = {k: {c: int(x) for c, x in _rank_of(card.score(k), ranked[k]).items()} for k in keys}
    draws = config.draws
    names = [ch.name for ch in config.channels]
    members = {ch.name: list(ch.indicators) for ch in config.channels}
    w_ind, w_ch = _draw_weights(config, rng, draws)
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
    med: dict[str, dict[str, float]] = {}
    lo: dict[str, dict[str, float]] = {}
    hi: dict[str, dict[str, float]] = {}
    for k in keys:
        idx = [countries.index(c) for c in ranked[k]]
        x = scores[k][:, idx] if idx else np.zeros((draws, 0))
        x = np.where(np.isfinite(x), x, -np.inf)
        r = min_ranks(-x).astype(float) if idx else x
        q_lo = np.quantile(r, 0.025, 0, method="inverted_cdf") if idx else []
        q_hi = np.quantile(r, 0.975, 0, method="inverted_cdf") if idx else []
        med[k], lo[k], hi[k] = {}, {}, {}
        for j, c in enumerate(ranked[k]):
            g = given[k].get(c)
            med[k][c] = float(np.median(r[:, j]))
            lo[k][c] = float(min(q_lo[j], g)) if g is not None else float(q_lo[j])
            hi[k][c] = float(max(q_hi[j], g)) if g is not None else float(q_hi[j])
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
