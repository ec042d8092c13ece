"""What every source adapter gives the rest of sitegen, whatever the site's API looks like.

A source (one ministry's or portal's search API) owns three things and nothing else:
- its request format: `page_url(query, page)`;
- its page and record format: `read_page(body, where)` -> records and the reported total;
- its record fields and dates: `draft(record)` -> a `Draft`, a notice whose body is still the
  site's HTML.
The crawler (`sources/fetch.py`) pages through any source; the importer turns drafts into
notices, converting the body HTML to Markdown itself.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from typing import Protocol

from ..notice import Notice


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


class Source(Protocol):
    name: str
    origin: str

    def page_url(self, query: Query, page: int) -> str: ...

    def read_page(self, body: bytes, where: str) -> SearchPage: ...

    def draft(self, record: RawRecord) -> Draft: ...


def parse_json(body: bytes | str, what: str = "page") -> object:
    """JSON text to Python, or PageError with a one-line reason (deep nesting included)."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    except UnicodeDecodeError as error:
        raise PageError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not text.strip():
        raise PageError("empty file")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise PageError(f"not valid JSON (truncated?): {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise PageError(f"{what} nested too deeply to read") from None
    except ValueError as error:
        raise PageError(str(error)) from None


def _no_constant(name: str):
    raise ValueError(f"not valid JSON: {name} is not a number JSON allows")


def whole_number(value: object) -> int | None:
    """A count the API reported (int or digit string, not negative), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_TAG = re.compile(r"<[^>]*>")


def clean_text(value: object) -> str:
    """Search highlighting (`<em>个</em><em>人</em>`) and entities stripped, spaces collapsed."""
    if value is None or isinstance(value, bool):
        return ""
    text = html.unescape(_TAG.sub("", str(value)))
    return re.sub(r"\s+", " ", text).strip()


def text_field(record: dict, key: str) -> str:
    """The record's field as clean text; a list or object where text belongs is an error."""
    value = record.get(key)
    if isinstance(value, (list, dict)):
        raise RecordError(f"{key} is a {type(value).__name__}, not text")
    return clean_text(value)
