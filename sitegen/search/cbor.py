"""The part of CBOR that Pagefind's index files use: integers, strings, arrays.

Pagefind writes its metadata and index chunks as gzipped CBOR behind a "pagefind_dcd"
signature; the build reads the metadata (chunk boundaries, page order), and tests read
chunks to check what was indexed.
"""

from __future__ import annotations

import gzip

SIGNATURE = b"pagefind_dcd"


class CborError(ValueError):
    pass


def unpack(data: bytes) -> bytes:
    """A Pagefind file's CBOR bytes (gunzipped, signature checked)."""
    if not data.startswith(SIGNATURE):
        data = gzip.decompress(data)
    if not data.startswith(SIGNATURE):
        raise CborError("not a Pagefind index file (no signature)")
    return data[len(SIGNATURE):]


def decode(data: bytes) -> object:
    return _item(data, 0)[0]


def _item(data: bytes, at: int) -> tuple[object, int]:
    if at >= len(data):
        raise CborError("truncated")
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        length = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if at + size > len(data):
            raise CborError("truncated")
        length = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise CborError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return length, at
    if major == 1:
        return -1 - length, at
    if major in (2, 3):
        if at + length > len(data):
            raise CborError("truncated")
        chunk = data[at:at + length]
        return (chunk.decode("utf-8") if major == 3 else chunk), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    raise CborError(f"unsupported CBOR major type {major}")
