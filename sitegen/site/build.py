"""`sitegen build`: content/ in, a complete static site out, in named steps.

    read archive -> link citations -> relate -> plan pages -> write pages -> static files
    -> search index -> swap (cold) and commit fingerprints

A cold build writes into a staging folder that replaces the output folder in two renames at
the end, so the output is never half-written. A warm build (the output folder and the cache
agree) rewrites in place only the pages whose fingerprint changed and leaves every other file
untouched. docs/internals.md tells the whole story.
"""

from __future__ import annotations

import dataclasses
import gc
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..citations import Links, Resolver, link_archive
from ..config import Config, check_output_folder, mark_output_folder
from ..content import read_body, write_atomic
from ..errors import UserError, count
from ..fingerprint import PageFingerprints, code_digest, digest
from ..parallel import Workers, paused_collector
from ..relations import Relations, build_date, relate_archive
from ..render import render_markdown
from ..search.documents import SearchEntry, notice_fields, notice_of
from . import writing
from .cache import BuildCache
from .incremental import (
    Snapshot,
    Source,
    build_inputs,
    folder_stamps,
    page_folders,
    plan_edits,
    take_snapshot,
)
from .pages import Page, page_count, site_pages
from .reading import Content, file_stamps, path_prefix, read_content
from .structure import build_structure, notice_url
from .theme import copy_static, theme_version
from .writing import (
    Output,
    files_under,
    remove_pages,
    remove_stale_staging,
    render_ahead,
    staging_folder,
    stop_ahead,
    swap,
    write_pages,
)


class BuildError(UserError):
    """The content has errors; each line is `file:line: field: reason`."""

    def __init__(self, lines: list[str]):
        super().__init__(f"{count(len(lines), 'notice file has', 'notice files have')} errors; nothing "
                         "was written (fix them, or build the rest with --keep-going)", lines)
        self.lines = lines


@dataclass
class BuildReport:
    pages: int = 0
    written: int = 0
    notices: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
    searched: bool = False
    citations: tuple[int, int] = (0, 0)  # resolved links, unresolved citations
    reindexed: list[str] = field(default_factory=list)  # search shards indexed anew
    phases: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # 时效性 -> notices

    def summary(self, out: Path) -> str:
        skipped = f", {count(len(self.skipped), 'notice')} skipped" if self.skipped else ""
        search = "with search index" if self.searched else "no search index"
        changed = "" if self.written == self.pages else f" ({self.written} changed)"
        return (f"{count(self.pages, 'page')} written{changed} for {count(self.notices, 'notice')}{skipped} "
                f"({search}; {count(self.citations[0], 'citation link')}, {self.citations[1]} unresolved) "
                f"into {out} in {self.seconds:.1f} s")


@dataclass
class Plan:
    """What the site will hold: every page's fingerprint, and the pages themselves made anew
    when they are written, a batch at a time (every page of a large archive at once would
    hold its metadata many times over). A plan of a cold build is made as it is written:
    fingerprints and shown are complete once pages() has been gone through."""

    fingerprints: dict[str, str]  # path -> fingerprint
    shown: dict[Path, list[str]]  # notice file -> the pages that show its body
    pages: Callable[[], Iterator[Page]]  # every page to write (and maybe others), in the same order each time
    todo: set[str] | None  # the paths of the pages to write (None: every page)
    total: int  # how many pages will be written


def build_site(
    config: Config,
    project_root: Path = Path("."),
    keep_going: bool = False,
    search: bool = True,
    progress: Callable[[int, int], None] | None = None,
    use_cache: bool = True,
    offline: bool = False,
    assets: Mapping[str, Mapping[str, str]] | None = None,
    share: Callable[[str], bool] | None = None,
) -> BuildReport:
    """Build the site; offline adds what search needs when the site is opened from disk;
    assets (by notice id, URL -> path from the site's root) are files saved beside the site,
    which notice pages then link to instead of the original site. With share, only the pages
    and search shards whose path or folder share() takes are made (one parallel job's part of
    the site, sitegen/shards.py): search shards into the cache only, fingerprints of those
    pages only.

    progress(done, total) is called as pages are written.
    """
    started = time.perf_counter()
    report = BuildReport()
    content_dir = project_root / config.content
    out_dir = check_output_folder(config, project_root)
    if not content_dir.is_dir():
        raise UserError(f"{content_dir}: content folder not found")
    theme_dir = config.theme_dir(project_root)
    remove_stale_staging(out_dir)
    # One pool for the whole build, started while this process is still small: workers
    # forked later would share (and copy, page by page) the whole archive in memory.
    with BuildCache(project_root / config.cache if use_cache else None) as cache, Workers() as workers:
        shared = (digest(config), theme_version(theme_dir), code_digest(writing.__name__))
        inputs = build_inputs(shared, assets)
        edits = None
        stamps = file_stamps(content_dir)  # read once: the edits' plan and the archive's read take them
        if share is None and out_dir.is_dir():
            with _step(report, "read edits"):
                edits = plan_edits(content_dir, stamps, out_dir, cache.snapshot(out_dir), inputs, shared, keep_going,
                                   workers, partial(_sources_of, cache, out_dir), partial(cache.planned, out_dir))
        content = relations = rows = None
        ahead: list = []  # bodies rendered on the workers while this process plans
        try:
            if edits is not None:
                # Only bodies changed: their pages are all that differs from the last build.
                plan = Plan(edits.fingerprints, {}, lambda: iter(edits.pages), set(edits.fingerprints),
                            len(edits.fingerprints))
                previous, warm, snapshot, sources = {}, True, edits.snapshot, edits.sources
                _report_snapshot(report, snapshot)
            else:
                with _step(report, "read"):
                    content = read_archive(content_dir, cache, workers, keep_going, report, stamps)
                previous = cache.pages(out_dir)
                warm = bool(previous) and out_dir.is_dir()
                if not warm:  # every page is written: its body is rendered meanwhile
                    ahead = render_ahead([(entry.body_key, entry.path) for entry in content.entries
                                          if share is None or share(notice_url(entry.notice))],
                                         cache.bodies, workers)
                content.store(cache)  # while the workers render
                # The archive stays alive until the end: keep the collector from walking it again
                # and again while pages are planned.
                gc.freeze()
                with _step(report, "link citations"):
                    resolver = Resolver(content.notices)  # citations and relations name notices alike
                    links = link_citations(content, resolver, cache, report)
                with _step(report, "relations"):
                    relations = relate(content, resolver, report)
                with _step(report, "plan pages"), paused_collector():
                    # A cold build of the whole site plans each page as it writes it (once).
                    plan = plan_pages(content, links, relations, config, theme_dir, assets, shared,
                                      _changed(previous, out_dir) if warm else None, lazy=share is None)
                # What search reads of each notice, kept with the snapshot so that a later edit is
                # indexed without reading the archive; a build without search keeps none (the
                # next build with search reads the archive once, and keeps them).
                rows = search_rows(content, relations) if search else None
                # Pickled for the snapshot now, while the workers render bodies, not after the pages.
                searched = _pickled(rows) if rows is not None else None
            target = out_dir if warm else staging_folder(out_dir)
            try:
                todo = plan.todo
                if share is not None:
                    todo = {path for path in todo if share(path)}
                    plan.fingerprints = {path: f for path, f in plan.fingerprints.items() if share(path)}
                removed = set(previous) - set(plan.fingerprints) if warm else set()
                # Nothing may claim a page that is about to change (a kill can come at any time);
                # when none will, the snapshot stays (a search index built meanwhile keeps it).
                if todo is None or todo or removed or not warm:
                    cache.forget_pages(out_dir, sorted(todo | removed) if warm else None)
                with _step(report, "render and write"):
                    ahead = stop_ahead(ahead)
                    output = Output(config, theme_dir, shared[1], target, warm, cache.bodies, cache.plans(out_dir))
                    pages = plan.pages() if todo is None else (page for page in plan.pages() if page.path in todo)
                    write_pages(pages, plan.total if todo is None else len(todo), output, workers, progress)
                    for future in ahead:
                        future.result()
                    remove_pages(out_dir, removed)
                    cache.forget_plans(out_dir, sorted(removed))
                    copy_static(theme_dir, target / "static")
                if edits is None:  # a full plan: the snapshot of what it planned
                    snapshot, sources = take_snapshot(inputs, content_dir, content, plan.shown, searched,
                                                      len(plan.fingerprints), report)
                if search:
                    if edits is None:
                        archive = search_archive(content, rows)
                    elif (archive := stored_search_archive(cache, out_dir, content_dir, snapshot, sources)) is None:
                        with _step(report, "read"):
                            content = read_archive(content_dir, cache, workers, keep_going, BuildReport(), stamps)
                            content.store(cache)
                        relations = relate(content, Resolver(content.notices), BuildReport())
                        rows = search_rows(content, relations)
                        archive = search_archive(content, rows)
                        sources = _with_search_rows(cache, out_dir, content_dir, snapshot, sources, _pickled(rows))
                    with _step(report, "search index"):
                        report.reindexed = index_search(archive, target, cache, offline, workers, share)
                    report.searched = True
                if not warm:
                    mark_output_folder(target)
                    swap(target, out_dir)
            except BaseException:
                if not warm:
                    shutil.rmtree(target, ignore_errors=True)
                raise
            if warm and share is None:  # the others' fingerprints are stored already
                cache.store_pages(out_dir, {path: plan.fingerprints[path] for path in todo}, every=False)
            else:
                cache.store_pages(out_dir, plan.fingerprints)
            if share is None:
                snapshot.folders = folder_stamps(out_dir, snapshot.folders or page_folders(plan.fingerprints))
                cache.store_snapshot(out_dir, snapshot, sources, every=edits is None)  # last: out_dir is whole
            report.pages = snapshot.pages
            report.written = len(plan.fingerprints) if todo is None else len(todo)
        finally:
            for future in ahead:  # a build that failed renders no more
                future.cancel()
            gc.unfreeze()
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _step(report: BuildReport, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    report.phases[name] = time.perf_counter() - started


def read_archive(content_dir: Path, cache: BuildCache, workers: Workers, keep_going: bool,
                 report: BuildReport, stamps: dict[str, str] | None = None) -> Content:
    """Every notice of content/ (BuildError for bad files unless keep_going; stamps: every
    file's, when read already); the cache gets the rows read anew from `content.store`, once
    the workers have their next work."""
    content = read_content(content_dir, cache, workers, stamps=stamps, store=False)
    if content.errors and not keep_going:
        content.store(cache)
        raise BuildError(content.errors)
    report.notices, report.skipped = len(content.entries), content.errors
    return content


def link_citations(content: Content, resolver: Resolver, cache: BuildCache, report: BuildReport) -> Links:
    links = link_archive(content.notices, content.citations, resolver)
    report.citations = (links.edges, sum(len(v) for v in links.unresolved.values()))
    _report_unresolved(cache.folder, content, links)
    return links


def relate(content: Content, resolver: Resolver, report: BuildReport) -> Relations:
    relations = relate_archive(content.notices, content.statements, build_date(content.notices), resolver)
    report.statuses = relations.counts()
    return relations


def plan_pages(content: Content, links: Links, relations: Relations, config: Config,
               theme_dir: Path, assets: Mapping[str, Mapping[str, str]] | None = None,
               shared: object = None, changed: Callable[[str, str], bool] | None = None,
               lazy: bool = False) -> Plan:
    """Every page of the site, and each one's fingerprint (derived from what it receives, and
    shared: the settings, the theme's version and the page-writing code). changed(path,
    fingerprint): whether a page must be written (None: every page); those are kept, the
    others let go. A plan of every page keeps none: they are made again as they are written;
    lazy, they are made once, as they are written, and fingerprinted meanwhile."""
    bodies = {entry.notice.id: entry.body for entry in content.entries}
    site = build_structure(content.notices)

    def every_page() -> Iterator[Page]:
        return site_pages(site, config, bodies, links, relations, assets)

    if shared is None:
        shared = (digest(config), theme_version(theme_dir), code_digest(writing.__name__))
    fingerprint = PageFingerprints(shared, content.metas)
    fingerprints: dict[str, str] = {}
    shown: dict[Path, list[str]] = {}

    def fingerprinted() -> Iterator[Page]:
        for page in every_page():
            fingerprints[page.path] = fingerprint(page)
            if page.body is not None:
                shown.setdefault(page.body.path, []).append(page.path)
            yield page

    if lazy and changed is None:
        return Plan(fingerprints, shown, fingerprinted, None, page_count(site, config))
    if changed is None:
        for _ in fingerprinted():
            pass
        return Plan(fingerprints, shown, every_page, set(fingerprints), len(fingerprints))
    kept = [page for page in fingerprinted() if changed(page.path, fingerprints[page.path])]
    return Plan(fingerprints, shown, lambda: iter(kept), {page.path for page in kept}, len(kept))


def _sources_of(cache: BuildCache, out_dir: Path, names: list[str]) -> dict[str, Source]:
    return {name: Source(*row) for name, row in cache.sources(out_dir, names).items()}


def _report_snapshot(report: BuildReport, snapshot: Snapshot) -> None:
    """What the last complete build reported of the archive, which an edit of bodies keeps."""
    report.notices, report.skipped = snapshot.notices, list(snapshot.skipped)
    report.citations, report.statuses = snapshot.citations, dict(snapshot.statuses)


def _changed(previous: dict[str, str], out_dir: Path) -> Callable[[str, str], bool]:
    """Whether a page's fingerprint changed, or its file is missing."""
    present = files_under(out_dir)
    return lambda path, value: previous.get(path) != value or path not in present


def _render_body_of(path: Path | str) -> str:
    return render_markdown(read_body(Path(path)))


@dataclass
class SearchArchive:
    """The archive as search reads it."""

    entries: list[SearchEntry]
    digests: dict[str, str]  # notice id -> its file's digest
    bodies: dict[str, tuple[str, str]]  # notice id -> its rendered body's key and its file's path


def search_rows(content: Content, relations: Relations) -> dict[Path, tuple]:
    """What search reads of each notice (by file) besides its body and size, as plain data:
    kept with the snapshot, and made into entries by `_search_entry`."""
    return {entry.path: (notice_fields(entry.notice), notice_url(entry.notice), relations.status(entry.notice.id))
            for entry in content.entries}


def _pickled(rows: dict[Path, tuple]) -> dict[Path, bytes]:
    return {path: pickle.dumps(row, pickle.HIGHEST_PROTOCOL) for path, row in rows.items()}


def _with_search_rows(cache: BuildCache, out_dir: Path, content_dir: Path, snapshot: Snapshot,
                      changed: dict[str, Source], searched: dict[Path, bytes]) -> dict[str, Source]:
    """Every file's source with its search row (searched: by file), for a snapshot whose rows
    were not kept (its build had no search): the next edit is indexed without reading the archive."""
    by_path = {str(path): row for path, row in searched.items()}
    folder = path_prefix(content_dir)
    stored = {name: Source(*row) for name, row in cache.sources(out_dir, list(snapshot.stamps)).items()}
    return {name: source._replace(search=by_path.get(folder + name, b""))
            for name, source in {**stored, **changed}.items()}


def _search_entry(row: tuple, size: int) -> SearchEntry:
    fields, url, status = row
    return SearchEntry(notice_of(fields), url, {"status": status}, size)


def search_archive(content: Content, rows: dict[Path, tuple]) -> SearchArchive:
    entries = [_search_entry(rows[entry.path], _size(entry.path)) for entry in content.entries]
    return SearchArchive(entries, content.digests,
                         {entry.notice.id: (entry.body_key, str(entry.path)) for entry in content.entries})


def stored_search_archive(cache: BuildCache, out_dir: Path, content_dir: Path, snapshot: Snapshot,
                          changed: Mapping[str, Source]) -> SearchArchive | None:
    """The archive as the snapshot's rows describe it, with the files an edit of bodies changed
    (changed): what search reads of a notice is all in its row but the body, so nothing is read
    again; None when a row is missing, unreadable or was not kept (a build without search)."""
    rows = cache.search_rows(out_dir)
    if rows.keys() != snapshot.stamps.keys():
        return None
    entries, digests, bodies = [], {}, {}
    folder = path_prefix(content_dir)
    for name, (row, key, file_digest) in rows.items():
        if name in changed:
            row, key, file_digest = changed[name].search, changed[name].body_key, changed[name].digest
        if row is None:
            return None
        if not row:  # a file that is no notice
            continue
        try:
            entry = _search_entry(pickle.loads(row), int(snapshot.stamps[name].partition(":")[0] or 0))
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return None  # a row no build of this code wrote: read the archive
        entries.append(entry)
        digests[entry.notice.id] = file_digest
        bodies[entry.notice.id] = (key, folder + name)
    return SearchArchive(entries, digests, bodies)


def rendered_bodies(ids: list[str], archive: SearchArchive, cache: BuildCache, workers: Workers) -> dict[str, str]:
    """Each notice's rendered body HTML (cached bodies are not rendered again; the others are
    read and rendered by the workers)."""
    paths = {archive.bodies[notice_id][0]: archive.bodies[notice_id][1] for notice_id in ids}
    found = cache.bodies.get(list(paths))
    missing = [key for key in paths if key not in found]
    found.update(zip(missing, workers.map(_render_body_of, [paths[key] for key in missing])))
    return {notice_id: found[archive.bodies[notice_id][0]] for notice_id in ids}


def index_search(archive: SearchArchive, site_dir: Path, cache: BuildCache, offline: bool,
                 workers: Workers, share: Callable[[str], bool] | None = None) -> list[str]:
    """The search index into site_dir/pagefind/; the shards indexed anew. With share, only
    the shards share() takes, into the cache (the site gets them when the parts are merged)."""
    from ..search.index import plan_search_index, write_search_index

    plan = plan_search_index(archive.entries, archive.digests, cache.search_folder)
    if share is not None:
        plan = dataclasses.replace(plan, shards=[s for s in plan.shards if share(s.folder)],
                                   stale=[s for s in plan.stale if share(s.folder)])
    bodies = (rendered_bodies(shard.ids, archive, cache, workers) for shard in plan.stale)
    if share is not None:
        with tempfile.TemporaryDirectory(prefix="sitegen-part-") as scratch:
            return write_search_index(plan, bodies, Path(scratch), offline, workers)
    return write_search_index(plan, bodies, site_dir, offline, workers)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _report_unresolved(cache_dir: Path | None, content: Content, links) -> None:
    """Citations that match no notice of the archive: listed for people, never linked."""
    if cache_dir is None:
        return
    lines = []
    for notice_id in sorted(links.unresolved):
        prefix = f"{content.by_id[notice_id].path}: "
        lines.extend([prefix + text for text in links.unresolved[notice_id]])
    cache_dir.mkdir(parents=True, exist_ok=True)
    report = cache_dir / "unresolved-citations.txt"
    data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    # Written only when it changed (a full plan after a title edit lists the same 40,000 lines).
    try:
        same = report.stat().st_size == len(data) and report.read_bytes() == data
    except OSError:
        same = False
    if not same:
        write_atomic(report, data)
