"""The catalog of measures that products expose: one entry per measure, one result shape.

Each :class:`Measure` turns a view (a :class:`~civnet.views.Network`) and its own parameters into
the JSON-ready result that ``civnet <measure> --format json`` prints. Measures over several views
(timeline, compare) or with workspace-side inputs (tie sources, the scorecard config) name a
``prepare`` step that reads those inputs; the computation itself never touches the workspace.
The CLI, the JSON API (:mod:`civnet.products.server`), the dashboard and the report all call
these entries, so a number is the same whichever product shows it. A new measure plugs in with
:func:`register`: the server then gives it ``GET /api/<name>`` and a progress-reporting job,
without other changes.

The core factors are shaped here; the structure measures in
:mod:`civnet.products.structure_results`, the time and soft-power ones in
:mod:`civnet.products.time_results`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civnet.errors import BadFilter
from civnet.measures import (
    BlockDensity,
    GroupBetweenness,
    block_density,
    density,
    describe,
    group_betweenness,
)
from civnet.products import structure_results as sr
from civnet.products import time_results as tr
from civnet.products.analyze import BUDGET_DELTA, betweenness_records, budgeted_betweenness
from civnet.products.render import to_jsonable
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec, build_network
from civnet.views.network import Network

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Param:
    """One parameter of a measure, as the API and the CLI take it.

    ``required``: no default, the caller must give it. ``api``: offered as a query parameter by
    the server (``False`` for a parameter that names a file on the server's machine).
    """

    name: str
    type: type
    default: Any
    help: str
    required: bool = False
    api: bool = True


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
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    compute: Callable[..., Any]
    slow: bool = False
    prepare: Callable[..., Any] | None = None
    shape: Callable[[Any], Any] | None = None

    def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        """All parameters: given ones (``None`` = default), the rest at their defaults.

        Unknown parameters and missing required ones are refused with a one-line error.
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
        return known

    def inputs(self, ws: Workspace, spec: ViewSpec, **params: Any) -> Any:
        """What ``compute`` receives for the view ``spec``: the view, or ``prepare``'s inputs."""
        if self.prepare is None:
            return build_network(ws, spec)
        return self.prepare(ws, spec, **_named(self.prepare, self.resolve(params)))

    def result(self, inputs: Any, progress: Progress | None = None, **params: Any) -> Any:
        """The typed result of ``compute`` (what the CLI's tables are drawn from)."""
        resolved = _named(self.compute, self.resolve(params))
        return self.compute(inputs, progress or (lambda d, t: None), **resolved)

    def to_json(self, result: Any) -> Any:
        """``result`` as ``civnet <measure> --format json`` prints it (JSON-ready)."""
        return to_jsonable(self.shape(result) if self.shape else result)

    def run(self, inputs: Any, progress: Progress | None = None, **params: Any) -> Any:
        """The JSON-ready result for ``inputs`` (a view unless the measure has ``prepare``)."""
        return self.to_json(self.result(inputs, progress, **params))


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
    return describe(net)


def density_result(
    net: Network, progress: Progress, by: str | None = None, weighted: bool = False
) -> Any:
    """``civnet density [--by ATTR] [--weighted] -f json``.

    Without ``by``: ``[{"density", "nodes", "edges"}]``. With ``by``: the whole density, the
    groups, their sizes, the block matrix and the non-empty blocks as records.
    """
    whole = density(net, weighted=weighted)
    if by is None:
        return [{"density": whole, "nodes": net.graph.vcount(), "edges": net.graph.ecount()}]
    return block_density_result(whole, block_density(net, by))


def block_density_result(whole: float, bd: BlockDensity) -> dict[str, Any]:
    """The whole density, the groups, their sizes, the block matrix and the blocks as records."""
    return {
        "density": whole,
        "by": bd.attribute,
        "groups": bd.groups,
        "sizes": bd.sizes,
        "matrix": bd.matrix,
        "blocks": block_records(bd),
    }


def block_records(bd: BlockDensity) -> list[dict[str, Any]]:
    """Blocks with at least one tie, and every diagonal block, as records."""
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
        if bd.ties[i, j] > 0 or i == j
    ]


def betweenness_result(
    net: Network,
    progress: Progress,
    raw: bool = False,
    weighted: bool = False,
    top: int | None = None,
    approx: float | None = None,
    delta: float = BUDGET_DELTA,
    exact: bool = False,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """``civnet betweenness [--raw] [--weighted] [--approx EPS [--delta D]] [--exact] [--top K]
    -f json``: exact within the time budget, else the bounded approximation (each record then
    carries ``eps`` and ``delta``; ``method`` says how it was computed)."""
    b = budgeted_betweenness(
        net,
        normalized=not raw,
        weighted=weighted,
        approx=approx,
        delta=delta,
        exact=exact,
        seed=seed,
        progress=progress,
    )
    records = betweenness_records(net, b, top)
    method = "; ".join([b.method, *b.notes])
    for rec in records:
        rec["method"] = method
        if b.eps is not None:
            rec["eps"] = b.eps
            rec["delta"] = b.delta
    return records


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


register(
    Measure(
        "describe",
        "Nodes, edges, ties, density, components, isolates; counts by type, track, kind, country.",
        (),
        describe_result,
    )
)
register(
    Measure(
        "density",
        "Whole-view density; block density within and between groups with `by`.",
        (
            Param("by", str, None, "actor attribute for block density (country, type)"),
            Param("weighted", bool, False, "mean weight over possible pairs"),
        ),
        density_result,
    )
)
register(
    Measure(
        "betweenness",
        "Betweenness of every actor, highest first: exact (Brandes over biconnected blocks) "
        "within a time budget, else within a stated error (KADABRA).",
        (
            Param("raw", bool, False, "raw pair counts, not normalized"),
            Param("weighted", bool, False, "path cost 1/weight"),
            Param("top", int, None, "only the K highest"),
            Param(
                "approx",
                float,
                None,
                "approximate within EPS (0 < EPS < 1, normalized scale) with probability 1-delta",
            ),
            Param("delta", float, BUDGET_DELTA, "failure probability of --approx (0 < D < 1)"),
            Param("exact", bool, False, "exact even past the time budget"),
            Param("seed", int, 0, "seed of the approximation's sampling"),
        ),
        betweenness_result,
        slow=True,
    )
)
register(
    Measure(
        "group_betweenness",
        "Everett-Borgatti group betweenness of each group of an attribute (country).",
        (
            Param("by", str, "country", "actor attribute that forms the groups"),
            Param("raw", bool, False, "raw pair counts, not normalized"),
            Param(
                "samples",
                int,
                None,
                "estimate from K sampled sources (default: exact where groups x actors x ties "
                "<= 5e8, else 4,000), each value with its 95% interval",
            ),
            Param("seed", int, 0, "seed for the sampled sources"),
            Param("top", int, None, "only the K highest"),
            Param("exact", bool, False, "exact path counting whatever it costs"),
        ),
        group_betweenness_result,
        slow=True,
    )
)


# -- structure: brokerage, holes, E-I, communities, mixing, diversity ---------------------------

_BY = Param("by", str, "country", "actor attribute that forms the groups (country, type)")
_TOP = Param("top", int, None, "only the K first rows (see the measure)")
_WEIGHTED = Param("weighted", bool, False, "use tie weights")

register(
    Measure(
        "brokerage",
        "Gould-Fernandez brokerage roles per actor, group and network, with sna's Bernoulli null "
        "and optionally a label-permutation null.",
        (
            _BY,
            Param("per_track", bool, False, "one analysis per track with ties"),
            Param("permutations", int, 0, "also a label-permutation null with N draws"),
            Param("seed", int, 0, "seed of the permutations"),
            Param("top", int, None, "only the K actors with the most brokered pairs"),
        ),
        sr.brokerage_result,
        slow=True,
        prepare=sr.brokerage_views,
        shape=sr.BrokerageResult.json,
    )
)
register(
    Measure(
        "holes",
        "Burt's constraint, effective size and efficiency of every actor, lowest constraint first.",
        (_WEIGHTED, Param("top", int, None, "only the K lowest constraints")),
        sr.holes_result,
        shape=sr.HolesResult.json,
    )
)
register(
    Measure(
        "ei",
        "Krackhardt-Stern E-I index of the network, each group and each actor, with "
        "label-permutation p-values.",
        (
            _BY,
            Param("permutations", int, 1000, "label permutations for the p-values"),
            Param("seed", int, 0, "seed of the permutations"),
            Param("weighted", bool, False, "sum tie weights"),
            Param("top", int, None, "only the K groups and K actors with the most ties"),
        ),
        sr.ei_result,
        slow=True,
        shape=sr.EIResult.json,
    )
)
register(
    Measure(
        "communities",
        "Leiden communities (modularity) and how they cut across groups and tracks.",
        (
            Param("seed", int, 0, "seed of the Leiden algorithm"),
            Param("resolution", float, 1.0, "modularity resolution (higher: smaller)"),
            _WEIGHTED,
            _BY,
            Param("members", bool, False, "each actor's community instead"),
            Param("top", int, None, "only the K largest communities (or K members)"),
        ),
        sr.communities_result,
        slow=True,
        shape=sr.CommunitiesResult.json,
    )
)
register(
    Measure(
        "mixing",
        "Mixing matrix of an actor attribute and its assortativity (Newman).",
        (_BY,),
        sr.mixing_result,
        shape=sr.MixingResult.json,
    )
)
register(
    Measure(
        "diversity",
        "Subject and field diversification of each country's cross-border ties; multiplexity.",
        (Param("top", int, None, "only the K countries with the most cross-border ties"),),
        sr.diversity_result,
        prepare=sr.diversity_view,
        shape=sr.DiversityResult.json,
    )
)

# -- time and soft power: timeline, compare, brokers, scorecard ---------------------------------

_SEED = Param("seed", int, 0, "seed of every random draw")

register(
    Measure(
        "timeline",
        "The core factors, diversification and ties formed/ended per period, whole and per country.",
        (
            Param("every", str, "year", "year or month"),
            Param("window", int, 1, "rolling windows of K periods"),
        ),
        tr.timeline_result,
        prepare=tr.timeline_inputs,
        shape=tr.TimelineResult.json,
    )
)
register(
    Measure(
        "compare",
        "Each core factor before and after, the difference, its bootstrap CI and permutation p.",
        (
            Param("before", str, None, "first period, FROM:TO (e.g. 2016:2019)", required=True),
            Param("after", str, None, "second period, FROM:TO (e.g. 2020:2023)", required=True),
            Param("boot", int, 200, "bootstrap resamples"),
            Param("permutations", int, 200, "label permutations for the p-value"),
            Param("resample", str, "actors", "resampling unit: actors, ties or sources"),
            _SEED,
        ),
        tr.compare_result,
        slow=True,
        prepare=tr.compare_inputs,
    )
)
register(
    Measure(
        "brokers",
        "Top brokers with resampling intervals and how often each stays in the top K.",
        (
            Param("boot", int, 200, "bootstrap resamples"),
            Param("top", int, 10, "K: the top brokers followed"),
            Param("resample", str, "ties", "resampling unit: ties, actors or sources"),
            _SEED,
        ),
        tr.brokers_result,
        slow=True,
        prepare=tr.resampling_inputs,
        shape=tr.BrokersResult.json,
    )
)
register(
    Measure(
        "scorecard",
        "Four soft-power channels per country, 0-100, with bootstrap and rank intervals.",
        (
            Param("period", str, None, "FROM:TO, e.g. 2016:2019"),
            Param(
                "weights",
                Path,
                None,
                "scorecard TOML on this machine (default: the shipped one); CLI only",
                api=False,
            ),
            Param("boot", int, 200, "bootstrap resamples"),
            Param("resample", str, "actors", "resampling unit: actors, ties or sources"),
            _SEED,
        ),
        tr.scorecard_result,
        slow=True,
        prepare=tr.scorecard_inputs,
        shape=tr.ScorecardResult.json,
    )
)
