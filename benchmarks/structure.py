"""Structure benchmark: civnet's brokerage, constraint and E-I index against plain NetworkX code.

On one seeded graph (default 20,000 actors, 100,000 distinct undirected ties, 50 countries)
prints for each measure civnet's time, the time of a plain NetworkX-based computation of the same
numbers, and their ratio, and checks that the numbers agree:

- brokerage (Gould-Fernandez roles of every actor by country): NetworkX side is the per-node
  two-path loop (for each broker v, every pair of neighbours a != b not tied to each other);
- constraint (Burt): NetworkX's ``nx.constraint`` per-node definition (``nodes=`` given), and for
  reference its whole-graph scipy path (``nodes=None``);
- E-I index with P label permutations (network and group values per permutation): NetworkX side
  loops over ``G.edges()`` once per permutation, with the same permutations.

A NetworkX computation projected to take more than --budget seconds is timed on a random sample
(of nodes or permutations, seeded) and scaled up linearly; the output says so.

Usage: python benchmarks/structure.py [--actors 20000] [--ties 100000] [--permutations 1000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
from graphs import seeded_tables

from civnet.measures.intermediation.brokerage import brokerage
from civnet.measures.intermediation.holes import structural_holes
from civnet.measures.structure.ei import ei_index
from civnet.measures.structure.groups import partition
from civnet.views import Network


def seeded_network(n: int, m: int, countries: int, seed: int) -> Network:
    """Random actors spread over ``countries`` countries and m distinct undirected ties."""
    actors, ties = seeded_tables(n, m, countries=countries, seed=seed)
    return Network.from_tables(actors, ties)


def _same(x: float, y: float) -> bool:
    """Equal to 1e-9, NaN (isolates) equal to NaN."""
    return bool((np.isnan(x) and np.isnan(y)) or abs(x - y) < 1e-9)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# -- NetworkX sides -------------------------------------------------------------------------------


def nx_brokerage(g: nx.Graph, label: dict[str, str], nodes: list[str]) -> dict[str, list[int]]:
    """Per-node two-path loop (undirected: each neighbour is both an in- and an out-neighbour)."""
    out = {}
    for v in nodes:
        counts = [0] * 5
        gv = label[v]
        nbrs = list(g[v])
        for a in nbrs:
            ga = label[a]
            adj_a = g[a]
            for b in nbrs:
                if a == b or b in adj_a:
                    continue
                gb = label[b]
                if ga == gv == gb:
                    counts[0] += 1
                elif ga == gb:
                    counts[1] += 1
                elif ga == gv:
                    counts[2] += 1
                elif gb == gv:
                    counts[3] += 1
                else:
                    counts[4] += 1
        out[v] = counts
    return out


def nx_ei_permutations(
    g: nx.Graph, codes: np.ndarray, index: dict[str, int], permutations: int, seed: int, k: int
) -> tuple[list[float], list[list[float]]]:
    """Network and group E-I per permutation, one pass over the edges each."""
    rng = np.random.default_rng(seed)
    small = codes.astype(np.int16)
    edges = [(index[u], index[v]) for u, v in g.edges()]
    whole, groups = [], []
    for _ in range(permutations):
        lab = rng.permutation(small).tolist()
        ext = [0] * k
        inn = [0] * k
        e = i = 0
        for u, v in edges:
            a, b = lab[u], lab[v]
            if a == b:
                i += 1
                inn[a] += 1
            else:
                e += 1
                ext[a] += 1
                ext[b] += 1
        whole.append((e - i) / (e + i))
        groups.append(
            [(x - y) / (x + y) if x + y else float("nan") for x, y in zip(ext, inn, strict=True)]
        )
    return whole, groups


def scaled(
    run: Callable[[int], Any], total: int, budget: float, probe: int
) -> tuple[float, bool, int, Any]:
    """Time ``run(count)`` on all ``total`` items, or on a sample scaled up when too slow."""
    t_probe, _ = timed(lambda: run(probe))
    projected = t_probe / probe * total
    if projected <= budget:
        t, out = timed(lambda: run(total))
        return t, False, total, out
    count = max(probe, int(budget / 4 / (t_probe / probe)))
    t, out = timed(lambda: run(count))
    return t * total / count, True, count, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--actors", type=int, default=20_000)
    ap.add_argument("--ties", type=int, default=100_000)
    ap.add_argument("--countries", type=int, default=50)
    ap.add_argument("--permutations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=120.0, help="max seconds per NetworkX run")
    args = ap.parse_args()

    net = seeded_network(args.actors, args.ties, args.countries, args.seed)
    g = net.to_networkx()
    label = dict(zip(net.ids, net.vertex_attr("country"), strict=True))
    rng = np.random.default_rng(args.seed)
    order = [net.ids[i] for i in rng.permutation(len(net.ids))]
    print(
        f"graph: {args.actors:,} actors, {args.ties:,} undirected ties, {args.countries} "
        f"countries (seed {args.seed})"
    )
    rows = []

    # brokerage
    t_civ, b = timed(lambda: brokerage(net, "country"))
    t_nx, sampled, count, got = scaled(
        lambda c: nx_brokerage(g, label, order[:c]), len(order), args.budget, 500
    )
    pos = {a: i for i, a in enumerate(b.ids)}
    agree = all(got[v] == b.raw[pos[v], :5].astype(int).tolist() for v in got)
    rows.append(("brokerage (5 roles x actors)", t_civ, t_nx, sampled, count, "nodes", agree))

    # constraint
    t_civ, h = timed(lambda: structural_holes(net))
    t_nx, sampled, count, got = scaled(
        lambda c: nx.constraint(g, nodes=order[:c]), len(order), args.budget, 50
    )
    agree = all(_same(got[v], h.constraint[pos[v]]) for v in got)
    rows.append(("constraint (nx per-node loop)", t_civ, t_nx, sampled, count, "nodes", agree))
    t_vec, whole = timed(lambda: nx.constraint(g))
    agree = all(_same(whole[v], h.constraint[pos[v]]) for v in whole)
    rows.append(("constraint (nx whole-graph)", t_civ, t_vec, False, len(order), "nodes", agree))

    # E-I with permutations
    perms = args.permutations
    t_civ, e = timed(lambda: ei_index(net, "country", permutations=perms, seed=args.seed))
    codes = partition(net, "country").codes
    k = len(e.groups)
    t_nx, sampled, count, (whole_ei, _groups) = scaled(
        lambda c: nx_ei_permutations(g, codes, pos, c, args.seed, k), perms, args.budget, 5
    )
    check = ei_index(net, "country", permutations=count, seed=args.seed).permutation
    agree = check is not None and abs(float(np.mean(whole_ei)) - check.mean) < 1e-12
    rows.append((f"E-I + {perms} permutations", t_civ, t_nx, sampled, count, "perms", agree))

    print(f"{'measure':34} {'civnet s':>9} {'networkx s':>11} {'ratio':>8}  agree  note")
    for name, tc, tn, samp, cnt, unit, ok in rows:
        note = f"NetworkX timed on {cnt:,} {unit}, scaled" if samp else "NetworkX exact run"
        print(f"{name:34} {tc:9.2f} {tn:11.2f} {tn / tc:7.0f}x  {'yes' if ok else 'NO':5}  {note}")


if __name__ == "__main__":
    main()
