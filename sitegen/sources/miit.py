"""The MIIT search API (www.miit.gov.cn search-front-server): JSON pages of notices.

A page holds `data.searchResult.dataResults[*].groupData[*]`; each group entry
carries the record in `.data` and its id in `.pkValue`. The body sits three JSON
layers deep: `infoextends` -> `infoContent` -> the field named `content`.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..convert import convert
from ..convert.urls import absolute_url
from ..dates import DateError, beijing_date
from ..notice import Attachment, Notice
from ..urls import web_url
from ..xml_chars import strip_xml_forbidden

DEFAULT_ORIGIN = "https://www.miit.gov.cn"


class PageError(ValueError):
    """A whole page is unusable (not JSON, truncated, or the API said it failed)."""


class RecordError(ValueError):
    """One record is unusable; the rest of its page still imports."""


@dataclass
class RawRecord:
    id: str
    data: dict
    page: Path


@dataclass
class Imported:
    """A notice together with the body HTML it was converted from."""

    notice: Notice
    source_text: str  # the body's visible text, for the fidelity measure
    page: Path
    warnings: list[str]


def read_page(path: Path) -> list[RawRecord]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PageError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not text.strip():
        raise PageError("empty file")
    try:
        page = json.loads(text)
    except json.JSONDecodeError as error:
        raise PageError(f"not valid JSON (truncated?): {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise PageError("JSON nested too deeply to read") from None
    return records_of(page, path)


def records_of(page: object, path: Path) -> list[RawRecord]:
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
            records.append(RawRecord(str(record_id or ""), record, path))
    return records


_TAG = re.compile(r"<[^>]*>")


def clean_title(value: object) -> str:
    """Search highlighting (`<em>个</em><em>人</em>`) and entities stripped, spaces collapsed,
    and the characters XML forbids removed."""
    text = html.unescape(_TAG.sub("", str(value or "")))
    return re.sub(r"\s+", " ", strip_xml_forbidden(text)).strip()


def _text(record: dict, key: str) -> str:
    """A text field of the record; a list, mapping or boolean is an error naming the field
    (its Python repr is not a title)."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"field {key} is {_kind(value)}, expected text")
    return clean_title(value)


def _kind(value: object) -> str:
    names = {list: "a list", dict: "a mapping", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)


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
                found.append(Attachment(clean_title(field.get("fieldTitle")) or url, url))
    return found


def _shown(value: object, limit: int = 80) -> str:
    """A value for a message: its text, cut (a hostile record's field may be megabytes)."""
    if not isinstance(value, str):
        return _kind(value)
    return repr(value) if len(value) <= limit else repr(value[: limit - 1] + "…")


def _date(record: dict, keys: tuple[str, ...], warnings: list[str], label: str):
    for key in keys:
        try:
            value = beijing_date(record.get(key))
        except DateError as error:
            warnings.append(f"{label} ({key}): {error}")
            continue
        if value is not None:
            return value
    return None


def to_notice(raw: RawRecord, origin: str = DEFAULT_ORIGIN) -> Imported:
    record = raw.data
    if not raw.id:
        raise RecordError("no record id (pkValue)")
    title_key = next((k for k in ("title", "title_text", "xxgkextend1") if record.get(k)), "title")
    title = _text(record, title_key)
    if not title:
        raise RecordError("no title")
    fields = content_fields(record)
    html_body = body_html(fields)
    warnings: list[str] = []
    source_url = ""
    if record.get("url") not in (None, ""):
        source_url = web_url(record["url"], origin.rstrip("/") + "/")
        if not source_url:
            warnings.append(f"url: not an http(s) URL, left out: {_shown(record['url'])}")
    conversion = convert(html_body, source_url or origin)
    # The body may link to mailto: or ftp:, an attachment field only to the web.
    attachments = [a for a in conversion.attachments if web_url(a.url)]
    seen = {a.url for a in attachments}
    for extra in file_fields(fields, source_url or origin):
        if extra.url not in seen:
            attachments.append(extra)
            seen.add(extra.url)
    notice = Notice(
        id=raw.id,
        title=title,
        body=conversion.markdown,
        file_number=_text(record, "filenumbername"),
        issuer=_text(record, "xxgkextend2"),
        department=_text(record, "publishgroupname"),
        written=_date(record, ("createdate",), warnings, "written"),
        date=_date(record, ("cdate", "deploytime", "publishtime"), warnings, "date"),
        column=_text(record, "columnname"),
        theme=_text(record, "themename"),
        doc_type=_text(record, "typename"),
        index_code=_text(record, "indexcode"),
        source_url=source_url,
        attachments=attachments,
    )
    return Imported(notice, conversion.source_text, raw.page, warnings)
