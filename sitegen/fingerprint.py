"""The keys a build remembers things by: equal keys promise equal outputs.

- `body_digest`: a rendered body, by its Markdown and everything that renders it (sitegen and
  the versions of the Markdown engines and the sanitiser: an upgrade of any re-renders);
- `digest`: anything else, by the repr of plain data;
- `context_digest`: a page, by what its template receives (sitegen/site/pages.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from importlib.metadata import PackageNotFoundError, version

from . import __version__
from .notice import Notice

RENDERING_PACKAGES = ("nh3", "pyromark", "markdown-it-pyrs", "markdown-it-py", "mdit-py-plugins")


def _installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


# Read once per process (before workers are forked): rendering depends on all of them.
RENDERER_VERSION = ";".join([f"sitegen={__version__}",
                             *(f"{p}={_installed(p)}" for p in RENDERING_PACKAGES)])


def digest(data: object) -> str:
    return hashlib.sha1(repr(data).encode("utf-8")).hexdigest()


def body_digest(markdown: str) -> str:
    """The key of a rendered body (hashing the text itself: repr() of a long Chinese text
    costs more than the hash)."""
    return hashlib.sha1(f"{RENDERER_VERSION}\0{markdown}".encode()).hexdigest()


_PLAIN = (str, int, float, bool, type(None), dt.date)


def canonical(value: object, notice_digests: dict[str, str], seen: dict[int, object]) -> object:
    """Plain data equal for equal page inputs: a notice stands for the digest of its file (the
    body-less notice a page receives says nothing of its body), dataclasses for their fields,
    functions for their names. `seen` keeps what was worked out for shared objects (the same
    list entry appears on many pages)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return tuple([canonical(item, notice_digests, seen) for item in value])
    if kind is dict:
        return tuple([(key, canonical(item, notice_digests, seen)) for key, item in value.items()])
    known = seen.get(id(value))
    if known is not None:
        return known[1]
    if kind is Notice:
        result: object = notice_digests.get(value.id) or repr(value)
    elif dataclasses.is_dataclass(value):
        result = (kind.__name__, *(canonical(getattr(value, f.name), notice_digests, seen)
                                   for f in dataclasses.fields(value)))
    elif hasattr(value, "func") and hasattr(value, "args"):  # functools.partial
        result = (canonical(value.func, notice_digests, seen), canonical(value.args, notice_digests, seen))
    elif callable(value):
        result = f"{value.__module__}.{value.__qualname__}"
    else:
        result = repr(value)
    seen[id(value)] = (value, result)  # the object is kept alive so its id is not reused
    return result
