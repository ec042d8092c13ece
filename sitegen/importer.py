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
import os
import re
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from pathlib import Path

from .config import CACHE_NAME
from .content import (
    ContentError,
    edited_by_hand,
    notice_names,
    notice_text,
    parse_notice,
    relative_name,
    write_atomic,
)
from .content_index import INDEX_NAME, Row, file_stamp, load_index, store_index
from .convert import Conversion, convert
from .convert.fidelity import Fidelity, layout_text, measure_text, total_layout
from .dedup import KeysOnce, dedup_keys, duplicate_groups, merge_group
from .errors import count
from .notice import Notice
from .parallel import Workers, paused_collector
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
    name: str  # the path in the archive (relative to its folder, with '/')
    text: str
    notice: Notice | None
    edited: bool


def import_pages(
    paths: Iterable[Path],
    content_dir: Path,
    source: Source | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    cache_dir: Path | None = None,
) -> ImportReport:
    """Import pages of source (MIIT unless given) into content_dir: read, convert, merge
    duplicates, write what changed.

    Pages are read and converted in worker processes, a page at a time and a few pages ahead
    (the records of 100,000 notices do not fit in memory at once); progress(step, done, total)
    is called as pages are converted and as notices are placed. cache_dir (default:
    .sitegen-cache beside content_dir) keeps the index of the archive's files
    (content_index.py)."""
    source = source or default_source()
    report = ImportReport()
    pages = page_files(paths)
    cache_dir = cache_dir or content_dir.parent / CACHE_NAME
    cache_dir.mkdir(parents=True, exist_ok=True)
    fresh: dict[str, Notice] = {}
    seen: set[str] = set()
    archive: dict[str, Row] = {}

    def scan() -> None:
        archive.update(scan_archive(content_dir, cache_dir, report))

    with Workers() as workers, Bodies(cache_dir) as bodies:
        inline = _pool_unneeded(pages)
        # The archive is scanned while the workers convert the first pages: an import of one
        # page into a big archive spends most of its time on each.
        converting = _convert_pages(pages, source, workers, inline, meanwhile=scan)
        for number, (page, results) in enumerate(converting, 1):
            if isinstance(results, str):
                report.errors.append(f"{page}: {results}")
            for notice, body, text in take_results(results if isinstance(results, list) else [], report, seen):
                fresh[notice.id] = bodies.put_away(notice, body, text)
            if progress:
                progress("Importing pages", number, len(pages))
        write_notices(fresh, content_dir, report, cache_dir, progress, bodies, workers, archive)
    return report


# Pages converted ahead of the one the importer takes next, per worker: enough that no worker
# waits, few enough that the bodies waiting stay small.
PAGES_AHEAD = 3
# Below this many bytes of pages, forking workers costs more than it saves.
POOL_BYTES = 2_000_000


def _pool_unneeded(pages: list[Path]) -> bool:
    """True for a few small pages (a page of fewer pages than workers is shared by them)."""
    total = 0
    for page in pages:
        try:
            total += page.stat().st_size
        except OSError:
            continue  # reported when the page is read
        if total >= POOL_BYTES:
            return False
    return True


def _convert_pages(pages: list[Path], source: Source, workers: Workers, inline: bool,
                   meanwhile: Callable[[], None] = lambda: None):
    """(page, its records converted or why it cannot be read), in the order of pages.
    meanwhile() is called once the first pages are sent, before any answer is awaited. Fewer
    pages than workers are each shared by all of them (a worker takes every n-th record)."""
    parts = 1 if inline or len(pages) >= workers.size else workers.size
    pending: deque = deque()
    waited = False
    for page in pages:
        pending.append((page, [workers.submit(convert_page, page, source, part, parts, inline=inline)
                               for part in range(parts)]))
        if len(pending) > PAGES_AHEAD * workers.size:
            if not waited:
                meanwhile()
                waited = True
            yield _page_results(*pending.popleft())
    if not waited:
        meanwhile()
    while pending:
        yield _page_results(*pending.popleft())


def _page_results(page: Path, futures: list[Future]) -> tuple[Path, list[_Converted] | str]:
    """A page's results, its parts put back in the order of its records."""
    parts = [future.result() for future in futures]
    unread = next((part for part in parts if isinstance(part, str)), None)
    if unread is not None:  # (a part can fail alone: the file may change between two reads)
        return page, unread
    if len(parts) == 1:
        return page, parts[0]
    results: list[_Converted] = []
    for row in zip_longest(*parts):
        results.extend(result for result in row if result is not None)
    return page, results


class Bodies:
    """The Markdown bodies of converted notices, kept in a temporary file (deleted when closed,
    or by the system if the process dies) until their files are written: 100,000 bodies would
    take over a gigabyte of memory. A notice put away has an empty body until `restore`.

    Beside each body, the file text the worker made of the notice as converted: most notices
    are written just so, and the parent need not make it again."""

    def __init__(self, folder: Path | None = None):
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by __exit__)
        # id -> where the body starts and its size, where the file text starts and its size
        self.where: dict[str, tuple[int, int, int, int]] = {}
        self.size = 0  # where the next one goes (kept here: a seek would flush the buffer)

    def __enter__(self) -> Bodies:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()

    def put_away(self, notice: Notice, body: bytes, text: bytes = b"") -> Notice:
        """Keep a notice's body and file text (UTF-8, as the workers send them: the importer
        neither decodes nor encodes them again) until its file is written."""
        at = self.size
        self.size += len(text) + (0 if text.endswith(body) else len(body))
        if text.endswith(body):  # as notice_text writes it: the body is stored once, in the text
            self.where[notice.id] = (at + len(text) - len(body), len(body), at, len(text))
            self.file.write(text)
        else:
            self.where[notice.id] = (at, len(body), at + len(body), len(text))
            self.file.write(body)
            self.file.write(text)
        notice.body = ""
        return notice

    def body_of(self, notice: Notice) -> str:
        """The notice's body, from the file if it was put away (left there)."""
        body = self.utf8_of(notice)
        return body.decode("utf-8") if isinstance(body, bytes) else body

    def utf8_of(self, notice: Notice) -> str | bytes:
        """The notice's body as it was put away (UTF-8), or as it is where it was not."""
        where = self.where.get(notice.id)
        if where is None or notice.body:
            return notice.body
        return self._read(where[0], where[1])

    def prepared_text(self, notice: Notice) -> bytes | None:
        """The file text of the notice as it was converted (put away with it), if any: UTF-8,
        as it is written."""
        where = self.where.get(notice.id)
        if where is None or not where[3]:
            return None
        return self._read(where[2], where[3])

    def _read(self, at: int, size: int) -> bytes:
        # One system call, and the file's position left at its end, where bodies are added.
        self.file.flush()
        return os.pread(self.file.fileno(), size, at)

    def restore(self, notice: Notice) -> None:
        notice.body = self.body_of(notice)

    def put_back(self, notice: Notice) -> None:
        """Let a restored body go again (it is still in the file)."""
        if notice.id in self.where:
            notice.body = ""


@dataclass
class _Converted:
    """What a worker sends back of one record (not the record: its HTML stays there)."""

    id: str
    page: str
    notice: Notice | None = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # with the title, why the record cannot be imported
    fidelity: Fidelity | None = None
    # The notice's body (the notice is sent without it) and file text, made here on every
    # core, as UTF-8: the importer stores and writes them as they come.
    body: bytes = b""
    text: bytes = b""
    body_size: int = -1  # >= 0: the body is the text's last body_size bytes, sent only there

    def body_bytes(self) -> bytes:
        return self.text[len(self.text) - self.body_size :] if self.body_size >= 0 else self.body


def convert_page(page: Path, source: Source, part: int = 0, parts: int = 1) -> list[_Converted] | str:
    """The records of one saved page converted (of parts shares, the part-th: every parts-th
    record from the part-th), or why the page cannot be read."""
    try:
        records = read_page_file(source, page).records[part::parts]
    except PageError as error:
        return str(error)
    # Converting makes many short-lived objects and no cycles: the cycle collector would
    # walk the page's records again and again for nothing.
    with paused_collector():
        return [convert_record(raw, source) for raw in records]


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


def convert_record(raw: RawRecord, source: Source) -> _Converted:
    """One record as a notice with its body in Markdown, and the fidelity of that Markdown."""
    try:
        draft = source.draft(raw)
    except RecordError as error:
        title = next((raw.data[k] for k in ("title", "title_text") if isinstance(raw.data.get(k), str)), "")
        title = clean_text(title)[:80] or "untitled"
        return _Converted(raw.id, raw.page, error=f"record {raw.id or '?'} «{title}»: {error}")
    if draft.body_missing:
        notice = dataclasses.replace(draft.notice, body_missing=True)
        return _Converted(raw.id, raw.page, notice, draft.warnings, text=notice_text(notice).encode())
    notice, conversion = converted(draft)
    fidelity = measure_text(conversion.source_text, notice.body, conversion.source_layout)
    text, body = notice_text(notice).encode(), notice.body.encode()
    notice.body = ""
    if text.endswith(body):  # (as notice_text writes it: the body is sent once, in the text)
        return _Converted(raw.id, raw.page, notice, draft.warnings, fidelity=fidelity, text=text,
                          body_size=len(body))
    return _Converted(raw.id, raw.page, notice, draft.warnings, fidelity=fidelity, body=body, text=text)


def take_results(results: list[_Converted], report: ImportReport,
                 seen: set[str]) -> list[tuple[Notice, bytes, bytes]]:
    """The notices of converted records with their bodies and file texts, each id once (the API's paging
    overlaps: ids in `seen`, those of earlier pages, are skipped, and the new ones added to it);
    errors, warnings and fidelity go into the report."""
    notices = []
    for result in results:
        if result.id and result.id in seen:
            continue
        seen.add(result.id)
        if result.notice is None:
            report.errors.append(f"{result.page}: {result.error}")
            continue
        notice = result.notice
        for warning in result.warnings:
            report.warnings.append(f"{result.page}: record {notice.id}: {warning}")
        notices.append((notice, result.body_bytes(), result.text))
        fidelity = result.fidelity
        if fidelity is None:  # no body: nothing to measure
            report.without_body.append(notice.id)
            continue
        report.fidelity[notice.id] = fidelity
        if not fidelity.perfect:
            report.warnings.append(
                f"{result.page}: record {notice.id}: text fidelity {fidelity.ratio:.2%} "
                f"({fidelity.lost} characters lost, {fidelity.added} added)"
            )
        if not fidelity.layout.exact:
            report.warnings.append(f"{result.page}: record {notice.id}: layout: {layout_text(fidelity.layout)}")
    return notices


def write_notices(fresh: dict[str, Notice], content_dir: Path, report: ImportReport,
                  cache_dir: Path | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  bodies: Bodies | None = None, workers: Workers | None = None,
                  archive: dict[str, Row] | None = None) -> None:
    """Merge fresh notices into the archive and write the files whose text changes.

    Only the files that can take part are read in full: those of the fresh ids, and those
    that share a file number or a title with them (and so on, transitively: every notice a
    duplicate group of a fresh notice can reach). What the other files hold comes from the
    index (content_index.py); the groups found are those a comparison of the whole archive
    finds, since a group grows only along shared numbers and titles. bodies: where the
    bodies of fresh notices were put away, if they were; workers: where texts of one title
    are compared; archive: scan_archive's rows, where it was scanned already."""
    index_path = (cache_dir or content_dir.parent / CACHE_NAME) / INDEX_NAME
    rows = archive if archive is not None else scan_archive(content_dir, cache_dir, report)
    keys_of = KeysOnce()
    wanted = _reachable(fresh, rows, keys_of)
    copies: dict[str, list[_Existing]] = {}
    for path in sorted(wanted):
        old, rows[path] = _read_file(content_dir, path)
        copies.setdefault(rows[path].key, []).append(old)
    existing = {key: _one_copy(found, report) for key, found in copies.items()}
    owners = {path: row.key for path, row in rows.items() if path not in wanted}
    owners.update({old.name: key for key, old in existing.items()})
    changes = _write(fresh, existing, content_dir, owners, report, progress, bodies, workers, keys_of)
    for path in wanted:
        if path not in changes and not (content_dir / path).is_file():
            rows.pop(path)  # a leftover copy _one_copy removed
    for path, notice in changes.items():
        if notice is None:
            rows.pop(path, None)
        else:
            rows[path] = _row(file_stamp(f"{content_dir}/{path}"), notice, edited=False, warning="",
                              keys_of=keys_of)
    # Last: a run killed before this leaves the old index, whose rows of changed files no
    # longer match their stamps.
    store_index(index_path, rows)


def scan_archive(content_dir: Path, cache_dir: Path | None, report: ImportReport) -> dict[str, Row]:
    """A row for every notice file of the archive, from its index where still true."""
    if not content_dir.is_dir():
        return {}
    return _scan(content_dir, load_index((cache_dir or content_dir.parent / CACHE_NAME) / INDEX_NAME), report)


_NO_ID = "\x00"  # the key of a file whose id cannot be read: no id holds this character
_ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.MULTILINE)


def _scan(content_dir: Path, known: dict[str, Row], report: ImportReport) -> dict[str, Row]:
    """A row for every notice file (by path relative to content_dir): from the index while
    the file's stamp is the one indexed, else read from the file."""
    rows: dict[str, Row] = {}
    folder = str(content_dir)
    for path in notice_names(content_dir):
        row = known.get(path)
        try:
            fresh_stamp = row is not None and row.stamp == file_stamp(f"{folder}/{path}")
        except OSError:
            continue  # gone since the folder was listed
        if not fresh_stamp:
            row = _read_file(content_dir, path)[1]
        if row.warning:
            report.warnings.append(row.warning)
        rows[path] = row
    return rows


def _read_file(content_dir: Path, path: str) -> tuple[_Existing, Row]:
    """A notice file read in full, and its row for the index."""
    full = content_dir / path
    warning = ""
    try:
        stamp = file_stamp(full)
        text = full.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        stamp, text = "", ""
        warning = f"{full}: cannot be read ({error.strerror}); left untouched"
    try:
        notice = parse_notice(text, full)
    except ContentError as error:
        # Unreadable files are left as they are; their id still claims the notice, and
        # their name in any case (never written over).
        if text:
            warning = f"{error} (left untouched)"
        match = _ID_LINE.search(_front_matter_lines(text))
        key = match.group(1) if match else f"{_NO_ID}{path}"
        return _Existing(full, path, text, None, True), Row(stamp, key, False, True, "", "", warning)
    edited = edited_by_hand(text)
    return _Existing(full, path, text, notice, edited), _row(stamp, notice, edited, warning)


def _row(stamp: str, notice: Notice, edited: bool, warning: str,
         keys_of: Callable[[Notice], tuple[str, str]] = dedup_keys) -> Row:
    number, title = keys_of(notice)
    return Row(stamp, notice.id, True, edited, number, title, warning)


def _reachable(fresh: dict[str, Notice], rows: dict[str, Row],
               keys_of: Callable[[Notice], tuple[str, str]] = dedup_keys) -> set[str]:
    """The files a fresh notice's duplicate group can reach (same id, file number or title,
    transitively), and every file of an id held by more than one file (a killed import's
    leftover copy, repaired by any later run)."""
    ids, numbers, titles = set(fresh), set(), set()
    for notice in fresh.values():
        number, title = keys_of(notice)
        numbers.add(number)
        titles.add(title)
    numbers.discard("")
    titles.discard("")
    ids.update(key for key, files in Counter(row.key for row in rows.values()).items() if files > 1)
    # A pass over the rows finds the files of the keys known so far and adds their keys; a
    # group of the archive is rarely more than two steps wide, so a few passes (at C speed,
    # sets of text) cost less than indexing every file by every key first.
    found: set[str] = set()
    for _ in range(QUICK_PASSES):
        new = [path for path, row in rows.items() if path not in found and (
            row.key in ids or (row.notice and (row.number in numbers or row.title in titles)))]
        if not new:
            return found
        found.update(new)
        for path in new:
            _add_keys(rows[path], ids, numbers, titles)
    return _reachable_by_index(rows, found, ids, numbers, titles)


QUICK_PASSES = 3


def _add_keys(row: Row, ids: set[str], numbers: set[str], titles: set[str]) -> None:
    ids.add(row.key)
    if row.notice:
        if row.number:
            numbers.add(row.number)
        if row.title:
            titles.add(row.title)


def _reachable_by_index(rows: dict[str, Row], found: set[str], ids: set[str], numbers: set[str],
                        titles: set[str]) -> set[str]:
    """_reachable's answer for a chain of groups too long for passes: every file indexed by its
    keys, and the keys followed from those found so far."""
    by_id: dict[str, list[str]] = {}
    by_number: dict[str, list[str]] = {}
    by_title: dict[str, list[str]] = {}
    for path, row in rows.items():
        by_id.setdefault(row.key, []).append(path)
        if row.notice:
            if row.number:
                by_number.setdefault(row.number, []).append(path)
            if row.title:
                by_title.setdefault(row.title, []).append(path)
    todo = [(by_id, key) for key in ids] + [(by_number, key) for key in numbers] + [(by_title, key) for key in titles]
    while todo:
        index, key = todo.pop()
        for path in index.pop(key, ()):
            if path in found:
                continue
            found.add(path)
            row = rows[path]
            todo.append((by_id, row.key))
            if row.notice:
                todo += [(by_number, row.number), (by_title, row.title)]
    return found


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


def _write(fresh: dict[str, Notice], existing: dict[str, _Existing], content_dir: Path,
           owners: dict[str, str], report: ImportReport,
           progress: Callable[[str, int, int], None] | None = None,
           bodies: Bodies | None = None, workers: Workers | None = None,
           keys_of: Callable[[Notice], tuple[str, str]] = dedup_keys) -> dict[str, Notice | None]:
    """Merge and write; what changed on disk (path relative to content_dir -> the notice
    written there, or None where a file was removed). owners: which notice each file
    belongs to (a file is never written over another notice's)."""
    pool: dict[str, Notice] = {}
    for key, old in existing.items():
        if old.notice is not None:
            pool[key] = copy.deepcopy(old.notice)
    altered: set[str] = set()  # fresh notices that took something from their old file
    for key, notice in fresh.items():
        old = pool.get(key)
        if old is not None:
            altered.add(key)
            # Keep what earlier imports merged into this notice: the other publications, and
            # the attachments they brought (the file cannot tell those from its own).
            known = {p.id for p in notice.also_published}
            notice.also_published += [p for p in old.also_published if p.id not in known]
            if old.also_published:
                urls = {a.url for a in notice.attachments}
                notice.attachments += [a for a in old.attachments if a.url not in urls]
            if notice.body_missing and not old.body_missing:
                # A list-only record never empties a notice whose body an earlier import had.
                notice.body, notice.body_missing = old.body, False
                notice.attachments = old.attachments or notice.attachments
        pool[key] = notice

    restore = bodies.restore if bodies else _nothing
    put_back = bodies.put_back if bodies else _nothing
    changes = _Changes()
    by_id = sorted(pool.values(), key=lambda n: n.id)

    def compared(done: int, total: int) -> None:
        if progress:
            progress("Comparing notices that share a title", done, total)

    groups = [group for group in duplicate_groups(by_id, bodies.body_of if bodies else _own_body,
                                                  _batches_on(workers) if workers else map, compared,
                                                  bodies.utf8_of if bodies else None, keys_of)
              if any(n.id in fresh for n in group)]  # the others: nothing imported now touches them
    with _Writer(workers if len(groups) >= WRITES_ON_WORKERS else None) as writer:
        for done, group in enumerate(groups, 1):
            primary, prepared = group[0], None
            if len(group) == 1 and primary.id not in altered and bodies is not None:
                # As converted (alone, nothing merged in): the text the worker made is the file's.
                prepared = bodies.prepared_text(primary)
            if prepared is None:
                for notice in group:
                    restore(notice)
                primary = merge_group(group)
            # The merged file first: a run killed in between leaves a duplicate, never a loss.
            if _place(primary, existing.get(primary.id), content_dir, owners, report, changes,
                      writer, prepared):
                for other in group[1:]:
                    if other.id in fresh:
                        report.merged.append(other.id)
                    _remove(existing.get(other.id), owners, report, changes, writer)
            writer.send()
            for notice in group:
                put_back(notice)
            if progress and (done % 500 == 0 or done == len(groups)):
                progress("Writing notices", done, len(groups))
    return changes.paths


TEXTS_AT_ONCE = 1000  # titles whose texts are in flight at a time (their bodies in memory)
TITLES_PER_JOB = 20


def _batches_on(workers: Workers) -> Callable:
    """map(function, items) on the workers, in order, with at most TEXTS_AT_ONCE items read
    and not yet answered (items may be big and many: each is read only as a job takes it). The
    next job is read and sent before the oldest one's answer is awaited, so the workers never
    wait for the importer to read texts."""

    def mapped(function: Callable, items: Iterable) -> Iterator:
        iterator = iter(items)
        first = list(islice(iterator, TEXTS_AT_ONCE))
        if len(first) < TEXTS_AT_ONCE:  # all there are: Workers.map knows whether a pool pays
            yield from workers.map(function, first, chunk_size=TITLES_PER_JOB)
            return
        pending = deque(workers.submit(_each, function, first[at : at + TITLES_PER_JOB])
                        for at in range(0, len(first), TITLES_PER_JOB))
        del first
        while pending:
            if job := list(islice(iterator, TITLES_PER_JOB)):
                pending.append(workers.submit(_each, function, job))
            yield from pending.popleft().result()

    return mapped


def _each(function: Callable, items: list) -> list:
    return [function(item) for item in items]


# Once an import writes this many files, the workers write them (they are idle by then): in
# the importer's own process the system calls of 100,000 files would take one core while the
# other waits.
WRITES_ON_WORKERS = 1000
FILES_PER_JOB = 100  # files one job writes (their texts travel with it)
JOBS_AHEAD = 4  # jobs sent and not yet answered, per worker


class _Writer:
    """The importer's writes and removals. With workers, a group that writes one new path (most
    groups) joins a job of FILES_PER_JOB files that a worker writes, a few jobs ahead of the
    importer, which goes on merging; a group that writes more (in order: the merged file
    first, so a run killed in between leaves a duplicate, never a loss), or a path an earlier
    group touched, waits until every job sent is done and is done here, so no two processes
    ever hold the same path. Leaving the block waits for every job; the first that fails is
    raised there or at the next job awaited (a job stops at its first failure)."""

    def __init__(self, workers: Workers | None = None) -> None:
        self.workers = workers if workers is not None and workers.size > 1 else None
        self.group: list[tuple] = []  # the jobs of the group being placed
        self.files: list[tuple[str, bytes]] = []  # single writes gathered into the next job
        self.pending: deque[Future] = deque()
        self.touched: set[str] = set()

    def __enter__(self) -> _Writer:  # noqa: PYI034
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self._finish()
        else:  # the importer failed: do nothing more it asked
            for future in self.pending:
                future.cancel()

    def write(self, path: str, text: str | bytes) -> None:
        self.group.append((write_atomic, path, text))

    def remove(self, path: str) -> None:
        self.group.append((_unlink, path))

    def send(self) -> None:
        """The group's jobs, to a worker or (done in order) here."""
        jobs, self.group = self.group, []
        if not jobs:
            return
        if self.workers is not None:
            function, path, *data = jobs[0]
            if len(jobs) == 1 and function is write_atomic and path not in self.touched:
                self.touched.add(path)
                text = data[0]
                self.files.append((path, text.encode() if isinstance(text, str) else text))
                if len(self.files) >= FILES_PER_JOB:
                    self._submit()
                return
            self._finish()
            self.touched.update(job[1] for job in jobs)
        for function, path, *data in jobs:
            function(Path(path), *data)

    def _submit(self) -> None:
        assert self.workers is not None
        self.pending.append(self.workers.submit(_write_files, self.files))
        self.files = []
        while len(self.pending) > JOBS_AHEAD * self.workers.size:
            self.pending.popleft().result()

    def _finish(self) -> None:
        """Every job sent, done."""
        if self.files:
            self._submit()
        while self.pending:
            self.pending.popleft().result()


def _write_files(files: list[tuple[str, bytes]]) -> None:
    """A worker's job: files written in order (the first that fails stops it)."""
    for path, data in files:
        write_atomic(path, data)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _nothing(notice: Notice) -> None:
    pass


def _own_body(notice: Notice) -> str:
    return notice.body


class _Changes:
    """The files an import wrote (with their notice) and removed, by path in the archive."""

    def __init__(self) -> None:
        self.paths: dict[str, Notice | None] = {}

    def wrote(self, name: str, notice: Notice) -> None:
        self.paths[name] = notice

    def removed(self, name: str) -> None:
        self.paths[name] = None


def _place(notice: Notice, old: _Existing | None, content_dir: Path, owners: dict[str, str],
           report: ImportReport, changes: _Changes, writer: _Writer,
           prepared: bytes | None = None) -> bool:
    """Write a notice's file if it changed; False when it could not be written. prepared: the
    notice's file text (UTF-8), where it was made already."""
    # Paths as text: 100,000 Path objects cost the importer more than the rest of its work.
    name = relative_name(notice)
    target = f"{content_dir}/{name}"
    owner = owners.get(name, notice.id)
    if owner != notice.id:
        whose = "a file whose id cannot be read" if owner.startswith(_NO_ID) else f"the file of notice {owner}"
        report.errors.append(f"{target}: record {notice.id}: {whose} has this name; not written")
        return False
    text = notice_text(notice) if prepared is None else prepared
    if old is None:
        writer.write(target, text)
        changes.wrote(name, notice)
        owners[name] = notice.id
        report.created.append(notice.id)
        return True
    if old.name == name and old.text == (text if isinstance(text, str) else text.decode("utf-8")):
        report.unchanged.append(notice.id)
        return True
    if old.edited:
        report.conflicts.append(f"{old.path}: edited by hand; kept, not replaced by the import")
        return True
    writer.write(target, text)
    changes.wrote(name, notice)
    owners[name] = notice.id
    if old.name != name:
        writer.remove(str(old.path))
        changes.removed(old.name)
        owners.pop(old.name, None)
    report.updated.append(notice.id)
    return True


def _remove(old: _Existing | None, owners: dict[str, str], report: ImportReport, changes: _Changes,
            writer: _Writer) -> None:
    if old is None:
        return
    if old.edited:
        report.conflicts.append(
            f"{old.path}: now a duplicate of another notice, but edited by hand; kept"
        )
        return
    writer.remove(str(old.path))
    changes.removed(old.name)
    owners.pop(old.name, None)
