"""Rendering pages and putting them on disk.

Pages are rendered and written on every core, a batch at a time, so rendered pages are never
all in memory. A worker takes the bodies of its pages from the cache, renders those the cache
has none of (reading each notice's Markdown from its file: bodies never travel between
processes), adds them to the cache, and renders and writes its pages. On a cold build the
workers start on the bodies while the building process still links and plans (`render_ahead`):
the cores would otherwise wait for it; what has not started when the pages do is left to the
pages' writers (`stop_ahead`), who read each file once for its page and JSON file.

A cold build writes into a staging folder that replaces the output in two renames at the end;
a warm build writes in place, each file through a temporary file and a rename. Either way no
reader ever sees half a file, and a killed build leaves nothing the next one would keep:
stale staging folders are removed at start.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ..citations import link_html
from ..config import Config
from ..content import current_umask, read_body, write_atomic
from ..fingerprint import body_digest
from ..parallel import POOL_THRESHOLD, Workers
from ..render import render_markdown
from .cache import BodyStore, PlanStore
from .outline import outline
from .pages import Page, root_of
from .theme import render, template_environment

BATCH = 2000  # pages whose bodies are in memory at once (two batches in flight)
CHUNK = 50  # pages a worker renders per task
AHEAD = 100  # bodies a worker renders per task ahead of the pages


@dataclass(frozen=True)
class Output:
    """Where and how pages are rendered and written (small: it travels to every worker)."""

    config: Config
    theme_dir: Path
    theme_version: str
    folder: Path
    in_place: bool  # a warm build replaces files in place, each through a temporary file
    bodies: BodyStore  # where rendered bodies are kept
    plans: PlanStore | None = None  # where pages that show a body are kept as written


def render_page(page: Page, output: Output, body: str | None = None) -> bytes:
    """A page from its template (UTF-8), given what the template receives and the rendered body
    (with an anchor on each heading, and the outline of those headings)."""
    context = {"config": output.config, "root": root_of(page.path), "page_path": page.path}
    context.update(page.context)
    if body is not None:
        context["body"], context["outline"] = outline(body)
    return render(template_environment(output.theme_dir, output.theme_version), page.template, context)


def write_pages(pages: Iterable[Page], total: int, output: Output, workers: Workers,
                progress: Callable[[int, int], None] | None = None) -> None:
    """Render and write pages (total of them) on every core: the next batch is made and handed
    out while the workers are busy with this one, and a batch is let go when it is done. Data
    files of the whole archive (the catalogs) are written here, a piece at a time while this
    process waits for the workers: sent to a worker they would be pickled, and held twice."""
    done = 0
    in_flight: deque[list] = deque()
    data_files: deque[_DataFile] = deque()

    def advance() -> None:
        """A step of the next data file; the files take turns (the catalogs share their records)."""
        nonlocal done
        if data_files[0].advance():
            data_files.popleft().finish()
            done += 1
            if progress:
                progress(done, total)
        else:
            data_files.rotate(-1)

    def finish(futures: list) -> None:
        nonlocal done
        for future in futures:
            while data_files and not future.done():
                advance()
            done += future.result()
            if progress:
                progress(done, total)

    inline = total < POOL_THRESHOLD
    remaining = iter(pages)
    try:
        while batch := list(islice(remaining, BATCH)):
            data_files.extend(_DataFile(p, output) for p in batch if p.template is None and p.body is None)
            batch = [p for p in batch if p.template is not None or p.body is not None]
            in_flight.append([workers.submit(_write_chunk, output, batch[i : i + CHUNK], inline=inline)
                              for i in range(0, len(batch), CHUNK)])
            if len(in_flight) > 1:
                finish(in_flight.popleft())
        while in_flight:
            finish(in_flight.popleft())
        while data_files:
            advance()
    finally:
        for data_file in data_files:  # a build that failed leaves no part of one
            data_file.discard()


class _DataFile:
    """A data file of the whole archive (a catalog), made and written a step at a time: never
    whole in memory (catalog.json is 100 MB at 100,000 notices). It appears whole, by a rename:
    in place, from a folder of its own beside the output, which the next build removes if this
    one is killed; in a staging folder (new and private), it is written where it belongs."""

    STEP = 1 << 18  # bytes made per step: a step is short, so the workers never wait for this process

    def __init__(self, page: Page, output: Output):
        self.folder, self.target, self.in_place = output.folder, output.folder / page.path, output.in_place
        text = page.data(None)
        self.pieces = iter((text,) if isinstance(text, str) else text)
        self.scratch: Path | None = None
        self.handle = None

    def _open(self) -> None:
        if self.in_place:
            self.scratch = _new_staging(self.folder)  # not staging_folder: it would remove the others'
            self.handle = open(self.scratch / self.target.name, "wb")  # noqa: SIM115 (closed in finish)
        else:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.target, "wb")  # noqa: SIM115

    def advance(self) -> bool:
        """Make and write the next step's pieces; whether the file is complete."""
        if self.handle is None:
            self._open()
        written = 0
        for piece in self.pieces:
            data = piece.encode("utf-8")
            self.handle.write(data)
            written += len(data)
            if written >= self.STEP:
                return False
        return True

    def finish(self) -> None:
        self.handle.close()
        if self.scratch is not None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.scratch / self.target.name, self.target)
            self.scratch.rmdir()

    def discard(self) -> None:
        if self.handle is not None:
            self.handle.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def render_ahead(bodies: list[tuple[str, Path]], store: BodyStore, workers: Workers) -> list[Future]:
    """Render on the workers, from (key, notice file), the bodies the cache has none of, while
    this process links and plans (the cores would otherwise wait for it); the workers that
    write the pages then find them in the cache. Nothing without a pool: the pages render them."""
    if workers.size < 2 or len(bodies) < POOL_THRESHOLD:
        return []
    return [workers.submit(_render_bodies, store, bodies[i : i + AHEAD])
            for i in range(0, len(bodies), AHEAD)]


def stop_ahead(ahead: list[Future]) -> list[Future]:
    """When the pages start: the bodies rendered ahead that have not started are let go (those
    that have are returned, to be waited for). The pages' writers render a body the cache has
    none of, from the Markdown they read for the notice's JSON file anyway: a body rendered
    ahead has its file read twice."""
    return [future for future in ahead if not future.cancel()]


def _render_bodies(store: BodyStore, bodies: list[tuple[str, Path]]) -> None:
    known = store.known([key for key, _ in bodies])
    rendered = []
    for key, path in bodies:
        if key in known:
            continue
        try:
            markdown = read_body(path)
        except (OSError, ValueError):  # changed since it was read: its page's writer says so
            continue
        # Keyed by the Markdown read now: the file may have changed since it was parsed.
        rendered.append((body_digest(markdown), render_markdown(markdown)))
    store.add(rendered)


def _write_chunk(output: Output, pages: list[Page]) -> int:
    """Render (with the bodies the cache has, rendering the others) and write pages; the number
    written."""
    rendered: list[tuple[str, str]] = []
    markdown_of: dict[Path, str] = {}  # a notice's page and its JSON file are neighbours in a chunk
    made: set[str] = set()  # folders made already (a chunk's pages share a few)
    bodies = output.bodies.get(sorted({p.body.key for p in pages if p.template and p.body}))
    for page in pages:
        markdown = None
        if page.body is not None and (not page.template or page.body.key not in bodies):
            markdown = markdown_of.get(page.body.path)
            if markdown is None:
                markdown = markdown_of[page.body.path] = read_body(page.body.path)
        if page.template is None:
            notice = None if page.body is None else page.body.notice
            if notice is not None:
                notice = dataclasses.replace(notice, body=markdown)
            text = page.data(notice)
        else:
            body = None
            if page.body is not None:
                body = bodies.get(page.body.key)
                if body is None:
                    body = render_markdown(markdown)
                    # Keyed by the Markdown read now: the file may have changed since it was parsed.
                    rendered.append((body_digest(markdown), body))
                if page.anchors:
                    body = link_html(body, list(page.anchors))
            text = render_page(page, output, body)
        write_file(output.folder, page.path, text, output.in_place, made)
    output.bodies.add(rendered)
    if output.plans is not None:
        output.plans.add([page for page in pages if page.body is not None])
    return len(pages)


def write_file(folder: Path, path: str, data: str | bytes | bytearray, in_place: bool, made: set[str]) -> None:
    """Write one page (its text, or its UTF-8); `made` holds the folders known to exist
    (a staging folder is new and private, so its files are written directly; in place, each
    goes through a rename). Paths are joined as text: a Path per page cost more than its write."""
    target = f"{folder}/{path}"
    if isinstance(data, str):
        data = data.encode("utf-8")
    if in_place:
        write_atomic(target, data)
        return
    parent = target.rpartition("/")[0]
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    with open(target, "wb") as handle:
        handle.write(data)


def files_under(folder: Path) -> set[str]:
    """Every file below folder, as relative POSIX paths (one directory walk, not a stat per page)."""
    found: set[str] = set()
    for directory, _, names in os.walk(folder):
        prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found.update(prefix + name for name in names)
    return found


def remove_pages(out_dir: Path, paths: set[str]) -> None:
    """Delete pages the site no longer has, and the folders that leaves empty (a cold build
    would not make them)."""
    folders = set()
    for path in sorted(paths):
        (out_dir / path).unlink(missing_ok=True)
        folders.update((out_dir / path).parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder != out_dir and out_dir in folder.parents and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}-"


def staging_folder(out_dir: Path) -> Path:
    """A new folder beside the output to build a site into; named after this process, so a
    later build can tell the folders of killed builds from those of running ones."""
    remove_stale_staging(out_dir)
    return _new_staging(out_dir)


def _new_staging(out_dir: Path) -> Path:
    """A new folder beside the output, which remove_stale_staging removes once this process is gone."""
    return Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(out_dir)}{os.getpid()}-", dir=out_dir.parent))


def remove_stale_staging(out_dir: Path) -> None:
    """Delete staging (and retired) folders left by builds that were killed."""
    if not out_dir.parent.is_dir():
        return
    prefix = _staging_prefix(out_dir)
    for entry in out_dir.parent.iterdir():
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a folder of ours from before (pids are reused): none is in use yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap(staging: Path, out_dir: Path) -> None:
    """Replace the output folder in two renames, so it is never half-written."""
    os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp made it 0700
    if out_dir.exists():
        retired = out_dir.with_name(f"{_staging_prefix(out_dir)}old")
        shutil.rmtree(retired, ignore_errors=True)
        out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out_dir)
