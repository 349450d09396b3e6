"""Country names and codes to ISO 3166-1 alpha-3, through country_converter.

Names that cannot be matched are returned as ``None`` and reported by the caller: never guessed.

The matcher's regular expressions take time quadratic in the length of the text (a 40 KB value
took minutes), so a text longer than :data:`MAX_NAME_LENGTH` characters is not a country name
and is answered ``None`` at once: matching is linear in the input, at most about 10 ms a
distinct name, whatever a file or a request holds.
A small table of aliases covers what the matcher does not: the UK's constituent countries, the
divided Germany of historical data, and a few labels found in the shipped datasets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache, lru_cache

ALIASES: dict[str, str] = {
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
    "great britain": "GBR",
    "uk": "GBR",
    "westger": "DEU",
    "eastger": "DEU",
    "west germany": "DEU",
    "east germany": "DEU",
    "kosovo": "XKX",
    "hong kong": "HKG",
    "macau": "MAC",
    "macao": "MAC",
    "taiwan": "TWN",
    "palestine": "PSE",
    "vatican city": "VAT",
    # misspellings in the Wikipedia twin-town lists (twin_cities_raw.csv of city-diplomacy):
    "grece": "GRC",  # Sulmona - Zakynthos, "Grece"
    "madagaskar": "MDG",  # Parthenay - Manakara, "Madagaskar"
    "japa": "JPN",  # Madras - Tōmi, "Japa" (truncated "Japan")
    "kazakhstah": "KAZ",  # Švenčionys - Akkol District, "Kazakhstah"
}
"""Lower-case name -> ISO3 for names the matcher misses or that history splits."""

_ISO3 = re.compile(r"^[A-Z]{3}$")

MAX_NAME_LENGTH = 120
"""Longest text matched as a country name (the longest official name has 52 characters)."""


@cache
def _coco():
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    return coco.CountryConverter()


def to_iso3(name: str | None) -> str | None:
    """ISO3 code of a country name or code, or ``None`` when it cannot be matched.

    >>> to_iso3("England"), to_iso3("United States of America"), to_iso3("Atlantis")
    ('GBR', 'USA', None)
    >>> to_iso3("France" * 10_000) is None  # too long to be a name: answered at once
    True
    """
    if name is None:
        return None
    text = str(name).strip()
    if not text or len(text) > MAX_NAME_LENGTH:
        return None
    return _match(text)


@lru_cache(maxsize=65536)
def _match(text: str) -> str | None:
    alias = ALIASES.get(text.lower())
    if alias:
        return alias
    if _ISO3.match(text) and _is_iso3(text):
        return text
    out = _coco().convert(names=text, to="ISO3", not_found=None)
    if isinstance(out, list):
        return None
    return str(out) if out and _ISO3.match(str(out)) else None


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    data = _coco().data
    return frozenset(str(c) for c in data["ISO3"].dropna())


def _is_iso3(code: str) -> bool:
    return code in _iso3_codes() or code == "XKX"


def map_names(names: Iterable[str | None]) -> dict[str, str | None]:
    """Map each distinct name once; the result holds ``None`` for names that did not match."""
    return {n: to_iso3(n) for n in {x for x in names if x is not None}}


def country_name(iso3: str) -> str:
    """Short English name of an ISO3 code (the code itself when unknown)."""
    if iso3 == "XKX":
        return "Kosovo"
    out = _coco().convert(names=iso3, src="ISO3", to="name_short", not_found=None)
    return str(out) if out and not isinstance(out, list) else iso3
