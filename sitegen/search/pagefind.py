"""Index shards with Pagefind's CLI, kept in the build cache and copied into the site.

Notices are cut into shards of contiguous years, up to SHARD_BYTES of notice files each (a
bigger year is cut into parts where a notice's id says so, which an edit elsewhere does not
move): shards bound Pagefind's memory, which grows with the tokens it holds, let both cores
index at once, and a rebuild re-indexes only the shard whose notices changed. Within a shard,
PACK notices make one Pagefind page (Pagefind spends memory and time per page and per word of
a page), told apart by their token positions: each notice's length is known, and Pagefind's
count of a page's words is checked against the sum. A shard is a folder named by its name and
fingerprint, so its files never change under a name (they may be cached for ever) and a new
shard never overwrites the one the site's catalog still points at.

A shard folder holds Pagefind's index chunks (index/*.pf_index, which words.py lays out by
word for sitegen's own search script; Pagefind's runtime never reads them), shard.json (the
order of Pagefind's pages, each notice's length) and docs/<n>.js (what a result shows and the
notice's text, for its snippet; the site gets these). It is written in a temporary folder, its
`complete` file last (the list of its files and sizes), and renamed into place; a folder
without a complete and intact listing is never trusted.
"""

from __future__ import annotations

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

import cbor2

from ..errors import UserError
from . import cbor
from .documents import RECORD, SearchEntry, field_value, search_fragment, search_page
from .tokens import TOKENS_VERSION

PAGEFIND_VERSION = "1.5.2"
# Bytes of notice files a shard holds at most: packed, Pagefind needs about 30 bytes of memory
# per byte of notice file, and cutting a shard's words into pieces (words.py) as much again,
# with two shards indexed at once beside a building process that holds the archive (1.5 GB at
# 100,000 notices): shards of 36 MB took the build with search at 100,000 to 3.7 GB, near the
# 4 GB bar. A shard is also what an edit re-indexes (18 MB: about 900 notices three times a
# real notice's size); the number of shards costs a query nothing (words.py joins them).
SHARD_BYTES = 18_000_000
SHARD_SIZE = 5000  # and notices at most
PACK = 32  # notices per Pagefind page
CUT = 64  # a big year may be cut after a notice whose id hashes to 0 modulo CUT
COMPLETE = "complete"


class SearchIndexError(UserError, RuntimeError):
    pass


@dataclass
class Shard:
    name: str  # its years: "2020", "2018-2020", or "undated"
    entries: list[SearchEntry]  # newest first
    fingerprint: str

    @property
    def ids(self) -> list[str]:
        return [entry.notice.id for entry in self.entries]

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.fingerprint[:12]}"


def data_script(key: str, value: object) -> str:
    """A plain script that hands its data to the search script (loads from disk as well)."""
    payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"(window.SITEGEN_DATA=window.SITEGEN_DATA||{{}})[{json.dumps(key)}]={payload};\n"


def read_data_script(path: Path) -> object:
    """The data a data_script file hands over (ValueError if it is not one)."""
    text = path.read_text(encoding="utf-8")
    head, separator, payload = text.partition("]=")
    if not separator or not head.startswith("(window.SITEGEN_DATA=") or not payload.endswith(";\n"):
        raise ValueError(f"{path}: not a data script")
    return json.loads(payload[:-2])


def order(entries: list[SearchEntry]) -> list[SearchEntry]:
    """Newest first (undated last), then by id: the order of the catalog and of the shards."""
    dated = sorted((e for e in entries if e.notice.date), key=lambda e: e.notice.id)
    dated.sort(key=lambda e: e.notice.date, reverse=True)
    return dated + sorted((e for e in entries if not e.notice.date), key=lambda e: e.notice.id)


def plan_shards(entries: list[SearchEntry], digests: dict[str, str]) -> list[Shard]:
    """Contiguous years, newest first, within SHARD_BYTES and SHARD_SIZE a shard; undated
    notices apart; a year too big for one shard in parts."""
    years: dict[int | None, list[SearchEntry]] = {}
    for entry in order(entries):
        years.setdefault(entry.notice.date.year if entry.notice.date else None, []).append(entry)
    groups: list[tuple[str, list[SearchEntry]]] = []
    span: list[int | None] = []
    for year, members in years.items():
        if year is not None and span and None not in span and _fits(groups[-1][1] + members):
            span.append(year)
            groups[-1] = (_span_name(span), groups[-1][1] + members)
            continue
        span = [year]
        parts = _parts(members)
        name = "undated" if year is None else str(year)
        groups.extend((name if len(parts) == 1 else f"{name}.{n}", part) for n, part in enumerate(parts, 1))
        if len(parts) > 1:
            span = [None]  # a year in parts is joined by no other
    shards = []
    for name, members in groups:
        key = [(e.notice.id, e.url, digests.get(e.notice.id) or repr(e.notice)) for e in members]
        fingerprint = hashlib.sha1(repr((TOKENS_VERSION, PAGEFIND_VERSION, RECORD, PACK, key)).encode()).hexdigest()
        shards.append(Shard(name, members, fingerprint))
    return shards


def _fits(members: list[SearchEntry]) -> bool:
    return len(members) <= SHARD_SIZE and sum(e.size for e in members) <= SHARD_BYTES


def _span_name(span: list) -> str:
    return str(span[0]) if len(span) == 1 else f"{span[-1]}-{span[0]}"


def _parts(members: list[SearchEntry]) -> list[list[SearchEntry]]:
    """A year's notices in parts within the limits: a part ends after a notice whose id
    hashes to 0 modulo CUT once it is half full (so an edit moves no other part's edges), or
    when it is full."""
    if _fits(members):
        return [members]
    parts: list[list[SearchEntry]] = [[]]
    size = 0
    for entry in members:
        if parts[-1] and (len(parts[-1]) >= SHARD_SIZE or size + entry.size > SHARD_BYTES):
            parts.append([])
            size = 0
        parts[-1].append(entry)
        size += entry.size
        half = len(parts[-1]) >= SHARD_SIZE // 2 or size >= SHARD_BYTES // 2
        if half and int(hashlib.sha1(entry.notice.id.encode()).hexdigest()[:8], 16) % CUT == 0:
            parts.append([])
            size = 0
    return [part for part in parts if part]


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


def read_index(output: Path) -> tuple[list[str], list[int]]:
    """Pagefind's pages' file names and word counts, in Pagefind's page order, from its
    metadata and fragments."""
    entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
    language = next(iter(entry["languages"].values()))
    meta = cbor2.loads(cbor.unpack((output / f"pagefind.{language['hash']}.pf_meta").read_bytes()))
    pages = meta[1]
    names = {}
    for path in (output / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{"):])
        names[path.stem] = fragment["url"].rsplit("/", 1)[-1].removesuffix(".html")
    return [names[page[0]] for page in pages], [page[1] for page in pages]


def index_shard(shard: Shard, texts: dict[str, dict[str, str]], cache_dir: Path) -> None:
    """Index one shard into cache_dir/<folder>/, through a temporary folder and a rename."""
    work = Path(tempfile.mkdtemp(prefix=f".{shard.name}-", dir=cache_dir))
    try:
        documents = work / "documents"
        documents.mkdir()
        lengths, expected = [], []
        for start in range(0, len(shard.entries), PACK):
            fragments = []
            for entry in shard.entries[start:start + PACK]:
                fragment, length = search_fragment(texts[entry.notice.id])
                fragments.append(fragment)
                lengths.append(length)
            expected.append(sum(lengths[start:]))
            (documents / f"{start // PACK:06d}.html").write_text(search_page(fragments), encoding="utf-8")
        run_pagefind(documents, work / "pagefind")
        page_names, words = read_index(work / "pagefind")
        page_order = [int(name) for name in page_names]
        if [expected[page] for page in page_order] != words:
            raise SearchIndexError(f"search shard {shard.name}: pagefind counted words other than "
                                   "the tokens written (a token was split or dropped)")
        out = work / "shard"
        out.mkdir()
        (work / "pagefind" / "index").rename(out / "index")
        info = {"name": shard.name, "count": len(shard.entries), "lengths": lengths,
                "pack": PACK, "pages": None if page_order == list(range(len(page_order))) else page_order}
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


def _names(folder: Path) -> list[str]:
    """The files below folder (but `complete`), by relative name, without a stat of each: an
    archive's shards hold a file per notice, and every build looks at them all. Sizes are not
    compared: a folder only ever gets its final name whole (a rename), so what this guards
    against is a file removed from it since."""
    names = []
    for root, _, files in os.walk(folder):
        prefix = os.path.relpath(root, folder)
        names += (name if prefix == "." else f"{prefix}/{name}" for name in files if name != COMPLETE or prefix != ".")
    return sorted(names)


def _write_complete(folder: Path) -> None:
    (folder / COMPLETE).write_text(json.dumps(_listing(folder)), encoding="utf-8")


def is_complete(folder: Path) -> bool:
    """Every file the shard listed when it was finished is there."""
    try:
        listed = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return sorted(name for name, _ in listed) == _names(folder)


def _site_files(folder: Path) -> list[list]:
    """What of a cached shard the site gets: its records (the words come by words.py)."""
    listed = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))
    return [item for item in listed if item[0].startswith("docs/")]


def copy_shard(source: Path, target_root: Path) -> None:
    """Copy a finished shard into the site (unless an intact copy is there already): into a
    temporary folder, then renamed, so the site never holds half a shard under its name."""
    final = target_root / source.name
    wanted = _site_files(source)
    if final.is_dir() and _names(final) == sorted(name for name, _ in wanted):
        return
    temporary = Path(tempfile.mkdtemp(prefix=f".{source.name}-", dir=target_root))
    try:
        copy = temporary / "shard"
        for relative, _ in wanted:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(source / relative, copy / relative)
        os.chmod(copy, 0o755)
        if final.exists():
            shutil.rmtree(final)
        copy.rename(final)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _link_or_copy(source: Path, target: Path) -> None:
    """A shard's files never change under their name (a new shard is a new folder), so the
    site may share them with the cache."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files and folders a killed build left behind (their names start with a dot)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if not path.name.startswith("."):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
