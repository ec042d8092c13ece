"""Use every core for work that is the same function over many items."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more (start-up, pickling) than it saves.
POOL_THRESHOLD = 400


@contextmanager
def paused_collector() -> Iterator[None]:
    """Python's cycle collector held off while many objects are made that live on (loading a
    cache of 100,000 notices, planning its pages): it would walk them again and again, tripling
    the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def worker_count() -> int:
    configured = os.environ.get("SITEGEN_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run_chunk(function: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [function(item) for item in chunk]


def _pool(size: int) -> ProcessPoolExecutor:
    # Forked workers share the parent's memory until either side writes to it; Python's
    # collector would write to every object it walks, so what exists now is left out of it.
    gc.freeze()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context(method),
                               initializer=exit_with_parent, initargs=(os.getpid(),))


_PR_SET_PDEATHSIG = 1


def exit_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux): the workers of a build
    killed with kill -9 must not go on writing into the site. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl: workers end with the pool
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


class Workers:
    """A process pool started on first need and kept for every map until the block ends.

    Workers keep what they cached (compiled templates, Markdown engines) between maps.
    """

    def __init__(self, size: int | None = None):
        self.size = size or worker_count()
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
            gc.unfreeze()

    def submit(self, function: Callable[..., R], *args, inline: bool = False) -> Future:
        """function(*args) in a worker process; in this one (already done) when inline or with
        a single core, where a pool would cost more than it saves."""
        if inline or self.size < 2:
            future: Future = Future()
            future.set_result(function(*args))
            return future
        if self.pool is None:
            self.pool = _pool(self.size)
        return self.pool.submit(function, *args)

    def map(self, function: Callable[[T], R], items: Sequence[T],
            on_done: Callable[[int], None] | None = None, chunk_size: int = 100) -> Iterator[R]:
        """function over items, in order, across processes when that pays; on_done(n) per chunk.

        function must be a module-level function (it is pickled by name).
        """
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        if self.size < 2 or len(items) < POOL_THRESHOLD:
            for chunk in chunks:
                yield from _run_chunk(function, chunk)
                if on_done:
                    on_done(len(chunk))
            return
        if self.pool is None:
            self.pool = _pool(self.size)
        futures = [self.pool.submit(_run_chunk, function, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures):
            yield from future.result()
            if on_done:
                on_done(len(chunk))


def parallel_map(function: Callable[[T], R], items: Sequence[T],
                 on_done: Callable[[int], None] | None = None, chunk_size: int = 100) -> Iterator[R]:
    """Workers().map with a pool of its own, for a single map."""
    with Workers() as workers:
        yield from workers.map(function, items, on_done, chunk_size)
