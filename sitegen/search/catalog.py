"""What the search page loads, in two files, both compact (a row per notice of an archive of
100,000 notices must stay small):

- catalog.js, before any query: the token rules, the filters and their values, the shards'
  folders, and per notice its date and filter values: enough to list and filter every notice.
- lookup-<hash>.js, when a query is first typed: where the words are (words.py's folder and
  bucket count), each shard's page order and each notice's length (for ranking and to find a
  notice within its Pagefind page). Named by its content, so it is cached for good and the catalog
  that names it never points at another one.

Dates are day numbers, newest first, as differences from the one before (mostly 0 or 1).
A filter's column is a string with a character per notice: its value's number, spelt by
`_spell_value`, or NONE, or MANY (the values are then in the facet's `many`, by notice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from itertools import pairwise

from .documents import FACETS, FIELDS, RECORD, field_value
from .tokens import SPEC

NONE, MANY = "!", " "
_EPOCH = dt.date(1970, 1, 1)


def _spell_value(number: int) -> str:
    # Printable ASCII without '"' and '\\' (no escaping in JSON), then Latin-1 and beyond.
    if number < 57:
        return chr(0x23 + number)  # '#' .. '['
    if number < 91:
        return chr(0x5D + number - 57)  # ']' .. '~'
    code = 0xA0 + number - 91
    if code >= 0xD800:
        code += 0x800  # past the surrogates: a million values and more
    return chr(code)


def catalog_data(shards: list, lookup_name: str, offline: bool) -> dict:
    """catalog.js's data: shards (in catalog order) with their entries."""
    entries = [entry for shard in shards for entry in shard.entries]
    facets = []
    for facet in FACETS:
        values: dict[str, int] = {}
        column, many = [], {}
        spelt: dict[object, tuple[str, list[int]]] = {}  # a value's letter and numbers: values repeat
        for doc, entry in enumerate(entries):
            raw = field_value(entry, facet.key)
            key = tuple(raw) if isinstance(raw, list) else raw
            if key not in spelt:
                items = raw if isinstance(raw, list) else [raw] if raw else []
                numbers = list(dict.fromkeys(values.setdefault(item, len(values)) for item in items))
                spelt[key] = (MANY if len(numbers) > 1 else _spell_value(numbers[0]) if numbers else NONE, numbers)
            letter, numbers = spelt[key]
            if letter == MANY:
                many[str(doc)] = numbers
            column.append(letter)
        facets.append({"key": facet.key, "label": facet.label, "values": list(values),
                       "column": "".join(column), "many": many})
    dated = [(entry.notice.date - _EPOCH).days for entry in entries if entry.notice.date]
    days = dated[:1] + [before - after for before, after in pairwise(dated)]
    folders, offset = [], 0
    for shard in shards:
        folders.append({"folder": shard.folder, "name": shard.name, "offset": offset, "count": len(shard.entries)})
        offset += len(shard.entries)
    return {"spec": SPEC, "facets": facets, "record": list(RECORD), "fields": [[n, w] for n, w in FIELDS],
            "count": len(entries), "days": days, "undated": len(entries) - len(dated), "shards": folders,
            "lookup": lookup_name, "offline": offline}


def lookup_data(infos: list[dict], words: dict) -> dict:
    """lookup.js's data: where the words are; per shard its page order and pack size; per
    notice its length (positions it takes in its page), in catalog order."""
    return {"words": words, "shards": [{"pages": info["pages"], "pack": info["pack"]} for info in infos],
            "lengths": [length for info in infos for length in info["lengths"]]}


def lookup_name(script: str) -> str:
    """The lookup file's name, from the script written into it."""
    return f"lookup-{hashlib.sha1(script.encode()).hexdigest()[:16]}.js"
