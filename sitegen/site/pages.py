"""Every page of the site as (path, template, context): data in, data out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import Config
from ..notice import Notice
from .structure import AXES, Axis, Site, Term, notice_url, paginate


@dataclass
class Page:
    path: str  # relative to the site root, e.g. "column/ab12cd34ef/index.html"
    template: str
    context: dict


def root_of(path: str) -> str:
    """The relative prefix from a page back to the site root ("", "../", "../../")."""
    return "../" * path.count("/")


def metadata_rows(notice: Notice) -> list[tuple[str, str, str]]:
    """(label, value, Pagefind filter) for the public-information table, known values only."""
    rows = [
        ("索引号", notice.index_code, ""),
        ("主题分类", notice.theme, "theme"),
        ("发文机关", notice.issuer, "issuer"),
        ("成文日期", _chinese_date(notice.written), ""),
        ("标题", notice.title, ""),
        ("发文字号", notice.file_number, ""),
        ("发布日期", _chinese_date(notice.date), ""),
        ("栏目", notice.column, "column"),
        ("公文种类", notice.doc_type, "doc_type"),
        ("主办司局", notice.department, ""),
    ]
    return [row for row in rows if row[1]]


def _chinese_date(value) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日" if value else ""


def notice_pages(site: Site, rendered: dict[str, str]) -> Iterator[Page]:
    index = {(term.axis.key, term.value): term for terms in site.terms.values() for term in terms}
    for notice in site.notices:
        path = notice_url(notice)
        newer, older = site.neighbours.get(notice.id, (None, None))
        terms = {
            axis.key: index.get((axis.key, axis.value_of(notice))) for axis in AXES
        }
        yield Page(path, "notice.html", {
            "notice": notice,
            "body": rendered[notice.id],
            "rows": metadata_rows(notice),
            "terms": terms,
            "newer": newer,
            "older": older,
            "notice_url": notice_url,
        })


def axis_pages(site: Site, config: Config) -> Iterator[Page]:
    for axis in AXES:
        terms = site.terms[axis.key]
        yield Page(f"{axis.folder}/index.html", "axis.html", {"axis": axis, "terms": terms})
        for term in terms:
            chunks = paginate(term.notices, config.page_size)
            for number, chunk in enumerate(chunks, start=1):
                yield Page(term.page_url(number), "list.html", {
                    "axis": axis, "term": term, "items": chunk, "number": number,
                    "pages": len(chunks), "notice_url": notice_url,
                })


def site_pages(site: Site, config: Config, rendered: dict[str, str]) -> Iterator[Page]:
    latest = site.notices[: config.latest]
    yield Page("index.html", "home.html", {
        "latest": latest, "axes": AXES, "terms": site.terms, "total": len(site.notices),
        "notice_url": notice_url,
    })
    yield from notice_pages(site, rendered)
    yield from axis_pages(site, config)
    yield Page("search.html", "search.html", {"axes": AXES})
    # Netlify serves 404.html at any depth, so its links start from the site's own path.
    not_found_root = urlsplit(config.base_url).path or "/"
    yield Page("404.html", "404.html", {"root": not_found_root.rstrip("/") + "/"})
    updated = next((n.date for n in site.notices if n.date), None)
    yield Page("feed.xml", "feed.xml", {
        "latest": latest, "updated": updated, "notice_url": notice_url,
    })
    yield Page("sitemap.xml", "sitemap.xml", {"urls": list(_sitemap_urls(site, config))})
    yield Page("robots.txt", "robots.txt", {})


def _sitemap_urls(site: Site, config: Config) -> Iterator[str]:
    yield "index.html"
    for notice in site.notices:
        yield notice_url(notice)
    for axis in AXES:
        yield f"{axis.folder}/index.html"
        for term in site.terms[axis.key]:
            for number in range(1, len(paginate(term.notices, config.page_size)) + 1):
                yield term.page_url(number)


__all__ = ["Page", "site_pages", "root_of", "metadata_rows", "Axis", "Term"]
