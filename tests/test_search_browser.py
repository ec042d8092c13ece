"""Search on the built site, in a real headless Chromium against Pagefind's real index."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from sitegen.config import load_config
from sitegen.content import notice_files, read_notice
from sitegen.site.build import build_site

from .browser import chromium, netlify_headers, require_chromium, serving, wait_for_results
from .samples import REPO

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts"

CALL_CENTRE = "工业和信息化部关于加强呼叫中心业务管理的通知"
INTERPRETATION = "《工业和信息化部关于加强呼叫中心业务管理的通知》解读"
APP_NOTICE = "工业和信息化部关于开展纵深推进APP侵害用户权益专项整治行动的通知"
DATA_GUIDE = "工业和信息化部办公厅关于印发《工业数据分类分级指南（试行）》的通知"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    require_chromium()
    project = tmp_path_factory.mktemp("search") / "project"
    shutil.copytree(REPO / "content", project / "content")
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project)
    # Served with netlify.toml's content security policy: search must work under it. (So every
    # wait_for_function predicate here is a function: a bare expression needs eval, which the
    # policy forbids to Playwright as to anyone.)
    with serving(project / "public", netlify_headers()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory, site_url):
    with chromium(tmp_path_factory.mktemp("browser")) as context:
        yield context


def search(page, url: str) -> list[str]:
    page.goto(url)
    return wait_for_results(page)


def titles_containing(term: str) -> set[str]:
    """The ground truth: notices whose title, file number or body text contains the term."""
    from sitegen.convert.fidelity import rendered_text
    from sitegen.search.documents import searchable_text
    from sitegen.search.tokens import normalize

    found = set()
    for path in notice_files(REPO / "content"):
        notice = read_notice(path)
        text = searchable_text(notice, rendered_text(notice.body))
        if all(normalize(part) in normalize(text) for part in term.split()):
            found.add(notice.title)
    return found


@pytest.mark.parametrize("query, must_find", [
    ("个人信息", [APP_NOTICE]),
    ("呼叫中心", [CALL_CENTRE, INTERPRETATION]),
    ("骚扰电话", [CALL_CENTRE, INTERPRETATION]),
    ("数据安全", []),
    ("工信部信管〔2020〕81号", [CALL_CENTRE, INTERPRETATION]),
    ("eSIM", []),
    ("数据 分级", [DATA_GUIDE]),
    ("\"呼叫中心\"", [CALL_CENTRE]),
    ("不存在的词语", []),
])
def test_queries_find_exactly_the_notices_containing_them(browser, site_url, query, must_find):
    page = browser.new_page()
    titles = search(page, f"{site_url}search.html?q={quote(query)}")
    assert sorted(titles) == sorted(titles_containing(query.strip('"')))
    assert set(must_find) <= set(titles)
    page.close()


def test_the_search_function_returns_every_result_with_its_fields(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}search.html")
    page.wait_for_function("() => window.sitegen && window.sitegen.search")
    results = page.evaluate("window.sitegen.search('呼叫中心', {sort: 'desc'})")
    assert sorted(r["title"] for r in results) == sorted(titles_containing("呼叫中心"))
    assert [r["date"] for r in results] == sorted((r["date"] for r in results), reverse=True)
    first = next(r for r in results if r["title"] == CALL_CENTRE)
    assert first["date"] == "2020-06-18" and first["file_number"] == "工信部信管〔2020〕81号"
    assert first["url"].endswith("/notices/d68d7bd0a2a148fb8f9b94547ab5397f.html")
    filtered = page.evaluate("window.sitegen.search('呼叫中心', {filters: {column: ['政策解读']}})")
    assert [r["title"] for r in filtered] == [INTERPRETATION]
    page.close()


def test_query_tokens_in_the_browser_match_the_index_tokens(browser, site_url):
    from sitegen.search.tokens import search_tokens

    page = browser.new_page()
    page.goto(f"{site_url}search.html")
    page.wait_for_function("() => window.sitegen && window.sitegen.tokens")
    samples = ["工信部信管〔2020〕81号", "５Ｇ网络 eSIM技术", "个人，信息", "APP侵害用户权益", "李　琰 010-68208246",
               "ｅＳＩＭ", "Ⅻ条", "한국어 テスト", "a_b-c.d", "𠀀𠀁字"]
    for sample in samples:
        assert page.evaluate("(t) => window.sitegen.tokens(t)", sample) == search_tokens(sample), sample
    page.close()


def test_results_show_title_date_and_file_number_and_link_to_the_notice(browser, site_url):
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    search(page, f"{site_url}search.html?q={quote('呼叫中心')}")
    assert problems == []  # no script error and no content-security-policy violation
    first = page.locator("#search-results li").filter(has_text=CALL_CENTRE).first
    assert "2020-06-18" in first.inner_text()
    assert "工信部信管〔2020〕81号" in first.inner_text()
    first.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.url.endswith("/notices/d68d7bd0a2a148fb8f9b94547ab5397f.html")
    assert page.locator("h1").inner_text() == CALL_CENTRE
    page.close()


def test_filters_narrow_results_and_sorting_orders_by_date(browser, site_url):
    page = browser.new_page()
    titles = search(page, f"{site_url}search.html?q={quote('信息')}")
    assert len(titles) >= 5
    page.get_by_label("政策解读 (1)").check()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results h2").all_inner_texts() == [INTERPRETATION]
    assert "column=%E6%94%BF%E7%AD%96%E8%A7%A3%E8%AF%BB" in page.url  # the filter is in the address
    page.get_by_label("政策解读 (1)").uncheck()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length >= 5")
    page.select_option("#search-sort", "asc")
    page.wait_for_function(
        "() => { const t = [...document.querySelectorAll('#search-results time')].map(e => e.textContent);"
        " return t.length >= 5 && t.every((d, i) => i === 0 || t[i - 1] <= d); }")
    page.select_option("#search-sort", "")  # newest first
    page.wait_for_function(
        "() => { const t = [...document.querySelectorAll('#search-results time')].map(e => e.textContent);"
        " return t.length >= 5 && t.every((d, i) => i === 0 || t[i - 1] >= d) && t[0] !== t[t.length - 1]; }")
    excerpt = page.locator("#search-results .excerpt mark").first.inner_text()
    assert excerpt == "信息"
    page.close()


def test_screenshots_for_people_to_look_at(browser, site_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site_url}index.html")
    page.screenshot(path=str(ARTIFACTS / "home-desktop.png"), full_page=True)
    page.goto(f"{site_url}notices/d68d7bd0a2a148fb8f9b94547ab5397f.html")
    page.screenshot(path=str(ARTIFACTS / "notice-desktop.png"))
    search(page, f"{site_url}search.html?q={quote('呼叫中心')}")
    page.screenshot(path=str(ARTIFACTS / "search-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site_url}notices/d68d7bd0a2a148fb8f9b94547ab5397f.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "notice-phone.png"))
    search(page, f"{site_url}search.html?q={quote('呼叫中心')}")
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"))
    assert all((ARTIFACTS / name).stat().st_size > 10_000 for name in
               ("home-desktop.png", "notice-desktop.png", "search-desktop.png", "notice-phone.png"))
    page.close()
