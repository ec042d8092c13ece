"""Notice files: the front-matter contract, read and written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitegen.content import (
    ContentError,
    edited_by_hand,
    notice_text,
    parse_notice,
    relative_path,
    slug_for,
)
from sitegen.notice import Attachment, Notice, Publication


def sample_notice() -> Notice:
    return Notice(
        id="abc", title="关于加强管理的通知", body="正文\n", file_number="工信部信管〔2020〕81号",
        date=dt.date(2020, 6, 18), written=dt.date(2020, 6, 8), column="通信业",
        attachments=[Attachment("附件1", "https://www.miit.gov.cn/a.doc")],
        also_published=[Publication("def", "电信和互联网业务", "https://www.miit.gov.cn/b.html")],
    )


def test_round_trip_keeps_every_field():
    notice = sample_notice()
    assert parse_notice(notice_text(notice), Path("x.md")) == notice


def test_unknown_values_are_left_out_of_the_file():
    text = notice_text(Notice(id="abc", title="通知", body="x"))
    assert "file_number" not in text and "date" not in text and "1970" not in text


def test_a_hand_edit_is_detected_by_the_checksum():
    text = notice_text(sample_notice())
    assert not edited_by_hand(text)
    assert edited_by_hand(text.replace("正文", "正文（已校对）"))
    assert edited_by_hand(notice_text(sample_notice(), checksum=False))


@pytest.mark.parametrize("notice_id", ["../../etc/passwd", "a/b", "", "UPPER", "中文", "x" * 200])
def test_slugs_are_safe_ascii_and_stay_inside_content(notice_id):
    slug = slug_for(notice_id)
    assert slug.isascii() and "/" not in slug and ".." not in slug and slug
    path = relative_path(Notice(id=notice_id, title="t", date=dt.date(2021, 1, 1)))
    assert path.parts[0] == "2021" and len(path.parts) == 2


def test_slugs_are_unique_for_ids_that_clean_to_the_same_text():
    assert slug_for("a/b") != slug_for("a_b") != slug_for("a-b")


def test_undated_notices_go_to_an_undated_folder():
    assert relative_path(Notice(id="abc", title="t")) == Path("undated/abc.md")


@pytest.mark.parametrize("text, line, field, reason", [
    ("no front matter", 1, "front matter", "must start"),
    ("---\ntitle: x\n", 1, "front matter", "no closing"),
    ("---\nid: a\n---\nbody", 1, "title", "required"),
    ("---\ntitle: t\nid: a\ndate: 2020-13-45\n---\n", 4, "date", "not a YYYY-MM-DD"),
    ("---\ntitle: t\nid: a\ncolumn: [1, 2]\n---\n", 4, "column", "expected text"),
    ("---\ntitle: t\nid: a\ncolour: red\n---\n", 4, "colour", "unknown field"),
    ("---\ntitle: t\nid: a\nattachments: x\n---\n", 4, "attachments", "expected a list"),
    ("---\ntitle: [unclosed\n---\n", 3, "front matter", "not valid YAML"),
])
def test_bad_front_matter_names_file_line_field_and_reason(text, line, field, reason):
    with pytest.raises(ContentError) as caught:
        parse_notice(text, Path("content/2020/x.md"))
    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert reason in error.reason
    assert str(error).startswith(f"content/2020/x.md:{line}: {field}: ")
