"""Thread helpers for work split over numba-free Python threads (the kernels release the GIL).
"""

from __future__ import annotations

import functools

import numba


def _threads() -> int:
    """Threads to use: numba's setting (``numba.set_num_threads`` / ``--threads``)."""
    return max(int(numba.get_num_threads()), 1)


def _parallel(fn, n_items: int, per_thread: int = 4) -> list:
    """Call ``fn(lo, hi)`` over ``[0, n_items)`` split into ranges, on up to ``_threads()`` threads."""
    threads = _threads()
    n_parts = max(min(n_items, threads * per_thread if threads > 1 else 1), 1)
    bounds = [(p * n_items // n_parts, (p + 1) * n_items // n_parts) for p in range(n_parts)]
    if threads == 1 or n_parts == 1:
        return [fn(lo, hi) for lo, hi in bounds]
    return list(_pool(threads).map(lambda b: fn(*b), bounds))


@functools.lru_cache(maxsize=4)
def _pool(threads: int):
    """A thread pool per thread count, reused across calls (its threads idle between calls)."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="annostore-seqlets")


# ---- small inputs on one thread (issue 13) ------------------------------------------------------
# A numba ``parallel=True`` region costs a fork/join of every worker thread; on a busy machine a
# worker that waits for a core holds the whole region up.  Below a few milliseconds of work that
# costs more than the work, so small inputs run their parallel kernels on the calling thread alone
# (same code, same results: the kernels' outputs do not depend on the thread count).

import contextlib  # noqa: E402
import os  # noqa: E402

#: Work (roughly: inner-loop operations) below which a parallel kernel runs on one thread.
SMALL_WORK = int(float(os.environ.get("ANNOSTORE_SMALL_WORK", "3e7")))


@contextlib.contextmanager
def threads(n: int):
    """Run the numba parallel regions started from this thread with at most ``n`` threads."""
    old = numba.get_num_threads()
    new = max(1, min(int(n), old))
    if new == old:
        yield old
        return
    numba.set_num_threads(new)
    try:
        yield new
    finally:
        numba.set_num_threads(old)


def small_work(ops: float):
    """Context: one thread when ``ops`` (estimated inner-loop operations) is below :data:`SMALL_WORK`."""
    return threads(1 if ops < SMALL_WORK else numba.get_num_threads())
