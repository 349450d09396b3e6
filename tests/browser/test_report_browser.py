"""The report in a real browser: network drawn, filters give the CLI's numbers, no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from civnet.products.render import fmt_number
from civnet.products.report import write_report
from civnet.store import Workspace
from civnet.views import ViewSpec
from tests.browser.pages import cli_json, drawn_pixels, save_screenshot, stat

KEYS = ("nodes", "edges", "ties", "density", "components", "largest_component", "countries")


@pytest.fixture(scope="module")
def report_url(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    with Workspace(workspace, read_only=True) as ws:
        write_report(ws, ViewSpec(), out)
    return out.as_uri()


def assert_numbers_are_cli(page, workspace: Path, *args: str) -> None:  # type: ignore[no-untyped-def]
    expected = cli_json(workspace, "describe", *args)
    for key in KEYS:
        value, text = stat(page, key)
        assert value == pytest.approx(expected[key], rel=1e-12, abs=0), (key, args)
        assert text == fmt_number(expected[key]), (key, args)


def test_report_draws_filters_and_matches_cli(page, workspace: Path, report_url: str) -> None:  # type: ignore[no-untyped-def]
    pg, console = page
    pg.goto(report_url)
    pg.wait_for_function("window.civnetNetwork !== undefined")
    pg.wait_for_timeout(300)
    assert drawn_pixels(pg, "#network") > 2000
    for chart in (
        "#chart-track",
        "#chart-year",
        "#chart-brokers",
        "#chart-brokerage",
        "#chart-timeline",
        "#chart-score-communication",
    ):
        assert drawn_pixels(pg, chart) > 500, chart
    assert_numbers_are_cli(pg, workspace)
    save_screenshot(pg, "report.png")

    whole_pixels = drawn_pixels(pg, "#network")
    pg.select_option("#f-track", label="education")
    assert_numbers_are_cli(pg, workspace, "--track", "education")
    assert stat(pg, "nodes")[0] == 21
    assert drawn_pixels(pg, "#network") < whole_pixels  # hidden actors are not drawn

    pg.select_option("#f-from", label="2010")
    pg.select_option("#f-to", label="2016")
    assert_numbers_are_cli(pg, workspace, "--track", "education", "--from", "2010", "--to", "2016")

    pg.select_option("#f-track", label="all tracks")
    pg.select_option("#f-country", label="KEN")
    assert_numbers_are_cli(pg, workspace, "--from", "2010", "--to", "2016", "--country", "KEN")
    assert "country KEN" in pg.locator("#filter-desc").inner_text()

    pg.fill("#f-search", "Cso 16")
    pg.press("#f-search", "Enter")
    assert pg.locator("#search-result").inner_text() == "found: Cso 16 of KEN"
    pg.select_option("#f-colour", value="type")
    assert "university" in pg.locator("#legend").inner_text()
    assert (console.errors, console.failed) == ([], [])
