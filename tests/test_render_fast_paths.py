"""The renderer's quick answers, held to the plain rule they stand for (sitegen/render.py): a
body whose only raw HTML is bare <strong>/</strong> is told by counting wherever no backslash
stands before a "<", exactly as by removing escape pairs and those tags with the pattern."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sitegen import render

_PIECES = ["\\", "\\\\", "<", ">", "<strong>", "</strong>", "strong", "<b>", "\\<strong>", "\\\\<strong>",
           "a", "文", " ", "\n", "\\*"]


def _only_strong_by_the_pattern(markdown: str) -> bool:
    return "<" not in render._PLAIN_STRONG.sub("", markdown)


@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(alphabet="<>\\/strong ", max_size=4)), max_size=24))
def test_bare_strong_is_told_by_counting_as_by_the_pattern(pieces):
    markdown = "".join(pieces)
    expected = ("```" not in markdown and "~~~" not in markdown and _only_strong_by_the_pattern(markdown)
                and not render._STRONG_BLOCK.search(markdown))
    assert render._raw_free(markdown) == expected


def test_an_escaped_backslash_before_a_tag_leaves_the_tag_raw():
    assert render._raw_free("a \\\\<strong>b</strong> c")
    assert not render._raw_free("a \\\\<em>b</em> c")
    assert render._raw_free("a \\<em> is text")  # an escaped "<" is no tag
