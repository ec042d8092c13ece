"""The pages with a body are kept as written (the plans a body edit rewrites them from), a
worker's batch in one pickle: each page is found by its path, and a batch whose pages were all
written again since is not kept."""

from __future__ import annotations

import shutil
import sqlite3

from sitegen.config import load_config
from sitegen.site.build import build_site
from sitegen.site.cache import BuildCache

from .samples import REPO
from .test_build import _two_year_archive


def _batches(project) -> tuple[int, int]:
    """(batches kept, batches no plan is in)."""
    with sqlite3.connect(project / ".sitegen-cache" / "build.sqlite") as db:
        kept = db.execute("SELECT COUNT(*) FROM plan_batches").fetchone()[0]
        unused = db.execute("SELECT COUNT(*) FROM plan_batches WHERE id NOT IN (SELECT batch FROM plans)").fetchone()[0]
    return kept, unused


def test_every_page_with_a_body_is_found_as_written_and_no_batch_outlives_its_pages(tmp_path):
    project = _two_year_archive(tmp_path / "p")
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "themes" / "default", theme)
    config = load_config(project, theme=str(theme))
    build_site(config, project, search=False)
    out = project / "public"
    shown = sorted(str(p.relative_to(out)) for p in (out / "notices").iterdir())
    with BuildCache(project / ".sitegen-cache") as cache:
        planned = cache.planned(out, [*shown, "index.html", "notices/no-such-page.html"])
    assert sorted(planned) == shown  # notice pages and JSON files: those that show a body
    assert all(page.path == path and page.body is not None for path, page in planned.items())
    assert {page.template for page in planned.values()} == {"notice.html", None}
    first = _batches(project)
    assert first[0] >= 1 and first[1] == 0

    # A theme edit writes every page again, in place: the batches they were in go.
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- 1 --></footer>"), encoding="utf-8")
    build_site(load_config(project, theme=str(theme)), project, search=False)
    assert _batches(project) == first
    with BuildCache(project / ".sitegen-cache") as cache:
        assert sorted(cache.planned(out, shown)) == shown
