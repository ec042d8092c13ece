"""Markdown to safe HTML: the one renderer the importer's fidelity check and the builder share."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin

ALIGN_CLASSES = {"center", "right"}

_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "a", "img",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr",
    "code", "pre", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "span", "div", "dl", "dt", "dd",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
_CLASSES = {tag: ALIGN_CLASSES for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div")}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Raw HTML is on for tables and <strong>; nh3 below decides what survives.
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(attrs_block_plugin)


def sanitize(html: str) -> str:
    """Keep only an allow-list of tags, attributes and URL schemes (Ammonia via nh3)."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes={"http", "https", "mailto", "ftp"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(markdown: str) -> str:
    return sanitize(_markdown().render(markdown))
