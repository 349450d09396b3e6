"""The four core factors: describe, density, betweenness (commands generated from the catalog,
drawn here from their JSON), and the commands analyze and export."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civnet.cli.app import app, console, err_console, open_workspace
from civnet.cli.generate import (
    measure_json,
    measure_options,
    print_records,
    print_result,
    renders,
)
from civnet.cli.options import Format, check_format, view_options
from civnet.products.analyze import has_directed_partners, left_out_note, left_out_of_ranking
from civnet.products.catalog import MEASURES
from civnet.products.render import emit, fmt_number
from civnet.views import Network, ViewSpec, build_network
from civnet.vocab import RANKED_LEVELS


def load_view(spec: ViewSpec) -> Network:
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
    for note in d["notes"]:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)


DENSITY_GROUPS_SHOWN = 12


@renders("density")
def density_tables(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The density, or with ``--by`` the whole density and the block matrix (12 largest groups
    unless ``--top``)."""
    if fmt == "csv" or isinstance(data, list):
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


def _betweenness_title(params: dict[str, Any]) -> str:
    how = "raw" if params["raw"] else "normalized"
    how += ", weighted" if params.get("weighted") else ""
    if params["samples"]:
        return f"{how}; estimated from {params['samples']} sampled sources, seed {params['seed']}"
    return f"{how}; exact Brandes"


@renders("betweenness")
def betweenness_table(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Actors by betweenness, highest first; the caption counts the aggregates left out."""
    columns = (
        ["rank", "id", "name", "type", "country", "degree"]
        + (["out_partners", "in_partners"] if has_directed_partners(data) else [])
        + ["betweenness"]
    )
    if fmt == "csv":
        emit(console, fmt, records=data, columns=columns)
        return
    levels = None if params["rank_all"] else RANKED_LEVELS
    left = left_out_of_ranking(load_view(spec), levels)  # the JSON holds the ranked records only
    emit(
        console,
        fmt,
        records=data,
        columns=columns,
        title=f"betweenness ({_betweenness_title(params)})",
        caption=left_out_note(left) or None,
    )


@renders("group_betweenness")
def group_betweenness_table(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Groups by group betweenness, highest first."""
    how = (
        f"estimated from {params['samples']} sampled sources per group, seed {params['seed']}"
        if params["samples"]
        else "exact, or sampled above 5,000 actors: see the stderr column"
    )
    print_records(
        MEASURES["group_betweenness"],
        data,
        fmt,
        title=f"group betweenness by {params['by']} ({how})",
    )


@app.command("betweenness")
@view_options
@measure_options("betweenness")
def betweenness_cmd(
    spec: ViewSpec,
    params: dict[str, Any],
    group: Annotated[
        str | None,
        typer.Option(
            "--group",
            help="Group betweenness of each group of this attribute (country): the measure "
            "group_betweenness with --samples, --seed, --raw and --top.",
        ),
    ] = None,
    boot: Annotated[
        int | None,
        typer.Option(
            "--boot",
            help="N tie resamples: a range for each top broker and the share of resamples in "
            "which it stays in the top K (the measure brokers, with --seed and --top).",
        ),
    ] = None,
    fmt: Format = "table",
) -> None:
    """Betweenness (exact Brandes, or estimated with --samples) of actors; group betweenness
    with --group; resampling intervals with --boot."""
    check_format(fmt)
    if boot:
        run = {"boot": boot, "top": params["top"] or 10, "resample": "ties", "seed": params["seed"]}
        name = "brokers"
    elif group:
        keep = ("raw", "samples", "seed", "top")
        run = {"by": group, **{k: params[k] for k in keep}}
        name = "group_betweenness"
    else:
        run, name = params, "betweenness"
    print_result(MEASURES[name], measure_json(name, spec, run), run, fmt, spec)


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

    Betweenness is exact unless the view is so large that exact Brandes would take minutes;
    then the largest components are estimated from sampled sources (seeded) and the output says
    so (--exact forces the exact computation).
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
