"""Notice files the build is about to parse are asked of the disk ahead of the workers that read
them one at a time (sitegen/site/reading.py: prefetch)."""

from __future__ import annotations

import os

import pytest

from sitegen.content import notice_text
from sitegen.notice import Notice
from sitegen.site import reading
from sitegen.site.cache import BuildCache

pytestmark = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")


def _notices(folder, count: int) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"n{number:02d}.md"
        path.write_text(notice_text(Notice(id=f"n{number}", title=f"第{number}号通知", body="正文。\n")),
                        encoding="utf-8")
        paths.append(str(path))
    return paths


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """The files the kernel is asked to read ahead, in order."""
    seen: list[str] = []
    real = os.posix_fadvise

    def record(handle, offset, length, advice):
        if advice == os.POSIX_FADV_WILLNEED:
            seen.append(os.readlink(f"/proc/self/fd/{handle}"))
        return real(handle, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", record)
    return seen


def test_each_file_is_asked_for_in_the_order_it_is_read_and_a_vanished_one_is_passed_over(tmp_path, asked):
    paths = _notices(tmp_path / "content", 5)
    os.remove(paths[2])
    reading.prefetch(paths, 1000).join()
    assert asked == [p for p in paths if p != paths[2]]


def test_files_larger_together_than_a_quarter_of_the_memory_are_not_asked_for(tmp_path, asked):
    paths = _notices(tmp_path / "content", 3)
    assert reading.prefetch(paths, reading._memory() // 4 + 1) is None
    assert reading.prefetch(paths, reading._memory() // 4) is not None


def test_only_the_files_a_build_parses_again_are_asked_for(tmp_path, monkeypatch):
    content = tmp_path / "content"
    paths = _notices(content, 4)
    calls: list[tuple[list[str], int]] = []
    monkeypatch.setattr(reading, "prefetch", lambda paths, size: calls.append((paths, size)))
    with BuildCache(tmp_path / "cache") as cache:
        assert len(reading.read_content(content, cache).entries) == 4
        with open(paths[1], "a", encoding="utf-8") as handle:
            handle.write("又一段。\n")
        assert len(reading.read_content(content, cache).entries) == 4
    assert calls[0] == (paths, sum(os.path.getsize(p) for p in paths) - len("又一段。\n".encode()))
    assert calls[1] == ([paths[1]], os.path.getsize(paths[1]))
