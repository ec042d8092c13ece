"""The one record every step passes on: a notice with its metadata and Markdown body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    title: str
    url: str


@dataclass(frozen=True)
class Publication:
    """Another place the same notice was published (a merged duplicate)."""

    id: str
    column: str = ""
    source_url: str = ""


@dataclass
class Notice:
    id: str
    title: str
    body: str = ""
    file_number: str = ""
    issuer: str = ""
    department: str = ""
    written: dt.date | None = None
    date: dt.date | None = None
    column: str = ""
    theme: str = ""
    doc_type: str = ""
    index_code: str = ""
    source_url: str = ""
    status: str = ""  # 时效性 set by hand (docs/schema.md); "" = derived from the archive
    body_missing: bool = False  # the record had no body (a list-only query): `body: missing`
    attachments: list[Attachment] = field(default_factory=list)
    also_published: list[Publication] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def richness(self) -> int:
        """How many metadata fields are known: the richer of two duplicates wins."""
        known = [
            self.file_number, self.issuer, self.department, self.written, self.date,
            self.column, self.theme, self.doc_type, self.index_code,
        ]
        return sum(1 for value in known if value)
