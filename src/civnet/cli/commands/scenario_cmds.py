"""Tables of the scenario measures: ``whatif`` (before/after a change, or ranked removals) and
``recommend``.

The commands are generated from the catalog (:mod:`civnet.cli.generate`); the renderers here draw
``--format table`` from the JSON result (what ``GET /api/<measure>`` returns), and
``--format csv`` is the catalog's main table of it (``Measure.records``).
"""

from typing import Any

from civnet.cli.app import console
from civnet.cli.generate import print_dim, print_records, renders
from civnet.products.catalog import MEASURES
from civnet.products.render import emit
from civnet.views import ViewSpec


@renders("whatif")
def whatif_tables(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """What the scenario changed, before/after tables (or the ranked removals), then the notes."""
    if fmt == "csv":
        print_records(MEASURES["whatif"], data, fmt)
        return
    top = params["top"]
    c = data["counts"]
    print_dim(
        [
            f"view: {spec.describe()}. scenario: {'; '.join(data['scenario']) or 'no change'}. "
            f"{c['actors_removed']:,} actors removed with {c['ties_of_removed_actors']:,} tie "
            f"records; {c['ties_dropped']:,} tie records dropped; {c['ties_added']:,} added "
            f"({c['actors_added']:,} actors came with them)"
        ],
        prefix="",
    )
    method = data["method"]
    if data.get("factors"):
        cols = ["measure", "before", "after", "difference"]
        if any("diff_low" in r for r in data["factors"]):
            cols += ["diff_low", "diff_high"]
        emit(
            console,
            fmt,
            records=data["factors"],
            columns=cols,
            title="before / after the scenario",
            caption=method.get("intervals", "no intervals")
            + "; reach = connected pairs / C(actors, 2); actors who lose every tie stay as "
            "isolates",
        )
        emit(
            console,
            fmt,
            records=data["brokers"],
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
        for key, what, title in (
            ("brokerage_by_country", "brokered pairs (Gould-Fernandez total) by country", None),
            ("ei_by_country", "E-I index by country", None),
            ("scorecard", "scorecard overall score (0-100) by country", "top {k} after"),
        ):
            records = data[key]
            if records:
                k = min(top, len(records))
                emit(
                    console,
                    fmt,
                    records=records[:top],
                    title=f"{what}: " + (title or "the {k} largest changes").format(k=k),
                )
    if data.get("removals"):
        emit(
            console,
            fmt,
            records=data["removals"],
            title="removals ranked by the pairs of other actors they cut apart",
            caption=method["removals"] + "; reach_lost = pairs_cut / C(actors left, 2)",
        )
        emit(
            console,
            fmt,
            records=data["attack_curve"],
            columns=["step", "removed", "actors_removed", "reach", "components", "largest"],
            title="attack curve: removing them cumulatively in rank order",
        )


@renders("recommend")
def recommend_table(data: dict[str, Any], params: dict[str, Any], fmt: str, spec: ViewSpec) -> None:
    """The focal actor(s) and the suggested ties, with each step's gain and what it bridges."""
    if fmt == "csv":
        print_records(MEASURES["recommend"], data, fmt)
        return
    focal = data["focal"]
    n = len(focal) if isinstance(focal, list) else int(str(focal).split()[0])
    who = (
        f"actor {params['actor']}"
        if params["actor"]
        else f"the {n:,} actors of {params['focal_country']}"
    )
    print_dim(
        [
            f"view: {spec.describe()}. goal: {data['goal']} of {who}, now {data['baseline']:g}; "
            f"ties made by {data['tie_maker']}; {data['evaluated']:,} of {data['eligible']:,} "
            "candidates evaluated exactly"
        ],
        prefix="",
    )
    records = MEASURES["recommend"].records(data)
    emit(
        console,
        fmt,
        records=records,
        columns=["step", "name", "country", "gain", "value", "why"],
        title=f"{len(records)} suggested ties, chosen greedily (gain given the ties above)",
        caption=data["guarantee"],
    )
