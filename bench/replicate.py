"""An archive K times the size of an imported one, for timing what comes after the import
(check, builds, one more import) when importing the whole of it would take too long.

    python bench/replicate.py /tmp/a10k/content /tmp/a100k/content --times 10

Copy k of a notice gets its own id (`<id>k<k>`), file number (`工信部信管乙〔2020〕81号`) and
title (`…（乙）`), the same dates, body and everything else, and a fresh import checksum, so
the copies are distinct notices to the importer and the build (bodies still cite the
originals' numbers and titles). The first copy is the archive itself.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.content import CHECKSUM_FIELD, notice_files, text_checksum

MARKS = "甲乙丙丁戊己庚辛壬癸"
_CHECKSUM_LINE = re.compile(rf"^{CHECKSUM_FIELD}: \S+\n", re.MULTILINE)


def copy_text(text: str, k: int) -> str:
    mark = MARKS[k % len(MARKS)] + (str(k // len(MARKS)) if k >= len(MARKS) else "")
    head, sep, body = text.partition("\n---\n")
    lines = []
    for line in head.split("\n"):
        key, _, value = line.partition(": ")
        if key == "id":
            line = f"id: {value}k{k}"
        elif key == "title":
            line = f"title: {value[:-1]}（{mark}）{value[-1]}" if value[:1] in "'\"" else f"title: {value}（{mark}）"
        elif key == "file_number":
            line = "file_number: " + value.replace("〔", f"{mark}〔", 1)
        lines.append(line)
    text = "\n".join(lines) + sep + body
    unstamped = _CHECKSUM_LINE.sub("", text, count=1)
    stamp = f"{CHECKSUM_FIELD}: {text_checksum(unstamped)}\n"
    return unstamped.replace("\n---\n", "\n" + stamp + "---\n", 1)


def replicate(source: Path, target: Path, times: int) -> int:
    shutil.copytree(source, target)
    written = 0
    for path in notice_files(source):
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(source)
        for k in range(1, times):
            out = target / relative.parent / f"{path.stem}k{k}.md"
            out.write_text(copy_text(text, k), encoding="utf-8")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    written = replicate(args.source, args.target, args.times)
    print(f"{written} copies written; {args.target} holds {len(notice_files(args.target))} notices")


if __name__ == "__main__":
    main()
