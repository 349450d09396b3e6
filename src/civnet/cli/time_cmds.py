"""Commands for time and soft power: timeline, compare, scorecard, brokers (with uncertainty).

Each parses its options, computes the catalog measure (:mod:`civnet.products.time_results`)
and renders it; ``--format json`` prints what ``GET /api/<measure>`` returns.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from civnet.cli.app import app, console
from civnet.cli.options import Format, check_format, view_options
from civnet.cli.product_cmds import emit_json, measure_result
from civnet.products.render import emit, fmt_number
from civnet.views import ViewSpec

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
    check_format(fmt)
    result = measure_result("timeline", spec, every=every, window=window)
    if fmt == "json":
        emit_json("timeline", result)
        return
    records = result.countries if by_country else result.periods
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
        caption="all columns in --format json/csv"
        + ("" if by_country else "; --by-country for countries"),
    )
    print_notices(result.notices)


def print_notices(notices: Any, out: Any = None) -> None:
    """Print coverage notices (:class:`civnet.measures.coverage.Notice`) after a table."""
    from rich.markup import escape

    for n in notices:
        (out or console).print(f"[yellow]coverage:[/] {escape(n.message)}", highlight=False)


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
    common_coverage: Annotated[
        bool,
        typer.Option(
            "--common-coverage/--all-sources",
            help="Keep only sources whose coverage holds both periods (default: all sources, "
            "with a notice for each period past a source's coverage).",
        ),
    ] = False,
    fmt: Format = "table",
) -> None:
    """Each measure before and after, the difference, its centred bootstrap CI, p and verdict."""
    from civnet.measures.uncertainty import UNCERTAINTY_RULE

    check_format(fmt)
    result = measure_result(
        "compare",
        spec,
        task="resampling",
        before=before,
        after=after,
        boot=boot,
        permutations=permutations,
        resample=resample,
        seed=seed,
        common_coverage=common_coverage,
    )
    records = result.rows
    if fmt == "json":
        emit_json("compare", result)
        return
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    table = [
        {
            "measure": r["measure"],
            "before": r["before"],
            "after": r["after"],
            "difference": r["difference"],
            "95% CI": _ci(r["ci_low"], r["ci_high"]),
            "p": "n/a" if r["p_value"] is None else fmt_number(r["p_value"], 3),
            "verdict": r["verdict"],
        }
        for r in records
    ]
    emit(
        console,
        fmt,
        records=table,
        title=f"{before} vs {after}: 95% CI by {resample} bootstrap ({boot}), p by "
        f"{permutations} permutations, seed {seed}",
        caption=UNCERTAINTY_RULE,
    )
    by_note: dict[str, list[str]] = {}
    for r in records:
        if r["note"]:
            by_note.setdefault(r["note"], []).append(r["measure"])
    for note, names in by_note.items():
        console.print(f"[dim]{escape(', '.join(names))}: {escape(note)}[/]", highlight=False)
    print_notices(result.notices)


def _ci(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None or lo != lo or hi != hi:
        return "n/a"
    return f"[{fmt_number(lo)}, {fmt_number(hi)}]"


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
    check_format(fmt)
    result = measure_result(
        "brokers", spec, task="resampling", boot=boot, top=top, resample=resample, seed=seed
    )
    if fmt == "json":
        emit_json("brokers", result)
        return
    k = result.stability.top_k
    emit(
        console,
        fmt,
        records=result.records,
        title=f"top {k} brokers: 95% range over {boot} {resample} resamples (seed {seed})",
        caption=f"in_top_{k}: share of resamples in which the actor ranks in the top {k}",
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
    min_ties: Annotated[
        int | None,
        typer.Option(
            "--min-ties",
            help="Tie records a country's channel must rest on to be ranked (default 5, from "
            "the config's [validity]).",
        ),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", help="Only the K best-ranked countries.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Four soft-power channels per country, 0-100, with bootstrap and rank intervals."""
    from civnet.countries import to_iso3
    from civnet.errors import BadFilter

    check_format(fmt)
    result = measure_result(
        "scorecard",
        spec,
        task="bootstrap",
        period=period,
        weights=weights,
        boot=boot,
        resample=resample,
        seed=seed,
        min_ties=min_ties,
        top=top,
    )
    card, iv, sens = result.card, result.intervals, result.sensitivity
    if explain:
        code = to_iso3(explain)
        if code is None or code not in card.countries:
            raise BadFilter(
                f"--explain {explain!r} is not a scored country of the view",
                fix=f"use one of: {', '.join(card.countries)}",
            )
        _explain(card, iv, sens, code)
        return
    records = result.records
    if fmt == "json":
        emit_json("scorecard", result)
        return
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    keys = [*card.channels, "overall"]
    table = [
        {
            "country": r["country"],
            "rank": r["rank"] if r["rank"] is not None else "-",
            "rank: bootstrap": r["rank_bootstrap"],
            "weights": r["rank_range"],
            "both": r["rank_combined"],
            **{k: _cell(r[k], r[f"{k}_low"], r[f"{k}_high"], r[f"{k}_unranked"]) for k in keys},
        }
        for r in records
    ]
    shown = f"{len(records)} of {len(card.countries)} countries"
    emit(
        console,
        fmt,
        records=table,
        title=f"soft-power scorecard, 0-100 ({card.scaling}); [95% {resample} bootstrap, {boot}]; "
        f"{shown}",
        caption=f"rank intervals (95%): over the bootstrap resamples, over {sens.draws} "
        f"Dirichlet weight draws (concentration {sens.concentration:g}), and over both; "
        f"* low support: fewer than {card.min_ties} tie records, unranked (--min-ties); "
        "--explain ISO3 for the formulas",
    )
    print_notices(result.notices)
    for name, ind in card.indicators.items():
        if ind.missing:
            console.print(
                f"[dim]indicator {escape(name)} missing: {escape(str(ind.missing))}[/]",
                highlight=False,
            )
        elif ind.uninformative:
            console.print(
                f"[dim]indicator {escape(name)} left out of {escape(str(ind.channel))}: "
                f"{escape(str(ind.uninformative))}[/]",
                highlight=False,
            )
    for ch in card.channels.values():
        by_reason: dict[str, list[str]] = {}
        for c, why in ch.missing.items():
            by_reason.setdefault(why, []).append(c)
        for why, cs in by_reason.items():
            who = "all countries" if len(cs) == len(card.countries) else ", ".join(cs)
            console.print(
                f"[dim]{escape(ch.name)} missing for {escape(who)}: {escape(why)}[/]",
                highlight=False,
            )


def _cell(v: float, lo: float, hi: float, unranked: str | None = None) -> str:
    if v != v:
        return "missing"
    mark = "*" if unranked and unranked.startswith("low support") else ""
    if lo != lo or hi != hi:
        return f"{v:.0f}{mark} [n/a]"
    return f"{v:.0f}{mark} [{fmt_number(lo, 0)}-{fmt_number(hi, 0)}]"


def _rank_words(card: Any, iv: Any, sens: Any, key: str, c: str) -> str:
    """``rank 3 (bootstrap 2-5, weights 3-4, both 2-6)``, or why the country is unranked."""
    why = card.unranked(key).get(c)
    if why:
        return f"unranked ({why})"
    return (
        f"rank {sens.rank[key][c]} of {len(sens.rank[key])} ranked (bootstrap "
        f"{fmt_number(iv.rank_low[key][c], 0)}-{fmt_number(iv.rank_high[key][c], 0)}, weights "
        f"{sens.low[key][c]:g}-{sens.high[key][c]:g}, both "
        f"{fmt_number(iv.both_low[key][c], 0)}-{fmt_number(iv.both_high[key][c], 0)})"
    )


def _interval(iv: Any, key: str, c: str) -> str:
    lo, hi = iv.low[key][c], iv.high[key][c]
    return "[n/a]" if lo != lo or hi != hi else f"[{lo:.1f}-{hi:.1f}]"


def _explain(card: Any, iv: Any, sens: Any, c: str) -> None:
    console.rule(
        f"[bold]scorecard of {escape(c)}[/] ({len(card.countries)} countries scored, "
        f"{escape(str(card.scaling))} scaling)"
    )
    for ch in card.channels.values():
        rows = []
        for k, w in ch.weights.items():
            ind = card.indicators[k]
            if ind.missing or ind.uninformative:
                rows.append(
                    {
                        "indicator": k,
                        "raw": ind.raw.get(c),
                        "scaling": ("missing: " + ind.missing)
                        if ind.missing
                        else f"left out, {ind.uninformative}",
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
                else f"{s:.1f} {_interval(iv, ch.name, c)}; "
                + _rank_words(card, iv, sens, ch.name, c)
            )
            + f"; rests on {card.support[ch.name][c]} tie records",
        )
        for k in ch.weights:
            console.print(
                f"[dim]  {escape(k)}: {escape(card.indicators[k].formula)}[/]", highlight=False
            )
        if c in ch.missing:
            console.print(f"  missing: {ch.missing[c]}", highlight=False, markup=False)
    o = card.overall[c]
    console.print(
        f"overall = channel-weighted mean = {o:.1f} {_interval(iv, 'overall', c)}, "
        f"{_rank_words(card, iv, sens, 'overall', c)}; rests on "
        f"{card.support['overall'][c]} tie records; bootstrap present in "
        f"{iv.present[c]} of {iv.n_boot} resamples",
        highlight=False,
        markup=False,
    )
