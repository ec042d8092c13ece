"""Search quality and cost: recall, precision, bytes, requests and seconds, online and from disk.

    python bench/search_quality.py --notices 10000 [--work DIR] [--skip-quality]

Builds a site from N generated notices (bench/generate.py) plus the bundled sample (reusing
DIR/project if it was built before), then in headless Chromium:
- quality: every term of bench/terms.txt, quoted and unquoted, through window.sitegen.find
  (the search page's engine); the truth for a query is the set of notices whose title, file
  number or body text (normalised as search normalises) contains each of its terms;
- cost over HTTP on 127.0.0.1 (sitegen's server, no compression; gzip sizes beside), each
  query in a fresh page with the browser cache cleared: the search page until it is ready
  (requests, bytes), then the query typed into the box until its first results are on
  screen (seconds, requests, bytes), then typed again (seconds);
- the same order online and from disk, and from disk (file://, the offline build): page ready,
  a query, and the longest task that blocked the page.
Timings are of a shared 2-core machine: noisy; run it when the machine is quiet.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import write_pages
from bench.run import run

COST_QUERIES = ["呼叫中心", "个人信息", "工业和信息化部办公厅", "省、自治区", "工信部信管〔2010〕", "数据 安全",
                "省", "的"]
ORDER_QUERIES = ["个人信息", "数据 安全", "呼叫中心", "省"]


def truth(project: Path, queries: list[str]) -> dict[str, set[str]]:
    from sitegen.content import notice_files, read_notice
    from sitegen.render import render_markdown
    from sitegen.search.documents import notice_texts
    from sitegen.search.tokens import normalize, segments
    from sitegen.site.structure import notice_url

    texts = {}
    for path in notice_files(project / "content"):
        notice = read_notice(path)
        fields = notice_texts(notice, render_markdown(notice.body))
        texts[notice_url(notice)] = [normalize(text) for text in fields.values()]
    expected = {}
    for query in queries:
        terms = segments(query.replace('"', " "))
        expected[query] = {url for url, fields in texts.items()
                           if all(any(term in field for field in fields) for term in terms)}
    return expected


def build(project: Path, notices: int, offline_out: Path | None, reuse: bool) -> tuple[float, float]:
    sitegen = [sys.executable, "-m", "sitegen.cli"]
    if reuse and (project / "public" / "pagefind").is_dir() and (not offline_out or (offline_out / "pagefind").is_dir()):
        return float("nan"), float("nan")
    if not (project / "content").is_dir():
        pages = project.parent / "pages"
        shutil.rmtree(pages, ignore_errors=True)
        write_pages(notices, pages)
        shutil.copy(REPO / "tests" / "fixtures" / "miit-search-page1.json", pages / "sample.json")
        project.mkdir(parents=True, exist_ok=True)
        run([*sitegen, "import", str(pages), "--content", "content"], project)
    shutil.rmtree(project / ".sitegen-cache", ignore_errors=True)
    shutil.rmtree(project / "public", ignore_errors=True)
    seconds, peak, _ = run([*sitegen, "build", "--theme", str(REPO / "themes" / "default")], project)
    if offline_out is None:
        return seconds, peak
    # The offline build (what `sitegen bundle` zips), from the same cache.
    import dataclasses

    from sitegen.config import load_config
    from sitegen.site.build import build_site

    config = load_config(project, theme=str(REPO / "themes" / "default"))
    config = dataclasses.replace(config, out=str(offline_out))
    build_site(config, project, offline=True)
    return seconds, peak


URLS = ("async () => { const cat = await window.sitegen.catalog();"
        " const all = await window.sitegen.records([...Array(cat.count).keys()]);"
        " return all.map(r => r.url.slice(r.url.indexOf('/notices/') + 1)); }")
DOCS = "async (q) => (await window.sitegen.search(q)).docs"


def quality(page, queries: list[str], expected: dict[str, set[str]]) -> None:
    urls = page.evaluate(URLS)  # every notice's page, in the catalog's order
    rows = []
    for query in queries:
        found = {urls[doc] for doc in page.evaluate(DOCS, query)}
        rows.append((query, expected[query.strip('"')], found))
    hits = sum(len(want & got) for _, want, got in rows)
    wanted = sum(len(want) for _, want, _ in rows)
    returned = sum(len(got) for _, _, got in rows)
    misses = [(q, len(want - got), len(got - want)) for q, want, got in rows if want != got]
    print(f"recall    {hits / wanted if wanted else 1:.4f}  ({hits} of {wanted} expected results)")
    print(f"precision {hits / returned if returned else 1:.4f}  ({hits} of {returned} returned results)")
    print(f"queries with exactly the expected results: {len(rows) - len(misses)} of {len(rows)}")
    for query, missing, extra in misses[:20]:
        print(f"  {query}: {missing} missing, {extra} extra")


class Traffic:
    def __init__(self, page):
        self.requests, self.bytes, self.gzip = 0, 0, 0
        page.on("requestfinished", self.add)

    def add(self, request) -> None:
        self.requests += 1
        size = request.sizes()["responseBodySize"]
        self.bytes += size
        try:
            self.gzip += len(gzip.compress(request.response().body(), 6))
        except Exception:  # noqa: BLE001 - a body the browser no longer holds: count it whole
            self.gzip += size

    def take(self) -> tuple[int, int, int]:
        taken = (self.requests, self.bytes, self.gzip)
        self.requests, self.bytes, self.gzip = 0, 0, 0
        return taken


RESULTS_SHOWN = ("(q) => { const s = document.getElementById('search-status').textContent;"
                 " return s.startsWith('“' + q + '”') && !s.includes('正在'); }")


def cost(browser, url: str) -> None:
    print("\nover HTTP, cold browser cache (bytes as served, gzip in brackets):")
    print(f"{'query':<22} {'page ready':>28} {'first results':>36} {'again':>8} {'engine again':>12}")
    for query in COST_QUERIES:
        page = browser.new_page()
        session = page.context.new_cdp_session(page)
        session.send("Network.clearBrowserCache")
        traffic = Traffic(page)
        page.goto(f"{url}search.html")
        page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('全部文件')")
        page.wait_for_load_state("networkidle")
        ready = traffic.take()
        started = time.perf_counter()
        page.fill("#search-q", query)
        page.wait_for_function(RESULTS_SHOWN, arg=query, polling=10)
        first = time.perf_counter() - started
        page.wait_for_load_state("networkidle")
        spent = traffic.take()
        page.fill("#search-q", "")
        page.wait_for_function(RESULTS_SHOWN.replace("'“' + q + '”'", "'全部文件'"), arg=query, polling=10)
        started = time.perf_counter()
        page.fill("#search-q", query)
        page.wait_for_function(RESULTS_SHOWN, arg=query, polling=10)
        again = time.perf_counter() - started
        engine = page.evaluate("async (q) => { const t = performance.now(); const f = await window.sitegen.search(q);"
                               " await window.sitegen.records(f.docs.slice(0, 10));"
                               " return (performance.now() - t) / 1000; }", query)
        print(f"{query:<22} {ready[0]:>3} req {ready[1] / 1e3:>8.1f} KB ({ready[2] / 1e3:>6.1f}) "
              f"{first:>6.2f} s {spent[0]:>3} req {spent[1] / 1e3:>8.1f} KB ({spent[2] / 1e3:>6.1f}) "
              f"{again:>6.3f} s {engine * 1000:>6.1f} ms")
        page.close()
    print("(first results: typed into the page, with its 200 ms typing pause; again: typed again, answered"
          " from memory without the pause; engine again: the same query through sitegen.search and its"
          " first 10 records)")


ORDER = "async (q) => (await window.sitegen.search(q)).docs"  # both builds number notices alike


def offline(browser, url: str, offline_site: Path) -> None:
    print("\nfrom disk (file://, the offline build):")
    page = browser.new_page()
    page.add_init_script("window.__long = 0; new PerformanceObserver((l) => { for (const e of l.getEntries())"
                         " window.__long = Math.max(window.__long, e.duration); })"
                         ".observe({type: 'longtask', buffered: true});")
    started = time.perf_counter()
    page.goto((offline_site / "search.html").as_uri())
    page.wait_for_function("() => document.getElementById('search-status').textContent.startsWith('全部文件')")
    print(f"  search page ready {time.perf_counter() - started:.2f} s")
    for query in COST_QUERIES:
        seconds = page.evaluate("async (q) => { const t = performance.now(); const f = await window.sitegen.search(q);"
                                " await window.sitegen.records(f.docs.slice(0, 10));"
                                " return (performance.now() - t) / 1000; }", query)
        print(f"  {query:<22} {seconds:.3f} s (search and the first 10 records)")
    print(f"  longest task blocking the page: {page.evaluate('window.__long'):.0f} ms")
    same = True
    online = browser.new_page()
    online.goto(f"{url}search.html")
    online.wait_for_function("() => window.sitegen && window.sitegen.find")
    for query in ORDER_QUERIES:
        if online.evaluate(ORDER, query) != page.evaluate(ORDER, query):
            same = False
            print(f"  {query}: online and offline orders differ")
    print(f"  same results in the same order online and from disk: {'yes' if same else 'NO'}")
    size = sum(p.stat().st_size for p in (offline_site / "pagefind").rglob("*") if p.is_file())
    print(f"  offline search files {size / 1e6:.1f} MB")
    page.close()
    online.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="reuses DIR/project's content if there")
    parser.add_argument("--terms", type=Path, default=HERE / "terms.txt")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep DIR's built sites (no build figures)")
    parser.add_argument("--no-offline", action="store_true", help="online figures only (no offline build)")
    args = parser.parse_args()
    terms = [t.strip() for t in args.terms.read_text(encoding="utf-8").splitlines()
             if t.strip() and not t.startswith("#")]
    queries = terms + [f'"{t}"' for t in terms]
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-search-bench-"))
    project = work / "project"
    offline_site = work / "offline"
    seconds, peak = build(project, args.notices, None if args.no_offline else offline_site, args.reuse)
    index_bytes = sum(p.stat().st_size for p in (project / "public" / "pagefind").rglob("*") if p.is_file())
    print(f"{args.notices} generated notices + 9 sample notices; {len(terms)} queries, quoted and unquoted")
    print(f"index {index_bytes / 1e6:.1f} MB in the site; build with search {seconds:.1f} s, peak {peak:.0f} MiB")

    from tests.browser import chromium, serving

    with serving(project / "public") as url, chromium(work) as browser:
        page = browser.new_page()
        page.goto(f"{url}search.html")
        page.wait_for_function("() => window.sitegen && window.sitegen.find")
        if not args.skip_quality:
            started = time.perf_counter()
            quality(page, queries, truth(project, terms))
            print(f"(quality pass {time.perf_counter() - started:.0f} s)")
        page.close()
        cost(browser, url)
        if not args.no_offline:
            offline(browser, url, offline_site)


if __name__ == "__main__":
    main()
