"""The search index of a site, in two calls over plain data:

    plan = plan_search_index(entries, digests, cache_dir)     # which shards must be indexed
    write_search_index(plan, bodies, site_dir, offline)        # bodies: id -> rendered HTML,
                                                               # for plan.needs_bodies only
The site gets pagefind/catalog.js (what the page needs before any query: the token rules, the
filters and their values, and per notice its date, filter values and length, newest first),
the engine script pagefind/sitegen-search.js, and pagefind/shards/<name>-<fingerprint>/.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..content import write_atomic
from ..parallel import worker_count
from .documents import FACETS, FIELDS, RECORD, SearchEntry, field_value, notice_texts
from .pagefind import (
    SearchIndexError,
    Shard,
    copy_shard,
    data_script,
    index_shard,
    is_complete,
    plan_shards,
    remove_stale_temporaries,
)
from .tokens import SPEC

ENGINE = Path(__file__).with_name("sitegen-search.js")
CATALOG = "catalog.js"

__all__ = ["SearchIndexError", "SearchPlan", "plan_search_index", "write_search_index"]


@dataclass
class SearchPlan:
    shards: list[Shard]
    stale: list[Shard]
    cache_dir: Path
    scratch: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def needs_bodies(self) -> list[str]:
        """The ids of the notices whose rendered bodies write_search_index needs."""
        return [entry.notice.id for shard in self.stale for entry in shard.entries]


def plan_search_index(entries: list[SearchEntry], digests: dict[str, str], cache_dir: Path | None) -> SearchPlan:
    """Shards of the archive, and those the cache (cache_dir, or none) holds no intact copy of."""
    scratch = None
    if cache_dir is None:
        scratch = tempfile.TemporaryDirectory(prefix="sitegen-search-")
        cache_dir = Path(scratch.name)
    cache_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(cache_dir)
    shards = plan_shards(entries, digests)
    stale = [shard for shard in shards if not is_complete(cache_dir / shard.folder)]
    return SearchPlan(shards, stale, cache_dir, scratch)


def write_search_index(plan: SearchPlan, bodies: dict[str, str], site_dir: Path, offline: bool = False) -> list[str]:
    """Index the stale shards and write the site's search files; the names of the shards indexed.

    With offline, shards also carry their chunks as scripts, which search from disk reads
    (pages opened from disk can load scripts but not fetch files).
    """
    try:
        texts = {}
        for shard in plan.stale:
            for entry in shard.entries:
                texts[entry.notice.id] = notice_texts(entry.notice, bodies[entry.notice.id])
        workers = max(1, min(worker_count(), len(plan.stale)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(index_shard, s, texts, plan.cache_dir) for s in plan.stale]:
                future.result()
        root = site_dir / "pagefind"
        shards_root = root / "shards"
        shards_root.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(shards_root)
        for shard in plan.shards:
            copy_shard(plan.cache_dir / shard.folder, shards_root, offline)
        # The catalog is replaced only once every shard it names is in place, and the shards
        # it named before are removed only after: a build killed at any moment leaves a
        # catalog whose shards are all there.
        _write_if_changed(root / "sitegen-search.js", ENGINE.read_text(encoding="utf-8"))
        _write_if_changed(root / CATALOG, data_script("catalog", catalog(plan, offline)))
        os.chmod(root / CATALOG, 0o644)
        wanted = {shard.folder for shard in plan.shards}
        for folder in shards_root.iterdir():
            if folder.name not in wanted:
                shutil.rmtree(folder, ignore_errors=True)
        if plan.scratch is None:
            for folder in plan.cache_dir.iterdir():
                if folder.is_dir() and folder.name not in wanted:
                    shutil.rmtree(folder, ignore_errors=True)
        return [shard.name for shard in plan.stale]
    finally:
        if plan.scratch is not None:
            plan.scratch.cleanup()


def catalog(plan: SearchPlan, offline: bool) -> dict:
    """What the search page loads first: rules, filters, and a row of numbers per notice."""
    import json

    facets = []
    docs: dict[str, list] = {"date": [], "length": []}
    for facet in FACETS:
        values: dict[str, int] = {}
        column = []
        for shard in plan.shards:
            for entry in shard.entries:
                value = field_value(entry, facet.key)
                items = value if isinstance(value, list) else [value] if value else []
                indexes = [values.setdefault(item, len(values)) for item in items]
                column.append(indexes[0] if len(indexes) == 1 else indexes if indexes else -1)
        docs[facet.key] = column
        facets.append({"key": facet.key, "label": facet.label, "values": list(values)})
    shards = []
    offset = 0
    for shard in plan.shards:
        info = json.loads((plan.cache_dir / shard.folder / "shard.json").read_text(encoding="utf-8"))
        docs["length"].extend(info["lengths"])
        docs["date"].extend(int(e.notice.date.strftime("%Y%m%d")) if e.notice.date else 0 for e in shard.entries)
        shards.append({"folder": shard.folder, "name": shard.name, "offset": offset, "count": len(shard.entries),
                       "chunks": info["chunks"], "pages": info["pages"]})
        offset += len(shard.entries)
    return {"spec": SPEC, "facets": facets, "record": list(RECORD),
            "fields": [[name, weight] for name, weight in FIELDS], "shards": shards, "docs": docs,
            "offline": offline}


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text)
