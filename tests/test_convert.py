"""The converter: every trap of Word-exported CMS HTML, as an example."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.convert import convert
from sitegen.convert.fidelity import measure
from sitegen.convert.layout import read_source
from sitegen.convert.text import parse_html, visible_text
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


def test_br_is_a_line_break_of_its_paragraph_and_an_empty_line_starts_another():
    html = "<p>工业和信息化部办公厅<br/>2020年8月24日</p>"
    assert md(html) == "{.flush}\n工业和信息化部办公厅\\\n2020年8月24日\n"
    assert md("<p>甲<br><br/>乙</p>") == "{.flush}\n甲\n\n{.flush}\n乙\n"


def test_indentation_becomes_a_class_and_ideographic_space_inside_a_line_stays():
    html = "<p>&nbsp;&nbsp;\u3000\u3000李\u3000琰 010-68208246</p>"
    assert md(html) == "{.indent-3}\n李\u3000琰 010-68208246\n"


def test_bold_that_commonmark_flanking_would_break_still_renders_bold():
    html = "<p><strong>（一）加快进度。</strong>基础设施</p><p>依据<b>《条例》</b>规定</p>"
    out = rendered(html)
    assert "<strong>（一）加快进度。</strong>基础设施" in out
    assert "依据<strong>《条例》</strong>规定" in out
    assert "*" not in text_of(out)


def test_plain_bold_uses_asterisks_and_split_runs_merge():
    html = "<p><strong>一、</strong><strong>加强</strong><strong>准入管理</strong><strong><br/></strong></p>"
    assert md(html) == "{.flush}\n**一、加强准入管理**\n"
    assert md("<p><strong>加强准入管理</strong></p>") == "{.flush}\n**加强准入管理**\n"


def test_font_weight_styles_count_as_bold_and_normal_cancels_it():
    html = ('<p><span style="font-weight: bold">重点</span>'
            '<strong><span style="font-weight: normal">普通</span></strong></p>')
    assert md(html) == "{.flush}\n**重点**普通\n"


def test_br_never_inside_bold():
    out = rendered("<p><strong>标题一<br/>标题二</strong></p>")
    assert "<strong>标题一</strong><br />\n<strong>标题二</strong>" in out


def test_text_that_looks_like_markdown_stays_text():
    lines = ["1. 第一项", "2020. 年度", "1) 括号", "# 不是标题", "- 不是列表", "* 星号", "+ 加号",
             "> 不是引用", "---", "a*b*c", "a_b_c", "`code`", "a|b", "C:\\path", "[链接](x)",
             "&lt;script&gt;alert(1)&lt;/script&gt;", "&amp;lt;b&amp;gt;", "{.right}", "==="]
    html = "".join(f"<p>{line}</p>" for line in lines)
    out = rendered(html)
    assert "<ol" not in out and "<ul" not in out and "<h1" not in out
    assert "<blockquote" not in out and "<hr" not in out and "<em" not in out
    assert "<code" not in out and "<script" not in out and 'class="right"' not in out
    paragraphs = [text_of(p) for p in re.findall(r"<p[^>]*>.*?</p>", out)]
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
    assert '<p class="flush">正文</p>' in out


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
    # The layout walk reads the source's text too (one walk for both): the same text.
    tree = parse_html(source + "<script>x</script><table><tr><td>" + source + "</td></tr></table>")
    assert read_source(tree)[0] == visible_text(tree)


# -- layout that carries meaning (issue 14) ---------------------------------------------


def test_cell_alignment_and_a_centred_table_are_kept():
    html = ('<div align="center"><table border="1"><tr><td><p class="MsoNormal" align="center" '
            'style="text-align:center"><b><span>一级指标</span></b></p></td>'
            '<td style="text-align:right">1,024</td><td>说明</td></tr>'
            '<tr align="center"><th>表头</th><th align="left">左表头</th><td>居中行</td></tr></table></div>')
    assert md(html) == (
        '<table class="center">\n'
        '<tr><td class="center"><strong>一级指标</strong></td><td class="right">1,024</td>'
        "<td>说明</td></tr>\n"
        '<tr><th>表头</th><th class="left">左表头</th><td class="center">居中行</td></tr>\n'
        "</table>\n"
    )
    out = rendered(html)
    assert '<table class="center">' in out and '<td class="right">1,024</td>' in out


def test_a_table_is_centred_only_where_the_source_centres_it():
    assert md('<table align="center"><tr><td>甲</td></tr></table>').startswith('<table class="center">')
    assert md('<table style="margin: 0 auto"><tr><td>甲</td></tr></table>').startswith('<table class="center">')
    # text-align centres text, not a table.
    assert md('<div style="text-align:center"><table><tr><td>甲</td></tr></table></div>').startswith("<table>")


def test_a_line_break_keeps_the_ideographic_spaces_that_align_the_next_line():
    html = ("<p><span>注：1、坐标系统为深圳独立坐标系统。<br>\n"
            "　　　　2、L为弧长…<br>　　　　3、红线是指…</span></p>")
    assert md(html) == ("{.flush}\n注：1、坐标系统为深圳独立坐标系统。\\\n"
                        "\u3000\u3000\u3000\u30002、L为弧长…\\\n\u3000\u3000\u3000\u30003、红线是指…\n")
    out = rendered(html)
    assert out.count("<p") == 1 and out.count("<br />") == 2
    assert "<br />\n\u3000\u3000\u3000\u30002、L为弧长" in out


def test_a_continuation_line_that_looks_like_markdown_stays_text():
    out = rendered("<p>第一行<br>---<br>1. 不是列表<br># 不是标题</p>")
    assert "<h" not in out and "<ol" not in out and "<hr" not in out
    assert text_of(out) == "第一行\n---\n1. 不是列表\n# 不是标题\n"


def test_indentation_that_differs_from_the_first_line_indent_is_kept():
    html = ('<p>各省、自治区、直辖市通信管理局：</p>'
            '<p style="text-indent: 2em">1　总则</p>'
            '<p style="text-indent: 2em">　　1.1　编制目的及依据</p>'
            '<p>\u3000\u3000正文段落以两个全角空格缩进。</p>'
            '<p style="TEXT-INDENT: 32pt"><span style="FONT-SIZE: 16pt">以磅为单位的首行缩进。</span></p>'
            '<p style="margin-left:42pt;text-indent:-42pt"><span style="font-size:14pt">附件：1.甲表</span></p>')
    assert md(html) == (
        "{.flush}\n各省、自治区、直辖市通信管理局：\n\n"
        "1　总则\n\n"
        "{.indent-4}\n1\\.1　编制目的及依据\n\n"
        "正文段落以两个全角空格缩进。\n\n"
        "以磅为单位的首行缩进。\n\n"
        "{.hang-3}\n附件：1.甲表\n"
    )
    out = rendered(html)
    assert '<p class="flush">各省' in out and '<p class="indent-4">1.1' in out
    assert '<p class="hang-3">附件' in out


def test_headings_and_paragraphs_keep_the_face_the_original_sets_them_in():
    # The body is 宋体 (most of its text): that needs no class; 黑体 and 楷体 lines do.
    body = '<p style="text-indent:2em; font-family: 宋体; font-size: 16px">各单位要充分认识这项工作的重要意义，切实增强责任感。</p>'
    html = ('<p style="text-align: center; font-family: 宋体"><span style="font-family: 楷体, 楷体_GB2312, SimKai">'
            '<strong>工信部信管函〔2020〕164号</strong></span></p>'
            '<p style="text-indent:2em"><span style="font-family:黑体">一、总体要求</span></p>'
            '<p style="text-indent:2em"><font face="楷体_GB2312">（一）基本原则。</font></p>'
            + body +
            '<p style="text-indent:2em;font-family:宋体">到<span style="font-family:Times New Roman">2020</span>年底。</p>'
            '<h2 style="font-family:SimHei">第一章 总则</h2>'
            '<h2><span style="font-family:KaiTi">第一节 目的</span></h2>'
            '<p style="text-indent:2em;mso-fareast-font-family:黑体">Word 的 mso 字体浏览器不认。</p>')
    assert md(html) == (
        "{.center .font-kai}\n**工信部信管函〔2020〕164号**\n\n"
        "{.font-hei}\n一、总体要求\n\n"
        "{.font-kai}\n（一）基本原则。\n\n"
        "各单位要充分认识这项工作的重要意义，切实增强责任感。\n\n"
        "到2020年底。\n\n"
        "## 第一章 总则\n\n"  # headings are 黑体 already
        "{.font-kai}\n## 第一节 目的\n\n"
        "Word 的 mso 字体浏览器不认。\n"
    )
    out = rendered(html)
    assert '<p class="center font-kai"><strong>工信部' in out and '<p class="font-hei">一、' in out
    assert '<h2 class="font-kai">第一节' in out
    assert measure(html, md(html)).layout.exact  # two classes on a line measure as one
    # 仿宋 and 宋体 are classes too where the body is set in the other face.
    fangsong = '<p style="text-indent:2em;font-family:仿宋_GB2312">各单位要充分认识这项工作的重要意义，切实增强责任感。</p>'
    assert md(fangsong + '<p style="text-indent:2em;font-family:FangSong">正文</p>'
              '<p style="text-indent:2em;font-family:SimSun">附件</p>') == (
        "各单位要充分认识这项工作的重要意义，切实增强责任感。\n\n正文\n\n{.font-song}\n附件\n")
    assert md(body + '<p style="text-indent:2em"><span style="font-family: \'仿宋\'">二〇二〇年</span></p>'
              ).endswith("{.font-fangsong}\n二〇二〇年\n")
    # No face anywhere: no class anywhere.
    assert "font-" not in md("<p>一、总体要求</p><h2>第一章</h2>")


def test_an_image_with_its_caption_line_becomes_a_figure_with_the_caption_as_alt_text():
    for html in ('<p><img src="/p/1.png"></p><p>图1　汽车号牌编码规则</p>',
                 '<p style="text-align:center"><img src="/p/1.png" alt=""><br>图1　汽车号牌编码规则</p>'):
        out = rendered(html)
        assert re.search(r'<figure>\s*<img src="https://www.miit.gov.cn/p/1.png" '
                         r'alt="图1　汽车号牌编码规则">\s*<figcaption>图1　汽车号牌编码规则</figcaption>'
                         r"\s*</figure>", out), out
        assert measure(html, md(html)).perfect
    # An image without a caption line stays an image in its paragraph.
    assert "<figure" not in rendered('<p><img src="/p/1.png"></p><p>正文</p>')


def test_text_below_the_parsers_depth_limit_is_kept_and_counted():
    deep = "<div><span>" * 200 + "深处的文字" + "</span></div>" * 200
    html = f"<p>开头</p>{deep}<p>结尾的文字</p>"
    result = convert(html, BASE)
    assert result.warnings and "256" in result.warnings[0]
    for text in ("开头", "深处的文字", "结尾的文字"):
        assert text in result.source_text and text in result.markdown
    assert measure(html, result.markdown).perfect
    shallow = convert("<div><span>" * 100 + "浅处" + "</span></div>" * 100, BASE)
    assert not shallow.warnings and shallow.markdown == "{.flush}\n浅处\n"


_ALIGN_ATTR = st.sampled_from(["", ' align="center"', ' align="right"', ' align="left"',
                               ' style="text-align:center"', ' style="TEXT-ALIGN: right"',
                               ' align="justify"', ' colspan="2"', ' rowspan="3"'])
_CELL_TEXT = st.lists(
    st.sampled_from(["一级指标", "1,024", "<b>粗</b>", "<br>", '<a href="/f.doc">附件</a>',
                     '<img src="/i.png" alt="图">', "&lt;x&gt;", "&amp;", '"引号"', "\u3000", "*",
                     '<p align="center">段</p>', '<p style="text-align:right">右</p>']),
    max_size=4,
).map("".join)
_CELL = st.tuples(st.sampled_from(["td", "th"]), _ALIGN_ATTR, _CELL_TEXT).map(
    lambda c: f"<{c[0]}{c[1]}>{c[2]}</{c[0]}>"
)
_TABLE = st.tuples(
    st.sampled_from(["<table>", '<table align="center">', '<div align="center"><table>']),
    st.lists(st.tuples(_ALIGN_ATTR, st.lists(_CELL, min_size=1, max_size=4)), min_size=1, max_size=4),
).map(lambda t: t[0] + "".join(f"<tr{a}>{''.join(cells)}</tr>" for a, cells in t[1]) + "</table>")


@settings(max_examples=200, deadline=None)
@given(_TABLE)
def test_every_table_the_converter_writes_matches_the_grammar_and_passes_the_sanitiser(html):
    from sitegen.convert.grammar import TABLE_HTML
    from sitegen.render import sanitize

    markdown = md(html)
    tables = re.findall(r"<table.*?</table>", markdown, re.DOTALL)
    assert tables
    for table in tables:
        assert TABLE_HTML.fullmatch(table), table
        # Its classes are on the sanitiser's allow-list, and the renderer passes it as written.
        assert sanitize(table).count(' class="') == table.count(' class="')
        assert table.strip() in rendered(html)


def test_fidelity_counts_cell_alignment_line_breaks_and_indentation_lost_or_added():
    html = ('<p>各省、自治区、直辖市：</p>'
            '<p style="text-indent:2em">　　1.1　编制目的<br>　　　　续行对齐</p>'
            '<table><tr><td align="center">居中</td><td style="text-align:right">9</td></tr></table>')
    assert measure(html, md(html)).layout.exact
    flattened = ("各省、自治区、直辖市：\n\n1.1　编制目的\n\n续行对齐\n\n"
                 "<table>\n<tr><td>居中</td><td>9</td></tr>\n</table>\n")
    layout = measure(html, flattened).layout
    assert measure(html, flattened).perfect  # every character is there ...
    assert layout.cells == 2 and layout.breaks_lost == 1  # ... but not where it was
    assert layout.indents_added == 1 and layout.indents_lost == 2
    assert not layout.exact


def test_a_table_nested_in_a_cell_keeps_its_text_in_that_cell():
    html = "<table><tr><td>外<table><tr><td>内</td><td><b>粗</b></td></tr></table>后</td></tr></table>"
    assert md(html) == "<table>\n<tr><td>外<br>内<br><strong>粗</strong><br>后</td></tr>\n</table>\n"
    assert measure(html, md(html)).perfect


def test_a_heading_that_is_only_hashes_shows_them_once():
    for html in ("<h2># </h2>", "<h2>##</h2>", "<h2>a #</h2>", "<h2>a\\#</h2>"):
        assert measure(html, md(html)).perfect, md(html)


def test_a_list_nested_in_an_empty_item_or_a_stray_item_never_becomes_code():
    for html in ("<ul><li></li><li><ul><li>（一）注：</li></ul></li></ul>",
                 "<ol><li><ol><li>文字</li></ol>继续</li></ol><p>正文</p><ul><li><ul><li>深一层</li></ul></li></ul>",
                 "<p>正文</p></li><li>无主的条目<ol><li><ol><li>条目</li></ol></li></ol>"):
        assert "<pre>" not in rendered(html), md(html)
        assert measure(html, md(html)).perfect, md(html)


def test_a_cell_outside_any_table_is_measured_as_the_paragraph_it_becomes():
    # Browsers drop a stray <td> tag and show its text as a block; so does the converter.
    html = '<p style="text-indent:2em">前文</p><td>不在表格里的格子</td><td align="center">又一格</td>'
    assert md(html) == "前文\n\n{.flush}\n不在表格里的格子\n\n{.center}\n又一格\n"
    assert measure(html, md(html)).layout.exact
