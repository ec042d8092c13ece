"""Putting a site on disk: whole into a staging folder that replaces the output in two renames
(a cold build), or file by file in place, each through a temporary file and a rename (a warm
build). Either way no reader ever sees half a file, and a killed build leaves nothing behind
that the next one would trust or keep: stale staging folders are removed at start.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..content import write_atomic


def write_file(folder: Path, path: str, text: str, in_place: bool, made: set[Path]) -> None:
    """Write one page; `made` holds the folders known to exist (a staging folder is new and
    private, so its files are written directly; in place, each goes through a rename)."""
    target = folder / path
    if in_place:
        write_atomic(target, text)
        return
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    with open(target, "wb") as handle:
        handle.write(text.encode("utf-8"))


def files_under(folder: Path) -> set[str]:
    """Every file below folder, as relative POSIX paths (one directory walk, not a stat per page)."""
    found: set[str] = set()
    for directory, _, names in os.walk(folder):
        prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        found.update(prefix + name for name in names)
    return found


def remove_pages(out_dir: Path, paths: set[str]) -> None:
    """Delete pages the site no longer has, and the folders that leaves empty (a cold build
    would not make them)."""
    folders = set()
    for path in sorted(paths):
        (out_dir / path).unlink(missing_ok=True)
        folders.update((out_dir / path).parents)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder != out_dir and out_dir in folder.parents and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}-"


def staging_folder(out_dir: Path) -> Path:
    """A new folder beside the output to build a site into; named after this process, so a
    later build can tell the folders of killed builds from those of running ones."""
    remove_stale_staging(out_dir)
    return Path(tempfile.mkdtemp(prefix=f"{_staging_prefix(out_dir)}{os.getpid()}-", dir=out_dir.parent))


def remove_stale_staging(out_dir: Path) -> None:
    """Delete staging (and retired) folders left by builds that were killed."""
    if not out_dir.parent.is_dir():
        return
    prefix = _staging_prefix(out_dir)
    for entry in out_dir.parent.iterdir():
        if not entry.name.startswith(prefix) or not entry.is_dir() or entry.is_symlink():
            continue
        pid = entry.name[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a folder of ours from before (pids are reused): none is in use yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap(staging: Path, out_dir: Path) -> None:
    """Replace the output folder in two renames, so it is never half-written."""
    os.chmod(staging, 0o777 & ~_umask())
    if out_dir.exists():
        retired = out_dir.with_name(f"{_staging_prefix(out_dir)}old")
        shutil.rmtree(retired, ignore_errors=True)
        out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out_dir)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
