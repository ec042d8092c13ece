"""A jointly issued notice counts under each organ it names: in `sitegen stats` and in the
search page's issuer filter (the browse pages: tests/test_structure.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.content import notice_text
from sitegen.notice import Notice
from sitegen.site.build import build_site
from sitegen.stats import archive_stats

from .browser import chromium, require_chromium, serving
from .samples import REPO

ISSUERS = {
    "alone": "工业和信息化部",
    "two": "工业和信息化部 国家发展改革委",
    "three": "工业和信息化部、国家发展改革委、财政部",
    "one-name": "国家 发展改革委",  # a space inside one organ's name: not two organs
}


def _archive(root: Path) -> Path:
    folder = root / "content" / "2021"
    folder.mkdir(parents=True)
    for day, (notice_id, issuer) in enumerate(ISSUERS.items(), 1):
        notice = Notice(id=notice_id, title=f"关于频谱管理的通知{day}", issuer=issuer,
                        theme="综合政务\\政务公开", body="频谱管理正文。\n", date=dt.date(2021, 3, day))
        (folder / f"{notice_id}.md").write_text(notice_text(notice), encoding="utf-8")
    return root


def test_stats_count_a_joint_notice_under_each_issuer_and_a_theme_under_its_parent(tmp_path):
    counts = archive_stats(_archive(tmp_path) / "content").counts
    assert counts["发文机关 issuer"] == {"工业和信息化部": 3, "国家发展改革委": 2, "财政部": 1,
                                     "国家 发展改革委": 1}
    assert counts["主题分类 theme"] == {"综合政务": 4, "综合政务\\政务公开": 4}


def test_the_search_catalog_lists_a_joint_notice_under_each_issuer(tmp_path):
    project = _archive(tmp_path)
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project)
    text = (project / "public" / "pagefind" / "catalog.js").read_text(encoding="utf-8")
    catalog = json.loads(text.split("]=", 1)[1].rstrip(";\n"))
    facet = next(f for f in catalog["facets"] if f["key"] == "issuer")
    assert sorted(facet["values"]) == sorted(["工业和信息化部", "国家发展改革委", "财政部", "国家 发展改革委"])


@pytest.mark.browser
def test_the_issuer_filter_finds_a_joint_notice_under_each_organ(tmp_path):
    require_chromium()
    project = _archive(tmp_path)
    build_site(load_config(project, theme=str(REPO / "themes" / "default")), project)
    with serving(project / "public") as url, chromium(tmp_path) as browser:
        page = browser.new_page()
        page.goto(f"{url}search.html")
        page.wait_for_function("() => window.sitegen && window.sitegen.find")

        def found(issuer: str) -> list[str]:
            results = page.evaluate("([q, o]) => window.sitegen.find(q, o)",
                                    ["频谱", {"filters": {"issuer": [issuer]}}])
            return sorted(r["url"].rsplit("/", 1)[1] for r in results)

        assert found("工业和信息化部") == ["alone.html", "three.html", "two.html"]
        assert found("国家发展改革委") == ["three.html", "two.html"]
        assert found("财政部") == ["three.html"]
        assert found("国家 发展改革委") == ["one-name.html"]
