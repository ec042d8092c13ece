"""`sitegen serve` in a real browser: an edit shows in an open tab, at archive scale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from bench.generate import write_pages
from sitegen.content import notice_files

from .browser import chromium, require_chromium
from .samples import REPO

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts"


def start_serve(project: Path) -> tuple[subprocess.Popen, str]:
    """`sitegen serve` on a free port, as a user runs it; (process, base URL) once it serves."""
    process = subprocess.Popen([sys.executable, "-m", "sitegen.cli", "serve", "--port", "0"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if found:
            return process, found.group(0)
    raise AssertionError("sitegen serve stopped:\n" + "".join(lines))


def overloaded() -> bool:
    """More runnable processes than 1.5 per core: timings measure the machine, not sitegen."""
    return os.getloadavg()[0] > 1.5 * (os.cpu_count() or 1)


def test_an_edit_shows_in_an_open_tab_at_1000_notices_without_waiting_for_the_search_index(tmp_path):
    require_chromium()
    from click.testing import CliRunner

    from sitegen.cli import main

    project = tmp_path / "archive"
    write_pages(1000, tmp_path / "pages")
    result = CliRunner().invoke(main, ["import", str(tmp_path / "pages"), "--content",
                                       str(project / "content")])
    assert result.exit_code == 0, result.output
    (project / "netlify.toml").write_bytes((REPO / "netlify.toml").read_bytes())
    path = sorted(notice_files(project / "content"))[500]
    notice_id = re.search(r"^id: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    process, url = start_serve(project)
    try:
        with chromium(tmp_path) as browser:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.goto(f"{url}notices/{notice_id}.html")
            page.wait_for_selector("html[data-sitegen-live=listening]", timeout=10000)
            title = page.locator("h1").inner_text()

            good = path.read_text(encoding="utf-8")
            edited = good
            # Two edits in quick succession: the second is not held up by the search index of
            # the first (it catches up in the background, and a newer change stops it).
            for word in ("已修订：", "再修订："):
                edited = edited.replace("\ntitle: ", f"\ntitle: {word}", 1)
                started = time.perf_counter()
                path.write_text(edited, encoding="utf-8")
                page.wait_for_function(f"() => document.querySelector('h1').textContent.includes({word!r})",
                                       timeout=15000)
                seconds = time.perf_counter() - started
                # The 2 s bar is measured by a benchmark (bench/serve_reload.py, a median over
                # edits); here, only that no edit waits for an index (indexing these 1,000
                # notices takes over 10 s of CPU).
                if overloaded():  # other work has the cores: the time says nothing about sitegen
                    warnings.warn(f"the edit showed after {seconds:.2f} s on an overloaded machine "
                                  f"(load {os.getloadavg()[0]:.0f}); not judged", stacklevel=1)
                else:
                    assert seconds < 5.0, f"the edit {word} showed after {seconds:.2f} s"

            # A broken edit keeps the page and says why, on the page.
            path.write_text(edited.replace("\ntitle: ", "\ntitle:\n  - ", 1), encoding="utf-8")
            page.wait_for_selector("#sitegen-build-error", timeout=15000)
            error = page.locator("#sitegen-build-error").inner_text()
            assert f"{path.name}" in error and "last good site" in error
            assert "已修订：" in page.locator("h1").inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "serve-rebuild-error.png"))

            path.write_text(good, encoding="utf-8")
            page.wait_for_function(f"() => document.querySelector('h1').textContent === {title!r}",
                                   timeout=15000)
            assert page.locator("#sitegen-build-error").count() == 0
            assert problems == []  # no CSP violation, no failed request
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()
