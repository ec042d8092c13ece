"""Notice files: the front-matter contract, read and written."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.content import (
    ContentError,
    _Dumper,
    edited_by_hand,
    front_matter,
    front_matter_yaml,
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


# -- hostile front matter ----------------------------------------------------

def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + f"\ntitle: *a{levels - 1}\nid: x\n---\n"


@pytest.mark.parametrize("text, line, reason", [
    (_alias_bomb(), 2, "anchors (&name) are not allowed"),
    ("---\ntitle: t\nid: x\nattachments:\n- {title: a, url: https://a.example/}\n- *x\n---\n", 6, "aliases (*name) are not allowed"),
    ("---\ntitle: t\nid: x\ncolumn: &c 通信业\ntheme: *c\n---\n", 4, "anchors (&name)"),
    ("---\n<<: {title: t}\nid: x\n---\n", 2, "merge keys (<<) are not allowed"),
    ("---\ntitle: " + "[" * 100_000 + "]" * 100_000 + "\nid: x\n---\n", 2, "nest"),
])
def test_yaml_that_costs_more_than_its_size_is_refused_quickly(text, line, reason):
    started = time.perf_counter()
    with pytest.raises(ContentError) as caught:
        parse_notice(text, Path("x.md"))
    assert time.perf_counter() - started < 2
    assert (caught.value.line, caught.value.field) == (line, "front matter")
    assert reason in caught.value.reason
    assert len(str(caught.value)) < 200


def test_an_alias_bomb_through_check_prints_one_short_line(tmp_path):
    (tmp_path / "2020").mkdir()
    (tmp_path / "2020" / "bomb.md").write_text(_alias_bomb(), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and len(result.output) < 200


@pytest.mark.parametrize("text, line, field", [
    ("---\ntitle: 甲\nid: x\ntitle: 乙\n---\n", 4, "front matter"),
    ("---\ntitle: 甲\nid: x\nid: y\n---\n", 4, "front matter"),
    ("---\ntitle: t\nid: x\nattachments:\n- title: a\n  url: https://a.example/\n  url: https://b.example/\n---\n",
     7, "front matter"),
    ("---\ntitle: t\n'title': u\nid: x\n---\n", 3, "front matter"),
])
def test_a_key_given_twice_is_an_error_not_last_wins(text, line, field):
    with pytest.raises(ContentError) as caught:
        parse_notice(text, Path("x.md"))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert "given twice" in caught.value.reason


@pytest.mark.parametrize("field, value, kind", [
    ("title", "[甲, 乙]", "a list"), ("title", "{a: 1}", "a mapping"), ("issuer", "[1]", "a list"),
    ("file_number", "{x: y}", "a mapping"), ("source_url", "[https://a.example/]", "a list"),
    ("column", "true", "a boolean"), ("date", "[2020-01-01]", "a list"),
])
def test_a_list_or_mapping_in_a_text_field_names_the_field(field, value, kind):
    extra = "" if field == "title" else "title: t\n"
    text = f"---\n{extra}id: x\n{field}: {value}\n---\n"
    with pytest.raises(ContentError) as caught:
        parse_notice(text, Path("x.md"))
    assert caught.value.field == field and kind in caught.value.reason


@pytest.mark.parametrize("extra, field", [
    ('title: "关于\\x01测试的通知"\nid: x\n', "title"),
    ('title: t\nid: x\nissuer: "工业和\\x1f信息化部"\n', "issuer"),
    ('title: t\nid: x\nattachments:\n- title: "附件\\x0b"\n  url: https://a.example/a.pdf\n',
     "attachments[0].title"),
    ('title: t\nid: x\nalso_published:\n- id: y\n  column: "\\x7f"\n', "also_published[0].column"),
])
def test_check_names_a_control_character_xml_forbids(extra, field):
    with pytest.raises(ContentError) as caught:
        parse_notice(f"---\n{extra}---\n", Path("x.md"))
    assert caught.value.field == field and "control character U+" in caught.value.reason


def test_errors_cut_the_value_they_quote():
    with pytest.raises(ContentError) as caught:
        parse_notice("---\ntitle: t\nid: x\ndate: " + "9" * 1_000_000 + "\n---\n", Path("x.md"))
    assert len(str(caught.value)) < 200
    with pytest.raises(ContentError) as caught:
        parse_notice("---\ntitle: t\nid: x\n" + "k" * 100_000 + ": 1\n---\n", Path("x.md"))
    assert len(str(caught.value)) < 200


def test_write_atomic_gives_a_file_the_mode_any_new_file_gets(tmp_path):
    import os

    from sitegen.content import current_umask, write_atomic
    write_atomic(tmp_path / "a" / "x.md", "文本\n")
    assert (tmp_path / "a" / "x.md").stat().st_mode & 0o777 == 0o666 & ~current_umask()
    mask = os.umask(0o022)
    os.umask(mask)
    assert current_umask() == mask
    write_atomic(tmp_path / "a" / "y.bin", b"\x00\x01")
    assert (tmp_path / "a" / "y.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["x.md", "y.bin"]


def test_write_atomic_steps_over_a_temporary_name_a_killed_process_left(tmp_path, monkeypatch):
    import itertools
    import os

    from sitegen import content
    monkeypatch.setattr(content, "_TEMPORARY_NUMBERS", itertools.count(5))
    leftover = tmp_path / f".x.md.{os.getpid()}-5.tmp"
    leftover.write_text("half a file", encoding="utf-8")
    content.write_atomic(tmp_path / "x.md", "整个文件\n")
    assert (tmp_path / "x.md").read_text(encoding="utf-8") == "整个文件\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "x.md"]


def test_a_huge_status_is_cut_in_its_error():
    with pytest.raises(ContentError) as caught:
        parse_notice("---\ntitle: t\nid: x\nstatus: " + "废" * 1_000_000 + "\n---\n", Path("x.md"))
    assert caught.value.field == "status" and len(str(caught.value)) < 200


def yaml_dumped(values: dict) -> str:
    return yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000)


_PIECES = st.sampled_from([
    "a", "Z", "文字", "《办法》", "〔2020〕", "（一）", "1", "12", "2020-01-01", "0", "-", "- ", ":", ": ", "#",
    " #", "'", '"', " ", "\t", "\n", "yes", "No", "OFF", "null", "~", "true", "1.5", "1e3", ".5", ".inf",
    "0x10", "0o7", "=", "<<", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "?", ",", "\\",
    ".", "...", "---", "\u3000", "\xa0", "\u2028", "\x85", "\ufeff", "\u200b", "\x07", "\x7f", "\ue000",
    "\U0001f600", "\U00020000", "https://x/y?a=1&b=2#c", "工信部信管〔2020〕81号",
])
_TEXT = st.lists(_PIECES, min_size=1, max_size=6).map("".join)
_DATE = st.dates(min_value=dt.date(1, 1, 1))
_RECORD = st.dictionaries(st.sampled_from(["title", "url", "id", "column"]), _TEXT, max_size=3)


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "id", "file_number", "issuer", "column", "source_url"]),
                       _TEXT, min_size=1)
       | st.fixed_dictionaries({"title": _TEXT}, optional={
           "written": _DATE, "date": _DATE, "attachments": st.lists(_RECORD, max_size=3),
           "also_published": st.lists(_RECORD, max_size=2)}))
def test_front_matter_is_written_as_yaml_writes_it(values):
    assert front_matter_yaml(values) == yaml_dumped(values)


def test_a_notice_s_front_matter_is_written_without_yaml_s_emitter_where_every_value_is_plain(monkeypatch):
    values = front_matter(sample_notice())
    expected = yaml_dumped(values)

    def no_yaml(*args, **kwargs):
        raise AssertionError("yaml.dump called")

    monkeypatch.setattr(yaml, "dump", no_yaml)
    assert front_matter_yaml(values) == expected
    assert "also_published:\n- id: def\n  column: 电信和互联网业务\n" in expected
