"""Results of the inference measures as products show them: ``associate`` (QAP, MRQAP, PPML
gravity) and ``panel`` (FE Poisson with lags, lead placebo, break test).

Each has an ``*_inputs`` step that reads the layers from the workspace (and a user's dyadic file)
into plain matrices and tables, and a ``*_result`` step that computes from those; the catalog
registers the pair. Layers are written as :mod:`civnet.views.layers` describes; several layers in
one parameter are separated by ``;``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from civnet.countries import to_iso3
from civnet.errors import BadFilter
from civnet.importers.dyads import read_dyadic_file
from civnet.measures.inference.dyads import (
    DyadCounts,
    centroids,
    dyad_matrix,
    great_circle_km,
    placeable,
    tie_countries,
)
from civnet.measures.inference.gravity import gravity_frame, ppml
from civnet.measures.inference.panel import balanced, break_test, country_year, fe_poisson
from civnet.measures.inference.qap import mrqap, qap_correlation
from civnet.measures.inference.simulate import (
    YearlyNetworks,
    backtest,
    fit_formation,
    network_stats,
    simulate,
)
from civnet.measures.intermediation.betweenness import Progress
from civnet.sql import fetch_arrow
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec
from civnet.views.layers import LayerSpec, read_layer

MAX_LAYERS = 8
"""Most predictor layers one model takes."""


def split_layers(text: str | list[str] | None, prefix: str) -> list[LayerSpec]:
    """``a:track=x;b:kind=y`` (or a list of such texts) -> layers (names default to ``prefix``,
    ``prefix2``...)."""
    texts = [text] if isinstance(text, str) else list(text or [])
    parts = [p for t in texts for p in t.split(";") if p.strip()]
    if len(parts) > MAX_LAYERS:
        raise BadFilter(f"{len(parts)} layers in one option", fix=f"use at most {MAX_LAYERS}")
    out = [
        LayerSpec.parse(p, default_name=prefix if i == 0 else f"{prefix}{i + 1}")
        for i, p in enumerate(parts)
    ]
    names = [layer.name for layer in out]
    if len(set(names)) != len(names):
        raise BadFilter("two layers have the same name", fix="name them: NAME:track=...")
    return out


@dataclass
class DyadicInputs:
    """Country x country matrices of each layer over one country set."""

    view: str
    countries: list[str]
    matrices: dict[str, np.ndarray]
    described: dict[str, str]
    counts: dict[str, DyadCounts]
    distance_km: np.ndarray | None
    notes: list[str] = field(default_factory=list)


def _file_layers(path: Path | None) -> tuple[str, pd.DataFrame] | None:
    if path is None:
        return None
    name = "".join(ch if ch.isalnum() else "_" for ch in Path(path).stem)[:40] or "file"
    if not name[0].isalpha():
        name = "f_" + name
    return name, read_dyadic_file(path)


def dyadic_inputs(
    ws: Workspace,
    spec: ViewSpec,
    y: str,
    x: list[str] | None = None,
    dyads: Path | None = None,
    distance: bool = False,
) -> DyadicInputs:
    """Read the outcome layer ``y``, the predictor layers ``x`` and the dyadic file."""
    y_layers = split_layers(y, "y")
    if len(y_layers) != 1:
        raise BadFilter("give exactly one outcome layer", fix="--y 'track=education'")
    x_layers = split_layers(x, "x")
    frames: dict[str, pd.DataFrame] = {}
    described: dict[str, str] = {}
    values: dict[str, str] = {}
    notes: list[str] = []
    for layer in y_layers + x_layers:
        read = read_layer(ws, layer, spec)
        frames[layer.name] = tie_countries(read.network.ties, read.network.actors)
        described[layer.name] = layer.describe()
        values[layer.name] = layer.value
    filed = _file_layers(dyads)
    if filed is not None:
        fname, fdf = filed
        if fname in frames:
            raise BadFilter(f"the dyadic file's name {fname!r} is also a layer's", fix="rename one")
        if fdf["year"].notna().any():
            lo = spec.date_from.year if spec.date_from else None
            hi = spec.date_to.year if spec.date_to else None
            keep = fdf["year"].isna() | ((fdf["year"] >= (lo or 1)) & (fdf["year"] <= (hi or 9999)))
            notes.append(f"{fname}: values summed over the file's years within the view's period")
            fdf = fdf[keep.fillna(False)]
        frames[fname] = pd.DataFrame(
            {
                "origin": fdf["origin"],
                "destination": fdf["destination"],
                "directed": True,
                "weight": fdf["value"].astype(float),
                "start_year": fdf["year"],
                "end_year": fdf["year"],
            }
        )
        described[fname] = f"{fname}: values of {Path(dyads).name if dyads else ''}"
        values[fname] = "weight"
    counts = {}
    countries: set[str] = set()
    for name, frame in frames.items():
        kept, counts[name] = placeable(frame)
        countries.update(kept["origin"].astype(str))
        countries.update(kept["destination"].astype(str))
    ordered = sorted(countries)
    if len(ordered) < 3:
        raise BadFilter(
            f"the layers touch {len(ordered)} countries; association needs at least 3",
            fix="widen the view or choose other layers",
        )
    matrices = {n: dyad_matrix(f, ordered, value=values[n]) for n, f in frames.items()}
    dist = _distances(ws, ordered, notes) if distance else None
    return DyadicInputs(spec.describe(), ordered, matrices, described, counts, dist, notes)


def _distances(ws: Workspace, countries: list[str], notes: list[str]) -> np.ndarray:
    actors = fetch_arrow(
        ws.con, "SELECT country, lat, lon FROM actors WHERE lat IS NOT NULL AND lon IS NOT NULL"
    ).to_pandas()
    cent = centroids(actors)
    missing = [c for c in countries if c not in cent]
    if missing:
        notes.append(
            f"{len(missing)} countries have no actor with coordinates, so no distance; their "
            f"dyads are left out of the gravity model: {', '.join(missing[:12])}"
            + (" ..." if len(missing) > 12 else "")
        )
    n = len(countries)
    out = np.full((n, n), np.nan)
    for i, a in enumerate(countries):
        for j, b in enumerate(countries):
            if i != j and a in cent and b in cent:
                out[i, j] = great_circle_km(cent[a], cent[b])
    notes.append(
        "distance: great-circle km between country centroids of the workspace's geocoded actors"
    )
    return out


def _counts_json(inputs: DyadicInputs) -> list[dict[str, Any]]:
    return [
        {
            "layer": n,
            "layer_spec": inputs.described[n],
            "ties": c.ties,
            "placed_on_dyads": c.placed,
            "domestic_left_out": c.domestic,
            "unknown_country_left_out": c.unknown_country,
            "dyads_nonzero": int(np.count_nonzero(inputs.matrices[n])),
        }
        for n, c in inputs.counts.items()
    ]


def qap_result(
    inputs: DyadicInputs, progress: Progress, permutations: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """``civnet associate qap``: QAP correlation of the outcome with each predictor, and MRQAP
    (DSP) of the outcome on all predictors together."""
    names = list(inputs.matrices)
    y_name, x_names = names[0], names[1:]
    if not x_names:
        raise BadFilter("QAP needs a predictor layer", fix="give --x LAYER or --dyads FILE")
    y = inputs.matrices[y_name]
    corr = []
    for k, name in enumerate(x_names):
        progress(k, len(x_names) + 1)
        c = qap_correlation(y, inputs.matrices[name], permutations=permutations, seed=seed)
        corr.append({"predictor": name, **dataclasses.asdict(c)})
    reg = mrqap(
        y,
        {n: inputs.matrices[n] for n in x_names},
        outcome=y_name,
        permutations=permutations,
        seed=seed,
    )
    progress(len(x_names) + 1, len(x_names) + 1)
    return {
        "view": inputs.view,
        "outcome": y_name,
        "countries": len(inputs.countries),
        "dyads": reg.n_dyads,
        "layers": _counts_json(inputs),
        "correlations": corr,
        "regression": {
            "method": reg.method,
            "r2": reg.r2,
            "adj_r2": reg.adj_r2,
            "permutations": reg.permutations,
            "exact": reg.exact,
            "seed": seed,
            "terms": [dataclasses.asdict(t) for t in reg.terms],
            "notes": reg.notes,
        },
        "notes": inputs.notes
        + [
            "cells are ordered country pairs (i != j); an undirected tie counts in both cells",
            "p-values: two-sided, (1 + b) / (1 + B) over B permutations of the countries "
            "(exact enumeration when n! <= B)",
            "association is not causation: QAP controls for the dependence of dyads that share "
            "a country, not for confounders",
        ],
    }


QAP_COLUMNS = ("model", "name", "coef", "se", "t", "p_value")


def qap_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``associate qap``'s main table: each QAP correlation (``coef`` = r), then each MRQAP term."""
    corr = [
        {"model": "QAP correlation", "name": c["predictor"], "coef": c["r"], "se": None, "t": None}
        | {"p_value": c["p_value"]}
        for c in data["correlations"]
    ]
    terms = [
        {"model": "MRQAP"} | {k: t.get(k) for k in QAP_COLUMNS[1:]}
        for t in data["regression"]["terms"]
    ]
    return corr + terms


def gravity_result(
    inputs: DyadicInputs, progress: Progress, transform: str = "log1p"
) -> dict[str, Any]:
    """``civnet associate gravity``: PPML of the outcome layer on log distance and the
    predictor layers (log(1 + value) by default), origin and destination fixed effects."""
    if transform not in ("log1p", "none"):
        raise BadFilter(f"unknown --transform {transform!r}", fix="use log1p or none")
    names = list(inputs.matrices)
    y_name, x_names = names[0], names[1:]
    frame = gravity_frame(inputs.matrices, inputs.countries, distance_km=inputs.distance_km)
    regressors: list[str] = []
    for name in x_names:
        col = f"{'log1p_' if transform == 'log1p' else ''}{name}"
        frame[col] = np.log1p(frame[name]) if transform == "log1p" else frame[name]
        regressors.append(col)
    notes = list(inputs.notes)
    if inputs.distance_km is not None:
        before = len(frame)
        frame = frame.dropna(subset=["log_distance"])
        if len(frame) < before:
            notes.append(f"{before - len(frame)} dyads without a distance left out")
        regressors.insert(0, "log_distance")
    progress(0, 1)
    fit = ppml(frame, y_name, regressors)
    progress(1, 1)
    return {
        "view": inputs.view,
        "outcome": y_name,
        "method": fit.method,
        "countries": len(inputs.countries),
        "dyads": fit.n_dyads,
        "dyads_used": fit.n_used,
        "dyads_dropped": fit.n_dropped,
        "clusters": fit.n_clusters,
        "layers": _counts_json(inputs),
        "coefficients": [dataclasses.asdict(c) for c in fit.coefficients],
        "notes": notes
        + fit.notes
        + [
            "rows are ordered country pairs (i != j) with zeros kept; an undirected layer puts "
            "each pair in twice, and standard errors are clustered by the unordered pair",
            "dyads of a country with no tie in the outcome are dropped by the estimator "
            "(their fixed effect is not identified)",
            "association is not causation",
        ],
    }


# -- panel ----------------------------------------------------------------------------------------


@dataclass
class PanelInputs:
    """A balanced country-year panel of the outcome and predictor layers."""

    view: str
    panel: pd.DataFrame
    outcome: str
    predictors: list[str]
    coverage: dict[str, tuple[int, int]]
    described: dict[str, str]
    focus: str | None
    notes: list[str] = field(default_factory=list)


def declared_window(ws: Workspace, source_ids: tuple[int, ...]) -> tuple[int, int] | None:
    """The years a layer's sources declare they cover (``import ... --coverage``), when every one
    of them declares a window; ``None`` otherwise (the layer's own dated ties then decide)."""
    if not source_ids:
        return None
    windows = ws.source_windows().to_pylist()
    chosen = [w for w in windows if w["id"] in set(source_ids)]
    if not chosen or any(w["origin"] != "declared" or w["coverage_from"] is None for w in chosen):
        return None
    return min(w["coverage_from"].year for w in chosen), max(w["coverage_to"].year for w in chosen)


def _coverage(
    frame: pd.DataFrame, event: str, spec: ViewSpec, declared: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """A layer's years: its sources' declared window, else its first to last dated tie (start
    years; end years for ``event=ended``), within the view's period."""
    if declared is not None:
        lo, hi = declared
    else:
        col = "end_year" if event == "ended" else "start_year"
        years = frame[col].dropna()
        if years.empty:
            return None
        lo, hi = int(years.min()), int(years.max())
    if spec.date_from:
        lo = max(lo, spec.date_from.year)
    if spec.date_to:
        hi = min(hi, spec.date_to.year)
    return (lo, hi) if lo <= hi else None


def panel_inputs(
    ws: Workspace,
    spec: ViewSpec,
    outcome: str,
    predictor: list[str] | None = None,
    focus: str | None = None,
) -> PanelInputs:
    """Read the layers into a balanced panel over their coverage (see the measures' docstring)."""
    focus_code = None
    if focus:
        focus_code = to_iso3(focus)
        if focus_code is None:
            raise BadFilter(
                f"unknown --focus country {focus!r}", fix="use an ISO3 code such as CHN"
            )
    y_layers = split_layers(outcome, "y")
    if len(y_layers) != 1:
        raise BadFilter("give exactly one outcome layer", fix="--outcome 'track=education'")
    x_layers = split_layers(predictor, "x")
    longs: dict[str, pd.DataFrame] = {}
    coverage: dict[str, tuple[int, int]] = {}
    described: dict[str, str] = {}
    notes: list[str] = []
    for layer in y_layers + x_layers:
        read = read_layer(ws, layer, spec)
        frame = tie_countries(read.network.ties, read.network.actors)
        declared = declared_window(ws, read.source_ids)
        cov = _coverage(frame, layer.event, spec, declared)
        if cov is None:
            raise BadFilter(
                f"layer {layer.name} has no dated tie in the view",
                fix="check its source/track/kind and the period",
            )
        coverage[layer.name] = cov
        described[layer.name] = layer.describe()
        longs[layer.name] = country_year(
            frame, years=cov, focus=focus_code, event=layer.event, value=layer.value
        )
        how = (
            "as its sources declare"
            if declared is not None
            else f"first to last {layer.event} tie in the view"
        )
        notes.append(
            f"{layer.name} covers {cov[0]}-{cov[1]} ({how}); outside that it is missing, not zero"
        )
    units = sorted(set().union(*(set(df["unit"]) for df in longs.values())) - {focus_code})
    if not units:
        raise BadFilter("the layers have no country-year values", fix="check the layers")
    covered = {name: set(long["unit"]) for name, long in longs.items()}
    panel = balanced(longs, coverage, units, unit_coverage=covered)
    for name in [x.name for x in x_layers]:
        notes.append(
            f"{name} covers the {len(covered[name])} units it has a value for; other units are "
            "missing there (left out), not zero"
        )
    return PanelInputs(
        spec.describe(),
        panel,
        y_layers[0].name,
        [x.name for x in x_layers],
        coverage,
        described,
        focus_code,
        notes,
    )


def _shifts(text: str, what: str) -> list[int]:
    out = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        try:
            v = int(part)
        except ValueError:
            raise BadFilter(
                f"{what} expects whole numbers like 1,2, got {part!r}", fix="e.g. 1,2"
            ) from None
        if not 0 <= v <= 10:
            raise BadFilter(f"{what} {v} is out of range", fix="use 0 to 10 years")
        out.append(v)
    return sorted(set(out))


def panel_result(
    inputs: PanelInputs,
    progress: Progress,
    lags: str = "1",
    placebo: bool = True,
    transform: str = "log1p",
    break_year: int | None = None,
    unit: str | None = None,
) -> dict[str, Any]:
    """``civnet panel``: the FE Poisson model with lags (and the lead placebo), or with
    ``break_year`` a break test of the outcome series (summed over ``unit`` or all units)."""
    base: dict[str, Any] = {
        "view": inputs.view,
        "focus": inputs.focus,
        "outcome": inputs.outcome,
        "layers": [
            {"layer": n, "layer_spec": d, "coverage": list(inputs.coverage[n])}
            for n, d in inputs.described.items()
        ],
    }
    if break_year is not None:
        p = inputs.panel
        if unit:
            code = to_iso3(unit)
            if code is None or code not in set(p["unit"]):
                raise BadFilter(
                    f"--unit {unit!r} has no values in the panel", fix="use an ISO3 code"
                )
            p = p[p["unit"] == code]
        series = p.groupby("year")[inputs.outcome].sum(min_count=1).dropna()
        bt = break_test(series, break_year)
        return {
            **base,
            "unit": to_iso3(unit) if unit else "all",
            "series": [{"year": int(y), "value": float(v)} for y, v in series.items()],
            "break": dataclasses.asdict(bt),
            "notes": inputs.notes
            + bt.notes
            + [
                "a break test shows a change in level, not its cause; years outside the "
                "outcome's coverage are left out"
            ],
        }
    if not inputs.predictors:
        raise BadFilter("the panel model needs --predictor", fix="or give --break YEAR")
    shifts = _shifts(lags, "--lags")
    if not shifts:
        raise BadFilter("--lags is empty", fix="e.g. --lags 1,2")
    progress(0, 2)
    fit = fe_poisson(
        inputs.panel, inputs.outcome, {n: shifts for n in inputs.predictors}, transform=transform
    )
    models = [("lags", fit)]
    if placebo:
        progress(1, 2)
        leads = [-s for s in shifts if s > 0]
        if leads:
            models.append(
                (
                    "placebo_leads",
                    fe_poisson(
                        inputs.panel,
                        inputs.outcome,
                        {n: leads for n in inputs.predictors},
                        transform=transform,
                    ),
                )
            )
    progress(2, 2)
    return {
        **base,
        "method": fit.method,
        "transform": transform,
        "models": [
            {
                "model": label,
                "n_obs": f.n_obs,
                "n_used": f.n_used,
                "units": f.n_units,
                "years": list(f.years),
                "terms": [{**dataclasses.asdict(t), "rate_ratio": t.rate_ratio} for t in f.terms],
                "notes": f.notes,
            }
            for label, f in models
        ],
        "notes": inputs.notes
        + [
            "shift > 0: the predictor t years before the outcome (lag); < 0: after it (lead, "
            "the placebo). A lead as strong as the lag points to a common trend, not precedence",
            "association is not causation",
        ],
    }


PANEL_COLUMNS = (
    "model",
    "name",
    "shift",
    "estimate",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "se",
    "p_value",
)


def panel_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``panel``'s main table: the break test (with ``break_year``), else each model's terms."""
    if "break" in data:
        return [data["break"]]
    return [
        {k: row.get(k) for k in PANEL_COLUMNS}
        for m in data["models"]
        for row in ({"model": m["model"], **t} for t in m["terms"])
    ]


# -- simulate policy --------------------------------------------------------------------------------


@dataclass
class SimulateInputs:
    """Yearly networks of the layer with the support layer, over their common years."""

    view: str
    nets: YearlyNetworks
    focus: str
    described: dict[str, str]
    notes: list[str] = field(default_factory=list)


def _continents(codes: list[str]) -> list[str | None]:
    from civnet.countries import _coco

    out = _coco().convert(names=codes, src="ISO3", to="continent", not_found=None)
    values = out if isinstance(out, list) else [out]
    return [str(v) if v else None for v in values]


def _yearly(
    frame: pd.DataFrame, countries: list[str], years: list[int], binary: bool
) -> np.ndarray:
    index = {c: i for i, c in enumerate(countries)}
    kept, _ = placeable(frame)
    kept = kept[kept["origin"].isin(index) & kept["destination"].isin(index)]
    kept = kept.dropna(subset=["start_year"])
    out = np.zeros((len(years), len(countries), len(countries)))
    first, last = years[0], years[-1]
    for row in kept.itertuples(index=False):
        s = max(int(row.start_year), first)
        e = min(int(row.end_year) if not pd.isna(row.end_year) else last, last)
        i, j = index[row.origin], index[row.destination]
        for y in range(s, e + 1):
            out[y - first, i, j] += row.weight
            out[y - first, j, i] += row.weight
    return out > 0 if binary else out


def simulate_inputs(
    ws: Workspace, spec: ViewSpec, layer: str, support_layer: str, focus: str
) -> SimulateInputs:
    """The layer and the support layer as yearly country networks over their common years."""
    code = to_iso3(focus)
    if code is None:
        raise BadFilter(f"unknown country {focus!r}", fix="use an ISO3 code such as CHN")
    focus = code
    lays, sups = split_layers(layer, "layer"), split_layers(support_layer, "support")
    if len(lays) != 1 or len(sups) != 1:
        raise BadFilter("give one --layer and one --support-layer", fix="see docs/inference.md")
    lay, sup = lays[0], sups[0]
    if lay.name == sup.name:
        sup = dataclasses.replace(sup, name=f"{sup.name}_support")
    frames, cover = {}, {}
    for ly in (lay, sup):
        read = read_layer(ws, ly, spec)
        frames[ly.name] = tie_countries(read.network.ties, read.network.actors)
        cov = _coverage(frames[ly.name], "formed", spec, declared_window(ws, read.source_ids))
        if cov is None:
            raise BadFilter(f"layer {ly.name} has no dated tie in the view", fix="check it")
        cover[ly.name] = cov
    lo = max(cover[lay.name][0], cover[sup.name][0])
    hi = min(cover[lay.name][1], cover[sup.name][1])
    if hi - lo < 2:
        raise BadFilter(
            f"the layers share {max(0, hi - lo + 1)} years ({lo}-{hi}); the model needs 3",
            fix="choose layers whose years overlap",
        )
    kept, _ = placeable(frames[lay.name])
    countries = sorted(set(kept["origin"]) | set(kept["destination"]) | {focus})
    years = list(range(lo, hi + 1))
    nets = YearlyNetworks(
        countries=countries,
        years=years,
        tied=_yearly(frames[lay.name], countries, years, binary=True),
        support=_yearly(frames[sup.name], countries, years, binary=False),
        continent=_continents(countries),
    )
    notes = [
        f"{lay.name} covers {cover[lay.name][0]}-{cover[lay.name][1]}, {sup.name} "
        f"{cover[sup.name][0]}-{cover[sup.name][1]}: the model uses their common years {lo}-{hi}",
        f"{lay.name} is read as an undirected network of {len(countries)} countries per year "
        "(a dyad is tied when any tie of the layer is active that year)",
    ]
    return SimulateInputs(
        spec.describe(), nets, focus, {lay.name: lay.describe(), sup.name: sup.describe()}, notes
    )


def simulate_result(
    inputs: SimulateInputs,
    progress: Progress,
    support: float = 1.0,
    years: int = 5,
    runs: int = 100,
    seed: int = 0,
    horizon: int = 3,
) -> dict[str, Any]:
    """``civnet simulate policy``: the fitted model, projections under the policy and under the
    estimated support (multiplier 1), and the back-test against persistence."""
    nets = inputs.nets
    model = fit_formation(nets)
    focus = nets.countries.index(inputs.focus)
    last = len(nets.years) - 1
    total = 2 * runs + 1
    done = [0]

    def step(d: int, t: int) -> None:
        progress(done[0] + d, total)

    projections = {}
    for label, mult in (("baseline", 1.0), ("policy", support)):
        projections[label] = simulate(
            model,
            nets.tied[last],
            nets.support[last],
            nets.continent,
            first_year=nets.years[-1] + 1,
            years=years,
            runs=runs,
            seed=seed,
            focus=focus,
            multiplier=mult,
            progress=step,
        )
        done[0] += runs
    bt = backtest(nets, horizon=horizon, runs=min(runs, 50), seed=seed)
    progress(total, total)
    observed = network_stats(nets.tied[last], focus)
    return {
        "view": inputs.view,
        "focus": inputs.focus,
        "support_multiplier": support,
        "layers": inputs.described,
        "model": {
            "method": "dyad-year logistic model (statsmodels GLM Binomial)",
            "years": list(model.years),
            "dyad_years": model.n_obs,
            "ties": model.n_ties,
            "terms": model.table(),
            "not_estimated": list(model.dropped_terms),
        },
        "observed_last_year": {"year": nets.years[-1], **observed},
        "projection": [
            {"scenario": label, **row}
            for label, proj in projections.items()
            for row in proj.bands()
        ],
        "runs": runs,
        "seed": seed,
        "backtest": dataclasses.asdict(bt),
        "notes": inputs.notes
        + [
            "bands: 5th-95th percentile over the runs; each run draws coefficients from their "
            "estimated normal distribution and ties year by year, so bands carry both uncertainties",
            f"policy: the support effect of {inputs.focus}'s dyads times {support:g}; the support "
            f"layer held at its {nets.years[-1]} level",
            "a scenario, not a forecast: it assumes the fitted process stays stable",
        ],
    }
