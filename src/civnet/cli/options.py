"""Options shared by every analysis command: the view filters and the output format."""

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from civnet.views.spec import spec_from_options

FILTERS = "View filters"

From = Annotated[
    str | None,
    typer.Option(
        "--from", help="Keep ties active on or after this year/month/date.", rich_help_panel=FILTERS
    ),
]
To = Annotated[
    str | None,
    typer.Option(
        "--to", help="Keep ties active on or before this year/month/date.", rich_help_panel=FILTERS
    ),
]
Track = Annotated[
    list[str] | None,
    typer.Option("--track", help="Keep ties of this track (repeatable).", rich_help_panel=FILTERS),
]
ActorType = Annotated[
    list[str] | None,
    typer.Option(
        "--actor-type",
        help="Keep ties between actors of these types (repeatable).",
        rich_help_panel=FILTERS,
    ),
]
ActorLevel = Annotated[
    list[str] | None,
    typer.Option(
        "--actor-level",
        help="Keep ties between actors of these levels: organisation, city, sector, country, "
        "network (repeatable).",
        rich_help_panel=FILTERS,
    ),
]
Country = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        help="Keep ties touching this country, ISO3 or name (repeatable).",
        rich_help_panel=FILTERS,
    ),
]
Kind = Annotated[
    list[str] | None,
    typer.Option("--kind", help="Keep ties of this kind (repeatable).", rich_help_panel=FILTERS),
]
Project = Annotated[
    bool,
    typer.Option(
        "--project",
        help="Turn memberships into co-membership ties between members.",
        rich_help_panel=FILTERS,
    ),
]
Level = Annotated[
    str,
    typer.Option(
        "--level",
        help="actor, or country to aggregate actors into countries.",
        rich_help_panel=FILTERS,
    ),
]
AllActors = Annotated[
    bool,
    typer.Option(
        "--all-actors",
        help="Include actors without a tie in the view (isolates).",
        rich_help_panel=FILTERS,
    ),
]
Timeless = Annotated[
    bool,
    typer.Option(
        "--include-timeless",
        help="With --from/--to, keep undated ties too.",
        rich_help_panel=FILTERS,
    ),
]
Format = Annotated[str, typer.Option("--format", "-f", help="Output: table, json or csv.")]

FORMATS = ("table", "json", "csv")


def check_format(fmt: str) -> str:
    from civnet.errors import BadFilter

    if fmt not in FORMATS:
        raise BadFilter(f"unknown --format {fmt!r}", fix=f"use one of: {', '.join(FORMATS)}")
    return fmt


_VIEW_PARAMS: list[tuple[str, Any, Any]] = [
    ("date_from", From, None),
    ("date_to", To, None),
    ("track", Track, None),
    ("actor_type", ActorType, None),
    ("country", Country, None),
    ("kind", Kind, None),
    ("project", Project, False),
    ("level", Level, "actor"),
    ("all_actors", AllActors, False),
    ("include_timeless", Timeless, False),
    ("actor_level", ActorLevel, None),
]

F = TypeVar("F", bound=Callable[..., Any])


def view_filter_flags() -> dict[str, str]:
    """Each view filter's parameter name and its option: ``{"date_from": "--from", ...}``."""
    out = {}
    for name, ann, _ in _VIEW_PARAMS:
        info = typing.get_args(ann)[1]  # typer's OptionInfo: the flag is its first declaration
        decls = [info.default, *(info.param_decls or ())]
        out[name] = next(d for d in decls if isinstance(d, str) and d.startswith("--"))
    return out


def view_options(func: F) -> F:
    """Give a command the view filters; it receives them as one validated ``spec: ViewSpec``.

    The command declares a parameter ``spec``; the decorator replaces it, in the signature Typer
    reads, by the filter options, and builds the ViewSpec from them at call time.
    """
    return _with_view_options(func, ())


def view_options_except(*skip: str) -> Callable[[F], F]:
    """:func:`view_options` without the filters named in ``skip`` (they keep their defaults),
    for a command that gives one of their flags another meaning (``recommend --country``)."""
    return lambda func: _with_view_options(func, skip)


def _with_view_options(func: F, skip: tuple[str, ...]) -> F:
    view_params = [p for p in _VIEW_PARAMS if p[0] not in skip]
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.name != "spec"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=default)
        for name, ann, default in view_params
    ]
    positional = [p for p in params if p.kind != inspect.Parameter.KEYWORD_ONLY]
    keyword = [p for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raw = {name: kwargs.pop(name) for name, _, _ in view_params}
        kwargs["spec"] = spec_from_options(**raw)
        return func(*args, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=positional + keyword + extra)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
