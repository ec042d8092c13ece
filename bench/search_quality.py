"""Search quality and cost: recall, precision, index bytes, build seconds and peak memory.

    python bench/search_quality.py --notices 1000

Builds a site from N generated notices (bench/generate.py) plus the bundled sample, then asks
every term of bench/terms.txt, quoted and unquoted, through window.sitegen.search (the
function the search page runs) in headless Chromium. The truth for a term is the set of
notices whose title, file number or body text contains it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import write_pages
from bench.run import run


def truth(project: Path, terms: list[str]) -> dict[str, set[str]]:
    from sitegen.content import notice_files, read_notice
    from sitegen.convert.fidelity import rendered_text
    from sitegen.search.documents import searchable_text
    from sitegen.search.tokens import normalize
    from sitegen.site.structure import notice_url

    texts = {}
    for path in notice_files(project / "content"):
        notice = read_notice(path)
        texts[notice_url(notice)] = normalize(searchable_text(notice, rendered_text(notice.body)))
    return {term: {url for url, text in texts.items() if normalize(term) in text} for term in terms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--terms", type=Path, default=HERE / "terms.txt")
    args = parser.parse_args()
    terms = [t.strip() for t in args.terms.read_text(encoding="utf-8").splitlines()
             if t.strip() and not t.startswith("#")]
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-search-"))
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    pages = work / "pages"
    shutil.rmtree(pages, ignore_errors=True)
    write_pages(args.notices, pages)
    shutil.copy(REPO / "tests" / "fixtures" / "miit-search-page1.json", pages / "sample.json")
    sitegen = [sys.executable, "-m", "sitegen.cli"]
    run([*sitegen, "import", str(pages), "--content", "content"], project)
    seconds, peak, _ = run([*sitegen, "build", "--theme", str(REPO / "themes" / "default")], project)
    index_bytes = sum(p.stat().st_size for p in (project / "public" / "pagefind").rglob("*") if p.is_file())
    expected = truth(project, terms)

    from tests.browser import chromium, serving

    rows = []
    with serving(project / "public") as url, chromium(work) as browser:
        page = browser.new_page()
        page.goto(f"{url}search.html")
        page.wait_for_function("() => window.sitegen && window.sitegen.search")
        for term in terms:
            for query in (term, f'"{term}"'):
                found = page.evaluate(
                    "async (q) => (await window.sitegen.search(q)).map(r => new URL(r.url).pathname.slice(1))",
                    query)
                rows.append((query, expected[term], set(found)))
    hits = sum(len(want & got) for _, want, got in rows)
    wanted = sum(len(want) for _, want, _ in rows)
    returned = sum(len(got) for _, _, got in rows)
    misses = [(q, len(want - got), len(got - want)) for q, want, got in rows if want != got]
    print(f"{args.notices} generated notices + 9 sample notices; {len(terms)} terms, quoted and unquoted")
    print(f"recall    {hits / wanted if wanted else 1:.4f}  ({hits} of {wanted} expected results)")
    print(f"precision {hits / returned if returned else 1:.4f}  ({hits} of {returned} returned results)")
    print(f"terms with exactly the expected results: {len(rows) - len(misses)} of {len(rows)} queries")
    for query, missing, extra in misses[:20]:
        print(f"  {query}: {missing} missing, {extra} extra")
    print(f"index bytes {index_bytes:,}; full build with search {seconds:.1f} s, peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
