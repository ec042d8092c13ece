"""`sitegen build`: content/ in, a complete static site out, swapped in whole at the end."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from ..config import Config
from ..content import ContentError, notice_files, read_notice
from ..notice import Notice
from ..render import render_markdown
from .pages import Page, root_of, site_pages
from .structure import build_structure


class BuildError(Exception):
    """The content has errors; each line is `file:line: field: reason`."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class BuildReport:
    pages: int = 0
    notices: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)
    searched: bool = False

    def summary(self, out: Path) -> str:
        skipped = f", {len(self.skipped)} notices skipped" if self.skipped else ""
        search = "with search index" if self.searched else "no search index"
        return (f"{self.pages} pages written for {self.notices} notices{skipped} "
                f"({search}) into {out} in {self.seconds:.1f} s")


def read_content(content_dir: Path) -> tuple[list[Notice], list[str]]:
    """Every notice, and an error line for each file that cannot be read."""
    notices, errors, seen = [], [], {}
    for path in notice_files(content_dir):
        try:
            notice = read_notice(path)
        except ContentError as error:
            errors.append(str(error))
            continue
        if notice.id in seen:
            errors.append(f"{path}:1: id: the same id as {seen[notice.id]}")
            continue
        seen[notice.id] = path
        notices.append(notice)
    return notices, errors


def template_environment(theme_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme_dir / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def build_site(
    config: Config,
    project_root: Path = Path("."),
    keep_going: bool = False,
    search: bool = True,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    started = time.perf_counter()
    content_dir = project_root / config.content
    out_dir = project_root / config.out
    if not content_dir.is_dir():
        raise BuildError([f"{content_dir}: content folder not found"])
    notices, errors = read_content(content_dir)
    if errors and not keep_going:
        raise BuildError(errors)
    report = BuildReport(notices=len(notices), skipped=errors)
    theme_dir = config.theme_dir(project_root)
    environment = template_environment(theme_dir)
    site = build_structure(notices)
    rendered = {notice.id: render_markdown(notice.body) for notice in notices}

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        static = theme_dir / "static"
        if static.is_dir():
            shutil.copytree(static, staging / "static")
        for page in site_pages(site, config, rendered):
            write_page(environment, page, config, staging)
            report.pages += 1
            if progress:
                progress(1)
        if search:
            from ..search.pagefind import index_site

            index_site(staging)
            report.searched = True
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.seconds = time.perf_counter() - started
    return report


def write_page(environment: jinja2.Environment, page: Page, config: Config, out: Path) -> None:
    context = {"config": config, "root": root_of(page.path), "page_path": page.path}
    context.update(page.context)
    text = environment.get_template(page.template).render(context)
    target = out / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="\n")


def _swap(staging: Path, out_dir: Path) -> None:
    """Replace the output folder in two renames, so it is never half-written."""
    staging.chmod(0o755)
    if out_dir.exists():
        retired = out_dir.with_name(f".{out_dir.name}-old")
        shutil.rmtree(retired, ignore_errors=True)
        out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out_dir)
