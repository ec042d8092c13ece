"""A small link checker for built sites: every internal link and asset must exist."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def links_of(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def is_internal(link: str) -> bool:
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and not link.startswith("#")


def resolve(page: Path, link: str) -> Path:
    target = unquote(urldefrag(urlsplit(link).path).url)
    return (page.parent / target).resolve()


def crawl(site: Path, start: str = "index.html") -> tuple[set[Path], list[str]]:
    """Pages reachable by links from start, and every broken internal link found on the way."""
    site = site.resolve()
    seen: set[Path] = set()
    broken: list[str] = []
    queue = deque([site / start])
    while queue:
        page = queue.popleft()
        if page in seen:
            continue
        seen.add(page)
        for link in links_of(page):
            if not is_internal(link):
                continue
            if link.startswith("/"):
                broken.append(f"{page.relative_to(site)}: absolute path {link}")
                continue
            target = resolve(page, link)
            if site not in target.parents and target != site:
                broken.append(f"{page.relative_to(site)}: {link} leaves the site")
            elif not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link} -> missing {target}")
            elif target.suffix == ".html":
                queue.append(target)
    return seen, broken
