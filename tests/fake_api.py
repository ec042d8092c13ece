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
    "timeout", "500", "429", "truncated", "fail", "repeat" (the previous page's records), and
    hostile ones: "huge" (claims a 2 GB Content-Length), "endless" (a body that never ends),
    "trickle" (the page, one byte every `trickle` seconds), "redirect" (302 to `redirect_to`).
    `no_total` leaves the totals out of every page; `total` replaces them (e.g. NaN);
    `stuck` answers every page number with page 1.
    """

    def __init__(self, records: list[dict]):
        self.records = list(records)
        self.faults: dict[int, list[str]] = defaultdict(list)
        self.requests: list[dict] = []
        self.retry_after = "7"
        self.hang = 2.0
        self.trickle = 0.2
        self.redirect_to = ""
        self.no_total = False
        self.total: object = None
        self.stuck = False
        self.bytes_sent = 0
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
        if self.stuck:
            number = 1
        chosen = [r for r in self.records if _within(r, params.get("begin"), params.get("end"))]
        chosen.sort(key=lambda r: (-int(r["data"]["deploytime"]), r["pkValue"]))
        entries = chosen[(number - 1) * size : number * size]
        total = None if self.no_total else len(chosen) if self.total is None else self.total
        return _page(entries, total), entries

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
                elif fault in ("huge", "endless", "trickle", "redirect"):
                    self._hostile(fault, body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _hostile(self, fault: str, body: bytes) -> None:
                if fault == "redirect":
                    self.send_response(302)
                    self.send_header("Location", api.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                if fault == "huge":
                    self.send_header("Content-Length", str(2 * 1024**3))
                elif fault == "trickle":
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                chunk = b"[" * 65536 if fault != "trickle" else b""
                try:
                    if fault == "trickle":
                        for byte in body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            api.bytes_sent += 1
                            time.sleep(api.trickle)
                        return
                    while api.bytes_sent < 512 * 1_048_576:  # "endless", within reason for a test
                        self.wfile.write(chunk)
                        api.bytes_sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

        return Handler


def _within(record: dict, begin: str | None, end: str | None) -> bool:
    moment = dt.datetime.fromtimestamp(int(record["data"]["deploytime"]) / 1000, BEIJING).date()
    return (not begin or moment >= dt.date.fromisoformat(begin)) and (not end or moment <= dt.date.fromisoformat(end))


def _page(entries: list[dict], total: object) -> bytes:
    search: dict = {"dataResults": [{"groupData": [e], "data": None} for e in entries]}
    if total is not None:
        search.update(total=total, totalHits=total)
    page = {"roles": None, "permissions": None, "message": "查询成功", "code": "200", "success": True,
            "data": {"searchResult": search}}
    return json.dumps(page, ensure_ascii=False).encode("utf-8")


class FakePolicyLibrary:
    """A stand-in for gov.cn's policy library search (`/search-gov/data`), serving `items`
    (listVO entries) newest first, `n` to a page, in one library called 国务院文件."""

    def __init__(self, items: list[dict]):
        self.items = list(items)
        self.requests: list[dict] = []
        library = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                library.requests.append(params)
                if parts.path != "/search-gov/data":
                    self.send_error(404)
                    return
                size, number = int(params.get("n", "20")), int(params.get("p", "1"))
                chosen = sorted(library.items, key=lambda i: (-i["pubtime"], i["id"]))
                page = {"code": 200, "msg": "操作成功", "searchVO": {"catMap": {"gongwen": {
                    "catName": "国务院文件", "totalCount": len(chosen),
                    "listVO": chosen[(number - 1) * size : number * size]}}}}
                body = json.dumps(page, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
