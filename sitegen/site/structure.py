"""What the site holds: notice pages and the browse axes (column, year, theme, issuer, type).

Every URL is a path relative to the site root that names its file (`column/x/index.html`),
so links work under any base path and from disk.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..content import slug_for
from ..notice import Notice
from ..terms import issuer_names, theme_path


@dataclass(frozen=True)
class Axis:
    key: str  # also the Pagefind filter name
    label: str  # what readers see
    folder: str

    def value_of(self, notice: Notice) -> str:
        if self.key == "year":
            return str(notice.year) if notice.year else ""
        return getattr(notice, self.key)

    def values_of(self, notice: Notice) -> tuple[str, ...]:
        """The terms a notice is listed under: each issuer of a joint notice, a theme and
        the themes above it."""
        value = self.value_of(notice)
        if not value:
            return ()
        return _terms_of(self.key, value) if self.key in ("issuer", "theme") else (value,)


# Read once per distinct value: an archive repeats a few hundred issuers and themes.
@lru_cache(maxsize=65536)
def _terms_of(key: str, value: str) -> tuple[str, ...]:
    return tuple(issuer_names(value) if key == "issuer" else theme_path(value))


AXES = (
    Axis("column", "栏目", "column"),
    Axis("year", "年份", "year"),
    Axis("theme", "主题分类", "theme"),
    Axis("issuer", "发文机关", "issuer"),
    Axis("doc_type", "公文种类", "type"),
)


@dataclass(frozen=True)
class TermSummary:
    """What pages show of a term: its name, link and count (small enough to hand to workers)."""

    axis: Axis
    value: str
    count: int

    @cached_property
    def slug(self) -> str:
        if self.axis.key == "year":
            return self.value
        return hashlib.sha1(self.value.encode("utf-8")).hexdigest()[:10]

    def page_url(self, number: int = 1) -> str:
        name = "index.html" if number == 1 else f"page-{number}.html"
        return f"{self.axis.folder}/{self.slug}/{name}"


@dataclass
class Term:
    """One value of an axis (栏目 通告, 年份 2020 ...) and its notices, newest first."""

    axis: Axis
    value: str
    notices: list[Notice] = field(default_factory=list)

    @property
    def summary(self) -> TermSummary:
        return TermSummary(self.axis, self.value, len(self.notices))

    def page_url(self, number: int = 1) -> str:
        return self.summary.page_url(number)


@dataclass
class Site:
    notices: list[Notice]  # newest first
    terms: dict[str, list[Term]]  # axis key -> terms
    neighbours: dict[str, tuple[Notice | None, Notice | None]]  # id -> (newer, older) in column

    def summaries(self, limit: int | None = None) -> dict[str, list[TermSummary]]:
        return {key: [t.summary for t in terms[:limit]] for key, terms in self.terms.items()}


def notice_url(notice) -> str:
    """The page of a notice (or of anything with its id)."""
    return _url_of_id(notice.id)


@lru_cache(maxsize=65536)
def _url_of_id(notice_id: str) -> str:
    return f"notices/{slug_for(notice_id)}.html"


def newest_first(notices: list[Notice]) -> list[Notice]:
    # Undated notices go last; ties are broken by id so the order is always the same.
    return sorted(notices, key=lambda n: (n.date is not None, n.date or 0, n.id), reverse=True)


def build_structure(notices: list[Notice]) -> Site:
    ordered = newest_first(notices)
    terms: dict[str, list[Term]] = {}
    for axis in AXES:
        grouped: dict[str, list[Notice]] = defaultdict(list)
        for notice in ordered:
            for value in axis.values_of(notice):
                grouped[value].append(notice)
        if axis.key == "year":
            order = sorted(grouped, reverse=True)
        else:
            order = sorted(grouped, key=lambda v: (-len(grouped[v]), v))
        terms[axis.key] = [Term(axis, value, grouped[value]) for value in order]
    neighbours: dict[str, tuple[Notice | None, Notice | None]] = {}
    for term in terms["column"]:
        items = term.notices
        for index, notice in enumerate(items):
            newer = items[index - 1] if index > 0 else None
            older = items[index + 1] if index + 1 < len(items) else None
            neighbours[notice.id] = (newer, older)
    return Site(ordered, terms, neighbours)


def paginate(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]
