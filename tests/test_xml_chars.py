"""Pages are written as UTF-8 without the characters XML forbids, checked on the bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sitegen.xml_chars import strip_xml_forbidden, xml_safe_utf8

_EDGES = ["\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1f", " ", "\x7f", "\x80", "\ud7ff", "\ud800",
          "\udbff", "\udc00", "\udfff", "\ue000", "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0010ffff", "中"]


@given(st.text(st.one_of(st.sampled_from(_EDGES), st.characters(exclude_categories=[]))))
def test_a_page_as_utf8_is_its_text_without_what_xml_forbids(text):
    assert xml_safe_utf8(text) == strip_xml_forbidden(text).encode("utf-8")


def test_a_stray_control_character_or_surrogate_is_dropped_from_a_page():
    assert xml_safe_utf8("标题\x01：\ud800正文\uffff\n") == "标题：正文\n".encode()
    assert xml_safe_utf8("\t制表\r\n") == "\t制表\r\n".encode()
