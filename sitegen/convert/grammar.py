"""What the converter writes that is not plain Markdown: one contract for the writer, the
renderer's fast path and the sanitiser.

- Block classes, on the line before a paragraph or heading (`{.flush}`, `{.center .font-kai}`):
  alignment, or the source's indentation where it differs from the body's norm (a first-line
  indent of 2em); then the source's typeface where it differs from the body's.
- Tables as HTML blocks of exactly the shape TABLE_HTML describes; the renderer passes such a
  table as it is and sanitises any other.
- The classes the sanitiser keeps, each tag with its allow-list of values.
"""

from __future__ import annotations

import re

ALIGN_CLASSES = ("center", "right")
# First-line indents (in em) other than the norm of 2, and hanging indents, up to this many.
MAX_INDENT = 8
INDENT_CLASSES = ("flush",) + tuple(f"indent-{n}" for n in range(1, MAX_INDENT + 1) if n != 2)
HANG_CLASSES = tuple(f"hang-{n}" for n in range(1, MAX_INDENT + 1))
# The typeface the source sets a paragraph or heading in, where it differs from the body's
# (a heading's: 黑体): 黑体, 楷体, 仿宋, 宋体 (the theme maps each to a CJK font stack).
FONT_CLASSES = ("font-hei", "font-kai", "font-fangsong", "font-song")
BLOCK_CLASSES = ALIGN_CLASSES + INDENT_CLASSES + HANG_CLASSES + FONT_CLASSES
CELL_CLASSES = ("left", "center", "right")
TABLE_CLASSES = ("center",)

SANITISER_CLASSES = {
    **{tag: set(BLOCK_CLASSES) for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "div")},
    "td": set(CELL_CLASSES),
    "th": set(CELL_CLASSES),
    "table": set(TABLE_CLASSES),
}


def _choice(values: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(value) for value in values) + ")"


# Every piece of a table as the converter writes it (markdown.table_html): a fixed set of
# tags, attributes only where and in the order it puts them, text with no markup in it.
TABLE_HTML = re.compile(
    # Possessive and atomic: a near miss must fail at once, not try every way to split the text.
    rf"""<table(?:\ class="{_choice(TABLE_CLASSES)}")?>\n?(?>
        <(?:/?(?:tr|strong)|/t[dh]|br
            |t[dh](?:\ class="{_choice(CELL_CLASSES)}")?(?:\ (?:col|row)span="\d{{1,4}}")*)>
      | <a\ href="[^"<>]*+">|</a>
      | <img\ src="[^"<>]*+"\ alt="[^"<>]*+">
      | [^<&]++
      | &(?:amp|lt|gt|quot|\#x27|\#39);
    )*+</table>\n?""",
    re.VERBOSE,
)
