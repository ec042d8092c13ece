"""Markdown to HTML, unsanitised: which engine renders what. Safety is render.py's job.

Three engines render the same CommonMark, fastest first: pyromark (pulldown-cmark, about 5x
faster again than markdown-it-pyrs), markdown-it-pyrs (Rust markdown-it, about 12x faster
than Python) and markdown-it-py with mdit-py-plugins' attrs. The Rust engines have no attrs
plugin, so the class lines our converter writes (`{.center}`, `{.flush}` ..., see
convert/grammar.py, before a paragraph or heading) become a marker they carry through and
that is turned into the class afterwards; any other use of attributes goes to markdown-it-py.
pulldown-cmark keeps script URLs (markdown-it refuses them) and has other table rules, so its
HTML is used only without pipes and with every link and image URL on an allowed scheme.
tests/test_render.py checks the engines give identical HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin

from .convert.grammar import BLOCK_CLASSES
from .urls import LINK_SCHEMES, scheme_allowed

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - the pure-Python engine still renders everything
    markdown_it_pyrs = None
try:
    import pyromark
except ImportError:  # pragma: no cover - markdown-it-pyrs renders the same HTML
    pyromark = None

_BLOCK_CLASS = "|".join(BLOCK_CLASSES)
# A class line, the heading marker of the next line if any, and the rest of that line. Patterns
# that run over every body start with a literal character, which the regex engine skips to (one
# that starts with "^" is tried at every character): here "{", then a look back for a line start.
_ALIGNED = re.compile(
    rf"\{{(?<![^\n]\{{)\.((?:{_BLOCK_CLASS})(?: \.(?:{_BLOCK_CLASS}))?)\}}\n(#{{1,6}} )?(.*)$", re.MULTILINE)
# What a line can start other than a paragraph: indented code, HTML, quotes, fences, tables,
# attributes, list items and thematic breaks.
_NOT_PARAGRAPH = re.compile(
    r"[ \t]|<(?!strong>\S)|[>|{]|```|~~~|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|([-*_])(?:[ \t]*\1){2,}[ \t]*$"
)
_MARK = "\u2063"  # INVISIBLE SEPARATOR: never written by the converter, stripped by it from text
_ATTRIBUTE_LINE = re.compile(r"^ {0,3}\{", re.MULTILINE)
_MARKED = re.compile(rf"<(p|h[1-6])>{_MARK}((?:{_BLOCK_CLASS})(?: (?:{_BLOCK_CLASS}))?){_MARK}")
_URL = re.compile(r'(?:href|src)="([^"]*)"')
# pulldown-cmark and markdown-it-pyrs nest quotes and lists without limit (100 KB of ">" is
# 100,000 blockquotes, and markdown-it-pyrs overflows its stack: a segfault); markdown-it-py
# stops at its maxNesting (20 levels). Deeper than any notice nests, its HTML is the one used.
# A container opens with at least one character of its line's prefix, so a prefix of at most
# _MAX_PREFIX characters (a tab is up to 4 columns) keeps the fast engines far from overflow.
_MAX_DEPTH = 12
_MAX_PREFIX = 64
_DEEP_PREFIX = re.compile(rf"[ \t>*+\-.)0-9]{{{_MAX_PREFIX + 1}}}")  # at the start of the text,
_DEEP_LINE = re.compile(rf"\n[ \t>*+\-.)0-9]{{{_MAX_PREFIX + 1}}}")  # or of any other line
_CONTAINER = re.compile(r"<(/?)(?:blockquote|ul|ol|li)\b")


def _too_deep(html: str) -> bool:
    """True when quotes and lists in an engine's HTML nest deeper than _MAX_DEPTH."""
    opened = html.count("<blockquote>") + html.count("<ul>") + html.count("<ol") + html.count("<li>")
    if opened <= _MAX_DEPTH:
        return False  # the common case: depth cannot exceed the number of containers
    depth = 0
    for tag in _CONTAINER.finditer(html):
        depth += -1 if tag.group(1) else 1
        if depth > _MAX_DEPTH:
            return True
    return False


def urls_allowed(html: str) -> bool:
    """True when every link and image URL in an engine's HTML is relative or on an allowed
    scheme, judged as a browser reads the attribute (entities decoded: `javascript&colon;`)."""
    if '="' not in html or ('href="' not in html and 'src="' not in html):  # no URL: no scan for one
        return True
    return all(scheme_allowed(url, LINK_SCHEMES) for url in _URL.findall(html))


@lru_cache(maxsize=1)
def _markdown_it_py() -> MarkdownIt:
    # Raw HTML is on for tables and <strong>; the sanitiser decides what survives.
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(attrs_block_plugin)


@lru_cache(maxsize=1)
def _markdown_it_pyrs():
    engine = markdown_it_pyrs.MarkdownIt("commonmark")
    engine.enable("table")
    return engine


def pulldown_cmark(markdown: str) -> str | None:
    """pyromark's HTML where it is markdown-it's: no pipes, no URL markdown-it would refuse."""
    if "|" in markdown:
        return None
    html = pyromark.html(markdown)
    return html if urls_allowed(html) else None


def rust_markdown_it(markdown: str) -> str | None:
    """markdown-it-pyrs' HTML; None where it panics."""
    try:
        return _markdown_it_pyrs().render(markdown)
    except (KeyboardInterrupt, SystemExit):
        raise
    # pyo3 panics derive from BaseException: markdown-it-pyrs 0.4 panics on "[`" and the like.
    except BaseException:  # noqa: BLE001
        return None


# The engines without the attrs plugin, fastest first; each gives None for Markdown it does
# not render as markdown-it-py does.
FAST_ENGINES: tuple[Callable[[str], str | None], ...] = tuple(
    engine for engine, package in ((pulldown_cmark, pyromark), (rust_markdown_it, markdown_it_pyrs))
    if package is not None
)


def _first_fast(markdown: str) -> str | None:
    for engine in FAST_ENGINES:
        html = engine(markdown)
        if html is not None:
            return html
    return None


def fast_html(markdown: str) -> str | None:
    """A fast engine's HTML: CommonMark whose only attributes are the Markdown's own URLs,
    titles and alt texts, list starts and the converter's block classes; None when the
    Markdown needs the attrs plugin's full syntax or no fast engine renders it."""
    if not FAST_ENGINES or _MARK in markdown or _DEEP_PREFIX.match(markdown) or _DEEP_LINE.search(markdown):
        return None
    refused = False

    def mark(match: re.Match) -> str:
        nonlocal refused
        heading, rest = match.group(2) or "", match.group(3)
        if not rest or (not heading and _NOT_PARAGRAPH.match(rest)):
            refused = True
        return f"{heading}{_MARK}{match.group(1).replace(' .', ' ')}{_MARK}{rest}"

    marked, count = _ALIGNED.subn(mark, markdown) if "{." in markdown else (markdown, 0)
    if refused:
        return None
    if "{" in marked and _ATTRIBUTE_LINE.search(marked):
        return None  # attributes the marker does not cover
    html = _first_fast(marked)
    if html is None or _too_deep(html):
        return None
    if count:
        html, replaced = _MARKED.subn(r'<\1 class="\2">', html)
        if replaced != count or _MARK in html:
            return None
    return html


def full_html(markdown: str) -> str:
    """markdown-it-py with the attrs plugin: any syntax, any attribute."""
    return _markdown_it_py().render(markdown)


def html_of(markdown: str) -> str:
    """The HTML of any Markdown, from the fastest engine that renders it."""
    fast = fast_html(markdown)
    return fast if fast is not None else full_html(markdown)
