"""The catalog of measures that products expose: one entry per measure, one result shape.

Each :class:`Measure` turns a view (a :class:`~civnet.views.Network`) and its own parameters into
the JSON-ready result that ``civnet <measure> --format json`` prints. Measures over several views
(timeline, compare) or with workspace-side inputs (tie sources, the scorecard config) name a
``prepare`` step that reads those inputs; the computation itself never touches the workspace.
The CLI, the JSON API (:mod:`civnet.products.serving.server`), the dashboard and the report all call
these entries, so a number is the same whichever product shows it. A new measure plugs in with
:func:`register`: the server then gives it ``GET /api/<name>`` and a progress-reporting job,
without other changes.

The core factors are shaped here; the structure measures in
:mod:`civnet.products.results.structure_results`, the time and soft-power ones in
:mod:`civnet.products.results.time_results`.
"""

from __future__ import annotations

import importlib
import inspect
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civnet.errors import BadFilter
from civnet.measures.statistics.choices import EVERY, GOALS, REMOVAL_UNITS, RESAMPLE_UNITS
from civnet.products.defaults import BUDGET_DELTA, DIVERSITY_COLUMNS
from civnet.products.render import to_jsonable
from civnet.store.columnar import ColumnarRecords, plain
from civnet.vocab import RANKED_LEVELS

if TYPE_CHECKING:
    from civnet.measures import Betweenness, BlockDensity, GroupBetweenness
    from civnet.store.workspace import Workspace
    from civnet.views import ViewSpec
    from civnet.views.network import Network

Progress = Callable[[int, int], None]


SEED_MAX = 2**32 - 1
"""Largest seed: every generator civnet seeds (numpy, igraph, Python) accepts 0 .. 2**32 - 1."""
TOP_MAX = 1_000_000
DRAWS_MAX = 100_000
"""Most bootstrap resamples, permutations or sampled sources one request may ask for."""
TEXT_MAX = 64
"""Longest free-text parameter (an attribute name, a FROM:TO period)."""
PATH_MAX = 4096
RESOLUTION_MAX = 1000.0
"""Largest Leiden resolution (far above any that leaves more than singletons)."""
WINDOW_MAX = 1000
CERTIFY_TOP_MAX = 1000
"""Largest certified top of the bounded betweenness approximation: its certificate draws fresh
paths for every actor that could be in the top K (more than K), so it is meant for a few tens."""


@dataclass(frozen=True)
class Param:
    """One parameter of a measure, as the CLI, the API and the Python methods take it.

    ``required``: no default, the caller must give it. ``api``: offered as a query parameter by
    the server (``False`` for a parameter that names a file on the server's machine). ``flag``:
    the CLI option's spelling where it is not ``--name`` (``recommend``'s ``focal_country`` is
    ``--country``: that command does not offer the view filter ``--country``). A ``list[str]``
    parameter is a repeatable option in the CLI and a repeated query parameter in the API.

    Declared bounds (``None``: no bound), enforced by :meth:`check` for every face and declared
    to FastAPI (OpenAPI ``minimum``/``maximum``/``enum``/``maxLength``) by the server:
    ``ge``/``le`` inclusive minimum/maximum and ``gt`` exclusive minimum of a number (a bounded
    float is also finite); ``choices`` the allowed values of a text; ``max_length`` its longest.
    """

    name: str
    type: type
    default: Any
    help: str
    required: bool = False
    api: bool = True
    ge: float | None = None
    le: float | None = None
    gt: float | None = None
    choices: tuple[str, ...] | None = None
    max_length: int | None = None
    flag: str | None = None

    def bounds(self) -> dict[str, Any]:
        """The declared bounds as keyword arguments of FastAPI's ``Query`` (and pydantic)."""
        named = {"ge": self.ge, "le": self.le, "gt": self.gt, "max_length": self.max_length}
        return {k: v for k, v in named.items() if v is not None}

    def describe_bounds(self) -> str:
        """The bounds in words, e.g. ``>= 1 and <= 100000`` or ``one of: year, month``."""
        parts = [
            f"{op} {_number(bound)}"
            for op, bound in ((">", self.gt), (">=", self.ge), ("<=", self.le))
            if bound is not None
        ]
        if self.choices is not None:
            parts.append("one of: " + ", ".join(self.choices))
        if self.max_length is not None:
            parts.append(f"at most {self.max_length} characters")
        return " and ".join(parts)

    def check(self, value: Any, owner: str = "") -> Any:
        """``value`` if it has this parameter's type and bounds (``None`` passes), else a
        one-line :class:`~civnet.errors.BadFilter` naming the parameter and the bound."""
        if value is None:
            return value
        who = f"{owner} {self.name}" if owner else self.name
        fix = f"give {self.name} {self.describe_bounds() or 'as ' + self.type.__name__}"
        value = self._typed(value, who, fix)
        if self.type in (int, float):
            if self.type is float and not math.isfinite(value):
                raise BadFilter(f"{who} must be a finite number, got {value!r}", fix=fix)
            for bound, ok in (
                (self.ge, lambda b: value >= b),
                (self.le, lambda b: value <= b),
                (self.gt, lambda b: value > b),
            ):
                if bound is not None and not ok(bound):
                    raise BadFilter(f"{who} must be {self.describe_bounds()}, got {value!r}")
        text = ";".join(value) if isinstance(value, list) else str(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise BadFilter(
                f"{who} must be at most {self.max_length} characters, got {len(text)}", fix=fix
            )
        if self.choices is not None and text not in self.choices:
            raise BadFilter(f"{who} must be one of: {', '.join(self.choices)}; got {text!r}")
        return value

    def _typed(self, value: Any, who: str, fix: str) -> Any:
        """``value`` as this parameter's type: an int for int (never a bool), a float for float
        (an int is converted), a bool for bool, a str for str, a Path for Path."""
        t = self.type
        if typing.get_origin(t) is list:  # a repeatable text option, e.g. list[str]
            if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
                raise BadFilter(f"{who} must be a list of texts, got {value!r}", fix=fix)
            return list(value)
        if t is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if t is Path and isinstance(value, str):
            return Path(value)
        if not isinstance(value, t) or (isinstance(value, bool) and t is not bool):
            raise BadFilter(
                f"{who} must be {_TYPE_WORDS.get(t, t.__name__)}, got {value!r}", fix=fix
            )
        return value


def _number(x: float) -> str:
    """``x`` as written in a bound: ``1000000``, ``0.5``."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


_TYPE_WORDS = {int: "an integer", float: "a number", bool: "true or false", str: "a text"}


class Lazy:
    """A function of another module, imported when first called (or inspected).

    The catalog names each measure's functions this way, so that importing it (for ``civnet
    --help``, the API's schema, ``import civnet``) loads none of the measures and their libraries
    (igraph, scipy, pandas, numba). ``inspect.signature`` sees the function's own signature
    (through ``__wrapped__``).

    >>> Lazy("civnet.products.catalog", "describe_rows")({"nodes": 3, "by": {}})
    [{'measure': 'nodes', 'value': 3}]
    """

    __slots__ = ("_attr", "_fn", "_module")

    def __init__(self, module: str, attr: str) -> None:
        self._module, self._attr = module, attr
        self._fn: Callable[..., Any] | None = None

    @property
    def __wrapped__(self) -> Callable[..., Any]:
        """The function itself (imported now if it was not yet)."""
        if self._fn is None:
            obj: Any = importlib.import_module(self._module)
            for part in self._attr.split("."):
                obj = getattr(obj, part)
            self._fn = obj
        return self._fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Lazy({self._module}:{self._attr})"


_SR = "civnet.products.results.structure_results"
_TR = "civnet.products.results.time_results"
_SCR = "civnet.products.results.scenario_results"
_RR = "civnet.products.results.recommend_results"
_IR = "civnet.products.results.inference_results"
_KR = "civnet.products.results.toolkit_results"


@dataclass(frozen=True)
class Measure:
    """A measure as products expose it.

    Three steps, each a plain function:

    - ``prepare(ws, spec, **params)`` reads what the computation needs from the workspace (period
      views, tie sources, the scorecard config) and returns it; without ``prepare`` the input is
      the view ``build_network(ws, spec)``. This is the only step that does I/O.
    - ``compute(inputs, progress, **params)`` returns the measure's result (a typed object the
      CLI's tables read); ``progress(done, total)`` is called as it advances (``slow`` measures
      run as jobs in the server).
    - ``shape(result)`` turns the result into what ``civnet <measure> --format json`` prints
      (without ``shape`` the result is already that).

    ``prepare`` and ``compute`` each receive the parameters their signatures name.

    The entry also declares how its JSON reads as a table, for ``--format csv``, the CLI's tables
    and the Python API's ``to_pandas()``: ``rows(json)`` gives the main table's records (default:
    the JSON itself when it is a list of records, else one record of its scalar fields) and
    ``columns`` their columns (default: all, in the records' order). ``command`` is the CLI
    command's name (default: ``name`` with ``-`` for ``_``).

    Every JSON result carries ``notes``: what the view left out or reshaped (timeless ties left
    out of a period, a projection's hubs, domestic ties at country level), read from the inputs
    by ``notes(inputs)`` (default: the notes of the view when the inputs are one), followed by
    the measure's own (:func:`with_notes`). A result that is a list of records is given as
    ``{"records": [...], "notes": [...]}``.

    ``graph_only(params)`` is true when ``compute``, with these parameters, reads the view's
    graph and actors but never its tie table: a process that computes once (the CLI) then lets
    the table go (:meth:`light_inputs`; a million ties are about 70 MB of Arrow).

    From one entry, civnet generates the CLI command's options (:mod:`civnet.cli.generate`),
    the API endpoints with their OpenAPI bounds (:mod:`civnet.products.serving.server`) and the method
    of :class:`civnet.api.View`; every face computes through
    :func:`civnet.products.runner.run_measure`.
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    compute: Callable[..., Any]
    slow: bool = False
    prepare: Callable[..., Any] | None = None
    shape: Callable[[Any], Any] | None = None
    rows: Callable[[Any], list[dict[str, Any]]] | None = None
    columns: tuple[str, ...] | None = None
    command: str | None = None
    notes: Callable[[Any], list[str]] | None = None
    graph_only: Callable[[dict[str, Any]], bool] | None = None

    @property
    def cli_name(self) -> str:
        """The CLI command computing this measure."""
        return self.command or self.name.replace("_", "-")

    def param(self, name: str) -> Param:
        """The parameter ``name`` (a ``KeyError`` names the measure when it has none)."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def records(self, data: Any, table: str | None = None) -> list[dict[str, Any]]:
        """The JSON result ``data`` as records: the main table, or the list ``data[table]``.

        The main table is what ``--format csv`` prints and ``Result.to_pandas()`` returns.
        """
        if table is not None:
            part = data.get(table) if isinstance(data, dict) else None
            if not isinstance(part, list):
                names = [k for k, v in data.items() if isinstance(v, list)] if data else []
                raise BadFilter(
                    f"{self.name} has no table {table!r}",
                    fix="use one of: " + (", ".join(names) or "none (the main table only)"),
                )
            return part
        if isinstance(data, dict) and isinstance(data.get("records"), list | ColumnarRecords):
            return data["records"]
        if self.rows is not None:
            return self.rows(data)
        if isinstance(data, list):
            return data
        return [{k: v for k, v in data.items() if not isinstance(v, dict | list)}]

    def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        """All parameters: given ones (``None`` = default), the rest at their defaults.

        Unknown parameters, missing required ones and values of the wrong type or outside their
        declared bounds (:meth:`Param.check`) are refused with a one-line error.
        """
        known = {p.name: p.default for p in self.params}
        extra = set(params) - set(known)
        if extra:
            raise BadFilter(
                f"{self.name} takes no parameter {sorted(extra)[0]!r}",
                fix="use: " + ", ".join(known) if known else "it takes none",
            )
        known.update({k: v for k, v in params.items() if v is not None})
        for p in self.params:
            if p.required and known[p.name] is None:
                raise BadFilter(f"{self.name} needs {p.name}", fix=f"give {p.name}: {p.help}")
            known[p.name] = p.check(known[p.name], self.name)
        return known

    def inputs(self, ws: Workspace, spec: ViewSpec, **params: Any) -> Any:
        """What ``compute`` receives for the view ``spec``: the view, or ``prepare``'s inputs."""
        if self.prepare is None:
            from civnet.views.network import build_network

            return build_network(ws, spec)
        return self.prepare(ws, spec, **_named(self.prepare, self.resolve(params)))

    def light_inputs(
        self, ws: Workspace, spec: ViewSpec, *, close: bool = False, **params: Any
    ) -> Any:
        """:meth:`inputs` without what ``compute`` will not read with ``params``: where
        :attr:`graph_only` says so, a view without its tie table (``build_network(...,
        graph_only=True)``). For a caller that builds the inputs for this computation alone;
        ``close``: it is done with ``ws``, which is closed once read (a graph-only view: before
        its graph is built; otherwise after the inputs are)."""
        light = self.graph_only is not None and self.graph_only(self.resolve(params))
        if self.prepare is None and light:
            from civnet.views.network import build_network

            return build_network(ws, spec, graph_only=True, close=close)
        inputs = self.inputs(ws, spec, **params)
        if close:
            ws.close()
        return inputs

    def result(self, inputs: Any, progress: Progress | None = None, **params: Any) -> Any:
        """The typed result of ``compute`` (what the CLI's tables are drawn from)."""
        resolved = _named(self.compute, self.resolve(params))
        return self.compute(inputs, progress or (lambda d, t: None), **resolved)

    def view_notes(self, inputs: Any) -> list[str]:
        """The notes of the view(s) in ``inputs``: ``notes(inputs)``, else the view's own."""
        if self.notes is not None:
            return self.notes(inputs)
        from civnet.views.network import Network

        return notes_of(inputs) if isinstance(inputs, Network) else []

    def to_json(
        self, result: Any, notes: list[str] | None = None, *, columnar: bool = False
    ) -> Any:
        """``result`` as ``civnet <measure> --format json`` prints it (JSON-ready), with the
        view's ``notes`` (:func:`with_notes`). Records held by column
        (:class:`~civnet.store.columnar.ColumnarRecords`) become plain lists of dicts, or with
        ``columnar`` stay as they are (the CLI writes them out a chunk at a time)."""
        data = with_notes(to_jsonable(self.shape(result) if self.shape else result), notes or [])
        return data if columnar else plain(data)

    def run(
        self,
        inputs: Any,
        progress: Progress | None = None,
        *,
        columnar: bool = False,
        **params: Any,
    ) -> Any:
        """The JSON-ready result for ``inputs`` (a view unless the measure has ``prepare``);
        ``columnar``: see :meth:`to_json`."""
        return self.to_json(
            self.result(inputs, progress, **params), self.view_notes(inputs), columnar=columnar
        )


def notes_of(*nets: Network | None) -> list[str]:
    """The notes of the views ``nets``, each once, in order (``None`` is skipped)."""
    out: list[str] = []
    for net in nets:
        for note in net.notes if net is not None else []:
            if note not in out:
                out.append(note)
    return out


def with_notes(data: Any, notes: list[str]) -> Any:
    """A JSON result with its ``notes``: the view's ``notes`` first, then any the result
    already has (each once). A list of records becomes ``{"records": data, "notes": notes}``.

    >>> with_notes([{"a": 1}], ["5 timeless ties left out"])
    {'records': [{'a': 1}], 'notes': ['5 timeless ties left out']}
    >>> with_notes({"x": 1, "notes": ["own", "shared"]}, ["shared"])
    {'x': 1, 'notes': ['shared', 'own']}
    """
    if isinstance(data, list):
        return {"records": data, "notes": list(notes)}
    if not isinstance(data, dict):
        return data
    own = data.get("notes")
    if own is not None and not (isinstance(own, list) and all(isinstance(n, str) for n in own)):
        return data  # a measure's "notes" of another shape are kept as they are
    merged = list(notes)
    merged += [n for n in own or [] if n not in merged]
    return {**data, "notes": merged}


def _named(fn: Callable[..., Any], params: dict[str, Any]) -> dict[str, Any]:
    """The entries of ``params`` that ``fn``'s signature names."""
    names = inspect.signature(fn).parameters
    return {k: v for k, v in params.items() if k in names}


MEASURES: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    """Add ``measure`` to the catalog (a later entry with the same name replaces the earlier)."""
    MEASURES[measure.name] = measure
    return measure


# -- the results, shaped as the CLI prints them with --format json --------------------------------


def describe_result(net: Network, progress: Progress) -> dict[str, Any]:
    """``civnet describe -f json``."""
    from civnet.measures.structure.components import describe

    return describe(net)


def describe_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The scalar fields of ``describe`` as ``measure, value`` records."""
    return [{"measure": k, "value": v} for k, v in data.items() if not isinstance(v, dict | list)]


def density_result(
    net: Network,
    progress: Progress,
    by: str | None = None,
    weighted: bool = False,
    top: int | None = None,
) -> Any:
    """``civnet density [--by ATTR] [--weighted] [--top K] -f json``.

    Without ``by``: ``[{"density", "nodes", "edges"}]``. With ``by``: the whole density, the
    groups, their sizes, the block matrix and the non-empty blocks as records (``top``: of the K
    largest groups only; ``n_groups`` counts them all).
    """
    from civnet.measures.structure.density import block_density, density

    whole = density(net, weighted=weighted)
    if by is None:
        return [{"density": whole, "nodes": net.graph.vcount(), "edges": net.pair_count}]
    return block_density_result(whole, block_density(net, by), top)


def block_density_result(whole: float, bd: BlockDensity, top: int | None = None) -> dict[str, Any]:
    """The whole density, the groups, their sizes, the block matrix and the blocks as records.

    ``top``: only the K largest groups (ties by name), in name order.
    """
    import numpy as np

    keep = list(range(len(bd.groups)))
    if top is not None:
        keep = sorted(sorted(keep, key=lambda i: (-bd.sizes[i], bd.groups[i]))[:top])
    return {
        "density": whole,
        "by": bd.attribute,
        "n_groups": len(bd.groups),
        "groups": [bd.groups[i] for i in keep],
        "sizes": bd.sizes[keep],
        "matrix": bd.matrix[np.ix_(keep, keep)],
        "blocks": block_records(bd, keep),
    }


def block_records(bd: BlockDensity, keep: list[int] | None = None) -> list[dict[str, Any]]:
    """Blocks with at least one tie, and every diagonal block, as records (of groups ``keep``)."""
    shown = set(range(len(bd.groups)) if keep is None else keep)
    return [
        {
            "from": a,
            "to": b,
            "density": float(bd.matrix[i, j]),
            "ties": int(bd.ties[i, j]),
            "size_from": int(bd.sizes[i]),
            "size_to": int(bd.sizes[j]),
        }
        for i, a in enumerate(bd.groups)
        for j, b in enumerate(bd.groups)
        if (bd.ties[i, j] > 0 or i == j) and i in shown and j in shown
    ]


def betweenness_result(
    net: Network,
    progress: Progress,
    raw: bool = False,
    weighted: bool = False,
    top: int | None = None,
    rank_all: bool = False,
    approx: float | None = None,
    delta: float = BUDGET_DELTA,
    exact: bool = False,
    seed: int = 0,
    samples: int | None = None,
    dask: str | None = None,
    group: str | None = None,
    boot: int | None = None,
    certify_top: int = 0,
) -> dict[str, Any] | list[dict[str, Any]]:
    """``civnet betweenness [--raw] [--weighted] [--top K] [--rank-all] [--approx EPS [--delta D]
    [--certify-top K]] [--samples K] [--exact] [--seed S] [--dask ADDRESS|local:N] -f json``, or with
    ``--group BY`` group betweenness, or with ``--boot N`` the brokers' resampling ranges.

    Actors: exact (Brandes) within the time budget, else the bounded approximation; ``approx``
    asks for it (within ``eps`` with probability ``1 - delta``), ``samples`` for an estimate from
    K sampled source actors, ``dask`` for exact with the sources split over a Dask cluster (each
    record of an estimate carries ``method``, and of an approximation ``eps``, ``delta`` and
    ``samples``). Ranked among organisations and cities unless ``rank_all``: aggregates stay in
    the network and carry paths; ``left_out`` counts them by level and ``n_ranked`` counts the
    actors ranked (all of them, whatever ``top``).

    ``certify_top`` (K > 0, with ``approx`` only): the approximation also tells whether its
    first K are the true top K of the actors ranked (organisations and cities unless
    ``rank_all``; ``delta`` split in halves between the estimate and the certificate; the ``method`` says "certified" or "not certified",
    :func:`civnet.measures.intermediation.betweenness_approx.approx_betweenness`). Without
    ``approx`` it is refused in one line, whatever the time budget would choose: an exact
    ranking needs no certificate, and the same request never succeeds on one machine and fails
    on another.

    ``group``: exactly :func:`group_betweenness_result` (``by=group``, with ``raw``,
    ``samples``, ``seed``, ``exact``, ``top``). ``boot``: exactly ``civnet brokers`` with tie
    resamples (:func:`civnet.products.results.time_results.brokers_result`, the top ``top`` or 10). A
    parameter that the chosen computation would ignore is refused (one line), never dropped.
    """
    from civnet.products.analyze import budgeted_betweenness

    given = {
        "weighted": weighted,
        "rank_all": rank_all,
        "approx": approx is not None,
        "delta": delta != BUDGET_DELTA,
        "exact": exact,
        "samples": samples is not None,
        "dask": dask is not None,
        "raw": raw,
        "certify_top": certify_top > 0,
    }
    if boot is not None:
        _refuse_with("boot", given, allowed=("rank_all",))
        from civnet.products.results import time_results as tr

        inputs = tr.ViewInputs(net, None)
        return tr.brokers_result(
            inputs, progress, boot=boot, top=top or 10, seed=seed, rank_all=rank_all
        ).json()
    if group is not None:
        _refuse_with("group", given, allowed=("raw", "samples", "exact"))
        return group_betweenness_result(
            net, progress, by=group, raw=raw, samples=samples, seed=seed, top=top, exact=exact
        )
    if dask is not None:
        _refuse_with("dask", given, allowed=("raw", "weighted", "rank_all", "exact"))
    if samples is not None:
        _refuse_with("samples", given, allowed=("raw", "weighted", "rank_all"))
    if approx is not None:
        _refuse_with(
            "approx", given, allowed=("raw", "weighted", "rank_all", "delta", "certify_top")
        )
    elif certify_top:
        raise BadFilter(
            "betweenness certify_top needs approx: it certifies the top K of the bounded "
            "approximation (an exact ranking needs no certificate)",
            fix="add --approx EPS (e.g. --approx 0.01), or drop --certify-top",
        )
    if dask:
        from civnet.measures.intermediation.betweenness_dask import dask_betweenness

        b = dask_betweenness(net, dask, normalized=not raw, weighted=weighted, progress=progress)
    else:
        b = budgeted_betweenness(
            net,
            normalized=not raw,
            weighted=weighted,
            samples=samples,
            approx=approx,
            delta=delta,
            exact=exact,
            seed=seed,
            progress=progress,
            certify_top=certify_top,
            # the top certified is the listed one: among organisations and cities unless
            # rank_all (aggregates stay in the view's paths either way)
            certify_among=net.ranked(RANKED_LEVELS) if certify_top and not rank_all else None,
        )
    return betweenness_json(net, b, top, rank_all)


def _refuse_with(name: str, given: dict[str, bool], allowed: tuple[str, ...]) -> None:
    """A one-line error when a parameter outside ``allowed`` is ``given`` together with
    betweenness ``name``, whose computation would not use it."""
    unused = [k for k, on in given.items() if on and k != name and k not in allowed]
    if unused:
        raise BadFilter(
            f"betweenness {name} does not take {unused[0]}",
            fix=f"with {name} give only: {', '.join(('top', 'seed', *allowed))}",
        )


def betweenness_json(
    net: Network, b: Betweenness, top: int | None, rank_all: bool = False
) -> dict[str, Any]:
    """``records`` (:func:`stated_betweenness_columns`: by column; a measure's JSON makes them
    plain, :meth:`Measure.to_json`), ``n_ranked`` (actors ranked, all of them) and ``left_out``
    (aggregates left out of the ranking, by level; empty with ``rank_all``)."""
    from civnet.products.analyze import left_out_of_ranking

    levels = None if rank_all else RANKED_LEVELS
    return {
        "records": stated_betweenness_columns(net, b, top, levels),
        "n_ranked": int(sum(net.ranked(levels))),
        "left_out": left_out_of_ranking(net, levels),
    }


def stated_betweenness_records(
    net: Network, b: Betweenness, top: int | None, levels: Any = RANKED_LEVELS
) -> list[dict[str, Any]]:
    """Betweenness records; those of an estimate (or of a run past the time budget) also say
    how they were computed (``method``) and, for an approximation, its bound: within ``eps``
    with probability at least ``1 - delta``, from ``samples`` samples."""
    return stated_betweenness_columns(net, b, top, levels).to_list()


def stated_betweenness_columns(
    net: Network, b: Betweenness, top: int | None, levels: Any = RANKED_LEVELS
) -> ColumnarRecords:
    """:func:`stated_betweenness_records` held by column (the method and bound are constant
    columns)."""
    from civnet.products.analyze import betweenness_columns

    records = betweenness_columns(net, b, top, levels=levels)
    if b.method.startswith("exact") and not b.notes:
        return records
    stated: dict[str, Any] = {"method": "; ".join([b.method, *b.notes])}
    if b.eps is not None:
        stated |= {"eps": b.eps, "delta": b.delta, "samples": b.n_samples}
    return records.with_consts(to_jsonable(stated))


def group_betweenness_result(
    net: Network,
    progress: Progress,
    by: str = "country",
    raw: bool = False,
    samples: int | None = None,
    seed: int = 0,
    top: int | None = None,
    exact: bool = False,
) -> list[dict[str, Any]]:
    """``civnet betweenness --group BY [--raw] [--samples K --seed S] [--exact] [--top K] -f json``:
    exact where it fits, else sampled with a 95% interval (``ci95``) on each value."""
    from civnet.measures.intermediation.group_betweenness import group_betweenness

    gb = group_betweenness(
        net,
        by=by,
        normalized=not raw,
        samples=samples,
        exact=exact,
        seed=seed,
        progress=progress,
    )
    return group_betweenness_records(gb, top)


def group_betweenness_records(gb: GroupBetweenness, top: int | None) -> list[dict[str, Any]]:
    """Groups highest first (ties by name) with their actors, value and standard error if any."""
    records: list[dict[str, Any]] = []
    for i, (g, s, v) in enumerate(zip(gb.groups, gb.sizes, gb.values, strict=True)):
        rec: dict[str, Any] = {"group": g, "actors": s, "group_betweenness": float(v)}
        if gb.stderr is not None and gb.ci95 is not None:
            rec["stderr"] = float(gb.stderr[i])
            rec["ci95"] = float(gb.ci95[i])
        records.append(rec)
    records.sort(key=lambda r: (-r["group_betweenness"], r["group"]))
    return records[:top] if top else records


def top_param(
    help: str = "only the K first rows (see the measure)", default: int | None = None
) -> Param:
    """``top``: the K first rows of the result, 1 .. 1,000,000 (``None``: all)."""
    return Param("top", int, default, help, ge=1, le=TOP_MAX)


def rank_all_param() -> Param:
    """``rank_all``: rank aggregates (sector, country, network actors) too; default organisations
    and cities (:data:`civnet.vocab.RANKED_LEVELS`)."""
    return Param(
        "rank_all",
        bool,
        False,
        "rank sector, country and network aggregates too (default: organisations and cities)",
    )


def seed_param(help: str = "seed of every random draw") -> Param:
    """``seed`` of a random procedure, 0 .. 2**32 - 1."""
    return Param("seed", int, 0, help, ge=0, le=SEED_MAX)


def by_param(default: str | None = "country", help: str | None = None) -> Param:
    """``by``: the actor attribute that forms the groups (the measure checks it names one)."""
    return Param(
        "by",
        str,
        default,
        help or "actor attribute that forms the groups (country, type)",
        max_length=TEXT_MAX,
    )


def boot_param(default: int = 200) -> Param:
    """``boot``: bootstrap resamples, 1 .. 100,000."""
    return Param("boot", int, default, "bootstrap resamples", ge=1, le=DRAWS_MAX)


def resample_param(default: str, help: str) -> Param:
    """``resample``: the resampling unit, one of :data:`~civnet.measures.RESAMPLE_UNITS`."""
    return Param("resample", str, default, help, choices=RESAMPLE_UNITS)


def period_param(name: str, help: str, *, required: bool = False) -> Param:
    """A ``FROM:TO`` period (text, at most 64 characters; the measure parses it)."""
    return Param(name, str, None, help, required=required, max_length=TEXT_MAX)


_WEIGHTED = Param("weighted", bool, False, "use tie weights")
_RAW = Param("raw", bool, False, "raw pair counts, not normalized")


register(
    Measure(
        "describe",
        "Nodes, edges, ties, density, components, isolates; counts by type, track, kind, country.",
        (),
        describe_result,
        rows=describe_rows,
        columns=("measure", "value"),
    )
)
register(
    Measure(
        "density",
        "Whole-view density; block density within and between groups with `by`.",
        (
            by_param(None, "actor attribute for block density (country, type)"),
            Param("weighted", bool, False, "mean weight over possible pairs"),
            top_param("with by: only the K largest groups"),
        ),
        density_result,
        rows=lambda data: data if isinstance(data, list) else data["blocks"],
    )
)
register(
    Measure(
        "betweenness",
        "Betweenness of every actor, highest first: exact (Brandes over biconnected blocks) "
        "within a time budget, else within a stated error (KADABRA); or group betweenness "
        "(group), or the top brokers' resampling ranges (boot).",
        (
            _RAW,
            Param("weighted", bool, False, "path cost 1/weight"),
            top_param("only the K highest"),
            rank_all_param(),
            Param(
                "approx",
                float,
                None,
                "approximate within EPS (normalized scale) with probability 1-delta",
                gt=0.0,
                le=0.5,
            ),
            Param("delta", float, BUDGET_DELTA, "failure probability of approx", gt=0.0, le=0.5),
            Param(
                "exact",
                bool,
                False,
                "exact even past the time budget (which otherwise switches to approx 0.01 and "
                "says so)",
            ),
            seed_param("seed of samples, approx and boot"),
            Param(
                "samples",
                int,
                None,
                "estimate from K sampled source actors (seeded), no stated bound; with group: "
                "K sampled sources with a 95% interval",
                ge=1,
                le=DRAWS_MAX,
            ),
            Param(
                "dask",
                str,
                None,
                "exact, sources split over a Dask cluster: scheduler address or local:N",
                api=False,
                max_length=TEXT_MAX * 4,
            ),
            Param(
                "group",
                str,
                None,
                "group betweenness of each group of this actor attribute (country) instead",
                max_length=TEXT_MAX,
            ),
            Param(
                "boot",
                int,
                None,
                "N tie resamples: each top broker's range and share of resamples in the top K "
                "(as brokers)",
                ge=1,
                le=DRAWS_MAX,
            ),
            Param(
                "certify_top",
                int,
                0,
                "with approx: also tell whether the first K are the true top K (delta split in "
                "halves; the method says certified or not certified); 0: off",
                ge=0,
                le=CERTIFY_TOP_MAX,
            ),
        ),
        betweenness_result,
        slow=True,
        graph_only=lambda p: p["boot"] is None,  # the brokers' resampling draws ties
    )
)
register(
    Measure(
        "group_betweenness",
        "Everett-Borgatti group betweenness of each group of an attribute (country).",
        (
            by_param(),
            _RAW,
            Param(
                "samples",
                int,
                None,
                "estimate from K sampled sources (default: exact where groups x actors x ties "
                "<= 5e8, else 4,000), each value with its 95% interval",
                ge=1,
                le=DRAWS_MAX,
            ),
            seed_param("seed for the sampled sources"),
            top_param("only the K highest"),
            Param("exact", bool, False, "exact path counting whatever it costs"),
        ),
        group_betweenness_result,
        slow=True,
    )
)


# -- structure: brokerage, holes, E-I, communities, mixing, diversity ---------------------------

_BY = by_param()


def _permutations(default: int, help: str, ge: int = 0) -> Param:
    return Param("permutations", int, default, help, ge=ge, le=DRAWS_MAX)


register(
    Measure(
        "brokerage",
        "Gould-Fernandez brokerage roles per actor, group and network, with sna's Bernoulli null "
        "and optionally a label-permutation null.",
        (
            _BY,
            Param("per_track", bool, False, "one analysis per track with ties"),
            _permutations(0, "also a label-permutation null with N draws"),
            seed_param("seed of the permutations"),
            top_param("only the K actors with the most brokered pairs"),
        ),
        Lazy(_SR, "brokerage_result"),
        slow=True,
        prepare=Lazy(_SR, "brokerage_views"),
        shape=Lazy(_SR, "BrokerageResult.json"),
        notes=lambda runs: notes_of(*(run.net for run in runs)),
    )
)
register(
    Measure(
        "holes",
        "Burt's constraint, effective size and efficiency of every actor, lowest constraint first.",
        (_WEIGHTED, top_param("only the K lowest constraints")),
        Lazy(_SR, "holes_result"),
        shape=Lazy(_SR, "HolesResult.json"),
    )
)
register(
    Measure(
        "ei",
        "Krackhardt-Stern E-I index of the network, each group and each actor, with "
        "label-permutation p-values.",
        (
            _BY,
            _permutations(1000, "label permutations for the p-values"),
            seed_param("seed of the permutations"),
            Param("weighted", bool, False, "sum tie weights"),
            top_param("only the K groups and K actors with the most ties"),
        ),
        Lazy(_SR, "ei_result"),
        slow=True,
        shape=Lazy(_SR, "EIResult.json"),
    )
)
register(
    Measure(
        "communities",
        "Leiden communities (modularity) and how they cut across groups and tracks.",
        (
            seed_param("seed of the Leiden algorithm"),
            Param(
                "resolution",
                float,
                1.0,
                "modularity resolution (higher: smaller)",
                gt=0,
                le=RESOLUTION_MAX,
            ),
            _WEIGHTED,
            _BY,
            Param("members", bool, False, "each actor's community instead"),
            top_param("only the K largest communities (or K members)"),
        ),
        Lazy(_SR, "communities_result"),
        slow=True,
        shape=Lazy(_SR, "CommunitiesResult.json"),
        rows=lambda data: data if isinstance(data, list) else data["communities"],
    )
)
register(
    Measure(
        "mixing",
        "Mixing matrix of an actor attribute and its assortativity (Newman).",
        (_BY, top_param("only the K groups with the most arcs in the matrix")),
        Lazy(_SR, "mixing_result"),
        shape=Lazy(_SR, "MixingResult.json"),
        rows=Lazy(_SR, "mixing_cells"),
    )
)
register(
    Measure(
        "diversity",
        "Subject and field diversification of each country's cross-border ties; multiplexity.",
        (top_param("only the K countries with the most cross-border ties"),),
        Lazy(_SR, "diversity_result"),
        prepare=Lazy(_SR, "diversity_view"),
        shape=Lazy(_SR, "DiversityResult.json"),
        notes=lambda inputs: notes_of(inputs.net),
        rows=lambda data: data["countries"],
        columns=tuple(DIVERSITY_COLUMNS),
    )
)

# -- time and soft power: timeline, compare, brokers, scorecard ---------------------------------

_SEED = seed_param()

register(
    Measure(
        "timeline",
        "The core factors, diversification and ties formed/ended per period, whole and per country.",
        (
            Param("every", str, "year", "year or month", choices=EVERY),
            Param("window", int, 1, "rolling windows of K periods", ge=1, le=WINDOW_MAX),
        ),
        Lazy(_TR, "timeline_result"),
        prepare=Lazy(_TR, "timeline_inputs"),
        shape=Lazy(_TR, "TimelineResult.json"),
        notes=lambda inputs: notes_of(*(net for _, net in inputs.views)),
        rows=lambda data: data["periods"],
    )
)
register(
    Measure(
        "compare",
        "Each core factor before and after, the difference, its median-centred bootstrap CI, "
        "permutation p and verdict, with coverage notices.",
        (
            period_param("before", "first period, FROM:TO (e.g. 2016:2019)", required=True),
            period_param("after", "second period, FROM:TO (e.g. 2020:2023)", required=True),
            boot_param(),
            _permutations(200, "label permutations for the p-value", ge=1),
            resample_param("actors", "resampling unit: actors, ties or sources"),
            _SEED,
            Param(
                "common_coverage",
                bool,
                False,
                "keep only sources whose coverage holds both periods (default: all, with notices)",
            ),
        ),
        Lazy(_TR, "compare_result"),
        slow=True,
        prepare=Lazy(_TR, "compare_inputs"),
        shape=Lazy(_TR, "CompareResult.json"),
        notes=lambda inputs: notes_of(inputs.before, inputs.after),
        rows=lambda data: data["measures"],
    )
)
register(
    Measure(
        "brokers",
        "Top brokers with resampling intervals and how often each stays in the top K.",
        (
            boot_param(),
            top_param("K: the top brokers followed", default=10),
            resample_param("ties", "resampling unit: ties, actors or sources"),
            _SEED,
            rank_all_param(),
        ),
        Lazy(_TR, "brokers_result"),
        slow=True,
        prepare=Lazy(_TR, "resampling_inputs"),
        shape=Lazy(_TR, "BrokersResult.json"),
        notes=lambda inputs: notes_of(inputs.net),
    )
)
register(
    Measure(
        "scorecard",
        "Four soft-power channels per country, 0-100, with bootstrap and rank intervals.",
        (
            period_param("period", "FROM:TO, e.g. 2016:2019"),
            Param(
                "weights",
                Path,
                None,
                "scorecard TOML on this machine (default: the shipped one); CLI only",
                api=False,
                max_length=PATH_MAX,
            ),
            boot_param(),
            resample_param("actors", "resampling unit: actors, ties or sources"),
            _SEED,
            Param(
                "min_ties",
                int,
                None,
                "a country whose channel rests on fewer tie records is low-support and unranked "
                "on it (default: the config's validity.min_ties, 5)",
                ge=0,
                le=DRAWS_MAX,
            ),
            top_param("only the K best-ranked countries"),
        ),
        Lazy(_TR, "scorecard_result"),
        slow=True,
        prepare=Lazy(_TR, "scorecard_inputs"),
        shape=Lazy(_TR, "ScorecardResult.json"),
        notes=lambda inputs: notes_of(inputs.net),
        rows=lambda data: data["countries"],
    )
)

# -- scenarios: what if, who holds it together, which partnerships --------------------------------


def _text_list(name: str, help: str) -> Param:
    """A repeatable text parameter (ids, types, countries...), at most 4096 characters in all."""
    return Param(name, list[str], None, help, max_length=PATH_MAX)


register(
    Measure(
        "whatif",
        "A scenario's effect: remove actors, types, countries or levels, drop tracks or kinds, add "
        "ties; before, after and difference of the core factors, reach, brokers, brokerage, E-I "
        "and scorecard; or rank removals by the reach they cut. The workspace is not modified.",
        (
            _text_list("remove_actor", "actor ids to remove (repeatable)"),
            _text_list("remove_type", "actor types to remove (repeatable)"),
            _text_list("remove_country", "countries (ISO3) whose actors go (repeatable)"),
            _text_list("remove_level", "actor levels to remove (repeatable)"),
            _text_list("drop_track", "tracks whose ties stop (repeatable)"),
            _text_list("drop_kind", "tie kinds that stop (repeatable)"),
            Param(
                "add_ties",
                Path,
                None,
                "tie table on this machine (import table columns) to add; CLI only",
                api=False,
                max_length=PATH_MAX,
            ),
            top_param("brokers shown before and after", default=10),
            Param(
                "boot",
                int,
                None,
                "bootstrap resamples (default 200, none on views too large; 0: none)",
                ge=0,
                le=DRAWS_MAX,
            ),
            resample_param("actors", "resampling unit: actors, ties or sources"),
            _SEED,
            Param(
                "rank_removals",
                int,
                0,
                "K > 0: rank the removals of the top K brokers (or each country or alliance)",
                ge=0,
                le=TOP_MAX,
            ),
            Param(
                "removal_unit",
                str,
                "brokers",
                "what rank_removals removes one at a time",
                choices=REMOVAL_UNITS,
            ),
            Param(
                "with_scorecard",
                bool,
                None,
                "include the scorecard (default: yes, except on views too large for exact "
                "betweenness)",
                flag="--scorecard",
            ),
        ),
        Lazy(_SCR, "whatif_result"),
        slow=True,
        prepare=Lazy(_SCR, "whatif_inputs"),
        shape=Lazy(_SCR, "WhatifResult.json"),
        notes=lambda inputs: notes_of(inputs.net),
        rows=Lazy(_SCR, "whatif_rows"),
    )
)
register(
    Measure(
        "recommend",
        "New ties for an actor or a country ranked by their exact gain in reach, betweenness or "
        "brokerage; greedy selection of k ties with each step's gain and what it bridges.",
        (
            Param(
                "actor", str, None, "the actor that would make the ties (id)", max_length=PATH_MAX
            ),
            Param(
                "focal_country",
                str,
                None,
                "or the country whose actors are the focal (ISO3); the view is not filtered",
                max_length=TEXT_MAX,
                flag="--country",
            ),
            Param("goal", str, "reach", "what a new tie should increase", choices=GOALS),
            Param("k", int, 10, "ties to suggest (greedy)", ge=1, le=1000),
            Param(
                "candidates",
                str,
                None,
                "restrict the partners: type=university,cso,country=DEU",
                max_length=PATH_MAX,
            ),
            Param(
                "pool",
                int,
                200,
                "betweenness and brokerage: candidates evaluated exactly at most",
                ge=1,
                le=DRAWS_MAX,
            ),
        ),
        Lazy(_RR, "recommend_result"),
        slow=True,
        shape=Lazy(_RR, "RecommendResult.json"),
        rows=lambda data: data["suggestions"],
    )
)

# -- inference: association between layers, panels, policy simulation ---------------------------

LAYERS_MAX = 8 * 501
"""Longest text of ';'-separated layers (at most 8 layers of 500 characters each)."""


def _layer(name: str, help: str, *, required: bool = False, many: bool = False) -> Param:
    """A layer (text), or with ``many`` repeatable layers (each may also hold ';'-separated ones)."""
    if many:
        return Param(name, list[str], None, help, max_length=LAYERS_MAX)
    return Param(name, str, None, help, required=required, max_length=500)


_Y = _layer("y", "outcome layer, e.g. 'sister:kind=sister_city'", required=True)
_X = _layer("x", "predictor layer (repeatable), e.g. 'students:source=student-flows'", many=True)
_DYADS = Param(
    "dyads",
    Path,
    None,
    "dyadic file on this machine (origin,destination[,year],value) as a predictor; CLI only",
    api=False,
    max_length=PATH_MAX,
)
_TRANSFORM = Param(
    "transform",
    str,
    "log1p",
    "predictor layers as log1p (log(1 + value)) or none",
    choices=("log1p", "none"),
)

register(
    Measure(
        "qap",
        "QAP correlation and MRQAP (double semi-partialling) between country-level tie layers.",
        (
            _Y,
            _X,
            _DYADS,
            _permutations(1000, "QAP permutations (exact enumeration when n! <= N)", ge=1),
            seed_param("seed of the permutations"),
        ),
        Lazy(_IR, "qap_result"),
        slow=True,
        command="associate qap",
        prepare=Lazy(_IR, "dyadic_inputs"),
        rows=Lazy(_IR, "qap_rows"),
    )
)
register(
    Measure(
        "gravity",
        "PPML gravity model of a layer with origin and destination fixed effects.",
        (
            _Y,
            _X,
            _DYADS,
            Param("distance", bool, True, "log great-circle distance between countries"),
            _TRANSFORM,
        ),
        Lazy(_IR, "gravity_result"),
        slow=True,
        command="associate gravity",
        prepare=Lazy(_IR, "dyadic_inputs"),
        rows=lambda data: data["coefficients"],
    )
)
register(
    Measure(
        "panel",
        "Country-year FE Poisson of a layer on lagged layers, with a lead placebo; or a break test.",
        (
            _layer("outcome", "outcome layer (one)", required=True),
            _layer("predictor", "predictor layer (repeatable)", many=True),
            Param(
                "focus",
                str,
                None,
                "country whose partners are the units (e.g. CHN)",
                max_length=TEXT_MAX,
            ),
            Param("lags", str, "1", "lags in years, e.g. 1,2 (each 0 to 10)", max_length=TEXT_MAX),
            Param("placebo", bool, True, "also fit leads instead of lags (placebo)"),
            _TRANSFORM,
            Param(
                "break_year",
                int,
                None,
                "test a level break in the outcome from this year",
                ge=1,
                le=9999,
                flag="--break",
            ),
            Param(
                "unit",
                str,
                None,
                "with a break year: one unit's series (else all summed)",
                max_length=TEXT_MAX,
            ),
        ),
        Lazy(_IR, "panel_result"),
        slow=True,
        prepare=Lazy(_IR, "panel_inputs"),
        rows=Lazy(_IR, "panel_rows"),
    )
)
register(
    Measure(
        "simulate",
        "Tie formation model of a layer with a state-support term, simulated under a policy.",
        (
            _layer(
                "layer",
                "the civil layer modelled, e.g. 'students:source=student-flows'",
                required=True,
            ),
            _layer(
                "support_layer",
                "the state-support layer, e.g. 'visits:track=governance'",
                required=True,
            ),
            Param(
                "focus",
                str,
                None,
                "the country whose support changes (ISO3)",
                required=True,
                max_length=TEXT_MAX,
                flag="--country",
            ),
            Param(
                "support",
                float,
                1.0,
                "multiplier of the country's support effect (1 = as estimated)",
                ge=0,
                le=100,
            ),
            Param("years", int, 5, "years projected", ge=1, le=20),
            Param("runs", int, 100, "simulation runs", ge=1, le=2000),
            seed_param("seed of the simulation"),
            Param("horizon", int, 3, "years held out by the back-test", ge=1, le=10),
        ),
        Lazy(_IR, "simulate_result"),
        slow=True,
        command="simulate policy",
        prepare=Lazy(_IR, "simulate_inputs"),
        rows=lambda data: data["projection"],
    )
)

# -- the standard toolkit: degree, closeness, eigenvector, PageRank, k-core, ego density --------

_RANK_TOP = top_param("only the K highest")

register(
    Measure(
        "degree",
        "Partners of every actor (in/out partners in a directed view), tie records and strength.",
        (_RANK_TOP,),
        Lazy(_KR, "degree_result"),
        shape=Lazy(_KR, "Ranking.json"),
    )
)
register(
    Measure(
        "closeness",
        "Harmonic closeness of every actor (mean inverse distance; defined on disconnected views).",
        (_RANK_TOP,),
        Lazy(_KR, "closeness_result"),
        shape=Lazy(_KR, "Ranking.json"),
    )
)
register(
    Measure(
        "eigenvector",
        "Eigenvector centrality (most central = 1) within the largest (strongly) connected component.",
        (Param("weighted", bool, False, "use tie weights"), _RANK_TOP),
        Lazy(_KR, "eigenvector_result"),
        shape=Lazy(_KR, "Ranking.json"),
    )
)
register(
    Measure(
        "pagerank",
        "PageRank of every actor (sums to 1).",
        (
            Param("damping", float, 0.85, "damping factor", ge=0.0, le=0.99),
            Param("weighted", bool, False, "use tie weights"),
            _RANK_TOP,
        ),
        Lazy(_KR, "pagerank_result"),
        shape=Lazy(_KR, "Ranking.json"),
    )
)
register(
    Measure(
        "kcore",
        "Core number of every actor (largest k with a k-core containing it), partners counted once.",
        (_RANK_TOP,),
        Lazy(_KR, "kcore_result"),
        shape=Lazy(_KR, "Ranking.json"),
    )
)
register(
    Measure(
        "ego_density",
        "Ego-network density (ties among an actor's partners), per actor or averaged per group.",
        (
            by_param(None, "summarize per group: country, continent, region, type"),
            top_param("only the K first rows"),
        ),
        Lazy(_KR, "ego_density_result"),
        shape=lambda r: r.json(),
    )
)
