"""Product-layer helpers for time and the scorecard: period views, tie sources, the config file.

These do the I/O (workspace reads, the TOML file) so that the measures in
:mod:`civnet.measures.timeline`, :mod:`~civnet.measures.uncertainty` and
:mod:`~civnet.measures.scorecard` stay pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path

from civnet.errors import BadFilter, EmptyNetwork, InputFileError
from civnet.measures.scorecard import ScorecardConfig, parse_config
from civnet.measures.timeline import Period, periods
from civnet.store.workspace import Workspace
from civnet.views import Network, ViewSpec, build_network
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


def date_range(ws: Workspace, spec: ViewSpec) -> tuple[dt.date, dt.date]:
    """First start and last start or end date of the dated ties in the view (without period)."""
    net = build_network(ws, dataclasses.replace(spec, date_from=None, date_to=None))
    dates = [
        d
        for col in ("start_date", "end_date")
        for d in net.ties.column(col).to_pylist()
        if d is not None
    ]
    if not dates:
        raise EmptyNetwork(
            "the view has no dated ties, so it has no timeline",
            fix="import ties with start dates, or give --from and --to",
        )
    return min(dates), max(dates)


def timeline_views(
    ws: Workspace, spec: ViewSpec, every: str, window: int
) -> list[tuple[Period, Network]]:
    """One view per period of the timeline; the span is --from/--to or the dated ties' range."""
    first, last = date_range(ws, spec) if not (spec.date_from and spec.date_to) else (None, None)
    start = spec.date_from or first
    stop = spec.date_to or last
    assert start is not None and stop is not None
    return [(p, period_view(ws, spec, p.start, p.end)) for p in periods(start, stop, every, window)]


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
