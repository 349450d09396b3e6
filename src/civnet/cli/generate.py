"""CLI commands generated from the measure catalog (:mod:`civnet.products.catalog`).

Each catalog :class:`~civnet.products.catalog.Param` becomes one option (``--name`` with ``-`` for
``_``, or the Param's ``flag``; a ``bool`` is a flag, ``--x/--no-x`` when on by default or left to
the measure; a ``list[str]`` is repeatable), with the catalog's default and help, the declared
bounds appended to the help; a value out of bounds is refused by ``Measure.resolve`` with the catalog's one-line
message (exit code 2). Every generated command computes through
:func:`civnet.products.runner.run_measure` (so a repeat is answered from the workspace's result
cache) and prints from the JSON result:

- ``--format json``: the JSON (what ``GET /api/<measure>`` returns);
- ``--format csv``: ``Measure.records`` of it with ``Measure.columns`` (what ``to_pandas()`` gives);
- ``--format table``: the measure's renderer (:func:`renders`), by default one table of the
  records; then, once, the result's ``notes`` (what the view left out or reshaped: timeless ties,
  projection hubs, domestic ties at country level; and the measure's own). A renderer never
  prints the notes itself.

A renderer is ``render(data, params, fmt, spec, **extra)``; its parameters after ``spec`` are
CLI-only options (e.g. ``timeline --by-country``) and appear as options of the command.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape

from civnet.cli.app import HELP_IS_RICH, app, console
from civnet.cli.options import Format, check_format, view_filter_flags, view_options_except
from civnet.products.catalog import MEASURES, Measure, Param
from civnet.products.render import emit, records_csv, write_json
from civnet.views import ViewSpec

F = TypeVar("F", bound=Callable[..., Any])
Render = Callable[..., None]

RENDERERS: dict[str, Render] = {}
"""Table renderers of the measures, by measure name (:func:`renders` fills it)."""

HAND_WRITTEN: set[str] = set()
"""Measures whose command is written by hand (with :func:`measure_options`), not generated."""

FROM_CATALOG: set[str] = set()
"""Measures whose CLI options come from the catalog (generated, or :func:`measure_options`)."""


def option_name(param: Param) -> str:
    """The CLI spelling of a parameter: ``--per-track`` for ``per_track`` (or its ``flag``)."""
    return param.flag or "--" + param.name.replace("_", "-")


def option_help(param: Param) -> str:
    """The parameter's help with its declared bounds, e.g. ``only the K highest [>= 1 ...]``.

    For a terminal Typer reads help as Rich markup: the text is escaped, so ``[one of: year,
    month]`` prints; to a pipe the help is click's plain text and is left as written.
    """
    bounds = param.describe_bounds()
    text = param.help[:1].upper() + param.help[1:]
    body = f"{text} [{bounds}]." if bounds else f"{text}."
    return escape(body) if HELP_IS_RICH else body


def option(param: Param) -> inspect.Parameter:
    """The keyword parameter Typer reads as the option of ``param``.

    A ``bool`` is a flag; one that is on by default, or unset (``None``: the measure decides), is
    a pair ``--x/--no-x``. A ``list[str]`` is a repeatable option (``--x A --x B``).
    """
    name = option_name(param)
    if param.type is bool and param.default is not False:
        name = f"{name}/--no-{name.removeprefix('--')}"
    opt = typer.Option(name, help=option_help(param))
    ann: Any
    default: Any
    if param.type is bool and param.default is None:
        ann, default = Annotated[bool | None, opt], None
    elif param.type is bool:
        ann, default = Annotated[bool, opt], bool(param.default)
    elif param.required:
        ann, default = Annotated[param.type, opt], ...
    else:
        ann, default = Annotated[param.type | None, opt], param.default
    return inspect.Parameter(
        param.name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=default
    )


def measure_options(name: str) -> Callable[[F], F]:
    """Give a command the options of catalog measure ``name``; it receives ``params: dict``.

    The command declares a parameter ``params``; the decorator replaces it, in the signature
    Typer reads, by one option per catalog parameter.
    """

    def decorate(func: F) -> F:
        measure = MEASURES[name]
        HAND_WRITTEN.add(name)
        FROM_CATALOG.add(name)
        sig = inspect.signature(func)
        kept = [p for p in sig.parameters.values() if p.name != "params"]
        extra = [option(p) for p in measure.params]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs["params"] = {p.name: kwargs.pop(p.name) for p in measure.params}
            return func(*args, **kwargs)

        wrapper.__signature__ = sig.replace(parameters=kept + extra)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def renders(name: str) -> Callable[[Render], Render]:
    """Register the table (and CSV) renderer of catalog measure ``name``."""

    def decorate(fn: Render) -> Render:
        RENDERERS[name] = fn
        return fn

    return decorate


def measure_json(name: str, spec: ViewSpec, params: dict[str, Any]) -> Any:
    """The JSON result of measure ``name`` (cached), with a progress bar on stderr."""
    from civnet.cli.commands.product_cmds import measure_json as run

    return run(name, spec, **params)


def print_result(
    measure: Measure,
    data: Any,
    params: dict[str, Any],
    fmt: str,
    spec: ViewSpec,
    **extra: Any,
) -> None:
    """Print a measure's JSON result in ``fmt``: the JSON, its records as CSV, or its tables
    followed by the result's notes (:func:`print_dim`)."""
    if fmt == "json":
        write_json(data, sys.stdout)  # records held by column: a chunk at a time
        return
    render = RENDERERS.get(measure.name)
    if render is None:
        print_records(measure, data, fmt)
    else:
        render(data, params, fmt, spec, **extra)
    if fmt == "table":
        print_dim(result_notes(data))


def top_of(shown: int, total: int | None) -> str:
    """``top 3 of 16``: the rows a table shows of all there are (``total``: the full count,
    whatever ``--top`` kept in the result)."""
    return f"top {shown:,} of {total:,}" if total is not None else f"top {shown:,}"


def result_notes(data: Any) -> list[str]:
    """A JSON result's ``notes`` (none when it has none)."""
    notes = data.get("notes") if isinstance(data, dict) else None
    return [str(n) for n in notes] if isinstance(notes, list) else []


def print_records(
    measure: Measure,
    data: Any,
    fmt: str,
    *,
    title: str | None = None,
    caption: str | None = None,
    shown: int | None = None,
) -> None:
    """The measure's main table (``Measure.records``/``columns``) as CSV or a rich table
    (``shown``: a table shows only the first K records; CSV has them all)."""
    records = measure.records(data)
    if fmt != "csv" and shown is not None:
        records = records[:shown]
    columns = list(measure.columns) if measure.columns else None
    if fmt == "csv":
        print(records_csv(records, columns), end="")
        return
    emit(
        console,
        "table",
        records=records,
        columns=columns,
        title=title or measure.summary,
        caption=caption,
    )


def print_dim(notes: list[str], prefix: str = "note: ") -> None:
    """Dim lines after a table: each of ``notes`` (user text is escaped, nothing wraps)."""
    for note in notes:
        console.print(f"{prefix}{note}", style="dim", markup=False, highlight=False, soft_wrap=True)


def generated_command(measure: Measure) -> Callable[..., None]:
    """The Typer command of ``measure``: view filters, its parameters, renderer options, format."""
    render = RENDERERS.get(measure.name)
    extra = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in (list(inspect.signature(render).parameters.values())[4:] if render else [])
    ]

    def command(**kwargs: Any) -> None:
        fmt = check_format(kwargs.pop("fmt"))
        spec = kwargs.pop("spec")
        params = {p.name: kwargs.pop(p.name) for p in measure.params}
        data = measure_json(measure.name, spec, params)
        print_result(measure, data, params, fmt, spec, **kwargs)

    fmt = inspect.Parameter(
        "fmt", inspect.Parameter.KEYWORD_ONLY, annotation=Format, default="table"
    )
    spec = inspect.Parameter("spec", inspect.Parameter.KEYWORD_ONLY, annotation=ViewSpec)
    params = [spec, *(option(p) for p in measure.params), *extra, fmt]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__name__ = f"{measure.name}_cmd"
    command.__doc__ = measure.summary
    # a view filter whose option a parameter takes is not offered (recommend --country)
    flags = {option_name(p) for p in measure.params}
    taken = [name for name, flag in view_filter_flags().items() if flag in flags]
    return view_options_except(*taken)(command)


def command_group(path: list[str]) -> typer.Typer:
    """The command group at ``path`` (``["associate"]``), created without help where missing.

    A module that wants the group to have help adds it first (``app.add_typer(...)``).
    """
    group = app
    for part in path:
        found = [g.typer_instance for g in group.registered_groups if g.name == part]
        if found and found[0] is not None:
            group = found[0]
            continue
        sub = typer.Typer(no_args_is_help=True)
        group.add_typer(sub, name=part)
        group = sub
    return group


def generate_commands() -> None:
    """Add a command for every catalog measure that has no hand-written one.

    A ``command`` of several words is a sub-command: ``associate qap`` is ``qap`` in the group
    ``associate`` (:func:`command_group`).
    """
    for measure in MEASURES.values():
        if measure.name in HAND_WRITTEN:
            continue
        *path, name = measure.cli_name.split()
        group = command_group(path)
        existing = {c.name for c in group.registered_commands}
        if name in existing | {g.name for g in group.registered_groups}:
            continue  # written by hand
        group.command(name, help=measure.summary)(generated_command(measure))
        FROM_CATALOG.add(measure.name)
