"""The seeded random network the benchmarks share (imported by the scripts beside it)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def seeded_tables(
    n: int, m: int, *, countries: int = 50, seed: int = 42
) -> tuple[pa.Table, pa.Table]:
    """Actor and tie tables: n actors spread over ``countries`` countries and m distinct
    undirected ties (no self-loops), drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    ids = [f"a{i:06d}" for i in range(n)]
    country = [f"C{c:02d}" for c in rng.integers(0, countries, n)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        u = rng.integers(0, n, m)
        v = rng.integers(0, n, m)
        for a, b in zip(u.tolist(), v.tolist(), strict=True):
            if a != b:
                pairs.add((min(a, b), max(a, b)))
            if len(pairs) == m:
                break
    edges = sorted(pairs)
    actors = pa.table({"id": ids, "name": ids, "type": ["cso"] * n, "country": country})
    ties = pa.table(
        {
            "source": [ids[a] for a, _ in edges],
            "target": [ids[b] for _, b in edges],
            "weight": [1.0] * m,
            "directed": [False] * m,
            "track": ["general"] * m,
            "kind": ["other"] * m,
        }
    )
    return actors, ties
