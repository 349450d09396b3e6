"""Scenario commands: whatif (before/after a change, or ranked removals) and recommend.

Each parses its options, computes the catalog measure (:mod:`civnet.products.scenario_results`,
:mod:`civnet.products.recommend_results`) and renders it; ``--format json`` prints what
``GET /api/<measure>`` returns.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from civnet.cli.app import app, console
from civnet.cli.options import Format, check_format, view_options, view_options_except
from civnet.cli.product_cmds import emit_json, measure_result
from civnet.products.render import emit
from civnet.views import ViewSpec

CHANGES = "Changes (the workspace is not modified)"

Repeat = list[str] | None


def _opt(flag: str, text: str) -> Any:
    return typer.Option(flag, help=text, rich_help_panel=CHANGES)


def _note(text: str) -> None:
    console.print(escape(text), style="dim", highlight=False, soft_wrap=True)


@app.command("whatif")
@view_options
def whatif_cmd(
    spec: ViewSpec,
    remove_actor: Annotated[
        Repeat, _opt("--remove-actor", "Remove this actor (id; repeatable).")
    ] = None,
    remove_type: Annotated[Repeat, _opt("--remove-type", "Remove actors of this type.")] = None,
    remove_country: Annotated[
        Repeat, _opt("--remove-country", "Remove the actors of this country (ISO3 or name).")
    ] = None,
    remove_level: Annotated[
        Repeat, _opt("--remove-level", "Remove actors of this level (needs actor levels).")
    ] = None,
    drop_track: Annotated[Repeat, _opt("--drop-track", "Drop the ties of this track.")] = None,
    drop_kind: Annotated[Repeat, _opt("--drop-kind", "Drop the ties of this kind.")] = None,
    add_ties: Annotated[
        Path | None, _opt("--add-ties", "Add the ties of this table (import table columns).")
    ] = None,
    rank_removals: Annotated[
        int,
        typer.Option(
            "--rank-removals",
            help="Remove each of the top K brokers (or --removal-unit) alone; rank by reach cut.",
        ),
    ] = 0,
    removal_unit: Annotated[
        str,
        typer.Option("--removal-unit", help="brokers (top K), countries or alliances."),
    ] = "brokers",
    with_scorecard: Annotated[
        bool | None,
        typer.Option(
            "--scorecard/--no-scorecard",
            help="Include the scorecard (default: yes, except on views too large for exact "
            "betweenness).",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Brokers shown before and after.")] = 10,
    boot: Annotated[
        int | None,
        typer.Option(
            "--boot",
            help="Bootstrap resamples (default 200; none on views too large to resample).",
        ),
    ] = None,
    resample: Annotated[
        str, typer.Option("--resample", help="Resampling unit: actors, ties or sources.")
    ] = "actors",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    fmt: Format = "table",
) -> None:
    """What if actors leave, a field's ties stop or new ties are made: before, after, difference.

    With --rank-removals K: which actors (or countries, alliances) hold the network together,
    ranked by the pairs of other actors their removal cuts apart, and the attack curve.
    """
    check_format(fmt)
    result = measure_result(
        "whatif",
        spec,
        task="what if",
        remove_actor=remove_actor,
        remove_type=remove_type,
        remove_country=remove_country,
        remove_level=remove_level,
        drop_track=drop_track,
        drop_kind=drop_kind,
        add_ties=add_ties,
        top=top,
        boot=boot,
        resample=resample,
        seed=seed,
        rank_removals=rank_removals,
        removal_unit=removal_unit,
        with_scorecard=with_scorecard,
    )
    if fmt == "json":
        emit_json("whatif", result)
        return
    if fmt == "csv":
        emit(console, fmt, records=result.records())
        return
    _whatif_tables(result, spec, top)


def _whatif_tables(result: Any, spec: ViewSpec, top: int) -> None:
    scenario = "; ".join(result.scenario) or "no change"
    c = result.counts
    _note(
        f"view: {spec.describe()}. scenario: {scenario}. {c['actors_removed']:,} actors removed "
        f"with {c['ties_of_removed_actors']:,} tie records; {c['ties_dropped']:,} tie records "
        f"dropped; {c['ties_added']:,} added ({c['actors_added']:,} actors came with them)"
    )
    if result.factors:
        cols = ["measure", "before", "after", "difference"]
        if any("diff_low" in r for r in result.factors):
            cols += ["diff_low", "diff_high"]
        emit(
            console,
            "table",
            records=result.factors,
            columns=cols,
            title="before / after the scenario",
            caption=result.method.get("intervals", "no intervals")
            + "; reach = connected pairs / C(actors, 2); actors who lose every tie stay as "
            "isolates",
        )
        emit(
            console,
            "table",
            records=result.brokers,
            columns=[
                "name",
                "country",
                "rank_before",
                "rank_after",
                "rank_difference",
                "betweenness_before",
                "betweenness_after",
                "status",
            ],
            title=f"top {top} brokers before and after (normalized betweenness)",
            caption="rank_difference < 0: the actor rose",
        )
        for records, title in (
            (result.brokerage, "brokered pairs (Gould-Fernandez total) by country"),
            (result.ei, "E-I index by country"),
            (result.scorecard, "scorecard overall score (0-100) by country"),
        ):
            if records:
                emit(
                    console,
                    "table",
                    records=records[:top],
                    title=f"{title}: the {min(top, len(records))} largest changes"
                    if records is not result.scorecard
                    else f"{title}: top {min(top, len(records))} after",
                )
    if result.removals:
        emit(
            console,
            "table",
            records=result.removals,
            title="removals ranked by the pairs of other actors they cut apart",
            caption=result.method["removals"] + "; reach_lost = pairs_cut / C(actors left, 2)",
        )
        emit(
            console,
            "table",
            records=result.curve,
            columns=["step", "removed", "actors_removed", "reach", "components", "largest"],
            title="attack curve: removing them cumulatively in rank order",
        )
    for note in result.notes:
        _note(f"note: {note}")


@app.command("recommend")
@view_options_except("country")
def recommend_cmd(
    spec: ViewSpec,
    actor: Annotated[
        str | None, typer.Option("--actor", help="The actor making the ties (id).")
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="Or the country whose actors make them (ISO3); the view is not filtered.",
        ),
    ] = None,
    k: Annotated[int, typer.Option("--k", help="Ties to suggest (greedy, one at a time).")] = 10,
    goal: Annotated[
        str, typer.Option("--goal", help="reach, betweenness (--actor only) or brokerage.")
    ] = "reach",
    candidates: Annotated[
        str | None,
        typer.Option(
            "--candidates", help="Restrict the partners: type=university,cso,country=DEU."
        ),
    ] = None,
    pool: Annotated[
        int,
        typer.Option("--pool", help="betweenness/brokerage: candidates evaluated exactly at most."),
    ] = 200,
    fmt: Format = "table",
) -> None:
    """Which new partnerships would matter most: candidate ties ranked by their exact gain."""
    check_format(fmt)
    result = measure_result(
        "recommend",
        spec,
        task="evaluating ties",
        actor=actor,
        focal_country=country,
        goal=goal,
        k=k,
        candidates=candidates,
        pool=pool,
    )
    if fmt == "json":
        emit_json("recommend", result)
        return
    records = result.records()
    if fmt == "csv":
        emit(console, fmt, records=records)
        return
    rec = result.rec
    _note(
        f"view: {spec.describe()}. goal: {rec.goal} of "
        + (f"actor {rec.focal[0]}" if actor else f"the {len(rec.focal):,} actors of {country}")
        + f", now {rec.baseline:g}; ties made by {rec.tie_maker}; {rec.pool:,} of "
        f"{rec.eligible:,} candidates evaluated exactly"
    )
    emit(
        console,
        "table",
        records=records,
        columns=["step", "name", "country", "gain", "value", "why"],
        title=f"{len(records)} suggested ties, chosen greedily (gain given the ties above)",
        caption=rec.guarantee,
    )
    for note in rec.notes:
        _note(f"note: {note}")
