"""Country-year panels of tie layers, fixed-effects Poisson models with lags and a lead placebo,
and a break test for one series.

A panel has one row per unit (a country) and year. With a ``focus`` country ``F`` the unit is each
partner ``c`` of ``F`` and a layer's value is what passes between ``F`` and ``c`` (either
direction); without it, a layer's value for ``c`` is what passes between ``c`` and every other
country. A tie enters the year it is *formed* (its start year), *ended* (its end year) or every
year it is *active* (start to end; an open end counts to the layer's last year).

The model (:func:`fe_poisson`) is

    E[y_ct] = exp(alpha_c + gamma_t + sum_l beta_l * log(1 + x_c,t-l))

(Poisson pseudo-maximum likelihood with unit and year fixed effects, pyfixest ``fepois``; SE
clustered by unit; Wooldridge 1999, doi:10.1016/S0304-4076(98)00033-4 for the consistency of the
FE Poisson estimator under any distribution of counts). The *placebo* (:func:`lead_placebo`) puts
``x`` at ``t + l`` instead: a predictor that "predicts" its past as well as its future signals a
common trend or reverse causation rather than precedence. Association is not causation.

Years: a layer's coverage is from its first to its last dated tie unless declared; a panel uses
only the years where the outcome and each shifted predictor are covered, and says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civnet.errors import BadFilter
from civnet.measures.inference.dyads import EVENTS, VALUES, placeable

MAX_SHIFT = 10


def country_year(
    frame: pd.DataFrame,
    *,
    years: tuple[int, int],
    focus: str | None = None,
    event: str = "formed",
    value: str = "weight",
) -> pd.DataFrame:
    """Long table ``unit, year, value`` of one layer (module docstring for the rules).

    ``frame`` is :func:`~civnet.measures.inference.dyads.tie_countries`' output; ``years`` the
    layer's coverage (first, last). Undated ties are left out. Units with no tie get no rows here
    (the panel fills zeros over the years the layer covers).

    >>> f = pd.DataFrame({"origin": ["CHN", "CHN", "USA"], "destination": ["FRA", "USA", "CHN"],
    ...     "directed": [True, False, True], "weight": [2.0, 1.0, 3.0],
    ...     "start_year": [2001, 2001, 2002], "end_year": [2001, None, 2002]})
    >>> country_year(f, years=(2000, 2003), focus="CHN").values.tolist()
    [['FRA', 2001, 2.0], ['USA', 2001, 1.0], ['USA', 2002, 3.0]]
    >>> country_year(f, years=(2000, 2003), focus="CHN", event="active").values.tolist()[-2:]
    [['USA', 2002, 4.0], ['USA', 2003, 1.0]]
    """
    if event not in EVENTS:
        raise BadFilter(f"unknown layer event {event!r}", fix=f"use one of: {', '.join(EVENTS)}")
    if value not in VALUES:
        raise BadFilter(f"unknown layer value {value!r}", fix=f"use one of: {', '.join(VALUES)}")
    ties, _ = placeable(frame)
    if focus is not None:
        at_o = ties["origin"] == focus
        at_d = ties["destination"] == focus
        ties = ties[at_o | at_d].assign(
            unit=np.where(
                at_o[at_o | at_d], ties["destination"][at_o | at_d], ties["origin"][at_o | at_d]
            )
        )
        parts = [ties]
    else:
        parts = [ties.assign(unit=ties["origin"]), ties.assign(unit=ties["destination"])]
    long = pd.concat(parts, ignore_index=True)
    long = long.assign(v=long["weight"] if value == "weight" else 1.0)
    lo, hi = years
    if event == "formed":
        long = long.dropna(subset=["start_year"]).assign(year=lambda d: d["start_year"].astype(int))
    elif event == "ended":
        long = long.dropna(subset=["end_year"]).assign(year=lambda d: d["end_year"].astype(int))
    else:
        long = long.dropna(subset=["start_year"])
        start = long["start_year"].astype(int).to_numpy()
        end = long["end_year"].fillna(hi).astype(int).to_numpy()
        reps = np.clip(end - start + 1, 0, None)
        long = long.loc[long.index.repeat(reps)].assign(
            year=np.concatenate([np.arange(s, s + r) for s, r in zip(start, reps, strict=True)])
            if len(reps)
            else np.array([], dtype=int)
        )
    long = long[(long["year"] >= lo) & (long["year"] <= hi)]
    out = long.groupby(["unit", "year"], as_index=False)["v"].sum().rename(columns={"v": "value"})
    return out.sort_values(["unit", "year"]).reset_index(drop=True)


def balanced(
    layers: dict[str, pd.DataFrame],
    coverage: dict[str, tuple[int, int]],
    units: list[str],
    *,
    unit_coverage: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """A balanced panel ``unit, year, <layer>...``: zeros where a covered year has no tie, NaN
    outside a layer's coverage. ``unit_coverage`` names, per layer, the units it covers (by
    default every unit): a unit a layer does not cover is missing there, not zero (AidData
    reports on 39 partner countries; its silence on the others is not a count of 0)."""
    lo = min(c[0] for c in coverage.values())
    hi = max(c[1] for c in coverage.values())
    grid = pd.MultiIndex.from_product([units, range(lo, hi + 1)], names=["unit", "year"])
    out = pd.DataFrame(index=grid)
    for name, long in layers.items():
        series = long.set_index(["unit", "year"])["value"].reindex(grid).fillna(0.0)
        c_lo, c_hi = coverage[name]
        years = grid.get_level_values("year")
        series[(years < c_lo) | (years > c_hi)] = np.nan
        if unit_coverage is not None and name in unit_coverage:
            series[~grid.get_level_values("unit").isin(list(unit_coverage[name]))] = np.nan
        out[name] = series.to_numpy()
    return out.reset_index()


@dataclass(frozen=True)
class PanelTerm:
    """One shifted predictor: ``shift`` > 0 is a lag (x at t - shift), < 0 a lead (t + |shift|)."""

    name: str
    shift: int
    estimate: float
    se: float
    p_value: float
    ci_low: float
    ci_high: float

    @property
    def rate_ratio(self) -> float:
        """exp(beta): the multiplicative change in expected y for a one-unit rise in log(1 + x)."""
        return math.exp(self.estimate)


@dataclass(frozen=True)
class PanelFit:
    """A fitted FE Poisson panel model and its sample."""

    outcome: str
    terms: list[PanelTerm]
    n_obs: int
    n_used: int
    n_units: int
    years: tuple[int, int]
    notes: list[str] = field(default_factory=list)
    method: str = (
        "Poisson PML with unit and year fixed effects (pyfixest fepois), SE clustered by unit"
    )


def shifted(panel: pd.DataFrame, column: str, shift: int) -> pd.Series:
    """``column`` of each unit at ``year - shift`` (a lag for shift > 0, a lead for shift < 0)."""
    if abs(shift) > MAX_SHIFT:
        raise BadFilter(f"a lag or lead of {shift} years", fix=f"use at most {MAX_SHIFT}")
    s = panel.set_index(["unit", "year"])[column]
    keys = list(zip(panel["unit"], panel["year"] - shift, strict=True))
    return pd.Series(s.reindex(keys).to_numpy(), index=panel.index)


def fe_poisson(
    panel: pd.DataFrame,
    outcome: str,
    predictors: dict[str, list[int]],
    *,
    transform: str = "log1p",
) -> PanelFit:
    """Fit the module's model; ``predictors`` maps a layer to its shifts (lags > 0, leads < 0).

    Rows with the outcome or any shifted predictor outside coverage (NaN) are left out; units
    whose outcome is zero in every kept year carry no information with unit effects and are
    dropped by the estimator (counted in ``n_used``).
    """
    import pyfixest as pf

    if transform not in ("log1p", "none"):
        raise BadFilter(f"unknown transform {transform!r}", fix="use log1p or none")
    data = pd.DataFrame({"unit": panel["unit"], "year": panel["year"], "y": panel[outcome]})
    terms: list[tuple[str, str, int]] = []
    for name, shifts in predictors.items():
        for sh in shifts:
            col = f"x{len(terms)}"
            x = shifted(panel, name, sh)
            data[col] = np.log1p(x) if transform == "log1p" else x
            terms.append((col, name, sh))
    if not terms:
        raise BadFilter("the panel model needs a predictor", fix="give --predictor and --lags")
    data = data.dropna()
    if data.empty or not (data["y"] > 0).any():
        raise BadFilter(
            "no covered year has a non-zero outcome",
            fix="check the layers' coverage with --from/--to, or choose other layers",
        )
    cols = [c for c, _, _ in terms]
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = pf.fepois(f"y ~ {' + '.join(cols)} | unit + year", data=data, vcov={"CRV1": "unit"})
    notes += [f"pyfixest: {w.message}" for w in caught if "separation" in str(w.message)]
    coef, se, pv, ci = fit.coef(), fit.se(), fit.pvalue(), fit.confint()
    out = []
    for col, name, sh in terms:
        if col not in coef.index:
            notes.append(f"{name} at shift {sh} is absorbed by the fixed effects: not estimated")
            continue
        out.append(
            PanelTerm(
                name,
                sh,
                float(coef[col]),
                float(se[col]),
                float(pv[col]),
                float(ci.loc[col].iloc[0]),
                float(ci.loc[col].iloc[1]),
            )
        )
    return PanelFit(
        outcome=outcome,
        terms=out,
        n_obs=len(data),
        n_used=int(fit._N),
        n_units=int(data["unit"].nunique()),
        years=(int(data["year"].min()), int(data["year"].max())),
        notes=notes,
    )


@dataclass(frozen=True)
class BreakTest:
    """A level break in a yearly count series at ``year`` (interrupted time series)."""

    year: int
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    trend_ratio: float
    years: tuple[int, int]
    before_mean: float
    after_mean: float
    dispersion: float
    notes: list[str] = field(default_factory=list)
    method: str = (
        "quasi-Poisson GLM of yearly counts on a linear trend and a step at the break year "
        "(statsmodels; scale = Pearson chi2 / df)"
    )


def break_test(series: pd.Series, year: int) -> BreakTest:
    """Test for a step in a yearly count series from ``year`` on, over its linear trend.

    ``log E[y_t] = a + b (t - t0) + d [t >= year]``; ``rate_ratio = exp(d)`` is how many times more
    (or fewer) events per year after the break than the trend predicts. The dispersion is estimated
    (quasi-Poisson: Pearson chi2 / residual df, at least 1) so that overdispersed counts do not give
    falsely narrow intervals (McCullagh & Nelder 1989, sec. 4.5).
    """
    import statsmodels.api as sm
    from scipy import stats

    s = series.sort_index().astype(float)
    years = s.index.to_numpy(dtype=int)
    before, after = s[years < year], s[years >= year]
    if len(before) < 2 or len(after) < 1:
        raise BadFilter(
            f"the break year {year} needs at least 2 years before and 1 from it in the series "
            f"({years.min()}-{years.max()})",
            fix="choose a break inside the series' coverage",
        )
    x = np.column_stack([np.ones(len(s)), years - years.min(), (years >= year).astype(float)])
    model = sm.GLM(s.to_numpy(), x, family=sm.families.Poisson())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = model.fit()
        scale = max(1.0, float(first.pearson_chi2 / first.df_resid)) if first.df_resid > 0 else 1.0
        fit = model.fit(scale=scale)
    notes = sorted({f"statsmodels: {w.message}" for w in caught})
    d, se = float(fit.params[2]), float(fit.bse[2])
    z = stats.norm.ppf(0.975)
    return BreakTest(
        year=year,
        rate_ratio=math.exp(d),
        ci_low=math.exp(d - z * se),
        ci_high=math.exp(d + z * se),
        p_value=float(2 * stats.norm.sf(abs(d / se))) if se > 0 else float("nan"),
        trend_ratio=math.exp(float(fit.params[1])),
        years=(int(years.min()), int(years.max())),
        before_mean=float(before.mean()),
        after_mean=float(after.mean()),
        dispersion=scale,
        notes=notes,
    )
