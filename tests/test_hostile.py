"""Hostile metadata in every field, through import and build, against every output: pages,
feeds, sitemap, catalog.json / catalog.csv and the per-notice JSON."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.importer import import_pages
from sitegen.notice import Attachment, Notice, Publication
from sitegen.site.build import build_site
from sitegen.site.data import spreadsheet_safe
from sitegen.urls import WEB_SCHEMES, url_scheme

from .samples import REPO, make_page, make_record, write_page

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\t=1+1", " =1+1", "＝1+1"]
TEXT_FIELDS = {"filenumbername": "file_number", "xxgkextend2": "issuer", "publishgroupname": "department",
               "columnname": "column", "themename": "theme", "typename": "doc_type", "indexcode": "index_code"}


def _hostile_records() -> list[dict]:
    records = []
    for i, formula in enumerate(FORMULAS):
        fields = {key: f"{formula}\x01{key}{i}\x1b" for key in TEXT_FIELDS}
        body = ('<p>正文<a href="javascript:alert(1)">点</a><a href="/f/a.pdf">附件</a>'
                '<a href="mailto:a@b.example">信</a></p>')
        records.append(make_record(f"h{i}", f"{formula}关于\x01第{i}号\x08的通知", body,
                                   url=" JavaScript&colon;alert(document.domain)", **fields))
    return records


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("hostile")
    page = write_page(project / "raw" / "p.json", make_page(*_hostile_records()))
    report = import_pages([page], project / "content")
    assert report.failed == 0 and len(report.created) == len(FORMULAS)
    assert CliRunner().invoke(main, ["check", "--content", str(project / "content")]).exit_code == 0
    config = load_config(project, theme=str(REPO / "themes" / "default"), base_url="https://archive.example/")
    build_site(config, project, search=False)
    return project / "public"


def test_every_xml_output_is_well_formed(hostile_site):
    xml_files = sorted(hostile_site.rglob("*.xml"))
    assert len(xml_files) > 3
    for path in xml_files:
        ET.parse(path)  # raises on a control character, a bad entity, an unclosed tag


def test_no_output_carries_a_control_character_or_a_script_url(hostile_site):
    for path in hostile_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".csv", ".txt"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text), path
            assert not re.search(r"javascript\s*(:|&colon|&#0*58|&#x0*3a)", text, re.IGNORECASE), path


def test_every_href_and_src_in_the_pages_is_relative_or_on_an_allowed_scheme(hostile_site):
    for path in hostile_site.rglob("*.html"):
        for tag in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select("[href], [src]"):
            url = tag.get("href") or tag.get("src")
            assert url_scheme(url) in ("", *WEB_SCHEMES, "mailto"), (path, url)


def test_every_url_in_the_data_files_is_http(hostile_site):
    records = json.loads((hostile_site / "catalog.json").read_text(encoding="utf-8"))
    assert len(records) == len(FORMULAS)
    for record in records:
        assert record["source_url"] == ""
        assert [a["url"] for a in record["attachments"]] == ["https://www.miit.gov.cn/f/a.pdf"]
        per_notice = json.loads((hostile_site / record["url"].replace(".html", ".json")).read_text(encoding="utf-8"))
        assert per_notice["attachments"] == record["attachments"]


def test_no_csv_cell_is_read_as_a_formula(hostile_site):
    rows = list(csv.reader(io.StringIO((hostile_site / "catalog.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(FORMULAS) + 1
    for row in rows[1:]:
        for cell in row:
            assert not cell.lstrip(" ")[:1] in set("=+-@\t\r＝＋－＠"), cell


@pytest.mark.parametrize("value, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    (" =1", "' =1"), ("工信部〔2020〕1号", "工信部〔2020〕1号"), ("", ""), ("a=b", "a=b"),
])
def test_spreadsheet_safe_cells(value, safe):
    assert spreadsheet_safe(value) == safe


def test_a_file_read_before_check_refused_it_cannot_put_a_script_url_in_the_data(tmp_path):
    # E.g. parsed by an older sitegen and kept in the build cache: the outputs judge again.
    from sitegen.site.data import notice_record
    notice = Notice(id="x", title="t", source_url="javascript:alert(1)",
                    attachments=[Attachment("a", "data:text/html,x")],
                    also_published=[Publication("y", "c", "vbscript:x")])
    record = notice_record(notice)
    assert record["source_url"] == "" and record["attachments"][0]["url"] == ""
    assert record["also_published"][0]["source_url"] == ""


def test_stats_on_an_empty_or_missing_archive_says_so(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["stats", "--content", str(tmp_path / "empty")])
    assert result.exit_code == 0 and result.output.startswith("0 notices")
    result = CliRunner().invoke(main, ["stats", "--content", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "folder not found" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_stats_leaves_out_files_with_errors_and_says_how_many(tmp_path):
    (tmp_path / "2020").mkdir()
    (tmp_path / "2020" / "a.md").write_text(notice_text(Notice(id="a", title="关于甲的通知")), encoding="utf-8")
    (tmp_path / "2020" / "b.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["stats", "--content", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.startswith("1 notice (1 file with errors left out")


def test_check_reads_only_notice_files_inside_content(tmp_path):
    content = tmp_path / "content"
    (content / "2020" / "folder.md").mkdir(parents=True)
    (content / "2020" / "dangling.md").symlink_to(tmp_path / "gone.md")
    secret = tmp_path / "elsewhere" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(notice_text(Notice(id="secret", title="机密")), encoding="utf-8")
    (content / "2020" / "leak.md").symlink_to(secret)
    (content / "2020" / "ok.md").write_text(notice_text(Notice(id="ok", title="关于甲的通知")), encoding="utf-8")
    (content / "2020" / "alias.md").symlink_to(content / "2020" / "ok.md")
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    # The link inside content is read (and is the same id twice); nothing outside is.
    assert "the same id as" in result.output and "secret" not in result.output
    from sitegen.content import notice_files
    assert [p.name for p in notice_files(content)] == ["alias.md", "ok.md"]


def test_import_never_writes_over_a_broken_file_whose_id_it_cannot_read(tmp_path):
    from sitegen.content import relative_path
    record = make_record("a", "关于甲的通知", "<p>甲</p>")
    content = tmp_path / "content"
    import_pages([write_page(tmp_path / "p.json", make_page(record))], content)
    (path,) = content.rglob("*.md")
    path.write_text("---\ntitle: [我改坏了\n---\n\n校对中的正文\n", encoding="utf-8")
    report = import_pages([tmp_path / "p.json"], content)
    assert path.read_text(encoding="utf-8").endswith("校对中的正文\n")
    assert path == content / relative_path(Notice(id="a", title="t", date=read_date(record)))
    assert any("cannot be read has this name; not written" in e for e in report.errors)


def read_date(record):
    from sitegen.dates import beijing_date
    return beijing_date(record["data"]["cdate"])


def test_a_control_character_in_a_hand_edited_body_is_dropped_and_the_body_stays_html(tmp_path):
    content = tmp_path / "project" / "content" / "2021"
    content.mkdir(parents=True)
    notice = Notice(id="c", title="关于甲的通知", body="第一段\x01有**重点**。\n\n| a | b |\n|---|---|\n| 1\x02 | 2 |\n")
    (content / "c.md").write_text(notice_text(notice), encoding="utf-8")
    build_site(load_config(tmp_path / "project", theme=str(REPO / "themes" / "default")), tmp_path / "project",
               search=False)
    page = (tmp_path / "project" / "public" / "notices" / "c.html").read_text(encoding="utf-8")
    assert "<strong>重点</strong>" in page and "<td>1</td>" in page
    assert "\x01" not in page and "\x02" not in page


def test_a_warm_build_writes_files_with_the_mode_a_cold_one_does(tmp_path):
    from sitegen.content import current_umask
    project = tmp_path / "project"
    (project / "content" / "2021").mkdir(parents=True)
    path = project / "content" / "2021" / "a.md"
    path.write_text(notice_text(Notice(id="a", title="关于甲的通知", body="甲")), encoding="utf-8")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=False)
    path.write_text(notice_text(Notice(id="a", title="关于甲的通知（修订）", body="甲乙")), encoding="utf-8")
    build_site(config, project, search=False)
    modes = {p.stat().st_mode & 0o777 for p in (project / "public").rglob("*") if p.is_file()}
    assert modes == {0o666 & ~current_umask()}
