"""Data for people who would rather compute than browse: catalog.json, catalog.csv and a JSON
file per notice, all with every front-matter field and the page URL."""

from __future__ import annotations

import csv
import io
import json

from ..content import FIELD_ORDER, front_matter
from ..notice import Notice
from ..urls import href
from .structure import notice_url


def notice_record(notice: Notice) -> dict:
    record = {key: "" for key in FIELD_ORDER}
    record.update(front_matter(notice))
    for key in ("written", "date"):
        record[key] = record[key].isoformat() if record[key] else ""
    # `sitegen check` refuses other schemes; a file read before it did must not pass either.
    record["source_url"] = href(record["source_url"])
    record["attachments"] = [{**a, "url": href(a["url"])} for a in record["attachments"] or []]
    record["also_published"] = [
        {**p, "source_url": href(p["source_url"])} if "source_url" in p else p
        for p in record["also_published"] or []
    ]
    record["url"] = notice_url(notice)
    return record


def catalog_json(notices: list[Notice], _body=None) -> str:
    # One notice a line: readable, diffable, and written by json's fast (C) encoder.
    rows = [json.dumps(notice_record(n), ensure_ascii=False) for n in notices]
    return "[\n" + ",\n".join(rows) + "\n]\n"


def catalog_csv(notices: list[Notice], _body=None) -> str:
    out = io.StringIO()
    columns = [*FIELD_ORDER, "url"]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for notice in notices:
        row = notice_record(notice)
        for key in ("attachments", "also_published"):
            row[key] = json.dumps(row[key], ensure_ascii=False) if row[key] else ""
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    return out.getvalue()


# What makes a spreadsheet read a cell as a formula (=SUM(...), +cmd|..., -2+3, @SUM), the
# full-width forms some spreadsheets accept too, and tab / CR before them.
_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


def spreadsheet_safe(value: str) -> str:
    """A CSV cell no spreadsheet runs as a formula: such a cell starts with an apostrophe
    (the OWASP advice; spreadsheets show the text as written)."""
    stripped = value.lstrip(" ")
    if value and (value[0] in _FORMULA_START or stripped[:1] in _FORMULA_START):
        return "'" + value
    return value


def notice_json(notice: Notice) -> str:
    record = notice_record(notice)
    record["body_markdown"] = notice.body
    # json's C encoder (no indent) is several times faster over 10,000 notices.
    return json.dumps(record, ensure_ascii=False) + "\n"
