"""QAP and MRQAP against brute-force permutation oracles on small matrices (same permutations)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from civnet.errors import BadFilter
from civnet.measures.inference.qap import mrqap, permutation_plan, qap_correlation


def _offdiag(m: np.ndarray) -> np.ndarray:
    return m[~np.eye(len(m), dtype=bool)]


def _layers(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x1 = rng.poisson(2.0, size=(n, n)).astype(float)
    x2 = (x1 + rng.poisson(1.0, size=(n, n))).astype(float)  # correlated with x1
    y = (0.7 * x1 + rng.normal(0, 1.5, size=(n, n))).round(1)
    for m in (x1, x2, y):
        np.fill_diagonal(m, 0.0)
    return y, x1, x2


def test_exact_qap_correlation_equals_enumeration_of_all_permutations() -> None:
    y, x, _ = _layers(5, seed=3)
    res = qap_correlation(y, x, permutations=1000, seed=9)
    assert res.exact and res.permutations == math.factorial(5) == 120
    r_obs = stats.pearsonr(_offdiag(y), _offdiag(x)).statistic
    null = [
        stats.pearsonr(_offdiag(y), _offdiag(x[np.ix_(p, p)])).statistic
        for p in map(list, itertools.permutations(range(5)))
    ]
    b = sum(abs(r) >= abs(r_obs) - 1e-12 for r in null)
    assert res.r == pytest.approx(r_obs, abs=1e-12)
    assert res.p_value == pytest.approx(b / 120, abs=1e-15)
    assert res.p_greater == pytest.approx(sum(r >= r_obs - 1e-12 for r in null) / 120, abs=1e-15)


def test_random_qap_correlation_equals_loop_over_the_same_draws() -> None:
    y, x, _ = _layers(9, seed=4)  # 9! > 500: random permutations
    res = qap_correlation(y, x, permutations=500, seed=11)
    assert not res.exact and res.permutations == 500
    rng = np.random.default_rng(11)
    r_obs = stats.pearsonr(_offdiag(y), _offdiag(x)).statistic
    b = 0
    for _ in range(500):
        p = rng.permutation(9)
        b += (
            abs(stats.pearsonr(_offdiag(y), _offdiag(x[np.ix_(p, p)])).statistic)
            >= abs(r_obs) - 1e-12
        )
    assert res.p_value == pytest.approx((1 + b) / 501, abs=1e-15)
    assert qap_correlation(y, x, permutations=500, seed=11) == res  # same seed, same result


def _dsp_oracle(
    y: np.ndarray, xs: list[np.ndarray], k: int, plan: np.ndarray, exact: bool
) -> float:
    """Dekker et al. (2007) DSP spelled out with statsmodels OLS on every permutation."""
    n = len(y)
    yv = _offdiag(y)
    cols = [_offdiag(x) for x in xs]
    others = sm.add_constant(np.column_stack([c for i, c in enumerate(cols) if i != k]))
    t_obs = sm.OLS(yv, sm.add_constant(np.column_stack(cols))).fit().tvalues[k + 1]
    resid = sm.OLS(cols[k], others).fit().resid
    emat = np.zeros((n, n))
    emat[~np.eye(n, dtype=bool)] = resid
    ts = []
    for p in plan:
        e = _offdiag(emat[np.ix_(p, p)])
        ts.append(sm.OLS(yv, np.column_stack([others, e])).fit().tvalues[-1])
    b = sum(abs(t) >= abs(t_obs) * (1 - 1e-9) for t in ts)
    return b / len(ts) if exact else (1 + b) / (1 + len(ts))


@pytest.mark.parametrize(("n", "perms"), [(5, 1000), (10, 200)])
def test_mrqap_dsp_equals_statsmodels_on_each_permutation(n: int, perms: int) -> None:
    y, x1, x2 = _layers(n, seed=n)
    res = mrqap(y, {"x1": x1, "x2": x2}, permutations=perms, seed=5)
    ols = sm.OLS(_offdiag(y), sm.add_constant(np.column_stack([_offdiag(x1), _offdiag(x2)]))).fit()
    assert [t.coef for t in res.terms] == pytest.approx(list(ols.params), abs=1e-9)
    assert [t.se for t in res.terms] == pytest.approx(list(ols.bse), abs=1e-9)
    assert [t.t for t in res.terms] == pytest.approx(list(ols.tvalues), abs=1e-7)
    assert res.r2 == pytest.approx(ols.rsquared, abs=1e-12)
    plan, exact = permutation_plan(n, perms, 5)
    assert exact == (n == 5)
    for k, name in enumerate(["x1", "x2"]):
        term = next(t for t in res.terms if t.name == name)
        assert term.p_value == pytest.approx(_dsp_oracle(y, [x1, x2], k, plan, exact), abs=1e-15)
    assert res.terms[0].p_value is None and res.terms[0].why_no_p


def test_constant_layer_gets_no_p_value_and_says_why() -> None:
    y, _, _ = _layers(6, seed=1)
    flat = np.ones((6, 6))
    np.fill_diagonal(flat, 0)
    res = qap_correlation(y, flat, permutations=50, seed=0)
    assert res.r is None and res.p_value is None and "constant" in (res.why_no_p or "")
    reg = mrqap(y, {"flat": flat}, permutations=50, seed=0)
    assert reg.terms[1].p_value is None and "collinear" in (reg.terms[1].why_no_p or "")


def test_bad_shapes_are_one_line_errors() -> None:
    with pytest.raises(BadFilter, match="square"):
        qap_correlation(np.zeros((3, 4)), np.zeros((3, 4)))
    with pytest.raises(BadFilter, match="at least 3 actors"):
        qap_correlation(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(BadFilter, match="missing or infinite"):
        qap_correlation(np.full((3, 3), np.nan), np.zeros((3, 3)))
