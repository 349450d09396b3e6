"""Commands for brokerage and structure: brokerage, holes, ei, communities, mixing, diversity."""

import dataclasses
from typing import Annotated, Any

import numpy as np
import typer

from civnet.cli.app import app, console
from civnet.cli.measure_cmds import load_view
from civnet.cli.options import Format, check_format, view_options
from civnet.products.render import emit, fmt_number
from civnet.views import Network, ViewSpec
from civnet.vocab import TRACKS

By = Annotated[
    str, typer.Option("--by", help="Actor attribute that defines the groups (country, type...).")
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the random procedure.")]
Top = Annotated[
    int | None, typer.Option("--top", help="Rows shown per table (all in csv/json unless set).")
]


def _note(text: str) -> None:
    console.print(f"[dim]{text}[/]", highlight=False, soft_wrap=True)


def _notes(net: Network) -> None:
    for note in net.notes:
        _note(f"note: {note}")


def _float(x: Any) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def _vertex(net: Network, attr: str) -> list[Any]:
    return net.vertex_attr(attr) if attr in net.graph.vs.attributes() else [None] * len(net.ids)


# -- brokerage ------------------------------------------------------------------------------------


def _brokerage_records(net: Network, b: Any, track: str | None) -> list[dict[str, Any]]:
    """Long records: one per (scope unit, role, null)."""
    from civnet.measures.brokerage import ROLES, SNA_NAMES

    base = {"track": track} if track is not None else {}
    out: list[dict[str, Any]] = []

    def add(scope: str, unit: str, name: Any, group: Any, role: int, **vals: Any) -> None:
        out.append(
            {
                **base,
                "scope": scope,
                "id": unit,
                "name": name,
                "group": group,
                "role": ROLES[role],
                "sna": SNA_NAMES[ROLES[role]],
                **vals,
            }
        )

    for r in range(6):
        add(
            "network",
            "(all)",
            None,
            None,
            r,
            null="bernoulli",
            raw=float(b.total_raw[r]),
            expected=float(b.total_expected[r]),
            sd=float(b.total_sd[r]),
            z=_float(b.total_z[r]),
            p=None,
        )
        if b.permutation is not None:
            pm = b.permutation
            add(
                "network",
                "(all)",
                None,
                None,
                r,
                null="permutation",
                raw=float(b.total_raw[r]),
                expected=float(pm.total_mean[r]),
                sd=float(pm.total_sd[r]),
                z=_float(pm.total_z[r]),
                p=float(pm.total_p[r]),
            )
    for i, gname in enumerate(b.groups):
        for r in range(6):
            add(
                "group",
                gname,
                None,
                gname,
                r,
                null="bernoulli",
                raw=float(b.group_raw[i, r]),
                expected=float(b.group_expected[i, r] * b.sizes[i]),
                sd=None,
                z=None,
                p=None,
            )
            if b.permutation is not None:
                pm = b.permutation
                add(
                    "group",
                    gname,
                    None,
                    gname,
                    r,
                    null="permutation",
                    raw=float(b.group_raw[i, r]),
                    expected=float(pm.group_mean[i, r]),
                    sd=float(pm.group_sd[i, r]),
                    z=_float(pm.group_z[i, r]),
                    p=float(pm.group_p[i, r]),
                )
    names = _vertex(net, "label")
    for v, actor in enumerate(b.ids):
        for r in range(6):
            add(
                "actor",
                actor,
                names[v],
                b.labels[v],
                r,
                null="bernoulli",
                raw=float(b.raw[v, r]),
                expected=float(b.expected[v, r]),
                sd=float(b.sd[v, r]),
                z=_float(b.z[v, r]),
                p=None,
            )
    return out


def _per_track_views(spec: ViewSpec) -> list[tuple[str, Network]]:
    tracks = spec.tracks or TRACKS
    out = []
    for t in tracks:
        net = load_view(dataclasses.replace(spec, tracks=(t,)))
        if net.graph.ecount():
            out.append((t, net))
    return out


@app.command("brokerage")
@view_options
def brokerage_cmd(
    spec: ViewSpec,
    by: By = "country",
    per_track: Annotated[
        bool, typer.Option("--per-track", help="One analysis per track (as --track T).")
    ] = False,
    permutations: Annotated[
        int,
        typer.Option("--permutations", help="Also a label-permutation null with N draws."),
    ] = 0,
    seed: Seed = 0,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Gould-Fernandez brokerage roles per actor, group and network, with sna's null model."""
    from civnet.measures.brokerage import brokerage

    check_format(fmt)
    runs = _per_track_views(spec) if per_track else [(None, load_view(spec))]
    records: list[dict[str, Any]] = []
    results = []
    for track, net in runs:
        b = brokerage(net, by, permutations=permutations, seed=seed)
        results.append((track, net, b))
        records.extend(_brokerage_records(net, b, track))
    if fmt != "table":
        if top is not None:
            records = _top_actor_records(records, top)
        emit(console, fmt, records=records)
        return
    for track, net, b in results:
        _brokerage_tables(net, b, track, top if top is not None else 15)
    if not results:
        _note("no track has ties in this view")


def _top_actor_records(records: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    totals: dict[tuple[Any, str], float] = {}
    for r in records:
        if r["scope"] == "actor" and r["role"] == "total":
            totals[(r.get("track"), r["id"])] = r["raw"]
    keep = set(sorted(totals, key=lambda k: (-totals[k], str(k)))[:top])
    return [r for r in records if r["scope"] != "actor" or (r.get("track"), r["id"]) in keep]


def _brokerage_tables(net: Network, b: Any, track: str | None, top: int) -> None:
    from civnet.measures.brokerage import ROLES, SNA_NAMES

    where = f" — track {track}" if track else ""
    rows = []
    for r, role in enumerate(ROLES):
        row: dict[str, Any] = {
            "role": f"{role} ({SNA_NAMES[role]})",
            "raw": int(b.total_raw[r]),
            "expected": float(b.total_expected[r]),
            "z": _float(b.total_z[r]),
        }
        if b.permutation is not None:
            row["perm mean"] = float(b.permutation.total_mean[r])
            row["perm z"] = _float(b.permutation.total_z[r])
            row["perm p"] = float(b.permutation.total_p[r])
        rows.append(row)
    caption = f"expected, z: Bernoulli graph with density {fmt_number(b.density)} (sna::brokerage)"
    if b.permutation is not None:
        caption += (
            f"; perm: {b.permutation.permutations} label permutations (seed "
            f"{b.permutation.seed}), two-sided p"
        )
    emit(
        console,
        "table",
        records=rows,
        title=f"brokerage by {b.attribute}{where}: network totals",
        caption=caption,
    )
    order = sorted(range(len(b.groups)), key=lambda i: (-b.group_raw[i, 5], b.groups[i]))[:top]
    emit(
        console,
        "table",
        records=[
            {
                b.attribute: b.groups[i],
                "actors": int(b.sizes[i]),
                **{ROLES[r]: int(b.group_raw[i, r]) for r in range(6)},
            }
            for i in order
        ],
        title=f"brokerage by group (top {len(order)} of {len(b.groups)} by total)",
    )
    names = _vertex(net, "label")
    order = sorted(range(len(b.ids)), key=lambda v: (-b.raw[v, 5], b.ids[v]))[:top]
    emit(
        console,
        "table",
        records=[
            {
                "id": b.ids[v],
                "name": names[v],
                b.attribute: b.labels[v],
                **{ROLES[r]: int(b.raw[v, r]) for r in range(6)},
                "z total": _float(b.z[v, 5]),
            }
            for v in order
        ],
        title=f"top {len(order)} brokers (z: Bernoulli null by the broker's group)",
    )
    _notes(net)


# -- structural holes -----------------------------------------------------------------------------


@app.command("holes")
@view_options
def holes_cmd(
    spec: ViewSpec,
    weighted: Annotated[bool, typer.Option("--weighted", help="Use tie weights.")] = False,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Burt's constraint, effective size and efficiency of every actor (lowest constraint first)."""
    from civnet.measures.holes import structural_holes

    check_format(fmt)
    net = load_view(spec)
    h = structural_holes(net, weighted=weighted)
    names, types, countries = (_vertex(net, a) for a in ("label", "type", "country"))
    order = sorted(
        range(len(h.ids)),
        key=lambda v: (np.isnan(h.constraint[v]), h.constraint[v], h.ids[v]),
    )
    limit = top if top is not None else (20 if fmt == "table" else None)
    records = [
        {
            "id": h.ids[v],
            "name": names[v],
            "type": types[v],
            "country": countries[v],
            "degree": int(h.degree[v]),
            "constraint": _float(h.constraint[v]),
            "effective_size": _float(h.effective_size[v]),
            "efficiency": _float(h.efficiency[v]),
        }
        for v in order[:limit]
    ]
    emit(
        console,
        fmt,
        records=records,
        title=f"structural holes ({'weighted' if weighted else 'unweighted'}; "
        f"{len(records)} of {len(h.ids)} actors, lowest constraint first)",
    )
    if fmt == "table":
        _notes(net)


# -- E-I index ------------------------------------------------------------------------------------


@app.command("ei")
@view_options
def ei_cmd(
    spec: ViewSpec,
    by: By = "country",
    permutations: Annotated[
        int, typer.Option("--permutations", help="Label permutations for the p-values.")
    ] = 1000,
    seed: Seed = 0,
    weighted: Annotated[bool, typer.Option("--weighted", help="Sum tie weights.")] = False,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Krackhardt-Stern E-I index of the network, each group and each actor."""
    from civnet.measures.ei import ei_index

    check_format(fmt)
    net = load_view(spec)
    e = ei_index(net, by, weighted=weighted, permutations=permutations, seed=seed)
    pm = e.permutation
    network = {
        "scope": "network",
        "id": "(all)",
        "group": None,
        "external": e.external,
        "internal": e.internal,
        "ei": _float(e.index),
        "perm_mean": _float(pm.mean) if pm else None,
        "p_greater": _float(pm.p_greater) if pm else None,
        "p_less": _float(pm.p_less) if pm else None,
    }
    groups = [
        {
            "scope": "group",
            "id": g,
            "group": g,
            "actors": int(e.sizes[i]),
            "external": float(e.group_external[i]),
            "internal": float(e.group_internal[i]),
            "ei": _float(e.group_index[i]),
            "perm_mean": _float(pm.group_mean[i]) if pm else None,
            "p_greater": _float(pm.group_p_greater[i]) if pm else None,
            "p_less": _float(pm.group_p_less[i]) if pm else None,
        }
        for i, g in enumerate(e.groups)
    ]
    groups.sort(key=lambda r: (-(r["external"] + r["internal"]), r["id"]))
    actors = [
        {
            "scope": "actor",
            "id": a,
            "group": e.labels[v],
            "external": float(e.actor_external[v]),
            "internal": float(e.actor_internal[v]),
            "ei": _float(e.actor_index[v]),
        }
        for v, a in enumerate(e.ids)
    ]
    if top is not None:
        groups = groups[:top]
        actors = sorted(actors, key=lambda r: (-(r["external"] + r["internal"]), r["id"]))[:top]
    null = f"{permutations} label permutations, seed {seed}" if pm else "no permutations"
    if fmt != "table":
        emit(console, fmt, records=[network, *groups, *actors])
        return
    emit(
        console,
        fmt,
        records=[network],
        columns=["external", "internal", "ei", "perm_mean", "p_greater", "p_less"],
        title=f"E-I index by {by} ({'weighted' if weighted else 'tie counts'}; null: {null})",
        caption="E-I = (E - I) / (E + I): +1 all ties external, -1 all internal",
    )
    emit(
        console,
        fmt,
        records=groups[: top if top is not None else 20],
        columns=[
            "group",
            "actors",
            "external",
            "internal",
            "ei",
            "perm_mean",
            "p_greater",
            "p_less",
        ],
        title=f"E-I index by group ({min(len(groups), top or 20)} of {len(e.groups)}, most ties first)",
    )
    _notes(net)


# -- communities and mixing -----------------------------------------------------------------------


@app.command("communities")
@view_options
def communities_cmd(
    spec: ViewSpec,
    seed: Seed = 0,
    resolution: Annotated[
        float, typer.Option("--resolution", help="Modularity resolution (higher: smaller).")
    ] = 1.0,
    weighted: Annotated[bool, typer.Option("--weighted", help="Use tie weights.")] = False,
    by: By = "country",
    members: Annotated[
        bool, typer.Option("--members", help="List each actor's community instead.")
    ] = False,
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Leiden communities (modularity), and how they cut across countries and tracks."""
    from civnet.measures.communities import community_profile, leiden

    check_format(fmt)
    net = load_view(spec)
    c = leiden(net, seed=seed, resolution=resolution, weighted=weighted)
    title = (
        f"{len(c.sizes)} Leiden communities, modularity {fmt_number(c.modularity)} "
        f"(resolution {resolution}, seed {seed}{', weighted' if weighted else ''})"
    )
    if members:
        labels, attr = _vertex(net, "label"), _vertex(net, by) if by != "id" else net.ids
        rows = [
            {"id": a, "name": labels[v], by: attr[v], "community": int(c.membership[v])}
            for v, a in enumerate(c.ids)
        ]
        emit(console, fmt, records=rows[:top] if top else rows, title=title)
        return
    prof = community_profile(net, c, by)
    rows = []
    limit = top if top is not None else (15 if fmt == "table" else len(c.sizes))
    for ci in range(min(limit, len(c.sizes))):
        shares = prof.track_share[ci] if prof.tracks else np.zeros(0)
        order = sorted(range(len(prof.tracks)), key=lambda j: (-prof.track_counts[ci, j], j))
        row: dict[str, Any] = {
            "community": ci,
            "actors": int(c.sizes[ci]),
            "countries" if by == "country" else f"{by} groups": int((prof.crosstab[ci] > 0).sum()),
            f"top {by}": ", ".join(f"{g} {n}" for g, n in prof.top_groups(ci, 3)),
            "ties inside": int(prof.internal_ties[ci]),
            "tracks": ", ".join(
                f"{prof.tracks[j]} {shares[j]:.0%}" for j in order[:3] if prof.track_counts[ci, j]
            ),
        }
        if fmt != "table":
            row[f"by_{by}"] = {g: int(n) for g, n in prof.top_groups(ci, len(prof.groups))}
            row["track_share"] = {
                prof.tracks[j]: float(shares[j]) for j in order if prof.track_counts[ci, j]
            }
        rows.append(row)
    if fmt == "json":
        emit(
            console,
            fmt,
            obj={
                "modularity": c.modularity,
                "resolution": resolution,
                "seed": seed,
                "weighted": weighted,
                "communities": rows,
                "crosstab": {
                    "rows": list(range(len(c.sizes))),
                    "columns": prof.groups,
                    "counts": prof.crosstab,
                },
            },
        )
        return
    emit(console, fmt, records=rows, title=title)
    if fmt == "table":
        _notes(net)


@app.command("mixing")
@view_options
def mixing_cmd(
    spec: ViewSpec,
    by: By = "country",
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Mixing matrix of an actor attribute and its assortativity (Newman)."""
    from civnet.measures.communities import mixing

    check_format(fmt)
    net = load_view(spec)
    m = mixing(net, by)
    cells = [
        {"from": a, "to": b, "ties": int(m.counts[i, j]), "fraction": float(m.fractions[i, j])}
        for i, a in enumerate(m.groups)
        for j, b in enumerate(m.groups)
        if m.counts[i, j]
    ]
    if fmt == "json":
        emit(
            console,
            fmt,
            obj={
                "by": by,
                "assortativity": _float(m.assortativity),
                "directed": m.directed,
                "groups": m.groups,
                "counts": m.counts,
            },
        )
        return
    if fmt == "csv":
        emit(console, fmt, records=cells)
        return
    console.print(f"assortativity by {by}: {fmt_number(m.assortativity)}", highlight=False)
    size = m.counts.sum(axis=1)
    order = sorted(range(len(m.groups)), key=lambda i: (-size[i], m.groups[i]))[: top or 12]
    emit(
        console,
        fmt,
        records=[
            {by: m.groups[i], **{m.groups[j]: int(m.counts[i, j]) for j in order}} for i in order
        ],
        title=f"mixing matrix by {by} (arcs; largest {len(order)} of {len(m.groups)} groups)",
        caption="an undirected tie counts once in each direction",
    )
    _notes(net)


# -- diversity ------------------------------------------------------------------------------------


@app.command("diversity")
@view_options
def diversity_cmd(spec: ViewSpec, top: Top = None, fmt: Format = "table") -> None:
    """Subject and field diversification of each country's cross-border ties; multiplexity."""
    from civnet.measures.diversity import country_diversity, multiplexity

    check_format(fmt)
    if spec.level == "country":
        if fmt == "table":
            _note(
                "diversity is computed per country from actor-level ties (--level country ignored)"
            )
        spec = dataclasses.replace(spec, level="actor")
    net = load_view(spec)
    d = country_diversity(net)
    rows = [
        {
            "country": c,
            "actors": int(d.actors[i]),
            "subject_entropy": float(d.subject_entropy[i]),
            "subject_blau": float(d.subject_blau[i]),
            "ties": int(d.ties[i]),
            "field_entropy": float(d.field_entropy[i]),
            "field_blau": float(d.field_blau[i]),
            "partners": int(d.partners[i]),
            "tracks_per_partner": _float(d.partner_mean_tracks[i]),
            "multi_track_partners": _float(d.partner_multi_share[i]),
            "actor_dyads": int(d.actor_dyads[i]),
            "multi_track_actor_dyads": _float(d.actor_dyad_multi_share[i]),
        }
        for i, c in enumerate(d.countries)
    ]
    if fmt == "json":
        for i, r in enumerate(rows):
            r["actor_types"] = d.actor_types[i]
            r["tracks"] = d.tracks[i]
    rows.sort(key=lambda r: (-r["ties"], r["country"]))
    limit = top if top is not None else (20 if fmt == "table" else None)
    rows = rows[:limit]
    if fmt != "table":
        emit(console, fmt, records=rows)
        return
    emit(
        console,
        fmt,
        records=rows,
        title=f"diversification of cross-border ties ({len(rows)} of {len(d.countries)} "
        "countries, most ties first)",
        caption="subject: actor types of the actors holding cross-border ties; field: tracks of "
        "those ties; entropy in nats, Blau = 1 - sum p^2",
    )
    whole = multiplexity(net, level="actor")
    console.print(
        f"actor dyads: {len(whole.tracks):,}; mean distinct tracks "
        f"{fmt_number(whole.mean_tracks)}; multi-track share {fmt_number(whole.multi_track_share)}",
        highlight=False,
    )
    _notes(net)
