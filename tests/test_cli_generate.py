"""How the generator turns catalog parameters into options and a two-word command into a
sub-command of a group (the parity of every measure's options is tests/test_catalog_faces.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer.main

import civnet
from civnet.cli import app
from civnet.cli.generate import FROM_CATALOG, generate_commands
from civnet.products.catalog import MEASURES, Measure, Param
from tests.conftest import Cli


def _echo(
    inputs: Any, progress: Any, layer: Any, on: Any, maybe: Any, focal: Any
) -> dict[str, Any]:
    return {"got": {"layer": layer, "on": on, "maybe": maybe, "focal": focal}}


def test_a_two_word_command_is_generated_in_a_new_group(tmp_path: Path) -> None:
    """``zz-group echo`` lands in a group made for it; list, on-by-default and unset flags."""
    params = (
        Param("layer", list[str], None, "repeatable", max_length=50),
        Param("on", bool, True, "on unless --no-on"),
        Param("maybe", bool, None, "left to the measure unless given"),
        Param("focal", str, None, "takes the view filter's flag", flag="--country"),
    )
    MEASURES["zz_echo"] = Measure(
        "zz_echo", "Echo.", params, _echo, prepare=lambda ws, spec: None, command="zz-group echo"
    )
    try:
        generate_commands()
        group = typer.main.get_command(app).commands["zz-group"]  # type: ignore[attr-defined]
        command = group.commands["echo"]
        opts = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        assert {"--layer", "--on", "--no-on", "--maybe", "--no-maybe", "--country"} <= opts
        assert "--track" in opts  # the other view filters stay
        civnet.open(tmp_path / "ws.duckdb")  # an empty workspace
        cli = Cli(tmp_path / "ws.duckdb")
        args = ["zz-group", "echo", "-f", "json"]
        got = json.loads(cli(*args).stdout)["got"]
        assert got == {"layer": None, "on": True, "maybe": None, "focal": None}
        given = ["--layer", "a", "--layer", "b", "--no-on", "--no-maybe", "--country", "FRA"]
        got = json.loads(cli(*args, *given).stdout)["got"]
        assert got == {"layer": ["a", "b"], "on": False, "maybe": False, "focal": "FRA"}
        bad = cli(*args, "--layer", "x" * 51, code=2)
        assert "zz_echo layer must be at most 50 characters" in bad.output
    finally:
        del MEASURES["zz_echo"]
        FROM_CATALOG.discard("zz_echo")
        app.registered_groups[:] = [g for g in app.registered_groups if g.name != "zz-group"]
