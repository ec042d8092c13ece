"""Index shards with Pagefind's CLI, kept in the build cache and copied into the site.

Notices are cut into shards of contiguous years, up to SHARD_SIZE notices each (a bigger year
is a shard alone): shards bound Pagefind's memory, let both cores index at once, and a rebuild
re-indexes only the shard whose notices changed. A shard is a folder named by its name and
fingerprint, so its files never change under a name (they may be cached for ever) and a new
shard never overwrites the one the site's catalog still points at.

A shard folder holds Pagefind's index chunks (index/*.pf_index, read by sitegen's own search
script, not by Pagefind's runtime), shard.json (chunk boundaries, the order of Pagefind's
pages, each notice's length), docs/<n>.js (what a result shows and the notice's text, for its
snippet) and each chunk as a script too
(index/*.js), which the site gets instead of the chunk files when it is read from disk. It is written in a temporary folder, its `complete` file last (the
list of its files and sizes), and renamed into place; a folder without a complete and intact
listing is never trusted.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from . import cbor
from .documents import RECORD, SearchEntry, field_value, search_document
from .tokens import TOKENS_VERSION

PAGEFIND_VERSION = "1.5.2"
# Notices a shard holds at most (unless one year has more): Pagefind needs about 0.5 MB per
# notice of 4,500 characters while it indexes, and two shards are indexed at once.
SHARD_SIZE = 3000
COMPLETE = "complete"
OFFLINE_SUFFIX = ".js"  # chunk scripts, copied into the site only for the offline bundle


class SearchIndexError(UserError, RuntimeError):
    pass


@dataclass
class Shard:
    name: str  # its years: "2020", "2018-2020", or "undated"
    entries: list[SearchEntry]  # newest first
    fingerprint: str

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.fingerprint[:12]}"


def data_script(key: str, value: object) -> str:
    """A plain script that hands its data to the search script (loads from disk as well)."""
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"(window.SITEGEN_DATA=window.SITEGEN_DATA||{{}})[{json.dumps(key)}]={payload};\n"


def order(entries: list[SearchEntry]) -> list[SearchEntry]:
    """Newest first (undated last), then by id: the order of the catalog and of the shards."""
    dated = sorted((e for e in entries if e.notice.date), key=lambda e: e.notice.id)
    dated.sort(key=lambda e: e.notice.date, reverse=True)
    return dated + sorted((e for e in entries if not e.notice.date), key=lambda e: e.notice.id)


def plan_shards(entries: list[SearchEntry], digests: dict[str, str]) -> list[Shard]:
    """Contiguous years, newest first, up to SHARD_SIZE notices a shard; undated ones apart."""
    years: dict[int | None, list[SearchEntry]] = {}
    for entry in order(entries):
        years.setdefault(entry.notice.date.year if entry.notice.date else None, []).append(entry)
    groups: list[tuple[list, list[SearchEntry]]] = []
    for year, members in years.items():
        last = groups[-1] if groups else None
        if last is None or year is None or None in last[0] or len(last[1]) + len(members) > SHARD_SIZE:
            groups.append(([year], list(members)))
        else:
            last[0].append(year)
            last[1].extend(members)
    shards = []
    for span, members in groups:
        name = "undated" if span == [None] else str(span[0]) if len(span) == 1 else f"{span[-1]}-{span[0]}"
        key = [(e.notice.id, e.url, digests.get(e.notice.id) or repr(e.notice)) for e in members]
        fingerprint = hashlib.sha1(repr((TOKENS_VERSION, PAGEFIND_VERSION, RECORD, key)).encode()).hexdigest()
        shards.append(Shard(name, members, fingerprint))
    return shards


def run_pagefind(site_dir: Path, output_dir: Path) -> None:
    """The Pagefind CLI over a folder."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir),
               "--output-path", str(output_dir), "--silent"]
    process = spawn(command)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        message = (stderr or stdout).strip().splitlines()
        raise SearchIndexError(f"pagefind failed: {message[-1] if message else process.returncode}")
    if not (output_dir / "pagefind-entry.json").is_file():
        raise SearchIndexError("pagefind wrote no index (is pagefind-bin-extended installed?)")


def spawn(command: list[str]) -> subprocess.Popen:
    """A child process that dies with this one (util-linux's setpriv sets the parent-death
    signal; no Python runs between fork and exec, which threads make unsafe): a killed build
    leaves no indexer writing on."""
    setpriv = shutil.which("setpriv") if sys.platform == "linux" else None
    if setpriv:
        command = [setpriv, "--pdeathsig", "KILL", "--", *command]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_index(output: Path) -> tuple[list[list[str]], list[str]]:
    """Pagefind's chunk boundaries ([from, hash] in order) and its pages' file names, in
    Pagefind's page order, from its metadata and fragments."""
    entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
    language = next(iter(entry["languages"].values()))
    meta = cbor.decode(cbor.unpack((output / f"pagefind.{language['hash']}.pf_meta").read_bytes()))
    pages, chunks = meta[1], meta[2]
    names = {}
    for path in (output / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        names[path.stem] = fragment["url"].rsplit("/", 1)[-1].removesuffix(".html")
    return [[chunk[0], chunk[2]] for chunk in chunks], [names[page[0]] for page in pages]


def index_shard(shard: Shard, texts: dict[str, dict[str, str]], cache_dir: Path) -> None:
    """Index one shard into cache_dir/<folder>/, through a temporary folder and a rename."""
    work = Path(tempfile.mkdtemp(prefix=f".{shard.name}-", dir=cache_dir))
    try:
        documents = work / "documents"
        documents.mkdir()
        lengths = []
        for index, entry in enumerate(shard.entries):
            document, length = search_document(texts[entry.notice.id])
            lengths.append(length)
            (documents / f"{index:06d}.html").write_text(document, encoding="utf-8")
        run_pagefind(documents, work / "pagefind")
        chunks, page_names = read_index(work / "pagefind")
        out = work / "shard"
        (out / "index").mkdir(parents=True)
        for _, chunk_hash in chunks:
            source = work / "pagefind" / "index" / f"{chunk_hash}.pf_index"
            data = source.read_bytes()
            source.rename(out / "index" / source.name)
            key = f"{shard.folder}/index/{chunk_hash}"
            (out / "index" / f"{chunk_hash}{OFFLINE_SUFFIX}").write_text(
                data_script(key, base64.b64encode(data).decode("ascii")), encoding="utf-8")
        page_order = [int(name) for name in page_names]
        info = {"name": shard.name, "count": len(shard.entries), "chunks": chunks, "lengths": lengths,
                "pages": None if page_order == list(range(len(page_order))) else page_order}
        (out / "shard.json").write_text(json.dumps(info, separators=(",", ":")), encoding="utf-8")
        _write_records(shard, texts, out)
        _write_complete(out)
        final = cache_dir / shard.folder
        if final.exists():
            shutil.rmtree(final)
        out.rename(final)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_records(shard: Shard, texts: dict[str, dict[str, str]], out: Path) -> None:
    """docs/<n>.js: what a result shows (RECORD) and the text its snippet is cut from, one
    file per notice, so a page of results loads only its own."""
    (out / "docs").mkdir()
    for index, entry in enumerate(shard.entries):
        value = {key: _record_value(entry, key) for key in RECORD}
        value["text"] = texts[entry.notice.id]["body"]
        key = f"{shard.folder}/docs/{index}"
        (out / "docs" / f"{index}.js").write_text(data_script(key, value), encoding="utf-8")


def _record_value(entry: SearchEntry, key: str) -> str | list[str]:
    if key == "url":
        return entry.url
    if key == "date":
        return entry.notice.date.isoformat() if entry.notice.date else ""
    return field_value(entry, key)


def _listing(folder: Path) -> list[list]:
    return sorted([str(path.relative_to(folder)), path.stat().st_size]
                  for path in folder.rglob("*") if path.is_file() and path.name != COMPLETE)


def _write_complete(folder: Path) -> None:
    (folder / COMPLETE).write_text(json.dumps(_listing(folder)), encoding="utf-8")


def is_complete(folder: Path) -> bool:
    """Every file the shard listed when it was finished is there, at its size."""
    try:
        listed = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return listed == _listing(folder)


def _site_files(folder: Path, offline: bool) -> list[list]:
    """What of a cached shard the site gets: chunk scripts only for reading from disk."""
    listed = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))
    return [item for item in listed if item[0] != "shard.json" and _for_site(item[0], offline)]


def _for_site(path: str, offline: bool) -> bool:
    """Index chunks as Pagefind wrote them online; as scripts from disk (no fetch there)."""
    if not path.startswith("index/"):
        return True
    return path.endswith(OFFLINE_SUFFIX) == offline


def copy_shard(source: Path, target_root: Path, offline: bool) -> None:
    """Copy a finished shard into the site (unless an intact copy is there already): into a
    temporary folder, then renamed, so the site never holds half a shard under its name."""
    final = target_root / source.name
    wanted = _site_files(source, offline)
    if final.is_dir() and _listing(final) == wanted:
        return
    temporary = Path(tempfile.mkdtemp(prefix=f".{source.name}-", dir=target_root))
    try:
        copy = temporary / "shard"
        for relative, _ in wanted:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, copy / relative)
        os.chmod(copy, 0o755)
        if final.exists():
            shutil.rmtree(final)
        copy.rename(final)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary folders a killed build left behind (their names start with a dot)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith(".") and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
