"""A notice page as a reader of the ministry's page expects it: the metadata grid, an outline,
the section marked in the navigation, an interpretation listed once."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitegen.site.outline import outline

from .test_build import CALL_CENTRE, build

INTERPRETATION = "88bd46badb754d919c07743c05764c33"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build(tmp_path_factory.mktemp("site"))


def page(site, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def test_metadata_is_a_grid_of_two_fields_a_row_with_the_title_on_a_row_of_its_own(site):
    rows = [[cell.get_text() for cell in tr.find_all(["th", "td"])]
            for tr in page(site, f"notices/{CALL_CENTRE}.html").select("table.metadata tr")]
    assert rows[:3] == [
        ["索引号", "00001854-5/2020-00197", "主题分类", "信息通信管理"],
        ["发文机关", "工业和信息化部", "成文日期", "2020年06月08日"],
        ["标题", "工业和信息化部关于加强呼叫中心业务管理的通知"],
    ]
    assert rows[-1] == ["主办司局", "信息通信管理局"]  # ten fields: the last one alone


def test_a_notice_with_several_headings_gets_an_outline_linking_to_them(site):
    notice = page(site, f"notices/{CALL_CENTRE}.html")
    entries = notice.select("nav.outline li a")
    assert [a.get_text() for a in entries][:2] == ["一、加强准入管理", "二、加强码号管理"]
    for link in entries:
        target = notice.find(id=link["href"][1:])
        assert target is not None and target.get_text() == link.get_text()


def test_outline_headings_are_enumerated_bold_paragraphs_and_heading_tags():
    body = ('<p class="center"><strong>工信部〔2020〕1号</strong></p>\n<p><strong>一、总体要求</strong></p>\n'
            "<p><strong>（一）加快进度。</strong>正文接着写</p>\n<p><strong>（二）加强管理</strong></p>\n"
            '<h2>第三章 附则</h2>\n<p class="flush"><strong>二、保障措施</strong></p>')
    html, entries = outline(body)
    assert [(e.text, e.level) for e in entries] == [
        ("一、总体要求", 1), ("（二）加强管理", 2), ("第三章 附则", 1), ("二、保障措施", 1)]
    assert '<p id="s-1"><strong>一、总体要求' in html and '<h2 id="s-3">' in html
    assert '<p id="s-4" class="flush">' in html
    # Official documents set their headings in a face, not in bold: 一、 in 黑体, （一） in 楷体.
    faces = ('<p class="center font-kai"><strong>工信部〔2020〕1号</strong></p>\n<p class="font-hei">一、总体要求</p>\n'
             '<p class="font-kai">（一）基本原则。</p>\n<p>二、正文里的列举不是标题</p>\n'
             '<p class="flush font-hei">二、保障措施</p>\n<p class="font-hei">三、' + "整段黑体" * 20 + "</p>")
    html, entries = outline(faces)
    assert [(e.text, e.level) for e in entries] == [("一、总体要求", 1), ("（一）基本原则。", 2), ("二、保障措施", 1)]
    assert '<p id="s-3" class="flush font-hei">二、保障措施' in html
    # Fewer than three headings: no outline, the body as it was.
    assert outline("<p><strong>一、总体要求</strong></p>") == ("<p><strong>一、总体要求</strong></p>", [])


def test_the_current_section_is_marked_in_the_navigation(site):
    def current(path):
        return [(a.get_text(), a["aria-current"])
                for a in page(site, path).select('nav[aria-label="浏览"] a[aria-current]')]

    assert current("theme/index.html") == [("主题分类", "page")]
    year = next(p for p in (site / "year").iterdir() if p.is_dir())
    assert current(f"year/{year.name}/index.html") == [("年份", "true")]
    assert current(f"notices/{CALL_CENTRE}.html") == [("栏目", "true")]
    assert current("search.html") == [("检索", "page")]
    assert current("index.html") == []


def test_an_interpretation_is_listed_once_as_such(site):
    notice = page(site, f"notices/{CALL_CENTRE}.html")
    links = [a["href"] for a in notice.select("aside a") if INTERPRETATION in a["href"]]
    assert len(links) == 1
    section = notice.find("a", href=links[0]).find_parent("section")
    assert section.h2.get_text() == "本文解读"
    interpretation = page(site, f"notices/{INTERPRETATION}.html")
    assert [a.find_parent("section").h2.get_text() for a in interpretation.select("aside a")
            if CALL_CENTRE in a["href"]] == ["解读对象"]


def test_an_image_left_on_the_ministrys_site_says_so_as_attachments_do(tmp_path):
    import datetime as dt

    from sitegen.content import notice_text
    from sitegen.notice import Notice

    from .test_build import build

    folder = tmp_path / "project" / "content" / "2021"
    folder.mkdir(parents=True)
    body = ("正文\n\n![图1](https://www.miit.gov.cn/pic/chart.png)\n\n"
            "<figure>\n<img src=\"https://www.miit.gov.cn/pic/map.png\" alt=\"图2　地图\">\n"
            "<figcaption>图2　地图</figcaption>\n</figure>\n\n"
            "![外部](https://example.org/logo.png)\n\n![本地](../local.png)\n")
    notice = Notice(id="img", title="关于图片的通知", date=dt.date(2021, 5, 1), body=body)
    (folder / "img.md").write_text(notice_text(notice), encoding="utf-8")
    html = page(build(tmp_path), "notices/img.html")
    notes = {img["src"]: img.find_next_sibling("span", class_="note") for img in html.select(".body img")}
    assert notes["https://www.miit.gov.cn/pic/chart.png"].get_text() == "（图片位于原网站）"
    assert notes["https://www.miit.gov.cn/pic/map.png"].get_text() == "（图片位于原网站）"
    assert notes["https://example.org/logo.png"].get_text() == "（图片位于其他网站）"
    assert notes["../local.png"] is None  # not on the web: nothing to say
