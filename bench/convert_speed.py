"""CPU time the importer spends per notice converting it: the record read, its body HTML to
Markdown and the fidelity measure (text and layout), one process, as each import worker does.

    python bench/convert_speed.py --notices 300            # generated notices (bench/generate.py)
    python bench/convert_speed.py tests/fixtures/*.json    # saved search-API pages

CPU time (not wall time: a shared machine slows the wall clock, not the work), the best of
`--repeat` passes over the same records, in milliseconds per notice. The #18 bar (100,000
notices imported in 8 minutes on 2 cores) leaves about 8.5 ms of CPU per notice here.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import write_pages
from sitegen.importer import convert_record
from sitegen.parallel import paused_collector
from sitegen.sources import source_for
from sitegen.sources.base import read_page_file


def records_of(pages: list[Path], source_name: str):
    source = source_for(source_name)
    return [(raw, source) for path in pages for raw in read_page_file(source, path).records]


def cpu_ms_per_notice(jobs, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        with paused_collector():  # as convert_page runs it in each worker
            for job in jobs:
                convert_record(*job)
        best = min(best, time.process_time() - start)
    return best * 1000 / len(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="search-API pages (default: generate)")
    parser.add_argument("--notices", type=int, default=300, help="notices to generate")
    parser.add_argument("--source", default="miit")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pages = args.pages
        if not pages:
            pages = sorted(write_pages(args.notices, Path(folder), 100, 0, None))
        jobs = records_of(pages, args.source)
        convert_record(*jobs[0])  # imports and caches warm
        ms = cpu_ms_per_notice(jobs, args.repeat)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{len(jobs)} notices: {ms:.2f} ms CPU per notice (best of {args.repeat}); load average {load}")


if __name__ == "__main__":
    main()
