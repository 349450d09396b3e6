"""Commands that present the workspace: report (one HTML file) and serve (dashboard and JSON API);
and :func:`measure_result`, through which analysis commands compute a catalog measure."""

from pathlib import Path
from typing import Annotated, Any

import typer

from civnet.cli.app import app, console, open_workspace, state
from civnet.cli.commands.measure_cmds import progress_bar
from civnet.cli.options import view_options
from civnet.views import ViewSpec


def measure_result(name: str, spec: ViewSpec, *, task: str | None = None, **params: Any) -> Any:
    """The typed result of catalog measure ``name`` for the view ``spec`` and ``params``.

    Reads the measure's inputs from the workspace, then computes them with a progress bar on
    stderr (labelled ``task``); ``MEASURES[name].to_json(result)`` is its ``--format json``.
    """
    from civnet.products.catalog import MEASURES

    measure = MEASURES[name]
    with open_workspace() as ws:
        inputs = measure.inputs(ws, spec, **params)
    with progress_bar() as bar:
        job = bar.add_task(task or name, total=None)
        return measure.result(
            inputs, lambda done, total: bar.update(job, completed=done, total=total), **params
        )


def measure_json(name: str, spec: ViewSpec, *, task: str | None = None, **params: Any) -> Any:
    """The JSON result of catalog measure ``name``, from the workspace's result cache if there.

    Computed (with a progress bar on stderr, labelled ``task``) and kept in the cache otherwise,
    as :func:`civnet.products.runner.run_measure` does; the workspace is closed while the
    measure computes, so DuckDB's buffers are not held beside it. Records held by column stay so
    (:class:`~civnet.store.columnar.ColumnarRecords`, read lazily from the cache): the output
    writes them a chunk at a time.
    """
    from civnet._lean import give_back_memory, return_big_arrays
    from civnet.products.runner import keep_result, plan
    from civnet.sql import flush_after_tasks

    with progress_bar() as bar:
        job = bar.add_task(task or name, total=None)
        with open_workspace() as ws:
            planned = plan(ws, name, spec, params)
            hit = ws.cached_result(planned.key, lazy=True)
            if hit is not None:
                return hit
            flush_after_tasks(ws.con)  # DuckDB's freed memory back while the view is built
            if planned.measure.graph_only is not None:  # (betweenness) large arrays unmapped
                return_big_arrays()  # when freed: the heap keeps none the next step cannot use
            # built for this computation alone: without what it will not read (a tie table);
            # the workspace closed as soon as it is read (DuckDB's memory back before igraph's)
            inputs = planned.measure.light_inputs(ws, spec, close=True, **planned.params)
        result = planned.measure.run(
            inputs,
            lambda done, total: bar.update(job, completed=done, total=total),
            columnar=True,
            **planned.params,
        )
    del inputs  # the view is not held while the result is kept and printed
    give_back_memory()  # what the computation freed, before DuckDB (its own allocator) writes
    with open_workspace() as ws:
        keep_result(ws, planned, result)
    return result


@app.command("report")
@view_options
def report_cmd(
    spec: ViewSpec,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    top: Annotated[int, typer.Option("--top", help="Brokers shown.")] = 15,
    countries: Annotated[
        int, typer.Option("--countries", help="Countries in the block density heatmap.")
    ] = 15,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the network layout and the scorecard bootstrap.")
    ] = 0,
    boot: Annotated[
        int,
        typer.Option("--boot", help="Scorecard bootstrap resamples (0 leaves the scorecard out)."),
    ] = 200,
    max_edges: Annotated[
        int, typer.Option("--max-edges", help="Edges drawn at most (the heaviest).")
    ] = 60_000,
    rank_removals: Annotated[
        int,
        typer.Option(
            "--rank-removals",
            help="Add 'who holds the network together': the top K brokers' removals and the "
            "attack curve (0: no section).",
        ),
    ] = 0,
    cores: Annotated[
        int | None,
        typer.Option(
            "--cores",
            min=1,
            help="Cores to use (default: the idle ones, for a view of 2,000 actors or more); "
            "with 2, a second process shares the betweenness and the scorecard's bootstrap "
            "(the same numbers).",
        ),
    ] = None,
    whatif: Annotated[
        list[str] | None,
        typer.Option(
            "--whatif",
            help="Add a 'what if' section: a change as CHANGE=VALUE, e.g. remove-actor=ID or "
            "drop-track=education (repeatable; changes of civnet whatif).",
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML report (works offline): factors, charts, timeline, scorecard,
    network, sources."""
    from civnet.products.report import write_report

    with open_workspace() as ws, progress_bar() as bar:
        task = bar.add_task("report", total=None)

        def step(desc: str, done: int, total: int) -> None:
            bar.update(task, description=desc, completed=done, total=total)

        path, ctx = write_report(
            ws,
            spec,
            out,
            top=top,
            countries=countries,
            seed=seed,
            boot=boot,
            max_edges=max_edges,
            rank_removals=rank_removals,
            whatif=whatif_changes(whatif or []),
            progress=step,
            cores=cores,
        )
    g = ctx["graph"]
    console.print(
        f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {ctx['summary']['nodes']:,} actors, "
        f"{g['edges_total']:,} connected pairs ({g['edges_drawn']:,} heaviest listed for "
        "drill-down; the country-level network is drawn)",
        highlight=False,
        markup=False,
    )


WHATIF_CHANGES = (
    "remove-actor",
    "remove-type",
    "remove-country",
    "remove-level",
    "drop-track",
    "drop-kind",
)


def whatif_changes(items: list[str]) -> dict[str, list[str]] | None:
    """``["remove-actor=ID", "drop-track=education"]`` as whatif's parameters (None: none)."""
    from civnet.errors import BadFilter

    out: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lstrip("-")
        if not sep or key not in WHATIF_CHANGES or not value.strip():
            raise BadFilter(
                f"--whatif expects CHANGE=VALUE, got {item!r}",
                fix="CHANGE is one of: " + ", ".join(WHATIF_CHANGES),
            )
        out.setdefault(key.replace("-", "_"), []).append(value.strip())
    return out or None


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Threads computing slow measures, shared by every request (memory grows with it).",
            min=1,
            max=64,
        ),
    ] = 2,
) -> None:
    """Serve the dashboard and the JSON API (OpenAPI at /docs) over the workspace, read-only."""
    import uvicorn

    from civnet.products.serving.server import create_app
    from civnet.store import Workspace

    # fail now, with one line, if the workspace cannot be opened (the app opens it per request)
    Workspace(state.workspace, read_only=True).close()
    application = create_app(state.workspace, workers=workers, warm=True, processes=True)
    console.print(
        f"civnet dashboard on http://{host}:{port}/  (API docs: /docs; workspace "
        f"{state.workspace}, read-only). Ctrl+C stops.",
        highlight=False,
        markup=False,
    )
    uvicorn.run(application, host=host, port=port, log_level="warning")
