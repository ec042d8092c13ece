"""The Markdown engines render our Markdown identically, and the output is sanitised."""

from __future__ import annotations

import re
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import markdown_engines
from sitegen.content import notice_files, read_notice
from sitegen.convert import convert
from sitegen.markdown_engines import fast_html, full_html, html_of
from sitegen.render import render_markdown, sanitize
from sitegen.urls import LINK_SCHEMES, scheme_allowed

from .samples import REPO

FAST_ENGINES = {"pyromark": markdown_engines.pulldown_cmark, "rust": markdown_engines.rust_markdown_it}


def rendered_by(engine: str, markdown: str) -> str:
    """The HTML when this fast engine is the only one (markdown-it-py where it declines)."""
    with patch.object(markdown_engines, "FAST_ENGINES", (FAST_ENGINES[engine],)):
        return html_of(markdown)


def test_bundled_notices_render_the_same_with_both_engines():
    for path in notice_files(REPO / "content"):
        body = read_notice(path).body
        assert fast_html(body) is not None, path  # the fast engine takes our own Markdown
        for engine in FAST_ENGINES:
            assert rendered_by(engine, body) == full_html(body), path


def test_generated_ministry_notices_render_the_same(tmp_path):
    from bench.generate import notice_record
    from sitegen.sources.miit import body_html, content_fields

    for index in range(40):
        html = body_html(content_fields(notice_record(index)["data"]))
        body = convert(html, "https://www.miit.gov.cn/").markdown
        for engine in FAST_ENGINES:
            assert rendered_by(engine, body) == full_html(body), index


def test_alignment_before_things_that_are_not_paragraphs_falls_back_to_the_full_engine():
    for markdown in ("{.center}\n- item\n", "{.right}\n<div>x</div>\n", "{#id .x}\ntext\n",
                     "{.center}\n    code\n", "{.center}\n1. one\n", "{.center}\n***\n"):
        assert fast_html(markdown) is None
        assert html_of(markdown) == full_html(markdown)
    assert render_markdown("{.center}\n# 标题\n") == '<h1 class="center">标题</h1>\n'


_HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<br/>", "<strong>", "</strong>", "<b>", "</b>", "<h2>", "</h2>",
    '<p style="text-align:center">', '<p align="right">', "<ul><li>", "</li><li>", "</li></ul>",
    '<p style="font-family:黑体">', '<span style="font-family:楷体_GB2312">', "</span>",
    "<table><tr><td>", "</td><td>", "</td></tr></table>", '<a href="/x.doc">', "</a>",
    "1. ", "# ", "* ", "- ", "> ", "**", "{.center}", "&lt;b&gt;", "\u3000", "&nbsp;", "\n",
    "（一）", "。", "《条例》", "text", "文字", "|", "`", "_", "\\", "!", "[", "]",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=25).map("".join))
def test_converted_markdown_renders_the_same_with_both_engines(html):
    body = convert(html, "https://www.miit.gov.cn/").markdown
    for engine in FAST_ENGINES:
        assert rendered_by(engine, body) == full_html(body)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=25).map("".join))
def test_tables_cut_out_of_the_text_render_as_the_whole_document_does(html):
    # Only the tables go through the sanitiser on the fast path; after sanitising both,
    # the page must be the one the whole-document path gives.
    body = convert(html, "https://www.miit.gov.cn/").markdown
    assert sanitize(render_markdown(body)) == sanitize(full_html(body))


def test_a_table_block_is_sanitised_and_the_text_around_it_is_not_changed():
    markdown = "**一、总则**\n\n<table>\n<tr><td onclick=\"x()\">1</td></tr>\n</table>\n\n正文。\n"
    html = render_markdown(markdown)
    assert "onclick" not in html
    assert html.startswith("<p><strong>一、总则</strong></p>\n<table>")
    assert html.endswith("</table>\n<p>正文。</p>\n")


def test_script_urls_never_come_from_the_fastest_engine():
    # pulldown-cmark keeps any URL; such Markdown goes to markdown-it, which refuses them.
    for markdown in ("[x](javascript:alert(1))", "[x](JavaScript:alert(1))", "![x](java&#x09;script:x)",
                     "[x]\n\n[x]: javascript:alert(1)", "[x](vbscript:x)", "[x]( data:text/html,x)"):
        html = render_markdown(markdown).lower()
        # (java%09script: is no scheme to a browser: a harmless relative URL)
        assert not re.search(r'(href|src)="\s*(javascript|vbscript|data):', html), markdown
    assert render_markdown("[附件](https://www.miit.gov.cn/a.doc)") == (
        '<p><a href="https://www.miit.gov.cn/a.doc">附件</a></p>\n')


def test_tables_as_the_converter_writes_them_pass_as_written_and_others_are_cleaned():
    table = ('<table>\n<tr><th colspan="2">表&amp;一</th></tr>\n<tr><td><strong>甲</strong><br>乙</td>'
             '<td><a href="https://www.miit.gov.cn/a.doc">附件</a><img src="https://x/y.png" alt="图"></td></tr>\n</table>')
    assert render_markdown(f"正文\n\n{table}\n\n结尾\n") == f"<p>正文</p>\n{table}\n<p>结尾</p>\n"
    for hostile in ('<table>\n<tr><td><a href="javascript:alert(1)">x</a></td></tr>\n</table>',
                    '<table>\n<tr><td><a href="&#106;avascript:alert(1)">x</a></td></tr>\n</table>',
                    '<table>\n<tr><td style="x">x</td></tr>\n</table>',
                    '<table>\n<tr><td><script>alert(1)</script></td></tr>\n</table>'):
        html = render_markdown(f"正文\n\n{hostile}\n")
        assert "javascript" not in html and "106;" not in html and "style" not in html and "<script" not in html


def test_markdown_the_rust_markdown_it_panics_on_still_renders():
    for markdown in ("[`", "x[`", "| a |\n|---|\n| [` |\n"):
        assert "[`" in render_markdown(markdown)
        assert rendered_by("rust", markdown) == full_html(markdown)


_HOSTILE_MARKDOWN = st.sampled_from([
    "<strong>", "</strong>", "<strong onclick=x>", "- <strong>\n  ", "> </strong>\n> ", "\\<img src=x onerror=alert(1)>",
    "\\\\<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>", "\\<", "\\\\",
    "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](vbscript:x)", "[x](data:text/html,x)",
    "![x](javascript:alert(1))", "{onclick=alert(1)}\n", "{.center onclick=x}\n", "{#id}\n", "\n",
    "*", "**", "_", "`", "```\n", "    ", "# ", "- ", "1. ", "> ", "[x]: javascript:alert(1)\n", "[x]",
    "&#106;avascript:", "java\u0000script:", "\\", "&", "\"", "'", "onerror=", "style=", "text", "文字",
    "<table>\n", "\n\n<table>\n<tr><td onclick=x>", "</td></tr>\n</table>\n\n", "<table><script>x</script>",
    "\n\n", "<tr><td><a href=javascript:x>", "<table style=x>", "[x](ssh://h)", "![x](data:image/png;base64,AA)",
])


@settings(max_examples=1500, deadline=2000)  # a pattern that backtracks fails, not hangs
@given(st.lists(_HOSTILE_MARKDOWN, max_size=20).map("".join))
def test_markdown_renders_safe_on_every_path(markdown):
    import re

    html = render_markdown(markdown)
    assert "<script" not in html and "<iframe" not in html and "<style" not in html
    assert not re.search(r"<[^>]*\son\w+=", html)
    assert not re.search(r'(href|src)="\s*(javascript|vbscript|data:text)', html, re.IGNORECASE)
    assert not re.search(r"<\w+[^>]*\s(style|id)=", html)
    for classes in re.findall(r'class="([^"]*)"', html):
        assert set(classes.split()) <= {"center", "right"}
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert scheme_allowed(url, LINK_SCHEMES), url


def test_a_url_off_the_body_schemes_never_passes_unsanitised():
    # markdown-it keeps ssh: and data:image/png URLs that the sanitiser would drop.
    assert render_markdown("[x](ssh://host/a)") == '<p><a rel="noopener noreferrer">x</a></p>\n'
    assert 'src' not in render_markdown("![图](data:image/png;base64,AAAA)")
    assert render_markdown("[x](ftp://host/a)") == '<p><a href="ftp://host/a">x</a></p>\n'


def test_entity_encoded_script_schemes_in_a_table_are_decoded_before_they_are_judged():
    # A browser decodes entities in an attribute before it reads the scheme.
    for scheme in ("javascript&colon;", "javascript&#58;", "javascript&#58", "javascript&#x3A;",
                   "JaVaScRiPt&#X3a;", "java&Tab;script:", "&#106;avascript:"):
        table = f'<table>\n<tr><td><a href="{scheme}alert(1)">x</a></td></tr>\n</table>'
        html = render_markdown(f"正文\n\n{table}\n")
        assert "alert" not in html and "<a" in html, scheme
    kept = '<table>\n<tr><td><a href="https://www.miit.gov.cn/a?x=1&amp;y=2">x</a></td></tr>\n</table>'
    assert kept in render_markdown(f"正文\n\n{kept}\n\n")


def test_the_body_cache_key_names_every_package_that_renders():
    from importlib.metadata import version

    from sitegen import fingerprint

    for package in ("nh3", "pyromark", "markdown-it-pyrs", "markdown-it-py", "mdit-py-plugins"):
        assert f"{package}={version(package)}" in fingerprint.RENDERER_VERSION
    before = fingerprint.body_digest("正文")
    fingerprint.RENDERER_VERSION = fingerprint.RENDERER_VERSION.replace("nh3=", "nh3=0.0.0+")
    try:
        assert fingerprint.body_digest("正文") != before  # a sanitiser upgrade renders again
    finally:
        fingerprint.RENDERER_VERSION = fingerprint.RENDERER_VERSION.replace("nh3=0.0.0+", "nh3=")
    assert fingerprint.body_digest("正文") == before


def _container_depth(html: str) -> int:
    depth = deepest = 0
    for tag in re.finditer(r"<(/?)(?:blockquote|ul|ol|li)\b", html):
        depth += -1 if tag.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


def test_hand_written_nesting_is_as_deep_as_markdown_it_allows_on_every_engine():
    # pulldown-cmark and markdown-it-pyrs nest without limit: 100 KB of ">" was 100,000
    # blockquotes, and with a pipe (markdown-it-pyrs) a segfault that killed the build;
    # pyromark made a 2.7 MB page. markdown-it-py stops at its maxNesting.
    for markdown in (">" * 100_000 + " x\n", "> - " * 5_000 + "x\n", "| a\n" + ">" * 100_000 + " x\n",
                     "".join("  " * depth + "- x\n" for depth in range(500))):
        html = render_markdown(markdown)
        assert _container_depth(html) <= _container_depth(full_html(markdown)) <= 21
        assert len(html) < 20_000
        for engine in FAST_ENGINES:
            assert rendered_by(engine, markdown) == full_html(markdown)


def test_raw_html_nested_without_end_is_shown_as_text_not_parsed_for_minutes():
    # The sanitiser's parser is quadratic in nesting: 100,000 <div> took minutes.
    import time

    start = time.monotonic()
    html = render_markdown("<div><span onclick=x>" * 50_000 + "正文\n")
    assert time.monotonic() - start < 30
    assert html.startswith("<pre>&lt;div&gt;&lt;span onclick=x&gt;") and "正文" in html
    assert "<div" not in html and "<span" not in html
    nested = "<blockquote>" * 30 + "正文" + "</blockquote>" * 30
    assert render_markdown(nested) == sanitize(full_html(nested))
