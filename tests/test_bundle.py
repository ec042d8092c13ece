"""`sitegen bundle`: one deterministic zip that works from disk, assets optionally included."""

from __future__ import annotations

import shutil
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from sitegen.bundle import make_bundle
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
    assert any(n.startswith("pagefind/shards/") and "/index/" in n and n.endswith(".js") for n in names)
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
        import datetime as dt
        notice = Notice(
            id="n1", title="关于附件的通知", date=dt.date(2021, 5, 1),
            body=f"正文\n\n![图1]({origin}/pic/chart.png)\n\n[附件1]({origin}/doc/table.doc)\n",
            attachments=[Attachment("附件1", f"{origin}/doc/table.doc"),
                         Attachment("缺失的附件", f"{origin}/doc/missing.doc"),
                         Attachment("太大的附件", f"{origin}/big.pdf")],
        )
        (project / "content" / "2021" / "n1.md").write_text(notice_text(notice), encoding="utf-8")
        report = make_bundle(load_config(project, theme=THEME), project, tmp_path / "a.zip",
                             with_assets=True, max_asset_bytes=2000)
    finally:
        server.shutdown()
    assert report.assets == 2
    assert sorted(line.split(": ")[0].rsplit("/", 1)[1] for line in report.failed_assets) == ["big.pdf", "missing.doc"]
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    page = (tmp_path / "unzipped" / "notices" / "n1.html").read_text(encoding="utf-8")
    assert f"{origin}/pic/chart.png" not in page and f"{origin}/doc/table.doc" not in page
    assert "（已随归档保存）" in page and "（文件位于原网站）" in page  # the missing one stays remote
    assert crawl(tmp_path / "unzipped")[1] == []
    saved = sorted(p.read_bytes()[:4] for p in (tmp_path / "unzipped" / "assets").iterdir())
    assert saved == sorted([b"\x89PNG", b"word"])
