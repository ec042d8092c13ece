"""A theme: its Jinja templates and its static files, and one version over both.

Templates see the browse axes as the global `axes` (sitegen/site/structure.py defines them
once; a theme loops over them instead of naming them) and `notice_url(notice)`, the page of
any notice or list entry. What a template writes loses the characters XML forbids
(`render`: feeds must stay readable). Static files are copied as they are;
a symbolic link is never followed (it could point anywhere: `/proc/self/environ`).
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
from functools import lru_cache
from pathlib import Path

import jinja2
import markupsafe
from jinja2.compiler import CodeGenerator

from .. import __version__
from ..urls import href
from ..xml_chars import xml_safe_utf8
from .assets import local_links, remote_images
from .structure import AXES, notice_url


def escape_text(value) -> str:
    """What `{{ value }}` writes: markupsafe.escape's text (the same characters escaped, a value
    with `__html__` taken as it says), as plain text. Every piece a template writes is joined
    into the page (or into a macro's, block's or filter's text, which Jinja marks safe itself),
    so the Markup object escape makes for each of them, a Python-level constructor, is work
    for nothing: 80 values a page."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


try:
    from markupsafe import _escape_inner  # the C escape markupsafe.escape wraps
except ImportError:  # pragma: no cover (another markupsafe): the same text, made as Markup first
    def _escape_inner(text: str) -> str:
        return str(markupsafe.escape(text))


class _Generator(CodeGenerator):
    """Jinja's code generator, writing each value through escape_text instead of escape."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_text(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Environment(jinja2.Environment):
    code_generator_class = _Generator
    escape_text = staticmethod(escape_text)

    def make_globals(self, d=None) -> dict:
        """A template's globals as a plain dict, not a ChainMap over the environment's (which
        follows globals added later: ours are all set before any template is loaded). Each
        `{% from ... import %}` compares them with the page's: a set less a dict's keys is
        done at C speed, a set less a ChainMap's a key at a time (18 µs a page)."""
        return {**self.globals, **(d or {})}


@lru_cache(maxsize=4)
def template_environment(theme_dir: Path, theme_version: str = "") -> jinja2.Environment:
    """The theme's templates, compiled once per process and theme version: no file checks per
    page, and an edited theme (a new version) gets a new environment."""
    environment = _Environment(
        auto_reload=False,
        loader=jinja2.FileSystemLoader(theme_dir / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `href="{{ url|href }}"`: a URL from data, written only when relative or http(s).
    environment.filters["href"] = href
    # `{{ body|local_links(assets, root) }}`: images and links to files saved beside the site.
    environment.filters["local_links"] = local_links
    # `{{ body|remote_images(config) }}`: a note after each image left on the original site.
    environment.filters["remote_images"] = remote_images
    environment.globals["axes"] = AXES
    environment.globals["notice_url"] = notice_url
    return environment


def render(environment: jinja2.Environment, template: str, context: dict) -> bytes:
    """A template's text as UTF-8, without the characters XML forbids (a stray U+0001 in a body
    makes a feed unreadable). Stripped once from the whole text rather than from each value
    written: the text between values is the theme's own, and the hundreds of values of a notice
    page cost more to check one by one than the page does at once."""
    return xml_safe_utf8(environment.get_template(template).render(context))


def theme_files(theme_dir: Path) -> list[Path]:
    """Every regular file of the theme, in a stable order; links are left out."""
    found = []
    for directory, folders, names in os.walk(theme_dir):  # os.walk never enters linked folders
        folders.sort()
        for name in sorted(names):
            path = Path(directory, name)
            if not path.is_symlink() and path.is_file():
                found.append(path)
    return found


def theme_version(theme_dir: Path) -> str:
    """One hash over every template and static file: a theme edit re-renders every page."""
    hasher = hashlib.sha1(__version__.encode())
    for path in theme_files(theme_dir):
        hasher.update(str(path.relative_to(theme_dir)).encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def copy_static(theme_dir: Path, target: Path) -> None:
    """Make target hold exactly the theme's static files: copy those that differ, remove those
    the theme no longer has (a warm build then equals a cold one)."""
    source = theme_dir / "static"
    wanted = {path.relative_to(source) for path in theme_files(source)} if source.is_dir() else set()
    for relative in sorted(wanted):
        destination = target / relative
        if destination.is_file() and not destination.is_symlink() and filecmp.cmp(
                source / relative, destination, shallow=False):
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.is_symlink() or destination.is_dir():
            _remove(destination)
        shutil.copyfile(source / relative, destination)
    if not target.is_dir():
        return
    for directory, folders, names in os.walk(target, topdown=False):
        for name in names + [f for f in folders if Path(directory, f).is_symlink()]:
            path = Path(directory, name)
            if path.relative_to(target) not in wanted:
                path.unlink()
        if directory != str(target) and not os.listdir(directory):
            os.rmdir(directory)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
