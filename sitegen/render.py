"""Markdown to safe HTML: the one renderer the importer's fidelity check and the builder share,
and the only code that may skip the sanitiser.

THE INVARIANT. Bodies are hostile. `render_markdown` returns HTML with no tag, attribute or
URL the sanitiser (nh3, `sanitize`) would remove. It skips the sanitiser only for
  (1) a fast engine's HTML (`markdown_engines.fast_html`) of Markdown whose only raw HTML is
      bare `<strong>`/`</strong>` inside lines and which has no code fences (`_raw_free`):
      every other tag is then the engine's own and the only attributes are the Markdown's
      URLs, titles, alt texts, list starts and the converter's block classes;
  (2) a table block that matches the converter's grammar exactly (`convert.grammar.TABLE_HTML`);
and in both only when every link and image URL is relative or on `urls.LINK_SCHEMES` once
entities are decoded (`markdown_engines.urls_allowed`). Anything else goes through `sanitize`.
Nothing outside this module decides that HTML is safe.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

import nh3

from .convert.grammar import SANITISER_CLASSES, TABLE_HTML
from .markdown_engines import fast_html, html_of, urls_allowed
from .urls import LINK_SCHEMES

_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "img",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr",
    "code", "pre", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "span", "div", "dl", "dt", "dd", "figure", "figcaption",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}


def sanitize(html: str) -> str:
    """Keep only an allow-list of tags, attributes and URL schemes (Ammonia via nh3)."""
    return _cleaner().clean(html)


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    # Built once: nh3.clean() converts the allow-lists on every call, which costs more than
    # cleaning a table.
    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=SANITISER_CLASSES,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# The only raw HTML the converter writes in running text: bold where ** cannot close.
# Escape pairs go first: in \\<img the backslash is escaped and the <img is raw HTML.
_PLAIN_STRONG = re.compile(r"\\.|</?strong>", re.DOTALL)
# A tag alone at the end of a line can open a raw HTML block (also inside a list item or a
# quote), inside which escapes do not apply: such Markdown goes through the sanitiser.
_STRONG_BLOCK = re.compile(r"</?strong>[ \t]*$", re.MULTILINE)


def _raw_free(markdown: str) -> bool:
    """True when the only raw HTML is bare <strong>/</strong> inside lines, and no fences
    (a fence's info string becomes a class)."""
    if "```" in markdown or "~~~" in markdown:
        return False
    if "<" not in markdown:
        return True
    if "\\<" in markdown:  # an escaped "<", or an escaped backslash before a tag
        only_strong = "<" not in _PLAIN_STRONG.sub("", markdown)
    else:  # the common case, many times faster than the pattern: no escape pair holds a "<"
        only_strong = markdown.count("<") == markdown.count("<strong>") + markdown.count("</strong>")
    return only_strong and not _STRONG_BLOCK.search(markdown)


def _safe_fast_html(markdown: str) -> str | None:
    """(1) of the invariant: the fast engine's HTML where it needs no sanitiser, else None."""
    if not _raw_free(markdown):
        return None
    html = fast_html(markdown)
    return html if html is not None and urls_allowed(html) else None


def _safe_table(block: str) -> str:
    """(2) of the invariant: a table block as the converter writes it passes as it is (it is
    faster to recognise than to clean, and there are tens of thousands); any other goes
    through the sanitiser."""
    if TABLE_HTML.fullmatch(block) and urls_allowed(block):
        return block
    return sanitize(block)


# A link reference definition reaches across the whole document, so such Markdown is
# never rendered in pieces.
_REFERENCE = re.compile(r"^ {0,3}\[(?:[^\]\\]|\\.)*\]:", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")


def _table_pieces(markdown: str) -> list[str] | None:
    """[text, table, text, ..., text]: the converter's tables cut out of the Markdown.

    A table is an HTML block of its own (CommonMark's kind 6): a `<table` line at the start of
    the document or after a blank line, up to the next blank line. There no container (list,
    quote) is open, so the text around it renders the same on its own; None where that does
    not hold for every table.
    """
    if "<table" not in markdown or ("]:" in markdown and _REFERENCE.search(markdown)):
        return None
    pieces, position = [], 0
    while (start := markdown.find("<table", position)) != -1:
        if markdown[start + 6 : start + 7] not in (">", " ", "\t", "\n"):
            return None
        if start > 0:
            line_start = markdown.rfind("\n", 0, start - 1) + 1
            if markdown[start - 1] != "\n" or markdown[line_start : start - 1].strip(" \t"):
                return None
        blank = _BLANK_LINE.search(markdown, start)
        end = blank.start() + 1 if blank else len(markdown)
        pieces += [markdown[position:start], markdown[start:end]]
        position = end
    pieces.append(markdown[position:])
    return pieces


def _render_with_tables(markdown: str) -> str | None:
    """Text between tables through the fast path, only the tables through the sanitiser."""
    pieces = _table_pieces(markdown)
    if pieces is None:
        return None
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(_safe_table(piece))
        elif piece.strip():
            html = _safe_fast_html(piece)
            if html is None:
                return None
            out.append(html)
    return "".join(out)


# The sanitiser's parser takes time in proportion to tags times nesting depth: 100,000 nested
# <div> took minutes. Raw HTML nested deeper than this (browsers stop at 512) is shown as text.
_MAX_HTML_DEPTH = 1000
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})


def _too_deep(html: str) -> bool:
    """True when the tags opened and not yet closed (void ones aside) ever exceed
    _MAX_HTML_DEPTH: an upper bound on the depth, as tags a parser closes itself count."""
    if html.count("<") <= _MAX_HTML_DEPTH:
        return False
    depth = 0
    for tag in _HTML_TAG.finditer(html):
        if tag.group(1):
            depth = max(depth - 1, 0)
        elif not tag.group(3) and tag.group(2).lower() not in _VOID:
            depth += 1
            if depth > _MAX_HTML_DEPTH:
                return True
    return False


def render_markdown(markdown: str) -> str:
    """Safe HTML for any Markdown, hand-edited or hostile."""
    html = _render_with_tables(markdown) if "<table" in markdown else None
    if html is None:
        html = _safe_fast_html(markdown)
    if html is not None:
        return html
    html = html_of(markdown)
    if _too_deep(html):
        return f"<pre>{escape(markdown)}</pre>\n"
    return sanitize(html)
