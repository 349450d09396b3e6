"""civnet's controlled vocabulary: actor types, tracks (fields) and tie kinds.

See docs/data-model.md. Importers validate against these sets; the messages list the valid values.
"""

from __future__ import annotations

import re

from civnet.errors import UnknownVocabulary

CIVIL_ACTOR_TYPES: tuple[str, ...] = (
    "cso",
    "youth_org",
    "think_tank",
    "university",
    "enterprise",
    "business_assoc",
    "media",
    "religious",
    "labor",
    "individual",
    "city",
)
"""Non-state actors of civil diplomacy (cities act in city diplomacy)."""

INTERMEDIARY_ACTOR_TYPES: tuple[str, ...] = ("state", "igo", "network", "forum")
"""Official and multilateral actors: national governments, IGOs, alliances, platforms."""

ACTOR_TYPES: tuple[str, ...] = CIVIL_ACTOR_TYPES + INTERMEDIARY_ACTOR_TYPES

AFFILIATION_TYPES: tuple[str, ...] = ("network", "igo", "forum")
"""Actor types that other actors join or attend: the second mode of two-mode data."""

ACTOR_LEVELS: tuple[str, ...] = ("organisation", "city", "sector", "country", "network")
"""What an actor stands for (docs/views.md, "Actor levels"):

- ``organisation``: one named organisation (a university, an NGO, a company, a ministry);
- ``city``: one city or municipality;
- ``sector``: an aggregate of a country's actors of one kind (``CHN/EDU`` "China: universities");
- ``country``: a whole country or its government as one actor (``CHN/GOV``, GDELT's untyped
  ``CHN``);
- ``network``: an alliance, network, IGO or forum that others join (C40, the Confucius Institute
  programme).
"""

RANKED_LEVELS: tuple[str, ...] = ("organisation", "city")
"""Levels that rankings list by default; the others are aggregates, left out and counted."""

AGGREGATE_LEVELS: tuple[str, ...] = tuple(x for x in ACTOR_LEVELS if x not in RANKED_LEVELS)

TRACKS: tuple[str, ...] = (
    "culture",
    "education",
    "science_technology",
    "environment",
    "health",
    "economy_trade",
    "social_development",
    "governance",
    "general",
)

TIE_KINDS: tuple[str, ...] = (
    "sister_city",
    "membership",
    "participation",
    "exchange",
    "agreement",
    "joint_project",
    "funding",
    "event",
    "other",
)

AFFILIATION_KINDS: tuple[str, ...] = ("membership", "participation")
"""Tie kinds that link an actor to a network, igo or forum (two-mode ties)."""

CO_MEMBERSHIP_KIND = "co_membership"
"""Kind of the ties made by the one-mode projection of affiliation ties (views only)."""


def check_value(value: str, valid: tuple[str, ...], what: str, where: str | None = None) -> str:
    """Return ``value`` normalized (lower case, '-' and ' ' as '_') or raise UnknownVocabulary."""
    norm = normalize_term(value)
    if norm not in valid:
        raise UnknownVocabulary(
            f"unknown {what} {value!r}",
            where=where,
            fix=f"use one of: {', '.join(valid)}",
        )
    return norm


def normalize_term(value: str) -> str:
    """Lower-case a vocabulary term and spell separators as underscores ('Think tank' -> 'think_tank')."""
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def sector_actor_id(iso3: str, sector: str) -> str:
    """Id of a country-level sector actor, shared by event data and country panels.

    ``sector`` is a CAMEO actor-type code (``EDU``, ``MED``, ``BUS``, ``GOV``...). The same
    (country, sector) gives the same actor whichever dataset it comes from:

    >>> sector_actor_id("chn", "edu")
    'CHN/EDU'
    """
    return f"{iso3.strip().upper()}/{sector.strip().upper()}"


COUNTRY_SECTOR = "COUNTRY"
"""Sector code of a country-level actor standing for the whole country (GDELT's actors coded
with a country and no type): ``CHN/COUNTRY``."""

SECTOR_ACTOR_TYPES: dict[str, str] = {
    # CAMEO actor-type codes (civil)
    "NGO": "cso",
    "NGM": "cso",
    "CVL": "cso",
    "HRI": "cso",
    "ENV": "cso",
    "HLH": "cso",
    "DEV": "cso",
    "REF": "cso",
    "EDU": "university",
    "BUS": "enterprise",
    "MNC": "enterprise",
    "AGR": "enterprise",
    "MED": "media",
    "LAB": "labor",
    "REL": "religious",
    "ELI": "individual",
    # CAMEO actor-type codes (official)
    "GOV": "state",
    "MIL": "state",
    "COP": "state",
    "JUD": "state",
    "LEG": "state",
    "SPY": "state",
    "IGO": "igo",
    "UNO": "igo",
    "PKO": "igo",
    "UIS": "state",
    # CAMEO codes of named international NGOs (Amnesty, Red Cross, Greenpeace)
    "AMN": "cso",
    "IRC": "cso",
    "GRP": "cso",
    # civnet sector codes beyond CAMEO
    "CITY": "city",
    "THINK": "think_tank",
    "YTH": "youth_org",
    COUNTRY_SECTOR: "state",
}
"""Sector code -> civnet actor type, for country-level sector actors (``sector_actor_id``).

GDELT imports and country panels (AidData, UNESCO) both make actors such as ``CHN/EDU``; this
table gives their type, so the same sector actor has the same type whichever source made it.
"""


def sector_actor_type(sector: str) -> str:
    """civnet actor type of a sector code (``EDU`` -> ``university``); ``cso`` if unknown."""
    return SECTOR_ACTOR_TYPES.get(sector.strip().upper(), "cso")


def sector_actor_level(sector: str) -> str:
    """Level of a sector actor: ``country`` for official sectors (GOV, MIL...: type ``state``)
    and for :data:`COUNTRY_SECTOR`, else ``sector``.

    >>> sector_actor_level("GOV"), sector_actor_level("EDU")
    ('country', 'sector')
    """
    return "country" if sector_actor_type(sector) == "state" else "sector"


_SECTOR_ID = re.compile(r"^[A-Z]{3}/([A-Z]+)$")


def actor_level(actor_type: str | None, actor_id: str | None = None) -> str:
    """The default level of an actor, for importers and batches that do not set one.

    ``network`` for the affiliation types (network, igo, forum); for an id made by
    :func:`sector_actor_id` (``CHN/EDU``) :func:`sector_actor_level`; ``city`` for type city;
    else ``organisation``.

    >>> actor_level("university", "CHN/EDU"), actor_level("city", "city:DEU:bonn")
    ('sector', 'city')
    >>> actor_level("network"), actor_level("state", "CHN/GOV"), actor_level("cso", "x")
    ('network', 'country', 'organisation')
    """
    t = normalize_term(actor_type or "")
    if t in AFFILIATION_TYPES:
        return "network"
    m = _SECTOR_ID.match(actor_id or "")
    if m:
        return sector_actor_level(m.group(1))
    return "city" if t == "city" else "organisation"
