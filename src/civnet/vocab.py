"""civnet's controlled vocabulary: actor types, tracks (fields) and tie kinds.

See docs/data-model.md. Importers validate against these sets; the messages list the valid values.
"""

from __future__ import annotations

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
}
"""Sector code -> civnet actor type, for country-level sector actors (``sector_actor_id``).

GDELT imports and country panels (AidData, UNESCO) both make actors such as ``CHN/EDU``; this
table gives their type, so the same sector actor has the same type whichever source made it.
"""


def sector_actor_type(sector: str) -> str:
    """civnet actor type of a sector code (``EDU`` -> ``university``); ``cso`` if unknown."""
    return SECTOR_ACTOR_TYPES.get(sector.strip().upper(), "cso")
