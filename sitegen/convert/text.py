"""Parsing body HTML, and what counts as visible text: shared by the converter and fidelity."""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser

from lxml import etree

from ..xml_chars import XML_FORBIDDEN

# Elements dropped whole, text included: code, embedded objects, form controls
# and document metadata are never part of a notice's readable text.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "noscript", "template", "head", "title", "meta", "link", "base", "svg", "math",
    "canvas", "audio", "video", "source", "track", "input", "select", "option",
    "textarea", "button", "param", "noembed", "noframes", "xml",
})

# Characters XML trees cannot hold (and no reader sees).
_CONTROL = XML_FORBIDDEN
# Void in HTML5 but unknown to libxml2's HTML 4 parser, which would wrap everything after them.
_HTML5_VOID = re.compile(r"<(embed|source|track|wbr|keygen)(\s[^>]*|/)?>", re.IGNORECASE)
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, recover=True, remove_blank_text=False,
)


def parse_html(html: str) -> etree._Element:
    """A tolerant parse of an HTML fragment or document (libxml2, via lxml).

    Comments (Word's `<!--?xml:namespace ...-->`) and processing instructions are
    dropped while parsing; the text around them stays.
    """
    return parse_html_checked(html)[0]


def parse_html_checked(html: str) -> tuple[etree._Element, bool]:
    """The tree, and whether the parser cut it short: libxml2 stops descending at 256 nested
    elements and drops the text below and after that depth (which also keeps the tree
    shallow enough for the recursive readers here)."""
    cleaned = _HTML5_VOID.sub(r"<\1\2></\1>", _CONTROL.sub("", html or ""))
    root = etree.fromstring(f"<html><body>{cleaned}</body></html>", _PARSER) if cleaned.strip() else None
    truncated = root is not None and any(
        error.type_name == "ERR_RESOURCE_LIMIT" for error in _PARSER.error_log
    )
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    return root, truncated


def tag_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def visible_text(root: etree._Element) -> str:
    """The text a reader sees in a parsed tree (whitespace kept)."""
    pieces: list[str] = []
    _collect(root, pieces)
    return "".join(pieces)


def _collect(element: etree._Element, pieces: list[str]) -> None:
    if tag_name(element) not in DROPPED_WITH_CONTENT and isinstance(element.tag, str):
        if element.text:
            pieces.append(element.text)
        for child in element:
            _collect(child, pieces)
    if element.tail:
        pieces.append(element.tail)


_BREAKING = frozenset({
    "p", "br", "div", "li", "td", "th", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "blockquote", "hr", "dt", "dd", "pre", "caption",
})


# Split around tags' names: text, name, text, name, ..., text.
# (Possessive: the alternatives start apart, so giving back could never find another match.)
_TAG_NAMES = re.compile(r"</?([a-zA-Z0-9]*)(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+>")


class _TextExtractor(HTMLParser):
    """Visible text by Python's own tokenizer: no tree, so no depth limit."""

    _VOID = frozenset({"input", "meta", "link", "base", "source", "track", "param", "embed", "br",
                       "img", "hr", "wbr", "col", "area", "keygen"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT and tag not in self._VOID:
            self.skipping.append(tag)
        elif tag in _BREAKING and not self.skipping:
            self.pieces.append("\n")

    def handle_endtag(self, tag):
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in _BREAKING and not self.skipping:
            self.pieces.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.pieces.append(data)


def independent_text(html: str) -> str:
    """The visible text of HTML read without building a tree (lines apart), for where the
    tree cannot be trusted."""
    extractor = _TextExtractor()
    extractor.feed(_CONTROL.sub("", html or ""))
    extractor.close()
    return "".join(extractor.pieces)


def source_text(html: str) -> str:
    """What a reader of the original sees: the tree's text, or where the parser cut the tree
    short, the text read without it."""
    root, truncated = parse_html_checked(html)
    return independent_text(html) if truncated else visible_text(root)


def sanitized_html_text(html: str) -> str:
    """The text of HTML that went through the sanitizer (no script, style or comments left)."""
    pieces = _TAG_NAMES.split(html)
    if len(pieces) > 1:
        # Cells, items and paragraphs are apart on screen: "3</td><td>5G" is "3" and "5G", not "35G".
        separator = _SEPARATORS.get
        pieces[1::2] = [sep if (sep := separator(name)) is not None else _separator(name)
                        for name in pieces[1::2]]
    return html_module.unescape("".join(pieces))


def _separator(name: str) -> str:
    """What a tag of this name puts between the texts around it."""
    return "\n" if name.lower() in _BREAKING else ""


# The separators of the tags the renderer writes, looked up without lowering their names.
_SEPARATORS = {name: _separator(name) for name in (
    *_BREAKING, "", "strong", "em", "b", "i", "a", "img", "span", "code", "sup", "sub", "figure",
    "figcaption", "thead", "tbody", "del", "s", "input",
)}


def squeeze(text: str) -> str:
    """Text with every kind of whitespace removed, for comparisons that ignore layout."""
    # str.split() splits on what \s matches (no-break and ideographic spaces included), at C
    # speed; the zero-width characters are not white space to it. Control, zero-width and
    # unassigned characters are all unprintable: most texts, printable, need no more.
    text = "".join(text.split())
    if not text.isprintable():
        text = _CONTROL.sub("", text)
        if "\u200b" in text or "\ufeff" in text:
            text = text.replace("\u200b", "").replace("\ufeff", "")
    return text
