"""How sure a network measure is: bootstrap intervals, permutation tests, ranking stability.

Every procedure here is pure and seeded: the same network, statistic and seed give the same
numbers. A *statistic* is any function ``Network -> {name: float}``; each replicate is drawn
compact by :class:`~civnet.measures.resampling.Resampler` and the statistic evaluated on it by
:func:`~civnet.measures.replicate_statistics.evaluate`. The resampling units (``unit``:
``actors``, ``ties``, ``sources``) and what their intervals mean are described in
:mod:`civnet.measures.resampling`.

Intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13) at level ``level``.
Permutation p-values are two-sided, ``(1 + #{|T*| >= |T|}) / (1 + N)`` (Phipson & Smyth 2010,
doi:10.2202/1544-6115.1585).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.betweenness import betweenness
from civnet.measures.replicate_statistics import (
    Statistic,
    core_statistic,
    evaluate,
    replicate_betweenness,
)
from civnet.measures.resampling import (
    Replicate,
    Resampler,
    ViewArrays,
    actor_replicate,
    source_clusters,
    tie_replicate,
    with_actors_by_counts,
    with_ties_by_counts,
)
from civnet.views.network import Network
from civnet.views.spec import ViewSpec

# Resampler, ViewArrays, actor_replicate, core_statistic, evaluate, source_clusters and
# with_*_by_counts live in resampling / replicate_statistics; they stay importable from here,
# where tests/test_uncertainty.py and benchmarks/ import them.
__all__ = [
    "BrokerStability",
    "Change",
    "Interval",
    "Resampler",
    "ViewArrays",
    "actor_replicate",
    "betweenness_bootstrap",
    "bootstrap",
    "compare_periods",
    "core_statistic",
    "evaluate",
    "percentile_interval",
    "permutation_test",
    "source_clusters",
    "with_actors_by_counts",
    "with_ties_by_counts",
]

Progress = Callable[[int, int], None]


# -- bootstrap intervals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A point estimate with its percentile interval and the replicates behind it."""

    estimate: float
    low: float
    high: float
    level: float
    replicates: np.ndarray

    @property
    def n_valid(self) -> int:
        return int(np.isfinite(self.replicates).sum())


def percentile_interval(estimate: float, replicates: np.ndarray, level: float = 0.95) -> Interval:
    """Percentile interval of the finite replicates (NaN bounds when none is finite)."""
    reps = np.asarray(replicates, dtype=float)
    ok = reps[np.isfinite(reps)]
    if ok.size == 0:
        return Interval(estimate, float("nan"), float("nan"), level, reps)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(ok, [alpha, 1.0 - alpha])
    return Interval(float(estimate), float(lo), float(hi), level, reps)


def bootstrap(
    net: Network,
    statistic: Statistic = core_statistic,
    *,
    n_boot: int = 200,
    unit: str = "actors",
    clusters: Sequence[Sequence[str]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Progress | None = None,
) -> dict[str, Interval]:
    """Bootstrap percentile intervals of each value of ``statistic`` on ``net``.

    ``clusters`` (unit ``sources``): for each tie row of ``net.ties``, its refs or source ids.
    Returns name -> :class:`Interval`; the estimate is the statistic on ``net`` itself.
    """
    _check_boot(n_boot)
    est = dict(statistic(net))
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    rng = np.random.default_rng(seed)
    reps = {k: np.empty(n_boot) for k in est}
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        vals = evaluate(statistic, rep)
        for k in est:
            reps[k][r] = vals.get(k, float("nan"))
        if progress:
            progress(r + 1, n_boot)
    return {k: percentile_interval(est[k], reps[k], level) for k in est}


def _check_boot(n: int) -> None:
    if n < 1:
        raise BadFilter(f"--boot must be at least 1, got {n}", fix="use e.g. --boot 200")


# -- before / after ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One measure before and after, the difference with its interval and permutation p-value."""

    measure: str
    before: float
    after: float
    difference: Interval
    p_value: float
    n_permutations: int

    @property
    def distinguishable(self) -> bool:
        """True when the interval of the difference excludes 0 and p < 0.05."""
        d = self.difference
        excludes = np.isfinite(d.low) and (d.low > 0 or d.high < 0)
        return bool(excludes and self.p_value < 0.05)


def compare_periods(
    before: Network,
    after: Network,
    statistic: Statistic = core_statistic,
    *,
    n_boot: int = 200,
    n_perm: int = 200,
    unit: str = "actors",
    clusters: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]] | None = None,
    seed: int = 0,
    level: float = 0.95,
    progress: Progress | None = None,
) -> list[Change]:
    """Each value of ``statistic`` in two periods, their difference (after - before) and its
    uncertainty.

    Interval: paired bootstrap (the same actor or source draws in both periods, see
    :class:`Resampler`) of the difference. Test: permutation of period labels between the two
    periods' ties (:func:`permutation_test`). Both use ``seed`` (the test with ``seed + 1``).
    """
    _check_boot(n_boot)
    for name, net in (("before", before), ("after", after)):
        if not net.ties.num_rows:
            raise EmptyNetwork(
                f"the {name} period has no ties", fix="check the period or widen the view filters"
            )
    b0, a0 = dict(statistic(before)), dict(statistic(after))
    names = list(b0)
    sampler = Resampler([before, after], unit, list(clusters) if clusters else None)
    rng = np.random.default_rng(seed)
    diffs = {k: np.empty(n_boot) for k in names}
    total = n_boot + n_perm
    for r in range(n_boot):
        rb, ra = sampler.replicates(rng)
        vb, va = evaluate(statistic, rb), evaluate(statistic, ra)
        for k in names:
            diffs[k][r] = va.get(k, np.nan) - vb.get(k, np.nan)
        if progress:
            progress(r + 1, total)
    pvals = permutation_test(
        before,
        after,
        statistic,
        n_perm=n_perm,
        seed=seed + 1,
        progress=(lambda d, t: progress(n_boot + d, total)) if progress else None,
    )
    return [
        Change(
            measure=k,
            before=b0[k],
            after=a0[k],
            difference=percentile_interval(a0[k] - b0[k], diffs[k], level),
            p_value=pvals[k],
            n_permutations=n_perm,
        )
        for k in names
    ]


def permutation_test(
    before: Network,
    after: Network,
    statistic: Statistic = core_statistic,
    *,
    n_perm: int = 200,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Two-sided permutation p-value of ``T(after) - T(before)`` for each statistic value.

    The two periods' tie rows are pooled (a tie active in both, same ``tie_id``, is one row
    labelled *both*); the labels before / after / both are shuffled among the rows, which keeps
    each period's number of ties, and each period's network is rebuilt from its rows (nodes: the
    ends of its ties). Null hypothesis: the ties of the two periods are exchangeable.
    p = (1 + #{|T*| >= |T| - 1e-12}) / (1 + n_perm).
    """
    if n_perm < 1:
        raise BadFilter(f"--permutations must be at least 1, got {n_perm}", fix="use e.g. 200")
    pooled, labels, actors = _pool(before, after)
    view = ViewArrays(actors, pooled)
    b0, a0 = statistic(before), statistic(after)
    obs = {k: a0[k] - b0.get(k, np.nan) for k in a0}
    rng = np.random.default_rng(seed)
    hits = dict.fromkeys(obs, 0)
    valid = dict.fromkeys(obs, 0)
    for r in range(n_perm):
        perm = rng.permutation(labels)
        nb = _period_replicate(view, perm != 1, before.spec)
        na = _period_replicate(view, perm != 0, after.spec)
        vb, va = evaluate(statistic, nb), evaluate(statistic, na)
        for k in obs:
            d = va.get(k, np.nan) - vb.get(k, np.nan)
            if np.isfinite(d) and np.isfinite(obs[k]):
                valid[k] += 1
                if abs(d) >= abs(obs[k]) - 1e-12:
                    hits[k] += 1
        if progress:
            progress(r + 1, n_perm)
    return {k: (1 + hits[k]) / (1 + valid[k]) if valid[k] else float("nan") for k in obs}


def _pool(before: Network, after: Network) -> tuple[pa.Table, np.ndarray, pa.Table]:
    """Pooled tie rows, labels (0 before, 1 after, 2 both) and the union of the actor tables."""
    cols = [c for c in before.ties.column_names if c in after.ties.column_names]
    tb, ta = before.ties.select(cols), after.ties.select(cols)
    if "tie_id" in cols:
        ids_b = tb.column("tie_id").to_pylist()
        ids_a = ta.column("tie_id").to_pylist()
        common = {t for t in ids_b if t is not None} & {t for t in ids_a if t is not None}
    else:
        ids_b, ids_a, common = [None] * tb.num_rows, [None] * ta.num_rows, set()
    label_b = [2 if t in common else 0 for t in ids_b]
    keep_a = pa.array([t not in common for t in ids_a], pa.bool_())
    pooled = pa.concat_tables([tb, ta.filter(keep_a)])
    labels = np.array(label_b + [1] * int(pc.sum(keep_a).as_py() or 0), dtype=np.int64)
    actors = pa.concat_tables([before.actors, after.actors.select(before.actors.column_names)])
    seen: set[str] = set()
    rows = []
    for i, a in enumerate(actors.column("id").to_pylist()):
        if a not in seen:
            seen.add(a)
            rows.append(i)
    return pooled, labels, actors.take(pa.array(rows, pa.int64()))


def _period_replicate(view: ViewArrays, mask: np.ndarray, spec: ViewSpec) -> Replicate:
    """The pooled rows in ``mask`` as one period; its actors are the ends of those ties."""
    rep = tie_replicate(view, mask.astype(np.int64), keep_isolates=False)
    rep.spec = spec
    return rep


# -- ranking stability of brokers ------------------------------------------------------------------


@dataclass(frozen=True)
class BrokerStability:
    """Betweenness of each actor with its resampling interval and its top-K share."""

    ids: list[str]
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    top_share: np.ndarray
    top_k: int
    n_boot: int
    unit: str
    level: float

    def order(self) -> list[int]:
        """Indices by estimate descending, ties broken by id."""
        return sorted(range(len(self.ids)), key=lambda i: (-self.estimate[i], self.ids[i]))


def betweenness_bootstrap(
    net: Network,
    n_boot: int = 200,
    top_k: int = 10,
    seed: int = 0,
    *,
    unit: str = "ties",
    clusters: Sequence[Sequence[str]] | None = None,
    level: float = 0.95,
    progress: Progress | None = None,
) -> BrokerStability:
    """Resampling intervals of every actor's normalized betweenness and its top-K share.

    In each replicate the actors are ranked by betweenness (ties broken by id) and each actor's
    *top-K share* is the fraction of replicates in which it is among the first ``top_k``. An
    actor absent from a replicate (all its ties left out) has betweenness 0 there. Default unit
    ``ties``: every actor stays in the replicate's actor set, so the share answers "how often
    does this broker stay a top broker when the tie records are resampled". With ``actors`` the
    value of an actor with several copies is the largest of its copies' values.
    """
    _check_boot(n_boot)
    if net.graph.vcount() == 0:
        raise EmptyNetwork("betweenness: the view has no actors", fix="widen the view filters")
    ids = net.ids
    index = {a: i for i, a in enumerate(ids)}
    est = betweenness(net).values
    sampler = Resampler([net], unit, [clusters] if clusters is not None else None)
    to_net = np.array([index[a] for a in sampler.views[0].ids], dtype=np.int64)
    by_id = np.empty(len(ids), np.int64)
    by_id[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    rng = np.random.default_rng(seed)
    reps = np.zeros((n_boot, len(ids)))
    in_top = np.zeros(len(ids))
    k = min(top_k, len(ids))
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        row = reps[r]
        if rep.n_vertices:
            np.maximum.at(row, to_net[rep.origin()], replicate_betweenness(rep))
        in_top[np.lexsort((by_id, -row))[:k]] += 1
        if progress:
            progress(r + 1, n_boot)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(reps, [alpha, 1.0 - alpha], axis=0)
    return BrokerStability(
        ids=ids,
        estimate=est,
        low=lo,
        high=hi,
        top_share=in_top / n_boot,
        top_k=k,
        n_boot=n_boot,
        unit=unit,
        level=level,
    )
