"""Benchmark: precision and recall of relation finding (repeal, amendment, replacement) against
the generator's truth.

    python bench/relations.py --notices 10000

Generates N notices (bench/generate.py, about one in eight acting on earlier notices in the
ministry's phrasing, with false friends mixed in), imports them with `sitegen import`, reads
the archive as a build does, and compares every resolved relation (acting notice, target
notice, kind) with the truth. Documents outside the archive must stay
unresolved text. Prints the counts, the scores, the statuses and the first misses of each kind.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import write_pages
from sitegen.relations import build_date, relate_archive
from sitegen.site.reading import read_content


def measure(count: int, seed: int, work: Path, show: int = 5) -> dict:
    pages, content, truth_file = work / "pages", work / "content", work / "truth.json"
    write_pages(count, pages, seed=seed, truth=truth_file)
    subprocess.run([sys.executable, "-m", "sitegen.cli", "import", str(pages), "--content", str(content)],
                   check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    archive = read_content(content)
    relations = relate_archive(archive.notices, archive.statements, build_date(archive.notices))
    seconds = time.perf_counter() - started

    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    expected = {(r["source"], r["target"], r["kind"]) for r in truth["relations"]}
    found = {(r.source, r.target, r.kind) for acts in relations.acts.values() for r in acts if r.target}
    hits = found & expected
    outside = {(r["source"], r["text"]) for r in truth["outside"]}
    kept_as_text = {(r.source, r.text) for acts in relations.acts.values() for r in acts if not r.target}
    titles = {n.id: n.title for n in archive.notices}
    return {
        "notices": len(archive.notices), "expected": len(expected), "found": len(found), "correct": len(hits),
        "precision": len(hits) / len(found) if found else 1.0,
        "recall": len(hits) / len(expected) if expected else 1.0,
        "outside documents kept as text": f"{len(outside & kept_as_text)}/{len(outside)}",
        "false friends in the text": truth["false_friends"],
        "doubts reported": len(relations.doubts),
        "statuses": relations.counts(),
        "seconds (read, find, relate)": round(seconds, 1),
        "wrong": [(titles.get(s, s), titles.get(t, t), k) for s, t, k in sorted(found - expected)[:show]],
        "missed": [(titles.get(s, s), titles.get(t, t), k) for s, t, k in sorted(expected - found)[:show]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="Keep pages and content here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        result = measure(args.notices, args.seed, work)
    for key, value in result.items():
        if isinstance(value, list):
            print(f"{key}:")
            for item in value:
                print(f"  {item}")
        elif isinstance(value, dict):
            print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
        elif isinstance(value, float):
            print(f"{key}: {value:.4f}")
        else:
            print(f"{key}: {value}")
    ok = result["precision"] >= 0.99 and result["recall"] >= 0.95
    print("PASS" if ok else "FAIL", "(bar: precision >= 0.99, recall >= 0.95)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
