"""The main job: the four core factors of a view, its top brokers and block density by country."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape

from civnet.measures import betweenness, block_density, describe
from civnet.measures.intermediation.betweenness_approx import (
    ExactCost,
    exact_cost,
    rk_sample_size,
)
from civnet.products.defaults import BUDGET_DELTA
from civnet.products.render import (
    emit,
    fmt_number,
    has_directed_partners,
    heading,
    left_out_note,
)
from civnet.store.columnar import ColumnarRecords
from civnet.views.network import Network
from civnet.vocab import ACTOR_LEVELS, RANKED_LEVELS

Step = Callable[[str, int, int], None]


@dataclass
class Analysis:
    """What ``civnet analyze`` computed, ready to render or serialize."""

    summary: dict[str, Any]
    brokers: list[dict[str, Any]]
    blocks: dict[str, Any]
    left_out: dict[str, int] = field(default_factory=dict)
    """Actors of the view left out of the broker ranking, by level (aggregates)."""
    method: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


EXACT_BUDGET_SECONDS = 60.0
"""An exact betweenness run estimated to take longer than this on the machine's idle cores
(:attr:`ExactCost.idle_seconds` of :func:`exact_cost`: the view and the machine, not the load)
switches to the bounded approximation unless the caller insists on ``exact``; the output says so."""
BUDGET_EPS = 0.01


def rk_samples(net: Network, eps: float, delta: float, *, weighted: bool) -> tuple[int, bool]:
    """How many shortest paths Riondato & Kornaropoulos's sampler would draw on ``net``, and
    whether that count is exact (``False``: a lower bound).

    Directed unweighted views: exactly :func:`rk_sample_size` with the vertex diameter bounded by
    the largest weak component, as :func:`approx_betweenness` draws it. Weighted views (NetworKit
    estimates the diameter itself): at least the sample size of the smallest diameter that
    needs sampling (3). Reference: Riondato & Kornaropoulos (2016), doi:10.1007/s10618-015-0423-0.
    """
    g = net.graph
    if net.directed and not weighted and g.vcount():
        largest = max(len(c) for c in g.connected_components(mode="weak"))
        return rk_sample_size(eps, delta, largest), True
    return rk_sample_size(eps, delta, 3), False


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
    certify_top: int = 0,
    certify_among: np.ndarray | None = None,
) -> Any:
    """Betweenness as the products compute it: exact, unless that would pass ``budget`` seconds.

    ``approx`` (or ``samples``) given: that method; ``certify_top`` goes with an asked ``approx``
    only (:func:`betweenness` refuses it otherwise, before any cost estimate: the budget's own
    approximation is never certified), among the actors ``certify_among`` marks (the ranked
    ones). ``exact``: exact whatever it costs. Otherwise
    the exact cost is estimated first, on this machine's idle cores (:attr:`ExactCost.idle_seconds`:
    a function of the view and the machine, so the same view gets the same method, and the same
    numbers, at any load); past the budget (default ``EXACT_BUDGET_SECONDS``) the result is the guaranteed
    approximation (``BUDGET_EPS``, ``delta``), and its ``notes`` say what exact would have cost
    (and, where it reads differently, what it would cost at the present load) and how to ask
    for it. An exact run within the budget that the present load would push past it says so. Weighted directed views have no bounded approximation: they stay
    exact and the note states the estimate, so a long run is never silent.
    """
    kwargs: dict[str, Any] = {
        "normalized": normalized,
        "weighted": weighted,
        "seed": seed,
        "progress": progress,
    }
    if approx is not None or samples is not None or exact or certify_top:
        # a certified top is for an asked approximation only (the measure refuses it otherwise)
        return betweenness(
            net,
            approx=approx,
            delta=delta,
            samples=samples,
            certify_top=certify_top,
            certify_among=certify_among,
            **kwargs,
        )
    budget = EXACT_BUDGET_SECONDS if budget is None else budget
    cost = exact_cost(net, weighted=weighted)
    # the idle machine's estimate decides: the view and the cores, never the moment's load
    if cost.idle_seconds <= budget:
        slow = _slow_at_load(cost, budget)  # read before the run adds to the load
        b = betweenness(net, **kwargs)
        if slow:
            b.notes.append(slow)
        return b
    over = (
        f"exact betweenness would take about {_duration(cost.idle_seconds)} on this machine's "
        f"{cost.cores} idle core(s){_at_load(cost)}, over the {_duration(budget)} budget"
    )
    if weighted and net.directed:
        b = betweenness(net, **kwargs)
        b.notes.append(over + "; computed exactly (no bounded approximation for weighted directed)")
        return b
    if weighted or net.directed:
        # Riondato-Kornaropoulos draws a fixed sample of shortest paths, each found by one
        # search; exact Brandes (over blocks) costs ``cost.visits``, i.e. that many full
        # searches. Never trade an exact run for an approximation drawing more searches.
        r, known = rk_samples(net, BUDGET_EPS, delta, weighted=weighted)
        g = net.graph
        searches = cost.visits / max(1.0, float(g.vcount() + g.ecount()))
        if r >= searches:
            b = betweenness(net, **kwargs)
            b.notes.append(
                over + f"; computed exactly: the bounded approximation (Riondato-Kornaropoulos, "
                f"eps {BUDGET_EPS:g}) would draw {'' if known else 'at least '}{r:,} "
                f"shortest-path samples, more than the exact run's {searches:,.0f} full searches"
            )
            return b
    b = betweenness(net, approx=BUDGET_EPS, delta=delta, **kwargs)
    b.notes.append(over + "; approximated instead (--exact to insist)")
    return b


def _at_load(cost: ExactCost) -> str:
    """`` (about T at the load when estimated, on N core(s))``: the present load's estimate,
    where it reads differently from the idle machine's; else nothing."""
    now = _duration(cost.seconds)
    if now == _duration(cost.idle_seconds):
        return ""
    return f" (about {now} at the load when estimated, on {cost.threads} core(s))"


def _slow_at_load(cost: ExactCost, budget: float) -> str:
    """A note for an exact run within ``budget`` on the idle cores that the present load makes
    pass it (the run stays exact: the same view gets the same method at any load); else ``""``.
    Small views never read the processors (:meth:`ExactCost.may_pass_now`)."""
    if not cost.may_pass_now(budget) or cost.seconds <= budget:
        return ""
    return (
        f"computed exactly: about {_duration(cost.idle_seconds)} on this machine's "
        f"{cost.cores} idle core(s), within the {_duration(budget)} budget{_at_load(cost)}; "
        "the budget weighs the idle machine, so the method does not follow the load"
    )


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
    rank_all: bool = False,
    progress: Step | None = None,
) -> Analysis:
    """Nodes, edges, density, brokers (betweenness) and block density by country for ``net``.

    Betweenness is exact unless its estimated cost on the machine's idle cores passes
    ``EXACT_BUDGET_SECONDS``; then (unless
    ``exact``) it is the bounded approximation of :func:`budgeted_betweenness`, and the method
    says so. Brokers are ranked among organisations and cities (:data:`civnet.vocab.RANKED_LEVELS`);
    aggregates stay in the network (paths run through them) but are left out of the ranking and
    counted in ``left_out``, unless ``rank_all``.
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
    levels = None if rank_all else RANKED_LEVELS
    brokers = betweenness_records(net, b, top, levels=levels)
    blocks = _country_blocks(net, countries)
    t3 = time.perf_counter()
    say("done", 3, 3)
    return Analysis(
        summary=summary,
        brokers=brokers,
        blocks=blocks,
        left_out=left_out_of_ranking(net, levels),
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
    """Block density by country, summarized for the largest countries and strongest pairs.

    Counts are connected pairs (an undirected tie, a directed tie or a reciprocated pair of them
    count once, :func:`civnet.measures.block_density`); where the view holds directed ties the
    country pairs also give their arcs a->b and b->a.
    """
    bd = block_density(net, "country")
    k = len(bd.groups)
    order = sorted(range(k), key=lambda i: (-bd.sizes[i], bd.groups[i]))[:countries]
    n_total = float(bd.sizes.sum())
    rows = []
    for i in order:
        out_pairs = float(bd.ties[i].sum() - bd.ties[i, i])
        others = bd.sizes[i] * (n_total - bd.sizes[i])
        rows.append(
            {
                "country": bd.groups[i],
                "actors": int(bd.sizes[i]),
                "pairs_in": int(bd.ties[i, i]),
                "dens_in": float(bd.matrix[i, i]),
                "pairs_out": int(out_pairs),
                "dens_out": out_pairs / others if others else 0.0,
            }
        )
    pairs: list[dict[str, Any]] = []
    for i in range(k):
        for j in range(i + 1, k):
            if bd.ties[i, j] > 0:
                pair: dict[str, Any] = {
                    "pair": f"{bd.groups[i]}-{bd.groups[j]}",
                    "pairs": int(bd.ties[i, j]),
                }
                if bd.directed:
                    pair["arcs_a_to_b"] = int(bd.arcs[i, j])
                    pair["arcs_b_to_a"] = int(bd.arcs[j, i])
                pair["block_density"] = float(bd.matrix[i, j])
                pairs.append(pair)
    pairs.sort(key=lambda r: (-int(r["pairs"]), str(r["pair"])))
    return {"countries": rows, "pairs": pairs[:countries], "n_groups": k}


def betweenness_records(
    net: Network,
    b: Any,
    top: int | None,
    *,
    levels: tuple[str, ...] | None = RANKED_LEVELS,
) -> list[dict[str, Any]]:
    """Records sorted by betweenness descending (ties broken by id), ranked among the actors
    whose level is in ``levels`` (default organisations and cities; ``None``: every actor).

    The rows of :func:`betweenness_columns`, as a list of dicts.
    """
    return betweenness_columns(net, b, top, levels=levels).to_list()


def betweenness_columns(
    net: Network,
    b: Any,
    top: int | None,
    *,
    levels: tuple[str, ...] | None = RANKED_LEVELS,
) -> ColumnarRecords:
    """Records sorted by betweenness descending (ties broken by id), ranked among the actors
    whose level is in ``levels`` (default organisations and cities; ``None``: every actor), held
    by column (no dict per actor: a 200,000-actor ranking is a few arrays).

    Each row: ``rank``, ``id``, ``name``, ``type``, ``level``, ``country``, ``degree`` (the
    number of distinct partners, any tie direction); where the view holds directed ties,
    ``out_partners``/``in_partners`` (partners of the actor's directed ties by direction,
    docs/views.md); then ``betweenness``. :func:`left_out_of_ranking` counts who is left out.
    """
    g = net.graph
    partners, out_p, in_p = net.partner_counts()
    attrs = g.vs.attributes()
    labels = net.vertex_attr("label") if "label" in attrs else net.ids
    types = net.vertex_attr("type") if "type" in attrs else [None] * g.vcount()
    countries = net.vertex_attr("country") if "country" in attrs else [None] * g.vcount()
    actor_levels = net.levels()
    listed = net.ranked(levels)
    order = np.asarray(b.top(None), dtype=np.int64)
    order = order[listed[order]] if len(order) else order
    if top is not None:
        order = order[:top]
    at = order.tolist()
    ids = b.ids
    columns: dict[str, Any] = {
        "rank": np.arange(1, len(at) + 1, dtype=np.int64),
        "id": [ids[i] for i in at],
        "name": [labels[i] for i in at],
        "type": [types[i] for i in at],
        "level": [actor_levels[i] for i in at],
        "country": [countries[i] for i in at],
        "degree": np.asarray(partners, dtype=np.int64)[order],
    }
    if net.directed:
        columns["out_partners"] = np.asarray(out_p, dtype=np.int64)[order]
        columns["in_partners"] = np.asarray(in_p, dtype=np.int64)[order]
    columns["betweenness"] = np.asarray(b.values, dtype=np.float64)[order]
    return ColumnarRecords(columns, len(at))


def left_out_of_ranking(net: Network, levels: tuple[str, ...] | None) -> dict[str, int]:
    """How many actors of each level a ranking over ``levels`` leaves out (empty: none)."""
    if levels is None:
        return {}
    counts = Counter(lv for lv in net.levels() if lv not in levels)
    return {lv: counts[lv] for lv in ACTOR_LEVELS if counts[lv]}


def render_analysis(console: Console, a: Analysis) -> None:
    s = a.summary
    heading(console, f"[bold]civnet analyze[/] — {escape(str(s['view']))}")
    factors = [
        {"factor": "nodes (actors)", "value": s["nodes"]},
        {"factor": "edges (connected pairs, unordered)", "value": s["edges"]},
    ]
    if s["directed"]:
        factors.append({"factor": "arcs (directed ties, per direction)", "value": s["arcs"]})
    factors += [
        {"factor": "ties (records)", "value": s["ties"]},
        {"factor": "density (pairs / (n(n-1)/2))", "value": s["density"]},
    ]
    if s["arc_density"] is not None:
        factors.append({"factor": "arc density (arcs / (n(n-1)))", "value": s["arc_density"]})
    factors += [
        {"factor": "components", "value": s["components"]},
        {"factor": "largest component", "value": s["largest_component"]},
        {"factor": "countries", "value": s["countries"]},
        {
            "factor": "top betweenness (mediated intermediation)",
            "value": a.brokers[0]["betweenness"] if a.brokers else "n/a",
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
            "what": "actor levels",
            "counts": ", ".join(f"{k} {v:,}" for k, v in s["by_level"].items()),
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
    in_out = has_directed_partners(a.brokers)
    partners_note = "; degree = distinct partners" + (
        "; out/in partners by directed ties"
        if in_out
        else ("; none of them has a directed tie" if s["directed"] else "")
    )
    if a.brokers:
        emit(
            console,
            "table",
            records=a.brokers,
            columns=["rank", "name", "type", "country", "degree"]
            + (["out_partners", "in_partners"] if in_out else [])
            + ["betweenness"],
            title=f"Top {len(a.brokers)} brokers (normalized betweenness)",
            caption="; ".join(
                x for x in (a.method["betweenness"] + partners_note, left_out_note(a.left_out)) if x
            ),
        )
    else:
        console.print(
            "No broker ranked: the view has no organisation or city"
            + (f" ({left_out_note(a.left_out)})" if a.left_out else ""),
            highlight=False,
        )
    emit(
        console,
        "table",
        records=a.blocks["countries"],
        title=f"Density by country (largest {len(a.blocks['countries'])} of {a.blocks['n_groups']})",
        caption="in: connected pairs and density among the country's actors; out: pairs with "
        "actors of other countries, and their density (pairs / (actors x actors elsewhere))",
    )
    emit(
        console,
        "table",
        records=a.blocks["pairs"],
        title="Strongest country pairs",
        caption="pairs: connected pairs of actors across the two countries (any tie "
        "direction, once); block density = pairs / (n_A x n_B); arcs count directed ties "
        "per direction",
    )
    for note in s["notes"]:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)
    secs = ", ".join(f"{k} {fmt_number(v, 2)} s" for k, v in a.seconds.items())
    console.print(f"[dim]computed in {secs}[/]", highlight=False)
