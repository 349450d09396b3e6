"""Dyadic layers as matrices and tables: the data that QAP, gravity and panel models read.

A *layer* is a set of ties (one track, kind or source; :mod:`civnet.views.layers` selects it). Its
ties are counted between the *countries* of their two ends:

- a directed tie from an actor of ``i`` to an actor of ``j`` adds to cell ``(i, j)``;
- an undirected tie adds to ``(i, j)`` and to ``(j, i)``: the layer's matrix is then symmetric;
- a tie within one country, or with an actor of unknown country, is left out (and counted).

``value="weight"`` sums tie weights (students, visits), ``value="count"`` counts ties. Pure
functions: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from civnet.errors import BadFilter

VALUES = ("weight", "count")
EVENTS = ("active", "formed", "ended")


@dataclass(frozen=True)
class DyadCounts:
    """How the ties of a layer were placed on country dyads."""

    ties: int
    placed: int
    domestic: int
    unknown_country: int


def tie_countries(ties: pa.Table, actors: pa.Table) -> pd.DataFrame:
    """One row per tie: ``origin``, ``destination`` (countries), ``directed``, ``weight`` and
    ``start_year``/``end_year`` (``None`` when undated/open)."""
    country = dict(
        zip(actors.column("id").to_pylist(), actors.column("country").to_pylist(), strict=True)
    )
    frame = pd.DataFrame(
        {
            "origin": [country.get(s) for s in ties.column("source").to_pylist()],
            "destination": [country.get(t) for t in ties.column("target").to_pylist()],
            "directed": ties.column("directed").to_pylist(),
            "weight": ties.column("weight").to_numpy(zero_copy_only=False).astype(float),
        }
    )
    for col, out in (("start_date", "start_year"), ("end_date", "end_year")):
        values = ties.column(col).to_pylist() if col in ties.column_names else [None] * len(frame)
        frame[out] = pd.array([v.year if v is not None else None for v in values], dtype="Int64")
    return frame


def placeable(frame: pd.DataFrame) -> tuple[pd.DataFrame, DyadCounts]:
    """Ties between two different known countries, and the counts of those left out."""
    unknown = frame["origin"].isna() | frame["destination"].isna()
    domestic = ~unknown & (frame["origin"] == frame["destination"])
    keep = frame[~unknown & ~domestic]
    return keep, DyadCounts(
        ties=len(frame),
        placed=len(keep),
        domestic=int(domestic.sum()),
        unknown_country=int(unknown.sum()),
    )


def dyad_matrix(frame: pd.DataFrame, countries: list[str], *, value: str = "weight") -> np.ndarray:
    """The layer as a ``len(countries)`` square matrix (module docstring for the rules).

    >>> f = pd.DataFrame({"origin": ["A", "B", "A"], "destination": ["B", "C", "A"],
    ...                   "directed": [True, False, False], "weight": [2.0, 5.0, 1.0]})
    >>> dyad_matrix(f, ["A", "B", "C"]).tolist()
    [[0.0, 2.0, 0.0], [0.0, 0.0, 5.0], [0.0, 5.0, 0.0]]
    >>> dyad_matrix(f, ["A", "B", "C"], value="count").tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if value not in VALUES:
        raise BadFilter(f"unknown layer value {value!r}", fix=f"use one of: {', '.join(VALUES)}")
    index = {c: i for i, c in enumerate(countries)}
    n = len(countries)
    out = np.zeros((n, n))
    kept, _ = placeable(frame)
    kept = kept[kept["origin"].isin(index) & kept["destination"].isin(index)]
    if kept.empty:
        return out
    i = kept["origin"].map(index).to_numpy(dtype=np.int64)
    j = kept["destination"].map(index).to_numpy(dtype=np.int64)
    v = kept["weight"].to_numpy(dtype=float) if value == "weight" else np.ones(len(kept))
    np.add.at(out, (i, j), v)
    back = ~kept["directed"].to_numpy(dtype=bool)
    np.add.at(out, (j[back], i[back]), v[back])
    return out


def centroids(actors: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each country's centroid from its actors' coordinates (mean of unit vectors on the sphere,
    so a country spanning the antimeridian is not put at longitude 0).

    >>> c = centroids(pd.DataFrame({"country": ["FJI", "FJI"], "lat": [-17.0, -17.0],
    ...                             "lon": [179.0, -179.0]}))
    >>> round(abs(c["FJI"][1]), 6), round(c["FJI"][0], 1)
    (180.0, -17.0)
    """
    ok = actors.dropna(subset=["country", "lat", "lon"])
    lat = np.radians(ok["lat"].to_numpy(dtype=float))
    lon = np.radians(ok["lon"].to_numpy(dtype=float))
    xyz = pd.DataFrame(
        {
            "country": ok["country"].to_numpy(),
            "x": np.cos(lat) * np.cos(lon),
            "y": np.cos(lat) * np.sin(lon),
            "z": np.sin(lat),
        }
    )
    out: dict[str, tuple[float, float]] = {}
    for c, g in xyz.groupby("country"):
        x, y, z = g["x"].mean(), g["y"].mean(), g["z"].mean()
        out[str(c)] = (
            math.degrees(math.atan2(z, math.hypot(x, y))),
            math.degrees(math.atan2(y, x)),
        )
    return out


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in km between two (lat, lon) points (Earth radius 6371.0088 km).

    >>> round(great_circle_km((0.0, 0.0), (0.0, 180.0)))
    20015
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
