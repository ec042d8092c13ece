"""Pagefind's files: gzipped CBOR behind a "pagefind_dcd" signature (cbor2 decodes what
unpack returns: the metadata in pagefind.py, the chunks in words.py).
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
