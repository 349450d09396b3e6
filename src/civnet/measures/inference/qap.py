"""QAP: association between dyadic layers, tested by permuting actors (UCINET, sna's ``qaptest``).

Two layers are square matrices over the same ``n`` actors (countries, usually); a cell ``y[i, j]``
is the tie value from ``i`` to ``j``. The diagonal is never used: an actor's tie to itself is not a
dyad. Dyads are not independent (every cell in row ``i`` shares actor ``i``), so p-values come
from the *quadratic assignment procedure*: the rows and columns of one matrix are permuted together
by the same permutation of the actors, which keeps each matrix's row/column dependence and breaks
only the link between the two layers (Krackhardt 1987; Hubert 1987).

- :func:`qap_correlation`: Pearson's r over the off-diagonal cells, and its QAP p-value.
- :func:`mrqap`: OLS of one layer on several, with p-values by Dekker, Krackhardt and Snijders'
  *double semi-partialling* (DSP): for predictor ``k``, its residual from the other predictors is
  permuted, which is robust to collinearity and skewed layers where permuting ``y`` is not
  (Dekker, Krackhardt & Snijders 2007, Psychometrika 72(4):563-581, doi:10.1007/s11336-007-9016-1).

p-values. With ``B`` random permutations, ``p = (1 + b) / (1 + B)`` where ``b`` counts the
permuted statistics at least as extreme as the observed one (two-sided: in absolute value);
adding the observed labelling keeps the test exact (Phipson & Smyth 2010, doi:10.2202/1544-6115.1585).
When ``n!`` is at most ``B`` every permutation is enumerated instead and ``p = b / n!`` (the
identity is one of them), the exact permutation p-value. A statistic that no permutation can change
(a constant layer) gets no p-value, and the result says why.

The permutations are drawn from ``numpy.random.default_rng(seed)`` by :func:`permutation_plan`, so
the same seed gives the same p-values, and tests can replay the exact permutations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civnet.errors import BadFilter

MAX_EXACT = 40_320
"""Enumerate every permutation (exact p-values) when n! is at most this (n <= 8) and at most B."""
_REL_TOL = 1e-9


def permutation_plan(n: int, permutations: int, seed: int) -> tuple[np.ndarray, bool]:
    """The permutations of ``n`` actors a QAP test uses, as rows, and whether they are all of them.

    All ``n!`` permutations (identity first) when ``n! <= min(permutations, MAX_EXACT)``;
    otherwise ``permutations`` draws of ``default_rng(seed).permutation(n)``.

    >>> plan, exact = permutation_plan(3, 1000, seed=0)
    >>> exact, plan.shape, plan[0].tolist()
    (True, (6, 3), [0, 1, 2])
    """
    if permutations < 1:
        raise BadFilter("QAP needs at least 1 permutation", fix="give --permutations 1 or more")
    if n <= 8 and math.factorial(n) <= min(permutations, MAX_EXACT):
        return np.array(list(itertools.permutations(range(n))), dtype=np.int64), True
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(n) for _ in range(permutations)], dtype=np.int64), False


def _check(mats: dict[str, np.ndarray]) -> int:
    shapes = {m.shape for m in mats.values()}
    if len(shapes) != 1:
        raise BadFilter("QAP layers must be matrices over the same actors", fix="align them")
    (shape,) = shapes
    if len(shape) != 2 or shape[0] != shape[1]:
        raise BadFilter(f"QAP needs square matrices, got {shape}", fix="use actor x actor layers")
    n = int(shape[0])
    if n < 3:
        raise BadFilter(f"QAP needs at least 3 actors, got {n}", fix="widen the view")
    for name, m in mats.items():
        if not np.all(np.isfinite(m)):
            raise BadFilter(f"layer {name} has a missing or infinite value", fix="clean the layer")
    return n


def _offdiag(n: int) -> np.ndarray:
    return ~np.eye(n, dtype=bool)


def _p_value(observed: float, null: np.ndarray, exact: bool) -> float:
    """Two-sided: share of |null| >= |observed| (with a relative tolerance for rounding)."""
    tol = _REL_TOL * max(1.0, abs(observed))
    b = int(np.count_nonzero(np.abs(null) >= abs(observed) - tol))
    return b / len(null) if exact else (1 + b) / (1 + len(null))


@dataclass(frozen=True)
class QAPCorrelation:
    """Pearson correlation of two layers with its QAP null distribution.

    ``p_value`` is two-sided; ``p_greater``/``p_less`` are one-sided. ``p_value`` is ``None`` with
    ``why_no_p`` when a layer is constant (r is undefined and no permutation changes that).
    """

    r: float | None
    p_value: float | None
    p_greater: float | None
    p_less: float | None
    null_mean: float | None
    null_sd: float | None
    permutations: int
    exact: bool
    n_actors: int
    n_dyads: int
    seed: int
    why_no_p: str | None = None


def qap_correlation(
    y: np.ndarray, x: np.ndarray, *, permutations: int = 1000, seed: int = 0
) -> QAPCorrelation:
    """QAP test of the correlation of two layers over their off-diagonal cells.

    ``r`` = Pearson's correlation of ``y[i, j]`` and ``x[i, j]`` over ``i != j``; the null
    distribution recomputes it with ``x[p][:, p]`` for each permutation ``p`` of
    :func:`permutation_plan`. Undirected layers are symmetric matrices: each dyad counts twice,
    which leaves r unchanged.

    >>> y = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], float)
    >>> res = qap_correlation(y, y, permutations=100, seed=1)
    >>> round(res.r, 6), res.exact, res.permutations   # 4! = 24 <= 100: all enumerated
    (1.0, True, 24)
    >>> res.p_value   # 2 automorphisms (r = 1) and 2 maps onto the complement (r = -1): 4 / 24
    0.16666666666666666
    """
    n = _check({"y": y, "x": x})
    mask = _offdiag(n)
    yv = y[mask].astype(float)
    plan, exact = permutation_plan(n, permutations, seed)
    base: dict[str, Any] = dict(
        permutations=len(plan), exact=exact, n_actors=n, n_dyads=int(mask.sum()), seed=seed
    )
    if np.ptp(yv) == 0 or np.ptp(x[mask]) == 0:
        return QAPCorrelation(
            None,
            None,
            None,
            None,
            None,
            None,
            **base,
            why_no_p="a layer is constant over the dyads: r is undefined and no permutation changes it",
        )
    yc = (yv - yv.mean()) / yv.std()
    r_obs = float(np.mean(yc * _standardized(x[mask])))
    null = np.empty(len(plan))
    for b, p in enumerate(plan):
        null[b] = float(np.mean(yc * _standardized(x[np.ix_(p, p)][mask])))
    tol = _REL_TOL * max(1.0, abs(r_obs))
    greater = int(np.count_nonzero(null >= r_obs - tol))
    less = int(np.count_nonzero(null <= r_obs + tol))
    k = len(null)
    return QAPCorrelation(
        r=r_obs,
        p_value=_p_value(r_obs, null, exact),
        p_greater=greater / k if exact else (1 + greater) / (1 + k),
        p_less=less / k if exact else (1 + less) / (1 + k),
        null_mean=float(null.mean()),
        null_sd=float(null.std(ddof=1)) if k > 1 else 0.0,
        **base,
    )


def _standardized(v: np.ndarray) -> np.ndarray:
    v = v.astype(float)
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


@dataclass(frozen=True)
class MRQAPTerm:
    """One coefficient of an MRQAP regression.

    ``se`` and ``t`` are classical OLS values; ``p_value`` is the DSP permutation p-value of ``t``
    (``None`` for the intercept, which the permutation does not test, and for a predictor that is
    collinear with the others, with ``why_no_p``).
    """

    name: str
    coef: float
    se: float | None
    t: float | None
    p_value: float | None
    why_no_p: str | None = None


@dataclass(frozen=True)
class MRQAP:
    """Multiple regression QAP with double semi-partialling."""

    outcome: str
    terms: list[MRQAPTerm]
    r2: float
    adj_r2: float
    permutations: int
    exact: bool
    n_actors: int
    n_dyads: int
    seed: int
    method: str = "DSP (Dekker, Krackhardt & Snijders 2007)"
    notes: list[str] = field(default_factory=list)


def mrqap(
    y: np.ndarray,
    xs: dict[str, np.ndarray],
    *,
    outcome: str = "y",
    permutations: int = 1000,
    seed: int = 0,
) -> MRQAP:
    """OLS of ``y`` on the layers ``xs`` (plus an intercept) over the off-diagonal cells, DSP p-values.

    For predictor ``k``: ``e_k`` = residual of ``x_k`` on the intercept and the other predictors
    (as a matrix, 0 on the diagonal). Its observed t equals ``x_k``'s t in the full regression
    (Frisch-Waugh-Lovell). For each permutation ``p``, ``y`` is regressed on the intercept, the
    other predictors and ``e_k[p][:, p]``; ``p_value`` is the two-sided share of permuted
    |t| >= observed |t| (module docstring for the counting rule).

    The same permutations (:func:`permutation_plan` with ``seed``) serve every predictor.
    """
    if not xs:
        raise BadFilter("MRQAP needs at least one predictor layer", fix="give --x LAYER")
    n = _check({outcome: y, **xs})
    mask = _offdiag(n)
    names = list(xs)
    yv = y[mask].astype(float)
    m = len(yv)
    design = np.column_stack([np.ones(m)] + [xs[k][mask].astype(float) for k in names])
    if m <= design.shape[1]:
        raise BadFilter(
            f"MRQAP has {m} dyads for {design.shape[1]} coefficients", fix="use fewer predictors"
        )
    beta, *_ = np.linalg.lstsq(design, yv, rcond=None)
    resid = yv - design @ beta
    dof = m - design.shape[1]
    s2 = float(resid @ resid) / dof
    tss = float(((yv - yv.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else float("nan")
    adj = 1.0 - (1.0 - r2) * (m - 1) / dof if tss > 0 else float("nan")
    rank = np.linalg.matrix_rank(design)
    plan, exact = permutation_plan(n, permutations, seed)
    notes: list[str] = []
    if rank < design.shape[1]:
        notes.append("the predictors are collinear: coefficients are not identified")
    try:
        cov = s2 * np.linalg.inv(design.T @ design)
        se_all = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se_all = np.full(design.shape[1], np.nan)

    terms = [
        MRQAPTerm(
            "(intercept)",
            float(beta[0]),
            _f(se_all[0]),
            _t(beta[0], se_all[0]),
            None,
            "the intercept is not tested by permutation",
        )
    ]
    for k, name in enumerate(names, start=1):
        others = np.delete(design, k, axis=1)
        t_obs, null, why = _dsp(yv, others, design[:, k], plan, mask, n, s2_full=s2)
        terms.append(
            MRQAPTerm(
                name,
                float(beta[k]),
                _f(se_all[k]),
                t_obs,
                None if why else _p_value(float(t_obs), null, exact),  # type: ignore[arg-type]
                why,
            )
        )
    return MRQAP(
        outcome=outcome,
        terms=terms,
        r2=r2,
        adj_r2=adj,
        permutations=len(plan),
        exact=exact,
        n_actors=n,
        n_dyads=m,
        seed=seed,
        notes=notes,
    )


def _f(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _t(b: float, se: float) -> float | None:
    return float(b / se) if np.isfinite(se) and se > 0 else None


def _dsp(
    yv: np.ndarray,
    others: np.ndarray,
    xk: np.ndarray,
    plan: np.ndarray,
    mask: np.ndarray,
    n: int,
    *,
    s2_full: float,
) -> tuple[float | None, np.ndarray, str | None]:
    """Observed t of ``xk`` and its DSP null (t of the permuted residual of ``xk``)."""
    q, _ = np.linalg.qr(others)
    ek = xk - q @ (q.T @ xk)
    ee = float(ek @ ek)
    if ee <= _REL_TOL * max(1.0, float(xk @ xk)):
        return None, np.empty(0), "collinear with the other predictors (or constant)"
    dof = len(yv) - others.shape[1] - 1
    # residual of y on the other predictors: fixed across permutations
    ry = yv - q @ (q.T @ yv)
    ryy = float(ry @ ry)
    b_obs = float(ek @ ry) / ee
    t_obs = b_obs / math.sqrt(max(s2_full, 0.0) / ee) if s2_full > 0 else math.inf
    emat = np.zeros((n, n))
    emat[mask] = ek
    cols = [np.ascontiguousarray(q[:, j]) for j in range(q.shape[1])]
    null = np.empty(len(plan))
    for i, p in enumerate(plan):
        e = emat[np.ix_(p, p)][mask]
        for qc in cols:  # partial the other predictors out of the permuted residual
            e -= np.sum(qc * e) * qc
        # elementwise sums, not BLAS dot products: those stall when the cores are busy
        ee_p = float(np.sum(e * e))
        if ee_p <= 0:
            null[i] = 0.0
            continue
        b = float(np.sum(e * ry)) / ee_p
        rss = ryy - b * b * ee_p
        s2 = max(rss, 0.0) / dof
        null[i] = b / math.sqrt(s2 / ee_p) if s2 > 0 else math.copysign(math.inf, b)
    return float(t_obs), null, None
