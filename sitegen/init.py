"""`sitegen init DIR`: a new archive, ready for import, build, review in git and Netlify."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from . import __version__
from .config import PACKAGED_THEMES
from .errors import UserError

SETTINGS = """\
# sitegen settings, read by every sitegen command run in this folder.
# Command-line options (sitegen build --out ..., --content ..., --theme ...) override them.
[site]
# The site's name, on every page, in the feed and in the offline bundle.
title = "政策文件库"
# One sentence about the archive, for search engines and the feed.
description = "政府公开政策文件的可检索归档"
# The address the site is published at, for sitemap.xml, feed.xml and robots.txt.
# Leave it empty on Netlify, which tells the build its address.
base_url = ""
# The ministry's site the notices come from: `sitegen fetch` asks its search API, and
# `sitegen import` makes the notices' relative links and images absolute on it.
origin = "https://www.miit.gov.cn"

# Also settable (defaults shown):
# content = "content"          # the notices, one Markdown file each
# out = "public"               # the built site (replaced whole by each build)
# theme = "themes/default"     # your copy (sitegen init --theme-copy), else the one shipped
# page_size = 20               # notices per list page
# latest = 20                  # notices on the home page and in the feed
# cache = ".sitegen-cache"     # beside the content folder; safe to delete
"""

REQUIREMENTS = f"""\
# What Netlify (and the workflows in .github/) install to build the site.
# Point this at where you get sitegen from: a release, a wheel file, or a git URL.
sitegen=={__version__}
"""

# What `init` writes as netlify.toml; sitegen's own netlify.toml is made from it (a test checks).
NETLIFY_TEMPLATE = Path(__file__).with_name("netlify.toml")
# The build command of sitegen's own checkout, which Netlify must install first.
CHECKOUT_BUILD = "pip install -e . && sitegen build"


def netlify_config(command: str | None = None) -> str:
    """netlify.toml for a new archive; with command, for a site built by that command instead."""
    text = NETLIFY_TEMPLATE.read_text(encoding="utf-8")
    if command is None:
        return text
    made = ("# Made from sitegen/netlify.toml, which `sitegen init` writes into new archives: change\n"
            "# that, then: python -c 'import sitegen.init as i; print(i.netlify_config(i.CHECKOUT_BUILD),"
            " end=\"\")' > netlify.toml\n")
    return made + re.sub(r"(?m)^  command = .*$", lambda _: f"  command = {json.dumps(command)}", text, count=1)


# How both workflows' jobs begin: the archive, Python, and sitegen from requirements.txt.
JOB_SETUP = """\
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt
"""

CHECK_WORKFLOW = """\
# Every pull request that changes the archive: validate each notice file, then build.
name: check
on:
  pull_request:
    paths: ["content/**", "sitegen.toml", "themes/**"]
jobs:
  check:
""" + JOB_SETUP + """\
      - run: sitegen check
      - run: sitegen build --no-search
"""

BUILD_WORKFLOW = """\
# Every push to main: build the site and the offline bundle, kept as the run's artifacts.
name: build
on:
  push:
    branches: [main]
jobs:
  build:
""" + JOB_SETUP + """\
      - run: sitegen build
      - run: sitegen bundle
      - uses: actions/upload-artifact@v4
        with:
          name: site
          path: |
            public/
            archive.zip
"""

GITIGNORE = """\
/public/
/.sitegen-cache/
/archive.zip
.public-*
"""


def init_project(folder: Path, theme_copy: bool = False) -> list[Path]:
    """Write a new archive's files into folder (made if missing); never overwrites a file.
    The files written, in order."""
    files = {
        "sitegen.toml": SETTINGS,
        "requirements.txt": REQUIREMENTS,
        "netlify.toml": netlify_config(),
        ".github/workflows/check.yml": CHECK_WORKFLOW,
        ".github/workflows/build.yml": BUILD_WORKFLOW,
        ".gitignore": GITIGNORE,
        "content/.gitkeep": "",
    }
    theme = PACKAGED_THEMES / "default"
    copies = {}
    if theme_copy:
        copies = {f"themes/default/{p.relative_to(theme).as_posix()}": p
                  for p in sorted(theme.rglob("*")) if p.is_file()}
    try:
        str(folder.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(f"{str(folder)!r}: sitegen needs folder names in UTF-8; choose another name") from None
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: exists and is not a folder")
    taken = [name for name in [*files, *copies] if (folder / name).exists()]
    if taken:
        raise UserError(f"{folder / taken[0]}: exists already; sitegen init never overwrites a file "
                        "(move it away, or init another folder)")
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for name, source in copies.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        written.append(path)
    return written
