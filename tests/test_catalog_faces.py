"""One catalog, three faces: every parameter of every measure reaches its computation with the
catalog's default and bounds through the CLI, the JSON API (and its OpenAPI) and Python.

Each measure's computation is replaced by a spy that returns the parameters it received, so
the test sees exactly what the computation would get, whatever face the call came through.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from fastapi.testclient import TestClient

import civnet
from civnet.cli import app
from civnet.cli.generate import option_help, option_name
from civnet.products.catalog import MEASURES, Measure, Param

CASES = [(m.name, p.name) for m in MEASURES.values() for p in m.params]
CLI_CASES = CASES
"""Every measure's command takes its options from the catalog (none is written by hand)."""
REQUIRED = {
    m.name: {p.name: "2016:2019" if p.type is str else 1 for p in m.params if p.required}
    for m in MEASURES.values()
}
"""A value for each required parameter (the spies compute nothing from it)."""


def _spy(measure: Measure) -> Measure:
    """``measure`` whose computation returns ``{"got": <the parameters it received>}``."""
    kind = inspect.Parameter.KEYWORD_ONLY

    def compute(inputs: Any, progress: Any, **got: Any) -> dict[str, Any]:
        return {"got": {k: str(v) if isinstance(v, Path) else v for k, v in got.items()}}

    compute.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("inputs", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("progress", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *(inspect.Parameter(p.name, kind, default=None) for p in measure.params),
        ]
    )
    return dataclasses.replace(
        measure,
        compute=compute,
        prepare=lambda ws, spec: None,
        shape=None,
        rows=None,
        notes=None,
    )


@pytest.fixture(scope="module")
def spied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every catalog computation replaced by its spy, and one empty workspace (its path)."""
    original = dict(MEASURES)
    MEASURES.update({name: _spy(m) for name, m in original.items()})
    path = tmp_path_factory.mktemp("faces") / "faces.duckdb"
    civnet.open(path)
    try:
        yield path
    finally:
        MEASURES.update(original)


@pytest.fixture(scope="module")
def client(spied: Path) -> TestClient:
    from civnet.products.serving.server import create_app

    return TestClient(create_app(spied))


def given_value(p: Param, tmp_path: Path) -> Any:
    """A value within ``p``'s bounds that differs from its default."""
    if p.type is bool:
        return True
    if typing.get_origin(p.type) is list:
        return ["a", "b"]
    if p.choices:
        return next(c for c in p.choices if c != p.default)
    if p.type is int:
        v = int(p.ge if p.ge is not None else 1)
        return v + 1 if v == p.default else v
    if p.type is float:
        return p.le / 2 if p.le is not None else 2.5
    if p.type is Path:
        path = tmp_path / "weights.toml"
        path.write_text("")
        return path
    return "type" if p.name == "by" else "2016:2019"


def out_of_bounds(p: Param) -> Any:
    """A value outside ``p``'s declared bounds."""
    if p.choices:
        return "nope"
    if p.type in (int, float):
        return p.le + 1 if p.le is not None else p.gt
    if typing.get_origin(p.type) is list:
        return ["x" * (p.max_length + 1)]
    return "x" * (p.max_length + 1)


def expected(measure: Measure, **given: Any) -> dict[str, Any]:
    out = {p.name: p.default for p in measure.params}
    out.update(REQUIRED.get(measure.name, {}))
    out.update(given)
    return {k: str(v) if isinstance(v, Path) else v for k, v in out.items()}


def _got(params: dict[str, Any]) -> dict[str, Any]:
    """What a face returns from a spy given ``params``: them, and the view's notes (none)."""
    return {"got": params, "notes": []}


def test_every_parameter_is_used_by_its_computation() -> None:
    """No parameter is declared and then ignored: ``prepare`` or ``compute`` names each one."""
    unused = [
        (m.name, p.name)
        for m in MEASURES.values()
        for p in m.params
        if p.name not in inspect.signature(m.compute).parameters
        and (m.prepare is None or p.name not in inspect.signature(m.prepare).parameters)
    ]
    assert unused == []


# -- the CLI ----------------------------------------------------------------------------------


def _cli_options(name: str) -> dict[str, Any]:
    command = typer.main.get_command(app)
    for word in MEASURES[name].cli_name.split():  # a group's sub-command: "associate qap"
        command = command.commands[word]  # type: ignore[attr-defined]
    return {opt: o for o in command.params for opt in o.opts}


def test_every_measure_has_its_cli_options_from_the_catalog() -> None:
    from civnet.cli.generate import FROM_CATALOG, HAND_WRITTEN

    assert set(MEASURES) - FROM_CATALOG == set()
    # toolkit (issue 15 item 3) and betweenness (issue 12's options) are generated, not hand-written
    toolkit = {"degree", "closeness", "eigenvector", "pagerank", "kcore", "ego_density"}
    assert not (toolkit | {"betweenness"}) & HAND_WRITTEN


@pytest.mark.parametrize(("measure", "param"), CLI_CASES)
def test_cli_option_declares_the_catalog_default_and_bounds(measure: str, param: str) -> None:
    p = MEASURES[measure].param(param)
    opt = _cli_options(measure)[option_name(p)]
    assert opt.default == p.default
    assert opt.help == option_help(p)
    assert p.describe_bounds() in opt.help


def _cli_args(measure: Measure, p: Param | None, value: Any) -> list[str]:
    required = REQUIRED.get(measure.name, {}).items()
    args = [a for k, v in required for a in (option_name(measure.param(k)), str(v))]
    if p is not None and p.type is bool:
        args += [option_name(p)]
    elif p is not None:
        values = value if isinstance(value, list) else [value]
        args += [a for v in values for a in (option_name(p), str(v))]
    return [*measure.cli_name.split(), "--format", "json", *args]


@pytest.mark.parametrize("measure", sorted({m for m, _ in CLI_CASES}))
def test_cli_passes_defaults_values_and_refuses_bounds(
    spied: Path, tmp_path: Path, measure: str
) -> None:
    from tests.conftest import Cli

    cli = Cli(spied)
    m = MEASURES[measure]
    assert json.loads(cli(*_cli_args(m, None, None)).output) == _got(expected(m))
    for p in m.params:
        value = given_value(p, tmp_path)
        got = json.loads(cli(*_cli_args(m, p, value)).output)
        assert got == _got(expected(m, **{p.name: value})), p.name
        if p.type is not bool:
            res = cli(*_cli_args(m, p, out_of_bounds(p)), code=2)
            assert f"{measure} {p.name} must be" in res.output, p.name
            assert len(res.output.strip().splitlines()) == 1, p.name


# -- the JSON API -----------------------------------------------------------------------------


@pytest.mark.parametrize("measure", sorted(MEASURES))
def test_api_passes_defaults_values_refuses_and_declares_bounds(
    client: TestClient, tmp_path: Path, measure: str
) -> None:
    m = MEASURES[measure]
    required = REQUIRED.get(measure, {})
    assert client.get(f"/api/{measure}", params=required).json() == _got(expected(m))
    for p in m.params:
        if not p.api:
            continue
        value = given_value(p, tmp_path)
        query = {**required, p.name: str(value).lower() if p.type is bool else value}
        got = client.get(f"/api/{measure}", params=query).json()
        assert got == _got(expected(m, **{p.name: value})), p.name
        if p.type is not bool:
            bad = client.get(f"/api/{measure}", params={**required, p.name: out_of_bounds(p)})
            assert bad.status_code == 422, (p.name, bad.text)
            assert p.name in bad.text

    operation = client.get("/openapi.json").json()["paths"][f"/api/{measure}"]["get"]
    for p in m.params:
        if not p.api:
            continue
        schema = _schema(operation["parameters"], p.name)
        if not p.required:
            assert schema.get("default") == p.default, p.name
        declared = {
            "minimum": p.ge,
            "maximum": p.le,
            "exclusiveMinimum": p.gt,
            "enum": list(p.choices) if p.choices else None,
            "maxLength": p.max_length if typing.get_origin(p.type) is not list else None,
        }
        wanted = {k: v for k, v in declared.items() if v is not None}
        assert {k: schema.get(k) for k in wanted} == wanted, p.name


def _schema(params: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The query parameter ``name``'s schema, its ``anyOf`` (``X | None``) merged in."""
    (entry,) = [q for q in params if q["name"] == name and q["in"] == "query"]
    schema = dict(entry["schema"])
    for alt in schema.pop("anyOf", []):
        if alt.get("type") != "null":
            schema.update(alt)
    return schema


# -- Python -----------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", sorted(MEASURES))
def test_python_method_passes_defaults_values_and_refuses_bounds(
    spied: Path, tmp_path: Path, measure: str
) -> None:
    m = MEASURES[measure]
    view = civnet.open(spied).view()
    method = getattr(view, measure)
    required = REQUIRED.get(measure, {})
    assert method(**required).data == _got(expected(m))
    for p in m.params:
        sig = inspect.signature(method).parameters[p.name]
        assert sig.default == (inspect.Parameter.empty if p.required else p.default), p.name
        assert p.describe_bounds() in (method.__doc__ or ""), p.name
        value = given_value(p, tmp_path)
        got = method(**{**required, p.name: value}).data
        assert got == _got(expected(m, **{p.name: value})), p.name
        if p.type is not bool:
            with pytest.raises(civnet.UserError, match=f"{measure} {p.name} must be"):
                method(**{**required, p.name: out_of_bounds(p)})
