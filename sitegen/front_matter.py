"""Reading front matter in the shape sitegen writes it, many times faster than a YAML parser.

The importer writes one `key: value` line per field and lists of small mappings
(`- title: ...` / `  url: ...`). This reader takes exactly that shape and gives what
PyYAML (with our loader) would give; for anything else, or any value whose meaning it is
not sure of, it returns None and the caller parses the text as YAML. Plain values are
resolved with the loader's own implicit resolvers, so `id: 12345` or `title: yes` are
handed to YAML, where they are a number and a boolean.
"""

from __future__ import annotations

import re

import yaml

_STR = "tag:yaml.org,2002:str"
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (.*)")
_ITEM_LINE = re.compile(r"(- |  )([A-Za-z_][A-Za-z0-9_]*): (.*)")
_LIST_START = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):")
# What a plain scalar may not start with, and what it may not hold.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` \t")
# Characters YAML reads as line breaks, or that the dumper would have escaped.
_UNSURE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# A plain (unquoted) value ends at ": " and at a comment.
_NOT_PLAIN = re.compile(r": | #")


def read_front_matter(text: str, resolvers: dict) -> dict | None:
    """The mapping of front matter text, or None where only a YAML parser can say.

    resolvers: the YAML loader's `yaml_implicit_resolvers` (first character -> [(tag, regexp)]).
    """
    meta: dict = {}
    records: list | None = None
    for line in text.split("\n"):
        if not line:
            continue
        if records is not None:
            item = _ITEM_LINE.fullmatch(line)
            if item:
                value = _scalar(item.group(3), resolvers)
                if value is None:
                    return None
                if not _is_text(item.group(2), resolvers):
                    return None
                if item.group(1) == "- ":
                    records.append({})
                elif not records or item.group(2) in records[-1]:
                    return None
                records[-1][item.group(2)] = value
                continue
            records = None
        field = _LINE.fullmatch(line)
        if field:
            key, raw = field.groups()
            value = _scalar(raw, resolvers)
            if value is None or key in meta or not _is_text(key, resolvers):
                return None
            meta[key] = value
            continue
        opening = _LIST_START.fullmatch(line)
        if not opening or opening.group(1) in meta or not _is_text(opening.group(1), resolvers):
            return None
        records = meta[opening.group(1)] = []
    if any(value == [] for value in meta.values()):
        return None  # `key:` with nothing under it is null in YAML
    return meta


def _is_text(plain: str, resolvers: dict) -> bool:
    """True when YAML reads this plain scalar as a string (not a number, boolean, null...)."""
    for tag, pattern in resolvers.get(plain[0], []) + resolvers.get(None, []):
        if pattern.match(plain):
            return tag == _STR
    return True


def _scalar(raw: str, resolvers: dict) -> str | None:
    """The text of one value written on one line, or None when unsure."""
    if not raw or raw != raw.rstrip(" ") or _UNSURE.search(raw):
        return None
    if raw[0] == "'":
        inner = raw[1:-1]
        if len(raw) < 2 or raw[-1] != "'" or "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'")
    if raw[0] in _INDICATORS or raw.endswith(":") or _NOT_PLAIN.search(raw):
        return None
    return raw if _is_text(raw, resolvers) else None


# Front matter is a flat mapping with lists of small mappings: a few levels deep at most.
MAX_DEPTH = 20


class UnsafeYaml(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line  # 0-based, in the YAML text
        self.reason = reason


def screen_yaml(text: str, loader) -> None:
    """Refuse what makes a YAML text cost more than its size or mean something hidden, before it
    is built into values: aliases and anchors (a few hundred bytes of nested aliases expand to
    gigabytes), merge keys, nesting deeper than MAX_DEPTH, and a key given twice in one mapping
    (YAML keeps the last; a reviewer reads the first).

    Reading the events costs time linear in the text; YAML errors are left to the loader.
    """
    frames: list[list] = []  # per open collection: [keys seen or None for a list, expecting a key]
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeYaml(event.start_mark.line, "YAML aliases (*name) are not allowed")
            if isinstance(event, (yaml.CollectionEndEvent)):
                frames.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                continue
            if event.anchor is not None:
                raise UnsafeYaml(event.start_mark.line, "YAML anchors (&name) are not allowed")
            if frames and frames[-1][0] is not None:
                keys, expecting_key = frames[-1]
                frames[-1][1] = not expecting_key
                if expecting_key and isinstance(event, yaml.ScalarEvent):
                    if event.value == "<<" and event.implicit[0]:
                        raise UnsafeYaml(event.start_mark.line, "YAML merge keys (<<) are not allowed")
                    if event.value in keys:
                        shown = event.value if len(event.value) <= 40 else event.value[:39] + "…"
                        raise UnsafeYaml(event.start_mark.line, f"the key '{shown}' is given twice")
                    keys.add(event.value)
            if isinstance(event, yaml.CollectionStartEvent):
                if len(frames) >= MAX_DEPTH:
                    raise UnsafeYaml(event.start_mark.line, f"nested deeper than {MAX_DEPTH} levels")
                frames.append([set() if isinstance(event, yaml.MappingStartEvent) else None, True])
    except yaml.YAMLError:
        return  # the loader reports it, with its line
