"""The four core factors: describe, density, betweenness (commands generated from the catalog,
drawn here from their JSON), and the commands analyze and export."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from civnet.cli.app import app, console, err_console, open_workspace
from civnet.cli.generate import RENDERERS, print_records, renders, top_of
from civnet.cli.options import Format, check_format, view_options
from civnet.products.catalog import MEASURES
from civnet.products.render import emit, fmt_number, write_csv
from civnet.store.columnar import ColumnarRecords
from civnet.views import ViewSpec

if TYPE_CHECKING:
    from civnet.views import Network


def load_view(spec: ViewSpec) -> "Network":
    from civnet.views import build_network

    with open_workspace() as ws:
        return build_network(ws, spec)


def progress_bar() -> Progress:
    """A transient progress bar on stderr, shown only when stderr is a terminal."""
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


@renders("describe")
def describe_tables(d: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The scalars, the counts by type, track and kind, the 15 countries with most actors."""
    if fmt == "csv":
        print_records(MEASURES["describe"], d, fmt)
        return
    scalars = MEASURES["describe"].records(d)
    emit(console, fmt, records=scalars, title=f"View: {d['view']}")
    for key in ("by_type", "by_level", "by_track", "by_kind"):
        rows = [{key[3:]: k, "count": v} for k, v in d[key].items()]
        if rows:
            emit(console, fmt, records=rows, title=key.replace("_", " "))
    top = list(d["by_country"].items())[:15]
    if top:
        emit(
            console,
            fmt,
            records=[{"country": k, "actors": v} for k, v in top],
            title=f"actors by country (top {len(top)} of {len(d['by_country'])})",
        )


DENSITY_GROUPS_SHOWN = 12


@renders("density")
def density_tables(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The density, or with ``--by`` the whole density and the block matrix (12 largest groups
    unless ``--top``)."""
    if fmt == "csv" or "blocks" not in data:
        print_records(MEASURES["density"], data, fmt, title="density of the view")
        return
    console.print(f"density of the whole view: {fmt_number(data['density'])}", highlight=False)
    groups, sizes, matrix = data["groups"], data["sizes"], data["matrix"]
    limit = params["top"] or DENSITY_GROUPS_SHOWN
    order = sorted(range(len(groups)), key=lambda i: (-sizes[i], groups[i]))[:limit]
    rows = []
    for i in order:
        row: dict[str, Any] = {data["by"]: f"{groups[i]} ({int(sizes[i])})"}
        for j in order:
            row[groups[j]] = float(matrix[i][j])
        rows.append(row)
    emit(
        console,
        "table",
        records=rows,
        title=f"block density by {data['by']} (largest {len(order)} of {data['n_groups']} groups)",
        caption="diagonal: density within the group; off-diagonal: ties between / (n_A x n_B)",
    )


@renders("group_betweenness")
def group_betweenness_table(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Groups by group betweenness, highest first; the title says how each value was had."""
    records = MEASURES["group_betweenness"].records(data)
    if params["samples"]:
        how = f"estimated from {params['samples']:,} sampled sources, seed {params['seed']}"
    elif records and "stderr" in records[0]:
        how = f"sampled sources (exact would cost too much), seed {params['seed']}"
    else:
        how = "exact path counting"
    if records and "stderr" in records[0]:
        how += "; ci95: half-width of the 95% interval"
    print_records(
        MEASURES["group_betweenness"],
        data,
        fmt,
        title=f"group betweenness by {params['by']} ({how})",
    )


BETWEENNESS_ROWS = 20
"""Rows of the betweenness table unless ``--top`` says otherwise (CSV and JSON hold all)."""


@renders("betweenness")
def betweenness_table(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The actors by betweenness, highest first (the first 20 unless ``--top``; CSV every
    row), saying how the values were computed and which aggregates the ranking left out; with
    ``--group`` group betweenness, with ``--boot`` the brokers' resampling ranges (as
    ``civnet brokers``)."""
    from civnet.products.render import left_out_note

    if params["boot"] is not None:
        brokers = {"boot": params["boot"], "top": params["top"] or 10, "resample": "ties"}
        brokers |= {"seed": params["seed"], "rank_all": params["rank_all"]}
        RENDERERS["brokers"](data, brokers, fmt, spec)
        return
    if params["group"] is not None:
        group = {"by": params["group"], "samples": params["samples"], "seed": params["seed"]}
        group_betweenness_table(data, group, fmt, spec)
        return
    records = data["records"]
    if fmt == "csv":  # every column, as to_pandas() gives them
        columns = records.columns if isinstance(records, ColumnarRecords) else None
        write_csv(
            records, columns or list(dict.fromkeys(k for r in records for k in r)), sys.stdout
        )
        return
    shown = records[: params["top"] or BETWEENNESS_ROWS]
    if not isinstance(shown, list):
        shown = list(shown)  # a few rows, as dicts
    first = shown[0] if shown else {}
    method = str(first.get("method", "exact"))
    if "budget" in method:
        err_console.print(Text(method, style="dim"), soft_wrap=True)
    columns = (
        ["rank", "id", "name", "type", "country", "degree"]
        + (["out_partners", "in_partners"] if _directed_partners(records) else [])
        + ["betweenness"]
        + (["eps", "delta"] if "eps" in first else [])
    )
    how = "raw" if params["raw"] else "normalized"
    how += ", weighted" if params["weighted"] else ""
    cut = (
        f"; {top_of(len(shown), data['n_ranked'])} ranked"
        if len(shown) < len(records) or params["top"]
        else ""
    )
    emit(
        console,
        "table",
        records=shown,
        columns=columns,
        title=f"betweenness ({how}; {method}{cut})",
        caption=left_out_note(data["left_out"]) or None,
    )


def _directed_partners(records: Any) -> bool:
    """Whether any ranked actor has an out- or in-partner (the table then shows both columns)."""
    from civnet.products.render import has_directed_partners

    if not isinstance(records, ColumnarRecords):
        return has_directed_partners(records)
    if "out_partners" not in records.columns:
        return False
    return any(records.column("out_partners")) or any(records.column("in_partners"))


@app.command("export")
@view_options
def export_cmd(
    spec: ViewSpec,
    fmt: Annotated[
        str, typer.Argument(help="gexf (1.3, dynamic), graphml, json (node-link) or csv.")
    ],
    path: Annotated[
        Path,
        typer.Argument(
            help="Output file (csv: FILE.nodes.csv and FILE.edges.csv when FILE ends in .csv)."
        ),
    ],
    measures: Annotated[
        bool,
        typer.Option(
            "--measures/--no-measures",
            help="Attach partners, betweenness, PageRank, k-core... as node attributes.",
        ),
    ] = True,
    spreadsheet_safe: Annotated[
        bool,
        typer.Option(
            "--spreadsheet-safe/--no-spreadsheet-safe",
            help="csv: put ' before text cells starting with = + - @ tab or CR, so that "
            "spreadsheets show them instead of running them as formulas.",
        ),
    ] = True,
) -> None:
    """Write the view to a file that opens in NetworkX, igraph and Gephi."""
    from civnet.products.export import export_network

    net = load_view(spec)
    written = export_network(net, fmt, path, measures=measures, spreadsheet_safe=spreadsheet_safe)
    for p in written:
        console.print(f"wrote {p}", highlight=False, markup=False)


@app.command("analyze")
@view_options
def analyze_cmd(
    spec: ViewSpec,
    top: Annotated[int, typer.Option("--top", help="Brokers to show.")] = 10,
    countries: Annotated[
        int, typer.Option("--countries", help="Countries in the block table.")
    ] = 10,
    exact: Annotated[
        bool,
        typer.Option("--exact", help="Exact betweenness even where it would take minutes."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed for sampled betweenness.")] = 0,
    rank_all: Annotated[
        bool,
        typer.Option(
            "--rank-all",
            help="Rank sector, country and network aggregates too (default: organisations and "
            "cities; aggregates left out are counted).",
        ),
    ] = False,
    fmt: Format = "table",
) -> None:
    """The main job: the four core factors, the top brokers and block density by country.

    Betweenness is exact unless the exact run is estimated to take over 60 s; then it is
    approximated within a stated error (KADABRA, eps 0.01, delta 0.1, seeded) and the output
    says so (--exact forces the exact computation).
    """
    from dataclasses import asdict

    from civnet.products.analyze import analyze, render_analysis

    check_format(fmt)
    net = load_view(spec)
    with progress_bar() as bar:
        task = bar.add_task("analyzing", total=None)

        def step(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc, completed=done, total=total)

        result = analyze(
            net,
            top=top,
            countries=countries,
            exact=exact,
            seed=seed,
            rank_all=rank_all,
            progress=step,
        )
    if fmt == "table":
        render_analysis(console, result)
    else:
        emit(console, "json", obj=asdict(result))
