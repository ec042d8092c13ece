"""The package is built in floors: a module imports only from its own floor and those below,
never from one above (docs/internals.md). Imports inside functions count too."""

from __future__ import annotations

import ast
import importlib.util

from .samples import REPO

# Lowest first. A name stands for a module and every module below it (a package).
FLOORS = [
    # data and the judges every step shares
    {"sitegen", "sitegen.errors", "sitegen.notice", "sitegen.dates", "sitegen.urls", "sitegen.xml_chars",
     "sitegen.parallel", "sitegen.download", "sitegen.front_matter", "sitegen.fingerprint",
     "sitegen.terms"},
    # rules over one notice: conversion, rendering, citations and relations, the notice files
    {"sitegen.convert", "sitegen.markdown_engines", "sitegen.render", "sitegen.citations",
     "sitegen.relations", "sitegen.content", "sitegen.content_index", "sitegen.dedup"},
    # sources and import, the settings
    {"sitegen.sources", "sitegen.importer", "sitegen.config"},
    # the search index, which the build calls and which calls nothing of the build
    {"sitegen.search"},
    # the build
    {"sitegen.site"},
    # what uses a built site or the archive as a whole
    {"sitegen.stats", "sitegen.bundle", "sitegen.serve", "sitegen.init", "sitegen.shards"},
    # the command line
    {"sitegen.cli"},
]


def floor_of(module: str) -> int:
    matches = [(len(name), index) for index, floor in enumerate(FLOORS) for name in floor
               if module == name or module.startswith(name + ".")]
    assert matches, f"{module} is on no floor: add it to FLOORS"
    return max(matches)[1]  # the most specific name decides


def sitegen_modules() -> dict[str, ast.Module]:
    modules = {}
    for path in sorted((REPO / "sitegen").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (ast.parse(path.read_text(encoding="utf-8")), parts[-1] == "__init__")
    return modules


def imports_of(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module
            found.add(base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module == "sitegen" or module.startswith("sitegen.")}


def test_no_module_imports_one_on_a_floor_above_it():
    upward = []
    for name, (tree, is_package) in sitegen_modules().items():
        for imported in imports_of(name, tree, is_package):
            if floor_of(imported) > floor_of(name):
                upward.append(f"{name} (floor {floor_of(name)}) imports {imported} (floor {floor_of(imported)})")
    assert upward == []


def test_the_floors_catch_an_import_that_runs_up():
    tree = ast.parse("def later():\n    from ..site.cache import BuildCache\n")
    imported = imports_of("sitegen.search.pagefind", tree, False)
    assert imported == {"sitegen.site.cache"}
    assert floor_of("sitegen.site.cache") > floor_of("sitegen.search.pagefind")
