"""Results of the structure measures as products show them: brokerage, holes, E-I, communities,
mixing and diversity.

Each ``*_result`` function computes a measure of :mod:`civnet.measures` over a view and returns a
small result object; its ``json()`` is what ``civnet <measure> --format json`` prints (and what
``GET /api/<measure>`` returns), and the CLI draws its tables from the same object. The catalog
(:mod:`civnet.products.catalog`) registers them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from civnet.measures.change.coverage import Notice
from civnet.measures.intermediation.betweenness import Progress
from civnet.measures.intermediation.brokerage import ROLES, SNA_NAMES, Brokerage, brokerage
from civnet.measures.intermediation.holes import Holes, structural_holes
from civnet.measures.structure.communities import (
    Communities,
    CommunityProfile,
    Mixing,
    community_profile,
    leiden,
    mixing,
)
from civnet.measures.structure.diversity import (
    CountryDiversity,
    Multiplexity,
    country_diversity,
    multiplexity,
)
from civnet.measures.structure.ei import ei_index
from civnet.products.periods import view_notices
from civnet.regions import GROUPINGS, grouping_values
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network
from civnet.vocab import TRACKS


def nan_to_none(x: Any) -> float | None:
    """``float(x)``, or ``None`` for NaN."""
    v = float(x)
    return None if np.isnan(v) else v


def vertex_values(net: Network, attr: str) -> list[Any]:
    """The vertex attribute ``attr`` of every actor (``None`` where the view lacks it).

    ``continent`` and ``region`` are derived from the actor's country (:mod:`civnet.regions`).
    """
    attributes = net.graph.vs.attributes()
    if attr in GROUPINGS and attr not in attributes:
        return grouping_values(attr, vertex_values(net, "country"))
    return net.vertex_attr(attr) if attr in attributes else [None] * len(net.ids)


# -- brokerage ------------------------------------------------------------------------------------


def brokerage_views(ws: Workspace, spec: ViewSpec, per_track: bool = False) -> list[BrokerageRun]:
    """The views brokerage runs on: the view, or one per track with ties (``--per-track``)."""
    if not per_track:
        return [BrokerageRun(None, build_network(ws, spec))]
    runs = []
    for track in spec.tracks or TRACKS:
        net = build_network(ws, dataclasses.replace(spec, tracks=(track,)))
        if net.graph.ecount():
            runs.append(BrokerageRun(track, net))
    return runs


@dataclass(frozen=True)
class BrokerageRun:
    """One analysed view: its track (``None``: the whole view), the view, and its brokerage."""

    track: str | None
    net: Network
    result: Brokerage | None = None


@dataclass(frozen=True)
class BrokerageResult:
    runs: list[BrokerageRun]
    top: int | None

    def json(self) -> dict[str, Any]:
        """``records``: long records, one per (scope unit, role, null); ``top`` keeps the top
        actors by total, ranked among organisations and cities (aggregates are left out of the
        top list). ``runs``: per analysed view its track, the density of its Bernoulli null, its
        groups and the actors it ranks (all of them, whatever ``top``)."""
        records = [r for run in self.runs for r in brokerage_records(run)]
        ranked = {
            (run.track, a)
            for run in self.runs
            for a, keep in zip(run.net.ids, run.net.ranked(), strict=True)
            if keep
        }
        runs = [
            {
                "track": run.track,
                "density": run.result.density if run.result is not None else None,
                "n_groups": len(run.result.groups) if run.result is not None else 0,
                "ranked_actors": sum(1 for t, _ in ranked if t == run.track),
            }
            for run in self.runs
        ]
        if self.top is not None:
            records = _top_actor_records(records, self.top, ranked)
        return {"records": records, "runs": runs}


def brokerage_result(
    runs: list[BrokerageRun],
    progress: Progress,
    by: str = "country",
    permutations: int = 0,
    seed: int = 0,
    top: int | None = None,
) -> BrokerageResult:
    """``civnet brokerage [--by BY] [--per-track] [--permutations N --seed S] [--top K]``."""
    done = []
    steps = max(permutations, 1)
    for i, run in enumerate(runs):

        def step(p: int, _n: int, _i: int = i) -> None:
            progress(_i * steps + p, len(runs) * steps)

        b = brokerage(run.net, by, permutations=permutations, seed=seed, progress=step)
        done.append(dataclasses.replace(run, result=b))
        progress((i + 1) * steps, len(runs) * steps)
    return BrokerageResult(done, top)


def brokerage_records(run: BrokerageRun) -> list[dict[str, Any]]:
    """Network, group and actor records of one run, with the Bernoulli and permutation nulls."""
    b = run.result
    assert b is not None
    base = {"track": run.track} if run.track is not None else {}
    out: list[dict[str, Any]] = []

    def add(unit: tuple[str, str, Any, Any], r: int, null: str, *vals: float | None) -> None:
        scope, uid, name, group = unit
        role = ROLES[r]
        head = {**base, "scope": scope, "id": uid, "name": name, "group": group}
        nums = dict(zip(("raw", "expected", "sd", "z", "p"), vals, strict=True))
        out.append({**head, "role": role, "sna": SNA_NAMES[role], "null": null, **nums})

    pm = b.permutation
    whole = ("network", "(all)", None, None)
    for r in range(6):
        raw = float(b.total_raw[r])
        expected, sd = float(b.total_expected[r]), float(b.total_sd[r])
        add(whole, r, "bernoulli", raw, expected, sd, nan_to_none(b.total_z[r]), None)
        if pm is not None:
            mean, psd, p = float(pm.total_mean[r]), float(pm.total_sd[r]), float(pm.total_p[r])
            add(whole, r, "permutation", raw, mean, psd, nan_to_none(pm.total_z[r]), p)
    for i, gname in enumerate(b.groups):
        group = ("group", gname, None, gname)
        for r in range(6):
            raw = float(b.group_raw[i, r])
            add(
                group,
                r,
                "bernoulli",
                raw,
                float(b.group_expected[i, r] * b.sizes[i]),
                None,
                None,
                None,
            )
            if pm is not None:
                mean, psd, p = (
                    float(pm.group_mean[i, r]),
                    float(pm.group_sd[i, r]),
                    float(pm.group_p[i, r]),
                )
                add(group, r, "permutation", raw, mean, psd, nan_to_none(pm.group_z[i, r]), p)
    names = vertex_values(run.net, "label")
    for v, actor in enumerate(b.ids):
        unit = ("actor", actor, names[v], b.labels[v])
        for r in range(6):
            raw, expected, sd = float(b.raw[v, r]), float(b.expected[v, r]), float(b.sd[v, r])
            add(unit, r, "bernoulli", raw, expected, sd, nan_to_none(b.z[v, r]), None)
    return out


def _top_actor_records(
    records: list[dict[str, Any]], top: int, ranked: set[tuple[Any, str]]
) -> list[dict[str, Any]]:
    """Network and group records, and the records of the ``top`` actors by total (per track)
    among the (track, actor) keys in ``ranked``."""
    totals: dict[tuple[Any, str], float] = {}
    for r in records:
        if r["scope"] == "actor" and r["role"] == "total" and (r.get("track"), r["id"]) in ranked:
            totals[(r.get("track"), r["id"])] = r["raw"]
    keep = set(sorted(totals, key=lambda k: (-totals[k], str(k)))[:top])
    return [r for r in records if r["scope"] != "actor" or (r.get("track"), r["id"]) in keep]


# -- structural holes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HolesResult:
    net: Network
    records: list[dict[str, Any]]
    actors: int
    weighted: bool

    def json(self) -> dict[str, Any]:
        """The actors' records (lowest constraint first; ``top``: the first K) and
        ``n_actors``, how many actors the view has."""
        return {"records": self.records, "n_actors": self.actors}


def holes_result(
    net: Network, progress: Progress, weighted: bool = False, top: int | None = None
) -> HolesResult:
    """``civnet holes [--weighted] [--top K]``: actors by constraint, lowest first (ties by id)."""
    h: Holes = structural_holes(net, weighted=weighted)
    names, types, countries = (vertex_values(net, a) for a in ("label", "type", "country"))
    order = sorted(
        range(len(h.ids)),
        key=lambda v: (np.isnan(h.constraint[v]), h.constraint[v], h.ids[v]),
    )
    records = [
        {
            "id": h.ids[v],
            "name": names[v],
            "type": types[v],
            "country": countries[v],
            "degree": int(h.degree[v]),
            "constraint": nan_to_none(h.constraint[v]),
            "effective_size": nan_to_none(h.effective_size[v]),
            "efficiency": nan_to_none(h.efficiency[v]),
        }
        for v in order[:top]
    ]
    progress(1, 1)
    return HolesResult(net, records, len(h.ids), weighted)


# -- E-I index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EIResult:
    net: Network
    network: dict[str, Any]
    groups: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    n_groups: int
    by: str
    weighted: bool
    null: str

    def json(self) -> dict[str, Any]:
        """``records``: the network record, then groups (most ties first), then actors (``top``:
        K of each); ``n_groups`` and ``n_actors``: how many the view has."""
        return {
            "records": [self.network, *self.groups, *self.actors],
            "n_groups": self.n_groups,
            "n_actors": len(self.net.ids),
        }


def ei_result(
    net: Network,
    progress: Progress,
    by: str = "country",
    permutations: int = 1000,
    seed: int = 0,
    weighted: bool = False,
    top: int | None = None,
) -> EIResult:
    """``civnet ei [--by BY] [--permutations N --seed S] [--weighted] [--top K]``."""
    e = ei_index(
        net, by, weighted=weighted, permutations=permutations, seed=seed, progress=progress
    )
    pm = e.permutation
    network = {
        "scope": "network",
        "id": "(all)",
        "group": None,
        "external": e.external,
        "internal": e.internal,
        "ei": nan_to_none(e.index),
        "perm_mean": nan_to_none(pm.mean) if pm else None,
        "p_greater": nan_to_none(pm.p_greater) if pm else None,
        "p_less": nan_to_none(pm.p_less) if pm else None,
    }
    groups: list[dict[str, Any]] = [
        {
            "scope": "group",
            "id": g,
            "group": g,
            "actors": int(e.sizes[i]),
            "external": float(e.group_external[i]),
            "internal": float(e.group_internal[i]),
            "ei": nan_to_none(e.group_index[i]),
            "perm_mean": nan_to_none(pm.group_mean[i]) if pm else None,
            "p_greater": nan_to_none(pm.group_p_greater[i]) if pm else None,
            "p_less": nan_to_none(pm.group_p_less[i]) if pm else None,
        }
        for i, g in enumerate(e.groups)
    ]
    groups.sort(key=lambda r: (-(r["external"] + r["internal"]), r["id"]))
    actors: list[dict[str, Any]] = [
        {
            "scope": "actor",
            "id": a,
            "group": e.labels[v],
            "external": float(e.actor_external[v]),
            "internal": float(e.actor_internal[v]),
            "ei": nan_to_none(e.actor_index[v]),
        }
        for v, a in enumerate(e.ids)
    ]
    if top is not None:
        groups = groups[:top]
        actors = sorted(actors, key=lambda r: (-(r["external"] + r["internal"]), r["id"]))[:top]
    null = f"{permutations} label permutations, seed {seed}" if pm else "no permutations"
    progress(max(permutations, 1), max(permutations, 1))
    return EIResult(net, network, groups, actors, len(e.groups), by, weighted, null)


# -- communities and mixing -----------------------------------------------------------------------


@dataclass(frozen=True)
class CommunitiesResult:
    net: Network
    communities: Communities
    profile: CommunityProfile | None
    rows: list[dict[str, Any]]
    members: bool
    resolution: float
    seed: int
    weighted: bool

    def json(self) -> Any:
        """Members: one row per actor. Otherwise modularity, the communities and the crosstab."""
        if self.members or self.profile is None:
            return self.rows
        c, prof = self.communities, self.profile
        return {
            "modularity": c.modularity,
            "resolution": self.resolution,
            "seed": self.seed,
            "weighted": self.weighted,
            "communities": self.rows,
            "crosstab": {
                "rows": list(range(len(c.sizes))),
                "columns": prof.groups,
                "counts": prof.crosstab,
            },
        }


def communities_result(
    net: Network,
    progress: Progress,
    seed: int = 0,
    resolution: float = 1.0,
    weighted: bool = False,
    by: str = "country",
    members: bool = False,
    top: int | None = None,
) -> CommunitiesResult:
    """``civnet communities [--seed S] [--resolution R] [--weighted] [--by BY] [--members]``.

    Communities, largest first, with their ``by`` groups and tracks (``top``: the first K); with
    ``members``, each actor's community instead.
    """
    c = leiden(net, seed=seed, resolution=resolution, weighted=weighted)
    progress(1, 2)
    if members:
        labels, attr = (
            vertex_values(net, "label"),
            vertex_values(net, by) if by != "id" else net.ids,
        )
        rows = [
            {"id": a, "name": labels[v], by: attr[v], "community": int(c.membership[v])}
            for v, a in enumerate(c.ids)
        ]
        progress(2, 2)
        return CommunitiesResult(
            net, c, None, rows[:top] if top else rows, True, resolution, seed, weighted
        )
    prof = community_profile(net, c, by)
    rows = []
    limit = top if top is not None else len(c.sizes)
    for ci in range(min(limit, len(c.sizes))):
        shares = prof.track_share[ci] if prof.tracks else np.zeros(0)
        order = sorted(range(len(prof.tracks)), key=lambda j: (-prof.track_counts[ci, j], j))
        rows.append(
            {
                "community": ci,
                "actors": int(c.sizes[ci]),
                community_groups_column(by): int((prof.crosstab[ci] > 0).sum()),
                f"top {by}": ", ".join(f"{g} {n}" for g, n in prof.top_groups(ci, 3)),
                "ties inside": int(prof.internal_ties[ci]),
                "tracks": ", ".join(
                    f"{prof.tracks[j]} {shares[j]:.0%}"
                    for j in order[:3]
                    if prof.track_counts[ci, j]
                ),
                f"by_{by}": {g: int(n) for g, n in prof.top_groups(ci, len(prof.groups))},
                "track_share": {
                    prof.tracks[j]: float(shares[j]) for j in order if prof.track_counts[ci, j]
                },
            }
        )
    progress(2, 2)
    return CommunitiesResult(net, c, prof, rows, False, resolution, seed, weighted)


def community_groups_column(by: str) -> str:
    """The name of the column counting a community's distinct ``by`` groups."""
    return "countries" if by == "country" else f"{by} groups"


def community_summary_columns(by: str) -> list[str]:
    """The columns of a community row that the table shows (the rest: JSON and CSV only)."""
    return [
        "community",
        "actors",
        community_groups_column(by),
        f"top {by}",
        "ties inside",
        "tracks",
    ]


@dataclass(frozen=True)
class MixingResult:
    net: Network
    mixing: Mixing
    by: str
    top: int | None = None

    def order(self) -> list[int]:
        """Group indices, most arcs first (ties by name); the first ``top`` with ``top``."""
        m = self.mixing
        size = m.counts.sum(axis=1)
        order = sorted(range(len(m.groups)), key=lambda i: (-size[i], m.groups[i]))
        return order[: self.top] if self.top is not None else order

    def json(self) -> dict[str, Any]:
        """Assortativity (all groups), the arcs in all, and the matrix of the groups shown.

        ``groups`` in name order; with ``top`` only the ``top`` groups with most arcs.
        """
        m = self.mixing
        keep = sorted(self.order()) if self.top is not None else list(range(len(m.groups)))
        return {
            "by": self.by,
            "assortativity": nan_to_none(m.assortativity),
            "directed": m.directed,
            "arcs": int(m.counts.sum()),
            "n_groups": len(m.groups),
            "groups": [m.groups[i] for i in keep],
            "counts": m.counts[np.ix_(keep, keep)],
        }

    def cells(self) -> list[dict[str, Any]]:
        """Non-empty cells of the (shown) mixing matrix as records (``--format csv``)."""
        return mixing_cells(self.json())


def mixing_cells(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Non-empty cells of a mixing JSON as records: from, to, ties, fraction of all arcs."""
    groups, counts, total = data["groups"], data["counts"], data["arcs"]
    return [
        {"from": a, "to": b, "ties": int(counts[i][j]), "fraction": counts[i][j] / total}
        for i, a in enumerate(groups)
        for j, b in enumerate(groups)
        if counts[i][j]
    ]


def mixing_result(
    net: Network, progress: Progress, by: str = "country", top: int | None = None
) -> MixingResult:
    """``civnet mixing [--by BY] [--top K]``: the mixing matrix and Newman's assortativity."""
    m = mixing(net, by)
    progress(1, 1)
    return MixingResult(net, m, by, top)


# -- diversity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiversityInputs:
    """The actor-level view and its coverage notices."""

    net: Network
    notices: list[Notice]


def diversity_view(ws: Workspace, spec: ViewSpec) -> DiversityInputs:
    """The actor-level view: diversity is counted from actors' ties even with ``--level country``;
    with the coverage notices of the view (sources centred on one country, a --from/--to span
    past a source's coverage)."""
    actor_spec = dataclasses.replace(spec, level="actor")
    net = build_network(ws, actor_spec)
    return DiversityInputs(net, view_notices(ws, actor_spec, net))


@dataclass(frozen=True)
class DiversityResult:
    net: Network
    diversity: CountryDiversity
    rows: list[dict[str, Any]]
    notices: list[Notice] = dataclasses.field(default_factory=list)

    def json(self) -> dict[str, Any]:
        """The countries (``top``: the first K), ``n_countries`` (all of them), the whole view's
        multiplexity and the coverage notices."""
        whole = self.whole()
        return {
            "countries": self.rows,
            "n_countries": len(self.diversity.countries),
            "multiplexity": {
                "actor_dyads": len(whole.tracks),
                "mean_tracks": nan_to_none(whole.mean_tracks),
                "multi_track_share": nan_to_none(whole.multi_track_share),
            },
            "notices": [n.json() for n in self.notices],
        }

    def whole(self) -> Multiplexity:
        """Multiplexity of the whole view's actor dyads."""
        return multiplexity(self.net, level="actor")


def diversity_result(
    inputs: DiversityInputs, progress: Progress, top: int | None = None
) -> DiversityResult:
    """``civnet diversity [--top K]``: per country, most cross-border ties first, with the
    coverage notices of the view."""
    net = inputs.net
    d = country_diversity(net)
    rows: list[dict[str, Any]] = [
        {
            "country": c,
            "actors": int(d.actors[i]),
            "subject_entropy": float(d.subject_entropy[i]),
            "subject_blau": float(d.subject_blau[i]),
            "ties": int(d.ties[i]),
            "field_entropy": float(d.field_entropy[i]),
            "field_blau": float(d.field_blau[i]),
            "partners": int(d.partners[i]),
            "tracks_per_partner": nan_to_none(d.partner_mean_tracks[i]),
            "multi_track_partners": nan_to_none(d.partner_multi_share[i]),
            "actor_dyads": int(d.actor_dyads[i]),
            "multi_track_actor_dyads": nan_to_none(d.actor_dyad_multi_share[i]),
            "actor_types": d.actor_types[i],
            "tracks": d.tracks[i],
        }
        for i, c in enumerate(d.countries)
    ]
    rows.sort(key=lambda r: (-r["ties"], r["country"]))
    progress(1, 1)
    return DiversityResult(net, d, rows[:top], inputs.notices)
