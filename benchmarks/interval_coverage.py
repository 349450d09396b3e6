"""Coverage of civnet's 95 % intervals on networks drawn from models with a known truth.

Four statistics: density, mean betweenness, the network E-I index by country, and one scorecard
channel (the communication channel of one country, min-max scaled among the countries). For each
model the truth is the statistic's expectation under the model (Monte Carlo over ``--truth``
draws); each of ``--datasets`` networks drawn from the model gets its 95 % interval from
``--boot`` vertex-bootstrap resamples: civnet's median-centred percentile interval
(:func:`civnet.measures.statistics.uncertainty.centred_interval`), with the plain percentile interval and the
bias-corrected percentile interval (BC; withheld, so not covering, when the estimate lies beyond
the central 95 % of its resamples) beside it; coverage = share of intervals that hold the truth.

Models (``n`` actors in ``--countries`` countries, ties undirected):

``sampled``
    Actors are a sample of a population, which is what the vertex bootstrap assumes (Snijders &
    Borgatti 1999): each network draws its actors afresh, an activity ``w_i`` from a lognormal
    (sigma 0.8) and a country uniformly; pair (i, j) is tied with probability
    ``min(1, p w_i w_j h_ij / (E[w]^2 E[h]))``, ``h = 2`` within a country and 1 across
    (homophily): the population's mean tie probability is about ``p``.
``fixed``
    The same with the actors drawn once and kept: only the ties vary. The vertex bootstrap also
    counts the variation from sampling actors, so it overstates the spread here (conservative).
``gnp``
    G(n, p) with fixed actors and countries: no actor heterogeneity at all, the degenerate case
    of the vertex bootstrap (its first-order term vanishes), where it is most conservative.

Run:  .venv/bin/python benchmarks/interval_coverage.py [--n 120] [--datasets 100] [--boot 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa

from civnet.measures.change.timeline import mean_betweenness
from civnet.measures.softpower.scorecard import (
    ChannelConfig,
    ScorecardConfig,
    scorecard,
    scorecard_bootstrap,
)
from civnet.measures.statistics.uncertainty import (
    Interval,
    bootstrap,
    centred_interval,
    percentile_interval,
)
from civnet.measures.structure.density import density
from civnet.measures.structure.ei import ei_index
from civnet.views.network import Network

STATS = ("density", "mean_betweenness", "ei", "channel")

CHANNEL = ScorecardConfig(
    [
        ChannelConfig(
            "communication",
            "Communication",
            1.0,
            {"partner_countries": 1.0, "ties_per_civil_actor": 1.0, "ei_index": 1.0},
        )
    ],
    min_countries=1,
    min_ties=0,
)
"""One channel, min-max scaled: the three communication indicators that do not need tracks."""


class Model:
    """Draws networks of one model (see the module docstring)."""

    def __init__(self, kind: str, n: int, p: float, countries: int, rng: np.random.Generator):
        self.kind, self.n, self.p, self.k = kind, n, p, countries
        self.rng = rng
        self.fixed = self._actors()

    def _actors(self) -> tuple[np.ndarray, np.ndarray]:
        w = np.ones(self.n) if self.kind == "gnp" else self.rng.lognormal(0.0, 0.8, self.n)
        country = (
            np.arange(self.n) % self.k
            if self.kind == "gnp"
            else self.rng.integers(0, self.k, self.n)
        )
        return w, country

    def draw(self) -> Network:
        w, country = self._actors() if self.kind == "sampled" else self.fixed
        same = country[:, None] == country[None, :]
        h = np.ones_like(same, dtype=float) if self.kind == "gnp" else np.where(same, 2.0, 1.0)
        # population constants (not this draw's): E[w]^2 E[h] makes the mean tie probability p
        mean_w = 1.0 if self.kind == "gnp" else float(np.exp(0.8**2 / 2))
        mean_h = 1.0 if self.kind == "gnp" else 1.0 + 1.0 / self.k
        probs = np.minimum(1.0, self.p * np.outer(w, w) * h / (mean_w**2 * mean_h))
        np.fill_diagonal(probs, 0.0)
        upper = np.triu(self.rng.random((self.n, self.n)) < probs, 1)
        src, dst = np.nonzero(upper)
        return as_view(self.n, country, src, dst)


def as_view(n: int, country: np.ndarray, src: np.ndarray, dst: np.ndarray) -> Network:
    """The view a workspace would give: universities in countries C0..Ck; the actors are the
    ends of the ties."""
    ids = [f"a{i:04d}" for i in range(n)]
    ends = np.unique(np.concatenate([src, dst]))
    actors = pa.table(
        {
            "id": [ids[i] for i in ends],
            "name": [ids[i] for i in ends],
            "type": ["university"] * len(ends),
            "country": [f"C{country[i]}" for i in ends],
        }
    )
    m = len(src)
    ties = pa.table(
        {
            "tie_id": np.arange(1, m + 1),
            "source": [ids[i] for i in src],
            "target": [ids[i] for i in dst],
            "track": ["education"] * m,
            "kind": ["exchange"] * m,
            "weight": np.ones(m),
            "directed": np.zeros(m, bool),
        }
    )
    return Network.from_tables(actors, ties)


TARGET = "C1"
"""The country whose communication channel score is followed."""


def statistic(net: Network) -> dict[str, float]:
    """Density, mean betweenness and the network E-I index by country."""
    return {
        "density": density(net),
        "mean_betweenness": mean_betweenness(net),
        "ei": float(ei_index(net, "country").index),
    }


def channel(net: Network) -> float:
    card = scorecard(net, CHANNEL)
    return float(card.channels["communication"].score.get(TARGET, np.nan))


def run_model(model: Model, args: argparse.Namespace) -> None:
    truth_draws = [model.draw() for _ in range(args.truth)]
    vals = [statistic(g) | {"channel": channel(g)} for g in truth_draws]
    truth = {k: float(np.nanmean([v[k] for v in vals])) for k in STATS}
    sd = {k: float(np.nanstd([v[k] for v in vals])) for k in STATS}
    print(f"\nmodel {model.kind}: truth " + ", ".join(f"{k} {truth[k]:.5g}" for k in STATS))
    hits = {m: dict.fromkeys(STATS, 0) for m in ("centred", "percentile", "bc")}
    noted = dict.fromkeys(STATS, 0)
    widths: dict[str, list[float]] = {k: [] for k in STATS}
    t0 = time.perf_counter()
    for d in range(args.datasets):
        net = model.draw()
        ivs = bootstrap(net, statistic, n_boot=args.boot, unit="actors", seed=d)
        rows: dict[str, tuple[float, np.ndarray]] = {
            k: (iv.estimate, iv.replicates) for k, iv in ivs.items()
        }
        card = scorecard(net, CHANNEL)
        sc = scorecard_bootstrap(net, CHANNEL, n_boot=args.boot, seed=d, card=card)
        rows["channel"] = (
            card.channels["communication"].score.get(TARGET, np.nan),
            sc.replicates["communication"].get(TARGET, np.full(args.boot, np.nan)),
        )
        for k in STATS:
            est, reps = rows[k]
            for method, fn in (
                ("centred", centred_interval),
                ("percentile", percentile_interval),
                ("bc", _bc),
            ):
                iv = fn(est, reps)
                hits[method][k] += int(iv.low <= truth[k] <= iv.high)
            civ = centred_interval(est, reps)
            noted[k] += int(civ.note is not None)
            widths[k].append(civ.high - civ.low)
    secs = time.perf_counter() - t0
    for k in STATS:
        ratio = np.mean(widths[k]) / (3.92 * sd[k]) if widths[k] and sd[k] > 0 else np.nan
        print(
            f"  {k:16s} coverage: civnet (centred) {hits['centred'][k] / args.datasets:6.1%}, "
            f"percentile {hits['percentile'][k] / args.datasets:6.1%}, BC "
            f"{hits['bc'][k] / args.datasets:6.1%} (nominal 95%); civnet width / (2 x 1.96 sd) "
            f"{ratio:.2f}; estimate off its resamples {noted[k]}"
        )
    print(f"  ({secs:.1f} s for {args.datasets} networks x {args.boot} resamples)")


def _bc(est: float, reps: np.ndarray) -> Interval:
    """Bias-corrected percentile interval (BC: Efron 1981, BCa without acceleration), for
    comparison; NaN bounds when the estimate lies beyond the central 95 % of its resamples."""
    from scipy.stats import norm

    ok = reps[np.isfinite(reps)]
    if not ok.size:
        return Interval(est, np.nan, np.nan, 0.95, reps)
    p0 = (np.count_nonzero(ok < est) + 0.5 * np.count_nonzero(ok == est)) / ok.size
    z, z0 = 1.959964, norm.ppf(min(max(p0, 1e-12), 1 - 1e-12))
    if abs(z0) > z:
        return Interval(est, np.nan, np.nan, 0.95, reps)
    lo, hi = np.quantile(ok, [norm.cdf(2 * z0 - z), norm.cdf(2 * z0 + z)])
    return Interval(est, min(lo, est), max(hi, est), 0.95, reps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--p", type=float, default=0.04)
    ap.add_argument("--countries", type=int, default=5)
    ap.add_argument("--datasets", type=int, default=100)
    ap.add_argument("--boot", type=int, default=100)
    ap.add_argument("--truth", type=int, default=1000)
    ap.add_argument("--models", default="sampled,fixed,gnp")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(
        f"n={args.n} p={args.p} countries={args.countries} datasets={args.datasets} "
        f"boot={args.boot} truth={args.truth} seed={args.seed}"
    )
    for kind in args.models.split(","):
        run_model(
            Model(kind, args.n, args.p, args.countries, np.random.default_rng(args.seed)), args
        )


if __name__ == "__main__":
    main()
