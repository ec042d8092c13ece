"""Body HTML to Markdown: `convert(html, base_url)` gives the Markdown and its attachments."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..notice import Attachment
from .blocks import Block, Run, read_blocks, tidy_runs
from .layout import Layout, read_source
from .markdown import blocks_markdown
from .text import independent_text, parse_html_checked
from .urls import attachment_title, is_attachment


@dataclass
class Conversion:
    markdown: str
    attachments: list[Attachment] = field(default_factory=list)
    source_text: str = ""  # what a reader saw in the original, for the fidelity measure
    warnings: list[str] = field(default_factory=list)
    source_layout: Layout | None = None  # the original's layout, for the fidelity measure


def convert(html: str, base_url: str = "") -> Conversion:
    tree, truncated = parse_html_checked(html)
    if truncated:
        # The tree lost whatever lies below the parser's depth limit: keep every line of
        # text instead, read without a tree, and measure against that.
        text = independent_text(html)
        blocks = [Block("p", runs, indent="flush") for line in text.split("\n")
                  if (runs := tidy_runs([Run(line)]))]
        return Conversion(blocks_markdown(blocks), [], text, [
            "elements nested deeper than the parser reads (256): converted as plain text lines"
        ])
    blocks = read_blocks(tree, base_url)
    text, layout = read_source(tree)
    return Conversion(blocks_markdown(blocks), find_attachments(blocks), text, source_layout=layout)


def find_attachments(blocks: list[Block]) -> list[Attachment]:
    """Links to documents (.doc, .pdf, file-download URLs ...), in order, once each."""
    texts: dict[str, str] = {}
    for runs in _all_lines(blocks):
        for run in runs:
            if run.href and is_attachment(run.href) and run.image is None:
                texts[run.href] = texts.get(run.href, "") + run.text
    return [Attachment(attachment_title(url, text), url) for url, text in texts.items()]


def _all_lines(blocks: list[Block]):
    for block in blocks:
        yield block.runs
        for row in block.rows:
            for cell in row:
                yield from cell.lines


__all__ = ["Block", "Conversion", "Run", "convert"]
