"""UN M49 regions of countries: the ``region`` and ``continent`` groupings of every ``--by``.

``region`` is the M49 sub-region of an ISO3 country, or its intermediate region where M49 has one
(Eastern Africa, Caribbean, South America...): country_converter's ``UNregion`` column, which the
package ships in its own data file (no download). ``continent`` is the M49 region that sub-region
belongs to: Africa, Americas, Asia, Europe or Oceania. M49 places Antarctica in no region; civnet
labels it Antarctica in both groupings. Kosovo (XKX, not an M49 area) is Southern Europe / Europe,
as country_converter has it. A code that is not a country (``None``, an unknown code) has no
region: the groupings show it as ``(unknown)``.

Reference: United Nations Statistics Division, *Standard country or area codes for statistical
use* (M49), https://unstats.un.org/unsd/methodology/m49/.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

CONTINENT_OF_REGION: dict[str, str] = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
    "Antarctica": "Antarctica",
}
"""M49 sub-region (or intermediate region) -> M49 region, as the M49 table nests them."""

GROUPINGS = ("continent", "region")
"""Actor groupings derived from the actor's country (usable wherever ``--by`` takes an attribute)."""


@cache
def _rows() -> list[dict[str, str]]:
    """The rows of country_converter's shipped ``country_data.tsv``."""
    import csv
    from importlib import resources

    text = resources.files("country_converter").joinpath("country_data.tsv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@cache
def _region_table() -> dict[str, str]:
    """ISO3 -> UNregion."""
    return {r["ISO3"]: r["UNregion"] for r in _rows() if r.get("ISO3") and r.get("UNregion")}


@cache
def _name_table() -> dict[str, str]:
    """ISO3 -> short English name."""
    return {r["ISO3"]: r["name_short"] for r in _rows() if r.get("ISO3") and r.get("name_short")}


def short_name(iso3: str) -> str:
    """Short English name of an ISO3 code (the code itself when unknown), a table lookup.

    >>> short_name("DEU"), short_name("ZZZ")
    ('Germany', 'ZZZ')
    """
    return "Kosovo" if iso3 == "XKX" else _name_table().get(iso3, iso3)


def region_of(iso3: str | None) -> str | None:
    """The M49 sub-region (or intermediate region) of an ISO3 code; ``None`` when unknown.

    >>> region_of("DEU"), region_of("BRA"), region_of("ZZZ")
    ('Western Europe', 'South America', None)
    """
    if iso3 is None:
        return None
    return _region_table().get(str(iso3))


def continent_of(iso3: str | None) -> str | None:
    """The M49 region (Africa, Americas, Asia, Europe, Oceania) of an ISO3 code, or ``None``.

    >>> continent_of("USA"), continent_of("JPN"), continent_of(None)
    ('Americas', 'Asia', None)
    """
    region = region_of(iso3)
    return CONTINENT_OF_REGION.get(region) if region else None


def grouping_values(grouping: str, countries: Iterable[str | None]) -> list[str | None]:
    """``continent`` or ``region`` of each ISO3 code in ``countries`` (``None`` when unknown)."""
    fn = continent_of if grouping == "continent" else region_of
    return [fn(c) for c in countries]
