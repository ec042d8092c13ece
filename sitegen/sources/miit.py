"""The MIIT search API (www.miit.gov.cn search-front-server): JSON pages of notices.

A page holds `data.searchResult.dataResults[*].groupData[*]`; each group entry
carries the record in `.data` and its id in `.pkValue`. The body sits three JSON
layers deep: `infoextends` -> `infoContent` -> the field named `content`.
Dates are epoch milliseconds, read as Beijing calendar days.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass

from ..convert.urls import absolute_url
from ..dates import beijing_date
from ..notice import Attachment, Notice
from ..urls import web_url
from .base import (
    Draft,
    PageError,
    Query,
    RawRecord,
    RecordError,
    SearchPage,
    clean_text,
    first_date,
    parse_json,
    source_url_of,
    text_field,
    whole_number,
)

DEFAULT_ORIGIN = "https://www.miit.gov.cn"
API_PATH = "/search-front-server/api/search/info"
SELECT_FIELDS = (
    "title,content,deploytime,_index,url,cdate,infoextends,infocontentattribute,columnname,"
    "filenumbername,publishgroupname,publishtime,metaid,bexxgk,columnid,xxgkextend1,xxgkextend2,"
    "themename,typename,indexcode,createdate"
)
# sitegen's filter names -> the API's fields.
FILTERS = {"type": "typename", "department": "publishgroupname", "theme": "themename"}


@dataclass(frozen=True)
class MiitSource:
    origin: str = DEFAULT_ORIGIN
    name: str = "miit"

    def page_url(self, query: Query, page: int) -> str:
        params = {
            "websiteid": "110000000000000", "scope": "basic", "q": query.text,
            "pg": str(query.page_size), "p": str(page), "cateid": "",
            "pos": "title_text,infocontent,titlepy", "dateField": "deploytime",
            "selectFields": SELECT_FIELDS, "group": "distinct", "level": "6",
            "sortFields": json.dumps([{"name": "deploytime", "type": "desc"}]),
        }
        if query.since:
            params["begin"] = query.since.isoformat()
        if query.until:
            params["end"] = query.until.isoformat()
        for name, value in sorted(query.filters.items()):
            params[f"_cus_eq_{FILTERS.get(name, name)}"] = value
        return self.origin.rstrip("/") + API_PATH + "?" + urllib.parse.urlencode(params)

    def read_page(self, body: bytes, where: str) -> SearchPage:
        page = parse_json(body)
        return SearchPage(records_of(page, where), reported_total(page))

    def draft(self, raw: RawRecord) -> Draft:
        record = raw.data
        if not raw.id:
            raise RecordError("no record id (pkValue)")
        title_key = next((k for k in ("title", "title_text", "xxgkextend1") if record.get(k)), "title")
        title = text_field(record, title_key)
        if not title:
            raise RecordError("no title")
        # A list-only query answers title, url and dates without infoextends: a notice
        # without a body, which a later import of the full record fills in.
        body_missing = record.get("infoextends") in (None, "")
        fields = [] if body_missing else content_fields(record)
        warnings: list[str] = []
        source_url = source_url_of(record, "url", self.origin, warnings)
        notice = Notice(
            id=raw.id,
            title=title,
            file_number=text_field(record, "filenumbername"),
            issuer=text_field(record, "xxgkextend2"),
            department=text_field(record, "publishgroupname"),
            written=first_date(record, ("createdate",), beijing_date, warnings, "written"),
            date=first_date(record, ("cdate", "deploytime", "publishtime"), beijing_date, warnings, "date"),
            column=text_field(record, "columnname"),
            theme=text_field(record, "themename"),
            doc_type=text_field(record, "typename"),
            index_code=text_field(record, "indexcode"),
            source_url=source_url,
            attachments=file_fields(fields, source_url or self.origin),
        )
        if body_missing:
            return Draft(notice, "", source_url or self.origin, warnings, body_missing=True)
        return Draft(notice, body_html(fields), source_url or self.origin, warnings)


def records_of(page: object, where: str) -> list[RawRecord]:
    if not isinstance(page, dict):
        raise PageError("not a search-API page (top level is not an object)")
    if page.get("success") is False:
        raise PageError(f"the API reported failure: {page.get('message') or 'success: false'}")
    code = page.get("code")
    if code is not None and str(code) != "200":
        raise PageError(f"the API answered code {code}: {page.get('message') or 'no message'}")
    data = page.get("data")
    search = data.get("searchResult") if isinstance(data, dict) else None
    results = search.get("dataResults") if isinstance(search, dict) else None
    if not isinstance(results, list):
        raise PageError("no data.searchResult.dataResults list")
    records = []
    for result in results:
        if not isinstance(result, dict):
            continue
        group = result.get("groupData")
        entries = group if isinstance(group, list) and group else [result]
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict):
                continue
            record = entry["data"]
            record_id = entry.get("pkValue") or record.get("iid") or record.get("id")
            if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
                record_id = ""  # an id that is not text or a number is no id ("no record id")
            records.append(RawRecord(str(record_id or ""), record, where))
    return records


def reported_total(page: dict) -> int | None:
    data = page.get("data")
    search = data.get("searchResult") if isinstance(data, dict) else None
    if not isinstance(search, dict):
        return None
    for key in ("totalHits", "total", "totalCount"):
        total = whole_number(search.get(key))
        if total is not None:
            return total
    return None


def content_fields(record: dict) -> list[dict]:
    """The CMS fields inside `infoextends` -> `infoContent` (the body is one of them)."""
    raw = record.get("infoextends")
    if raw in (None, ""):
        raise RecordError("no infoextends (the body is missing)")
    try:
        extends = json.loads(raw) if isinstance(raw, str) else raw
        fields = extends.get("infoContent")
        fields = json.loads(fields) if isinstance(fields, str) else fields
    except (json.JSONDecodeError, AttributeError, TypeError) as error:
        raise RecordError(f"infoextends is not valid JSON ({error})") from None
    except RecursionError:
        raise RecordError("infoextends is nested too deeply to read") from None
    if not isinstance(fields, list):
        raise RecordError("infoextends.infoContent is not a list of fields")
    return [field for field in fields if isinstance(field, dict)]


def body_html(fields: list[dict]) -> str:
    for field in fields:
        if field.get("fieldName") == "content":
            value = field.get("fieldValue")
            return value if isinstance(value, str) else ""
    raise RecordError("infoextends.infoContent has no field named content")


def file_fields(fields: list[dict], base_url: str) -> list[Attachment]:
    """Attachment fields of the CMS (e.g. 'PDF附件预览') that hold a file path."""
    found = []
    for field in fields:
        value = field.get("fieldValue")
        if field.get("fieldName") == "content" or not isinstance(value, str):
            continue
        if re.match(r"^(/|https?://)\S+$", value.strip()):
            url = web_url(absolute_url(value.strip(), base_url), base_url)
            if url:
                found.append(Attachment(clean_text(field.get("fieldTitle")) or url, url))
    return found
