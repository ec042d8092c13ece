"""A user's mistakes: each command answers with one line and exit status 1 or 2, no traceback."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main

from .samples import REPO

THEME = str(REPO / "themes" / "default")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def prepare(project: Path, setup: str) -> None:
    """Make the situation a mistake happens in, in an empty project folder."""
    if setup in ("archive", "other-folder", "settings", "a-file"):
        shutil.copytree(REPO / "content", project / "content")
    if setup == "empty-content":
        (project / "content").mkdir()
    if setup == "other-folder":
        (project / "public").mkdir()
        (project / "public" / "thesis.docx").write_text("years of work", encoding="utf-8")
    if setup == "settings":
        (project / "sitegen.toml").write_text('[site]\ntitle = "档案"\nlatest = "ten"\n', encoding="utf-8")
    if setup == "not-pages":
        (project / "downloads").mkdir()
        (project / "downloads" / "notes.txt").write_text("no pages here", encoding="utf-8")
    if setup == "a-file":
        (project / "a-file").write_text("", encoding="utf-8")
    if setup.startswith("settings-"):
        shutil.copytree(REPO / "content", project / "content")
        settings = project / "sitegen.toml"
        if setup == "settings-folder":
            settings.mkdir()
        else:
            settings.write_bytes({"settings-garbage": b"title = [", "settings-binary": b"\xff\xfe[site]"}[setup])
    if setup.startswith("theme-"):
        shutil.copytree(REPO / "content", project / "content")
        shutil.copytree(REPO / "themes", project / "themes")
        base = project / "themes" / "default" / "templates" / "base.html"
        mistake = "{% if %}" if setup == "theme-syntax" else "{{ no_such_thing.at_all }}"
        base.write_text(base.read_text(encoding="utf-8").replace("</body>", mistake + "</body>"),
                        encoding="utf-8")


MISTAKES = {
    "build without content": ("none", ["build"], "content folder not found"),
    "build an empty archive": ("empty-content", ["build"], "no notice files"),
    "check without content": ("none", ["check"], "content folder not found"),
    "stats without content": ("none", ["stats"], "content folder not found"),
    "bundle an empty archive": ("empty-content", ["bundle"], "no notice files"),
    "bundle without content": ("none", ["bundle"], "content folder not found"),
    "serve without content": ("none", ["serve", "--no-watch"], "content folder not found"),
    "build into the project": ("archive", ["build", "--out", "."], "would replace the project folder"),
    "build into the content": ("archive", ["build", "--out", "content"], "would replace the content folder"),
    "build over a folder of one's own": ("other-folder", ["build"], "was not made by sitegen"),
    "build where nothing can be written": ("a-file", ["build", "--out", "a-file/public"], "cannot write"),
    "build with a theme that is not there": ("archive", ["build", "--theme", "nope"], "no theme there"),
    "a setting of the wrong type": ("settings", ["build"], "sitegen.toml:3: latest: expected a whole number"),
    "import a folder with no pages": ("not-pages", ["import", "downloads"], "no JSON pages in downloads"),
    "import a path that is not there": ("none", ["import", "raw"], "does not exist"),
    "fetch pages of no records": ("none", ["fetch", "--page-size", "0"], "--page-size"),
    "fetch with no tries": ("none", ["fetch", "--tries", "0"], "--tries"),
    "serve on a busy port": ("archive", ["serve", "--port", "{busy}"], "port {busy} is in use; try --port"),
    "serve once on a busy port": ("archive", ["serve", "--no-watch", "--port", "{busy}"], "is in use"),
    "a template that does not parse": ("theme-syntax", ["build", "--no-search"], "base.html:"),
    "a template naming what is not there": ("theme-undefined", ["build", "--no-search"],
                                            "base.html:"),
    "an unknown command": ("none", ["biuld"], "No such command"),
    "build where the system allows no folder": ("archive", ["build", "--out", "/proc/sitegen-site"],
                                                "out: /proc/sitegen-site: cannot write there"),
    "an output name that is not UTF-8": ("archive", ["build", "--out", "site\udcff"],
                                         "--out: expected a folder path (UTF-8 text), not 'site\\udcff'"),
    "serve into a file": ("a-file", ["serve", "--no-watch", "--out", "a-file"], "a-file is not a folder"),
    "import into a file": ("a-file", ["import", str(REPO / "tests/fixtures/miit-search-page1.json"),
                                      "--content", "a-file"], "a file (a-file) is where a folder is needed"),
    "bundle into a file's folder": ("a-file", ["bundle", "--out", "a-file/archive.zip"],
                                    "a-file: a file is where a folder is needed"),
    "check a file as the content": ("a-file", ["check", "--content", "a-file"], "content folder not found"),
    "stats of a file as the content": ("a-file", ["stats", "--content", "a-file"], "content folder not found"),
    "init where a file is": ("a-file", ["init", "a-file"], "exists and is not a folder"),
    "fetch into a file": ("a-file", ["fetch", "--out", "a-file"], "is a file"),
    "init a folder whose name is not UTF-8": ("none", ["init", "new\udcff"], "needs folder names in UTF-8"),
    "settings that are a folder": ("settings-folder", ["build"], "sitegen.toml: is a folder"),
    "settings that are not TOML": ("settings-garbage", ["check"], "sitegen.toml: not valid TOML"),
    "settings that are not UTF-8": ("settings-binary", ["stats"], "sitegen.toml: cannot be read"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_is_one_line_and_never_a_traceback(tmp_path, monkeypatch, mistake):
    setup, args, message = MISTAKES[mistake]
    prepare(tmp_path, setup)
    monkeypatch.chdir(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run(*(arg.replace("{busy}", port) for arg in args))
        message = message.replace("{busy}", port)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    if setup == "other-folder":
        assert (tmp_path / "public" / "thesis.docx").read_text(encoding="utf-8") == "years of work"
    if setup in ("archive", "a-file"):
        assert len(list((tmp_path / "content").rglob("*.md"))) == 9


def test_build_errors_are_listed_then_counted_in_a_sentence(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "content" / "2020" / "bad.md").write_text("---\ntitle: t\n---\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("build", "--no-search", "--theme", THEME)
    assert result.exit_code == 1
    assert "bad.md:1: id: required field is missing or empty" in result.output
    assert "Error: 1 notice file has errors; nothing was written" in result.output


def test_import_and_build_take_their_folders_from_sitegen_toml(tmp_path, monkeypatch):
    (tmp_path / "sitegen.toml").write_text(
        '[site]\ncontent = "archive"\nout = "site"\norigin = "https://www.miit.gov.cn"\n', encoding="utf-8")
    page = tmp_path / "page.json"
    page.write_text(json.dumps(json.loads((REPO / "tests/fixtures/miit-search-page1.json").read_text(
        encoding="utf-8")), ensure_ascii=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("import", "page.json").exit_code == 0
    assert len(list((tmp_path / "archive").rglob("*.md"))) == 9
    result = run("build", "--no-search", "--theme", THEME)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / ".sitegen-cache").is_dir()
    assert run("check").exit_code == 0


def test_build_makes_the_folders_leading_to_its_output(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    result = run("build", "--no-search", "--out", "sites/2024/public")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sites" / "2024" / "public" / "index.html").is_file()


def test_run_inside_the_archive_says_where_to_run(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    (tmp_path / "sitegen.toml").write_text('[site]\ntitle = "档案"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path / "content" / "2020")
    result = run("build")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().endswith(f"(run sitegen in {tmp_path.resolve()}, where its sitegen.toml is)")


def test_an_archive_in_a_folder_whose_name_is_not_utf8_is_refused_in_one_line(tmp_path, monkeypatch):
    project = tmp_path / "archive\udcff"  # what Python makes of a name in another encoding
    shutil.copytree(REPO / "content", project / "content")
    monkeypatch.chdir(project)
    for command in (["build", "--no-search"], ["bundle"]):
        result = run(*command)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "sitegen needs folder names in UTF-8" in result.output.splitlines()[-1]
    assert run("check").exit_code == 0  # reading the archive needs no such name


def test_the_build_bar_ends_at_the_pages_written(tmp_path, monkeypatch):
    """The bar counts pages written, not running totals added up (it filled long before the end)."""
    import click

    bars = []

    class Bar:
        def __init__(self, length, **_):
            self.length, self.pos = length, 0
            bars.append(self)

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

        def update(self, steps):
            self.pos += steps

    shutil.copytree(REPO / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(click, "progressbar", Bar)
    result = run("build", "--no-search")
    assert result.exit_code == 0, result.output
    [bar] = bars
    written = int(result.output.split(" pages written")[0].split()[-1])
    assert bar.pos == bar.length == written
