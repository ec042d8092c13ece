"""One notice published twice (another column, a sub-site) becomes one file.

Two notices are the same when they share a file number, or when they share a
title and their texts are near-identical. The richer record wins; the others
are listed in its also_published.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from functools import partial
from itertools import chain

from .citations import file_number_key
from .convert.text import squeeze
from .notice import Notice, Publication

NEAR_IDENTICAL = 0.9
_MARKUP = re.compile(r"[\\*#>{}\[\]()!_`|-]|<[^<>]+>|\.(center|right)")  # '<[^<>]': linear


def _shingles(body: str) -> frozenset[int | str]:
    """The text's 4-character runs (the text itself when shorter), each as a number where its
    characters are all in Unicode's basic plane: their UTF-16 code units read as one 64-bit
    integer, which only that run gives. Numbers are made and hashed several times faster than
    strings, and a run that stays a string never equals a number: the sets, their sizes and
    their overlaps are those of the runs themselves."""
    text = squeeze(_MARKUP.sub("", body))
    if len(text) < _RUN:
        return frozenset([text])
    utf16 = text.encode("utf-16-le")
    if len(utf16) != 2 * len(text):  # a character outside the basic plane (two code units): run by run
        return frozenset([_run_key(text[at : at + _RUN]) for at in range(len(text) - _RUN + 1)])
    units = memoryview(utf16)
    # The runs starting at characters k, k + 4, k + 8 ...: consecutive 8-byte words from 2k.
    return frozenset(chain.from_iterable(
        units[2 * k : 2 * k + (len(text) - k) // _RUN * 8].cast("Q") for k in range(_RUN)))


_RUN = 4


def _run_key(run: str) -> int | str:
    """One run as _shingles keeps it (cast("Q") reads words in the machine's byte order)."""
    if max(run) > "\uffff":
        return run
    return int.from_bytes(run.encode("utf-16-le"), sys.byteorder)


def near_identical(a: Notice, b: Notice) -> bool:
    """Texts that share almost all their 4-character runs (Jaccard similarity).

    Linear in the text length, unlike an edit distance, so a crawl with many
    same-titled notices stays fast.
    """
    if a.body_missing or b.body_missing:
        return False  # no text to compare: two records without a body are not alike by it
    return _similar(_shingles(a.body), _shingles(b.body))


def _similar(first: frozenset[int | str], second: frozenset[int | str]) -> bool:
    if not first or not second:
        return first == second
    smaller, larger = sorted((len(first), len(second)))
    if smaller / larger < NEAR_IDENTICAL:
        return False  # the intersection is at most the smaller, the union at least the larger
    shared = len(first & second)
    return shared / (smaller + larger - shared) >= NEAR_IDENTICAL


def dedup_keys(notice: Notice) -> tuple[str, str]:
    """What two notices must share to be one: the normalised file number ("" when there is
    none), or the squeezed title (and near-identical text)."""
    return (file_number_key(notice.file_number) if notice.file_number else "", squeeze(notice.title))


class KeysOnce:
    """dedup_keys, worked out once for each file number and title: an import asks for every
    notice's keys three times (the files it can reach, the groups, the index rows), and
    normalising a file number costs about 20 µs."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, notice: Notice) -> tuple[str, str]:
        fields = (notice.file_number, notice.title)
        keys = self.known.get(fields)
        if keys is None:
            keys = self.known[fields] = dedup_keys(notice)
        return keys


def _own_body(notice: Notice) -> str:
    return notice.body


def duplicate_groups(notices: list[Notice], body_of: Callable[[Notice], str] = _own_body,
                     map_texts: Callable = map,
                     progress: Callable[[int, int], None] | None = None,
                     utf8_of: Callable[[Notice], str | bytes] | None = None,
                     keys_of: Callable[[Notice], tuple[str, str]] = dedup_keys) -> list[list[Notice]]:
    """Groups of the same notice, each with its primary (the richest record) first.

    body_of gives a notice's body (the importer keeps bodies out of memory): it is asked only
    for notices that share a title or a group with another, one title at a time as map_texts
    takes them. map_texts(near_identical_pairs, texts) is where the texts of each shared title
    are compared (the importer's: on every core); progress(done, total) is told as titles are.
    utf8_of, where given, gives the bodies to compare instead, as UTF-8 where it keeps them so:
    they are decoded where they are compared, not decoded and encoded again on the way.
    keys_of: dedup_keys, or a KeysOnce."""
    parent = {n.id: n.id for n in notices}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_number: dict[str, list[Notice]] = defaultdict(list)
    by_title: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        number, title = keys_of(notice)
        if number:
            by_number[number].append(notice)
        by_title[title].append(notice)
    for same in by_number.values():
        for other in same[1:]:
            union(same[0].id, other.id)
    shared = [same for same in by_title.values() if len(same) > 1]
    # No text to compare where the record had no body.
    texts = ([(n.id, (utf8_of or body_of)(n)) for n in same if not n.body_missing] for same in shared)
    for done, pairs in enumerate(map_texts(near_identical_pairs, texts), 1):
        for first, second in pairs:
            union(first, second)
        if progress and (done % 200 == 0 or done == len(shared)):
            progress(done, len(shared))

    groups: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        groups[root(notice.id)].append(notice)
    return [sorted(group, key=partial(_primary_order, body_of)) if len(group) > 1 else group
            for _, group in sorted(groups.items())]


# Up to this many texts of one title are compared pair by pair: cheaper than ranking every
# text's runs by rarity, which pays only for many texts.
PAIRWISE_UP_TO = 16


def near_identical_pairs(texts: list[tuple[str, str | bytes]]) -> list[tuple[str, str]]:
    """The pairs of ids whose texts are near-identical, among (id, body, or its UTF-8) of
    notices of one title, without comparing every pair where there are many (a crawl may hold
    thousands of notices titled alike)."""
    bodies = [(key, body.decode("utf-8") if isinstance(body, bytes) else body) for key, body in texts]
    if len(bodies) <= PAIRWISE_UP_TO:
        arrays = {key: _run_array(body) for key, body in bodies}
        if all(runs is not None for runs in arrays.values()):
            keys = sorted(arrays)
            return [(first, second) for at, first in enumerate(keys) for second in keys[at + 1 :]
                    if _similar_arrays(arrays[first], arrays[second])]
    shingles = {key: _shingles(body) for key, body in bodies}
    if len(shingles) <= PAIRWISE_UP_TO:
        keys = sorted(shingles)
        return [(first, second) for at, first in enumerate(keys) for second in keys[at + 1 :]
                if _similar(shingles[first], shingles[second])]
    return list(_prefix_filtered_pairs(shingles))


def _run_array(body: str):
    """_shingles(body) as a sorted array of its numbers, made at C speed (making a set of a
    text's 64-bit numbers took most of a comparison's time), or None where a run stays a string
    (a text shorter than a run, or with a character outside the basic plane)."""
    import numpy  # here: only an import of same-titled notices needs it

    text = squeeze(_MARKUP.sub("", body))
    utf16 = text.encode("utf-16-le")
    if len(text) < _RUN or len(utf16) != 2 * len(text):  # (max(text) reads it a character at a time)
        return None
    units = numpy.frombuffer(utf16, dtype=numpy.uint16).astype(numpy.uint64)
    # Each run's UTF-16 code units as one number, the first lowest: the number _shingles's
    # cast("Q") reads from them on a little-endian machine.
    count = len(text) - _RUN + 1
    if sys.byteorder == "little":
        runs = units[:count] | units[1 : count + 1] << 16 | units[2 : count + 2] << 32 | units[3:] << 48
    else:
        runs = units[:count] << 48 | units[1 : count + 1] << 32 | units[2 : count + 2] << 16 | units[3:]
    runs.sort()
    return runs[numpy.concatenate(([True], runs[1:] != runs[:-1]))]  # each once


def _similar_arrays(first, second) -> bool:
    """_similar of two _run_array answers."""
    import numpy

    smaller, larger = sorted((len(first), len(second)))
    if smaller / larger < NEAR_IDENTICAL:
        return False
    shared = len(numpy.intersect1d(first, second, assume_unique=True))
    return shared / (smaller + larger - shared) >= NEAR_IDENTICAL


def _prefix_filtered_pairs(shingles: dict[str, frozenset[int | str]]) -> Iterator[tuple[str, str]]:
    """Prefix filtering (as in the AllPairs / PPJoin set-similarity joins): with each text's runs
    ordered rarest first, two texts of Jaccard similarity >= t share at least one of their first
    |runs| - ceil(t * |runs|) + 1 runs. Only texts that do are compared; the answer is the same
    as comparing all pairs.
    """
    frequency = Counter(run for runs in shingles.values() for run in runs)
    index: dict[int | str, list[str]] = defaultdict(list)  # run -> ids with it in their prefix
    for key in sorted(shingles, key=lambda k: (len(shingles[k]), k)):
        runs = shingles[key]
        rarest = sorted(runs, key=lambda run: (frequency[run], isinstance(run, str), run))
        candidates: set[str] = set()
        for run in rarest[: len(runs) - math.ceil(NEAR_IDENTICAL * len(runs)) + 1]:
            candidates.update(index[run])
            index[run].append(key)
        for other in sorted(candidates):
            # Smaller texts come first: one much smaller cannot be near-identical.
            if len(shingles[other]) >= NEAR_IDENTICAL * len(runs) and _similar(shingles[other], runs):
                yield other, key


def _primary_order(body_of: Callable[[Notice], str], notice: Notice):
    return (-notice.richness(), -len(body_of(notice)), notice.id)


def merge_group(group: list[Notice]) -> Notice:
    """The primary, carrying every other record of the group in also_published."""
    primary, others = group[0], group[1:]
    if not others:
        return primary
    publications = {p.id: p for p in primary.also_published}
    attachments = {a.url: a for a in primary.attachments}
    for other in others:
        publications.setdefault(other.id, Publication(other.id, other.column, other.source_url))
        for publication in other.also_published:
            publications.setdefault(publication.id, publication)
        for attachment in other.attachments:
            attachments.setdefault(attachment.url, attachment)
    publications.pop(primary.id, None)
    primary.also_published = [publications[key] for key in sorted(publications)]
    primary.attachments = list(attachments.values())
    return primary

