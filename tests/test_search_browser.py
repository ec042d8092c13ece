"""Search on the built site, in a real headless Chromium against Pagefind's real index."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from urllib.parse import quote

import pytest

from sitegen.config import load_config
from sitegen.content import notice_files, notice_text, read_notice
from sitegen.notice import Notice
from sitegen.search import words
from sitegen.site.build import build_site

from .browser import chromium, netlify_headers, require_chromium, serving, wait_for_results
from .samples import REPO

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "test-artifacts"
THEME = str(REPO / "themes" / "default")

CALL_CENTRE = "工业和信息化部关于加强呼叫中心业务管理的通知"
INTERPRETATION = "《工业和信息化部关于加强呼叫中心业务管理的通知》解读"
APP_NOTICE = "工业和信息化部关于开展纵深推进APP侵害用户权益专项整治行动的通知"
DATA_GUIDE = "工业和信息化部办公厅关于印发《工业数据分类分级指南（试行）》的通知"


@contextlib.contextmanager
def several_word_files():
    """Words spread over many files even in a small archive, so that the browser's word hash
    meets the indexer's (the default puts a small archive's words in one file)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(words, "BYTES_PER_BUCKET", 1000)
        yield


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    require_chromium()
    project = tmp_path_factory.mktemp("search") / "project"
    shutil.copytree(REPO / "content", project / "content")
    with several_word_files():
        build_site(load_config(project, theme=THEME), project)
    # Served with netlify.toml's content security policy: search must work under it. (So every
    # wait_for_function predicate here is a function: a bare expression needs eval, which the
    # policy forbids to Playwright as to anyone.)
    with serving(project / "public", netlify_headers()) as url:
        yield url


# A made-up archive whose ranking is known: (id, title, file number, body, date).
RANKED = [
    ("body-short-old", "关于工作的通知甲", "", "要求做好频谱规划工作。", dt.date(2019, 1, 1)),
    ("body-long", "关于工作的通知乙", "", "要求做好频谱规划工作。" + "其他事项另行通知。" * 60, dt.date(2021, 1, 1)),
    ("in-title", "关于频谱规划的通知", "", "有关事项如下。", dt.date(2018, 1, 1)),
    ("body-many", "关于工作的通知丙", "", "频谱规划；频谱规划；频谱规划；频谱规划。", dt.date(2017, 1, 1)),
    ("in-number", "关于工作的通知丁", "频谱规划〔2020〕1号", "有关事项如下。", dt.date(2016, 1, 1)),
    ("body-short-new", "关于工作的通知戊", "", "要求做好频谱规划工作。", dt.date(2020, 1, 1)),
]
RANKED_ORDER = ["in-title", "in-number", "body-many", "body-short-new", "body-short-old", "body-long"]


@pytest.fixture(scope="module")
def ranked_sites(tmp_path_factory):
    """(URL of the made-up archive over HTTP, its offline build as a file:// URL), with 25 more
    notices for paging."""
    require_chromium()
    project = tmp_path_factory.mktemp("ranked") / "project"
    folder = project / "content" / "all"
    folder.mkdir(parents=True)
    extra = [(f"more-{n:02d}", f"其他通知{n}", "", "无关内容。", dt.date(2015, 1, 1) + dt.timedelta(days=n))
             for n in range(25)]
    extra[0] = (*extra[0][:3], "频谱 规划另有安排。", extra[0][4])  # the term's halves apart
    for notice_id, title, number, body, date in RANKED + extra:
        notice = Notice(id=notice_id, title=title, file_number=number, body=body + "\n", date=date,
                        column="通知")
        (folder / f"{notice_id}.md").write_text(notice_text(notice), encoding="utf-8")
    config = load_config(project, theme=THEME)
    import dataclasses

    with several_word_files():
        build_site(config, project)
        build_site(dataclasses.replace(config, out=str(project / "offline")), project, offline=True)
    with serving(project / "public") as url:
        yield url, (project / "offline").as_uri() + "/"


@pytest.fixture(scope="module")
def browser(tmp_path_factory, site_url):
    with chromium(tmp_path_factory.mktemp("browser")) as context:
        yield context


def search(page, url: str) -> list[str]:
    page.goto(url)
    return wait_for_results(page)


def engine(page, url: str):
    page.goto(f"{url}search.html")
    page.wait_for_function("() => window.sitegen && window.sitegen.find")
    return page


def find(page, query: str, **options) -> list[dict]:
    return page.evaluate("([q, o]) => window.sitegen.find(q, o)", [query, options])


def titles_containing(query: str) -> set[str]:
    """The ground truth: notices whose title, file number or body text contains every term."""
    from sitegen.render import render_markdown
    from sitegen.search.documents import notice_texts
    from sitegen.search.tokens import normalize, segments

    found = set()
    for path in notice_files(REPO / "content"):
        notice = read_notice(path)
        fields = [normalize(t) for t in notice_texts(notice, render_markdown(notice.body)).values()]
        if all(any(term in field for field in fields) for term in segments(query.replace('"', " "))):
            found.add(notice.title)
    return found


@pytest.mark.parametrize("query, must_find", [
    ("个人信息", [APP_NOTICE]),
    ("呼叫中心", [CALL_CENTRE, INTERPRETATION]),
    ("工信部信管〔2020〕81号", [CALL_CENTRE, INTERPRETATION]),
    ("工信部信管[2020]81号", [CALL_CENTRE, INTERPRETATION]),
    ("eSIM", []),
    ("数据 分级", [DATA_GUIDE]),
    ("\"呼叫中心\"", [CALL_CENTRE]),
    ("省、自治区", []),
    ("不存在的词语", []),
])
def test_queries_typed_in_the_page_find_exactly_the_notices_containing_them(browser, site_url, query, must_find):
    page = browser.new_page()
    titles = search(page, f"{site_url}search.html?q={quote(query)}")
    assert sorted(titles) == sorted(titles_containing(query))
    assert set(must_find) <= set(titles)
    page.close()


def test_every_term_is_found_single_characters_inside_words_and_punctuation_as_written(browser, site_url):
    page = engine(browser.new_page(), site_url)
    queries = ["税", "省", "县", "区", "号", "令", "的", "5", "g", "省、自治区", "区、直辖", "党中央、国务院",
               "《个人信息保护法》", "〔2020〕", "[2020]", "(2020)", "（2020）", "。各", "，", "5G网络",
               "APP", "app侵害", "数据 安全", "省 县", "信息 呼叫"]
    for query in queries:
        found = {r["title"] for r in find(page, query)}
        assert found == titles_containing(query), query
    assert find(page, "省")  # found inside words (各省), not only where it stands alone
    page.close()


def test_the_search_function_gives_each_result_its_fields(browser, site_url):
    page = engine(browser.new_page(), site_url)
    results = find(page, "呼叫中心", sort="desc")
    assert sorted(r["title"] for r in results) == sorted(titles_containing("呼叫中心"))
    assert [r["date"] for r in results] == sorted((r["date"] for r in results), reverse=True)
    first = next(r for r in results if r["title"] == CALL_CENTRE)
    assert first["date"] == "2020-06-18" and first["file_number"] == "工信部信管〔2020〕81号"
    assert first["url"].endswith("/notices/d68d7bd0a2a148fb8f9b94547ab5397f.html")
    filtered = find(page, "呼叫中心", filters={"column": ["政策解读"]})
    assert [r["title"] for r in filtered] == [INTERPRETATION]
    titles_only = find(page, "呼叫中心", field="title")
    assert {r["title"] for r in titles_only} == {CALL_CENTRE, INTERPRETATION}
    assert all("APP" in r["title"] for r in find(page, "APP", field="title"))
    page.close()


def test_query_tokens_in_the_browser_match_the_index_tokens(browser, site_url):
    from sitegen.search.tokens import tokens

    page = engine(browser.new_page(), site_url)
    samples = ["工信部信管〔2020〕81号", "５Ｇ网络 eSIM技术", "个人，信息", "APP侵害用户权益", "李　琰 010-68208246",
               "ｅＳＩＭ", "Ⅻ条", "한국어 テスト", "a_b-c.d", "𠀀𠀁字", "quiz [2020] (x)", "Straße café"]
    for sample in samples:
        assert page.evaluate("(t) => window.sitegen.tokens(t)", sample) == tokens(sample), sample
    page.close()


def test_relevance_title_then_file_number_then_body_saturating_shorter_first_newer_on_ties(browser, ranked_sites):
    online, offline = browser.new_page(), browser.new_page()
    engine(online, ranked_sites[0])
    offline.goto(f"{ranked_sites[1]}search.html")
    offline.wait_for_function("() => window.sitegen && window.sitegen.find")
    assert offline.evaluate("window.sitegen.isOffline()") is True
    ids = [r["url"].rsplit("/", 1)[-1].removesuffix(".html") for r in find(online, "频谱规划")]
    assert ids == RANKED_ORDER
    # A term of one token is ranked from its counts alone, in the same order.
    for term in ("频谱", "规划"):
        ids = [r["url"].rsplit("/", 1)[-1].removesuffix(".html") for r in find(online, term)]
        assert [i for i in ids if not i.startswith("more-")] == RANKED_ORDER, term
    for query in ("频谱规划", "频", "通知", "规划 工作"):
        listed = [[(r["title"], r["date"]) for r in find(page, query)] for page in (online, offline)]
        assert listed[0] == listed[1], query
    # With a query, relevance is the default order of the page too.
    titles = search(online, f"{ranked_sites[0]}search.html?q={quote('频谱规划')}")
    assert titles[0] == "关于频谱规划的通知"
    online.close()
    offline.close()


def test_filter_counts_are_taken_under_the_other_filters_and_empty_values_are_hidden(browser, site_url):
    page = browser.new_page()
    search(page, f"{site_url}search.html?q={quote('信息')}")
    columns = page.locator("fieldset[data-filter=column] label").all_inner_texts()
    page.get_by_label("政策解读 (1)").check()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert page.locator("#search-results h2").all_inner_texts() == [INTERPRETATION]
    # The column's own values still count without the column filter; other filters count
    # under it, and values with nothing left are gone.
    assert page.locator("fieldset[data-filter=column] label").all_inner_texts() == columns
    assert "column=%E6%94%BF%E7%AD%96%E8%A7%A3%E8%AF%BB" in page.url
    # (the interpretation has no theme, issuer or type: those filters have nothing left)
    assert page.locator("fieldset[data-filter=theme]").count() == 0
    page.get_by_label("政策解读 (1)").uncheck()
    page.get_by_label("通信业 (3)").check()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 3")
    themes = page.locator("fieldset[data-filter=theme] label").all_inner_texts()
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in themes) == 3
    page.close()


def test_an_empty_result_names_the_filters_and_clears_them(browser, site_url):
    page = browser.new_page()
    search(page, f"{site_url}search.html?q={quote('呼叫中心')}&column={quote('政策解读')}&from=2021-01-01")
    status = page.locator("#search-status").inner_text()
    assert "没有找到" in status and "政策解读" in status and "2021-01-01" in status
    page.click("#search-clear")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 2")
    assert "column" not in page.url and "from" not in page.url
    page.close()


def test_back_undoes_a_filter_and_focus_stays_on_the_toggled_box(browser, site_url):
    page = browser.new_page()
    search(page, f"{site_url}search.html?q={quote('信息')}")
    count = len(wait_for_results(page))
    box = page.get_by_label("政策解读 (1)")
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert page.evaluate("document.activeElement.value") == "政策解读"  # focus kept on the new box
    page.go_back()
    page.wait_for_function("(n) => document.querySelectorAll('#search-results li').length === n", arg=count)
    assert not page.get_by_label("政策解读 (1)").is_checked()
    assert "column" not in page.url
    page.close()


def test_date_range_and_year_shortcut(browser, ranked_sites):
    page = browser.new_page()
    search(page, f"{ranked_sites[0]}search.html?q={quote('频谱规划')}")
    page.select_option("#search-year", "2020")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 1")
    assert page.input_value("#search-from") == "2020-01-01" and page.input_value("#search-to") == "2020-12-31"
    assert page.locator("#search-results time").all_inner_texts() == ["2020-01-01"]
    page.fill("#search-from", "2018-01-01")
    page.fill("#search-to", "2021-12-31")
    page.dispatch_event("#search-to", "change")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length === 4")
    page.close()


def test_search_as_you_type_keeps_only_the_last_query(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}search.html")
    wait_for_results(page)
    page.locator("#search-q").press_sequentially("个人", delay=30)
    page.locator("#search-q").fill("呼叫中心")
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('“呼叫中心”')")
    assert sorted(wait_for_results(page)) == sorted(titles_containing("呼叫中心"))
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.close()


def test_back_returns_to_the_query_typed_before(browser, site_url):
    page = browser.new_page()
    page.goto(f"{site_url}search.html")
    wait_for_results(page)
    page.locator("#search-q").press_sequentially("呼叫", delay=30)
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('“呼叫”')")
    page.wait_for_timeout(1600)  # a pause: what is typed next is a new query
    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially("数据", delay=30)
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('“数据”')")
    page.go_back()
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('“呼叫”')")
    assert page.input_value("#search-q") == "呼叫"
    page.close()


def test_snippets_mark_every_term(browser, site_url):
    page = browser.new_page()
    search(page, f"{site_url}search.html?q={quote('数据 分级')}")
    marks = set(page.locator("#search-results .excerpt mark").all_inner_texts())
    assert marks == {"数据", "分级"}
    page.close()


def test_results_page_on_and_load_as_one_scrolls(browser, ranked_sites):
    page = browser.new_page()
    search(page, f"{ranked_sites[0]}search.html?q={quote('通知')}")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length >= 10")
    page.locator("#search-more").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length >= 20")
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


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_results_start_above_the_fold(browser, site_url, width, height):
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    search(page, f"{site_url}search.html?q={quote('信息')}")
    top = page.locator("#search-results li").first.bounding_box()["y"]
    assert top < height * 0.6, top
    assert page.evaluate("document.documentElement.scrollWidth") <= width
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


def test_a_term_is_not_found_across_white_space(browser, ranked_sites):
    url, _ = ranked_sites
    page = engine(browser.new_page(), url)
    joined = {r["title"] for r in find(page, "频谱规划")}
    apart = {r["title"] for r in find(page, "频谱 规划")}
    assert "其他通知0" not in joined and "其他通知0" in apart
    assert joined < apart
    page.close()


def test_a_server_that_ignores_range_requests_still_serves_a_small_archives_search(browser, tmp_path):
    """Online, a bucket of words is a range of a pack (search/words.py); a plain file server
    (here Python's own) answers the whole pack instead, which the script takes while it is small."""
    import functools
    import http.server
    import threading

    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    with several_word_files():
        build_site(load_config(project, theme=THEME), project)
    ranges = []

    class Plain(http.server.SimpleHTTPRequestHandler):  # answers every request whole
        def send_head(self):
            ranges.append(self.headers.get("Range"))
            return super().send_head()

        def log_message(self, *args):
            pass

    handler = functools.partial(Plain, directory=str(project / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = engine(browser.new_page(), f"http://127.0.0.1:{server.server_address[1]}/")
        for query in ["呼叫中心", "省", "省、自治区", "数据 安全"]:
            assert {r["title"] for r in find(page, query)} == titles_containing(query), query
        assert any(ranges)  # the script asked for ranges, and got whole packs
        page.close()
    finally:
        server.shutdown()
        server.server_close()
