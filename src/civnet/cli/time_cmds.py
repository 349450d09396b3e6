"""Commands for time and soft power: timeline, compare, scorecard, brokers (with uncertainty)."""

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from civnet.cli.app import app, console, open_workspace
from civnet.cli.measure_cmds import progress_bar
from civnet.cli.options import Format, check_format, view_options
from civnet.products.render import emit, fmt_number
from civnet.views import ViewSpec, build_network

Boot = Annotated[int, typer.Option("--boot", help="Bootstrap resamples.")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of every random draw.")]
Resample = Annotated[
    str,
    typer.Option("--resample", help="Resampling unit: actors (default), ties or sources."),
]


@app.command("timeline")
@view_options
def timeline_cmd(
    spec: ViewSpec,
    every: Annotated[str, typer.Option("--every", help="year or month.")] = "year",
    window: Annotated[int, typer.Option("--window", help="Rolling windows of K periods.")] = 1,
    by_country: Annotated[
        bool, typer.Option("--by-country", help="Per-country rows instead of the whole network.")
    ] = False,
    fmt: Format = "table",
) -> None:
    """The core factors, diversification and ties formed/ended per period."""
    from civnet.measures.timeline import timeline
    from civnet.products.periods import timeline_views

    check_format(fmt)
    with open_workspace() as ws:
        views = timeline_views(ws, spec, every, window)
    result = timeline(views)
    whole = [{"period": r.period.label, **r.whole} for r in result]
    per_country = [{"period": r.period.label, **row} for r in result for row in r.countries]
    if fmt == "json":
        emit(console, fmt, obj={"periods": whole, "countries": per_country})
        return
    records = per_country if by_country else whole
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    cols = (
        [
            "period",
            "country",
            "actors",
            "ties",
            "cross_border",
            "partner_countries",
            "mean_betweenness",
            "type_blau",
            "track_blau",
        ]
        if by_country
        else [
            "period",
            "nodes",
            "edges",
            "density",
            "mean_betweenness",
            "max_betweenness",
            "components",
            "formed",
            "ended",
        ]
    )
    emit(
        console,
        fmt,
        records=records,
        columns=cols,
        title=f"timeline ({spec.describe()})",
        caption="all columns in --format json/csv; --by-country for countries",
    )


def _span_spec(spec: ViewSpec, text: str, what: str) -> ViewSpec:
    from civnet.products.periods import parse_span

    lo, hi = parse_span(text, what)
    return dataclasses.replace(spec, date_from=lo, date_to=hi)


@app.command("compare")
@view_options
def compare_cmd(
    spec: ViewSpec,
    before: Annotated[str, typer.Option("--before", help="First period, FROM:TO.")],
    after: Annotated[str, typer.Option("--after", help="Second period, FROM:TO.")],
    boot: Boot = 200,
    permutations: Annotated[
        int, typer.Option("--permutations", help="Label permutations for the p-value.")
    ] = 200,
    resample: Resample = "actors",
    seed: Seed = 0,
    fmt: Format = "table",
) -> None:
    """Each measure before and after, the difference, its bootstrap CI and permutation p."""
    from civnet.measures.timeline import core_factors
    from civnet.measures.uncertainty import check_unit, compare_periods
    from civnet.products.periods import tie_sources

    check_format(fmt)
    check_unit(resample)
    with open_workspace() as ws:
        nb = build_network(ws, _span_spec(spec, before, "--before"))
        na = build_network(ws, _span_spec(spec, after, "--after"))
        clusters = (tie_sources(ws, nb), tie_sources(ws, na)) if resample == "sources" else None
    with progress_bar() as bar:
        task = bar.add_task("resampling", total=boot + permutations)
        changes = compare_periods(
            nb,
            na,
            core_factors,
            n_boot=boot,
            n_perm=permutations,
            unit=resample,
            clusters=clusters,
            seed=seed,
            progress=lambda d, t: bar.update(task, completed=d, total=t),
        )
    records = [
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
    if fmt != "table":
        emit(console, fmt, records=records)
        return
    emit(
        console,
        fmt,
        records=records,
        title=f"{before} vs {after}: 95% CI by {resample} bootstrap ({boot}), p by "
        f"{permutations} permutations, seed {seed}",
    )
    real = [r["measure"] for r in records if r["distinguishable"]]
    console.print(
        "distinguishable from noise (CI excludes 0 and p < 0.05): "
        + (", ".join(real) if real else "none of the measures"),
        highlight=False,
    )


@app.command("brokers")
@view_options
def brokers_cmd(
    spec: ViewSpec,
    boot: Boot = 200,
    top: Annotated[int, typer.Option("--top", help="K: the top brokers followed.")] = 10,
    resample: Annotated[
        str, typer.Option("--resample", help="ties (default), actors or sources.")
    ] = "ties",
    seed: Seed = 0,
    fmt: Format = "table",
) -> None:
    """Top brokers with resampling intervals and how often each stays in the top K."""
    show_broker_stability(spec, boot, top, resample, seed, fmt)


def show_broker_stability(
    spec: ViewSpec, boot: int, top: int, resample: str, seed: int, fmt: str
) -> None:
    """Compute and print broker stability (shared by `brokers` and `betweenness --boot`)."""
    from civnet.measures.uncertainty import betweenness_bootstrap, check_unit
    from civnet.products.periods import tie_sources

    check_format(fmt)
    check_unit(resample)
    with open_workspace() as ws:
        net = build_network(ws, spec)
        clusters = tie_sources(ws, net) if resample == "sources" else None
    with progress_bar() as bar:
        task = bar.add_task("resampling", total=boot)
        st = betweenness_bootstrap(
            net,
            boot,
            top,
            seed,
            unit=resample,
            clusters=clusters,
            progress=lambda d, t: bar.update(task, completed=d, total=t),
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
    emit(
        console,
        fmt,
        records=records,
        title=f"top {st.top_k} brokers: 95% range over {boot} {resample} resamples (seed {seed})",
        caption=f"in_top_{st.top_k}: share of resamples in which the actor ranks in the top {st.top_k}",
    )


@app.command("scorecard")
@view_options
def scorecard_cmd(
    spec: ViewSpec,
    period: Annotated[str | None, typer.Option("--period", help="FROM:TO, e.g. 2016:2019.")] = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="Scorecard TOML (default shipped).")
    ] = None,
    boot: Boot = 200,
    resample: Resample = "actors",
    seed: Seed = 0,
    explain: Annotated[
        str | None, typer.Option("--explain", help="Walk through one country's numbers (ISO3).")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Four soft-power channels per country, 0-100, with bootstrap and rank intervals."""
    from civnet.countries import to_iso3
    from civnet.errors import BadFilter
    from civnet.measures.scorecard import scorecard, scorecard_bootstrap, weight_sensitivity
    from civnet.measures.uncertainty import check_unit
    from civnet.products.periods import load_config, tie_sources

    check_format(fmt)
    check_unit(resample)
    config = load_config(weights)
    if period:
        spec = _span_spec(spec, period, "--period")
    with open_workspace() as ws:
        net = build_network(ws, spec)
        clusters = tie_sources(ws, net) if resample == "sources" else None
    card = scorecard(net, config)
    with progress_bar() as bar:
        task = bar.add_task("bootstrap", total=boot)
        iv = scorecard_bootstrap(
            net,
            config,
            n_boot=boot,
            unit=resample,
            clusters=clusters,
            seed=seed,
            progress=lambda d, t: bar.update(task, completed=d, total=t),
        )
    sens = weight_sensitivity(card, config, seed=seed)
    if explain:
        code = to_iso3(explain)
        if code is None or code not in card.countries:
            raise BadFilter(
                f"--explain {explain!r} is not a scored country of the view",
                fix=f"use one of: {', '.join(card.countries)}",
            )
        _explain(card, iv, sens, code)
        return
    records = []
    for c in sorted(card.countries, key=lambda c: sens.rank["overall"][c]):
        row: dict[str, Any] = {
            "country": c,
            "rank": sens.rank["overall"][c],
            "rank_range": f"{sens.low['overall'][c]:g}-{sens.high['overall'][c]:g}",
        }
        for k in [*card.channels, "overall"]:
            val = card.overall[c] if k == "overall" else card.channels[k].score[c]
            row[k] = val
            row[f"{k}_low"] = iv.low[k][c]
            row[f"{k}_high"] = iv.high[k][c]
        records.append(row)
    if fmt == "json":
        emit(
            console,
            fmt,
            obj={
                "countries": records,
                "card": _card_obj(card),
                "bootstrap": {"n": boot, "unit": resample, "seed": seed},
                "weights": {"draws": sens.draws, "concentration": sens.concentration},
            },
        )
        return
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    table = [
        {
            "country": r["country"],
            "rank": r["rank"],
            "rank range": r["rank_range"],
            **{k: _cell(r[k], r[f"{k}_low"], r[f"{k}_high"]) for k in [*card.channels, "overall"]},
        }
        for r in records
    ]
    emit(
        console,
        fmt,
        records=table,
        title=f"soft-power scorecard, 0-100 ({card.scaling}); [95% {resample} bootstrap, {boot}]",
        caption=f"rank range: 2.5-97.5% of ranks over {sens.draws} Dirichlet weight draws "
        f"(concentration {sens.concentration:g}); --explain ISO3 for the formulas",
    )
    for name, ind in card.indicators.items():
        if ind.missing:
            console.print(f"[dim]indicator {name} missing: {ind.missing}[/]", highlight=False)
    for ch in card.channels.values():
        by_reason: dict[str, list[str]] = {}
        for c, why in ch.missing.items():
            by_reason.setdefault(why, []).append(c)
        for why, cs in by_reason.items():
            who = "all countries" if len(cs) == len(card.countries) else ", ".join(cs)
            console.print(f"[dim]{ch.name} missing for {who}: {why}[/]", highlight=False)


def _cell(v: float, lo: float, hi: float) -> str:
    if v != v:
        return "missing"
    return f"{v:.0f} [{fmt_number(lo, 0)}-{fmt_number(hi, 0)}]"


def _card_obj(card: Any) -> dict[str, Any]:
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


def _explain(card: Any, iv: Any, sens: Any, c: str) -> None:
    console.rule(
        f"[bold]scorecard of {c}[/] ({len(card.countries)} countries scored, {card.scaling} scaling)"
    )
    for ch in card.channels.values():
        rows = []
        for k, w in ch.weights.items():
            ind = card.indicators[k]
            if ind.missing:
                rows.append(
                    {
                        "indicator": k,
                        "raw": None,
                        "scaling": "missing: " + ind.missing,
                        "score": None,
                        "weight": w,
                    }
                )
                continue
            raw = ind.raw.get(c, float("nan"))
            how = (
                f"100 x ({fmt_number(raw)} - {fmt_number(ind.low)}) / "
                f"({fmt_number(ind.high)} - {fmt_number(ind.low)})"
                if card.scaling == "minmax" and ind.high > ind.low
                else card.scaling
            )
            rows.append(
                {"indicator": k, "raw": raw, "scaling": how, "score": ind.score.get(c), "weight": w}
            )
        s = ch.score[c]
        emit(
            console,
            "table",
            records=rows,
            columns=["indicator", "raw", "scaling", "score", "weight"],
            title=f"{ch.title} = weighted mean of indicator scores = "
            + (
                "missing"
                if s != s
                else f"{s:.1f} [{iv.low[ch.name][c]:.1f}-{iv.high[ch.name][c]:.1f}]; "
                f"rank {sens.rank[ch.name][c]} "
                f"(range {sens.low[ch.name][c]:g}-{sens.high[ch.name][c]:g})"
            ),
        )
        for k in ch.weights:
            console.print(f"[dim]  {k}: {card.indicators[k].formula}[/]", highlight=False)
        if c in ch.missing:
            console.print(f"  missing: {ch.missing[c]}", highlight=False)
    o = card.overall[c]
    console.print(
        f"overall = channel-weighted mean = {o:.1f} [{iv.low['overall'][c]:.1f}-{iv.high['overall'][c]:.1f}], "
        f"rank {sens.rank['overall'][c]} of {len(card.countries)} "
        f"(range {sens.low['overall'][c]:g}-{sens.high['overall'][c]:g}); bootstrap present in "
        f"{iv.present[c]} of {iv.n_boot} resamples",
        highlight=False,
    )
