"""Body HTML to Markdown: `convert(html, base_url)` gives the Markdown and its attachments."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..notice import Attachment
from .blocks import Block, Run, read_blocks
from .markdown import blocks_markdown
from .text import parse_html, visible_text
from .urls import attachment_title, is_attachment


@dataclass
class Conversion:
    markdown: str
    attachments: list[Attachment] = field(default_factory=list)
    source_text: str = ""  # what a reader saw in the original, for the fidelity measure


def convert(html: str, base_url: str = "") -> Conversion:
    tree = parse_html(html)
    blocks = read_blocks(tree, base_url)
    return Conversion(blocks_markdown(blocks), find_attachments(blocks), visible_text(tree))


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
