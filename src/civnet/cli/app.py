"""The Typer application, the workspace option and the one-line error handling."""

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from civnet import __version__
from civnet.errors import UserError


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


PIPE_WIDTH = 100_000
"""Width of the consoles when their stream is not a terminal: lines are never broken for a pipe
or a file (a table takes the width it needs; text is not wrapped)."""


def make_console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr) that wraps to the terminal's width only when its
    stream is a terminal; to a pipe or a file nothing is wrapped or cut, whatever ``COLUMNS``."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)


err_console = make_console(stderr=True)

HELP_IS_RICH = sys.stdout.isatty()
"""``--help`` is drawn by rich (panels at the terminal's width) only for a terminal; to a pipe or a
file it is click's plain text at :data:`PIPE_WIDTH`, so no line is broken or boxed."""
HELP_MARKUP: Literal["rich"] | None = "rich" if HELP_IS_RICH else None
HELP_CONTEXT: dict[str, Any] = (
    {} if HELP_IS_RICH else {"terminal_width": PIPE_WIDTH, "max_content_width": PIPE_WIDTH}
)

app = typer.Typer(
    rich_markup_mode=HELP_MARKUP,
    context_settings=HELP_CONTEXT,
    name="civnet",
    cls=CivnetGroup,
    help="Map and measure civil diplomacy: cross-border ties of cities, universities, NGOs, "
    "media and firms, as networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(
    help="Import user data into the workspace.",
    no_args_is_help=True,
    rich_markup_mode=HELP_MARKUP,
    context_settings=HELP_CONTEXT,
)
app.add_typer(import_app, name="import")

console = make_console()


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
    from civnet.store.paths import resolve_workspace_path

    state.workspace = resolve_workspace_path(workspace)


@contextmanager
def open_workspace(*, write: bool = False):
    """Open the workspace for the command (read-only unless writing)."""
    import duckdb

    from civnet.store.schema import read_error
    from civnet.store.workspace import Workspace

    ws = Workspace(state.workspace, read_only=not write)
    try:
        yield ws
    except duckdb.IOException as exc:  # blocks missing from a damaged or truncated file
        raise read_error(ws.path, exc) from None
    finally:
        ws.close()


def main() -> None:
    """Entry point of the ``civnet`` command."""
    from civnet._lean import lean_imports

    lean_imports()  # igraph and NetworKit without matplotlib, Arrow on the system allocator
    app()
