"""The search index of a site, in two calls over plain data:

    plan = plan_search_index(entries, digests, cache_dir)     # which shards must be indexed
    write_search_index(plan, bodies, site_dir, offline)        # bodies: for each shard of
                                                               # plan.stale in turn, id -> HTML
Bodies come one shard at a time (an iterator that may render them as it goes), so a build
holds the text of a few shards at once, never the archive's.

The site gets pagefind/catalog.js and pagefind/lookup-<hash>.js (catalog.py tells what each
holds), the engine script pagefind/sitegen-search.js, each shard's records in
pagefind/shards/<folder>/docs/, and the words of all shards in pagefind/shards/words-<digest>/
(words.py: two packs read by range requests; from disk, a script per bucket).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..content import write_atomic
from ..parallel import Workers
from .catalog import catalog_data, lookup_data, lookup_name
from .documents import SearchEntry, notice_texts
from .pagefind import (
    SearchIndexError,
    Shard,
    copy_shard,
    data_script,
    index_shard,
    is_complete,
    plan_shards,
    read_data_script,
    remove_stale_temporaries,
)
from .words import (
    bucket_count,
    bucket_lengths,
    pieces_path,
    remove_folder,
    words_folder,
    write_buckets,
    write_pieces,
)

ENGINE = Path(__file__).with_name("sitegen-search.js")
CATALOG = "catalog.js"

__all__ = ["SearchIndexError", "SearchPlan", "plan_search_index", "write_search_index"]


@dataclass
class SearchPlan:
    shards: list[Shard]
    stale: list[Shard]
    cache_dir: Path
    buckets: int  # words.py: how many files the words are spread over
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)



def plan_search_index(entries: list[SearchEntry], digests: dict[str, str], cache_dir: Path | None) -> SearchPlan:
    """Shards of the archive, and those the cache (cache_dir, or none) holds no intact copy of."""
    scratch = None
    if cache_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="sitegen-search-")
        cache_dir = Path(scratch.name)
    cache_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(cache_dir)
    remove_stale_temporaries(cache_dir / "words")
    shards = plan_shards(entries, digests)
    stale = [shard for shard in shards if not is_complete(cache_dir / shard.folder)]
    return SearchPlan(shards, stale, cache_dir, bucket_count(sum(entry.size for entry in entries)), scratch)


def write_search_index(plan: SearchPlan, bodies: Iterable[dict[str, str]], site_dir: Path,
                       offline: bool = False, workers: Workers | None = None) -> list[str]:
    """Index the stale shards and write the site's search files; the names of the shards indexed.

    bodies yields, for each shard of plan.stale in order, its notices' rendered body HTML by
    id; it is read one shard ahead of the indexers, so at most a few shards' texts are held.
    The shards are indexed on the workers, one a process (the Python half of the work, the
    tokens and the cutting of words, would otherwise take turns under this process's lock;
    without workers, here). With offline, the words come as scripts, which search from disk
    reads (pages opened from disk can load scripts but not fetch files).
    """
    try:
        workers = workers or Workers(1)
        at_once = max(1, min(workers.size, len(plan.stale)))
        running: set[Future] = set()
        for shard, shard_bodies in zip(plan.stale, bodies):
            running.add(workers.submit(_index, shard, shard_bodies, plan.cache_dir, plan.buckets))
            del shard_bodies
            if len(running) >= at_once:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()
        for future in running:
            future.result()
        # Shards indexed before the archive's bucket count last changed are cut anew.
        missing = [shard for shard in plan.shards if not _pieces(shard, plan).is_file()]
        for future in [workers.submit(_cut, shard.folder, plan.cache_dir, plan.buckets) for shard in missing]:
            future.result()
        root = site_dir / "pagefind"
        shards_root = root / "shards"
        shards_root.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(shards_root)
        for shard in plan.shards:
            copy_shard(plan.cache_dir / shard.folder, shards_root)
        pieces = [_pieces(shard, plan) for shard in plan.shards]
        words = words_folder(pieces, plan.buckets, offline)
        write_buckets(pieces, plan.buckets, shards_root, words, offline, _previous_words(root, plan))
        # The catalog is replaced only once every shard it names is in place, and the shards
        # it named before are removed only after: a build killed at any moment leaves a
        # catalog whose shards are all there.
        _write_if_changed(root / "sitegen-search.js", ENGINE.read_text(encoding="utf-8"))
        infos = [json.loads((plan.cache_dir / shard.folder / "shard.json").read_text(encoding="utf-8"))
                 for shard in plan.shards]
        lookup = data_script("lookup", lookup_data(infos, {"folder": words, "count": plan.buckets,
                                                  "lengths": bucket_lengths(shards_root / words)}))
        lookup_file = lookup_name(lookup)
        _write_if_changed(root / lookup_file, lookup)
        _write_if_changed(root / CATALOG, data_script("catalog", catalog_data(plan.shards, lookup_file, offline)))
        for path in [root / CATALOG, root / lookup_file]:
            os.chmod(path, 0o644)
        for old in root.glob("lookup-*.js"):
            if old.name != lookup_file:
                old.unlink()
        wanted = {shard.folder for shard in plan.shards}
        for folder in shards_root.iterdir():
            if folder.name not in wanted | {words}:
                remove_folder(folder)
        if plan.scratch is None:
            for folder in plan.cache_dir.iterdir():
                if folder.is_dir() and folder.name not in wanted | {"words"}:
                    shutil.rmtree(folder, ignore_errors=True)
            for path in (plan.cache_dir / "words").glob("*.bin"):
                if path not in pieces:
                    path.unlink(missing_ok=True)
        return [shard.name for shard in plan.stale]
    finally:
        if plan.scratch is not None:
            plan.scratch.cleanup()


def _previous_words(root: Path, plan: SearchPlan) -> tuple[Path, list[Path]] | None:
    """The words folder the site's catalog points at, and the pieces it joined (write_buckets
    copies what is still the same from it, and checks it against them); None if there is none."""
    try:
        catalog = read_data_script(root / CATALOG)
        lookup = read_data_script(root / _plain_name(catalog["lookup"]))
        words = lookup["words"]
        folders = [_plain_name(shard["folder"]) for shard in catalog["shards"]]
        folder = root / "shards" / _plain_name(words["folder"])
        if words["count"] != plan.buckets:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return folder, [pieces_path(plan.cache_dir, name, plan.buckets) for name in folders]


def _plain_name(name: object) -> str:
    """A file or folder name of the site's search files, as written there (nothing that leads
    elsewhere: the site folder is output, not trusted input)."""
    if not isinstance(name, str) or not name or name.startswith(".") or "/" in name or "\\" in name:
        raise ValueError(f"not a plain name: {name!r}")
    return name


def _pieces(shard: Shard, plan: SearchPlan) -> Path:
    return pieces_path(plan.cache_dir, shard.folder, plan.buckets)


def _cut(folder: str, cache_dir: Path, buckets: int) -> None:
    write_pieces(cache_dir / folder, buckets, pieces_path(cache_dir, folder, buckets))


def _index(shard: Shard, bodies: dict[str, str], cache_dir: Path, buckets: int) -> None:
    texts = {entry.notice.id: notice_texts(entry.notice, bodies[entry.notice.id]) for entry in shard.entries}
    index_shard(shard, texts, cache_dir)
    _cut(shard.folder, cache_dir, buckets)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text)
