"""Read messy (Word-exported) HTML into a flat list of blocks of styled inline runs.

A block is one visual line: a paragraph, heading, list item or table. `<br>` ends
a line as surely as `</p>` does, because the CMS writes whole letters as one
`<p>` with `<br/>` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lxml.etree import _Element as Element

from .text import DROPPED_WITH_CONTENT, parse_html, tag_name
from .urls import absolute_url

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "aside", "header", "footer", "main", "nav",
    "blockquote", "center", "address", "pre", "dl", "dt", "dd", "figure",
    "figcaption", "fieldset", "legend", "details", "summary", "form", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "hr", "table",
    "tr", "td", "th", "thead", "tbody", "tfoot",
})
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

_ALIGN_STYLE = re.compile(r"text-align\s*:\s*([a-z-]+)", re.IGNORECASE)
_WEIGHT_STYLE = re.compile(r"font-weight\s*:\s*([a-z0-9]+)", re.IGNORECASE)
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
# Indentation and padding at the ends of a line: ASCII, no-break and ideographic spaces.
_EDGE_SPACE = " \t\n\r\f\u00a0\u3000\u200b\ufeff"


@dataclass(frozen=True)
class Run:
    """A piece of text, or an image when `image` is set, with its inline style."""

    text: str = ""
    bold: bool = False
    href: str | None = None
    image: str | None = None


@dataclass
class Block:
    kind: str  # "p", "heading", "item", "item-more", "table", "rule"
    runs: list[Run] = field(default_factory=list)
    align: str | None = None
    level: int = 0  # heading level, or list depth for items
    marker: str = ""  # "-" or "3." for list items
    rows: list[list[Cell]] = field(default_factory=list)  # for tables


@dataclass
class Cell:
    lines: list[list[Run]]
    header: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class _Context:
    bold: bool = False
    href: str | None = None
    align: str | None = None
    kind: str = "p"
    level: int = 0
    item: _Item | None = None


@dataclass
class _Item:
    marker: str
    depth: int
    started: bool = False


def read_blocks(html: str | Element, base_url: str = "") -> list[Block]:
    """Blocks of an HTML string, or of a tree parse_html already made."""
    root = parse_html(html) if isinstance(html, str) else html
    reader = _Reader(base_url)
    reader.visit(root, _Context())
    reader.end_line()
    return reader.blocks


class _Reader:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.line_context: _Context | None = None

    # -- lines -------------------------------------------------------------
    def add(self, run: Run, context: _Context) -> None:
        if self.line_context is None:
            self.line_context = context
        self.runs.append(run)

    def end_line(self) -> None:
        runs = tidy_runs(self.runs)
        context = self.line_context
        self.runs, self.line_context = [], None
        if not runs or context is None:
            return
        if context.kind == "item" and context.item is not None:
            item = context.item
            kind = "item-more" if item.started else "item"
            item.started = True
            self.blocks.append(Block(kind, runs, None, item.depth, item.marker))
        else:
            self.blocks.append(Block(context.kind, runs, context.align, context.level))

    # -- tree --------------------------------------------------------------
    def visit(self, element: Element, context: _Context) -> None:
        """The element's own text and children; each child's tail is text of this element."""
        if element.text:
            self.add(Run(element.text, context.bold, context.href), context)
        for child in element:
            if isinstance(child.tag, str):
                self.visit_tag(child, context)
            if child.tail:
                self.add(Run(child.tail, context.bold, context.href), context)

    def visit_tag(self, tag: Element, context: _Context) -> None:
        name = tag_name(tag)
        if name in DROPPED_WITH_CONTENT:
            return
        if name == "br":
            self.end_line()
            return
        if name == "img":
            src = absolute_url(tag.get("src"), self.base_url)
            if src:
                alt = tag.get("alt") or tag.get("title") or ""
                self.add(Run(alt, context.bold, context.href, image=src), context)
            return
        context = self.inline_context(tag, name, context)
        if name == "table":
            self.end_line()
            self.blocks.append(self.read_table(tag, context))
            return
        if name == "hr":
            self.end_line()
            self.blocks.append(Block("rule"))
            return
        if name in ("ul", "ol"):
            self.end_line()
            self.read_list(tag, name, context)
            return
        if name in BLOCK_TAGS:
            self.end_line()
            self.visit(tag, self.block_context(tag, name, context))
            self.end_line()
            return
        self.visit(tag, context)

    def inline_context(self, tag: Element, name: str, context: _Context) -> _Context:
        bold = context.bold
        if name in ("strong", "b"):
            bold = True
        weight = _WEIGHT_STYLE.search(tag.get("style") or "")
        if weight:
            value = weight.group(1).lower()
            if value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600):
                bold = True
            elif value in ("normal", "lighter") or (value.isdigit() and int(value) < 600):
                bold = False
        href = context.href
        if name == "a":
            href = absolute_url(tag.get("href"), self.base_url)
        if bold == context.bold and href == context.href:
            return context
        return replace(context, bold=bold, href=href)

    def block_context(self, tag: Element, name: str, context: _Context) -> _Context:
        align = context.align
        declared = (tag.get("align") or "").lower()
        style = _ALIGN_STYLE.search(tag.get("style") or "")
        if style:
            declared = style.group(1).lower()
        if name == "center":
            declared = "center"
        if declared:
            align = declared if declared in ("center", "right") else None
        if name in HEADINGS:
            return replace(context, align=align, kind="heading", level=HEADINGS[name])
        if name == "li":
            return replace(context, align=None, kind="item")
        if context.kind == "item":
            # A <p> inside an <li> continues the item.
            return replace(context, align=None)
        return replace(context, align=align, kind="p", level=0)

    def read_list(self, tag: Element, name: str, context: _Context) -> None:
        depth = context.item.depth + 1 if context.item else 0
        number = _int_attr(tag.get("start"), 1) if name == "ol" else 0
        # Text straight inside <ul>/<ol> (broken HTML) still counts: each piece is a line.
        if tag.text and tag.text.strip():
            self.add(Run(tag.text, context.bold, context.href), context)
            self.end_line()
        for child in tag:
            if tag_name(child) == "li":
                marker = f"{number}." if name == "ol" else "-"
                number += 1
                self.visit(child, replace(context, item=_Item(marker, depth), kind="item"))
                self.end_line()
            elif isinstance(child.tag, str):
                self.visit_tag(child, context)
            if child.tail and child.tail.strip():
                self.add(Run(child.tail, context.bold, context.href), context)
                self.end_line()

    def read_table(self, table: Element, context: _Context) -> Block:
        rows: list[list[Cell]] = []
        for row in _rows_of(table):
            cells = []
            for cell in row:
                if tag_name(cell) not in ("td", "th"):
                    continue
                reader = _Reader(self.base_url)
                reader.visit(cell, _Context(bold=context.bold))
                reader.end_line()
                lines = [block.runs for block in reader.blocks if block.runs]
                cells.append(Cell(
                    lines,
                    header=tag_name(cell) == "th",
                    colspan=_int_attr(cell.get("colspan"), 1),
                    rowspan=_int_attr(cell.get("rowspan"), 1),
                ))
            if cells:
                rows.append(cells)
        return Block("table", rows=rows)


def _rows_of(table: Element) -> list[Element]:
    rows = []
    for child in table:
        name = tag_name(child)
        if name == "tr":
            rows.append(child)
        elif name in ("thead", "tbody", "tfoot"):
            rows.extend(row for row in child if tag_name(row) == "tr")
    return rows


def _int_attr(value: object, default: int) -> int:
    text = str(value or "").strip()
    if text.isdigit() and 0 < int(text) <= 1000:
        return int(text)
    return default


def tidy_runs(runs: list[Run]) -> list[Run]:
    """Collapse whitespace, trim the line's ends, unbold blank runs and merge neighbours."""
    cleaned: list[Run] = []
    for run in runs:
        text = _COLLAPSIBLE.sub(" ", run.text).replace("\u00a0", " ")
        if run.image is None and not text:
            continue
        if run.image is None and not text.strip(" "):
            run = replace(run, text=" ", bold=False)
        else:
            run = replace(run, text=text)
        cleaned.append(run)
    # Trim indentation at the start and padding at the end of the line.
    while cleaned and cleaned[0].image is None and not cleaned[0].text.strip(_EDGE_SPACE):
        cleaned.pop(0)
    while cleaned and cleaned[-1].image is None and not cleaned[-1].text.strip(_EDGE_SPACE):
        cleaned.pop()
    if not cleaned:
        return []
    if cleaned[0].image is None:
        cleaned[0] = replace(cleaned[0], text=cleaned[0].text.lstrip(_EDGE_SPACE))
    if cleaned[-1].image is None:
        cleaned[-1] = replace(cleaned[-1], text=cleaned[-1].text.rstrip(_EDGE_SPACE))
    merged: list[Run] = []
    for run in cleaned:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and run.image is None
            and previous.image is None
            and (run.bold, run.href) == (previous.bold, previous.href)
        ):
            text = previous.text + run.text
            merged[-1] = replace(previous, text=re.sub(" {2,}", " ", text))
        else:
            if (previous is not None and previous.image is None and run.image is None
                    and previous.text.endswith(" ") and run.text.startswith(" ")):
                run = replace(run, text=run.text[1:])
            merged.append(run)
    return [run for run in merged if run.image is not None or run.text]
