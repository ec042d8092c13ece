"""A local preview server: loopback only, never exposed to the network."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 - http.server's own class attribute, extended
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
        ".css": "text/css", ".xml": "application/xml",
    }

    def __init__(self, *args, extra_headers: dict[str, str] | None = None, **kwargs):
        self.extra_headers = extra_headers or {}
        super().__init__(*args, **kwargs)

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass


def make_server(folder: Path, port: int = 8000, headers: dict[str, str] | None = None) -> ThreadingHTTPServer:
    """A server for folder on 127.0.0.1 (port 0 picks a free one), sending extra headers."""
    handler = functools.partial(_Handler, directory=str(folder), extra_headers=headers)
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(folder: Path, port: int = 8000) -> None:
    server = make_server(folder, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
