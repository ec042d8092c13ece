"""Reading the archive for a build: every notice file, parsed on every core or taken from the cache.

Notices are kept without their bodies: a body is read from its file by the worker that renders
its page, so bodies never travel between processes or pile up in memory. Citations are found
here too, once per file version.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..citations import find_citations, plain_body
from ..content import ContentError, notice_files, parse_notice, read_body
from ..fingerprint import body_digest
from ..notice import Attachment, Notice, Publication
from ..parallel import Workers, parallel_map
from ..relations import find_statements
from .cache import BuildCache


@dataclass
class Content:
    """The archive as the build sees it: notices without their bodies (`body` reads one)."""

    notices: list[Notice]
    errors: list[str]
    paths: dict[str, Path]  # id -> file
    digests: dict[str, str]  # id -> hash of the file's bytes
    body_digests: dict[str, str]  # id -> hash of the Markdown body
    citations: dict = field(default_factory=dict)  # id -> citations found in the body
    statements: dict = field(default_factory=dict)  # id -> acts and validity clauses (relations.py)

    def body(self, notice: Notice) -> str:
        return read_body(self.paths[notice.id])


def _parse_file(path: Path) -> tuple:
    """(notice or error line, hash of the file's bytes, hash of the body, citations, statements)."""
    try:
        data = path.read_bytes()
    except OSError as error:  # unreadable, or gone since the folder was listed
        return f"{path}:1: file: cannot be read ({error.strerror})", "", "", [], []
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ContentError(path, 1, "file", "not UTF-8 text") from None
        notice = parse_notice(text, path)
    except ContentError as error:
        return str(error), "", "", [], []
    citations = find_citations(plain_body(notice.body))
    statements = find_statements(notice.title, notice.body)
    body_hash = body_digest(notice.body)
    notice.body = ""
    return notice, hashlib.sha1(data).hexdigest(), body_hash, citations, statements


def _flatten(notice: Notice | str):
    """A notice as plain tuples: pickled and unpickled many times faster than dataclasses."""
    if isinstance(notice, str):
        return notice
    values = [getattr(notice, name) for name in _FIELDS]
    values[-2] = [(a.title, a.url) for a in notice.attachments]
    values[-1] = [(p.id, p.column, p.source_url) for p in notice.also_published]
    return tuple(values)


_FIELDS = tuple(f.name for f in dataclasses.fields(Notice))
assert _FIELDS[-2:] == ("attachments", "also_published")


def _unflatten(values) -> Notice | str:
    if isinstance(values, str):
        return values
    notice = Notice(*values)
    notice.attachments = [Attachment(*a) for a in notice.attachments]
    notice.also_published = [Publication(*p) for p in notice.also_published]
    return notice


def read_content(content_dir: Path, cache: BuildCache | None = None, workers: Workers | None = None) -> Content:
    """Every notice, and an error line for each file that cannot be read.

    Files unchanged since the last build come from the cache; the others are parsed on every
    core. A file counts as unchanged while its size, mtime, ctime and inode stay the same:
    an edit that keeps the size and puts the old mtime back still sets the ctime, which no
    one can set back (the check git's index makes), and costs no read of the file.
    """
    known = cache.notices() if cache else {}
    stamps: dict[Path, str] = {}
    for path in notice_files(content_dir):
        stat = path.stat()
        stamps[path] = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
    changed = [p for p, stamp in stamps.items() if (known.get(str(p)) or ("",))[0] != stamp]
    mapped = workers.map(_parse_file, changed) if workers else parallel_map(_parse_file, changed)
    parsed = dict(zip(changed, mapped))

    entries: dict[str, tuple] = {}
    content = Content([], [], {}, {}, {})
    seen: dict[str, Path] = {}
    for path, stamp in stamps.items():
        if path in parsed:
            notice, file_digest, body_hash, citations, statements = parsed[path]
            entries[str(path)] = (stamp, file_digest, body_hash, _flatten(notice),
                                  [tuple(c) for c in citations], statements)
        else:
            entries[str(path)] = known[str(path)]
            _, file_digest, body_hash, flat, flat_citations, statements = known[str(path)]
            notice = _unflatten(flat)
            citations = flat_citations  # (kind, text, key) tuples, as Citation is
        if isinstance(notice, str):
            content.errors.append(notice)
            continue
        if notice.id in seen:
            content.errors.append(f"{path}:1: id: the same id as {seen[notice.id]}")
            continue
        seen[notice.id] = path
        content.notices.append(notice)
        content.paths[notice.id] = path
        content.digests[notice.id] = file_digest
        content.body_digests[notice.id] = body_hash
        content.citations[notice.id] = citations
        if statements:
            content.statements[notice.id] = statements
    if cache and entries != known:
        cache.store_notices(entries)
    return content
