"""The compiled Brandes kernel (:func:`civnet.measures.intermediation.brandes.brandes_sums`): source and
target multiplicities, directed and undirected, several parts side by side, the vertices
relabelled by degree, every level pushed or every level pulled, one thread or two: exact
numbers worked by hand on small graphs, and NetworkX on random ones. Each test runs with the
kernel compiled ahead of time (``CIVNET_BRANDES=aot``, skipped when ``make`` did not build it)
and with numba's JIT (``jit``); the two give identical numbers."""

from __future__ import annotations

import threading

import networkx as nx
import numpy as np
import pytest

from civnet.measures.intermediation.brandes import aot_module, brandes_sums, kernel_in_use

AOT_BUILT = aot_module() is not None


@pytest.fixture(autouse=True, params=["aot", "jit"])
def kernel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test of this file once per kernel."""
    if request.param == "aot" and not AOT_BUILT:
        pytest.skip("the ahead-of-time kernel is not built (make .venv/.aot-built)")
    monkeypatch.setenv("CIVNET_BRANDES", request.param)
    assert kernel_in_use() == request.param
    return str(request.param)


PUSH, PULL, MIXED = 0, 2**30, None
"""``pull_below`` values: every level pushed, every level pulled, the default rule."""


def csr(n: int, arcs: list[tuple[int, int]], directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the arcs (both directions of an undirected edge), adjacency in input order."""
    a = np.asarray(arcs, dtype=np.int64).reshape(-1, 2)
    if not directed:
        a = np.concatenate([a, a[:, ::-1]])
    order = np.argsort(a[:, 0], kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a[:, 0], minlength=n), out=indptr[1:])
    return indptr, a[order, 1]


def sums(
    n: int,
    arcs: list[tuple[int, int]],
    *,
    directed: bool,
    sw: list[float] | None = None,
    tw: list[float] | None = None,
    part: list[int] | None = None,
    pull_below: int | None = MIXED,
    threads: int = 1,
) -> np.ndarray:
    indptr, indices = csr(n, arcs, directed)
    return brandes_sums(
        indptr,
        indices,
        np.asarray(sw if sw is not None else [1.0] * n),
        np.asarray(tw if tw is not None else [1.0] * n),
        np.asarray(part if part is not None else [0] * n),
        directed=directed,
        threads=threads,
        batches=2,
        pull_below=pull_below,
    )


@pytest.mark.parametrize("pull_below", [PUSH, PULL, MIXED])
def test_undirected_path_with_multiplicities(pull_below: int | None) -> None:
    # path 0-1-2-3, D = (3, 1, 1, 2): vertex 1 lies between 0 and {2, 3} both ways:
    # 3 (1 + 2) + 1 * 3 + 2 * 3 = 18; vertex 2 between {0, 1} and 3: 3 * 2 + 1 * 2 + 2 (3 + 1) = 16
    d = [3.0, 1.0, 1.0, 2.0]
    got = sums(4, [(0, 1), (1, 2), (2, 3)], directed=False, sw=d, tw=d, pull_below=pull_below)
    assert got.tolist() == [0.0, 18.0, 16.0, 0.0]


@pytest.mark.parametrize("pull_below", [PUSH, PULL, MIXED])
def test_directed_diamond_with_tail(pull_below: int | None) -> None:
    # 0 -> 1 -> 2, 0 -> 3 -> 2, 2 -> 4: 1 and 3 each carry half of (0, 2) and of (0, 4);
    # 2 carries (0, 4), (1, 4), (3, 4)
    arcs = [(0, 1), (1, 2), (0, 3), (3, 2), (2, 4)]
    assert sums(5, arcs, directed=True, pull_below=pull_below).tolist() == [0, 1, 3, 1, 0]
    # with S = 2 at vertex 0 and T = 3 at vertex 4: 2 (1/2 + 3/2) = 4 at 1 and 3; 2*3 + 3 + 3 = 12
    got = sums(
        5, arcs, directed=True, sw=[2, 1, 1, 1, 1], tw=[1, 1, 1, 1, 3], pull_below=pull_below
    )
    assert got.tolist() == [0.0, 4.0, 12.0, 4.0, 0.0]


@pytest.mark.parametrize("pull_below", [PUSH, PULL, MIXED])
def test_parts_side_by_side_are_separate(pull_below: int | None) -> None:
    # part 0: path 0-1-2; part 1: star 3 with leaves 4, 5, 6; part 2: the single vertex 7
    arcs = [(0, 1), (1, 2), (3, 4), (3, 5), (3, 6)]
    got = sums(8, arcs, directed=False, part=[0, 0, 0, 1, 1, 1, 1, 2], pull_below=pull_below)
    assert got.tolist() == [0.0, 2.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0]


def test_relabelling_maps_back() -> None:
    # the hub is the last vertex: relabelled first inside its part, its sums come back to it
    arcs = [(0, 4), (1, 4), (2, 4), (3, 4), (0, 1)]
    got = sums(5, arcs, directed=False)
    # 4 lies on the pairs among {0,1}x{2,3} and (2,3): 5 unordered pairs, both ways
    assert got.tolist() == [0.0, 0.0, 0.0, 0.0, 10.0]


def random_parts(seed: int, directed: bool) -> tuple[int, list[tuple[int, int]], list[int]]:
    """Three random graphs side by side (one of them unconnected), labels contiguous."""
    rng = np.random.default_rng(seed)
    arcs: list[tuple[int, int]] = []
    part: list[int] = []
    base = 0
    for k, (n, p) in enumerate([(30, 0.12), (18, 0.25), (25, 0.06)]):
        g = nx.gnp_random_graph(n, p, seed=int(rng.integers(1 << 30)), directed=directed)
        arcs += [(base + u, base + v) for u, v in g.edges()]
        part += [k] * n
        base += n
    return base, arcs, part


@pytest.mark.parametrize("pull_below", [PUSH, PULL, MIXED])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_graphs_equal_networkx(pull_below: int | None, directed: bool, seed: int) -> None:
    n, arcs, part = random_parts(seed, directed)
    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(arcs)
    want = nx.betweenness_centrality(g, normalized=False)
    got = sums(n, arcs, directed=directed, part=part, pull_below=pull_below, threads=2)
    # source sums count an undirected pair from both ends
    scale = 1.0 if directed else 2.0
    np.testing.assert_allclose(got, [scale * want[v] for v in range(n)], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("pull_below", [PUSH, PULL, MIXED])
def test_parts_need_not_be_contiguous(pull_below: int | None) -> None:
    # two paths 0-2-4 and 1-3-5, their vertices interleaved: grouped by part when relabelled
    arcs = [(0, 2), (2, 4), (1, 3), (3, 5)]
    got = sums(6, arcs, directed=False, part=[0, 1, 0, 1, 0, 1], pull_below=pull_below)
    assert got.tolist() == [0.0, 0.0, 2.0, 2.0, 0.0, 0.0]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("directed", [False, True])
def test_both_kernels_give_identical_numbers(
    kernel: str, monkeypatch: pytest.MonkeyPatch, directed: bool, threads: int
) -> None:
    if not AOT_BUILT:
        pytest.skip("the ahead-of-time kernel is not built")
    n, arcs, part = random_parts(7, directed)
    got = {}
    for k in ("aot", "jit"):
        monkeypatch.setenv("CIVNET_BRANDES", k)
        got[k] = sums(n, arcs, directed=directed, part=part, threads=threads)
    assert got["aot"].tolist() == got["jit"].tolist()


def test_the_compiled_kernel_releases_the_interpreter_lock(kernel: str) -> None:
    """While the compiled ``source_sums`` runs in one thread, this thread keeps running Python
    (with the lock held it could not until the call returned): threads share the sources."""
    if kernel != "aot":
        pytest.skip("the compiled module's wrapper; numba's JIT runs nogil functions by itself")
    module = aot_module()
    g = nx.barabasi_albert_graph(3000, 4, seed=1)
    n = g.number_of_nodes()
    a = np.asarray(list(g.edges()), dtype=np.int64)
    a = np.concatenate([a, a[:, ::-1]])
    a = a[np.lexsort((a[:, 1], a[:, 0]))]
    ptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(a[:, 0], minlength=n), out=ptr[1:])
    idx = a[:, 1].astype(np.int32)
    part = np.zeros(n, dtype=np.int32)
    start = np.array([0, n], dtype=np.int32)
    w = np.ones(n)
    acc = np.zeros(n)
    sources = np.arange(n, dtype=np.int32)
    args = (ptr, idx, ptr, idx, part, start, w, w, sources, 0, 1, 8, acc)
    worker = threading.Thread(target=module.source_sums_i4, args=args)  # type: ignore[union-attr]
    spins = 0
    worker.start()
    while worker.is_alive():
        spins += 1
    worker.join()
    assert acc.sum() > 0
    assert spins > 100, spins


def test_twin_brandes_the_same_by_both_kernels(
    kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bootstrap replicates' kernel (actors with copy counts) gives identical numbers
    compiled ahead of time and under numba's JIT, and the hand-worked path by either."""
    from civnet.measures.statistics.replicate_statistics import twin_betweenness

    # a - b - c with two copies of b and of c (worked in tests/test_report_speed.py)
    raw = twin_betweenness(np.array([[0, 1], [1, 2]]), np.array([1, 2, 2]), directed=False)
    np.testing.assert_allclose(raw, [1 / 3, 1.5, 1.5, 1 / 3, 1 / 3], rtol=1e-15)
    if not AOT_BUILT:
        return
    rng = np.random.default_rng(3)
    edges = rng.integers(0, 30, size=(80, 2))
    copies = rng.integers(1, 4, size=30)
    got = {}
    for k in ("aot", "jit"):
        monkeypatch.setenv("CIVNET_BRANDES", k)
        got[k] = twin_betweenness(edges, copies, directed=True)
    assert got["aot"].tolist() == got["jit"].tolist()
    assert got["aot"].sum() > 0
