"""`sitegen import` end to end: the sample page into an archive, and every error path."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.content import read_notice
from sitegen.convert.fidelity import Fidelity
from sitegen.convert.layout import LayoutDifference
from sitegen.importer import ImportReport, import_pages

from .samples import REPO, SAMPLE_PAGE, make_page, make_record, write_page


def run_import(*args: str):
    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def test_sample_imports_field_by_field(tmp_path):
    content = tmp_path / "content"
    result = run_import(str(SAMPLE_PAGE), "--content", str(content))
    assert result.exit_code == 0, result.output
    assert "9 created, 0 updated, 0 unchanged, 1 merged duplicate, 0 failed" in result.output
    assert "text fidelity 100.00% (10/10 notices exact)" in result.output

    files = sorted(content.rglob("*.md"))
    assert len(files) == 9
    notice = read_notice(content / "2020" / "d68d7bd0a2a148fb8f9b94547ab5397f.md")
    assert notice.title == "工业和信息化部关于加强呼叫中心业务管理的通知"
    assert notice.file_number == "工信部信管〔2020〕81号"
    assert notice.issuer == "工业和信息化部"
    assert notice.department == "信息通信管理局"
    assert notice.written == dt.date(2020, 6, 8)
    assert notice.date == dt.date(2020, 6, 18)
    assert (notice.column, notice.theme, notice.doc_type) == ("通信业", "信息通信管理", "通知")
    assert notice.index_code == "00001854-5/2020-00197"
    # The sub-site copy without metadata is merged into the richer record.
    assert [p.id for p in notice.also_published] == ["d4798d8ad6014d70897c95a88c42f193"]
    assert notice.also_published[0].column == "电信和互联网业务"
    assert "**一、加强准入管理**" in notice.body

    interpretation = read_notice(content / "2020" / "88bd46badb754d919c07743c05764c33.md")
    assert interpretation.column == "政策解读"
    assert interpretation.written is None and interpretation.file_number == ""

    quality = read_notice(content / "2020" / "bfb984e6051a4952a2a42703354581d5.md")
    assert [a.title for a in quality.attachments] == [
        "1.2020年三季度基础电信企业用户申诉分类统计表.doc",
        "2.2020年三季度用户申诉主要涉及的增值电信企业、移动转售企业名单.doc",
    ]
    assert "{.right}\n工业和信息化部" in quality.body
    assert "![1.png](https://www.miit.gov.cn/cms_files/" in quality.body


def test_reimport_changes_no_byte_and_fresh_import_is_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    import_pages([SAMPLE_PAGE], first)
    before = {p: p.read_bytes() for p in first.rglob("*.md")}
    report = import_pages([SAMPLE_PAGE], first)
    assert len(report.unchanged) == 9 and not report.created and not report.updated
    assert {p: p.read_bytes() for p in first.rglob("*.md")} == before
    import_pages([SAMPLE_PAGE], second)
    comparison = filecmp.dircmp(first, second)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert not filecmp.dircmp(first / "2020", second / "2020").diff_files


def test_committed_content_is_what_import_produces(tmp_path):
    import_pages([SAMPLE_PAGE], tmp_path)
    produced = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.md")}
    committed = {p.relative_to(REPO / "content"): p.read_bytes() for p in (REPO / "content").rglob("*.md")}
    assert produced == committed


def test_hand_edits_are_kept_and_reported(tmp_path):
    import_pages([SAMPLE_PAGE], tmp_path)
    path = tmp_path / "2020" / "ffd918abf3e848efbb2a6225dbe266db.md"
    edited = path.read_text(encoding="utf-8").replace("5G", "5G（校对）", 1)
    path.write_text(edited, encoding="utf-8")
    result = run_import(str(SAMPLE_PAGE), "--content", str(tmp_path))
    assert path.read_text(encoding="utf-8") == edited
    assert "conflict:" in result.output and str(path) in result.output
    assert "1 conflict;" in result.output


def test_upstream_change_updates_an_untouched_file(tmp_path, sample_page):
    import_pages([SAMPLE_PAGE], tmp_path)
    record = sample_page["data"]["searchResult"]["dataResults"][8]["groupData"][0]["data"]
    record["themename"] = "通信发展（修订）"
    page = write_page(tmp_path / "pages" / "changed.json", sample_page)
    report = import_pages([page], tmp_path / "content-copy")
    assert len(report.created) == 9
    shutil.copytree(tmp_path / "2020", tmp_path / "archive" / "2020")
    report = import_pages([page], tmp_path / "archive")
    assert report.updated == ["ffd918abf3e848efbb2a6225dbe266db"]
    assert read_notice(tmp_path / "archive" / "2020" / "ffd918abf3e848efbb2a6225dbe266db.md").theme == "通信发展（修订）"


def test_bad_pages_and_records_fail_alone(tmp_path):
    pages = tmp_path / "pages"
    write_page(pages / "page-1.json", make_page(
        make_record("good1", "关于甲的通知", "<p>甲</p>"),
        make_record("broken", "关于<em>乙</em>的通知", "<p>乙</p>", infoextends="{oops"),
    ))
    (pages / "page-2.json").write_text('{"success": true, "code": "200", "data": {"sear', encoding="utf-8")
    write_page(pages / "page-3.json", {"success": False, "code": "500", "message": "系统繁忙"})
    write_page(pages / "page-4.json", make_page(
        make_record("good1", "关于甲的通知", "<p>甲</p>"),  # overlapping paging
        make_record("good2", "关于丙的通知", "<p>丙</p>", cdate="1262275200000"),
    ))
    result = run_import(str(pages), "--content", str(tmp_path / "content"))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert "page-1.json: record broken «关于乙的通知»: infoextends is not valid JSON" in errors[0]
    assert "page-2.json: not valid JSON" in errors[1]
    assert "page-3.json: the API reported failure: 系统繁忙" in errors[2]
    assert "2 created, 0 updated, 0 unchanged, 0 merged duplicates, 3 failed" in result.output
    assert sorted(p.name for p in (tmp_path / "content").rglob("*.md")) == ["good1.md", "good2.md"]
    assert (tmp_path / "content" / "2010" / "good2.md").exists()
    assert not list((tmp_path / "content").rglob("*.tmp"))


def test_duplicates_merge_across_separate_imports(tmp_path):
    rich = make_record("rich", "关于丁的通知", "<p>丁的正文很长很长</p>", filenumbername="工信部〔2021〕1号",
                       columnname="通信业", themename="信息通信管理", xxgkextend2="工业和信息化部")
    poor = make_record("poor", "关于丁的通知（转载）", "<p>丁的正文</p>", filenumbername="工信部﹝2021﹞1号",
                       columnname="地方")
    content = tmp_path / "content"
    import_pages([write_page(tmp_path / "p1.json", make_page(poor))], content)
    assert [p.stem for p in content.rglob("*.md")] == ["poor"]
    report = import_pages([write_page(tmp_path / "p2.json", make_page(rich))], content)
    assert report.created == ["rich"]
    files = list(content.rglob("*.md"))
    assert [p.stem for p in files] == ["rich"]
    notice = read_notice(files[0])
    assert [(p.id, p.column) for p in notice.also_published] == [("poor", "地方")]
    # Importing the poorer copy again keeps it merged.
    report = import_pages([tmp_path / "p1.json"], content)
    assert report.merged == ["poor"] and [p.stem for p in content.rglob("*.md")] == ["rich"]


def test_hostile_metadata_cannot_escape_content(tmp_path):
    entry = make_record("../../../evil", "<script>alert(1)</script>通知", "<p>x</p>",
                        filenumbername="../../x")
    import_pages([write_page(tmp_path / "p.json", make_page(entry))], tmp_path / "content")
    (path,) = list((tmp_path / "content").rglob("*.md"))
    assert path.parent.parent == tmp_path / "content"
    assert read_notice(path).title == "alert(1)通知"
    assert json.dumps(read_notice(path).id) == '"../../../evil"'


def test_a_crafted_id_never_takes_another_notices_file(tmp_path):
    from sitegen.content import slug_for
    victim = make_record("某/编号", "关于甲的通知", "<p>甲的正文</p>")
    crafted = make_record(slug_for("某/编号"), "关于乙的通知", "<p>乙的正文</p>")
    content = tmp_path / "content"
    import_pages([write_page(tmp_path / "p1.json", make_page(victim))], content)
    report = import_pages([write_page(tmp_path / "p2.json", make_page(crafted))], content)
    assert report.failed == 0
    assert sorted(read_notice(p).title for p in content.rglob("*.md")) == ["关于乙的通知", "关于甲的通知"]


def test_two_records_for_one_file_name_are_an_error_never_an_overwrite(tmp_path, monkeypatch):
    # However names are made, a name already taken by another notice is never written over.
    monkeypatch.setattr("sitegen.content.slug_for", lambda notice_id: "same")
    content = tmp_path / "content"
    import_pages([write_page(tmp_path / "p1.json", make_page(make_record("a", "关于甲的通知", "<p>甲</p>")))],
                 content)
    report = import_pages([write_page(tmp_path / "p2.json", make_page(
        make_record("b", "关于乙的通知", "<p>乙</p>"), make_record("c", "关于丙的通知", "<p>丙</p>")))], content)
    assert [read_notice(p).id for p in content.rglob("*.md")] == ["a"]
    assert len(report.errors) == 2 and all("the file of notice a has this name" in e for e in report.errors)


def test_imported_files_honour_the_umask(tmp_path):
    import subprocess
    import sys
    page = write_page(tmp_path / "p.json", make_page(make_record("a", "关于甲的通知", "<p>甲</p>")))
    for umask, mode in ((0o022, 0o644), (0o027, 0o640)):
        content = tmp_path / f"content-{umask:o}"
        script = (f"import os, sys; os.umask({umask}); from sitegen.cli import main; "
                  f"sys.argv = ['sitegen', 'import', {str(page)!r}, '--content', {str(content)!r}]; main()")
        subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
        (path,) = content.rglob("*.md")
        assert path.stat().st_mode & 0o777 == mode


def test_a_run_killed_between_new_and_old_file_is_repaired_by_the_next(tmp_path, monkeypatch):
    content = tmp_path / "content"
    old = make_record("a", "关于甲的通知", "<p>甲</p>", cdate="1577836800000")  # 2020
    import_pages([write_page(tmp_path / "p1.json", make_page(old))], content)
    moved = make_record("a", "关于甲的通知", "<p>甲（更正）</p>", cdate="1609459200000")  # 2021
    page = write_page(tmp_path / "p2.json", make_page(moved))
    original_unlink = Path.unlink

    def killed(path, *args, **kwargs):
        if path.suffix == ".md":
            raise KeyboardInterrupt  # the process dies after writing 2021/a.md
        return original_unlink(path, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", killed)
    with pytest.raises(KeyboardInterrupt):
        import_pages([page], content)
    monkeypatch.setattr(Path, "unlink", original_unlink)
    assert sorted(p.parent.name for p in content.rglob("*.md")) == ["2020", "2021"]
    report = import_pages([], content)  # any later run, even one importing nothing
    assert [p.relative_to(content).as_posix() for p in content.rglob("*.md")] == ["2021/a.md"]
    assert "甲（更正）" in (content / "2021" / "a.md").read_text(encoding="utf-8")
    assert any("left by an interrupted import" in w for w in report.warnings)
    assert CliRunner().invoke(main, ["check", "--content", str(content)]).exit_code == 0


def test_an_id_line_in_a_body_claims_nothing(tmp_path):
    content = tmp_path / "content"
    draft = content / "drafts" / "draft.md"
    draft.parent.mkdir(parents=True)
    draft.write_text("---\ntitle: [草稿\n---\n\n摘录：\nid: a\n", encoding="utf-8")
    report = import_pages([write_page(tmp_path / "p.json", make_page(
        make_record("a", "关于甲的通知", "<p>甲</p>")))], content)
    assert report.created == ["a"]
    # A broken file's own front matter still claims its notice.
    broken = content / "2020" / "b.md"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("---\nid: b\ntitle: [unclosed\n---\n", encoding="utf-8")
    report = import_pages([write_page(tmp_path / "q.json", make_page(
        make_record("b", "关于乙的通知", "<p>乙</p>")))], content)
    assert report.created == [] and broken.read_text(encoding="utf-8").startswith("---\nid: b\n")


@pytest.mark.parametrize("field, value", [
    ("title", ["关于", "通知"]), ("title", {"text": "关于通知"}), ("filenumbername", ["工信部〔2020〕1号"]),
    ("xxgkextend2", {"a": 1}), ("columnname", True), ("themename", [[]]),
])
def test_a_list_or_mapping_as_a_text_field_is_an_error_naming_the_field(tmp_path, field, value):
    record = make_record("bad", "关于乙的通知", "<p>乙</p>")
    record["data"][field] = value
    good = make_record("good", "关于甲的通知", "<p>甲</p>")
    report = import_pages([write_page(tmp_path / "p.json", make_page(record, good))], tmp_path / "c")
    assert report.created == ["good"]
    (error,) = report.errors
    assert "record bad" in error and f"field {field} is a" in error and "expected text" in error
    assert len(error) < 300


def test_control_characters_are_stripped_at_import(tmp_path):
    record = make_record("a", "关于\x01甲的\x1f通知", "<p>甲</p>", xxgkextend2="工业和\x0b信息化部",
                         filenumbername="工信部\x7f〔2020〕1号")
    import_pages([write_page(tmp_path / "p.json", make_page(record))], tmp_path / "c")
    (path,) = (tmp_path / "c").rglob("*.md")
    notice = read_notice(path)
    assert (notice.title, notice.issuer, notice.file_number) == ("关于甲的通知", "工业和信息化部", "工信部〔2020〕1号")


@pytest.mark.parametrize("title, body", [
    ("'<' * 1_000_000", "'<p>x</p>'"),
    ("'关于<em>' * 200_000", "'<p>' + '![x](' * 40_000 + '</p>'"),
])
def test_import_takes_linear_time_on_pathological_records(tmp_path, title, body):
    import subprocess
    import sys
    # Two records alike, so duplicates are looked for too; in a child process killed after the
    # bound: linear takes seconds, a quadratic pattern hours.
    script = (
        "import sys; from pathlib import Path\n"
        "from sitegen.importer import import_pages\n"
        "from tests.samples import make_page, make_record, write_page\n"
        f"title, body = {title}, {body}\n"
        "page = make_page(make_record('a', title, body), make_record('b', title, body))\n"
        f"report = import_pages([write_page(Path({str(tmp_path)!r}) / 'p.json', page)], "
        f"Path({str(tmp_path)!r}) / 'c')\n"
        "assert report.failed == 0, report.errors\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120, cwd=REPO)


def test_every_step_of_a_long_import_shows_its_progress_to_the_end(tmp_path):
    """Reading pages, comparing the texts of notices that share a title, writing: each step
    reports how far it is, and ends at its total."""
    pages = [write_page(tmp_path / f"p{n}.json", make_page(
        make_record(f"a{n}", "关于同名事项的通知", f"<p>第{n}份正文，各不相同{n * 7}。</p>"),
        make_record(f"b{n}", f"关于事项{n}的通知", f"<p>事项{n}。</p>"),
    )) for n in range(3)]
    seen: dict[str, list[tuple[int, int]]] = {}
    import_pages(pages, tmp_path / "content", progress=lambda step, done, total: seen.setdefault(
        step, []).append((done, total)))
    assert list(seen) == ["Importing pages", "Comparing notices that share a title", "Writing notices"]
    assert seen["Importing pages"] == [(1, 3), (2, 3), (3, 3)]
    assert seen["Comparing notices that share a title"][-1] == (1, 1)  # one title shared
    assert seen["Writing notices"][-1] == (6, 6)


def test_the_summary_adds_up_what_every_notice_lost_of_its_layout():
    report = ImportReport()
    report.fidelity["a"] = Fidelity(10, 0, 0, LayoutDifference(cells=1, breaks_lost=2))
    report.fidelity["b"] = Fidelity(10, 0, 0, LayoutDifference(cells=2, indents_added=1))
    report.fidelity["c"] = Fidelity(10, 0, 0)
    assert report.summary().endswith(
        "(3/3 notices exact); layout 3 cell alignments differ, 2 line breaks lost, 1 indents added")
