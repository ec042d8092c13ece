"""`sitegen fetch`: page through a source's search API politely, resumably, and verbatim.

The crawler knows nothing of any one site: the source (MIIT's API, gov.cn's policy library,
see `sources/base.py`) makes each page's URL, and reads a response into records and the total
it reports; the crawler pages, retries, saves and keeps the manifest.

Each good response is saved byte for byte as <out>/<query-slug>/page-NNNN.json, with
manifest.json recording the request, time, HTTP status and the totals the API reported.
A response that is not a complete, successful page is never saved: it is retried with
backoff (honouring Retry-After) and, after the last try, reported. Re-running continues
where a run stopped and never downloads a saved page again; once a crawl is complete, a
re-run fetches only what is new, stopping at the first page whose records are all known.
Long date ranges are split into slices, since the API caps deep paging; a date range is part
of the folder name, so a new range is a new crawl, never an update of another one.

The server is not trusted (see `sitegen/download.py`): every response is capped in size and
time, Retry-After is capped, a redirect off the origin is refused, and a server that repeats
the same records with no total is left when the repeats begin.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..content import write_atomic
from ..download import DownloadError, HTTPStatusError, Limits, Policy, download
from ..errors import UserError, count
from .base import PageError, Query, SearchPage, Source

USER_AGENT = f"sitegen/{__version__} (policy archive; polite crawler; one request at a time)"


class FetchError(UserError, RuntimeError):
    pass


@dataclass
class FetchSettings:
    query: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    page_size: int = 20
    delay: float = 1.0  # seconds between requests
    tries: int = 5
    backoff: float = 2.0  # first retry waits this long, then doubles
    timeout: float = 60.0  # seconds for one request, from connecting to its last byte
    max_pages: int = 100  # the deepest page the API serves; longer ranges are sliced
    filters: dict[str, str] = field(default_factory=dict)  # "type", "department", "theme"
    max_bytes: int = 64 * 1_048_576  # a larger response is refused, not read into memory
    max_retry_after: float = 300.0  # a server asking for a longer pause gets this one

    def __post_init__(self) -> None:
        for name, least in (("page_size", 1), ("tries", 1), ("max_pages", 1), ("max_bytes", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise FetchError(f"{name.replace('_', '-')} must be a whole number of at least {least}, "
                                 f"not {value!r}")
        for name in ("delay", "backoff", "timeout", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0 or (name == "timeout" and value == 0):
                raise FetchError(f"{name.replace('_', '-')} must be a positive number of seconds, "
                                 f"not {value!r}")


@dataclass
class FetchReport:
    pages_fetched: int = 0
    pages_skipped: int = 0
    records: int = 0
    new_records: int = 0
    retries: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self, folder: Path) -> str:
        return (f"{count(self.pages_fetched, 'page')} fetched, {self.pages_skipped} already saved, "
                f"{count(self.records, 'record')} ({self.new_records} new), "
                f"{count(self.retries, 'retry', 'retries')}, into {folder}")


def query_slug(query: str, settings: FetchSettings | None = None, source: str = "miit") -> str:
    """An ASCII folder name for a source's query, its filters and its date range: readable where
    it can be, unique always."""
    key = query + json.dumps(settings.filters if settings else {}, sort_keys=True, ensure_ascii=False)
    span = _span(settings)
    if span:
        key += "|" + span
    if source != "miit":  # MIIT's crawls keep the names they had before there were sources
        key += "|" + source
    readable = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40]
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    name = f"{readable}-{digest}" if readable else f"q-{digest}"
    return f"{name}-{span}" if span else name


def _span(settings: FetchSettings | None) -> str:
    if settings is None or (settings.since is None and settings.until is None):
        return ""
    return f"{settings.since or 'start'}--{settings.until or 'end'}"


def check_page(source: Source, body: bytes, where: str) -> SearchPage:
    """The page as its source reads it, or PageError when it is not a complete, good page."""
    return source.read_page(body, where)


def _retry_after(value: str | None, default: float, cap: float) -> float:
    """The pause a 429/503 asks for (seconds or an HTTP date), never longer than cap."""
    if not value:
        return min(default, cap)
    if value.strip().isdigit():
        return min(float(value.strip()), cap)
    try:
        moment = email.utils.parsedate_to_datetime(value)
        seconds = (moment - dt.datetime.now(dt.UTC)).total_seconds()
    except (TypeError, ValueError, OverflowError):
        return min(default, cap)
    return min(max(0.0, seconds), cap)


class Client:
    """One request at a time, a pause between requests, retries with backoff."""

    def __init__(self, source: Source, settings: FetchSettings, report: FetchReport,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.source, self.settings, self.report, self.sleep, self.clock = source, settings, report, sleep, clock
        self.last_request = None

    def get(self, url: str, where: str) -> tuple[bytes, int, SearchPage]:
        policy = Policy(self.source.origin)  # the origin only: a redirect elsewhere is refused
        limits = Limits(max_bytes=self.settings.max_bytes, deadline=self.settings.timeout)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        wait = self.settings.backoff
        problem = ""
        for attempt in range(1, self.settings.tries + 1):
            if self.last_request is not None:
                pause = self.settings.delay - (self.clock() - self.last_request)
                if pause > 0:
                    self.sleep(pause)
            self.last_request = self.clock()
            retry_in = wait
            try:
                response = download(url, policy, limits, headers)
                return response.body, response.status, check_page(self.source, response.body, where)
            except HTTPStatusError as error:
                problem = str(error)
                if not error.retry:
                    raise FetchError(f"{url}: {error}") from None
                retry_in = _retry_after(error.retry_after, wait, self.settings.max_retry_after)
            except DownloadError as error:
                if not error.retry:
                    raise FetchError(f"{where}: {error}") from None
                problem = str(error)
            except PageError as error:
                problem = f"bad page: {error}"
            if attempt < self.settings.tries:
                self.report.retries += 1
                self.sleep(retry_in)
                wait *= 2
        raise FetchError(f"gave up on {where} after {self.settings.tries} tries: {problem}")


class Crawl:
    def __init__(self, source: Source, settings: FetchSettings, out: Path, client: Client,
                 on_page: Callable[[int, int], None] | None = None):
        self.source, self.settings, self.client, self.on_page = source, settings, client, on_page
        self.folder = out / query_slug(settings.query, settings, source.name)
        self.manifest_path = self.folder / "manifest.json"
        self.manifest = self._load_manifest()
        self.known = self._saved_ids()

    def _load_manifest(self) -> dict:
        if self.manifest_path.is_file():
            try:
                manifest = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
                raise FetchError(f"{self.manifest_path}: not a readable manifest ({error}); "
                                 "move it away to start this crawl again") from None
            if isinstance(manifest, dict) and isinstance(manifest.get("slices"), dict) \
                    and isinstance(manifest.get("updates"), list):
                return manifest
            raise FetchError(f"{self.manifest_path}: not a sitegen fetch manifest; "
                             "move it away to start this crawl again")
        return {"source": self.source.name, "origin": self.source.origin,
                "query": self.settings.query, "filters": self.settings.filters,
                "since": str(self.settings.since or ""), "until": str(self.settings.until or ""),
                "complete": False, "slices": {}, "updates": []}

    def _save_manifest(self) -> None:
        write_atomic(self.manifest_path, json.dumps(self.manifest, ensure_ascii=False, indent=1) + "\n")

    def _saved_ids(self) -> set[str]:
        ids: set[str] = set()
        for path in sorted(self.folder.rglob("page-*.json")) if self.folder.is_dir() else []:
            try:
                ids.update(r.id for r in check_page(self.source, path.read_bytes(), str(path)).records)
            except PageError:
                path.unlink()  # never keep a bad page: it is fetched again
        return ids

    def _save(self, path: Path, body: bytes, entry: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(body)
        temporary.replace(path)
        entry.setdefault("pages", {})[path.name] = {"time": _now(), **self._last}

    def _fetch(self, page: int, begin, end) -> tuple[bytes, dict]:
        query = Query(self.settings.query, begin, end, self.settings.page_size, self.settings.filters)
        try:
            url = self.source.page_url(query, page)
        except ValueError as error:
            raise FetchError(str(error)) from None
        body, status, parsed = self.client.get(url, f"page {page}")
        ids = [record.id for record in parsed.records]
        self._last = {"status": status, "total": parsed.total, "records": len(ids)}
        self.client.report.pages_fetched += 1
        self.client.report.records += len(ids)
        fresh = [i for i in ids if i not in self.known]
        self.client.report.new_records += len(fresh)
        self.known.update(ids)
        return body, {"total": parsed.total, "ids": ids, "fresh": fresh, "url": url}

    # -- a full crawl, by date slices -------------------------------------
    def run(self) -> None:
        if self.manifest.get("complete"):
            self.update()
            return
        self._crawl_slice(self.settings.since, self.settings.until, self.folder)
        self.manifest["complete"] = True
        self._save_manifest()
        if self.manifest.get("total_changed"):
            self.update()  # records that arrived mid-crawl pushed others onto later pages

    def _too_deep(self, total: int | None) -> bool:
        return total is not None and math.ceil(total / self.settings.page_size) > self.settings.max_pages

    def _crawl_slice(self, begin, end, folder: Path) -> None:
        key = f"{begin or 'start'}--{end or 'end'}"
        entry = self.manifest["slices"].setdefault(key, {"begin": str(begin or ""), "end": str(end or "")})
        if entry.get("split"):
            self._crawl_halves(begin, end, folder)
            return
        first = folder / "page-0001.json"
        if first.is_file():
            self.client.report.pages_skipped += 1
            total = check_page(self.source, first.read_bytes(), str(first)).total
        else:
            body, parsed = self._fetch(1, begin, end)
            total = entry["total"] = parsed["total"]
            entry["request"] = parsed["url"]
            if self._too_deep(total) and self._can_split(begin, end):
                entry["split"] = True
                self._save_manifest()
                self._crawl_halves(begin, end, folder)
                return
            self._save(first, body, entry)
            self._save_manifest()
        if self._too_deep(total):
            self.client.report.warnings.append(
                f"{key}: {total} results but the API serves {self.settings.max_pages} pages; "
                "give --since/--until so the range can be sliced")
        page = 1
        while True:
            last = math.ceil(total / self.settings.page_size) if total is not None else None
            if last is not None and page >= min(last, self.settings.max_pages):
                break
            if last is None and page >= self.settings.max_pages:
                self._cut(key, "the API reports no total")
                break
            page += 1
            self._progress(page, last or page)
            path = folder / f"page-{page:04d}.json"
            if path.is_file():
                self.client.report.pages_skipped += 1
                continue
            body, parsed = self._fetch(page, begin, end)
            for _ in range(self.settings.tries - 1):
                if parsed["fresh"] or not parsed["ids"]:
                    break
                # A page of records already seen is the API's paging slipping: ask again.
                self.client.report.retries += 1
                self.client.sleep(self.settings.backoff)
                body, parsed = self._fetch(page, begin, end)
            now_total = parsed["total"]
            if now_total is not None and total is not None and now_total != total:
                self.manifest["total_changed"] = True
                self.client.report.warnings.append(
                    f"the API's total changed from {total} to {now_total} during the crawl")
                total = now_total
            if not parsed["ids"]:
                break  # past the end
            if not parsed["fresh"] and total is None:
                # With no total to count to, a server repeating itself would be followed forever.
                self.client.report.warnings.append(
                    f"{key}: page {page} only repeats records already fetched and the API reports "
                    "no total: stopped there")
                break
            if not parsed["fresh"]:
                self.client.report.warnings.append(f"page {page} only repeats records already fetched")
            self._save(path, body, entry)
            self._save_manifest()
            if total is None and len(parsed["ids"]) < self.settings.page_size:
                break

    def _can_split(self, begin, end) -> bool:
        return begin is not None and end is not None and begin < end

    def _crawl_halves(self, begin, end, folder: Path) -> None:
        middle = begin + (end - begin) / 2
        for low, high in ((begin, middle), (middle + dt.timedelta(days=1), end)):
            self._crawl_slice(low, high, self.folder / f"{low}--{high}")

    # -- what is new since the last crawl ----------------------------------
    def update(self) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = self.folder / f"update-{stamp}"
        record = {"time": _now(), "folder": folder.name, "pages": {}}
        page = 1
        while True:
            body, parsed = self._fetch(page, self.settings.since, self.settings.until)
            if not parsed["fresh"]:
                break  # the first page with nothing new: the rest is known
            self._save(folder / f"page-{page:04d}.json", body, record)
            if len(parsed["ids"]) < self.settings.page_size:
                break
            if page >= self.settings.max_pages:
                self._cut("update", "new records go on past it")
                break
            page += 1
        self.manifest["updates"].append(record)
        self.manifest["total_changed"] = False
        self._save_manifest()

    def _cut(self, key: str, why: str) -> None:
        self.client.report.warnings.append(
            f"{key}: stopped at the page limit ({self.settings.max_pages} pages) and {why}: the "
            "crawl may be incomplete; give --since/--until for a narrower range")

    def _progress(self, page: int, total: int) -> None:
        if self.on_page:
            self.on_page(page, math.ceil(total / self.settings.page_size))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def fetch(source: Source, settings: FetchSettings, out: Path, sleep=time.sleep,
          on_page: Callable[[int, int], None] | None = None) -> tuple[FetchReport, Path]:
    """Crawl source's pages for settings' query into out/<query-slug>/; the report and folder."""
    report = FetchReport()
    crawl = Crawl(source, settings, out, Client(source, settings, report, sleep=sleep), on_page)
    crawl.run()
    return report, crawl.folder
