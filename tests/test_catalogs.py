"""The catalogs (catalog.json, catalog.csv) are made field by field and row by row at speed;
these hold them to their plain definitions: a record is every front-matter field ('' for an
unknown value) with safe URLs, and no CSV cell starts a spreadsheet formula."""

import csv
import datetime as dt
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.content import FIELD_ORDER, front_matter
from sitegen.notice import Attachment, Notice, Publication
from sitegen.site.data import catalog_csv, catalog_json, notice_record, spreadsheet_safe
from sitegen.site.structure import notice_url
from sitegen.urls import href

# Pieces that matter here: formula starts (ASCII and full-width), the row separator the CSV
# check joins cells with, spaces, URL schemes, and ordinary text.
_PIECES = st.sampled_from(["", " ", "=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "\x1f", "\x1f=",
                           "SUM(A1)", "通知", "javascript:alert(1)", "https://www.miit.gov.cn/a.html",
                           "data:text/html,x", "2024-01-02", ",", '"', "\n"])
_TEXT = st.lists(_PIECES, max_size=4).map("".join)
_DATE = st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))


@st.composite
def notices(draw):
    return Notice(
        id=f"n{draw(st.integers(0, 10**6))}", title=draw(_TEXT), file_number=draw(_TEXT), issuer=draw(_TEXT),
        department=draw(_TEXT), written=draw(_DATE), date=draw(_DATE), column=draw(_TEXT),
        theme=draw(_TEXT), doc_type=draw(_TEXT), index_code=draw(_TEXT), source_url=draw(_TEXT),
        status=draw(_TEXT), body_missing=draw(st.booleans()),
        attachments=draw(st.lists(st.builds(Attachment, _TEXT, _TEXT), max_size=2)),
        also_published=draw(st.lists(st.builds(Publication, _TEXT, _TEXT, _TEXT), max_size=2)),
    )


_VALIDITY = st.one_of(st.none(), st.fixed_dictionaries({
    "status": _TEXT, "status_set_by_hand": st.booleans(), "status_derived": _TEXT,
    "effective": _TEXT, "valid_until": _TEXT,
    "relations": st.lists(st.fixed_dictionaries({"relation": _TEXT, "id": _TEXT}), max_size=2),
}))


def plain_record(notice: Notice, validity: dict | None) -> dict:
    """A record as the front matter gives it: every field, '' where unknown."""
    record = {key: "" for key in FIELD_ORDER}
    record.update(front_matter(notice))
    for key in ("written", "date"):
        record[key] = record[key].isoformat() if record[key] else ""
    record["source_url"] = href(record["source_url"])
    record["attachments"] = [{**a, "url": href(a["url"])} for a in record["attachments"] or []]
    record["also_published"] = [{**p, "source_url": href(p["source_url"])} if "source_url" in p else p
                                for p in record["also_published"] or []]
    record["url"] = notice_url(notice)
    if validity is not None:
        record.update(validity)
    return record


@settings(max_examples=300, deadline=None)
@given(notices(), _VALIDITY)
def test_a_catalog_record_is_the_notices_front_matter_with_safe_urls(notice, validity):
    record = notice_record(notice, validity)
    assert record == plain_record(notice, validity)
    assert list(record) == list(plain_record(notice, validity))  # the same order: the same JSON


@settings(max_examples=100, deadline=None)
@given(st.lists(notices(), max_size=5, unique_by=lambda n: n.id), st.booleans(), st.data())
def test_no_catalog_cell_starts_a_formula_and_every_other_cell_is_as_written(archive, related, data):
    validity = {n.id: data.draw(_VALIDITY.filter(bool)) for n in archive} if related else None
    rows = list(csv.reader(io.StringIO("".join(catalog_csv(archive, validity)), newline="")))
    header, rows = rows[0], rows[1:]
    assert len(rows) == len(archive)
    for notice, row in zip(archive, rows):
        record = plain_record(notice, (validity or {}).get(notice.id))
        for key, cell in zip(header, row):
            value = record.get(key, "")
            if key in ("attachments", "also_published", "relations"):
                value = json.dumps(value, ensure_ascii=False) if value else ""
            assert cell == str(spreadsheet_safe(value))
    records = json.loads("".join(catalog_json(archive, validity)))
    assert records == [plain_record(n, (validity or {}).get(n.id)) for n in archive]


def test_a_cell_after_a_separator_in_another_cell_is_still_checked_on_its_own():
    # The row check joins cells with \x1f: a title holding "\x1f=" must not hide or fake a formula.
    notice = Notice(id="a", title="通知\x1f=1", issuer="=cmd|' /C calc'!A0")
    header, row = list(csv.reader(io.StringIO("".join(catalog_csv([notice])), newline="")))
    cells = dict(zip(header, row))
    assert cells["title"] == "通知\x1f=1"
    assert cells["issuer"] == "'=cmd|' /C calc'!A0"


def test_a_carriage_return_in_a_value_cannot_start_a_row_of_its_own():
    # Lines end in "\n": a lone "\r" left unquoted would end the row for most readers, and what
    # follows it would be a row (and a formula) of its own.
    notice = Notice(id="a", title="通知\r=cmd|' /C calc'!A0")
    rows = list(csv.reader(io.StringIO("".join(catalog_csv([notice])), newline="")))
    assert len(rows) == 2
    assert dict(zip(*rows))["title"] == "通知\r=cmd|' /C calc'!A0"
