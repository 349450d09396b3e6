"""Tables of the structure measures: brokerage, holes, ei, communities, mixing, diversity.

The commands are generated from the catalog (:mod:`civnet.cli.generate`); the renderers here draw
``--format table`` from the JSON result (what ``GET /api/<measure>`` returns), so a result read
from the workspace's cache prints the same tables. Without ``--top`` a table shows the first rows
and says how many there are; ``--format csv/json`` then carry them all.
"""

from collections import defaultdict
from typing import Any

from civnet.cli.app import console
from civnet.cli.commands.measure_cmds import load_view
from civnet.cli.generate import print_records, renders, top_of
from civnet.products.catalog import MEASURES
from civnet.products.defaults import DIVERSITY_COLUMNS
from civnet.products.render import emit, fmt_number
from civnet.views import ViewSpec
from civnet.vocab import RANKED_LEVELS


def _shown(params: dict[str, Any], default: int) -> int:
    """Rows a table shows: ``--top`` if given, else ``default``."""
    top = params.get("top")
    return top if top is not None else default


# -- brokerage ------------------------------------------------------------------------------------


@renders("brokerage")
def brokerage_tables(
    data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec
) -> None:
    """Per analysed view (one per track with ``--per-track``): totals, groups, top brokers."""
    from civnet.products.analyze import left_out_note, left_out_of_ranking

    if fmt == "csv":
        print_records(MEASURES["brokerage"], data, fmt)
        return
    runs: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in data["records"]:
        runs[r.get("track")].append(r)
    net = load_view(spec)  # who is ranked: organisations and cities (docs/views.md)
    ranked = {a for a, keep in zip(net.ids, net.ranked(), strict=True) if keep}
    left = left_out_note(left_out_of_ranking(net, RANKED_LEVELS), hint=False) or None
    about = {run["track"]: run for run in data["runs"]}
    for track, rows in runs.items():
        _brokerage_run(rows, about[track], params, ranked, left)
    if not runs:
        console.print("[dim]no track has ties in this view[/]", highlight=False)


def _brokerage_run(
    rows: list[dict[str, Any]],
    run: dict[str, Any],
    params: dict[str, Any],
    ranked: set[str],
    left_out: str | None,
) -> None:
    from civnet.measures.intermediation.brokerage import ROLES, SNA_NAMES

    by, top, track = params["by"], _shown(params, 15), run["track"]
    where = f" — track {track}" if track else ""
    network = {(r["role"], r["null"]): r for r in rows if r["scope"] == "network"}
    permuted = any(null == "permutation" for _, null in network)
    totals = []
    for role in ROLES:
        b = network[(role, "bernoulli")]
        row: dict[str, Any] = {
            "role": f"{role} ({SNA_NAMES[role]})",
            "raw": int(b["raw"]),
            "expected": b["expected"],
            "z": b["z"],
        }
        if permuted:
            pm = network[(role, "permutation")]
            row.update({"perm mean": pm["expected"], "perm z": pm["z"], "perm p": pm["p"]})
        totals.append(row)
    caption = (
        f"expected, z: Bernoulli graph with density {fmt_number(run['density'])} (sna::brokerage)"
    )
    if permuted:
        caption += (
            f"; perm: {params['permutations']} label permutations (seed {params['seed']}), "
            "two-sided p"
        )
    emit(
        console,
        "table",
        records=totals,
        title=f"brokerage by {by}{where}: network totals",
        caption=caption,
    )
    for scope, key in (("group", "group"), ("actor", "id")):
        units: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["scope"] != scope or r["null"] != "bernoulli":
                continue
            if scope == "actor" and r["id"] not in ranked:
                continue
            unit = units.setdefault(r[key], {key: r[key]})
            if scope == "actor":
                unit.update({"name": r["name"], by: r["group"]})
            unit[r["role"]] = int(r["raw"])
            if scope == "actor" and r["role"] == "total":
                unit["z total"] = r["z"]
        order = sorted(units.values(), key=lambda u: (-u["total"], str(u[key])))
        shown = order[:top]
        what = "groups" if scope == "group" else "brokers"
        total = run["n_groups"] if scope == "group" else run["ranked_actors"]
        emit(
            console,
            "table",
            records=[{(by if k == "group" else k): v for k, v in u.items()} for u in shown],
            title=f"{top_of(len(shown), total)} {what} by total brokered pairs"
            + (" (z: Bernoulli null by the broker's group)" if scope == "actor" else ""),
            caption=left_out if scope == "actor" else None,
        )


# -- structural holes -----------------------------------------------------------------------------


@renders("holes")
def holes_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Actors by Burt's constraint, lowest first (20 unless ``--top``)."""
    measure = MEASURES["holes"]
    shown = len(measure.records(data)[: _shown(params, 20)])
    print_records(
        measure,
        data,
        fmt,
        shown=shown,
        title=f"structural holes ({'weighted' if params['weighted'] else 'unweighted'}; "
        f"{top_of(shown, data['n_actors'])} actors, lowest constraint first)",
    )


# -- E-I index ------------------------------------------------------------------------------------


@renders("ei")
def ei_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The network's E-I index, then the groups with the most ties (20 unless ``--top``)."""
    if fmt == "csv":
        print_records(MEASURES["ei"], data, fmt)
        return
    records = MEASURES["ei"].records(data)
    network = [r for r in records if r["scope"] == "network"]
    groups = [r for r in records if r["scope"] == "group"]
    null = (
        f"{params['permutations']} label permutations, seed {params['seed']}"
        if params["permutations"]
        else "no permutations"
    )
    emit(
        console,
        fmt,
        records=network,
        columns=["external", "internal", "ei", "perm_mean", "p_greater", "p_less"],
        title=f"E-I index by {params['by']} "
        f"({'weighted' if params['weighted'] else 'tie counts'}; null: {null})",
        caption="E-I = (E - I) / (E + I): +1 all ties external, -1 all internal",
    )
    shown = groups[: _shown(params, 20)]
    emit(
        console,
        fmt,
        records=shown,
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
        title=f"E-I index by group ({top_of(len(shown), data['n_groups'])}, most ties first)",
    )


# -- communities and mixing -----------------------------------------------------------------------


@renders("communities")
def communities_table(data: Any, params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The communities, largest first (15 unless ``--top``), or each actor's with ``--members``."""
    from civnet.products.results.structure_results import community_summary_columns

    measure = MEASURES["communities"]
    if fmt == "csv" or params["members"]:
        print_records(measure, data, fmt, title=f"community of each actor (seed {params['seed']})")
        return
    rows = data["communities"]
    shown = rows[: _shown(params, 15)]
    emit(
        console,
        fmt,
        records=shown,
        columns=community_summary_columns(params["by"]),
        title=f"{top_of(len(shown), len(data['crosstab']['rows']))} Leiden communities, modularity "
        f"{fmt_number(data['modularity'])} (resolution {params['resolution']}, seed "
        f"{params['seed']}{', weighted' if params['weighted'] else ''})",
    )


@renders("mixing")
def mixing_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Assortativity and the mixing matrix of the groups with most arcs (12 unless ``--top``)."""
    if fmt == "csv":
        print_records(MEASURES["mixing"], data, fmt)
        return
    by, groups, counts = data["by"], data["groups"], data["counts"]
    console.print(
        f"assortativity by {by}: {fmt_number(data['assortativity'])}", highlight=False, markup=False
    )
    size = [sum(row) for row in counts]
    order = sorted(range(len(groups)), key=lambda i: (-size[i], groups[i]))[: _shown(params, 12)]
    emit(
        console,
        fmt,
        records=[{by: groups[i], **{groups[j]: int(counts[i][j]) for j in order}} for i in order],
        title=f"mixing matrix by {by} (arcs; largest {len(order)} of {data['n_groups']} groups)",
        caption="an undirected tie counts once in each direction",
    )


# -- diversity ------------------------------------------------------------------------------------


@renders("diversity")
def diversity_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """Countries by cross-border ties, most first (20 unless ``--top``), and coverage notices."""
    from civnet.cli.commands.time_cmds import print_notices

    if fmt == "csv":
        print_records(MEASURES["diversity"], data, fmt)
        return
    rows = data["countries"]
    if spec.level == "country":
        console.print(
            "[dim]diversity is computed per country from actor-level ties (--level country "
            "ignored)[/]",
            highlight=False,
        )
    shown = rows[: _shown(params, 20)]
    emit(
        console,
        fmt,
        records=shown,
        columns=DIVERSITY_COLUMNS,
        title=f"diversification of cross-border ties ({top_of(len(shown), data['n_countries'])} "
        "countries, most ties first)",
        caption="subject: actor types of the actors holding cross-border ties; field: tracks of "
        "those ties; entropy in nats, Blau = 1 - sum p^2",
    )
    whole = data["multiplexity"]
    console.print(
        f"actor dyads: {whole['actor_dyads']:,}; mean distinct tracks "
        f"{fmt_number(whole['mean_tracks'])}; multi-track share "
        f"{fmt_number(whole['multi_track_share'])}",
        highlight=False,
        markup=False,
    )
    print_notices(data["notices"])
