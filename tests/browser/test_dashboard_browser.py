"""The dashboard in a real browser over a live server: numbers from the API equal the CLI's."""

from __future__ import annotations

from pathlib import Path

import pytest

from civnet.products.render import fmt_number
from tests.browser.pages import cli_json, drawn_pixels, save_screenshot, stat

KEYS = ("nodes", "edges", "ties", "density", "components", "largest_component", "countries")


def wait_ready(pg) -> None:  # type: ignore[no-untyped-def]
    pg.wait_for_function(
        "document.body.dataset.state === 'ready' && document.body.dataset.brokers === 'ready'",
        timeout=20_000,
    )


def assert_numbers_are_cli(pg, workspace: Path, *args: str) -> None:  # type: ignore[no-untyped-def]
    expected = cli_json(workspace, "describe", *args)
    for key in KEYS:
        value, text = stat(pg, key)
        assert value == pytest.approx(expected[key], rel=1e-12, abs=0), (key, args)
        assert text == fmt_number(expected[key]), (key, args)
    top = cli_json(workspace, "betweenness", "--top", "1", *args)
    assert stat(pg, "top_betweenness")[0] == pytest.approx(
        top["records"][0]["betweenness"], rel=1e-12
    )


def test_dashboard_draws_filters_and_matches_cli(page, workspace: Path, live_server) -> None:  # type: ignore[no-untyped-def]
    pg, console = page
    pg.goto(live_server.url + "/")
    pg.wait_for_function("document.body.dataset.graph === 'ready'", timeout=20_000)
    wait_ready(pg)
    pg.wait_for_timeout(300)
    assert drawn_pixels(pg, "#network") > 2000
    assert drawn_pixels(pg, "#chart-brokers") > 500
    assert_numbers_are_cli(pg, workspace)
    # the brokers were painted approximate first (unless exact won the race), exact at the end
    assert pg.locator("#brokers-method").inner_text().startswith("Exact")
    assert "graph done" in pg.locator("#graph-status").inner_text()
    save_screenshot(pg, "dashboard.png")

    pg.select_option("#f-track", value="education")
    wait_ready(pg)
    assert_numbers_are_cli(pg, workspace, "--track", "education")
    assert stat(pg, "nodes")[0] == 21

    pg.select_option("#f-country", value="KEN")
    pg.select_option("#f-from", value="2010")
    wait_ready(pg)
    pg.wait_for_function("document.getElementById('api-query').textContent.includes('from=2010')")
    wait_ready(pg)
    assert_numbers_are_cli(
        pg, workspace, "--track", "education", "--country", "KEN", "--from", "2010"
    )
    assert "track=education" in pg.locator("#x-gexf").get_attribute("href")
    assert (console.errors, console.failed) == ([], [])
