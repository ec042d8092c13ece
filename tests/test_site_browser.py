"""End to end in headless Chromium: browse and search the site over HTTP and the bundle from disk."""

from __future__ import annotations

import shutil
import zipfile
from urllib.parse import quote

import pytest

from sitegen.bundle import make_bundle
from sitegen.config import load_config
from sitegen.site.build import build_site

from .browser import chromium, require_chromium, serving, wait_for_results
from .samples import REPO

pytestmark = pytest.mark.browser
THEME = str(REPO / "themes" / "default")
CALL_CENTRE = "工业和信息化部关于加强呼叫中心业务管理的通知"
INTERPRETATION = "《工业和信息化部关于加强呼叫中心业务管理的通知》解读"
QUERIES = ["呼叫中心", "个人信息", "骚扰电话", "数据安全", "工信部信管〔2020〕81号", "数据 分级", "5G", "不存在"]


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    """(the site served on 127.0.0.1, the unzipped bundle as a file:// URL)."""
    require_chromium()
    base = tmp_path_factory.mktemp("e2e")
    project = base / "project"
    shutil.copytree(REPO / "content", project / "content")
    config = load_config(project, theme=THEME)
    build_site(config, project)
    make_bundle(config, project, base / "archive.zip")
    with zipfile.ZipFile(base / "archive.zip") as archive:
        archive.extractall(base / "unzipped")
    with serving(project / "public") as url:
        yield url, (base / "unzipped").as_uri() + "/"


@pytest.fixture(scope="module")
def browser(tmp_path_factory, roots):
    with chromium(tmp_path_factory.mktemp("profile")) as context:
        yield context


def browse_to_the_call_centre_notice(page, root: str) -> None:
    page.goto(f"{root}index.html")
    assert page.locator("h1").first.inner_text() == "工业和信息化部政策文件库"
    page.locator(".axes").get_by_role("link", name="通信业").click()
    assert page.locator("h1").inner_text() == "栏目：通信业"
    page.get_by_role("navigation", name="浏览").get_by_role("link", name="年份").click()
    page.get_by_role("link", name="2020").first.click()
    assert page.locator("h1").inner_text() == "年份：2020"
    page.get_by_role("navigation", name="浏览").get_by_role("link", name="主题分类").click()
    page.get_by_role("link", name="信息通信管理").click()
    assert page.locator("h1").inner_text() == "主题分类：信息通信管理"
    page.get_by_role("link", name=CALL_CENTRE).click()
    assert page.locator("h1").inner_text() == CALL_CENTRE
    table = dict(zip(page.locator("table.metadata th").all_inner_texts(),
                     page.locator("table.metadata td").all_inner_texts()))
    assert table["发文字号"] == "工信部信管〔2020〕81号" and table["发布日期"] == "2020年06月18日"
    assert table["发文机关"] == "工业和信息化部" and table["栏目"] == "通信业"


@pytest.mark.parametrize("where", ["http", "file"])
def test_browse_from_home_to_a_notice(browser, roots, where):
    root = roots[0] if where == "http" else roots[1]
    page = browser.new_page()
    browse_to_the_call_centre_notice(page, root)
    assert page.url.startswith("http://127.0.0.1" if where == "http" else "file://")
    page.close()


@pytest.mark.parametrize("where", ["http", "file"])
def test_search_filter_and_sort(browser, roots, where):
    root = roots[0] if where == "http" else roots[1]
    page = browser.new_page()
    page.goto(f"{root}search.html")
    page.fill("#search-q", "呼叫中心")
    page.press("#search-q", "Enter")
    assert sorted(wait_for_results(page)) == sorted([CALL_CENTRE, INTERPRETATION])
    page.get_by_label("政策解读 (1)").check()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results h2").all_inner_texts() == [INTERPRETATION]
    page.get_by_label("政策解读 (1)").uncheck()
    page.fill("#search-q", "通知")
    page.press("#search-q", "Enter")
    wait_for_results(page)
    page.select_option("#search-sort", "asc")
    page.wait_for_function(
        "() => { const t = [...document.querySelectorAll('#search-results time')].map(e => e.textContent);"
        " return t.length > 3 && t.every((d, i) => i === 0 || t[i - 1] <= d); }")
    page.close()


def test_search_from_disk_gives_the_same_results_as_online(browser, roots):
    online, offline = browser.new_page(), browser.new_page()
    for query in QUERIES:
        for sort in ("", "asc"):
            suffix = f"search.html?q={quote(query)}&sort={sort}"
            online.goto(roots[0] + suffix)
            offline.goto(roots[1] + suffix)
            assert offline.evaluate("window.sitegen.isOffline()") is True
            assert wait_for_results(online) == wait_for_results(offline), (query, sort)
            function = f"window.sitegen.find({query!r}, {{sort: {sort!r}}}).then(r => r.map(x => x.title))"
            assert online.evaluate(function) == offline.evaluate(function), query
    online.close()
    offline.close()


@pytest.mark.parametrize("where", ["http", "file"])
def test_keyboard_only_search(browser, roots, where):
    page = browser.new_page()
    page.goto(f"{roots[0] if where == 'http' else roots[1]}index.html")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "quick-q":
            break
    assert page.evaluate("document.activeElement.id") == "quick-q"
    page.keyboard.type("呼叫中心")
    page.keyboard.press("Enter")
    assert sorted(wait_for_results(page)) == sorted([CALL_CENTRE, INTERPRETATION])
    page.locator("#search-q").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.tagName") == "A"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/notices/" in page.url and page.url.startswith("http" if where == "http" else "file")
    page.close()


def test_offline_screenshots(browser, roots):
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{roots[1]}search.html?q={quote('呼叫中心')}")
    wait_for_results(page)
    page.screenshot(path=str(artifacts / "offline-search-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{roots[1]}index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "offline-home-phone.png"), full_page=True)
    page.close()
