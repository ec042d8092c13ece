"""A stand-in for the ministry's search API on 127.0.0.1, with faults on demand."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sitegen.dates import BEIJING


class FakeSearchAPI:
    """Serves `records` (search-API group entries) newest first, paged like the real API.

    faults[page] is a list of what the next requests for that page get instead of the page:
    "timeout", "500", "429", "truncated", "fail", "repeat" (the previous page's records).
    """

    def __init__(self, records: list[dict]):
        self.records = list(records)
        self.faults: dict[int, list[str]] = defaultdict(list)
        self.requests: list[dict] = []
        self.retry_after = "7"
        self.hang = 2.0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def page_body(self, params: dict) -> tuple[bytes, list[dict]]:
        size, number = int(params.get("pg", "20")), int(params.get("p", "1"))
        chosen = [r for r in self.records if _within(r, params.get("begin"), params.get("end"))]
        chosen.sort(key=lambda r: (-int(r["data"]["deploytime"]), r["pkValue"]))
        entries = chosen[(number - 1) * size : number * size]
        return _page(entries, len(chosen)), entries

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                api.requests.append(params)
                number = int(params.get("p", "1"))
                fault = api.faults[number].pop(0) if api.faults[number] else ""
                body, _ = api.page_body(params)
                if fault == "timeout":
                    time.sleep(api.hang)
                elif fault in ("500", "429"):
                    self.send_response(int(fault))
                    if fault == "429":
                        self.send_header("Retry-After", api.retry_after)
                    self.end_headers()
                    return
                elif fault == "truncated":
                    body = body[: len(body) // 2]
                elif fault == "fail":
                    body = json.dumps({"success": False, "code": "500", "message": "系统繁忙"}).encode()
                elif fault == "repeat":
                    body, _ = api.page_body({**params, "p": str(max(1, number - 1))})
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def _within(record: dict, begin: str | None, end: str | None) -> bool:
    moment = dt.datetime.fromtimestamp(int(record["data"]["deploytime"]) / 1000, BEIJING).date()
    return (not begin or moment >= dt.date.fromisoformat(begin)) and (not end or moment <= dt.date.fromisoformat(end))


def _page(entries: list[dict], total: int) -> bytes:
    page = {"roles": None, "permissions": None, "message": "查询成功", "code": "200", "success": True,
            "data": {"searchResult": {"dataResults": [{"groupData": [e], "data": None} for e in entries],
                                      "total": total, "totalHits": total}}}
    return json.dumps(page, ensure_ascii=False).encode("utf-8")
