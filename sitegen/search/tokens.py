"""Search tokens: overlapping character bigrams for CJK text, whole words for the rest.

Pagefind's Chinese segmentation differs between index (jieba) and browser
(Intl.Segmenter), so terms go missing. Bigrams need no dictionary: a term is
found exactly when its bigrams stand next to each other, which a quoted
(phrase) Pagefind query checks. static/sitegen-search.js tokenizes queries with
the same rules; a browser test checks the two agree.
"""

from __future__ import annotations

import re
import unicodedata

# Han (with extensions and compatibility ideographs), kana, Hangul.
CJK = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002ffff"
)
TOKENS_VERSION = "3"  # change when the rules change: every shard is then re-indexed
_RUNS = re.compile(rf"([{CJK}]+)|([^\W_{CJK}]+)")


def normalize(text: str) -> str:
    """Full-width letters and digits to ASCII, lower case: what both sides compare."""
    return unicodedata.normalize("NFKC", text).lower()


def search_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for cjk, word in _RUNS.findall(normalize(text)):
        if word:
            tokens.append(word)
        elif len(cjk) == 1:
            tokens.append(cjk)
        else:
            tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
    return tokens
