"""Sources: the search APIs sitegen reads notices from, each behind one adapter (see base.py)."""

from __future__ import annotations

from .base import Source
from .govcn import GovCnSource
from .miit import MiitSource

SOURCES = {"miit": MiitSource, "govcn": GovCnSource}


def source_for(name: str, origin: str | None = None) -> Source:
    """The source called name, at origin (its usual site when None or empty)."""
    try:
        kind = SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r} (known: {', '.join(sorted(SOURCES))})") from None
    return kind(origin) if origin else kind()


def default_source() -> Source:
    return MiitSource()
