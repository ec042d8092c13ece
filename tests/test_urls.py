"""Script URLs outside the body: no URL field lets another scheme than http(s) reach a link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.content import read_notice
from sitegen.importer import import_pages
from sitegen.site.theme import template_environment
from sitegen.urls import WEB_SCHEMES, href, scheme_allowed, url_scheme, web_url

from .samples import REPO, make_page, make_record, write_page

# How a script URL hides: case, spaces, controls, entities (once, twice, without ';').
HOSTILE = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "   javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u200bjavascript:alert(1)",
    "\u3000javascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3A;alert(1)",
    "javascript&#x3a alert(1)",
    "javascript&amp;colon;alert(1)",
    "&#106;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    # the scheme hidden before a long path of Chinese names (only what precedes '/' is judged)
    "java\u200bscript&#58;alert(1)//附件/关于数据安全的通知.docx?fileName=说明.doc",
]
THEME = REPO / "themes" / "default"


@pytest.mark.parametrize("url", HOSTILE)
def test_every_disguise_of_a_script_url_is_refused(url):
    assert not scheme_allowed(url, WEB_SCHEMES)
    assert href(url) == ""
    assert web_url(url, "https://www.miit.gov.cn/") == ""


@pytest.mark.parametrize("url, scheme", [
    ("https://www.miit.gov.cn/a.html?x=1&amp;y=2", "https"),
    ("HTTP://example.org", "http"),
    ("/zwgk/a.html", ""),
    ("a/b:c.html", ""),
    ("?q=a:b", ""),
    ("#x:y", ""),
])
def test_web_and_relative_urls_keep_their_meaning(url, scheme):
    assert url_scheme(url) == scheme
    assert href(url) == url


@pytest.mark.parametrize("url", HOSTILE)
@pytest.mark.parametrize("tail", ["/文件.docx", "?fileName=附件\u200b.docx", "&#47;x:y", "#&#58;"])
def test_the_scheme_is_read_the_same_whatever_follows(url, tail):
    import html
    import unicodedata

    def whole_url_judged(url):  # the judge reading every character, as it did before
        for _ in range(4):
            url = html.unescape(url)
        url = "".join(ch for ch in url if ord(ch) > 0x20 and ch != "\x7f" and unicodedata.category(ch)[0] not in "CZ")
        end = min([i for i in (url.find(m) for m in "/?#") if i != -1] or [len(url)])
        colon = url.find(":", 0, end)
        return "" if colon == -1 else url[:colon].lower()

    assert url_scheme(url + tail) == whole_url_judged(url + tail) not in WEB_SCHEMES


def test_import_resolves_urls_against_the_origin_and_drops_other_schemes(tmp_path):
    body = '<p>正文<a href="https://www.miit.gov.cn/f.pdf">附件</a></p>'
    records = [make_record(f"r{i}", f"关于第{i}项的通知", body, url=url) for i, url in enumerate(HOSTILE)]
    records.append(make_record("good", "关于好的通知", "<p>好</p>", url="/zwgk/a.html"))
    report = import_pages([write_page(tmp_path / "p.json", make_page(*records))], tmp_path / "c")
    assert report.failed == 0
    notices = {n.id: n for n in map(read_notice, (tmp_path / "c").rglob("*.md"))}
    assert notices["good"].source_url == "https://www.miit.gov.cn/zwgk/a.html"
    for i in range(len(HOSTILE)):
        assert notices[f"r{i}"].source_url == ""
        # The body's links were resolved against the origin, not against the script URL.
        assert [a.url for a in notices[f"r{i}"].attachments] == ["https://www.miit.gov.cn/f.pdf"]
    assert sum("url: not an http(s) URL" in w for w in report.warnings) == len(HOSTILE)


def test_an_attachment_field_on_another_scheme_is_not_imported(tmp_path):
    record = make_record("a", "关于附件的通知", "<p>x</p>")
    fields = [{"fieldName": "content", "fieldValue": "<p>x</p>"},
              {"fieldName": "pdf", "fieldTitle": "PDF", "fieldValue": "/x/a.pdf"},
              {"fieldName": "mail", "fieldTitle": "M", "fieldValue": "mailto:a@b.c"}]
    import json
    record["data"]["infoextends"] = json.dumps({"infoContent": json.dumps(fields)})
    import_pages([write_page(tmp_path / "p.json", make_page(record))], tmp_path / "c")
    (path,) = (tmp_path / "c").rglob("*.md")
    assert [a.url for a in read_notice(path).attachments] == ["https://www.miit.gov.cn/x/a.pdf"]


def _notice_file(folder: Path, extra: str) -> Path:
    path = folder / "2020" / "x.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: 关于测试的通知\nid: x\ndate: 2020-01-02\n{extra}---\n\n正文\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("url", HOSTILE)
@pytest.mark.parametrize("field, template, line", [
    ("source_url", "source_url: {}\n", 5),
    ("attachments[1].url", "attachments:\n- title: a\n  url: https://a.example/a.pdf\n- title: b\n  url: {}\n", 9),
    ("also_published[0].source_url", "also_published:\n- id: y\n  source_url: {}\n", 7),
])
def test_check_refuses_every_url_field_on_another_scheme(tmp_path, url, field, template, line):
    import json
    path = _notice_file(tmp_path, template.format(json.dumps(url)))
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(path))}:{line}: {re.escape(field)}: .*(not allowed|not a URL|control character)",
                     result.output, re.MULTILINE), result.output


def test_check_refuses_a_relative_source_url(tmp_path):
    path = _notice_file(tmp_path, "source_url: /zwgk/a.html\n")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{path}:5: source_url: not an absolute http(s) URL" in result.output


@pytest.mark.parametrize("url", HOSTILE)
def test_the_href_filter_never_writes_another_scheme(url):
    template = template_environment(THEME).from_string('<a href="{{ u|href }}">{% if u|href %}x{% endif %}</a>')
    assert template.render(u=url) == '<a href=""></a>'
    assert template.render(u="https://a.example/?a=1&b=2") == '<a href="https://a.example/?a=1&amp;b=2">x</a>'


def test_every_href_and_src_a_template_builds_from_data_goes_through_the_filter():
    # Links inside the site start with `root` or a literal path; anything else is data.
    unfiltered = []
    for path in sorted((THEME / "templates").iterdir()):
        for match in re.finditer(r'(?:href|src)="([^"]*)"', path.read_text(encoding="utf-8")):
            value = match.group(1)
            first = re.match(r"\{\{\s*([\w.]+)", value)
            if first and first.group(1) not in ("root", "axis.folder", "term.page_url") \
                    and "|href" not in value:
                unfiltered.append(f"{path.name}: {value}")
    assert unfiltered == []
