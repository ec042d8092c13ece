"""Data for people who would rather compute than browse: catalog.json, catalog.csv and a JSON
file per notice, all with every front-matter field and the page URL."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from ..content import FIELD_ORDER, front_matter
from ..notice import Notice
from ..urls import href
from .structure import notice_url

# Status and relations (sitegen/relations.py): what the archive shows, or what an editor set.
VALIDITY_FIELDS = ("status_set_by_hand", "status_derived", "effective", "valid_until", "relations")


def notice_record(notice: Notice, validity: dict | None = None) -> dict:
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
    if validity is not None:
        record.update(validity)
    return record


def catalog_json(notices: list[Notice], validity: dict[str, dict] | None = None, _body=None) -> Iterator[str]:
    """catalog.json, a piece at a time (100,000 notices make 100 MB: never all as text at once).
    One notice a line: readable, diffable, and written by json's fast (C) encoder."""
    validity = validity or {}
    encode = json.JSONEncoder(ensure_ascii=False).encode  # made once: json.dumps makes one a call
    yield "[\n"
    for number, notice in enumerate(notices):
        yield (",\n" if number else "") + encode(notice_record(notice, validity.get(notice.id)))
    yield "\n]\n"


def catalog_csv(notices: list[Notice], validity: dict[str, dict] | None = None, _body=None) -> Iterator[str]:
    """catalog.csv, a thousand rows at a time."""
    out = io.StringIO()
    columns = [*FIELD_ORDER, "url", *(VALIDITY_FIELDS if validity is not None else ())]
    validity = validity or {}
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    for number, notice in enumerate(notices, start=1):
        row = notice_record(notice, validity.get(notice.id))
        for key in ("attachments", "also_published", "relations"):
            if key in row:
                row[key] = encode(row[key]) if row[key] else ""
        cells = [row.get(key, "") for key in columns]
        # spreadsheet_safe, inline (220,000 cells)
        writer.writerow(["'" + cell if isinstance(cell, str) and _FORMULA.match(cell) else cell for cell in cells])
        if number % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


# What makes a spreadsheet read a cell as a formula (=SUM(...), +cmd|..., -2+3, @SUM), the
# full-width forms some spreadsheets accept too, and tab / CR before them.
_FORMULA = re.compile("[ ]*[=+\\-@\t\r＝＋－＠]")


def spreadsheet_safe(value):
    """A CSV cell no spreadsheet runs as a formula: such a cell starts with an apostrophe
    (the OWASP advice; spreadsheets show the text as written)."""
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def notice_json(notice: Notice, validity: dict | None = None) -> str:
    record = notice_record(notice, validity)
    record["body_markdown"] = notice.body
    # json's C encoder (no indent) is several times faster over 10,000 notices.
    return json.dumps(record, ensure_ascii=False) + "\n"
