"""Gould-Fernandez brokerage: hand counts, a brute-force oracle and sna::brokerage's null model."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civnet.measures.intermediation.brokerage import ROLES, brokerage
from civnet.views import Network
from tests.structure_data import florentine_graph, florentine_workspace


@pytest.fixture
def florentine_two_countries(cli, tmp_path):  # type: ignore[no-untyped-def]
    return florentine_workspace(cli, tmp_path)


def make(edges: list[tuple[str, str]], groups: dict[str, str], directed: bool) -> Network:
    g: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from((v, {"country": c}) for v, c in groups.items())
    g.add_edges_from(edges)
    return Network.from_networkx(g)


def brute(net: Network, by: str = "country") -> np.ndarray:
    """Loop over every broker and every in/out neighbour pair (the definition, literally)."""
    g = net.graph
    lab = net.vertex_attr(by)
    arcs = {(e.source, e.target) for e in g.es}
    if not g.is_directed():
        arcs |= {(b, a) for a, b in arcs}
    out = np.zeros((g.vcount(), 6))
    for v in range(g.vcount()):
        ins = [a for a, b in arcs if b == v]
        outs = [b for a, b in arcs if a == v]
        for a in ins:
            for b in outs:
                if a == b or (a, b) in arcs:
                    continue
                ga, gv, gb = lab[a], lab[v], lab[b]
                if ga == gv == gb:
                    r = 0
                elif ga == gb:
                    r = 1
                elif ga == gv:
                    r = 2
                elif gb == gv:
                    r = 3
                else:
                    r = 4
                out[v, r] += 1
                out[v, 5] += 1
    return out


# -- hand-counted cases ---------------------------------------------------------------------------

THREE_GROUPS = make(
    [
        ("a1", "a3"),
        ("a2", "a1"),
        ("a1", "b1"),
        ("b1", "a1"),
        ("a3", "b2"),
        ("b2", "a2"),
        ("b2", "c1"),
        ("b2", "c2"),
        ("a3", "c2"),  # closes a3 -> b2 -> c2: no liaison for that pair
    ],
    {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": "C", "c2": "C"},
    directed=True,
)

# coordinator, itinerant, representative, gatekeeper, liaison, total
THREE_GROUPS_COUNTS = {
    "a1": [1, 0, 1, 1, 0, 3],  # a2>a1>a3 coord; a2>a1>b1 repr; b1>a1>a3 gate; b1>a1>b1 not a pair
    "a2": [0, 0, 0, 1, 0, 1],  # b2>a2>a1 gate
    "a3": [0, 0, 2, 0, 0, 2],  # a1>a3>b2, a1>a3>c2 repr
    "b1": [0, 0, 0, 0, 0, 0],
    "b2": [0, 1, 0, 0, 1, 2],  # a3>b2>a2 itinerant; a3>b2>c1 liaison; a3>b2>c2 closed
    "c1": [0, 0, 0, 0, 0, 0],
    "c2": [0, 0, 0, 0, 0, 0],
}

TWO_GROUPS = make(
    [
        ("x1", "x2"),
        ("x1", "x3"),
        ("x1", "y1"),
        ("y1", "y2"),
        ("y2", "x3"),
        ("y3", "x2"),
        ("y3", "x3"),
    ],
    {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y", "y3": "Y"},
    directed=False,
)

TWO_GROUPS_COUNTS = {
    "x1": [2, 0, 2, 2, 0, 6],  # x2-x3 both ways coord; x2/x3 with y1: repr + gate each
    "x2": [0, 0, 1, 1, 0, 2],  # x1 and y3
    "x3": [0, 2, 2, 2, 0, 6],  # y2-y3 both ways itinerant; x1 with y2, y3: repr + gate each
    "y1": [0, 0, 1, 1, 0, 2],
    "y2": [0, 0, 1, 1, 0, 2],
    "y3": [0, 2, 0, 0, 0, 2],  # x2-x3 both ways itinerant
}


@pytest.mark.parametrize(
    ("net", "counts"),
    [(THREE_GROUPS, THREE_GROUPS_COUNTS), (TWO_GROUPS, TWO_GROUPS_COUNTS)],
    ids=["three-groups-directed", "two-groups-undirected"],
)
def test_hand_counted_roles_whole(net: Network, counts: dict[str, list[int]]) -> None:
    b = brokerage(net)
    got = {a: b.raw[i].astype(int).tolist() for i, a in enumerate(b.ids)}
    assert got == counts
    assert b.total_raw.tolist() == np.array(list(counts.values())).sum(axis=0).tolist()
    assert np.array_equal(b.raw, brute(net))


def test_every_role_occurs_in_three_group_case() -> None:
    assert (brokerage(THREE_GROUPS).total_raw > 0).all()
    assert brokerage(THREE_GROUPS).total_raw.tolist() == [1, 1, 3, 2, 1, 8]
    assert brokerage(TWO_GROUPS).total_raw.tolist() == [2, 4, 7, 7, 0, 20]


def test_group_sums_by_broker_group() -> None:
    b = brokerage(THREE_GROUPS)
    assert b.groups == ["A", "B", "C"]
    assert b.sizes.tolist() == [3, 2, 2]
    assert b.group_raw.astype(int).tolist() == [
        [1, 0, 3, 2, 0, 6],
        [0, 1, 0, 0, 1, 2],
        [0, 0, 0, 0, 0, 0],
    ]


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(25, 0.18, seed=seed, directed=bool(seed % 2))
    nx.set_node_attributes(g, {v: "PQRS"[rng.integers(4)] for v in g}, "country")
    net = Network.from_networkx(g)
    assert np.array_equal(brokerage(net).raw, brute(net)), seed


def test_other_attribute_and_unknown_group() -> None:
    g = nx.DiGraph([("a", "v"), ("v", "b")])
    nx.set_node_attributes(g, {"a": "city", "v": "media", "b": "city"}, "type")
    b = brokerage(Network.from_networkx(g), "type")
    assert b.raw[2].tolist() == [0, 1, 0, 0, 0, 1]  # v itinerant between two cities
    nocountry = brokerage(Network.from_networkx(g))  # no country: all '(unknown)', coordinator
    assert nocountry.groups == ["(unknown)"] and nocountry.raw[2, 0] == 1


# -- the sna null model, computed independently ---------------------------------------------------


def r_choose(x: float, k: int = 2) -> float:
    """R's choose(x, 2) for real x: x (x - 1) / 2 (also for negative x)."""
    return x * (x - 1) / 2


def sna_moments(cl: list[str], m: int) -> dict[str, np.ndarray]:
    """A line-by-line transcription of sna::brokerage's moment code (R/gli.R, sna 2.x)."""
    N = float(len(cl))
    d = m / (N * (N - 1))
    clid = sorted(set(cl))
    n = np.array([sum(1 for c in cl if c == i) for i in clid], dtype=float)
    k = len(clid)
    ebr = np.zeros((k, 6))
    vbr = np.zeros((k, 6))
    for i in range(k):
        o = np.delete(n, i)
        ebr[i, 0] = d**2 * (1 - d) * (n[i] - 1) * (n[i] - 2)
        vbr[i, 0] = (
            ebr[i, 0] * (1 - d**2 * (1 - d))
            + 2 * (n[i] - 1) * (n[i] - 2) * (n[i] - 3) * d**3 * (1 - d) ** 3
        )
        ebr[i, 1] = d**2 * (1 - d) * sum(o * (o - 1))
        vbr[i, 1] = (
            ebr[i, 1] * (1 - d**2 * (1 - d)) + 2 * sum(o * (o - 1) * (o - 2)) * d**3 * (1 - d) ** 3
        )
        ebr[i, 2] = d**2 * (1 - d) * (N - n[i]) * (n[i] - 1)
        vbr[i, 2] = (
            ebr[i, 2] * (1 - d**2 * (1 - d))
            + 2
            * ((n[i] - 1) * r_choose(N - n[i]) + (N - n[i]) * r_choose(n[i] - 1))
            * d**3
            * (1 - d) ** 3
        )
        ebr[i, 3], vbr[i, 3] = ebr[i, 2], vbr[i, 2]
        ebr[i, 4] = d**2 * (1 - d) * (np.outer(o, o).sum() - sum(o**2))
        vbr[i, 4] = ebr[i, 4] * (1 - d**2 * (1 - d)) + 4 * sum(
            o[j] * r_choose(N - o[j] - n[i]) * d**3 * (1 - d) ** 3 for j in range(len(o))
        )
        ebr[i, 5] = d**2 * (1 - d) * (N - 1) * (N - 2)
        vbr[i, 5] = (
            ebr[i, 5] * (1 - d**2 * (1 - d)) + 2 * (N - 1) * (N - 2) * (N - 3) * d**3 * (1 - d) ** 3
        )
    c3, c4, c5 = d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    eg = np.zeros(6)
    vg = np.zeros(6)
    eg[0] = d**2 * (1 - d) * sum(n * (n - 1) * (n - 2))
    vg[0] = eg[0] * (1 - d**2 * (1 - d)) + sum(
        n * (n - 1) * (n - 2) * ((4 * n - 10) * c3 - 4 * (n - 3) * c4 + (n - 3) * c5)
    )
    eg[1] = d**2 * (1 - d) * sum(n * (N - n) * (n - 1))
    outer = sum(
        x * y * (x - 1) * ((2 * x + 2 * y - 6) * c3 + (N - x - 1) * c5) for x in n for y in n
    )
    vg[1] = (
        eg[1] * (1 - d**2 * (1 - d))
        + outer
        - sum(n * n * (n - 1) * ((4 * n - 6) * c3 + (N - n - 1) * c5))
    )
    eg[2] = d**2 * (1 - d) * sum(n * (N - n) * (n - 1))
    vg[2] = eg[2] * (1 - d**2 * (1 - d)) + sum(
        n * (N - n) * (n - 1) * ((N - 3) * c3 + (n - 2) * c5)
    )
    eg[3], vg[3] = eg[2], vg[2]
    eg[4] = (
        d**2 * (1 - d) * (sum(x * y * (N - x - y) for x in n for y in n) - sum(n * n * (N - 2 * n)))
    )
    vg[4] = eg[4] * (1 - d**2 * (1 - d))
    for i in range(k):
        for j in range(k):
            for h in range(k):
                if i != j and j != h and i != h:
                    vg[4] += (
                        n[i]
                        * n[j]
                        * n[h]
                        * (
                            (4 * (N - n[j]) - 2 * (n[i] + n[h] + 1)) * c3
                            - (4 * (N - n[h]) - 2 * (n[i] + n[j] + 1)) * c4
                            + (N - (n[i] + n[h] + 1)) * c5
                        )
                    )
    eg[5] = d**2 * (1 - d) * N * (N - 1) * (N - 2)
    vg[5] = eg[5] * (1 - d**2 * (1 - d)) + N * (N - 1) * (N - 2) * (
        (4 * N - 10) * c3 - 4 * (N - 3) * c4 + (N - 3) * c5
    )
    idx = [clid.index(c) for c in cl]
    return {
        "exp_grp": ebr,
        "sd_grp": np.sqrt(vbr),
        "exp_nli": ebr[idx],
        "sd_nli": np.sqrt(vbr)[idx],
        "exp_gli": eg,
        "sd_gli": np.sqrt(vg),
    }


@pytest.mark.parametrize("seed", range(6))
def test_expected_and_z_match_sna_formulas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_nodes = 30 + 5 * seed
    g = nx.gnp_random_graph(n_nodes, 0.12, seed=seed, directed=seed % 2 == 0)
    groups = ["A", "B", "C", "D", "E"][: 2 + seed % 4]
    nx.set_node_attributes(g, {v: groups[rng.integers(len(groups))] for v in g}, "country")
    net = Network.from_networkx(g)
    b = brokerage(net)
    arcs = net.graph.ecount() * (1 if net.directed else 2)
    want = sna_moments(b.labels, arcs)
    assert b.density == pytest.approx(arcs / (n_nodes * (n_nodes - 1)), abs=1e-15)
    np.testing.assert_allclose(b.group_expected, want["exp_grp"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.group_sd, want["sd_grp"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.expected, want["exp_nli"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.total_expected, want["exp_gli"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.total_sd, want["sd_gli"], rtol=1e-10, atol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (b.raw - want["exp_nli"]) / want["sd_nli"]
    z[want["sd_nli"] == 0] = np.nan
    np.testing.assert_allclose(b.z, z, rtol=1e-9, atol=1e-12, equal_nan=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        gz = (b.total_raw - want["exp_gli"]) / want["sd_gli"]
    gz[want["sd_gli"] == 0] = np.nan
    np.testing.assert_allclose(b.total_z, gz, rtol=1e-9, atol=1e-12, equal_nan=True)


def test_hand_case_expected_values_by_formula() -> None:
    """THREE_GROUPS: N = 7, m = 9 arcs, d = 9/42, groups A 3, B 2, C 2."""
    b = brokerage(THREE_GROUPS)
    d = 9 / 42
    c = d * d * (1 - d)
    assert b.density == pytest.approx(d)
    # a broker in A: coordinator (3-1)(3-2) = 2 pairs, itinerant 2*1 + 2*1 = 4 pairs,
    # representative (7-3)(3-1) = 8 pairs, liaison (2+2)^2 - (4+4) = 8 pairs, total 6*5 = 30
    assert b.group_expected[0].tolist() == pytest.approx(
        [2 * c, 4 * c, 8 * c, 8 * c, 8 * c, 30 * c]
    )
    assert b.total_expected[5] == pytest.approx(c * 7 * 6 * 5)
    assert math.isnan(b.z[b.ids.index("c1"), 0])  # a singleton-free group of 2: no coordinator pair


# -- the permutation null -------------------------------------------------------------------------


def test_permutation_null_is_seeded_and_consistent() -> None:
    g = nx.gnp_random_graph(40, 0.1, seed=3)
    rng = np.random.default_rng(3)
    nx.set_node_attributes(g, {v: "ABC"[rng.integers(3)] for v in g}, "country")
    net = Network.from_networkx(g)
    one = brokerage(net, permutations=60, seed=7).permutation
    two = brokerage(net, permutations=60, seed=7).permutation
    other = brokerage(net, permutations=60, seed=8).permutation
    assert one is not None and two is not None and other is not None
    assert np.array_equal(one.group_mean, two.group_mean)
    assert np.array_equal(one.total_p, two.total_p)
    assert not np.array_equal(one.group_mean, other.group_mean)
    b = brokerage(net)
    # the total of all roles does not depend on the labels: no variance, z undefined
    assert one.total_mean[5] == b.total_raw[5] and one.total_sd[5] == 0
    assert math.isnan(one.total_z[5])
    # the five roles always add up to the total, in every permutation's mean
    assert one.total_mean[:5].sum() == pytest.approx(b.total_raw[5])
    assert ((one.total_p > 0) & (one.total_p <= 1)).all()
    assert one.group_mean.shape == (3, 6)


def test_permutation_p_small_for_strong_pattern() -> None:
    """Two cliques, one group each, joined by an edge: brokerage only at the two bridge ends.

    Broker 7 (A): 7 x (A -> 7 -> 8) representative and 7 x (8 -> 7 -> A) gatekeeper; broker 8
    the same way round: the most a bridge can give; shuffled labels give fewer.
    """
    g = nx.barbell_graph(8, 0)
    nx.set_node_attributes(g, {v: "A" if v < 8 else "B" for v in g}, "country")
    perm = brokerage(Network.from_networkx(g), permutations=200, seed=1).permutation
    assert perm is not None
    b = brokerage(Network.from_networkx(g))
    assert b.total_raw[:5].tolist() == [0, 0, 14, 14, 0]
    assert perm.total_p[2] < 0.05 and perm.total_mean[2] < 14


def test_negative_permutations_is_user_error() -> None:
    from civnet.errors import BadFilter

    with pytest.raises(BadFilter):
        brokerage(TWO_GROUPS, permutations=-1)


# -- invariances ----------------------------------------------------------------------------------


@st.composite
def labelled_graphs(draw: st.DrawFn) -> tuple[nx.DiGraph, dict[int, str]]:
    n = draw(st.integers(3, 12))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    edges = draw(st.lists(st.sampled_from(pairs), max_size=30, unique=True))
    labels = {v: draw(st.sampled_from("ABC")) for v in range(n)}
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    return g, labels


def _net(g: nx.DiGraph, labels: dict[int, str], names: dict[int, str]) -> Network:
    h = nx.relabel_nodes(g, names)
    nx.set_node_attributes(h, {names[v]: c for v, c in labels.items()}, "country")
    return Network.from_networkx(h)


@settings(max_examples=25, deadline=None)
@given(labelled_graphs(), st.randoms(use_true_random=False))
def test_relabelling_actors_permutes_results(data, rnd) -> None:  # type: ignore[no-untyped-def]
    g, labels = data
    nodes = list(g)
    shuffled = nodes[:]
    rnd.shuffle(shuffled)
    first = brokerage(_net(g, labels, {v: f"n{v:02d}" for v in nodes}))
    second = brokerage(_net(g, labels, {v: f"m{shuffled[v]:02d}" for v in nodes}))
    by_first = {a: first.raw[i].tolist() for i, a in enumerate(first.ids)}
    by_second = {a: second.raw[i].tolist() for i, a in enumerate(second.ids)}
    assert {a: by_second[f"m{shuffled[int(a[1:])]:02d}"] for a in by_first} == by_first
    assert np.array_equal(first.total_raw, second.total_raw)


@settings(max_examples=25, deadline=None)
@given(labelled_graphs(), st.sampled_from("ABCD"))
def test_adding_an_isolate_changes_no_one_else(data, group) -> None:  # type: ignore[no-untyped-def]
    g, labels = data
    names = {v: f"n{v:02d}" for v in g}
    before = brokerage(_net(g, labels, names))
    g2 = g.copy()
    g2.add_node(99)
    after = brokerage(_net(g2, {**labels, 99: group}, {**names, 99: "z99"}))
    assert after.ids[-1] == "z99" and after.raw[-1].tolist() == [0] * 6
    assert np.array_equal(after.raw[:-1], before.raw)


@settings(max_examples=25, deadline=None)
@given(labelled_graphs())
def test_swapping_group_names_swaps_rows(data) -> None:  # type: ignore[no-untyped-def]
    g, labels = data
    names = {v: f"n{v:02d}" for v in g}
    swap = {"A": "B", "B": "A", "C": "C"}
    first = brokerage(_net(g, labels, names))
    second = brokerage(_net(g, {v: swap[c] for v, c in labels.items()}, names))
    assert np.array_equal(first.raw, second.raw)
    rows = {gname: i for i, gname in enumerate(second.groups)}
    for i, gname in enumerate(first.groups):
        j = rows[swap[gname]]
        assert np.array_equal(first.group_raw[i], second.group_raw[j])
        np.testing.assert_allclose(first.group_expected[i], second.group_expected[j])


# -- CLI ------------------------------------------------------------------------------------------


def test_cli_brokerage_json_and_per_track(florentine_two_countries) -> None:  # type: ignore[no-untyped-def]
    cli = florentine_two_countries
    rows = json.loads(cli("brokerage", "--format", "json").output)["records"]
    net_rows = {r["role"]: r for r in rows if r["scope"] == "network"}
    assert set(net_rows) == set(ROLES)
    want = brokerage(Network.from_networkx(florentine_graph()))
    assert [net_rows[r]["raw"] for r in ROLES] == want.total_raw.tolist()
    assert net_rows["total"]["null"] == "bernoulli"
    medici = {r["role"]: r["raw"] for r in rows if r["scope"] == "actor" and r["id"] == "Medici"}
    assert medici["total"] == want.raw[want.ids.index("Medici"), 5]
    per = json.loads(cli("brokerage", "--per-track", "--permutations", "20", "-f", "json").output)[
        "records"
    ]
    assert {r["track"] for r in per} == {"culture", "economy_trade"}
    assert {r["null"] for r in per if r["scope"] == "group"} == {"bernoulli", "permutation"}
    csv_out = cli("brokerage", "--by", "type", "--top", "2", "-f", "csv").output
    assert csv_out.splitlines()[0].startswith("scope,id,name,group,role,sna,null,raw")
    table = cli("brokerage", "--level", "country").output
    assert "network totals" in table
    cli("brokerage", "--by", "nope", code=2)
