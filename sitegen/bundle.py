"""`sitegen bundle`: the whole site as one zip that works opened from disk, with no server.

The site is built with the offline search data, optionally with the images and attachments
it links to on the ministry's site downloaded into assets/, and zipped deterministically
(sorted entries, fixed timestamps and permissions): the same content gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import posixpath
import re
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .config import Config
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
        assets = f", {self.assets} assets saved" if self.assets else ""
        failed = f", {len(self.failed_assets)} assets not fetched" if self.failed_assets else ""
        return (f"{out}: {self.files} files, {self.bytes / 1_048_576:.1f} MiB, "
                f"{self.notices} notices{assets}{failed}")


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


def write_zip(folder: Path, target: Path) -> tuple[int, int]:
    """Zip folder's files in sorted order with fixed metadata; written via a temporary file."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    total = 0
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = path.read_bytes()
            total += len(data)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    temporary.replace(target)
    return len(files), total


def make_bundle(
    config: Config,
    project_root: Path,
    target: Path,
    with_assets: bool = False,
    max_asset_bytes: int = 50 * 1_048_576,
    max_total_bytes: int = 2 * 1_073_741_824,
) -> BundleReport:
    report = BundleReport()
    with tempfile.TemporaryDirectory(prefix="sitegen-bundle-") as scratch:
        site = Path(scratch) / "site"
        settings = dataclasses.replace(config, out=str(site))
        built = build_site(settings, project_root, search=True, offline=True)
        report.notices = built.notices
        if with_assets:
            fetch_assets(site, report, max_asset_bytes, max_total_bytes)
        content = read_content(project_root / config.content)
        dates = [n.date for n in content.notices if n.date]
        newest = max(dates).isoformat() if dates else ""
        (site / "README.txt").write_text(readme_text(config, report.notices, newest), encoding="utf-8")
        report.files, report.bytes = write_zip(site, target)
    return report


# -- assets ---------------------------------------------------------------------

_IMAGE = re.compile(r'<img [^>]*?src="([^"]+)"')
_ATTACHMENT = re.compile(r'<li><a href="([^"]+)" rel="noopener noreferrer">')


def _asset_name(url: str) -> str:
    extension = posixpath.splitext(urlsplit(url).path)[1].lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", extension):
        extension = ""
    if "fileName=" in url:
        extension = posixpath.splitext(url.rsplit("fileName=", 1)[1])[1].lower()[:6] or extension
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:20] + extension


def _download(url: str, limit: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = response.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit // 1_048_576} MiB")
    return data


def fetch_assets(site: Path, report: BundleReport, max_asset_bytes: int, max_total_bytes: int) -> None:
    """Download the images and attachments notice pages link to, and point the pages at them."""
    pages = sorted((site / "notices").glob("*.html"))
    urls: dict[str, None] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        body = text[text.find('<div class="body">'):]
        for match in [*_IMAGE.finditer(body), *_ATTACHMENT.finditer(text)]:
            url = html.unescape(match.group(1))
            if urlsplit(url).scheme in ("http", "https"):
                urls[url] = None
    saved: dict[str, str] = {}
    total = 0
    for url in urls:
        try:
            data = _download(url, min(max_asset_bytes, max_total_bytes - total))
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            report.failed_assets.append(f"{url}: {reason}")
            continue
        name = _asset_name(url)
        (site / "assets").mkdir(exist_ok=True)
        (site / "assets" / name).write_bytes(data)
        total += len(data)
        saved[url] = f"../assets/{name}"
    report.assets = len(saved)
    for page in pages:
        text = original = page.read_text(encoding="utf-8")
        for url, local in saved.items():
            escaped = html.escape(url)
            text = text.replace(
                f'<li><a href="{escaped}" rel="noopener noreferrer">',
                f'<li><a href="{local}" data-saved>')
            text = text.replace(f'src="{escaped}"', f'src="{local}"').replace(f'href="{escaped}"', f'href="{local}"')
        text = re.sub(r'(<a href="[^"]+" data-saved>[^<]*</a>) <span class="note">（文件位于原网站）</span>',
                      r'\1 <span class="note">（已随归档保存）</span>', text)
        if text != original:
            page.write_text(text, encoding="utf-8")
