"""Settings from `sitegen.toml` (or `[tool.sitegen]` in pyproject.toml), the same for every
command; all optional, each type-checked, command-line options override them.

Paths are relative to the project folder (the one holding sitegen.toml, where commands run);
the build cache sits beside the content folder unless `cache` says otherwise.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import UserError
from .sources.miit import DEFAULT_ORIGIN

SETTINGS_FILE = "sitegen.toml"
CACHE_NAME = ".sitegen-cache"
# Written into every output folder sitegen makes: only such a folder is ever replaced.
OUTPUT_MARKER = ".sitegen-output"

# Installed from a wheel the themes sit inside the package; in a checkout, beside it.
_PACKAGE = Path(__file__).resolve().parent
PACKAGED_THEMES = next((p for p in (_PACKAGE / "themes", _PACKAGE.parent / "themes") if p.is_dir()),
                       _PACKAGE / "themes")


class ConfigError(UserError, ValueError):
    pass


@dataclass(frozen=True)
class Config:
    title: str = "工业和信息化部政策文件库"
    description: str = "工业和信息化部公开政策文件的可检索归档"
    # Absolute URL the site is served from; only the sitemap, feed and robots.txt need it.
    # Netlify sets URL during its builds.
    base_url: str = ""
    origin: str = DEFAULT_ORIGIN
    theme: str = "themes/default"
    page_size: int = 20
    latest: int = 20
    content: str = "content"
    out: str = "public"
    cache: str = ""  # empty: beside the content folder; safe to delete (the next build is cold)
    # Hosts `bundle --with-assets` may download from besides the origin ("*.example.gov.cn"
    # allowed); never at a private, loopback or link-local address.
    asset_hosts: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.cache:
            object.__setattr__(self, "cache", str(Path(self.content).parent / CACHE_NAME))
        object.__setattr__(self, "asset_hosts", tuple(self.asset_hosts))

    def theme_dir(self, root: Path) -> Path:
        """The theme folder: relative to the project, else one shipped with sitegen by name."""
        candidate = (root / self.theme).resolve()
        if not candidate.is_dir() and Path(self.theme).parent in (Path("."), Path("themes")):
            candidate = PACKAGED_THEMES / Path(self.theme).name
        if not (candidate / "templates").is_dir():
            shipped = ", ".join(sorted(p.name for p in PACKAGED_THEMES.iterdir() if p.is_dir())) \
                if PACKAGED_THEMES.is_dir() else "none"
            raise ConfigError(f"theme: {root / self.theme}: no theme there (a theme is a folder with "
                              f"templates/ and static/; shipped with sitegen: {shipped})")
        return candidate


# What each setting must be: (check, what was expected).
def _text(value) -> bool:
    return isinstance(value, str)


def _path(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and "\0" not in value and _utf8(value)


def _utf8(text: str) -> bool:
    """False for a name the system gave in bytes that are not UTF-8 (Python keeps them as
    lone surrogates, which no file name in a page, a URL or the cache can hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _positive(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _host_names(value) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(v, str) and re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+", v) for v in value)


def _web_address(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"https?://[^\s/?#]+(/\S*)?", value) is not None


_EXPECTED = {
    "title": (_text, "text in quotes"),
    "description": (_text, "text in quotes"),
    "base_url": (lambda v: v == "" or _web_address(v), 'an http(s) address such as "https://example.org/"'),
    "origin": (_web_address, 'an http(s) address such as "https://www.miit.gov.cn"'),
    "theme": (_path, "a folder path in quotes (UTF-8 text)"),
    "page_size": (_positive, "a whole number above 0"),
    "latest": (_positive, "a whole number above 0"),
    "content": (_path, "a folder path in quotes (UTF-8 text)"),
    "out": (_path, "a folder path in quotes (UTF-8 text)"),
    "cache": (_path, "a folder path in quotes (UTF-8 text)"),
    "asset_hosts": (_host_names, 'a list of host names such as ["files.example.gov.cn", "*.example.org"]'),
}


def load_config(root: Path = Path("."), **overrides) -> Config:
    """Defaults, then sitegen.toml (or pyproject's [tool.sitegen]), then the command line
    (overrides whose value is None are not given)."""
    values = read_settings(root)
    if "base_url" not in values and os.environ.get("URL", "").startswith("http"):
        values["base_url"] = os.environ["URL"]  # Netlify's address of the site during its builds
    for key, value in overrides.items():
        if value is not None:
            _check(key, value, f"--{key.replace('_', '-')}")
            values[key] = str(value) if isinstance(value, Path) else value
    if values.get("base_url") and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    return Config(**values)


def read_settings(root: Path) -> dict:
    """The settings the project's file gives, each checked."""
    source = root / SETTINGS_FILE
    if source.is_dir():
        raise ConfigError(f"{source}: is a folder; the settings file must be a file (sitegen init "
                          "writes one)")
    if source.is_file():
        document = _read_toml(source)
        values = {k: v for k, v in document.items() if k != "site"}
        site = document.get("site", {})
        if not isinstance(site, dict):
            raise ConfigError(f"{source}:{_line_of(source, 'site')}: site: expected a [site] table")
        values.update(site)
    elif (root / "pyproject.toml").is_file():
        source = root / "pyproject.toml"
        values = dict(_read_toml(source).get("tool", {}).get("sitegen", {}))
    else:
        return {}
    for key, value in values.items():
        where = f"{source}:{_line_of(source, key)}: {key}"
        if key not in _EXPECTED:
            known = ", ".join(f.name for f in fields(Config))
            raise ConfigError(f"{where}: unknown setting (known: {known})")
        _check(key, value, where)
    return values


def _check(key: str, value, where: str) -> None:
    check, expected = _EXPECTED[key]
    if where.startswith("--"):  # a command-line option: no quotes there
        expected = expected.replace(" in quotes", "")
    if not check(value):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise ConfigError(f"{where}: expected {expected}, not {shown}")


def _line_of(path: Path, key: str) -> int:
    """The line a key is set on (tomllib gives no positions); 1 if it cannot be found."""
    pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*[=\]]")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if pattern.match(line):
            return number
    return 1


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None


# -- the output folder ------------------------------------------------------------


def check_output_folder(config: Config, root: Path) -> Path:
    """The output folder, resolved, if a build may replace it; else a ConfigError.

    A build replaces the whole output folder, so it must be a folder of its own: never the
    project, the content, the theme or the cache (nor a folder holding any of them), and,
    if it exists, one that sitegen made (it has the marker file) or an empty one.
    """
    out = (root / config.out).resolve()
    for name, folder in (("out", out), ("cache", (root / config.cache).resolve())):
        if not _utf8(str(folder)):  # the cache records folders by name, in UTF-8
            raise ConfigError(f"{name}: {str(folder)!r}: sitegen needs folder names in UTF-8 "
                              "(rename the folder, or choose another)")
    guarded = {
        "the project folder": root.resolve(),
        "the content folder": (root / config.content).resolve(),
        "the cache folder": (root / config.cache).resolve(),
        "the theme folder": (root / config.theme).resolve(),
    }
    for name, folder in guarded.items():
        if folder == out or folder.is_relative_to(out):
            raise ConfigError(f"out: {out} would replace {name} ({folder}); "
                              "choose a folder of its own, such as public")
    if out.exists() or out.is_symlink():
        if out.is_symlink() or not out.is_dir():
            raise ConfigError(f"out: {out} is not a folder; choose a folder of its own, such as public")
        if not (out / OUTPUT_MARKER).is_file() and any(out.iterdir()):
            raise ConfigError(f"out: {out} was not made by sitegen (it has no {OUTPUT_MARKER} file); "
                              "move it away or choose another folder")
    parent = next((p for p in out.parents if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ConfigError(f"out: {out}: cannot write there ({parent} is not a writable folder)")
    try:  # the folders leading to it are made, as for any output; then try writing there
        out.parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}-", suffix=".probe", dir=out.parent))
    except OSError as error:
        raise ConfigError(f"out: {out}: cannot write there ({error.strerror or error})") from None
    return out


def mark_output_folder(folder: Path) -> None:
    """Mark a folder as made by sitegen, so the next build may replace it."""
    marker = folder / OUTPUT_MARKER
    if not marker.is_file():
        marker.write_text("Made by sitegen build: the next build replaces this folder.\n",
                          encoding="utf-8")


def require_content(config: Config, root: Path, empty_ok: bool = False) -> Path:
    """The content folder, if it holds notices (or may be empty); otherwise a one-line error
    saying what to do."""
    folder = root / config.content
    if not folder.is_dir():
        project = _project_above(root)
        hint = f"run sitegen in {project}, where its {SETTINGS_FILE} is" if project else \
            "import notices with `sitegen import PAGES`, or point --content at an archive"
        raise ConfigError(f"{folder}: content folder not found ({hint})")
    if not empty_ok and not any(folder.rglob("*.md")):
        raise ConfigError(f"{folder}: no notice files (*.md) in the content folder yet "
                          "(import notices with `sitegen import PAGES`)")
    return folder


def _project_above(root: Path) -> Path | None:
    """The nearest folder above root holding a sitegen.toml, if root has none: the archive
    someone ran sitegen inside of (in its content/2020, say)."""
    if (root / SETTINGS_FILE).exists():
        return None
    here = root.resolve()
    return next((folder for folder in here.parents if (folder / SETTINGS_FILE).is_file()), None)
