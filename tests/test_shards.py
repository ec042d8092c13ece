"""A site built by parallel jobs, each its share of the pages and search shards, then merged:
byte for byte the site one build makes (docs/scale.md)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.notice import Notice
from sitegen.shards import Shard, build_shard, merge_shards
from sitegen.site.build import build_site

from .samples import REPO

THEME = str(REPO / "themes" / "default")


def project(root: Path) -> Path:
    """The bundled notices and some of other years, columns and issuers, one citing another."""
    shutil.copytree(REPO / "content", root / "content")
    for year in (2018, 2019, 2021):
        for n in range(1, 4):
            notice = Notice(id=f"n{year}-{n}", title=f"关于{year}年数据安全工作的通知{n}", column="通知",
                            issuer="工业和信息化部、国家发展改革委" if n == 2 else "工业和信息化部",
                            file_number=f"工信部网安〔{year}〕{n}号", date=dt.date(year, n, 10),
                            body=f"根据《关于{year - 1}年数据安全工作的通知{n}》，做好个人信息保护。\n")
            path = root / "content" / str(year) / f"{notice.id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(notice_text(notice), encoding="utf-8")
    return root


def tree(site: Path) -> dict[str, bytes | None]:
    return {p.relative_to(site).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(site.rglob("*"))}


@pytest.fixture
def small_search_shards(monkeypatch):
    monkeypatch.setattr("sitegen.search.pagefind.SHARD_SIZE", 4)  # several search shards


def test_two_shards_built_apart_and_merged_are_the_single_build(tmp_path, small_search_shards):
    single = project(tmp_path / "single")
    whole = build_site(load_config(single, theme=THEME), single)
    assert len(whole.reindexed) >= 3

    parts = []
    for number in (1, 2):
        job = project(tmp_path / f"job{number}")
        report = build_shard(load_config(job, theme=THEME), job, Shard(number, 2))
        assert 0 < report.written < whole.pages and report.reindexed  # each job did a share of the work
        parts.append(job / "public")
    assert not (parts[0] / "pagefind").exists()  # a job's search shards go to the merge, not its site

    final = project(tmp_path / "final")
    merged = merge_shards(load_config(final, theme=THEME), final, parts)
    assert merged.written == 0 and merged.reindexed == []  # nothing left to render or index
    assert tree(final / "public") == tree(single / "public")

    # A build after the merge is an ordinary warm build: it changes nothing.
    again = build_site(load_config(final, theme=THEME), final)
    assert again.written == 0 and tree(final / "public") == tree(single / "public")


def test_a_missing_part_is_built_by_the_merge(tmp_path, small_search_shards):
    single = project(tmp_path / "single")
    build_site(load_config(single, theme=THEME), single)
    job = project(tmp_path / "job")
    build_shard(load_config(job, theme=THEME), job, Shard(2, 3))
    final = project(tmp_path / "final")
    merged = merge_shards(load_config(final, theme=THEME), final, [job / "public"])
    assert 0 < merged.written < merged.pages
    assert tree(final / "public") == tree(single / "public")


def test_the_command_line_builds_shards_and_merges_them(tmp_path, monkeypatch):
    parts = []
    for number in (1, 2):
        job = project(tmp_path / f"job{number}")
        monkeypatch.chdir(job)
        result = CliRunner().invoke(main, ["build", "--no-search", "--theme", THEME, "--shard", f"{number}/2"])
        assert result.exit_code == 0, result.output
        parts.append(str(job / "public"))
    final = project(tmp_path / "final")
    monkeypatch.chdir(final)
    result = CliRunner().invoke(main, ["merge", "--no-search", "--theme", THEME, *parts])
    assert result.exit_code == 0, result.output
    assert "0 changed" in result.output
    assert (final / "public" / "index.html").is_file()

    for wrong in (["build", "--shard", "3/2"], ["build", "--shard", "x"], ["merge", str(final / "content")]):
        result = CliRunner().invoke(main, wrong)
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert result.output.startswith("Error:") or "Error:" in result.output
