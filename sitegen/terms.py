"""Values that name several browse terms: a jointly issued notice's issuers, a theme's path.

The field stays as published (`issuer: 工业和信息化部 国家发展改革委`); the site lists the notice
under each organ it names, and under a theme and every theme above it (`综合政务\\政务公开`).
"""

from __future__ import annotations

import re

_LIST_SEPARATORS = re.compile(r"[、，,；;]+")
# How the names of government organs end (部, 委, 国务院, 中央, 新华社, 办公厅, 中心 ...).
_ORGAN_NAME = re.compile(r"^\S{2,}(?:[部委院局署办会行厅室府司央心团社台处所队])$")
_THEME_SEPARATORS = re.compile(r"\s*[\\＼]\s*")


def issuer_names(value: str) -> list[str]:
    """The organs a 发文机关 value names, in order, each once. Names are listed with 、，, or
    with spaces where every part is an organ's name (`国家 发展改革委` is one name)."""
    names: list[str] = []
    for part in _LIST_SEPARATORS.split(value):
        words = part.split()
        if len(words) > 1 and all(_ORGAN_NAME.match(word) for word in words):
            candidates = words
        else:
            candidates = [" ".join(words)]
        names += [name for name in candidates if name and name not in names]
    return names


def theme_path(value: str) -> list[str]:
    """A theme and every theme above it: `综合政务\\政务公开` is in 综合政务 and in itself."""
    parts = [part for part in _THEME_SEPARATORS.split(value.strip()) if part]
    return ["\\".join(parts[: depth + 1]) for depth in range(len(parts))]
