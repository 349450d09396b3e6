"""How sure a network measure is: bootstrap intervals, permutation tests, ranking stability.

Every procedure here is pure and seeded: the same network, statistic and seed give the same
numbers. A *statistic* is any function ``Network -> {name: float}``; the procedures rebuild the
network from resampled or relabelled tie tables with :meth:`Network.from_tables` and call it.

Resampling units (``unit``):

``actors`` (default for intervals)
    The vertex bootstrap of Snijders & Borgatti (1999): draw the view's active actors (those with
    a tie) with replacement; an actor drawn k times appears as k copies; every tie between two
    drawn actors is kept between each pair of their copies; copies of one actor are not tied to
    each other. Isolates of the view stay as they are. This is the unit whose intervals cover the
    true density and mean betweenness of a network model at (or above) the nominal rate
    (``benchmarks/coverage.py``). Reference: Snijders & Borgatti (1999), *Non-parametric
    standard errors and tests for network statistics*, Connections 22(2): 161-170.
``ties``
    Draw the view's tie rows with replacement (as many as there are) and rebuild the graph; the
    nodes are the ends of the drawn ties (plus the view's isolates), as in a view. A drawn tie
    cannot bring back a pair that was never observed, so in a simple graph about 1/e of the
    connected pairs vanish from each resample: the replicates of density are biased down
    (about 0.63 x) and their percentile intervals do not cover the true value when each pair is
    reported once. Use it as a *stability* range (how much a result rests on particular
    records), e.g. for the ranking of brokers, not as a confidence interval of a level.
``sources``
    Draw whole sources (the ``s<id>`` prefixes of the ties' refs) with replacement; a tie is
    kept as many times as its sources were drawn. With few sources this is a sensitivity
    analysis (does the result rest on one source?), with the same caveat as ``ties``.

Intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13) at level ``level``.
Permutation p-values are two-sided, ``(1 + #{|T*| >= |T|}) / (1 + N)`` (Phipson & Smyth 2010,
doi:10.2202/1544-6115.1585).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from civnet.errors import BadFilter, EmptyNetwork
from civnet.measures.betweenness import betweenness
from civnet.measures.density import density
from civnet.measures.timeline import mean_betweenness
from civnet.views.network import Network

Statistic = Callable[[Network], Mapping[str, float]]
Progress = Callable[[int, int], None]

RESAMPLE_UNITS: tuple[str, ...] = ("actors", "ties", "sources")


def check_unit(unit: str) -> str:
    """Validate a resampling unit name (BadFilter naming the valid ones)."""
    if unit not in RESAMPLE_UNITS:
        raise BadFilter(
            f"unknown --resample {unit!r}", fix=f"use one of: {', '.join(RESAMPLE_UNITS)}"
        )
    return unit


def core_statistic(net: Network) -> dict[str, float]:
    """Density and mean normalized betweenness: the fast default statistic for intervals."""
    if net.graph.vcount() == 0:
        return {"density": float("nan"), "mean_betweenness": float("nan")}
    return {"density": density(net), "mean_betweenness": mean_betweenness(net)}


# -- resampling a network ------------------------------------------------------------------------


def _active(net: Network) -> list[str]:
    """Ids of the actors with at least one tie in the view, sorted."""
    if not net.ties.num_rows:
        return []
    ends = pc.unique(pa.concat_arrays([_chunk(net.ties, "source"), _chunk(net.ties, "target")]))
    return sorted(ends.to_pylist())


def _chunk(table: pa.Table, col: str) -> pa.Array:
    return table.column(col).combine_chunks()


def _isolates(net: Network) -> list[str]:
    active = set(_active(net))
    return [a for a in net.ids if a not in active]


def source_clusters(refs: Sequence[Sequence[str] | None]) -> list[list[str]]:
    """The sources of each tie from its refs (``s3:row 7`` -> ``s3``), sorted, distinct.

    >>> source_clusters([["s1:row 2", "s3:row 9"], ["s2:row 1"]])
    [['s1', 's3'], ['s2']]
    """
    out = []
    for r in refs:
        out.append(sorted({x.split(":", 1)[0] for x in (r or [])}) or ["?"])
    return out


def with_actors_by_counts(net: Network, counts: Mapping[str, int]) -> Network:
    """The vertex-bootstrap replicate of ``net`` for given draw counts of its active actors.

    An actor drawn k >= 1 times becomes k copies (the first keeps its id, the others are
    ``id#1``, ``id#2``...). A tie (u, v) is repeated ``k_u * k_v`` times, once between each pair
    of copies; ties of an actor not drawn are dropped. Isolates of ``net`` are kept once.
    """
    ties = net.ties
    if not ties.num_rows:
        return net
    src = ties.column("source").to_pylist()
    dst = ties.column("target").to_pylist()
    ku = np.fromiter((counts.get(s, 0) for s in src), np.int64, len(src))
    kv = np.fromiter((counts.get(t, 0) for t in dst), np.int64, len(dst))
    rep = ku * kv
    tie_idx = np.repeat(np.arange(len(src)), rep)
    offset = np.repeat(np.cumsum(rep) - rep, rep)
    within = np.arange(int(rep.sum())) - offset
    a = within // np.maximum(kv[tie_idx], 1)
    b = within % np.maximum(kv[tie_idx], 1)
    new_src = [_copy_id(src[i], int(k)) for i, k in zip(tie_idx.tolist(), a.tolist(), strict=True)]
    new_dst = [_copy_id(dst[i], int(k)) for i, k in zip(tie_idx.tolist(), b.tolist(), strict=True)]
    out_ties = ties.take(pa.array(tie_idx, pa.int64()))
    out_ties = out_ties.set_column(
        out_ties.column_names.index("source"), "source", pa.array(new_src, pa.string())
    )
    out_ties = out_ties.set_column(
        out_ties.column_names.index("target"), "target", pa.array(new_dst, pa.string())
    )
    keep_ids = set(_isolates(net))
    rows, copy_ids = [], []
    for i, aid in enumerate(net.actors.column("id").to_pylist()):
        k = counts.get(aid, 0) if aid not in keep_ids else 1
        for c in range(k):
            rows.append(i)
            copy_ids.append(_copy_id(aid, c))
    actors = net.actors.take(pa.array(rows, pa.int64()))
    actors = actors.set_column(
        actors.column_names.index("id"), "id", pa.array(copy_ids, pa.string())
    )
    return Network.from_tables(actors, out_ties, spec=net.spec)


def _copy_id(aid: str, k: int) -> str:
    return aid if k == 0 else f"{aid}#{k}"


def with_ties_by_counts(net: Network, counts: np.ndarray) -> Network:
    """``net`` with tie row i repeated ``counts[i]`` times; nodes: ends of kept ties + isolates."""
    idx = np.repeat(np.arange(len(counts)), counts)
    ties = net.ties.take(pa.array(idx, pa.int64()))
    keep = set(_isolates(net))
    keep.update(ties.column("source").to_pylist())
    keep.update(ties.column("target").to_pylist())
    mask = pa.array([a in keep for a in net.actors.column("id").to_pylist()], pa.bool_())
    return Network.from_tables(net.actors.filter(mask), ties, spec=net.spec)


class Resampler:
    """Draws bootstrap replicates of one or more networks with shared draws (paired designs).

    For ``actors`` the draws are over the union of the networks' active actors, and for
    ``sources`` over the union of their sources, so that two periods of the same workspace are
    resampled together (a paired bootstrap of their difference); ``ties`` resamples each
    network's tie rows on their own.
    """

    def __init__(
        self,
        nets: Sequence[Network],
        unit: str = "actors",
        clusters: Sequence[Sequence[Sequence[str]]] | None = None,
    ) -> None:
        self.nets = list(nets)
        self.unit = check_unit(unit)
        if unit == "actors":
            self.actors = sorted(set().union(*(_active(n) for n in self.nets)))
        if unit == "sources":
            if clusters is None:
                raise BadFilter(
                    "--resample sources needs the sources of each tie",
                    fix="build the networks from a workspace (ties carry refs)",
                )
            self.clusters = [source_clusters(c) if _is_refs(c) else list(c) for c in clusters]
            self.sources = sorted({s for per in self.clusters for cl in per for s in cl})
            self.members = [_incidence(per, self.sources) for per in self.clusters]

    def draw(self, rng: np.random.Generator) -> list[Network]:
        """One replicate of every network."""
        if self.unit == "actors":
            n = len(self.actors)
            k = np.bincount(rng.integers(0, n, n), minlength=n) if n else np.zeros(0, int)
            counts = {a: int(c) for a, c in zip(self.actors, k, strict=True) if c}
            return [with_actors_by_counts(net, counts) for net in self.nets]
        if self.unit == "ties":
            out = []
            for net in self.nets:
                m = net.ties.num_rows
                k = np.bincount(rng.integers(0, m, m), minlength=m) if m else np.zeros(0, int)
                out.append(with_ties_by_counts(net, k))
            return out
        s = len(self.sources)
        k = np.bincount(rng.integers(0, s, s), minlength=s)
        return [
            with_ties_by_counts(net, (inc @ k).astype(np.int64))
            for net, inc in zip(self.nets, self.members, strict=True)
        ]


def _is_refs(per_tie: Sequence[Sequence[str]]) -> bool:
    return any(":" in x for cl in per_tie for x in cl)


def _incidence(per_tie: Sequence[Sequence[str]], sources: list[str]) -> np.ndarray:
    index = {s: i for i, s in enumerate(sources)}
    inc = np.zeros((len(per_tie), len(sources)), dtype=np.int64)
    for i, cl in enumerate(per_tie):
        for s in cl:
            inc[i, index[s]] = 1
    return inc


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
        (rep,) = sampler.draw(rng)
        vals = statistic(rep)
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
        rb, ra = sampler.draw(rng)
        vb, va = statistic(rb), statistic(ra)
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
    b0, a0 = statistic(before), statistic(after)
    obs = {k: a0[k] - b0.get(k, np.nan) for k in a0}
    rng = np.random.default_rng(seed)
    hits = dict.fromkeys(obs, 0)
    valid = dict.fromkeys(obs, 0)
    for r in range(n_perm):
        perm = rng.permutation(labels)
        nb = _period_net(pooled, perm != 1, actors, before)
        na = _period_net(pooled, perm != 0, actors, after)
        vb, va = statistic(nb), statistic(na)
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


def _period_net(pooled: pa.Table, mask: np.ndarray, actors: pa.Table, like: Network) -> Network:
    ties = pooled.filter(pa.array(mask, pa.bool_()))
    ends = set(ties.column("source").to_pylist()) | set(ties.column("target").to_pylist())
    amask = pa.array([a in ends for a in actors.column("id").to_pylist()], pa.bool_())
    return Network.from_tables(actors.filter(amask), ties, spec=like.spec)


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
    rng = np.random.default_rng(seed)
    reps = np.zeros((n_boot, len(ids)))
    in_top = np.zeros(len(ids))
    k = min(top_k, len(ids))
    for r in range(n_boot):
        (rep,) = sampler.draw(rng)
        vals = betweenness(rep).values if rep.graph.vcount() else np.zeros(0)
        row = reps[r]
        for rid, v in zip(rep.ids, vals, strict=True):
            i = index[rid] if rid in index else index[rid.rsplit("#", 1)[0]]
            row[i] = max(row[i], v)
        top = sorted(range(len(ids)), key=lambda i: (-row[i], ids[i]))[:k]
        in_top[top] += 1
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
