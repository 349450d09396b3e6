"""The main job: the four core factors of a view, its top brokers and block density by country."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape

from civnet.measures import betweenness, block_density, describe
from civnet.measures.betweenness_approx import exact_cost
from civnet.products.render import emit, fmt_number
from civnet.views.network import Network

Step = Callable[[str, int, int], None]


@dataclass
class Analysis:
    """What ``civnet analyze`` computed, ready to render or serialize."""

    summary: dict[str, Any]
    brokers: list[dict[str, Any]]
    blocks: dict[str, Any]
    method: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


EXACT_BUDGET_SECONDS = 60.0
"""An exact betweenness run estimated to take longer than this (:func:`exact_cost`) switches to
the bounded approximation unless the caller insists on ``exact``; the output says so."""
BUDGET_EPS = 0.01
BUDGET_DELTA = 0.1


def budgeted_betweenness(
    net: Network,
    *,
    normalized: bool = True,
    weighted: bool = False,
    samples: int | None = None,
    approx: float | None = None,
    delta: float = BUDGET_DELTA,
    exact: bool = False,
    seed: int = 0,
    budget: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Betweenness as the products compute it: exact, unless that would pass ``budget`` seconds.

    ``approx`` (or ``samples``) given: that method. ``exact``: exact whatever it costs. Otherwise
    the exact cost is estimated first; past the budget (default ``EXACT_BUDGET_SECONDS``) the result is the guaranteed
    approximation (``BUDGET_EPS``, ``delta``), and its ``notes`` say what exact would have cost
    and how to ask for it. Weighted directed views have no bounded approximation: they stay
    exact and the note states the estimate, so a long run is never silent.
    """
    kwargs: dict[str, Any] = {
        "normalized": normalized,
        "weighted": weighted,
        "seed": seed,
        "progress": progress,
    }
    if approx is not None or samples is not None or exact:
        return betweenness(net, approx=approx, delta=delta, samples=samples, **kwargs)
    budget = EXACT_BUDGET_SECONDS if budget is None else budget
    cost = exact_cost(net, weighted=weighted)
    if cost.seconds <= budget:
        return betweenness(net, **kwargs)
    over = (
        f"exact betweenness would take about {_duration(cost.seconds)} here "
        f"(estimated, {cost.threads} core(s)), over the {_duration(budget)} budget"
    )
    if weighted and net.directed:
        b = betweenness(net, **kwargs)
        b.notes.append(over + "; computed exactly (no bounded approximation for weighted directed)")
        return b
    b = betweenness(net, approx=BUDGET_EPS, delta=delta, **kwargs)
    b.notes.append(over + "; approximated instead (--exact to insist)")
    return b


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def analyze(
    net: Network,
    *,
    top: int = 10,
    countries: int = 10,
    exact: bool = False,
    seed: int = 0,
    progress: Step | None = None,
) -> Analysis:
    """Nodes, edges, density, brokers (betweenness) and block density by country for ``net``.

    Betweenness is exact unless its estimated cost passes ``EXACT_BUDGET_SECONDS``; then (unless
    ``exact``) it is the bounded approximation of :func:`budgeted_betweenness`, and the method
    says so.
    """
    say = progress or (lambda desc, done, total: None)
    t0 = time.perf_counter()
    say("describing", 0, 3)
    summary = describe(net)
    t1 = time.perf_counter()
    b = budgeted_betweenness(
        net, exact=exact, seed=seed, progress=lambda d, t: say("betweenness", d, t)
    )
    t2 = time.perf_counter()
    say("block density", 2, 3)
    brokers = betweenness_records(net, b, top)
    blocks = _country_blocks(net, countries)
    t3 = time.perf_counter()
    say("done", 3, 3)
    return Analysis(
        summary=summary,
        brokers=brokers,
        blocks=blocks,
        method={"betweenness": "; ".join([b.method + ", normalized", *b.notes])},
        seconds={"describe": t1 - t0, "betweenness": t2 - t1, "block_density": t3 - t2},
    )


EXACT_WORK_LIMIT = 150_000_000
"""Above this many source x edge steps :func:`betweenness_samples` asks for sampled sources."""


def betweenness_samples(net: Network) -> int | None:
    """Sources per large component that keep betweenness under the work limit (None: exact)."""
    g = net.graph
    if g.vcount() < 3:
        return None
    comps = g.connected_components(mode="weak")
    sizes = np.asarray(comps.sizes(), dtype=float)
    edges_per = np.zeros(len(sizes))
    if g.ecount():
        first_end = np.asarray(g.get_edgelist(), dtype=np.int64)[:, 0]
        edges_per = np.bincount(
            np.asarray(comps.membership)[first_end], minlength=len(sizes)
        ).astype(float)
    work = float(np.dot(sizes, edges_per))
    if work <= EXACT_WORK_LIMIT:
        return None
    biggest = int(np.argmax(edges_per))
    return max(500, int(EXACT_WORK_LIMIT / max(edges_per[biggest], 1)))


def _country_blocks(net: Network, countries: int) -> dict[str, Any]:
    """Block density by country, summarized for the largest countries and strongest pairs."""
    bd = block_density(net, "country")
    k = len(bd.groups)
    order = sorted(range(k), key=lambda i: (-bd.sizes[i], bd.groups[i]))[:countries]
    n_total = float(bd.sizes.sum())
    rows = []
    for i in order:
        out_ties = float(bd.ties[i].sum() - bd.ties[i, i])
        others = bd.sizes[i] * (n_total - bd.sizes[i])
        rows.append(
            {
                "country": bd.groups[i],
                "actors": int(bd.sizes[i]),
                "ties_in": int(bd.ties[i, i]),
                "dens_in": float(bd.matrix[i, i]),
                "ties_out": int(out_ties),
                "dens_out": out_ties / others if others else 0.0,
            }
        )
    pairs: list[dict[str, Any]] = []
    for i in range(k):
        for j in range(i + 1, k):
            both = bd.ties[i, j] + (bd.ties[j, i] if net.directed else 0.0)
            if both > 0:
                pair = {"pair": f"{bd.groups[i]}-{bd.groups[j]}", "ties": int(both)}
                if net.directed:
                    pair["a_to_b"] = int(bd.ties[i, j])
                    pair["b_to_a"] = int(bd.ties[j, i])
                pair["block_density"] = float(
                    both / (2 * bd.sizes[i] * bd.sizes[j]) if net.directed else bd.matrix[i, j]
                )
                pairs.append(pair)
    pairs.sort(key=lambda r: (-int(r["ties"]), str(r["pair"])))
    return {"countries": rows, "pairs": pairs[:countries], "n_groups": k}


def betweenness_records(net: Network, b: Any, top: int | None) -> list[dict[str, Any]]:
    """Records sorted by betweenness descending (ties broken by id)."""
    g = net.graph
    degree = g.degree()
    labels = net.vertex_attr("label") if "label" in g.vs.attributes() else net.ids
    types = net.vertex_attr("type") if "type" in g.vs.attributes() else [None] * g.vcount()
    countries = (
        net.vertex_attr("country") if "country" in g.vs.attributes() else [None] * g.vcount()
    )
    return [
        {
            "rank": rank + 1,
            "id": b.ids[i],
            "name": labels[i],
            "type": types[i],
            "country": countries[i],
            "degree": degree[i],
            "betweenness": float(b.values[i]),
        }
        for rank, i in enumerate(b.top(top))
    ]


def render_analysis(console: Console, a: Analysis) -> None:
    s = a.summary
    console.rule(f"[bold]civnet analyze[/] — {escape(str(s['view']))}")
    factors = [
        {"factor": "nodes (actors)", "value": s["nodes"]},
        {"factor": "edges (connected pairs)", "value": s["edges"]},
        {"factor": "ties (records)", "value": s["ties"]},
        {"factor": "density", "value": s["density"]},
        {"factor": "components", "value": s["components"]},
        {"factor": "largest component", "value": s["largest_component"]},
        {"factor": "countries", "value": s["countries"]},
        {
            "factor": "top betweenness (mediated intermediation)",
            "value": a.brokers[0]["betweenness"] if a.brokers else 0.0,
        },
    ]
    emit(console, "table", records=factors, title="The four core factors")
    per = s["periods"]
    span = (
        f"{per['first']}-{per['last']}: "
        + ", ".join(f"{k} {v:,}" for k, v in per["by_decade"].items() if k >= "1990s")
        + f"; {per['timeless']:,} undated"
        if per["dated"]
        else f"all {per['timeless']:,} ties undated"
    )
    mix = [
        {
            "what": "actor types",
            "counts": ", ".join(f"{k} {v:,}" for k, v in list(s["by_type"].items())[:8]),
        },
        {
            "what": "tracks",
            "counts": ", ".join(f"{k} {v:,}" for k, v in list(s["by_track"].items())[:9]),
        },
        {
            "what": "tie kinds",
            "counts": ", ".join(f"{k} {v:,}" for k, v in list(s["by_kind"].items())[:9]),
        },
        {"what": "periods (tie starts)", "counts": span},
    ]
    emit(console, "table", records=mix, title="Who and which fields")
    emit(
        console,
        "table",
        records=a.brokers,
        columns=["rank", "name", "type", "country", "degree", "betweenness"],
        title=f"Top {len(a.brokers)} brokers (normalized betweenness)",
        caption=a.method["betweenness"],
    )
    emit(
        console,
        "table",
        records=a.blocks["countries"],
        title=f"Density by country (largest {len(a.blocks['countries'])} of {a.blocks['n_groups']})",
        caption="in: ties and density among the country's actors; out: ties to other "
        "countries, and their density (ties / (actors x actors elsewhere))",
    )
    emit(
        console,
        "table",
        records=a.blocks["pairs"],
        title="Strongest country pairs",
        caption="block density = ties / (n_A x n_B); in a directed view arcs a->b and b->a "
        "are counted apart (an undirected tie gives one each) over 2 n_A n_B",
    )
    for note in s["notes"]:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)
    secs = ", ".join(f"{k} {fmt_number(v, 2)} s" for k, v in a.seconds.items())
    console.print(f"[dim]computed in {secs}[/]", highlight=False)
