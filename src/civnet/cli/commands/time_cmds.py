"""Tables of time and soft power: timeline, compare, brokers, scorecard (with uncertainty).

The commands are generated from the catalog (:mod:`civnet.cli.generate`) and drawn here from
their JSON result; ``scorecard`` is written by hand for ``--explain``, which walks through the
typed result (formulas, per-channel ranks) rather than the JSON.
"""

from typing import Annotated, Any

import typer
from rich.markup import escape

from civnet.cli.app import app, console
from civnet.cli.commands.product_cmds import measure_result
from civnet.cli.generate import (
    measure_json,
    measure_options,
    print_dim,
    print_result,
    renders,
)
from civnet.cli.options import Format, check_format, view_options
from civnet.products.catalog import MEASURES
from civnet.products.render import emit, fmt_number, heading
from civnet.views import ViewSpec


@renders("timeline")
def timeline_table(
    data: dict[str, Any],
    params: dict[str, Any],
    fmt: str,
    spec: ViewSpec,
    by_country: Annotated[
        bool, typer.Option("--by-country", help="Per-country rows instead of the whole network.")
    ] = False,
) -> None:
    """Per period (or per period and country): the core factors and the ties formed/ended."""
    records = MEASURES["timeline"].records(data, "countries" if by_country else None)
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
        title=f"timeline ({spec.describe()}; every {params['every']}, window {params['window']})",
        caption="all columns in --format json/csv"
        + ("" if by_country else "; --by-country for countries"),
    )
    print_notices(data["notices"])


def print_notices(notices: list[Any]) -> None:
    """Print coverage notices after a table: those of a JSON result (``{"kind", "message"}``) or
    :class:`civnet.measures.change.coverage.Notice` objects."""
    for n in notices:
        message = n["message"] if isinstance(n, dict) else n.message
        console.print(f"[yellow]coverage:[/] {escape(message)}", highlight=False)


@renders("compare")
def compare_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Each measure before and after, the difference, its bias-corrected CI, p and verdict."""
    records = MEASURES["compare"].records(data)
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
        title=f"{params['before']} vs {params['after']}: 95% CI by {params['resample']} bootstrap "
        f"({params['boot']}), p by {params['permutations']} permutations, seed {params['seed']}",
        caption=data["rule"],
    )
    by_note: dict[str, list[str]] = {}
    for r in records:
        if r["note"]:
            by_note.setdefault(r["note"], []).append(r["measure"])
    for note, names in by_note.items():
        console.print(f"[dim]{', '.join(names)}: {escape(note)}[/]", highlight=False)
    print_notices(data["notices"])


def _ci(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None or lo != lo or hi != hi:
        return "n/a"
    return f"[{fmt_number(lo)}, {fmt_number(hi)}]"


@renders("brokers")
def brokers_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The top K brokers with their 95% resampling range and top-K share."""
    records = MEASURES["brokers"].records(data)
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    k = params["top"]
    emit(
        console,
        fmt,
        records=records,
        title=f"top {k} brokers: 95% range over {params['boot']} {params['resample']} resamples "
        f"(seed {params['seed']})",
        caption=f"in_top_{k}: share of resamples in which the actor ranks in the top {k}"
        + (
            ""
            if params.get("rank_all")
            else " (organisations and cities; --rank-all ranks country, sector and network "
            "aggregates too)"
        ),
    )


@app.command("scorecard")
@view_options
@measure_options("scorecard")
def scorecard_cmd(
    spec: ViewSpec,
    params: dict[str, Any],
    explain: Annotated[
        str | None, typer.Option("--explain", help="Walk through one country's numbers (ISO3).")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Four soft-power channels per country, 0-100, with bootstrap and rank intervals.

    ``--format json/csv`` print the catalog result (from the workspace's result cache when
    there); the table and ``--explain`` walk through the typed result (formulas, ranks).
    """
    from civnet.countries import to_iso3
    from civnet.errors import BadFilter

    check_format(fmt)
    if fmt != "table" and not explain:
        print_result(
            MEASURES["scorecard"], measure_json("scorecard", spec, params), params, fmt, spec
        )
        return
    asked = {**params, "top": None} if explain else params  # any scored country explains
    result = measure_result("scorecard", spec, task="bootstrap", **asked)
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
        title=f"soft-power scorecard, 0-100 ({card.scaling}); [95% {params['resample']} bootstrap, {params['boot']}]; "
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
    print_dim(card.notes)  # what the view left out, as every table ends (print_result)


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
    heading(
        console,
        f"[bold]scorecard of {c}[/] ({len(card.countries)} countries scored, {card.scaling} scaling)",
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
