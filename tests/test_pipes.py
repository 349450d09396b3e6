"""Output to a pipe or a file is never wrapped or cut, whatever the terminal width or the path;
``--top`` is honoured by every output format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from civnet.cli.generate import FROM_CATALOG
from civnet.products.catalog import MEASURES

DATA = Path(__file__).parent / "data" / "products"


def civnet_piped(*args: str, cwd: Path) -> str:
    """Run ``civnet ARGS`` in a subprocess with stdout a pipe and a 40-column terminal setting."""
    env = {**os.environ, "COLUMNS": "40", "LINES": "10"}
    res = subprocess.run(
        [sys.executable, "-m", "civnet", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_nothing_wraps_in_a_long_path_with_columns_40(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name-for-a-checkout"] * 6)
    deep.mkdir(parents=True)
    ws = deep / "workspace-with-a-long-name.duckdb"
    assert len(str(ws)) > 250
    first = ["--workspace", str(ws), "import", "table"]
    files = ["--actors", str(DATA / "actors.csv"), "--ties", str(DATA / "ties.csv")]
    civnet_piped(*first, *files, cwd=tmp_path)
    again = civnet_piped(*first, *files, cwd=tmp_path)
    lines = again.splitlines()
    assert any(line.endswith("already in the workspace; nothing added") for line in lines), again

    listed = civnet_piped("datasets", cwd=tmp_path)
    from civnet.datasets import all_datasets

    for ds in all_datasets():
        assert any(line.split("│")[1].strip() == ds.name for line in listed.splitlines()[3:-1])
        assert ds.title in listed
    assert "…" not in listed

    table = civnet_piped("--workspace", str(ws), "holes", "--top", "50", cwd=tmp_path)
    assert "…" not in table
    widths = {len(line) for line in table.splitlines()[1:]}
    assert len(widths) == 1 and widths.pop() > 40, "table rows are cut or wrapped"
    title = table.splitlines()[0]
    assert title.startswith("structural holes (") and title.rstrip().endswith("first)")


def _records(measure: str, out: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out)))
    return MEASURES[measure].records(json.loads(out))


FAST = {"boot": "3", "permutations": "3"}


@pytest.mark.parametrize(
    "measure",
    sorted(
        m.name
        for m in MEASURES.values()
        if any(p.name == "top" for p in m.params) and m.name in FROM_CATALOG
    ),
)
def test_top_is_honoured_by_csv_and_json(cli: Any, measure: str) -> None:
    """``--top K`` gives the same rows in CSV as in JSON, and fewer than without it."""
    m = MEASURES[measure]
    cli("import", "table", "--actors", str(DATA / "actors.csv"), "--ties", str(DATA / "ties.csv"))
    args = [m.cli_name]
    for p in m.params:
        if p.name in FAST:
            args += [f"--{p.name}", FAST[p.name]]
    if measure == "density":
        args += ["--by", "country"]
    if measure == "whatif":  # a scenario to compare (--top: the brokers listed before and after)
        args += ["--remove-actor", "A000"]
    every = _records(measure, cli(*args, "-f", "json").output, "json")
    top_json = _records(measure, cli(*args, "--top", "2", "-f", "json").output, "json")
    top_csv = _records(measure, cli(*args, "--top", "2", "-f", "csv").output, "csv")
    assert len(top_csv) == len(top_json) < len(every)
    first = next(iter(top_csv[0]))
    assert [r[first] for r in top_csv] == [str(r[first]) for r in top_json]


def test_help_to_a_pipe_is_plain_text_with_no_line_broken(tmp_path: Path) -> None:
    """``--help`` to a pipe is click's plain text: no rich box, no markup escape, each option's
    help on its own unbroken line (with COLUMNS=40 it used to be boxed and cut at 80)."""
    out = civnet_piped("betweenness", "--help", cwd=tmp_path)
    assert not set("╭│╰─") & set(out), out
    assert "\\[" not in out
    lines = out.splitlines()
    budget = (
        "Exact even past the time budget (which otherwise switches to approx 0.01 and says so)."
    )
    assert any(line.strip().startswith("--exact") and line.endswith(budget) for line in lines), out
    assert any(line.endswith("[at most 256 characters].") for line in lines), out
    top = civnet_piped("--help", cwd=tmp_path)
    assert any(
        line.split()[:1] == ["betweenness"] and line.endswith("(boot).")
        for line in top.splitlines()
    )


def test_help_on_a_terminal_is_drawn_by_rich(tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) the help keeps rich's panels and escapes brackets."""
    import pty

    main, sub = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "LINES": "50"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "civnet", "betweenness", "--help"],
        cwd=tmp_path,
        env=env,
        stdout=sub,
        stderr=subprocess.DEVNULL,
    )
    os.close(sub)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    assert proc.wait(timeout=120) == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "╭" in text and "Options" in text, text
    assert "[at most 256" in text and "\\[" not in text
