"""Search on the built site, in a real headless Chromium against Pagefind's real index."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.config import load_config
from sitegen.site.build import build_site

from .browser import chromium, netlify_headers, require_chromium, serving
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
    # Served with netlify.toml's content security policy: search must work under it.
    with serving(project / "public", netlify_headers()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory, site_url):
    with chromium(tmp_path_factory.mktemp("browser")) as context:
        yield context


def search(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && !s.includes('正在'); }", timeout=20000)
    return page.locator("#search-results h2").all_inner_texts()


@pytest.mark.parametrize("query, expected", [
    ("个人信息", [APP_NOTICE]),
    ("呼叫中心", [CALL_CENTRE, INTERPRETATION]),
    ("骚扰电话", [CALL_CENTRE, INTERPRETATION]),
    ("数据安全", [DATA_GUIDE]),
    ("工信部信管〔2020〕81号", [CALL_CENTRE]),
])
def test_chinese_queries_find_the_right_notices(browser, site_url, query, expected):
    page = browser.new_page()
    titles = search(page, f"{site_url}search.html?q={quote(query)}")
    for title in expected:
        assert title in titles, (query, titles)
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
    titles = search(page, f"{site_url}search.html?q={quote('呼叫中心')}")
    assert len(titles) >= 3
    page.get_by_label("政策解读 (1)").check()
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results h2").all_inner_texts() == [INTERPRETATION]
    page.get_by_label("政策解读 (1)").uncheck()
    page.select_option("#search-sort", "asc")
    page.wait_for_function("document.querySelectorAll('#search-results li').length >= 3")
    dates = page.locator("#search-results time").all_inner_texts()
    assert dates == sorted(dates) and len(dates) >= 3
    page.select_option("#search-sort", "desc")
    page.wait_for_function(
        "() => { const t = [...document.querySelectorAll('#search-results time')].map(e => e.textContent);"
        " return t.length >= 3 && t[0] >= t[t.length - 1] && t[0] !== t[t.length-1]; }")
    page.close()


def test_keyboard_only_search(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}index.html")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "quick-q":
            break
    assert page.evaluate("document.activeElement.id") == "quick-q"
    page.keyboard.type("骚扰电话")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_selector("#search-results li")
    page.locator("#search-q").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.tagName") == "A"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/notices/" in page.url
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
