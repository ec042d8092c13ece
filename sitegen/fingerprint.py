"""The keys a build remembers things by: equal keys promise equal outputs.

- `body_digest`: a rendered body, by its Markdown and everything that renders it (sitegen's
  rendering code and the versions of the Markdown engines and the sanitiser: a change to any
  re-renders);
- `code_digest`: rules written in code (how a notice file is parsed, how Markdown renders),
  by the source of the modules that hold them;
- `digest`: anything else, by the repr of plain data;
- `PageFingerprints`: a page, by what its template receives (sitegen/site/pages.py) and the
  code that writes pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.util
import json
import re
from functools import cache, partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType

from . import __version__
from .notice import Notice

RENDERING_PACKAGES = ("nh3", "pyromark", "markdown-it-pyrs", "markdown-it-py", "mdit-py-plugins")


def _installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


# Import statements, anywhere in a module (a regex: many times faster than walking its syntax
# tree; a match inside a string only adds a module to the digest).
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+([^\n#]*))",
                     re.MULTILINE)


def _imported(name: str, source: str, is_package: bool) -> set[str]:
    """The modules of the same top package that a module's source imports."""
    package = name if is_package else name.rpartition(".")[0]
    top = name.partition(".")[0]
    found = set()
    for base, names, modules in _IMPORT.findall(source):
        if modules:
            found.update(part.split()[0] for part in modules.split(",") if part.strip())
            continue
        if base.startswith("."):
            base = importlib.util.resolve_name(base, package)
        found.add(base)
        found.update(f"{base}.{part.split()[0]}" for part in names.strip("()").split(",")
                     if part.strip())  # from . import module
    return {module for module in found if module.partition(".")[0] == top}


def code_modules(*names: str) -> dict[str, Path]:
    """These modules and every module of their top package they import, directly or not,
    with their source files."""
    files: dict[str, Path] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in files:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # `from .module import name`: a name, not a module
            spec = None
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        files[name] = path = Path(spec.origin)
        todo.extend(_imported(name, path.read_text(encoding="utf-8"), spec.submodule_search_locations is not None))
    return dict(sorted(files.items()))


@cache
def code_digest(*names: str) -> str:
    """A digest of the source of these modules and of every module of their package that
    they import: it changes with any rule written in them."""
    hasher = hashlib.sha1()
    for name, path in code_modules(*names).items():
        hasher.update(f"{name}\0".encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


# Read once per process (before workers are forked): rendering depends on all of them.
RENDERER_VERSION = ";".join([f"sitegen={__version__}", f"code={code_digest('sitegen.render')}",
                             *(f"{p}={_installed(p)}" for p in RENDERING_PACKAGES)])


def digest(data: object) -> str:
    return hashlib.sha1(repr(data).encode("utf-8")).hexdigest()


def body_digest(markdown: str) -> str:
    """The key of a rendered body (hashing the text itself: repr() of a long Chinese text
    costs more than the hash)."""
    return hashlib.sha1(f"{RENDERER_VERSION}\0{markdown}".encode()).hexdigest()


_NAMED = (FunctionType, BuiltinFunctionType, MethodType, type)


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def _stand_in(notice_digests: dict[str, str]):
    """What stands for a value that is not plain data in a page's inputs: a notice for the
    digest of its file (the body-less notice a page receives says nothing of its body), a date
    for its ISO form, a dataclass for its fields (a cached property, such as a term's slug, may
    or may not be filled in yet), a function for its name (a bound method, with its object).
    An object many pages share (a term, an axis) is described once."""
    shared: dict[int, tuple[object, object]] = {}  # id -> (the object, kept alive; its stand-in)

    def stand_in(value: object) -> object:
        kind = type(value)
        if kind is dt.date:
            return value.isoformat()
        if kind is Notice:
            known = notice_digests.get(value.id)
            if known is not None:
                return ("notice", known)
        known = shared.get(id(value))
        if known is not None:
            return known[1]
        if kind is partial:
            described = ("partial", stand_in(value.func), value.args, value.keywords)
        elif (fields := _field_names(kind)) is not None:
            described = (kind.__name__, *[getattr(value, name) for name in fields])
        elif isinstance(value, dt.date):
            described = value.isoformat()
        elif kind is MethodType:  # a bound method: its function and what it is bound to
            described = ("method", f"{value.__module__}.{value.__qualname__}", value.__self__)
        elif isinstance(value, _NAMED):
            described = f"{value.__module__}.{value.__qualname__}"
        elif isinstance(value, (set, frozenset)):
            described = sorted(value, key=repr)
        else:
            raise TypeError(f"no stable text for a {kind.__name__}")
        shared[id(value)] = (value, described)
        return described

    return stand_in


class PageFingerprints:
    """Each page's fingerprint: what its template receives (or what its data writer is
    given), its rendered body and the links added to it, its path, and `shared` (the settings,
    the theme's version and the code that writes pages). Equal fingerprints mean
    byte-identical files. The inputs are described as JSON made at C speed, the same in every
    process, with _stand_in's stand-ins for what is not plain data. One per build: it is used
    page after page (making the C encoder costs more than many a page's inputs)."""

    def __init__(self, shared: object, notice_digests: dict[str, str]):
        encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False,
                                   default=_stand_in(notice_digests))
        self._chunks = partial(encoder.iterencode, _one_shot=True)
        try:
            c_encoder = json.encoder.c_make_encoder(None, encoder.default, json.encoder.encode_basestring,
                                                    None, ":", ",", False, False, True)
            self._chunks = lambda value: c_encoder(value, 0)
        except TypeError:  # pragma: no cover - no C accelerator, or another signature
            pass
        self._shared = hashlib.sha1(self._encode(shared))

    def _encode(self, value: object) -> bytes:
        return "".join(self._chunks(value)).encode("utf-8", "surrogatepass")

    def __call__(self, page) -> str:
        body = page.body
        if body is None:
            source = None
        else:  # a template shows the rendered body; a data file writes the notice's Markdown
            source = body.key if page.template else body.digest
        hasher = self._shared.copy()
        hasher.update(self._encode([page.path, page.template, source, page.anchors, page.context, page.data]))
        return hasher.hexdigest()
