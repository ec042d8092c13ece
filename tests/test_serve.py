"""`sitegen serve`: the preview answers as the deployed site does, and rebuilds on change."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.errors import UserError
from sitegen.serve import Preview, make_server, netlify_header_rules, serve_forever, watch
from sitegen.site.build import build_site

from .samples import REPO

THEME = str(REPO / "themes" / "default")
NOTICE = "d68d7bd0a2a148fb8f9b94547ab5397f"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def notice_file(project: Path) -> Path:
    return next((project / "content").rglob(f"{NOTICE}.md"))


@contextmanager
def previewing(project: Path):
    """A live preview of the sample archive (with the repository's netlify.toml) in project;
    yields (base URL, preview, project)."""
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "netlify.toml", project / "netlify.toml")
    lines: list[str] = []
    live = Preview(lambda: load_config(project, theme=THEME), project, lines.append)
    server = make_server(project / "public", 0, rules=live.rules, live=live.live)
    live.first_build()
    runner = threading.Thread(target=live.run, args=(server,), daemon=True)
    runner.start()
    live.lines = lines
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", live, project
    finally:
        live.stop.set()
        runner.join(timeout=10)
        live.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A preview the tests only read from."""
    with previewing(tmp_path_factory.mktemp("served") / "project") as running:
        yield running


@pytest.fixture
def preview(tmp_path):
    """A preview of one's own, to edit."""
    with previewing(tmp_path / "project") as running:
        yield running


class Events:
    """The Server-Sent Events a page's live script listens to."""

    def __init__(self, url: str):
        self.response = urllib.request.urlopen(url + "_sitegen/events", timeout=30)

    def next(self, within: float = 60) -> dict:
        deadline = time.monotonic() + within  # the stream's keep-alive lines let this be checked
        for line in self.response:
            if line.startswith(b"data: "):
                return json.loads(line[6:])
            if time.monotonic() > deadline:
                raise AssertionError(f"no event within {within} s")
        raise AssertionError("the event stream ended")


def test_preview_sends_netlify_headers_per_path(served):
    url, _, _ = served
    rules = netlify_header_rules(REPO / "netlify.toml")
    csp = next(values for pattern, values in rules if pattern.pattern.startswith("/.*"))
    status, headers, _ = fetch(url + "index.html")
    assert status == 200 and headers["Content-Security-Policy"] == csp["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    _, headers, _ = fetch(url + "static/style.css")
    assert headers["Cache-Control"] == "public, max-age=86400"
    assert headers["Content-Type"] == "text/css; charset=utf-8"


def test_missing_pages_get_the_sites_404_page_with_status_404(served):
    url, _, project = served
    status, headers, body = fetch(url + "notices/no-such-notice.html")
    assert status == 404 and "Content-Security-Policy" in headers
    page = body.decode("utf-8")
    assert page.startswith((project / "public" / "404.html").read_text(encoding="utf-8")[:200])


@pytest.mark.parametrize("path", ["%00", "a%00b.html", "..%2f..%2fetc%2fpasswd", "%2e%2e/sitegen.toml",
                                  "%ff%fe", "static/..%5c..%5cnetlify.toml"])
def test_hostile_paths_get_an_answer_and_the_server_stays_up(served, path):
    url, _, _ = served
    status, _, body = fetch(url + path)
    assert status in (400, 404) and b"Content-Security-Policy" not in body
    assert fetch(url)[0] == 200


def test_a_folder_without_slash_is_redirected_and_served_with_its_index(served):
    url, _, _ = served
    status, _, body = fetch(url + "column")
    assert status == 200 and b"<html" in body


def test_pages_get_the_live_script_and_the_built_files_do_not(served):
    url, _, project = served
    _, _, body = fetch(url + f"notices/{NOTICE}.html")
    assert b'<script src="/_sitegen/live.js"' in body
    assert not list((project / "public").rglob("*sitegen/live*"))
    for page in (project / "public").rglob("*.html"):
        assert b"_sitegen" not in page.read_bytes(), page
    status, headers, script = fetch(url + "_sitegen/live.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in script


def test_an_edit_rebuilds_and_tells_open_pages(preview):
    url, _, project = preview
    events = Events(url)
    first = events.next()
    path = notice_file(project)
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 修订后的", 1),
                    encoding="utf-8")
    second = events.next()
    assert second == {"version": first["version"] + 1, "error": ""}
    assert "修订后的" in fetch(url + f"notices/{NOTICE}.html")[2].decode("utf-8")


def test_a_failing_rebuild_keeps_the_last_good_site_and_shows_why(preview):
    url, live, project = preview
    events = Events(url)
    before = events.next()
    page = fetch(url + f"notices/{NOTICE}.html")[2]
    path = notice_file(project)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: ", "title:\n  - a list\ntitle_was: ", 1), encoding="utf-8")
    failed = events.next()
    assert failed["version"] == before["version"] and f"{NOTICE}.md" in failed["error"]
    assert fetch(url + f"notices/{NOTICE}.html")[2] == page
    assert any("rebuild failed; still serving the last good site" in line for line in live.lines)
    path.write_text(good, encoding="utf-8")
    assert events.next() == {"version": before["version"] + 1, "error": ""}


def test_notice_files_broken_before_serving_do_not_block_rebuilds(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    (project / "content" / "2020" / "draft.md").write_text("---\ntitle: draft\n---\n", encoding="utf-8")
    live = Preview(lambda: load_config(project, theme=THEME), project, lambda line: None)
    assert len(live.first_build().skipped) == 1
    path = notice_file(project)
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 新", 1), encoding="utf-8")
    live.rebuild()
    assert live.live.error == "" and live.live.version == 1
    assert "新" in (project / "public" / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
    assert live.search.wait(timeout=120) and live.live.error == ""  # the search index, too
    live.close()


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def test_a_newer_edit_stops_the_search_catch_up_and_the_site_ends_as_a_cold_build(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    lines: list[str] = []
    live = Preview(lambda: load_config(project, theme=THEME), project, lines.append)
    try:
        live.first_build()
        path = notice_file(project)
        good = path.read_text(encoding="utf-8")
        # Two edits in quick succession: each rebuild writes the pages at once, without waiting
        # for the search index of the one before (which it stops).
        for word in ("甲修订", "乙修订"):
            path.write_text(good.replace("title: ", f"title: {word}", 1), encoding="utf-8")
            live.rebuild()
            page = (project / "public" / "notices" / f"{NOTICE}.html").read_text(encoding="utf-8")
            assert word in page and live.live.error == ""
        assert live.search.wait(timeout=120)
    finally:
        live.close()
    # Only the last catch-up ran to its end; the two stopped before it left nothing behind.
    assert [line for line in lines if line.startswith("search index")] == [lines[-1]]
    assert lines[-1].startswith("search index up to date")
    rebuilt = [line for line in lines if line.startswith("rebuilt")]
    assert len(rebuilt) == 2 and all(re.fullmatch(r"rebuilt in [\d.]+ s \([\d.]+ s of CPU\): "
                                                  r"\d+ of \d+ pages changed", line) for line in rebuilt), rebuilt
    cold = load_config(project, theme=THEME, out=str(tmp_path / "cold"), cache=str(tmp_path / "cold-cache"))
    build_site(cold, project)
    assert files_of(project / "public") == files_of(tmp_path / "cold")


def test_a_burst_of_saves_gives_one_rebuild(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    calls: list[float] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(lambda: [folder], lambda: calls.append(1), stop),
                               kwargs={"interval": 0.05, "settle": 0.3}, daemon=True)
    watcher.start()
    time.sleep(0.2)
    for number in range(5):
        (folder / f"{number}.md").write_text("x", encoding="utf-8")
        time.sleep(0.05)
    time.sleep(1.0)
    stop.set()
    watcher.join()
    assert calls == [1]


def test_the_search_catch_up_gives_way_to_the_preview(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    live = Preview(lambda: load_config(project, theme=THEME), project, lambda line: None)
    try:
        live.first_build()
        child = live.search.process.pid
        deadline = time.monotonic() + 30
        niceness = os.getpriority(os.PRIO_PROCESS, 0)
        while os.getpriority(os.PRIO_PROCESS, child) == niceness and time.monotonic() < deadline:
            time.sleep(0.01)  # it lowers its priority once it has read what to do
        assert os.getpriority(os.PRIO_PROCESS, child) == min(niceness + 10, 19)
    finally:
        live.close()


def test_the_templates_are_compiled_before_the_first_edit(tmp_path):
    from sitegen.site.theme import template_environment, theme_version

    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    config = load_config(project, theme=THEME)
    build_site(config, project, search=False)
    template_environment.cache_clear()  # a server started on a site already built
    live = Preview(lambda: config, project, lambda line: None)
    try:
        assert live.first_build().written == 0
    finally:
        live.close()
    theme = config.theme_dir(project)
    environment = template_environment(theme, theme_version(theme))
    assert len(environment.cache) == len(environment.list_templates()) >= 5


def test_watching_a_large_archive_looks_over_it_less_often(tmp_path):
    looks: list[float] = []

    def slow_paths() -> list[Path]:  # as if looking over the files took 50 ms of CPU
        looks.append(time.monotonic())
        started = time.thread_time()
        while time.thread_time() - started < 0.05:
            pass
        return [tmp_path]

    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(slow_paths, lambda: None, stop),
                               kwargs={"interval": 0.01, "seen": {}}, daemon=True)
    watcher.start()
    time.sleep(1.5)
    stop.set()
    watcher.join()
    gaps = [later - earlier for earlier, later in itertools.pairwise(looks[1:])]
    assert gaps and min(gaps) >= 0.2 - 0.01  # four times what a look costs, not every 10 ms


def test_a_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UserError, match=f"^port {port} is in use; try --port {port + 1}$"):
            make_server(Path("."), port)


def test_serving_a_folder_as_it_is(tmp_path):
    (tmp_path / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    server = make_server(tmp_path, 0, headers={"X-Test": "1"})
    serve_forever(server)
    try:
        status, headers, body = fetch(f"http://127.0.0.1:{server.server_address[1]}/")
        assert (status, headers["X-Test"], body) == (200, "1", b"<p>hi</p>")
    finally:
        server.shutdown()
        server.server_close()


def test_a_settings_mistake_under_serve_is_shown_and_fixing_it_rebuilds(preview):
    url, _, project = preview
    events = Events(url)
    before = events.next()
    settings = project / "sitegen.toml"
    settings.write_text('[site]\ntitle = "新标题"\nlatest = "ten"\n', encoding="utf-8")
    failed = events.next()
    assert "sitegen.toml:3: latest: expected a whole number above 0, not 'ten'" in failed["error"]
    settings.write_text('[site]\ntitle = "新标题"\nlatest = 10\n', encoding="utf-8")
    assert events.next() == {"version": before["version"] + 1, "error": ""}
    assert "<title>新标题</title>" in fetch(url + "index.html")[2].decode("utf-8")


@pytest.mark.parametrize(("asked", "status", "body", "content_range"), [
    ("bytes=10-19", 206, bytes(range(10, 20)), "bytes 10-19/256"),
    ("bytes=250-", 206, bytes(range(250, 256)), "bytes 250-255/256"),
    ("bytes=-4", 206, bytes(range(252, 256)), "bytes 252-255/256"),
    ("bytes=250-999", 206, bytes(range(250, 256)), "bytes 250-255/256"),
    ("bytes=300-310", 416, b"", "bytes */256"),
    ("bytes=0-1,5-6", 200, bytes(range(256)), None),  # several ranges: the whole file
    ("items=0-1", 200, bytes(range(256)), None),
])
def test_a_range_of_a_file_is_served_as_asked(tmp_path, asked, status, body, content_range):
    """Search reads one bucket of a big pack of words (search/words.py) by a range request."""
    (tmp_path / "pack.pf").write_bytes(bytes(range(256)))
    server = make_server(tmp_path, 0)
    serve_forever(server)
    try:
        got = fetch(f"http://127.0.0.1:{server.server_address[1]}/pack.pf", {"Range": asked})
        assert (got[0], got[2], got[1].get("Content-Range")) == (status, body, content_range)
        assert got[1]["Accept-Ranges"] == "bytes"
    finally:
        server.shutdown()
        server.server_close()
