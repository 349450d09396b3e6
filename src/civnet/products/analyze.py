"""The main job: the four core factors of a view, its top brokers and block density by country."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.console import Console

from civnet.measures import betweenness, block_density, describe
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


def analyze(
    net: Network, *, top: int = 10, countries: int = 10, progress: Step | None = None
) -> Analysis:
    """Nodes, edges, density, brokers (betweenness) and block density by country for ``net``."""
    say = progress or (lambda desc, done, total: None)
    t0 = time.perf_counter()
    say("describing", 0, 3)
    summary = describe(net)
    t1 = time.perf_counter()
    b = betweenness(net, progress=lambda d, t: say("betweenness", d, t))
    t2 = time.perf_counter()
    say("block density", 2, 3)
    brokers = betweenness_records(net, b, top)
    bd = block_density(net, "country")
    order = sorted(range(len(bd.groups)), key=lambda i: (-bd.sizes[i], bd.groups[i]))[:countries]
    blocks = {
        "groups": [bd.groups[i] for i in order],
        "sizes": [int(bd.sizes[i]) for i in order],
        "matrix": bd.matrix[np.ix_(order, order)],
        "ties": bd.ties[np.ix_(order, order)],
        "n_groups": len(bd.groups),
    }
    t3 = time.perf_counter()
    say("done", 3, 3)
    return Analysis(
        summary=summary,
        brokers=brokers,
        blocks=blocks,
        method={"betweenness": b.method + ", normalized"},
        seconds={"describe": t1 - t0, "betweenness": t2 - t1, "block_density": t3 - t2},
    )


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
    console.rule(f"[bold]civnet analyze[/] — {s['view']}")
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
    mix = [
        {
            "actor types": ", ".join(f"{k} {v:,}" for k, v in list(s["by_type"].items())[:6]),
            "tracks": ", ".join(f"{k} {v:,}" for k, v in list(s["by_track"].items())[:6]),
            "kinds": ", ".join(f"{k} {v:,}" for k, v in list(s["by_kind"].items())[:6]),
        }
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
    rows = []
    g, m = a.blocks["groups"], a.blocks["matrix"]
    for i, gi in enumerate(g):
        row: dict[str, Any] = {"country (actors)": f"{gi} ({a.blocks['sizes'][i]:,})"}
        for j, gj in enumerate(g):
            row[gj] = float(m[i, j])
        rows.append(row)
    emit(
        console,
        "table",
        records=rows,
        title=f"Block density by country (largest {len(g)} of {a.blocks['n_groups']})",
        caption="diagonal: within the country; off-diagonal: ties between / (n_A x n_B)",
    )
    for note in s["notes"]:
        console.print(f"[dim]note: {note}[/]", highlight=False)
    secs = ", ".join(f"{k} {fmt_number(v, 2)} s" for k, v in a.seconds.items())
    console.print(f"[dim]computed in {secs}[/]", highlight=False)
