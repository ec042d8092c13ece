"""Does the rendered Markdown show every visible character of the source, and nothing more?"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from ..render import render_markdown
from .text import sanitized_html_text, source_text, squeeze


@dataclass(frozen=True)
class Fidelity:
    source_chars: int
    lost: int
    added: int

    @property
    def ratio(self) -> float:
        if self.source_chars == 0:
            return 1.0 if self.added == 0 else 0.0
        return max(0.0, 1 - (self.lost + self.added) / self.source_chars)

    @property
    def perfect(self) -> bool:
        return self.lost == 0 and self.added == 0


def compare_text(source: str, result: str) -> Fidelity:
    """Characters lost and added, whitespace aside."""
    a, b = squeeze(source), squeeze(result)
    if a == b:
        return Fidelity(len(a), 0, 0)
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return Fidelity(len(a), len(a) - matched, len(b) - matched)


def rendered_text(markdown: str) -> str:
    return sanitized_html_text(render_markdown(markdown))


def measure_text(source_text: str, markdown: str) -> Fidelity:
    """Fidelity of Markdown against the visible text of its source."""
    return compare_text(source_text, rendered_text(markdown))


def measure(source_html: str, markdown: str) -> Fidelity:
    return measure_text(source_text(source_html), markdown)
