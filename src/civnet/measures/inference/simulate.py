"""Tie formation and persistence as a dyad-year logistic model, simulated forward under a policy.

The layer is read at country level as an undirected binary network per year: ``A_t[i, j] = 1`` when
countries ``i`` and ``j`` have a tie of the layer in year ``t``. For every dyad and year the model is

    logit P(A_t[i,j] = 1) = b0 + b1 A_{t-1}[i,j]                      (inertia)
                          + b2 log(1 + shared partners of i and j at t-1)   (triadic closure)
                          + b3 log(1 + deg_i + deg_j at t-1, without the dyad's own tie)  (activity)
                          + b4 [i and j on the same continent]          (homophily)
                          + b5 log(1 + S_{t-1}[i,j])                     (state support)

a discrete-time network panel model in the spirit of temporal ERGMs with dyadic independence given
the past (Hanneke, Fu & Xing 2010, doi:10.1214/09-EJS548; Almquist & Butts 2014,
doi:10.1093/pan/mpu004), fitted by maximum likelihood (statsmodels GLM Binomial). ``S`` is the
support layer (e.g. a state's elite visits to each partner). Reciprocity is not a term: the
network is read as undirected.

Simulation (:func:`simulate`): each run draws one coefficient vector from the estimate's
asymptotic normal distribution (parameter uncertainty), then draws every dyad's tie year by year
from the model given the previous simulated year (process uncertainty), so the 5-95% bands carry
both. The *policy* multiplies the focus country's support effect by ``multiplier`` (1 = as
estimated; 2 = twice as effective; 0 = no support); the support layer is held at its last observed
level. The model's assumptions (a stable process, support exogenous given the past) are strong:
treat projections as scenarios, and read the back-test (:func:`backtest`) before trusting them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

from civnet.errors import BadFilter

TERMS = ("intercept", "inertia", "shared_partners", "activity", "same_continent", "support")
MAX_RUNS = 2000
MAX_YEARS = 20


@dataclass(frozen=True)
class YearlyNetworks:
    """A layer as yearly undirected binary networks over one country set, with the support layer."""

    countries: list[str]
    years: list[int]
    tied: np.ndarray  # (years, n, n) bool, symmetric, zero diagonal
    support: np.ndarray  # (years, n, n) float, symmetric
    continent: list[str | None]


def dyad_features(
    prev: np.ndarray, support_prev: np.ndarray, same: np.ndarray, iu: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Design rows (one per dyad ``iu``) from the previous year's network (module formula)."""
    a = prev.astype(float)
    shared = (a @ a)[iu]
    deg = a.sum(axis=1)
    own = a[iu]
    activity = deg[iu[0]] + deg[iu[1]] - 2 * own
    return np.column_stack(
        [
            np.ones(len(own)),
            own,
            np.log1p(shared),
            np.log1p(activity),
            same[iu],
            np.log1p(support_prev[iu]),
        ]
    )


@dataclass(frozen=True)
class FormationModel:
    """Fitted coefficients, their covariance, and the sample they come from."""

    params: np.ndarray
    cov: np.ndarray
    se: np.ndarray
    years: tuple[int, int]
    n_obs: int
    n_ties: int
    dropped_terms: tuple[str, ...] = ()

    def table(self) -> list[dict[str, float | str]]:
        return [
            {"term": t, "estimate": float(b), "se": float(s), "odds_ratio": float(np.exp(b))}
            for t, b, s in zip(TERMS, self.params, self.se, strict=True)
        ]


def _same_continent(continent: list[str | None]) -> np.ndarray:
    c = np.array([x if x is not None else f"?{i}" for i, x in enumerate(continent)], dtype=object)
    return (c[:, None] == c[None, :]).astype(float)


def fit_formation(nets: YearlyNetworks, last_year: int | None = None) -> FormationModel:
    """Fit the model on every dyad and year ``t`` (with ``t-1`` observed) up to ``last_year``."""
    import statsmodels.api as sm

    n = len(nets.countries)
    iu = np.triu_indices(n, 1)
    same = _same_continent(nets.continent)
    rows, ys = [], []
    for k in range(1, len(nets.years)):
        if last_year is not None and nets.years[k] > last_year:
            break
        rows.append(dyad_features(nets.tied[k - 1], nets.support[k - 1], same, iu))
        ys.append(nets.tied[k][iu].astype(float))
    if len(rows) < 2:
        raise BadFilter(
            "the model needs at least 3 observed years of the layer",
            fix="widen the period or choose a layer with more years",
        )
    x, y = np.vstack(rows), np.concatenate(ys)
    if y.sum() == 0:
        raise BadFilter("the layer has no tie in the fitted years", fix="choose another layer")
    keep = np.array([True] + [np.ptp(x[:, j]) > 0 for j in range(1, x.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation is reported through huge SEs, not warnings
        fit = sm.GLM(y, x[:, keep], family=sm.families.Binomial()).fit()
    params = np.zeros(len(TERMS))
    cov = np.zeros((len(TERMS), len(TERMS)))
    params[keep] = fit.params
    cov[np.ix_(keep, keep)] = fit.cov_params()
    return FormationModel(
        params=params,
        cov=cov,
        se=np.sqrt(np.clip(np.diag(cov), 0, None)),
        years=(nets.years[1], nets.years[len(rows)]),
        n_obs=len(y),
        n_ties=int(y.sum()),
        dropped_terms=tuple(t for t, k in zip(TERMS, keep, strict=True) if not k),
    )


@dataclass(frozen=True)
class Projection:
    """Per future year, each statistic's 5%, 50% and 95% quantiles over the runs."""

    years: list[int]
    stats: dict[str, np.ndarray]  # name -> (runs, years)
    runs: int
    seed: int
    multiplier: float
    focus: str | None
    notes: list[str] = field(default_factory=list)

    def bands(self) -> list[dict[str, float | int | str]]:
        out: list[dict[str, float | int | str]] = []
        for name, values in self.stats.items():
            q = np.percentile(values, [5, 50, 95], axis=0)
            for k, year in enumerate(self.years):
                out.append({"statistic": name, "year": year, "p5": float(q[0, k]),
                            "median": float(q[1, k]), "p95": float(q[2, k]),
                            "mean": float(values[:, k].mean())})  # fmt: skip
        return out


def network_stats(a: np.ndarray, focus: int | None) -> dict[str, float]:
    """Actors with a tie, edges, density over the country set, mean normalized betweenness
    (igraph, undirected), and the focus country's degree and normalized betweenness."""
    n = len(a)
    iu = np.triu_indices(n, 1)
    edges = np.flatnonzero(a[iu])
    g = ig.Graph(n=n, edges=list(zip(iu[0][edges].tolist(), iu[1][edges].tolist(), strict=True)))
    norm = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    btw = np.array(g.betweenness(directed=False)) / norm
    out = {
        "nodes_with_ties": float(np.count_nonzero(a.sum(axis=1))),
        "edges": float(len(edges)),
        "density": float(len(edges) / (n * (n - 1) / 2)) if n > 1 else 0.0,
        "mean_betweenness": float(btw.mean()) if n else 0.0,
    }
    if focus is not None:
        out["focus_degree"] = float(a[focus].sum())
        out["focus_betweenness"] = float(btw[focus])
    return out


def simulate(
    model: FormationModel,
    start: np.ndarray,
    support: np.ndarray,
    continent: list[str | None],
    *,
    first_year: int,
    years: int,
    runs: int,
    seed: int,
    focus: int | None = None,
    multiplier: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> Projection:
    """Simulate ``years`` years from the network ``start`` (module docstring)."""
    if not 1 <= years <= MAX_YEARS:
        raise BadFilter(f"--years {years}", fix=f"project 1 to {MAX_YEARS} years")
    if not 1 <= runs <= MAX_RUNS:
        raise BadFilter(f"--runs {runs}", fix=f"use 1 to {MAX_RUNS} runs")
    if not 0 <= multiplier <= 100:
        raise BadFilter(f"--support {multiplier}", fix="use a multiplier from 0 to 100")
    rng = np.random.default_rng(seed)
    n = len(start)
    iu = np.triu_indices(n, 1)
    same = _same_continent(continent)
    scale = np.ones(len(iu[0]))
    if focus is not None:
        scale[(iu[0] == focus) | (iu[1] == focus)] = multiplier
    draws = rng.multivariate_normal(model.params, model.cov, size=runs, method="eigh")
    stats: dict[str, np.ndarray] = {}
    for r in range(runs):
        a = start.copy()
        for k in range(years):
            x = dyad_features(a, support, same, iu)
            eta = x[:, :5] @ draws[r, :5] + scale * x[:, 5] * draws[r, 5]
            p = 1.0 / (1.0 + np.exp(-eta))
            new = rng.random(len(p)) < p
            a = np.zeros_like(a)
            a[iu] = new
            a = a | a.T
            for name, v in network_stats(a, focus).items():
                stats.setdefault(name, np.zeros((runs, years)))[r, k] = v
        if progress:
            progress(r + 1, runs)
    return Projection(
        years=list(range(first_year, first_year + years)),
        stats=stats,
        runs=runs,
        seed=seed,
        multiplier=multiplier,
        focus=None,
    )


@dataclass(frozen=True)
class Backtest:
    """Out-of-sample check: fit up to ``fit_to``, project the next years, compare with the data."""

    fit_to: int
    years: list[int]
    brier_model: float
    brier_persistence: float
    edges_observed: list[float]
    edges_model: list[float]
    edges_persistence: list[float]
    edge_mae_model: float
    edge_mae_persistence: float


def backtest(nets: YearlyNetworks, *, horizon: int = 3, runs: int = 50, seed: int = 0) -> Backtest:
    """Fit on the years up to ``T - horizon``, project ``T - horizon + 1 .. T`` from the observed
    network at ``T - horizon``, and score against the observed networks: the mean Brier score per
    dyad-year of the simulated tie probabilities, and the mean absolute error of the edge count;
    the baseline is persistence (every year equals the last fitted one)."""
    if len(nets.years) < horizon + 3:
        raise BadFilter(
            f"a back-test over {horizon} years needs at least {horizon + 3} years of the layer",
            fix="use a shorter --horizon or a layer with more years",
        )
    cut = len(nets.years) - horizon - 1
    model = fit_formation(nets, last_year=nets.years[cut])
    n = len(nets.countries)
    iu = np.triu_indices(n, 1)
    same = _same_continent(nets.continent)
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(model.params, model.cov, size=runs, method="eigh")
    prob = np.zeros((horizon, len(iu[0])))
    edges_sim = np.zeros((runs, horizon))
    for r in range(runs):
        a = nets.tied[cut].copy()
        for k in range(horizon):
            x = dyad_features(a, nets.support[cut], same, iu)
            p = 1.0 / (1.0 + np.exp(-(x @ draws[r])))
            new = rng.random(len(p)) < p
            prob[k] += new / runs
            edges_sim[r, k] = new.sum()
            a = np.zeros_like(a)
            a[iu] = new
            a = a | a.T
    observed = np.array([nets.tied[cut + 1 + k][iu] for k in range(horizon)], dtype=float)
    persist = np.tile(nets.tied[cut][iu].astype(float), (horizon, 1))
    e_obs = observed.sum(axis=1)
    e_model = edges_sim.mean(axis=0)
    e_pers = persist.sum(axis=1)
    return Backtest(
        fit_to=nets.years[cut],
        years=nets.years[cut + 1 : cut + 1 + horizon],
        brier_model=float(((prob - observed) ** 2).mean()),
        brier_persistence=float(((persist - observed) ** 2).mean()),
        edges_observed=e_obs.tolist(),
        edges_model=e_model.tolist(),
        edges_persistence=e_pers.tolist(),
        edge_mae_model=float(np.abs(e_model - e_obs).mean()),
        edge_mae_persistence=float(np.abs(e_pers - e_obs).mean()),
    )
