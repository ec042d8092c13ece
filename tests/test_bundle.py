"""`sitegen bundle`: one deterministic zip that works from disk, assets optionally included."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import zipfile
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.bundle import make_bundle, portable_name
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.notice import Attachment, Notice

from .samples import REPO
from .sitecheck import crawl

THEME = str(REPO / "themes" / "default")


def project_with_sample(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    return project


def test_bundle_is_deterministic_and_says_what_it_holds(tmp_path, monkeypatch):
    project = project_with_sample(tmp_path)
    monkeypatch.chdir(project)
    runner = CliRunner()
    result = runner.invoke(main, ["bundle", "--out", "a.zip", "--theme", THEME])
    assert result.exit_code == 0, result.output
    assert "a.zip:" in result.output and "9 notices" in result.output
    runner.invoke(main, ["bundle", "--out", "b.zip", "--theme", THEME])
    assert (project / "a.zip").read_bytes() == (project / "b.zip").read_bytes()
    with zipfile.ZipFile(project / "a.zip") as archive:
        names = archive.namelist()
        readme = archive.read("README.txt").decode("utf-8")
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    assert names == sorted(names) and "index.html" in names
    assert "共 9 篇文件，最新一篇发布于 2020-12-16" in readme
    # From disk, search reads plain scripts; Pagefind's module and wasm are left out.
    assert "pagefind/catalog.js" in names and any(n.endswith("/docs/0.js") for n in names)
    assert any(n.startswith("pagefind/shards/words-") and n.endswith("/0.js") for n in names)
    assert not any(name.endswith((".wasm", ".pagefind", "pagefind.js", ".pf_index")) for name in names)


def test_every_page_of_the_bundle_links_by_relative_file_paths(tmp_path):
    project = project_with_sample(tmp_path)
    make_bundle(load_config(project, theme=THEME), project, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    reached, broken = crawl(tmp_path / "unzipped")
    assert broken == []
    assert len([p for p in reached if p.parent.name == "notices"]) == 9
    for page in (tmp_path / "unzipped").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert 'href="/' not in text.replace('href="/"', "") or page.name == "404.html"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_with_assets_downloads_images_and_attachments_and_reports_failures(tmp_path):
    files = tmp_path / "origin"
    (files / "pic").mkdir(parents=True)
    (files / "pic" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    (files / "doc").mkdir()
    (files / "doc" / "table.doc").write_bytes(b"word document")
    (files / "big.pdf").write_bytes(b"x" * 3000)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(files)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        project = tmp_path / "project"
        (project / "content" / "2021").mkdir(parents=True)
        notice = Notice(
            id="n1", title="关于附件的通知", date=dt.date(2021, 5, 1),
            body=f"正文\n\n![图1]({origin}/pic/chart.png)\n\n![图2]({origin}/pic/gone.png)\n\n"
                 f"[附件1]({origin}/doc/table.doc)\n",
            attachments=[Attachment("附件1", f"{origin}/doc/table.doc"),
                         Attachment("缺失的附件", f"{origin}/doc/missing.doc"),
                         Attachment("太大的附件", f"{origin}/big.pdf")],
        )
        (project / "content" / "2021" / "n1.md").write_text(notice_text(notice), encoding="utf-8")
        report = make_bundle(load_config(project, theme=THEME, origin=origin), project, tmp_path / "a.zip",
                             with_assets=True, max_asset_bytes=2000)
    finally:
        server.shutdown()
    assert report.assets == 2
    assert sorted(line.split(": ")[0].rsplit("/", 1)[1] for line in report.failed_assets) == [
        "big.pdf", "gone.png", "missing.doc"]
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    page = (tmp_path / "unzipped" / "notices" / "n1.html").read_text(encoding="utf-8")
    assert f"{origin}/pic/chart.png" not in page and f"{origin}/doc/table.doc" not in page
    assert "（已随归档保存）" in page and "（文件位于原网站）" in page  # the missing one stays remote
    # The image that could not be fetched stays on the original site and says so; the saved one not.
    assert page.count("（图片位于原网站）") == 1
    assert re.search(rf'<img src="{re.escape(origin)}/pic/gone.png"[^>]*><span class="note">（图片位于原网站）', page)
    assert crawl(tmp_path / "unzipped")[1] == []
    saved = sorted(p.read_bytes()[:4] for p in (tmp_path / "unzipped" / "assets").iterdir())
    assert saved == sorted([b"\x89PNG", b"word"])


# -- hostile asset servers (#17.9) ------------------------------------------------------------

class AssetServer:
    """Files on 127.0.0.1: `files` path -> bytes; `redirects` path -> Location; `trickle` paths
    send a byte every 0.2 s. Every request path is recorded."""

    def __init__(self, files=None, redirects=None, trickle=()):
        self.files, self.redirects, self.trickle = files or {}, redirects or {}, set(trickle)
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.end_headers()
                    return
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if self.path in server.trickle:
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    else:
                        self.wfile.write(body)
                except OSError:
                    pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.http.shutdown()
        self.http.server_close()


def project_with(tmp_path: Path, *notices: Notice, **settings) -> Path:
    project = tmp_path / "project"
    for notice in notices:
        path = project / "content" / "2021" / f"{notice.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notice_text(notice), encoding="utf-8")
    if settings:
        lines = [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
        (project / "sitegen.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return project


def test_assets_come_only_from_the_origin_never_from_loopback_elsewhere_or_the_source_page(tmp_path, monkeypatch):
    import sitegen.bundle

    monkeypatch.setattr(sitegen.bundle, "ASSET_DEADLINE", 1.0)
    with AssetServer({"/secret.txt": b"AWS_SECRET=hunter2"}) as inside, \
            AssetServer({"/a.png": b"\x89PNG picture", "/page.html": b"<html>the source page</html>",
                         "/slow.pdf": b"%PDF" + b"x" * 100},
                        redirects={"/moved.png": f"{inside.origin}/secret.txt",
                                   "/local.png": f"http://localhost:{inside.http.server_address[1]}/secret.txt"},
                        trickle={"/slow.pdf"}) as origin:
        port = inside.http.server_address[1]
        notice = Notice(
            id="n1", title="关于附件的通知", date=dt.date(2021, 5, 1),
            source_url=f"{origin.origin}/page.html",
            body=f"正文\n\n![图]({origin.origin}/a.png)\n\n![内网]({inside.origin}/secret.txt)\n",
            attachments=[Attachment("跳转", f"{origin.origin}/moved.png"),
                         Attachment("本机名", f"http://localhost:{port}/secret.txt"),
                         Attachment("跳到本机名", f"{origin.origin}/local.png"),
                         Attachment("元数据", "http://169.254.169.254/latest/meta-data/"),
                         Attachment("原网页", f"{origin.origin}/page.html"),
                         Attachment("慢", f"{origin.origin}/slow.pdf")],
        )
        # The user allows "localhost" as an asset host: it still resolves to loopback, so no.
        project = project_with(tmp_path, notice, origin=origin.origin, asset_hosts=["localhost"])
        started = time.monotonic()
        report = make_bundle(load_config(project, theme=THEME), project, tmp_path / "a.zip", with_assets=True)
        elapsed = time.monotonic() - started
        asked_inside, asked_origin = list(inside.requests), list(origin.requests)
    assert asked_inside == []  # not directly, not through a redirect, not through a host name
    assert "/page.html" not in asked_origin  # the source page is a source, not an asset
    assert report.assets == 1
    failed = "\n".join(report.failed_assets)
    assert f"{inside.origin}/secret.txt: 127.0.0.1 is neither the origin nor an allowed host" in failed
    assert f"{origin.origin}/moved.png: 127.0.0.1 is neither the origin nor an allowed host" in failed
    assert f"localhost:{port}/secret.txt: localhost resolves to a non-public address" in failed
    assert f"{origin.origin}/local.png: localhost resolves to a non-public address" in failed
    assert "169.254.169.254 is neither the origin nor an allowed host" in failed
    assert f"{origin.origin}/slow.pdf: no complete answer within 1 s" in failed
    assert elapsed < 30  # the trickle was cut at its deadline, not waited out
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        contents = [archive.read(n) for n in archive.namelist() if n.startswith("assets/")]
    assert contents == [b"\x89PNG picture"]


# -- zip entry names (#17.26), the cache (#17.25), temporary folders (#17.18) ------------------

@pytest.mark.parametrize("name", ["con.html", "notices/NUL.html", "aux", "a/com1.txt", 'a">.js', "b:c.html",
                                  "trailing.", "..", "lpt9.tar.gz", "a\\b.html", "é.html"])
def test_names_that_do_not_unzip_everywhere_are_not_portable(name):
    assert not portable_name(name)


def test_notices_named_like_windows_devices_get_names_every_system_can_unzip(tmp_path):
    notices = [Notice(id=i, title=f"通知 {i}", date=dt.date(2021, 5, 1), body="正文\n",
                      attachments=[Attachment("附件", f"https://www.miit.gov.cn/x?fileName=a.{i}\">x")])
               for i in ("con", "nul", "aux", "com1", "lpt1", "prn")]
    project = project_with(tmp_path, *notices)
    make_bundle(load_config(project, theme=THEME), project, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unzipped")
    assert all(portable_name(name) for name in names)
    assert len([n for n in names if n.startswith("notices/") and n.endswith(".html")]) == 6
    reached, broken = crawl(tmp_path / "unzipped")
    assert broken == [] and len([p for p in reached if p.parent.name == "notices"]) == 6


def test_saved_asset_names_keep_only_a_plain_extension():
    from sitegen.bundle import _asset_name

    assert portable_name("assets/" + _asset_name('https://x.cn/d?fileName=a.">x<script>'))
    assert _asset_name("https://x.cn/d?fileName=report.PDF").endswith(".pdf")


def test_bundles_keep_one_set_of_cache_rows_for_a_folder_that_exists(tmp_path):
    project = project_with_sample(tmp_path)
    config = load_config(project, theme=THEME)
    for name in ("a.zip", "b.zip", "c.zip"):
        make_bundle(config, project, tmp_path / name)
    with sqlite3.connect(next((project / config.cache).rglob("*.sqlite"))) as db:
        outs = [row[0] for row in db.execute("SELECT DISTINCT out FROM pages")]
    assert len(outs) == 1 and Path(outs[0]).is_dir()
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "c.zip").read_bytes()


def test_scratch_folders_of_killed_bundles_are_removed_at_the_next_start(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    dead = tmp_path / "tmp" / "sitegen-bundle-999999999-abc"  # no such process
    old_style = tmp_path / "tmp" / "sitegen-bundle-x1y2z3"  # from before folders carried a pid
    alive = tmp_path / "tmp" / f"sitegen-bundle-{os.getpid()}-def"  # a bundle running now
    for folder in (dead, old_style, alive):
        (folder / "site").mkdir(parents=True)
    project = project_with_sample(tmp_path)
    make_bundle(load_config(project, theme=THEME), project, tmp_path / "a.zip")
    assert not dead.exists() and not old_style.exists() and alive.is_dir()
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == [alive.name]


# -- local links come from the build, not from reading its HTML back (#15) --------------------

def test_the_build_points_body_links_at_saved_files_and_leaves_text_alone():
    from sitegen.site.assets import local_links

    body = ('<p>见 https://x.cn/a.png 与 <img src="https://x.cn/a.png" alt="图"> '
            '<a href="https://x.cn/f?id=1&amp;t=2">附件</a> <a href="https://x.cn/other.doc">另一个</a></p>')
    saved = {"https://x.cn/a.png": "assets/1.png", "https://x.cn/f?id=1&t=2": "assets/2.doc"}
    assert local_links(body, saved, "../") == (
        '<p>见 https://x.cn/a.png 与 <img src="../assets/1.png" alt="图"> '
        '<a href="../assets/2.doc">附件</a> <a href="https://x.cn/other.doc">另一个</a></p>')
    assert local_links(body, {}, "../") == body


def test_bundles_with_and_without_assets_in_turn_each_equal_a_fresh_one(tmp_path):
    with AssetServer({"/a.png": b"\x89PNG picture", "/f.doc": b"word"}) as origin:
        notice = Notice(id="n1", title="关于附件的通知", date=dt.date(2021, 5, 1),
                        source_url=f"{origin.origin}/f.doc",  # a record may list its page as a file too
                        body=f"正文\n\n![图]({origin.origin}/a.png)\n",
                        attachments=[Attachment("附件", f"{origin.origin}/f.doc")])
        project = project_with(tmp_path, notice, origin=origin.origin)
        config = load_config(project, theme=THEME)
        make_bundle(config, project, tmp_path / "plain-1.zip")
        report = make_bundle(config, project, tmp_path / "assets-1.zip", with_assets=True)
        make_bundle(config, project, tmp_path / "plain-2.zip")
        make_bundle(config, project, tmp_path / "assets-2.zip", with_assets=True)
    assert report.assets == 1  # the image; f.doc is the notice's own page, a source
    assert (tmp_path / "plain-1.zip").read_bytes() == (tmp_path / "plain-2.zip").read_bytes()
    assert (tmp_path / "assets-1.zip").read_bytes() == (tmp_path / "assets-2.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "assets-1.zip") as archive:
        page = archive.read("notices/n1.html").decode("utf-8")
    assert 'src="../assets/' in page and f"{origin.origin}/a.png" not in page
    assert f'href="{origin.origin}/f.doc" rel="noopener noreferrer">查看原网页' in page
