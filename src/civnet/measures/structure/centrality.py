"""The standard centrality toolkit: degree (partners), harmonic closeness, eigenvector, PageRank,
k-core and ego-network density, each per actor and computed with python-igraph.

Every function takes a view (a :class:`~civnet.views.Network`, a simple graph: parallel ties
are one edge) and returns one value per actor in vertex order. In a directed view an undirected
tie is two opposite arcs (see :mod:`civnet.views.network`); the *partner graph* used by
k-core and ego density is the view with directions dropped and each connected pair once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import igraph as ig
import numpy as np

from civnet.views.network import Network


def partner_graph(net: Network) -> ig.Graph:
    """The view undirected, one edge per connected pair (directions and arc pairs collapsed)."""
    g = net.graph
    if not g.is_directed():
        return g
    return g.as_undirected(mode="collapse")


# -- degree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Degree:
    """Partners of each actor, in vertex order.

    ``partners``: distinct actors tied to it by any tie; ``in_partners`` / ``out_partners``
    (views with a directed tie only, else ``None``): distinct actors with a *directed* tie to /
    from it; ``ties``: tie records with the actor at one end (parallel ties each count);
    ``strength``: the sum of those records' weights.
    """

    ids: list[str]
    partners: np.ndarray
    in_partners: np.ndarray | None
    out_partners: np.ndarray | None
    ties: np.ndarray
    strength: np.ndarray
    directed: bool


def degree(net: Network) -> Degree:
    """Degree as distinct partners, with in/out partners for a directed view.

    ``partners(v)``: the actors sharing a tie with v, whatever its direction; a pair tied both
    ways, or by several tracks or periods, counts once (the degree of ``nx.Graph`` of the view).
    In a view with directed ties, ``out_partners(v)`` / ``in_partners(v)`` count the distinct
    actors v has a directed tie to / from (the out- and in-degree of ``nx.DiGraph`` of the
    directed ties alone): an undirected tie gives neither, as the view's counting rules say
    (docs/views.md; the counts are :meth:`~civnet.views.network.Network.partner_counts`).
    ``ties`` and ``strength`` count the view's tie records (before parallel
    ties merge): in a country-level view each record is a country pair whose weight is its
    number of ties. Isolates (``--all-actors``) have 0 everywhere.

    Reference: Wasserman & Faust (1994), *Social Network Analysis*, sec. 4.3.1 (nodal degree).

    >>> import networkx as nx
    >>> degree(Network.from_networkx(nx.star_graph(3))).partners.tolist()
    [3, 1, 1, 1]
    """
    g = net.graph
    n = g.vcount()
    partners, out_p, in_p = (x.astype(np.int64) for x in net.partner_counts())
    directed = g.is_directed()
    ties = np.zeros(n, dtype=np.int64)
    strength = np.zeros(n, dtype=float)
    t = net.ties
    if n and t.num_rows:
        index = {a: i for i, a in enumerate(net.ids)}
        src = np.fromiter((index[a] for a in t.column("source").to_pylist()), np.int64)
        dst = np.fromiter((index[a] for a in t.column("target").to_pylist()), np.int64)
        w = t.column("weight").to_numpy(zero_copy_only=False).astype(float)
        ends = np.concatenate([src, dst])
        ties = np.bincount(ends, minlength=n).astype(np.int64)
        strength = np.bincount(ends, weights=np.concatenate([w, w]), minlength=n)
    if not directed:
        return Degree(net.ids, partners, None, None, ties, strength, directed)
    return Degree(net.ids, partners, in_p, out_p, ties, strength, directed)


# -- harmonic closeness ---------------------------------------------------------------------------


def harmonic_closeness(net: Network, *, normalized: bool = True) -> np.ndarray:
    """Harmonic closeness: ``H(v) = sum_{u != v} 1 / d(u, v)`` over the actors that reach v.

    An unreachable actor adds 0 (``1/inf``), so the measure is defined on disconnected views,
    unlike classic closeness. Directed views use incoming paths (``d(u, v)``: from u to v), as
    NetworkX's ``harmonic_centrality``. Distances count edges (weights are not used).
    ``normalized`` divides by ``n - 1`` (mean inverse distance, in [0, 1]); a view of one actor
    gives 0.

    Reference: Marchiori & Latora (2000), Harmony in the small-world, *Physica A* 285: 539-546,
    doi:10.1016/S0378-4371(00)00311-3; Boldi & Vigna (2014), Axioms for centrality, *Internet
    Mathematics* 10: 222-262, doi:10.1080/15427951.2013.865686.

    >>> import networkx as nx
    >>> harmonic_closeness(Network.from_networkx(nx.path_graph(3))).tolist()
    [0.75, 1.0, 0.75]
    """
    g = net.graph
    n = g.vcount()
    if n < 2:
        return np.zeros(n)
    mode = "in" if g.is_directed() else "all"
    return np.asarray(g.harmonic_centrality(mode=mode, normalized=normalized), dtype=float)


# -- eigenvector ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eigenvector:
    """Eigenvector centrality inside ``component`` (vertex indices); NaN for the other actors."""

    values: np.ndarray
    component: list[int]
    weighted: bool
    notes: list[str] = field(default_factory=list)


def eigenvector(net: Network, *, weighted: bool = False) -> Eigenvector:
    """Eigenvector centrality, scaled so that the most central actor has 1.

    ``x`` solves ``lambda x = A^T x`` for the largest eigenvalue ``lambda`` of the adjacency
    matrix ``A`` (edge weights with ``weighted``): an actor is central when actors pointing to it
    are. The Perron-Frobenius theorem makes ``x`` unique and positive only on a connected graph
    (strongly connected when directed), so it is computed on the largest connected component
    (largest strongly connected component in a directed view) and the other actors get NaN, said
    in ``notes``: values of different components cannot be compared. A component with no edge
    (a single actor) gives NaN for everyone.

    Reference: Bonacich (1987), Power and centrality, *American Journal of Sociology* 92(5):
    1170-1182, doi:10.1086/228631.

    >>> import networkx as nx
    >>> eigenvector(Network.from_networkx(nx.star_graph(2))).values.round(4).tolist()
    [1.0, 0.7071, 0.7071]
    """
    g = net.graph
    n = g.vcount()
    values = np.full(n, np.nan)
    if n < 2 or g.ecount() == 0:
        return Eigenvector(values, [], weighted, ["no ties: eigenvector centrality is undefined"])
    mode = "strong" if g.is_directed() else "weak"
    comps = g.connected_components(mode=mode)
    comp = sorted(comps, key=lambda c: (-len(c), c[0]))[0]
    notes: list[str] = []
    if len(comp) < 2:
        notes.append("no strongly connected pair of actors: eigenvector centrality is undefined")
        return Eigenvector(values, [], weighted, notes)
    sub = g.induced_subgraph(comp)
    x = np.asarray(
        sub.eigenvector_centrality(directed=True, weights="weight" if weighted else None),
        dtype=float,
    )
    peak = float(np.max(np.abs(x)))
    values[comp] = np.abs(x) / peak if peak > 0 else x
    if len(comp) < n:
        where = "strongly connected component" if g.is_directed() else "connected component"
        notes.append(
            f"computed on the largest {where} ({len(comp):,} of {n:,} actors); "
            f"the other {n - len(comp):,} actors have none"
        )
    return Eigenvector(values, sorted(comp), weighted, notes)


# -- PageRank -------------------------------------------------------------------------------------


def pagerank(net: Network, *, damping: float = 0.85, weighted: bool = False) -> np.ndarray:
    """PageRank with damping ``d``: ``PR(v) = (1-d)/n + d sum_{u -> v} PR(u) w_uv / W_u``.

    ``W_u`` is u's out-weight (out-degree unweighted); an undirected edge is an arc each way. An
    actor without out-arcs (dangling) spreads its rank evenly over all actors, as NetworkX and
    igraph's PRPACK do. The values sum to 1. ``damping`` must lie in [0, 1).

    Reference: Brin & Page (1998), The anatomy of a large-scale hypertextual Web search engine,
    *Computer Networks* 30: 107-117, doi:10.1016/S0169-7552(98)00110-X.

    >>> import networkx as nx
    >>> pagerank(Network.from_networkx(nx.complete_graph(4))).round(12).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    from civnet.errors import BadFilter

    if not 0.0 <= damping < 1.0:
        raise BadFilter(f"damping {damping} is outside [0, 1)", fix="use e.g. --damping 0.85")
    g = net.graph
    if g.vcount() == 0:
        return np.zeros(0)
    pr = g.pagerank(damping=damping, directed=True, weights="weight" if weighted else None)
    return np.asarray(pr, dtype=float)


# -- k-core ---------------------------------------------------------------------------------------


def kcore(net: Network) -> np.ndarray:
    """Core number of each actor in the partner graph.

    The k-core is the largest subgraph in which every actor has at least k partners; an actor's
    core number is the largest k whose k-core contains it (isolates: 0). Directions are dropped
    and a pair counts once (:func:`partner_graph`), so a reciprocated tie does not count twice.

    Reference: Seidman (1983), Network structure and minimum degree, *Social Networks* 5:
    269-287, doi:10.1016/0378-8733(83)90028-X; Batagelj & Zaversnik (2003), arXiv:cs/0310049.

    >>> import networkx as nx
    >>> kcore(Network.from_networkx(nx.lollipop_graph(4, 2))).tolist()
    [3, 3, 3, 3, 1, 1]
    """
    g = partner_graph(net)
    return np.asarray(g.coreness(mode="all"), dtype=np.int64)


# -- ego-network density --------------------------------------------------------------------------


@dataclass(frozen=True)
class EgoDensity:
    """Ego-network density per actor (NaN below two partners) and the partner counts."""

    ids: list[str]
    values: np.ndarray
    partners: np.ndarray
    pairs_tied: np.ndarray


def ego_density(net: Network) -> EgoDensity:
    """Density of each actor's ego network, ego left out: tied pairs among its partners.

    ``ego_density(v) = t_v / (k_v (k_v - 1) / 2)`` with ``k_v`` v's partners and ``t_v`` the
    partner pairs tied to each other, in the partner graph (directions dropped, a pair once). It
    is undefined (NaN) for fewer than two partners. On an undirected view this equals the local
    clustering coefficient. UCINET's ego-network density, ego excluded.

    Reference: Borgatti, Everett & Johnson (2013), *Analyzing Social Networks*, ch. 9 (ego
    networks); Wasserman & Faust (1994), sec. 4.2.

    >>> import networkx as nx
    >>> ego_density(Network.from_networkx(nx.Graph([(0, 1), (0, 2), (0, 3), (1, 2)]))).values[0]
    np.float64(0.3333333333333333)
    """
    g = partner_graph(net)
    k = np.asarray(g.degree(), dtype=np.int64)
    values = np.asarray(g.transitivity_local_undirected(mode="nan"), dtype=float)
    pairs = k * (k - 1) / 2.0
    tied = np.where(k >= 2, np.rint(np.nan_to_num(values) * pairs), 0).astype(np.int64)
    return EgoDensity(net.ids, values, k, tied)
