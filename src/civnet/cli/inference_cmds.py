"""Commands for inference: ``associate qap|gravity`` and ``panel``.

Each parses its options, computes the catalog measure (:mod:`civnet.products.inference_results`)
and renders it; ``--format json`` prints what ``GET /api/<measure>`` returns.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from civnet.cli.app import app, console
from civnet.cli.options import Format, From, To, check_format, view_options
from civnet.cli.product_cmds import measure_json
from civnet.products.render import emit
from civnet.views import ViewSpec

associate_app = typer.Typer(
    help="Association between tie layers: QAP/MRQAP and PPML gravity.", no_args_is_help=True
)
app.add_typer(associate_app, name="associate")

Y = Annotated[
    str,
    typer.Option("--y", help="Outcome layer: [NAME:]key=value,... (see docs/inference.md)."),
]
X = Annotated[
    list[str] | None,
    typer.Option("--x", help="Predictor layer (repeatable): [NAME:]key=value,..."),
]
Dyads = Annotated[
    Path | None,
    typer.Option("--dyads", help="Dyadic file origin,destination[,year],value as a predictor."),
]


def _years_as_text(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table rows with ``year`` as text, so that a year is not printed as 2,014."""
    return [{**r, "year": str(r["year"])} if "year" in r else r for r in records]


def _joined(values: list[str] | None) -> str | None:
    return ";".join(values) if values else None


def _notes(notes: list[str]) -> None:
    for note in notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False, soft_wrap=True)


def _layers_table(result: dict[str, Any], fmt: str) -> None:
    emit(
        console,
        fmt,
        records=result["layers"],
        title="Layers (ties placed on country dyads; domestic and unknown-country ties left out)",
    )


@associate_app.command("qap")
@view_options
def qap_cmd(
    spec: ViewSpec,
    y: Y,
    x: X = None,
    dyads: Dyads = None,
    permutations: Annotated[
        int, typer.Option("--permutations", help="QAP permutations (exact when n! <= N).")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the permutations.")] = 0,
    fmt: Format = "table",
) -> None:
    """QAP correlation of the outcome layer with each predictor, and MRQAP (DSP) on all."""
    check_format(fmt)
    r = measure_json(
        "qap", spec, y=y, x=_joined(x), dyads=dyads, permutations=permutations, seed=seed
    )
    if fmt == "json":
        emit(console, fmt, obj=r)
        return
    terms = [{"model": "MRQAP", **t} for t in r["regression"]["terms"]]
    if fmt == "csv":
        corr = [
            {
                "model": "QAP correlation",
                "name": c["predictor"],
                "coef": c["r"],
                "p_value": c["p_value"],
            }
            for c in r["correlations"]
        ]
        emit(
            console,
            fmt,
            records=corr + terms,
            columns=["model", "name", "coef", "se", "t", "p_value"],
        )
        return
    _layers_table(r, fmt)
    emit(
        console,
        fmt,
        records=r["correlations"],
        columns=["predictor", "r", "p_value", "p_greater", "p_less", "null_mean", "null_sd"],
        title=f"QAP correlation with {r['outcome']} ({r['countries']} countries, "
        f"{r['dyads']:,} ordered dyads, {r['regression']['permutations']:,} permutations"
        f"{', exact' if r['regression']['exact'] else ''}, seed {seed})",
    )
    reg = r["regression"]
    emit(
        console,
        fmt,
        records=reg["terms"],
        columns=["name", "coef", "se", "t", "p_value"],
        title=f"MRQAP: {r['outcome']} on {', '.join(c['predictor'] for c in r['correlations'])} "
        f"(R2 {reg['r2']:.4f})",
        caption=reg["method"],
    )
    _notes(reg["notes"] + r["notes"])


@associate_app.command("gravity")
@view_options
def gravity_cmd(
    spec: ViewSpec,
    y: Y,
    x: X = None,
    dyads: Dyads = None,
    distance: Annotated[
        bool, typer.Option("--distance/--no-distance", help="Log distance as a regressor.")
    ] = True,
    transform: Annotated[
        str, typer.Option("--transform", help="Predictor layers as log1p or none.")
    ] = "log1p",
    fmt: Format = "table",
) -> None:
    """PPML gravity model: outcome layer on log distance and predictor layers, origin and
    destination fixed effects, SE clustered by pair."""
    check_format(fmt)
    r = measure_json(
        "gravity", spec, y=y, x=_joined(x), dyads=dyads, distance=distance, transform=transform
    )
    if fmt != "table":
        emit(console, fmt, obj=r, records=r["coefficients"])
        return
    _layers_table(r, fmt)
    emit(
        console,
        fmt,
        records=r["coefficients"],
        title=f"PPML gravity: {r['outcome']} ({r['dyads_used']:,} of {r['dyads']:,} ordered "
        f"dyads used, {r['clusters']:,} pair clusters)",
        caption=r["method"],
    )
    _notes(r["notes"])


@app.command("panel")
@view_options
def panel_cmd(
    spec: ViewSpec,
    outcome: Annotated[str, typer.Option("--outcome", help="Outcome layer: [NAME:]key=value,...")],
    predictor: Annotated[
        list[str] | None,
        typer.Option("--predictor", help="Predictor layer (repeatable): [NAME:]key=value,..."),
    ] = None,
    focus: Annotated[
        str | None, typer.Option("--focus", help="Country whose partners are the units (CHN).")
    ] = None,
    lags: Annotated[str, typer.Option("--lags", help="Lags in years, e.g. 1,2.")] = "1",
    placebo: Annotated[
        bool, typer.Option("--placebo/--no-placebo", help="Also fit leads (placebo).")
    ] = True,
    transform: Annotated[
        str, typer.Option("--transform", help="Predictors as log1p or none.")
    ] = "log1p",
    break_year: Annotated[
        int | None, typer.Option("--break", help="Test a level break in the outcome from YEAR.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="With --break: this unit's series only.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """Country-year panel: FE Poisson of a layer on lagged layers with a lead placebo, or with
    --break a level-break test of the outcome series."""
    check_format(fmt)
    r = measure_json(
        "panel",
        spec,
        outcome=outcome,
        predictor=";".join(predictor) if predictor else None,
        focus=focus,
        lags=lags,
        placebo=placebo,
        transform=transform,
        break_year=break_year,
        unit=unit,
    )
    if fmt == "json":
        emit(console, fmt, obj=r)
        return
    if "break" in r:
        b = r["break"]
        if fmt == "csv":
            emit(console, fmt, records=[b])
            return
        emit(
            console,
            fmt,
            records=_years_as_text(r["series"]),
            title=f"{r['outcome']} per year ({r['unit']})",
        )
        emit(
            console,
            fmt,
            records=_years_as_text([b]),
            columns=[
                "year",
                "rate_ratio",
                "ci_low",
                "ci_high",
                "p_value",
                "before_mean",
                "after_mean",
                "trend_ratio",
                "dispersion",
            ],
            title=f"Level break from {b['year']}",
            caption=b["method"],
        )
        _notes(r["notes"])
        return
    rows = [{"model": m["model"], **t} for m in r["models"] for t in m["terms"]]
    cols = [
        "model",
        "name",
        "shift",
        "estimate",
        "rate_ratio",
        "ci_low",
        "ci_high",
        "se",
        "p_value",
    ]
    if fmt == "csv":
        emit(console, fmt, records=rows, columns=cols)
        return
    for m in r["models"]:
        emit(
            console,
            fmt,
            records=[{"model": m["model"], **t} for t in m["terms"]],
            columns=cols,
            title=f"{r['outcome']} ~ {m['model']} | unit + year ({m['n_used']:,} of "
            f"{m['n_obs']:,} unit-years used, {m['units']} units, {m['years'][0]}-{m['years'][1]})",
            caption=r["method"],
        )
        _notes(m["notes"])
    _notes(r["notes"])


simulate_app = typer.Typer(help="Scenarios simulated from fitted models.", no_args_is_help=True)
app.add_typer(simulate_app, name="simulate")


@simulate_app.command("policy")
def simulate_policy_cmd(
    country: Annotated[
        str, typer.Option("--country", help="Country whose support changes (ISO3).")
    ],
    layer: Annotated[
        str, typer.Option("--layer", help="Civil layer modelled: [NAME:]key=value,...")
    ],
    support_layer: Annotated[
        str, typer.Option("--support-layer", help="State-support layer: [NAME:]key=value,...")
    ],
    support: Annotated[
        float,
        typer.Option("--support", help="Multiplier of the support effect (1 = as estimated)."),
    ] = 1.0,
    years: Annotated[int, typer.Option("--years", help="Years projected.")] = 5,
    runs: Annotated[int, typer.Option("--runs", help="Simulation runs.")] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    horizon: Annotated[int, typer.Option("--horizon", help="Years held out by the back-test.")] = 3,
    date_from: From = None,
    date_to: To = None,
    fmt: Format = "table",
) -> None:
    """Fit a dyad-year tie model with a support term, project it under a policy, back-test it.

    --country names the country whose support changes; the view is the whole workspace within
    --from/--to (the layers select the ties)."""
    check_format(fmt)
    spec = ViewSpec.make(date_from=date_from, date_to=date_to)
    r = measure_json(
        "simulate",
        spec,
        layer=layer,
        support_layer=support_layer,
        focus=country,
        support=support,
        years=years,
        runs=runs,
        seed=seed,
        horizon=horizon,
    )
    if fmt == "json":
        emit(console, fmt, obj=r)
        return
    if fmt == "csv":
        emit(console, fmt, records=r["projection"])
        return
    m = r["model"]
    emit(
        console,
        fmt,
        records=m["terms"],
        title=f"Tie model fitted on {m['years'][0]}-{m['years'][1]} ({m['dyad_years']:,} dyad-years, "
        f"{m['ties']:,} tied)",
        caption=m["method"],
    )
    last = r["observed_last_year"]
    emit(
        console,
        fmt,
        records=_years_as_text(
            [
                row
                for row in r["projection"]
                if row["statistic"]
                in (
                    "edges",
                    "density",
                    "focus_degree",
                    "focus_betweenness",
                    "mean_betweenness",
                    "nodes_with_ties",
                )
            ]
        ),
        columns=["scenario", "statistic", "year", "p5", "median", "p95"],
        title=f"Projection for {r['focus']}: support effect x{r['support_multiplier']:g} against x1 "
        f"({r['runs']} runs, seed {r['seed']}; observed {last['year']}: {last['edges']:.0f} edges, "
        f"{r['focus']} degree {last.get('focus_degree', 0):.0f})",
    )
    bt = r["backtest"]
    emit(
        console,
        fmt,
        records=[
            {
                "forecast": "model",
                "brier": bt["brier_model"],
                "edge_count_mae": bt["edge_mae_model"],
            },
            {
                "forecast": "persistence",
                "brier": bt["brier_persistence"],
                "edge_count_mae": bt["edge_mae_persistence"],
            },
        ],
        title=f"Back-test: fitted to {bt['fit_to']}, projected {bt['years'][0]}-{bt['years'][-1]}",
    )
    _notes(r["notes"])
