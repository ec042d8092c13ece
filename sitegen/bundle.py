"""`sitegen bundle`: the whole site as one zip that works opened from disk, with no server.

The site is built with the offline search data into its own folder in the cache (so a second
bundle is a warm build, and the cache keeps one set of rows for it), optionally with the images
and attachments the notices link to downloaded into assets/, and zipped deterministically
(sorted entries, fixed timestamps and permissions): the same content gives the same bytes.

Downloads go only to the origin or the hosts of `asset_hosts`, never to a private address,
each within a size limit and a deadline (see `sitegen/download.py`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .config import Config
from .download import DownloadError, Limits, Policy, download
from .errors import UserError, count
from .render import render_markdown
from .site.build import build_site, read_content

USER_AGENT = f"sitegen/{__version__} (offline archive bundler)"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class BundleReport:
    notices: int = 0
    files: int = 0
    bytes: int = 0
    assets: int = 0
    failed_assets: list[str] = field(default_factory=list)

    def summary(self, out: Path) -> str:
        assets = f", {count(self.assets, 'asset')} saved" if self.assets else ""
        failed = f", {count(len(self.failed_assets), 'asset')} not fetched" if self.failed_assets else ""
        return (f"{out}: {count(self.files, 'file')}, {self.bytes / 1_048_576:.1f} MiB, "
                f"{count(self.notices, 'notice')}{assets}{failed}")


def readme_text(config: Config, notices: int, newest: str) -> str:
    return (
        f"{config.title}\n"
        f"{'=' * 40}\n\n"
        f"离线归档：共 {notices} 篇文件，最新一篇发布于 {newest or '日期不详'}。\n"
        "用法：解压后双击 index.html，用浏览器打开即可浏览和全文检索，无需联网或服务器。\n"
        f"文件来源：{config.origin}（以原网站发布的文本为准）。\n\n"
        f"Offline archive: {notices} notices, the newest published {newest or 'on an unknown date'}.\n"
        "Unzip anywhere and open index.html in a browser: every page, every browse page and\n"
        "full-text search work from disk, with no network and no server.\n"
        f"Made with sitegen {__version__}.\n"
    )


class BundleError(UserError, RuntimeError):
    pass


# Names Windows will not create, whatever the extension (con.html is the console).
_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?", re.IGNORECASE)
_PORTABLE_PART = re.compile(r"[A-Za-z0-9._-]+")


def portable_name(name: str) -> bool:
    """True when every part of a zip entry name unzips alike on Windows, macOS and Linux."""
    parts = name.split("/")
    return all(
        _PORTABLE_PART.fullmatch(part) and part not in (".", "..") and not part.endswith((".", " "))
        and not _RESERVED.fullmatch(part)
        for part in parts
    )


def write_zip(entries: dict[str, bytes | Path], target: Path) -> tuple[int, int]:
    """Zip the entries (name -> bytes or a file) in sorted order with fixed metadata; written
    via a temporary file. A name that would not unzip alike everywhere is an error."""
    unsafe = sorted(name for name in entries if not portable_name(name))
    if unsafe:
        raise BundleError(f"{len(unsafe)} file names would not unzip on every system, e.g. {unsafe[0]!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    total = 0
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                data = entries[name]
                data = data.read_bytes() if isinstance(data, Path) else data
                total += len(data)
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return len(entries), total


def make_bundle(
    config: Config,
    project_root: Path,
    target: Path,
    with_assets: bool = False,
    max_asset_bytes: int = 50 * 1_048_576,
    max_total_bytes: int = 2 * 1_073_741_824,
) -> BundleReport:
    report = BundleReport()
    remove_stale_scratch()
    site = project_root / config.cache / "bundle"
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-") as scratch:
        content = read_content(project_root / config.content)
        wanted = asset_urls(content) if with_assets else {}
        saved = fetch_assets(list(dict.fromkeys(u for urls in wanted.values() for u in urls)), Path(scratch),
                             Policy(config.origin, tuple(config.asset_hosts)), report,
                             max_asset_bytes, max_total_bytes) if with_assets else {}
        # The build writes the links to saved files itself: nothing reads its HTML back.
        assets = {notice_id: {url: f"assets/{saved[url].name}" for url in urls if url in saved}
                  for notice_id, urls in wanted.items()}
        settings = dataclasses.replace(config, out=str(site))
        built = build_site(settings, project_root, search=True, offline=True, assets=assets)
        report.notices = built.notices
        entries = offline_entries(site)
        entries.update({f"assets/{path.name}": path for path in saved.values()})
        dates = [n.date for n in content.notices if n.date]
        newest = max(dates).isoformat() if dates else ""
        entries["README.txt"] = readme_text(config, report.notices, newest).encode("utf-8")
        report.files, report.bytes = write_zip(entries, target)
    return report


SCRATCH_PREFIX = "sitegen-bundle-"


def remove_stale_scratch(folder: Path | None = None) -> None:
    """Remove what killed bundle runs left in the temporary folder: a scratch folder carries
    its process id, and one whose process is gone is nobody's."""
    folder = Path(folder or tempfile.gettempdir())
    for path in folder.glob(f"{SCRATCH_PREFIX}*"):
        match = re.match(rf"{SCRATCH_PREFIX}(\d+)-", path.name)
        if path.is_symlink() or not path.is_dir() or (match and _running(int(match.group(1)))):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or not ours to judge
    return True


def offline_entries(site: Path) -> dict[str, bytes | Path]:
    """The built site's files for the zip (its offline build: search reads its index from
    scripts there, as pages opened from disk cannot fetch files)."""
    entries: dict[str, bytes | Path] = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name.startswith(".sitegen"):
            continue
        entries[path.relative_to(site).as_posix()] = path
    return entries


# -- assets ---------------------------------------------------------------------

class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources += [value for name, value in attrs if name == "src" and value]


def asset_urls(content) -> dict[str, list[str]]:
    """What each notice needs offline (by id): the images of its body and its attachments, in
    order, once each. The notice's own page on the ministry's site (查看原网页, 同时发布于) is a
    source, never an asset: those URLs are left out even when a record lists them again."""
    wanted: dict[str, list[str]] = {}
    for notice in content.notices:
        sources = {notice.source_url, *(p.source_url for p in notice.also_published)}
        parser = _Images()
        parser.feed(render_markdown(content.body(notice)))
        urls = [u for u in [*parser.sources, *(a.url for a in notice.attachments)]
                if u not in sources and urlsplit(u).scheme in ("http", "https")]
        if urls:
            wanted[notice.id] = list(dict.fromkeys(urls))
    return wanted


def _asset_name(url: str) -> str:
    """A file name for a saved asset: a hash of its URL and a plain extension, if any."""
    extension = posixpath.splitext(urlsplit(url).path)[1].lower()
    if "fileName=" in url:
        extension = posixpath.splitext(url.rsplit("fileName=", 1)[1])[1].lower() or extension
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", extension):
        extension = ""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:20] + extension


def fetch_assets(urls: list[str], scratch: Path, policy: Policy, report: BundleReport,
                 max_asset_bytes: int, max_total_bytes: int) -> dict[str, Path]:
    """Download what policy allows into scratch/assets, within the size limits and a deadline
    per asset; what fails is reported and stays on the original site."""
    folder = scratch / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Path] = {}
    total = 0
    for url in urls:
        limit = min(max_asset_bytes, max_total_bytes - total)
        if limit <= 0:
            report.failed_assets.append(f"{url}: the bundle's assets reached {max_total_bytes // 1_048_576} MiB")
            continue
        try:
            data = download(url, policy, Limits(max_bytes=limit, deadline=ASSET_DEADLINE),
                            {"User-Agent": USER_AGENT}).body
        except DownloadError as error:
            report.failed_assets.append(f"{url}: {error}")
            continue
        path = folder / _asset_name(url)
        path.write_bytes(data)
        total += len(data)
        saved[url] = path
    report.assets = len(saved)
    return saved


ASSET_DEADLINE = 60.0  # seconds for one asset, start to last byte
