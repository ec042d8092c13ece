"""`sitegen serve`: a live preview on 127.0.0.1 that behaves as the deployed site does.

The site is served with the headers netlify.toml declares and the site's 404 page. While
`content/`, the theme, sitegen.toml or netlify.toml change, the site is rebuilt (incrementally,
after the edits settle) and open pages reload themselves: the server adds one external script
to each HTML page it sends, which listens for Server-Sent Events. The built files never hold it.
A rebuild that fails keeps the last good site and shows why, in the terminal and on the page.

The pages come first, and open pages reload at once; the search index (the slow part) then
catches up in a child process of its own, which a newer change stops: no rebuild ever waits
for it. Stopping it is safe because a build killed at any moment leaves nothing a later build
trusts wrongly (docs/internals.md); the next rebuild starts it again.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
import traceback
import urllib.parse
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .config import SETTINGS_FILE, Config
from .errors import UserError, count, explain
from .parallel import exit_with_parent
from .site.build import BuildError, BuildReport, build_site
from .site.theme import template_environment, theme_version

LIVE_PREFIX = "/_sitegen/"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".ico": "image/x-icon", ".wasm": "application/wasm", ".pdf": "application/pdf",
    ".zip": "application/zip",
}

# Reloads the page when a rebuild succeeds; shows the error over the page when one fails.
# An external script (the site's CSP allows scripts from the site itself, no inline ones);
# styles are set through the DOM, which the CSP allows.
LIVE_SCRIPT = """\
(() => {
  const loaded = document.currentScript.dataset.version;
  const show = (message) => {
    let box = document.getElementById("sitegen-build-error");
    if (!message) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "sitegen-build-error";
      Object.assign(box.style, {position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "99999",
        margin: "0", padding: "1em", maxHeight: "50vh", overflow: "auto", whiteSpace: "pre-wrap",
        background: "#fff3f3", color: "#8b0000", borderTop: "3px solid #c00", font: "14px/1.5 monospace"});
      document.body.appendChild(box);
    }
    box.textContent = "sitegen serve: the last rebuild failed; this is the last good site.\\n\\n" + message;
  };
  const events = new EventSource("/_sitegen/events");
  events.onopen = () => { document.documentElement.dataset.sitegenLive = "listening"; };
  events.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (String(state.version) !== loaded && !state.error) location.reload();
    else show(state.error);
  };
})();
"""


class LiveState:
    """What the builder tells open pages: the version of the site, and the last error."""

    def __init__(self) -> None:
        self.version = 0
        self.error = ""
        self.changed = threading.Condition()

    def publish(self, error: str = "") -> None:
        with self.changed:
            if not error:
                self.version += 1
            self.error = error
            self.changed.notify_all()

    def message(self) -> bytes:
        return f"data: {json.dumps({'version': self.version, 'error': self.error})}\n\n".encode()


# -- headers -------------------------------------------------------------------------


def netlify_header_rules(path: Path) -> list[tuple[re.Pattern, dict[str, str]]]:
    """The [[headers]] rules of a netlify.toml, as (path pattern, headers); none if absent."""
    if not path.is_file():
        return []
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise UserError(f"{path}: not valid TOML: {error}") from None
    rules = []
    for rule in document.get("headers", []):
        if not isinstance(rule, dict) or not isinstance(rule.get("for"), str):
            continue
        values = {str(k): str(v) for k, v in (rule.get("values") or {}).items()}
        rules.append((_path_pattern(rule["for"]), values))
    return rules


def _path_pattern(netlify_path: str) -> re.Pattern:
    """Netlify's path syntax: `*` matches the rest (slashes too), `:name` one segment."""
    pattern = ""
    for piece in re.split(r"(\*|:[A-Za-z_]\w*)", netlify_path):
        if piece == "*":
            pattern += ".*"
        elif piece.startswith(":") and len(piece) > 1:
            pattern += "[^/]+"
        else:
            pattern += re.escape(piece)
    return re.compile(pattern + "/?")


def headers_for(rules: list[tuple[re.Pattern, dict[str, str]]], path: str) -> dict[str, str]:
    """Every matching rule's headers, later rules overriding earlier ones (as Netlify does)."""
    found: dict[str, str] = {}
    for pattern, values in rules:
        if pattern.fullmatch(path):
            found.update(values)
    return found


# -- the server ----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server_version = "sitegen-serve"
    folder: Path
    extra_headers: dict[str, str]
    rules: list[tuple[re.Pattern, dict[str, str]]]
    live: LiveState | None

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = _request_path(self.path)
        if path is None:
            self._send(400, b"Bad request\n", "text/plain; charset=utf-8", "/", with_body)
            return
        if self.live and path == LIVE_PREFIX + "live.js":
            self._send(200, LIVE_SCRIPT.encode(), CONTENT_TYPES[".js"], path, with_body)
            return
        if self.live and path == LIVE_PREFIX + "events":
            self._stream_events()
            return
        file = _site_file(self.folder, path)
        if file is None and (self.folder / path.lstrip("/")).is_dir() and not path.endswith("/"):
            self.send_response(301)
            self.send_header("Location", urllib.parse.quote(path) + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 200
        if file is None:
            status, file = 404, _site_file(self.folder, "/404.html")
        if file is None:
            self._send(404, b"Not found\n", "text/plain; charset=utf-8", path, with_body)
            return
        kind = CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")
        try:
            span = _byte_range(self.headers.get("Range"), file.stat().st_size) if status == 200 else None
            if span is not None:  # search reads a bucket of a big pack (search/words.py)
                self._send_range(file, span, kind, path, with_body)
                return
            data = file.read_bytes()
        except OSError:  # replaced by a rebuild between the look and the read
            self._send(404, b"Not found\n", "text/plain; charset=utf-8", path, with_body)
            return
        if self.live and file.suffix == ".html":
            data = _with_live_script(data, self.live.version)
        self._send(status, data, kind, path, with_body)

    def _send_range(self, file: Path, span: tuple[int, int, int], kind: str, path: str, with_body: bool) -> None:
        start, end, size = span
        if start >= end:
            self._send(416, b"", kind, path, with_body, {"Content-Range": f"bytes */{size}"})
            return
        with file.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        self._send(206, data, kind, path, with_body, {"Content-Range": f"bytes {start}-{start + len(data) - 1}/{size}"})

    def _send(self, status: int, data: bytes, kind: str, path: str, with_body: bool,
              more: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Cache-Control": "no-cache", **self.extra_headers, **headers_for(self.rules, path)}
        headers["Content-Type"] = kind
        headers["Content-Length"] = str(len(data))
        headers["Accept-Ranges"] = "bytes"
        headers.update(more or {})
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _stream_events(self) -> None:
        live = self.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        seen = None
        try:
            while True:
                with live.changed:  # never held while writing: a stuck page holds up no rebuild
                    live.changed.wait_for(lambda seen=seen: (live.version, live.error) != seen, timeout=15)
                    state, message = (live.version, live.error), live.message()
                if state == seen:
                    self.wfile.write(b": still here\n\n")  # finds pages that were closed
                else:
                    seen = state
                    self.wfile.write(message)
                self.wfile.flush()
        except OSError:
            return

    def log_message(self, format, *args):
        pass


def _request_path(target: str) -> str | None:
    """The decoded path of a request, or None if it cannot name a file (NUL, bad encoding)."""
    try:
        path = urllib.parse.unquote(urllib.parse.urlsplit(target).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if not path.startswith("/") or "\0" in path or "\\" in path:
        return None
    if any(part in (".", "..") for part in path.split("/")):
        return None
    return path


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _byte_range(header: str | None, size: int) -> tuple[int, int, int] | None:
    """The bytes [start, end) of a file of `size` that a Range header asks for, with the size
    (start >= end: none of them, 416); None to send the whole file (no header, or one this
    server does not serve: several ranges, other units, nonsense)."""
    match = _RANGE.fullmatch((header or "").strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last N bytes
        return max(0, size - int(last)), size, size
    start, end = int(first), size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    return start, max(start, end) if start < size else start, size


def _site_file(folder: Path, path: str) -> Path | None:
    """The file a path names inside the site (index.html for a folder ending in /), if any."""
    target = folder.joinpath(*[p for p in path.split("/") if p])
    if path.endswith("/"):
        target = target / "index.html"
    try:
        if target.is_file() and target.resolve().is_relative_to(folder.resolve()):
            return target
    except (OSError, ValueError):
        pass
    return None


def _with_live_script(page: bytes, version: int) -> bytes:
    tag = f'<script src="{LIVE_PREFIX}live.js" data-version="{version}" defer></script>'.encode()
    at = page.rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # open event streams never hold up Ctrl-C

    def handle_error(self, request, client_address):
        pass  # a visitor who went away mid-answer is not worth a traceback


def make_server(folder: Path, port: int = 8000, headers: dict[str, str] | None = None,
                rules: list | None = None, live: LiveState | None = None) -> ThreadingHTTPServer:
    """A server for folder on 127.0.0.1 (port 0 picks a free one): headers for every answer,
    rules as netlify_header_rules gives them, and live reload if live is given."""
    handler = type("Handler", (_Handler,), {
        "folder": Path(folder), "live": live, "extra_headers": dict(headers or {}),
        "rules": rules if rules is not None else [],  # the caller's list: updated in place
    })
    try:
        return _Server(("127.0.0.1", port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} is in use; try --port {port + 1}") from None
        raise


# -- watching ------------------------------------------------------------------------


def snapshot(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under the paths (files or folders)."""
    found: dict[str, tuple[int, int]] = {}
    for path in paths:
        if path.is_file():
            stat = path.stat()
            found[str(path)] = (stat.st_mtime_ns, stat.st_size)
            continue
        for directory, folders, names in os.walk(path):
            folders[:] = [f for f in folders if not f.startswith(".")]
            for name in names:
                full = os.path.join(directory, name)
                try:
                    stat = os.stat(full)
                except OSError:
                    continue
                found[full] = (stat.st_mtime_ns, stat.st_size)
    return found


def watch(paths: Callable[[], list[Path]], on_change: Callable[[], None], stop: threading.Event,
          interval: float = 0.1, settle: float = 0.1,
          seen: dict[str, tuple[int, int]] | None = None) -> None:
    """Call on_change after the files under paths() change and then stay unchanged for settle
    seconds (an editor's save, or a burst of them, gives one rebuild). `seen` is the state the
    site was built from, when known: an edit made before this thread gets going still counts.

    Looking over a large archive takes a while: it is looked over less often then, so that
    watching takes at most about a fifth of a core (CPU time, so a busy machine does not
    slow it down further)."""
    if seen is None:
        seen = snapshot(paths())
    wait = interval
    while not stop.wait(wait):
        started = time.thread_time()
        current = snapshot(paths())
        wait = max(interval, 4 * (time.thread_time() - started))
        if current == seen:
            continue
        while not stop.wait(settle):
            settled = snapshot(paths())
            if settled == current:
                break
            current = settled
        seen = current  # what changes while it rebuilds gives another rebuild
        on_change()


def serve_forever(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def serve(server: ThreadingHTTPServer) -> None:
    """Serve until Ctrl-C."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def build_allowing(config: Config, root: Path, accepted: set[str], search: bool) -> BuildReport:
    """Build, skipping the notice files whose errors are in accepted (those broken when serving
    began); a BuildError, with nothing written, for any other error."""
    try:
        return build_site(config, root, keep_going=False, search=search)
    except BuildError as error:
        new = [line for line in error.lines if line not in accepted]
        if new:
            raise BuildError(new) from None
        return build_site(config, root, keep_going=True, search=search)


def error_lines(error: BaseException) -> list[str]:
    """What to show of an error: a user's mistake in its lines; a bug in sitegen with its
    traceback, which helps whoever fixes it."""
    lines = explain(error)
    if lines is None:
        lines = traceback.format_exception(error)
    return [line.rstrip("\n") for line in lines]


class SearchCatchUp:
    """The search index brought up to date, in a child process that a newer change stops.

    The child runs a whole build with search (the pages are already written, so it only
    indexes); it has a process group of its own, so stopping it stops its workers and Pagefind
    too, and it dies with the server.
    """

    def __init__(self, on_done: Callable[[float], None], on_error: Callable[[list[str]], None]) -> None:
        self.on_done, self.on_error = on_done, on_error
        self.process: subprocess.Popen | None = None
        self.idle = threading.Condition()  # notified when no child runs any more

    def start(self, config: Config, root: Path, accepted: set[str]) -> None:
        """Stop any catch-up still running, and start one for config."""
        self.stop()
        request = json.dumps({"config": dataclasses.asdict(config), "root": str(Path(root).resolve()),
                              "accepted": sorted(accepted), "parent": os.getpid()})
        process = subprocess.Popen(
            [sys.executable, "-c", "from sitegen.serve import catch_up_child; catch_up_child()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            encoding="utf-8", errors="replace", start_new_session=True)
        with self.idle:
            self.process = process
        threading.Thread(target=self._wait, args=(process, request), daemon=True).start()

    def stop(self) -> None:
        """Stop the catch-up if one runs (its process group is killed), and wait until it is gone."""
        with self.idle:
            process, self.process = self.process, None
        if process is None:
            return
        if process.returncode is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        process.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no catch-up runs; False if one still does after timeout seconds."""
        with self.idle:
            return self.idle.wait_for(lambda: self.process is None, timeout=timeout)

    def _wait(self, process: subprocess.Popen, request: str) -> None:
        started = time.perf_counter()
        try:
            output, _ = process.communicate(request)
        except OSError:  # stopped before it read its request
            output = ""
        with self.idle:
            stopped = self.process is not process  # a newer change stopped it: nothing to say
            if not stopped:
                self.process = None
        if not stopped:
            *printed, last = output.splitlines() or [""]
            try:
                result = json.loads(last)
            except ValueError:
                result = None
            if not isinstance(result, dict):  # it died without saying why
                ended = f"the search index step ended with status {process.returncode}"
                result = {"error": [*printed[-20:], last, ended]}
            if result.get("error"):
                self.on_error(result["error"])
            else:
                self.on_done(time.perf_counter() - started)
        with self.idle:
            self.idle.notify_all()


def catch_up_child() -> None:
    """The child SearchCatchUp starts: the request on stdin, the outcome as the last line of
    stdout ({"error": null} or {"error": [lines]})."""
    request = json.loads(sys.stdin.read())
    exit_with_parent(request["parent"])
    # Background work: the preview's rebuilds and the browser's reloads go first (its workers
    # and Pagefind inherit this).
    os.nice(10)
    config = Config(**request["config"])
    try:
        build_allowing(config, Path(request["root"]), set(request["accepted"]), search=True)
        result: dict = {"error": None}
    except Exception as error:  # noqa: BLE001 - the parent shows it
        result = {"error": error_lines(error)}
    print(json.dumps(result, ensure_ascii=False), flush=True)


class Preview:
    """The live preview's builder: rebuilds on change, keeping the last good site on failure.

    An archive may hold notice files that were already broken when serving began (they are
    skipped, as `build --keep-going` does, so the rest can be previewed); a rebuild that finds
    a new error writes nothing and shows it instead.
    """

    def __init__(self, load_config: Callable[[], Config], root: Path,
                 echo: Callable[[str], None]) -> None:
        self.load_config, self.root, self.echo = load_config, root, echo
        self.config = load_config()
        self.accepted: set[str] = set()  # errors present from the start
        self.live = LiveState()
        self.rules = netlify_header_rules(root / "netlify.toml")  # updated in place on change
        self.stop = threading.Event()  # set to end run()
        self.seen: dict[str, tuple[int, int]] | None = None  # the files the site was built from
        self.search = SearchCatchUp(self._searched, self._search_failed)

    def first_build(self) -> BuildReport:
        """The pages; the search index then catches up in the background."""
        # Taken before building, so an edit during or right after the first build is rebuilt.
        self.seen = snapshot(self.watched())
        report = build_site(self.config, self.root, keep_going=True, search=False)
        self.accepted = set(report.skipped)
        self.search.start(self.config, self.root, self.accepted)
        self._compile_templates()
        return report

    def _compile_templates(self) -> None:
        """Compile the theme's templates now (a build that wrote no page compiled none), so
        the first edit does not wait for it."""
        try:
            theme = self.config.theme_dir(self.root)
            environment = template_environment(theme, theme_version(theme))
            for name in environment.list_templates():
                environment.get_template(name)
        except Exception:  # noqa: BLE001, S110 - a broken template is the rebuild's to report
            pass

    def watched(self) -> list[Path]:
        root = self.root
        try:
            theme = self.config.theme_dir(root)
        except UserError:  # shown by the rebuild; watch where it was meant to be
            theme = root / self.config.theme
        return [root / self.config.content, theme, root / SETTINGS_FILE, root / "pyproject.toml",
                root / "netlify.toml"]

    def rebuild(self) -> None:
        """Build again after a change: the pages, and open pages reload at once; then the
        search index catches up in the background (the slow part, which nothing waits for)."""
        started, used = time.perf_counter(), time.process_time()
        self.search.stop()  # it may be indexing what is about to change
        try:
            self.config = self.load_config()
            self.rules[:] = netlify_header_rules(self.root / "netlify.toml")
            report = build_allowing(self.config, self.root, self.accepted, search=False)
        except Exception as error:  # noqa: BLE001 - a preview never stops for a mistake
            self._failed(error_lines(error))
            return
        # The CPU time too: on a busy machine it tells what a quiet one would take.
        self.echo(f"rebuilt in {time.perf_counter() - started:.1f} s ({time.process_time() - used:.1f} s of "
                  f"CPU): {report.written} of {count(report.pages, 'page')} changed")
        self.live.publish()
        self.search.start(self.config, self.root, self.accepted)

    def _searched(self, seconds: float) -> None:
        self.echo(f"search index up to date ({seconds:.1f} s)")

    def _search_failed(self, lines: list[str]) -> None:
        for line in lines:
            self.echo(line)
        self.echo("the search index was not updated; the pages are")
        self.live.publish("\n".join([*lines, "(the search index was not updated; the pages are)"]))

    def _failed(self, lines: list[str]) -> None:
        for line in lines:
            self.echo(line)
        self.echo("rebuild failed; still serving the last good site")
        self.live.publish("\n".join(lines))

    def close(self) -> None:
        """Stop the search catch-up, if one runs."""
        self.search.stop()

    def run(self, server: ThreadingHTTPServer) -> None:
        """Serve and rebuild on every change until Ctrl-C."""
        serve_forever(server)
        try:
            watch(self.watched, self.rebuild, self.stop, seen=self.seen)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop.set()
            self.close()
            server.shutdown()
            server.server_close()
