"""What search reads of a notice: its fields as text, the page Pagefind indexes, and what the
browser lists and filters on (FACETS, RECORD: field lists shipped with the data, so the
script reads them by name and adding one is one line here).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter

from ..convert.text import sanitized_html_text
from ..notice import Notice
from ..terms import issuer_names
from .tokens import tokens


@dataclass(frozen=True)
class Facet:
    key: str  # the Notice attribute filtered on
    label: str  # what readers see over its values


# Filters of the search page, in the order shown (the date has its own range filter): adding
# one is a line here. A value comes from the entry's `values` (what the build derives, such as
# the status) or else from the Notice attribute of that name; a list value (several issuers)
# counts under each of its values.
FACETS = (
    Facet("column", "栏目"),
    Facet("theme", "主题分类"),
    Facet("issuer", "发文机关"),
    Facet("doc_type", "公文种类"),
    Facet("status", "时效性"),
)
# What a result shows, fetched only for the results shown.
RECORD = ("url", "title", "file_number", "date")

# The fields a term is searched in, with the Pagefind weight that marks them in the index
# (the script tells a title hit from a body hit by it; it does not rank by it).
FIELDS = (("title", 10), ("file_number", 5), ("body", 1))


# What search reads of a notice: the fields above (but the body, which comes rendered).
NOTICE_FIELDS = tuple(name for name in dict.fromkeys(
    ("id", "date", *RECORD, *(name for name, _ in FIELDS), *(facet.key for facet in FACETS)))
    if name in {f.name for f in fields(Notice)} and name != "body")


_notice_fields = attrgetter(*NOTICE_FIELDS)  # a tuple of them, at C speed (a row per notice each full plan)


def notice_fields(notice: Notice) -> tuple:
    """Its NOTICE_FIELDS' values: plain data, small enough to keep a row per notice between
    builds, so an edited body is indexed without reading the whole archive again."""
    return _notice_fields(notice)


def notice_of(fields: tuple) -> Notice:
    """The notice as search keeps it (notice_fields), without the fields it does not read."""
    return Notice(**dict(zip(NOTICE_FIELDS, fields)))


@dataclass(frozen=True)
class SearchEntry:
    """One notice as search takes it: plain data from the build."""

    notice: Notice
    url: str
    values: dict[str, str] = field(default_factory=dict)  # derived facet values, by key
    size: int = 0  # bytes of the notice's file: what the indexer's memory grows with


def notice_texts(notice: Notice, body_html: str) -> dict[str, str]:
    """The text of each field a term is searched in."""
    return {"title": notice.title, "file_number": notice.file_number,
            "body": sanitized_html_text(body_html)}


def field_value(entry: SearchEntry, key: str) -> str | list[str]:
    value = entry.values[key] if key in entry.values else getattr(entry.notice, key, "")
    if key == "issuer" and isinstance(value, str):
        value = issuer_names(value)  # a jointly issued notice is found under each organ
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return "" if value is None else str(value)


def search_fragment(texts: dict[str, str]) -> tuple[str, int]:
    """A notice as Pagefind indexes it (tokens only, each field a paragraph marked by its
    weight) and the number of tokens, which is its length and the positions it takes."""
    parts, count = [], 0
    for name, weight in FIELDS:
        words = tokens(texts.get(name, ""))
        count += len(words)
        if words:
            mark = f' data-pagefind-weight="{weight}"' if weight != 1 else ""
            parts.append(f"<p{mark}>{' '.join(words)}</p>")
    return "".join(parts), count


def search_page(fragments: list[str]) -> str:
    """One page for Pagefind holding several notices' fragments, one after another: a
    notice's tokens are told apart by their positions (each notice's length is known)."""
    return ('<!DOCTYPE html><html lang="und"><head><meta charset="utf-8"><title>x</title></head>'
            f"<body><main data-pagefind-body>{''.join(fragments)}</main></body></html>\n")
