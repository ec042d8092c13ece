"""Pages on every core: bodies rendered ahead of their pages, and the catalogs made by the
building process while it waits for the workers."""

from __future__ import annotations

import time
from functools import partial

import pytest

from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.fingerprint import body_digest
from sitegen.notice import Notice
from sitegen.parallel import POOL_THRESHOLD, Workers
from sitegen.render import render_markdown
from sitegen.site.cache import BuildCache
from sitegen.site.pages import Page, page_count, site_pages
from sitegen.site.theme import theme_version
from sitegen.site.writing import Output, _render_bodies, render_ahead, stop_ahead, write_pages

from .samples import REPO

THEME = REPO / "themes" / "default"


def _notice_file(folder, number: int, body: str):
    path = folder / f"n{number}.md"
    path.write_text(notice_text(Notice(id=f"n{number}", title=f"第{number}号通知", body=body)), encoding="utf-8")
    return path


def test_bodies_are_rendered_ahead_into_the_cache_under_the_markdown_read_then(tmp_path):
    with BuildCache(tmp_path / "cache") as cache:
        known = _notice_file(tmp_path, 1, "已渲染的正文。\n")
        cache.bodies.add([(body_digest("已渲染的正文。\n"), "<p>kept as stored</p>")])
        fresh = _notice_file(tmp_path, 2, "**新的**正文。\n")
        edited = _notice_file(tmp_path, 3, "读取时的正文。\n")
        key_when_read = body_digest("读取时的正文。\n")
        edited.write_text(edited.read_text(encoding="utf-8").replace("读取时的", "改过的"), encoding="utf-8")
        _render_bodies(cache.bodies, [(body_digest("已渲染的正文。\n"), known),
                                      (body_digest("**新的**正文。\n"), fresh),
                                      (key_when_read, edited),
                                      ("gone", tmp_path / "gone.md")])
        assert cache.bodies.get([body_digest("已渲染的正文。\n")]) == {
            body_digest("已渲染的正文。\n"): "<p>kept as stored</p>"}  # not rendered again
        assert cache.bodies.get([body_digest("**新的**正文。\n")]) == {
            body_digest("**新的**正文。\n"): render_markdown("**新的**正文。\n")}
        assert cache.bodies.known([key_when_read, body_digest("改过的正文。\n"), "gone"]) == {
            body_digest("改过的正文。\n")}


def test_bodies_are_rendered_ahead_only_where_workers_can_take_them(tmp_path):
    with BuildCache(tmp_path / "cache") as cache, Workers(2) as workers:
        bodies = [(body_digest(f"第{n}段。\n"), _notice_file(tmp_path, n, f"第{n}段。\n"))
                  for n in range(POOL_THRESHOLD)]
        assert render_ahead(bodies[:10], cache.bodies, workers) == []  # the pages render so few
        futures = render_ahead(bodies, cache.bodies, workers)
        for future in futures:
            future.result()
        assert cache.bodies.known([key for key, _ in bodies]) == {key for key, _ in bodies}
    with Workers(1) as alone:
        assert render_ahead(bodies, cache.bodies, alone) == []


def test_bodies_not_started_ahead_when_the_pages_start_are_left_to_the_pages_writers(tmp_path):
    """Their writers read each file once, for the page and the JSON file; a body rendered ahead
    is read twice. What has started is waited for; the rest is never rendered ahead."""
    with BuildCache(tmp_path / "cache") as cache, Workers(2) as workers:
        bodies = [(body_digest(f"第{n}段。\n"), _notice_file(tmp_path, n, f"第{n}段。\n"))
                  for n in range(POOL_THRESHOLD * 3)]
        futures = render_ahead(bodies, cache.bodies, workers)
        while not (futures[0].running() or futures[0].done()):  # the pool has taken the first
            time.sleep(0.01)
        started = stop_ahead(futures)
        assert 0 < len(started) < len(futures)
        assert all(future.cancelled() for future in futures if future not in started)
        for future in started:
            future.result()
        rendered = cache.bodies.known([key for key, _ in bodies])
        assert 0 < len(rendered) < len(bodies)


def _pieces(count: int):
    for number in range(count):
        yield f"{number:06d},{'条目' * 40}\n"


def test_a_catalog_made_between_waits_for_the_workers_is_written_whole(tmp_path):
    """The catalog's pieces are made while the workers write the pages around it; the file
    holds every piece in order, in a new folder and in place alike, and the progress counts it."""
    config = load_config(tmp_path)
    expected = "".join(_pieces(5000)).encode("utf-8")
    assert len(expected) > 3 * (1 << 18)  # several steps
    for in_place in (False, True):
        folder = tmp_path / f"site-{in_place}"
        folder.mkdir()
        if in_place:
            (folder / "catalog.csv").write_text("old\n", encoding="utf-8")
        pages = [Page(f"p{n}/robots.txt", "robots.txt") for n in range(POOL_THRESHOLD)]
        pages.insert(1, Page("catalog.csv", None, data=lambda _notice: _pieces(5000)))
        counted = []
        with BuildCache(None) as cache, Workers(2) as workers:
            output = Output(config, THEME, theme_version(THEME), folder, in_place, cache.bodies)
            write_pages(iter(pages), len(pages), output, workers, lambda done, _total, seen=counted: seen.append(done))
        assert (folder / "catalog.csv").read_bytes() == expected
        assert (folder / f"p{POOL_THRESHOLD - 1}" / "robots.txt").read_text(encoding="utf-8").startswith("User-agent")
        assert counted[-1] == len(pages)
        assert not [path for path in folder.rglob("*") if path.name.startswith(".")]  # no temporary file left


def test_a_catalog_that_fails_half_way_leaves_the_old_file_and_no_part_of_the_new(tmp_path):
    def failing(_notice):
        yield from _pieces(3000)  # several steps, written already
        raise OSError("disk full")

    config = load_config(tmp_path)
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "catalog.csv").write_text("old\n", encoding="utf-8")
    with BuildCache(None) as cache, Workers(1) as workers:
        output = Output(config, THEME, theme_version(THEME), folder, True, cache.bodies)
        with pytest.raises(OSError, match="disk full"):
            write_pages(iter([Page("catalog.csv", None, data=failing)]), 1, output, workers)
    assert (folder / "catalog.csv").read_text(encoding="utf-8") == "old\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]  # its scratch folder went too


def test_both_catalogs_are_made_from_one_record_per_notice_and_each_is_whole(tmp_path, monkeypatch):
    import csv
    import io
    import json

    from sitegen.site import data
    from sitegen.site.data import Catalogs, catalog_csv, catalog_json

    notices = [Notice(id=f"n{number}", title=f"第{number}号通知") for number in range(3 * data.PIECE + 7)]
    validity = {"n1": {"status": "已废止", "relations": [{"relation": "被废止", "id": "n2"}]}}
    made = []
    real = data.notice_record
    monkeypatch.setattr(data, "notice_record", lambda *args: made.append(1) or real(*args))
    catalogs = Catalogs(notices, validity)
    config = load_config(tmp_path)
    pages = [Page("catalog.json", None, data=partial(Catalogs.pieces, catalogs, "json")),
             Page("catalog.csv", None, data=partial(Catalogs.pieces, catalogs, "csv"))]
    with BuildCache(None) as cache, Workers(1) as workers:
        output = Output(config, THEME, theme_version(THEME), tmp_path / "site", False, cache.bodies)
        write_pages(iter(pages), 2, output, workers)
    assert len(made) == len(notices)  # not once per catalog
    site = tmp_path / "site"
    assert (site / "catalog.json").read_text(encoding="utf-8") == "".join(catalog_json(notices, validity))
    assert (site / "catalog.csv").read_text(encoding="utf-8") == "".join(catalog_csv(notices, validity))
    assert len(json.loads((site / "catalog.json").read_text(encoding="utf-8"))) == len(notices)
    assert len(list(csv.reader(io.StringIO((site / "catalog.csv").read_text(encoding="utf-8"))))) == len(notices) + 1


def test_a_cold_build_makes_each_page_once_and_counts_them_before_making_them(tmp_path, monkeypatch):
    """The plan of a cold build is made as its pages are written: site_pages runs once, the
    progress has the true total from the start, and the site and its stored fingerprints are
    those of a plan made in full first (a warm build after it writes nothing)."""
    import dataclasses
    import shutil

    from sitegen.site import build
    from sitegen.site.reading import read_content
    from sitegen.site.structure import build_structure

    content = tmp_path / "project" / "content"
    shutil.copytree(REPO / "content", content)
    for page_size in (1, 2, 20):
        config = dataclasses.replace(load_config(tmp_path / "project", theme=str(THEME)), page_size=page_size)
        archive = read_content(content)
        site = build_structure(archive.notices)
        bodies = {entry.notice.id: entry.body for entry in archive.entries}
        assert page_count(site, config) == len(list(site_pages(site, config, bodies)))
    calls, totals = [], []
    real = build.site_pages
    monkeypatch.setattr(build, "site_pages", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    config = load_config(tmp_path / "project", theme=str(THEME))
    report = build.build_site(config, tmp_path / "project", search=False,
                              progress=lambda done, total: totals.append((done, total)))
    assert len(calls) == 1
    assert {total for _, total in totals} == {report.pages} and totals[-1] == (report.pages, report.pages)
    site_files = sorted(p for p in (tmp_path / "project" / "public").rglob("*.htm*"))
    assert len(site_files) > 9
    again = build.build_site(config, tmp_path / "project", search=False)
    assert (again.written, again.pages) == (0, report.pages)
