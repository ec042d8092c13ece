"""Every page of the site as data: a template and what it receives, or a data file and its writer.

What a template receives is all a page is made of (with the theme, the settings and the rendered
body): sitegen/fingerprint.py derives each page's fingerprint from it, so no second description
of a page's inputs has to be kept in step with the templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from ..citations import Links
from ..config import Config
from ..notice import Notice
from ..relations import LABEL_ORDER, REPEALED, STATUSES, Relations, notice_relations
from .data import Catalogs, notice_json
from .reading import Body
from .structure import AXES, Site, _url_of_id, notice_url, paginate


@dataclass
class Page:
    path: str  # relative to the site root, e.g. "column/ab12cd34ef/index.html"
    template: str | None  # None: a data file, whose text `data` writes
    context: dict = field(default_factory=dict)  # what the template receives
    # The notice whose rendered body the template shows as `body`, or whose Markdown `data` needs.
    body: Body | None = field(default=None, repr=False)
    anchors: tuple[tuple[str, str], ...] = ()  # (citation text, link) made links in the body
    data: Callable[[Notice | None], str | Iterable[str]] | None = None  # a data file's text (or its pieces)


FEED_AXES = ("column", "theme")  # the axes whose terms have a feed of their own


class Listed(NamedTuple):
    """What a list entry shows of a notice: small, so pages travel cheaply to worker processes
    and are described quickly by the page fingerprints (plain strings, nothing derived)."""

    id: str
    title: str
    file_number: str
    day: str  # the date as YYYY-MM-DD, or "" when unknown
    status: str = ""  # 时效性 (sitegen/relations.py)

    @property
    def url(self) -> str:
        """The notice's page, relative to the site root."""
        return _url_of_id(self.id)

    @property
    def date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.day) if self.day else None


def listing(notice: Notice, status: str = "") -> Listed:
    return Listed(notice.id, notice.title, notice.file_number, notice.date.isoformat() if notice.date else "",
                  status)


def listed(notices: list[Notice | None], entries: dict[str, Listed]) -> list[Listed]:
    """The list entries of notices, from entries (id -> Listed, made once per build)."""
    return [entries[n.id] for n in notices if n is not None]


def page_window(number: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers a pager shows: the first, the last and a few around the current one;
    None where numbers are left out. A pager of every page grows with the archive."""
    shown = {1, pages, *range(max(1, number - around), min(pages, number + around) + 1)}
    window: list[int | None] = []
    for n in sorted(shown):
        if window and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window


def root_of(path: str) -> str:
    """The relative prefix from a page back to the site root ("", "../", "../../")."""
    return "../" * path.count("/")


@dataclass(frozen=True)
class MetadataRows(Sequence):
    """A notice page's `rows` (metadata_rows), made when the template reads them: on the worker
    that renders the page, not while the building process plans (a page's fingerprint
    describes them by their notice, which stands for its file)."""

    notice: Notice

    @cached_property
    def _rows(self) -> list[tuple[str, str]]:
        return metadata_rows(self.notice)

    def __getitem__(self, index):
        return self._rows[index]

    def __len__(self) -> int:
        return len(self._rows)


def metadata_rows(notice: Notice) -> list[tuple[str, str]]:
    """(label, value) for the public-information table, known values only."""
    rows = [
        ("索引号", notice.index_code),
        ("主题分类", notice.theme),
        ("发文机关", notice.issuer),
        ("成文日期", _chinese_date(notice.written)),
        ("标题", notice.title),
        ("发文字号", notice.file_number),
        ("发布日期", _chinese_date(notice.date)),
        ("栏目", notice.column),
        ("公文种类", notice.doc_type),
        ("主办司局", notice.department),
    ]
    return [row for row in rows if row[1]]


def _chinese_date(value) -> str:
    return f"{value.year}年{value.month:02d}月{value.day:02d}日" if value else ""


def _relative(notice: Notice) -> str:
    """A notice's page as linked from another notice page (they share a folder)."""
    return notice_url(notice).split("/", 1)[1]


def validity_context(record: dict, entries: dict[str, Listed]) -> dict:
    """What a notice page shows of its status: the status line or banner, and the relation lists."""
    groups: dict[str, list] = {label: [] for label in LABEL_ORDER}
    for item in record["relations"]:
        groups[item["relation"]].append((entries.get(item["id"]) if item["id"] else None, item))
    repealed_by = None
    if record["status"] == REPEALED:
        repealed_by = next((pair for pair in groups["被废止"] if pair[0] is not None), None)
    return {"validity": record, "repealed_by": repealed_by,
            "relation_lists": [(label, groups[label]) for label in LABEL_ORDER if groups[label]]}


def notice_pages(site: Site, entries: dict[str, Listed], bodies: dict[str, Body],
                 links: Links | None = None, validity: dict[str, dict] | None = None,
                 assets: Mapping[str, Mapping[str, str]] | None = None) -> Iterator[Page]:
    """Each notice's page and JSON file; assets: by notice id, the files saved beside the site
    (URL -> path from the root), which the page links to instead (see site/assets.py)."""
    links = links or Links()
    validity = validity or {}
    by_id = {n.id: n for n in site.notices}
    columns = {term.value: term.summary for term in site.terms["column"]}
    for notice in site.notices:
        newer, older = site.neighbours.get(notice.id, (None, None))
        column = columns.get(notice.column)
        explains = links.explains.get(notice.id)
        related = {
            "cites": [entries[i] for i in links.cites.get(notice.id, ())],
            "cited_by": [entries[i] for i in links.cited_by.get(notice.id, ())],
            "explains": [entries[explains]] if explains else [],
            "explained_by": [entries[i] for i in links.explained_by.get(notice.id, ())],
        }
        anchors = [(text, _relative(by_id[target])) for text, target in links.anchors.get(notice.id, [])]
        record = validity.get(notice.id) or notice_relations(Relations(), notice.id, str)
        saved = dict(sorted((assets or {}).get(notice.id, {}).items()))
        context = {"notice": notice, "rows": MetadataRows(notice), "column": column,
                   "newer": newer and entries[newer.id], "older": older and entries[older.id],
                   "assets": saved, **related, **validity_context(record, entries)}
        body = bodies[notice.id]
        yield Page(notice_url(notice), "notice.html", context, body=body, anchors=tuple(anchors))
        yield Page(notice_url(notice).removesuffix(".html") + ".json", None, body=body,
                   data=partial(notice_json, validity=validity.get(notice.id)))


def status_filter(axis, term, entries: dict[str, Listed]) -> tuple[tuple[str, int, str], ...]:
    """(status, notices, search query) for each status among a term's notices: the list page
    links to the search page filtered on the term and the status (the filter 时效性)."""
    counted: dict[str, int] = {}
    for notice in term.notices:
        status = entries[notice.id].status
        if status:
            counted[status] = counted.get(status, 0) + 1
    if axis.key == "year":
        scope = {"from": f"{term.value}-01-01", "to": f"{term.value}-12-31"}
    else:
        scope = {axis.key: term.value}
    order = {status: index for index, status in enumerate(STATUSES)}
    return tuple((status, count, urlencode({**scope, "status": status}))
                 for status, count in sorted(counted.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def axis_pages(site: Site, config: Config, entries: dict[str, Listed]) -> Iterator[Page]:
    for axis in AXES:
        summaries = [t.summary for t in site.terms[axis.key]]
        yield Page(f"{axis.folder}/index.html", "axis.html", {"axis": axis, "terms": summaries})
        for term in site.terms[axis.key]:
            if axis.key in FEED_AXES:
                latest = term.notices[: config.latest]
                yield Page(f"{axis.folder}/{term.summary.slug}/feed.xml", "feed.xml", {
                    "latest": latest, "updated": next((n.date for n in latest if n.date), None),
                    "feed_title": f"{axis.label}：{term.value}",
                    "feed_path": f"{axis.folder}/{term.summary.slug}/feed.xml",
                })
            chunks = paginate(term.notices, config.page_size)
            statuses = status_filter(axis, term, entries)
            for number, chunk in enumerate(chunks, start=1):
                items = listed(chunk, entries)
                yield Page(term.page_url(number), "list.html", {
                    "axis": axis, "term": term.summary, "items": items, "number": number,
                    "pages": len(chunks), "window": page_window(number, len(chunks)),
                    "statuses": statuses,
                })


def year_chart(site: Site) -> list[tuple[str, int, float]]:
    """(year, notices, bar height 0-1) for every year from the first to the last."""
    counts = {int(t.value): len(t.notices) for t in site.terms["year"]}
    if not counts:
        return []
    most = max(counts.values())
    years = range(min(counts), max(counts) + 1)
    return [(str(y), counts.get(y, 0), counts.get(y, 0) / most) for y in years]


def site_pages(site: Site, config: Config, bodies: dict[str, Body],
               links: Links | None = None, relations: Relations | None = None,
               assets: Mapping[str, Mapping[str, str]] | None = None) -> Iterator[Page]:
    """Every page (bodies: each notice's, by id); with relations, each notice's status and
    relations are shown and exported; with assets, notice pages link to the files saved beside
    the site."""
    latest = site.notices[: config.latest]
    validity = ({n.id: notice_relations(relations, n.id, _url_of_id) for n in site.notices}
                if relations is not None else None)
    entries = {n.id: listing(n, validity[n.id]["status"] if validity else "") for n in site.notices}
    latest_items = listed(latest, entries)
    # The home page shows the first twelve terms of each axis, and whether there are more.
    terms = site.summaries(limit=13)
    chart = year_chart(site)
    yield Page("index.html", "home.html", {
        "latest": latest_items, "terms": terms, "total": len(site.notices),
        "chart": chart,
    })
    # The catalogs early: the building process writes them a piece at a time while it waits
    # for the workers, who render the pages after them (sitegen/site/writing.py).
    catalogs = Catalogs(site.notices, validity)
    yield Page("catalog.json", None, data=partial(catalogs.pieces, "json"))
    yield Page("catalog.csv", None, data=partial(catalogs.pieces, "csv"))
    yield from notice_pages(site, entries, bodies, links, validity, assets)
    yield from axis_pages(site, config, entries)
    yield Page("search.html", "search.html")
    # Netlify serves 404.html at any depth, so its links start from the site's own path.
    not_found_root = urlsplit(config.base_url).path or "/"
    yield Page("404.html", "404.html", {"root": not_found_root.rstrip("/") + "/"})
    updated = next((n.date for n in site.notices if n.date), None)
    yield Page("feed.xml", "feed.xml", {
        "latest": latest, "updated": updated,
        "feed_title": "", "feed_path": "feed.xml",
    })
    urls = list(_sitemap_urls(site, config))
    yield Page("sitemap.xml", "sitemap.xml", {"urls": urls})
    yield Page("robots.txt", "robots.txt")


def page_count(site: Site, config: Config) -> int:
    """How many pages site_pages yields, without making them (a cold build makes each page once,
    as it writes it, and shows its progress against this)."""
    count = 1 + 2 + 2 * len(site.notices) + 5  # home, catalogs, notices, search to robots.txt
    for axis in AXES:
        feeds = axis.key in FEED_AXES
        count += 1 + sum(feeds + len(paginate(term.notices, config.page_size)) for term in site.terms[axis.key])
    return count


def _sitemap_urls(site: Site, config: Config) -> Iterator[str]:
    yield "index.html"
    for notice in site.notices:
        yield notice_url(notice)
    for axis in AXES:
        yield f"{axis.folder}/index.html"
        for term in site.terms[axis.key]:
            for number in range(1, len(paginate(term.notices, config.page_size)) + 1):
                yield term.page_url(number)

