"""How sure a network measure is: bootstrap intervals, permutation tests, ranking stability.

Every procedure here is pure and seeded: the same network, statistic and seed give the same
numbers. A *statistic* is any function ``Network -> {name: float}``; each replicate is drawn
compact by :class:`~civnet.measures.statistics.resampling.Resampler` and the statistic evaluated on it by
:func:`~civnet.measures.statistics.replicate_statistics.evaluate`. The resampling units (``unit``:
``actors``, ``ties``, ``sources``) and what their intervals mean are described in
:mod:`civnet.measures.statistics.resampling`.

One uncertainty rule holds for every interval and test civnet prints:

- **Intervals** are median-centred percentile intervals (:func:`centred_interval`): the
  resamples' 2.5-97.5 % spread placed around the estimate, after the bootstrap bias correction
  of Efron & Tibshirani (1993, *An Introduction to the Bootstrap*, section 10.6) taken at the
  median. The estimate always lies inside; a note says when the resamples lie far off it.
- **p-values** are two-sided permutation p-values around the permutation distribution,
  ``min(1, 2 min(1 + #{T* <= T}, 1 + #{T* >= T}) / (1 + N))`` (Phipson & Smyth 2010,
  doi:10.2202/1544-6115.1585). A statistic the permutation cannot change (every permuted
  difference equal), or one declared untestable by the caller (counts that follow from the
  number of tie records, which the permutation keeps), gets no p-value but the reason.
- **The verdict** (:attr:`Change.verdict`) is ``changed`` when every test shown rejects "no
  change" at 5 % (the interval excludes 0 and, where a p-value is shown, p < 0.05), ``no clear
  change`` when none does, ``tests disagree`` when one does and the other does not, and ``not
  assessed`` when neither an interval nor a p-value could be given. It cannot contradict the
  interval or the p-value beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.intermediation.betweenness import betweenness
from civnet.measures.statistics.replicate_statistics import (
    Statistic,
    core_statistic,
    evaluate,
    replicate_betweenness,
)
from civnet.measures.statistics.resampling import (
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
    "UNCERTAINTY_RULE",
    "BrokerStability",
    "Change",
    "Interval",
    "PValue",
    "Resampler",
    "ViewArrays",
    "actor_replicate",
    "betweenness_bootstrap",
    "bootstrap",
    "centred_interval",
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
    """A point estimate with its interval and the replicates behind it.

    ``note``: why no interval is given (NaN bounds), or a warning about it, else None.
    ``bias``: median of the finite replicates minus the estimate (the bootstrap's median bias,
    Efron & Tibshirani 1993 section 10.2); NaN without replicates.
    """

    estimate: float
    low: float
    high: float
    level: float
    replicates: np.ndarray
    note: str | None = None

    @property
    def n_valid(self) -> int:
        return int(np.isfinite(self.replicates).sum())

    @property
    def bias(self) -> float:
        ok = self.replicates[np.isfinite(self.replicates)]
        return float(np.median(ok) - self.estimate) if ok.size else float("nan")

    @property
    def excludes_zero(self) -> bool | None:
        """True when the interval lies wholly above or below 0; None when there is none."""
        if not (np.isfinite(self.low) and np.isfinite(self.high)):
            return None
        return bool(self.low > 0 or self.high < 0)


def percentile_interval(estimate: float, replicates: np.ndarray, level: float = 0.95) -> Interval:
    """Plain percentile interval of the finite replicates (NaN bounds when none is finite).

    Kept for comparison (``benchmarks/interval_coverage.py``); civnet's products use :func:`centred_interval`.
    """
    reps = np.asarray(replicates, dtype=float)
    ok = reps[np.isfinite(reps)]
    if ok.size == 0:
        return Interval(estimate, float("nan"), float("nan"), level, reps, NO_REPLICATES)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(ok, [alpha, 1.0 - alpha])
    return Interval(float(estimate), float(lo), float(hi), level, reps)


NO_REPLICATES = "no resample gave a value"


def centred_interval(
    estimate: float,
    replicates: np.ndarray,
    level: float = 0.95,
    *,
    within: tuple[float, float] | None = None,
) -> Interval:
    """Median-centred percentile interval: the resamples' spread placed around the estimate.

    With ``q_a`` the quantiles of the finite replicates, the bounds are ``estimate + q_(a/2) -
    q_(1/2)`` and ``estimate + q_(1 - a/2) - q_(1/2)``, ``a = 1 - level``: the percentile interval
    of the replicates after the bootstrap bias correction (Efron & Tibshirani 1993, *An
    Introduction to the Bootstrap*, section 10.6) taken at the median, so the estimate always
    lies inside and a shift of the resamples caused by the resampling itself (copies of an
    actor are never tied to each other, components split when an actor is not drawn) is not
    read as uncertainty. ``within``: the statistic's range (0-100 for a score), the bounds are
    clipped to it. ``note`` says when the estimate lies beyond the central ``level`` share of
    its resamples (the resampling is strongly biased for the statistic: read the interval's
    width, not its place); :attr:`Interval.bias` is the median shift. BCa (scipy.stats.bootstrap)
    needs one jackknife evaluation per actor, and BC (BCa without acceleration) doubles such a
    shift: ``benchmarks/interval_coverage.py`` measures all three on models with a known truth.

    >>> iv = centred_interval(50.0, np.arange(101, dtype=float), level=0.9)
    >>> (round(iv.low, 6), round(iv.high, 6), iv.note)
    (5.0, 95.0, None)
    >>> iv = centred_interval(-25.0, np.linspace(-99.0, -26.0, 201))
    >>> (round(iv.low, 2), round(iv.high, 2), iv.note is not None)
    (-59.67, 9.67, True)
    """
    reps = np.asarray(replicates, dtype=float)
    ok = reps[np.isfinite(reps)]
    est = float(estimate)
    nan = float("nan")
    if ok.size == 0 or not np.isfinite(est):
        return Interval(est, nan, nan, level, reps, NO_REPLICATES)
    alpha = (1.0 - level) / 2.0
    lo, med, hi = np.quantile(ok, [alpha, 0.5, 1.0 - alpha])
    low, high = est + float(lo - med), est + float(hi - med)
    if within is not None:
        low, high = max(low, within[0]), min(high, within[1])
    p0 = (np.count_nonzero(ok < est) + 0.5 * np.count_nonzero(ok == est)) / ok.size
    note = shifted_note(p0, float(med) - est, level) if not alpha <= p0 <= 1 - alpha else None
    return Interval(est, min(low, est), max(high, est), level, reps, note)


def centred_intervals(
    estimates: np.ndarray,
    replicates: np.ndarray,
    level: float = 0.95,
    *,
    within: tuple[np.ndarray | float, np.ndarray | float] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """:func:`centred_interval` of many statistics at once: ``replicates`` is draws x
    statistics, ``within`` the range of each statistic (arrays or one for all). Returns the
    low and high bounds and the note of each statistic, equal to :func:`centred_interval`'s
    (the same float operations; ``tests/test_uncertainty.py`` compares them bit for bit).

    The statistics with the same number of finite replicates take their quantiles in one
    :func:`numpy.quantile` call; a few thousand intervals (a scorecard's channels, countries
    and ranks) cost milliseconds instead of a call each.
    """
    est = np.asarray(estimates, dtype=float).reshape(-1)
    nan = float("nan")
    if est.size == 0:
        return np.zeros(0), np.zeros(0), []
    reps = np.asarray(replicates, dtype=float).reshape(-1, est.size)
    low = np.full(est.size, nan)
    high = np.full(est.size, nan)
    notes: list[str | None] = [NO_REPLICATES] * est.size
    finite = np.isfinite(reps)
    n_ok = finite.sum(axis=0)
    valid = (n_ok > 0) & np.isfinite(est)
    if not valid.any():
        return low, high, notes
    alpha = (1.0 - level) / 2.0
    lo_q = np.full(est.size, nan)
    med_q = np.full(est.size, nan)
    hi_q = np.full(est.size, nan)
    below = np.zeros(est.size, np.int64)
    equal = np.zeros(est.size, np.int64)
    for size in np.unique(n_ok[valid]).tolist():
        cols = np.flatnonzero(valid & (n_ok == size))
        ok = reps[:, cols].T[finite[:, cols].T].reshape(len(cols), size)
        lo_q[cols], med_q[cols], hi_q[cols] = np.quantile(ok, [alpha, 0.5, 1.0 - alpha], axis=1)
        e = est[cols][:, None]
        below[cols] = np.count_nonzero(ok < e, axis=1)
        equal[cols] = np.count_nonzero(ok == e, axis=1)
    v = valid
    lo_b = est[v] + (lo_q[v] - med_q[v])
    hi_b = est[v] + (hi_q[v] - med_q[v])
    if within is not None:
        w0 = np.broadcast_to(np.asarray(within[0], dtype=float), est.shape)[v]
        w1 = np.broadcast_to(np.asarray(within[1], dtype=float), est.shape)[v]
        # Python's max(a, b) and min(a, b): b only when strictly beyond a (signed zeros kept)
        lo_b = np.where(w0 > lo_b, w0, lo_b)
        hi_b = np.where(w1 < hi_b, w1, hi_b)
    e = est[v]
    low[v] = np.where(e < lo_b, e, lo_b)
    high[v] = np.where(e > hi_b, e, hi_b)
    p0 = (below[v] + 0.5 * equal[v]) / n_ok[v]
    for j, p, shift in zip(
        np.flatnonzero(v).tolist(), p0.tolist(), (med_q[v] - e).tolist(), strict=True
    ):
        notes[j] = shifted_note(p, shift, level) if not alpha <= p <= 1 - alpha else None
    return low, high, notes


def shifted_note(p0: float, shift: float, level: float) -> str:
    """The note :func:`centred_interval` gives when the resamples lie off the estimate."""
    side = "above" if p0 > 0.5 else "below"
    share = p0 if p0 > 0.5 else 1.0 - p0
    return (
        f"the estimate lies {side} {share:.0%} of its resamples (median shift {shift:+.4g}): the "
        "resampling is biased for this value, so the interval is centred on the estimate; read "
        "its width, not its place"
    )


def centred_bounds(
    estimates: np.ndarray, replicates: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`centred_interval` of many statistics at once: ``replicates`` is draws x statistics.

    Returns the low and high bounds (NaN where there is no finite replicate).
    """
    est = np.asarray(estimates, dtype=float)
    lo = np.full(est.shape, np.nan)
    hi = np.full(est.shape, np.nan)
    for j in range(est.size):
        iv = centred_interval(est[j], replicates[:, j], level)
        lo[j], hi[j] = iv.low, iv.high
    return lo, hi


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
    """Bootstrap intervals (:func:`centred_interval`) of each value of ``statistic`` on ``net``.

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
    return {k: centred_interval(est[k], reps[k], level) for k in est}


def _check_boot(n: int) -> None:
    if n < 1:
        raise BadFilter(f"--boot must be at least 1, got {n}", fix="use e.g. --boot 200")


# -- before / after ------------------------------------------------------------------------------


ALPHA = 0.05
"""The level at which the verdict calls a test's result a rejection of "no change"."""

VERDICTS = ("changed", "no clear change", "tests disagree", "not assessed")

UNCERTAINTY_RULE = (
    "95% intervals are median-centred percentile intervals (the resamples' spread around the "
    "estimate, which always lies inside); p-values are two-sided label-permutation p-values (none "
    "where the permutation cannot change the value); verdict: 'changed' when the interval "
    "excludes 0 and any p shown is < 0.05, 'no clear change' when neither holds, 'tests "
    "disagree' when one holds, 'not assessed' without interval or p"
)
"""The rule of the module docstring in one sentence, as products print it beside the numbers."""


@dataclass(frozen=True)
class PValue:
    """A permutation p-value, or None with the reason the permutation cannot test the value."""

    value: float | None
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """One measure before and after, the difference with its interval and permutation p-value.

    ``p_value`` is None when the permutation cannot test the measure; ``p_note`` says why.
    """

    measure: str
    before: float
    after: float
    difference: Interval
    p_value: float | None
    n_permutations: int
    p_note: str | None = None

    @property
    def verdict(self) -> str:
        """One rule over the tests shown (module docstring): each available test votes.

        The interval votes "changed" when it excludes 0; the p-value when ``p < ALPHA``.
        ``changed``: every available vote says changed; ``no clear change``: none does;
        ``tests disagree``: they differ; ``not assessed``: no interval and no p-value.
        """
        votes = []
        excl = self.difference.excludes_zero
        if excl is not None:
            votes.append(excl)
        if self.p_value is not None and np.isfinite(self.p_value):
            votes.append(self.p_value < ALPHA)
        if not votes:
            return "not assessed"
        if all(votes):
            return "changed"
        return "tests disagree" if any(votes) else "no clear change"

    @property
    def distinguishable(self) -> bool:
        """True when the verdict is ``changed``."""
        return self.verdict == "changed"


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
    untestable: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> list[Change]:
    """Each value of ``statistic`` in two periods, their difference (after - before) and its
    uncertainty.

    Interval: paired bootstrap (the same actor or source draws in both periods, see
    :class:`Resampler`) of the difference, :func:`centred_interval`. Test: permutation of period
    labels between the two periods' ties (:func:`permutation_test`); the values named in
    ``untestable`` get no p-value but the reason given there. Both use ``seed`` (the test with
    ``seed + 1``). :attr:`Change.verdict` combines them by the module's one rule.
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
    skip = dict(untestable or {})
    out = []
    for k in names:
        p = PValue(None, skip[k]) if k in skip else pvals[k]
        out.append(
            Change(
                measure=k,
                before=b0[k],
                after=a0[k],
                difference=centred_interval(a0[k] - b0[k], diffs[k], level),
                p_value=p.value,
                n_permutations=n_perm,
                p_note=p.note,
            )
        )
    return out


INVARIANT_NOTE = (
    "no p-value: every permutation gives the same difference (the permutation keeps what this "
    "value counts), so it cannot test it"
)


def permutation_test(
    before: Network,
    after: Network,
    statistic: Statistic = core_statistic,
    *,
    n_perm: int = 200,
    seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, PValue]:
    """Two-sided permutation p-value of ``T = T(after) - T(before)`` for each statistic value.

    The two periods' tie rows are pooled (a tie active in both, same ``tie_id``, is one row
    labelled *both*); the labels before / after / both are shuffled among the rows, which keeps
    each period's number of ties, and each period's network is rebuilt from its rows (nodes: the
    ends of its ties). Null hypothesis: the ties of the two periods are exchangeable. The
    permuted differences T* need not centre on 0 (periods of different size), so the test is
    two-sided around their distribution: ``p = min(1, 2 min(1 + #{T* <= T}, 1 + #{T* >= T}) /
    (1 + N))`` over the N permutations with a finite T* (Phipson & Smyth 2010,
    doi:10.2202/1544-6115.1585), comparisons with a 1e-12 tolerance. When every T* equals T the
    permutation cannot change the value: no p-value, :data:`INVARIANT_NOTE`.
    """
    if n_perm < 1:
        raise BadFilter(f"--permutations must be at least 1, got {n_perm}", fix="use e.g. 200")
    pooled, labels, actors = _pool(before, after)
    view = ViewArrays(actors, pooled)
    b0, a0 = statistic(before), statistic(after)
    obs = {k: a0[k] - b0.get(k, np.nan) for k in a0}
    rng = np.random.default_rng(seed)
    perm_d = {k: np.full(n_perm, np.nan) for k in obs}
    for r in range(n_perm):
        perm = rng.permutation(labels)
        nb = _period_replicate(view, perm != 1, before.spec)
        na = _period_replicate(view, perm != 0, after.spec)
        vb, va = evaluate(statistic, nb), evaluate(statistic, na)
        for k in obs:
            perm_d[k][r] = va.get(k, np.nan) - vb.get(k, np.nan)
        if progress:
            progress(r + 1, n_perm)
    return {k: _two_sided(obs[k], perm_d[k]) for k in obs}


def _two_sided(t: float, null: np.ndarray) -> PValue:
    ok = null[np.isfinite(null)]
    if not ok.size or not np.isfinite(t):
        return PValue(None, "no p-value: the statistic is undefined in the permutations")
    tol = 1e-12 * max(1.0, abs(t))
    if np.all(np.abs(ok - t) <= tol):
        return PValue(None, INVARIANT_NOTE)
    low = 1 + int(np.count_nonzero(ok <= t + tol))
    high = 1 + int(np.count_nonzero(ok >= t - tol))
    return PValue(min(1.0, 2.0 * min(low, high) / (1 + ok.size)))


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
    """Betweenness of each actor with its resampling interval and its top-K share.

    ``low``/``high``: :func:`centred_interval` of each actor's replicates, clipped at 0.
    """

    ids: list[str]
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    top_share: np.ndarray
    top_k: int
    n_boot: int
    unit: str
    level: float
    ranked: np.ndarray | None = None
    """Mask of the actors a ranking lists (``None``: all)."""

    def order(self) -> list[int]:
        """Indices of the ranked actors by estimate descending, ties broken by id."""
        keep = range(len(self.ids)) if self.ranked is None else np.flatnonzero(self.ranked)
        return sorted((int(i) for i in keep), key=lambda i: (-self.estimate[i], self.ids[i]))

    @property
    def left_out(self) -> int:
        """How many actors the ranking leaves out (aggregates, unless every level is ranked)."""
        return 0 if self.ranked is None else int(len(self.ids) - self.ranked.sum())


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
    ranked: np.ndarray | None = None,
) -> BrokerStability:
    """Resampling intervals of every actor's normalized betweenness and its top-K share.

    In each replicate the actors are ranked by betweenness (ties broken by id) and each actor's
    *top-K share* is the fraction of replicates in which it is among the first ``top_k``.
    ``ranked`` (a boolean mask over the view's actors, e.g. :meth:`Network.ranked`) limits the
    ranking to those actors: the others keep their intervals but never take a top-K place, so an
    aggregate (a country or sector standing for many actors) does not push a broker out. An
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
    mask = np.ones(len(ids), dtype=bool) if ranked is None else np.asarray(ranked, dtype=bool)
    k = min(top_k, int(mask.sum()))
    for r in range(n_boot):
        (rep,) = sampler.replicates(rng)
        row = reps[r]
        if rep.n_vertices:
            np.maximum.at(row, to_net[rep.origin()], replicate_betweenness(rep))
        # unranked actors sort after every ranked one (the first key of lexsort is the last)
        in_top[np.lexsort((by_id, -row, ~mask))[:k]] += 1
        if progress:
            progress(r + 1, n_boot)
    lo, hi = centred_bounds(est, reps, level)
    lo = np.maximum(lo, 0.0)  # betweenness is never negative
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
        ranked=mask,
    )
