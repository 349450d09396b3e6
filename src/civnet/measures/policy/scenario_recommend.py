"""Which partnerships would matter most: new ties for an actor or a country, ranked by their gain.

The *focal* is one actor or the actors of one country; its *tie-maker* is the actor that would
make the new ties (the actor itself; for a country, its organisation or city with the most ties,
ties broken by id). A candidate is an organisation or city (by default; aggregates standing for a
sector or a country are not partners one can sign with) outside the focal, not yet tied to the
tie-maker, optionally of given types, countries and levels. The goal (:data:`GOALS`) is a number about the focal:

``reach``
    Actors outside the focal reachable from some focal actor (weak paths): the sizes of the
    components that hold a focal actor, summed, less the focal actors. A tie from the tie-maker to
    a candidate c adds c's component when no focal actor is in it, else nothing. This is a
    coverage function of the chosen ties, hence monotone and submodular, and greedy selection
    attains at least ``1 - 1/e`` of the best k ties (Nemhauser, Wolsey & Fisher 1978,
    doi:10.1007/BF01588971); because the components are disjoint the coverage is even additive
    over ties to distinct unreached components, and greedy is then exactly optimal.
``betweenness``
    The tie-maker's normalized betweenness (:func:`civnet.measures.intermediation.betweenness`'s definition,
    normalized by the view's actors), recomputed exactly with igraph on the component the tie
    makes (paths never leave a component). Only with ``--actor``. Not submodular in general:
    greedy has no guarantee.
``brokerage``
    The Gould-Fernandez brokered pairs (``total``, :func:`civnet.measures.intermediation.brokerage`) of the
    focal actors, recomputed exactly on the subgraph of the focal actors, their neighbours and the
    candidate (a focal actor's brokerage depends only on the ties among its neighbours). Not
    submodular in general: greedy has no guarantee.

Every candidate of the pool is re-evaluated exactly on the graph with its tie added; with ``k``
ties, greedy selection adds the best tie, then re-evaluates the pool on the changed graph, and
reports each step's gain. A tie is added undirected (both arcs in a directed view).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import pyarrow as pa

from civnet.errors import BadFilter, EmptyNetwork, UnknownActor
from civnet.measures.intermediation.brokerage import ROLES, brokerage
from civnet.measures.statistics.choices import GOALS
from civnet.views.network import Network
from civnet.vocab import RANKED_LEVELS

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Suggestion:
    """One suggested tie and why.

    ``gain``: the goal's increase from this tie (given the ties suggested before it);
    ``value``: the goal after it. ``distance``: hops between the tie-maker and the candidate
    before the tie (``None``: different components). ``component``: actors in the candidate's
    component before the tie; ``countries``: the most frequent countries of that component
    (at most three, most actors first), when it is not already reached.
    """

    step: int
    source: str
    target: str
    gain: float
    value: float
    distance: int | None
    component: int
    countries: list[str]

    @property
    def why(self) -> str:
        """The suggestion in words: what the tie bridges."""
        if self.distance is None:
            where = f" ({', '.join(self.countries)})" if self.countries else ""
            return f"bridges to a separate component of {self.component} actors{where}"
        return f"shortcut inside the focal component: {self.distance} hops apart before"


@dataclass(frozen=True)
class Recommendation:
    """The goal's value now, the greedy sequence of ties and the single-tie ranking.

    ``ranking``: every pool candidate's gain as the first tie, best first. ``pool`` candidates
    were evaluated out of ``eligible``. ``guarantee`` states what greedy selection guarantees.
    """

    goal: str
    focal: list[str]
    tie_maker: str
    baseline: float
    suggestions: list[Suggestion]
    ranking: list[tuple[str, float]]
    eligible: int
    pool: int
    guarantee: str
    notes: list[str] = field(default_factory=list)


def recommend(
    net: Network,
    *,
    actor: str | None = None,
    country: str | None = None,
    goal: str = "reach",
    k: int = 10,
    types: Sequence[str] = (),
    countries: Sequence[str] = (),
    levels: Sequence[str] | None = RANKED_LEVELS,
    pool: int = 200,
    progress: Progress | None = None,
) -> Recommendation:
    """Candidate new ties for ``actor`` or ``country`` ranked by their gain in ``goal``.

    ``types``/``countries``/``levels`` restrict the candidates; by default they are
    organisations and cities (:data:`civnet.vocab.RANKED_LEVELS`), not aggregates standing for a
    sector or a country (``levels=None``: every level). The tie-maker of a country is likewise
    its most tied organisation or city when it has one. Equal gains are ordered by distance from
    the tie-maker (other components first, then farther: the tie that bridges more), then id. The pool is every eligible candidate when
    there are at most ``pool``; otherwise the ``pool`` candidates first by (not in a component
    of the focal, larger component, farther from the tie-maker, more ties, id), and the
    recommendation says so. Greedy selection stops early when no candidate gains anything.
    """
    if goal not in GOALS:
        raise BadFilter(f"unknown --goal {goal!r}", fix=f"use one of: {', '.join(GOALS)}")
    if (actor is None) == (country is None):
        raise BadFilter(
            "recommend needs --actor ID or --country ISO3",
            fix="give one of them (API: actor or focal_country)",
        )
    if k < 1 or pool < 1:
        raise BadFilter("--k and the pool must be at least 1", fix="use e.g. --k 10")
    g = net.graph.copy()
    if g.vcount() == 0:
        raise EmptyNetwork("the view has no actors", fix="widen the view filters")
    ids = net.ids
    index = {a: i for i, a in enumerate(ids)}
    attrs = set(g.vs.attributes())
    country_of = list(g.vs["country"]) if "country" in attrs else [None] * len(ids)
    type_of = list(g.vs["type"]) if "type" in attrs else [None] * len(ids)
    if actor is not None:
        if actor not in index:
            raise UnknownActor(
                f"--actor {actor!r} is not an actor of the view",
                fix="check the id or widen the view filters",
            )
        focal = [index[actor]]
    else:
        focal = [v for v, c in enumerate(country_of) if c == country]
        if not focal:
            raise BadFilter(f"no actor of {country} in the view", fix="check --country")
        if goal == "betweenness":
            raise BadFilter(
                "--goal betweenness is for one actor",
                fix="use --actor ID, or --goal reach or brokerage with --country",
            )
    degree = g.degree()
    level_of = net.levels()
    makers = [v for v in focal if level_of[v] in RANKED_LEVELS] or focal
    maker = min(makers, key=lambda v: (-degree[v], ids[v]))
    if goal == "betweenness":
        _check_betweenness_work(g, maker)
    in_focal = np.zeros(len(ids), dtype=bool)
    in_focal[focal] = True
    score = _GOALS[goal]
    eligible = [
        v
        for v in range(len(ids))
        if not in_focal[v]
        and (not types or type_of[v] in types)
        and (not countries or country_of[v] in countries)
        and (levels is None or level_of[v] in levels)
    ]
    notes: list[str] = []
    chosen: list[Suggestion] = []
    ranking: list[tuple[str, float]] = []
    value = score(g, focal, maker, None)
    baseline = value
    directed = g.is_directed()
    n_pool = 0
    for step in range(1, k + 1):
        neighbours = set(g.neighbors(maker, mode="all"))
        open_cands = [v for v in eligible if v not in neighbours]
        if goal == "reach":
            cands = open_cands
            gains = [(reach - value, c) for reach, c in _reach_with_each(g, focal, cands)]
        else:
            cands = _pool(g, focal, maker, open_cands, pool, ids)
            gains = []
            for i, c in enumerate(cands):
                gains.append((score(g, focal, maker, c) - value, c))
                if progress:
                    progress(i + 1, len(cands))
        if step == 1:
            n_pool = len(cands)
            if len(cands) < len(open_cands):
                notes.append(
                    f"{len(cands)} of {len(open_cands)} eligible candidates evaluated (those "
                    "in other components, larger and farther from the tie-maker first)"
                )
        far = np.asarray(g.distances(source=[maker], mode="all")[0], dtype=float)
        gains.sort(key=lambda x: (-round(x[0], 12), -far[x[1]], ids[x[1]]))
        if step == 1:
            ranking = [(ids[c], float(gain)) for gain, c in gains]
        if not gains or gains[0][0] <= 0:
            if step <= k:
                notes.append(f"stopped after {step - 1} ties: no further tie increases {goal}")
            break
        gain, best = gains[0]
        distance, comp, where = _context(g, focal, maker, best, country_of)
        value += gain
        chosen.append(
            Suggestion(
                step, ids[maker], ids[best], float(gain), float(value), distance, comp, where
            )
        )
        g.add_edge(maker, best)
        if directed:
            g.add_edge(best, maker)
    guarantee = (
        "reach is a coverage function (monotone submodular): greedy attains at least 1 - 1/e "
        "of the best k ties (Nemhauser, Wolsey & Fisher 1978); the components being disjoint, "
        "greedy is here exactly optimal"
        if goal == "reach"
        else f"{goal} is not submodular in general: greedy carries no approximation guarantee"
    )
    return Recommendation(
        goal,
        [ids[v] for v in focal],
        ids[maker],
        float(baseline),
        chosen,
        ranking,
        len(eligible),
        n_pool,
        guarantee,
        notes,
    )


BETWEENNESS_WORK_LIMIT = 150_000_000
"""Largest component (actors x edges) whose betweenness ``--goal betweenness`` recomputes per
candidate; the same bound as ``civnet analyze``'s exact betweenness."""


def _check_betweenness_work(g: ig.Graph, maker: int) -> None:
    comps = g.connected_components(mode="weak")
    members = comps[comps.membership[maker]]
    edges = g.induced_subgraph(members).ecount()
    if len(members) * edges > BETWEENNESS_WORK_LIMIT:
        raise BadFilter(
            f"--goal betweenness would recompute the betweenness of a component of "
            f"{len(members):,} actors and {edges:,} edges for every candidate",
            fix="narrow the view (--track, --actor-type, --from/--to) or use --goal reach or "
            "brokerage",
        )


def _pool(
    g: ig.Graph, focal: list[int], maker: int, cands: list[int], pool: int, ids: list[str]
) -> list[int]:
    if len(cands) <= pool:
        return cands
    comps = g.connected_components(mode="weak")
    member = np.asarray(comps.membership)
    sizes = np.asarray(comps.sizes())
    reached = set(member[focal].tolist())
    dist = np.asarray(g.distances(source=[maker], mode="all")[0], dtype=float)
    degree = g.degree()
    cands = sorted(
        cands,
        key=lambda v: (
            member[v] in reached,
            -sizes[member[v]],
            -(dist[v] if np.isfinite(dist[v]) else 0),
            -degree[v],
            ids[v],
        ),
    )
    return cands[:pool]


def _context(
    g: ig.Graph, focal: list[int], maker: int, c: int, country_of: list[object]
) -> tuple[int | None, int, list[str]]:
    """Distance tie-maker -> c, size of c's component, its main countries if not reached."""
    comps = g.connected_components(mode="weak")
    member = np.asarray(comps.membership)
    reached = set(member[focal].tolist())
    comp = comps[int(member[c])]
    d = g.distances(source=[maker], target=[c], mode="all")[0][0]
    distance = None if not np.isfinite(d) else int(d)
    where: list[str] = []
    if member[c] not in reached:
        counts = Counter(str(country_of[v]) for v in comp if country_of[v])
        where = [x for x, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return distance, len(comp), where


def _with_tie(g: ig.Graph, maker: int, c: int | None) -> ig.Graph:
    if c is None:
        return g
    h = g.copy()
    h.add_edge(maker, c)
    if g.is_directed():
        h.add_edge(c, maker)
    return h


def _reach_with_each(g: ig.Graph, focal: list[int], cands: list[int]) -> list[tuple[float, int]]:
    """:func:`reach_of` with each candidate's tie added, from one component labelling.

    A tie from a focal component to c joins c's component to the reached ones when it is not
    one of them, and changes nothing else: the reach with the tie is the reach without it plus
    the size of c's component if unreached (exact; checked against NetworkX in the tests).
    """
    member = np.asarray(g.connected_components(mode="weak").membership)
    sizes = np.bincount(member)
    reached = np.zeros(len(sizes), dtype=bool)
    reached[member[focal]] = True
    base = float(sizes[reached].sum() - len(focal))
    c = np.asarray(cands, dtype=np.int64)
    add = np.where(reached[member[c]], 0, sizes[member[c]]) if len(c) else np.zeros(0)
    return [(base + float(a), int(v)) for a, v in zip(add, c, strict=True)]


def reach_of(g: ig.Graph, focal: list[int], maker: int, c: int | None) -> float:
    """Actors outside ``focal`` in the components of ``focal`` (with the tie maker-c added)."""
    member = np.asarray(g.connected_components(mode="weak").membership)
    sizes = np.bincount(member)
    reached = set(member[focal].tolist())
    total = int(sizes[list(reached)].sum()) - len(focal)
    if c is not None and member[c] not in reached:
        total += int(sizes[member[c]])
    return float(total)


def betweenness_of(g: ig.Graph, focal: list[int], maker: int, c: int | None) -> float:
    """Normalized betweenness of ``maker`` (with the tie maker-c added), on its component."""
    n = g.vcount()
    if n < 3:
        return 0.0
    h = _with_tie(g, maker, c)
    comp = h.connected_components(mode="weak")
    members = comp[comp.membership[maker]]
    sub = h.induced_subgraph(members)
    local = members.index(maker)
    raw = float(sub.betweenness(vertices=[local], directed=h.is_directed())[0])
    norm = (n - 1) * (n - 2) * (1.0 if h.is_directed() else 0.5)
    return raw / norm


def brokerage_of(g: ig.Graph, focal: list[int], maker: int, c: int | None) -> float:
    """Brokered pairs (total) of the focal actors, on their neighbourhood with the tie added."""
    h = _with_tie(g, maker, c)
    keep = set(focal)
    for v in focal:
        keep.update(h.neighbors(v, mode="all"))
    members = sorted(keep)
    sub = h.induced_subgraph(members)
    local = [members.index(v) for v in focal]
    names = sub.vs["name"]
    net = Network(
        graph=sub,
        actors=pa.table({"id": pa.array(names, pa.string())}),
        ties=pa.table({"source": pa.array([], pa.string())}),
    )
    by = "country" if "country" in sub.vs.attributes() else "id"
    b = brokerage(net, by)
    return float(b.raw[local, ROLES.index("total")].sum())


_GOALS: dict[str, Callable[[ig.Graph, list[int], int, int | None], float]] = {
    "reach": reach_of,
    "betweenness": betweenness_of,
    "brokerage": brokerage_of,
}
