"""Coverage of civnet's bootstrap intervals on networks drawn from known models.

For each model, the true value of a statistic is its expectation under the model (Monte Carlo
over ``--truth`` draws); each of ``--datasets`` networks drawn from the model gets a 95 %
percentile interval from ``--boot`` resamples; coverage = share of intervals holding the truth.

Models (n actors, fixed population):
  gnp        G(n, p): every pair tied with probability p (Erdos-Renyi).
  chung-lu   expected degrees w_i drawn once from a lognormal (sigma 0.8) and fixed; pair (i, j)
             tied with probability min(1, w_i w_j / sum w): a population with heterogeneous actors.

Run:  .venv/bin/python benchmarks/coverage.py [--n 120] [--datasets 100] [--boot 100]
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from civnet.measures.uncertainty import bootstrap, core_statistic
from civnet.views.network import Network


def draw(model: str, n: int, p: float, weights: np.ndarray, rng: np.random.Generator) -> nx.Graph:
    if model == "gnp":
        probs = np.full((n, n), p)
    else:
        probs = np.minimum(1.0, np.outer(weights, weights) / weights.sum())
    upper = np.triu(rng.random((n, n)) < probs, 1)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(*np.nonzero(upper), strict=True))
    return g


def as_view(g: nx.Graph) -> Network:
    """The view a workspace would give: the actors are the ends of the ties."""
    g = g.copy()
    g.remove_nodes_from([v for v in list(g) if g.degree(v) == 0])
    return Network.from_networkx(g)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--p", type=float, default=0.04)
    ap.add_argument("--datasets", type=int, default=100)
    ap.add_argument("--boot", type=int, default=100)
    ap.add_argument("--truth", type=int, default=2000)
    ap.add_argument("--units", default="actors,ties")
    ap.add_argument("--models", default="gnp,chung-lu")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    weights = rng.lognormal(0.0, 0.8, args.n)
    weights *= args.p * (args.n - 1) / weights.mean()
    print(f"n={args.n} p={args.p} datasets={args.datasets} boot={args.boot} truth={args.truth}")
    for model in args.models.split(","):
        truth_draws = [
            core_statistic(as_view(draw(model, args.n, args.p, weights, rng)))
            for _ in range(args.truth)
        ]
        truth = {k: float(np.mean([t[k] for t in truth_draws])) for k in truth_draws[0]}
        spread = {k: float(np.std([t[k] for t in truth_draws])) for k in truth_draws[0]}
        print(f"\nmodel {model}: truth {truth} (sd over draws {spread})")
        for unit in args.units.split(","):
            t0 = time.perf_counter()
            hits = {k: 0 for k in truth}
            widths = {k: [] for k in truth}
            for d in range(args.datasets):
                net = as_view(draw(model, args.n, args.p, weights, rng))
                ivs = bootstrap(net, core_statistic, n_boot=args.boot, unit=unit, seed=d)
                for k, iv in ivs.items():
                    hits[k] += int(iv.low <= truth[k] <= iv.high)
                    widths[k].append(iv.high - iv.low)
            secs = time.perf_counter() - t0
            for k in truth:
                print(
                    f"  unit {unit:6s} {k:16s} coverage {hits[k] / args.datasets:6.1%} "
                    f"(nominal 95%), mean width {np.mean(widths[k]):.5f}, "
                    f"width / (2 x 1.96 sd) {np.mean(widths[k]) / (3.92 * spread[k]):.2f}"
                )
            print(f"  ({secs:.1f} s for {args.datasets} x {args.boot} resamples)")


if __name__ == "__main__":
    main()
