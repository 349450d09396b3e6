"""docs/python-api.md runs as written, and its DataFrames equal the CLI's ``--format json``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import civnet
from civnet.cli.generate import option_name
from civnet.products.catalog import MEASURES
from civnet.views import ViewSpec

DOC = Path(__file__).parents[1] / "docs" / "python-api.md"


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def spec_args(spec: ViewSpec) -> list[str]:
    """The CLI filters that select ``spec``."""
    args: list[str] = []
    if spec.date_from:
        args += ["--from", spec.date_from.isoformat()]
    if spec.date_to:
        args += ["--to", spec.date_to.isoformat()]
    for option, values in (
        ("--track", spec.tracks),
        ("--actor-type", spec.actor_types),
        ("--country", spec.countries),
        ("--kind", spec.kinds),
    ):
        for v in values:
            args += [option, v]
    for flag in ("project", "all_actors", "include_timeless"):
        if getattr(spec, flag):
            args.append("--" + flag.replace("_", "-"))
    return [*args, "--level", spec.level]


def param_args(measure: str, params: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for p in MEASURES[measure].params:
        value = params[p.name]
        if value is None or value is False:
            continue
        args += [option_name(p)] if value is True else [option_name(p), str(value)]
    return args


@pytest.mark.slow
def test_walkthrough_runs_and_equals_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    for i, block in enumerate(code_blocks(DOC.read_text(encoding="utf-8"))):
        exec(compile(block, f"{DOC.name} block {i + 1}", "exec"), namespace)

    results = {k: v for k, v in namespace.items() if isinstance(v, civnet.Result)}
    assert {r.measure for r in results.values()} >= {
        "betweenness",
        "density",
        "communities",
        "timeline",
        "scorecard",
        "brokers",
    }
    cli.workspace = tmp_path / "walkthrough.duckdb"
    for name, result in results.items():
        command = MEASURES[result.measure].cli_name
        args = [command, *spec_args(result.spec), *param_args(result.measure, result.params)]
        data = json.loads(cli(*args, "--format", "json").output)
        assert data == result.data, name
        expected = pd.DataFrame.from_records(MEASURES[result.measure].records(data))
        columns = MEASURES[result.measure].columns
        if columns:
            expected = expected[list(columns)]
        pd.testing.assert_frame_equal(result.to_pandas(), expected, obj=name)
        arrow = result.to_arrow()  # dict cells become structs: compare the shape and names
        assert (arrow.num_rows, arrow.column_names) == (len(expected), list(expected.columns))
