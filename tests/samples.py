"""Sample data for tests: the real API page, and records shaped like the API's."""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_PAGE = FIXTURES / "miit-search-page1.json"
REPO = Path(__file__).parent.parent


def make_record(record_id: str, title: str, body: str, **fields) -> dict:
    """One search-API group entry, shaped like the real API's."""
    content = [{"fieldTitle": "正文", "fieldName": "content", "fieldType": 7, "fieldValue": body}]
    data = {
        "title": title,
        "url": f"/zwgk/zcwj/art/2021/art_{record_id}.html",
        "cdate": "1608048000000",
        "infoextends": json.dumps({"infoContent": json.dumps(content, ensure_ascii=False)},
                                  ensure_ascii=False),
    }
    data.update(fields)
    return {"pkValue": record_id, "data": data, "groupData": []}


def make_page(*entries: dict) -> dict:
    results = [{"groupData": [entry], "data": None} for entry in entries]
    return {"success": True, "code": "200", "message": "查询成功",
            "data": {"searchResult": {"dataResults": results, "total": len(results)}}}


def write_page(path: Path, page: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return path
