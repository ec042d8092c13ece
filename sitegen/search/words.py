"""Every shard's words, laid out by word: one file holds a word's entries from all shards.

Pagefind writes each shard's index as chunks of words in order, so a term looked up in an
archive of S shards cost S requests, each a whole chunk of neighbouring words. Here each
word goes to one of `count` buckets by a hash of its spelling (the browser computes the same
hash), and a bucket has two files (FAMILIES): for each shard, the Pagefind entries of its
words in that bucket (positions, for a term of several tokens), and the same words' counts
per notice and field (all a term of one token needs, at a fraction of the bytes). A term
costs one request per token, whatever the number of shards.

A shard's share of every bucket (its pieces) is computed once, from its Pagefind chunks, and
kept in the cache (words/<folder>.<count>.<LAYOUT>.bin): each piece is raw DEFLATE ended by
a sync flush, so pieces of several shards joined end to end, and one final empty block, make one
valid DEFLATE stream (the browser inflates it with DecompressionStream("deflate-raw")). A
site's bucket files are then byte joins, cheap enough to redo whenever a shard changes.
Inflated, a bucket file is a series of (shard folder name, [word entries]) CBOR items.

The site's buckets are in pagefind/shards/words-<digest>/: one file per family (PACKS), its
buckets end to end, which the browser reads a bucket of by an HTTP range request (the bucket
lengths come with the lookup, `bucket_lengths`). Two files, not one per bucket: an archive of
100,000 notices has 65,536 buckets, and writing and deleting that many files took longer than
the rest of a rebuild after one edit. From disk (pages opened from disk can load scripts but
not fetch files) each bucket is a script of its own, <family><n>.js. A folder is named by what
it holds, written in a temporary folder and renamed into place; it is deleted only after being
renamed away, so one under its final name is always whole.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import mmap
import os
import shutil
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import accumulate, repeat
from operator import add, sub
from pathlib import Path
from typing import BinaryIO

import cbor2

from .cbor import unpack
from .documents import FIELDS
from .pagefind import data_script
from .tokens import single_of

# Bytes of notice files per bucket: a bucket of an archive of generated notices holds about
# 30 KB of index then, small beside the entries of a common word.
BYTES_PER_BUCKET = 48_000
MAX_BUCKETS = 1 << 16
LEVEL = 1  # positions compress little better at higher levels (17.9 against 17.6 MB a shard)
FINAL_BLOCK = b"\x03\x00"  # an empty, final DEFLATE block: ends the joined pieces
WORDS_PREFIX = "words-"
# The files of a bucket: its words' Pagefind entries (positions: a term of several tokens is
# found where they stand one after another), and per word the notices it is in with its count
# in each field ("c": all a term of one token needs, a fraction of the bytes).
FAMILIES = ("", "c")
PACKS = ("positions.pf", "counts.pf")  # online, a file per family
LENGTHS = "lengths.bin"  # each bucket's length in its pack, in order, as LEB128 numbers
SITE_LAYOUT = 2  # of a site's words folder (2: packs): a folder of another layout is never reused
LAYOUT = 4  # of the pieces: a cached piece of another layout is never read
# A pieces file starts with PIECES_MAGIC, the number of pieces and each one's length (4 bytes
# each, little-endian: read at C speed, where JSON took seconds for 200 shards' headers).
PIECES_MAGIC = b"SGWP"
HEADER_PEEK = 8
_UINT32 = "I" if array("I").itemsize == 4 else "L"
JOIN_RUN = 4096  # buckets joined at once (the slices of a run of all shards are held together)


def bucket_count(notice_bytes: int) -> int:
    """A power of two, so that it changes (and pieces are cut anew) only when the archive
    doubles or halves."""
    count = 1
    while count < MAX_BUCKETS and count * 2 * BYTES_PER_BUCKET <= notice_bytes:
        count *= 2
    return count


def word_bucket(word: str, count: int) -> int:
    """FNV-1a over the word's code points (sitegen-search.js computes the same)."""
    value = 0x811C9DC5
    for character in word:
        value = ((value ^ ord(character)) * 0x01000193) & 0xFFFFFFFF
    return value % count


def pieces_path(cache_dir: Path, folder: str, count: int) -> Path:
    return cache_dir / "words" / f"{folder}.{count}.{LAYOUT}.bin"


def write_pieces(shard_dir: Path, count: int, target: Path) -> None:
    """A shard's pieces for `count` buckets of each family (FAMILIES), from its Pagefind
    chunks: a header (`_header`: each piece's length) then the pieces, into target through a
    rename."""
    info = json.loads((shard_dir / "shard.json").read_text(encoding="utf-8"))
    counter = _Counter(info)
    positions: list[list] = [[] for _ in range(count)]
    counts: list[list] = [[] for _ in range(count)]
    singles: dict[str, _Sums] = {}
    for chunk in sorted((shard_dir / "index").glob("*.pf_index")):
        for entry in cbor2.loads(unpack(chunk.read_bytes()))[0]:
            bucket = word_bucket(entry[0], count)
            positions[bucket].append(entry)
            flat = counter.counts(entry[1])
            counts[bucket].append([entry[0], flat])
            single = single_of(entry[0])
            if single is not None:
                sums = singles.get(single) or singles.setdefault(single, _Sums(info["pack"]))
                sums.add(flat)
    # A single character's counts: those of the tokens its occurrences start, summed.
    for word, sums in singles.items():
        counts[word_bucket(word, count)].append([word, sums.flat()])
    name = cbor2.dumps(shard_dir.name)
    pieces = []
    for entries in positions + counts:
        if not entries:
            pieces.append(b"")
            continue
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        pieces.append(compressor.compress(name + cbor2.dumps(entries)) + compressor.flush(zlib.Z_SYNC_FLUSH))
    header = _header([len(piece) for piece in pieces])
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(header)
            out.writelines(pieces)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Counter:
    """A word's occurrences per notice and field, from its Pagefind entry: Pagefind's pages hold
    PACK notices one after another (each as many positions long as its length), and a page's
    positions come in runs, each after a mark of its field's weight, counted from 0."""

    def __init__(self, info: dict):
        lengths, pack = info["lengths"], info["pack"]
        self.first, self.starts = [], []
        for page in info["pages"] or range((len(lengths) + pack - 1) // pack):
            members = lengths[page * pack:(page + 1) * pack]
            self.first.append(page * pack)
            self.starts.append([0, *accumulate(members)])
        weights = {round(weight * 24): index for index, (_, weight) in enumerate(FIELDS)}
        self.marks = {-weight - 1: index for weight, index in weights.items()}
        self.default = len(FIELDS) - 1

    def counts(self, pages: list) -> list[int]:
        """The word's count in each notice of the stretch of notices each of its runs covers:
        groups of [first notice, field, n, count in that notice, in the next, ... (n counts)],
        zeros included (a common word is in most notices of a stretch; a rare one's stretch is
        short). Everything here runs per run, at C speed, not per notice or position."""
        flat: list[int] = []
        page = 0
        for entry in pages:
            page += entry[0]
            first, starts = self.first[page], self.starts[page]
            for field, run in self._runs(entry[1]):
                positions = list(accumulate(run))
                low = bisect_right(starts, positions[0]) - 1
                high = bisect_right(starts, positions[-1])
                # Where each notice's stretch starts among the positions.
                edges = list(map(bisect_left, repeat(positions), starts[low:high + 1]))
                edges.append(len(positions))
                numbers = list(map(sub, edges[1:high - low + 1], edges[:high - low]))
                flat += (first + low, field, len(numbers), *numbers)
        return flat

    def _runs(self, locations: list[int]) -> list[tuple[int, list[int]]]:
        """(field, position differences) for each run of a page's locations."""
        marks = sorted(at for mark in self.marks for at in _indexes(locations, mark))
        if not marks or marks[0] != 0:
            marks.insert(0, -1)  # positions before any mark: the default field
        runs = []
        for start, end in zip(marks, [*marks[1:], len(locations)]):
            run = locations[start + 1:end]
            if run and min(run) < 0:
                return self._runs_by_any_mark(locations)  # a weight of no field: rare, slow
            if run:
                runs.append((self.marks[locations[start]] if start >= 0 else self.default, run))
        return runs

    def _runs_by_any_mark(self, locations: list[int]) -> list[tuple[int, list[int]]]:
        runs, field = [], self.default
        for value in locations:
            if value < 0:
                field = self.marks.get(value, self.default)
                runs.append((field, []))
            elif runs:
                runs[-1][1].append(value)
            else:
                runs.append((field, [value]))
        return [(field, run) for field, run in runs if run]


class _Sums:
    """Counts per notice and field (groups as _Counter.counts gives them) added up. A group
    lies within one Pagefind page (PACK notices), so the sums are kept per field and page."""

    def __init__(self, pack: int):
        self.pack = pack
        self.rows: dict[tuple[int, int], list[int]] = {}

    def add(self, flat: list[int]) -> None:
        at, end, pack = 0, len(flat), self.pack
        while at < end:
            first, field, n = flat[at], flat[at + 1], flat[at + 2]
            page, start = divmod(first, pack)
            row = self.rows.get((field, page)) or self.rows.setdefault((field, page), [0] * pack)
            row[start:start + n] = map(add, row[start:start + n], flat[at + 3:at + 3 + n])
            at += 3 + n

    def flat(self) -> list[int]:
        out: list[int] = []
        for (field, page), row in sorted(self.rows.items()):
            low = next(i for i, value in enumerate(row) if value)
            high = len(row) - next(i for i, value in enumerate(reversed(row)) if value)
            out += (page * self.pack + low, field, high - low, *row[low:high])
        return out


def _indexes(values: list[int], value: int) -> list[int]:
    """Where value stands in values (list.index runs at C speed; marks are few)."""
    found, at = [], -1
    while True:
        try:
            at = values.index(value, at + 1)
        except ValueError:
            return found
        found.append(at)


def _header(lengths: list[int]) -> bytes:
    numbers = array(_UINT32, lengths)
    if sys.byteorder == "big":
        numbers.byteswap()
    return PIECES_MAGIC + len(lengths).to_bytes(4, "little") + numbers.tobytes()


def _read_header(data: bytes | mmap.mmap) -> tuple[list[int], int]:
    """A pieces file's piece lengths, and where its first piece starts."""
    if data[:4] != PIECES_MAGIC:
        raise ValueError("not a pieces file of this layout")
    size = int.from_bytes(data[4:HEADER_PEEK], "little")
    numbers = array(_UINT32)
    numbers.frombytes(data[HEADER_PEEK:HEADER_PEEK + 4 * size])
    if len(numbers) != size:
        raise ValueError("a pieces file cut short")
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tolist(), HEADER_PEEK + 4 * size


def words_folder(pieces: list[Path], count: int, offline: bool) -> str:
    """The site folder's name for these pieces: what they hold (pieces files are named by
    their shard's fingerprint and never change under their name)."""
    digest = hashlib.sha1(repr((SITE_LAYOUT, count, offline, [p.name for p in pieces])).encode()).hexdigest()
    return f"{WORDS_PREFIX}{digest[:16]}"


def write_buckets(pieces: list[Path], count: int, root: Path, name: str, offline: bool,
                  previous: tuple[Path, list[Path]] | None = None) -> None:
    """root/<name>/: every bucket of every family, each shard's piece of it joined in the order
    of `pieces`; online into PACKS (and their LENGTHS), from disk as <family><n>.js.

    previous: the site's words folder and the pieces it joined. Online, the shards that are in
    it, in the same order one after another, are copied from it a stretch of shards at a time:
    after an edit, a bucket is three slices (the shards before the edited one, its new piece, the
    shards after), not one per shard (millions at 100,000 notices)."""
    final = root / name
    if final.is_dir():
        return
    work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        folder = work / "words"
        folder.mkdir()
        with ExitStack() as opened:
            sources = (None if offline or previous is None else
                       _spliced_sources(pieces, count, *previous, opened))
            if sources is None:
                sources = [_piece_source(path, count, opened) for path in pieces]
            packs = [] if offline else [opened.enter_context((folder / pack).open("wb")) for pack in PACKS]
            sizes = []
            # A bucket is every source's piece of it, cut and joined at C speed (map, zip,
            # join), a run of buckets at a time.
            for family in range(len(FAMILIES)):
                for first in range(family * count, (family + 1) * count, JOIN_RUN):
                    last = min(first + JOIN_RUN, (family + 1) * count)
                    parts = [cut(first, last) for cut in sources]
                    joined = list(map(b"".join, zip(*parts, repeat(FINAL_BLOCK, last - first))))
                    if not offline:
                        sizes += map(len, joined)
                        _write(packs[family], b"".join(joined))
                        continue
                    for piece, blob in enumerate(joined, first):
                        file = f"{FAMILIES[family]}{piece % count}"
                        script = data_script(f"{name}/{file}", base64.b64encode(blob).decode("ascii"))
                        with (folder / f"{file}.js").open("wb") as out:
                            _write(out, script.encode("utf-8"))
            if not offline:
                with (folder / LENGTHS).open("wb") as out:
                    _write(out, _leb128(sizes))
        os.chmod(folder, 0o755)
        folder.rename(final)
    finally:
        shutil.rmtree(work, ignore_errors=True)


Cut = Callable[[int, int], Iterator[bytes]]  # pieces first..last-1 of a source


def _piece_source(path: Path, count: int, opened: ExitStack) -> Cut:
    """A shard's pieces, from its pieces file."""
    data = _mapped(path, opened)
    lengths, at = _read_header(data)
    if len(lengths) != count * len(FAMILIES):
        raise ValueError(f"{path}: {len(lengths)} pieces, not {count} of each family")
    starts = list(accumulate(lengths, initial=at))
    return lambda first, last: _cut_run(data, starts[first:last + 1])


def _spliced_sources(pieces: list[Path], count: int, folder: Path, joined: list[Path],
                     opened: ExitStack) -> list[Cut] | None:
    """Sources for `pieces` taking every stretch of shards that stand one after another in the
    previous packs (folder, made of `joined`) from those packs; None when no stretch is there,
    or the packs are not what `joined` makes (their bucket lengths are checked against the
    pieces' headers)."""
    position = {path: index for index, path in enumerate(joined)}
    stretches: list[list] = []  # [first, end) of joined, or [path] of a piece file
    for path in pieces:
        index = position.get(path)
        if index is not None and stretches and len(stretches[-1]) == 2 and stretches[-1][1] == index:
            stretches[-1][1] += 1
        else:
            stretches.append([index, index + 1] if index is not None else [path])
    if not any(len(stretch) == 2 for stretch in stretches):
        return None
    try:
        old_lengths = _unleb128((folder / LENGTHS).read_bytes())
        packs = [_mapped(folder / pack, opened) for pack in PACKS]
        total = count * len(FAMILIES)
        bounds = {bound for stretch in stretches if len(stretch) == 2 for bound in stretch}
        # offsets[j]: where shard j's piece of each bucket starts within the bucket
        offsets, running = {0: [0] * total}, [0] * total
        for index, path in enumerate(joined, 1):
            with path.open("rb") as handle:
                lengths, _ = _read_header(handle.read(HEADER_PEEK + 4 * total))
            if len(lengths) != total:
                return None
            running = list(map(add, running, lengths))
            if index in bounds:
                offsets[index] = running
    except (OSError, ValueError):
        return None
    if len(old_lengths) != total or list(map(sub, old_lengths, running)) != [len(FINAL_BLOCK)] * total:
        return None
    # Each bucket's start within its family's pack.
    starts: list[int] = []
    for family in range(len(FAMILIES)):
        starts += list(accumulate(old_lengths[family * count:(family + 1) * count - 1], initial=0))
    sources: list[Cut] = []
    for stretch in stretches:
        if len(stretch) == 1:
            sources.append(_piece_source(stretch[0], count, opened))
            continue
        low = list(map(add, starts, offsets[stretch[0]]))
        high = list(map(add, starts, offsets[stretch[1]]))
        sources.append(lambda first, last, low=low, high=high: map(
            packs[first // count].__getitem__, map(slice, low[first:last], high[first:last])))
    return sources


def _cut_run(data: mmap.mmap, starts: list[int]) -> Iterator[bytes]:
    """The pieces of a run: one read of the run's bytes, then slices of it (bytes slice
    faster than a map)."""
    base = starts[0]
    run = data[base:starts[-1]]
    bounds = list(map(sub, starts, repeat(base, len(starts))))
    return map(run.__getitem__, map(slice, bounds, bounds[1:]))


def _mapped(path: Path, opened: ExitStack) -> mmap.mmap:
    with path.open("rb") as handle:
        return opened.enter_context(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))


def _write(out: BinaryIO, data: bytes) -> None:
    out.write(data)


def _leb128(numbers: list[int]) -> bytes:
    """Unsigned LEB128: 7 bits a byte, low first, the high bit set on all but the last."""
    out = bytearray()
    for number in numbers:
        while number >= 0x80:
            out.append(number & 0x7F | 0x80)
            number >>= 7
        out.append(number)
    return bytes(out)


def _unleb128(data: bytes) -> list[int]:
    numbers, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            numbers.append(value)
            value, shift = 0, 0
    return numbers


def bucket_lengths(folder: Path) -> str | None:
    """What the lookup tells the browser of a words folder's packs: LENGTHS in base64 (None
    for a folder of scripts, read from disk)."""
    path = folder / LENGTHS
    return base64.b64encode(path.read_bytes()).decode("ascii") if path.is_file() else None


def remove_folder(path: Path) -> None:
    """Renamed away first, so that no folder is ever half deleted under its final name."""
    away = path.with_name(f".{path.name}-removed")
    try:
        path.rename(away)
    except OSError:
        return
    shutil.rmtree(away, ignore_errors=True)


def bucket_bytes(folder: Path, family: str, n: int) -> bytes:
    """Bucket n of a family as the browser gets it (from a pack, or from its script)."""
    script = folder / f"{family}{n}.js"
    if script.is_file():
        text = script.read_text(encoding="utf-8")
        return base64.b64decode(json.loads(text.split("]=", 1)[1].rstrip(";\n")))
    lengths = _unleb128((folder / LENGTHS).read_bytes())
    count = len(lengths) // len(FAMILIES)
    index = FAMILIES.index(family)
    start = sum(lengths[index * count:index * count + n])
    with (folder / PACKS[index]).open("rb") as pack:
        pack.seek(start)
        return pack.read(lengths[index * count + n])


def read_bucket(folder: Path, family: str, n: int) -> list[tuple[str, list]]:
    """A bucket's (shard folder, entries) items: what the browser reads (for tests)."""
    stream = io.BytesIO(zlib.decompressobj(-15).decompress(bucket_bytes(folder, family, n)))
    decoder = cbor2.CBORDecoder(stream)
    items = []
    while stream.tell() < len(stream.getbuffer()):
        items.append((decoder.decode(), decoder.decode()))
    return items
