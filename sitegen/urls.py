"""Which URLs may reach an output: the project's one list of schemes and the one judge of them.

A scheme is judged as a browser would read it, and a little more strictly: after HTML
entities are decoded (`javascript&colon;`, `&#58;`, `&#x3A;`, also entities of entities) and
after every control, format and whitespace character is removed (`java\tscript:`,
`\u200bjavascript:`, leading spaces). Whatever is then written before the first ':' that
precedes any '/', '?' or '#' is the scheme; a URL with none is relative.

- metadata URL fields (source_url, attachments, also_published) and anything a template
  writes into href/src from data: http(s) only (`WEB_SCHEMES`);
- links and images inside a notice's body: also mailto: and ftp: (`LINK_SCHEMES`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})

_SCHEME_SYNTAX = re.compile(r"[a-z][a-z0-9+.-]*")
_PLAIN_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*")
_ASCII_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
_PATH_START = re.compile(r"[/?#]")
_ENTITY_ROUNDS = 4  # "&amp;#58;" is ":" after two; no sane URL nests deeper


def _squeezed_head(url: str) -> str:
    """The URL up to its first `/`, `?` or `#`, with entities decoded and every character a
    browser could skip removed: all a scheme can be read from. (Removing characters never
    removes those marks, so cutting before the removal gives what cutting after would, and a
    long URL of Chinese file names is not walked character by character.)"""
    for _ in range(_ENTITY_ROUNDS):
        if "&" not in url:
            break
        decoded = html.unescape(url)
        if decoded == url:
            break
        url = decoded
    head = _PATH_START.split(_ASCII_NOISE.sub("", url), maxsplit=1)[0]
    if head.isascii():
        return head
    # Unicode spaces, controls and invisible format characters (zero-width space, BOM, ...).
    return "".join(ch for ch in head if unicodedata.category(ch)[0] not in "CZ")


def url_scheme(url: str) -> str | None:
    """The URL's scheme in lower case; '' for a relative URL; None when something that is not a
    scheme is written where a scheme would be (`java script:` squeezed is `javascript:`, but
    `<x>:` is nothing a browser should be trusted with)."""
    colon = url.find(":")
    if colon > 0 and _PLAIN_SCHEME.fullmatch(url, 0, colon):
        return url[:colon].lower()  # written plainly (https:...): nothing to decode or skip
    head = _squeezed_head(url)
    colon = head.find(":")
    if colon == -1:
        return ""
    scheme = head[:colon].lower()
    return scheme if _SCHEME_SYNTAX.fullmatch(scheme) else None


def scheme_allowed(url: str, schemes: frozenset[str] = LINK_SCHEMES, relative: bool = True) -> bool:
    """True when the URL is on one of `schemes`, or (with `relative`) has no scheme at all."""
    scheme = url_scheme(url)
    if scheme == "":
        return relative
    return scheme in schemes


def clean_url(url: str) -> str:
    """The URL without surrounding whitespace and without control characters (XML forbids them)."""
    return _CONTROLS.sub("", url).strip()


def web_url(value: object, base: str = "") -> str:
    """An absolute http(s) URL for a URL field of a record, resolved against `base`; '' when the
    value is not text, has another scheme, or names no host."""
    if not isinstance(value, str):
        return ""
    text = clean_url(value)
    if not text or url_scheme(text) not in ("", *WEB_SCHEMES):
        return ""
    absolute = urljoin(base, text) if base else text
    if not is_web_url(absolute):
        return ""
    return absolute


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    if url_scheme(url) not in WEB_SCHEMES:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def web_url_problem(url: str) -> str | None:
    """Why a metadata URL field is refused (for `sitegen check`), or None when it is fine."""
    scheme = url_scheme(url)
    if scheme == "":
        return "not an absolute http(s) URL"
    if scheme is None:
        return "not a URL (unreadable scheme)"
    if scheme not in WEB_SCHEMES:
        shown = scheme if len(scheme) <= 20 else scheme[:19] + "…"
        return f"the scheme '{shown}:' is not allowed (http or https only)"
    if not is_web_url(url):
        return "not an absolute http(s) URL (no host)"
    return None


def href(value: object, schemes: frozenset[str] = WEB_SCHEMES) -> str:
    """The template filter for href/src built from data: the URL when it is relative or on an
    allowed scheme, else '' (write a link only `{% if x|href %}`)."""
    if not isinstance(value, str):
        return ""
    text = clean_url(value)
    return text if text and scheme_allowed(text, schemes) else ""

