"""One entry point for computing a catalog measure: :func:`run_measure`, with its result cache.

The CLI, the server and the Python API compute a measure through :func:`run_measure` (or, where
the computation must run elsewhere than the workspace is read, through :func:`plan` and
:func:`compute`, its two halves). A result is looked up first in the workspace's result cache
(:mod:`civnet.store.cache`), under a key that digests

- the measure's name and *all* its parameters (defaults filled in, so ``top`` left out and
  ``top=None`` are one key; a parameter naming a file contributes the file's SHA-256),
- the view (every field of the :class:`~civnet.views.ViewSpec`),
- the workspace's data version, which every ingest raises (an ingest also empties the cache),
- civnet's code: its version and a digest of its Python sources (:func:`code_version`), so a
  new release, and any edit of civnet's code during development, recomputes.

Results are JSON, stored as JSON text, never pickled; records held by column (``civnet
betweenness`` ranks every actor: :class:`~civnet.store.columnar.ColumnarRecords`) are kept beside
the text as one Arrow table (:func:`keep_result`). Every catalog measure is deterministic
given its parameters (random procedures take a seed), so a cached result is the result.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civnet import __version__
from civnet.errors import BadFilter
from civnet.products.catalog import MEASURES, Measure
from civnet.store.columnar import columnar_part
from civnet.store.workspace import Workspace
from civnet.views import ViewSpec

Progress = Callable[[int, int], None]


def _canonical(value: Any) -> Any:
    if isinstance(value, Path):
        try:
            digest = hashlib.sha256(value.read_bytes()).hexdigest()
        except OSError:
            digest = None
        return {"path": str(value), "sha256": digest}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@functools.cache
def code_version() -> str:
    """civnet's version and the SHA-256 (first 16 hex digits) of its Python sources.

    Read once per process (about 200 small files); the same code gives the same digest in any
    checkout or installation directory, since only the relative paths and contents count.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def view_key(spec: ViewSpec) -> dict[str, Any]:
    """The view's fields as a JSON-ready mapping (what selects the data)."""
    return {
        f.name: _canonical(getattr(spec, f.name))
        for f in dataclasses.fields(spec)
        if f.compare  # ``extra`` is not part of a view's identity
    }


def cache_key(name: str, spec: ViewSpec, params: dict[str, Any], data_version: int) -> str:
    """SHA-256 of the measure, its resolved parameters, the view, the data and code versions."""
    doc = {
        "measure": name,
        "params": _canonical(dict(sorted(params.items()))),
        "view": view_key(spec),
        "data_version": data_version,
        "civnet": code_version(),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Planned:
    """A validated request for a measure: its entry, parameters (resolved) and cache key."""

    measure: Measure
    spec: ViewSpec
    params: dict[str, Any]
    data_version: int
    key: str

    @property
    def name(self) -> str:
        return self.measure.name


def measure_named(name: str) -> Measure:
    """The catalog entry ``name``; a one-line error naming the measures when unknown."""
    try:
        return MEASURES[name]
    except KeyError:
        raise BadFilter(
            f"no measure {name!r}", fix="use one of: " + ", ".join(sorted(MEASURES))
        ) from None


def plan(ws: Workspace, name: str, spec: ViewSpec, params: dict[str, Any]) -> Planned:
    """Validate ``params`` for measure ``name`` and compute the cache key (reads the version)."""
    return plan_at(ws.data_version(), name, spec, params)


def plan_at(version: int, name: str, spec: ViewSpec, params: dict[str, Any]) -> Planned:
    """:func:`plan` for a data version already known (no workspace access)."""
    measure = measure_named(name)
    resolved = measure.resolve(params)
    return Planned(measure, spec, resolved, version, cache_key(name, spec, resolved, version))


def compute(ws: Workspace, planned: Planned, progress: Progress | None = None) -> Any:
    """Read the inputs from ``ws`` and compute the JSON-ready result (no cache)."""
    m = planned.measure
    inputs = m.inputs(ws, planned.spec, **planned.params)
    return m.run(inputs, progress, **planned.params)


def to_text(result: Any) -> str:
    """The JSON text a result is cached as (strict JSON: no NaN or Infinity)."""
    return json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def run_measure(
    ws: Workspace,
    name: str,
    spec: ViewSpec,
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
    *,
    cache: bool = True,
    keep: bool = True,
) -> Any:
    """The JSON-ready result of catalog measure ``name`` on the view ``spec`` of ``ws``.

    Exactly what ``civnet <name> --format json`` prints and ``GET /api/<name>`` returns.
    ``params`` are the measure's own (``None`` or missing: the default); unknown or missing
    required ones are a one-line :class:`~civnet.errors.BadFilter`. ``progress(done, total)`` is
    called while computing (not on a cache hit). With ``cache`` the workspace's result cache is
    read first; with ``keep`` a computed result is stored there (a read-only workspace is
    reopened briefly for that; if the file cannot be written now, nothing is kept, silently).
    """
    planned = plan(ws, name, spec, params or {})
    if cache:
        hit = ws.cached_result(planned.key)
        if hit is not None:
            return hit
    result = compute(ws, planned, progress)
    if cache and keep:
        keep_result(ws, planned, result)
    return result


def keep_result(ws: Workspace, planned: Planned, result: Any) -> None:
    """Keep ``result`` in ``ws``'s result cache under ``planned``'s key (a result that is not
    plain JSON is not kept: it is computed again next time). Records held by column (the
    result, or one value of a dict result) are kept as an Arrow table beside the rest's JSON,
    which holds ``null`` in their place."""
    part = columnar_part(result)
    records, at = (None, "") if part is None else (part[1], part[0] or "")
    try:
        if part is None:
            text = to_text(result)
        else:
            text = to_text(None if part[0] is None else {**result, at: None})
        ws.keep_result(
            planned.key, planned.name, planned.data_version, code_version(), text, records, at
        )
    except (TypeError, ValueError):
        return
