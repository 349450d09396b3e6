"""PPML gravity against statsmodels GLM Poisson; panel FE Poisson recovers a known effect; break test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from civnet.errors import BadFilter
from civnet.measures.inference.gravity import gravity_frame, ppml
from civnet.measures.inference.panel import balanced, break_test, country_year, fe_poisson


def _dyads(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = [f"C{i:02d}" for i in range(n)]
    push, pull = rng.normal(0, 0.5, n), rng.normal(0, 0.5, n)
    logd = rng.uniform(5, 9, size=(n, n))
    logd = (logd + logd.T) / 2
    other = rng.poisson(3.0, size=(n, n)).astype(float)
    mu = np.exp(push[:, None] + pull[None, :] - 0.8 * (logd - 7) + 0.3 * np.log1p(other))
    y = rng.poisson(mu).astype(float)
    frame = gravity_frame({"y": y, "other": other}, names, distance_km=np.exp(logd))
    frame["log1p_other"] = np.log1p(frame["other"])
    return frame


def _statsmodels_ppml(frame: pd.DataFrame, regressors: list[str]):  # type: ignore[no-untyped-def]
    fe = pd.get_dummies(frame[["origin", "destination"]], drop_first=True).astype(float)
    x = sm.add_constant(pd.concat([frame[regressors], fe], axis=1))
    groups = pd.factorize(frame["pair"])[0]
    return sm.GLM(frame["y"], x, family=sm.families.Poisson()).fit(
        tol=1e-13, cov_type="cluster", cov_kwds={"groups": groups}
    )


def test_ppml_coefficients_equal_statsmodels_glm_poisson() -> None:
    frame = _dyads(15, seed=2)
    res = ppml(frame, "y", ["log_distance", "log1p_other"])
    oracle = _statsmodels_ppml(frame, ["log_distance", "log1p_other"])
    got = {c.name: c for c in res.coefficients}
    for name in ("log_distance", "log1p_other"):
        assert got[name].estimate == pytest.approx(oracle.params[name], abs=1e-6)
        # fixest and statsmodels differ only in the small-sample factor of the clustered SE
        assert got[name].se == pytest.approx(oracle.bse[name], rel=2e-3)
        assert got[name].ci_low < got[name].estimate < got[name].ci_high
    assert res.n_used == res.n_dyads == 15 * 14 and res.n_clusters == 15 * 14 // 2
    assert got["log_distance"].ci_low < -0.8 < got["log_distance"].ci_high  # the true value


def test_ppml_drops_an_origin_with_no_outcome_and_matches_the_oracle_without_it() -> None:
    frame = _dyads(12, seed=5)
    frame.loc[frame["origin"] == "C03", "y"] = 0.0
    res = ppml(frame, "y", ["log_distance"])
    assert res.n_dropped == 11 and any("separation" in n for n in res.notes)
    kept = frame[frame["origin"] != "C03"]
    oracle = _statsmodels_ppml(kept, ["log_distance"])
    assert res.coefficients[0].estimate == pytest.approx(oracle.params["log_distance"], abs=1e-6)


def test_ppml_refuses_what_cannot_be_estimated() -> None:
    frame = _dyads(5, seed=1)
    with pytest.raises(BadFilter, match="zero on every dyad"):
        ppml(frame.assign(y=0.0), "y", ["log_distance"])
    with pytest.raises(BadFilter, match="not a plain name"):
        ppml(frame, "y", ["log_distance); import os"])


def _panel(units: int, years: int, beta: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    alpha = rng.normal(0, 0.5, units)
    gamma = np.linspace(-0.3, 0.3, years)
    x = rng.poisson(3.0, size=(units, years)).astype(float)
    rows = []
    for c in range(units):
        for t in range(years):
            lag = np.log1p(x[c, t - 1]) if t > 0 else 0.0
            y = rng.poisson(np.exp(alpha[c] + gamma[t] + beta * lag)) if t > 0 else 0
            rows.append({"unit": f"U{c:03d}", "year": 2000 + t, "x": x[c, t], "y": float(y)})
    panel = pd.DataFrame(rows)
    panel.loc[panel["year"] == 2000, "y"] = np.nan  # outcome not covered in the first year
    return panel


def test_panel_fe_poisson_recovers_a_known_lag_effect_and_the_placebo_does_not() -> None:
    panel = _panel(80, 12, beta=0.5, seed=7)
    fit = fe_poisson(panel, "y", {"x": [1]})
    (term,) = fit.terms
    assert term.shift == 1 and term.ci_low < 0.5 < term.ci_high
    assert abs(term.estimate - 0.5) < 0.1 and term.p_value < 1e-6
    assert fit.years == (2001, 2011) and fit.n_units == 80
    lead = fe_poisson(panel, "y", {"x": [-1]}).terms[0]
    assert lead.ci_low < 0 < lead.ci_high  # x is independent over time: its future says nothing


def test_country_year_and_balanced_panel_by_hand() -> None:
    ties = pd.DataFrame(
        {
            "origin": ["CHN", "CHN", "FRA", "CHN", "DEU"],
            "destination": ["FRA", "FRA", "CHN", "CHN", "FRA"],
            "directed": [True, False, True, False, False],
            "weight": [2.0, 1.0, 5.0, 9.0, 4.0],
            "start_year": pd.array([2001, 2003, 2003, 2002, 2002], dtype="Int64"),
            "end_year": pd.array([2001, None, 2003, 2002, 2002], dtype="Int64"),
        }
    )
    long = country_year(ties, years=(2001, 2004), focus="CHN")
    assert long.values.tolist() == [["FRA", 2001, 2.0], ["FRA", 2003, 6.0]]
    every = country_year(ties, years=(2001, 2004), value="count")
    assert every.values.tolist() == [
        ["CHN", 2001, 1.0],
        ["CHN", 2003, 2.0],
        ["DEU", 2002, 1.0],
        ["FRA", 2001, 1.0],
        ["FRA", 2002, 1.0],
        ["FRA", 2003, 2.0],
    ]
    panel = balanced({"y": long, "x": long}, {"y": (2002, 2004), "x": (2001, 2003)}, ["DEU", "FRA"])
    got = panel.astype(object).where(panel.notna(), None).values.tolist()
    assert got == [
        ["DEU", 2001, None, 0.0],
        ["DEU", 2002, 0.0, 0.0],
        ["DEU", 2003, 0.0, 0.0],
        ["DEU", 2004, 0.0, None],
        ["FRA", 2001, None, 2.0],
        ["FRA", 2002, 0.0, 0.0],
        ["FRA", 2003, 6.0, 6.0],
        ["FRA", 2004, 0.0, None],
    ]


def test_break_test_finds_a_known_step_and_reports_its_interval() -> None:
    rng = np.random.default_rng(3)
    years = np.arange(2005, 2022)
    mu = 4.0 * np.where(years >= 2015, 3.0, 1.0)
    series = pd.Series(rng.poisson(mu).astype(float), index=years)
    bt = break_test(series, 2015)
    assert bt.ci_low < 3.0 < bt.ci_high and bt.p_value < 0.01
    assert bt.ci_low < bt.rate_ratio < bt.ci_high
    with pytest.raises(BadFilter, match="break year"):
        break_test(series, 2006)


def test_a_layer_is_missing_not_zero_for_units_it_does_not_cover() -> None:
    long = pd.DataFrame({"unit": ["FRA"], "year": [2001], "value": [2.0]})
    panel = balanced(
        {"y": long, "x": long},
        {"y": (2001, 2002), "x": (2001, 2002)},
        ["DEU", "FRA"],
        unit_coverage={"x": {"FRA"}},
    )
    got = panel.astype(object).where(panel.notna(), None).values.tolist()
    assert got == [
        ["DEU", 2001, 0.0, None],
        ["DEU", 2002, 0.0, None],
        ["FRA", 2001, 2.0, 2.0],
        ["FRA", 2002, 0.0, 0.0],
    ]
