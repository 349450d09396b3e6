"""Helpers for the browser tests: the CLI's numbers, drawn pixels, page numbers, screenshots."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page


def cli_json(workspace: Path, *args: str) -> Any:
    """What ``civnet ARGS --format json`` prints, parsed."""
    from typer.testing import CliRunner

    from civnet.cli import app

    res = CliRunner().invoke(app, ["--workspace", str(workspace), *args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def drawn_pixels(page: Page, selector: str) -> int:
    """Pixels of the element's screenshot that differ from its white background.

    The browser decodes its own PNG screenshot (no imaging library needed) and counts pixels
    whose colour is not near-white.
    """
    png = page.locator(selector).screenshot()
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    return int(
        page.evaluate(
            """async (url) => {
                const img = new Image();
                img.src = url;
                await img.decode();
                const c = document.createElement("canvas");
                c.width = img.width; c.height = img.height;
                const ctx = c.getContext("2d");
                ctx.drawImage(img, 0, 0);
                const d = ctx.getImageData(0, 0, c.width, c.height).data;
                let n = 0;
                for (let i = 0; i < d.length; i += 4) {
                    if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
                }
                return n;
            }""",
            data_url,
        )
    )


def stat(page: Page, key: str) -> tuple[float, str]:
    """The exact value (data-value) and the shown text of a number on the page."""
    el = page.locator(f'#factors [data-stat="{key}"]').first
    return float(el.get_attribute("data-value") or "nan"), el.inner_text()


def save_screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("CIVNET_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)
