"""Confucius Institutes: US host <-> Chinese partner university ties, and hosts in 148 countries.

Four files (see data/confucius-institutes/PROVENANCE.md), one batch each, ingested together:

1. ``nas_us_ci_closing_2022-02.csv`` (NAS, 102 rows): US host, Chinese partner, opening date and
   the free-text date of the closing decision. The tie ends at the decision.
2. ``nas_us_ci_open_2022-02.csv`` (NAS, 19 rows): US Confucius Institutes still open in Feb 2022.
3. ``usa_ci_partner_status_2022.csv`` (LAS-NCSU, 121 rows): the same US institutes, host and partner.
4. ``confucius_institutes_global_2022.csv`` (LAS-NCSU, 665 rows): every country; the partner is
   named for US rows only.

One tie per Confucius Institute: ``host <-> partner`` (kind ``agreement``, track ``education``,
undirected) where the Chinese partner is named, else ``host -> network:confucius-institutes``
(kind ``membership``), the host's membership in the Confucius Institute programme. A placeholder
"unknown partner" actor would join every unknown partner into one fake university and create a
hub that does not exist; the programme actor is real (Hanban / CIEF runs it) and says only what
the source knows.

Matching across files. A US host is known by its normalized name (:func:`normalize_name`: NFKC,
lower case, ``&`` as ``and``, parenthetical remarks and punctuation removed, a leading "the" and a
leading "Confucius Institute (for Business / of Chinese Opera) at/in/of" removed), corrected by
:data:`HOST_ALIASES` for the spellings the lists disagree on. A row of files 2-4 whose US host
matches a host of an earlier file is *merged*: it reports the same institute, so it yields the
same tie (same endpoints and dates) and the store appends its reference to that tie. The status
column of files 3 and 4 is a heuristic (a website down counts as closed): it is kept in the tie
attributes and never turned into an end date.

Dates (:func:`parse_date`): ``YYYY-MM-DD``, ``M/D/YYYY`` and ``M/D/YY`` (20YY) are exact days
(an impossible day such as 06/31/2021 falls back to the month's first day); ``MM/YYYY``,
``Month YYYY`` and ``Season YYYY`` give the month's or season's first day (spring March, summer
June, fall/autumn September, winter December); a bare year gives 1 January. In free text
("Announced March 2020, will close June 30, 2020") the first date expression is the decision,
and the tie ends there. Dates before 2004, the programme's first year, are spreadsheet artefacts
(1905-07-05 is the number 2013 shown as a date): they are left out and counted. The original text
is kept in the tie attributes (``opened``, ``decision``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civnet.countries import to_iso3
from civnet.datasets import Dataset, Progress, ingest_with_details, register, rows_batch
from civnet.importers.batch import (
    Batch,
    IngestReport,
    Sink,
)

NAME = "confucius-institutes"
CLOSING = "nas_us_ci_closing_2022-02.csv"
OPEN = "nas_us_ci_open_2022-02.csv"
USA_CI = "usa_ci_partner_status_2022.csv"
GLOBAL = "confucius_institutes_global_2022.csv"
FILES = (CLOSING, OPEN, USA_CI, GLOBAL)

NETWORK_ID = "network:confucius-institutes"
NETWORK_NAME = "Confucius Institute programme"
FIRST_YEAR = 2004
"""The first Confucius Institute opened in 2004; earlier dates are artefacts."""

LICENCE = "facts; no licence stated (LAS-NCSU bridash, NAS lists)"

HOST_ALIASES: dict[str, str] = {
    # typos in the NAS lists
    "colorado state universityy": "colorado state university",
    "davis school disrict": "davis school district",
    # the global list's spellings of hosts the NAS lists name differently
    "medga evers college the city university of new york": "medgar evers college",
    "rutgers the state university of new jersey": "rutgers university",
    "middle tennessee university": "middle tennessee state university",
    "xavier university of louisiana": "xavier university",
    "state college of optometry state university of new york": "suny college of optometry",
    "university at albany state university of new york": "suny albany",
    "state university of new york at buffalo": "university at buffalo",
    "state university of new york at binghamton": "binghamton university",
    "university of north carolina at charlotte": "university of north carolina charlotte",
    "baruch college": "baruch university",
    "san diego global educational institute": "san diego global knowledge university",
    # institutes the global list names by place or theme: the host named on their web pages
    "state university of new york": "suny global center",  # CI for Business, SUNY Global Center
    "atlanta": "emory university",
    "chicago": "chicago public schools",
    "state of washington": "university of washington",
    "western kentucky": "western kentucky university",
}
"""Normalized US host spellings -> the normalized name used for the host's id.

Each entry is a spelling one list uses for a host another list names differently, checked by hand
against the institutes' web pages in the files (``ci_webpage``, ``Confucius Institute Link``)."""

_PAREN = re.compile(r"\([^)]*\)")
_CI_PREFIX = re.compile(
    r"^(?:the\s+)?(?:business\s+)?confucius institute(?:\s+for business)?\s*(?:at|in|of)\s+(?:the\s+)?"
)
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
"""First month of each season, for dates such as "Fall 2021"."""

_MONTH_NAMES = (
    r"january|february|march|april|may|june|july|august|september|sept|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec"
)
_FREE_DATE = re.compile(
    rf"\b(?P<mon>{_MONTH_NAMES})\.?\s+(?:(?P<day>\d{{1,2}}),?\s+)?(?P<y1>\d{{4}})\b"
    r"|\b(?P<season>spring|summer|fall|autumn|winter)\s+(?:of\s+|semester\s+)?(?P<y2>\d{4})\b"
    r"|\b(?P<y3>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_MY = re.compile(r"^(\d{1,2})/(\d{4})$")


class ImplausibleDate(ValueError):
    """A date that parses but cannot be a Confucius Institute date (before 2004)."""


def parse_date(text: str | None) -> dt.date | None:
    """First date in ``text`` as a day; ``None`` for empty or date-less text.

    Rules are in the module docstring. Raises :class:`ImplausibleDate` for a year before 2004.

    >>> parse_date("Fall 2021"), parse_date("September 2017, reported March 2018")
    (datetime.date(2021, 9, 1), datetime.date(2017, 9, 1))
    >>> parse_date("2017"), parse_date("06/31/2021"), parse_date("Announced Sept. 2019, will close Dec. 2019")
    (datetime.date(2017, 1, 1), datetime.date(2021, 6, 1), datetime.date(2019, 9, 1))
    """
    s = (text or "").strip()
    if not s:
        return None
    out = _parse_whole(s)
    if out is None:
        out = _parse_free(s)
    if out is not None and out.year < FIRST_YEAR:
        raise ImplausibleDate(s)
    return out


def _day(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return dt.date(y, m, 1)


def _parse_whole(s: str) -> dt.date | None:
    if m := _ISO.match(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _MDY.match(s):
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _day(year, int(m[1]), int(m[2]))
    if m := _MY.match(s):
        return dt.date(int(m[2]), int(m[1]), 1)
    return None


def _parse_free(s: str) -> dt.date | None:
    m = _FREE_DATE.search(s)
    if m is None:
        return None
    if m["mon"]:
        month = _MONTHS[m["mon"][:3].lower()]
        return (
            _day(int(m["y1"]), month, int(m["day"]))
            if m["day"]
            else dt.date(int(m["y1"]), month, 1)
        )
    if m["season"]:
        return dt.date(int(m["y2"]), SEASON_MONTH[m["season"].lower()], 1)
    return dt.date(int(m["y3"]), 1, 1)


def normalize_name(name: str) -> str:
    """Matching key of an institution name (see the module docstring).

    >>> normalize_name("Confucius Institute at the University of Nebraska-Lincoln")
    'university of nebraska lincoln'
    >>> normalize_name("Alabama A&M University (will close, date unclear)")
    'alabama a and m university'
    """
    s = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    s = _PAREN.sub(" ", s)
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = _CI_PREFIX.sub("", s)
    if s.startswith("the "):
        s = s[4:]
    return s


def host_key(name: str) -> str:
    key = normalize_name(name)
    return HOST_ALIASES.get(key, key)


def university_id(iso3: str, key: str) -> str:
    """``university:<ISO3>:<normalized name with hyphens>``."""
    return f"university:{iso3}:{key.replace(' ', '-')}"


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", _PAREN.sub(" ", unicodedata.normalize("NFKC", name))).strip(" ,")


# -- building ---------------------------------------------------------------------------------


@dataclass
class _Tie:
    source: str
    target: str
    kind: str
    start: dt.date | None
    end: dt.date | None
    attrs: dict[str, Any]

    def row(self, ref: str, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "track": "education",
            "kind": self.kind,
            "start_date": self.start,
            "end_date": self.end,
            "weight": 1.0,
            "directed": self.kind == "membership",
            "ref": ref,
            "attrs": json.dumps(attrs if attrs is not None else self.attrs, sort_keys=True),
        }


@dataclass
class _File:
    """What one source file yields: its actors, ties, rejects and row counts."""

    name: str
    rows_read: int = 0
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)
    ties: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, str]] = field(default_factory=list)
    details: Counter[str] = field(default_factory=Counter)

    def reject(self, row: int, fld: str, reason: str, raw: str) -> None:
        self.rejects.append(
            {"row": f"{self.name}:row {row}", "field": fld, "reason": reason, "raw": raw}
        )

    def ref(self, row: int) -> str:
        return f"{self.name}:row {row}"


def _actor(
    aid: str, name: str, atype: str, country: str, city: str = "", **attrs: str
) -> dict[str, Any]:
    kept = {k: v for k, v in attrs.items() if v}
    return {
        "id": aid,
        "name": name,
        "type": atype,
        "country": country,
        "city": city or None,
        "attrs": json.dumps(kept, sort_keys=True) if kept else None,
        "level": "network" if atype == "network" else "organisation",
    }


_NETWORK = _actor(NETWORK_ID, NETWORK_NAME, "network", "CHN")


class _Builder:
    """Reads the four files in order and keeps the US institutes seen so far by host key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.us: dict[str, list[tuple[_Tie, list[dict[str, Any]]]]] = {}

    def _rows(self, fname: str) -> Iterable[tuple[int, dict[str, str]]]:
        with open(self.folder / fname, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=1):
                yield i, {k: (v or "").strip() for k, v in row.items() if k is not None}

    @staticmethod
    def _date(f: _File, fld: str, text: str) -> dt.date | None:
        try:
            return parse_date(text)
        except ImplausibleDate:
            f.details[f"dates left out: {fld} before {FIRST_YEAR} (spreadsheet artefact)"] += 1
            return None

    def _add_us(
        self,
        f: _File,
        i: int,
        host: str,
        partner: str,
        start: dt.date | None,
        end: dt.date | None,
        attrs: dict[str, Any],
        state: str = "",
    ) -> None:
        """Add a US institute, or merge the row into the institute an earlier row gave.

        A row merges when its host key is known and either the partner matches or the host has
        one institute so far (the lists spell partners differently, or name none).
        """
        key = host_key(host)
        host_actor = _actor(
            university_id("USA", key), _clean(host), "university", "USA", state=state
        )
        partner = "" if partner.lower() == "unknown" else partner
        if partner:
            target = _actor(
                university_id("CHN", normalize_name(partner)), _clean(partner), "university", "CHN"
            )
            tie = _Tie(host_actor["id"], target["id"], "agreement", start, end, attrs)
        else:
            target = _NETWORK
            tie = _Tie(host_actor["id"], NETWORK_ID, "membership", start, end, attrs)
        known = self.us.get(key, [])
        same = [k for k in known if k[0].target == tie.target] or (known if len(known) == 1 else [])
        if same:
            first, endpoints = same[0]
            f.details["merged: US institute already given by an earlier row or list"] += 1
            for a in endpoints:
                f.actors.setdefault(a["id"], a)
            f.ties.append(first.row(f.ref(i)))
            return
        endpoints = [host_actor, target]
        self.us.setdefault(key, []).append((tie, endpoints))
        for a in endpoints:
            f.actors.setdefault(a["id"], a)
        f.ties.append(tie.row(f.ref(i)))

    # -- the four files -------------------------------------------------------------------------
    def closing(self) -> _File:
        f = _File(CLOSING)
        for i, r in self._rows(CLOSING):
            f.rows_read += 1
            start = self._date(f, "date_opened", r["date_opened"])
            end = self._date(f, "date_of_decision", r["date_of_decision"])
            attrs = {
                "opened": r["date_opened"],
                "decision": r["date_of_decision"],
                "list": "NAS closing",
            }
            self._add_us(
                f, i, r["institution"], r["chinese_partner"], start, end, attrs, r["state"]
            )
        return f

    def open_list(self) -> _File:
        f = _File(OPEN)
        for i, r in self._rows(OPEN):
            f.rows_read += 1
            host = r["American Institution"]
            start = self._date(f, "Date Started", r["Date Started"])
            attrs = {"opened": r["Date Started"], "list": "NAS open", "category": r["Category"]}
            note = " ".join(p.strip("() ") for p in _PAREN.findall(host))
            if note:
                attrs["note"] = note
            partner = r["Chinese Partner Institution"]
            self._add_us(f, i, host, partner, start, None, attrs, r["State"])
        return f

    def usa_ci(self) -> _File:
        f = _File(USA_CI)
        for i, r in self._rows(USA_CI):
            f.rows_read += 1
            attrs = {"status_heuristic": r["Status"], "list": "LAS-NCSU usa_ci"}
            self._add_us(f, i, r["Location"], r["Partner Uni"], None, None, attrs)
        return f

    def global_list(self) -> _File:
        f = _File(GLOBAL)
        for i, r in self._rows(GLOBAL):
            f.rows_read += 1
            iso3 = to_iso3(r["country"])
            if iso3 is None:
                f.reject(i, "country", "country name not matched to ISO 3166-1", r["country"])
                continue
            host = _global_host(r)
            start = self._date(f, "date_est", r["date_est"])
            attrs = {
                "institute": _clean(r["confucius_institute"]),
                "date_est": r["date_est"],
                "status_heuristic": r["status"],
                "list": "LAS-NCSU global",
            }
            if iso3 == "USA":
                self._add_us(f, i, host, r["partner_uni"], start, None, attrs)
                continue
            h = _actor(
                university_id(iso3, normalize_name(host)),
                _clean(host),
                "university",
                iso3,
                city=r["nearest_city"],
            )
            f.actors.setdefault(h["id"], h)
            f.actors.setdefault(NETWORK_ID, _NETWORK)
            f.ties.append(_Tie(h["id"], NETWORK_ID, "membership", start, None, attrs).row(f.ref(i)))
        return f


def _global_host(r: dict[str, str]) -> str:
    """Host institution of a global-list row: the CI's name after "at", else the location."""
    ci = _clean(r["confucius_institute"])
    m = re.search(r"\bat\s+(?:the\s+)?(.+)$", ci, re.IGNORECASE)
    if m and re.search(r"confucius", ci[: m.start()], re.IGNORECASE):
        return m[1]
    if not re.search(r"confucius", ci, re.IGNORECASE):
        return ci
    return ci if re.search(r"\b(in|of)\b", ci, re.IGNORECASE) else r["location_name"] or ci


def build_batches(folder: Path) -> tuple[list[Batch], list[dict[str, int]]]:
    """The four batches (in file order) and each file's detail counts."""
    b = _Builder(folder)
    files = [b.closing(), b.open_list(), b.usa_ci(), b.global_list()]
    batches = []
    for f in files:
        batches.append(
            rows_batch(
                DATASET,
                folder / f.name,
                actors=list(f.actors.values()),
                ties=f.ties,
                rows_read=f.rows_read,
                rejects=f.rejects,
                details=dict(f.details),
            )
        )
    return batches, [dict(f.details) for f in files]


def load(ws: Sink, progress: Progress | None = None) -> list[IngestReport]:
    """Load the four files in one ingest; loading twice adds nothing."""
    if progress:
        progress("reading 4 files")
    batches, details = build_batches(DATASET.path())
    return ingest_with_details(ws, batches, details, progress)


DATASET = register(
    Dataset(
        name=NAME,
        title="Confucius Institutes: US host-partner ties (NAS, 2004-2022) and hosts in 148 countries",
        summary=(
            "University <-> Chinese partner university agreements (education) dated from opening "
            "to closing decision for the US; host memberships in the Confucius Institute "
            "programme elsewhere."
        ),
        licence=LICENCE,
        folder=NAME,
        loader=load,
        files=FILES,
    )
)
