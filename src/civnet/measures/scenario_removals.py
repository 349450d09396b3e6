"""Who holds the network together: reach lost when actors leave, one at a time or cumulatively.

Reach is a sum over components (:func:`civnet.measures.scenarios.reach`), so removing a set of
actors only changes the components that hold them. :class:`ComponentIndex` keeps the components
of a graph (their members and sizes) and, for a removal, recomputes only the affected
components, on the subgraph induced by their remaining members (igraph); everything else is
reused. :func:`rank_removals` ranks candidate removals by the pairs of *other* actors they cut
apart, and :func:`attack_curve` removes the candidates cumulatively in rank order.

Pairs cut apart by removing a set S: ``sum over components c touched by S of
C(s_c - r_c, 2) - sum over the pieces p of c without S of C(s_p, 2)``, where r_c actors of c are
in S. Pairs involving the removed actors themselves are not counted (they leave with them); this
is the key-player fragmentation of Borgatti (2006) doi:10.1007/s10588-006-7084-x, counted in
pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np

from civnet.errors import BadFilter
from civnet.measures.scenarios import pairs

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Cut:
    """What removing a set of actors does to the components.

    ``removed``: actors actually removed (those still present); ``pairs_cut``: pairs of
    remaining actors connected before and not after; ``actors``, ``connected``, ``components``,
    ``largest``: the graph after the removal.
    """

    removed: int
    pairs_cut: int
    actors: int
    connected: int
    components: int
    largest: int

    @property
    def possible(self) -> int:
        return self.actors * (self.actors - 1) // 2

    @property
    def share(self) -> float:
        """Reach after the removal: ``connected / C(actors, 2)`` (NaN below two actors)."""
        return self.connected / self.possible if self.possible else float("nan")


class ComponentIndex:
    """The weak components of ``graph`` as actors are removed; recomputes only what changes.

    ``member_of[v]`` is v's component (-1 once removed); ``members[c]`` its actors (``None``
    once the component is gone); ``size[c]`` its size. :meth:`cut` evaluates a removal without
    applying it, :meth:`remove` applies it.
    """

    def __init__(self, graph: ig.Graph) -> None:
        self.graph = graph
        n = graph.vcount()
        comps = graph.connected_components(mode="weak") if n else None
        self.member_of = np.asarray(comps.membership if comps else [], dtype=np.int64)
        order = np.argsort(self.member_of, kind="stable")
        sizes = np.bincount(self.member_of) if n else np.zeros(0, np.int64)
        bounds: np.ndarray = np.cumsum(sizes)[:-1] if len(sizes) else np.zeros(0, np.int64)
        self.members: list[np.ndarray | None] = list(np.split(order, bounds)) if n else []
        self.size: list[int] = [int(s) for s in sizes]
        self.alive = n
        self.connected = pairs(sizes)
        self.components = len(self.size)

    @property
    def largest(self) -> int:
        return max(self.size) if self.size else 0

    def _pieces(self, vertices: np.ndarray) -> tuple[dict[int, list[np.ndarray]], np.ndarray]:
        """For each component touched by ``vertices``: its remaining members split into pieces."""
        v = np.unique(np.asarray(vertices, dtype=np.int64))
        v = v[self.member_of[v] >= 0] if len(v) else v
        out: dict[int, list[np.ndarray]] = {}
        for c in np.unique(self.member_of[v]).tolist():
            members = self.members[c]
            assert members is not None
            rest = members[~np.isin(members, v)]
            if len(rest) <= 1:
                out[c] = [rest] if len(rest) else []
                continue
            sub = self.graph.induced_subgraph(rest.tolist())
            split = sub.connected_components(mode="weak")
            out[c] = [rest[np.asarray(p, dtype=np.int64)] for p in split]
        return out, v

    def cut(self, vertices: Sequence[int] | np.ndarray) -> Cut:
        """The effect of removing ``vertices`` (already removed ones are ignored); no change."""
        pieces, v = self._pieces(np.asarray(vertices, dtype=np.int64))
        return self._effect(pieces, len(v))

    def _effect(self, pieces: dict[int, list[np.ndarray]], removed: int) -> Cut:
        lost = 0
        new_pairs = self.connected
        comps = self.components
        new_sizes: list[int] = []
        for c, parts in pieces.items():
            sizes = [len(p) for p in parts]
            remaining = sum(sizes)
            kept = pairs(sizes)
            lost += remaining * (remaining - 1) // 2 - kept
            new_pairs += kept - self.size[c] * (self.size[c] - 1) // 2
            comps += len(parts) - 1
            new_sizes.extend(sizes)
        untouched = [s for c, s in enumerate(self.size) if c not in pieces and s > 0]
        largest = max(untouched + new_sizes) if untouched or new_sizes else 0
        return Cut(removed, lost, self.alive - removed, new_pairs, comps, largest)

    def remove(self, vertices: Sequence[int] | np.ndarray) -> Cut:
        """Remove ``vertices`` and return the effect (as :meth:`cut`)."""
        pieces, v = self._pieces(np.asarray(vertices, dtype=np.int64))
        effect = self._effect(pieces, len(v))
        self.member_of[v] = -1
        for c, parts in pieces.items():
            if not parts:
                self.members[c], self.size[c] = None, 0
                continue
            self.members[c], self.size[c] = parts[0], len(parts[0])
            for p in parts[1:]:
                self.member_of[p] = len(self.size)
                self.members.append(p)
                self.size.append(len(p))
        self.alive, self.connected = effect.actors, effect.connected
        self.components = effect.components
        return effect


@dataclass(frozen=True)
class Candidate:
    """A removal to evaluate: a label (actor id or group), its actors (vertex indices)."""

    key: str
    label: str
    vertices: tuple[int, ...]


@dataclass(frozen=True)
class RemovalImpact:
    """A candidate removal and its :class:`Cut`; ``rank`` 1 cuts the most pairs apart."""

    rank: int
    candidate: Candidate
    cut: Cut


def rank_removals(
    graph: ig.Graph, candidates: Sequence[Candidate], progress: Progress | None = None
) -> list[RemovalImpact]:
    """Remove each candidate alone and rank them by the pairs of other actors cut apart.

    Each removal is evaluated exactly on :class:`ComponentIndex` (only the components holding
    the candidate's actors are recomputed). Ties in pairs cut are broken by the number of
    actors removed (fewer first), then by key.
    """
    index = ComponentIndex(graph)
    cuts = []
    for i, cand in enumerate(candidates):
        cuts.append((cand, index.cut(cand.vertices)))
        if progress:
            progress(i + 1, len(candidates))
    cuts.sort(key=lambda x: (-x[1].pairs_cut, x[1].removed, x[0].key))
    return [RemovalImpact(r + 1, c, cut) for r, (c, cut) in enumerate(cuts)]


def attack_curve(graph: ig.Graph, order: Sequence[Candidate]) -> list[Cut]:
    """Remove the candidates cumulatively in ``order``: the graph after each step.

    Element 0 is the graph as it is (nothing removed); element k after the first k candidates.
    ``pairs_cut`` of each step counts the pairs that step cut apart. Reference: Albert, Jeong &
    Barabasi (2000) doi:10.1038/35019019 (attack tolerance).
    """
    index = ComponentIndex(graph)
    out = [Cut(0, 0, index.alive, index.connected, index.components, index.largest)]
    for cand in order:
        out.append(index.remove(cand.vertices))
    return out


REMOVAL_UNITS: tuple[str, ...] = ("brokers", "countries", "alliances")
"""What ``--rank-removals`` removes one at a time: top brokers, whole countries, alliance actors."""

ALLIANCE_TYPES: tuple[str, ...] = ("network", "igo", "forum")
"""Actor types of alliances and the bodies actors join (C40, Eurocities, IGOs, forums)."""


def removal_candidates(
    ids: Sequence[str],
    labels: Sequence[str],
    attribute: Sequence[object],
    unit: str,
    order: Sequence[int] | None = None,
    k: int | None = None,
) -> list[Candidate]:
    """The candidate removals of ``unit`` (:data:`REMOVAL_UNITS`).

    ``brokers``: the first ``k`` vertices of ``order`` (a ranking, e.g. by betweenness), one
    actor each. ``countries``: every value of ``attribute`` (the actors' countries; missing
    values skipped), all actors of the country at once. ``alliances``: every actor whose
    ``attribute`` (type) is in :data:`ALLIANCE_TYPES`, one at a time. Countries and alliances
    are all evaluated whatever ``k``.
    """
    if unit == "brokers":
        chosen = list(order or [])[:k] if k is not None else list(order or [])
        return [Candidate(ids[v], labels[v], (v,)) for v in chosen]
    if unit == "countries":
        groups: dict[str, list[int]] = {}
        for v, c in enumerate(attribute):
            if c is not None and c != "":
                groups.setdefault(str(c), []).append(v)
        return [Candidate(c, c, tuple(vs)) for c, vs in sorted(groups.items())]
    if unit == "alliances":
        return [
            Candidate(ids[v], labels[v], (v,))
            for v, t in enumerate(attribute)
            if t in ALLIANCE_TYPES
        ]
    raise BadFilter(f"unknown removal unit {unit!r}", fix=f"use one of: {', '.join(REMOVAL_UNITS)}")
