"""civnet report: one self-contained HTML file whose numbers are the CLI's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from civnet.errors import UserError
from civnet.importers.tables import import_tables
from civnet.products.report import json_for_script, write_report
from civnet.store import Workspace
from civnet.views import ViewSpec

DATA = Path(__file__).parent / "data" / "products"
STATIC = Path(__file__).parents[1] / "src" / "civnet" / "products" / "static"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


@pytest.fixture(scope="module")
def report(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp("out") / "report.html"
    with Workspace(workspace, read_only=True) as ws:
        path, _ = write_report(ws, ViewSpec(), out)
    html = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="civnet-data">(.*?)</script>', html, re.S)
    assert m
    return html, json.loads(m.group(1))


def cli_json(workspace: Path, *args: str) -> Any:
    from typer.testing import CliRunner

    from civnet.cli import app

    res = CliRunner().invoke(app, ["--workspace", str(workspace), *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_self_contained(report: tuple[str, dict]) -> None:
    html, _ = report
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+stylesheet", html)
    assert '<link rel="icon" href="data:,">' in html
    assert "sourceMappingURL" not in html
    assert "new Sigma(" in html and "graphology" in html and "Chart" in html


def test_numbers_equal_cli(report: tuple[str, dict], workspace: Path) -> None:
    _, data = report
    assert data["summary"] == cli_json(workspace, "describe")
    assert data["brokers"] == cli_json(workspace, "betweenness", "--top", "15")["records"]
    for row in data["by_track"]:
        d = cli_json(workspace, "describe", "--track", row["track"])
        assert (row["nodes"], row["edges"], row["ties"], row["density"]) == (
            d["nodes"],
            d["edges"],
            d["ties"],
            d["density"],
        ), row["track"]
    assert [r["track"] for r in data["by_track"]] == [
        "culture",
        "education",
        "environment",
        "health",
        "economy_trade",
    ]
    years = [r["year"] for r in data["by_year"]]
    assert years == list(range(2005, 2023))
    # every year: the report takes them from the timeline's periods, the CLI builds each view
    for row in data["by_year"]:
        y = str(row["year"])
        d = cli_json(workspace, "describe", "--from", y, "--to", y)
        assert (row["nodes"], row["edges"], row["ties"], row["density"]) == (
            d["nodes"],
            d["edges"],
            d["ties"],
            d["density"],
        ), y


def test_graph_keeps_every_tie(report: tuple[str, dict]) -> None:
    _, data = report
    g = data["graph"]
    assert len(g["nodes"]["id"]) == 49 and len(g["ties"]["s"]) == 118
    assert g["edges_drawn"] == g["edges_total"] == 109


def test_country_network_equals_the_country_level_view(
    report: tuple[str, dict], workspace: Path
) -> None:
    """The drawn country network: actors per country as ``describe``, cross-border ties per
    country as the country-level view's edge weights (its own aggregation, in SQL)."""
    from civnet.views import build_network

    _, data = report
    g = data["graph"]
    c = g["country_nodes"]
    by_country = cli_json(workspace, "describe")["by_country"]  # type: ignore[index]
    shown = {code: n for code, n in zip(g["countries"], c["actors"], strict=True)}
    assert {k: v for k, v in shown.items() if k != "(unknown)"} == by_country
    with Workspace(workspace, read_only=True) as ws:
        level = build_network(ws, ViewSpec(level="country"))
    strength = dict(zip(level.ids, level.graph.strength(weights="weight"), strict=True))
    cross = dict(zip(g["countries"], c["cross_border_ties"], strict=True))
    assert {k: v for k, v in cross.items() if v} == {k: int(v) for k, v in strength.items() if v}
    assert all(0 <= x <= 100 for x in c["x"] + c["y"])
    assert g["continents"][c["continent"][g["countries"].index("KEN")]] == "Africa"


def test_appendix_lists_sources_and_definitions(report: tuple[str, dict]) -> None:
    html, _ = report
    assert "actors.csv + ties.csv" in html and "74741636de2b2b2d" in html
    assert str(DATA) not in html and str(DATA.parent) not in html  # no local folder
    for name in ("Density", "Betweenness (mediated intermediation)", "Block density"):
        assert f"<dt>{name}</dt>" in html


def test_heatmap_and_brokers_in_page(report: tuple[str, dict]) -> None:
    html, data = report
    assert 'id="heatmap"' in html
    top = data["brokers"][0]
    assert top["name"] in html and f"{top['betweenness']:.4f}" in html


def test_script_json_is_escaped() -> None:
    text = json_for_script({"name": "</script><script>alert(1)</script>"})
    assert "</" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_filtered_report_and_folder_refused(workspace: Path, tmp_path: Path) -> None:
    with Workspace(workspace, read_only=True) as ws:
        _, ctx = write_report(ws, ViewSpec.make(tracks=["education"]), tmp_path / "edu.html")
        assert ctx["summary"]["nodes"] == 21 and [r["track"] for r in ctx["by_track"]] == [
            "education"
        ]
        with pytest.raises(UserError, match="is a folder"):
            write_report(ws, ViewSpec(), tmp_path)


def test_cli_report(workspace: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from civnet.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(
        app, ["--workspace", str(workspace), "report", "--out", str(out), "--country", "KEN"]
    )
    assert res.exit_code == 0, res.output
    assert "wrote" in res.output and out.exists()
    assert "countries KEN" in out.read_text(encoding="utf-8")


def test_vendored_bundles_have_licences_and_versions() -> None:
    vendored = (STATIC / "vendor" / "VENDORED.md").read_text(encoding="utf-8")
    for bundle, licence, version in (
        ("sigma.min.js", "sigma.LICENSE.txt", "3.0.3"),
        ("graphology.umd.min.js", "graphology.LICENSE.txt", "0.26.0"),
        ("chart.umd.min.js", "chart.js.LICENSE.md", "4.6.1"),
    ):
        assert (STATIC / "vendor" / bundle).stat().st_size > 50_000
        assert "MIT" in (STATIC / "vendor" / licence).read_text(
            encoding="utf-8"
        ) or "Permission" in (STATIC / "vendor" / licence).read_text(encoding="utf-8")
        assert f"{bundle}" in vendored and version in vendored


def test_brokerage_by_country_equals_cli(report: tuple[str, dict], workspace: Path) -> None:
    _, data = report
    b = data["brokerage"]
    assert b["roles"] == ["coordinator", "itinerant", "representative", "gatekeeper", "liaison"]
    rows = cli_json(workspace, "brokerage")["records"]
    group = {
        (r["group"], r["role"]): r["raw"]
        for r in rows
        if r["scope"] == "group" and r["null"] == "bernoulli"
    }
    for i, country in enumerate(b["groups"]):
        for role in b["roles"]:
            assert b["raw"][role][i] == group[(country, role)], (country, role)
        assert b["total"][i] == group[(country, "total")]


FILTERS = ("--track", "culture", "--track", "education", "--from", "2008")


@pytest.fixture(scope="module")
def filtered(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    out = tmp_path_factory.mktemp("out") / "filtered.html"
    spec = ViewSpec.make(tracks=["culture", "education"], date_from="2008")
    with Workspace(workspace, read_only=True) as ws:
        path, _ = write_report(ws, spec, out, boot=20, seed=3)
    html = path.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="civnet-data">(.*?)</script>', html, re.S)
    assert m
    return html, json.loads(m.group(1))


def test_timeline_equals_cli(
    report: tuple[str, dict], filtered: tuple[str, dict], workspace: Path
) -> None:
    _, whole = report
    assert whole["timeline"] == cli_json(workspace, "timeline")["periods"]  # type: ignore[index]
    assert [r["period"] for r in whole["timeline"]] == [str(y) for y in range(2005, 2028)]
    html, data = filtered
    expected = cli_json(workspace, "timeline", *FILTERS)["periods"]  # type: ignore[index]
    assert data["timeline"] == expected
    first = expected[0]
    assert f'<td>{first["period"]}</td><td class="num">{first["nodes"]}</td>' in html


def test_scorecard_equals_cli(filtered: tuple[str, dict], workspace: Path) -> None:
    html, data = filtered
    expected = cli_json(workspace, "scorecard", *FILTERS, "--boot", "20", "--seed", "3")
    assert data["scorecard"] == expected
    assert data["scorecard"]["bootstrap"] == {"n": 20, "unit": "actors", "seed": 3}
    top = expected["countries"][0]  # type: ignore[index]
    cell = re.search(
        rf'<tr data-country="{top["country"]}">.*?data-channel="communication">([^<]*)</td>',
        html,
        re.S,
    )
    low, high = top["communication_low"], top["communication_high"]  # None: no interval
    assert cell and cell.group(1) == (
        f"{top['communication']:.1f} [{'—' if low is None else f'{low:.1f}'}–"
        f"{'—' if high is None else f'{high:.1f}'}]"
    )
    for k in ("communication", "cultural"):
        assert f'id="chart-score-{k}"' in html
    # governance: hub_reach is non-zero for 2 of 6 countries and governance_betweenness 0 for
    # all, both uninformative (tests/test_scorecard_validity.py), so the channel has no data
    assert 'id="chart-score-governance"' not in html
    assert "governance_betweenness: uninformative: 0 for every country scored" in html
    assert 'id="chart-score-institutional"' not in html  # no economy_trade ties in this view
    assert "missing for every country: inbound_econ_ties: no economy_trade ties" in html


def test_scorecard_says_missing_with_the_reason(workspace: Path, tmp_path: Path) -> None:
    with Workspace(workspace, read_only=True) as ws:
        path, ctx = write_report(
            ws, ViewSpec.make(kinds=["membership"]), tmp_path / "m.html", boot=5
        )
        html = path.read_text(encoding="utf-8")
        assert [r["country"] for r in ctx["scorecard_rows"]] == ["CHN", "DEU"]
        reason = ctx["scorecard"]["card"]["channels"]["cultural"]["missing"]["CHN"]
        assert reason.startswith("culture_reach: no culture or education ties in the view")
        assert f'<td class="missing" data-channel="cultural">missing: {reason}</td>' in html
        assert f"missing for every country: {reason}" in html
        assert 'id="chart-score-cultural"' not in html
        # every indicator has the same value for CHN and DEU here: uninformative, no channel
        assert 'id="chart-score-governance"' not in html
        assert "hub_reach: uninformative: 1 for every country scored" in html
        _, ctx = write_report(ws, ViewSpec.make(kinds=["membership"]), tmp_path / "n.html", boot=0)
        assert ctx["scorecard"] is None and ctx["scorecard_missing"] == "left out (--boot 0)"


def test_two_cores_give_the_same_report(tmp_path: Path) -> None:
    """With two cores the whole view's betweenness runs in a thread and the scorecard's
    bootstrap replicates are shared with a second process: every number is that of one core
    (each run cold: a fresh workspace, an empty result cache)."""
    import shutil

    from civnet.products.report import report_context

    fresh = tmp_path / "fresh.duckdb"
    with Workspace(fresh) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    contexts = []
    for cores in (1, 2):
        path = tmp_path / f"ws{cores}.duckdb"
        shutil.copy(fresh, path)
        with Workspace(path, read_only=True) as ws:
            ctx = report_context(ws, ViewSpec(), boot=40, seed=5, cores=cores)
        ctx.pop("generated")
        contexts.append(json_for_script(ctx))
    assert contexts[0] == contexts[1]
    data = json.loads(contexts[0])
    assert data["brokers"] and data["timeline"] and data["scorecard"]["bootstrap"]["n"] == 40
