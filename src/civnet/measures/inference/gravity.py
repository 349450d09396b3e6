"""Dyadic gravity models by Poisson pseudo-maximum likelihood (PPML) with fixed effects.

The gravity equation of trade (Tinbergen 1962; Anderson & van Wincoop 2003) applied to civil ties:
the expected tie value from ``i`` to ``j`` is

    E[y_ij] = exp(a_i + b_j + beta' x_ij)

with an origin effect ``a_i`` (how active ``i`` is everywhere), a destination effect ``b_j``
(how attractive ``j`` is to everyone) and dyadic regressors ``x_ij`` (log distance, other layers).
Estimated by PPML, which is consistent under heteroskedasticity and keeps zero dyads
(Santos Silva & Tenreyro 2006, doi:10.1162/rest.88.4.641), through pyfixest's ``fepois``
(the R package fixest's estimator). Standard errors are clustered by the unordered pair: an
undirected layer puts each dyad in the data twice, ``(i, j)`` and ``(j, i)``, and the two rows are
one observation for inference.

Dyads whose origin (or destination) has no tie at all in the outcome carry no information on
``beta`` once the fixed effects are in (the MLE of the effect is minus infinity): they are dropped
and counted, as fixest does.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civnet.errors import BadFilter

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Coefficient:
    """One regressor's estimate with its clustered standard error, z-test and 95% interval."""

    name: str
    estimate: float
    se: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class PPMLResult:
    """A fitted PPML gravity model."""

    outcome: str
    coefficients: list[Coefficient]
    n_dyads: int
    n_used: int
    n_dropped: int
    n_clusters: int
    fixed_effects: tuple[str, ...]
    deviance: float | None
    notes: list[str] = field(default_factory=list)
    method: str = (
        "PPML with origin and destination fixed effects (pyfixest fepois), SE clustered by pair"
    )


def ppml(
    frame: pd.DataFrame,
    outcome: str,
    regressors: list[str],
    *,
    fixed_effects: tuple[str, ...] = ("origin", "destination"),
    cluster: str = "pair",
) -> PPMLResult:
    """Fit ``outcome ~ regressors | fixed_effects`` by PPML on ``frame`` (one row per dyad).

    ``frame`` holds the outcome (non-negative), the regressors (finite), the fixed-effect columns
    and the ``cluster`` column. Column names must be plain identifiers (they enter a formula).

    Edge cases: an outcome that is zero everywhere, or no regressor left after the fixed effects
    absorb it, is refused with one line (nothing to estimate).
    """
    import pyfixest as pf

    for name in [outcome, *regressors, *fixed_effects, cluster]:
        if not _NAME.match(name):
            raise BadFilter(f"model variable {name!r} is not a plain name", fix="use [A-Za-z0-9_]")
    if not regressors:
        raise BadFilter(
            "the gravity model needs at least one regressor", fix="give --x or --distance"
        )
    y = frame[outcome].to_numpy(dtype=float)
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise BadFilter(f"{outcome} must be finite and >= 0 for PPML", fix="check the layer")
    if not np.any(y > 0):
        raise BadFilter(f"{outcome} is zero on every dyad", fix="choose another layer or period")
    for r in regressors:
        if not np.all(np.isfinite(frame[r].to_numpy(dtype=float))):
            raise BadFilter(f"regressor {r} has missing or infinite values", fix="drop those dyads")
    formula = f"{outcome} ~ {' + '.join(regressors)}"
    if fixed_effects:
        formula += " | " + " + ".join(fixed_effects)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = pf.fepois(formula, data=frame, vcov={"CRV1": cluster})
    names = list(fit.coef().index)
    ci = fit.confint()
    coefs = [
        Coefficient(
            name=str(n),
            estimate=float(fit.coef()[n]),
            se=float(fit.se()[n]),
            p_value=float(fit.pvalue()[n]),
            ci_low=float(ci.loc[n].iloc[0]),
            ci_high=float(ci.loc[n].iloc[1]),
        )
        for n in names
    ]
    notes = [f"pyfixest: {w.message}" for w in caught if "separation" in str(w.message)]
    dropped_vars = sorted(set(regressors) - set(names))
    if dropped_vars:
        notes.append(
            "absorbed by the fixed effects or collinear, not estimated: " + ", ".join(dropped_vars)
        )
    n_used = int(fit._N)
    used = frame
    return PPMLResult(
        outcome=outcome,
        coefficients=coefs,
        n_dyads=len(frame),
        n_used=n_used,
        n_dropped=len(frame) - n_used,
        n_clusters=int(used[cluster].nunique()),
        fixed_effects=tuple(fixed_effects),
        deviance=_deviance(fit),
        notes=notes,
    )


def _deviance(fit: object) -> float | None:
    dev = getattr(fit, "deviance", None)
    try:
        return float(dev) if dev is not None else None
    except (TypeError, ValueError):
        return None


def gravity_frame(
    layers: dict[str, np.ndarray],
    countries: list[str],
    *,
    distance_km: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per ordered pair of different countries: ``origin``, ``destination``, ``pair``
    (the unordered pair, for clustering), each layer's cell value, and ``log_distance`` when
    distances are given (pairs without a distance are left out by the caller's notes).

    >>> f = gravity_frame({"y": np.array([[0, 1.0], [2.0, 0]])}, ["A", "B"])
    >>> f[["origin", "destination", "pair", "y"]].values.tolist()
    [['A', 'B', 'A-B', 1.0], ['B', 'A', 'A-B', 2.0]]
    """
    n = len(countries)
    i, j = np.where(~np.eye(n, dtype=bool))
    names = np.array(countries, dtype=object)
    lo = np.where(names[i] < names[j], names[i], names[j])
    hi = np.where(names[i] < names[j], names[j], names[i])
    out = pd.DataFrame(
        {
            "origin": names[i],
            "destination": names[j],
            "pair": [f"{a}-{b}" for a, b in zip(lo, hi, strict=True)],
        }
    )
    for name, m in layers.items():
        out[name] = m[i, j]
    if distance_km is not None:
        d = distance_km[i, j]
        out["distance_km"] = d
        with np.errstate(divide="ignore", invalid="ignore"):
            out["log_distance"] = np.where(d > 0, np.log(np.where(d > 0, d, 1.0)), np.nan)
    return out
