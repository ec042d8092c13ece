"""Faster ways of doing what a plainer one did, held to it: a body is read as Python's text layer
reads it, whatever its line ends; the words that make a notice worth searching for statements
are found by one search as by two; the outline finds the headings a pattern that gives
characters back finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import relations
from sitegen.content import read_body, split_front_matter
from sitegen.site import outline

_PIECES = ["\r", "\n", "\r\n", "\n\r", "---", "---\n", "\n---\n", "---\r\n", "\ufeff", "正文", "a", " ", "\t"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=5)), max_size=20))
def test_a_body_is_read_with_its_line_ends_as_the_text_layer_gives_them(tmp_path_factory, pieces):
    path = tmp_path_factory.mktemp("notice") / "a.md"
    path.write_bytes(("---\nid: a\n" + "".join(pieces)).encode("utf-8", "surrogatepass"))
    try:
        expected = split_front_matter(path.read_text(encoding="utf-8"), path)[1]
    except Exception as error:  # noqa: BLE001 - the same failure either way
        try:
            read_body(path)
        except Exception as same:  # noqa: BLE001
            assert type(same) is type(error) and str(same) == str(error)
            return
        raise AssertionError(f"read_body read what read_text could not: {error}") from None
    assert read_body(path) == expected


_WORDS = ["废止", "修订", "失效", "起施行", "起 实施", "自公布之日起", "有效期", "执行期限", "试行", "通知", "起", "期"]


@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=3)), max_size=12))
def test_one_search_finds_a_word_of_an_act_or_of_validity_where_two_would(pieces):
    text = "".join(pieces)
    either = relations._ACT_WORDS.search(text) or relations._OWN_WORDS.search(text)
    assert bool(relations._ANY_WORDS.search(text)) == bool(either)


# The outline's pattern as first written: runs of text that give characters back.
_BACKTRACKING = re.compile(
    r'<(h[2-6])((?: class="[\w -]+")?)>(.*?)</\1>'
    r'|<p((?: class="[\w -]+")?)><strong>([^<]*(?:<(?!/?strong>|/p>)[^<]*)*)</strong></p>'
    r'|<p( class="(?:[\w-]+ )?font-(?:hei|kai)")>([^<]*(?:<(?!/p>)[^<]*)*)</p>',
    re.DOTALL,
)
_HTML = ["<p>", "</p>", "<strong>", "</strong>", "<p><strong>", "</strong></p>", '<p class="font-hei">',
         '<p class="center font-kai">', "<h2>", "</h2>", "<h3>", "</h3>", "<em>", "</em>", "<", ">", "/",
         "一、", "（二）", "第三章", "第一节", "总则", "&amp;", "\n", " ", "。"]


@given(st.lists(st.one_of(st.sampled_from(_HTML), st.text(max_size=3)), max_size=40))
def test_the_outline_finds_what_a_backtracking_pattern_finds(pieces):
    body = "".join(pieces)
    found = outline.outline(body)
    possessive, outline._CANDIDATE = outline._CANDIDATE, _BACKTRACKING
    try:
        assert found == outline.outline(body)
    finally:
        outline._CANDIDATE = possessive


@given(st.lists(st.lists(st.one_of(st.sampled_from([*_WORDS, "\0", "\t", " ", "\x1c"]), st.text(max_size=3)),
                         max_size=6).map("".join), min_size=1, max_size=8))
def test_the_lines_worth_reading_for_statements_are_found_by_one_search_as_by_one_a_line(lines):
    one_a_line = {number for number, line in enumerate(lines)
                  if (relations._ANY_WORDS if number else relations._ACT_WORDS).search(line)}
    assert relations._worded_lines(lines) == one_a_line
