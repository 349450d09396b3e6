"""The report and the dashboard at 1280 and 1920 px: no section drawn over another, nothing
wider than its box, long tables collapsed, heatmap cells readable, no local paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from civnet.products.report import write_report
from civnet.store import Workspace
from civnet.views import ViewSpec
from tests.browser.pages import drawn_pixels, save_screenshot

WIDTHS = (1280, 1920)

# Every panel of a grid and every section; each box [x0, y0, x1, y1] in page pixels, and whether
# its content is wider than the box (content that spills over the neighbour's box).
BOXES_JS = """() => {
  const out = [];
  const els = [...document.querySelectorAll(".grid2 > *, main > section, main > .grid2, main > .factors")];
  for (const el of els) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    out.push({
      name: (el.id || el.className || el.tagName) + ": " + (el.querySelector("h2, h3")?.textContent || "").slice(0, 40),
      parent: el.parentElement === document.querySelector("main") ? "main" : "grid",
      grid: [...document.querySelectorAll(".grid2")].indexOf(el.parentElement),
      box: [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY],
      spills: el.scrollWidth > el.clientWidth + 1,
    });
  }
  return { boxes: out, pageWidth: document.documentElement.scrollWidth, viewport: innerWidth };
}"""


def overlap(a: list[float], b: list[float]) -> float:
    """Area shared by two boxes (0 when they only touch)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def assert_no_overlap(layout: dict[str, Any], where: str) -> None:
    boxes = layout["boxes"]
    assert layout["pageWidth"] <= layout["viewport"], f"{where}: the page scrolls sideways"
    assert len(boxes) > 3, where
    for b in boxes:
        assert not b["spills"], f"{where}: {b['name']} is wider than its box"
    for group in {b["grid"] for b in boxes if b["parent"] == "grid"}:
        panels = [b for b in boxes if b["parent"] == "grid" and b["grid"] == group]
        for i, a in enumerate(panels):
            for b in panels[i + 1 :]:
                assert overlap(a["box"], b["box"]) == 0, (
                    f"{where}: {a['name']} overlaps {b['name']}"
                )
    top = [b for b in boxes if b["parent"] == "main"]
    for i, a in enumerate(top):
        for b in top[i + 1 :]:
            assert overlap(a["box"], b["box"]) == 0, f"{where}: {a['name']} overlaps {b['name']}"


@pytest.fixture(scope="module")
def many_countries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 countries with long names and a long source path: what made the heatmap spill."""
    from civnet.importers.tables import import_tables

    folder = tmp_path_factory.mktemp("a-rather-long-private-folder-name") / "nested" / "deeper"
    folder.mkdir(parents=True)
    codes = ["DEU", "FRA", "ITA", "USA", "GBR", "POL", "JPN", "ESP", "CZE", "HUN", "CHN", "AUT"]
    codes += ["NLD", "BEL", "SWE", "NOR", "DNK", "FIN", "RUS", "UKR", "TUR", "GRC", "PRT", "BRA"]
    codes += ["ARG", "MEX", "CAN", "AUS", "IND", "KEN"]
    actors = folder / "actors.csv"
    ties = folder / "ties.csv"
    rows = ["id,name,type,country"]
    for c in codes:
        rows += [f"{c}{k},Municipality number {k} of {c},city,{c}" for k in range(6)]
    actors.write_text("\n".join(rows) + "\n")
    lines = ["source,target,kind"]
    for i, c in enumerate(codes):
        for k in range(6):
            lines.append(f"{c}{k},{c}{(k + 1) % 6},sister_city")
            d = codes[(i + k + 1) % len(codes)]
            lines.append(f"{c}{k},{d}{(k * 7) % 6},sister_city")
    ties.write_text("\n".join(lines) + "\n")
    path = tmp_path_factory.mktemp("ws") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=actors, ties=ties)
    return path


@pytest.fixture(scope="module")
def report_file(many_countries: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    with Workspace(many_countries, read_only=True) as ws:
        write_report(ws, ViewSpec(), out, countries=25, boot=20)
    return out


def test_report_sections_do_not_overlap(browser, report_file: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(report_file.as_uri())
    pg.wait_for_function("window.civnetNetwork !== undefined")
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 1000})
        pg.wait_for_timeout(300)
        assert_no_overlap(pg.evaluate(BOXES_JS), f"report at {width} px")
    assert errors == []
    context.close()


def test_report_numbers_paths_and_long_tables(browser, report_file: Path) -> None:  # type: ignore[no-untyped-def]
    html = report_file.read_text(encoding="utf-8")
    assert "a-rather-long-private-folder-name" not in html  # file names only, never folders
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.goto(report_file.as_uri())
    pg.wait_for_function("window.civnetNetwork !== undefined")
    files = pg.locator("#sources td:nth-child(2)").all_inner_texts()
    assert files == ["ties.csv"]
    cells = pg.locator("#heatmap td").all_inner_texts()
    assert len(cells) == 25 * 25
    assert not any(c == "0.000" for c in cells)
    assert all(re.fullmatch(r"0|[\d,.]+×", c) for c in cells), cells[:30]
    # a diagonal block (six actors in a ring: 6 of 15 pairs) against the view's density
    density = float(pg.locator("#heatmap td").first.get_attribute("data-density") or "nan")
    assert density == pytest.approx(6 / 15)
    # the 30-row scorecard shows the best-ranked 25; the button shows the rest
    more = pg.locator("#scorecard-more")
    assert pg.locator("#scorecard-table tbody").first.locator("tr").count() == 25
    assert more.locator("tr").count() == 5
    assert more.is_hidden()
    pg.click("#scorecard-toggle")
    assert more.is_visible()
    context.close()


def test_report_network_is_country_level_with_drill_down(browser, report_file: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.goto(report_file.as_uri())
    pg.wait_for_function("window.civnetNetwork !== undefined")
    pg.wait_for_timeout(300)
    assert pg.evaluate("window.civnetNetwork.mode()") == "countries"
    assert pg.evaluate("window.civnetNetwork.graph.order") == 30
    assert drawn_pixels(pg, "#network") > 2000
    assert "30 countries" in pg.locator("#network-note").inner_text()
    pg.select_option("#f-drill", label="Germany (DEU)")
    pg.wait_for_timeout(200)
    assert pg.evaluate("window.civnetNetwork.mode()") == "actors"
    # six German municipalities and their partners abroad
    order = pg.evaluate("window.civnetNetwork.graph.order")
    assert order == 6 + len(
        {
            n
            for n in pg.evaluate(
                "window.civnetNetwork.graph.nodes().map((k) => window.civnetNetwork.graph.getNodeAttribute(k, 'label'))"
            )
            if "of DEU" not in n
        }
    )
    assert "Actors of Germany" in pg.locator("#network-note").inner_text()
    pg.select_option("#f-drill", label="countries (country level)")
    assert pg.evaluate("window.civnetNetwork.mode()") == "countries"
    context.close()


def wait_dashboard(pg) -> None:  # type: ignore[no-untyped-def]
    pg.wait_for_function(
        "['graph', 'brokers', 'timeline', 'brokerage', 'scorecard']"
        ".every((k) => document.body.dataset[k] === 'ready')",
        timeout=60_000,
    )


def test_dashboard_sections_do_not_overlap(browser, live_server, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(live_server.url + "/")
    wait_dashboard(pg)
    for chart in ("#chart-timeline", "#chart-brokerage", "#chart-brokers"):
        assert drawn_pixels(pg, chart) > 500, chart
    assert pg.locator("#scorecard-rows tbody").first.locator("tr").count() > 0
    assert str(workspace.parent) not in pg.content()  # the workspace's file name, not its folder
    save_screenshot(pg, "dashboard-sections.png")
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 1000})
        pg.wait_for_timeout(300)
        assert_no_overlap(pg.evaluate(BOXES_JS), f"dashboard at {width} px")
    assert errors == []
    context.close()


def test_dashboard_relays_out_the_filtered_view(browser, live_server, workspace: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.browser.pages import cli_json

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.goto(live_server.url + "/")
    wait_dashboard(pg)
    whole = pg.evaluate("window.civnetNetwork.graph.order")
    assert whole == len(cli_json(workspace, "describe")["by_country"])
    pg.evaluate("window.firstNetwork = window.civnetNetwork")
    pg.select_option("#f-track", value="education")
    pg.select_option("#f-from", value="2016")
    pg.wait_for_function("window.civnetNetwork !== window.firstNetwork", timeout=60_000)
    pg.wait_for_function("document.getElementById('api-query').textContent.includes('from=2016')")
    wait_dashboard(pg)
    countries = cli_json(workspace, "describe", "--track", "education", "--from", "2016")
    assert pg.evaluate("window.civnetNetwork.graph.order") == len(countries["by_country"])
    # the positions are the filtered view's own layout, spread over the whole drawing
    xs = pg.evaluate(
        "window.civnetNetwork.graph.nodes().map((k) => window.civnetNetwork.graph.getNodeAttribute(k, 'x'))"
    )
    assert min(xs) == pytest.approx(0, abs=1e-6) or max(xs) == pytest.approx(100, abs=1e-6)
    context.close()
