"""Source coverage: when a period, a comparison or a country's numbers rest on where data ends.

Each source of a workspace has a *coverage window* (:class:`SourceWindow`): the dates its data
speak for. It is the window the user declared at import (``--coverage FROM:TO``) or the
embedded dataset declares, else the first and last date of its dated ties (a tie's start, or
its end when it has one). A source without a dated tie has no window and is never said to end.

The notices (:class:`Notice`), each a plain sentence with its facts in ``detail``:

``beyond_coverage``
    A period reaches past the window of a source that gives ties to the view: numbers of that
    period fall where the source ends, which is not a change in the world.
``unequal_windows``
    The two periods of a comparison differ in length: counts (nodes, ties, edges) grow with
    the length of a period.
``centred_source``
    A source all of whose ties in the view have an end in one country (an ego-network panel
    such as AidData's China panel) gives that country tracks and partners no other country
    can have in it: the country's diversity, rank or change partly reflects the source.
``sources_left_out``
    ``compare --common-coverage`` left out the ties of sources that do not cover both periods.

The functions are pure: the product layer reads the windows and each tie's sources from the
workspace (:mod:`civnet.products.periods`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NOTICE_KINDS = ("beyond_coverage", "unequal_windows", "centred_source", "sources_left_out")


@dataclass(frozen=True)
class SourceWindow:
    """A source's coverage window. ``origin``: ``declared`` (at import or by the dataset) or
    ``observed`` (first and last dated tie); ``first``/``last`` None when it has no dated tie."""

    source_id: int
    name: str
    first: dt.date | None
    last: dt.date | None
    origin: str = "observed"

    @property
    def label(self) -> str:
        return f"s{self.source_id} {self.name}"

    def covers(self, start: dt.date, end: dt.date) -> bool:
        """True when the window holds all of ``[start, end]`` (a source without one: True)."""
        if self.first is None or self.last is None:
            return True
        return self.first <= start and end <= self.last

    def describe(self) -> str:
        if self.first is None or self.last is None:
            return "no dated ties"
        return f"covers {self.first.isoformat()} to {self.last.isoformat()}, {self.origin}"


@dataclass(frozen=True)
class Notice:
    """One coverage notice: its kind (:data:`NOTICE_KINDS`), a sentence, and its facts."""

    kind: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, **self.detail}


def beyond_coverage(
    label: str,
    start: dt.date,
    end: dt.date,
    windows: Sequence[SourceWindow],
    hint: str = "--common-coverage keeps only sources that cover both periods",
) -> list[Notice]:
    """One notice when the period reaches past the window of any source in ``windows``
    (``hint``: what the user can do about it, ending the sentence).

    ``windows`` are the sources that give ties to the view (in any period compared or shown);
    the notice lists those whose window does not hold ``[start, end]`` (``detail["sources"]``).

    >>> w = SourceWindow(2, "AidData", dt.date(2000, 1, 1), dt.date(2018, 12, 31))
    >>> [n.kind for n in beyond_coverage("2020", dt.date(2020, 1, 1), dt.date(2020, 12, 31), [w])]
    ['beyond_coverage']
    """
    past = [w for w in windows if not w.covers(start, end)]
    if not past:
        return []
    return [
        Notice(
            "beyond_coverage",
            f"period {label} reaches past the coverage of {_sources(past)}; a change there may "
            f"be the data starting or ending, not a finding ({hint})",
            {"period": label, "sources": [_window_json(w) for w in past]},
        )
    ]


def _sources(windows: Sequence[SourceWindow]) -> str:
    return "; ".join(f"{w.label} ({w.describe()})" for w in windows)


def _window_json(w: SourceWindow) -> dict[str, Any]:
    return {
        "source_id": w.source_id,
        "source": w.name,
        "coverage_from": w.first,
        "coverage_to": w.last,
        "coverage_origin": w.origin,
    }


def timeline_notices(
    spans: Sequence[tuple[str, dt.date, dt.date]], windows: Sequence[SourceWindow]
) -> list[Notice]:
    """One ``beyond_coverage`` notice per source whose window does not hold every period
    ``(label, start, end)``, naming those periods (``detail["periods"]``).

    >>> w = SourceWindow(2, "AidData", dt.date(2000, 1, 1), dt.date(2018, 12, 31))
    >>> spans = [(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in (2017, 2018, 2019)]
    >>> timeline_notices(spans, [w])[0].detail["periods"]
    ['2019']
    """
    out = []
    for w in windows:
        flags = [not w.covers(a, b) for _, a, b in spans]
        past = [label for (label, _, _), f in zip(spans, flags, strict=True) if f]
        if not past:
            continue
        shown = ", ".join(_runs([label for label, _, _ in spans], flags))
        out.append(
            Notice(
                "beyond_coverage",
                f"{len(past)} period(s) reach past the coverage of source {w.label} "
                f"({w.describe()}): {shown}; a rise or fall there may be the data starting or "
                "ending, not a finding",
                {**_window_json(w), "periods": past},
            )
        )
    return out


def _runs(labels: Sequence[str], flags: Sequence[bool]) -> list[str]:
    """Consecutive flagged labels as ``first to last`` runs: ``['1939 to 1997', '2022']``."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append(labels[start] if i - 1 == start else f"{labels[start]} to {labels[i - 1]}")
            start = None
    return out


def unequal_windows(
    before: tuple[str, dt.date, dt.date], after: tuple[str, dt.date, dt.date]
) -> list[Notice]:
    """A notice when the two periods ``(label, start, end)`` differ in length: in whole months
    when both are whole months (2016:2017 and 2018:2019 are equal, leap day or not), else in
    days.

    >>> a = ("2016:2019", dt.date(2016, 1, 1), dt.date(2019, 12, 31))
    >>> b = ("2020:2021", dt.date(2020, 1, 1), dt.date(2021, 12, 31))
    >>> unequal_windows(a, b)[0].detail["days_before"]
    1461
    >>> unequal_windows(("2016:2017", dt.date(2016, 1, 1), dt.date(2017, 12, 31)),
    ...                 ("2018:2019", dt.date(2018, 1, 1), dt.date(2019, 12, 31)))
    []
    """
    days = [(p[2] - p[1]).days + 1 for p in (before, after)]
    months = [_whole_months(p[1], p[2]) for p in (before, after)]
    if (months[0] is not None and months[0] == months[1]) or days[0] == days[1]:
        return []
    return [
        Notice(
            "unequal_windows",
            f"the periods differ in length: {before[0]} has {days[0]} days, {after[0]} has "
            f"{days[1]}; counts (nodes, edges, ties, components) grow with a period's length, "
            "so compare equal windows or read the counts as rates",
            {"days_before": days[0], "days_after": days[1]},
        )
    ]


def _whole_months(start: dt.date, end: dt.date) -> int | None:
    """Months from ``start`` to ``end`` when they are a month's first and a month's last day."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def source_centres(
    tie_countries: Sequence[tuple[str | None, str | None]],
    tie_sources: Sequence[Sequence[int]],
) -> dict[int, str]:
    """The sources centred on one country: every one of their ties has an end in it.

    ``tie_countries[i]``: the countries of tie i's two ends; ``tie_sources[i]``: the sources
    that report it. Give all of a source's ties (the whole workspace), not one view's: a
    period or a country filter can make any source look centred. A source whose ties all join
    the same two countries covers a pair, not an ego, and is not centred; a source needs ties
    to at least two other countries.

    >>> ties = [("CHN", "PAK"), ("CHN", "LAO"), ("DEU", "FRA"), ("POL", "ITA")]
    >>> source_centres(ties, [[2], [2], [1], [1]])
    {2: 'CHN'}
    """
    common: dict[int, set[str]] = {}
    others: dict[int, set[str]] = {}
    for (cs, ct), srcs in zip(tie_countries, tie_sources, strict=True):
        ends = {c for c in (cs, ct) if c}
        for s in set(srcs):
            common[s] = set(ends) if s not in common else common[s] & ends
            others.setdefault(s, set()).update(ends)
    out = {}
    for s in sorted(common):
        if len(common[s]) == 1:
            (c,) = common[s]
            if len(others[s] - {c}) >= 2:
                out[s] = c
    return out


def centred_sources(
    tie_countries: Sequence[tuple[str | None, str | None]],
    tie_sources: Sequence[Sequence[int]],
    names: Mapping[int, str],
    centres: Mapping[int, str],
) -> list[Notice]:
    """A notice for each source of ``centres`` (:func:`source_centres`) that reports ties of
    the view, with the share of its country's tie records in the view that it reports.

    >>> ties = [("CHN", "PAK"), ("CHN", "LAO"), ("CHN", "FRA")]
    >>> [n.detail["share"] for n in centred_sources(ties, [[2], [2], [1]], {}, {2: "CHN"})]
    [0.6666666666666666]
    """
    per_country: dict[str, int] = {}
    from_source: dict[int, int] = {}
    for (cs, ct), srcs in zip(tie_countries, tie_sources, strict=True):
        for c in {c for c in (cs, ct) if c}:
            per_country[c] = per_country.get(c, 0) + 1
        for s in set(srcs):
            if s in centres:
                from_source[s] = from_source.get(s, 0) + 1
    return centred_notices_of_counts(per_country, from_source, names, centres)


def centred_notices_of_counts(
    per_country: Mapping[str, int],
    per_source: Mapping[int, int],
    names: Mapping[int, str],
    centres: Mapping[int, str],
) -> list[Notice]:
    """:func:`centred_sources` from the counts it takes from the view's ties: ``per_country[c]``
    the tie records with an end in country c, ``per_source[s]`` those that source s reports
    (any sources; those of ``centres`` with a record get a notice, in the order of their ids).

    >>> centred_notices_of_counts({"CHN": 3, "PAK": 1}, {2: 2, 1: 1}, {}, {2: "CHN"})[0].detail
    {'source_id': 2, 'source': '?', 'country': 'CHN', 'tie_records': 2, 'share': 0.6666666666666666}
    """
    from_source = {s: n for s, n in per_source.items() if s in centres and n > 0}
    out = []
    for s in sorted(from_source):
        c, n = centres[s], from_source[s]
        share = n / per_country[c]
        out.append(
            Notice(
                "centred_source",
                f"source s{s} {names.get(s, '?')} covers {c} alone: every one of its ties has an "
                f"end in {c} ({n} of {c}'s {per_country[c]} tie records here, {share:.0%}), so "
                f"{c}'s partners, tracks and diversity include ties no other country has from "
                "that source; compare countries on sources that cover them all",
                {
                    "source_id": s,
                    "source": names.get(s, "?"),
                    "country": c,
                    "tie_records": n,
                    "share": share,
                },
            )
        )
    return out


def common_sources(
    windows: Sequence[SourceWindow], periods: Sequence[tuple[dt.date, dt.date]]
) -> tuple[list[int], list[SourceWindow]]:
    """The sources whose windows hold every period, and those left out (with their windows)."""
    keep: list[SourceWindow] = []
    drop: list[SourceWindow] = []
    for w in windows:
        (keep if all(w.covers(a, b) for a, b in periods) else drop).append(w)
    return [w.source_id for w in keep], drop


def left_out_notice(dropped: Sequence[SourceWindow], removed_ties: int) -> list[Notice]:
    """The notice ``compare --common-coverage`` gives for the sources it left out."""
    if not dropped:
        return []
    names = ", ".join(f"{w.label} ({w.describe()})" for w in dropped)
    return [
        Notice(
            "sources_left_out",
            f"common coverage: left out {removed_ties} tie records reported only by sources "
            f"that do not cover both periods: {names}",
            {"sources": [w.source_id for w in dropped], "tie_records": removed_ties},
        )
    ]
