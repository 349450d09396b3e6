"""Tables of the inference measures: ``associate qap|gravity``, ``panel`` and
``simulate policy``.

The commands are generated from the catalog (:mod:`civnet.cli.generate`, ``Measure.command``
names the group: ``associate qap``); the renderers here draw ``--format table`` from the JSON
result (what ``GET /api/<measure>`` returns), and ``--format csv`` is the catalog's main table of
it (``Measure.records``). The groups are declared here, with their help.
"""

from typing import Any

import typer

from civnet.cli.app import app, console
from civnet.cli.generate import print_dim, print_records, renders
from civnet.products.catalog import MEASURES
from civnet.products.render import emit
from civnet.views import ViewSpec

app.add_typer(
    typer.Typer(
        help="Association between tie layers: QAP/MRQAP and PPML gravity.", no_args_is_help=True
    ),
    name="associate",
)
app.add_typer(
    typer.Typer(help="Scenarios simulated from fitted models.", no_args_is_help=True),
    name="simulate",
)


def _csv(name: str, data: dict[str, Any], fmt: str) -> bool:
    """Print the measure's main table as CSV when ``fmt`` is csv (then ``True``)."""
    if fmt != "csv":
        return False
    print_records(MEASURES[name], data, fmt)
    return True


def _layers_table(data: dict[str, Any], fmt: str) -> None:
    emit(
        console,
        fmt,
        records=data["layers"],
        title="Layers (ties placed on country dyads; domestic and unknown-country ties left out)",
    )


@renders("qap")
def qap_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The layers, each QAP correlation with its permutation p, the MRQAP terms, the notes."""
    if _csv("qap", data, fmt):
        return
    _layers_table(data, fmt)
    reg = data["regression"]
    emit(
        console,
        fmt,
        records=data["correlations"],
        columns=["predictor", "r", "p_value", "p_greater", "p_less", "null_mean", "null_sd"],
        title=f"QAP correlation with {data['outcome']} ({data['countries']} countries, "
        f"{data['dyads']:,} ordered dyads, {reg['permutations']:,} permutations"
        f"{', exact' if reg['exact'] else ''}, seed {reg['seed']})",
    )
    predictors = ", ".join(c["predictor"] for c in data["correlations"])
    emit(
        console,
        fmt,
        records=reg["terms"],
        columns=["name", "coef", "se", "t", "p_value"],
        title=f"MRQAP: {data['outcome']} on {predictors} (R2 {reg['r2']:.4f})",
        caption=reg["method"],
    )
    print_dim(reg["notes"])


@renders("gravity")
def gravity_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The layers, the PPML coefficients with the dyads used and the pair clusters, the notes."""
    if _csv("gravity", data, fmt):
        return
    _layers_table(data, fmt)
    emit(
        console,
        fmt,
        records=data["coefficients"],
        title=f"PPML gravity: {data['outcome']} ({data['dyads_used']:,} of {data['dyads']:,} "
        f"ordered dyads used, {data['clusters']:,} pair clusters)",
        caption=data["method"],
    )


@renders("panel")
def panel_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The outcome series and its level break, or each model's terms; then the notes."""
    if _csv("panel", data, fmt):
        return
    if "break" in data:
        b = data["break"]
        emit(
            console,
            fmt,
            records=data["series"],
            title=f"{data['outcome']} per year ({data['unit']})",
        )
        emit(
            console,
            fmt,
            records=[b],
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
        return
    rows = MEASURES["panel"].records(data)
    for m in data["models"]:
        first, last = m["years"]
        emit(
            console,
            fmt,
            records=[r for r in rows if r["model"] == m["model"]],
            title=f"{data['outcome']} ~ {m['model']} | unit + year ({m['n_used']:,} of "
            f"{m['n_obs']:,} unit-years used, {m['units']} units, {first}-{last})",
            caption=data["method"],
        )
        print_dim(m["notes"])


SIMULATED = (
    "edges",
    "density",
    "focus_degree",
    "focus_betweenness",
    "mean_betweenness",
    "nodes_with_ties",
)
"""The statistics of the projection shown in the table (--format json/csv carry them all)."""


@renders("simulate")
def simulate_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The fitted tie model, the projection under the policy and at x1, the back-test, notes."""
    if _csv("simulate", data, fmt):
        return
    m = data["model"]
    emit(
        console,
        fmt,
        records=m["terms"],
        title=f"Tie model fitted on {m['years'][0]}-{m['years'][1]} ({m['dyad_years']:,} "
        f"dyad-years, {m['ties']:,} tied)",
        caption=m["method"],
    )
    last, focus = data["observed_last_year"], data["focus"]
    emit(
        console,
        fmt,
        records=[r for r in data["projection"] if r["statistic"] in SIMULATED],
        columns=["scenario", "statistic", "year", "p5", "median", "p95"],
        title=f"Projection for {focus}: support effect x{data['support_multiplier']:g} against "
        f"x1 ({data['runs']} runs, seed {data['seed']}; observed {last['year']}: "
        f"{last['edges']:.0f} edges, {focus} degree {last.get('focus_degree', 0):.0f})",
    )
    bt = data["backtest"]
    emit(
        console,
        fmt,
        records=[
            {
                "forecast": forecast,
                "brier": bt[f"brier_{forecast}"],
                "edge_count_mae": bt[f"edge_mae_{forecast}"],
            }
            for forecast in ("model", "persistence")
        ],
        title=f"Back-test: fitted to {bt['fit_to']}, projected {bt['years'][0]}-{bt['years'][-1]}",
    )
