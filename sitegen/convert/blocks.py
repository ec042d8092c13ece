"""Read messy (Word-exported) HTML into a flat list of blocks of styled inline runs.

A block is a paragraph, heading, list item, table or figure. A `<br>` inside a paragraph is
a line break of that paragraph (the CMS writes whole letters as one `<p>` with `<br/>`
lines); an empty line (two breaks in a row) starts a new paragraph. Layout that carries
meaning is kept as block classes (see grammar.py): alignment, and indentation where it
differs from the body's norm of a 2em first-line indent, measured from `text-indent`,
`margin-left`/`padding-left` and the ideographic or no-break spaces a line starts with; and
the typeface (黑体, 楷体, 仿宋, 宋体) where it differs from the body's or a heading's norm.
Continuation lines keep their leading ideographic spaces, which align them under a label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from lxml.etree import _Element as Element

from .grammar import MAX_INDENT
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
# font-family, or the font shorthand (whose families come last); never mso-fareast-font-family,
# which browsers ignore.
_FAMILY_STYLE = re.compile(r"(?<![\w-])font(?:-family)?\s*:\s*([^;]+)", re.IGNORECASE)
# What the names of the typefaces of official documents contain, 仿宋 before 宋: 仿宋_GB2312,
# FangSong, STFangsong; 黑体, SimHei, Heiti SC, Microsoft YaHei, 方正黑体_GBK; 楷体_GB2312,
# KaiTi, SimKai, STKaiti; 宋体, SimSun, STSong, Songti SC, 方正小标宋简体.
_FONT_NAMES = (
    ("仿宋", "fangsong"), ("fangsong", "fangsong"), ("simfang", "fangsong"),
    ("黑", "hei"), ("hei", "hei"),
    ("楷", "kai"), ("kai", "kai"),
    ("宋", "song"), ("song", "song"), ("simsun", "song"),
)
_LENGTH_STYLE = re.compile(
    r"(?<![\w-])(text-indent|margin-left|padding-left|font-size)\s*:\s*(-?[\d.]+)\s*(em|rem|pt|px|cm|mm|in|ch)?",
    re.IGNORECASE,
)
_AUTO_MARGINS = re.compile(r"margin(?:-left|-right)?\s*:[^;]*\bauto\b", re.IGNORECASE)
_PX_PER_UNIT = {"px": 1.0, "pt": 4 / 3, "cm": 96 / 2.54, "mm": 96 / 25.4, "in": 96.0}
_BODY_FONT_PX = 16.0
# A caption line under an image: 图1　…, 图 2-1 …, 附图3 …
_CAPTION = re.compile(r"^(?:附)?图\s*[0-9０-９一二三四五六七八九十]+")
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(" {2,}")
# Indentation and padding at the ends of a line: ASCII, no-break and ideographic spaces.
_EDGE_SPACE = " \t\n\r\f\u00a0\u3000\u200b\ufeff"


# tuple.__new__(Run, fields): a named tuple made without the Python-level __new__ it
# generates (which costs as much again); for the readers' hot paths, every field given.
_new = tuple.__new__


class Run(NamedTuple):
    """A piece of text, or an image when `image` is set, with its inline style. (A named
    tuple: a notice makes thousands, and a frozen dataclass costs several times more.)"""

    text: str = ""
    bold: bool = False
    href: str | None = None
    image: str | None = None
    br: bool = False  # a line break inside the paragraph (text empty)
    font: str | None = None  # the typeface the source sets it in: "hei", "kai", "fangsong", "song"


@dataclass
class Block:
    kind: str  # "p", "heading", "item", "item-more", "table", "rule", "figure"
    runs: list[Run] = field(default_factory=list)
    align: str | None = None
    level: int = 0  # heading level, or list depth for items
    marker: str = ""  # "-" or "3." for list items
    rows: list[list[Cell]] = field(default_factory=list)  # for tables
    indent: str | None = None  # "flush", "indent-4", "hang-2" ... where not the norm
    caption: list[Run] = field(default_factory=list)  # for figures
    centered: bool = False  # a table centred on the page
    font: str | None = None  # "hei", "kai" ... where the source's typeface differs from the norm

    def lines(self) -> list[list[Run]]:
        """The runs split at line breaks."""
        return split_lines(self.runs)


@dataclass
class Cell:
    lines: list[list[Run]]
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None  # "left" (for th), "center", "right"; None: the tag's default


class _Context(NamedTuple):
    bold: bool = False
    href: str | None = None
    align: str | None = None
    kind: str = "p"
    level: int = 0
    item: _Item | None = None
    indent: float | None = None  # text-indent in em (inherited, as in CSS)
    margin: float = 0.0  # left margin and padding in em, summed over the enclosing blocks
    center_tables: bool = False  # inside <center> or align="center" (centres tables)
    font: str | None = None  # the typeface (font-family, <font face>) the text inherits


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
    blocks = with_figures(reader.blocks) if reader.images else reader.blocks
    if reader.fonts:
        font_classes(blocks)
    return blocks


class _Reader:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.runs: list[Run] = []
        self.line_context: _Context | None = None
        self.images = False  # whether any image was read (figures are looked for then)
        self.fonts = False  # whether any typeface was read (blocks are given theirs then)

    # -- lines -------------------------------------------------------------
    def add(self, run: Run, context: _Context) -> None:
        if self.line_context is None:
            self.line_context = context
        self.runs.append(run)

    def end_line(self) -> None:
        runs, context = self.runs, self.line_context
        self.runs, self.line_context = [], None
        if not runs or context is None:
            return
        for run in runs:
            if run.image is not None or run.text.strip(_EDGE_SPACE):
                break
        else:
            return  # the white space between tags (most calls): nothing to show
        font = main_font(runs) if self.fonts else None
        if context.kind == "p":
            self.add_paragraphs(split_lines(runs), context, font)
        else:
            for line in split_lines(runs):
                self.add_block(tidy_runs(line), context, None, font)

    def add_paragraphs(self, lines: list[list[Run]], context: _Context, font: str | None = None) -> None:
        """Lines joined by hard breaks; an empty line ends a paragraph."""
        paragraph: list[Run] = []
        indent: str | None = None
        first_line = True  # text-indent applies to the block's first line only
        for line in lines:
            lead = leading_em(line)
            tidy = tidy_runs(line)
            if not tidy:
                self.add_block(paragraph, context, indent, font)
                paragraph = []
            elif not paragraph:
                own = (context.indent or 0.0) if first_line else 0.0
                indent = indent_class(context.margin + own + lead, context.margin)
                paragraph = tidy
            else:
                spaces = "\u3000" * _round(lead)
                if spaces:
                    tidy.insert(0, Run(spaces))
                paragraph += [Run(br=True), *tidy]
            first_line = False
        self.add_block(paragraph, context, indent, font)

    def add_block(self, runs: list[Run], context: _Context, indent: str | None = None,
                  font: str | None = None) -> None:
        if not runs:
            return
        if context.kind == "item" and context.item is not None:
            item = context.item
            kind = "item-more" if item.started else "item"
            item.started = True
            self.blocks.append(Block(kind, runs, None, item.depth, item.marker))
        else:
            align = context.align
            self.blocks.append(Block(context.kind, runs, align, context.level, "", [],
                                     None if align else indent, [], False, font))

    # -- tree --------------------------------------------------------------
    def visit(self, element: Element, context: _Context) -> None:
        """The element's own text and children; each child's tail is text of this element."""
        # lxml decodes .text, .tail and .tag on every access: each is read once.
        text = element.text
        if text:
            if self.line_context is None:
                self.line_context = context
            self.runs.append(_new(Run, (text, context.bold, context.href, None, False, context.font)))
        for child in element:
            name = child.tag
            if isinstance(name, str):
                self.visit_tag(child, context, name)
            tail = child.tail
            if tail:
                if self.line_context is None:
                    self.line_context = context
                self.runs.append(_new(Run, (tail, context.bold, context.href, None, False, context.font)))

    def visit_tag(self, tag: Element, context: _Context, name: str | None = None) -> None:
        """An element (name: its tag, where read already) and what it holds."""
        name = (name or tag.tag).lower()
        if name in DROPPED_WITH_CONTENT:
            return
        if name == "br":
            self.add(Run(br=True), context)
            return
        if name == "img":
            src = absolute_url(tag.get("src"), self.base_url)
            if src:
                alt = tag.get("alt") or tag.get("title") or ""
                self.add(Run(alt, context.bold, context.href, image=src), context)
                self.images = True
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
        bold, font = context.bold, context.font
        if name in ("strong", "b"):
            bold = True
        if name == "font":
            face = tag.get("face")
            font = (font_of(face) if face else None) or font
        style = tag.get("style")
        if style:  # over <font face>, as in CSS
            weight, face = _inline_style(style)
            if weight is not None:
                bold = weight
            if face is not None:
                font = face
        href = context.href
        if name == "a":
            href = absolute_url(tag.get("href"), self.base_url)
        if bold == context.bold and href == context.href and font == context.font:
            return context
        if font is not None:
            self.fonts = True
        return _new(_Context, (bold, href, context.align, context.kind, context.level, context.item,
                               context.indent, context.margin, context.center_tables, font))

    def block_context(self, tag: Element, name: str, context: _Context) -> _Context:
        align = context.align
        style, attribute = tag.get("style"), (tag.get("align") or "").lower()
        declared = "center" if name == "center" else align_of(style, attribute)
        if declared:
            align = declared if declared in ("center", "right") else None
        center_tables = context.center_tables
        if name == "center" or attribute:
            center_tables = name == "center" or attribute == "center"
        if name in HEADINGS:
            return context._replace(align=align, kind="heading", level=HEADINGS[name],
                                    center_tables=center_tables)
        if name == "li" and context.item is not None:  # a stray <li> is a paragraph
            return context._replace(align=None, kind="item")
        if context.kind == "item":
            # A <p> inside an <li> continues the item.
            return context._replace(align=None)
        indent, margin = context.indent, context.margin
        if style:
            lengths = style_lengths(tag, style)
            if lengths:
                indent = lengths.get("text-indent", indent)
                margin += lengths.get("margin-left", 0.0) + lengths.get("padding-left", 0.0)
        if (align, indent, margin, center_tables) == (
            context.align, context.indent, context.margin, context.center_tables
        ) and context.kind == "p" and context.level == 0:
            return context
        return _new(_Context, (context.bold, context.href, align, "p", 0, context.item, indent, margin,
                               center_tables, context.font))

    def read_list(self, tag: Element, name: str, context: _Context) -> None:
        depth = context.item.depth + 1 if context.item else 0
        number = _int_attr(tag.get("start"), 1) if name == "ol" else 0
        # Text straight inside <ul>/<ol> (broken HTML) still counts: each piece is a line.
        text = tag.text
        if text and text.strip():
            self.add(Run(text, context.bold, context.href, None, False, context.font), context)
            self.end_line()
        for child in tag:
            if tag_name(child) == "li":
                marker = f"{number}." if name == "ol" else "-"
                number += 1
                self.visit(child, context._replace(item=_Item(marker, depth), kind="item"))
                self.end_line()
            elif isinstance(child.tag, str):
                self.visit_tag(child, context)
            tail = child.tail
            if tail and tail.strip():
                self.add(Run(tail, context.bold, context.href, None, False, context.font), context)
                self.end_line()

    def read_table(self, table: Element, context: _Context) -> Block:
        rows: list[list[Cell]] = []
        for row in _rows_of(table):
            cells = []
            row_align = declared_align(row)
            for cell in row:
                name = cell.tag
                name = name.lower() if isinstance(name, str) else ""
                if name != "td" and name != "th":
                    continue
                if len(cell):
                    reader = _Reader(self.base_url)
                    reader.visit(cell, _Context(bold=context.bold))
                    reader.end_line()
                    lines = _cell_lines(reader.blocks)
                    inner_align = _common_align(reader.blocks)
                else:  # text alone (most cells of big tables): one line, no paragraph to align
                    text = cell.text
                    line = tidy_runs([Run(text, context.bold)]) if text else []
                    lines, inner_align = ([line] if line else []), None
                header = name == "th"
                align = declared_align(cell) or row_align or inner_align
                colspan, rowspan = cell.get("colspan"), cell.get("rowspan")
                cells.append(Cell(
                    lines, header,
                    _int_attr(colspan, 1) if colspan else 1,
                    _int_attr(rowspan, 1) if rowspan else 1,
                    _cell_class(align, header),
                ))
            if cells:
                rows.append(cells)
        style = table.get("style") or ""
        centered = (
            (table.get("align") or "").lower() == "center"
            or len(_AUTO_MARGINS.findall(style)) > 0
            or context.center_tables
        )
        return Block("table", rows=rows, centered=centered)


@lru_cache(maxsize=4096)
def _inline_style(style: str) -> tuple[bool | None, str | None]:
    """What a style says of the weight (bold True, not bold False, nothing None) and of the
    typeface ("hei", "kai", "fangsong", "song", or None)."""
    family = _FAMILY_STYLE.search(style)
    font = font_of(family.group(1)) if family else None
    weight = _WEIGHT_STYLE.search(style)
    if not weight:
        return None, font
    value = weight.group(1).lower()
    if value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600):
        return True, font
    if value in ("normal", "lighter") or value.isdigit():
        return False, font
    return None, font


@lru_cache(maxsize=1024)
def font_of(families: str) -> str | None:
    """The CJK typeface a font-family list (or <font face>) names first: a browser shows
    Chinese text in the first face that has it, and Latin faces (Times New Roman) have none."""
    for family in families.split(","):
        name = family.strip(" \t\n'\"").lower()
        for needle, font in _FONT_NAMES:
            if needle in name:
                return font
    return None


def main_font(runs: list[Run]) -> str | None:
    """The typeface most of a line's characters are set in (unstyled text counts as None)."""
    font = runs[0].font
    for run in runs:
        if run.font != font:
            break
    else:
        return font  # the common case: one face throughout
    counts: dict[str | None, int] = {}
    for run in runs:
        if run.image is None and run.text:
            counts[run.font] = counts.get(run.font, 0) + len(run.text.strip())
    return max(counts, key=counts.__getitem__) if counts else None


def font_classes(blocks: list[Block]) -> None:
    """Keep a block's typeface only where it differs from the norm: for paragraphs, the face
    most of the body's paragraph text is set in (the theme sets that in its body face); for
    headings, 黑体 (the theme's heading face)."""
    weights: dict[str | None, int] = {}
    for block in blocks:
        if block.kind == "p":
            weights[block.font] = weights.get(block.font, 0) + sum(
                len(run.text) for run in block.runs if run.image is None)
    body = max(weights, key=weights.__getitem__) if weights else None
    for block in blocks:
        norm = body if block.kind == "p" else "hei" if block.kind == "heading" else block.font
        if block.font == norm:
            block.font = None


def declared_align(tag: Element) -> str | None:
    """The horizontal alignment an element declares (style over the align attribute)."""
    return align_of(tag.get("style"), tag.get("align"))


def align_of(style: str | None, attribute: str | None) -> str | None:
    """declared_align of an element's style and align attributes."""
    if style:
        declared = _style_align(style)
        if declared:
            return declared
    return attribute.lower() if attribute else None


@lru_cache(maxsize=4096)
def _style_align(style: str) -> str | None:
    match = _ALIGN_STYLE.search(style)
    return match.group(1).lower() if match else None


def _cell_lines(blocks: list[Block]) -> list[list[Run]]:
    """The lines of a cell's blocks; a table nested in the cell gives its cells' lines (the
    importer's tables do not nest, and its text must not be lost)."""
    lines: list[list[Run]] = []
    for block in blocks:
        if block.kind == "table":
            lines += [line for row in block.rows for cell in row for line in cell.lines]
        elif block.runs:
            lines += block.lines()
    return lines


def _common_align(blocks: list[Block]) -> str | None:
    """A cell's alignment from its paragraphs, where they all say centre or all right."""
    aligns = {block.align for block in blocks if block.runs}
    return aligns.pop() if len(aligns) == 1 else None


def _cell_class(align: str | None, header: bool) -> str | None:
    # th is centred and td left-aligned by default: only a difference needs a class.
    if align in ("center", "right"):
        return None if header and align == "center" else align
    if align in ("left", "justify") and header:
        return "left"
    return None


def _round(value: float) -> int:
    return math.floor(value + 0.5)


@lru_cache(maxsize=1024)  # a body repeats a few indents hundreds of times
def indent_class(first_line: float, other_lines: float) -> str | None:
    """The class for a paragraph whose first line starts `first_line` em from the left edge
    and whose other lines `other_lines` em; None for the body's norm (2em, 0)."""
    margin = min(MAX_INDENT, _round(other_lines))
    first = min(MAX_INDENT, max(0, _round(first_line)))
    if margin >= 1 and first < margin:
        return f"hang-{margin}"
    if first == 2:
        return None
    return "flush" if first == 0 else f"indent-{first}"


def leading_em(runs: list[Run]) -> float:
    """How far the spaces a line starts with move its text, in em (collapsible ones: none)."""
    width = 0.0
    for run in runs:
        if run.image is not None:
            break
        text = run.text
        rest = text.lstrip(_EDGE_SPACE)
        if len(rest) < len(text):  # ideographic spaces 1em, no-break ½em, the others none
            lead = text[: len(text) - len(rest)]
            width += lead.count("\u3000") + 0.5 * lead.count("\u00a0")
        if rest:
            return width
    return width


def style_lengths(tag: Element, style: str) -> dict[str, float]:
    """text-indent, margin-left and padding-left of an element, in em of its text (a dict
    that may be shared: read it, never change it)."""
    relative = _relative_lengths(style)
    if relative is not None:
        return relative
    found = _style_lengths(style)
    lengths = {}
    font_px = 0.0
    for name, (value, unit) in found.items():
        if name == "font-size":
            continue
        if unit in ("em", "ch", "rem"):
            lengths[name] = value if unit != "ch" else value / 2
        else:
            font_px = font_px or _font_px(tag, found)
            lengths[name] = value * _PX_PER_UNIT[unit] / font_px
    return lengths


@lru_cache(maxsize=4096)
def _relative_lengths(style: str) -> dict[str, float] | None:
    """style_lengths of a style that gives no length in absolute units (so needs no font size:
    the same for every element); None for one that does."""
    lengths = {}
    for name, (value, unit) in _style_lengths(style).items():
        if name == "font-size":
            continue
        if unit not in ("em", "ch", "rem"):
            return None
        lengths[name] = value if unit != "ch" else value / 2
    return lengths


@lru_cache(maxsize=4096)
def _style_lengths(style: str) -> dict[str, tuple[float, str]]:
    # Word repeats a handful of style strings thousands of times.
    if not _LENGTH_STYLE.search(style):
        return {}
    return {m.group(1).lower(): (float(m.group(2)), (m.group(3) or "px").lower())
            for m in _LENGTH_STYLE.finditer(style) if _is_number(m.group(2))}


def _font_px(tag: Element, found: dict) -> float:
    # Word puts the font size on the paragraph or on the first span inside it.
    if "font-size" not in found:
        for inner in islice(tag.iter(), 1, 6):
            match = _LENGTH_STYLE.search(inner.get("style") or "") if isinstance(inner.tag, str) else None
            if match and match.group(1).lower() == "font-size":
                found = {"font-size": (float(match.group(2)) if _is_number(match.group(2)) else 0,
                                       (match.group(3) or "px").lower())}
                break
    value, unit = found.get("font-size", (0.0, "px"))
    px = value * _PX_PER_UNIT.get(unit, 0.0) if unit not in ("em", "rem", "ch") else value * 16
    return px if 6 <= px <= 72 else _BODY_FONT_PX


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def split_lines(runs: list[Run]) -> list[list[Run]]:
    for run in runs:  # (a loop: most lines have no break, and a generator costs more)
        if run.br:
            break
    else:
        return [runs]
    lines: list[list[Run]] = [[]]
    for run in runs:
        if run.br:
            lines.append([])
        else:
            lines[-1].append(run)
    return lines


def with_figures(blocks: list[Block]) -> list[Block]:
    """An image line followed by its caption line (图1　…) becomes one figure, the caption
    its alt text, whether the caption follows after a line break or as the next paragraph."""
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        lines = block.lines() if block.kind == "p" else []
        caption = None
        if len(lines) == 2 and _only_images(lines[0]) and _is_caption(lines[1]):
            caption = lines[1]
        elif len(lines) == 1 and _only_images(lines[0]) and index + 1 < len(blocks):
            after = blocks[index + 1]
            if after.kind == "p" and len(after.lines()) == 1 and _is_caption(after.runs):
                caption = after.runs
                index += 1
        if caption is None:
            out.append(block)
        else:
            alt = "".join(run.text for run in caption).strip()
            images = [run if run.text.strip() else run._replace(text=alt)
                      for run in lines[0] if run.image is not None]
            out.append(Block("figure", images, caption=caption))
        index += 1
    return out


def _only_images(runs: list[Run]) -> bool:
    return any(run.image for run in runs) and all(run.image or not run.text.strip() for run in runs)


def _is_caption(runs: list[Run]) -> bool:
    text = "".join(run.text for run in runs if run.image is None).strip(_EDGE_SPACE)
    return len(text) <= 80 and bool(_CAPTION.match(text)) and all(run.image is None for run in runs)


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
    if len(runs) == 1 and runs[0].image is None:  # a line of one piece of text: trim it
        run = runs[0]
        text = run.text
        if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
            text = _COLLAPSIBLE.sub(" ", text)
        text = text.replace("\u00a0", " ").strip(_EDGE_SPACE)
        return [run if text == run.text else run._replace(text=text)] if text else []
    cleaned: list[Run] = []
    for run in runs:
        text = run.text
        if not text and run.image is None:
            continue
        if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
            text = _COLLAPSIBLE.sub(" ", text)
        if "\u00a0" in text:
            text = text.replace("\u00a0", " ")
        if run.image is None and not text.strip(" "):
            run = Run(" ", False, run.href, None, run.br)
        elif text is not run.text:
            run = run._replace(text=text)
        cleaned.append(run)
    # Trim indentation at the start and padding at the end of the line.
    start, end = 0, len(cleaned)
    while start < end and cleaned[start].image is None and not cleaned[start].text.strip(_EDGE_SPACE):
        start += 1
    while end > start and cleaned[end - 1].image is None and not cleaned[end - 1].text.strip(_EDGE_SPACE):
        end -= 1
    if start == end:
        return []
    if start or end < len(cleaned):
        cleaned = cleaned[start:end]
    first = cleaned[0]
    if first.image is None and first.text[0] in _EDGE_SPACE:
        cleaned[0] = first._replace(text=first.text.lstrip(_EDGE_SPACE))
    last = cleaned[-1]
    if last.image is None and last.text[-1] in _EDGE_SPACE:
        cleaned[-1] = last._replace(text=last.text.rstrip(_EDGE_SPACE))
    if len(cleaned) == 1:
        return cleaned if cleaned[0].image is not None or cleaned[0].text else []
    merged: list[Run] = []
    previous: Run | None = None
    for run in cleaned:
        if (
            previous is not None
            and run.image is None
            and previous.image is None
            and run.bold == previous.bold
            and run.href == previous.href
        ):
            text = previous.text + run.text
            if "  " in text:
                text = _SPACES.sub(" ", text)
            merged[-1] = previous = Run(text, previous.bold, previous.href, None, previous.br)
        else:
            if (previous is not None and previous.image is None and run.image is None
                    and previous.text.endswith(" ") and run.text.startswith(" ")):
                run = Run(run.text[1:], run.bold, run.href, None, run.br)
            merged.append(run)
            previous = run
    return [run for run in merged if run.image is not None or run.text]
