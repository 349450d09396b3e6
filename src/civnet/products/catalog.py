"""The catalog of measures that products expose: one entry per measure, one result shape.

Each :class:`Measure` turns a view (a :class:`~civnet.views.Network`) and its own parameters into
the JSON-ready result that ``civnet <measure> --format json`` prints. The JSON API
(:mod:`civnet.products.server`), the dashboard and the report all call these functions, so a
number is the same whichever product shows it. A new measure plugs in with :func:`register`: the
server then gives it ``GET /api/<name>`` and a progress-reporting job, without other changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from civnet.measures import (
    BlockDensity,
    GroupBetweenness,
    betweenness,
    block_density,
    density,
    describe,
    group_betweenness,
)
from civnet.products.analyze import betweenness_records
from civnet.products.render import to_jsonable
from civnet.views.network import Network

Progress = Callable[[int, int], None]

GROUP_SAMPLE_ABOVE = 5000
"""Views with more actors get group betweenness from sampled sources unless ``samples`` is set."""
GROUP_DEFAULT_SAMPLES = 500


@dataclass(frozen=True)
class Param:
    """One parameter of a measure, as the API and the CLI take it."""

    name: str
    type: type
    default: Any
    help: str


@dataclass(frozen=True)
class Measure:
    """A measure as products expose it.

    ``compute(net, progress, **params)`` returns the JSON-ready result; ``progress(done, total)``
    is called as the computation advances (``slow`` measures run as jobs in the server).
    """

    name: str
    summary: str
    params: tuple[Param, ...]
    compute: Callable[..., Any]
    slow: bool = False

    def run(self, net: Network, progress: Progress | None = None, **params: Any) -> Any:
        """The result for ``net``; unknown parameters are refused, missing ones take defaults."""
        known = {p.name: p.default for p in self.params}
        extra = set(params) - set(known)
        if extra:
            from civnet.errors import BadFilter

            raise BadFilter(
                f"{self.name} takes no parameter {sorted(extra)[0]!r}",
                fix="use: " + ", ".join(known) if known else "it takes none",
            )
        known.update({k: v for k, v in params.items() if v is not None})
        return to_jsonable(self.compute(net, progress or (lambda d, t: None), **known))


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
) -> list[dict[str, Any]]:
    """``civnet betweenness [--raw] [--weighted] [--top K] -f json``."""
    b = betweenness(net, normalized=not raw, weighted=weighted, progress=progress)
    return betweenness_records(net, b, top)


def group_samples(net: Network, samples: int | None) -> int | None:
    """The sample size group betweenness uses: ``samples``, else 500 above 5,000 actors."""
    if samples is None and net.graph.vcount() > GROUP_SAMPLE_ABOVE:
        return GROUP_DEFAULT_SAMPLES
    return samples


def group_betweenness_result(
    net: Network,
    progress: Progress,
    by: str = "country",
    raw: bool = False,
    samples: int | None = None,
    seed: int = 0,
    top: int | None = None,
) -> list[dict[str, Any]]:
    """``civnet betweenness --group BY [--raw] [--samples K --seed S] [--top K] -f json``."""
    gb = group_betweenness(
        net,
        by=by,
        normalized=not raw,
        samples=group_samples(net, samples),
        seed=seed,
        progress=progress,
    )
    return group_betweenness_records(gb, top)


def group_betweenness_records(gb: GroupBetweenness, top: int | None) -> list[dict[str, Any]]:
    """Groups highest first (ties by name) with their actors, value and standard error if any."""
    records: list[dict[str, Any]] = []
    for i, (g, s, v) in enumerate(zip(gb.groups, gb.sizes, gb.values, strict=True)):
        rec: dict[str, Any] = {"group": g, "actors": s, "group_betweenness": float(v)}
        if gb.stderr is not None:
            rec["stderr"] = float(gb.stderr[i])
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
        "Betweenness (exact Brandes) of every actor, highest first.",
        (
            Param("raw", bool, False, "raw pair counts, not normalized"),
            Param("weighted", bool, False, "path cost 1/weight"),
            Param("top", int, None, "only the K highest"),
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
                "estimate from K sampled sources (default 500 above 5,000 actors)",
            ),
            Param("seed", int, 0, "seed for the sampled sources"),
            Param("top", int, None, "only the K highest"),
        ),
        group_betweenness_result,
        slow=True,
    )
)
