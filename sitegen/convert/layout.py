"""Layout that carries meaning, measured on both sides: the source tree as a browser lays it
out (inline styles), and the rendered HTML as the theme lays it out (classes of grammar.py).

Measured, per notice: each table cell's horizontal alignment, the line breaks inside
paragraphs, and where each line of a paragraph starts (its leading indentation in em).
This reads the source independently of the converter's reader, so a converter that drops a
class or a break is caught.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import unescape

from lxml.etree import _Element as Element

from .blocks import BLOCK_TAGS, HEADINGS, align_of, declared_align, style_lengths
from .text import DROPPED_WITH_CONTENT

NORM_INDENT = 2.0  # the theme's first-line indent of a paragraph, in em


@dataclass(frozen=True)
class Layout:
    cells: tuple[str, ...] = ()  # "left", "center" or "right", in document order
    lines: tuple[tuple[str, int], ...] = ()  # (text, em from the left edge) of paragraph lines
    breaks: int = 0  # line breaks between two lines of text inside one paragraph


@dataclass(frozen=True)
class LayoutDifference:
    cells: int = 0  # cells whose alignment differs (or that are missing)
    breaks_lost: int = 0
    breaks_added: int = 0
    indents_lost: int = 0  # lines that start further left than in the source
    indents_added: int = 0  # lines that start further right

    @property
    def exact(self) -> bool:
        return not (self.cells or self.breaks_lost or self.breaks_added
                    or self.indents_lost or self.indents_added)


def compare_layout(source: Layout, result: Layout) -> LayoutDifference:
    cells = sum(a != b for a, b in zip(source.cells, result.cells))
    cells += abs(len(source.cells) - len(result.cells))
    lost = added = 0
    a = [text for text, _ in source.lines]
    b = [text for text, _ in result.lines]
    # The same lines (the rule): matched one to one, which is all a SequenceMatcher would find.
    matched = ((0, 0, len(a)),) if a == b else SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    for first, second, size in matched:
        for offset in range(size):
            was, now = source.lines[first + offset][1], result.lines[second + offset][1]
            lost += now < was
            added += now > was
    return LayoutDifference(
        cells, max(0, source.breaks - result.breaks), max(0, result.breaks - source.breaks),
        lost, added,
    )


def _em(value: float) -> int:
    return max(0, math.floor(value + 0.5))


def _key(text: str) -> str:
    """A line's text, whitespace aside, to match lines by (text.squeeze without its removal of
    control characters: neither the parsed tree nor the renderer's HTML holds any)."""
    text = "".join(text.split())
    if text.isprintable():  # no zero-width character (they are not printable): most lines
        return text
    return text.replace("\u200b", "").replace("\ufeff", "")


def _leading(text: str) -> tuple[float, str]:
    """The width of the spaces a line starts with (ideographic 1em, no-break ½em, other white
    space and zero-width characters none), and the rest."""
    rest = text.lstrip()  # (what str.isspace calls white space: the no-break and ideographic too)
    while rest and rest[0] in "\u200b\ufeff":
        rest = rest[1:].lstrip()
    if len(rest) == len(text):
        return 0.0, text
    lead = text[: len(text) - len(rest)]
    return lead.count("\u3000") + 0.5 * lead.count("\u00a0"), rest


# -- the source, as a browser lays it out -------------------------------------------------


def source_layout(root: Element) -> Layout:
    return read_source(root)[1]


def read_source(root: Element) -> tuple[str, Layout]:
    """The text a reader sees in the source tree (as text.visible_text reads it) and its
    layout, in one walk."""
    walker = _SourceWalker()
    walker.walk(root, 0.0, 0.0, skip=False)
    walker.flush()
    return "".join(walker.pieces), Layout(tuple(walker.cells), tuple(walker.lines), walker.breaks)


class _SourceWalker:
    def __init__(self) -> None:
        self.cells: list[str] = []
        self.lines: list[tuple[str, int]] = []
        self.breaks = 0
        self.text: list[str] = []  # the line being read
        self.pieces: list[str] = []  # all the text read, a line at a time
        self.start = 0.0  # where the line being read starts, before its leading spaces
        self.skip = False  # the line is centred, right-aligned, a heading, item or cell
        self.after_break = False  # the line follows a break after a line with text

    def flush(self, by_break: bool = False, margin: float = 0.0) -> None:
        """End the line being read (at a break, or at the edge of a block)."""
        text = ""
        if self.text:
            line = "".join(self.text)
            self.pieces.append(line)
            lead, rest = _leading(line)
            text = _key(rest) if rest else ""
            if text and not self.skip:
                self.breaks += self.after_break
                self.lines.append((text, _em(self.start + lead)))
            self.text = []
        self.after_break = by_break and bool(text)
        self.start = margin

    def walk(self, element: Element, indent: float, margin: float, skip: bool) -> None:
        text = element.text  # lxml decodes it on every access
        if text:
            self.text.append(text)
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                name = tag.lower()
                if name in DROPPED_WITH_CONTENT:
                    pass
                elif name in BLOCK_TAGS or name == "br":
                    self.visit(child, name, indent, margin, skip)
                else:  # inline: its text is part of the line
                    self.walk(child, indent, margin, skip)
            tail = child.tail
            if tail:
                self.text.append(tail)

    def visit(self, tag: Element, name: str, indent: float, margin: float, skip: bool) -> None:
        """A line break or a block element (walk reads inline ones)."""
        if name == "br":
            self.flush(by_break=True, margin=margin)  # the next line: no text-indent
            return
        cell = name in ("td", "th")
        if cell:
            # A cell outside any table is no cell to a browser (nor to the converter): a block.
            cell = next(tag.iterancestors("table"), None) is not None
            if cell:
                self.cells.append(_source_cell_align(tag, name))
        style = tag.get("style")
        outer = margin
        if style:
            lengths = style_lengths(tag, style)
            if lengths:
                indent = lengths.get("text-indent", indent)
                margin += lengths.get("margin-left", 0.0) + lengths.get("padding-left", 0.0)
        align = "center" if name == "center" else align_of(style, tag.get("align"))
        inner_skip = skip or cell or name in HEADINGS or name in ("li", "caption") or (
            align in ("center", "right")
        )
        self.flush(margin=margin)
        self.start, self.skip = margin + indent, inner_skip
        self.walk(tag, indent, margin, inner_skip)
        self.flush(margin=outer)
        self.skip = skip


def _source_cell_align(cell: Element, name: str) -> str:
    row = cell.getparent()
    declared = declared_align(cell) or (declared_align(row) if row is not None else None)
    if not declared and len(cell):  # (without children, no paragraph inside)
        inner = {declared_align(block) or "left" for block in cell.iter("p", "div")
                 if _key("".join(block.itertext()))}
        declared = inner.pop() if len(inner) == 1 else None
    if declared not in ("left", "center", "right"):
        declared = "left" if declared == "justify" else None
    return declared or ("center" if name == "th" else "left")


# -- the rendered HTML, as the theme lays it out --------------------------------------------

_CLASSES = re.compile(r'(?: class="([\w -]+)")?')
_CELL = re.compile(r'<(t[dh])(?: class="(\w+)")?[ >]')
_BREAK = re.compile(r"<br ?/?>\n?")
_TAG = re.compile(r"<[^>]*>")


def rendered_layout(html: str) -> Layout:
    """The layout of the renderer's HTML (its own markup, so patterns read it exactly)."""
    cells = tuple(cls if cls in ("left", "center", "right") else ("center" if tag == "th" else "left")
                  for tag, cls in _CELL.findall(html))
    lines: list[tuple[str, int]] = []
    breaks = 0
    for attributes, inner in _paragraphs(html):
        classes = _CLASSES.fullmatch(attributes)
        if classes is None:
            continue
        classes = (classes.group(1) or "").split()
        if "center" in classes or "right" in classes:
            continue
        first, other = _class_indent(next(
            (c for c in classes if c == "flush" or c.startswith(("indent-", "hang-"))), "")
        ) if classes else (NORM_INDENT, 0.0)
        previous = False
        for index, piece in enumerate(_BREAK.split(inner) if "<br" in inner else (inner,)):
            lead, rest = _leading(unescape(_TAG.sub("", piece) if "<" in piece else piece))
            text = _key(rest)
            if text:
                breaks += index > 0 and previous
                lines.append((text, _em((first if index == 0 else other) + lead)))
            previous = bool(text)
    return Layout(cells, tuple(lines), breaks)


def _paragraphs(html: str):
    """(attributes, inner HTML) of each <p> of the renderer's HTML (which never nests them),
    found with str.find: a lazy pattern tries the end tag at every character."""
    position = 0
    while (start := html.find("<p", position)) != -1:
        position = start + 2
        if html[position : position + 1] not in (">", " "):
            continue  # <pre>
        close = html.find(">", position)
        end = html.find("</p>", close)
        if close == -1 or end == -1:
            return
        yield html[position:close], html[close + 1 : end]
        position = end + 4


def _class_indent(cls: str) -> tuple[float, float]:
    """Where the first and the other lines of a paragraph with this class start, in em."""
    if cls == "flush":
        return 0.0, 0.0
    if cls.startswith("indent-"):
        return float(cls[7:]), 0.0
    if cls.startswith("hang-"):
        return 0.0, float(cls[5:])
    return NORM_INDENT, 0.0
