"""Commands for brokerage and structure: brokerage, holes, ei, communities, mixing, diversity.

Each parses its options, computes the catalog measure (:mod:`civnet.products.structure_results`)
and renders it; ``--format json`` prints what ``GET /api/<measure>`` returns.
"""

from typing import Annotated, Any

import typer
from rich.markup import escape

from civnet.cli.app import app, console
from civnet.cli.options import Format, check_format, view_options
from civnet.cli.product_cmds import emit_json, measure_result
from civnet.products.analyze import left_out_note, left_out_of_ranking
from civnet.products.render import emit, fmt_number
from civnet.views import Network, ViewSpec
from civnet.vocab import RANKED_LEVELS

By = Annotated[
    str, typer.Option("--by", help="Actor attribute that defines the groups (country, type...).")
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the random procedure.")]
Top = Annotated[
    int | None, typer.Option("--top", help="Rows shown per table (all in csv/json unless set).")
]


def _note(text: str) -> None:
    console.print(f"[dim]{escape(text)}[/]", highlight=False, soft_wrap=True)


def _notes(net: Network) -> None:
    for note in net.notes:
        _note(f"note: {note}")


# -- brokerage ------------------------------------------------------------------------------------


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
    check_format(fmt)
    result = measure_result(
        "brokerage",
        spec,
        by=by,
        per_track=per_track,
        permutations=permutations,
        seed=seed,
        top=top if fmt != "table" else None,
    )
    if fmt == "json":
        emit_json("brokerage", result)
        return
    if fmt == "csv":
        emit(console, fmt, records=result.json())
        return
    for run in result.runs:
        _brokerage_tables(run, top if top is not None else 15)
    if not result.runs:
        _note("no track has ties in this view")


def _brokerage_tables(run: Any, top: int) -> None:
    from civnet.measures.brokerage import ROLES, SNA_NAMES
    from civnet.products.structure_results import nan_to_none, vertex_values

    b = run.result
    where = f" — track {run.track}" if run.track else ""
    rows = []
    for r, role in enumerate(ROLES):
        row: dict[str, Any] = {
            "role": f"{role} ({SNA_NAMES[role]})",
            "raw": int(b.total_raw[r]),
            "expected": float(b.total_expected[r]),
            "z": nan_to_none(b.total_z[r]),
        }
        if b.permutation is not None:
            row["perm mean"] = float(b.permutation.total_mean[r])
            row["perm z"] = nan_to_none(b.permutation.total_z[r])
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
    names = vertex_values(run.net, "label")
    listed = run.net.ranked()
    order = sorted(
        (v for v in range(len(b.ids)) if listed[v]), key=lambda v: (-b.raw[v, 5], b.ids[v])
    )[:top]
    emit(
        console,
        "table",
        records=[
            {
                "id": b.ids[v],
                "name": names[v],
                b.attribute: b.labels[v],
                **{ROLES[r]: int(b.raw[v, r]) for r in range(6)},
                "z total": nan_to_none(b.z[v, 5]),
            }
            for v in order
        ],
        title=f"top {len(order)} brokers (z: Bernoulli null by the broker's group)",
        caption=left_out_note(left_out_of_ranking(run.net, RANKED_LEVELS), hint=False) or None,
    )
    _notes(run.net)


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
    check_format(fmt)
    limit = top if top is not None else (20 if fmt == "table" else None)
    h = measure_result("holes", spec, weighted=weighted, top=limit)
    if fmt == "json":
        emit_json("holes", h)
        return
    emit(
        console,
        fmt,
        records=h.records,
        title=f"structural holes ({'weighted' if weighted else 'unweighted'}; "
        f"{len(h.records)} of {h.actors} actors, lowest constraint first)",
    )
    if fmt == "table":
        _notes(h.net)


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
    check_format(fmt)
    e = measure_result(
        "ei", spec, by=by, permutations=permutations, seed=seed, weighted=weighted, top=top
    )
    if fmt == "json":
        emit_json("ei", e)
        return
    if fmt == "csv":
        emit(console, fmt, records=e.json())
        return
    emit(
        console,
        fmt,
        records=[e.network],
        columns=["external", "internal", "ei", "perm_mean", "p_greater", "p_less"],
        title=f"E-I index by {by} ({'weighted' if weighted else 'tie counts'}; null: {e.null})",
        caption="E-I = (E - I) / (E + I): +1 all ties external, -1 all internal",
    )
    emit(
        console,
        fmt,
        records=e.groups[: top if top is not None else 20],
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
        title=f"E-I index by group ({min(len(e.groups), top or 20)} of {e.n_groups}, "
        "most ties first)",
    )
    _notes(e.net)


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
    from civnet.products.structure_results import community_summary_columns

    check_format(fmt)
    limit = top if top is not None or members or fmt != "table" else 15
    c = measure_result(
        "communities",
        spec,
        seed=seed,
        resolution=resolution,
        weighted=weighted,
        by=by,
        members=members,
        top=limit,
    )
    if fmt == "json":
        emit_json("communities", c)
        return
    title = (
        f"{len(c.communities.sizes)} Leiden communities, modularity "
        f"{fmt_number(c.communities.modularity)} "
        f"(resolution {resolution}, seed {seed}{', weighted' if weighted else ''})"
    )
    columns = community_summary_columns(by) if fmt == "table" and not members else None
    emit(console, fmt, records=c.rows, columns=columns, title=title)
    if fmt == "table" and not members:
        _notes(c.net)


@app.command("mixing")
@view_options
def mixing_cmd(
    spec: ViewSpec,
    by: By = "country",
    top: Top = None,
    fmt: Format = "table",
) -> None:
    """Mixing matrix of an actor attribute and its assortativity (Newman)."""
    check_format(fmt)
    result = measure_result("mixing", spec, by=by)
    if fmt == "json":
        emit_json("mixing", result)
        return
    if fmt == "csv":
        emit(console, fmt, records=result.cells())
        return
    m = result.mixing
    console.print(
        f"assortativity by {by}: {fmt_number(m.assortativity)}", highlight=False, markup=False
    )
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
    _notes(result.net)


# -- diversity ------------------------------------------------------------------------------------


@app.command("diversity")
@view_options
def diversity_cmd(spec: ViewSpec, top: Top = None, fmt: Format = "table") -> None:
    """Subject and field diversification of each country's cross-border ties; multiplexity."""
    from civnet.products.structure_results import DIVERSITY_COLUMNS

    check_format(fmt)
    if spec.level == "country" and fmt == "table":
        _note("diversity is computed per country from actor-level ties (--level country ignored)")
    limit = top if top is not None else (20 if fmt == "table" else None)
    d = measure_result("diversity", spec, top=limit)
    if fmt == "json":
        emit_json("diversity", d)
        return
    if fmt == "csv":
        emit(console, fmt, records=d.rows, columns=DIVERSITY_COLUMNS)
        return
    emit(
        console,
        fmt,
        records=d.rows,
        columns=DIVERSITY_COLUMNS,
        title=f"diversification of cross-border ties ({len(d.rows)} of "
        f"{len(d.diversity.countries)} countries, most ties first)",
        caption="subject: actor types of the actors holding cross-border ties; field: tracks of "
        "those ties; entropy in nats, Blau = 1 - sum p^2",
    )
    whole = d.whole()
    console.print(
        f"actor dyads: {len(whole.tracks):,}; mean distinct tracks "
        f"{fmt_number(whole.mean_tracks)}; multi-track share {fmt_number(whole.multi_track_share)}",
        highlight=False,
        markup=False,
    )
    _notes(d.net)
    from civnet.cli.time_cmds import print_notices

    print_notices(d.notices)
