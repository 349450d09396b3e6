"""The CAMEO codebooks shipped with civnet, and what a code means.

CAMEO (Conflict and Mediation Event Observations; Gerner et al. 2002) is the coding scheme of GDELT:
actor codes are a country (``CHN``) followed by role codes (``EDU``), events have a code (``043``),
a root code (its first two digits), a QuadClass and a Goldstein (1992) value. The tables live in
``cameo_data/`` with their provenance (``cameo_data/PROVENANCE.md``).

>>> [r["kind"] for r in describe("EDU")]
['actor type']
>>> describe("043")[0]["quad_class"]
1
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from civnet.errors import UnknownVocabulary

QUAD_CLASSES: dict[int, str] = {
    1: "Verbal Cooperation",
    2: "Material Cooperation",
    3: "Verbal Conflict",
    4: "Material Conflict",
}


def data_path(name: str) -> Any:
    """A file of the shipped CAMEO data folder (an importlib Traversable)."""
    return files("civnet.importers.events").joinpath("cameo_data", name)


def _rows(name: str) -> list[list[str]]:
    """Rows of a shipped table (tab-separated ``.txt`` or ``.csv``), header dropped."""
    with data_path(name).open(encoding="utf-8", newline="") as fh:
        delim = "\t" if name.endswith(".txt") else ","
        rows = list(csv.reader(fh, delimiter=delim))
    return [r for r in rows[1:] if r and r[0].strip()]


@dataclass(frozen=True)
class Codebook:
    """All CAMEO lookups, each a dict keyed by code."""

    actor_types: dict[str, str]
    events: dict[str, str]
    goldstein: dict[str, float]
    countries: dict[str, str]
    country_iso3: dict[str, str | None]
    fips_iso3: dict[str, str | None]
    known_groups: dict[str, str]
    religions: dict[str, str]
    ethnic: dict[str, str]


@cache
def codebook() -> Codebook:
    """Load the shipped codebooks once."""
    countries = _rows("cameo_country_iso3.csv")
    return Codebook(
        actor_types={r[0]: r[1] for r in _rows("CAMEO.type.txt")},
        events={r[0]: r[1].strip() for r in _rows("CAMEO.eventcodes.txt")},
        goldstein={r[0]: float(r[1]) for r in _rows("CAMEO.goldsteinscale.txt")},
        countries={r[0]: r[1] for r in countries},
        country_iso3={r[0]: (r[2] or None) for r in countries},
        fips_iso3={r[0]: (r[1] or None) for r in _rows("fips_iso3.csv")},
        known_groups={r[0]: r[1] for r in _rows("CAMEO.knowngroup.txt")},
        religions={r[0]: r[1] for r in _rows("CAMEO.religion.txt")},
        ethnic={r[0]: r[1] for r in _rows("CAMEO.ethnic.txt")},
    )


def quad_class_of_root(root: str) -> int:
    """QuadClass of an event root code, as GDELT assigns it.

    Roots 01-05 are verbal cooperation (1), 06-08 material cooperation (2), 09-13 verbal conflict
    (3), 14-20 material conflict (4) (GDELT 1.0 event codebook, section QuadClass).
    """
    n = int(root)
    if 1 <= n <= 5:
        return 1
    if 6 <= n <= 8:
        return 2
    if 9 <= n <= 13:
        return 3
    if 14 <= n <= 20:
        return 4
    raise ValueError(f"not a CAMEO root code: {root!r}")


def split_actor_code(code: str) -> tuple[str | None, str | None]:
    """(country, first role type) of a composite CAMEO actor code such as ``USAEDU``.

    The first three letters are the country when they are a CAMEO country code; the type is the
    first following three-letter group that is a CAMEO actor type.

    >>> split_actor_code("IRNOPPEDU"), split_actor_code("GOVMIL"), split_actor_code("CHRCTH")
    (('IRN', 'OPP'), (None, 'GOV'), (None, None))
    """
    cb = codebook()
    code = code.strip().upper()
    country = code[:3] if code[:3] in cb.countries else None
    rest = code[3:] if country else code
    for i in range(0, len(rest) - 2, 3):
        if rest[i : i + 3] in cb.actor_types:
            return country, rest[i : i + 3]
    return country, None


def describe(code: str) -> list[dict[str, Any]]:
    """Every meaning of ``code`` in the CAMEO codebooks, one record per meaning.

    Raises :class:`UnknownVocabulary` when the code is in none of them.
    """
    cb = codebook()
    raw = code.strip()
    up = raw.upper()
    out: list[dict[str, Any]] = []
    if up in cb.actor_types:
        out.append({"code": up, "kind": "actor type", "label": cb.actor_types[up]})
    if raw in cb.events:
        root = raw[:2]
        out.append(
            {
                "code": raw,
                "kind": "event code",
                "label": cb.events[raw],
                "root": f"{root} {cb.events.get(root, '')}".strip(),
                "quad_class": quad_class_of_root(root),
                "quad_class_label": QUAD_CLASSES[quad_class_of_root(root)],
                "goldstein": cb.goldstein.get(raw),
            }
        )
    if raw.isdigit() and len(raw) == 1 and int(raw) in QUAD_CLASSES:
        out.append({"code": raw, "kind": "QuadClass", "label": QUAD_CLASSES[int(raw)]})
    if up in cb.countries:
        out.append(
            {
                "code": up,
                "kind": "country",
                "label": cb.countries[up],
                "iso3": cb.country_iso3[up] or "(none: a region)",
            }
        )
    for table, kind in (
        (cb.known_groups, "known group"),
        (cb.religions, "religion"),
        (cb.ethnic, "ethnic group"),
    ):
        key = raw.lower() if kind == "ethnic group" else up
        if key in table:
            out.append({"code": key, "kind": kind, "label": table[key]})
    if not out and len(up) > 3 and up.isalpha():
        country, typ = split_actor_code(up)
        if country or typ:
            out.append(
                {
                    "code": up,
                    "kind": "actor code",
                    "label": " / ".join(
                        x
                        for x in (
                            cb.countries.get(country or "", ""),
                            cb.actor_types.get(typ or "", ""),
                        )
                        if x
                    ),
                    "country": country,
                    "iso3": cb.country_iso3.get(country or ""),
                    "actor_type": typ,
                }
            )
    if not out:
        raise UnknownVocabulary(
            f"{raw!r} is not a CAMEO code",
            fix="give an actor type (EDU), an event code (043), a country (CHN), a QuadClass (1-4) "
            "or a composite actor code (USAEDU)",
        )
    return out
