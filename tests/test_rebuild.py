"""A rebuild after an edit costs what the edit reaches: an edited body rewrites its notice's page
and JSON file without planning the site; anything else is planned in full. Either way the site
equals a cold build's."""

from __future__ import annotations

import os
import shutil

import pytest

from sitegen.config import load_config
from sitegen.site import build
from sitegen.site.build import build_site

from .samples import REPO
from .test_build import _tree, _two_year_archive

THEME = REPO / "themes" / "default"


def _cold_tree(project, tmp_path, search: bool = False) -> dict:
    """The site a build with no cache and no earlier output makes of the same project."""
    cold = tmp_path / "cold-copy"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(project / "content", cold / "content")
    if (project / "sitegen.toml").is_file():
        shutil.copyfile(project / "sitegen.toml", cold / "sitegen.toml")
    build_site(load_config(cold, theme=str(THEME)), cold, search=search, use_cache=False)
    return _tree(cold / "public")


@pytest.fixture
def project(tmp_path):
    project = _two_year_archive(tmp_path / "p")
    build_site(load_config(project, theme=str(THEME)), project, search=False)
    return project


def _rebuild(project, monkeypatch, plans: bool):
    """A build that fails if it plans the site (plans=False) or if it does not."""
    planned = []
    real = build.plan_pages

    def plan_pages(*args, **kwargs):
        planned.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "plan_pages", plan_pages)
    report = build_site(load_config(project, theme=str(THEME)), project, search=False)
    assert bool(planned) == plans
    return report


def _edit_body(project, name="2021/y2021d2.md", old="第2号正文", new="第2号正文（修订）"):
    path = project / "content" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_an_edited_body_rewrites_its_notice_page_and_json_without_planning_the_site(project, monkeypatch,
                                                                                     tmp_path):
    site = project / "public"
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    _edit_body(project)
    report = _rebuild(project, monkeypatch, plans=False)
    pages = [p for p in stamps if "static" not in p.relative_to(site).parts and p.name != ".sitegen-output"]
    assert (report.written, report.pages, report.notices) == (2, len(pages), 6)
    changed = sorted(p.relative_to(site).as_posix() for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp)
    assert changed == ["notices/y2021d2.html", "notices/y2021d2.json"]
    assert "第2号正文（修订）" in (site / "notices" / "y2021d2.html").read_text(encoding="utf-8")
    assert _tree(site) == _cold_tree(project, tmp_path)
    # and again: the snapshot after an edit serves the next one
    _edit_body(project, "2020/y2020d3.md", "第3号正文", "第3号正文（又改）")
    assert _rebuild(project, monkeypatch, plans=False).written == 2
    assert _tree(site) == _cold_tree(project, tmp_path)


def test_a_file_touched_but_not_changed_rewrites_nothing(project, monkeypatch):
    os.utime(project / "content" / "2021" / "y2021d1.md")
    assert _rebuild(project, monkeypatch, plans=False).written == 0


@pytest.mark.parametrize("edit", ["title", "citation", "add", "remove", "page removed from the site", "settings"])
def test_edits_that_reach_other_pages_plan_the_site(project, monkeypatch, tmp_path, edit):
    content = project / "content"
    if edit == "title":
        _edit_body(project, old="2021年关于数据安全的通知2", new="2021年关于数据安全的通知2（修订）")
    elif edit == "citation":  # the body now cites another notice: that notice's page lists it
        _edit_body(project, old="第2号正文", new="第2号正文，依据《2020年关于数据安全的通知1》")
    elif edit == "add":
        shutil.copyfile(content / "2021" / "y2021d2.md", content / "2021" / "copy.md")
        text = (content / "2021" / "copy.md").read_text(encoding="utf-8").replace("id: y2021d2", "id: copy")
        (content / "2021" / "copy.md").write_text(text, encoding="utf-8")
    elif edit == "remove":
        (content / "2021" / "y2021d2.md").unlink()
    elif edit == "page removed from the site":
        (project / "public" / "notices" / "y2020d1.html").unlink()
        _edit_body(project)
    else:
        (project / "sitegen.toml").write_text('title = "另一个标题"\n', encoding="utf-8")
    _rebuild(project, monkeypatch, plans=True)
    assert _tree(project / "public") == _cold_tree(project, tmp_path)


def test_a_killed_rebuild_leaves_no_snapshot_and_the_next_build_plans_in_full(project, monkeypatch, tmp_path):
    from sitegen.site import writing

    _edit_body(project)
    real = writing.write_file

    def write_then_die(folder, path, *args):
        real(folder, path, *args)
        raise KeyboardInterrupt  # a kill: nothing after the first page runs

    monkeypatch.setattr(writing, "write_file", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        build_site(load_config(project, theme=str(THEME)), project, search=False)
    monkeypatch.setattr(writing, "write_file", real)
    _rebuild(project, monkeypatch, plans=True)
    assert _tree(project / "public") == _cold_tree(project, tmp_path)


def test_a_build_that_writes_no_page_keeps_the_snapshot(project, monkeypatch):
    """`sitegen serve` builds the pages, then the search index in a build of its own (stopped
    when the next change comes): that build writes no page, so the next edit is still quick."""
    from sitegen.site.cache import BuildCache

    config = load_config(project, theme=str(THEME))
    with BuildCache(project / config.cache) as cache:
        before = cache.snapshot(project / "public")
    real = build.index_search

    def index_search(*args, **kwargs):
        with BuildCache(project / config.cache) as cache:  # while the search index is made
            assert cache.snapshot(project / "public") == before
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "index_search", index_search)
    build_site(config, project, search=True)
    _edit_body(project)
    assert _rebuild(project, monkeypatch, plans=False).written == 2


def test_many_edited_bodies_are_read_and_written_on_every_core(tmp_path, monkeypatch):
    """Past the pool threshold the changed files are parsed, and their pages written, by the
    worker processes: the site still equals a cold build's, and nothing was planned."""
    import datetime as dt

    from sitegen.content import notice_text
    from sitegen.notice import Notice
    from sitegen.parallel import POOL_THRESHOLD

    project = tmp_path / "many"
    count = POOL_THRESHOLD + 20
    for number in range(count):
        folder = project / "content" / str(2010 + number % 3)
        folder.mkdir(parents=True, exist_ok=True)
        notice = Notice(id=f"n{number}", title=f"关于第{number}项工作的通知", column=("通知", "公告")[number % 2],
                        body=f"第{number}号正文。\n", date=dt.date(2010 + number % 3, 1 + number % 12, 1))
        (folder / f"n{number}.md").write_text(notice_text(notice), encoding="utf-8")
    build_site(load_config(project, theme=str(THEME)), project, search=False)
    for path in (project / "content").rglob("*.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("号正文", "号正文（修订）"), encoding="utf-8")
    report = _rebuild(project, monkeypatch, plans=False)
    assert report.written == 2 * count
    assert _tree(project / "public") == _cold_tree(project, tmp_path)


def test_an_edited_body_is_indexed_for_search_without_reading_the_archive_again(project, monkeypatch, tmp_path):
    """What search reads of a notice but its body is kept with the snapshot, so an edit of a
    body re-indexes its shard from that: at 100,000 notices, reading the archive again took
    longer than the edit's whole search step."""
    from sitegen.site import reading

    monkeypatch.setattr("sitegen.search.pagefind.SHARD_SIZE", 3)  # a search shard per year
    config = load_config(project, theme=str(THEME))
    build_site(config, project, search=True)
    _edit_body(project)

    def read_content(*args, **kwargs):
        raise AssertionError("the archive was read again")

    with monkeypatch.context() as patched:
        patched.setattr(reading, "read_content", read_content)
        patched.setattr(build, "read_content", read_content)
        report = build_site(config, project, search=True)
    assert (report.written, report.reindexed, report.notices) == (2, ["2021"], 6)

    assert _tree(project / "public") == _cold_tree(project, tmp_path, search=True)  # search files included
    records = (project / "public" / "pagefind" / "shards").glob("2021-*/docs/*.js")
    assert any("第2号正文（修订）" in path.read_text(encoding="utf-8") for path in records)


def test_an_edit_after_a_cache_without_search_rows_reads_the_archive_for_search(project, monkeypatch, tmp_path):
    """A cache written before the rows held what search reads (or with a row lost or damaged):
    the search step reads the archive as a full build does, and the site is the same."""
    import sqlite3

    config = load_config(project, theme=str(THEME))
    build_site(config, project, search=True)
    with sqlite3.connect(project / config.cache / "build.sqlite") as db:
        db.execute("UPDATE sources SET search = X'800563' WHERE name = '2020/y2020d1.md'")  # cut short
        db.execute("UPDATE sources SET search = NULL WHERE name = '2020/y2020d2.md'")
    _edit_body(project)
    read = []
    real = build.read_content
    monkeypatch.setattr(build, "read_content", lambda *args, **kwargs: read.append(1) or real(*args, **kwargs))
    assert build_site(config, project, search=True).written == 2
    assert read
    assert _tree(project / "public") == _cold_tree(project, tmp_path, search=True)


def test_a_build_without_search_keeps_no_search_rows_and_the_next_with_search_reads_the_archive_once(
        project, monkeypatch, tmp_path):
    """What search reads of each notice is made only by builds that index: a build without
    search keeps none, the next edit built with search reads the archive for them and keeps
    them, and the edit after that is indexed from them."""
    import sqlite3

    config = load_config(project, theme=str(THEME))  # built without search (the fixture)
    with sqlite3.connect(project / config.cache / "build.sqlite") as db:
        assert {row for row, in db.execute("SELECT search FROM sources")} == {None}
    read = []
    real = build.read_content
    monkeypatch.setattr(build, "read_content", lambda *args, **kwargs: read.append(1) or real(*args, **kwargs))
    _edit_body(project)
    assert build_site(config, project, search=True).written == 2
    assert len(read) == 1
    _edit_body(project, old="第2号正文（修订）", new="第2号正文（再修订）")
    assert build_site(config, project, search=True).written == 2
    assert len(read) == 1  # not read again
    assert _tree(project / "public") == _cold_tree(project, tmp_path, search=True)


def test_after_a_full_plan_the_snapshot_rows_are_a_cold_builds(project, monkeypatch, tmp_path):
    """A full plan after a small edit rewrites only the rows of the snapshot that changed, and
    drops those of files that went: what is left is what a cold build stores."""
    import sqlite3

    def rows(folder):
        with sqlite3.connect(folder / ".sitegen-cache" / "build.sqlite") as db:
            return sorted(db.execute("SELECT name, signature, body_key, digest, pages, search FROM sources"))

    before = rows(project)
    _edit_body(project, old="2021年关于数据安全的通知2", new="2021年关于数据安全的通知2（修订）")
    (project / "content" / "2020" / "y2020d3.md").unlink()
    _rebuild(project, monkeypatch, plans=True)
    after = rows(project)
    assert len(after) == len(before) - 1 and after != before
    cold = tmp_path / "cold-with-cache"
    shutil.copytree(project / "content", cold / "content")
    build_site(load_config(cold, theme=str(THEME)), cold, search=False)
    assert after == rows(cold)
