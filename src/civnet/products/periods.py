"""Product-layer helpers for time and the scorecard: period views, tie sources, the config file.

These do the I/O (workspace reads, the TOML file) so that the measures in
:mod:`civnet.measures.change.timeline`, :mod:`~civnet.measures.statistics.uncertainty` and
:mod:`~civnet.measures.softpower.scorecard` stay pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter, EmptyNetwork, InputFileError
from civnet.measures.change.coverage import (
    Notice,
    SourceWindow,
    beyond_coverage,
    centred_notices_of_counts,
    centred_sources,
    source_centres,
)
from civnet.measures.change.timeline import Period, periods
from civnet.measures.softpower.scorecard import ScorecardConfig, parse_config
from civnet.sql import quote_ident
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network
from civnet.views.period_views import derivable, period_views, whole_view
from civnet.views.spec import parse_bound

DEFAULT_CONFIG = "scorecard_default.toml"


def parse_span(text: str, what: str) -> tuple[dt.date, dt.date]:
    """``2016:2019`` (or ``2016-03:2019``, ``2016``) as the first and last day of the span."""
    parts = text.split(":")
    if len(parts) == 1 and re.fullmatch(r"\s*\d{4}\s*-\s*\d{4}\s*", text):
        raise BadFilter(f"{what} expects FROM:TO, got {text!r}", fix="write it as 2016:2019")
    if len(parts) == 1:
        parts = [parts[0], parts[0]]
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise BadFilter(f"{what} expects FROM:TO, got {text!r}", fix="write it as 2016:2019")
    lo = parse_bound(parts[0], end=False, what=what)
    hi = parse_bound(parts[1], end=True, what=what)
    assert lo is not None and hi is not None
    if lo > hi:
        raise BadFilter(f"{what} {text!r} ends before it starts", fix="write it as FROM:TO")
    return lo, hi


def period_view(ws: Workspace, spec: ViewSpec, start: dt.date, end: dt.date) -> Network:
    """The view ``spec`` restricted to ties active in [start, end]."""
    return build_network(ws, dataclasses.replace(spec, date_from=start, date_to=end))


def date_range(
    ws: Workspace, spec: ViewSpec, whole: Network | None = None
) -> tuple[dt.date, dt.date]:
    """First start and last start or end date of the dated ties in the view (without period).

    ``whole``: that view (:func:`civnet.views.period_views.whole_view`) when already built."""
    net = whole if whole is not None else whole_view(ws, spec)
    dates = [
        d
        for col in ("start_date", "end_date")
        for d in (pc.min(net.ties.column(col)).as_py(), pc.max(net.ties.column(col)).as_py())
        if d is not None
    ]
    if not dates:
        raise EmptyNetwork(
            "the view has no dated ties, so it has no timeline",
            fix="import ties with start dates, or give --from and --to",
        )
    return min(dates), max(dates)


def timeline_views(
    ws: Workspace, spec: ViewSpec, every: str, window: int, whole: Network | None = None
) -> list[tuple[Period, Network]]:
    """One view per period of the timeline; the span is --from/--to or the dated ties' range.

    Each is ``period_view(ws, spec, start, end)``, cut from the whole view's tables
    (:func:`civnet.views.period_views.period_views`) rather than queried one by one.
    ``whole``: :func:`~civnet.views.period_views.whole_view` of ``spec`` when already built."""
    if whole is None and (derivable(spec) or not (spec.date_from and spec.date_to)):
        whole = whole_view(ws, spec)
    first, last = (
        date_range(ws, spec, whole) if not (spec.date_from and spec.date_to) else (None, None)
    )
    start = spec.date_from or first
    stop = spec.date_to or last
    assert start is not None and stop is not None
    spans = periods(start, stop, every, window)
    nets = period_views(ws, spec, [(p.start, p.end) for p in spans], whole)
    return list(zip(spans, nets, strict=True))


def tie_sources(ws: Workspace, net: Network) -> list[list[str]]:
    """For each tie row of ``net.ties``, the refs it carries in the workspace (for clustering)."""
    if "tie_id" not in net.ties.column_names:
        raise BadFilter("the view's ties carry no tie ids", fix="drop --project or --level")
    ids = net.ties.column("tie_id").to_pylist()
    if any(t is None for t in ids):
        raise BadFilter(
            "--resample sources cannot trace projected or aggregated ties to sources",
            fix="drop --project / --level country, or use --resample actors",
        )
    rows = ws.con.execute(
        "SELECT tie_id, refs FROM ties WHERE tie_id IN (SELECT unnest(?))", [ids]
    ).fetchall()
    refs = {int(t): list(r) for t, r in rows}
    return [refs[int(t)] for t in ids]


def load_config(path: Path | None) -> ScorecardConfig:
    """The scorecard config from ``path`` (TOML), or the default shipped with civnet."""
    if path is None:
        text = (resources.files("civnet.products") / DEFAULT_CONFIG).read_text(encoding="utf-8")
        where = f"civnet/products/{DEFAULT_CONFIG}"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputFileError(
                f"cannot read the weights file: {exc.strerror}",
                where=str(path),
                fix="pass a TOML file like civnet/products/scorecard_default.toml",
            ) from None
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(
            f"not valid TOML: {exc}", where=where, fix="check the line named in the message"
        ) from None
    return parse_config(data, where)


# -- source coverage --------------------------------------------------------------------------


def source_windows(ws: Workspace) -> dict[int, SourceWindow]:
    """Every source's coverage window (:meth:`Workspace.source_windows`), by source id."""
    out = {}
    for r in ws.source_windows().to_pylist():
        out[int(r["id"])] = SourceWindow(
            int(r["id"]), str(r["name"]), r["coverage_from"], r["coverage_to"], str(r["origin"])
        )
    return out


def tie_source_ids(ws: Workspace, net: Network) -> list[list[int]] | None:
    """For each tie row of ``net``, the ids of the sources that report it; None when the view's
    ties cannot be traced to sources (projected or country-level ties)."""
    if not net.ties.num_rows:
        return []
    if "tie_id" not in net.ties.column_names or net.ties.column("tie_id").null_count:
        return None
    # a ref "s<id>:<where>" names source <id>; parsed in DuckDB, one list per tie
    ids = net.ties.column("tie_id").to_pylist()
    rows = ws.con.execute(
        """SELECT tie_id, list_sort(list_distinct(list_filter(list_transform(
                      coalesce(refs, []),
                      lambda r: CASE WHEN regexp_matches(split_part(r, ':', 1), '^s[0-9]+$')
                                     THEN CAST(substr(split_part(r, ':', 1), 2) AS BIGINT) END),
                  lambda x: x IS NOT NULL)))
           FROM ties WHERE tie_id IN (SELECT unnest(?))""",
        [ids],
    ).fetchall()
    per_tie = {int(t): list(s) for t, s in rows}
    return [per_tie[int(t)] for t in ids]


_SOURCE_OF_REF = """CASE WHEN regexp_matches(split_part(r, ':', 1), '^s[0-9]+$')
                          THEN CAST(substr(split_part(r, ':', 1), 2) AS BIGINT) END"""
"""The source id a ref ``r`` names (``s<id>:<where>``), NULL for any other ref: the parse of
:func:`tie_source_ids`."""


def tie_source_counts(ws: Workspace, net: Network) -> dict[int, int] | None:
    """Per source id: the tie rows of ``net`` it reports; None when the view's ties cannot be
    traced to sources (as :func:`tie_source_ids`).

    The counts of :func:`tie_source_ids`' lists (each row counts once for each distinct source
    in its list), computed in one DuckDB query over the view's tie ids (an Arrow table)
    instead of a list per tie in Python."""
    if not net.ties.num_rows:
        return {}
    if "tie_id" not in net.ties.column_names or net.ties.column("tie_id").null_count:
        return None
    rows = pa.table(
        {
            "i": pa.array(np.arange(net.ties.num_rows), pa.int64()),
            "tie_id": net.ties.column("tie_id").combine_chunks(),
        }
    )
    name = "_civnet_view_ties"
    ws.con.register(name, rows)
    try:
        found = ws.con.execute(
            f"""SELECT s, count(*) FROM (
                   SELECT DISTINCT i, {_SOURCE_OF_REF} AS s
                   FROM (SELECT v.i, unnest(t.refs) AS r
                         FROM {quote_ident(name)} v JOIN ties t ON t.tie_id = v.tie_id))
                WHERE s IS NOT NULL GROUP BY s ORDER BY s"""
        ).fetchall()
    finally:
        ws.con.unregister(name)
    return {int(s): int(n) for s, n in found}


def sources_of_views(ws: Workspace, nets: list[Network]) -> set[int] | None:
    """The sources that report at least one tie of any of ``nets``; None when some view's ties
    cannot be traced to sources. The union of :func:`sources_in` of each view's
    :func:`tie_source_ids`, read in one query over the distinct tie ids (the yearly views of a
    timeline share most of their ties)."""
    ids: set[int] = set()
    for net in nets:
        if not net.ties.num_rows:
            continue
        if "tie_id" not in net.ties.column_names or net.ties.column("tie_id").null_count:
            return None
        ids.update(net.ties.column("tie_id").to_pylist())
    if not ids:
        return set()
    name = "_civnet_view_ties"
    ws.con.register(name, pa.table({"tie_id": pa.array(sorted(ids), pa.int64())}))
    try:
        # unnest in the select list: DuckDB runs the lateral form (FROM ties, unnest(refs))
        # about 20 times slower
        rows = ws.con.execute(
            f"""SELECT DISTINCT TRY_CAST(substr(split_part(r, ':', 1), 2) AS BIGINT)
               FROM (SELECT unnest(t.refs) AS r
                     FROM ties t WHERE t.tie_id IN (SELECT tie_id FROM {quote_ident(name)}))
               WHERE regexp_matches(split_part(r, ':', 1), '^s[0-9]+$')"""
        ).fetchall()
    finally:
        ws.con.unregister(name)
    return {int(r[0]) for r in rows if r[0] is not None}


def sources_in(per_tie: list[list[int]] | None) -> set[int]:
    """The sources that report at least one of the ties."""
    return {s for ids in per_tie or [] for s in ids}


def untraceable_notice(what: str) -> Notice:
    """The notice given when coverage cannot be checked for a view."""
    return Notice(
        "beyond_coverage",
        f"coverage not checked for {what}: its ties are projected or aggregated and carry no "
        "sources",
        {"checked": False},
    )


def centred_notices(ws: Workspace, net: Network, per_tie: list[list[int]] | None) -> list[Notice]:
    """:func:`civnet.measures.change.coverage.centred_sources` of the view ``net``."""
    if per_tie is None or not net.ties.num_rows:
        return []
    country = dict(zip(net.ids, _countries(net), strict=True))
    ends = [
        (country.get(s), country.get(t))
        for s, t in zip(
            net.ties.column("source").to_pylist(),
            net.ties.column("target").to_pylist(),
            strict=True,
        )
    ]
    names = {k: w.name for k, w in source_windows(ws).items()}
    return centred_sources(ends, per_tie, names, workspace_centres(ws))


def workspace_centres(ws: Workspace) -> dict[int, str]:
    """:func:`civnet.measures.change.coverage.source_centres` over every tie of the workspace.

    A source's centre depends only on which pairs of end countries its ties join, so the
    workspace is read as its distinct (countries, source) rows rather than one row per tie
    (the same result: intersections and unions of the same sets, fewer of them); distinct
    (source actor, target actor, source) first, before the joins (1.8 s -> 0.2 s on the
    embedded data); the refs unnested in the select list, not laterally (DuckDB runs the lateral
    ``FROM ties, unnest(refs)`` about 20 times slower: 0.4 s -> 0.05 s)."""
    rows = ws.con.execute(
        """SELECT DISTINCT a.country, b.country, x.s
           FROM (SELECT DISTINCT source, target,
                        TRY_CAST(substr(split_part(r, ':', 1), 2) AS INTEGER) AS s
                 FROM (SELECT source, target, unnest(refs) AS r FROM ties)) AS x
           JOIN actors a ON a.id = x.source JOIN actors b ON b.id = x.target
           WHERE x.s IS NOT NULL"""
    ).fetchall()
    return source_centres([(a, b) for a, b, _ in rows], [[s] for _, _, s in rows])


def _countries(net: Network) -> list[str | None]:
    if "country" in net.graph.vs.attributes():
        return [c or None for c in net.vertex_attr("country")]
    return [None] * net.graph.vcount()


def keep_sources(net: Network, per_tie: list[list[int]], keep: set[int]) -> tuple[Network, int]:
    """``net`` with only the tie rows reported by a source in ``keep``; actors: the ends of the
    kept ties and the view's isolates. Returns the network and the number of rows left out."""
    mask = np.array([any(s in keep for s in ids) for ids in per_tie], dtype=bool)
    ties = net.ties.filter(pa.array(mask))
    ends_before = set(net.ties.column("source").to_pylist()) | set(
        net.ties.column("target").to_pylist()
    )
    ends = set(ties.column("source").to_pylist()) | set(ties.column("target").to_pylist())
    ids = net.actors.column("id").to_pylist()
    amask = pa.array([a in ends or a not in ends_before for a in ids], pa.bool_())
    kept = Network.from_tables(net.actors.filter(amask), ties, spec=net.spec, notes=net.notes)
    return kept, int((~mask).sum())


def country_tie_counts(net: Network) -> dict[str, int]:
    """Per country: the tie rows of ``net`` with an end in it (a row joining two actors of one
    country counts once), as :func:`~civnet.measures.change.coverage.centred_sources` counts
    them; actors without a country (None or "") count for none."""
    if not net.ties.num_rows:
        return {}
    countries = pa.array([c or None for c in _countries(net)], pa.string())
    names = pa.array(net.ids, pa.string())
    code = countries.dictionary_encode()
    per_vertex = code.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    ends = []
    for col in ("source", "target"):
        at = pc.index_in(net.ties.column(col).combine_chunks().cast(pa.string()), value_set=names)
        idx = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        ends.append(np.where(idx >= 0, per_vertex[np.maximum(idx, 0)], -1))
    cs, ct = ends
    k = len(code.dictionary)
    n = np.bincount(cs[cs >= 0], minlength=k) + np.bincount(ct[(ct >= 0) & (ct != cs)], minlength=k)
    return {c: int(x) for c, x in zip(code.dictionary.to_pylist(), n.tolist(), strict=True) if x}


def view_notices(ws: Workspace, spec: ViewSpec, net: Network) -> list[Notice]:
    """Coverage notices of one view: its --from/--to span past a source's coverage (when the
    view has one) and the sources centred on one country.

    The notices of :func:`tie_source_ids` and :func:`centred_notices`, from the counts of the
    view's tie rows per source (:func:`tie_source_counts`, one query) and per country
    (:func:`country_tie_counts`) instead of a list of sources per tie
    (``tests/test_report_speed.py`` checks both ways)."""
    per_source = tie_source_counts(ws, net)
    if per_source is None:
        return [untraceable_notice("this view")]
    notices: list[Notice] = []
    if spec.date_from or spec.date_to:
        windows = source_windows(ws)
        used = [windows[s] for s in sorted(per_source)]
        lo = spec.date_from or min((w.first for w in used if w.first), default=None)
        hi = spec.date_to or max((w.last for w in used if w.last), default=None)
        if lo and hi:
            label = f"{lo.isoformat()}:{hi.isoformat()}"
            notices += beyond_coverage(
                label, lo, hi, used, hint="narrow --period/--from/--to to the sources' coverage"
            )
    if not per_source:
        return notices
    names = {k: w.name for k, w in source_windows(ws).items()}
    centres = workspace_centres(ws)
    return notices + centred_notices_of_counts(country_tie_counts(net), per_source, names, centres)
