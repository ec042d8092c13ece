"""Citations between notices: file numbers in their real variety, and titles in 《》.

Found in the body text, resolved to notices of the archive (by normalised file number, else
by normalised title, with or without the issuer prefix), rendered as links; what does not
resolve is reported, never linked. Interpretations (解读) are paired with the notice they
explain.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from operator import itemgetter
from typing import NamedTuple

from .convert.text import squeeze
from .notice import Notice

_OPEN = "〔﹝[［(（【"
_CLOSE = "〕﹞]］)）】"
# 工信部信管〔2020〕81号, 工信厅信管﹝2019﹞86号, 国发[2020]5号 (the year must look like one).
FILE_NUMBER = re.compile(
    rf"([\u4e00-\u9fff]{{2,12}}?)\s*[{re.escape(_OPEN)}]\s*((?:19|20)\d{{2}})\s*[{re.escape(_CLOSE)}]"
    r"\s*第?\s*(\d{1,5})\s*号"
)
# 工业和信息化部令第24号, and the bare 第24号令.
ORDER = re.compile(r"([\u4e00-\u9fff]{2,20}令)\s*第\s*(\d{1,5})\s*号|第\s*(\d{1,5})\s*号令")
TITLE = re.compile(r"《([^《》\n]{4,100})》")
INTERPRETATION = re.compile(r"^《(.+)》(?:政策)?解读$|^(.+?)(?:的)?(?:政策)?解读$")
_ISSUER_PREFIX = re.compile(r"^.*?(?=关于)")


class Citation(NamedTuple):
    kind: str  # "number" or "title"
    text: str  # as written
    key: str  # normalised, what resolution compares


@dataclass
class Links:
    """The citation graph of an archive."""

    cites: dict[str, list[str]] = field(default_factory=dict)  # id -> cited ids, in text order
    cited_by: dict[str, list[str]] = field(default_factory=dict)
    anchors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> (text, target id)
    unresolved: dict[str, list[str]] = field(default_factory=dict)  # id -> citation texts
    explains: dict[str, str] = field(default_factory=dict)  # interpretation id -> notice id
    explained_by: dict[str, list[str]] = field(default_factory=dict)

    @property
    def edges(self) -> int:
        return sum(len(v) for v in self.cites.values())


# Words that run into a file number's issuer code in running text ("依据工信部……").
_LEAD_WORDS = re.compile(
    r"^(?:依据|根据|按照|依照|参照|对照|结合|落实|贯彻|印发|转发|下发|见|和|及|与|即|对|将|经|据|并|或|以|"
    r"为|在|由|自|从|向|把|被|的|了|是|于|按|照|请|如|详)+"
)


def number_key(prefix: str, year: str, number: str) -> str:
    return f"{prefix}〔{year}〕{int(number)}号"


def _number_citation(match: re.Match) -> Citation:
    prefix, year, number = match.groups()
    trimmed = _LEAD_WORDS.sub("", prefix)
    if len(trimmed) < 2:
        trimmed = prefix
    text = match.group(0)[match.group(0).index(trimmed):] if trimmed != prefix else match.group(0)
    return Citation("number", text, number_key(trimmed, year, number))


def file_number_key(file_number: str) -> str:
    """The normalised form of a notice's own file number, as citations are normalised."""
    text = squeeze(file_number)
    match = FILE_NUMBER.fullmatch(text)
    if match:
        return number_key(*match.groups())
    match = ORDER.fullmatch(text)
    if match and match.group(1):
        return f"{match.group(1)}第{int(match.group(2))}号"
    return text


def title_keys(title: str) -> set[str]:
    """A title as cited: whole, and without the issuer before 关于."""
    text = squeeze(title).strip("《》")
    keys = {text}
    short = _ISSUER_PREFIX.sub("", text)
    if short and short != text and len(short) >= 6:
        keys.add(short)
    return keys


# No pattern may scan past the next opening character: from every '<', '[' or '(' of a text
# like "<<<<…" or "![x](![x](…" a scan to the end of the text makes the whole run quadratic.
_TAG = re.compile(r"<[^<>]+>")
# From "[" only: an optional "!" before it would have the engine try the pattern at every
# character (7 times slower over a body of tables); an image's "!" goes with its link (_unlink).
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\[\]]*\)")
_ESCAPE = re.compile(r"\\(.)")


def plain_body(markdown: str) -> str:
    """Body text near enough to what readers see, for finding citations.

    Alignment lines ({.center}) stay: alone on their lines, they cannot be part of a citation.
    Each pattern runs only where its text can occur: this runs over every body of every build.
    """
    text = _TAG.sub(" ", markdown) if "<" in markdown else markdown
    if "](" in text:
        text = _unlink(text)
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return text.replace("**", "")


def _unlink(text: str) -> str:
    """Each link and image as its text alone."""
    pieces, position = [], 0
    for match in _LINK.finditer(text):
        start = match.start()
        if start and text[start - 1] == "!":  # an image (a match ends with ")", never "!")
            start -= 1
        pieces += [text[position:start], match.group(1)]
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


# Anchors first (brackets with a year, then a number and 号; or 令…第N号), then a look back for
# the issuer code: scanning for the code at every character would be many times slower.
_NUMBER_ANCHOR = re.compile(
    rf"[{re.escape(_OPEN)}]\s*((?:19|20)\d{{2}})\s*[{re.escape(_CLOSE)}]\s*第?\s*(\d{{1,5}})\s*号"
)
# Two patterns, each starting with a literal character the engine can skip to: one
# alternation of both would be tried at every character of the text.
_ORDER_ANCHOR = re.compile(r"令\s*第\s*(\d{1,5})\s*号")  # 工业和信息化部令第5号
_ORDER_BEFORE = re.compile(r"第\s*(\d{1,5})\s*号令")  # 第5号令
_CODE_BEFORE = re.compile(r"[\u4e00-\u9fff]{2,12}$")
_ISSUER_BEFORE = re.compile(r"[\u4e00-\u9fff]{2,19}$")


def find_citations(text: str) -> list[Citation]:
    found: list[tuple[int, Citation]] = []  # by position, so citations come in text order
    for anchor in _NUMBER_ANCHOR.finditer(text):
        end = anchor.start()
        while end > 0 and text[end - 1].isspace():
            end -= 1
        code = _CODE_BEFORE.search(text, max(0, end - 12), end)
        if code:
            match = FILE_NUMBER.match(text, code.start(), anchor.end())
            if match:
                found.append((match.start(), _number_citation(match)))
    # Leftmost first and never overlapping, as one scan for either form would find them.
    orders = sorted([*_ORDER_ANCHOR.finditer(text), *_ORDER_BEFORE.finditer(text)], key=lambda m: m.start())
    scanned = 0
    for anchor in orders:
        if anchor.start() < scanned:
            continue
        scanned = anchor.end()
        if anchor.re is _ORDER_BEFORE:
            found.append((anchor.start(), Citation("number", anchor.group(0), f"令第{int(anchor.group(1))}号")))
            continue
        issuer = _ISSUER_BEFORE.search(text, max(0, anchor.start() - 19), anchor.start())
        if issuer:
            name = _LEAD_WORDS.sub("", issuer.group(0)) or issuer.group(0)
            written = text[anchor.start() - len(name) : anchor.end()]
            found.append((anchor.start() - len(name), Citation("number", written, f"{name}令第{int(anchor.group(1))}号")))
    found += [(match.start(), _title_citation(match.group(0))) for match in TITLE.finditer(text)]
    found.sort(key=itemgetter(0))
    return [citation for _, citation in found]


@lru_cache(maxsize=16384)
def _title_citation(written: str) -> Citation:
    # The same laws and notices are cited by title again and again, across the archive.
    return Citation("title", written, squeeze(written[1:-1]))


class Resolver:
    """Which notices of the archive a citation names: by normalised file number, else by title."""

    def __init__(self, notices: list[Notice]):
        self.by_number: dict[str, list[str]] = defaultdict(list)
        self.by_order: dict[str, list[str]] = defaultdict(list)
        self.by_title: dict[str, list[str]] = defaultdict(list)
        for notice in sorted(notices, key=lambda n: n.id):
            if notice.file_number:
                key = file_number_key(notice.file_number)
                self.by_number[key].append(notice.id)
                order = re.search(r"令第(\d+)号$", key)
                if order:
                    self.by_order[f"令第{int(order.group(1))}号"].append(notice.id)
            for key in title_keys(notice.title):
                self.by_title[key].append(notice.id)

    def _numbered(self, key: str) -> list[str]:
        # The issuer code may still carry words of the sentence before it: try shorter ones.
        for start in range(len(key)):
            if key[start:] in self.by_number:
                return self.by_number[key[start:]]
            if key[start] in "〔令":
                break
        return []

    def candidates(self, kind: str, key: str) -> list[str]:
        """Every notice the citation may name, in id order (one id: no doubt)."""
        if kind == "number":
            numbered = self._numbered(key)
            if numbered:
                return numbered
            order = re.search(r"令第(\d+)号$", key)
            return self.by_order.get(f"令第{order.group(1)}号", []) if order else []
        return sorted(set(self.by_title.get(key, [])))

    def resolve(self, kind: str, key: str) -> str | None:
        if kind == "number":
            numbered = self._numbered(key)
            if numbered:
                return numbered[0]  # the same file number twice: the first by id
        candidates = self.candidates(kind, key)
        return candidates[0] if len(candidates) == 1 else None


def link_archive(notices: list[Notice], citations: dict[str, list[Citation]],
                 resolver: Resolver | None = None) -> Links:
    """Resolve every notice's citations against the archive (resolver: made for these notices)."""
    resolver = resolver or Resolver(notices)
    resolve = resolver.resolve
    by_title = resolver.by_title

    resolved: dict[tuple[str, str], str | None] = {}
    links = Links()
    for notice in notices:
        cited, anchors, unresolved = [], [], []
        # Citations may arrive as plain (kind, text, key) tuples from the build cache. A body
        # cites the same law again and again (seven times each in generated archives): each is
        # looked at once, in the order first cited.
        for kind, text, key in dict.fromkeys(citations.get(notice.id, ())):
            memo = (kind, key)
            if memo not in resolved:
                resolved[memo] = resolve(kind, key)
            target = resolved[memo]
            if target is None:
                unresolved.append(text)
            elif target != notice.id:
                anchors.append((text, target))
                if target not in cited:
                    cited.append(target)
        if cited:
            links.cites[notice.id] = cited
            for target in cited:
                links.cited_by.setdefault(target, []).append(notice.id)
        if anchors:
            links.anchors[notice.id] = anchors
        if unresolved:
            links.unresolved[notice.id] = sorted(set(unresolved))
    _pair_interpretations(notices, links, by_title)
    for targets in links.cited_by.values():
        targets.sort()
    return links


def is_interpretation(notice: Notice) -> bool:
    return notice.column == "政策解读" or squeeze(notice.title).endswith("解读")


def _pair_interpretations(notices: list[Notice], links: Links, by_title) -> None:
    for notice in notices:
        if not is_interpretation(notice):
            continue
        target = None
        match = INTERPRETATION.match(squeeze(notice.title))
        if match:
            named = match.group(1) or match.group(2)
            candidates = {c for key in title_keys(named) for c in by_title.get(key, [])} - {notice.id}
            if len(candidates) == 1:
                target = candidates.pop()
        if target is None:
            # Else the first notice its text cites.
            target = next(iter(links.cites.get(notice.id, [])), None)
        if target and target != notice.id:
            links.explains[notice.id] = target
            links.explained_by.setdefault(target, []).append(notice.id)


_TEXT_SEGMENT = re.compile(r"(<[^<>]+>)")
_LINK_TAG = re.compile(r"<a [^<>]*>|<a>|</a>")
_STRAY_OPENING = re.compile(r"<(?![^<>]+>)")  # a "<" that opens no tag


def link_html(html: str, anchors: list[tuple[str, str]]) -> str:
    """Wrap each resolved citation (text, href) in the body HTML in a link, outside tags and
    other links. A tag is `<...>` without another `<` or `>` inside; a citation, escaped, holds
    neither, so it lies in a tag or in the text between two, never across one."""
    targets: dict[str, str] = {}
    for text, href in anchors:
        targets.setdefault(escape(text, quote=False), href)
    if not targets:
        return html
    if "" in targets or _STRAY_OPENING.search(html):
        # An empty citation is everywhere; text after a stray "<" is read as a tag.
        return _link_pieces(html, targets)
    out, done = [], 0
    links = _LINK_TAG.finditer(html)
    link = next(links, None)
    inside_link = 0
    for start, text in _occurrences(html, targets):
        if start < done:
            continue
        while link is not None and link.start() < start:
            inside_link = max(0, inside_link - 1) if link.group(0) == "</a>" else inside_link + 1
            link = next(links, None)
        if inside_link or _in_tag(html, start):
            continue
        out += [html[done:start], f'<a class="citation" href="{escape(targets[text])}">{text}</a>']
        done = start + len(text)
    if not out:
        return html
    out.append(html[done:])
    return "".join(out)


def _occurrences(html: str, texts: Iterable[str]) -> list[tuple[int, str]]:
    """Where each text occurs, by position, the longest first at one position: the order in
    which one scan for any of them (the longest tried first) meets them. Found with str.find:
    a pattern of a notice's citations would be compiled for that notice alone."""
    ordered = sorted(texts, key=len, reverse=True)
    found = []
    for rank, text in enumerate(ordered):
        at = html.find(text)
        while at != -1:
            found.append((at, rank))
            at = html.find(text, at + 1)
    found.sort()
    return [(at, ordered[rank]) for at, rank in found]


def _in_tag(html: str, position: int) -> bool:
    """Whether the character at position (neither `<` nor `>`) is inside a tag, in HTML where
    every `<` opens one."""
    opening = html.rfind("<", 0, position)
    return opening != -1 and html.find(">", opening, position) == -1


def _link_pieces(html: str, targets: dict[str, str]) -> str:
    """link_html a text piece at a time: a piece that starts with "<" counts as a tag."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True)))
    out, inside_link = [], 0
    for piece in _TEXT_SEGMENT.split(html):
        if piece.startswith("<"):
            if piece.startswith("<a ") or piece == "<a>":
                inside_link += 1
            elif piece == "</a>":
                inside_link = max(0, inside_link - 1)
            out.append(piece)
        elif inside_link or not piece:
            out.append(piece)
        else:
            out.append(pattern.sub(
                lambda m: f'<a class="citation" href="{escape(targets[m.group(0)])}">{m.group(0)}</a>',
                piece))
    return "".join(out)
