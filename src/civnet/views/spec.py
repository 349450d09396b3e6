"""ViewSpec: the filters every analysis takes, validated at the boundary.

Semantics (docs/views.md):

- ``date_from``/``date_to``: keep ties active at some time in the window, i.e.
  ``start <= date_to`` and (``end`` is null or ``end >= date_from``). A year means its first day for
  ``from`` and its last day for ``to``; ``YYYY-MM`` likewise. Timeless ties (no start) cannot be
  placed in time: with a period they are left out unless ``include_timeless`` is set, and the
  network's notes say how many were left out.
- ``tracks``, ``kinds``: keep ties whose track / kind is listed.
- ``actor_types``: keep ties whose two ends are both of the listed types.
- ``actor_levels``: keep ties whose two ends are both of the listed levels (organisation, city,
  sector, country, network: :data:`civnet.vocab.ACTOR_LEVELS`).
- ``countries``: keep ties with at least one end in a listed country (a country's civil network
  with its foreign partners).
- ``project``: replace affiliation ties (membership, participation to a network/igo/forum) by
  co-membership ties between the members, weight = number of shared affiliations.
- ``level="country"``: aggregate actors to their countries; weight = number of ties between two
  countries; domestic ties are left out and counted.
- ``all_actors``: include every actor that passes the actor filters even without a tie in the
  view (isolates). By default the nodes are the ends of the selected ties.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from civnet.countries import to_iso3
from civnet.errors import BadFilter
from civnet.vocab import ACTOR_LEVELS, ACTOR_TYPES, TIE_KINDS, TRACKS, normalize_term

LEVELS = ("actor", "country")

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_bound(text: str | int | dt.date | None, *, end: bool, what: str) -> dt.date | None:
    """Parse a period bound: ``2016``, ``2016-05`` or ``2016-05-03``.

    A year or month means its first day as a start bound and its last day as an end bound.

    >>> parse_bound("2019", end=True, what="--to")
    datetime.date(2019, 12, 31)
    >>> parse_bound("2020-02", end=True, what="--to")
    datetime.date(2020, 2, 29)
    """
    if text is None or text == "":
        return None
    if isinstance(text, dt.date):
        return text
    m = _DATE.match(str(text).strip())
    if not m:
        raise BadFilter(
            f"{what} expects a year, year-month or date, got {text!r}",
            fix="write it as 2016, 2016-05 or 2016-05-03",
        )
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        mon = int(month)
        if day is None:
            last = calendar.monthrange(year, mon)[1]
            return dt.date(year, mon, last) if end else dt.date(year, mon, 1)
        return dt.date(year, mon, int(day))
    except ValueError:
        raise BadFilter(
            f"{what} is not a real date: {text!r}", fix="check the month and day"
        ) from None


def _terms(values: Iterable[str], valid: tuple[str, ...], what: str) -> tuple[str, ...]:
    out = []
    for v in values:
        for part in str(v).split(","):
            if not part.strip():
                continue
            norm = normalize_term(part)
            if norm not in valid:
                raise BadFilter(f"unknown {what} {part!r}", fix=f"use one of: {', '.join(valid)}")
            out.append(norm)
    return tuple(sorted(set(out)))


def _countries(values: Iterable[str]) -> tuple[str, ...]:
    out = []
    for v in values:
        for part in str(v).split(","):
            if not part.strip():
                continue
            code = to_iso3(part)
            if code is None:
                raise BadFilter(
                    f"unknown country {part!r}",
                    fix="use an ISO 3166-1 alpha-3 code such as DEU, or an English name",
                )
            out.append(code)
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class ViewSpec:
    """A validated selection of the workspace; build it with :meth:`ViewSpec.make`."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tracks: tuple[str, ...] = ()
    actor_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    actor_levels: tuple[str, ...] = ()
    project: bool = False
    level: str = "actor"
    all_actors: bool = False
    include_timeless: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def make(
        cls,
        *,
        date_from: str | int | dt.date | None = None,
        date_to: str | int | dt.date | None = None,
        tracks: Iterable[str] = (),
        actor_types: Iterable[str] = (),
        countries: Iterable[str] = (),
        kinds: Iterable[str] = (),
        actor_levels: Iterable[str] = (),
        project: bool = False,
        level: str = "actor",
        all_actors: bool = False,
        include_timeless: bool = False,
    ) -> ViewSpec:
        """Validate raw filter values (as typed on the command line) into a ViewSpec."""
        start = parse_bound(date_from, end=False, what="--from")
        stop = parse_bound(date_to, end=True, what="--to")
        if start and stop and start > stop:
            raise BadFilter(
                f"--from {start} is after --to {stop}", fix="swap them or widen the period"
            )
        if level not in LEVELS:
            raise BadFilter(f"unknown --level {level!r}", fix=f"use one of: {', '.join(LEVELS)}")
        return cls(
            date_from=start,
            date_to=stop,
            tracks=_terms(tracks, TRACKS, "track"),
            actor_types=_terms(actor_types, ACTOR_TYPES, "actor type"),
            countries=_countries(countries),
            kinds=_terms(kinds, TIE_KINDS, "tie kind"),
            actor_levels=_terms(actor_levels, ACTOR_LEVELS, "actor level"),
            project=project,
            level=level,
            all_actors=all_actors,
            include_timeless=include_timeless,
        )

    @property
    def has_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def describe(self) -> str:
        """One line naming the active filters ('whole workspace' when none)."""
        parts = []
        if self.has_period:
            parts.append(f"period {self.date_from or '…'} to {self.date_to or '…'}")
            if self.include_timeless:
                parts.append("with timeless ties")
        for name, vals in (
            ("tracks", self.tracks),
            ("actor types", self.actor_types),
            ("actor levels", self.actor_levels),
            ("countries", self.countries),
            ("kinds", self.kinds),
        ):
            if vals:
                parts.append(f"{name} {','.join(vals)}")
        if self.project:
            parts.append("co-membership projection")
        if self.level != "actor":
            parts.append(f"{self.level} level")
        if self.all_actors:
            parts.append("all actors")
        return "; ".join(parts) if parts else "whole workspace"


def spec_from_options(
    date_from: str | None = None,
    date_to: str | None = None,
    track: list[str] | None = None,
    actor_type: list[str] | None = None,
    country: list[str] | None = None,
    kind: list[str] | None = None,
    project: bool = False,
    level: str = "actor",
    all_actors: bool = False,
    include_timeless: bool = False,
    actor_level: list[str] | None = None,
) -> ViewSpec:
    """A ViewSpec from filter values named as the CLI options and API parameters name them."""
    return ViewSpec.make(
        date_from=date_from,
        date_to=date_to,
        tracks=track or (),
        actor_types=actor_type or (),
        countries=country or (),
        kinds=kind or (),
        actor_levels=actor_level or (),
        project=project,
        level=level,
        all_actors=all_actors,
        include_timeless=include_timeless,
    )
