"""Records without a body (a list-only query) are imported as notices marked `body: missing`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sitegen.cli import main
from sitegen.content import read_notice

from .samples import make_page, make_record, write_page
from .test_build import build


def list_only(record_id: str, title: str) -> dict:
    record = make_record(record_id, title, "", deploytime="1608048000000", xxgkextend2="工业和信息化部")
    del record["data"]["infoextends"]
    return record


def run_import(*args: str):
    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def test_records_without_a_body_are_imported_marked_and_counted(tmp_path):
    page = write_page(tmp_path / "list.json", make_page(
        list_only("a1", "关于甲的通知"), list_only("a2", "关于甲的通知"),
        make_record("a3", "关于乙的通知", "<p>正文。</p>"),
    ))
    content = tmp_path / "content"
    result = run_import(str(page), "--content", str(content))
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output and "0 failed" in result.output
    assert "2 without body" in result.output
    path = next(content.rglob("a1.md"))
    text = path.read_text(encoding="utf-8")
    assert "\nbody: missing\n" in text and text.endswith("---\n")
    notice = read_notice(path)
    assert notice.body_missing and notice.body == "" and notice.issuer == "工业和信息化部"
    assert notice.source_url.endswith("art_a1.html")
    # Two bodiless records with the same title are two notices, not duplicates by their (no) text.
    assert next(content.rglob("a2.md")).exists()


def test_a_later_import_with_the_body_fills_it_in_and_a_list_never_empties_it(tmp_path):
    content = tmp_path / "content"
    run_import(str(write_page(tmp_path / "list.json", make_page(list_only("b1", "关于丙的通知")))),
               "--content", str(content))
    full = write_page(tmp_path / "full.json", make_page(make_record("b1", "关于丙的通知", "<p>丙的正文。</p>")))
    result = run_import(str(full), "--content", str(content))
    assert "1 updated" in result.output
    notice = read_notice(next(content.rglob("b1.md")))
    assert not notice.body_missing and "丙的正文。" in notice.body
    result = run_import(str(tmp_path / "list.json"), "--content", str(content))
    assert result.exit_code == 0, result.output
    notice = read_notice(next(content.rglob("b1.md")))
    assert not notice.body_missing and "丙的正文。" in notice.body
    assert notice.issuer == "工业和信息化部"  # the list's metadata is still taken


def test_a_hand_edited_bodiless_file_is_kept(tmp_path):
    content = tmp_path / "content"
    run_import(str(write_page(tmp_path / "list.json", make_page(list_only("c1", "关于丁的通知")))),
               "--content", str(content))
    path = next(content.rglob("c1.md"))
    edited = path.read_text(encoding="utf-8").replace("关于丁的通知", "关于丁的通知（校）", 1)
    path.write_text(edited, encoding="utf-8")
    full = write_page(tmp_path / "full.json", make_page(make_record("c1", "关于丁的通知", "<p>正文。</p>")))
    result = run_import(str(full), "--content", str(content))
    assert "1 conflict" in result.output and path.read_text(encoding="utf-8") == edited


def test_body_missing_is_checked_and_shown_on_the_page(tmp_path):
    content = tmp_path / "content"
    run_import(str(write_page(tmp_path / "list.json", make_page(list_only("d1", "关于戊的通知")))),
               "--content", str(content))
    path = next(content.rglob("d1.md"))
    text = path.read_text(encoding="utf-8")
    site = build(tmp_path, content)
    page = (site / "notices" / "d1.html").read_text(encoding="utf-8")
    assert "本库未收录此文件的正文" in page and "art_d1.html" in page
    assert json.loads((site / "notices" / "d1.json").read_text(encoding="utf-8"))["id"] == "d1"
    path.write_text(text.replace("body: missing", "body: lost"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1 and "body: the only value is `missing`" in result.output
    path.write_text(text + "\n手写的正文。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1 and "body: says missing, but the file has a body" in result.output
