"""Data for people who would rather compute than browse: catalog.json, catalog.csv and a JSON
file per notice, all with every front-matter field and the page URL."""

from __future__ import annotations

import csv
import io
import json

from ..content import FIELD_ORDER, front_matter
from ..notice import Notice
from .structure import notice_url


def notice_record(notice: Notice) -> dict:
    record = {key: "" for key in FIELD_ORDER}
    record.update(front_matter(notice))
    for key in ("written", "date"):
        record[key] = record[key].isoformat() if record[key] else ""
    record["attachments"] = record["attachments"] or []
    record["also_published"] = record["also_published"] or []
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
        writer.writerow(row)
    return out.getvalue()


def notice_json(notice: Notice) -> str:
    record = notice_record(notice)
    record["body_markdown"] = notice.body
    # json's C encoder (no indent) is several times faster over 10,000 notices.
    return json.dumps(record, ensure_ascii=False) + "\n"
