"""What a build remembers for the next one: one folder (`.sitegen-cache/`, safe to delete at any
time: the next build is then a cold one) and one object that owns every store in it.

- notices (`notices-*.pickle`, one per content folder): each content file's parsed metadata
  (body left out), digests, citations and statements, valid while the file's stamp (size,
  mtime, ctime, inode) stays the same and the rules that parsed it are the same (the reader's
  `rules`: a digest of the parsing code and the renderer's version); loading 10,000 takes
  milliseconds;
- bodies (`build.sqlite`, table bodies): rendered HTML by `fingerprint.body_digest` of its
  Markdown; workers add what they render (`BodyStore`), so bodies never travel back to the parent;
- pages (`build.sqlite`, table pages): per output folder, the fingerprint of every page's
  inputs (`fingerprint.PageFingerprints`); a warm build rewrites only pages whose fingerprint
  changed;
- plans (`build.sqlite`, tables plans and plan_batches): per output folder, each page that
  shows a notice's body as it was last written (the pickled `Page`: what its template
  received), added by the workers that write them, a batch (a worker's task) in one pickle:
  pickled one by one, each page repeated what its neighbours had said (classes, shared
  entries), at three times the cost; a build after edits that touch only bodies rewrites those
  pages from here, without planning the site (`site/incremental.py`);
- snapshots (`build.sqlite`, table snapshots): per output folder, what the last complete build
  was made of (`incremental.Snapshot`); stored after everything else, and dropped before any
  page is written, so it only ever describes a site that is whole on disk; with it, a row per
  file (table sources): what of the file the next build compares, and what search reads of
  its notice (so an edit of bodies is indexed without reading the archive again);
- search (`search/`): the Pagefind index of each shard, kept by sitegen/search.

The rule that makes a killed build harmless: a stored fingerprint never claims a file that is
not on disk. Fingerprints of pages about to be written are forgotten first (`forget_pages`),
and the new ones are stored last (`store_pages`), after every file is in place, the snapshot
after them. Bodies are keyed by their content, so a body stored early is never wrong; a plan
is only read for a page of a snapshot's site.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path

from ..content import write_atomic
from ..fingerprint import digest  # noqa: F401  (sitegen/search imports it from here)
from ..parallel import paused_collector

SCHEMA_VERSION = "12"  # of the stores' layout


def _connect(path: Path) -> sqlite3.Connection:
    # A cache, not a record: no fsync, and a write-ahead log so workers can add bodies at once.
    connection = sqlite3.connect(path, timeout=60)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    return connection


# One connection per database and process: a forked worker never uses its parent's.
_connections: dict[tuple[int, Path], sqlite3.Connection] = {}


class _Store:
    """A store of build.sqlite. Small to pickle: a worker process that is handed it opens a
    connection of its own the first time it uses it."""

    def __init__(self, database: Path | None):
        self.database = database

    def _connection(self) -> sqlite3.Connection | None:
        if self.database is None:
            return None
        key = (os.getpid(), self.database)
        connection = _connections.get(key)
        if connection is None:
            connection = _connections[key] = _connect(self.database)
        return connection


class PlanStore(_Store):
    """Where the workers put each page with a body they write (per output folder)."""

    def __init__(self, database: Path | None, out: Path):
        super().__init__(database)
        self.out = str(out)

    def add(self, pages: list) -> None:
        connection = self._connection()
        if connection is not None and pages:
            batch = connection.execute("INSERT INTO plan_batches (out, pages) VALUES (?, ?)",
                                       (self.out, pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL))).lastrowid
            connection.executemany("INSERT OR REPLACE INTO plans VALUES (?, ?, ?)",
                                   [(self.out, page.path, batch) for page in pages])
            connection.commit()


class BodyStore(_Store):
    """Rendered bodies by key."""

    def get(self, keys: list[str]) -> dict[str, str]:
        connection = self._connection()
        if connection is None or not keys:
            return {}
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(connection.execute(f"SELECT hash, html FROM bodies WHERE hash IN ({marks})", chunk))
        return found

    def known(self, keys: list[str]) -> set[str]:
        """Those of keys the store has a body for."""
        connection = self._connection()
        if connection is None or not keys:
            return set()
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(key for key, in connection.execute(f"SELECT hash FROM bodies WHERE hash IN ({marks})", chunk))
        return found

    def add(self, rendered: list[tuple[str, str]]) -> None:
        connection = self._connection()
        if connection is not None and rendered:
            connection.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", rendered)
            connection.commit()

    def close(self) -> None:
        connection = _connections.pop((os.getpid(), self.database), None) if self.database else None
        if connection is not None:
            connection.close()


class BuildCache:
    """Every store of the build cache; with folder None, a build that remembers nothing."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self._groups: dict[str, dict] = {}
        self._notices_version = ""
        if folder is None:
            self.bodies = BodyStore(None)
            return
        folder.mkdir(parents=True, exist_ok=True)
        self.bodies = BodyStore(folder / "build.sqlite")
        connection = self._db
        connection.executescript(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE IF NOT EXISTS bodies (hash TEXT PRIMARY KEY, html TEXT);"
            "CREATE TABLE IF NOT EXISTS pages (out TEXT, path TEXT, fingerprint TEXT,"
            " PRIMARY KEY (out, path));"
            "CREATE TABLE IF NOT EXISTS snapshots (out TEXT PRIMARY KEY, data BLOB);"
            "CREATE TABLE IF NOT EXISTS sources (out TEXT, name TEXT, signature TEXT, body_key TEXT, digest TEXT,"
            " pages TEXT, search BLOB, PRIMARY KEY (out, name));"
        )
        if "search" not in {row[1] for row in connection.execute("PRAGMA table_info(sources)")}:
            # Added since: a row without one is read as missing (the next full build fills it).
            connection.execute("ALTER TABLE sources ADD COLUMN search BLOB")
        version = connection.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            connection.executescript("DELETE FROM bodies; DELETE FROM pages; DELETE FROM snapshots; DELETE FROM sources;"
                                     "DROP TABLE IF EXISTS plans; DROP TABLE IF EXISTS plan_batches;")
            connection.execute("REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        connection.executescript(  # after the schema's check: an older plans table had other columns
            "CREATE TABLE IF NOT EXISTS plans (out TEXT, path TEXT, batch INTEGER, PRIMARY KEY (out, path));"
            "CREATE INDEX IF NOT EXISTS plans_by_batch ON plans (batch);"
            "CREATE TABLE IF NOT EXISTS plan_batches (id INTEGER PRIMARY KEY, out TEXT, pages BLOB);"
        )
        # Never keep a transaction open: worker processes write bodies meanwhile.
        connection.commit()

    @property
    def _db(self) -> sqlite3.Connection:
        connection = self.bodies._connection()
        assert connection is not None
        return connection

    def close(self) -> None:
        self.bodies.close()

    def __enter__(self) -> BuildCache:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- parsed notices ----------------------------------------------------
    # One pickle per content folder (a year), so an edit rewrites one small file.
    def notices(self, rules: str) -> dict[str, tuple]:
        """What was parsed of each content file under these rules (path -> row)."""
        self._groups = {}
        self._notices_version = f"{SCHEMA_VERSION};{rules}"
        if self.folder is None:
            return {}
        entries: dict[str, tuple] = {}
        for path in sorted(self.folder.glob("notices-*.pickle")):
            try:
                with open(path, "rb") as handle, paused_collector():
                    version, group = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError,
                    TypeError):
                continue
            if version == self._notices_version:
                self._groups[path.name] = group
                entries.update(group)
        return entries

    def store_notices(self, entries: dict[str, tuple]) -> None:
        if self.folder is None:
            return
        groups: dict[str, dict] = {}
        names: dict[str, str] = {}  # folder -> its group (a few dozen folders, 100,000 files)
        for path, entry in entries.items():
            folder = os.path.dirname(path)
            name = names.get(folder)
            if name is None:
                digest = hashlib.sha1(str(Path(folder)).encode("utf-8")).hexdigest()[:12]
                name = names[folder] = f"notices-{digest}.pickle"
            groups.setdefault(name, {})[path] = entry
        for name, group in groups.items():
            if self._groups.get(name) != group:
                data = pickle.dumps((self._notices_version, group), protocol=pickle.HIGHEST_PROTOCOL)
                write_atomic(self.folder / name, data)
        for name in set(self._groups) - set(groups):
            (self.folder / name).unlink(missing_ok=True)
        self._groups = groups

    # -- page fingerprints -------------------------------------------------
    def pages(self, out: Path) -> dict[str, str]:
        """The fingerprint of every page the last build wrote into out (path -> fingerprint)."""
        if self.folder is None:
            return {}
        rows = self._db.execute("SELECT path, fingerprint FROM pages WHERE out = ?", (str(out),))
        return dict(rows)

    def forget_pages(self, out: Path, paths: list[str] | None = None) -> None:
        """Before those pages (None: all) are written: from now on nothing claims them, and
        no snapshot claims the site."""
        if self.folder is None:
            return
        self._db.execute("DELETE FROM snapshots WHERE out = ?", (str(out),))
        if paths is None:
            self._db.execute("DELETE FROM pages WHERE out = ?", (str(out),))
            self._db.execute("DELETE FROM plans WHERE out = ?", (str(out),))
            self._db.execute("DELETE FROM plan_batches WHERE out = ?", (str(out),))
        else:
            self._db.executemany("DELETE FROM pages WHERE out = ? AND path = ?",
                                 ((str(out), path) for path in paths))
        self._db.commit()

    def store_pages(self, out: Path, fingerprints: dict[str, str], every: bool = True) -> None:
        """After every page is on disk: the fingerprints of what out now holds (every: these
        are all its pages; else only those that changed)."""
        if self.folder is None:
            return
        if every:
            self._db.execute("DELETE FROM pages WHERE out = ?", (str(out),))
        self._db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
                             ((str(out), path, value) for path, value in fingerprints.items()))
        self._drop_unused_plans(out)
        self._db.commit()

    def plans(self, out: Path) -> PlanStore:
        return PlanStore(self.bodies.database, out)

    def planned(self, out: Path, paths: list[str]) -> dict[str, object]:
        """The pages (by path) as they were last written into out, of those that are known."""
        if self.folder is None:
            return {}
        wanted: dict[int, list[str]] = {}  # batch -> the paths asked for that are in it
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for path, batch in self._db.execute(f"SELECT path, batch FROM plans WHERE out = ? AND path IN ({marks})",
                                                [str(out), *chunk]):
                wanted.setdefault(batch, []).append(path)
        found = {}
        for batch in sorted(wanted):
            row = self._db.execute("SELECT pages FROM plan_batches WHERE id = ?", (batch,)).fetchone()
            try:
                pages = {} if row is None else {page.path: page for page in pickle.loads(row[0])}
            except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError, TypeError):
                continue
            found.update((path, pages[path]) for path in wanted[batch] if path in pages)
        return found

    def forget_plans(self, out: Path, paths: list[str]) -> None:
        if self.folder is not None and paths:
            self._db.executemany("DELETE FROM plans WHERE out = ? AND path = ?", ((str(out), p) for p in paths))
            self._db.commit()

    def _drop_unused_plans(self, out: Path) -> None:
        """The batches no page's plan is in any more (every page of theirs written again since)."""
        self._db.execute("DELETE FROM plan_batches WHERE out = ? AND NOT EXISTS "
                         "(SELECT 1 FROM plans WHERE plans.batch = plan_batches.id)", (str(out),))

    # -- what the last complete build was made of ------------------------------
    def snapshot(self, out: Path) -> object | None:
        if self.folder is None:
            return None
        row = self._db.execute("SELECT data FROM snapshots WHERE out = ?", (str(out),)).fetchone()
        if row is None:
            return None
        try:
            with paused_collector():
                return pickle.loads(row[0])
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError, TypeError):
            return None

    def sources(self, out: Path, names: list[str]) -> dict[str, tuple]:
        """The snapshot's row of each of these files (name -> signature, body key, digest,
        body pages, search row)."""
        if self.folder is None:
            return {}
        found = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute("SELECT name, signature, body_key, digest, pages, search FROM sources"
                                    f" WHERE out = ? AND name IN ({marks})", [str(out), *chunk])
            for name, signature, key, file_digest, pages, search in rows:
                found[name] = (signature, key, file_digest, tuple(pages.split("\n")) if pages else (), search)
        return found

    def search_rows(self, out: Path) -> dict[str, tuple[bytes, str, str]]:
        """Every file of the snapshot: name -> its search row, body key and digest."""
        if self.folder is None:
            return {}
        rows = self._db.execute("SELECT name, search, body_key, digest FROM sources WHERE out = ?", (str(out),))
        return {name: (search, key, file_digest) for name, search, key, file_digest in rows}

    def store_snapshot(self, out: Path, snapshot: object, sources: dict[str, tuple], every: bool) -> None:
        """Last of all: out is whole, and this is what it was made of: the snapshot and the
        files' rows (every: all of them; else those that changed), in one transaction."""
        if self.folder is None:
            return
        data = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        rows = {name: (signature, key, file_digest, "\n".join(pages), search)
                for name, (signature, key, file_digest, pages, search) in sources.items()}
        with self._db as db:
            db.execute("DELETE FROM snapshots WHERE out = ?", (str(out),))
            if every:  # rows as they are stay: a full plan after a small edit rewrites a few
                stored = {name: tuple(row) for name, *row in db.execute(
                    "SELECT name, signature, body_key, digest, pages, search FROM sources WHERE out = ?",
                    (str(out),))}
                db.executemany("DELETE FROM sources WHERE out = ? AND name = ?",
                               ((str(out), name) for name in stored.keys() - rows.keys()))
                rows = {name: row for name, row in rows.items() if stored.get(name) != row}
            db.executemany("REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ((str(out), name, *row) for name, row in rows.items()))
            db.execute("REPLACE INTO snapshots VALUES (?, ?)", (str(out), data))

    # -- search index ------------------------------------------------------
    @property
    def search_folder(self) -> Path | None:
        """Where sitegen/search keeps each shard's index between builds (None: nowhere)."""
        return self.folder / "search" if self.folder is not None else None
