"""`sitegen check` and `sitegen stats`: the archive validated, and counted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .citations import link_archive
from .content import split_front_matter
from .errors import count as counted
from .relations import build_date, relate_archive
from .site.build import read_content
from .site.cache import BuildCache
from .site.structure import AXES


def check_archive(content_dir: Path, cache_dir: Path | None = None) -> list[str]:
    """`file:line: field: reason` for every notice file that breaks the front-matter schema.

    With cache_dir (the build's), files unchanged since a build read them are not parsed again
    (their stamp decides, as in a build); the others are only validated."""
    if not content_dir.is_dir():
        return [f"{content_dir}:1: folder: not found"]
    return _read(content_dir, cache_dir, checking=True).errors


def _read(content_dir: Path, cache_dir: Path | None, checking: bool = False):
    with BuildCache(cache_dir) as cache:  # None: a cache that remembers nothing
        return read_content(content_dir, cache, checking=checking)


def check_relations(content_dir: Path, cache_dir: Path | None = None) -> list[str]:
    """`file:line: reason` for every act whose target is not one notice of the archive
    (a document the archive does not hold, a title two notices share). cache_dir: as for
    check_archive."""
    if not content_dir.is_dir():
        return [f"{content_dir}:1: folder: not found"]
    content = _read(content_dir, cache_dir)
    relations = relate_archive(content.notices, content.statements, build_date(content.notices))
    lines = []
    for doubt in relations.doubts:
        path = content.paths[doubt.notice]
        lines.append(f"{path}:{file_line(path, doubt.line)}: {doubt.reason}")
    return lines


def file_line(path: Path, body_line: int) -> int:
    """The line of the file where a line of the body is (0, the title: the title field's line)."""
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    body = split_front_matter(text, path)[1]
    if body_line == 0:
        return next((n for n, line in enumerate(text.split("\n"), 1) if line.startswith("title:")), 1)
    return text[: len(text) - len(body)].count("\n") + body_line


@dataclass
class Stats:
    notices: int = 0
    counts: dict[str, Counter] = field(default_factory=dict)  # axis label -> value -> count
    citation_links: int = 0
    cited_notices: int = 0
    unresolved: int = 0
    interpretations: int = 0
    invalid_files: int = 0  # left out of the counts; `sitegen check` names them
    statuses: dict[str, int] = field(default_factory=dict)  # 时效性 -> notices


def archive_stats(content_dir: Path) -> Stats:
    content = read_content(content_dir)
    notices = content.notices
    stats = Stats(notices=len(notices), invalid_files=len(content.errors))
    # The year first, then the other browse axes in the site's order. A notice counts under
    # each term the browse pages list it under: each issuer of a joint notice, a theme and
    # the themes above it.
    axes = sorted(AXES, key=lambda axis: axis.key != "year")
    stats.counts = {
        f"{axis.label} {axis.key}": Counter(
            value for n in notices
            for value in axis.values_of(n) or ["日期不详" if axis.key == "year" else "（无）"])
        for axis in axes
    }
    links = link_archive(notices, content.citations)
    stats.citation_links = links.edges
    stats.cited_notices = len(links.cited_by)
    stats.unresolved = sum(len(v) for v in links.unresolved.values())
    stats.interpretations = len(links.explains)
    stats.statuses = relate_archive(notices, content.statements, build_date(notices)).counts()
    return stats


def format_stats(stats: Stats) -> str:
    lines = [counted(stats.notices, "notice")]
    if stats.invalid_files:
        lines[0] += f" ({counted(stats.invalid_files, 'file')} with errors left out: `sitegen check` lists them)"
    for label, counter in stats.counts.items():
        if not counter:
            continue
        lines.append("")
        lines.append(label)
        ordered = sorted(counter.items(), key=lambda kv: (kv[0] if label.startswith("年份") else -kv[1], kv[0]))
        if label.startswith("年份"):
            ordered.sort(reverse=True)
        width = max(len(value) for value, _ in ordered)
        for value, count in ordered:
            lines.append(f"  {value}{'　' * (width - len(value))}  {count:>6}")
    lines.append("")
    lines.append(f"citation graph: {stats.citation_links} links between notices, "
                 f"{stats.cited_notices} notices cited, {stats.unresolved} citations unresolved, "
                 f"{stats.interpretations} interpretations paired")
    lines.append("")
    lines.append("时效性 status")
    for status, count in stats.statuses.items():
        lines.append(f"  {status}{'　' * (7 - len(status))}  {count:>6}")
    return "\n".join(lines)
