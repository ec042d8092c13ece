"""What the importer knows of every notice file of an archive without reading it again.

An import must know, for every file in content/, the notice it holds (its id claims the file
name) and the keys that make two notices one (file number, title): reading and parsing
100,000 files for that costs a minute. The index keeps those few fields per file, with the
file's stamp (size, mtime, ctime, inode) when they were read: a row is used only while the
file's stamp is unchanged, so an edit, a copy or a file written by a killed import is read
again, and a stale index can make an import slower, never wrong. It is written last, in one
rename (`.sitegen-cache/import-index.pickle`; safe to delete).
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import NamedTuple

from .content import write_atomic
from .parallel import paused_collector

INDEX_NAME = "import-index.pickle"
VERSION = 1


class Row(NamedTuple):
    """One notice file as the importer last read it."""

    stamp: str  # size:mtime:ctime:inode when read
    key: str  # the notice id the file claims (or a key no id can take, when none can be read)
    notice: bool  # its front matter is valid (else the file is left as it is)
    edited: bool  # a reviewer changed it since the importer wrote it
    number: str  # the normalised file number (dedup's key), or ""
    title: str  # the squeezed title (dedup's key), or ""
    warning: str  # what reading it said (repeated on every import, as a re-read would)


def file_stamp(path: Path | str) -> str:
    """A stamp that changes whenever the file does: an edit that restores size and mtime still
    sets the ctime, which no one can set back, and a replaced file has a new inode."""
    stat = os.stat(path)
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def load_index(path: Path | None) -> dict[str, Row]:
    """Rows by file path relative to the content folder; empty when there is no usable index."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle, paused_collector():
            version, rows = pickle.load(handle)
            if version != VERSION or not isinstance(rows, dict):
                return {}
            return {name: Row(*row) for name, row in rows.items()}
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return {}


def store_index(path: Path | None, rows: dict[str, Row]) -> None:
    if path is None:
        return
    with paused_collector():  # (100,000 new tuples: the collector would walk them again and again)
        data = pickle.dumps((VERSION, {name: tuple(row) for name, row in rows.items()}),
                            protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(path, data)
