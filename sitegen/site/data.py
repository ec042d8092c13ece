"""Data for people who would rather compute than browse: catalog.json, catalog.csv and a JSON
file per notice, all with every front-matter field and the page URL."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from ..content import FIELD_ORDER
from ..notice import Notice, Publication
from ..urls import href
from .structure import notice_url

# json.dumps(..., ensure_ascii=False) makes an encoder a call: one for every record here.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode

# Status and relations (sitegen/relations.py): what the archive shows, or what an editor set.
VALIDITY_FIELDS = ("status_set_by_hand", "status_derived", "effective", "valid_until", "relations")


def notice_record(notice: Notice, validity: dict | None = None) -> dict:
    """Every front-matter field (content.FIELD_ORDER; '' for an unknown value, [] for no
    attachments), with URLs on an allowed scheme only, the page URL and the validity fields.
    Made field by field, not from content.front_matter: the catalogs make one per notice
    (a test holds the two to the same record)."""
    record = {
        "title": notice.title or "", "id": notice.id or "", "file_number": notice.file_number or "",
        "issuer": notice.issuer or "", "department": notice.department or "",
        "written": notice.written.isoformat() if notice.written else "",
        "date": notice.date.isoformat() if notice.date else "",
        "column": notice.column or "", "theme": notice.theme or "", "doc_type": notice.doc_type or "",
        "index_code": notice.index_code or "",
        # `sitegen check` refuses other schemes; a file read before it did must not pass either.
        "source_url": href(notice.source_url),
        "attachments": [{"title": a.title, "url": href(a.url)} for a in notice.attachments],
        "also_published": [_published(p) for p in notice.also_published],
        "status": notice.status or "",
        "body": "missing" if notice.body_missing else "",
        "url": notice_url(notice),
    }
    if validity is not None:
        record.update(validity)
    return record


def _published(also: Publication) -> dict:
    record = {key: value for key, value in (("id", also.id), ("column", also.column)) if value}
    if also.source_url:
        record["source_url"] = href(also.source_url)
    return record


def catalog_json(notices: list[Notice], validity: dict[str, dict] | None = None, _body=None) -> Iterator[str]:
    """catalog.json, a piece at a time (100,000 notices make 100 MB: never all as text at once).
    One notice a line: readable, diffable, and written by json's fast (C) encoder."""
    return (json_piece for json_piece, _ in _catalog_pieces(notices, validity, make_csv=False))


def catalog_csv(notices: list[Notice], validity: dict[str, dict] | None = None, _body=None) -> Iterator[str]:
    """catalog.csv, a piece at a time."""
    return (csv_piece for _, csv_piece in _catalog_pieces(notices, validity, make_json=False))


@dataclass
class Catalogs:
    """Both catalogs of the archive, made together: a notice's record is most of what its line
    in either costs, and it is made once for the two. The site's writer takes the two files'
    pieces in turn, so only a piece or two waits for the other file (when one file alone is
    written, the other's pieces wait until the writer lets go of this)."""

    notices: list[Notice]
    validity: dict[str, dict] | None = None

    def __post_init__(self) -> None:
        self._waiting: dict[str, deque[str]] = {"json": deque(), "csv": deque()}
        self._pieces = _catalog_pieces(self.notices, self.validity)

    def pieces(self, kind: str, _body=None) -> Iterator[str]:
        """The pieces of catalog.json (kind "json") or catalog.csv ("csv")."""
        waiting = self._waiting[kind]
        while True:
            if not waiting:
                made = next(self._pieces, None)
                if made is None:
                    return
                self._waiting["json"].append(made[0])
                self._waiting["csv"].append(made[1])
            yield waiting.popleft()


PIECE = 250  # notices per piece: about 256 KB of catalog.json, a step of the writer


def _catalog_pieces(notices: list[Notice], validity: dict[str, dict] | None,
                    make_json: bool = True, make_csv: bool = True) -> Iterator[tuple[str, str]]:
    """(catalog.json's next piece, catalog.csv's) for PIECE notices at a time; '' for a file
    not asked for."""
    out = io.StringIO()
    columns = [*FIELD_ORDER, "url", *(VALIDITY_FIELDS if validity is not None else ())]
    related = (validity or {}).get
    writer = csv.writer(out, lineterminator="\n")
    # Lines end in "\n", so the writer leaves a lone "\r" in a cell unquoted, and a reader takes
    # it for the end of the row: a value holding one could start a row of its own. Such rows
    # are written with every cell quoted.
    quoting = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    if make_csv:
        writer.writerow(columns)
    lines: list[str] = []
    for start in range(0, len(notices), PIECE):
        for notice in notices[start : start + PIECE]:
            record = notice_record(notice, related(notice.id))
            if make_json:
                lines.append(_ENCODE(record))
            if make_csv:
                _csv_row(record, columns, writer, quoting)
        json_piece = ("[\n" if start == 0 else ",\n") + ",\n".join(lines) if make_json else ""
        yield json_piece, out.getvalue()
        lines.clear()
        out.seek(0)
        out.truncate()
    yield ("" if notices else "[\n") + "\n]\n" if make_json else "", out.getvalue()


def _csv_row(record: dict, columns: list[str], writer, quoting) -> None:
    for key in ("attachments", "also_published", "relations"):
        if key in record:
            record[key] = _ENCODE(record[key]) if record[key] else ""
    cells = [record.get(key, "") for key in columns]
    # spreadsheet_safe on every cell, but only for the rows where a cell may start a
    # formula: one search of the whole row finds them (220,000 cells at 10,000 notices).
    joined = _SEPARATOR + _SEPARATOR.join(map(str, cells))
    if _ROW_FORMULA.search(joined):
        cells = [spreadsheet_safe(cell) for cell in cells]
    (quoting if "\r" in joined else writer).writerow(cells)


# What makes a spreadsheet read a cell as a formula (=SUM(...), +cmd|..., -2+3, @SUM), the
# full-width forms some spreadsheets accept too, and tab / CR before them.
_FORMULA = re.compile("[ ]*[=+\\-@\t\r＝＋－＠]")
# The same at the start of any cell of a row, the row joined and begun by _SEPARATOR (a cell
# holding the separator may make a row match that has no such cell: then every cell is checked).
_SEPARATOR = "\x1f"
_ROW_FORMULA = re.compile("\x1f[ ]*[=+\\-@\t\r＝＋－＠]")


def spreadsheet_safe(value):
    """A CSV cell no spreadsheet runs as a formula: such a cell starts with an apostrophe
    (the OWASP advice; spreadsheets show the text as written)."""
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def notice_json(notice: Notice, validity: dict | None = None) -> str:
    record = notice_record(notice, validity)
    record["body_markdown"] = notice.body
    # json's C encoder (no indent) is several times faster over 10,000 notices.
    return _ENCODE(record) + "\n"
