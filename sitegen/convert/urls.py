"""Links and images become absolute URLs on the origin; hostile schemes go."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qs, urljoin, urlsplit

from ..urls import LINK_SCHEMES, scheme_allowed

ATTACHMENT_EXTENSIONS = {
    ".doc", ".docx", ".pdf", ".xls", ".xlsx", ".zip", ".rar", ".wps", ".ofd",
    ".ppt", ".pptx", ".txt", ".csv", ".7z", ".et",
}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def absolute_url(href: str | None, base_url: str) -> str | None:
    """The absolute URL of a link or image, or None when it must not be kept.

    In-page anchors point at ids the Markdown does not keep, and scripts,
    data: URLs and unknown schemes are hostile or useless: all are dropped.
    """
    if not href:
        return None
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    cleaned = href.strip()
    squeezed = _CONTROL.sub("", cleaned)
    if not squeezed or squeezed.startswith("#"):
        return None
    if not scheme_allowed(cleaned, LINK_SCHEMES):
        return None
    url = urljoin(base_url, cleaned) if base_url else cleaned
    parts = urlsplit(url)
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    return url


def is_attachment(url: str) -> bool:
    parts = urlsplit(url)
    if "file-download" in parts.path or "fileUrl=" in parts.query:
        return True
    return posixpath.splitext(parts.path.lower())[1] in ATTACHMENT_EXTENSIONS


def attachment_title(url: str, text: str) -> str:
    """The link text, else the file name the download URL names."""
    if text.strip():
        return text.strip()
    query = parse_qs(urlsplit(url).query)
    for key in ("fileName", "filename", "name"):
        if query.get(key):
            return query[key][0]
    return posixpath.basename(urlsplit(url).path) or url


def markdown_destination(url: str) -> str:
    """A URL written so that Markdown reads it back whole (spaces, brackets, parentheses)."""
    return url.translate(_DESTINATION_ESCAPES)


_DESTINATION_ESCAPES = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C"})
