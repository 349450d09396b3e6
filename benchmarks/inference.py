"""Inference: civnet's QAP/MRQAP against brute-force loops on the same permutations, and the
policy model's back-test on the embedded data.

1. Speed, measured in one run: QAP correlation and MRQAP (DSP) on ``--n`` countries with ``--perms``
   permutations, civnet against a loop of scipy's Pearson r / statsmodels OLS over the *same*
   permutations (the test oracle); the p-values must be equal.
2. With ``--embedded``: load the embedded datasets into a temporary workspace and back-test the
   tie model of UNESCO student flows with AidData's visits as support (fit up to T-3, project
   T-2..T) against persistence.

Run:  .venv/bin/python benchmarks/inference.py [--n 150] [--perms 200] [--embedded]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import statsmodels.api as sm
from scipy import stats

from civnet.measures.inference.qap import mrqap, permutation_plan, qap_correlation


def _layers(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x1 = rng.poisson(2.0, size=(n, n)).astype(float)
    x2 = x1 + rng.poisson(1.0, size=(n, n))
    y = 0.5 * x1 + rng.normal(0, 2, size=(n, n))
    return y, x1, x2


def speed(n: int, perms: int) -> None:
    y, x1, x2 = _layers(n)
    off = ~np.eye(n, dtype=bool)
    plan, _ = permutation_plan(n, perms, seed=1)

    t = time.perf_counter()
    res = qap_correlation(y, x1, permutations=perms, seed=1)
    t_civ = time.perf_counter() - t
    t = time.perf_counter()
    r0 = stats.pearsonr(y[off], x1[off]).statistic
    b = sum(
        abs(stats.pearsonr(y[off], x1[np.ix_(p, p)][off]).statistic) >= abs(r0) - 1e-12
        for p in plan
    )
    t_loop = time.perf_counter() - t
    assert abs(res.p_value - (1 + b) / (1 + perms)) < 1e-12
    print(
        f"QAP correlation, {n} countries, {perms} permutations: civnet {t_civ:.2f} s, "
        f"scipy loop {t_loop:.2f} s, loop / civnet = {t_loop / t_civ:.1f}"
    )

    t = time.perf_counter()
    reg = mrqap(y, {"x1": x1, "x2": x2}, permutations=perms, seed=1)
    t_civ = time.perf_counter() - t
    t = time.perf_counter()
    cols = [x1[off], x2[off]]
    others = sm.add_constant(cols[1])
    t_obs = sm.OLS(y[off], sm.add_constant(np.column_stack(cols))).fit().tvalues[1]
    e = np.zeros((n, n))
    e[off] = sm.OLS(cols[0], others).fit().resid
    ts = [
        sm.OLS(y[off], np.column_stack([others, e[np.ix_(p, p)][off]])).fit().tvalues[-1]
        for p in plan
    ]
    t_loop = time.perf_counter() - t
    p_loop = (1 + sum(abs(v) >= abs(t_obs) * (1 - 1e-9) for v in ts)) / (1 + perms)
    assert abs(reg.terms[1].p_value - p_loop) < 1e-12
    print(
        f"MRQAP DSP (2 predictors; loop for one), {n} countries, {perms} permutations: civnet "
        f"{t_civ:.2f} s for both predictors, statsmodels loop {t_loop:.2f} s for one, "
        f"loop / civnet = {2 * t_loop / t_civ:.1f} per predictor"
    )


def embedded() -> None:
    from civnet.datasets import get
    from civnet.measures.inference.simulate import backtest
    from civnet.products.results.inference_results import simulate_inputs
    from civnet.store import Workspace
    from civnet.views import ViewSpec

    with tempfile.TemporaryDirectory() as d, Workspace(Path(d) / "ws.duckdb") as ws:
        for name in ("china-public-diplomacy", "student-flows"):
            get(name).loader(ws, None)
        inp = simulate_inputs(
            ws,
            ViewSpec(),
            "students:source=student-flows",
            "visits:source=china-public-diplomacy,track=governance,kind=exchange",
            "CHN",
        )
    t = time.perf_counter()
    bt = backtest(inp.nets, horizon=3, runs=50, seed=1)
    print(
        f"back-test ({time.perf_counter() - t:.1f} s): fitted to {bt.fit_to}, projected "
        f"{bt.years[0]}-{bt.years[-1]}"
    )
    print("| forecast | Brier per dyad-year | edge count MAE |")
    print("| --- | --- | --- |")
    print(f"| model | {bt.brier_model:.4f} | {bt.edge_mae_model:.1f} |")
    print(f"| persistence | {bt.brier_persistence:.4f} | {bt.edge_mae_persistence:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--perms", type=int, default=200)
    ap.add_argument("--embedded", action="store_true")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    speed(args.n, args.perms)
    if args.embedded:
        embedded()


if __name__ == "__main__":
    main()
