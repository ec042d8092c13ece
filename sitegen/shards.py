"""One site built by several parallel jobs (a CI matrix), then merged: docs/scale.md.

    sitegen build --shard 1/4      # in each of 4 jobs, on a checkout of the whole archive
    sitegen merge part-1 part-2 part-3 part-4    # in a final job, each part a job's output

Every job reads the whole archive (a list page or a notice's status depends on other
notices) and plans every page, but renders and writes only the pages whose path falls to it,
and indexes only the search shards whose folder falls to it (by a stable hash: parts come out
about the same size, whatever the years and sources). It leaves in its output folder its
pages, `.sitegen-part/pages.json` (the fingerprint of each page it wrote) and
`.sitegen-part/search/` (its search shards, whole Pagefind folders).

The merge copies every part's pages into the output folder, its search shards into the
cache, and stores the pages' fingerprints (last: a merge killed before leaves nothing a build
trusts); then it runs an ordinary build. That build finds every page's fingerprint equal and
every search shard complete, so it renders nothing and indexes nothing: it writes the search
catalog and copies the shards into the site. Whatever a part lacks (a job that failed, a part
left out) is built then, so the site is always the one a single build gives.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import Config, check_output_folder, mark_output_folder
from .content import write_atomic
from .errors import UserError
from .site.build import BuildReport, build_site
from .site.cache import BuildCache

PART_FOLDER = ".sitegen-part"


@dataclass(frozen=True)
class Shard:
    """Job `number` of `count` (1-based, as a CI matrix counts)."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`2/8` -> job 2 of 8."""
        number, _, count = text.partition("/")
        if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
            raise UserError(f"--shard {text!r}: expected K/N, a job K of N jobs (1 <= K <= N), e.g. 2/8")
        return cls(int(number), int(count))

    def takes(self, name: str) -> bool:
        """Whether a page (by its path) or a search shard (by its folder) is this job's."""
        return zlib.crc32(name.encode("utf-8")) % self.count == self.number - 1


def build_shard(config: Config, project_root: Path, shard: Shard, keep_going: bool = False, search: bool = True,
                progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """A job's part of the site into the output folder, with what the merge needs."""
    report = build_site(config, project_root, keep_going, search, progress, share=shard.takes)
    out_dir = check_output_folder(config, project_root)
    part = out_dir / PART_FOLDER
    shutil.rmtree(part, ignore_errors=True)
    with BuildCache(project_root / config.cache) as cache:
        fingerprints = cache.pages(out_dir)
        search_dir = cache.search_folder
    if search and search_dir is not None and search_dir.is_dir():
        for folder in sorted(search_dir.iterdir()):
            if folder.is_dir() and shard.takes(folder.name):
                shutil.copytree(folder, part / "search" / folder.name)
    manifest = {"shard": f"{shard.number}/{shard.count}", "pages": dict(sorted(fingerprints.items()))}
    write_atomic(part / "pages.json", json.dumps(manifest, ensure_ascii=False, indent=0))
    return report


def merge_shards(config: Config, project_root: Path, parts: list[Path], keep_going: bool = False,
                 search: bool = True, progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """The parts of a site (each a job's output folder) into the output folder, then a build
    that completes it (and builds whatever the parts lack)."""
    out_dir = check_output_folder(config, project_root)
    for part in parts:
        part = part.resolve()
        if part == out_dir.resolve() or out_dir.resolve() in part.parents or part in out_dir.resolve().parents:
            raise UserError(f"{part}: a part cannot be the output folder {out_dir} or hold it; "
                            "put the parts elsewhere")
    manifests = [_manifest(part) for part in parts]
    if out_dir.exists():
        shutil.rmtree(out_dir)  # check_output_folder allowed it: a folder sitegen made
    out_dir.mkdir(parents=True)
    # Marked at once: a merge killed halfway leaves a folder the next build may replace.
    mark_output_folder(out_dir)
    with BuildCache(project_root / config.cache) as cache:
        cache.forget_pages(out_dir)
        fingerprints: dict[str, str] = {}
        for part, manifest in zip(parts, manifests):
            _copy_pages(part, out_dir, manifest["pages"])
            fingerprints.update(manifest["pages"])
            searched = part / PART_FOLDER / "search"
            if search and searched.is_dir() and cache.search_folder is not None:
                for folder in sorted(searched.iterdir()):
                    _copy_whole(folder, cache.search_folder / folder.name)
        cache.store_pages(out_dir, fingerprints)  # last: the pages are all in place
    return build_site(config, project_root, keep_going, search, progress)


def _manifest(part: Path) -> dict:
    path = part / PART_FOLDER / "pages.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(f"{part}: not the output of `sitegen build --shard K/N` (no readable {path.name})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("pages"), dict):
        raise UserError(f"{path}: not a shard's list of pages")
    return manifest


def _copy_pages(part: Path, out_dir: Path, pages: dict[str, str]) -> None:
    """The part's pages (those it lists: nothing else of the folder is trusted) and its static
    files (the same in every part)."""
    for name in pages:
        source = part / name
        if not source.is_file() or source.is_symlink() or ".." in Path(name).parts:
            continue  # not there after all: the build that follows makes it
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    static = part / "static"
    if static.is_dir() and not (out_dir / "static").exists():
        shutil.copytree(static, out_dir / "static", symlinks=True)


def _copy_whole(folder: Path, target: Path) -> None:
    """A search shard's folder, copied beside its place and renamed into it: whole or not at all."""
    if target.exists() or not folder.is_dir():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    shutil.copytree(folder, temporary, symlinks=True)
    os.replace(temporary, target)
