"""Site settings from `sitegen.toml` or `[tool.sitegen]` in pyproject.toml; all optional."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .sources.miit import DEFAULT_ORIGIN

PACKAGED_THEMES = Path(__file__).resolve().parent.parent / "themes"


class ConfigError(ValueError):
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
    cache: str = ".sitegen-cache"  # safe to delete: the next build is then a cold one
    # Hosts `bundle --with-assets` may download from besides the origin ("*.example.gov.cn"
    # allowed); never at a private, loopback or link-local address.
    asset_hosts: tuple[str, ...] = ()

    def theme_dir(self, root: Path) -> Path:
        """The theme folder: relative to the project, else the one shipped with sitegen."""
        candidate = (root / self.theme).resolve()
        if candidate.is_dir():
            return candidate
        shipped = PACKAGED_THEMES / Path(self.theme).name
        if shipped.is_dir():
            return shipped
        raise ConfigError(f"theme folder not found: {candidate}")


def load_config(root: Path = Path("."), **overrides) -> Config:
    """Defaults, then sitegen.toml (or pyproject's [tool.sitegen]), then the command line."""
    values: dict = {}
    settings_file = root / "sitegen.toml"
    if settings_file.is_file():
        values = _read_toml(settings_file)
        values = values.get("site", values)
    elif (root / "pyproject.toml").is_file():
        values = _read_toml(root / "pyproject.toml").get("tool", {}).get("sitegen", {})
    known = {f.name: f.type for f in fields(Config)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{settings_file.name}: unknown setting {key!r}")
    config = Config(**values)
    if not config.base_url and os.environ.get("URL", "").startswith("http"):
        config = replace(config, base_url=os.environ["URL"])
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    if config.base_url and not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    if not isinstance(config.page_size, int) or config.page_size < 1:
        raise ConfigError(f"page_size must be a positive whole number, not {config.page_size!r}")
    return config


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
