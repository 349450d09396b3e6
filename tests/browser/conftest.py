"""Headless Debian Chromium through Playwright, a small workspace, and helpers for the pages.

The tests skip, saying why, when /usr/bin/chromium or the playwright package is missing
(``scripts/install-browser.sh`` installs Chromium; ``playwright install`` is never used).
Set ``CIVNET_SCREENSHOT_DIR`` to keep the screenshots the tests take (docs/img is made this way).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from civnet.importers.tables import import_tables
from civnet.store import Workspace

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DATA = Path(__file__).parents[1] / "data" / "products"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if not CHROMIUM.exists():
    pytestmark_reason = f"{CHROMIUM} not installed; run scripts/install-browser.sh"
elif sync_playwright is None:
    pytestmark_reason = "the playwright package is not installed; pip install -e '.[test]'"
else:
    pytestmark_reason = ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if pytestmark_reason:
        for item in items:
            if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(pytest.mark.skip(reason=pytestmark_reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Console:
    """Console errors, uncaught exceptions and failed responses (4xx, 5xx) of a page.

    A failed response is recorded with its method and URL, so that an assertion on
    ``errors`` names the request the browser's bare "Failed to load resource" line leaves out.
    """

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on(
            "response",
            lambda r: (
                self.failed.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 400
                else None
            ),
        )


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, Console]]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = context.new_page()
    console = Console(pg)
    yield pg, console
    context.close()


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "ws.duckdb"
    with Workspace(path) as ws:
        import_tables(ws, actors=DATA / "actors.csv", ties=DATA / "ties.csv")
    return path


class LiveServer:
    """``civnet serve``'s application under uvicorn in a thread, on a free localhost port."""

    def __init__(self, workspace: Path) -> None:
        import uvicorn

        from civnet.products.serving.server import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            create_app(workspace), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("the server did not start within 20 s")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(workspace: Path) -> Iterator[LiveServer]:
    with LiveServer(workspace) as server:
        yield server
