"""`sitegen check` remembers what it (or a build) parsed, by each file's stamp: a second check of
a large archive parses nothing, and a file changed in any way is checked again."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

from sitegen.cli import main
from sitegen.site import reading

from .samples import REPO


def test_a_second_check_parses_only_what_changed(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    parsed = []
    original = reading._parse_file
    monkeypatch.setattr(reading, "_parse_file", lambda path: parsed.append(path.name) or original(path))

    assert CliRunner().invoke(main, ["check"]).exit_code == 0
    assert len(parsed) == 9 and (tmp_path / ".sitegen-cache").is_dir()
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
