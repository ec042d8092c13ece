"""How long an edit takes to show in an open browser tab under `sitegen serve` (the bar: 2 s).

    python bench/serve_reload.py --notices 1000 --edits 7

Generates the notices (bench/generate.py), imports them, starts `sitegen serve` on 127.0.0.1,
opens a notice page in headless Chromium (Debian's /usr/bin/chromium through Playwright) and
edits that notice's file again and again, timing each save until the page shows the edit.
Edits come `--pause` seconds after the last one showed: the search index of the one before is
then still catching up, as when someone edits and saves, reads, and saves again. Prints each
time, their median and max, the load average, and the server's own rebuild times with the CPU
time each took: on a busy machine that CPU time, plus the 0.1-0.2 s the edits settle and the
page's reload, is what a quiet machine would take.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sys.path.insert(0, str(REPO))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def prepare(folder: Path, notices: int) -> Path:
    """An archive of that many generated notices, with the repository's netlify.toml."""
    from bench.generate import write_pages

    project = folder / "archive"
    write_pages(notices, folder / "pages")
    subprocess.run([sys.executable, "-m", "sitegen.cli", "import", str(folder / "pages"), "--content",
                    str(project / "content")], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.copy(REPO / "netlify.toml", project / "netlify.toml")
    return project


def start_serve(project: Path) -> tuple[subprocess.Popen, str, list[str]]:
    """`sitegen serve` on a free port; (process, base URL, the lines it prints, kept coming)."""
    process = subprocess.Popen([sys.executable, "-m", "sitegen.cli", "serve", "--port", "0"], cwd=project,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if found:
            threading.Thread(target=lambda: lines.extend(x.rstrip("\n") for x in process.stdout),
                             daemon=True).start()
            return process, found.group(0), lines
    raise SystemExit("sitegen serve stopped:\n" + "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between an edit showing and the next")
    parser.add_argument("--keep", type=Path, default=None,
                        help="work in this folder and keep it (its archive is used again next time)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from sitegen.content import notice_files

    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "archive"
    if not (project / "content").is_dir():  # a kept folder is used again as it is
        project = prepare(work, args.notices)
    path = sorted(notice_files(project / "content"))[args.notices // 2]
    notice_id = re.search(r"^id: (\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    started = time.perf_counter()
    process, url, lines = start_serve(project)
    print(f"{args.notices} notices; serving after {time.perf_counter() - started:.1f} s; {load()}")
    times = []
    good = path.read_text(encoding="utf-8")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(f"{url}notices/{notice_id}.html")
            page.wait_for_selector("html[data-sitegen-live=listening]", timeout=30000)
            for number in range(1, args.edits + 1):
                time.sleep(args.pause)
                mark = f"第{number}次修订："
                before = time.perf_counter()
                path.write_text(good.replace("\ntitle: ", f"\ntitle: {mark}", 1), encoding="utf-8")
                page.wait_for_function(f"() => document.querySelector('h1').textContent.includes({mark!r})",
                                       timeout=60000)
                times.append(time.perf_counter() - before)
                print(f"edit {number}: shown after {times[-1]:.2f} s; {load()}", flush=True)
            browser.close()
    finally:
        path.write_text(good, encoding="utf-8")
        process.terminate()
        process.wait(timeout=30)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rebuilds = [line for line in lines if line.startswith("rebuilt in")]
    print("server: " + "; ".join(rebuilds))
    cpu = [float(found) for found in re.findall(r"\(([\d.]+) s of CPU\)", "\n".join(rebuilds))]
    print(f"edit -> reload over {len(times)} edits: median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s (bar: 2 s); rebuild CPU: median {statistics.median(cpu):.1f} s, "
          f"max {max(cpu):.1f} s; {load()}")


if __name__ == "__main__":
    main()
