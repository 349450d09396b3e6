"""The Typer application, the workspace option and the one-line error handling."""

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from civnet import __version__
from civnet.errors import UserError
from civnet.store import Workspace, resolve_workspace_path
from civnet.store.schema import read_error


class CivnetGroup(TyperGroup):
    """Turns a :class:`UserError` anywhere below into one line on stderr and exit code 2."""

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except UserError as exc:
            err_console.print(
                f"[bold red]error:[/] {escape(exc.line())}", highlight=False, soft_wrap=True
            )
            ctx.exit(exc.exit_code)


err_console = Console(stderr=True)

app = typer.Typer(
    name="civnet",
    cls=CivnetGroup,
    help="Map and measure civil diplomacy: cross-border ties of cities, universities, NGOs, "
    "media and firms, as networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Import user data into the workspace.", no_args_is_help=True)
app.add_typer(import_app, name="import")

console = Console()


class State:
    workspace: Path = Path("civnet.duckdb")


state = State()


def _version(value: bool) -> None:
    if value:
        print(f"civnet {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            envvar="CIVNET_WORKSPACE",
            help="Workspace file (DuckDB). Default ./civnet.duckdb.",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state.workspace = resolve_workspace_path(workspace)


@contextmanager
def open_workspace(*, write: bool = False):
    """Open the workspace for the command (read-only unless writing)."""
    ws = Workspace(state.workspace, read_only=not write)
    try:
        yield ws
    except duckdb.IOException as exc:  # blocks missing from a damaged or truncated file
        raise read_error(ws.path, exc) from None
    finally:
        ws.close()


def main() -> None:
    """Entry point of the ``civnet`` command."""
    app()
