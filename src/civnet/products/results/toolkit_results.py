"""Results of the standard toolkit (:mod:`civnet.measures.structure.centrality`) as products show them.

Each ``*_result`` function computes one measure over a view and returns a :class:`Ranking`:
one record per actor (rank, id, name, type, country, the measure's columns), highest first and
ties broken by id; actors without a value (NaN) come last with ``null``. ``Ranking.json()`` is
what ``civnet <measure> --format json`` prints and ``GET /api/<measure>`` returns; the catalog
(:mod:`civnet.products.catalog`) registers them. ``ego_density`` with ``by`` returns a
:class:`GroupEgoDensity` instead: one record per group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civnet.measures.structure.centrality import (
    degree,
    ego_density,
    eigenvector,
    harmonic_closeness,
    kcore,
    pagerank,
)
from civnet.measures.structure.groups import partition, require_actors
from civnet.products.results.structure_results import vertex_values
from civnet.views.network import Network

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Ranking:
    """Per-actor records of one measure, in rank order; ``notes`` say what was left out."""

    measure: str
    records: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    n_actors: int | None = None

    def json(self) -> dict[str, Any]:
        """The records (``top``: the first K), ``n_actors`` (all) and the measure's notes."""
        return {"records": self.records, "n_actors": self.n_actors, "notes": self.notes}


def actor_records(
    net: Network,
    columns: Mapping[str, Sequence[Any] | np.ndarray],
    key: str,
    top: int | None,
) -> list[dict[str, Any]]:
    """One record per actor with ``columns``, sorted by ``key`` descending (NaN last, then id).

    ``rank`` numbers the actors that have a value of ``key``; those without one get ``None``.
    """
    ids = net.ids
    labels = vertex_values(net, "label")
    types = vertex_values(net, "type")
    countries = vertex_values(net, "country")
    values = np.asarray(columns[key], dtype=float)
    missing = np.isnan(values)
    order = sorted(
        range(len(ids)), key=lambda i: (bool(missing[i]), -np.nan_to_num(values[i]), ids[i])
    )
    if top is not None:
        order = order[:top]
    out = []
    for rank, i in enumerate(order, start=1):
        rec: dict[str, Any] = {
            "rank": None if missing[i] else rank,
            "id": ids[i],
            "name": labels[i] if labels[i] is not None else ids[i],
            "type": types[i],
            "country": countries[i],
        }
        for name, col in columns.items():
            v = col[i]
            rec[name] = v.item() if isinstance(v, np.generic) else v
            if isinstance(rec[name], float) and np.isnan(rec[name]):
                rec[name] = None
        out.append(rec)
    return out


def degree_result(net: Network, progress: Progress, top: int | None = None) -> Ranking:
    """``civnet degree [--top K]``: partners (and in/out when directed), tie records, strength."""
    require_actors(net, "degree")
    d = degree(net)
    cols: dict[str, Any] = {"partners": d.partners}
    if d.directed and d.in_partners is not None and d.out_partners is not None:
        cols["in_partners"] = d.in_partners
        cols["out_partners"] = d.out_partners
    cols["ties"] = d.ties
    cols["strength"] = d.strength
    progress(1, 1)
    return Ranking("degree", actor_records(net, cols, "partners", top), n_actors=len(net.ids))


def closeness_result(net: Network, progress: Progress, top: int | None = None) -> Ranking:
    """``civnet closeness [--top K]``: harmonic closeness, normalized by n - 1."""
    require_actors(net, "closeness")
    h = harmonic_closeness(net)
    progress(1, 1)
    return Ranking(
        "closeness",
        actor_records(net, {"harmonic_closeness": h}, "harmonic_closeness", top),
        n_actors=len(net.ids),
    )


def eigenvector_result(
    net: Network, progress: Progress, weighted: bool = False, top: int | None = None
) -> Ranking:
    """``civnet eigenvector [--weighted] [--top K]``: within the largest (strong) component."""
    require_actors(net, "eigenvector")
    e = eigenvector(net, weighted=weighted)
    progress(1, 1)
    return Ranking(
        "eigenvector",
        actor_records(net, {"eigenvector": e.values}, "eigenvector", top),
        e.notes,
        len(net.ids),
    )


def pagerank_result(
    net: Network,
    progress: Progress,
    damping: float = 0.85,
    weighted: bool = False,
    top: int | None = None,
) -> Ranking:
    """``civnet pagerank [--damping D] [--weighted] [--top K]``."""
    require_actors(net, "pagerank")
    pr = pagerank(net, damping=damping, weighted=weighted)
    progress(1, 1)
    return Ranking(
        "pagerank", actor_records(net, {"pagerank": pr}, "pagerank", top), n_actors=len(net.ids)
    )


def kcore_result(net: Network, progress: Progress, top: int | None = None) -> Ranking:
    """``civnet kcore [--top K]``: core number in the partner graph, with the partners."""
    require_actors(net, "kcore")
    k = kcore(net)
    d = degree(net)
    progress(1, 1)
    cols = {"core": k, "partners": d.partners}
    return Ranking("kcore", actor_records(net, cols, "core", top), n_actors=len(net.ids))


@dataclass(frozen=True)
class GroupEgoDensity:
    """Ego-network density summarized per group of actors."""

    by: str
    records: list[dict[str, Any]]
    n_groups: int | None = None

    def json(self) -> dict[str, Any]:
        """The groups' records (``top``: the first K) and ``n_groups`` (all)."""
        return {"records": self.records, "by": self.by, "n_groups": self.n_groups}


def ego_density_result(
    net: Network, progress: Progress, by: str | None = None, top: int | None = None
) -> Ranking | GroupEgoDensity:
    """``civnet ego-density [--by ATTR] [--top K]``.

    Without ``by``: each actor's ego-network density, its partners and the tied partner pairs.
    With ``by`` (country, continent, type...): per group, the actors, how many have two or more
    partners (``scored``: the others have no ego density), the mean ego density of the scored
    actors and the pooled density (tied pairs / possible pairs over the scored actors), largest
    groups first.
    """
    require_actors(net, "ego density")
    e = ego_density(net)
    progress(1, 1)
    if by is None:
        cols = {"ego_density": e.values, "partners": e.partners, "pairs_tied": e.pairs_tied}
        return Ranking(
            "ego_density", actor_records(net, cols, "ego_density", top), n_actors=len(net.ids)
        )
    part = partition(net, by)
    scored = e.partners >= 2
    possible = e.partners * (e.partners - 1) / 2.0
    records: list[dict[str, Any]] = []
    for g, name in enumerate(part.groups):
        members = part.codes == g
        ok = members & scored
        n_ok = int(ok.sum())
        records.append(
            {
                by: name,
                "actors": int(members.sum()),
                "scored": n_ok,
                "mean_ego_density": float(e.values[ok].mean()) if n_ok else None,
                "pooled_ego_density": float(e.pairs_tied[ok].sum() / possible[ok].sum())
                if n_ok
                else None,
            }
        )
    records.sort(key=lambda r: (-int(r["actors"]), str(r[by])))
    return GroupEgoDensity(by, records[:top] if top is not None else records, len(records))
