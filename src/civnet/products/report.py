"""``civnet report``: one self-contained HTML file that a colleague can open offline.

The file holds every script, style and number inline (vendored sigma.js, graphology and
Chart.js from ``static/vendor``; no network access at all): the four core factors of the view,
density by track and by year, the top brokers, block density by country as a heatmap, the
timeline (``civnet timeline``), the soft-power scorecard with its bootstrap intervals
(``civnet scorecard``), an interactive network (search, filters by track, period and country, size
by betweenness, colour by country or actor type) and an appendix with the sources and the
definition of every number.

The numbers come from the same functions as the CLI (:mod:`civnet.products.catalog`); the page's
filters recount nodes, edges, ties and density in the browser with the view rules of
:mod:`civnet.views.spec`, so they equal ``civnet describe`` with the same filters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from civnet import __version__
from civnet.errors import EmptyNetwork
from civnet.measures import block_density, density, describe
from civnet.measures.intermediation.betweenness import free_cores
from civnet.products import second_core
from civnet.products.analyze import left_out_note, left_out_of_ranking
from civnet.products.export import atomic_path
from civnet.products.graphview import MAX_EDGES, graph_payload
from civnet.products.render import fmt_ratio, fmt_scaled, to_jsonable
from civnet.products.runner import run_measure
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec, build_network
from civnet.views.network import Network
from civnet.vocab import RANKED_LEVELS, TRACKS

Step = Callable[[str, int, int], None]

VENDOR_SCRIPTS = ("vendor/graphology.umd.min.js", "vendor/sigma.min.js", "vendor/chart.umd.min.js")
MAX_YEARS = 40
TWO_CORES_FROM = 2000
"""Actors in the view from which a report uses a second core by itself (when one is idle):
below, the betweenness and the bootstrap take about as long as the second process's start."""

DEFINITIONS: list[tuple[str, str]] = [
    (
        "Nodes (actors)",
        "Actors at the end of at least one tie in the view (with --all-actors, every actor passing "
        "the actor filters).",
    ),
    (
        "Edges (connected pairs)",
        "Distinct pairs of actors with at least one tie; parallel ties count once.",
    ),
    ("Ties (records)", "Tie records in the view, before parallel ties are merged."),
    (
        "Density",
        "Undirected: 2m / (n(n-1)); directed: m / (n(n-1)); m edges, n nodes; 0 below two actors "
        "(Wasserman & Faust 1994, sec. 4.2).",
    ),
    (
        "Betweenness (mediated intermediation)",
        "Sum over pairs s, t of the share of shortest s-t paths through the actor (Brandes 2001, "
        "doi:10.1080/0022250X.2001.9990249), normalized by (n-1)(n-2)/2 undirected or "
        "(n-1)(n-2) directed, n actors in the view.",
    ),
    (
        "Components",
        "Connected components (weak for directed views); the largest is counted in actors.",
    ),
    (
        "Density by track",
        "Density of the view restricted to the ties of one track (civnet density --track T).",
    ),
    (
        "Density over time",
        "For each year Y, density of the view --from Y --to Y: ties started by the end of Y and not "
        "ended before Y began; undated ties are left out.",
    ),
    (
        "Block density",
        "Within a country A: density of A's actors among themselves; between A and B: "
        "m_AB / (n_A n_B) (Wasserman & Faust 1994, sec. 10.2).",
    ),
    (
        "Brokerage roles by country",
        "Gould & Fernandez (1989, doi:10.2307/270949): actor v brokers a -> v -> b when a has no tie "
        "to b; coordinator (all three in one country), itinerant (a, b in one country, v in another), "
        "representative (v with a, b elsewhere), gatekeeper (v with b, a elsewhere), liaison (all "
        "three different). Counts summed over each country's actors (civnet brokerage, group rows).",
    ),
    (
        "Timeline",
        "civnet timeline: for each year from the first to the last date of the view's dated ties, "
        "the view of that year (ties active in it) with its nodes, edges, density, and the ties "
        "formed (started) and ended in the year.",
    ),
    (
        "Soft-power scorecard",
        "civnet scorecard: per country four channels (communication and mutual trust, "
        "institutional attractiveness, cultural influence, voice in international governance), "
        "each the weighted mean of its indicators scaled 0-100 across the countries; the interval "
        "is the 2.5-97.5 % range over bootstrap resamples of the view's actors; the rank range "
        "comes from Dirichlet draws of the weights. A channel without data in the view is "
        "missing, with its reason, never 0.",
    ),
    (
        "Filters on this page",
        "Track, period and country narrow the report's view as civnet's --track, --from/--to and "
        "--country do: a period keeps dated ties active in it; a country keeps ties with at least "
        "one end in it. Node sizes keep the betweenness of the whole report view.",
    ),
]


@cache
def _static(name: str) -> str:
    text = (
        resources.files("civnet.products")
        .joinpath("static", *name.split("/"))
        .read_text(encoding="utf-8")
    )
    return re.sub(r"//[#@] sourceMappingURL=\S+", "", text)


def inline_scripts(*names: str) -> str:
    """The named static scripts, safe to put inside one ``<script>`` element."""
    parts = []
    for name in names:
        text = _static(name)
        if "</script" in text.lower():
            raise ValueError(f"static/{name} contains </script and cannot be inlined")
        parts.append(f"/* {name} */\n{text}")
    return "\n;\n".join(parts)


def json_for_script(value: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` (``</`` escaped).

    Plain data (string keys; lists, numbers, text) is encoded as it is, by the C encoder; only
    data holding numpy values, dates, NaN or infinity goes through :func:`to_jsonable` first
    (a walk over every value that took seconds on the embedded data's network payload).
    """
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        text = json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")


@cache
def _templates() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("civnet.products", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["scaled"] = fmt_scaled
    env.filters["ratio"] = fmt_ratio
    return env


def render_template(name: str, **context: Any) -> str:
    return str(_templates().get_template(name).render(**context))


# -- the numbers --------------------------------------------------------------------------------


def _sub_view(spec: ViewSpec, **changes: Any) -> ViewSpec:
    return dataclasses.replace(spec, **changes)


def density_by_track(ws: Workspace, spec: ViewSpec, net: Network) -> list[dict[str, Any]]:
    """``civnet describe --track T`` for every track present in the view.

    A track's view is cut from ``net`` (its tie rows of the track, the actors at their ends:
    :func:`~civnet.views.period_views.cut_view`) when ``net`` is the view ``spec`` and the
    cut is exact (:func:`~civnet.views.period_views.derivable`), else built from the workspace
    (``tests/test_report_speed.py`` compares the two)."""
    from civnet.views.period_views import cut_view, derivable

    present = (
        set(net.ties.column("track").to_pylist()) if "track" in net.ties.column_names else set()
    )
    cut = derivable(spec) and net.spec == spec
    rows = []
    for track in TRACKS:
        if track not in present or (spec.tracks and track not in spec.tracks):
            continue
        sub_spec = _sub_view(spec, tracks=(track,))
        if cut:
            keep = pc.equal(net.ties.column("track"), track).fill_null(False)
            sub = cut_view(net, keep, sub_spec)
        else:
            sub = build_network(ws, sub_spec)
        d = describe(sub)
        rows.append(
            {
                "track": track,
                "nodes": d["nodes"],
                "edges": d["edges"],
                "ties": d["ties"],
                "density": d["density"],
            }
        )
    return rows


def density_by_year(
    ws: Workspace,
    spec: ViewSpec,
    net: Network,
    known: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """``civnet describe --from Y --to Y`` for each year from the first to the last tie start.

    ``known``: rows of ``civnet timeline`` by period label; a year whose period is that same
    calendar year (the view's own --from/--to do not cut it) is the same view, so its counts
    are taken from there instead of building the view again.
    """
    known = known or {}
    if "start_date" not in net.ties.column_names:
        return []
    starts = [d for d in net.ties.column("start_date").to_pylist() if d is not None]
    if not starts:
        return []
    first, last = min(starts).year, max(starts).year
    first = max(first, last - MAX_YEARS + 1)
    rows = []
    for year in range(first, last + 1):
        lo, hi = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if spec.date_from and spec.date_from > lo:
            lo = spec.date_from
        if spec.date_to and spec.date_to < hi:
            hi = spec.date_to
        if lo > hi:
            continue
        row = known.get(str(year))
        if row is not None and (lo, hi) == (dt.date(year, 1, 1), dt.date(year, 12, 31)):
            d = {k: row[k] for k in ("nodes", "edges", "ties")}
            d["density"] = row["density"] if row["nodes"] else 0.0
        else:
            d = describe(build_network(ws, _sub_view(spec, date_from=lo, date_to=hi)))
        rows.append(
            {
                "year": year,
                "nodes": d["nodes"],
                "edges": d["edges"],
                "ties": d["ties"],
                "density": d["density"],
            }
        )
    return rows


def country_blocks(net: Network, countries: int) -> dict[str, Any]:
    """Block density by country for the largest ``countries`` countries (by actors).

    ``ratio[i][j]`` is the block's density over the density of the whole view (1: as dense as
    the view; ``None`` when the view has no ties); ``shade[i][j]`` in [0, 1] is
    ``log(1 + ratio) / log(1 + peak ratio)``, so that blocks a thousand times denser than the
    view do not wash out the others.
    """
    bd = block_density(net, "country")
    overall = density(net)
    order = sorted(range(len(bd.groups)), key=lambda i: (-bd.sizes[i], bd.groups[i]))[:countries]
    matrix = bd.matrix[np.ix_(order, order)] if order else np.zeros((0, 0))
    ratio = matrix / overall if overall > 0 else np.zeros_like(matrix)
    peak = float(ratio.max()) if ratio.size else 0.0
    shade = np.log1p(ratio) / np.log1p(peak) if peak > 0 else np.zeros_like(ratio)
    return {
        "groups": [bd.groups[i] for i in order],
        "sizes": [int(bd.sizes[i]) for i in order],
        "matrix": [[float(v) for v in row] for row in matrix],
        "ratio": [[float(v) for v in row] for row in ratio] if overall > 0 else None,
        "shade": [[float(v) for v in row] for row in shade],
        "ties": [[int(bd.ties[i, j]) for j in order] for i in order],
        "n_groups": len(bd.groups),
        "overall": overall,
        "peak": peak,
    }


def brokerage_by_country(net: Network, countries: int) -> dict[str, Any] | None:
    """Gould-Fernandez role counts of each country's actors (``civnet brokerage``, group rows).

    ``None`` when the view has fewer than three actors or no ties (nothing to broker).
    """
    from civnet.measures.intermediation.brokerage import ROLES, brokerage

    if net.graph.vcount() < 3 or net.graph.ecount() == 0:
        return None
    b = brokerage(net, "country")
    order = sorted(range(len(b.groups)), key=lambda i: (-b.sizes[i], b.groups[i]))[:countries]
    roles = [r for r in ROLES if r != "total"]
    return {
        "groups": [b.groups[i] for i in order],
        "roles": roles,
        "raw": {r: [float(b.group_raw[i, ROLES.index(r)]) for i in order] for r in roles},
        "total": [float(b.group_raw[i, ROLES.index("total")]) for i in order],
    }


def catalog_json(ws: Workspace, spec: ViewSpec, name: str, **params: Any) -> tuple[Any, str]:
    """What ``civnet <name> [params] --format json`` prints for ``spec``, or why there is none.

    Computed through :func:`~civnet.products.runner.run_measure`, so a result already in the
    workspace's result cache (same data, view and parameters) is not computed again.

    Returns ``(result, "")``, or ``(None, reason)`` when the view has nothing to measure (no
    dated ties for a timeline, no scored country for a scorecard).
    """
    try:
        return run_measure(ws, name, spec, params), ""
    except EmptyNetwork as exc:
        return None, exc.line()


class _Job:
    """:func:`catalog_json` of one measure, computed in the second process ``core`` when given
    (:mod:`civnet.products.second_core`), else in a thread when ``thread``, else now. The
    workspace is read (cache, inputs) and written (the result kept) by the caller's thread
    only. ``inputs``: the measure's inputs when already at hand (the view); ``known``: what its
    ``prepare`` may take instead of building it again (the view)."""

    def __init__(
        self,
        ws: Workspace,
        spec: ViewSpec,
        name: str,
        params: dict[str, Any],
        inputs: Any = None,
        *,
        thread: bool = False,
        core: second_core.SecondCore | None = None,
        known: dict[str, Any] | None = None,
    ) -> None:
        from civnet.products.catalog import _named
        from civnet.products.runner import plan

        self._ws = ws
        self._planned = plan(ws, name, spec, params)
        self._value: Any = ws.cached_result(self._planned.key)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._future: Future[Any] | None = None
        self._fresh = False
        if self._value is not None:
            return
        m = self._planned.measure
        try:
            if inputs is not None:
                self._inputs = inputs
            elif known and m.prepare is not None:  # what the caller already built
                self._inputs = m.prepare(
                    ws, spec, **_named(m.prepare, self._planned.params), **known
                )
            else:
                self._inputs = m.inputs(ws, spec, **self._planned.params)
        except EmptyNetwork as exc:
            self._error = exc
            return
        self._fresh = True
        if core is not None:
            self._future = core.submit(
                second_core.measure, name, self._inputs, self._planned.params
            )
            if self._future is not None:
                return
        if thread:
            self._thread = threading.Thread(target=self._work, name=f"civnet-{name}", daemon=True)
            self._thread.start()
        else:
            self._work()

    def _work(self) -> None:
        try:
            self._value = self._planned.measure.run(self._inputs, None, **self._planned.params)
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def ready(self) -> bool:
        """Whether :meth:`result` would return without waiting for the computation."""
        if self._future is not None:
            return self._future.done()
        return self._thread is None or not self._thread.is_alive()

    def result(self) -> tuple[Any, str]:
        """``(result, "")``, or ``(None, reason)`` when the view has nothing to measure.
        Called again, it returns the same."""
        if self._future is not None:
            try:
                status, value = self._future.result()
            except (BrokenProcessPool, CancelledError):  # the second process died: here
                self._work()
            else:
                if status == "empty":
                    return None, str(value)
                self._value = value
            self._future = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            if isinstance(self._error, EmptyNetwork):
                return None, self._error.line()
            raise self._error
        if self._fresh:
            from civnet.products.runner import keep_result

            keep_result(self._ws, self._planned, self._value)
            self._fresh = False
        return self._value, ""


def scorecard_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Per country (best rank first) each channel's score, interval and missing reason.

    ``card`` is the JSON of ``civnet scorecard``; a channel without data carries the reason the
    scorecard gives, the overall score says which channels it averages.
    """
    channels = card["card"]["channels"]
    rows = []
    for r in card["countries"]:
        cells = []
        for k in [*channels, "overall"]:
            if r[k] is not None:
                missing = ""
            elif k == "overall":
                missing = "no channel has data"
            else:
                missing = channels[k]["missing"].get(r["country"], "no data")
            cells.append(
                {
                    "channel": k,
                    "title": channels[k]["title"] if k in channels else "Overall",
                    "score": r[k],
                    "low": r[f"{k}_low"],
                    "high": r[f"{k}_high"],
                    "missing": missing,
                }
            )
        rows.append(
            {
                "country": r["country"],
                "rank": r["rank"] if r["rank"] is not None else "unranked",
                "rank_range": r["rank_range"] or "—",
                "cells": cells,
            }
        )
    return rows


def file_name(path: str | None) -> str:
    """The last part of a source's path or URL, never the folders above it (they would tell a
    reader of a shared report where the author keeps files).

    >>> file_name("/home/ana/data/ties.csv"), file_name(r"C:\\Users\\ana\\t.csv"), file_name(None)
    ('ties.csv', 't.csv', '')
    """
    if not path:
        return ""
    return re.split(r"[\\/]", str(path).rstrip("/\\"))[-1]


def sources_records(ws: Workspace) -> list[dict[str, Any]]:
    """The workspace's sources table with provenance, for the appendix (file names only)."""
    out = []
    for r in ws.sources().to_pylist():
        out.append(
            {
                "name": r.get("name"),
                "file": file_name(r.get("path")),
                "importer": r.get("importer"),
                "description": r.get("description") or "",
                "licence": r.get("licence") or "",
                "notes": r.get("notes") or "",
                "sha256": (r.get("sha256") or "")[:16],
                "imported_at": str(r.get("imported_at") or "")[:19],
                "rows_read": r.get("rows_read"),
                "rows_kept": r.get("rows_kept"),
                "rows_rejected": r.get("rows_rejected"),
            }
        )
    return out


def report_context(
    ws: Workspace,
    spec: ViewSpec,
    *,
    top: int = 15,
    countries: int = 15,
    seed: int = 0,
    boot: int = 200,
    max_edges: int = MAX_EDGES,
    rank_removals: int = 0,
    whatif: dict[str, list[str]] | None = None,
    progress: Step | None = None,
    cores: int | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as plain data (the template only lays it out).

    ``rank_removals`` K > 0 adds the section "who holds the network together": ``civnet whatif
    --rank-removals K --format json`` (the ranking and its attack curve). ``whatif`` (changes
    as ``{"remove_actor": [...], "drop_track": [...]}``) adds the section "what if": ``civnet
    whatif [changes] --format json``.

    The timeline and the scorecard are the catalog's (``civnet timeline`` and ``civnet
    scorecard --boot BOOT --seed SEED`` with ``--format json``); ``boot=0`` leaves the
    scorecard out.

    ``cores``: the cores it may use (default: the idle ones, :func:`free_cores`, for a view of
    :data:`TWO_CORES_FROM` actors or more). With two, a second process
    (:mod:`civnet.products.second_core`) computes the whole view's betweenness and shares the
    scorecard's bootstrap replicates; the numbers are the same (tests/test_report.py).
    """
    say = progress or (lambda desc, done, total: None)
    steps = 8
    say("building the view", 0, steps)
    net = build_network(ws, spec)
    summary = describe(net)
    # two cores when asked, or when two are idle and the view is large enough to repay the
    # second process's start (its imports take about 2 s)
    both = cores >= 2 if cores else free_cores() >= 2 and net.graph.vcount() >= TWO_CORES_FROM
    with second_core.spread(both) as core:
        say("betweenness", 1, steps)
        # in the second process when a core is free (a thread if that process is not there:
        # the compiled Brandes kernel releases the interpreter lock)
        between = _Job(ws, spec, "betweenness", {}, net, thread=both, core=core)
        if core is not None and boot > 0:
            core.warm_blocks()  # after the betweenness, while this process is still busy
        brokers_left_out = left_out_note(left_out_of_ranking(net, RANKED_LEVELS), hint=False)
        say("density by track", 2, steps)
        by_track = density_by_track(ws, spec, net)
        say("timeline", 3, steps)
        whole = {"whole": net} if not spec.has_period else {}  # the view is the timeline's
        timeline, timeline_missing = _Job(ws, spec, "timeline", {}, known=whole).result()
        say("density over time", 4, steps)
        years_known = {r["period"]: r for r in timeline["periods"]} if timeline else {}
        by_year = density_by_year(ws, spec, net, years_known)
        # what does not need the betweenness, before the bootstrap (the step that both cores
        # share to the end)
        blocks = country_blocks(net, countries)
        brokerage = brokerage_by_country(net, countries)
        # the network's drawing: everything but the actors' betweenness, filled in below
        say("layout", 5, steps)
        graph = graph_payload(net, [0.0] * net.graph.vcount(), seed=seed, max_edges=max_edges)
        say("scorecard", 6, steps)
        if between.ready():  # kept in the cache now, not after the bootstrap
            between.result()
        if boot > 0:
            params = {"boot": boot, "seed": seed}
            card, card_missing = _Job(ws, spec, "scorecard", params, known={"net": net}).result()
        else:
            card, card_missing = None, "left out (--boot 0)"
        found, _ = between.result()
    ranked = found["records"] if found else []
    by_id = {r["id"]: r["betweenness"] for r in ranked}
    b_values = [float(by_id.get(a, 0.0)) for a in net.ids]
    brokers = ranked[:top]
    removals = None
    if rank_removals > 0:
        say("ranking removals", 6, steps)
        removals, _ = catalog_json(ws, spec, "whatif", rank_removals=rank_removals)
    scenario = None
    if whatif:
        say("what if", 6, steps)
        scenario, _ = catalog_json(ws, spec, "whatif", **whatif)
    graph["nodes"]["betweenness"] = [float(b) for b in b_values]
    say("writing", 7, steps)
    years = sorted({int(d[:4]) for d in graph["ties"]["start"] if d})
    return {
        "title": "civnet report",
        "version": __version__,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "view": spec.describe(),
        "summary": summary,
        "top_betweenness": brokers[0]["betweenness"] if brokers else 0.0,
        "betweenness_method": "; ".join(
            x for x in ("exact Brandes, normalized (civnet betweenness)", brokers_left_out) if x
        ),
        "brokers": brokers,
        "by_track": by_track,
        "by_year": by_year,
        "blocks": blocks,
        "brokerage": brokerage,
        "timeline": timeline["periods"] if timeline else [],
        "timeline_missing": timeline_missing,
        "timeline_notices": timeline["notices"] if timeline else [],
        "scorecard": card,
        "scorecard_rows": scorecard_rows(card) if card else [],
        "scorecard_top": countries,
        "scorecard_missing": card_missing,
        "boot": boot,
        "sources": sources_records(ws),
        "definitions": DEFINITIONS,
        "graph": graph,
        "years": [years[0], years[-1]] if years else [],
        "seed": seed,
        "removals": removals,
        "whatif": scenario,
    }


def render_report(context: dict[str, Any]) -> str:
    """The HTML text of the report for ``context`` (from :func:`report_context`)."""
    keys = (
        "summary",
        "brokers",
        "by_track",
        "by_year",
        "brokerage",
        "timeline",
        "scorecard",
        "scorecard_top",
        "graph",
        "years",
        "removals",
    )
    data = {k: context[k] for k in keys}
    return render_template(
        "report.html.j2",
        **context,
        data_json=json_for_script(data),
        css=_static("civnet.css"),
        vendor_js=inline_scripts(*VENDOR_SCRIPTS),
        app_js=inline_scripts("civnet-view.js", "report.js"),
    )


def write_report(
    ws: Workspace, spec: ViewSpec, path: str | Path, **options: Any
) -> tuple[Path, dict[str, Any]]:
    """Compute and write the report to ``path`` atomically; return the path and its context."""
    path = Path(path)
    if path.is_dir():
        from civnet.errors import UserError

        raise UserError("is a folder", where=str(path), fix="give a file name such as report.html")
    context = report_context(ws, spec, **options)
    html = render_report(context)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path, context
