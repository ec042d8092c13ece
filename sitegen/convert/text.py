"""What counts as visible text, shared by the converter and the fidelity measure."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction
from bs4.element import CData, NavigableString, Tag

# Elements dropped whole, text included: code, embedded objects, form controls
# and document metadata are never part of a notice's readable text.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "noscript", "template", "head", "title", "meta", "link", "base", "svg", "math",
    "canvas", "audio", "video", "source", "track", "input", "select", "option",
    "textarea", "button", "param", "noembed", "noframes", "xml",
})

_NON_TEXT_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction, CData)

# HTML whitespace collapses; no-break and ideographic spaces do not, but they are
# still whitespace when text is compared.
_ANY_WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def parse_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(_CONTROL.sub("", html or ""), "html.parser")


def is_text(node: object) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, _NON_TEXT_STRINGS)


def visible_text(html: str) -> str:
    """The text a reader sees in an HTML fragment (whitespace kept)."""
    soup = parse_html(html)
    pieces: list[str] = []
    _collect(soup, pieces)
    return "".join(pieces)


def _collect(node: Tag, pieces: list[str]) -> None:
    for child in node.children:
        if isinstance(child, Tag):
            if child.name.lower() not in DROPPED_WITH_CONTENT:
                _collect(child, pieces)
        elif is_text(child):
            pieces.append(str(child))


def squeeze(text: str) -> str:
    """Text with every kind of whitespace removed, for comparisons that ignore layout."""
    return _ANY_WHITESPACE.sub("", _CONTROL.sub("", text))
