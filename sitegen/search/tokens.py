"""Search tokens: every character of a text as the bigram it starts, so any substring is found.

A text is normalised (NFKC, lower case, one shape for the brackets of file numbers), cut at
white space into segments, and each character of a segment becomes one token: itself and the
character after it (`个人信息` → 个|人 人|信 信|息 息|), the last one with nothing after it;
a gap token stands between segments. So a token's position is its character's position, and a term of n characters is found where
the tokens of its characters stand one after another; a single character is found by the
tokens that begin with it: each of its occurrences starts exactly one, so its count in a
notice is theirs summed (words.py keeps these sums under SEPARATOR + its spelling, never a
token). Punctuation is a character like any other, so terms are matched as written.

Pagefind (the indexer) keeps only letters and digits of a word and folds some of them, so each
token is spelt in letters it keeps as they are: CJK ideographs and ASCII letters and digits
stand for themselves, every other character (and `q`, the escape letter) is `q<hex>q`, and
`qq` joins the two characters of a token. The browser builds query tokens from SPEC, which
the build ships with the index, so the two sides cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from operator import add

TOKENS_VERSION = "7"  # change when the rules change: every shard is then re-indexed
SEPARATOR = "qq"
# Characters that stand for themselves in a token (regular-expression class bodies, shared
# with the browser through SPEC).
PLAIN = "0-9a-pr-z\u3400-\u4dbf\u4e00-\u9fff"
SPACE = "\t-\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
# Bracket variants of file numbers (〔2020〕, [2020], (2020), 【2020】, after NFKC) are one.
BRACKETS = {"[": "〔", "(": "〔", "【": "〔", "〖": "〔", "]": "〕", ")": "〕", "】": "〕", "〗": "〕"}

_PLAIN = re.compile(f"[{PLAIN}]")
_SPELT = f"(?:[{PLAIN}]|q[0-9a-f]+q)"
TOKEN = f"{_SPELT}{SEPARATOR}{_SPELT}?"  # the shape of every token but the gap
_SPACE = re.compile(f"[{SPACE}]+")
_HAS_BRACKET = re.compile("[" + re.escape("".join(BRACKETS)) + "]")

# Between two segments, a token of its own: a term's tokens must then stand in one segment to
# stand one after another (a query looks up every other character's token, so without it
# 工业|和信 would be found in 工业 和信).
GAP = SEPARATOR
SPEC = {"version": TOKENS_VERSION, "separator": SEPARATOR, "gap": GAP, "plain": PLAIN, "space": SPACE,
        "brackets": BRACKETS}


def normalize(text: str) -> str:
    """What both sides compare: NFKC, lower case, one shape of bracket."""
    if not unicodedata.is_normalized("NFKC", text):
        text = _nfkc(text)
    text = text.lower()
    return _HAS_BRACKET.sub(_one_bracket, text)


def _nfkc(text: str) -> str:
    """NFKC, mostly character by character (a notice's full-width punctuation), several times
    faster than unicodedata.normalize over the whole text. Exact: each character is replaced by
    its own NFKC, which decomposes as it does, so the result decomposes as the text does; if the
    result is in NFKC, it is the text's NFKC (otherwise, say where a replaced letter meets a
    combining mark, the whole text is normalised)."""
    table, pattern = _compatibility()
    quick = pattern.sub(lambda match: table[match.group()], text)
    return quick if unicodedata.is_normalized("NFKC", quick) else unicodedata.normalize("NFKC", text)


@cache
def _compatibility() -> tuple[dict[str, str], re.Pattern]:
    """Each character of the Basic Multilingual Plane that NFKC changes, with its NFKC, and a
    pattern finding them (a regular expression finds them faster than str.translate)."""
    table = {}
    for code in range(0x10000):
        character = chr(code)
        if not 0xD800 <= code < 0xE000 and not unicodedata.is_normalized("NFKC", character):
            table[character] = unicodedata.normalize("NFKC", character)
    return table, re.compile("[" + "".join(map(re.escape, sorted(table))) + "]")


def _one_bracket(match: re.Match) -> str:
    return BRACKETS[match.group()]


def segments(text: str) -> list[str]:
    """The normalised text's runs between white space."""
    return [part for part in _SPACE.split(normalize(text)) if part]


def spell(character: str) -> str:
    return character if _PLAIN.fullmatch(character) else f"q{ord(character):x}q"


class _Spelt(dict):
    """Pieces of text as spelt in tokens, remembered: a build spells millions of characters,
    from a few thousand different ones."""

    def __init__(self, spelling):
        super().__init__()
        self.spelling = spelling

    def __missing__(self, piece: str) -> str:
        if len(self) > 1_000_000:
            self.clear()
        value = self[piece] = self.spelling(piece)
        return value


_PAIRS = _Spelt(lambda pair: spell(pair[0]) + SEPARATOR + (spell(pair[1]) if len(pair) > 1 else ""))
_PAIR_TOKEN = re.compile(f"({_SPELT}){SEPARATOR}(?:{_SPELT})?")  # TOKEN, its first character apart


def tokens(text: str) -> list[str]:
    out: list[str] = []
    for segment in _SPACE.split(normalize(text)):
        if segment:
            if out:
                out.append(GAP)
            # Each character with the one after it, the last alone (map and add run at C speed).
            out += map(_PAIRS.__getitem__, map(add, segment, segment[1:]))
            out.append(_PAIRS[segment[-1]])
    return out


def single_of(word: str) -> str | None:
    """For a token, the word under which the counts of its first character are kept
    (SEPARATOR + that character as spelt); None for the gap and for any other word."""
    match = _PAIR_TOKEN.fullmatch(word)
    return SEPARATOR + match.group(1) if match else None
