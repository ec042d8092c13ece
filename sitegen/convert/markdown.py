"""Write blocks as Markdown that renders back to exactly the same text.

Everything that Markdown would read as syntax is escaped, so text that looks
like Markdown (`1. `, `# `, `*`, `&lt;`) stays text. Bold uses `**` where
CommonMark's flanking rules let it close, and `<strong>` where they do not
(`**（一）加快进度。**基础` would show its asterisks). A line break inside a paragraph is a
hard break (a backslash at the end of the line). Tables and figures are HTML blocks of the
shape grammar.py describes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import replace

from .blocks import Block, Cell, Run, split_lines
from .urls import markdown_destination

_INLINE_SYNTAX = re.compile(r"([\\`*_\[\]<>|~{}!])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_LINE_START_SYNTAX = ("#", "-", "+", "=", ":")


def escape_text(text: str) -> str:
    # Most text holds no syntax at all: a search costs a fifth of a sub with a template.
    if _INLINE_SYNTAX.search(text):
        text = _INLINE_SYNTAX.sub(r"\\\1", text)
    if "&" in text:
        text = _ENTITY_LIKE.sub(r"\\&", text)
    return text


def escape_line_start(markdown: str) -> str:
    """Escape what would start a heading, list, quote or rule at the beginning of a line."""
    if markdown.startswith(_LINE_START_SYNTAX):
        return "\\" + markdown
    if not markdown[:1].isdigit():
        return markdown
    return _ORDERED_MARKER.sub(r"\1\\\2", markdown, count=1)


def _is_flanking_safe(char: str) -> bool:
    """A character next to `**` that lets it open and close under CommonMark's rules."""
    category = unicodedata.category(char)
    return not (char.isspace() or category[0] in "PSZC")


def _bold(text: str) -> str:
    inner = escape_text(text)
    if _is_flanking_safe(text[0]) and _is_flanking_safe(text[-1]):
        return f"**{inner}**"
    return f"<strong>{inner}</strong>"


def _styled(run: Run) -> str:
    if not run.bold:
        return escape_text(run.text)
    # Spaces at the edges of bold text go outside the markers, where they cannot break them.
    core = run.text.strip(" ")
    if not core:
        return escape_text(run.text)
    lead = " " if run.text.startswith(" ") else ""
    trail = " " if run.text.endswith(" ") else ""
    return lead + _bold(core) + trail


def _image(run: Run) -> str:
    return f"![{escape_text(run.text)}]({markdown_destination(run.image or '')})"


def inline_markdown(runs: list[Run]) -> str:
    out: list[str] = []
    index = 0
    while index < len(runs):
        run = runs[index]
        if run.href is None:
            out.append(_image(run) if run.image else _styled(run))
            index += 1
            continue
        group = []
        while index < len(runs) and runs[index].href == run.href:
            group.append(runs[index])
            index += 1
        label = "".join(_image(r) if r.image else _styled(r) for r in group)
        out.append(f"[{label}]({markdown_destination(run.href)})")
    text = "".join(out)
    first = runs[0] if runs else None
    if first is not None and first.href is None and first.image is None and not first.bold:
        text = escape_line_start(text)
    return text


def inline_html(runs: list[Run]) -> str:
    """The same runs as HTML, for table cells (an HTML block is not read as Markdown)."""
    out = []
    for run in runs:
        if run.image:
            piece = f'<img src="{html.escape(run.image)}" alt="{html.escape(run.text)}">'
        else:
            piece = html.escape(run.text, quote=False)
            if run.bold and run.text.strip():
                piece = f"<strong>{piece}</strong>"
        if run.href:
            piece = f'<a href="{html.escape(run.href)}">{piece}</a>'
        out.append(piece)
    return "".join(out)


def _cell_html(cell: Cell) -> str:
    tag = "th" if cell.header else "td"
    attrs = f' class="{cell.align}"' if cell.align else ""
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    content = "<br>".join(inline_html(line) for line in cell.lines)
    return f"<{tag}{attrs}>{content}</{tag}>"


def table_html(block: Block) -> str:
    # No blank line may appear inside: CommonMark ends an HTML block at the first one.
    rows = ["<tr>" + "".join(_cell_html(cell) for cell in row) + "</tr>" for row in block.rows]
    opening = '<table class="center">' if block.centered else "<table>"
    return opening + "\n" + "\n".join(rows) + "\n</table>"


def figure_html(block: Block) -> str:
    """An image and its caption (an HTML block, like tables: no blank line inside)."""
    return (f"<figure>\n{inline_html(block.runs)}\n"
            f"<figcaption>{inline_html(block.caption)}</figcaption>\n</figure>")


def block_markdown(block: Block) -> str:
    if block.kind == "table":
        return table_html(block)
    if block.kind == "figure":
        return figure_html(block)
    if block.kind == "rule":
        return "---"
    if block.kind == "p":
        text = "\\\n".join(inline_markdown(line) for line in split_lines(block.runs))
    else:
        text = inline_markdown(block.runs)
    if block.kind == "heading":
        if text.endswith("#") and not text.endswith("\\#"):  # not a closing sequence
            text = text[:-1] + "\\#"
        text = "#" * block.level + " " + text
    elif block.kind in ("item", "item-more"):
        indent = " " * (4 * block.level)
        if block.kind == "item":
            text = f"{indent}{block.marker} {text}"
        else:
            text = indent + " " * (len(block.marker) + 1) + text
    classes = [name for name in (block.align or block.indent,
                                 f"font-{block.font}" if block.font else None) if name]
    if classes:
        text = "{." + " .".join(classes) + "}\n" + text
    return text


def blocks_markdown(blocks: list[Block]) -> str:
    shown = [block for block in blocks if block.runs or block.rows or block.kind == "rule"]
    parts = [block_markdown(block) for block in _list_depths(shown)]
    return "\n\n".join(parts) + ("\n" if parts else "")


def _list_depths(blocks: list[Block]) -> list[Block]:
    """List items at most one level deeper than the item before them: a nested list whose
    parent item shows nothing has no parent line, and four spaces more would make it code."""
    if not any(block.kind == "item" and block.level for block in blocks):
        return blocks
    out: list[Block] = []
    written: dict[int, int] = {}  # an item's depth in the source -> its depth as written
    for block in blocks:
        if block.kind not in ("item", "item-more"):
            written = {}
            out.append(block)
            continue
        deepest = max(written.values(), default=-1)
        if block.kind == "item":
            depth = min(block.level, deepest + 1)
            written = {level: at for level, at in written.items() if level < block.level}
            written[block.level] = depth
        else:  # the item it continues is the deepest one open now
            depth = written.get(block.level, min(block.level, deepest + 1))
            written = {level: at for level, at in written.items() if level < block.level}
            written[block.level] = depth
        out.append(block if depth == block.level else replace(block, level=depth))
    return out
