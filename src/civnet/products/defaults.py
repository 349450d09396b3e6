"""Constants of the products that the catalog and the CLI read before any measure is loaded.

Kept apart from the modules that use them (:mod:`civnet.products.analyze`,
:mod:`civnet.products.results.structure_results`), which import igraph and the measures: ``civnet
--help`` declares its options from the catalog without loading those.
"""

from __future__ import annotations

BUDGET_DELTA = 0.1
"""Failure probability of the bounded approximation that betweenness switches to past its time
budget, and the default of ``--delta``."""

DIVERSITY_COLUMNS = [
    "country",
    "actors",
    "subject_entropy",
    "subject_blau",
    "ties",
    "field_entropy",
    "field_blau",
    "partners",
    "tracks_per_partner",
    "multi_track_partners",
    "actor_dyads",
    "multi_track_actor_dyads",
]
"""The per-country columns of ``civnet diversity`` (JSON adds the counts ``actor_types``, ``tracks``)."""
