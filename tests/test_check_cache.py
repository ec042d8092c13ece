"""`sitegen check` at scale: after a build it parses only the files whose stamp changed (a
file changed in any way is checked again), and notice files are listed without a stat each."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.site import reading

from .samples import REPO


@pytest.fixture
def parsed(tmp_path, monkeypatch) -> list[str]:
    """The sample archive in tmp_path (the working folder), and the names of the files parsed."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    names: list[str] = []
    original = reading._parse_file

    def parse(path, **options):
        names.append(path.name)
        return original(path, **options)

    monkeypatch.setattr(reading, "_parse_file", parse)
    return names


def test_a_check_after_a_build_parses_only_what_changed(tmp_path, parsed):
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    assert len(parsed) == 9
    assert CliRunner().invoke(main, ["build", "--no-search", "--theme", str(REPO / "themes" / "default")]).exit_code == 0
    parsed.clear()
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    assert parsed == []

    # Broken by hand, at the same size and with the old mtime put back: still checked again.
    path = next((tmp_path / "content").rglob("*.md"))
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\ntitle:", "\ntitle!", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = CliRunner().invoke(main, ["check"])
    assert parsed == [path.name]
    assert result.exit_code == 1 and str(path.relative_to(tmp_path)) in result.output


def test_a_check_of_the_content_folder_named_another_way_uses_the_builds_cache(tmp_path, parsed):
    assert CliRunner().invoke(main, ["build", "--no-search", "--theme", str(REPO / "themes" / "default")]).exit_code == 0
    parsed.clear()
    for spelling in (str(tmp_path / "content"), "./content/", "content/../content"):
        result = CliRunner().invoke(main, ["check", "--content", spelling])
        assert result.exit_code == 0, result.output
        assert parsed == []

    # A broken file is named as the command was given it, whichever spelling checked it before.
    path = next((tmp_path / "content").rglob("*.md"))
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", "\ntitle!", 1), encoding="utf-8")
    assert str(path.relative_to(tmp_path)) in CliRunner().invoke(main, ["check"]).output
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "content")])
    assert result.exit_code == 1 and f"{path}:" in result.output

def test_notice_files_lists_files_inside_content_only(tmp_path):
    from sitegen.content import notice_files

    content = tmp_path / "content"
    (content / "2020" / "folder.md").mkdir(parents=True)
    (content / "2020" / "folder.md" / "inner.md").write_text("a")
    (content / "2020" / ".draft.md").write_text("a")
    (content / "2020" / "a.md").write_text("a")
    (content / "notes.txt").write_text("a")
    (tmp_path / "secret.md").write_text("a")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.md").write_text("a")
    (content / "out.md").symlink_to(tmp_path / "secret.md")
    (content / "in.md").symlink_to(content / "2020" / "a.md")
    (content / "dangling.md").symlink_to(content / "missing.md")
    (content / "linked-folder").symlink_to(tmp_path / "elsewhere")
    assert [p.relative_to(content).as_posix() for p in notice_files(content)] == [
        "2020/a.md", "2020/folder.md/inner.md", "in.md"]
