"""The fixed choices that measures accept, in a module that imports nothing heavy.

The catalog (:mod:`civnet.products.catalog`) declares them as the bounds of its parameters, so
``civnet --help`` and the API's schema read them without loading a measure (igraph, numpy,
scipy); the measures themselves import them from here.
"""

from __future__ import annotations

RESAMPLE_UNITS: tuple[str, ...] = ("actors", "ties", "sources")
"""What a bootstrap resamples (:mod:`civnet.measures.statistics.resampling`)."""

EVERY: tuple[str, ...] = ("year", "month")
"""The period lengths of a timeline (:mod:`civnet.measures.change.timeline`)."""

GOALS: tuple[str, ...] = ("reach", "betweenness", "brokerage")
"""What a recommended tie should increase (:mod:`civnet.measures.policy.scenario_recommend`)."""

REMOVAL_UNITS: tuple[str, ...] = ("brokers", "countries", "alliances")
"""What ``--rank-removals`` removes one at a time: top brokers, whole countries, alliance actors."""
