"""Commands that bring data in: datasets, load, import ..."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from civnet.cli.app import app, console, err_console, import_app, open_workspace
from civnet.products.render import dumps, emit

if TYPE_CHECKING:
    from civnet.importers.batch import IngestReport

SkipBad = Annotated[
    bool,
    typer.Option(
        "--skip-bad-rows",
        help="Import the good rows; bad rows go to FILE.rejects.csv (default: stop, import nothing).",
    ),
]
Encoding = Annotated[str, typer.Option("--encoding", help="Text encoding of CSV files.")]
Delimiter = Annotated[
    str | None, typer.Option("--delimiter", help="CSV field separator (default: detected).")
]
FileFormat = Annotated[str | None, typer.Option("--format", help="csv, tsv, parquet or jsonl.")]


def print_reports(reports: "list[IngestReport]") -> None:
    """One line per source: rows read, ties added/merged, actors added, rejects by reason."""
    for r in reports:
        if r.skipped:
            console.print(f"[yellow]{escape(r.name)}[/]: already in the workspace; nothing added")
            continue
        console.print(
            f"[bold]{escape(r.name)}[/]: {r.rows_read:,} rows read, {r.ties_added:,} ties added, "
            f"{r.ties_merged:,} merged into existing ties, {r.actors_added:,} actors added, "
            f"{r.rows_rejected:,} rows rejected",
            highlight=False,
        )
        for reason, n in sorted(r.reasons.items(), key=lambda kv: -kv[1]):
            console.print(f"    {n:,} rejected: {reason}", highlight=False, markup=False)
        within = r.tie_rows - r.ties_in_batch
        if within > 0:
            console.print(
                f"    {within:,} merged: rows repeating a tie of an earlier row of this source "
                "(same pair in either direction, after names are resolved)",
                highlight=False,
            )
        for label, n in r.details.items():
            console.print(f"    {n:,} {label}", highlight=False, markup=False)


@app.command("datasets")
def datasets_cmd(
    info: Annotated[
        str | None, typer.Option("--info", help="Show one dataset's provenance and licence.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """List the embedded real datasets (or show one with --info)."""
    from civnet.datasets import all_datasets, get

    if info:
        ds = get(info)
        console.print(f"[bold]{ds.name}[/]: {ds.title}\nLicence: {ds.licence}\n")
        console.print(ds.provenance(), markup=False, highlight=False)
        return
    rows = [
        {
            "name": d.name,
            "title": d.title,
            "licence": d.licence,
            "default": d.default,
            "summary": d.summary,
        }
        for d in all_datasets()
    ]
    if fmt == "json":
        print(dumps(rows))
    else:
        emit(console, "table", records=rows, columns=["name", "title", "licence", "default"])


@app.command("load")
def load_cmd(
    names: Annotated[
        list[str] | None, typer.Argument(help="Dataset names (see civnet datasets).")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Load every embedded dataset.")] = False,
) -> None:
    """Load embedded datasets into the workspace (loading one twice adds nothing)."""
    from civnet.datasets import all_datasets, get
    from civnet.errors import UnknownDataset

    if all_:
        chosen = all_datasets()
    elif names:
        chosen = [get(n) for n in names]
    else:
        raise UnknownDataset(
            "name a dataset to load", fix="civnet load city-diplomacy, or civnet load --all"
        )
    with open_workspace(write=True) as ws:
        for ds in chosen:
            if ds.already_loaded(ws):
                console.print(
                    f"[yellow]{ds.name}[/]: already in the workspace; nothing added",
                    highlight=False,
                )
                continue
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                TimeElapsedColumn(),
                console=err_console,
                transient=True,
                disable=not err_console.is_terminal,
            ) as bar:
                task = bar.add_task(f"loading {ds.name}")

                def step(
                    msg: str, _task: object = task, _bar: Progress = bar, _name: str = ds.name
                ) -> None:
                    _bar.update(_task, description=f"{_name}: {msg}")  # type: ignore[arg-type]

                reports = ds.loader(ws, step)
            console.print(f"[bold green]{ds.name}[/] ({ds.licence})")
            print_reports(reports)
        counts = ws.counts()
    console.print(
        f"workspace {ws.path}: {counts['actors']:,} actors, {counts['ties']:,} ties, "
        f"{counts['sources']:,} sources",
        highlight=False,
        markup=False,
    )


@import_app.command("table")
def import_table_cmd(
    actors: Annotated[
        Path | None, typer.Option("--actors", help="Actor table: id, type, country.")
    ] = None,
    ties: Annotated[
        Path | None, typer.Option("--ties", help="Tie table: source, target, ...")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map source=From (repeatable)."),
    ] = None,
    fmt: FileFormat = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = None,
    skip_bad_rows: SkipBad = False,
    coverage: Annotated[
        str | None,
        typer.Option(
            "--coverage",
            help="FROM:TO the source covers (default: its first to last dated tie); "
            "compare, timeline and scorecard name periods past it.",
        ),
    ] = None,
) -> None:
    """Import an actor table and/or a tie table (CSV, Parquet, JSON lines; Kumu columns too)."""
    from civnet.importers.reading import parse_mapping
    from civnet.importers.tables import import_tables
    from civnet.products.periods import parse_span

    window = parse_span(coverage, "--coverage") if coverage else None
    with open_workspace(write=True) as ws:
        report = import_tables(
            ws,
            actors=actors,
            ties=ties,
            mapping=parse_mapping(map_ or []),
            skip_bad_rows=skip_bad_rows,
            fmt=fmt,
            encoding=encoding,
            delimiter=delimiter,
            coverage=window,
        )
    print_reports([report])


def _graph_cmd(fmt: str):
    def command(
        path: Annotated[Path, typer.Argument(help=f"{fmt.upper()} file.")],
        default_type: Annotated[
            str | None, typer.Option("--default-type", help="Actor type for nodes without one.")
        ] = None,
        default_country: Annotated[
            str | None, typer.Option("--default-country", help="Country for nodes without one.")
        ] = None,
        skip_bad_rows: SkipBad = False,
    ) -> None:
        from civnet.importers.graph_files import import_graph_file

        with open_workspace(write=True) as ws:
            report = import_graph_file(
                ws,
                path,
                fmt,
                default_type=default_type,
                default_country=default_country,
                skip_bad_rows=skip_bad_rows,
            )
        print_reports([report])

    command.__doc__ = f"Import a {fmt.upper()} file (node attributes type and country)."
    return command


import_app.command("graphml")(_graph_cmd("graphml"))
import_app.command("gexf")(_graph_cmd("gexf"))


def _print_rejects_file(path: Path, report: "IngestReport") -> None:
    from civnet.importers.reading import rejects_path_for

    if report.rows_rejected and not report.skipped:
        console.print(f"rejected rows: {rejects_path_for(path)}", highlight=False, markup=False)


@import_app.command("sister-cities")
def import_sister_cities_cmd(
    path: Annotated[Path, typer.Argument(help="Pair table: city1, country1, city2, country2.")],
    year_column: Annotated[
        str | None,
        typer.Option("--year-column", help="Column with the twinning year (default: year)."),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map city1=town (repeatable)."),
    ] = None,
    fmt: FileFormat = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = None,
    skip_bad_rows: SkipBad = False,
) -> None:
    """Import sister-city pairs (one city actor per city, one tie per pair).

    Rows with an unknown country, an empty city or both ends the same city are counted and
    written to FILE.rejects.csv without stopping the import; a malformed year or coordinate stops
    it unless --skip-bad-rows is given.
    """
    from civnet.importers.reading import parse_mapping
    from civnet.importers.sister_cities import import_sister_cities

    with open_workspace(write=True) as ws:
        report = import_sister_cities(
            ws,
            path,
            mapping=parse_mapping(map_ or []),
            year_column=year_column,
            skip_bad_rows=skip_bad_rows,
            fmt=fmt,
            encoding=encoding,
            delimiter=delimiter,
        )
    print_reports([report])
    _print_rejects_file(path, report)


@import_app.command("roster")
def import_roster_cmd(
    path: Annotated[Path, typer.Argument(help="Roster: actor, country, since, until.")],
    network: Annotated[str, typer.Option("--network", help="Name of the network (alliance).")],
    track: Annotated[
        str, typer.Option("--track", help="Track of rows without a track column.")
    ] = "general",
    actor_type: Annotated[
        str, typer.Option("--type", help="Actor type of rows without a type column.")
    ] = "city",
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map actor=member (repeatable)."),
    ] = None,
    fmt: FileFormat = None,
    encoding: Encoding = "utf-8",
    delimiter: Delimiter = None,
    skip_bad_rows: SkipBad = False,
) -> None:
    """Import a membership roster: one membership tie per row from the member to the network.

    Rows with an unknown country or an empty actor are counted and written to FILE.rejects.csv
    without stopping the import; an unknown type or track or a malformed date stops it unless
    --skip-bad-rows is given.
    """
    from civnet.importers.reading import parse_mapping
    from civnet.importers.roster import import_roster

    with open_workspace(write=True) as ws:
        report = import_roster(
            ws,
            path,
            network,
            track=track,
            actor_type=actor_type,
            mapping=parse_mapping(map_ or []),
            skip_bad_rows=skip_bad_rows,
            fmt=fmt,
            encoding=encoding,
            delimiter=delimiter,
        )
    print_reports([report])
    _print_rejects_file(path, report)
