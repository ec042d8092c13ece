"""Index a built site with Pagefind's extended binary (it segments Chinese with jieba)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(RuntimeError):
    pass


def index_site(site_dir: Path) -> None:
    """Run the Pagefind CLI over the site; it writes site_dir/pagefind/.

    The CLI indexes a whole folder in one process, unlike the Python API's
    per-page calls, which sleep 0.1 s each.
    """
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(f"pagefind failed: {message[-1] if message else result.returncode}")
    if not (site_dir / "pagefind" / "pagefind.js").is_file():
        raise SearchIndexError("pagefind wrote no index (is pagefind-bin-extended installed?)")
