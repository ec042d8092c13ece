"""sitegen as a tool: `sitegen init`, and the wheel installed into a fresh venv building a site
in an empty folder outside the repository."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.cli import main
from sitegen.init import CHECKOUT_BUILD, netlify_config

from .samples import REPO, SAMPLE_PAGE


def test_init_makes_an_archive_that_every_command_can_use(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    for name in ("sitegen.toml", "netlify.toml", "requirements.txt", ".gitignore",
                 ".github/workflows/check.yml", ".github/workflows/build.yml"):
        assert (demo / name).is_file(), name
    assert (demo / "content").is_dir() and not (demo / "themes").exists()
    settings = (demo / "sitegen.toml").read_text(encoding="utf-8")
    for key in ("title", "description", "base_url", "origin"):  # each set, and explained above
        assert re.search(rf"^# .+\n{key} = ", settings, re.MULTILINE), key
    monkeypatch.chdir(demo)
    assert CliRunner().invoke(main, ["import", str(SAMPLE_PAGE)]).exit_code == 0
    result = CliRunner().invoke(main, ["build", "--no-search"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "政策文件库" in (demo / "public" / "index.html").read_text(encoding="utf-8")
    workflow = (demo / ".github/workflows/check.yml").read_text(encoding="utf-8")
    assert "pull_request" in workflow and "sitegen check" in workflow


def test_init_never_overwrites_a_file(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "netlify.toml").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "demo")])
    assert result.exit_code == 1 and "netlify.toml: exists already" in result.output
    assert (tmp_path / "demo" / "netlify.toml").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "demo" / "sitegen.toml").exists()


def test_init_theme_copy_gives_a_theme_the_build_uses(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "demo", "--theme-copy"]).exit_code == 0
    theme = tmp_path / "demo" / "themes" / "default"
    shipped = REPO / "themes" / "default"
    assert sorted(p.relative_to(theme) for p in theme.rglob("*") if p.is_file()) == \
        sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file())
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>本地主题</p></body>"),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path / "demo")
    assert CliRunner().invoke(main, ["import", str(SAMPLE_PAGE)]).exit_code == 0
    assert CliRunner().invoke(main, ["build", "--no-search"]).exit_code == 0
    assert "本地主题" in (tmp_path / "demo" / "public" / "index.html").read_text(encoding="utf-8")


def test_sitegens_own_netlify_toml_is_the_one_new_archives_get_but_for_its_build_command():
    ours = (REPO / "netlify.toml").read_text(encoding="utf-8")
    assert ours == netlify_config(CHECKOUT_BUILD), "netlify.toml: remake it as its first lines say"
    archive, checkout = tomllib.loads(netlify_config()), tomllib.loads(ours)
    assert archive["headers"] == checkout["headers"] and len(archive["headers"]) >= 5
    assert (archive["build"]["command"], checkout["build"]["command"]) == ("sitegen build", CHECKOUT_BUILD)


def _run(command: list, **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300, **options)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_wheel_carries_the_theme_and_builds_a_site_outside_the_repository(tmp_path):
    # Build the wheel from a copy of the sources, so the checkout gets no build/ folder.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("sitegen", "themes"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "-w", str(tmp_path / "wheels"), str(source)])
    wheel = next((tmp_path / "wheels").glob("sitegen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (REPO / "themes" / "default").rglob("*"):
        if shipped.is_file():
            assert f"sitegen/themes/default/{shipped.relative_to(REPO / 'themes' / 'default').as_posix()}" \
                in names

    # A fresh venv gets the wheel; its dependencies come from this environment's site-packages
    # (a path, so this environment's editable sitegen is not seen there).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    packages = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
                         ).stdout.strip())
    (packages / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          "--no-index", str(wheel)])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run([str(python), "-c", "import sitegen; print(sitegen.__file__)"], env=env, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    work = tmp_path / "elsewhere"
    work.mkdir()
    sitegen = str(venv / "bin" / "sitegen")
    _run([sitegen, "init", "demo"], cwd=work, env=env)
    demo = work / "demo"
    _run([sitegen, "import", str(SAMPLE_PAGE)], cwd=demo, env=env)
    built = _run([sitegen, "build"], cwd=demo, env=env)
    assert re.search(r"for 9 notices \(with search index", built.stdout)
    assert (demo / "public" / "pagefind" / "catalog.js").is_file()
    assert (demo / "public" / "pagefind" / "sitegen-search.js").is_file()  # the engine, from the wheel
    assert len(list((demo / "public" / "notices").glob("*.html"))) == 9

    server = subprocess.Popen([sitegen, "serve", "--port", "0"], cwd=demo,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        said = ""
        for line in server.stdout:  # the summary of its build, then where it serves
            said += line
            url = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if url:
                break
        assert url, said
        with urllib.request.urlopen(url.group(0), timeout=10) as response:
            assert "Content-Security-Policy" in response.headers
            assert "政策文件库" in response.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


@pytest.mark.parametrize("engine", ["pyromark", "markdown-it-pyrs"])
def test_the_render_engines_are_pinned_to_the_versions_tested(engine):
    from importlib.metadata import version

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in project["project"]["dependencies"] if d.startswith(engine + "==")]
    assert pins == [f"{engine}=={version(engine)}"]
