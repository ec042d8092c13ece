"""The State Council's policy library search (国务院政策文件库, sousuo.www.gov.cn/search-gov/data).

The second source, proving the boundary: another request format, another page shape, other
field names and other dates. The shape is the one public client code uses (not checked
against the live API from here): GET `/search-gov/data?t=zhengcelibrary&q=…&p=1&n=20` answers

    {"code": 200, "msg": "…", "searchVO": {"catMap": {"gongwen": {"catName": "国务院文件",
        "totalCount": 35, "listVO": [{"id": …, "title": …, "url": …, "pcode": 发文字号,
        "puborg": 发文机关, "pubtime": epoch ms, "pubtimeStr": "2023.01.05", "ptime": epoch ms,
        "childtype": 主题分类, "index": 索引号, "summary": …, "content": …}, …]}, …}}}

(or `searchVO.listVO` with `searchVO.totalCount` for a single library). A list entry may carry
the body as `content`; when it has only a `summary`, that is imported and a warning says the
full text is on the source page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import urllib.parse
from dataclasses import dataclass

from ..dates import DateError, beijing_date
from ..notice import Notice
from .base import (
    Draft,
    PageError,
    Query,
    RawRecord,
    RecordError,
    SearchPage,
    first_date,
    parse_json,
    source_url_of,
    text_field,
    whole_number,
)

DEFAULT_ORIGIN = "https://sousuo.www.gov.cn"
API_PATH = "/search-gov/data"
FILTERS = {"department": "puborg", "theme": "childtype"}


@dataclass(frozen=True)
class GovCnSource:
    origin: str = DEFAULT_ORIGIN
    name: str = "govcn"

    def page_url(self, query: Query, page: int) -> str:
        unknown = sorted(set(query.filters) - set(FILTERS))
        if unknown:
            raise ValueError(f"the gov.cn policy library has no {', '.join(unknown)} filter")
        ranged = query.since is not None or query.until is not None
        params = {
            "t": "zhengcelibrary", "q": query.text, "searchfield": "",
            "timetype": "timezd" if ranged else "timeqb",
            "mintime": query.since.isoformat() if query.since else "",
            "maxtime": query.until.isoformat() if query.until else "",
            "sort": "pubtime", "sortType": "1", "p": str(page), "n": str(query.page_size),
        }
        for name, value in sorted(query.filters.items()):
            params[FILTERS[name]] = value
        return self.origin.rstrip("/") + API_PATH + "?" + urllib.parse.urlencode(params)

    def read_page(self, body: bytes, where: str) -> SearchPage:
        page = parse_json(body)
        if not isinstance(page, dict):
            raise PageError("not a policy-library page (top level is not an object)")
        code = page.get("code")
        if code is not None and str(code) != "200":
            raise PageError(f"the API answered code {code}: {page.get('msg') or 'no message'}")
        search = page.get("searchVO")
        if not isinstance(search, dict):
            raise PageError("no searchVO object")
        libraries = search.get("catMap")
        if isinstance(libraries, dict):
            groups = [g for g in libraries.values() if isinstance(g, dict)]
        elif isinstance(search.get("listVO"), list):
            groups = [search]
        else:
            raise PageError("no searchVO.catMap or searchVO.listVO")
        records, totals = [], []
        for group in groups:
            column = group.get("catName") if isinstance(group.get("catName"), str) else ""
            totals.append(whole_number(group.get("totalCount")))
            for item in group.get("listVO") or []:
                if isinstance(item, dict):
                    records.append(RawRecord(_record_id(item), {**item, "_column": column}, where))
        total = sum(totals) if totals and None not in totals else None
        return SearchPage(records, total)

    def draft(self, raw: RawRecord) -> Draft:
        record = raw.data
        if not raw.id:
            raise RecordError("no record id (id or url)")
        title = text_field(record, "title")
        if not title:
            raise RecordError("no title")
        warnings: list[str] = []
        source_url = source_url_of(record, "url", "https://www.gov.cn/", warnings)
        body = record.get("content")
        if not isinstance(body, str) or not body.strip():
            body = record.get("summary")
            if not isinstance(body, str) or not body.strip():
                raise RecordError("no content and no summary (the body is missing)")
            warnings.append("only the search summary was given: the full text is on the source page")
        notice = Notice(
            id=raw.id,
            title=title,
            file_number=text_field(record, "pcode"),
            issuer=text_field(record, "puborg"),
            written=first_date(record, ("ptime",), beijing_date, warnings, "written"),
            date=first_date(record, ("pubtime", "pubtimeStr"), _day, warnings, "date"),
            column=text_field(record, "_column"),
            theme=text_field(record, "childtype"),
            index_code=text_field(record, "index"),
            source_url=source_url,
        )
        return Draft(notice, body, source_url or "https://www.gov.cn/", warnings)


def _record_id(item: dict) -> str:
    """`govcn-` and the library's id; else a digest of the page's address."""
    value = item.get("id")
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        text = str(value).strip().lower()
        if re.fullmatch(r"[a-z0-9-]{1,70}", text):
            return f"govcn-{text}"
        return "govcn-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
    url = item.get("url")
    if isinstance(url, str) and url.strip():
        return "govcn-" + hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:20]
    return ""


_DAY = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?")


def _day(value: object) -> dt.date | None:
    """Epoch milliseconds (Beijing day), or a written day: 2023.01.05, 2023-01-05, 2023年1月5日."""
    if value is None or isinstance(value, (int, float)) or str(value).strip().isdigit():
        return beijing_date(value)
    text = str(value).strip()
    if not text:
        return None
    match = _DAY.fullmatch(text)
    if not match:
        raise DateError(f"not a date: {text[:40]!r}")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise DateError(f"no such day: {text[:40]!r}") from None
