"""An OpenAPI-driven fuzz of ``civnet serve`` (schemathesis): no request gives a 5xx, and the
workspace file is never changed.

Schemathesis generates requests from the server's own OpenAPI document, valid ones (within the
declared bounds) and invalid ones (outside them, wrong types), for every operation. Bounded for
the suite: 60 derandomized requests per mode spread over the operations on a 49-actor workspace, and a cap on the
draw counts the fuzz may ask for (``boot``, ``permutations``, ``samples``): those are declared up
to 100,000, which is valid but takes minutes; their bound itself is checked in
tests/test_server_hostile.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from civnet.importers.tables import import_tables
from civnet.products.serving.server import create_app
from civnet.store import Workspace

DATA = Path(__file__).parent / "data" / "products"
DRAWS_IN_FUZZ = 50
"""Largest boot/permutations/samples value sent by the fuzz (see the module doc)."""
_DRAWS = ("boot", "permutations", "samples", "window")
EXAMPLES = 60
"""Requests per generation mode (valid and invalid), spread over the operations."""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def fuzz_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


@pytest.fixture(scope="module")
def fuzz_digest(fuzz_workspace: Path) -> str:
    return _digest(fuzz_workspace)


@pytest.fixture(scope="module")
def operations(fuzz_workspace: Path) -> list:  # type: ignore[type-arg]
    app = create_app(fuzz_workspace, workers=2)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [r.ok() for r in schema.get_all_operations()]


def test_the_fuzz_covers_every_operation(operations: list) -> None:  # type: ignore[type-arg]
    labels = {op.label for op in operations}
    assert {"GET /api/communities", "GET /api/graph", "POST /api/jobs/betweenness"} <= labels
    assert "GET /api/export" in labels and "DELETE /api/jobs/{job_id}" in labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gives_a_server_error(
    operations: list,  # type: ignore[type-arg]
    fuzz_workspace: Path,
    fuzz_digest: str,
    mode: GenerationMode,
) -> None:
    seen: set[str] = set()

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(data: st.DataObject) -> None:
        op = data.draw(st.sampled_from(operations), label="operation")
        case = data.draw(op.as_strategy(generation_mode=mode), label="case")
        query = case.query if isinstance(case.query, dict) else {}
        for name in _DRAWS:
            value = query.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and value > DRAWS_IN_FUZZ:
                query[name] = DRAWS_IN_FUZZ
        response = case.call()
        seen.add(op.label)
        assert response.status_code < 500, (op.label, query, response.text[:300])

    fuzz()
    assert len(seen) >= 10  # the draws spread over the operations (not all have invalid forms)
    assert _digest(fuzz_workspace) == fuzz_digest
