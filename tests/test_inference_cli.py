"""associate and panel end to end: a crafted workspace, the CLI's JSON, the API, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats

from civnet.importers.tables import import_tables
from civnet.products.serving.server import create_app
from civnet.store import Workspace
from tests.conftest import Cli

COUNTRIES = {
    "CHN": (35, 105),
    "DEU": (51, 10),
    "FRA": (46, 2),
    "USA": (38, -97),
    "BRA": (-10, -55),
    "KEN": (0, 38),
    "JPN": (36, 138),
}
SISTER = [
    ("CHN", "DEU"),
    ("CHN", "FRA"),
    ("CHN", "FRA"),
    ("DEU", "FRA"),
    ("USA", "JPN"),
    ("USA", "DEU"),
    ("BRA", "KEN"),
    ("CHN", "JPN"),
    ("CHN", "KEN"),
    ("FRA", "JPN"),
]
STUDENTS = [
    ("CHN", "USA", 40, 2002),
    ("CHN", "DEU", 12, 2003),
    ("CHN", "FRA", 9, 2004),
    ("DEU", "FRA", 7, 2002),
    ("JPN", "USA", 15, 2003),
    ("KEN", "CHN", 3, 2004),
    ("BRA", "USA", 4, 2005),
    ("CHN", "JPN", 6, 2005),
    ("FRA", "DEU", 5, 2006),
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("inference")
    actors = [
        {
            "id": f"{c}{k}",
            "name": f"City {k} of {c}",
            "type": "city",
            "country": c,
            "lat": lat + k,
            "lon": lon + k,
        }
        for c, (lat, lon) in COUNTRIES.items()
        for k in range(3)
    ]
    ties = [
        {
            "source": f"{a}{i % 3}",
            "target": f"{b}{(i + 1) % 3}",
            "track": "general",
            "kind": "sister_city",
            "start": 2000 + i,
            "weight": 1,
            "directed": "false",
        }
        for i, (a, b) in enumerate(SISTER)
    ] + [
        {
            "source": f"{a}0",
            "target": f"{b}0",
            "track": "education",
            "kind": "exchange",
            "start": y,
            "weight": w,
            "directed": "true",
        }
        for a, b, w, y in STUDENTS
    ]
    path = d / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=_write(d / "a.csv", actors), ties=_write(d / "t.csv", ties))
    return path


def _matrix(pairs: list[tuple[str, str, float]], symmetric: bool) -> np.ndarray:
    names = sorted(COUNTRIES)
    m = np.zeros((len(names), len(names)))
    for a, b, v in pairs:
        m[names.index(a), names.index(b)] += v
        if symmetric:
            m[names.index(b), names.index(a)] += v
    return m


def test_qap_json_equals_a_hand_built_matrix_correlation(workspace: Path) -> None:
    out = Cli(workspace)(
        "associate",
        "qap",
        "--y",
        "sister:kind=sister_city,value=count",
        "--x",
        "students:track=education",
        "--permutations",
        "200",
        "--seed",
        "3",
        "-f",
        "json",
    )
    r = json.loads(out.stdout)
    y = _matrix([(a, b, 1.0) for a, b in SISTER], symmetric=True)
    x = _matrix([(a, b, float(w)) for a, b, w, _ in STUDENTS], symmetric=False)
    off = ~np.eye(len(COUNTRIES), dtype=bool)
    assert r["countries"] == 7 and r["dyads"] == 42
    (corr,) = r["correlations"]
    assert corr["r"] == pytest.approx(stats.pearsonr(y[off], x[off]).statistic, abs=1e-12)
    assert corr["permutations"] == 200 and not corr["exact"] and corr["seed"] == 3
    assert 0 < corr["p_value"] <= 1
    layers = {row["layer"]: row for row in r["layers"]}
    assert layers["sister"]["ties"] == 10 and layers["sister"]["dyads_nonzero"] == 18
    assert layers["students"]["placed_on_dyads"] == 9


def test_gravity_and_panel_run_end_to_end(workspace: Path) -> None:
    cli = Cli(workspace)
    g = json.loads(
        cli(
            "associate",
            "gravity",
            "--y",
            "sister:kind=sister_city,value=count",
            "--x",
            "students:track=education",
            "-f",
            "json",
        ).stdout
    )
    names = [c["name"] for c in g["coefficients"]]
    assert names == ["log_distance", "log1p_students"]
    for c in g["coefficients"]:
        assert c["ci_low"] <= c["estimate"] <= c["ci_high"]
    assert g["dyads"] == 42 and g["clusters"] <= 21
    p = json.loads(
        cli(
            "panel",
            "--outcome",
            "sister:kind=sister_city,value=count",
            "--predictor",
            "students:track=education",
            "--lags",
            "1",
            "-f",
            "json",
        ).stdout
    )
    assert [m["model"] for m in p["models"]] == ["lags", "placebo_leads"]
    assert {ly["layer"]: ly["coverage"] for ly in p["layers"]} == {
        "sister": [2000, 2009],
        "students": [2002, 2006],
    }
    table = cli("panel", "--outcome", "sister:kind=sister_city,value=count", "--break", "2005")
    assert "Level break from 2005" in table.stdout


def test_api_returns_what_the_cli_prints(workspace: Path) -> None:
    args = {
        "y": "sister:kind=sister_city,value=count",
        "x": "students:track=education",
        "permutations": "50",
        "seed": "1",
    }
    cli = json.loads(
        Cli(workspace)(
            "associate",
            "qap",
            "--y",
            args["y"],
            "--x",
            args["x"],
            "--permutations",
            "50",
            "--seed",
            "1",
            "-f",
            "json",
        ).stdout
    )
    api = TestClient(create_app(workspace)).get("/api/qap", params=args)
    assert api.status_code == 200, api.text
    assert api.json() == cli


def test_bad_layers_and_dyadic_files_are_one_line_errors(workspace: Path, tmp_path: Path) -> None:
    cli = Cli(workspace)
    bad = cli("associate", "qap", "--y", "kind=sister_city", "--x", "colour=red", code=2)
    assert "cannot read 'colour=red'" in bad.output and "Traceback" not in bad.output
    assert len(bad.output.strip().splitlines()) == 1
    cli("associate", "qap", "--y", "kind=sister_city", "--x", "source=nowhere", code=2)
    cli("associate", "qap", "--y", "kind=sister_citty", "--x", "track=education", code=2)
    dy = tmp_path / "trade.csv"
    dy.write_text("origin,destination,value\nDEU,FRA,3\nAtlantis,FRA,2\nCHN,USA,abc\n")
    out = cli("associate", "qap", "--y", "kind=sister_city", "--dyads", str(dy), code=2)
    assert "row 2" in out.output and "origin" in out.output
    rejects = (tmp_path / "trade.csv.rejects.csv").read_text().splitlines()
    assert len(rejects) == 3  # header + both bad rows
    dy.write_text("origin,destination,value\nDEU,FRA,3\nCHN,USA,10\nJPN,USA,1\n")
    good = json.loads(
        cli(
            "associate",
            "qap",
            "--y",
            "kind=sister_city,value=count",
            "--dyads",
            str(dy),
            "--permutations",
            "20",
            "-f",
            "json",
        ).stdout
    )
    assert [c["predictor"] for c in good["correlations"]] == ["trade"]


def test_a_declared_coverage_window_sets_the_panel_years(tmp_path: Path) -> None:
    actors = [{"id": f"{c}0", "type": "city", "country": c} for c in COUNTRIES]
    ties = [
        {
            "source": f"{a}0",
            "target": f"{b}0",
            "track": "general",
            "kind": "sister_city",
            "start": 2000 + i,
            "directed": "false",
        }
        for i, (a, b) in enumerate(SISTER)
    ]
    a, t = _write(tmp_path / "a.csv", actors), _write(tmp_path / "t.csv", ties)
    cli = Cli(tmp_path / "ws.duckdb")
    cli("import", "table", "--actors", str(a), "--ties", str(t), "--coverage", "1996:2012")
    args = [
        "panel",
        "--outcome",
        "sister:source=s1,kind=sister_city,value=count",
        "--break",
        "2004",
        "-f",
        "json",
    ]
    out = json.loads(cli(*args).stdout)
    assert out["layers"][0]["coverage"] == [1996, 2012]
    assert [p["year"] for p in out["series"]] == list(range(1996, 2013))
    assert any("as its sources declare" in n for n in out["notes"])


def test_generated_commands_take_repeated_layers_and_off_switches(workspace: Path) -> None:
    """``--x`` repeats (each a layer), ``--no-distance`` turns a default-on parameter off, and
    the table and CSV are drawn from the JSON: titles, captions and notes included."""
    cli = Cli(workspace)
    y = ["--y", "sister:kind=sister_city,value=count"]
    xs = ["--x", "students:track=education", "--x", "again:track=education,value=count"]
    g = json.loads(cli("associate", "gravity", *y, *xs, "--no-distance", "-f", "json").stdout)
    assert [c["name"] for c in g["coefficients"]] == ["log1p_students", "log1p_again"]
    table = cli("associate", "gravity", *y, *xs, "--no-distance").stdout
    assert "PPML gravity: sister (" in table and g["method"] in table
    assert all(f"note: {n}" in table for n in g["notes"])
    rows = list(
        csv.DictReader(
            cli("associate", "gravity", *y, *xs, "--no-distance", "-f", "csv").stdout.splitlines()
        )
    )
    assert [r["name"] for r in rows] == ["log1p_students", "log1p_again"]

    q = json.loads(cli("associate", "qap", *y, *xs, "--permutations", "20", "-f", "json").stdout)
    assert [c["predictor"] for c in q["correlations"]] == ["students", "again"]
    rows = list(
        csv.DictReader(
            cli(
                "associate", "qap", *y, *xs, "--permutations", "20", "-f", "csv"
            ).stdout.splitlines()
        )
    )
    assert [(r["model"], r["name"]) for r in rows] == [
        ("QAP correlation", "students"),
        ("QAP correlation", "again"),
        ("MRQAP", "(intercept)"),
        ("MRQAP", "students"),
        ("MRQAP", "again"),
    ]
    assert float(rows[0]["coef"]) == pytest.approx(q["correlations"][0]["r"])
    table = cli("associate", "qap", *y, *xs, "--permutations", "20").stdout
    assert "QAP correlation with sister (7 countries, 42 ordered dyads, 20 permutations" in table
    assert q["regression"]["method"] in table
    assert all(f"note: {n}" in table for n in q["regression"]["notes"] + q["notes"])

    panel = ["panel", "--outcome", "sister:kind=sister_city,value=count", "--predictor"]
    p = json.loads(cli(*panel, "students:track=education", "--no-placebo", "-f", "json").stdout)
    assert [m["model"] for m in p["models"]] == ["lags"]
    table = cli(*panel, "students:track=education", "--no-placebo").stdout
    assert "sister ~ lags | unit + year (" in table and "2,0" not in table  # years as years
    assert all(f"note: {n}" in table for n in p["models"][0]["notes"] + p["notes"])
