"""The keys a build remembers things by: equal keys promise equal outputs.

- `body_digest`: a rendered body, by its Markdown and everything that renders it (sitegen's
  rendering code and the versions of the Markdown engines and the sanitiser: a change to any
  re-renders);
- `code_digest`: rules written in code (how a notice file is parsed, how Markdown renders),
  by the source of the modules that hold them;
- `digest`: anything else, by the repr of plain data;
- `page_fingerprint`: a page, by what its template receives (sitegen/site/pages.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.util
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


_PLAIN = (str, int, float, bool, type(None), dt.date)
_NAMED = (FunctionType, BuiltinFunctionType, MethodType, type)


def stable_text(value: object, notice_digests: dict[str, str], seen: dict[int, tuple]) -> str:
    """A text equal for equal page inputs and different for different ones, the same in every
    process: plain data stands for its repr, a notice for the digest of its file (the body-less
    notice a page receives says nothing of its body), a function for its name. `seen` keeps
    the text of every object met (and the object, so that its id is not reused): an object
    shared by many pages (a notice, a list entry) is described once per build."""
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    known = seen.get(id(value))
    if known is not None:
        return known[1]
    if kind is Notice:
        text = notice_digests.get(value.id) or repr(value)
    elif kind is partial:
        text = "partial(" + ",".join([stable_text(part, notice_digests, seen)
                                      for part in (value.func, value.args, value.keywords)]) + ")"
    elif isinstance(value, _NAMED):
        text = f"{value.__module__}.{value.__qualname__}"
    elif (kind is list or kind is tuple) and value and type(value[0]) not in _PLAIN and type(value[0]) is not tuple:
        # Notices and list entries, each described once however many pages list it.
        text = "[" + ",".join([stable_text(item, notice_digests, seen) for item in value]) + "]"
    elif _is_dataclass(kind):
        # Fields only: a cached property (a term's slug) may or may not be filled in yet.
        items = [getattr(value, name) for name in _field_names(kind)]
        text = kind.__name__ + _plain_repr(items, notice_digests, seen)
    else:
        text = _plain_repr(value, notice_digests, seen)
    seen[id(value)] = (value, text)
    return text


@cache
def _is_dataclass(kind: type) -> bool:
    return dataclasses.is_dataclass(kind)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _plain_repr(value: object, notice_digests: dict[str, str], seen: dict[int, tuple]) -> str:
    """Plain data (rows, relations, terms) says all in its repr, made at C speed; what holds
    notices or functions is walked instead."""
    text = repr(value)
    if " at 0x" not in text and "Notice(" not in text:
        return text
    if type(value) is dict:
        return "{" + ",".join([f"{key!r}:{stable_text(item, notice_digests, seen)}"
                               for key, item in value.items()]) + "}"
    if type(value) is list or type(value) is tuple:
        return "[" + ",".join([stable_text(item, notice_digests, seen) for item in value]) + "]"
    raise TypeError(f"no stable text for a {type(value).__name__}")


def page_fingerprint(page, shared: object, notice_digests: dict[str, str], seen: dict[int, tuple]) -> str:
    """A page's fingerprint: what its template receives (or what its data writer is given),
    its rendered body and the links added to it, its path, and `shared` (the settings and the
    theme's version). Equal fingerprints mean byte-identical files."""
    body = page.body
    if body is None:
        source = None
    else:  # a template shows the rendered body; a data file writes the notice's Markdown
        source = body.key if page.template else body.digest
    context = ",".join([f"{key}:{value!r}" if type(value) in _PLAIN else f"{key}:{stable_text(value, notice_digests, seen)}"
                        for key, value in page.context.items()])
    inputs = (f"{shared!r}\0{page.path}\0{page.template}\0{source}\0{page.anchors!r}\0{context}\0"
              f"{stable_text(page.data, notice_digests, seen)}")
    return hashlib.sha1(inputs.encode("utf-8")).hexdigest()
