"""The result cache: one entry point, keyed by data version, view and parameters; JSON only."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from civnet.importers.tables import import_tables
from civnet.products.catalog import MEASURES
from civnet.products.runner import cache_key, plan, run_measure
from civnet.store import Workspace
from civnet.views import ViewSpec

DATA = Path(__file__).parent / "data" / "products"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the computations of every catalog measure (a cache hit computes nothing)."""
    calls: dict[str, int] = {}
    for name, m in list(MEASURES.items()):

        def compute(*args: Any, _f: Any = m.compute, _n: str = name, **kw: Any) -> Any:
            calls[_n] = calls.get(_n, 0) + 1
            return _f(*args, **kw)

        compute.__signature__ = __import__("inspect").signature(m.compute)  # type: ignore[attr-defined]
        monkeypatch.setitem(MEASURES, name, dataclasses.replace(m, compute=compute))
    return calls


def _workspace(path: Path) -> Path:
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


def _nx_betweenness(path: Path, spec: ViewSpec) -> dict[str, float]:
    from civnet.views import build_network

    with Workspace(path, read_only=True) as ws:
        g = build_network(ws, spec).to_networkx()
    return nx.betweenness_centrality(g, normalized=True)


def test_second_run_is_a_cache_hit_equal_to_networkx(tmp_path: Path, counted: dict) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    spec = ViewSpec.make(tracks=["culture"])
    with Workspace(path) as ws:
        # rank_all: every actor, aggregates (F001, a forum) included, as the NetworkX oracle
        first = run_measure(ws, "betweenness", spec, {"top": 5, "rank_all": True})
        second = run_measure(ws, "betweenness", spec, {"top": 5, "rank_all": True})
        assert counted == {"betweenness": 1}
        assert second == first
        # a different parameter or view is another key
        run_measure(ws, "betweenness", spec, {"top": 4})
        run_measure(ws, "betweenness", ViewSpec.make(tracks=["education"]), {"top": 5})
        assert counted == {"betweenness": 3}
    oracle = _nx_betweenness(path, spec)
    expected = sorted(oracle.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    rows = second["records"]
    assert [r["id"] for r in rows] == [k for k, _ in expected]
    assert [r["betweenness"] for r in rows] == pytest.approx([v for _, v in expected], abs=1e-12)


def test_default_and_explicit_parameters_share_a_key(tmp_path: Path) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path, read_only=True) as ws:
        a = plan(ws, "ei", ViewSpec.make(), {})
        b = plan(ws, "ei", ViewSpec.make(), {"permutations": 1000, "seed": 0, "top": None})
        c = plan(ws, "ei", ViewSpec.make(), {"seed": 1})
    assert a.key == b.key != c.key


def test_an_import_invalidates(tmp_path: Path, counted: dict) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    spec = ViewSpec.make()
    with Workspace(path) as ws:
        v0 = ws.data_version()
        before = run_measure(ws, "describe", spec)
        extra = tmp_path / "more.csv"
        extra.write_text("source,target,track,kind\nA000,A001,culture,exchange\n")
        import_tables(ws, ties=extra)
        assert ws.data_version() == v0 + 1
        assert ws.con.execute("SELECT count(*) FROM result_cache").fetchone() == (0,)
        after = run_measure(ws, "describe", spec)
    assert counted == {"describe": 2}
    assert after["ties"] == before["ties"] + 1


def test_a_skipped_reimport_keeps_the_cache(tmp_path: Path, counted: dict) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path) as ws:
        v0 = ws.data_version()
        run_measure(ws, "describe", ViewSpec.make())
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")  # same files
        assert ws.data_version() == v0
        run_measure(ws, "describe", ViewSpec.make())
    assert counted == {"describe": 1}


def test_cache_holds_json_text_and_a_damaged_entry_is_a_miss(tmp_path: Path, counted: dict) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    spec = ViewSpec.make()
    with Workspace(path) as ws:
        result = run_measure(ws, "density", spec)
        key = plan(ws, "density", spec, {}).key
        (text,) = ws.con.execute("SELECT result FROM result_cache WHERE key = ?", [key]).fetchone()
        assert json.loads(text) == result
        # a stranger's workspace: a pickle or garbage in the cache is never loaded, only missed
        ws.con.execute(
            "UPDATE result_cache SET result = ? WHERE key = ?",
            ["cos\nsystem\n(S'echo pwned'\ntR.", key],
        )
        assert run_measure(ws, "density", spec) == result
    assert counted == {"density": 2}


def test_read_only_workspace_is_reopened_to_keep_a_result(tmp_path: Path, counted: dict) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path, read_only=True) as ws:
        run_measure(ws, "holes", ViewSpec.make(), {"top": 3})
        assert ws.read_only  # and still usable, read-only
        assert ws.counts()["ties"] == 118
    with Workspace(path, read_only=True) as ws:
        run_measure(ws, "holes", ViewSpec.make(), {"top": 3})
    assert counted == {"holes": 1}


def test_nothing_kept_while_another_connection_holds_the_file(
    tmp_path: Path, counted: dict
) -> None:
    path = _workspace(tmp_path / "ws.duckdb")
    with Workspace(path, read_only=True) as holder, Workspace(path, read_only=True) as ws:
        assert run_measure(ws, "mixing", ViewSpec.make()) == run_measure(
            holder, "mixing", ViewSpec.make(), keep=False
        )
    assert counted == {"mixing": 2}


def test_key_covers_versions(tmp_path: Path) -> None:
    spec = ViewSpec.make()
    assert cache_key("describe", spec, {}, 1) != cache_key("describe", spec, {}, 2)
    assert cache_key("describe", spec, {}, 1) == cache_key("describe", ViewSpec.make(), {}, 1)
    assert cache_key("describe", spec, {}, 1) != cache_key("density", spec, {}, 1)


def test_cli_second_betweenness_is_served_from_the_cache(tmp_path: Path, counted: dict) -> None:
    from typer.testing import CliRunner

    from civnet.cli import app

    path = _workspace(tmp_path / "ws.duckdb")
    args = ["--workspace", str(path), "betweenness", "--top", "3", "--format", "json"]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == second.exit_code == 0, first.output
    assert counted == {"betweenness": 1}
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert len(json.loads(first.stdout)["records"]) == 3


def test_key_covers_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit of civnet's code (not only a new release) changes every key: no stale result
    survives a change of a measure during development."""
    from civnet import __version__
    from civnet.products import runner

    spec = ViewSpec.make()
    now = runner.code_version()
    assert now.startswith(__version__ + "+") and now == runner.code_version()
    before = cache_key("describe", spec, {}, 1)
    monkeypatch.setattr(runner, "code_version", lambda: __version__ + "+edited")
    assert cache_key("describe", spec, {}, 1) != before
