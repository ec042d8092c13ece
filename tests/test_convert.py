"""The converter: every trap of Word-exported CMS HTML, as an example."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.convert import convert
from sitegen.convert.fidelity import measure
from sitegen.render import render_markdown

BASE = "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tg/art/2020/art_x.html"


def md(html: str) -> str:
    return convert(html, BASE).markdown


def rendered(html: str) -> str:
    return render_markdown(md(html))


def text_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def test_word_noise_goes_and_text_stays():
    html = ('<p style="TEXT-INDENT: 2em">近日，工业和信息化部印发通知&nbsp; \n'
            ' <!--?xml:namespace prefix = "o" /--> <o:p style="x"></o:p></p>')
    assert md(html) == "近日，工业和信息化部印发通知\n"


def test_br_lines_become_paragraphs():
    html = "<p>工业和信息化部办公厅<br/>2020年8月24日</p>"
    assert md(html) == "工业和信息化部办公厅\n\n2020年8月24日\n"


def test_indentation_goes_but_ideographic_space_inside_a_line_stays():
    html = "<p>&nbsp;&nbsp;\u3000\u3000李\u3000琰 010-68208246</p>"
    assert md(html) == "李\u3000琰 010-68208246\n"


def test_bold_that_commonmark_flanking_would_break_still_renders_bold():
    html = "<p><strong>（一）加快进度。</strong>基础设施</p><p>依据<b>《条例》</b>规定</p>"
    out = rendered(html)
    assert "<strong>（一）加快进度。</strong>基础设施" in out
    assert "依据<strong>《条例》</strong>规定" in out
    assert "*" not in text_of(out)


def test_plain_bold_uses_asterisks_and_split_runs_merge():
    html = "<p><strong>一、</strong><strong>加强</strong><strong>准入管理</strong><strong><br/></strong></p>"
    assert md(html) == "**一、加强准入管理**\n"
    assert md("<p><strong>加强准入管理</strong></p>") == "**加强准入管理**\n"


def test_font_weight_styles_count_as_bold_and_normal_cancels_it():
    html = ('<p><span style="font-weight: bold">重点</span>'
            '<strong><span style="font-weight: normal">普通</span></strong></p>')
    assert md(html) == "**重点**普通\n"


def test_br_never_inside_bold():
    out = rendered("<p><strong>标题一<br/>标题二</strong></p>")
    assert "<br" not in out
    assert out.count("<strong>") == 2


def test_text_that_looks_like_markdown_stays_text():
    lines = ["1. 第一项", "2020. 年度", "1) 括号", "# 不是标题", "- 不是列表", "* 星号", "+ 加号",
             "> 不是引用", "---", "a*b*c", "a_b_c", "`code`", "a|b", "C:\\path", "[链接](x)",
             "&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;lt;b&amp;gt;", "{.right}", "==="]
    html = "".join(f"<p>{line}</p>" for line in lines)
    out = rendered(html)
    assert "<ol" not in out and "<ul" not in out and "<h1" not in out
    assert "<blockquote" not in out and "<hr" not in out and "<em" not in out
    assert "<code" not in out and "<script" not in out and 'class="right"' not in out
    paragraphs = [text_of(p) for p in re.findall(r"<p>.*?</p>", out)]
    expected = [text_of(line) for line in lines]
    assert paragraphs == expected


def test_alignment_survives():
    html = ('<p style="text-align: center;"><strong>工信部信管〔2020〕81号</strong></p>'
            '<p style="text-align:right">工业和信息化部</p><p align="right">2020年6月8日</p>'
            '<p style="text-align: justify">正文</p>')
    out = rendered(html)
    assert '<p class="center"><strong>工信部信管〔2020〕81号</strong></p>' in out
    assert '<p class="right">工业和信息化部</p>' in out
    assert '<p class="right">2020年6月8日</p>' in out
    assert "<p>正文</p>" in out


def test_headings_lists_and_tables_keep_their_shape():
    html = ("<h1 style='text-align:center'>关于加强管理的通知</h1><h3>第二章</h3>"
            "<ul><li>甲</li><li>乙<ul><li>乙一</li></ul></li></ul><ol start='3'><li>丙</li><li>丁</li></ol>"
            "<table><tr><th colspan='2'>表头</th></tr><tr><td rowspan='2'>合并</td><td>一</td></tr>"
            "<tr><td><p>二</p><p>三</p></td></tr></table>")
    out = rendered(html)
    assert '<h1 class="center">关于加强管理的通知</h1>' in out
    assert "<h3>第二章</h3>" in out
    assert re.search(r"<ul>\s*<li>\s*(<p>)?甲", out)
    assert re.search(r"<li>\s*(<p>)?乙一", out)
    assert '<ol start="3">' in out
    assert '<th colspan="2">表头</th>' in out
    assert '<td rowspan="2">合并</td>' in out
    assert "<td>二<br>三</td>" in out


def test_links_and_images_become_absolute_and_attachments_are_found():
    html = ('<p><a href="/api-gateway/jpaas-web-server/front/document/file-download?fileUrl=/cms_files/a.doc'
            '&fileName=1.统计表.doc">1.统计表.doc</a></p>'
            '<p><a href="../part/8065176.doc">2.报名表</a> <a href="https://example.org/page">外链</a></p>'
            '<p><img src="/cms_files/picture/1.png" title="1.png"/></p>')
    result = convert(html, BASE)
    out = render_markdown(result.markdown)
    assert 'href="https://www.miit.gov.cn/api-gateway/jpaas-web-server/front/document/file-download?' in out
    assert 'href="https://www.miit.gov.cn/zwgk/zcwj/wjfb/tg/art/part/8065176.doc"' in out
    assert 'src="https://www.miit.gov.cn/cms_files/picture/1.png"' in out
    assert [a.title for a in result.attachments] == ["1.统计表.doc", "2.报名表"]
    assert all(a.url.startswith("https://www.miit.gov.cn/") for a in result.attachments)


def test_hostile_html_never_survives():
    html = ('<p onclick="steal()">正文<script>alert(1)</script><style>p{color:red}</style></p>'
            '<iframe src="https://evil.example/"></iframe><object data="x.swf">o</object>'
            '<embed src="x.swf"><form action="/x"><input value="v">表单文字</form>'
            '<p><a href="javascript:alert(1)">点我</a> <a href="JaVa\tScRiPt:alert(2)">再点</a>'
            '<a href="data:text/html;base64,PHNjcmlwdD4=">数据</a>'
            '<img src="x" onerror="alert(3)"><img src="data:image/png;base64,AAAA"></p>')
    markdown = md(html)
    out = render_markdown(markdown)
    for bad in ("<script", "alert", "onclick", "onerror", "<style", "color:red", "<iframe",
                "<object", "<embed", "<form", "<input", "javascript", "data:"):
        assert bad not in out.lower(), bad
        assert bad not in markdown.lower(), bad
    for kept in ("正文", "表单文字", "点我", "再点", "数据"):
        assert kept in text_of(out)


def test_raw_html_in_text_is_shown_not_run():
    html = "<p>&lt;img src=x onerror=alert(1)&gt; &lt;strong&gt;不是粗体&lt;/strong&gt;</p>"
    out = rendered(html)
    assert "<img" not in out and "<strong>" not in out
    assert text_of(out) == "<img src=x onerror=alert(1)> <strong>不是粗体</strong>\n"


def test_fidelity_detects_lost_and_added_text():
    source = "<p>工业和信息化部关于加强呼叫中心业务管理的通知</p>"
    assert measure(source, md(source)).perfect
    lost = measure(source, "工业和信息化部关于加强呼叫中心的通知\n")
    assert lost.lost == 4 and lost.added == 0 and lost.ratio < 1
    added = measure(source, "工业和信息化部关于加强呼叫中心业务管理的通知（附）\n")
    assert added.added == 3


_INLINE = st.sampled_from(["", "strong", "b", "span", "em", "a"])
_PIECE = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from(list("*_`#>-+|\\[](){}!&;<1.\u3000\u00a0 ")
                      + ["&lt;", "&amp;", "1. ", "# ", "**", "&#42;", "{.right}", "---"]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_INLINE, _PIECE, st.booleans()), max_size=8))
def test_any_text_survives_the_round_trip(pieces):
    from html import escape

    parts = []
    for tag, text, line_break in pieces:
        body = escape(text)
        if tag == "a":
            parts.append(f'<a href="/x/{len(text)}.html">{body}</a>')
        elif tag:
            parts.append(f"<{tag}>{body}</{tag}>")
        else:
            parts.append(body)
        if line_break:
            parts.append("<br/>")
    source = "<p>" + "".join(parts) + "</p>"
    fidelity = measure(source, md(source))
    assert fidelity.perfect, (source, md(source))
