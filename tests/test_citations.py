"""Citations between notices, interpretations, and the data exports."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from sitegen.citations import find_citations, link_archive, link_html, plain_body
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content import notice_files, read_notice
from sitegen.notice import Notice
from sitegen.site.build import build_site

from .samples import REPO

APP_NOTICE = "399f162b876040deab3d0534764f856f"
QUALITY = "bfb984e6051a4952a2a42703354581d5"
CALL_CENTRE = "d68d7bd0a2a148fb8f9b94547ab5397f"
INTERPRETATION = "88bd46badb754d919c07743c05764c33"


@pytest.mark.parametrize("text, key", [
    ("依据工信部信管〔2020〕81号文件", "工信部信管〔2020〕81号"),
    ("见工信厅信管﹝2019﹞86号", "工信厅信管〔2019〕86号"),
    ("国发[2020]5号", "国发〔2020〕5号"),
    ("国办发（2018）第12号", "国办发〔2018〕12号"),
    ("工信部联通信(2021) 003号", "工信部联通信〔2021〕3号"),
    ("《规定》（工业和信息化部令第24号）", "工业和信息化部令第24号"),
    ("依照第24号令执行", "令第24号"),
])
def test_file_numbers_in_their_real_variety(text, key):
    assert [c.key for c in find_citations(text) if c.kind == "number"] == [key]


@pytest.mark.parametrize("text", [
    "《电信业务分类目录（2015年版）》相关规定",  # a year in brackets that is not a file number
    "（2020年）第三季度",
    "〔2020〕年度报告",
    "共计81号段",
])
def test_false_friends_are_not_file_numbers(text):
    assert [c for c in find_citations(text) if c.kind == "number"] == []


def sample_links():
    notices = [read_notice(p) for p in notice_files(REPO / "content")]
    citations = {n.id: find_citations(plain_body(n.body)) for n in notices}
    return notices, link_archive(notices, citations)


def test_the_sample_links_citations_in_both_directions():
    _, links = sample_links()
    assert links.cites[QUALITY] == [APP_NOTICE]  # by its full title in 《》
    assert links.cites[INTERPRETATION] == [CALL_CENTRE]  # by file number and short title
    assert links.cited_by[APP_NOTICE] == [QUALITY]
    assert sorted(links.cited_by[CALL_CENTRE]) == [INTERPRETATION]
    assert links.explains == {INTERPRETATION: CALL_CENTRE}
    # A notice quoting its own file number does not cite itself.
    assert CALL_CENTRE not in links.cites
    # Books and laws outside the archive stay unresolved, never linked.
    assert "《电信条例》" in links.unresolved[CALL_CENTRE]
    assert all(target != "" for text, target in links.anchors[INTERPRETATION])


def test_titles_resolve_with_and_without_the_issuer_prefix_but_not_when_ambiguous():
    notices = [
        Notice(id="a", title="工业和信息化部关于加强呼叫中心业务管理的通知", file_number="工信部信管〔2020〕81号"),
        Notice(id="b", title="关于开展试点的通知"),
        Notice(id="c", title="国家发展改革委关于开展试点的通知"),
        Notice(id="d", title="引用者", body=""),
    ]
    text = "根据《关于加强呼叫中心业务管理的通知》和《关于开展试点的通知》及《网络安全法》"
    links = link_archive(notices, {"d": find_citations(text)})
    assert links.cites["d"] == ["a"]
    assert sorted(links.unresolved["d"]) == ["《关于开展试点的通知》", "《网络安全法》"]


def test_links_are_added_to_text_only_and_never_inside_other_links():
    html = '<p>依据工信部信管〔2020〕81号，见<a href="x">工信部信管〔2020〕81号</a>。</p>'
    out = link_html(html, [("工信部信管〔2020〕81号", "d68.html")])
    assert out == ('<p>依据<a class="citation" href="d68.html">工信部信管〔2020〕81号</a>，'
                   '见<a href="x">工信部信管〔2020〕81号</a>。</p>')



def test_a_citation_in_a_tag_is_left_alone_and_the_longest_of_two_at_one_place_is_linked():
    html = '<p><img alt="《甲法》" src="a.png">《甲法实施条例》与《甲法》</p>'
    out = link_html(html, [("《甲法》", "a.html"), ("《甲法实施条例》", "b.html")])
    assert out == ('<p><img alt="《甲法》" src="a.png"><a class="citation" href="b.html">《甲法实施条例》</a>'
                   '与<a class="citation" href="a.html">《甲法》</a></p>')


def _link_piece_by_piece(html, anchors):
    """What link_html means, written the slow way: each text between tags on its own."""
    import html as html_module
    import re
    targets = {}
    for text, href in anchors:
        targets.setdefault(html_module.escape(text, quote=False), href)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True)))
    out, inside_link = [], 0
    for piece in re.split(r"(<[^<>]+>)", html):
        if piece.startswith("<"):
            inside_link = (max(0, inside_link - 1) if piece == "</a>"
                           else inside_link + (piece.startswith("<a ") or piece == "<a>"))
            out.append(piece)
        elif inside_link or not piece or not targets:
            out.append(piece)
        else:
            out.append(pattern.sub(lambda m: f'<a class="citation" href="{html_module.escape(targets[m.group(0)])}">'
                                             f"{m.group(0)}</a>", piece))
    return "".join(out)


@given(pieces=st.lists(st.sampled_from(["<p>", "</p>", '<a href="x">', "<a>", "</a>", "<", ">", "甲", "乙",
                                        "《甲》", "甲甲", "&amp;", " ", '<img alt="甲', '">', "<a title=甲>"]),
                       max_size=30),
       anchors=st.lists(st.tuples(st.sampled_from(["甲", "甲甲", "《甲》", "甲乙", "&", "《甲", "乙"]),
                                  st.sampled_from(["a.html", "b&c.html"])), max_size=4))
def test_links_go_where_a_reading_of_each_text_between_tags_puts_them(pieces, anchors):
    html = "".join(pieces)
    assert link_html(html, anchors) == _link_piece_by_piece(html, anchors)

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = tmp_path_factory.mktemp("xref") / "project"
    shutil.copytree(REPO / "content", project / "content")
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project, search=False)
    return project / "public"


def test_notice_pages_show_cites_cited_by_and_interpretations(site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((site / "notices" / f"{CALL_CENTRE}.html").read_text(encoding="utf-8"), "html.parser")
    sections = {s.h2.get_text(): [a.get_text() for a in s.select("a")] for s in page.select("aside section")}
    assert sections["本文解读"] == ["《工业和信息化部关于加强呼叫中心业务管理的通知》解读"]
    assert "被以下文件引用" not in sections  # its only citer is the interpretation, listed once
    quality = BeautifulSoup((site / "notices" / f"{QUALITY}.html").read_text(encoding="utf-8"), "html.parser")
    link = quality.select_one("article .body a.citation")
    assert link["href"] == f"{APP_NOTICE}.html"
    assert link.get_text() == "《工业和信息化部关于开展纵深推进APP侵害用户权益专项整治行动的通知》"


def test_catalogs_and_notice_json_hold_every_field(site):
    rows = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert len(rows) == 9
    row = next(r for r in rows if r["id"] == CALL_CENTRE)
    assert row["file_number"] == "工信部信管〔2020〕81号" and row["date"] == "2020-06-18"
    assert row["url"] == f"notices/{CALL_CENTRE}.html" and row["also_published"][0]["column"] == "电信和互联网业务"
    table = list(csv.DictReader(io.StringIO((site / "catalog.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    single = json.loads((site / "notices" / f"{CALL_CENTRE}.json").read_text(encoding="utf-8"))
    assert single["body_markdown"].startswith("{.center .font-kai}\n工信部信管〔2020〕81号")


def test_feeds_per_column_and_theme_and_the_year_chart(site):
    feeds = sorted(p.relative_to(site).parts[0] for p in site.glob("*/*/feed.xml"))
    assert feeds.count("column") == 6 and feeds.count("theme") == 3
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<svg" in home and "2020年：9 篇" in home and "<script" not in home.split("</main>")[0]


def test_check_reports_file_line_field_reason_and_exits_non_zero(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    (tmp_path / "content" / "2020" / "bad.md").write_text(
        "---\ntitle: t\nid: x\nwritten: 2020-02-31\n---\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.strip() == "content/2020/bad.md:4: written: not a YYYY-MM-DD date: '2020-02-31'"


def test_stats_counts_and_sizes_the_citation_graph(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 0
    assert result.output.startswith("9 notices")
    assert "2 links between notices" in result.output and "1 interpretations paired" in result.output



def test_orders_and_numbers_resolve_through_the_words_before_them():
    notices = [Notice(id="order", title="电信和互联网用户个人信息保护规定", file_number="工业和信息化部令第24号"),
               Notice(id="call", title="通知", file_number="工信部信管〔2020〕81号"),
               Notice(id="d", title="引用者")]
    text = "依据工业和信息化部令第24号，按照工信部信管〔2020〕81号，另见第24号令。"
    links = link_archive(notices, {"d": find_citations(text)})
    assert links.cites["d"] == ["order", "call"]
    assert [text for text, _ in links.anchors["d"]] == ["工业和信息化部令第24号", "工信部信管〔2020〕81号", "第24号令"]


# Each runs in a child process killed after the bound: a quadratic pattern takes hours on these.
PATHOLOGICAL = {
    "image openers": "'![x](' * 200_000",
    "guillemets": "'‹' * 1_000_000",
    "tag openers": "'<' * 1_000_000",
    "brackets": "'[' * 1_000_000",
    "link openers": "'[x](' * 250_000",
    "escaped images": "'!\\\\[x\\\\](' * 150_000",
    "citation anchors": "'〔2020〕1号' * 125_000",
    "file numbers": "'工信部〔2020〕1号' * 91_000",
    "orders": "'令第' * 500_000",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_citations_and_duplicates_take_linear_time_on_pathological_bodies(name):
    import subprocess
    import sys
    script = (
        "from sitegen.citations import find_citations, link_archive, plain_body\n"
        "from sitegen.dedup import duplicate_groups\n"
        "from sitegen.notice import Notice\n"
        f"text = {PATHOLOGICAL[name]}\n"
        "assert len(text) >= 1_000_000\n"
        "notices = [Notice(id=i, title=text[:100_000], body=text) for i in ('a', 'b')]\n"
        "link_archive(notices, {n.id: find_citations(plain_body(n.body)) for n in notices})\n"
        "duplicate_groups(notices)\n"
    )
    # Linear takes a few seconds on a busy machine; quadratic, hours.
    subprocess.run([sys.executable, "-c", script], check=True, timeout=90)


_LINK_AS_WRITTEN = re.compile(r"!?\[([^\[\]]*)\]\([^()\[\]]*\)")  # one pattern, as plain_body had it


@given(st.text(alphabet="![]()a《》\\", max_size=40))
def test_links_and_images_leave_their_text_as_one_pattern_with_an_optional_bang_would(text):
    from sitegen.citations import _unlink

    assert _unlink(text) == _LINK_AS_WRITTEN.sub(r"\1", text)


def test_an_image_leaves_its_text_and_a_bang_elsewhere_stays():
    assert plain_body("见![图1](a.png)与[附件](b.pdf)!好![x]") == "见图1与附件!好![x]"
