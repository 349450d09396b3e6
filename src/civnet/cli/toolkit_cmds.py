"""Commands for the standard toolkit: degree, closeness, eigenvector, pagerank, kcore, ego-density.

Each computes its catalog measure (:mod:`civnet.products.toolkit_results`) and renders it;
``--format json`` prints what ``GET /api/<measure>`` returns. In a table the first 20 rows are
shown unless ``--top`` says otherwise; CSV and JSON hold every row unless ``--top`` is given.
"""

from typing import Annotated, Any

import typer

from civnet.cli.app import app, console
from civnet.cli.options import Format, check_format, view_options
from civnet.cli.product_cmds import emit_json, measure_result
from civnet.products.render import emit
from civnet.views import ViewSpec

Top = Annotated[
    int | None,
    typer.Option("--top", help="Rows shown (20 in a table; all in csv/json unless set)."),
]
Weighted = Annotated[bool, typer.Option("--weighted", help="Use tie weights.")]
TABLE_ROWS = 20


def _show(name: str, spec: ViewSpec, fmt: str, top: int | None, title: str, **params: Any) -> None:
    check_format(fmt)
    limit = top if top is not None else (TABLE_ROWS if fmt == "table" else None)
    result = measure_result(name, spec, top=limit, **params)
    if fmt == "json":
        emit_json(name, result)
        return
    records = result.json()
    emit(console, fmt, records=records, title=f"{title} (first {len(records)})")
    if fmt == "table":
        for note in getattr(result, "notes", []):
            console.print(f"[dim]note: {note}[/]", highlight=False, soft_wrap=True)


@app.command("degree")
@view_options
def degree_cmd(spec: ViewSpec, top: Top = None, fmt: Format = "table") -> None:
    """Partners of every actor (in/out in a directed view), tie records and strength."""
    _show("degree", spec, fmt, top, "degree: distinct partners")


@app.command("closeness")
@view_options
def closeness_cmd(spec: ViewSpec, top: Top = None, fmt: Format = "table") -> None:
    """Harmonic closeness of every actor: mean inverse distance from the others."""
    _show("closeness", spec, fmt, top, "harmonic closeness (normalized by n - 1)")


@app.command("eigenvector")
@view_options
def eigenvector_cmd(
    spec: ViewSpec, weighted: Weighted = False, top: Top = None, fmt: Format = "table"
) -> None:
    """Eigenvector centrality (most central = 1) in the largest connected component."""
    _show("eigenvector", spec, fmt, top, "eigenvector centrality", weighted=weighted)


@app.command("pagerank")
@view_options
def pagerank_cmd(
    spec: ViewSpec,
    damping: Annotated[float, typer.Option("--damping", help="Damping factor, 0 to 0.99.")] = 0.85,
    weighted: Weighted = False,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """PageRank of every actor (the values sum to 1)."""
    _show(
        "pagerank",
        spec,
        fmt,
        top,
        f"PageRank (damping {damping})",
        damping=damping,
        weighted=weighted,
    )


@app.command("kcore")
@view_options
def kcore_cmd(spec: ViewSpec, top: Top = None, fmt: Format = "table") -> None:
    """Core number of every actor: the largest k whose k-core (all with >= k partners) holds it."""
    _show("kcore", spec, fmt, top, "k-core numbers")


@app.command("ego-density")
@view_options
def ego_density_cmd(
    spec: ViewSpec,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Summarize per group: country, continent, region, type..."),
    ] = None,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Ego-network density: ties among each actor's partners, per actor or per group (--by)."""
    what = f"ego-network density by {by}" if by else "ego-network density (ego left out)"
    _show("ego_density", spec, fmt, top, what, by=by)
