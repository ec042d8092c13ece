"""Rebuilding after edits that reach only their own pages, without planning the site again.

Most edits change a notice's body: a typo, a paragraph. Every page of the site is made of the
notices' metadata, citations and validity statements (a file's signature, `reading.Parsed`),
and only a notice's own page and JSON file of its body. So when every file changed since the
last complete build has the signature it had then (and no file came or went, and the settings,
theme, code and build date are the same), every other page is what that build wrote: the
notice's pages are taken as they were last written (the cache's plans) with the new body, and
written again. Their cost is that of the edit, not of the archive; any other edit (a title, a
date, a new citation, a file added or removed) goes through the full plan.

The snapshot (what the last complete build was made of) is stored after everything else and
dropped before any page is written: a build killed half-way leaves none, and the next build
plans in full.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..fingerprint import PageFingerprints, code_digest, digest
from ..parallel import Workers
from ..relations import build_date
from .pages import Page
from .reading import Body, Content, _parse_file, parse_rules, path_prefix

BATCH = 2000  # changed files read at once


class Source(NamedTuple):
    """A notice file as the last complete build read it (kept in the cache's table sources:
    an edit reads and replaces only its own files' rows)."""

    signature: str  # metadata, citations and statements (reading.Parsed)
    body_key: str  # its rendered body's key
    digest: str  # the file's bytes
    pages: tuple[str, ...]  # the pages that show its body: its notice page and JSON file
    # What search reads of the notice (build.search_row; b"" for a file that is no notice; None
    # when its build had no search): metadata an edit of the body keeps, so search indexes an
    # edit without reading the archive.
    search: bytes | None = b""


@dataclass
class Snapshot:
    """What the last complete build of an output folder was made of, and what it reported."""

    inputs: str  # settings, theme, code, saved assets (build_inputs)
    judged_at: str  # the date statuses were judged at (relations.build_date)
    dated: bool  # whether that date was the newest notice's (else the day of the build)
    stamps: dict[str, str]  # each file (by its name below content/) and its stamp
    pages: int
    notices: int
    skipped: list[str]
    citations: tuple[int, int]
    statuses: dict[str, int]
    # Each folder of the output and its mtime once the build was done: a file someone removed
    # from the site since shows there, and the site is then planned (and repaired) in full.
    folders: dict[str, int] = field(default_factory=dict)


@dataclass
class Edits:
    """The pages an edit of bodies reaches, their fingerprints, and the snapshot after it
    (with the sources that changed)."""

    pages: list[Page]
    fingerprints: dict[str, str]
    snapshot: Snapshot
    sources: dict[str, Source]


def build_inputs(shared: object, assets: Mapping[str, Mapping[str, str]] | None) -> str:
    """Everything but the notices that pages are made of: `shared` (the settings, the theme's
    version and the page-writing code, as page fingerprints take them), the whole build's code
    (the rules that plan pages), the parse rules and the files saved beside the site."""
    saved = json.dumps(assets or {}, sort_keys=True, ensure_ascii=False)
    code = code_digest(__name__, "sitegen.site.build", "sitegen.search.documents", "sitegen.notice")
    return digest((shared, code, parse_rules(), saved))


def take_snapshot(inputs: str, content_dir: Path, content: Content, shown: dict[Path, list[str]],
                  searched: Mapping[Path, bytes] | None, total: int, report) -> tuple[Snapshot, dict[str, Source]]:
    """The snapshot of a build that planned every page, and every file's source (shown: each
    file's body pages; searched: each file's search row, None when the build had no search;
    `report`: its BuildReport)."""
    # By the entries' own paths: a Path made and hashed per file is a third of a second at 10,000.
    folder = path_prefix(content_dir)
    entries = {str(entry.path): entry for entry in content.entries}
    sources, stamps = {}, {}
    for name, (stamp, signature) in content.sources.items():
        entry = entries.get(folder + name)
        stamps[name] = stamp
        if entry is None:  # a file that is no notice
            sources[name] = Source(signature, "", "", (), b"")
            continue
        sources[name] = Source(signature, entry.body_key, entry.digest, tuple(shown.get(entry.path, ())),
                               None if searched is None else searched.get(entry.path, b""))
    dated = any(notice.date for notice in content.notices)
    snapshot = Snapshot(inputs, build_date(content.notices).isoformat(), dated, stamps, total, report.notices,
                        list(report.skipped), report.citations, dict(report.statuses))
    return snapshot, sources


def folder_stamps(out_dir: Path, folders) -> dict[str, int]:
    """The mtime of each of these folders of the output (-1: not there)."""
    stamps = {}
    for folder in folders:
        try:
            stamps[folder] = os.stat(os.path.join(out_dir, folder)).st_mtime_ns
        except OSError:
            stamps[folder] = -1
    return stamps


def page_folders(paths) -> set[str]:
    return {os.path.dirname(path) for path in paths} | {""}


def plan_edits(content_dir: Path, stamps: dict[str, str], out_dir: Path, snapshot: Snapshot | None, inputs: str,
               shared: object, keep_going: bool, workers: Workers,
               sources_of: Callable[[list[str]], dict[str, Source]],
               planned: Callable[[list[str]], dict[str, Page]]) -> Edits | None:
    """The pages to write again when every file changed since the snapshot changed only its
    body; None when the site must be planned in full. stamps: every file's (file_stamps);
    sources_of(names): those files' sources in the snapshot; planned(paths): those pages as
    they were last written."""
    if snapshot is None or snapshot.inputs != inputs or (snapshot.skipped and not keep_going):
        return None
    if (os.environ.get("SOURCE_DATE_EPOCH") or not snapshot.dated) and \
            build_date([]).isoformat() != snapshot.judged_at:
        return None
    if not snapshot.folders or folder_stamps(out_dir, snapshot.folders) != snapshot.folders:
        return None
    if len(stamps) != len(snapshot.stamps) or stamps.keys() != snapshot.stamps.keys():
        return None  # a file came, went or was renamed
    changed = [name for name, stamp in stamps.items() if snapshot.stamps[name] != stamp]
    before = sources_of(changed) if changed else {}
    if len(before) != len(changed):
        return None
    paths = [content_dir / name for name in changed]
    sources: dict[str, Source] = {}
    bodies = []  # (path, row, the pages that show its body)
    # A few thousand at a time: when one file's metadata changed, the full plan reads them again.
    for start in range(0, len(changed), BATCH):
        batch = slice(start, start + BATCH)
        for name, path, row in zip(changed[batch], paths[batch], workers.map(_parse_file, paths[batch])):
            source = before[name]
            if row.signature != source.signature:
                return None
            if (row.body_key, row.digest) != (source.body_key, source.digest):
                sources[name] = source._replace(body_key=row.body_key, digest=row.digest)
                bodies.append((path, row, source.pages))
    wanted = [page for _, _, shown in bodies for page in shown]
    found = planned(wanted) if wanted else {}
    if len(found) != len(wanted):
        return None  # not kept (a site merged from parts): plan in full
    pages, metas = [], {}
    for path, row, shown in bodies:
        for name in shown:
            page = found[name]
            page.body = Body(page.body.notice, path, row.body_key, row.digest)
            metas[page.body.notice.id] = row.meta
            pages.append(page)
    fingerprint = PageFingerprints(shared, metas)
    after = Snapshot(**{**snapshot.__dict__, "stamps": stamps})
    return Edits(pages, {page.path: fingerprint(page) for page in pages}, after, sources)
