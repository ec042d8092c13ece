"""`sitegen build` on the bundled archive: pages, links, counts, errors and guarantees."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.config import OUTPUT_MARKER, load_config
from sitegen.content import notice_text, read_notice
from sitegen.notice import Notice
from sitegen.search.words import LENGTHS, PACKS, _unleb128, read_bucket
from sitegen.site.build import BuildError, build_site

from .samples import REPO
from .sitecheck import crawl

QUALITY = "bfb984e6051a4952a2a42703354581d5"
CALL_CENTRE = "d68d7bd0a2a148fb8f9b94547ab5397f"


def build(tmp_path: Path, content: Path | None = None, search: bool = False, **options) -> Path:
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(content or REPO / "content", project / "content")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=search, **options)
    return project / "public"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site"), search=True)


def test_every_notice_is_reachable_from_home_and_no_link_is_broken(site):
    reached, broken = crawl(site)
    assert broken == []
    notices = {p.name for p in (site / "notices").glob("*.html")}
    assert len(notices) == 9
    assert notices <= {p.name for p in reached}
    assert (site / "search.html").resolve() in reached


def test_every_page_is_reachable_from_the_404_and_search_pages_too(site):
    for start in ("search.html", "column/index.html", "year/index.html"):
        _, broken = crawl(site, start)
        assert broken == []


def test_notice_page_shows_its_metadata_table(site):
    page = soup(site / "notices" / f"{CALL_CENTRE}.html")
    assert page.html["lang"] == "zh-CN"
    rows = {th.get_text(): td.get_text() for th, td in
            zip(page.select("table.metadata th"), page.select("table.metadata td"))}
    assert rows == {
        "索引号": "00001854-5/2020-00197", "主题分类": "信息通信管理", "发文机关": "工业和信息化部",
        "成文日期": "2020年06月08日", "标题": "工业和信息化部关于加强呼叫中心业务管理的通知",
        "发文字号": "工信部信管〔2020〕81号", "发布日期": "2020年06月18日", "栏目": "通信业",
        "公文种类": "通知", "主办司局": "信息通信管理局",
    }
    assert page.h1.get_text() == "工业和信息化部关于加强呼叫中心业务管理的通知"
    assert [h.name for h in page.select("h1")] == ["h1"]
    body = page.select_one("article .body")
    assert body.select_one("p.center").get_text() == "工信部信管〔2020〕81号"
    assert body.select("strong")[0].get_text() == "一、加强准入管理"
    sources = [a["href"] for a in page.select("aside a")]
    assert any("art_d68d7bd0a2a148fb8f9b94547ab5397f" in href for href in sources)
    assert any("art_d4798d8ad6014d70897c95a88c42f193" in href for href in sources)  # also published
    crumbs = [li.get_text(strip=True) for li in page.select(".breadcrumbs li")]
    assert crumbs == ["首页", "通信业", "工业和信息化部关于加强呼叫中心业务管理的通知"]
    assert "上一篇" in page.select_one(".neighbours").get_text() or "下一篇" in page.select_one(".neighbours").get_text()


def test_only_known_metadata_is_shown(site):
    page = soup(site / "notices" / "88bd46badb754d919c07743c05764c33.html")
    labels = [th.get_text() for th in page.select("table.metadata th")]
    assert labels == ["标题", "发布日期", "栏目"]


def test_attachments_are_listed_with_a_note_that_they_live_on_the_original_site(site):
    page = soup(site / "notices" / f"{QUALITY}.html")
    items = page.select("ul.attachments li")
    assert len(items) == 2
    assert items[0].a["href"].startswith("https://www.miit.gov.cn/api-gateway/")
    assert "原网站" in items[0].get_text()


def test_browse_counts_add_up(site):
    for axis in ("column", "year", "theme", "issuer", "type"):
        overview = soup(site / axis / "index.html")
        counts = [int(c.get_text()) for c in overview.select(".terms-overview .count")]
        assert counts, axis
        total = 0
        for item in overview.select(".terms-overview li"):
            listed = soup((site / axis / item.a["href"]).resolve())
            entries = listed.select(".notice-list li")
            assert len(entries) == int(item.select_one(".count").get_text())
            total += len(entries)
        if axis in ("column", "year"):
            assert total == 9, axis  # every notice has a column and a date
    assert [c.get_text() for c in soup(site / "year" / "index.html").select(".count")] == ["9"]


def test_list_pages_are_newest_first_and_paginated(tmp_path):
    content = tmp_path / "content" / "2021"
    content.mkdir(parents=True)
    import datetime as dt
    for day in range(1, 46):
        notice = Notice(id=f"n{day:02d}", title=f"通知第{day}号", body="正文\n", column="公告",
                        date=dt.date(2021, 1, day % 28 + 1) if day <= 28 else dt.date(2021, 2, day - 27),
                        file_number=f"工信部〔2021〕{day}号")
        (content / f"n{day:02d}.md").write_text(notice_text(notice), encoding="utf-8")
    site = build(tmp_path, content=tmp_path / "content")
    folder = next((site / "column").glob("*/"))
    pages = sorted(p.name for p in folder.glob("*.html"))
    assert pages == ["index.html", "page-2.html", "page-3.html"]
    first = soup(folder / "index.html")
    dates = [t["datetime"] for t in first.select(".notice-list time")]
    assert len(dates) == 20 and dates == sorted(dates, reverse=True)
    assert first.select_one(".notice-list .file-number")
    assert (folder / first.select_one('a[rel="next"]')["href"]).resolve() == folder / "page-2.html"
    assert crawl(site)[1] == []


def test_home_page_lists_latest_and_axes(site):
    home = soup(site / "index.html")
    assert len(home.select("#latest-heading + ol li")) == 9
    assert [h.get_text() for h in home.select(".axes h3")] == ["栏目", "年份", "主题分类", "发文机关", "公文种类"]
    assert home.select_one("main") and home.select_one("header") and home.select_one("footer")


def test_feed_sitemap_robots_and_404(site):
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 9 and "<updated>2020-12-16T00:00:00+08:00</updated>" in feed
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<loc>") == len(re.findall(r"<url>", sitemap)) > 9
    assert (site / "robots.txt").read_text().startswith("User-agent: *")
    assert "未找到页面" in (site / "404.html").read_text(encoding="utf-8")


def test_no_page_uses_remote_fonts_scripts_or_styles(site):
    for page in site.rglob("*.html"):
        if "pagefind" in page.parts:
            continue
        for tag in soup(page).select("script[src], link[href]"):
            url = tag.get("src") or tag.get("href")
            assert not url.startswith(("http:", "https:", "//")), (page, url)
        assert not soup(page).select("script:not([src])"), page


def test_only_notice_content_is_indexed(site):
    from sitegen.render import render_markdown
    from sitegen.search.documents import notice_texts
    from sitegen.search.tokens import TOKEN, tokens

    expected = set()
    for path in (REPO / "content").rglob("*.md"):
        notice = read_notice(path)
        for text in notice_texts(notice, render_markdown(notice.body)).values():
            expected.update(tokens(text))
    indexed = set()
    [words] = (site / "pagefind" / "shards").glob("words-*")
    count = len(_unleb128((words / LENGTHS).read_bytes())) // 2
    for n in range(count):
        indexed.update(word[0] for _, entries in read_bucket(words, "", n) for word in entries)
    # Pagefind adds pieces of the last word of a field (split at letter/digit boundaries) at the
    # same position; none is spelt like a token, so no search reads them.
    assert expected <= indexed
    assert not [w for w in indexed - expected if re.fullmatch(TOKEN, w)]


def test_hostile_text_in_a_notice_is_rendered_inert(tmp_path):
    content = tmp_path / "content" / "2021"
    content.mkdir(parents=True)
    body = ("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
            "[点我](javascript:alert(3))\n\n<iframe src='https://evil.example'></iframe>\n\n"
            "<style>body{display:none}</style>\n\n<p onclick=\"alert(4)\" style=\"x\">段落</p>\n")
    notice = Notice(id="evil", title="<b>标题</b>", body=body, file_number="<script>x</script>")
    (content / "evil.md").write_text(notice_text(notice), encoding="utf-8")
    site = build(tmp_path, content=tmp_path / "content")
    html = (site / "notices" / "evil.html").read_text(encoding="utf-8")
    article = str(soup(site / "notices" / "evil.html").select_one("article"))
    for bad in ("<script>alert", "onerror=", 'href="javascript:', "<iframe", "<style>", "onclick="):
        assert bad not in html
    assert not soup(site / "notices" / "evil.html").select("article [onerror], article [style]")
    assert "&lt;b&gt;标题&lt;/b&gt;" in html and "段落" in article
    assert "[点我](javascript:alert(3))" in article  # shown as text, not a link


def test_bad_front_matter_stops_the_build_with_every_error(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    (project / "content" / "2020" / "bad1.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    (project / "content" / "2020" / "bad2.md").write_text(
        "---\ntitle: t\nid: y\ndate: 2020-02-30\n---\n", encoding="utf-8")
    (project / "public").mkdir()
    (project / "public" / "old.html").write_text("old", encoding="utf-8")
    (project / "public" / OUTPUT_MARKER).write_text("", encoding="utf-8")  # an earlier build's output
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    with pytest.raises(BuildError) as caught:
        build_site(config, project, search=False)
    assert sorted(caught.value.lines) == [
        f"{project / 'content' / '2020' / 'bad1.md'}:1: title: required field is missing or empty",
        f"{project / 'content' / '2020' / 'bad2.md'}:4: date: not a YYYY-MM-DD date: '2020-02-30'",
    ]
    # The old output is untouched and no staging folder is left behind.
    assert (project / "public" / "old.html").read_text() == "old"
    assert sorted(p.name for p in project.iterdir()) == [".sitegen-cache", "content", "public"]
    report = build_site(config, project, search=False, keep_going=True)
    assert report.notices == 9 and len(report.skipped) == 2
    assert not (project / "public" / "old.html").exists()


def test_cli_build_reports_errors_and_a_summary(tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    monkeypatch.chdir(project)
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--no-search", "--theme", str(REPO / "themes" / "default")])
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ pages written for 9 notices \(no search index; 2 citation links, \d+ unresolved\) "
                     r"into public in [\d.]+ s", result.output)
    (project / "content" / "2020" / "bad.md").write_text("---\ntitle: t\n---\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "--no-search", "--theme", str(REPO / "themes" / "default")])
    assert result.exit_code == 1
    assert "bad.md:1: id: required field is missing or empty" in result.output


def test_same_input_gives_byte_identical_pages(tmp_path):
    first = build(tmp_path / "a")
    second = build(tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_search_index_is_sharded_with_a_catalog_and_records_for_listing(site):
    import json

    catalog = (site / "pagefind" / "catalog.js").read_text(encoding="utf-8")
    data = json.loads(catalog.split("]=", 1)[1].rstrip(";\n"))
    [shard] = data["shards"]
    assert shard["name"] == "2020" and shard["count"] == data["count"] == 9 and len(data["days"]) == 9
    lookup = json.loads((site / "pagefind" / data["lookup"]).read_text(encoding="utf-8").split("]=", 1)[1][:-2])
    folder = site / "pagefind" / "shards" / shard["folder"]
    assert [p.name for p in folder.iterdir()] == ["docs"]  # Pagefind's chunks stay in the cache
    words = site / "pagefind" / "shards" / lookup["words"]["folder"]
    # Positions and counts, each a pack of every bucket end to end, read by range requests.
    assert sorted(p.name for p in words.iterdir()) == sorted([*PACKS, LENGTHS])
    assert len(_unleb128(base64.b64decode(lookup["words"]["lengths"]))) == 2 * lookup["words"]["count"]
    docs = [p.read_text(encoding="utf-8") for p in (folder / "docs").iterdir()]
    assert len(docs) == 9 and all(d.count('"url":"notices/') == 1 for d in docs)
    assert any('"file_number":"工信部信管〔2020〕81号"' in d for d in docs)
    assert not list(site.rglob("pagefind*.js")) and not list(site.rglob("*.pf_fragment"))


def test_config_file_sets_title_and_page_size(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    (project / "sitegen.toml").write_text(
        '[site]\ntitle = "测试档案"\npage_size = 2\nbase_url = "https://example.org/archive"\n',
        encoding="utf-8")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=False)
    site = project / "public"
    assert soup(site / "index.html").title.get_text() == "测试档案"
    assert "Sitemap: https://example.org/archive/sitemap.xml" in (site / "robots.txt").read_text()
    assert any(p.name == "page-2.html" for p in (site / "year" / "2020").iterdir())


def _two_year_archive(root: Path) -> Path:
    import datetime as dt

    for year in (2020, 2021):
        folder = root / "content" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for day in range(1, 4):
            notice = Notice(id=f"y{year}d{day}", title=f"{year}年关于数据安全的通知{day}", column="通知",
                            body=f"第{day}号正文，涉及个人信息保护。\n", date=dt.date(year, 3, day))
            (folder / f"y{year}d{day}.md").write_text(notice_text(notice), encoding="utf-8")
    return root


def test_warm_build_rewrites_only_what_changed_and_matches_a_cold_build(tmp_path, monkeypatch):
    monkeypatch.setattr("sitegen.search.pagefind.SHARD_SIZE", 3)  # a search shard per year
    project = _two_year_archive(tmp_path / "warm")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    first = build_site(config, project)
    assert first.written == first.pages and sorted(first.reindexed) == ["2020", "2021"]
    site = project / "public"
    stamps = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}

    edited = project / "content" / "2021" / "y2021d2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("第2号正文", "第2号正文（修订）"), encoding="utf-8")
    second = build_site(config, project)
    # A body shows on the notice's page and in its JSON file only: feeds, lists and catalogs
    # show metadata, so they stay as they are.
    assert second.written == 2 and second.reindexed == ["2021"]
    changed = {p.relative_to(site).as_posix() for p, stamp in stamps.items()
               if not p.exists() or p.stat().st_mtime_ns != stamp}
    assert {"notices/y2021d2.html", "notices/y2021d2.json"} <= changed
    assert not any(path.startswith(("pagefind/shards/2020-", "notices/y2020", "index.html", "feed.xml", "catalog"))
                   for path in changed)

    cold = _two_year_archive(tmp_path / "cold")
    shutil.copyfile(edited, cold / "content" / "2021" / "y2021d2.md")
    build_site(load_config(cold, theme=str(REPO / "themes" / "default")), cold, use_cache=False)
    for path in (p for p in site.rglob("*") if p.is_file() and "pagefind" not in p.parts):
        assert path.read_bytes() == (cold / "public" / path.relative_to(site)).read_bytes(), path


def test_deleting_the_cache_gives_the_same_site(tmp_path):
    project = _two_year_archive(tmp_path / "p")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=False)
    before = {p: p.read_bytes() for p in (project / "public").rglob("*") if p.is_file()}
    shutil.rmtree(project / ".sitegen-cache")
    build_site(config, project, search=False)
    assert {p: p.read_bytes() for p in (project / "public").rglob("*") if p.is_file()} == before


def test_notices_cached_under_other_parse_rules_are_read_again(tmp_path, monkeypatch):
    from sitegen.content import ContentError, parse_notice

    project = _two_year_archive(tmp_path / "p")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=False)

    def stricter(text, path):  # a new rule that refuses a notice the old rules took
        if path.name == "y2021d2.md":
            raise ContentError(path, 2, "title", "not allowed by the new rules")
        return parse_notice(text, path)

    monkeypatch.setattr("sitegen.site.reading.parse_notice", stricter)
    build_site(config, project, search=False)  # same rules version: the cached rows are trusted
    monkeypatch.setattr("sitegen.site.reading.code_digest", lambda *modules: "the new rules")
    with pytest.raises(BuildError) as caught:
        build_site(config, project, search=False)
    assert caught.value.lines == [f"{project / 'content' / '2021' / 'y2021d2.md'}:2: title: not allowed by the new rules"]


def test_the_parse_rules_version_follows_the_code_that_parses(tmp_path, monkeypatch):
    from sitegen import fingerprint
    from sitegen.fingerprint import code_digest, code_modules
    from sitegen.site.reading import parse_rules

    assert fingerprint.RENDERER_VERSION in parse_rules()  # the cached body keys were made with it
    assert {"sitegen.front_matter", "sitegen.content", "sitegen.notice", "sitegen.citations",
            "sitegen.relations", "sitegen.dates"} <= set(code_modules("sitegen.site.reading"))
    package = tmp_path / "rulebook"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "reader.py").write_text("from .schema import FIELDS\nfrom . import limits\n")
    (package / "schema.py").write_text("FIELDS = ('title',)\n")
    (package / "limits.py").write_text("SIZE = 10\n")
    (package / "unused.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert list(code_modules("rulebook.reader")) == ["rulebook", "rulebook.limits", "rulebook.reader", "rulebook.schema"]
    digests = {code_digest.__wrapped__("rulebook.reader")}
    for module, text in (("schema", "FIELDS = ('title', 'date')\n"), ("limits", "SIZE = 20\n"),
                         ("unused", "X = 2\n")):
        (package / f"{module}.py").write_text(text)
        digests.add(code_digest.__wrapped__("rulebook.reader"))
    assert len(digests) == 3  # a change to either rule module, none to a module it does not import


def test_a_page_fingerprint_follows_what_the_template_receives_and_nothing_else():
    import copy
    import datetime as dt
    from functools import partial

    from sitegen.fingerprint import PageFingerprints
    from sitegen.site.pages import Page, listing
    from sitegen.site.structure import AXES

    notice = Notice(id="a1", title="关于数据安全的通知", date=dt.date(2021, 3, 1))
    digests = {"a1": "digest-of-a1"}

    def fingerprint(**context):
        page = Page("column/x/index.html", "list.html", context, data=partial(sorted, key=len))
        return PageFingerprints(("settings", "theme"), digests)(page)

    base = {"axis": AXES[0], "items": [listing(notice, "现行有效")], "notice": notice, "when": dt.date(2021, 3, 1),
            "rows": [("标题", notice.title)], "flags": {"新"}}
    first = fingerprint(**base)
    assert fingerprint(**copy.deepcopy(base)) == first  # equal inputs, other objects: the same
    for key, other in (("items", [listing(notice, "已废止")]), ("when", dt.date(2021, 3, 2)),
                       ("rows", [("标题", "另一个标题")]), ("axis", AXES[1]), ("flags", {"旧"})):
        assert fingerprint(**{**base, key: other}) != first, key
    digests["a1"] = "the file changed"  # a notice stands for its file
    assert fingerprint(**base) != first
    # A bound method stands for its function and for what it is bound to.
    from sitegen.site.data import Catalogs

    bound = fingerprint(**base, data=partial(Catalogs([notice]).pieces, "json"))
    assert fingerprint(**base, data=partial(Catalogs([copy.copy(notice)]).pieces, "json")) == bound
    assert fingerprint(**base, data=partial(Catalogs([notice], {"a1": {}}).pieces, "json")) != bound
    with pytest.raises(TypeError, match="no stable text for a object"):
        fingerprint(**base, thing=object())


def _tree(site: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) below site."""
    return {p.relative_to(site).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(site.rglob("*"))}


def _cold_tree(project: Path, tmp_path: Path, theme: Path = REPO / "themes" / "default") -> dict:
    cold = tmp_path / "cold-copy"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(project / "content", cold / "content")
    build_site(load_config(cold, theme=str(theme)), cold, search=False, use_cache=False)
    return _tree(cold / "public")


def test_links_in_the_theme_static_folder_are_not_followed(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "env.txt").write_text("SECRET=1\n")
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "themes" / "default", theme)
    (theme / "static" / "env.txt").symlink_to(secret / "env.txt")
    (theme / "static" / "linked").symlink_to(secret, target_is_directory=True)
    project = _two_year_archive(tmp_path / "p")
    build_site(load_config(project, theme=str(theme)), project, search=False)
    static = project / "public" / "static"
    assert (static / "style.css").is_file()
    assert not (static / "env.txt").exists() and not (static / "linked").exists()
    assert "SECRET" not in "".join(p.read_text(errors="replace") for p in static.rglob("*") if p.is_file())


def test_a_warm_build_drops_what_a_cold_one_would_not_make(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "themes" / "default", theme)
    (theme / "static" / "old").mkdir()
    (theme / "static" / "old" / "extra.css").write_text("p{}\n")
    project = _two_year_archive(tmp_path / "p")
    lonely = Notice(id="lonely", title="唯一的公告", column="公告", body="正文\n", theme="独有主题")
    (project / "content" / "2021" / "lonely.md").write_text(notice_text(lonely), encoding="utf-8")
    config = load_config(project, theme=str(theme))
    build_site(config, project, search=False)
    assert (project / "public" / "static" / "old" / "extra.css").is_file()

    shutil.rmtree(theme / "static" / "old")
    (project / "content" / "2021" / "lonely.md").unlink()
    build_site(config, project, search=False)
    warm = _tree(project / "public")
    assert "static/old" not in warm
    # The lonely notice's column and theme had a folder each: both are gone, not left empty.
    assert all(path + "/index.html" in warm for path, data in warm.items()
               if data is None and path.startswith(("column/", "theme/")))
    assert warm == _cold_tree(project, tmp_path, theme)


def test_staging_folders_of_killed_builds_are_removed_at_start(tmp_path):
    project = _two_year_archive(tmp_path / "p")
    for name in (".public-99999999-abc", ".public-old"):
        (project / name / "notices").mkdir(parents=True)
        (project / name / "notices" / "x.html").write_text("stale")
    (project / ".publications").mkdir()  # not ours
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project, search=False)
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".pub")) == [".publications"]
    assert "/.public-*" in (REPO / ".gitignore").read_text().splitlines()


def test_an_edit_that_keeps_the_size_and_puts_the_old_mtime_back_is_seen(tmp_path):
    import os

    project = _two_year_archive(tmp_path / "p")
    config = load_config(project, theme=str(REPO / "themes" / "default"))
    build_site(config, project, search=False)
    edited = project / "content" / "2020" / "y2020d1.md"
    stat = edited.stat()
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("第1号正文", "第9号正文"), encoding="utf-8")
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert edited.stat().st_size == stat.st_size and edited.stat().st_mtime_ns == stat.st_mtime_ns
    build_site(config, project, search=False)
    assert "第9号正文" in (project / "public" / "notices" / "y2020d1.html").read_text(encoding="utf-8")
    assert _tree(project / "public") == _cold_tree(project, tmp_path)


def test_workers_exit_when_the_build_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import sys, time\n"
        "from sitegen.parallel import Workers\n"
        "workers = Workers(2)\n"
        "futures = [workers.submit(time.sleep, 60) for _ in range(2)]\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 10
        while len(children := _children(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children) >= 2
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(pid) for pid in children)
    finally:
        parent.kill()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


_KILL_SCRIPT = """
import os, signal, sys
from pathlib import Path
from sitegen.config import load_config
from sitegen.site import build, writing
from sitegen.site.build import build_site

hook, after = sys.argv[3], int(sys.argv[4])
module = writing if hook == "write_file" else build
real, calls = getattr(module, hook), []

def then_die(*args):
    real(*args)
    calls.append(args)
    if len(calls) == after:
        os.kill(os.getpid(), signal.SIGKILL)

setattr(module, hook, then_die)
project = Path(sys.argv[1])
build_site(load_config(project, theme=sys.argv[2]), project, search=False)
"""


@pytest.mark.parametrize("edit, hook, after", [
    ("notice", "write_file", 2),  # a warm build killed half-way through rewriting pages
    ("body", "write_file", 1),  # ... after an edit of a body only (its pages, planned from the cache)
    ("theme", "write_file", 5),  # ... after a theme edit, which rewrites every page
    ("cold", "swap", 1),  # a cold build killed between putting the site in place and the cache
])
def test_a_killed_build_is_repaired_by_the_next_one_after_the_edit_is_undone(tmp_path, edit, hook, after):
    import signal
    import subprocess
    import sys

    theme = tmp_path / "theme"
    shutil.copytree(REPO / "themes" / "default", theme)
    project = _two_year_archive(tmp_path / "p")
    config = load_config(project, theme=str(theme))
    build_site(config, project, search=False)
    edited = project / "content" / "2021" / "y2021d2.md" if edit != "theme" else theme / "templates" / "base.html"
    original = edited.read_text(encoding="utf-8")
    if edit == "theme":
        edited.write_text(original.replace("</footer>", "<p>改版</p></footer>"), encoding="utf-8")
    elif edit == "body":
        edited.write_text(original.replace("第2号正文", "第2号正文（修订）"), encoding="utf-8")
    else:
        edited.write_text(original.replace("2021年关于", "2021年修订关于"), encoding="utf-8")
    if edit == "cold":
        shutil.rmtree(project / "public")

    killed = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(project), str(theme), hook, str(after)],
                            capture_output=True, text=True, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    edited.write_text(original, encoding="utf-8")
    build_site(config, project, search=False)
    assert _tree(project / "public") == _cold_tree(project, tmp_path, theme)


# -- warm == cold, whatever is edited ---------------------------------------------------------

def _edit(project: Path, theme: Path, kind: str, pick: int) -> None:
    """One edit a user makes between two builds."""
    import dataclasses
    import datetime as dt

    files = sorted((project / "content").rglob("*.md"))
    path = files[pick % len(files)] if files else None
    if kind == "add" or path is None:
        notice = Notice(id=f"added{pick}", title=f"新增通知{pick}", column="新栏目", body=f"新增正文{pick}。\n",
                        date=dt.date(2019 + pick % 4, 1 + pick % 12, 1))
        (project / "content" / "2021" / f"added{pick}.md").write_text(notice_text(notice), encoding="utf-8")
        return
    notice = read_notice(path)
    if kind == "delete":
        path.unlink()
        return
    if kind in ("body", "citation"):  # a citation in the body links another notice's page here
        cited = read_notice(files[(pick + 1) % len(files)]).title
        added = f"依据《{cited}》。" if kind == "citation" else f"第{pick}次补充。"
        path.write_text(notice_text(dataclasses.replace(notice, body=notice.body + added + "\n")), encoding="utf-8")
        return
    if kind == "theme template":
        base = theme / "templates" / "base.html"
        base.write_text(base.read_text(encoding="utf-8").replace("</footer>", f"<!-- {pick} --></footer>"),
                        encoding="utf-8")
        return
    if kind == "theme static":
        static = theme / "static" / f"extra{pick % 2}.css"
        static.unlink() if static.exists() else static.write_text(f"p{{margin:{pick}px}}\n")
        return
    changes = {
        "title": {"title": f"{notice.title}（第{pick}次修订）"},
        "column": {"column": ["通知", "公告", f"栏目{pick}"][pick % 3]},
        "date": {"date": dt.date(2018 + pick % 5, 1 + pick % 12, 1 + pick % 28)},
        "file number": {"file_number": f"工信部测〔{2018 + pick % 5}〕{pick}号"},
    }[kind]
    path.write_text(notice_text(dataclasses.replace(notice, **changes)), encoding="utf-8")


_EDITS = st.tuples(st.sampled_from(["title", "column", "date", "file number", "delete", "add", "body",
                                    "citation", "theme template", "theme static"]), st.integers(0, 40))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(_EDITS, min_size=1, max_size=3))
def test_a_warm_build_after_any_edits_equals_a_cold_build(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("edits")
    theme = root / "theme"
    shutil.copytree(REPO / "themes" / "default", theme)
    project = _two_year_archive(root / "p")
    config = load_config(project, theme=str(theme))
    build_site(config, project, search=False)
    for kind, pick in edits:
        _edit(project, theme, kind, pick)
        build_site(config, project, search=False)
        assert _tree(project / "public") == _cold_tree(project, root, theme), (kind, pick)
