"""`sitegen check` and `sitegen stats`: the archive validated, and counted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .citations import link_archive
from .site.build import read_content


def check_archive(content_dir: Path) -> list[str]:
    """`file:line: field: reason` for every notice file that breaks the front-matter schema."""
    if not content_dir.is_dir():
        return [f"{content_dir}:1: folder: not found"]
    return read_content(content_dir).errors


@dataclass
class Stats:
    notices: int = 0
    counts: dict[str, Counter] = field(default_factory=dict)  # axis label -> value -> count
    citation_links: int = 0
    cited_notices: int = 0
    unresolved: int = 0
    interpretations: int = 0
    invalid_files: int = 0  # left out of the counts; `sitegen check` names them


def archive_stats(content_dir: Path) -> Stats:
    content = read_content(content_dir)
    notices = content.notices
    stats = Stats(notices=len(notices), invalid_files=len(content.errors))
    stats.counts = {
        "年份 year": Counter(str(n.date.year) if n.date else "日期不详" for n in notices),
        "栏目 column": Counter(n.column or "（无）" for n in notices),
        "主题分类 theme": Counter(n.theme or "（无）" for n in notices),
        "发文机关 issuer": Counter(n.issuer or "（无）" for n in notices),
    }
    links = link_archive(notices, content.citations)
    stats.citation_links = links.edges
    stats.cited_notices = len(links.cited_by)
    stats.unresolved = sum(len(v) for v in links.unresolved.values())
    stats.interpretations = len(links.explains)
    return stats


def format_stats(stats: Stats) -> str:
    lines = [f"{stats.notices} notices"]
    if stats.invalid_files:
        lines[0] += f" ({stats.invalid_files} files with errors left out: `sitegen check` lists them)"
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
    return "\n".join(lines)
