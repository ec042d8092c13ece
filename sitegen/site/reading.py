"""Reading the archive for a build: every notice file, parsed on every core or taken from the cache.

Notices are kept without their bodies: a body is read from its file by the worker that renders
its page (`Body`), so bodies never travel between processes or pile up in memory. Citations and
validity statements are found here too, once per file version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import NamedTuple

from .. import fingerprint
from ..citations import find_citations, plain_body
from ..content import ContentError, notice_names, parse_notice, read_body
from ..fingerprint import body_digest, code_digest
from ..notice import Attachment, Notice, Publication
from ..parallel import Workers, parallel_map
from ..relations import find_statements
from .cache import BuildCache


@dataclass(frozen=True)
class Body:
    """A notice's Markdown body by reference: the worker that renders it reads it from its file."""

    notice: Notice  # without its body
    path: Path
    key: str  # the rendered body's key (fingerprint.body_digest)
    digest: str  # hash of the file's bytes: the notice's metadata and body

    def read(self) -> Notice:
        """The notice with its body."""
        return dataclasses.replace(self.notice, body=read_body(self.path))


@dataclass
class Entry:
    """One notice of the archive as the build sees it."""

    notice: Notice  # without its body (`body.read()` gives it)
    path: Path
    digest: str  # hash of the file's bytes
    body_key: str  # hash of the Markdown body and of what renders it
    citations: list  # (kind, text, key) of each citation in the body, as Citation is
    statements: list  # acts and validity clauses (relations.py)
    meta: str = ""  # hash of the notice's metadata: all a page can see of a body-less notice

    @cached_property
    def body(self) -> Body:
        return Body(self.notice, self.path, self.body_key, self.digest)


@dataclass
class Content:
    """The archive: an entry per notice, and an error line per file that could not be read."""

    entries: list[Entry]
    errors: list[str]
    # Every file read, errors included: its name below content/ -> (stamp, signature) (Parsed).
    sources: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    # The rows the cache is yet to get (read_content(store=False)): `store` gives them.
    unstored: dict[str, Parsed] | None = None

    def store(self, cache: BuildCache | None) -> None:
        """Give the cache the rows it is yet to get."""
        if cache and self.unstored is not None:
            cache.store_notices(self.unstored)
        self.unstored = None

    def body(self, notice: Notice) -> str:
        """A notice's Markdown body, read from its file."""
        return read_body(self.by_id[notice.id].path)

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {entry.notice.id: entry for entry in self.entries}

    @cached_property
    def notices(self) -> list[Notice]:
        return [entry.notice for entry in self.entries]

    @cached_property
    def paths(self) -> dict[str, Path]:
        return {entry.notice.id: entry.path for entry in self.entries}

    @cached_property
    def digests(self) -> dict[str, str]:
        return {entry.notice.id: entry.digest for entry in self.entries}

    @cached_property
    def metas(self) -> dict[str, str]:
        return {entry.notice.id: entry.meta for entry in self.entries}

    @cached_property
    def citations(self) -> dict[str, list]:
        return {entry.notice.id: entry.citations for entry in self.entries}

    @cached_property
    def statements(self) -> dict[str, list]:
        return {entry.notice.id: entry.statements for entry in self.entries if entry.statements}


def parse_rules() -> str:
    """The version of everything that makes a cached row out of a file: the source of this
    module and of all it imports (front matter schema, notice fields, citation and relation
    rules) and the renderer (in the body key). Another version parses every file again."""
    return f"{code_digest(__name__)};{fingerprint.RENDERER_VERSION}"


class Parsed(NamedTuple):
    """What the cache keeps of a content file, valid while its stamp stays the same."""

    stamp: str
    digest: str
    body_key: str
    notice: tuple | str  # the notice as plain tuples (_flatten), or the file's error line
    citations: list
    statements: list
    meta: str = ""  # hash of the notice's metadata (or of its error line)
    # hash of everything pages are made of besides the body: metadata, citations, statements.
    # Files whose signatures are all unchanged give the same pages but their own (incremental.py).
    signature: str = ""


def _error(line: str) -> Parsed:
    meta = hashlib.sha1(line.encode("utf-8")).hexdigest()
    return Parsed("", "", "", line, [], [], meta, meta)


def _parse_file(path: Path, checking: bool = False) -> Parsed:
    """A file's row; checking, only what `sitegen check` needs (an error line, or the notice's
    id: no metadata, citations, statements or digests, so the row is never stored)."""
    try:
        data = path.read_bytes()
    except OSError as error:  # unreadable, or gone since the folder was listed
        return _error(f"{path}:1: file: cannot be read ({error.strerror})")
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ContentError(path, 1, "file", "not UTF-8 text") from None
        notice = parse_notice(text, path)
    except ContentError as error:
        return _error(str(error))
    if checking:  # valid: only its id matters (another file may have the same)
        return Parsed("", "", "", (notice.id,), [], [])
    citations = [tuple(c) for c in find_citations(plain_body(notice.body))]
    statements = find_statements(notice.title, notice.body)
    body_key = body_digest(notice.body)
    notice.body = ""
    flat = _flatten(notice)
    meta = hashlib.sha1(repr(flat).encode("utf-8", "surrogatepass")).hexdigest()
    signature = hashlib.sha1(repr((meta, citations, statements)).encode("utf-8", "surrogatepass")).hexdigest()
    return Parsed("", hashlib.sha1(data).hexdigest(), body_key, flat, citations, statements, meta, signature)


def _flatten(notice: Notice | str):
    """A notice as plain tuples: pickled and unpickled many times faster than dataclasses."""
    if isinstance(notice, str):
        return notice
    values = [getattr(notice, name) for name in _FIELDS]
    values[-2] = [(a.title, a.url) for a in notice.attachments]
    values[-1] = [(p.id, p.column, p.source_url) for p in notice.also_published]
    return tuple(values)


_FIELDS = tuple(f.name for f in dataclasses.fields(Notice))
assert _FIELDS[0] == "id" and _FIELDS[-2:] == ("attachments", "also_published")


def _unflatten(values) -> Notice | str:
    if isinstance(values, str):
        return values
    notice = Notice(*values)
    notice.attachments = [Attachment(*a) for a in notice.attachments]
    notice.also_published = [Publication(*p) for p in notice.also_published]
    return notice


def read_content(content_dir: Path, cache: BuildCache | None = None, workers: Workers | None = None,
                 checking: bool = False, stamps: dict[str, str] | None = None, store: bool = True) -> Content:
    """Every notice, and an error line for each file that cannot be read. checking: for
    `sitegen check`, only the error lines: files the cache does not know are only validated
    (a third of the work; a worker sends back an error or an id), no entry is made, and the
    cache is left as it is. stamps: every file's, when the caller has read them (file_stamps).

    Files unchanged since the last build (their stamp, `file_stamps`, is the same: no read of
    the file) come from the cache; the others are parsed on every core. With store False the
    cache gets the new rows only from `Content.store` (a build first hands the workers their
    next work: pickling 100,000 rows takes seconds).
    """
    known = cache.notices(parse_rules()) if cache else {}
    names = file_stamps(content_dir) if stamps is None else stamps
    stamps = {content_dir / name: stamp for name, stamp in names.items()}
    # Rows are kept by the file's resolved path: `--content /abs/path` and `content` are one file.
    # (Joined as text: names are clean relative paths, and a Path per file is seconds at 100,000.)
    root = str(content_dir.resolve())
    keys = {path: os.path.join(root, name) for path, name in zip(stamps, names)}
    changed = [p for p, stamp in stamps.items() if _stale(known.get(keys[p]), p, stamp)]
    parse = partial(_parse_file, checking=True) if checking else _parse_file
    prefetch([str(path) for path in changed], sum(_size(stamps[path]) for path in changed))
    mapped = workers.map(parse, changed) if workers else parallel_map(parse, changed)
    parsed = dict(zip(changed, mapped))

    rows: dict[str, Parsed] = {}
    content = Content([], [])
    seen: dict[str, Path] = {}
    for name, (path, stamp) in zip(names, stamps.items()):
        row = parsed[path]._replace(stamp=stamp) if path in parsed else known[keys[path]]
        rows[keys[path]] = row
        content.sources[name] = (stamp, row.signature)
        if isinstance(row.notice, str):
            content.errors.append(row.notice)
            continue
        notice_id = row.notice[0]
        if notice_id in seen:
            content.errors.append(f"{path}:1: id: the same id as {seen[notice_id]}")
            continue
        seen[notice_id] = path
        if checking:  # only errors are wanted
            continue
        content.entries.append(Entry(_unflatten(row.notice), path, row.digest, row.body_key, row.citations,
                                     row.statements, row.meta))
    if cache and rows != known and not checking:
        content.unstored = rows
        if store:
            content.store(cache)
    return content


def prefetch(paths: list[str], size: int) -> threading.Thread | None:
    """Have the kernel read these files into memory, in this order, ahead of the processes
    that read them one at a time: where they are not in memory yet (a fresh checkout, another
    run since), each read would leave a core waiting for the disk (0.14 ms a file here,
    seconds at 100,000). Only what fits in a quarter of the machine's memory (size: their
    bytes), lest it push out what is read first. The thread that asks is returned (None: not asked)."""
    if not hasattr(os, "posix_fadvise") or not paths or size > _memory() // 4:
        return None

    def ask() -> None:
        for path in paths:
            try:
                handle = os.open(path, os.O_RDONLY)
            except OSError:  # gone or unreadable: its reader says so
                continue
            try:
                os.posix_fadvise(handle, 0, 0, os.POSIX_FADV_WILLNEED)
            except OSError:
                pass
            finally:
                os.close(handle)

    thread = threading.Thread(target=ask, name="prefetch", daemon=True)
    thread.start()
    return thread


def _memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return 0


def _size(stamp: str) -> int:
    size = stamp.partition(":")[0]
    return int(size) if size.isdigit() else 0


def _stale(row: Parsed | None, path: Path, stamp: str) -> bool:
    """Whether a file must be parsed again: unknown, changed, or an error line that names it
    as another command wrote it (an error names the file as the user wrote it)."""
    return row is None or row.stamp != stamp or (isinstance(row.notice, str) and
                                                 not row.notice.startswith(f"{path}:"))


def path_prefix(content_dir: Path) -> str:
    """What comes before a file's name in its entry's path as text (str(content_dir / name)):
    files are matched by name without a Path made per file (seconds at 100,000)."""
    return str(content_dir / "_")[:-1]


def file_stamps(content_dir: Path) -> dict[str, str]:
    """Every notice file (by its name below content_dir, in path order) and its stamp: size,
    mtime, ctime and inode. An edit that keeps the size and puts the old mtime back still sets
    the ctime, which no one can set back (the check git's index makes)."""
    stamps: dict[str, str] = {}
    names = notice_names(content_dir)
    folder = os.open(content_dir, os.O_RDONLY | os.O_DIRECTORY)  # paths from it, not joined: 100,000 of them
    try:
        for name in names:
            try:
                stat = os.stat(name, dir_fd=folder)
            except OSError:  # gone since the folder was listed: read as unreadable
                stamps[name] = ""
                continue
            stamps[name] = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
    finally:
        os.close(folder)
    return stamps
