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

from civnet.measures.betweenness import Progress
from civnet.measures.resampling import check_unit
from civnet.measures.scorecard import (
    RankIntervals,
    Scorecard,
    ScorecardConfig,
    ScoreIntervals,
    scorecard,
    scorecard_bootstrap,
    weight_sensitivity,
)
from civnet.measures.timeline import Period, core_factors, timeline
from civnet.measures.uncertainty import BrokerStability, betweenness_bootstrap, compare_periods
from civnet.products.periods import load_config, parse_span, tie_sources, timeline_views
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network


def span_spec(spec: ViewSpec, text: str, what: str) -> ViewSpec:
    """``spec`` restricted to the span ``text`` (``2016:2019``); ``what`` names the option."""
    lo, hi = parse_span(text, what)
    return dataclasses.replace(spec, date_from=lo, date_to=hi)


# -- timeline -------------------------------------------------------------------------------------


def timeline_inputs(
    ws: Workspace, spec: ViewSpec, every: str = "year", window: int = 1
) -> list[tuple[Period, Network]]:
    """One view per period; the span is the view's --from/--to or its dated ties' range."""
    return timeline_views(ws, spec, every, window)


@dataclass(frozen=True)
class TimelineResult:
    periods: list[dict[str, Any]]
    countries: list[dict[str, Any]]

    def json(self) -> dict[str, Any]:
        return {"periods": self.periods, "countries": self.countries}


def timeline_result(views: list[tuple[Period, Network]], progress: Progress) -> TimelineResult:
    """``civnet timeline [--every year|month] [--window K]``: whole-view and per-country rows."""
    result = timeline(views)
    progress(1, 1)
    return TimelineResult(
        periods=[{"period": r.period.label, **r.whole} for r in result],
        countries=[{"period": r.period.label, **row} for r in result for row in r.countries],
    )


# -- compare --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareInputs:
    before: Network
    after: Network
    clusters: tuple[list[list[str]], list[list[str]]] | None


def compare_inputs(
    ws: Workspace, spec: ViewSpec, before: str, after: str, resample: str = "actors"
) -> CompareInputs:
    """The views of both periods, and their ties' sources when resampling by source."""
    check_unit(resample)
    nb = build_network(ws, span_spec(spec, before, "--before"))
    na = build_network(ws, span_spec(spec, after, "--after"))
    clusters = (tie_sources(ws, nb), tie_sources(ws, na)) if resample == "sources" else None
    return CompareInputs(nb, na, clusters)


def compare_result(
    inputs: CompareInputs,
    progress: Progress,
    boot: int = 200,
    permutations: int = 200,
    resample: str = "actors",
    seed: int = 0,
) -> list[dict[str, Any]]:
    """``civnet compare --before A --after B``: each core factor before, after, the difference,
    its bootstrap CI, the permutation p-value and whether the change is distinguishable."""
    changes = compare_periods(
        inputs.before,
        inputs.after,
        core_factors,
        n_boot=boot,
        n_perm=permutations,
        unit=resample,
        clusters=inputs.clusters,
        seed=seed,
        progress=progress,
    )
    return [
        {
            "measure": c.measure,
            "before": c.before,
            "after": c.after,
            "difference": c.difference.estimate,
            "ci_low": c.difference.low,
            "ci_high": c.difference.high,
            "p_value": c.p_value,
            "distinguishable": c.distinguishable,
        }
        for c in changes
    ]


# -- broker stability -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewInputs:
    """A view, and its ties' sources when resampling by source."""

    net: Network
    clusters: list[list[str]] | None


def resampling_inputs(ws: Workspace, spec: ViewSpec, resample: str = "ties") -> ViewInputs:
    """The view, and its ties' sources when ``resample`` is ``sources``."""
    check_unit(resample)
    net = build_network(ws, spec)
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
) -> BrokersResult:
    """``civnet brokers``: the top K brokers, their 95% resampling range and top-K share."""
    net = inputs.net
    st = betweenness_bootstrap(
        net, boot, top, seed, unit=resample, clusters=inputs.clusters, progress=progress
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


def scorecard_inputs(
    ws: Workspace,
    spec: ViewSpec,
    period: str | None = None,
    weights: Path | None = None,
    resample: str = "actors",
) -> ScorecardInputs:
    """The view (of ``period`` if given), its ties' sources if needed, and the config file."""
    check_unit(resample)
    config = load_config(weights)
    if period:
        spec = span_spec(spec, period, "--period")
    view = resampling_inputs(ws, spec, resample)
    return ScorecardInputs(view.net, view.clusters, config)


@dataclass(frozen=True)
class ScorecardResult:
    card: Scorecard
    intervals: ScoreIntervals
    sensitivity: RankIntervals
    records: list[dict[str, Any]]
    boot: int
    resample: str
    seed: int

    def json(self) -> dict[str, Any]:
        sens = self.sensitivity
        return {
            "countries": self.records,
            "card": card_json(self.card),
            "bootstrap": {"n": self.boot, "unit": self.resample, "seed": self.seed},
            "weights": {"draws": sens.draws, "concentration": sens.concentration},
        }


def scorecard_result(
    inputs: ScorecardInputs,
    progress: Progress,
    boot: int = 200,
    resample: str = "actors",
    seed: int = 0,
    top: int | None = None,
) -> ScorecardResult:
    """``civnet scorecard``: per country the four channels and the overall score, 0-100, with
    bootstrap intervals and the rank range under Dirichlet weight draws; best rank first
    (``top``: the first K countries)."""
    card = scorecard(inputs.net, inputs.config)
    iv = scorecard_bootstrap(
        inputs.net,
        inputs.config,
        n_boot=boot,
        unit=resample,
        clusters=inputs.clusters,
        seed=seed,
        progress=progress,
    )
    sens = weight_sensitivity(card, inputs.config, seed=seed)
    records = []
    for c in sorted(card.countries, key=lambda c: sens.rank["overall"][c]):
        row: dict[str, Any] = {
            "country": c,
            "rank": sens.rank["overall"][c],
            "rank_range": f"{sens.low['overall'][c]:g}-{sens.high['overall'][c]:g}",
        }
        for k in [*card.channels, "overall"]:
            row[k] = card.overall[c] if k == "overall" else card.channels[k].score[c]
            row[f"{k}_low"] = iv.low[k][c]
            row[f"{k}_high"] = iv.high[k][c]
        records.append(row)
    return ScorecardResult(card, iv, sens, records[:top], boot, resample, seed)


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
            }
            for k, c in card.channels.items()
        },
    }
