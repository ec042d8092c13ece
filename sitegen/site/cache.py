"""What a build remembers for the next one, in one SQLite file the user may delete at any time.

- notices: each content file's parsed metadata (body left out) and digests, valid while the
  file's size and mtime stay the same (a pickle: loading 10,000 entries takes milliseconds);
- bodies: rendered HTML by the hash of its Markdown;
- pages: the fingerprint of every page's inputs, so a warm build rewrites only pages whose
  inputs changed and leaves every other output file untouched.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from pathlib import Path

from ..fingerprint import digest  # noqa: F401  (sitegen/search imports it from here)
from ..relations import RULES_VERSION

# Cached notices carry the relation statements found in them: new rules, new statements.
SCHEMA_VERSION = f"7+relations-{RULES_VERSION}"


def _connect(path: Path) -> sqlite3.Connection:
    # A cache, not a record: no fsync, and a write-ahead log so workers can add bodies at once.
    connection = sqlite3.connect(path, timeout=60)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    return connection


_worker_connections: dict[Path, sqlite3.Connection] = {}


def store_bodies_from_worker(folder: Path, rendered: list[tuple[str, str]]) -> None:
    """Add (hash, html) of rendered bodies from a worker process, over its own connection."""
    connection = _worker_connections.get(folder)
    if connection is None:
        connection = _worker_connections[folder] = _connect(folder / "build.sqlite")
    connection.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", rendered)
    connection.commit()


class BuildCache:
    def __init__(self, folder: Path | None):
        self.connection = None
        self.folder = folder
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        self.connection = _connect(folder / "build.sqlite")
        self.connection.executescript(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE IF NOT EXISTS bodies (hash TEXT PRIMARY KEY, html TEXT);"
            "CREATE TABLE IF NOT EXISTS pages (out TEXT, path TEXT, fingerprint TEXT,"
            " PRIMARY KEY (out, path));"
        )
        version = self.connection.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            self.connection.executescript(
                "DELETE FROM bodies; DELETE FROM pages;"
            )
            self.connection.execute("REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        # Never keep a transaction open: worker processes write bodies meanwhile.
        self.connection.commit()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.commit()
            self.connection.close()
            self.connection = None

    # -- parsed notices ----------------------------------------------------
    # One pickle per content folder (a year), so an edit rewrites one small file.
    def notices(self) -> dict[str, tuple]:
        self._groups: dict[str, dict] = {}
        if self.folder is None:
            return {}
        entries: dict[str, tuple] = {}
        for path in sorted(self.folder.glob("notices-*.pickle")):
            try:
                with open(path, "rb") as handle:
                    version, group = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
                continue
            if version == SCHEMA_VERSION:
                self._groups[path.name] = group
                entries.update(group)
        return entries

    def store_notices(self, entries: dict[str, tuple]) -> None:
        if self.folder is None:
            return
        groups: dict[str, dict] = {}
        for path, entry in entries.items():
            name = hashlib.sha1(str(Path(path).parent).encode("utf-8")).hexdigest()[:12]
            groups.setdefault(f"notices-{name}.pickle", {})[path] = entry
        previous = getattr(self, "_groups", {})
        for name, group in groups.items():
            if previous.get(name) != group:
                temporary = self.folder / f"{name}.tmp"
                with open(temporary, "wb") as handle:
                    pickle.dump((SCHEMA_VERSION, group), handle, protocol=pickle.HIGHEST_PROTOCOL)
                temporary.replace(self.folder / name)
        for name in set(previous) - set(groups):
            (self.folder / name).unlink(missing_ok=True)
        self._groups = groups

    # -- rendered bodies ---------------------------------------------------
    def bodies(self, hashes: list[str]) -> dict[str, str]:
        if self.connection is None or not hashes:
            return {}
        found = {}
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.connection.execute(
                f"SELECT hash, html FROM bodies WHERE hash IN ({marks})", chunk))
        return found

    def store_bodies(self, rendered: dict[str, str]) -> None:
        if self.connection is not None and rendered:
            self.connection.executemany("REPLACE INTO bodies VALUES (?, ?)", rendered.items())
            self.connection.commit()

    # -- page fingerprints -------------------------------------------------
    def fingerprints(self, out: Path) -> dict[str, str]:
        if self.connection is None:
            return {}
        rows = self.connection.execute("SELECT path, fingerprint FROM pages WHERE out = ?", (str(out),))
        return dict(rows)

    def store_fingerprints(self, out: Path, fingerprints: dict[str, str]) -> None:
        if self.connection is None:
            return
        self.connection.execute("DELETE FROM pages WHERE out = ?", (str(out),))
        self.connection.executemany(
            "INSERT INTO pages VALUES (?, ?, ?)",
            ((str(out), path, value) for path, value in fingerprints.items()),
        )
        self.connection.commit()
