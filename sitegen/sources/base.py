"""What every source adapter gives the rest of sitegen, whatever the site's API looks like.

A source (one ministry's or portal's search API) owns three things and nothing else:
- its request format: `page_url(query, page)`;
- its page and record format: `read_page(body, where)` -> records and the reported total;
- its record fields and dates: `draft(record)` -> a `Draft`, a notice whose body is still the
  site's HTML.
The crawler (`sources/fetch.py`) pages through any source; the importer turns drafts into
notices, converting the body HTML to Markdown itself.

To add a source: a small frozen dataclass with `name`, `origin` and the three methods (see
miit.py and govcn.py; the helpers below read text fields, dates and the source URL safely),
registered in `sources/__init__.py`'s SOURCES, and a saved page in tests/fixtures with tests
like those of govcn in tests/test_sources.py.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..dates import DateError
from ..notice import Notice
from ..urls import web_url
from ..xml_chars import strip_xml_forbidden


class PageError(ValueError):
    """A whole page is unusable (not JSON, truncated, too deep, or the API said it failed)."""


class RecordError(ValueError):
    """One record is unusable; the rest of its page still imports."""


@dataclass
class RawRecord:
    id: str
    data: dict
    page: str  # where it came from (a file, a page number), for messages


@dataclass
class SearchPage:
    records: list[RawRecord]
    total: int | None  # the number of results the API reports for the whole search


@dataclass
class Query:
    text: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    page_size: int = 20
    # Generic names ("type", "department", "theme"); each source maps them to its parameters.
    filters: dict[str, str] = field(default_factory=dict)


@dataclass
class Draft:
    """A record read into notice fields; the body is still the site's HTML, unconverted."""

    notice: Notice  # every field but the body
    body_html: str
    base_url: str  # what relative links of the body resolve against
    warnings: list[str] = field(default_factory=list)
    body_missing: bool = False  # the record carries metadata only (a list-only query)


class Source(Protocol):
    name: str  # as `--source` names it
    origin: str  # the site: its API, and what relative links resolve against

    def page_url(self, query: Query, page: int) -> str:
        """The URL of one page (1, 2, ...) of the search's results."""

    def read_page(self, body: bytes, where: str) -> SearchPage:
        """The records of a page and the total it reports; PageError when it is not a complete,
        successful page."""

    def draft(self, record: RawRecord) -> Draft:
        """The record as notice fields and body HTML; RecordError when it cannot be one."""


def parse_json(body: bytes | str) -> object:
    """JSON text to Python, or PageError with a one-line reason (deep nesting included)."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    except UnicodeDecodeError as error:
        raise PageError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not text.strip():
        raise PageError("empty file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PageError(f"not valid JSON (truncated?): {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise PageError("JSON nested too deeply to read") from None


def read_page_file(source: Source, path: Path) -> SearchPage:
    """A saved page read by its source; PageError (with the reason) when it cannot be."""
    try:
        body = path.read_bytes()
    except OSError as error:
        raise PageError(f"cannot read ({error.strerror or error})") from None
    return source.read_page(body, str(path))


def whole_number(value: object) -> int | None:
    """A count an API reported (a whole number, or its digits as text, not negative), else None:
    NaN, infinity, negative numbers and words are no count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_TAG = re.compile(r"<[^<>]*>")  # not past the next '<': from each '<' of "<<<…" a scan is linear


def clean_text(value: object) -> str:
    """Search highlighting (`<em>个</em><em>人</em>`) and entities stripped, spaces collapsed,
    and the characters XML forbids removed."""
    text = html.unescape(_TAG.sub("", str(value or "")))
    return re.sub(r"\s+", " ", strip_xml_forbidden(text)).strip()


def text_field(record: dict, key: str) -> str:
    """A text field of the record; a list, mapping or boolean is an error naming the field
    (its Python repr is not a title)."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"field {key} is {kind_of(value)}, expected text")
    return clean_text(value)


def kind_of(value: object) -> str:
    names = {list: "a list", dict: "a mapping", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)


def shown(value: object, limit: int = 80) -> str:
    """A value for a message: its text, cut (a hostile record's field may be megabytes)."""
    if not isinstance(value, str):
        return kind_of(value)
    return repr(value) if len(value) <= limit else repr(value[: limit - 1] + "…")


def source_url_of(record: dict, key: str, origin: str, warnings: list[str]) -> str:
    """The record's own page on the site: http(s) only, made absolute on the origin."""
    value = record.get(key)
    if value in (None, ""):
        return ""
    url = web_url(value, origin.rstrip("/") + "/")
    if not url:
        warnings.append(f"{key}: not an http(s) URL, left out: {shown(value)}")
    return url


def first_date(record: dict, keys: tuple[str, ...], read, warnings: list[str], label: str):
    """The first of the record's date fields that `read` (the source's date format) gives a
    date for; a field it cannot read is a warning. None when none is known."""
    for key in keys:
        try:
            value = read(record.get(key))
        except DateError as error:
            warnings.append(f"{label} ({key}): {error}")
            continue
        if value is not None:
            return value
    return None
