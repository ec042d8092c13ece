"""Is this notice still in force? Relations read from the notices' own words.

Two steps, data in and data out:

1. `find_statements(title, body)` reads one notice: the sentences that act on other documents
   (repeal, amendment, replacement) and its own validity clauses (effective date, period of
   validity). Each pattern family is one small rule over a sentence whose cited documents
   (《title》 with or without its file number, or a file number alone) are replaced by a
   placeholder, so words inside a quoted title (《关于废止…的决定》) never act.
2. `relate_archive(notices, statements, build_date)` resolves the targets with the citation
   resolver and derives each notice's status. What cannot be resolved stays text, and doubts
   are listed for `sitegen check --relations`; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from .citations import TITLE, Citation, Resolver, find_citations, plain_body
from .convert.text import squeeze
from .dates import BEIJING
from .errors import UserError
from .notice import Notice

REPEALED, AMENDED, NOT_YET, EXPIRED, NO_CHANGE = "已废止", "已修改", "尚未生效", "已失效", "未见废止或修改"
STATUSES = (REPEALED, AMENDED, NOT_YET, EXPIRED, NO_CHANGE)
# What an editor may set by hand in the front matter (`status`), beyond what the archive can show.
HAND_STATUSES = ("现行有效", "部分失效", REPEALED, AMENDED, NOT_YET, EXPIRED)

REPEAL, AMEND, REPLACE, EFFECTIVE, VALIDITY = "repeal", "amend", "replace", "effective", "validity"
ACTS = (REPEAL, AMEND, REPLACE)


class Document(NamedTuple):
    """One document a sentence names: its 《title》 and/or its file number, as written."""

    text: str
    title: str  # normalised title ("" when only a number is given)
    number: str  # normalised file number ("" when only a title is given)


class Statement(NamedTuple):
    """A sentence of a notice that acts on documents, or states its own validity."""

    kind: str  # repeal / amend / replace / effective / validity
    documents: tuple[Document, ...]  # for repeal, amend, replace
    sentence: str
    line: int  # in the body (1 = first line); 0 = the title
    when: str = ""  # an ISO date stated in the sentence; "effective": the acting notice's own
    years: int = 0  # a period of validity in years


# -- reading one notice --------------------------------------------------------

_MARK = "\ue000"  # stands for one cited document in a sentence's skeleton
# At most 60 documents in one run: bounds the work on hostile text (no sentence names more).
_DOCS = rf"{_MARK}(?:\s*(?:、|，|,|和|及|以及|与|或)\s*{_MARK}){{0,59}}"
_CN_DIGIT = "〇零一二两三四五六七八九十百"
_NUM = rf"(?:\d+|[{_CN_DIGIT}]+)"
_DATE = rf"(?:\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*{_NUM}\s*月\s*{_NUM}\s*日"
_DOC_NOUN = r"(?:办法|通知|规定|细则|决定|公告|通告|意见|规则|标准|规范|方案|指南|目录|批复|制度|条例|要求|程序|要点|准则)"
_THIS = rf"本(?:[\u4e00-\u9fff]{{0,6}}?){_DOC_NOUN}"
# Words between the documents and the verb that keep the sentence about those documents.
_GAP = (rf"(?:(?:同时|一并|相应|即行|均|也|亦|予以|宣布|正式|，|,|"
        rf"自{_THIS}(?:施行|实施|执行|发布|印发|生效)之日起|自(?:发布|印发|公布)之日起|自即日起|"
        rf"自(?P<date>{_DATE})起|于(?P<date2>{_DATE}))\s*)*")
# A part of a document: repealing a part amends the document, it does not end it.
_PART = (rf"(?:的?第{_NUM}(?:条|款|项|章|节|部分)(?:第{_NUM}(?:款|项))?"
         rf"(?:(?:、|和|及|至|，)第?{_NUM}(?:条|款|项|章|节))*(?:的规定)?|"
         r"中?(?:的)?(?:部分条款|有关条款|部分内容|部分规定|有关规定|相关规定|相关条款)|附件\d*)")
_COUNT = r"(?:等\s*(?:[\d一二三四五六七八九十百]+\s*(?:件|个|部|项|份))?\s*(?:规范性文件|文件|规章)?)?"
# Words that make a sentence speak of an act without performing it (a proposal, a duty, a doubt).
_NOT_AN_ACT = re.compile(r"建议|提请|拟|研究|是否|申请|可以|不得|应当|如何|尚未|请示")

_POSTFIX = re.compile(
    rf"(?:原|现行)?(?P<docs>{_DOCS}){_COUNT}(?:文件|号文)?(?P<part>{_PART})?\s*{_GAP}"
    r"(?P<verb>废止|停止执行|停止施行|作废|失效|不再执行|不再施行|不再适用)"
)
_PREFIX_REPEAL = re.compile(rf"(?:废止|撤销)(?:了)?(?P<docs>{_DOCS})(?P<part>{_PART})?")
_PREFIX_REPLACE = re.compile(rf"(?:代替|替代|取代)(?:了)?(?:原)?(?P<docs>{_DOCS})")
_AMEND_PATTERNS = (
    # 对《…》作如下修改 / 对《…》部分条款予以修改 / 对《…》进行修订
    re.compile(rf"对(?:原)?(?P<docs>{_DOCS})(?:{_PART})?\s*(?:作|做|进行|予以)(?:了)?(?:出)?(?:如下|以下)?(?:修改|修订|修正)"),
    # 关于修改《…》的决定 / 决定修改《…》
    re.compile(rf"(?:修改|修订|修正)(?:了)?(?P<docs>{_DOCS})(?!\s*(?:的规定|规定|的要求|要求))"),
    # 将《…》第五条修改为 / 《…》修改如下
    re.compile(rf"(?:将)?(?P<docs>{_DOCS})(?:{_PART})?\s*(?:修改为|修订为|修改如下|修订如下|作如下修改|作如下修订)"),
)
_LIST_INTRO = re.compile(
    r"(?:(?:下列|以下|如下)[^，。；：:]{0,16}?(?P<verb>废止|停止执行|不再执行|失效|修改|修订)[^。；：:]{0,8}[：:]"
    r"|(?P<verb2>废止|修改|修订)(?:下列|以下|如下)[^，。；：:]{0,16}[：:]"
    r"|^(?:附件\s*\d*\s*[：:]?\s*)?(?P<verb3>废止|失效|修改)(?:的)?(?:规章|规范性文件|文件)(?:目录|清单|名单|一览表)\s*[：:]?\s*$)"
)
_EFFECTIVE = re.compile(
    rf"(?:^|(?<=[，,：:\s])|{_THIS}\s*)自\s*(?P<date>{_DATE})\s*起\s*(?:施行|实施|执行|生效|试行|正式实施|起施行)"
)
_VALIDITY = re.compile(
    rf"(?:^|(?<=[，,：:\s])|{_THIS}(?:的)?)(?:有效期|试行期|执行期|有效期限|执行期限|实施期限)"
    rf"(?:为|是)?(?:(?P<years>{_NUM})\s*年|(?:至|到|截至|截止到?)\s*(?P<date>{_DATE}))"
)
_ABOUT_ITSELF = re.compile(r"(?:施行|实施|执行|试行|生效|印发|发布)")
# Only sentences with one of these words can state an act, or a validity of the notice's own.
_ACT_WORDS = re.compile("废止|停止执行|停止施行|作废|失效|不再执行|不再施行|不再适用|撤销|代替|替代|取代|修改|修订|修正")
_OWN_WORDS = re.compile(r"起\s*(?:施行|实施|执行|生效|试行|正式实施)|有效期|试行期|执行期|实施期限|执行期限")
# Either: one search of a body instead of two (most notices hold neither).
_ANY_WORDS = re.compile(f"{_ACT_WORDS.pattern}|{_OWN_WORDS.pattern}")
_LIST_INDEX = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+|[（(][\d一二三四五六七八九十]+[）)])\s*[.、．，,)）\s]?\s*")
_NOISE = re.compile(r"[\s\W_\d]+")
_HEADER_WORDS = re.compile(r"^(?:序号|文件名称|名称|标题|文号|发文字号|发文机关|发布日期|成文日期|日期|备注|\s)+$")
_TITLE_LIKE = re.compile(rf"^[^\t《》]{{4,100}}?(?:{_DOC_NOUN}|函|公告|通告)(?:（[^）]{{1,20}}）)?$")
_TABLE_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>|</tr>", re.IGNORECASE)


def _number_value(text: str) -> int:
    """An Arabic or Chinese numeral (二〇二〇, 十二, 两) as an int."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
    if "十" not in text and "百" not in text:
        return int("".join(str(digits[c]) for c in text)) if text else 0
    total, current = 0, 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


_DATE_PARTS = re.compile(rf"(\d{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*({_NUM})\s*月\s*({_NUM})\s*日")


def parse_date(text: str) -> dt.date | None:
    match = _DATE_PARTS.search(text or "")
    if not match:
        return None
    try:
        return dt.date(*(_number_value(part) for part in match.groups()))
    except ValueError:
        return None


def _plain_lines(markdown: str) -> list[str]:
    """The body as readers see it, line for line (table cells apart by tabs)."""
    if "<" in markdown:
        markdown = _TABLE_CELL_END.sub("\t", markdown)
        # A break inside a table row starts no new line: rows are lines already.
        markdown = _BREAK.sub(lambda m: "" if m.group(0).lower() == "</tr>" else " ", markdown)
    return plain_body(markdown).split("\n")


def _documents(text: str) -> tuple[str, list[Document]]:
    """The text with each cited document replaced by _MARK, and the documents in order.

    A title followed by its file number in brackets (《…》（工信部…号）) is one document.
    """
    spans = [(m.start(), m.end(), Citation("title", m.group(0), squeeze(m.group(1))))
             for m in TITLE.finditer(text)]
    titles = list(spans)
    cursor = 0
    for citation in find_citations(text):
        if citation.kind != "number":
            continue
        start = text.find(citation.text, cursor)
        if start < 0:
            continue
        cursor = start + len(citation.text)
        if any(s <= start < e for s, e, _ in titles):
            continue  # a file number inside a quoted title is part of the title
        spans.append((start, cursor, citation))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[int, int, Document]] = []
    for start, end, citation in spans:
        if merged and citation.kind == "number":
            previous_start, previous_end, previous = merged[-1]
            between = text[previous_end:start]
            if previous.title and not previous.number and re.fullmatch(r"[\s（(【\[]*", between):
                close = re.match(r"\s*[）)】\]]", text[end:])
                end = end + close.end() if close else end
                merged[-1] = (previous_start, end, Document(text[previous_start:end], previous.title,
                                                            citation.key))
                continue
        if citation.kind == "title":
            merged.append((start, end, Document(citation.text, citation.key, "")))
        else:
            merged.append((start, end, Document(citation.text, "", citation.key)))
    skeleton, last = [], 0
    for start, end, _ in merged:
        skeleton.append(text[last:start])
        skeleton.append(_MARK)
        last = end
    skeleton.append(text[last:])
    return "".join(skeleton), [document for _, _, document in merged]


_AFTER_SENTENCE = re.compile(r"(?<=[。；;！!？?])")


def _sentences(line: str) -> list[str]:
    """A line cut into sentences at 。；！？ outside 《》."""
    out, pending = [], ""
    for piece in _AFTER_SENTENCE.split(line):
        pending += piece
        if pending.count("《") <= pending.count("》"):
            out.append(pending)
            pending = ""
    out.append(pending)
    return [sentence for sentence in out if sentence.strip()]


def _pick(documents: list[Document], skeleton: str, span: tuple[int, int]) -> tuple[Document, ...]:
    """The documents whose marks fall inside span of the skeleton."""
    before = skeleton.count(_MARK, 0, span[0])
    inside = skeleton.count(_MARK, span[0], span[1])
    return tuple(documents[before : before + inside])


def _acts(skeleton: str, documents: list[Document], when_effective: bool = True) -> list[tuple]:
    """(kind, documents, when) for each act a sentence's skeleton states."""
    found: list[tuple] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match, when: str = "") -> None:
        span = match.span("docs")
        if any(s < span[1] and span[0] < e for s, e in taken):
            return
        clause_start = max(skeleton.rfind("，", 0, match.start()), skeleton.rfind(",", 0, match.start()))
        if _NOT_AN_ACT.search(skeleton, clause_start + 1, match.end()):
            return
        taken.append(span)
        found.append((kind, _pick(documents, skeleton, span), when))

    for match in _POSTFIX.finditer(skeleton):
        verb, part = match.group("verb"), match.group("part")
        date = match.group("date") or match.group("date2")
        when = parse_date(date).isoformat() if date and parse_date(date) else ""
        gap = match.group(0)
        if not when and ("同时" in gap or "之日起" in gap) and "发布之日" not in gap and "印发之日" not in gap:
            when = "effective"  # from the day the acting notice takes effect
        if part:
            add(AMEND, match)
        elif verb.startswith("不再"):
            add(REPLACE, match, when)
        else:
            add(REPEAL, match, when)
    for match in _PREFIX_REPEAL.finditer(skeleton):
        add(AMEND if match.group("part") else REPEAL, match)
    for match in _PREFIX_REPLACE.finditer(skeleton):
        add(REPLACE, match)
    for pattern in _AMEND_PATTERNS:
        for match in pattern.finditer(skeleton):
            add(AMEND, match)
    return found


def _own_clauses(sentence: str) -> list[tuple[str, str, int]]:
    """(kind, when, years) of the notice's own effective date and period of validity."""
    if _MARK in sentence:
        # Only the clauses of the sentence that name no other document speak of this one.
        clauses = [c for c in re.split(r"[，,]", sentence) if _MARK not in c]
        sentence = "，".join(clauses)
    found = []
    for match in _EFFECTIVE.finditer(sentence):
        date = parse_date(match.group("date"))
        if date:
            found.append((EFFECTIVE, date.isoformat(), 0))
    for match in _VALIDITY.finditer(sentence):
        head = sentence[: match.start()]
        if not match.group(0).startswith("本"):
            # A bare 有效期 speaks of this notice only after a clause about its own taking effect.
            clause_start = max(head.rfind("，"), head.rfind(","))
            if clause_start < 0 or not _ABOUT_ITSELF.search(head[:clause_start]) \
                    or head[clause_start + 1 :].strip():
                continue
            previous = head[:clause_start]
            if not (re.search(_THIS, previous) or re.match(r"\s*自", previous.split("，")[-1])):
                continue
        if match.group("years"):
            found.append((VALIDITY, "", _number_value(match.group("years"))))
        else:
            date = parse_date(match.group("date"))
            if date:
                found.append((VALIDITY, date.isoformat(), 0))
    return found


def _list_documents(line: str) -> tuple[Document, ...] | None:
    """The documents one line of a list or table names; None when the line is not an item."""
    skeleton, documents = _documents(line)
    text = skeleton.replace(_MARK, "")
    if not documents:
        cells = [c.strip() for c in re.split(r"\t| {2,}", _LIST_INDEX.sub("", line)) if c.strip()]
        if cells and _HEADER_WORDS.match(" ".join(cells)):
            return ()
        titles = [c.rstrip("；;。，,") for c in cells if _TITLE_LIKE.match(c.rstrip("；;。，,"))]
        if len(titles) != 1:
            return None
        title = squeeze(_LIST_INDEX.sub("", titles[0]))
        return (Document(titles[0], title, ""),)
    if len(documents) == 1 and not documents[0].title:
        # A table row: the title in a cell of its own, without 《》, beside the file number.
        cells = [c.strip().rstrip("；;。，,") for c in re.split(r"\t| {2,}", _LIST_INDEX.sub("", text))]
        titles = [c for c in cells if _TITLE_LIKE.match(c)]
        if len(titles) == 1:
            written = f"{titles[0]}（{documents[0].text}）"
            documents = [Document(written, squeeze(titles[0]), documents[0].number)]
            text = text.replace(titles[0], "", 1)
    if _ACT_WORDS.search(text):
        return None  # a sentence of its own, not an item
    residue = re.sub(rf"{_DATE}", "", _LIST_INDEX.sub("", text))
    residue = _NOISE.sub("", residue)
    residue = re.sub(r"[\u4e00-\u9fff]{0,20}(?:部|厅|委|局|院|办公室|办公厅)$", "", residue)
    if len(residue) > (30 if "\t" in line else 6):
        return None
    return tuple(documents)


def _worded_lines(lines: list[str]) -> set[int]:
    """The numbers of the lines that hold a word of an act, or (all but the title, line 0) of
    a validity of the notice's own: one search of the body's lines joined, not one per line.
    They are joined by NUL, which no word holds and `\\s` does not match, so no match spans two."""
    found = {0} if _ACT_WORDS.search(lines[0]) else set()
    starts, position = [], 0
    for line in lines[1:]:
        starts.append(position)
        position += len(line) + 1
    for match in _ANY_WORDS.finditer("\0".join(lines[1:])):
        found.add(bisect_right(starts, match.start()))  # line 1 starts at 0
    return found


def find_statements(title: str, body: str) -> list[Statement]:
    """Every act on another document and every own validity clause in one notice."""
    if not (_ANY_WORDS.search(body) or _ACT_WORDS.search(title)):
        return []
    statements: list[Statement] = []
    lines = [squeeze(title)] + _plain_lines(body)
    worded = _worded_lines(lines)
    listing: tuple[str, str, str] | None = None  # (kind, when, intro sentence) of a list
    for number, line in enumerate(lines):
        if listing is not None:
            if not line.strip():
                continue
            items = _list_documents(line)
            if items is None:
                listing = None
            else:
                if items:
                    kind, when, intro = listing
                    row = " ".join(line.split())
                    statements.append(Statement(kind, items, f"{intro} {row}", number, when))
                continue
        if number not in worded:
            continue
        for sentence in _sentences(line):
            acting = _ACT_WORDS.search(sentence)
            own = number and _OWN_WORDS.search(sentence)  # a title states no validity of its own
            if not (acting or own):
                continue
            skeleton, documents = _documents(sentence)
            text = sentence.strip()
            if acting:
                for kind, targets, when in _acts(skeleton, documents):
                    if targets:
                        statements.append(Statement(kind, targets, text, number, when))
            if own:
                for kind, when, years in _own_clauses(skeleton):
                    statements.append(Statement(kind, (), text, number, when, years))
            intro = _LIST_INTRO.search(skeleton) if acting and number else None
            if intro:
                verb = intro.group("verb") or intro.group("verb2") or intro.group("verb3")
                kind = AMEND if verb in ("修改", "修订") else REPLACE if verb == "不再执行" else REPEAL
                when = "effective" if "之日起" in sentence or "同时" in sentence else ""
                rest = skeleton[intro.end():]
                listing = (kind, when, text)
                if _MARK in rest:
                    statements.append(Statement(kind, _pick(documents, skeleton, (intro.end(), len(skeleton))),
                                                text, number, when))
    return statements


# -- the archive ---------------------------------------------------------------

@dataclass(frozen=True)
class Relation:
    kind: str  # repeal / amend / replace
    source: str  # the acting notice's id
    target: str | None  # the notice acted on; None when the archive does not hold it (or doubt)
    text: str  # the target as written
    sentence: str
    date: dt.date | None  # when the act takes effect (the acting notice's date when unsaid)


@dataclass(frozen=True)
class Validity:
    status: str
    hand_set: bool = False  # set in the front matter, not derived
    by: Relation | None = None  # the repeal behind 已废止
    until: dt.date | None = None  # the last day of a period of validity
    effective: dt.date | None = None  # its own 施行 date
    derived: str = ""  # what the archive shows, when the status was set by hand


@dataclass(frozen=True)
class Doubt:
    notice: str
    line: int
    reason: str


@dataclass
class Relations:
    acts: dict[str, list[Relation]] = field(default_factory=dict)  # acting id -> what it does
    acted_on: dict[str, list[Relation]] = field(default_factory=dict)  # target id -> what was done
    validity: dict[str, Validity] = field(default_factory=dict)
    doubts: list[Doubt] = field(default_factory=list)

    def status(self, notice_id: str) -> str:
        found = self.validity.get(notice_id)
        return found.status if found else NO_CHANGE

    def counts(self) -> dict[str, int]:
        """Notices per status, every derived one in a fixed order, then those only set by hand."""
        counted: dict[str, int] = {}
        for validity in self.validity.values():
            counted[validity.status] = counted.get(validity.status, 0) + 1
        hand = tuple(s for s in HAND_STATUSES if s not in STATUSES and s in counted)
        return {status: counted.get(status, 0) for status in STATUSES + hand}


def build_date(notices: list[Notice], environ: dict | None = None) -> dt.date:
    """The date statuses are judged at: SOURCE_DATE_EPOCH (Beijing time), else the newest
    notice's date, so the same archive always gives the same site."""
    environ = os.environ if environ is None else environ
    stamp = (environ.get("SOURCE_DATE_EPOCH") or "").strip()
    if stamp:
        try:
            return dt.datetime.fromtimestamp(int(stamp), BEIJING).date()
        except (ValueError, OverflowError, OSError):
            raise UserError(f"SOURCE_DATE_EPOCH: not a number of seconds: {stamp!r}") from None
    dates = [n.date for n in notices if n.date]
    return max(dates) if dates else dt.date.today()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def relate_archive(notices: list[Notice], statements: dict[str, list], today: dt.date,
                   resolver: Resolver | None = None) -> Relations:
    """Resolve every notice's statements and derive every notice's status at `today`."""
    resolver = resolver or Resolver(notices)
    by_id = {n.id: n for n in notices}
    relations = Relations()
    effective: dict[str, dt.date] = {}
    until: dict[str, dt.date] = {}
    for notice in notices:
        for statement in statements.get(notice.id, ()):
            kind, _, _, _, when, years = statement
            if kind == EFFECTIVE:
                effective[notice.id] = dt.date.fromisoformat(when)
        for statement in statements.get(notice.id, ()):
            kind, _, _, _, when, years = statement
            if kind == VALIDITY:
                start = effective.get(notice.id) or notice.date
                if when:
                    until[notice.id] = dt.date.fromisoformat(when)
                elif start and years:
                    until[notice.id] = _add_years(start, years) - dt.timedelta(days=1)

    for notice in sorted(notices, key=lambda n: n.id):
        seen: set[tuple] = set()
        for statement in statements.get(notice.id, ()):
            kind, documents, sentence, line, when, _ = statement
            if kind not in ACTS:
                continue
            if when == "effective":
                date = effective.get(notice.id) or notice.date
            else:
                date = dt.date.fromisoformat(when) if when else notice.date
            for document in documents:
                target, doubt = _resolve(Document(*document), notice, resolver, by_id)
                if target == notice.id:
                    continue  # a notice acting on part of itself
                if doubt:
                    relations.doubts.append(Doubt(notice.id, line, doubt))
                if (kind, target or document[0]) in seen:
                    continue
                seen.add((kind, target or document[0]))
                relation = Relation(kind, notice.id, target, document[0], sentence, date)
                relations.acts.setdefault(notice.id, []).append(relation)
                if target:
                    relations.acted_on.setdefault(target, []).append(relation)
    for acted in relations.acted_on.values():
        acted.sort(key=lambda r: (r.date or dt.date.min, r.source, r.kind))

    for notice in notices:
        relations.validity[notice.id] = _validity(notice, relations.acted_on.get(notice.id, []),
                                                  effective.get(notice.id), until.get(notice.id), today)
    relations.doubts.sort(key=lambda d: (d.notice, d.line, d.reason))
    return relations


def _resolve(document: Document, notice: Notice, resolver: Resolver, by_id: dict) -> tuple[str | None, str]:
    """(target id or None, the doubt to report or "")."""
    def plausible(ids: list[str]) -> list[str]:
        # An act names an earlier document (or itself); a later one of the same title is not it.
        ids = [i for i in ids if i != notice.id] if len(ids) > 1 else ids
        if notice.date:
            earlier = [i for i in ids if by_id[i].date is None or by_id[i].date <= notice.date]
            ids = earlier or ids
        return ids

    by_number = plausible(resolver.candidates("number", document.number)) if document.number else []
    by_title = plausible(resolver.candidates("title", document.title)) if document.title else []
    if by_number and by_title and not set(by_number) & set(by_title):
        return None, f"{document.text}: its file number and its title name different notices"
    candidates = [i for i in by_number if not by_title or i in by_title] or by_number or by_title
    if len(candidates) > 1:
        return None, f"{document.text}: matches {len(candidates)} notices"
    if not candidates:
        return None, f"{document.text}: not in the archive"
    return candidates[0], ""


def _validity(notice: Notice, acted_on: list[Relation], effective: dt.date | None,
              until: dt.date | None, today: dt.date) -> Validity:
    derived = _derived(acted_on, effective, until, today)
    if notice.status:
        return Validity(notice.status, hand_set=True, effective=effective, until=until, derived=derived.status)
    return derived


def _derived(acted_on: list[Relation], effective: dt.date | None, until: dt.date | None,
             today: dt.date) -> Validity:
    repeals = [r for r in acted_on if r.kind in (REPEAL, REPLACE) and (r.date is None or r.date <= today)]
    if repeals:
        return Validity(REPEALED, by=repeals[0], effective=effective, until=until)
    if until and until < today:
        return Validity(EXPIRED, effective=effective, until=until)
    if effective and effective > today:
        return Validity(NOT_YET, effective=effective, until=until)
    if any(r.kind == AMEND and (r.date is None or r.date <= today) for r in acted_on):
        return Validity(AMENDED, effective=effective, until=until)
    return Validity(NO_CHANGE, effective=effective, until=until)


ACTIVE_LABELS = {REPEAL: "废止了", REPLACE: "废止了", AMEND: "修改了"}
PASSIVE_LABELS = {REPEAL: "被废止", REPLACE: "被废止", AMEND: "被修改"}
LABEL_ORDER = ("被废止", "被修改", "废止了", "修改了")


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def notice_relations(relations: Relations, notice_id: str, url_of_id: Callable[[str], str]) -> dict:
    """A notice's status and relations as plain data: for catalogs, JSON files and page keys."""
    validity = relations.validity.get(notice_id) or Validity(NO_CHANGE)
    items = []
    for relation in relations.acted_on.get(notice_id, []):
        items.append({"relation": PASSIVE_LABELS[relation.kind], "kind": relation.kind,
                      "id": relation.source, "url": url_of_id(relation.source), "text": "",
                      "sentence": relation.sentence, "date": _iso(relation.date)})
    for relation in relations.acts.get(notice_id, []):
        items.append({"relation": ACTIVE_LABELS[relation.kind], "kind": relation.kind,
                      "id": relation.target or "", "url": url_of_id(relation.target) if relation.target else "",
                      "text": relation.text, "sentence": relation.sentence, "date": _iso(relation.date)})
    items.sort(key=lambda item: LABEL_ORDER.index(item["relation"]))
    record = {"status": validity.status, "status_set_by_hand": validity.hand_set,
              "effective": _iso(validity.effective), "valid_until": _iso(validity.until),
              "status_derived": validity.derived, "relations": items}
    return record


def archive_relations(notices: list[Notice], bodies: Callable[[Notice], str], today: dt.date) -> Relations:
    """Relations of notices whose bodies are read on demand (for tests and small archives)."""
    statements = {n.id: find_statements(n.title, bodies(n)) for n in notices}
    return relate_archive(notices, statements, today)
