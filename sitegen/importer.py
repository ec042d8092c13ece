"""`sitegen import`: search-API pages in, one Markdown file per notice out.

Pages are read by their source (MIIT's API, gov.cn's, ...), which turns each record into a
draft: notice fields and the body as the site's HTML. The importer converts the body to
Markdown (the one place conversion is called), then merges duplicates against the whole archive
(what is already in content/ included), and only files whose text changes are
written. A file a reviewer edited by hand is never overwritten: it is reported
as a conflict and kept.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .content import (
    ContentError,
    edited_by_hand,
    notice_files,
    notice_text,
    parse_notice,
    relative_path,
    write_atomic,
)
from .convert import Conversion, convert
from .convert.fidelity import Fidelity, layout_text, measure_text, total_layout
from .dedup import duplicate_groups, merge_group
from .errors import count
from .notice import Notice
from .parallel import parallel_map
from .sources import default_source
from .sources.base import (
    Draft,
    PageError,
    RawRecord,
    RecordError,
    Source,
    clean_text,
    read_page_file,
)
from .urls import web_url


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    without_body: list[str] = field(default_factory=list)  # imported from metadata only
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fidelity: dict[str, Fidelity] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def overall_fidelity(self) -> float:
        total = sum(f.source_chars for f in self.fidelity.values())
        wrong = sum(f.lost + f.added for f in self.fidelity.values())
        return 1.0 if total == 0 else max(0.0, 1 - wrong / total)

    def summary(self) -> str:
        perfect = sum(1 for f in self.fidelity.values() if f.perfect)
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {count(len(self.merged), 'merged duplicate')}, "
            f"{self.failed} failed, {count(len(self.conflicts), 'conflict')}"
            f"{f', {len(self.without_body)} without body' if self.without_body else ''}; "
            f"text fidelity {self.overall_fidelity:.2%} "
            f"({perfect}/{len(self.fidelity)} notices exact); "
            f"layout {layout_text(total_layout(self.fidelity.values()))}"
        )


def page_files(paths: Iterable[Path]) -> list[Path]:
    """The JSON pages named, folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.json") if p.name != "manifest.json"))
        else:
            found.append(path)
    return found


@dataclass
class _Existing:
    path: Path
    text: str
    notice: Notice | None
    edited: bool


def import_pages(
    paths: Iterable[Path],
    content_dir: Path,
    source: Source | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import pages of source (MIIT unless given) into content_dir: read, convert, merge
    duplicates, write what changed. progress(done, total) is called as records are converted."""
    source = source or default_source()
    report = ImportReport()
    records = read_records(page_files(paths), report, source)
    done = 0

    def advance(finished: int) -> None:
        nonlocal done
        done += finished
        progress(done, len(records))

    fresh = convert_records(records, source, report, advance if progress else None)
    write_notices(fresh, content_dir, report)
    return report


def read_records(pages: list[Path], report: ImportReport, source: Source | None = None) -> list[RawRecord]:
    """The records of every readable page, each id once (the API's paging overlaps)."""
    source = source or default_source()
    records: list[RawRecord] = []
    seen: set[str] = set()
    for page in pages:
        try:
            page_records = read_page_file(source, page).records
        except PageError as error:
            report.errors.append(f"{page}: {error}")
            continue
        for raw in page_records:
            if raw.id and raw.id in seen:
                continue
            seen.add(raw.id)
            records.append(raw)
    return records


@dataclass
class _Converted:
    record: RawRecord
    notice: Notice | None = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    fidelity: Fidelity | None = None


def converted(draft: Draft) -> tuple[Notice, Conversion]:
    """The draft with its body converted to Markdown, and the conversion (the text and layout
    a reader saw in the original, for the fidelity measure). Attachments: the body's first, then the record's.
    The converter's warnings join the draft's."""
    conversion = convert(draft.body_html, draft.base_url)
    # The body may link to mailto: or ftp:, an attachment only to the web.
    attachments = [a for a in conversion.attachments if web_url(a.url)]
    seen = {a.url for a in attachments}
    for extra in draft.notice.attachments:
        if extra.url not in seen:
            attachments.append(extra)
            seen.add(extra.url)
    notice = dataclasses.replace(draft.notice, body=conversion.markdown, attachments=attachments)
    draft.warnings.extend(conversion.warnings)
    return notice, conversion


def _convert(job: tuple[RawRecord, Source]) -> _Converted:
    raw, source = job
    try:
        draft = source.draft(raw)
    except RecordError as error:
        return _Converted(raw, error=str(error))
    if draft.body_missing:
        return _Converted(raw, dataclasses.replace(draft.notice, body_missing=True), draft.warnings)
    notice, conversion = converted(draft)
    fidelity = measure_text(conversion.source_text, notice.body, conversion.source_layout)
    return _Converted(raw, notice, draft.warnings, fidelity=fidelity)


def convert_records(
    records: list[RawRecord], source: Source, report: ImportReport,
    on_done: Callable[[int], None] | None = None,
) -> dict[str, Notice]:
    """Records to notices, on every core; errors and fidelity go into the report."""
    fresh: dict[str, Notice] = {}
    jobs = [(raw, source) for raw in records]
    for result in parallel_map(_convert, jobs, on_done):
        raw, page = result.record, result.record.page
        if result.notice is None:
            title = next((raw.data[k] for k in ("title", "title_text") if isinstance(raw.data.get(k), str)), "")
            title = clean_text(title)[:80] or "untitled"
            report.errors.append(f"{page}: record {raw.id or '?'} «{title}»: {result.error}")
            continue
        notice = result.notice
        for warning in result.warnings:
            report.warnings.append(f"{page}: record {notice.id}: {warning}")
        fresh[notice.id] = notice
        fidelity = result.fidelity
        if fidelity is None:  # no body: nothing to measure
            report.without_body.append(notice.id)
            continue
        report.fidelity[notice.id] = fidelity
        if not fidelity.perfect:
            report.warnings.append(
                f"{page}: record {notice.id}: text fidelity {fidelity.ratio:.2%} "
                f"({fidelity.lost} characters lost, {fidelity.added} added)"
            )
        if not fidelity.layout.exact:
            report.warnings.append(f"{page}: record {notice.id}: layout: {layout_text(fidelity.layout)}")
    return fresh


def write_notices(fresh: dict[str, Notice], content_dir: Path, report: ImportReport) -> None:
    """Merge fresh notices into the archive and write the files whose text changes."""
    _write(fresh, _read_existing(content_dir, report), content_dir, report)


_NO_ID = "\x00"  # the key of a file whose id cannot be read: no id holds this character
_ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.MULTILINE)


def _read_existing(content_dir: Path, report: ImportReport) -> dict[str, _Existing]:
    copies: dict[str, list[_Existing]] = {}
    if not content_dir.is_dir():
        return {}
    for path in notice_files(content_dir):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            report.warnings.append(f"{path}: cannot be read ({error.strerror}); left untouched")
            text = ""
        try:
            notice = parse_notice(text, path)
            key = notice.id
        except ContentError as error:
            # Unreadable files are left as they are; their id still claims the notice, and
            # their name in any case (never written over).
            if text:
                report.warnings.append(f"{error} (left untouched)")
            match = _ID_LINE.search(_front_matter_lines(text))
            notice, key = None, match.group(1) if match else f"{_NO_ID}{path}"
        copies.setdefault(key, []).append(
            _Existing(path, text, notice, notice is None or edited_by_hand(text)))
    return {key: _one_copy(found, report) for key, found in copies.items()}


def _one_copy(copies: list[_Existing], report: ImportReport) -> _Existing:
    """The file of a notice found in more than one file (an import killed after writing a
    notice's new file, before deleting the old one, leaves two): the one a reviewer edited,
    else the newest. The other copies the importer wrote are deleted; edited ones are kept."""
    if len(copies) == 1:
        return copies[0]
    edited = [c for c in copies if c.edited]
    if len(edited) > 1:
        for copy_ in edited[1:]:
            report.conflicts.append(f"{copy_.path}: the same id as {edited[0].path}, both edited by hand; kept")
        return edited[0]
    kept = edited[0] if edited else max(copies, key=lambda c: (c.path.stat().st_mtime_ns, str(c.path)))
    for stale in copies:
        if stale is not kept:
            stale.path.unlink(missing_ok=True)
            report.warnings.append(f"{stale.path}: removed, an older copy of {kept.path} "
                                   f"left by an interrupted import")
    return kept


def _front_matter_lines(text: str) -> str:
    """The front matter of a file that may be broken: up to its closing line, or the whole file
    when it has none; nothing when it does not start with one (a body's `id: X` claims nothing)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return ""
    end = re.search(r"\n---[ \t]*$", text[3:], re.MULTILINE)
    return text[4 : end.start() + 3] if end else text[4:]


def _write(fresh: dict[str, Notice], existing: dict[str, _Existing], content_dir: Path, report) -> None:
    pool: dict[str, Notice] = {}
    for key, old in existing.items():
        if old.notice is not None:
            pool[key] = copy.deepcopy(old.notice)
    for key, notice in fresh.items():
        old = pool.get(key)
        if old is not None:
            # Keep what earlier imports merged into this notice.
            known = {p.id for p in notice.also_published}
            notice.also_published += [p for p in old.also_published if p.id not in known]
            if notice.body_missing and not old.body_missing:
                # A list-only record never empties a notice whose body an earlier import had.
                notice.body, notice.body_missing = old.body, False
                notice.attachments = old.attachments or notice.attachments
        pool[key] = notice

    # Which notice each file belongs to: a file is never written over another notice's.
    owners = {old.path: key for key, old in existing.items()}
    for group in duplicate_groups(sorted(pool.values(), key=lambda n: n.id)):
        if not any(n.id in fresh for n in group):
            continue  # nothing imported now touches this notice
        primary = merge_group(group)
        # The merged file first: a run killed in between leaves a duplicate, never a loss.
        if not _place(primary, existing.get(primary.id), content_dir, owners, report):
            continue
        for other in group[1:]:
            if other.id in fresh:
                report.merged.append(other.id)
            _remove(existing.get(other.id), owners, report)


def _place(notice: Notice, old: _Existing | None, content_dir: Path, owners: dict[Path, str],
           report: ImportReport) -> bool:
    """Write a notice's file if it changed; False when it could not be written."""
    target = content_dir / relative_path(notice)
    owner = owners.get(target, notice.id)
    if owner != notice.id:
        whose = "a file whose id cannot be read" if owner.startswith(_NO_ID) else f"the file of notice {owner}"
        report.errors.append(f"{target}: record {notice.id}: {whose} has this name; not written")
        return False
    text = notice_text(notice)
    if old is None:
        write_atomic(target, text)
        owners[target] = notice.id
        report.created.append(notice.id)
        return True
    if old.text == text and old.path == target:
        report.unchanged.append(notice.id)
        return True
    if old.edited:
        report.conflicts.append(f"{old.path}: edited by hand; kept, not replaced by the import")
        return True
    write_atomic(target, text)
    owners[target] = notice.id
    if old.path != target:
        old.path.unlink(missing_ok=True)
        owners.pop(old.path, None)
    report.updated.append(notice.id)
    return True


def _remove(old: _Existing | None, owners: dict[Path, str], report: ImportReport) -> None:
    if old is None:
        return
    if old.edited:
        report.conflicts.append(
            f"{old.path}: now a duplicate of another notice, but edited by hand; kept"
        )
        return
    old.path.unlink(missing_ok=True)
    owners.pop(old.path, None)
