"""The outline (目录) of a notice: its headings, and the body with an anchor on each.

Notices rarely use heading tags: their sections are paragraphs that start with an enumeration
(一、 （一） 第一章 第一节), whole-bold as the ministry's own pages show them, or set in 黑体 or
楷体 as official documents set theirs (the converter's font classes). All count.
"""

from __future__ import annotations

import re
from html import unescape
from typing import NamedTuple

# Several headings make an outline worth showing.
MIN_ENTRIES = 3
_NUMERAL = "[一二三四五六七八九十百零〇]+"
# The level of a heading by how it starts: 第一章 and 一、 are 1, 第一节 and （一） are 2.
_LEVEL = re.compile(rf"(第{_NUMERAL}[章部编]|{_NUMERAL}、)|第{_NUMERAL}节|[（(]{_NUMERAL}[）)]")
# A heading tag, or a paragraph that is bold from end to end (the renderer's own markup). Text up
# to a closing tag is matched a run of non-"<" at a time, not a character at a time, and the runs
# are possessive: what follows a run starts with "<", so giving characters back never matches
# (a paragraph bold only at its start failed after trying every shorter run).
_CANDIDATE = re.compile(
    r'<(h[2-6])((?: class="[\w -]+")?)>(.*?)</\1>'
    r'|<p((?: class="[\w -]+")?)><strong>([^<]*+(?:<(?!/?strong>|/p>)[^<]*+)*+)</strong></p>'
    # or set in a heading face, as official documents set theirs (一、 in 黑体, （一） in 楷体)
    r'|<p( class="(?:[\w-]+ )?font-(?:hei|kai)")>([^<]*+(?:<(?!/p>)[^<]*+)*+)</p>',
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")
_FACE_HEADING_LENGTH = 40


class Entry(NamedTuple):  # a tuple: a notice has dozens, an archive millions
    anchor: str
    text: str
    level: int


def outline(body: str) -> tuple[str, list[Entry]]:
    """The body with `id="s-N"` on each heading, and the headings; the body unchanged and no
    entries when there are fewer than MIN_ENTRIES."""
    entries: list[Entry] = []
    pieces: list[str] = []
    position = 0
    for match in _CANDIDATE.finditer(body):
        tag, _, heading, _, bold, face, face_text = match.groups()
        inner = heading if tag else bold if face is None else face_text
        if "<" in inner:
            inner = _TAG.sub("", inner)
        text = (unescape(inner) if "&" in inner else inner).strip(" \u3000\u00a0\n")
        if face and len(text) > _FACE_HEADING_LENGTH:
            continue  # a whole paragraph in that face, not a heading
        numbered = _LEVEL.match(text)
        level = None if numbered is None else 1 if numbered.group(1) else 2
        if tag:
            level = level or int(tag[1]) - 1
        if not text or level is None:
            continue
        anchor = f"s-{len(entries) + 1}"
        entries.append(Entry(anchor, text, min(level, 3)))
        start = match.start() + (3 if tag else 2)  # after "<h2" or "<p"
        pieces += [body[position:start], f' id="{anchor}"']
        position = start
    if len(entries) < MIN_ENTRIES:
        return body, []
    pieces.append(body[position:])
    return "".join(pieces), entries
