"""Shared fixtures: a fresh workspace, the CLI runner, and paths to test data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from civnet.store import Workspace

DATA = Path(__file__).parent / "data"


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A new workspace file in a temp folder."""
    w = Workspace(tmp_path / "ws.duckdb")
    yield w
    w.close()


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.duckdb"


class Cli:
    """Run civnet commands against one workspace; ``run`` asserts the exit code."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
        from civnet.cli import app

        result = self.runner.invoke(app, ["--workspace", str(self.workspace), *args])
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result


@pytest.fixture
def cli(ws_path: Path) -> Cli:
    return Cli(ws_path)


# Property tests: CI runs a fixed set of examples (derandomized) with no deadline, so that a run
# is reproducible and a slow shared machine does not fail it; locally hypothesis explores freely.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    settings.load_profile("ci")
