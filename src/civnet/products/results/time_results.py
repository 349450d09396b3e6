"""Results of the time and soft-power measures as products show them: timeline, compare, brokers
(broker stability) and the scorecard.

These take more than one view (periods, a before and an after) or workspace-side inputs (tie
sources for ``--resample sources``, the scorecard config file). Each has a ``*_inputs`` function
that reads them through :mod:`civnet.products.periods` and returns plain, workspace-independent
inputs, and a ``*_result`` function that computes from those; the catalog
(:mod:`civnet.products.catalog`) registers the pair, so the CLI and the server run the same two
steps. ``json()`` of a result is what ``civnet <measure> --format json`` prints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.change.coverage import (
    Notice,
    beyond_coverage,
    common_sources,
    left_out_notice,
    timeline_notices,
    unequal_windows,
)
from civnet.measures.change.timeline import COUNTS_FIXED_BY_TIES, Period, core_factors, timeline
from civnet.measures.intermediation.betweenness import Progress
from civnet.measures.softpower.scorecard import (
    RankIntervals,
    Scorecard,
    ScorecardConfig,
    ScoreIntervals,
    scorecard,
    scorecard_bootstrap,
    weight_sensitivity,
)
from civnet.measures.statistics.resampling import check_unit
from civnet.measures.statistics.uncertainty import (
    UNCERTAINTY_RULE,
    BrokerStability,
    betweenness_bootstrap,
    compare_periods,
)
from civnet.products import second_core
from civnet.products.periods import (
    centred_notices,
    keep_sources,
    load_config,
    parse_span,
    source_windows,
    sources_in,
    sources_of_views,
    tie_source_ids,
    tie_sources,
    timeline_views,
    untraceable_notice,
    view_notices,
)
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network
from civnet.vocab import RANKED_LEVELS


def span_spec(spec: ViewSpec, text: str, what: str) -> ViewSpec:
    """``spec`` restricted to the span ``text`` (``2016:2019``); ``what`` names the option."""
    lo, hi = parse_span(text, what)
    return dataclasses.replace(spec, date_from=lo, date_to=hi)


# -- timeline -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineInputs:
    """One view per period, and the coverage notices of the periods."""

    views: list[tuple[Period, Network]]
    notices: list[Notice]


def timeline_inputs(
    ws: Workspace,
    spec: ViewSpec,
    every: str = "year",
    window: int = 1,
    whole: Network | None = None,
) -> TimelineInputs:
    """One view per period; the span is the view's --from/--to or its dated ties' range. The
    notices name, for each source that gives ties to some period, the periods that reach past
    its coverage window. ``whole``: the view ``spec`` without its period, when already built."""
    views = timeline_views(ws, spec, every, window, whole)
    found = sources_of_views(ws, [net for _, net in views])
    if found is None:
        return TimelineInputs(views, [untraceable_notice("this timeline")])
    windows = source_windows(ws)
    used = sorted(found)
    spans = [(p.label, p.start, p.end) for p, _ in views]
    return TimelineInputs(views, timeline_notices(spans, [windows[s] for s in used]))


@dataclass(frozen=True)
class TimelineResult:
    periods: list[dict[str, Any]]
    countries: list[dict[str, Any]]
    notices: list[Notice]

    def json(self) -> dict[str, Any]:
        return {
            "periods": self.periods,
            "countries": self.countries,
            "notices": [n.json() for n in self.notices],
        }


def timeline_result(inputs: TimelineInputs, progress: Progress) -> TimelineResult:
    """``civnet timeline [--every year|month] [--window K]``: whole-view and per-country rows.

    Each period row carries ``beyond_coverage``: the sources whose coverage the period reaches
    past (empty when every source covers it)."""
    result = timeline(inputs.views)
    progress(1, 1)
    past: dict[str, list[str]] = {}
    for n in inputs.notices:
        for label in n.detail.get("periods", []):
            past.setdefault(label, []).append(f"s{n.detail['source_id']}")
    return TimelineResult(
        periods=[
            {"period": r.period.label, **r.whole, "beyond_coverage": past.get(r.period.label, [])}
            for r in result
        ],
        countries=[{"period": r.period.label, **row} for r in result for row in r.countries],
        notices=inputs.notices,
    )


# -- compare --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareInputs:
    before: Network
    after: Network
    clusters: tuple[list[list[str]], list[list[str]]] | None
    notices: list[Notice] = dataclasses.field(default_factory=list)


def compare_inputs(
    ws: Workspace,
    spec: ViewSpec,
    before: str,
    after: str,
    resample: str = "actors",
    common_coverage: bool = False,
) -> CompareInputs:
    """The views of both periods, their ties' sources when resampling by source, and the
    coverage notices: periods of different length, periods reaching past a source's coverage,
    sources centred on one country.

    ``common_coverage``: keep only the tie records reported by a source whose coverage window
    holds both periods (the others are left out and counted in a notice). Default off: every
    source is kept and each period that reaches past a source's coverage is named.
    """
    check_unit(resample)
    sb, sa = span_spec(spec, before, "--before"), span_spec(spec, after, "--after")
    assert sb.date_from and sb.date_to and sa.date_from and sa.date_to
    nb, na = build_network(ws, sb), build_network(ws, sa)
    notices = unequal_windows((before, sb.date_from, sb.date_to), (after, sa.date_from, sa.date_to))
    pb, pa_ = tie_source_ids(ws, nb), tie_source_ids(ws, na)
    if pb is None or pa_ is None:
        if common_coverage:
            raise BadFilter(
                "--common-coverage needs ties traced to their sources",
                fix="drop --project / --level country, or drop --common-coverage",
            )
        notices.append(untraceable_notice("these periods"))
    else:
        windows = source_windows(ws)
        used = [windows[s] for s in sorted(sources_in(pb) | sources_in(pa_))]
        if common_coverage:
            keep, dropped = common_sources(
                used, [(sb.date_from, sb.date_to), (sa.date_from, sa.date_to)]
            )
            if not keep:
                raise EmptyNetwork(
                    "--common-coverage: no source of the view covers both periods ("
                    + "; ".join(f"{w.label} {w.describe()}" for w in dropped)
                    + ")",
                    fix="compare periods inside one source's coverage, or use --all-sources",
                )
            nb, lost_b = keep_sources(nb, pb, set(keep))
            na, lost_a = keep_sources(na, pa_, set(keep))
            notices += left_out_notice(dropped, lost_b + lost_a)
            pb = [ids for ids in pb if set(ids) & set(keep)]
            pa_ = [ids for ids in pa_ if set(ids) & set(keep)]
        else:
            for label, s0, s1 in (
                (before, sb.date_from, sb.date_to),
                (after, sa.date_from, sa.date_to),
            ):
                notices += beyond_coverage(label, s0, s1, used)
        notices += _dedup(centred_notices(ws, nb, pb) + centred_notices(ws, na, pa_))
    clusters = (tie_sources(ws, nb), tie_sources(ws, na)) if resample == "sources" else None
    return CompareInputs(nb, na, clusters, notices)


def _dedup(notices: list[Notice]) -> list[Notice]:
    """One notice per (kind, source, country): the first (the before period's)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for n in notices:
        key = (n.kind, n.detail.get("source_id"), n.detail.get("country"))
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out


@dataclass(frozen=True)
class CompareResult:
    """The rows of ``civnet compare`` and the coverage notices of its periods."""

    rows: list[dict[str, Any]]
    notices: list[Notice]

    def json(self) -> dict[str, Any]:
        return {
            "measures": self.rows,
            "notices": [n.json() for n in self.notices],
            "rule": UNCERTAINTY_RULE,
        }


def compare_result(
    inputs: CompareInputs,
    progress: Progress,
    boot: int = 200,
    permutations: int = 200,
    resample: str = "actors",
    seed: int = 0,
) -> CompareResult:
    """``civnet compare --before A --after B``: each core factor before, after, the difference,
    its median-centred bootstrap CI, the permutation p-value (None for the counts the
    permutation cannot test, with the reason in ``note``) and the verdict of the one rule of
    :mod:`civnet.measures.statistics.uncertainty`."""
    changes = compare_periods(
        inputs.before,
        inputs.after,
        core_factors,
        n_boot=boot,
        n_perm=permutations,
        unit=resample,
        clusters=inputs.clusters,
        seed=seed,
        untestable=COUNTS_FIXED_BY_TIES,
        progress=progress,
    )
    rows = [
        {
            "measure": c.measure,
            "before": c.before,
            "after": c.after,
            "difference": c.difference.estimate,
            "ci_low": c.difference.low,
            "ci_high": c.difference.high,
            "p_value": c.p_value,
            "verdict": c.verdict,
            "note": "; ".join(n for n in (c.difference.note, c.p_note) if n) or None,
        }
        for c in changes
    ]
    return CompareResult(rows, inputs.notices)


# -- broker stability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewInputs:
    """A view, and its ties' sources when resampling by source."""

    net: Network
    clusters: list[list[str]] | None


def resampling_inputs(
    ws: Workspace, spec: ViewSpec, resample: str = "ties", net: Network | None = None
) -> ViewInputs:
    """The view (``net`` when already built), and its ties' sources when ``resample`` is
    ``sources``."""
    check_unit(resample)
    net = net if net is not None else build_network(ws, spec)
    return ViewInputs(net, tie_sources(ws, net) if resample == "sources" else None)


@dataclass(frozen=True)
class BrokersResult:
    stability: BrokerStability
    records: list[dict[str, Any]]

    def json(self) -> list[dict[str, Any]]:
        return self.records


def brokers_result(
    inputs: ViewInputs,
    progress: Progress,
    boot: int = 200,
    top: int = 10,
    resample: str = "ties",
    seed: int = 0,
    rank_all: bool = False,
) -> BrokersResult:
    """``civnet brokers``: the top K brokers, their 95% resampling range and top-K share.

    Ranked among organisations and cities (:data:`civnet.vocab.RANKED_LEVELS`) unless
    ``rank_all``: aggregates (country-, sector- or network-level actors) stay in the view and in
    every path, but take no place in the top K.
    """
    net = inputs.net
    st = betweenness_bootstrap(
        net,
        boot,
        top,
        seed,
        unit=resample,
        clusters=inputs.clusters,
        progress=progress,
        ranked=net.ranked(None if rank_all else RANKED_LEVELS),
    )
    labels = net.vertex_attr("label") if "label" in net.graph.vs.attributes() else net.ids
    records = [
        {
            "rank": r + 1,
            "id": st.ids[i],
            "name": labels[i],
            "betweenness": float(st.estimate[i]),
            "low": float(st.low[i]),
            "high": float(st.high[i]),
            f"in_top_{st.top_k}": float(st.top_share[i]),
        }
        for r, i in enumerate(st.order()[: st.top_k])
    ]
    return BrokersResult(st, records)


# -- scorecard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardInputs:
    net: Network
    clusters: list[list[str]] | None
    config: ScorecardConfig
    notices: list[Notice] = dataclasses.field(default_factory=list)


def scorecard_inputs(
    ws: Workspace,
    spec: ViewSpec,
    period: str | None = None,
    weights: Path | None = None,
    resample: str = "actors",
    net: Network | None = None,
) -> ScorecardInputs:
    """The view (of ``period`` if given), its ties' sources if needed, and the config file.
    ``net``: the view ``spec`` when already built (used when no ``period`` is given)."""
    check_unit(resample)
    config = load_config(weights)
    if period:
        spec = span_spec(spec, period, "--period")
        net = None
    view = resampling_inputs(ws, spec, resample, net)
    return ScorecardInputs(view.net, view.clusters, config, view_notices(ws, spec, view.net))


@dataclass(frozen=True)
class ScorecardResult:
    card: Scorecard
    intervals: ScoreIntervals
    sensitivity: RankIntervals
    records: list[dict[str, Any]]
    boot: int
    resample: str
    seed: int
    notices: list[Notice] = dataclasses.field(default_factory=list)
    card_min_countries: int = 3

    def json(self) -> dict[str, Any]:
        sens = self.sensitivity
        return {
            "countries": self.records,
            "card": card_json(self.card),
            "bootstrap": {"n": self.boot, "unit": self.resample, "seed": self.seed},
            "weights": {"draws": sens.draws, "concentration": sens.concentration},
            "validity": {
                "min_countries": self.card_min_countries,
                "min_ties": self.card.min_ties,
            },
            "notices": [n.json() for n in self.notices],
        }


def scorecard_result(
    inputs: ScorecardInputs,
    progress: Progress,
    boot: int = 200,
    resample: str = "actors",
    seed: int = 0,
    min_ties: int | None = None,
    top: int | None = None,
) -> ScorecardResult:
    """``civnet scorecard``: per country the four channels and the overall score, 0-100, with
    bootstrap intervals; the rank (None when unranked: no score or low support) with its
    intervals from the bootstrap, from the weights and from both; best rank first, unranked
    last; only the first ``top`` countries when given. ``min_ties`` overrides the config's
    support threshold."""
    config = inputs.config
    if min_ties is not None:
        config = dataclasses.replace(config, min_ties=min_ties)
    card = scorecard(inputs.net, config)
    # the weights' draws before the replicates, which may be shared with a second process
    sens = weight_sensitivity(card, config, seed=seed)
    iv = scorecard_bootstrap(
        inputs.net,
        config,
        n_boot=boot,
        unit=resample,
        clusters=inputs.clusters,
        seed=seed,
        card=card,
        progress=progress,
        run_blocks=second_core.run_blocks(),
    )
    keys = [*card.channels, "overall"]
    unranked = {k: card.unranked(k) for k in keys}
    records = []
    order = sorted(
        card.countries,
        key=lambda c: (c not in sens.rank["overall"], sens.rank["overall"].get(c, 0), c),
    )
    for c in order:
        row: dict[str, Any] = {"country": c, "rank": sens.rank["overall"].get(c)}
        for label, lo, hi in (
            ("rank_range", sens.low, sens.high),
            ("rank_bootstrap", iv.rank_low, iv.rank_high),
            ("rank_combined", iv.both_low, iv.both_high),
        ):
            row[label] = _range(lo["overall"].get(c), hi["overall"].get(c))
        for k in keys:
            row[k] = card.score(k)[c]
            row[f"{k}_low"] = iv.low[k][c]
            row[f"{k}_high"] = iv.high[k][c]
            row[f"{k}_rank"] = sens.rank[k].get(c)
            row[f"{k}_support"] = card.support[k][c]
            row[f"{k}_unranked"] = unranked[k].get(c)
        records.append(row)
    return ScorecardResult(
        card,
        iv,
        sens,
        records[:top] if top else records,
        boot,
        resample,
        seed,
        inputs.notices,
        config.min_countries,
    )


def _range(lo: float | None, hi: float | None) -> str | None:
    """``"2-5"``; None when either bound is missing."""
    if lo is None or hi is None or lo != lo or hi != hi:
        return None
    return f"{lo:g}-{hi:g}"


def card_json(card: Scorecard) -> dict[str, Any]:
    """The scorecard's indicators (formula, raw, 0-100, missing, range) and channels."""
    return {
        "scaling": card.scaling,
        "indicators": {
            k: {
                "channel": i.channel,
                "formula": i.formula,
                "raw": i.raw,
                "score": i.score,
                "missing": i.missing,
                "uninformative": i.uninformative,
                "min": i.low,
                "max": i.high,
            }
            for k, i in card.indicators.items()
        },
        "channels": {
            k: {
                "title": c.title,
                "weight": c.weight,
                "indicator_weights": c.weights,
                "score": c.score,
                "missing": c.missing,
                "support": card.support.get(k, {}),
                "unranked": card.unranked(k),
            }
            for k, c in card.channels.items()
        },
        "overall_support": card.support.get("overall", {}),
        "min_ties": card.min_ties,
    }
