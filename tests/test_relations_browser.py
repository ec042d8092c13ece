"""The status (时效性) in a real browser: the banner's link, the list page's status filter and the
search page's filter 时效性, over the real search index."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from sitegen.config import load_config
from sitegen.site.build import build_site

from .browser import chromium, require_chromium, serving, wait_for_results
from .samples import REPO
from .test_relations import REPEALED, archive_notices, notice, write_archive

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_chromium()
    project = tmp_path_factory.mktemp("relations-site")
    notices = archive_notices() + [
        notice("other", "关于加强呼叫中心安全管理的通知", "2016-05-01", "呼叫中心的另一项规定。", column="通知"),
    ]
    write_archive(project, notices)
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project)
    with serving(project / "public") as url:
        yield url, project / "public"


@pytest.fixture(scope="module")
def browser(tmp_path_factory, site):
    with chromium(tmp_path_factory.mktemp("browser")) as context:
        yield context


@pytest.fixture(scope="module")
def site_url(site):
    return site[0]


def test_the_banner_links_to_the_repealing_notice(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}notices/old.html")
    assert "已废止" in page.locator(".status-banner").inner_text()
    page.click(".status-banner a.repealed-by")
    page.wait_for_url("**/notices/new.html")
    assert page.locator("h1").inner_text() == "呼叫中心管理办法"
    page.close()


def test_a_list_pages_status_filter_opens_the_search_on_that_column_and_status(browser, site):
    site_url, folder = site
    column = next(p for p in (folder / "column").glob("*/index.html") if "notices/old.html" in p.read_text("utf-8"))
    page = browser.new_page()
    page.goto(f"{site_url}{column.relative_to(folder).as_posix()}")
    page.get_by_role("link", name=f"{REPEALED}（1）").click()
    assert wait_for_results(page) == ["关于加强呼叫中心业务管理的通知"]
    page.close()


def test_the_search_filter_narrows_results_to_a_status(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}search.html?q={quote('呼叫中心')}")
    assert sorted(wait_for_results(page)) == sorted(
        ["关于加强呼叫中心业务管理的通知", "呼叫中心管理办法", "关于加强呼叫中心安全管理的通知"])
    page.locator("fieldset[data-filter=status] label", has_text=REPEALED).click()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert wait_for_results(page) == ["关于加强呼叫中心业务管理的通知"]
    assert "status=" + quote(REPEALED) in page.url
    page.close()
