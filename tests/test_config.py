"""Settings: one sitegen.toml for every command, each setting checked, and an output folder
that can never be the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.config import (
    OUTPUT_MARKER,
    ConfigError,
    check_output_folder,
    load_config,
)
from sitegen.site.build import build_site

from .samples import REPO


def write_settings(project: Path, text: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    path = project / "sitegen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_come_from_sitegen_toml_and_options_override_them(tmp_path):
    write_settings(tmp_path, '[site]\ntitle = "档案"\nlatest = 5\ncontent = "archive"\nout = "site"\n')
    config = load_config(tmp_path, out="elsewhere")
    assert (config.title, config.latest, config.content, config.out) == ("档案", 5, "archive", "elsewhere")


def test_pyproject_tool_sitegen_table_is_read_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.sitegen]\npage_size = 7\n', encoding="utf-8")
    assert load_config(tmp_path).page_size == 7


@pytest.mark.parametrize(("text", "message"), [
    ('[site]\ntitle = "t"\nlatest = "ten"\n', 'sitegen.toml:3: latest: expected a whole number above 0, not \'ten\''),
    ("page_size = 0\n", "sitegen.toml:1: page_size: expected a whole number above 0, not 0"),
    ("page_size = true\n", "sitegen.toml:1: page_size: expected a whole number above 0, not True"),
    ("title = 3\n", "sitegen.toml:1: title: expected text in quotes, not 3"),
    ('origin = "javascript:alert(1)"\n', "sitegen.toml:1: origin: expected an http(s) address"),
    ('base_url = "example.org"\n', "sitegen.toml:1: base_url: expected an http(s) address"),
    ('content = ""\n', "sitegen.toml:1: content: expected a folder path in quotes"),
    ('\n\ntheme_dir = "x"\n', "sitegen.toml:3: theme_dir: unknown setting (known: title,"),
    ("site = 3\n", "sitegen.toml:1: site: expected a [site] table"),
    ("title = \n", "sitegen.toml: not valid TOML"),
])
def test_every_setting_is_checked_with_file_line_key_and_what_was_expected(tmp_path, text, message):
    write_settings(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert message in str(caught.value)
    assert str(tmp_path) in str(caught.value) and "\n" not in str(caught.value)


def test_the_cache_sits_beside_the_content_folder_unless_configured(tmp_path):
    assert load_config(tmp_path).cache == ".sitegen-cache"
    assert load_config(tmp_path, content="/data/miit/content").cache == "/data/miit/.sitegen-cache"
    write_settings(tmp_path, 'content = "archive/content"\n')
    assert load_config(tmp_path).cache == "archive/.sitegen-cache"
    write_settings(tmp_path, 'cache = "/var/cache/sitegen"\n')
    assert load_config(tmp_path).cache == "/var/cache/sitegen"


def test_a_build_run_from_elsewhere_keeps_its_cache_beside_the_archive(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "content", archive / "content")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load_config(elsewhere, content=str(archive / "content"), out=str(archive / "public"),
                         theme=str(REPO / "themes" / "default"))
    build_site(config, elsewhere, search=False)
    assert (archive / ".sitegen-cache").is_dir() and list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(("out", "guarded"), [
    (".", "the project folder"),
    ("..", "the project folder"),
    ("content", "the content folder"),
    ("content/..", "the project folder"),
    (".sitegen-cache", "the cache folder"),
    ("themes", "the theme folder"),
])
def test_an_output_folder_holding_the_project_or_its_inputs_is_refused(tmp_path, out, guarded):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    config = load_config(project, out=out, theme="themes/default")
    with pytest.raises(ConfigError, match=f"would replace {guarded}"):
        build_site(config, project, search=False)
    assert len(list((project / "content").rglob("*.md"))) == 9


def test_only_a_folder_sitegen_made_is_replaced(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    theirs = project / "site"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    config = load_config(project, out="site", theme=str(REPO / "themes" / "default"))
    with pytest.raises(ConfigError, match="was not made by sitegen"):
        build_site(config, project, search=False)
    assert (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"

    (theirs / "notes.txt").unlink()  # an empty folder may be used
    build_site(config, project, search=False)
    assert (theirs / OUTPUT_MARKER).is_file() and (theirs / "index.html").is_file()
    shutil.rmtree(project / ".sitegen-cache")  # the next build is cold and replaces the folder
    build_site(config, project, search=False)
    assert check_output_folder(config, project) == theirs.resolve()


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot write there"):
        check_output_folder(load_config(tmp_path, out="a-file/public"), tmp_path)
    with pytest.raises(ConfigError, match="is not a folder"):
        check_output_folder(load_config(tmp_path, out="a-file"), tmp_path)
