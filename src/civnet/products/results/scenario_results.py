"""What-if results as products show them: a view before and after a scenario, and removal rankings.

:func:`whatif_inputs` reads what a scenario needs from the workspace (the view, the validated
``--add-ties`` file and the actor rows of its ends, the scorecard config) without changing the
workspace; :func:`whatif_result` computes everything from those inputs with the measures of
:mod:`civnet.measures` (nothing is reimplemented here). ``WhatifResult.json()`` is what
``civnet whatif --format json`` prints and ``GET /api/whatif`` returns; ``records()`` is its CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.intermediation.betweenness import Betweenness, Progress, betweenness
from civnet.measures.intermediation.brokerage import ROLES, brokerage
from civnet.measures.policy.scenario_removals import (
    REMOVAL_UNITS,
    Cut,
    attack_curve,
    rank_removals,
    removal_candidates,
)
from civnet.measures.policy.scenarios import (
    Changes,
    apply_changes,
    giant_component,
    giant_path_length,
    reach,
)
from civnet.measures.softpower.scorecard import ScorecardConfig, scorecard, scorecard_bootstrap
from civnet.measures.statistics.replicate_statistics import core_statistic, evaluate
from civnet.measures.statistics.resampling import Resampler, check_unit
from civnet.measures.statistics.uncertainty import percentile_interval
from civnet.measures.structure.density import density
from civnet.measures.structure.ei import ei_index
from civnet.products.analyze import betweenness_records, betweenness_samples
from civnet.products.periods import load_config
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network
from civnet.vocab import ACTOR_LEVELS

FACTORS = (
    ("nodes", "actors"),
    ("edges", "connected pairs of actors (edges)"),
    ("ties", "tie records"),
    ("density", "density"),
    ("mean_betweenness", "mean normalized betweenness"),
    ("max_betweenness", "max normalized betweenness"),
    ("components", "components (weak)"),
    ("largest_component", "largest component (actors)"),
    ("connected_pairs", "actor pairs connected by a path"),
    ("reach", "reach: share of actor pairs connected"),
    ("giant_path_length", "average path length in the largest component (hops)"),
)
"""The rows of the factors table: key in the result, and what it counts."""


# -- inputs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatifInputs:
    """The view, the scenario (validated) and the scorecard config."""

    net: Network
    changes: Changes
    config: ScorecardConfig
    notes: list[str] = field(default_factory=list)


def scenario_changes(
    remove_actor: list[str] | None = None,
    remove_type: list[str] | None = None,
    remove_country: list[str] | None = None,
    remove_level: list[str] | None = None,
    drop_track: list[str] | None = None,
    drop_kind: list[str] | None = None,
) -> Changes:
    """The removals and drops as typed on the command line, validated like the view filters."""
    checked = ViewSpec.make(
        actor_types=remove_type or (),
        countries=remove_country or (),
        tracks=drop_track or (),
        kinds=drop_kind or (),
    )
    return Changes(
        remove_actors=tuple(dict.fromkeys(a.strip() for a in remove_actor or () if a.strip())),
        remove_types=checked.actor_types,
        remove_countries=checked.countries,
        remove_levels=_levels(remove_level or ()),
        drop_tracks=checked.tracks,
        drop_kinds=checked.kinds,
    )


def _levels(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Actor levels as typed (comma lists allowed), checked against ``ACTOR_LEVELS``."""
    out = set()
    for v in values:
        for part in str(v).split(","):
            level = part.strip().lower()
            if not level:
                continue
            if level not in ACTOR_LEVELS:
                raise BadFilter(
                    f"unknown actor level {part.strip()!r}",
                    fix=f"use one of: {', '.join(ACTOR_LEVELS)}",
                )
            out.add(level)
    return tuple(sorted(out))


def whatif_inputs(
    ws: Workspace,
    spec: ViewSpec,
    remove_actor: list[str] | None = None,
    remove_type: list[str] | None = None,
    remove_country: list[str] | None = None,
    remove_level: list[str] | None = None,
    drop_track: list[str] | None = None,
    drop_kind: list[str] | None = None,
    add_ties: Path | None = None,
) -> WhatifInputs:
    """The view and the scenario; ``add_ties`` is read and validated as ``import table --ties``.

    The workspace is read, never written. Added ties outside the view's tracks or kinds are
    left out and counted in the notes; with ``--project`` or ``--level country`` ties between
    actors cannot be added and the scenario is refused.
    """
    changes = scenario_changes(
        remove_actor, remove_type, remove_country, remove_level, drop_track, drop_kind
    )
    net = build_network(ws, spec)
    notes: list[str] = []
    if add_ties is not None:
        if spec.project or spec.level != "actor":
            raise BadFilter(
                "--add-ties adds ties between actors, and this view is projected or aggregated",
                fix="drop --project and --level country",
            )
        added, ends, note = _read_added_ties(ws, spec, Path(add_ties))
        notes.extend(note)
        changes = Changes(**{**changes.__dict__, "add_ties": added, "add_actors": ends})
    return WhatifInputs(net, changes, load_config(None), notes)


def _read_added_ties(
    ws: Workspace, spec: ViewSpec, path: Path
) -> tuple[pa.Table, pa.Table, list[str]]:
    """Validated ties of ``path`` (as ``import table``), kept to the view's tracks and kinds."""
    from civnet.importers.tables import read_tables

    batch = read_tables(ws, actors=None, ties=path)
    ties = batch.ties_arrow(ws.con)
    notes = []
    if batch.rejects.num_rows:
        notes.append(f"{batch.rejects.num_rows} rows of {path.name} left out (self-loops)")
    for col, allowed in (("track", spec.tracks), ("kind", spec.kinds)):
        if allowed and ties.num_rows:
            keep = np.isin(np.asarray(ties.column(col).to_pylist(), dtype=object), allowed)
            if not keep.all():
                notes.append(f"{int((~keep).sum())} added ties outside the view's {col}s left out")
            ties = ties.filter(pa.array(keep))
    ends = sorted(set(ties.column("source").to_pylist()) | set(ties.column("target").to_pylist()))
    ws.con.register("_whatif_ends", pa.table({"id": pa.array(ends, pa.string())}))
    try:
        actors = ws.con.sql(
            "SELECT * FROM actors WHERE id IN (SELECT id FROM _whatif_ends) ORDER BY id"
        ).to_arrow_table()
    finally:
        ws.con.unregister("_whatif_ends")
    return ties, actors, notes


# -- result -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatifResult:
    """A view before and after a scenario, or the ranking of removals (``--rank-removals``)."""

    scenario: list[str]
    counts: dict[str, Any]
    factors: list[dict[str, Any]]
    brokers: list[dict[str, Any]]
    brokerage: list[dict[str, Any]]
    ei: list[dict[str, Any]]
    scorecard: list[dict[str, Any]]
    removals: list[dict[str, Any]]
    curve: list[dict[str, Any]]
    method: dict[str, Any]
    notes: list[str]

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"scenario": self.scenario, "counts": self.counts}
        if self.factors:
            out |= {
                "factors": self.factors,
                "brokers": self.brokers,
                "brokerage_by_country": self.brokerage,
                "ei_by_country": self.ei,
                "scorecard": self.scorecard,
            }
        if self.removals:
            out |= {"removals": self.removals, "attack_curve": self.curve}
        return out | {"method": self.method, "notes": self.notes}

    def records(self) -> list[dict[str, Any]]:
        """Long records for CSV: :func:`whatif_rows` of :meth:`json`."""
        return whatif_rows(self.json())


def whatif_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The CSV of ``civnet whatif`` from its JSON: the ranked removals (``--rank-removals``
    alone), else long records section, item, measure, before, after, difference (+ CI)."""
    if data.get("removals") and not data.get("factors"):
        return list(data["removals"])
    rows: list[dict[str, Any]] = []
    for r in data.get("factors", []):
        rows.append({"section": "factors", "item": "(view)", **_long(r, r["measure"])})
    for r in data.get("brokers", []):
        for m in ("betweenness", "rank"):
            rows.append({"section": "brokers", "item": r["id"], **_long(r, m)})
    for section, measure in (
        ("brokerage_by_country", "brokered_pairs"),
        ("ei_by_country", "ei"),
        ("scorecard", "overall"),
    ):
        for r in data.get(section, []):
            rows.append({"section": section, "item": r["country"], **_long(r, measure)})
    return rows


def _long(r: dict[str, Any], measure: str) -> dict[str, Any]:
    pre = "" if measure == r.get("measure") else f"{measure}_"
    return {
        "measure": measure,
        "before": r.get(f"{pre}before"),
        "after": r.get(f"{pre}after"),
        "difference": r.get(f"{pre}difference"),
        "diff_low": r.get(f"{pre}diff_low"),
        "diff_high": r.get(f"{pre}diff_high"),
    }


def whatif_result(
    inputs: WhatifInputs,
    progress: Progress,
    top: int = 10,
    boot: int | None = None,
    resample: str = "actors",
    seed: int = 0,
    rank_removals: int = 0,
    removal_unit: str = "brokers",
    with_scorecard: bool | None = None,
) -> WhatifResult:
    """``civnet whatif``: before, after and difference of the scenario, or (``rank_removals``
    K > 0) the removals ranked by pairs cut apart, with the attack curve.

    Before/after: the core factors (:func:`~civnet.measures.change.timeline.core_factors`), reach and
    the path length in the largest component (:mod:`civnet.measures.policy.scenarios`), top brokers
    by normalized betweenness with their rank shifts, Gould-Fernandez brokerage and the E-I
    index by country, and the scorecard. Intervals (``boot`` > 0): density and mean betweenness
    by a paired bootstrap (the same ``resample`` draws before and after, as ``civnet compare``),
    the scorecard's overall score by its own bootstrap of each view; 95% percentile intervals.
    ``boot=None``: 200 resamples, or none when the view is large enough for betweenness to be
    estimated from sampled sources (:func:`~civnet.products.analyze.betweenness_samples`); then
    betweenness before and after is estimated with the same number of sources and seed, and the
    path length from the same sampled actors. ``with_scorecard=None`` likewise leaves the
    scorecard out on such views (say ``True`` to force it).
    """
    check_unit(resample)
    if top < 1:
        raise BadFilter(f"--top must be at least 1, got {top}", fix="use e.g. --top 10")
    if boot is not None and boot < 0:
        raise BadFilter(f"--boot must be at least 0, got {boot}", fix="use 0 to skip intervals")
    if rank_removals < 0:
        raise BadFilter(
            f"--rank-removals must be at least 1, got {rank_removals}", fix="use e.g. 20"
        )
    if removal_unit not in REMOVAL_UNITS:
        raise BadFilter(
            f"unknown --removal-unit {removal_unit!r}",
            fix=f"use one of: {', '.join(REMOVAL_UNITS)}",
        )
    before = inputs.net
    if before.graph.vcount() == 0:
        raise EmptyNetwork("the view has no actors", fix="widen the view filters")
    changes = inputs.changes
    applied = apply_changes(before, changes)
    after = applied.net
    notes = list(inputs.notes) + applied.notes
    counts = {
        "actors_removed": len(applied.removed),
        "ties_of_removed_actors": applied.ties_of_removed,
        "ties_dropped": applied.dropped,
        "ties_added": applied.added,
        "actors_added": len(applied.added_actors),
    }
    method: dict[str, Any] = {"betweenness": "exact (Brandes), normalized by each view's actors"}
    if rank_removals:
        if not changes.empty:
            notes.append("removals ranked in the view after the scenario")
        removals, curve = _removals(after, rank_removals, removal_unit, seed, progress)
        method["removals"] = (
            f"each of {len(removals)} {removal_unit} removed alone, ranked by pairs of other "
            "actors cut apart; attack curve: removed cumulatively in rank order"
        )
        return WhatifResult(
            changes.describe(), counts, [], [], [], [], [], removals, curve, method, notes
        )
    if changes.empty:
        raise BadFilter(
            "whatif needs a change or --rank-removals K",
            fix="e.g. --remove-actor ID, --drop-track education, --add-ties FILE",
        )
    samples = betweenness_samples(before)
    if boot is None:
        boot = 0 if samples else 200
        if samples:
            notes.append(
                "no bootstrap intervals: this view is too large to resample in reasonable time "
                "(--boot N forces them)"
            )
    steps = 6 + 2 * boot
    done = [0]

    def tick(k: int = 1) -> None:
        done[0] += k
        progress(done[0], steps)

    bb = betweenness(before, samples=samples, seed=seed)
    ba = betweenness(after, samples=samples, seed=seed)
    if samples:
        method["betweenness"] = (
            f"estimated from {samples} sampled sources per large component (Brandes & Pich "
            f"2007, seed {seed}), normalized by each view's actors; small rank shifts may be "
            "sampling error"
        )
    tick()
    sources = _path_sources(before, seed)
    if sources is not None:
        method["giant_path_length"] = (
            f"estimated from {len(sources)} actors of the largest component drawn before the "
            f"change (seed {seed}), the same ones after it less any removed (Eppstein & Wang "
            "2004)"
        )
    gone = set(applied.removed)
    factors = _factors(
        before, after, bb, ba, sources, [a for a in sources if a not in gone] if sources else None
    )
    tick()
    if boot:
        _paired_intervals(factors, before, after, boot, resample, seed, tick)
        method["intervals"] = (
            f"paired bootstrap, {boot} resamples of {resample} (seed {seed}), 95% percentile"
        )
    brokers = _brokers(before, after, bb, ba, top)
    bro = _by_country_brokerage(before, after)
    tick()
    ei = _by_country_ei(before, after)
    tick()
    if with_scorecard is None:
        with_scorecard = not samples
        if samples:
            notes.append(
                "no scorecard: on a view this large it takes minutes before and after "
                "(--scorecard forces it)"
            )
    card: list[dict[str, Any]] = []
    if with_scorecard:
        card, card_note = _scorecard(before, after, inputs.config, boot, resample, seed, tick)
        notes.extend(card_note)
    tick()
    return WhatifResult(
        changes.describe(), counts, factors, brokers, bro, ei, card, [], [], method, notes
    )


PATH_SOURCES = 500
"""Above this many actors in the largest component, its path length is estimated from this many."""


def _path_sources(net: Network, seed: int) -> list[str] | None:
    """Actors to estimate the path length from (None: exact), drawn from the giant component.

    Drawn from the view before the change, so that the view's value is the same whatever the
    scenario; after the change the same actors are used, less those removed."""
    giant = giant_component(net)
    if len(giant) <= PATH_SOURCES:
        return None
    ids = net.ids
    pool = [ids[v] for v in giant]
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(pool), size=min(PATH_SOURCES, len(pool)), replace=False)
    return sorted(pool[i] for i in picked)


def _values(net: Network, b: Betweenness, sources: list[str] | None) -> dict[str, Any]:
    """The core factors of :func:`~civnet.measures.change.timeline.core_factors` from ``b``, reach and
    the path length."""
    r = reach(net)
    n = net.graph.vcount()
    return {
        "nodes": n,
        "edges": net.graph.ecount(),
        "ties": net.ties.num_rows,
        "density": density(net) if n else float("nan"),
        "mean_betweenness": float(b.values.mean()) if n else float("nan"),
        "max_betweenness": float(b.values.max()) if n else float("nan"),
        "components": r.components,
        "largest_component": r.largest,
        "connected_pairs": r.connected,
        "reach": r.share,
        "giant_path_length": giant_path_length(net, sources),
    }


def _factors(
    before: Network,
    after: Network,
    bb: Betweenness,
    ba: Betweenness,
    sources: list[str] | None,
    sources_after: list[str] | None,
) -> list[dict[str, Any]]:
    vb, va = _values(before, bb, sources), _values(after, ba, sources_after)
    rows = []
    for key, what in FACTORS:
        b, a = vb.get(key), va.get(key)
        diff = a - b if a is not None and b is not None else None
        rows.append({"measure": key, "counts": what, "before": b, "after": a, "difference": diff})
    return rows


def _paired_intervals(
    factors: list[dict[str, Any]],
    before: Network,
    after: Network,
    boot: int,
    resample: str,
    seed: int,
    tick: Any,
) -> None:
    """Add before/after/difference intervals of density and mean betweenness to ``factors``."""
    sampler = Resampler([before, after], resample)
    rng = np.random.default_rng(seed)
    keys = ("density", "mean_betweenness")
    reps = {k: np.empty((boot, 2)) for k in keys}
    for r in range(boot):
        rb, ra = sampler.replicates(rng)
        vb, va = evaluate(core_statistic, rb), evaluate(core_statistic, ra)
        for k in keys:
            reps[k][r] = (vb.get(k, np.nan), va.get(k, np.nan))
        tick()
    for row in factors:
        k = row["measure"]
        if k not in reps:
            continue
        x = reps[k]
        for col, est, draws in (
            ("before", row["before"], x[:, 0]),
            ("after", row["after"], x[:, 1]),
            ("diff", row["difference"], x[:, 1] - x[:, 0]),
        ):
            iv = percentile_interval(est, draws)
            row[f"{col}_low"], row[f"{col}_high"] = iv.low, iv.high


def _ranks(net: Network, b: Betweenness) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in betweenness_records(net, b, None)}


def _brokers(
    before: Network, after: Network, bb: Betweenness, ba: Betweenness, top: int
) -> list[dict[str, Any]]:
    """Top ``top`` brokers after, and the top ``top`` before that fell out or were removed."""
    rb, ra = _ranks(before, bb), _ranks(after, ba)
    shown = [i for i, r in ra.items() if r["rank"] <= top]
    shown += [i for i, r in rb.items() if r["rank"] <= top and i not in shown]
    rows = []
    for i in shown:
        b, a = rb.get(i), ra.get(i)
        base = a or b
        assert base is not None
        rank_b = b["rank"] if b else None
        rank_a = a["rank"] if a else None
        rows.append(
            {
                "id": i,
                "name": base["name"],
                "type": base["type"],
                "country": base["country"],
                "rank_before": rank_b,
                "rank_after": rank_a,
                "rank_difference": rank_a - rank_b if rank_a and rank_b else None,
                "betweenness_before": b["betweenness"] if b else None,
                "betweenness_after": a["betweenness"] if a else None,
                "betweenness_difference": (
                    a["betweenness"] - b["betweenness"] if a and b else None
                ),
                "status": "removed" if a is None else ("added" if b is None else ""),
            }
        )
    rows.sort(key=lambda r: (r["rank_after"] is None, r["rank_after"] or r["rank_before"]))
    return rows


def _by_country_brokerage(before: Network, after: Network) -> list[dict[str, Any]]:
    """Brokered pairs (Gould-Fernandez total) of each country's actors, before and after."""
    total = ROLES.index("total")
    vals: list[dict[str, float]] = []
    for net in (before, after):
        if net.graph.vcount() == 0:
            vals.append({})
            continue
        b = brokerage(net, "country")
        vals.append({g: int(b.group_raw[i, total]) for i, g in enumerate(b.groups)})
    return _country_rows(vals[0], vals[1], "brokered_pairs")


def _by_country_ei(before: Network, after: Network) -> list[dict[str, Any]]:
    """E-I index of each country (Krackhardt-Stern), before and after; NaN without ties."""
    vals: list[dict[str, float]] = []
    for net in (before, after):
        if net.graph.vcount() == 0:
            vals.append({})
            continue
        e = ei_index(net, "country")
        vals.append({g: float(e.group_index[i]) for i, g in enumerate(e.groups)})
    return _country_rows(vals[0], vals[1], "ei")


def _country_rows(
    before: dict[str, float], after: dict[str, float], name: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in sorted(set(before) | set(after)):
        b, a = before.get(c), after.get(c)
        diff = a - b if a is not None and b is not None else None
        rows.append(
            {
                "country": c,
                f"{name}_before": b,
                f"{name}_after": a,
                f"{name}_difference": diff if diff is None or np.isfinite(diff) else None,
            }
        )
    rows.sort(key=lambda r: (-abs(r[f"{name}_difference"] or 0.0), r["country"]))
    return rows


def _scorecard(
    before: Network,
    after: Network,
    config: ScorecardConfig,
    boot: int,
    resample: str,
    seed: int,
    tick: Any,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Overall scorecard score and rank of each country before and after, with intervals."""
    out: list[dict[str, Any]] = []
    cards = []
    for net in (before, after):
        try:
            cards.append(scorecard(net, config))
        except EmptyNetwork as exc:
            return [], [f"no scorecard: {exc.what}"]
    ivs = []
    if boot:
        for net in (before, after):
            ivs.append(
                scorecard_bootstrap(
                    net, config, n_boot=boot, unit=resample, seed=seed, progress=None
                )
            )
            tick(boot)
    ranks = []
    for card in cards:
        order = sorted(card.countries, key=lambda c: (-card.overall[c], c))
        ranks.append({c: i + 1 for i, c in enumerate(order)})
    for c in sorted(set(cards[0].countries) | set(cards[1].countries)):
        b, a = cards[0].overall.get(c), cards[1].overall.get(c)
        row: dict[str, Any] = {
            "country": c,
            "overall_before": b,
            "overall_after": a,
            "overall_difference": a - b if a is not None and b is not None else None,
            "rank_before": ranks[0].get(c),
            "rank_after": ranks[1].get(c),
        }
        if ivs:
            for tag, iv in (("before", ivs[0]), ("after", ivs[1])):
                row[f"overall_{tag}_low"] = iv.low["overall"].get(c)
                row[f"overall_{tag}_high"] = iv.high["overall"].get(c)
        out.append(row)
    out.sort(key=lambda r: (r["rank_after"] is None, r["rank_after"] or 0, r["country"]))
    notes = [
        "scorecard scores are scaled 0-100 within each view, so a score can move because "
        "other countries changed"
    ]
    return out, notes


# -- removals -----------------------------------------------------------------------------------------


def _removals(
    net: Network, k: int, unit: str, seed: int, progress: Progress
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rank the removals of ``unit`` in ``net`` and the attack curve in rank order.

    The top brokers are chosen by betweenness as ``civnet analyze`` computes it (estimated from
    sampled sources, with ``seed``, on views too large for the exact computation)."""
    g = net.graph
    ids = net.ids
    labels = net.vertex_attr("label") if "label" in g.vs.attributes() else ids
    if unit == "brokers":
        b = betweenness(net, samples=betweenness_samples(net), seed=seed)
        ranked = betweenness_records(net, b, k)
        index = {a: i for i, a in enumerate(ids)}
        cands = removal_candidates(ids, labels, [], unit, [index[r["id"]] for r in ranked], k)
    else:
        attr = "country" if unit == "countries" else "type"
        values = net.vertex_attr(attr) if attr in g.vs.attributes() else [None] * len(ids)
        cands = removal_candidates(ids, labels, values, unit)
    if not cands:
        raise EmptyNetwork(f"the view has no {unit} to remove", fix="widen the view filters")
    ranking = rank_removals(g, cands, progress)
    rows = [
        {
            "rank": imp.rank,
            "key": imp.candidate.key,
            "name": imp.candidate.label,
            "actors_removed": imp.cut.removed,
            "pairs_cut": imp.cut.pairs_cut,
            "reach_lost": imp.cut.pairs_cut / imp.cut.possible if imp.cut.possible else None,
            "reach_after": imp.cut.share,
            "components_after": imp.cut.components,
            "largest_after": imp.cut.largest,
        }
        for imp in ranking
    ]
    shown = ranking[:k]
    curve = attack_curve(g, [imp.candidate for imp in shown])
    return rows[:k], _curve_rows(curve, [imp.candidate.key for imp in shown])


def _curve_rows(curve: list[Cut], keys: list[str]) -> list[dict[str, Any]]:
    rows = []
    removed = 0
    for step, cut in enumerate(curve):
        removed += cut.removed
        rows.append(
            {
                "step": step,
                "removed": keys[step - 1] if step else None,
                "actors_removed": removed,
                "actors": cut.actors,
                "connected_pairs": cut.connected,
                "reach": cut.share,
                "components": cut.components,
                "largest": cut.largest,
            }
        )
    return rows
