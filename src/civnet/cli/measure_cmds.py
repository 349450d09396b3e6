"""The four core factors: describe, density, betweenness (commands generated from the catalog,
drawn here from their JSON), and the commands analyze and export."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civnet.cli.app import app, console, err_console, open_workspace
from civnet.cli.generate import (
    print_dim,
    print_records,
    renders,
)
from civnet.cli.options import Format, check_format, view_options
from civnet.products.analyze import has_directed_partners, left_out_note, left_out_of_ranking
from civnet.products.catalog import MEASURES, with_notes
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


def _betweenness_title(params: dict[str, Any]) -> str:
    how = "raw" if params["raw"] else "normalized"
    how += ", weighted" if params.get("weighted") else ""
    if params["samples"]:
        return f"{how}; estimated from {params['samples']} sampled sources, seed {params['seed']}"
    return f"{how}; exact Brandes"


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
def betweenness_cmd(
    spec: ViewSpec,
    raw: Annotated[bool, typer.Option("--raw", help="Raw pair counts, not normalized.")] = False,
    weighted: Annotated[bool, typer.Option("--weighted", help="Cost = 1/weight.")] = False,
    top: Annotated[int | None, typer.Option("--top", help="Show the K highest.")] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", help="Group betweenness of each group of this attribute (country)."
        ),
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples", help="Estimate from K sampled source actors (seeded) instead of exact."
        ),
    ] = None,
    approx: Annotated[
        float | None,
        typer.Option(
            "--approx",
            help="Approximate every actor within EPS (normalized scale, 0 < EPS < 1) with "
            "probability at least 1 - delta (NetworKit's KADABRA; Riondato-Kornaropoulos when "
            "weighted or directed).",
        ),
    ] = None,
    delta: Annotated[
        float, typer.Option("--delta", help="Failure probability of --approx (0 < D < 1).")
    ] = 0.1,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Exact even when the estimated time passes the 60 s budget (which otherwise "
            "switches to --approx 0.01 and says so).",
        ),
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for --samples, --approx and --boot.")
    ] = 0,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Exact, with Brandes' sources split over a Dask cluster: a scheduler address "
            "(tcp://host:8786) or local:N for N local worker processes.",
        ),
    ] = None,
    rank_all: Annotated[
        bool,
        typer.Option(
            "--rank-all",
            help="Rank sector, country and network aggregates too (default: organisations and "
            "cities; aggregates left out are counted).",
        ),
    ] = False,
    boot: Annotated[
        int | None,
        typer.Option(
            "--boot",
            help="N tie resamples: a range for each top broker and the share of resamples in "
            "which it stays in the top K (as civnet brokers).",
        ),
    ] = None,
    fmt: Format = "table",
) -> None:
    """Betweenness of actors (exact within a 60 s budget, else within a stated error), or group
    betweenness of countries with --group."""
    from civnet.measures import group_betweenness
    from civnet.products.analyze import budgeted_betweenness
    from civnet.products.catalog import group_betweenness_records, stated_betweenness_records

    check_format(fmt)
    if boot:
        from civnet.cli.time_cmds import show_broker_stability

        show_broker_stability(spec, boot, top or 10, "ties", seed, fmt, rank_all)
        return
    if not group and samples is None:
        # exact betweenness is a catalog measure: kept in the workspace's result cache
        from civnet.cli.product_cmds import measure_json

        data = measure_json(
            "betweenness",
            spec,
            raw=raw,
            weighted=weighted,
            top=top,
            rank_all=rank_all,
            approx=approx,
            delta=delta,
            exact=exact,
            seed=seed,
            dask=dask,
        )
        records = data["records"]
        method = str(records[0].get("method", "exact")) if records else "exact"
        if "budget" in method:
            err_console.print(f"[dim]{escape(method)}[/]", highlight=False)
        left = (  # the JSON result is the records alone, as the API gives them
            left_out_of_ranking(load_view(spec), None if rank_all else RANKED_LEVELS)
            if fmt == "table"
            else {}
        )
        _emit_betweenness(fmt, records, raw, weighted, method, left, data["notes"])
        return
    net = load_view(spec)
    if group:
        with progress_bar() as bar:
            task = bar.add_task("group betweenness", total=None)
            gb = group_betweenness(
                net,
                by=group,
                normalized=not raw,
                samples=samples,
                exact=exact,
                seed=seed,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        records = group_betweenness_records(gb, top)
        emit(
            console,
            fmt,
            records=records,
            obj=with_notes(records, net.notes),
            title=f"group betweenness by {group} ({gb.method})",
        )
        if fmt == "table":
            print_dim(net.notes)
        return
    with progress_bar() as bar:
        task = bar.add_task("betweenness", total=None)
        b = budgeted_betweenness(
            net,
            normalized=not raw,
            weighted=weighted,
            samples=samples,
            approx=approx,
            delta=delta,
            exact=exact,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    levels = None if rank_all else RANKED_LEVELS
    records = stated_betweenness_records(net, b, top, levels)
    _emit_betweenness(
        fmt, records, raw, weighted, b.method, left_out_of_ranking(net, levels), net.notes
    )


def _emit_betweenness(
    fmt: str,
    records: list[dict[str, Any]],
    raw: bool,
    weighted: bool,
    method: str,
    left_out: dict[str, int],
    notes: list[str],
) -> None:
    emit(
        console,
        fmt,
        records=records,
        obj=with_notes(records, notes),
        columns=["rank", "id", "name", "type", "country", "degree"]
        + (["out_partners", "in_partners"] if has_directed_partners(records) else [])
        + ["betweenness"]
        + (["eps", "delta"] if records and "eps" in records[0] else []),
        title=f"betweenness ({'raw' if raw else 'normalized'}{', weighted' if weighted else ''}; {method})",
        caption=left_out_note(left_out) or None,
    )
    if fmt == "table":
        print_dim(notes)


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
