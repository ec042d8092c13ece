"""`sitegen build`: content/ in, a complete static site out.

A cold build writes into a temporary folder that replaces the output folder in
two renames at the end, so the output is never half-written. A warm build (the
output folder and the cache agree) rewrites only the pages whose inputs changed,
each through a temporary file and a rename, and leaves every other file untouched.
Rendering runs on every core, in batches, so rendered pages are never all in memory.
"""

from __future__ import annotations

import dataclasses
import gc
import shutil
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..citations import Resolver, link_archive, link_html
from ..config import Config, check_output_folder, mark_output_folder
from ..content import read_body, write_atomic
from ..errors import UserError, count
from ..fingerprint import body_digest, digest
from ..parallel import POOL_THRESHOLD, Workers
from ..relations import build_date, relate_archive
from ..render import render_markdown
from .cache import BuildCache, store_bodies_from_worker
from .outline import outline
from .pages import Page, root_of, site_pages
from .reading import Content, read_content
from .structure import build_structure, notice_url
from .theme import copy_static, template_environment, theme_version
from .writing import files_under, remove_pages, staging_folder, swap, write_file

BATCH = 2000  # pages whose bodies are in memory at once (two batches in flight)
CHUNK = 50  # pages a worker renders per task


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


def render_page(page: Page, config: Config, theme_dir: Path, version: str = "") -> str:
    context = {"config": config, "root": root_of(page.path), "page_path": page.path}
    context.update(page.context)
    return template_environment(theme_dir, version).get_template(page.template).render(context)


@dataclass(frozen=True)
class Output:
    """Where and how a batch of pages is rendered and written."""

    config: Config
    theme_dir: Path
    theme_version: str
    folder: Path
    atomic: bool  # a warm build replaces files in place, each through a temporary file
    cache_folder: Path | None


def _write_pages(output: Output, pages: list[Page]) -> int:
    """Render pages (and the bodies the cache had none of) and write them; the number written."""
    rendered: list[tuple[str, str]] = []
    bodies: dict[Path, str] = {}  # a notice's page and its JSON file are neighbours in a chunk
    folders: set[Path] = set()  # made already (a chunk's pages share a few)
    for page in pages:
        notice = page.body_of
        if notice is not None and "body" not in page.context:
            path = page.context["body_path"]
            markdown = bodies.get(path)
            if markdown is None:
                markdown = bodies[path] = read_body(path)
            if page.template:
                page.context["body"] = render_markdown(markdown)
                rendered.append((body_digest(markdown), page.context["body"]))
            else:
                notice = dataclasses.replace(notice, body=markdown)
        if "anchors" in page.context:
            page.context["body"] = link_html(page.context["body"], page.context["anchors"])
        if notice is not None and page.template:
            page.context["body"], page.context["outline"] = outline(page.context["body"])
        if page.template:
            text = render_page(page, output.config, output.theme_dir, output.theme_version)
        else:
            text = page.context["text"](notice)
        write_file(output.folder, page.path, text, output.atomic, folders)
    if output.cache_folder is not None and rendered:
        store_bodies_from_worker(output.cache_folder, rendered)
    return len(pages)


def attach_bodies(pages: list[Page], content: Content, cache: BuildCache | None) -> None:
    """Give notice pages their rendered bodies where the cache has them; every page that needs
    a body it lacks gets the notice's file, which the worker reads (bodies stay off the pipes)."""
    wanted: dict[str, list[Page]] = {}
    for page in pages:
        if page.body_of is None:
            continue
        page.context["body_path"] = content.paths[page.body_of.id]
        if page.template is not None:
            wanted.setdefault(content.body_digests[page.body_of.id], []).append(page)
    found = cache.bodies(list(wanted)) if cache else {}
    for key in wanted.keys() & found.keys():
        for page in wanted[key]:
            page.context["body"] = found[key]


def build_site(
    config: Config,
    project_root: Path = Path("."),
    keep_going: bool = False,
    search: bool = True,
    progress: Callable[[int, int], None] | None = None,
    use_cache: bool = True,
    offline: bool = False,
    assets: Mapping[str, Mapping[str, str]] | None = None,
) -> BuildReport:
    """Build the site; offline adds what search needs when the site is opened from disk;
    assets (by notice id, URL -> path from the site's root) are files saved beside the site,
    which notice pages then link to instead of the original site.

    progress(done, total) is called as pages are written.
    """
    started = time.perf_counter()
    report = BuildReport()
    content_dir = project_root / config.content
    out_dir = check_output_folder(config, project_root)
    if not content_dir.is_dir():
        raise UserError(f"{content_dir}: content folder not found")
    cache = BuildCache(project_root / config.cache if use_cache else None)
    # One pool for the whole build, started while this process is still small: workers
    # forked later would share (and copy, page by page) the whole archive in memory.
    workers = Workers()
    try:
        content = read_content(content_dir, cache, workers)
        # The archive stays alive until the end: keep the collector from walking it again
        # and again while pages are planned.
        gc.freeze()
        if content.errors and not keep_going:
            raise BuildError(content.errors)
        report.notices, report.skipped = len(content.notices), content.errors
        report.phases["read"] = time.perf_counter() - started
        theme_dir = config.theme_dir(project_root)
        phase = time.perf_counter()
        resolver = Resolver(content.notices)  # citations and relations name notices alike
        links = link_archive(content.notices, content.citations, resolver)
        report.phases["link citations"] = time.perf_counter() - phase
        report.citations = (links.edges, sum(len(v) for v in links.unresolved.values()))
        _report_unresolved(project_root / config.cache if use_cache else None, content, links)
        phase = time.perf_counter()
        relations = relate_archive(content.notices, content.statements, build_date(content.notices),
                                   resolver)
        report.statuses = relations.counts()
        report.phases["relations"] = time.perf_counter() - phase
        phase = time.perf_counter()
        pages = list(site_pages(build_structure(content.notices), config, content.digests, links, relations,
                                assets))
        shared = (digest(config), theme_version(theme_dir))
        fingerprints = {page.path: digest((shared, page.key)) for page in pages}
        report.pages = len(pages)
        report.phases["plan pages"] = time.perf_counter() - phase

        previous = cache.fingerprints(out_dir)
        warm = bool(previous) and out_dir.is_dir()
        target = out_dir if warm else staging_folder(out_dir)
        try:
            present = files_under(out_dir) if warm else set()
            todo = [p for p in pages if not warm or previous.get(p.path) != fingerprints[p.path]
                    or p.path not in present]
            phase = time.perf_counter()
            output = Output(config, theme_dir, shared[1], target, warm, cache.folder)
            _render_all(todo, output, content, cache, workers, progress)
            report.written = len(todo)
            report.phases["render and write"] = time.perf_counter() - phase
            if warm:
                remove_pages(out_dir, set(previous) - set(fingerprints))
            copy_static(theme_dir, target / "static")
            if search:
                phase = time.perf_counter()
                search_cache = project_root / config.cache / "search" if use_cache else None
                report.reindexed = _index_search(content, relations, target, cache, search_cache, offline,
                                                 workers)
                report.searched = True
                report.phases["search index"] = time.perf_counter() - phase
            if not warm:
                mark_output_folder(target)
                swap(target, out_dir)
        except BaseException:
            if not warm:
                shutil.rmtree(target, ignore_errors=True)
            cache.store_fingerprints(out_dir, {})  # the next build starts cold
            raise
        cache.store_fingerprints(out_dir, fingerprints)
    finally:
        workers.close()
        gc.unfreeze()
        cache.close()
    report.seconds = time.perf_counter() - started
    return report


def _render_all(pages: list[Page], output: Output, content: Content, cache: BuildCache,
                workers: Workers, progress: Callable[[int, int], None] | None) -> None:
    """Render and write pages on every core, a batch at a time: the next batch is handed out
    while the workers are busy with this one, and a batch's bodies are let go when it is done."""
    done = 0
    in_flight: deque[tuple[list[Page], list]] = deque()

    def finish(batch: list[Page], futures: list) -> None:
        nonlocal done
        for future in futures:
            done += future.result()
            if progress:
                progress(done, len(pages))
        for page in batch:
            page.context.pop("body", None)
            page.context.pop("body_path", None)

    inline = len(pages) < POOL_THRESHOLD
    for start in range(0, len(pages), BATCH):
        batch = pages[start : start + BATCH]
        attach_bodies(batch, content, cache)
        futures = [workers.submit(_write_pages, output, batch[i : i + CHUNK], inline=inline)
                   for i in range(0, len(batch), CHUNK)]
        in_flight.append((batch, futures))
        if len(in_flight) > 1:
            finish(*in_flight.popleft())
    while in_flight:
        finish(*in_flight.popleft())


def _render_body_of(path: Path) -> str:
    return render_markdown(read_body(path))


def rendered_bodies(ids: list[str], content: Content, cache: BuildCache | None,
                    workers: Workers) -> dict[str, str]:
    """Each notice's rendered body HTML (cached bodies are not rendered again; the others are
    read and rendered by the workers)."""
    by_hash = {content.body_digests[notice_id]: notice_id for notice_id in ids}
    found = cache.bodies(list(by_hash)) if cache else {}
    missing = [key for key in by_hash if key not in found]
    paths = [content.paths[by_hash[key]] for key in missing]
    found.update(zip(missing, workers.map(_render_body_of, paths)))
    return {notice_id: found[content.body_digests[notice_id]] for notice_id in ids}


def _index_search(content: Content, relations, site_dir: Path, cache: BuildCache, cache_dir: Path | None,
                  offline: bool, workers: Workers) -> list[str]:
    from ..search.index import SearchEntry, plan_search_index, write_search_index

    entries = [SearchEntry(notice, notice_url(notice), {"status": relations.status(notice.id)})
               for notice in content.notices]
    plan = plan_search_index(entries, content.digests, cache_dir)
    bodies = rendered_bodies(plan.needs_bodies, content, cache, workers)
    return write_search_index(plan, bodies, site_dir, offline)


def _report_unresolved(cache_dir: Path | None, content: Content, links) -> None:
    """Citations that match no notice of the archive: listed for people, never linked."""
    if cache_dir is None:
        return
    lines = [f"{content.paths[notice_id]}: {text}"
             for notice_id in sorted(links.unresolved) for text in links.unresolved[notice_id]]
    cache_dir.mkdir(parents=True, exist_ok=True)
    report, text = cache_dir / "unresolved-citations.txt", "".join(line + "\n" for line in lines)
    if not report.is_file() or report.read_text(encoding="utf-8") != text:
        write_atomic(report, text)
