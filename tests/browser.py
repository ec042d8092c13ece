"""Headless Debian Chromium driven by Playwright, and a loopback server for built sites."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")


def netlify_headers() -> dict[str, str]:
    """The headers netlify.toml sends with every page, so tests see what visitors get."""
    import tomllib

    from .samples import REPO

    config = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    return next(rule["values"] for rule in config["headers"] if rule["for"] == "/*")


@contextmanager
def serving(folder: Path, headers: dict[str, str] | None = None):
    """Serve folder on 127.0.0.1 at a free port; yields the base URL."""
    from sitegen.serve import make_server

    server = make_server(folder, 0, headers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=LAUNCH_ARGS,
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_for_results(page) -> list[str]:
    """The result titles, once the search page has finished searching."""
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && !s.includes('正在'); }", timeout=20000)
    return page.locator("#search-results h2").all_inner_texts()
