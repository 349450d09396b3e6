"""Commands for event data: civnet import gdelt, civnet cameo."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from civnet.cli.app import app, console, err_console, import_app, open_workspace
from civnet.cli.commands.data_cmds import print_reports
from civnet.products.render import emit


@import_app.command("gdelt")
def import_gdelt_cmd(
    files: Annotated[
        list[str], typer.Argument(help="GDELT event files or globs (.CSV, .txt, .zip).")
    ],
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="civil-any: a civil actor with any foreign actor; civil-civil: both civil.",
        ),
    ] = "civil-any",
    period: Annotated[
        str, typer.Option("--period", help="Aggregate ties per day, month or year.")
    ] = "month",
    include_conflict: Annotated[
        bool,
        typer.Option("--include-conflict", help="Keep conflict events too (QuadClass 3-4)."),
    ] = False,
    named_actors: Annotated[
        bool,
        typer.Option(
            "--named-actors", help="Keep named actors (CHN/EDU/PEKING UNIVERSITY), not sectors."
        ),
    ] = False,
    no_geo_fallback: Annotated[
        bool,
        typer.Option(
            "--no-geo-fallback",
            help="Do not take an actor's country from ActorNGeo_CountryCode when it has none.",
        ),
    ] = False,
    untyped_as: Annotated[
        str | None,
        typer.Option(
            "--untyped-as",
            help="CAMEO type for actors coded with a country alone (e.g. GOV); default in "
            "civil-any mode: the country as one country-level actor (CHN/COUNTRY).",
        ),
    ] = None,
    track_map: Annotated[
        Path | None,
        typer.Option("--track-map", help="CSV code,track[,role] replacing the default type map."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Dask scheduler address, or local:N for N local workers."),
    ] = None,
) -> None:
    """Import GDELT 1.0/2.0 event files as civil-diplomacy ties (see docs/events.md)."""
    from civnet.importers.events.gdelt import FileResult, import_gdelt
    from civnet.importers.events.mapping import GdeltOptions, default_type_map, read_track_map

    options = GdeltOptions(
        mode=mode,
        period=period,
        include_conflict=include_conflict,
        named_actors=named_actors,
        geo_fallback=not no_geo_fallback,
        untyped_as=untyped_as,
        type_map=read_track_map(track_map) if track_map else default_type_map(),
    )
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
    )

    def on_file(path: Path):
        task = bar.add_task(path.name, total=1.0)
        return lambda frac: bar.update(task, completed=frac)

    def on_done(res: FileResult) -> None:
        if dask:
            bar.add_task(res.name, total=1, completed=1)

    with bar, open_workspace(write=True) as ws:
        result = import_gdelt(
            ws, files, options, dask=dask, on_file=None if dask else on_file, on_done=on_done
        )
    for res in result.files:
        kept = res.events_kept
        console.print(
            f"[bold]{escape(res.name)}[/] ({escape(res.format)}): {res.rows_read:,} rows read, "
            f"{res.rejects.num_rows:,} rejected, {kept:,} events kept in ties",
            highlight=False,
        )
        for reason, n in sorted(res.rejected_by_reason.items(), key=lambda kv: -kv[1]):
            console.print(f"    {n:,} rejected: {reason}", highlight=False, markup=False)
        for reason, n in sorted(res.filtered.items(), key=lambda kv: -kv[1]):
            console.print(f"    {n:,} left out: {reason}", highlight=False, markup=False)
    for path in result.skipped:
        console.print(
            f"[yellow]{escape(str(path))}[/]: already in the workspace; left out", highlight=False
        )
    print_reports([r for r in result.reports if r.ties_in_batch or r.skipped])
    console.print(
        f"{result.ties:,} ties ({options.describe()}); countries from the geo fallback: "
        f"{result.geo_fallbacks:,} actor slots of kept events",
        highlight=False,
        markup=False,
    )


@app.command("cameo")
def cameo_cmd(
    code: Annotated[str, typer.Argument(help="A CAMEO code: EDU, 043, CHN, 1, USAEDU ...")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Say what a CAMEO code means (actor type, event code, country, QuadClass, Goldstein)."""
    from civnet.importers.events.cameo import describe

    records = describe(code)
    if fmt == "json":
        emit(console, "json", obj=records)
        return
    for rec in records:
        emit(
            console,
            "table",
            records=[{"field": k, "value": "" if v is None else str(v)} for k, v in rec.items()],
            title=f"{rec['code']}: {rec['kind']}",
        )
