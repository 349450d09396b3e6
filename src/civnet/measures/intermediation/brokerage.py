"""Gould-Fernandez brokerage roles: who bridges whom between the groups of a partition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from civnet.errors import BadFilter
from civnet.measures.structure.groups import Partition, adjacency, arcs, partition, require_actors
from civnet.views.network import Network

ROLES: tuple[str, ...] = (
    "coordinator",
    "itinerant",
    "representative",
    "gatekeeper",
    "liaison",
    "total",
)
"""Column order of every brokerage array; ``total`` is the sum of the five roles."""

SNA_NAMES: dict[str, str] = {
    "coordinator": "w_I",
    "itinerant": "w_O",
    "representative": "b_IO",
    "gatekeeper": "b_OI",
    "liaison": "b_O",
    "total": "t",
}
"""The column names R's ``sna::brokerage`` uses for the same roles."""


@dataclass(frozen=True)
class BrokeragePermutation:
    """The label-permutation null for group and network totals (6 columns as :data:`ROLES`)."""

    permutations: int
    seed: int
    group_mean: np.ndarray
    group_sd: np.ndarray
    group_p: np.ndarray
    total_mean: np.ndarray
    total_sd: np.ndarray
    total_p: np.ndarray
    group_z: np.ndarray
    total_z: np.ndarray


@dataclass(frozen=True)
class Brokerage:
    """Brokerage counts of every actor and of the network, with the sna (Bernoulli) null.

    Arrays have one column per entry of :data:`ROLES`. ``raw``, ``expected``, ``sd``, ``z`` are
    N x 6 (actors in vertex order); ``group_raw`` (k x 6) sums ``raw`` over each group's members;
    ``group_expected``/``group_sd`` are the per-broker moments for a broker in that group
    (sna's ``exp.grp``/``sd.grp``); ``total_*`` are network totals (sna's ``*.gli``).
    ``permutation`` holds the optional second null (label permutation) for group and network
    totals.
    """

    attribute: str
    ids: list[str]
    labels: list[str]
    groups: list[str]
    sizes: np.ndarray
    density: float
    directed: bool
    raw: np.ndarray
    expected: np.ndarray
    sd: np.ndarray
    z: np.ndarray
    group_raw: np.ndarray
    group_expected: np.ndarray
    group_sd: np.ndarray
    total_raw: np.ndarray
    total_expected: np.ndarray
    total_sd: np.ndarray
    total_z: np.ndarray
    permutation: BrokeragePermutation | None = None


def brokerage(
    net: Network,
    by: str = "country",
    *,
    permutations: int = 0,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Brokerage:
    """Gould-Fernandez brokerage roles of every actor for the partition by attribute ``by``.

    Actor v *brokers* the ordered pair (a, b) when there are arcs a -> v and v -> b, a != b, and
    no arc a -> b. An undirected tie counts as arcs in both directions. With g(x) the group of x,
    the brokerage is a

    - coordinator (sna ``w_I``) when g(a) = g(v) = g(b);
    - itinerant or consultant (``w_O``) when g(a) = g(b) != g(v);
    - representative (``b_IO``) when g(a) = g(v) != g(b);
    - gatekeeper (``b_OI``) when g(a) != g(v) = g(b);
    - liaison (``b_O``) when g(a), g(v), g(b) all differ.

    ``total`` counts all brokered pairs. Counts are raw (not normalized), as sna reports them.

    **Computation** (no loop over triples). For broker v, the pairs (a, b) with a -> v -> b
    factor by group: ``in_g(v) * out_h(v)`` pairs have g(a) = g, g(b) = h. From these products,
    per role, subtract the pairs with a = b (mutual neighbours of v) and the *closed* two-paths
    (arc a -> b present). Closed two-paths lie on triangles, listed once by igraph, so a label
    permutation only re-classifies them.

    **Null 1: Bernoulli graph** (sna::brokerage; Gould & Fernandez 1989, with the variances of
    Butts' sna). d = m / (N(N-1)), m the arcs (an undirected edge is two arcs), N actors, n_i the
    size of the broker's group i, ``c = d^2 (1-d)``, ``q = d^3 (1-d)^3``. Per broker in group i:

    - coordinator: E = c (n_i-1)(n_i-2); Var = E(1-c) + 2 (n_i-1)(n_i-2)(n_i-3) q
    - itinerant: E = c sum_{j!=i} n_j(n_j-1); Var = E(1-c) + 2 q sum_{j!=i} n_j(n_j-1)(n_j-2)
    - representative = gatekeeper: E = c (N-n_i)(n_i-1);
      Var = E(1-c) + 2 q [(n_i-1) C(N-n_i, 2) + (N-n_i) C(n_i-1, 2)]
    - liaison: E = c [(sum_{j!=i} n_j)^2 - sum_{j!=i} n_j^2];
      Var = E(1-c) + 4 q sum_{j!=i} n_j C(N-n_j-n_i, 2)
    - total: E = c (N-1)(N-2); Var = E(1-c) + 2 (N-1)(N-2)(N-3) q

    and for the network totals (``r = d^4 (1-d)^2``, ``s = d^5 (1-d)``):

    - coordinator: E = c sum n_i(n_i-1)(n_i-2);
      Var = E(1-c) + sum n_i(n_i-1)(n_i-2) [(4n_i-10) q - 4(n_i-3) r + (n_i-3) s]
    - itinerant: E = c sum n_i(N-n_i)(n_i-1); Var = E(1-c) + sum_{i,j} n_i n_j (n_i-1)
      [(2n_i+2n_j-6) q + (N-n_i-1) s] - sum_i n_i^2 (n_i-1) [(4n_i-6) q + (N-n_i-1) s]
    - representative = gatekeeper: E = c sum n_i(N-n_i)(n_i-1);
      Var = E(1-c) + sum n_i(N-n_i)(n_i-1) [(N-3) q + (n_i-2) s]
    - liaison: E = c [sum_{i,j} n_i n_j (N-n_i-n_j) - sum n_i^2 (N-2n_i)];
      Var = E(1-c) + sum over distinct i, j, k of n_i n_j n_k [(4(N-n_j) - 2(n_i+n_k+1)) q
      - (4(N-n_k) - 2(n_i+n_j+1)) r + (N-(n_i+n_k+1)) s]
    - total: E = c N(N-1)(N-2); Var = E(1-c) + N(N-1)(N-2)[(4N-10) q - 4(N-3) r + (N-3) s]

    z = (raw - E) / sqrt(Var); NaN where Var = 0 (e.g. a singleton group's coordinator role).
    These are the formulas of sna's ``brokerage`` (R/gli.R), evaluated here in O(k) per sum
    (k groups) by power sums instead of sna's triple loop.

    **Null 2: label permutation** (``permutations > 0``, seeded): the graph is fixed and the
    group labels are shuffled among the actors (group sizes kept); for each group's and the
    network's totals, the mean and sd over permutations and a two-sided p-value
    ``(1 + #{|perm - mean| >= |obs - mean|}) / (1 + permutations)``.

    Edge cases: fewer than 3 actors give zero counts; with d = 0 or d = 1 every variance is 0
    and every z NaN. A view with no actors raises :class:`~civnet.errors.EmptyNetwork`.

    References: Gould & Fernandez (1989), Structures of mediation, *Sociological Methodology*
    19: 89-126, doi:10.2307/270949; Butts, sna: Tools for Social Network Analysis (R package),
    ``brokerage``.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "v"), ("v", "b")])
    >>> nx.set_node_attributes(g, {"a": "X", "v": "Y", "b": "X"}, "country")
    >>> brokerage(Network.from_networkx(g)).raw[2].tolist()  # v: itinerant for a -> b
    [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    """
    require_actors(net, "brokerage")
    if permutations < 0:
        raise BadFilter(f"--permutations must be 0 or more, got {permutations}")
    part = partition(net, by)
    n = net.graph.vcount()
    paths = _TwoPaths.of(net)
    raw = paths.roles(part.codes, len(part.groups))
    d = len(paths.src) / (n * (n - 1)) if n > 1 else 0.0
    sizes = part.sizes.astype(float)
    group_expected, group_var = _sna_group_moments(sizes, float(n), d)
    total_expected, total_var = _sna_total_moments(sizes, float(n), d)
    group_sd = _sd(group_var)
    expected = group_expected[part.codes]
    sd = group_sd[part.codes]
    total_raw = raw.sum(axis=0)
    group_raw = _group_sums(raw, part.codes, len(part.groups))
    total_sd = _sd(total_var)
    perm = (
        _permutation_null(paths, part, group_raw, total_raw, permutations, seed, progress)
        if permutations
        else None
    )
    return Brokerage(
        attribute=by,
        ids=net.ids,
        labels=part.labels,
        groups=part.groups,
        sizes=part.sizes,
        density=d,
        directed=net.directed,
        raw=raw,
        expected=expected,
        sd=sd,
        z=_z(raw, expected, sd),
        group_raw=group_raw,
        group_expected=group_expected,
        group_sd=group_sd,
        total_raw=total_raw,
        total_expected=total_expected,
        total_sd=total_sd,
        total_z=_z(total_raw, total_expected, total_sd),
        permutation=perm,
    )


# -- counting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TwoPaths:
    """The label-free parts of the count: arcs, mutual pairs and closed two-paths (a, v, b)."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    mutual_a: np.ndarray
    mutual_v: np.ndarray
    closed_a: np.ndarray
    closed_v: np.ndarray
    closed_b: np.ndarray

    @classmethod
    def of(cls, net: Network) -> _TwoPaths:
        n = net.graph.vcount()
        src, dst = arcs(net)
        a = adjacency(net)
        mutual = a.multiply(a.T.tocsr()).tocoo()
        ca, cv, cb = _closed_two_paths(net.graph, src, dst)
        return cls(n, src, dst, mutual.row, mutual.col, ca, cv, cb)

    def roles(self, g: np.ndarray, k: int) -> np.ndarray:
        """N x 6 brokerage counts for the integer labels ``g`` (k groups)."""
        n, src, dst = self.n, self.src, self.dst
        same = (g[src] == g[dst]).astype(float)
        indeg = np.bincount(dst, minlength=n).astype(float)
        outdeg = np.bincount(src, minlength=n).astype(float)
        in_same = np.bincount(dst, weights=same, minlength=n)
        out_same = np.bincount(src, weights=same, minlength=n)
        in_diff, out_diff = indeg - in_same, outdeg - out_same
        ones = np.ones(len(src))
        by_in = sp.csr_matrix((ones, (dst, g[src])), shape=(n, max(k, 1)))
        by_out = sp.csr_matrix((ones, (src, g[dst])), shape=(n, max(k, 1)))
        matched = np.asarray(by_in.multiply(by_out).sum(axis=1)).ravel()
        cross = matched - in_same * out_same  # g(a) = g(b) != g(v), a = b included
        m_same = np.bincount(
            self.mutual_v,
            weights=(g[self.mutual_a] == g[self.mutual_v]).astype(float),
            minlength=n,
        )
        m_diff = np.bincount(self.mutual_v, minlength=n) - m_same
        closed = self._closed_roles(g)
        out = np.empty((n, 6))
        out[:, 0] = in_same * out_same - m_same - closed[:, 0]
        out[:, 1] = cross - m_diff - closed[:, 1]
        out[:, 2] = in_same * out_diff - closed[:, 2]
        out[:, 3] = in_diff * out_same - closed[:, 3]
        out[:, 4] = in_diff * out_diff - cross - closed[:, 4]
        out[:, 5] = out[:, :5].sum(axis=1)
        return out

    def _closed_roles(self, g: np.ndarray) -> np.ndarray:
        ga, gv, gb = g[self.closed_a], g[self.closed_v], g[self.closed_b]
        code = _role_code(ga, gv, gb)
        counts = np.bincount(self.closed_v * 5 + code, minlength=5 * self.n)
        return counts.reshape(self.n, 5).astype(float)


def _role_code(ga: np.ndarray, gv: np.ndarray, gb: np.ndarray) -> np.ndarray:
    """0 coordinator, 1 itinerant, 2 representative, 3 gatekeeper, 4 liaison."""
    a_in, b_in = ga == gv, gb == gv
    code = np.full(len(ga), 4, dtype=np.int64)
    code[(~a_in) & (~b_in) & (ga == gb)] = 1
    code[a_in & ~b_in] = 2
    code[~a_in & b_in] = 3
    code[a_in & b_in] = 0
    return code


def _closed_two_paths(
    g: ig.Graph, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (a, v, b) with arcs a -> v, v -> b and a -> b (``src``/``dst``: the arcs of g).

    The three actors of a closed two-path are a triangle of the undirected graph; igraph lists
    the triangles (in C), and each of a triangle's 6 orderings is kept when its three arcs exist
    (all 6 when the view is undirected, as every tie is then an arc both ways).
    """
    n = g.vcount()
    simple = g if not g.is_directed() else ig.Graph(n, g.get_edgelist()).as_undirected()
    tri = np.asarray(simple.list_triangles(), dtype=np.int64).reshape(-1, 3)
    orders = ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))
    a = np.concatenate([tri[:, o[0]] for o in orders])
    v = np.concatenate([tri[:, o[1]] for o in orders])
    b = np.concatenate([tri[:, o[2]] for o in orders])
    keys = np.sort(src * n + dst)  # arcs of a simple graph are distinct
    keep = _has(keys, a * n + v) & _has(keys, v * n + b) & _has(keys, a * n + b)
    return a[keep], v[keep], b[keep]


def _has(sorted_keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(sorted_keys, wanted)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == wanted if len(sorted_keys) else np.zeros(len(wanted), bool)


def _group_sums(values: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((k, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def _z(raw: np.ndarray, expected: np.ndarray, sd: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, (raw - expected) / np.where(sd > 0, sd, 1.0), np.nan)


# -- the sna null (Bernoulli graph) ---------------------------------------------------------------


def _choose2(x: np.ndarray | float) -> np.ndarray | float:
    return x * (x - 1) / 2.0


def _sd(var: np.ndarray) -> np.ndarray:
    """Square root of sna's variances; values within rounding of 0 are 0.

    The moment formulas subtract nearly equal terms, so a variance that is exactly 0 (e.g. a
    role no one in a one-group network can hold) comes out as +-1e-15; it is set to 0, so its
    z-score is NaN rather than a division by rounding noise.
    """
    scale = max(1.0, float(np.nanmax(np.abs(var)))) if var.size else 1.0
    return np.sqrt(np.where(var < 1e-12 * scale, 0.0, var))


def _sna_group_moments(n: np.ndarray, big_n: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-broker expectation and variance by the broker's group (sna ``exp.grp``, ``sd.grp``^2)."""
    c = d * d * (1 - d)
    q = d**3 * (1 - d) ** 3
    p1, p2 = n.sum(), (n**2).sum()
    k = len(n)
    e = np.zeros((k, 6))
    v = np.zeros((k, 6))
    e[:, 0] = c * (n - 1) * (n - 2)
    v[:, 0] = e[:, 0] * (1 - c) + 2 * (n - 1) * (n - 2) * (n - 3) * q
    f2 = n * (n - 1)
    f3 = n * (n - 1) * (n - 2)
    e[:, 1] = c * (f2.sum() - f2)
    v[:, 1] = e[:, 1] * (1 - c) + 2 * (f3.sum() - f3) * q
    rest = big_n - n
    e[:, 2] = c * rest * (n - 1)
    v[:, 2] = e[:, 2] * (1 - c) + 2 * ((n - 1) * _choose2(rest) + rest * _choose2(n - 1)) * q
    e[:, 3], v[:, 3] = e[:, 2], v[:, 2]
    q1, q2, q3 = p1 - n, p2 - n**2, (n**3).sum() - n**3
    e[:, 4] = c * (q1**2 - q2)
    # sum_{j != i} n_j C(R - n_j, 2) with R = N - n_i, expanded in power sums of the other groups
    liaison_pairs = (rest**2 * q1 - 2 * rest * q2 + q3 - rest * q1 + q2) / 2.0
    v[:, 4] = e[:, 4] * (1 - c) + 4 * liaison_pairs * q
    e[:, 5] = c * (big_n - 1) * (big_n - 2)
    v[:, 5] = e[:, 5] * (1 - c) + 2 * (big_n - 1) * (big_n - 2) * (big_n - 3) * q
    return e, v


def _sna_total_moments(n: np.ndarray, big_n: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    """Network-total expectation and variance (sna ``exp.gli``, ``sd.gli``^2)."""
    c = d * d * (1 - d)
    q = d**3 * (1 - d) ** 3
    r = d**4 * (1 - d) ** 2
    s = d**5 * (1 - d)
    p1, p2, p3 = n.sum(), (n**2).sum(), (n**3).sum()
    e = np.zeros(6)
    v = np.zeros(6)
    f3 = n * (n - 1) * (n - 2)
    e[0] = c * f3.sum()
    v[0] = e[0] * (1 - c) + (f3 * ((4 * n - 10) * q - 4 * (n - 3) * r + (n - 3) * s)).sum()
    cross = (n * (big_n - n) * (n - 1)).sum()
    e[1] = c * cross
    f2 = n * (n - 1)
    pairs = (f2 * ((2 * n - 6) * q * p1 + 2 * q * p2 + (big_n - n - 1) * s * p1)).sum()
    diag = (n * n * (n - 1) * ((4 * n - 6) * q + (big_n - n - 1) * s)).sum()
    v[1] = e[1] * (1 - c) + pairs - diag
    e[2] = c * cross
    v[2] = e[2] * (1 - c) + (n * (big_n - n) * (n - 1) * ((big_n - 3) * q + (n - 2) * s)).sum()
    e[3], v[3] = e[2], v[2]
    e[4] = c * ((big_n * p1**2 - 2 * p1 * p2) - (big_n * p2 - 2 * p3))
    # sums over ordered triples of distinct groups, by power sums
    a0 = p1**3 - 3 * p1 * p2 + 2 * p3
    a1 = (n**2 * ((p1 - n) ** 2 - (p2 - n**2))).sum()
    triple = (q - r) * ((4 * big_n - 2) * a0 - 8 * a1) + s * ((big_n - 1) * a0 - 2 * a1)
    v[4] = e[4] * (1 - c) + triple
    e[5] = c * big_n * (big_n - 1) * (big_n - 2)
    v[5] = e[5] * (1 - c) + big_n * (big_n - 1) * (big_n - 2) * (
        (4 * big_n - 10) * q - 4 * (big_n - 3) * r + (big_n - 3) * s
    )
    return e, v


# -- the permutation null -------------------------------------------------------------------------


def _permutation_null(
    paths: _TwoPaths,
    part: Partition,
    group_raw: np.ndarray,
    total_raw: np.ndarray,
    permutations: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> BrokeragePermutation:
    rng = np.random.default_rng(seed)
    step = max(1, -(-permutations // 100))  # about a hundred progress steps
    k = len(part.groups)
    group_draws = np.zeros((permutations, k, 6))
    total_draws = np.zeros((permutations, 6))
    for p in range(permutations):
        g = rng.permutation(part.codes)
        counts = paths.roles(g, k)
        group_draws[p] = _group_sums(counts, g, k)
        total_draws[p] = counts.sum(axis=0)
        if progress and ((p + 1) % step == 0 or p + 1 == permutations):
            progress(p + 1, permutations)
    group_mean, group_sd = group_draws.mean(axis=0), group_draws.std(axis=0, ddof=1)
    total_mean, total_sd = total_draws.mean(axis=0), total_draws.std(axis=0, ddof=1)
    return BrokeragePermutation(
        permutations=permutations,
        seed=seed,
        group_mean=group_mean,
        group_sd=group_sd,
        group_p=_two_sided_p(group_draws, group_raw, group_mean),
        total_mean=total_mean,
        total_sd=total_sd,
        total_p=_two_sided_p(total_draws, total_raw, total_mean),
        group_z=_z(group_raw, group_mean, group_sd),
        total_z=_z(total_raw, total_mean, total_sd),
    )


def _two_sided_p(draws: np.ndarray, observed: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``(1 + #{|draw - mean| >= |obs - mean|}) / (1 + draws)`` with a tolerance for ties."""
    dev = np.abs(draws - mean)
    obs = np.abs(observed - mean) - 1e-9 * (1 + np.abs(observed))
    return (1 + (dev >= obs).sum(axis=0)) / (1 + draws.shape[0])
