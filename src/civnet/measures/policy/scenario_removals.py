"""Who holds the network together: reach lost when actors leave, one at a time or cumulatively.

Reach is a sum over components (:func:`civnet.measures.policy.scenarios.reach`), so removing a set of
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
from civnet.measures.policy.scenarios import pairs
from civnet.measures.statistics.choices import REMOVAL_UNITS

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
        # weak components need neither directions nor attributes: a bare undirected copy is
        # cheaper to copy and cut
        self.graph = ig.Graph(n=graph.vcount(), edges=graph.get_edgelist(), directed=False)
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
        self._sub: dict[int, ig.Graph] = {}
        self._intact = True
        self._articulation: set[int] | None = None

    @property
    def largest(self) -> int:
        return max(self.size) if self.size else 0

    def _subgraph(self, c: int) -> ig.Graph:
        """Component c as a graph (its members in increasing order), built once and reused."""
        if c not in self._sub:
            members = self.members[c]
            assert members is not None
            self._sub[c] = self.graph.induced_subgraph(members.tolist())
        return self._sub[c]

    def _pieces(
        self, vertices: np.ndarray
    ) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """For each component touched by ``vertices``: its remaining members (increasing) and
        the piece each belongs to once ``vertices`` are gone."""
        v = np.unique(np.asarray(vertices, dtype=np.int64))
        v = v[self.member_of[v] >= 0] if len(v) else v
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for c in np.unique(self.member_of[v]).tolist():
            members = self.members[c]
            assert members is not None
            local = np.searchsorted(members, v[self.member_of[v] == c])
            keep = np.ones(len(members), dtype=bool)
            keep[local] = False
            rest = members[keep]
            if len(rest) <= 1:
                out[c] = (rest, np.zeros(len(rest), np.int64))
                continue
            h = self._subgraph(c).copy()
            h.delete_vertices(local.tolist())
            out[c] = (rest, np.asarray(h.connected_components(mode="weak").membership))
        return out, v

    def cut(self, vertices: Sequence[int] | np.ndarray) -> Cut:
        """The effect of removing ``vertices`` (already removed ones are ignored); no change.

        One actor that is not an articulation point of the graph as it was built (igraph's
        biconnected components, computed once, Hopcroft & Tarjan 1973) leaves its component
        whole: nothing is recomputed.
        """
        v = np.unique(np.asarray(vertices, dtype=np.int64))
        if len(v) == 1 and self._intact and self.member_of[v[0]] >= 0:
            if self._articulation is None:
                self._articulation = set(self.graph.articulation_points())
            if int(v[0]) not in self._articulation:
                c = int(self.member_of[v[0]])
                rest = np.zeros(self.size[c] - 1, np.int64)
                return self._effect({c: (rest, rest)}, 1)
        pieces, v = self._pieces(v)
        return self._effect(pieces, len(v))

    def _effect(self, pieces: dict[int, tuple[np.ndarray, np.ndarray]], removed: int) -> Cut:
        lost = 0
        new_pairs = self.connected
        comps = self.components
        new_sizes: list[int] = []
        for c, (rest, piece) in pieces.items():
            sizes = np.bincount(piece) if len(piece) else np.zeros(0, np.int64)
            remaining = len(rest)
            kept = pairs(sizes)
            lost += remaining * (remaining - 1) // 2 - kept
            new_pairs += kept - self.size[c] * (self.size[c] - 1) // 2
            comps += len(sizes) - 1
            new_sizes.extend(int(x) for x in sizes)
        untouched = [s for c, s in enumerate(self.size) if c not in pieces and s > 0]
        largest = max(untouched + new_sizes) if untouched or new_sizes else 0
        return Cut(removed, lost, self.alive - removed, new_pairs, comps, largest)

    def remove(self, vertices: Sequence[int] | np.ndarray) -> Cut:
        """Remove ``vertices`` and return the effect (as :meth:`cut`)."""
        pieces, v = self._pieces(np.asarray(vertices, dtype=np.int64))
        effect = self._effect(pieces, len(v))
        self._intact = False
        self.member_of[v] = -1
        for c, (rest, piece) in pieces.items():
            self._sub.pop(c, None)
            if not len(rest):
                self.members[c], self.size[c] = None, 0
                continue
            order = np.argsort(piece, kind="stable")
            sizes = np.bincount(piece)
            parts = np.split(rest[order], np.cumsum(sizes)[:-1])
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
