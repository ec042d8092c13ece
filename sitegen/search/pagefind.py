"""Build the search index: Pagefind over bigram documents, one index shard per year.

Shards bound Pagefind's memory, let both cores index at once, and make a rebuild
re-index only the years whose notices changed. Each shard's Pagefind output is
kept in the build cache; the site gets a copy under pagefind/<shard>/, plus
records.js (what results list, filter and sort on) and pagefind/shards.js.
Both are plain scripts that set globals, so they load from disk as well.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..notice import Notice
from ..parallel import worker_count
from .documents import search_document, searchable_text
from .tokens import TOKENS_VERSION, search_tokens

PAGEFIND_VERSION = "1.5.2"
OFFLINE_TEXTS = "texts.js"  # copied into the site only for the offline bundle


class SearchIndexError(UserError, RuntimeError):
    pass


@dataclass
class Shard:
    name: str  # a year, or "undated"
    notices: list[Notice]
    fingerprint: str


def shard_name(notice: Notice) -> str:
    return str(notice.date.year) if notice.date else "undated"


def plan_shards(notices: list[Notice], digests: dict[str, str], url_of: Callable[[Notice], str]) -> list[Shard]:
    from ..site.cache import digest

    grouped: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        grouped[shard_name(notice)].append(notice)
    shards = []
    for name in sorted(grouped, reverse=True):
        members = sorted(grouped[name], key=lambda n: n.id)
        key = [(n.id, url_of(n), digests.get(n.id) or repr(n)) for n in members]
        shards.append(Shard(name, members, digest((TOKENS_VERSION, PAGEFIND_VERSION, key))))
    return shards


def run_pagefind(site_dir: Path, output_dir: Path) -> None:
    """The Pagefind CLI over a folder: one process, unlike the Python API's sleepy per-page calls."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir),
               "--output-path", str(output_dir), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(f"pagefind failed: {message[-1] if message else result.returncode}")
    if not (output_dir / "pagefind.js").is_file():
        raise SearchIndexError("pagefind wrote no index (is pagefind-bin-extended installed?)")


def _fragments(output_dir: Path) -> dict[str, str]:
    """Pagefind's id for each indexed document, by the document's file name."""
    ids = {}
    for path in (output_dir / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        ids[fragment["url"].rsplit("/", 1)[-1].removesuffix(".html")] = path.stem
    return ids


def _texts_script(shard: Shard, ids: dict[str, str], texts: list[str], tokens: list[str]) -> str:
    """For search without Pagefind (from disk): each document's tokens and plain text."""
    entries = {}
    for index, (text, words) in enumerate(zip(texts, tokens)):
        entries[ids[f"d{index}"]] = [f" {words} ", text]
    payload = json.dumps(dict(sorted(entries.items())), ensure_ascii=False, separators=(",", ":"))
    return (f"(window.SITEGEN_TEXTS = window.SITEGEN_TEXTS || {{}})"
            f"[{json.dumps(shard.name)}] = {payload};\n")


def _records_script(shard: Shard, ids: dict[str, str], url_of) -> str:
    records = {}
    for index, notice in enumerate(shard.notices):
        records[ids[f"d{index}"]] = [
            url_of(notice), notice.title, notice.date.isoformat() if notice.date else "",
            notice.file_number, notice.column, notice.theme, notice.issuer, notice.doc_type,
        ]
    payload = json.dumps(dict(sorted(records.items())), ensure_ascii=False, separators=(",", ":"))
    return (f"(window.SITEGEN_RECORDS = window.SITEGEN_RECORDS || {{}})"
            f"[{json.dumps(shard.name)}] = {payload};\n")


def _index_shard(shard: Shard, cache_dir: Path, text_of: Callable[[Notice], str], url_of) -> None:
    """Index one shard into cache_dir/<name>/ (replaced whole, via a temporary folder)."""
    work = Path(tempfile.mkdtemp(prefix=f".{shard.name}-", dir=cache_dir))
    try:
        documents = work / "documents"
        documents.mkdir()
        texts = [searchable_text(notice, text_of(notice)) for notice in shard.notices]
        tokens = [" ".join(search_tokens(text)) for text in texts]
        for index, notice in enumerate(shard.notices):
            document = search_document(notice, texts[index], tokens[index])
            (documents / f"d{index}.html").write_text(document, encoding="utf-8")
        output = work / "pagefind"
        run_pagefind(documents, output)
        for unused in output.glob("pagefind-*ui.*"):  # Pagefind's own UIs: the site has its own
            unused.unlink()
        (output / "pagefind-highlight.js").unlink(missing_ok=True)
        ids = _fragments(output)
        (output / "records.js").write_text(_records_script(shard, ids, url_of), encoding="utf-8")
        (output / OFFLINE_TEXTS).write_text(_texts_script(shard, ids, texts, tokens), encoding="utf-8")
        (output / "fingerprint").write_text(shard.fingerprint, encoding="utf-8")
        final = cache_dir / shard.name
        shutil.rmtree(final, ignore_errors=True)
        output.rename(final)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cached(cache_dir: Path, shard: Shard) -> bool:
    stamp = cache_dir / shard.name / "fingerprint"
    return stamp.is_file() and stamp.read_text(encoding="utf-8") == shard.fingerprint


def build_search_index(
    notices: list[Notice],
    digests: dict[str, str],
    site_dir: Path,
    cache_dir: Path,
    text_of: Callable[[list[Notice]], dict[str, str]],
    url_of: Callable[[Notice], str],
    offline: bool = False,
) -> list[str]:
    """Write site_dir/pagefind/; returns the names of the shards that were (re-)indexed.

    With offline, each shard also gets texts.js, which search from disk reads instead of
    Pagefind (browsers do not let pages opened from disk fetch files or import modules).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    shards = plan_shards(notices, digests, url_of)
    stale = [shard for shard in shards if not _cached(cache_dir, shard)]
    texts = text_of([n for shard in stale for n in shard.notices]) if stale else {}
    with ThreadPoolExecutor(max_workers=max(1, min(worker_count(), len(stale) or 1))) as pool:
        for future in [pool.submit(_index_shard, s, cache_dir, lambda n: texts[n.id], url_of) for s in stale]:
            future.result()
    target = site_dir / "pagefind"
    target.mkdir(parents=True, exist_ok=True)
    wanted = {shard.name for shard in shards}
    for existing in target.iterdir():
        if existing.is_dir() and existing.name not in wanted:
            shutil.rmtree(existing)
    for shard in shards:
        source, destination = cache_dir / shard.name, target / shard.name
        stamp = destination / "fingerprint"
        has_texts = (destination / OFFLINE_TEXTS).is_file()
        if stamp.is_file() and stamp.read_text(encoding="utf-8") == shard.fingerprint and has_texts == offline:
            continue
        shutil.rmtree(destination, ignore_errors=True)
        ignore = None if offline else shutil.ignore_patterns(OFFLINE_TEXTS)
        shutil.copytree(source, destination, ignore=ignore)
    manifest = [{"name": s.name, "count": len(s.notices)} for s in shards]
    script = f"window.SITEGEN_SHARDS = {json.dumps(manifest, ensure_ascii=False)};\n"
    shards_js = target / "shards.js"
    if not shards_js.is_file() or shards_js.read_text(encoding="utf-8") != script:
        shards_js.write_text(script, encoding="utf-8")
    for name in os.listdir(cache_dir):
        if name not in wanted and not name.startswith("."):
            shutil.rmtree(cache_dir / name, ignore_errors=True)
    return [shard.name for shard in stale]
