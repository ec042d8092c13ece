"""Markdown to safe HTML: the one renderer the importer's fidelity check and the builder share.

Three engines render the same CommonMark, fastest first: pyromark (pulldown-cmark, about
5x faster again than markdown-it-pyrs), markdown-it-pyrs (Rust markdown-it, about 12x
faster than Python) and markdown-it-py with mdit-py-plugins' attrs. The Rust engines have
no attrs plugin, so the class lines our converter writes (`{.center}`, `{.flush}` ...,
see convert/grammar.py, before a paragraph or heading) become a marker they carry through and that is turned into
the class afterwards; any other use of attributes goes to markdown-it-py. pulldown-cmark
keeps script URLs (markdown-it refuses them) and has other table rules, so its HTML is used
only without pipes and with every link and image URL on an allowed scheme.
tests/test_render.py checks the engines give identical HTML.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin

from .convert.grammar import BLOCK_CLASSES, SANITISER_CLASSES, TABLE_HTML
from .urls import LINK_SCHEMES, scheme_allowed

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the pure-Python engine still renders everything
    markdown_it_pyrs = None
try:
    import pyromark
except ImportError:  # pragma: no cover - markdown-it-pyrs renders the same HTML
    pyromark = None

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
_BLOCK_CLASS = "|".join(BLOCK_CLASSES)
# A class line, the heading marker of the next line if any, and the rest of that line.
_ALIGNED = re.compile(rf"^\{{\.({_BLOCK_CLASS})\}}\n(#{{1,6}} )?(.*)$", re.MULTILINE)
# What a line can start other than a paragraph: indented code, HTML, quotes, fences, tables,
# attributes, list items and thematic breaks.
_NOT_PARAGRAPH = re.compile(
    r"[ \t]|<(?!strong>\S)|[>|{]|```|~~~|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$"
)
_MARK = "\u2063"  # INVISIBLE SEPARATOR: never written by the converter, stripped by it from text
_ATTRIBUTE_LINE = re.compile(r"^ {0,3}\{", re.MULTILINE)
_MARKED = re.compile(rf"<(p|h[1-6])>{_MARK}({_BLOCK_CLASS}){_MARK}")


@lru_cache(maxsize=1)
def _python_engine() -> MarkdownIt:
    # Raw HTML is on for tables and <strong>; nh3 below decides what survives.
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(attrs_block_plugin)


@lru_cache(maxsize=1)
def _rust_engine():
    engine = markdown_it_pyrs.MarkdownIt("commonmark")
    engine.enable("table")
    return engine


_URL = re.compile(r'(?:href|src)="([^"]*)"')


def _urls_allowed(html: str) -> bool:
    """True when every link and image URL in the engine's HTML is relative or on an allowed
    scheme, judged as a browser reads the attribute (entities decoded: `javascript&colon;`)."""
    return all(scheme_allowed(url, LINK_SCHEMES) for url in _URL.findall(html))


def _engine_render(markdown: str, engine: str = "auto") -> str | None:
    """CommonMark HTML from the fastest engine that renders this Markdown as markdown-it does;
    None when neither Rust engine can."""
    if pyromark is not None and engine in ("auto", "pyromark") and "|" not in markdown:
        html = pyromark.html(markdown)
        if ('="' not in html or _urls_allowed(html)) or engine == "pyromark":
            return html
    try:
        return _rust_engine().render(markdown)
    except (KeyboardInterrupt, SystemExit):
        raise
    # pyo3 panics derive from BaseException: markdown-it-pyrs 0.4 panics on "[`" and the like.
    except BaseException:  # noqa: BLE001
        return None


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


def _fast_render(markdown: str, engine: str = "auto") -> str | None:
    """A Rust engine's HTML, or None when the Markdown needs the attrs plugin's full syntax."""
    if markdown_it_pyrs is None or _MARK in markdown:
        return None
    refused = False

    def mark(match: re.Match) -> str:
        nonlocal refused
        heading, rest = match.group(2) or "", match.group(3)
        if not rest or (not heading and _NOT_PARAGRAPH.match(rest)):
            refused = True
        return f"{heading}{_MARK}{match.group(1)}{_MARK}{rest}"

    marked, count = _ALIGNED.subn(mark, markdown) if "{." in markdown else (markdown, 0)
    if refused:
        return None
    if "{" in marked and _ATTRIBUTE_LINE.search(marked):
        return None  # attributes the marker does not cover
    html = _engine_render(marked, engine)
    if html is None:
        return None
    if count:
        html, replaced = _MARKED.subn(r'<\1 class="\2">', html)
        if replaced != count or _MARK in html:
            return None
    return html


def render_unsanitized(markdown: str, engine: str = "auto") -> str:
    """HTML before sanitising; engine "auto" (fastest that fits), "pyromark", "rust" or "python"."""
    if engine != "python":
        html = _fast_render(markdown, engine)
        if html is not None:
            return html
    return _python_engine().render(markdown)


# The only raw HTML the converter writes in running text: bold where ** cannot close.
# Escape pairs go first: in \\<img the backslash is escaped and the <img is raw HTML.
_PLAIN_STRONG = re.compile(r"\\.|</?strong>", re.DOTALL)
# A tag alone at the end of a line can open a raw HTML block (also inside a list item or a
# quote), inside which escapes do not apply: such Markdown goes through the sanitiser.
_STRONG_BLOCK = re.compile(r"</?strong>[ \t]*$", re.MULTILINE)


def _raw_free(markdown: str) -> bool:
    """True when the only raw HTML is bare <strong>/</strong> inside lines, and no fences."""
    if "```" in markdown or "~~~" in markdown:
        return False
    if "<" not in markdown:
        return True
    if "\\" in markdown:
        only_strong = "<" not in _PLAIN_STRONG.sub("", markdown)
    else:  # the common case, many times faster than the pattern
        only_strong = markdown.count("<") == markdown.count("<strong>") + markdown.count("</strong>")
    return only_strong and not _STRONG_BLOCK.search(markdown)


def _fast_render_safe(markdown: str) -> str | None:
    """The fast path's HTML where it needs no sanitiser (see render_markdown), else None."""
    return _fast_render(markdown) if _raw_free(markdown) else None


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


def _clean_table(block: str) -> str:
    """A table block as the converter writes it passes as it is (it is faster to recognise
    than to clean, and there are tens of thousands); any other goes through the sanitiser."""
    if TABLE_HTML.fullmatch(block) and ('="' not in block or _urls_allowed(block)):
        return block
    return sanitize(block)


def _render_with_tables(markdown: str) -> str | None:
    """Text between tables through the fast path, only the tables through the sanitiser."""
    pieces = _table_pieces(markdown)
    if pieces is None:
        return None
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(_clean_table(piece))
        elif piece.strip():
            html = _fast_render_safe(piece)
            if html is None:
                return None
            out.append(html)
    return "".join(out)


def render_markdown(markdown: str) -> str:
    """Safe HTML for any Markdown, hand-edited or hostile."""
    # With no "<" but escaped ones and bare <strong>/</strong>, every other tag is the
    # engine's own, script URLs are refused (by markdown-it, or by _urls_allowed before
    # pulldown-cmark's HTML is used), and the only attribute added is a block class.
    # Tables are the converter's own or sanitised; anything else (fences carry an author's
    # class) goes through the sanitiser whole.
    html = _render_with_tables(markdown) if "<table" in markdown else None
    if html is None:
        html = _fast_render_safe(markdown)
    if html is not None:
        return html
    return sanitize(render_unsanitized(markdown))
